//! raftsim's command line, as a library: `raftsim` itself is
//! `fn main() -> ExitCode { raftsim::main() }`, and a user's own binary gets
//! the whole command line (list, run, sweep, replay, hunt, report, shards,
//! regressions, `--check-determinism`) over the user's own Raft with
//! [`main_with`]:
//!
//! ```no_run
//! # struct MyFactory;
//! # impl api::Factory for MyFactory {
//! #     fn name(&self) -> &str { "my-raft" }
//! #     fn make(&self, _: api::MakeArgs) -> Result<Box<dyn api::Node>, String> { Err("a sketch".into()) }
//! # }
//! fn main() -> std::process::ExitCode {
//!     raftsim::main_with([("my-raft", MyFactory)])
//! }
//! ```
//!
//! - `args`: the grammar (clap); `commands`: what each subcommand does;
//! - the Rafts a program knows are a [`harness::Rafts`] passed down to
//!   every command (no global): the built-ins, and the user's.
//!
//! Exit codes ([`harness::exit`]): 0 all passed; 100 some seed failed; 2 bad
//! usage (one line on stderr); 4 no run made; 110 an output could not be
//! written; 130/143 interrupted by SIGINT/SIGTERM (what ran was reported).

mod args;
mod commands;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches};
use harness::exit;

/// The node API a Raft speaks (`Node`, `Factory`, `MakeArgs`, ...), so that one dependency on raftsim is enough.
pub use api;
pub use api::Factory;
pub use harness::Rafts;

/// The program being run: its Rafts, and the name its messages start with.
pub(crate) struct Program {
    pub(crate) rafts: Rafts,
    /// `raftsim`, or the file name of a user's binary: `my-raftsim: unknown test ...`.
    pub(crate) tag: String,
}

impl Program {
    /// The parser, named as this program.
    pub(crate) fn command(&self) -> clap::Command {
        args::Cli::command().bin_name(self.tag.clone())
    }
}

/// `raftsim` itself: the built-in Rafts, our core the default.
pub fn main() -> ExitCode {
    run(Rafts::builtin(), "raftsim".into(), std::env::args_os())
}

/// The whole raftsim command line over a user's own Rafts: each `(name,
/// factory)` is a Raft `--raft NAME` chooses, listed by `list --rafts`,
/// recorded in the JSON lines, the regression file's name
/// (`regressions-NAME.txt`) and every printed replay command. The first is
/// the default (no `--raft`); raftsim's built-ins (`core`, `raft-rs`, ...)
/// stay selectable by name. Replay commands name this binary as it was
/// invoked (`argv[0]`), so copying one reruns the same Raft.
///
/// A name is letters, digits, `-`, `_` and `.`, unique, and not a built-in's;
/// a bad one is a one-line error (exit 2). `factory` is any [`Factory`]:
/// `MyFactory`, or `Arc<dyn Factory>` to register Rafts of several types.
pub fn main_with<N, F>(rafts: impl IntoIterator<Item = (N, F)>) -> ExitCode
where
    N: AsRef<str>,
    F: Factory + 'static,
{
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let invoked = args.first().map(|arg| arg.to_string_lossy().into_owned()).unwrap_or_else(|| "raftsim".into());
    if args.is_empty() {
        args.push(invoked.clone().into());
    }
    match own_rafts(&invoked, rafts) {
        Ok(own) => run(own, invoked, args),
        Err(message) => {
            eprintln!("{}: {message}", tag_of(&invoked));
            ExitCode::from(exit::USAGE)
        }
    }
}

/// The built-ins and `rafts`, in a program invoked as `program`.
fn own_rafts<N, F>(program: &str, rafts: impl IntoIterator<Item = (N, F)>) -> Result<Rafts, String>
where
    N: AsRef<str>,
    F: Factory + 'static,
{
    let mut own = Rafts::new(program);
    for (name, factory) in rafts {
        own.register(name.as_ref(), Arc::new(factory))?;
    }
    Ok(own)
}

/// The command line `args` (the program first, as in `std::env::args_os`)
/// over `rafts`; `program` is how replay commands name this binary.
pub fn run(rafts: Rafts, program: String, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let program = Program { tag: tag_of(&program), rafts };
    let parsed = program.command().try_get_matches_from(args).and_then(|matches| args::Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => return clap_error(&error, &program.tag),
    };
    match commands::execute(cli.command, &program) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{}: {message}", program.tag);
            ExitCode::from(exit::USAGE)
        }
    }
}

/// A program's file name, for its messages: `target/release/my-raftsim` is `my-raftsim`.
fn tag_of(program: &str) -> String {
    Path::new(program).file_name().map_or_else(|| program.to_string(), |name| name.to_string_lossy().into_owned())
}

/// Help and version go to stdout as usual; a usage error is one line on stderr, exit 2.
fn clap_error(error: &clap::Error, tag: &str) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = error.print();
        return ExitCode::from(exit::USAGE);
    }
    // clap's message, without its usage block, folded onto one line.
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let message = message.join(" ");
    let message = message.trim_start_matches("error: ");
    eprintln!("{tag}: {message} (see `{tag} help`)");
    ExitCode::from(exit::USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_rafts_take_any_factory_and_refuse_a_bad_name_in_one_line() {
        // A shared `Arc<dyn Factory>` is a `Factory` too, so Rafts of several types can go in one list.
        let rafts = own_rafts("target/release/my-raftsim", [("mine", sims::rafts::core())]).unwrap();
        assert_eq!(rafts.default_raft(), "mine");
        assert_eq!(rafts.program(), "target/release/my-raftsim");
        for name in ["core", "two words", ""] {
            let error = own_rafts("p", [(name, sims::rafts::core())]).err().expect("refused");
            assert!(error.starts_with(&format!("cannot register a Raft named '{name}'")), "{error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
        let twice = own_rafts("p", [("a", sims::rafts::core()), ("a", sims::rafts::core())]);
        assert!(twice.err().is_some_and(|error| error.contains("the name is taken")));
    }

    #[test]
    fn a_programs_messages_start_with_its_file_name() {
        assert_eq!(tag_of("target/release/my-raftsim"), "my-raftsim");
        assert_eq!(tag_of("raftsim"), "raftsim");
    }
}
