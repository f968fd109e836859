//! `raftsim`: list, run, sweep and replay the 6.824 Raft lab tests as seeded
//! simulations; merge sharded sweeps (`report`); print completions and a man
//! page. All of it is the library (src/lib.rs), so that a user's binary gets
//! the same command line over its own Raft (`raftsim::main_with`).

// The allocator changes no run's behaviour (the golden hashes are the same
// with either): on SnapshotBasic2D it spares 6% of the instructions, on
// ConcurrentStarts2B 9% (callgrind).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    raftsim::main()
}
