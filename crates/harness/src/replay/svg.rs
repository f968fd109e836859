//! `--timeline FILE.svg`: a static picture of the run that opens in any
//! browser. One row per node over virtual time: the node's role as a bar
//! (thin for follower, middle for candidate, full and outlined for leader),
//! colored by term and labelled `tN` where it fits; disconnected periods
//! hatched, down (crashed) periods dark; dropped messages as red ticks on the
//! sender's row. Above the rows, the test's steps; at the end, each node's
//! last term and role, and a red line when the run failed. Hovering a shape
//! shows what it is.

use std::fmt::Write as _;

use super::model::{Interval, Mark, Model, Role};

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 48.0;
const ROW_HEIGHT: f64 = 34.0;
const ROW_GAP: f64 = 10.0;
const STEPS_Y: f64 = 58.0;
const ROWS_Y: f64 = 84.0;

/// Tableau 10: term 1 is the first color, term 11 the first again; term 0 is grey.
const TERM_COLORS: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

pub fn term_color(term: u64) -> &'static str {
    if term == 0 {
        "#d9d9d9"
    } else {
        TERM_COLORS[((term - 1) % TERM_COLORS.len() as u64) as usize]
    }
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn seconds(time_us: u64) -> String {
    sim::Time::from_micros(time_us).to_string()
}

/// Maps virtual time to x.
struct Scale {
    end_us: u64,
}

impl Scale {
    fn x(&self, time_us: u64) -> f64 {
        LEFT + (WIDTH - LEFT - RIGHT) * time_us as f64 / self.end_us.max(1) as f64
    }

    fn width(&self, start_us: u64, end_us: u64) -> f64 {
        self.x(end_us) - self.x(start_us)
    }
}

fn row_y(node: u32) -> f64 {
    ROWS_Y + f64::from(node) * (ROW_HEIGHT + ROW_GAP)
}

