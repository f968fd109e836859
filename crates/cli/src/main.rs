//! `raftsim`: list, run, sweep and replay the 6.824 Raft lab tests as seeded
//! simulations; merge sharded sweeps (`report`); print completions and a man
//! page. All of it is the library (src/lib.rs), so that a user's binary gets
//! the same command line over its own Raft (`raftsim::main_with`).

fn main() -> std::process::ExitCode {
    raftsim::main()
}
