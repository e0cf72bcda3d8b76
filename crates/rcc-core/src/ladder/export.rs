//! The ladder as text and pictures for other tools: Mermaid `sequenceDiagram` text and a
//! standalone SVG (the HTML report's and the ladder export's).

use super::{Ladder, Row};
use crate::sip::SipMessage;

/// Escape text for a Mermaid label: `#`, `;`, angle brackets, quotes and `&` become Mermaid
/// entity codes (`#59;`), line breaks become spaces.
pub fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '"' => out.push_str("#34;"),
            '&' => out.push_str("#38;"),
            '%' => out.push_str("#37;"),
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The whole ladder as Mermaid `sequenceDiagram` text (`messages`: the ones it was built from).
pub fn to_mermaid(ladder: &Ladder, messages: &[SipMessage]) -> String {
    let all: Vec<usize> = (0..ladder.rows.len()).collect();
    to_mermaid_rows(ladder, messages, &all)
}

/// Some rows of the ladder (e.g. [`Ladder::filtered`]) as Mermaid `sequenceDiagram` text.
/// Participants get safe aliases `H0`, `H1`… (`U` for an unknown end).
pub fn to_mermaid_rows(ladder: &Ladder, messages: &[SipMessage], rows: &[usize]) -> String {
    let mut out = String::from("sequenceDiagram\n    autonumber\n");
    let mut used: Vec<bool> = vec![false; ladder.columns.len()];
    let mut unknown = false;
    for &r in rows {
        if let Some(row) = ladder.rows.get(r) {
            for c in [row.from().map(usize::from), row.to().map(usize::from)] {
                match c {
                    Some(c) if c < used.len() => used[c] = true,
                    _ => unknown = true,
                }
            }
        }
    }
    for (i, c) in ladder.columns.iter().enumerate() {
        if used[i] {
            let label = if c.host.is_empty() || c.host == c.label {
                c.label.clone()
            } else {
                format!("{} ({})", c.label, c.host)
            };
            out.push_str(&format!(
                "    participant H{i} as {}\n",
                mermaid_escape(&label)
            ));
        }
    }
    if unknown {
        out.push_str("    participant U as unknown\n");
    }
    let name = |c: Option<usize>| match c {
        Some(c) if c < ladder.columns.len() => format!("H{c}"),
        _ => "U".to_string(),
    };
    for &r in rows {
        let Some(row) = ladder.row(messages, r) else {
            continue;
        };
        let arrow = match row.status {
            None => "->>",
            Some(s) if s >= 400 => "--x",
            Some(_) => "-->>",
        };
        out.push_str(&format!(
            "    {}{arrow}{}: {}\n",
            name(row.from),
            name(row.to),
            mermaid_escape(&row.label)
        ));
    }
    out
}

/// Most rows drawn by [`to_svg`]; a report wants the story, not 10,000 arrows.
pub const SVG_MAX_ROWS: usize = 200;

/// A standalone SVG of the given rows (at most [`SVG_MAX_ROWS`]): host columns with lifelines and
/// one arrow per message, coloured by verdict. Used by the HTML report and the ladder export.
pub fn to_svg(ladder: &Ladder, messages: &[SipMessage], rows: &[usize]) -> String {
    use crate::diagram::xml_escape;
    use std::fmt::Write;
    const COL_W: f64 = 190.0;
    const ROW_H: f64 = 30.0;
    const TOP: f64 = 56.0;
    const LEFT: f64 = 96.0;
    let rows: Vec<Row> = rows
        .iter()
        .filter_map(|&i| ladder.row(messages, i))
        .take(SVG_MAX_ROWS)
        .collect();
    let cols = ladder.columns.len().max(1);
    let width = LEFT + COL_W * cols as f64 + 20.0;
    let height = TOP + ROW_H * (rows.len() as f64 + 1.0);
    let x = |c: usize| LEFT + COL_W * (c as f64 + 0.5);
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Message ladder\">\
<style>text{{font:12px system-ui,sans-serif;fill:#1b1f24}}.h{{font-weight:700}}.t{{fill:#57606a;font-size:11px}}\
.l{{stroke:#d0d7de;stroke-dasharray:4 4}}.a{{stroke-width:1.6;fill:none}}.ok{{stroke:#1a7f37}}.error-response,.failing-leg{{stroke:#cf222e}}\
.repaired{{stroke:#9a6700}}.partial{{stroke:#8c959f}}</style>\
<defs><marker id=\"h\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#57606a\"/></marker></defs>\
<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    for (i, c) in ladder.columns.iter().enumerate() {
        let cx = x(i);
        let label: String = c.label.chars().take(28).collect();
        let _ = write!(
            o,
            "<text class=\"h\" x=\"{cx}\" y=\"24\" text-anchor=\"middle\">{}</text><line class=\"l\" x1=\"{cx}\" y1=\"34\" x2=\"{cx}\" y2=\"{height}\"/>",
            xml_escape(&label)
        );
    }
    for (n, r) in rows.iter().enumerate() {
        let y = TOP + ROW_H * (n as f64 + 0.5);
        // Hours to milliseconds: the column holds 12 characters.
        let time: String = super::time_of_day(&r.time).chars().take(12).collect();
        let _ = write!(
            o,
            "<text class=\"t\" x=\"4\" y=\"{}\">{}</text>",
            y + 4.0,
            xml_escape(&time)
        );
        let label: String = r.label.chars().take(60).collect();
        let (x1, x2) = match (r.from, r.to) {
            (Some(a), Some(b)) if a != b => (x(a), x(b)),
            (Some(a), _) | (_, Some(a)) => (x(a), x(a) + COL_W * 0.4),
            (None, None) => (x(0), x(0) + COL_W * 0.4),
        };
        let _ = write!(
            o,
            "<g data-verdict=\"{v}\"><line class=\"a {v}\" x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" marker-end=\"url(#h)\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{}</text></g>",
            xml_escape(&label),
            v = r.verdict.as_str(),
            tx = (x1 + x2) / 2.0,
            ty = y - 5.0
        );
    }
    o.push_str("</svg>");
    o
}