/// The picture. `title` heads it; `failure` is the failed check and reason, if the run failed.
pub fn render(model: &Model, title: &str, failure: Option<&str>) -> String {
    let scale = Scale { end_us: model.end_us };
    let rows_bottom = row_y(model.servers as u32) - ROW_GAP;
    let height = rows_bottom + 90.0;
    let mut svg = String::new();
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    svg.push_str(DEFS);
    let _ = writeln!(svg, r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#);
    let _ = writeln!(svg, r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>"#, escape(title));
    let outcome = failure.map_or_else(
        || format!("passed at {}", seconds(model.end_us)),
        |why| format!("FAIL at {}: {why}", seconds(model.end_us)),
    );
    let color = if failure.is_some() { "#c0392b" } else { "#2e7d32" };
    let _ = writeln!(svg, r#"<text x="{LEFT}" y="40" fill="{color}">{}</text>"#, escape(&outcome));
    steps(&mut svg, model, &scale);
    for node in 0..model.servers as u32 {
        row(&mut svg, model, &scale, node);
    }
    axis(&mut svg, &scale, rows_bottom);
    if failure.is_some() {
        let x = scale.x(model.end_us);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{STEPS_Y}" x2="{x:.1}" y2="{rows_bottom:.1}" stroke="#c0392b" stroke-width="2" stroke-dasharray="4 3"/>"##
        );
    }
    legend(&mut svg, rows_bottom + 50.0);
    svg.push_str("</svg>\n");
    svg
}

const DEFS: &str = r##"<defs>
<pattern id="cut" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#fbe3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e08a8a" stroke-width="2"/>
</pattern>
</defs>
"##;

/// The test's steps as small marks above the rows, with their text on hover.
fn steps(svg: &mut String, model: &Model, scale: &Scale) {
    let _ = writeln!(svg, r##"<g class="steps"><text x="8" y="{:.1}" fill="#555">test</text>"##, STEPS_Y + 9.0);
    for step in &model.steps {
        let x = scale.x(step.at_us);
        let color = match step.mark {
            Mark::Crash | Mark::Failure => "#c0392b",
            Mark::Disconnect => "#e67e22",
            Mark::Connect | Mark::Restart => "#2e7d32",
            Mark::Warning => "#f1c40f",
            Mark::Begin | Mark::Heal | Mark::Network => "#34495e",
        };
        let label = match step.node {
            Some(node) => format!("{} n{node} {}", seconds(step.at_us), step.text),
            None => format!("{} {}", seconds(step.at_us), step.text),
        };
        let _ = writeln!(
            svg,
            r#"<rect x="{:.1}" y="{STEPS_Y}" width="3" height="12" fill="{color}"><title>{}</title></rect>"#,
            x - 1.5,
            escape(&label)
        );
    }
    svg.push_str("</g>\n");
}

/// One node's row: background, disconnected and down periods, role bars, drops.
fn row(svg: &mut String, model: &Model, scale: &Scale, node: u32) {
    let y = row_y(node);
    let _ = writeln!(svg, r#"<g class="node" id="node-{node}">"#);
    let _ = writeln!(svg, r#"<text x="8" y="{:.1}" font-weight="bold">n{node}</text>"#, y + ROW_HEIGHT / 2.0 + 4.0);
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{y:.1}" width="{:.1}" height="{ROW_HEIGHT}" fill="#f4f4f4"/>"##,
        WIDTH - LEFT - RIGHT
    );
    for interval in model.cut.iter().filter(|interval| interval.node == node) {
        shade(svg, scale, interval, y, false);
    }
    for span in model.spans.iter().filter(|span| span.node == node) {
        let (inset, outline) = match span.role {
            Role::Follower => (ROW_HEIGHT * 0.36, ""),
            Role::Candidate => (ROW_HEIGHT * 0.2, ""),
            Role::Leader => (ROW_HEIGHT * 0.06, r##" stroke="#222" stroke-width="1""##),
        };
        let (x, width) = (scale.x(span.start_us), scale.width(span.start_us, span.end_us));
        let tip = format!(
            "n{node} {} t{} from {} to {}",
            span.role.name(),
            span.term,
            seconds(span.start_us),
            seconds(span.end_us)
        );
        let _ = writeln!(
            svg,
            r#"<rect class="{}" x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"{outline}><title>{}</title></rect>"#,
            span.role.name(),
            y + inset,
            width.max(1.5),
            ROW_HEIGHT - 2.0 * inset,
            term_color(span.term),
            escape(&tip)
        );
        if width >= 22.0 {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#111">t{}</text>"##,
                x + 3.0,
                y + ROW_HEIGHT / 2.0 + 3.5,
                span.term
            );
        }
    }
    for interval in model.down.iter().filter(|interval| interval.node == node) {
        shade(svg, scale, interval, y, true);
    }
    end_state(svg, model, scale, node, y);
    for drop in model.drops.iter().filter(|drop| drop.from == node) {
        let x = scale.x(drop.at_us);
        let tip = format!("{} n{node} dropped → n{} {} ({})", seconds(drop.at_us), drop.to, drop.msg, drop.why);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#d62728" stroke-width="1"><title>{}</title></line>"##,
            y - 4.0,
            y + 3.0,
            escape(&tip)
        );
    }
    svg.push_str("</g>\n");
}

/// The node's last term and role, just right of the end of the run.
fn end_state(svg: &mut String, model: &Model, scale: &Scale, node: u32, y: f64) {
    let last = model.spans.iter().rev().find(|span| span.node == node);
    let Some(last) = last.filter(|span| span.end_us == model.end_us) else { return };
    let initial = last.role.letter();
    let _ = writeln!(
        svg,
        r##"<text class="end-state" x="{:.1}" y="{:.1}" font-size="10" fill="#111">t{} {initial}</text>"##,
        scale.x(model.end_us) + 4.0,
        y + ROW_HEIGHT / 2.0 + 3.5,
        last.term
    );
}

/// A disconnected (hatched) or, with `down`, a crashed (dark) period on a node's row.
fn shade(svg: &mut String, scale: &Scale, interval: &Interval, y: f64, down: bool) {
    let (fill, what) = if down { ("#3b3b3b", "down") } else { ("url(#cut)", "disconnected") };
    let (x, width) = (scale.x(interval.start_us), scale.width(interval.start_us, interval.end_us));
    let tip = format!("n{} {what} from {} to {}", interval.node, seconds(interval.start_us), seconds(interval.end_us));
    let opacity = if down { r#" fill-opacity="0.85""# } else { "" };
    let _ = writeln!(
        svg,
        r#"<rect class="{what}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{ROW_HEIGHT}" fill="{fill}"{opacity}><title>{}</title></rect>"#,
        width.max(0.5),
        escape(&tip)
    );
    if down && width >= 36.0 {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="10" fill="white">down</text>"#,
            x + 3.0,
            y + ROW_HEIGHT / 2.0 + 3.5
        );
    }
}

/// A time axis with round ticks under the rows.
fn axis(svg: &mut String, scale: &Scale, y: f64) {
    let steps_us =
        [100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 30_000_000, 60_000_000];
    let step = steps_us.into_iter().find(|step| scale.end_us / step <= 12).unwrap_or(60_000_000);
    let _ = writeln!(
        svg,
        r##"<g class="axis" fill="#555" font-size="10"><line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#888"/>"##,
        y + 4.0,
        WIDTH - RIGHT,
        y + 4.0
    );
    let mut tick = 0;
    while tick <= scale.end_us {
        let x = scale.x(tick);
        let label =
            if step % 1_000_000 == 0 { format!("{}s", tick / 1_000_000) } else { format!("{:.1}s", tick as f64 / 1e6) };
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#888"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
            y + 4.0,
            y + 8.0,
            y + 20.0
        );
        tick += step;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">virtual time</text></g>"#,
        WIDTH - RIGHT,
        y + 34.0
    );
}

/// What the shapes mean.
fn legend(svg: &mut String, y: f64) {
    let _ = writeln!(svg, r#"<g class="legend" font-size="11">"#);
    let items: [(&str, f64, &str, &str); 3] = [
        ("follower", ROW_HEIGHT * 0.36, "", "#4e79a7"),
        ("candidate", ROW_HEIGHT * 0.2, "", "#4e79a7"),
        ("leader", ROW_HEIGHT * 0.06, r##" stroke="#222""##, "#4e79a7"),
    ];
    let mut x = LEFT;
    for (name, inset, outline, color) in items {
        let (top, height) = (y + inset * 0.5, (ROW_HEIGHT - 2.0 * inset) * 0.5);
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{top:.1}" width="26" height="{height:.1}" fill="{color}"{outline}/><text x="{:.1}" y="{:.1}">{name}</text>"#,
            x + 30.0,
            y + 12.0
        );
        x += 100.0;
    }
    let _ = writeln!(svg, r#"<text x="{x:.1}" y="{:.1}">terms:</text>"#, y + 12.0);
    x += 42.0;
    for term in 1..=10u64 {
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="22" height="14" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="9">t{term}</text>"#,
            y + 2.0,
            term_color(term),
            x + 3.0,
            y + 12.0
        );
        x += 24.0;
    }
    x += 20.0;
    let _ = writeln!(
        svg,
        r#"<rect x="{x:.1}" y="{:.1}" width="26" height="14" fill="url(#cut)"/><text x="{:.1}" y="{:.1}">disconnected</text>"#,
        y + 2.0,
        x + 30.0,
        y + 12.0
    );
    x += 116.0;
    let _ = writeln!(
        svg,
        r##"<rect x="{x:.1}" y="{:.1}" width="26" height="14" fill="#3b3b3b"/><text x="{:.1}" y="{:.1}">down</text>"##,
        y + 2.0,
        x + 30.0,
        y + 12.0
    );
    x += 76.0;
    let _ = writeln!(
        svg,
        r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#d62728"/><text x="{:.1}" y="{:.1}">dropped message</text></g>"##,
        y + 1.0,
        y + 15.0,
        x + 6.0,
        y + 12.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(escape(r#"a<b & "c" 'd'>"#), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
    }

    #[test]
    fn terms_cycle_through_the_palette() {
        assert_eq!(term_color(1), term_color(11));
        assert_ne!(term_color(1), term_color(2));
        assert_eq!(term_color(0), "#d9d9d9");
    }
}
