//! The `--trace` line format: every event of a run, stamped with virtual time,
//! node, term and role, one per line, byte-identical across replays.
//!
//! `    0.512000s  n1 t1 candidate  election timeout: standing`
//! `    0.512000s  n1 send → n0  RequestVote(t1 last=0/t0)`

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats raftsim's tracing events as trace lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceFormat;

#[derive(Default)]
struct Fields {
    message: String,
    node: Option<u64>,
    peer: Option<u64>,
    term: Option<u64>,
    role: Option<String>,
    msg: Option<String>,
    rest: String,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "node" => self.node = Some(value),
            "peer" => self.peer = Some(value),
            "term" => self.term = Some(value),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match u64::try_from(value) {
            Ok(value) => self.record_u64(field, value),
            Err(_) => {
                let _ = write!(self.rest, " {}={value}", field.name());
            }
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_string(),
            "role" => self.role = Some(value.to_string()),
            "msg" => self.msg = Some(value.to_string()),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "message" => self.message = text,
            "msg" => self.msg = Some(text),
            "role" => self.role = Some(text),
            name => {
                let _ = write!(self.rest, " {name}={text}");
            }
        }
    }
}

impl<S, N> FormatEvent<S, N> for TraceFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        write!(writer, "{:>14}  ", sim::virtual_now().to_string())?;
        if let Some(node) = fields.node {
            write!(writer, "n{node} ")?;
        } else {
            write!(writer, "-- ")?;
        }
        if let (Some(term), Some(role)) = (fields.term, &fields.role) {
            write!(writer, "t{term} {role:<9} ")?;
        }
        write!(writer, "{}", fields.message)?;
        if let Some(peer) = fields.peer {
            let arrow = if fields.message == "recv" { "←" } else { "→" };
            write!(writer, " {arrow} n{peer}")?;
        }
        if let Some(msg) = &fields.msg {
            write!(writer, "  {msg}")?;
        }
        writeln!(writer, "{}", fields.rest)
    }
}

/// Prints every trace event of this thread's runs to stdout, in the trace format.
pub fn install_stdout() {
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .event_format(TraceFormat)
        .with_writer(std::io::stdout)
        .finish();
    // Only fails if a subscriber is already set, which would be set to print already.
    let _ = tracing::subscriber::set_global_default(subscriber);
}
