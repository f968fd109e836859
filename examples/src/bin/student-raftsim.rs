//! `student-raftsim`: the whole raftsim command line (run, sweep, replay,
//! report, shards, regressions, `--check-determinism`) over the example Raft
//! of this crate, named `example`: what a user's own binary looks like
//! (docs/testing-your-own-raft.md). `student-raftsim sweep 2A --seeds 100`.

fn main() -> std::process::ExitCode {
    raftsim::main_with([("example", examples::ExampleFactory)])
}
