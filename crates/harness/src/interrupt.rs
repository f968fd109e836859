//! Ctrl-C (SIGINT) and SIGTERM during a sweep or a hunt.
//!
//! The first signal asks the engine to stop handing out runs: the runs under
//! way finish, and the sweep reports what ran (the table, the failure groups,
//! the replay lines, the JSON of the completed runs), then exits 130 (SIGINT)
//! or 143 (SIGTERM). A second signal exits at once with the same code, after
//! removing every temporary output file ([`crate::output::remove_temp_files`]).
//!
//! signal-hook's iterator runs the handling on an ordinary thread (nothing
//! async-signal-unsafe in a handler) and, unlike `ctrlc`, says which signal
//! came, which the exit code needs.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;

/// SIGINT's number.
pub const SIGINT: i32 = 2;
/// SIGTERM's number.
pub const SIGTERM: i32 = 15;

/// The first signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
static INSTALL: Once = Once::new();

/// The signal that asked the sweep to stop, if any.
pub fn requested() -> Option<i32> {
    match RECEIVED.load(Ordering::Relaxed) {
        0 => None,
        signal => Some(signal),
    }
}

/// The exit code for a signal: the shell's 128 + its number.
pub fn exit_code(signal: i32) -> u8 {
    if signal == SIGTERM {
        crate::exit::TERMINATED
    } else {
        crate::exit::INTERRUPTED
    }
}

/// The signal's name, for messages.
pub fn name(signal: i32) -> &'static str {
    if signal == SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT"
    }
}

/// Starts listening for SIGINT and SIGTERM (once per process).
pub fn install() -> Result<(), String> {
    let mut result = Ok(());
    INSTALL.call_once(|| result = listen());
    result
}

#[cfg(unix)]
fn listen() -> Result<(), String> {
    use signal_hook::iterator::Signals;
    let mut signals = Signals::new([SIGINT, SIGTERM]).map_err(|error| format!("cannot listen for Ctrl-C: {error}"))?;
    std::thread::Builder::new()
        .name("raftsim-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        })
        .map_err(|error| format!("cannot listen for Ctrl-C: {error}"))?;
    Ok(())
}

#[cfg(not(unix))]
fn listen() -> Result<(), String> {
    Ok(())
}

fn on_signal(signal: i32) {
    if RECEIVED.compare_exchange(0, signal, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
        // On its own thread: a full stderr must not keep this one from seeing a
        // second signal. (Not a simulation's thread: the process's signal handling.)
        #[allow(clippy::disallowed_methods)]
        std::thread::spawn(move || {
            eprintln!(
                "raftsim: {}: handing out no more seeds; the runs under way finish, then the report (again to stop at once)",
                name(signal)
            );
        });
        return;
    }
    // The second signal: nothing more is written (stdout or stderr may be what blocks).
    crate::output::remove_temp_files();
    std::process::exit(i32::from(exit_code(signal)));
}
