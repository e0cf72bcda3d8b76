//! The flow diagram's geometry: a message sequence chart of the gateway profile's known-good flow
//! with the observed state of every leg.
//!
//! Participants stand across the top, left to right in profile order, each with a lifeline; the
//! legs follow below as numbered rows, one arrow per leg in known-good order (so a request and
//! its response between the same two boxes sit on different rows). A leg whose hop has no route
//! is drawn up to a gap next to the hop that lacks the route, and a callout box beside the chart
//! quotes the exact rule to add (the finding's `rule`).
//!
//! [`layout`] computes plain numbers; the browser component and [`to_svg`] (export, HTML report)
//! both draw from the same [`FlowLayout`], so what is exported is what is shown.

use crate::diagnosis::{Finding, FlowLeg, LegState};
use crate::profile::{Profile, Role};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Left gutter holding the step numbers.
pub const GUTTER: f64 = 44.0;
pub const MARGIN: f64 = 16.0;
pub const NODE_W: f64 = 132.0;
pub const NODE_GAP: f64 = 28.0;
pub const NODE_H: f64 = 72.0;
pub const LINE_H: f64 = 15.0;
pub const CALLOUT_W: f64 = 320.0;
/// Approximate width of one character of the 12 px label font (for wrapping).
const CHAR_W: f64 = 6.6;

/// One participant box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    /// The label wrapped to the box width.
    pub lines: Vec<String>,
    pub role: Role,
    pub icon: String,
    /// Centre x; the box spans `x - w/2 .. x + w/2`, `y .. y + h`.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// One leg drawn as an arrow on its own row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arrow {
    /// `"<from>-><to>"` participant ids (the `data-leg` key; a pair may repeat on several rows).
    pub leg: String,
    /// 1-based position in the known-good flow.
    pub step: usize,
    pub from: String,
    pub to: String,
    pub message: String,
    /// The message wrapped over at most three lines.
    pub lines: Vec<String>,
    pub state: LegState,
    /// Start and end of the arrow line (x1 at `from`, x2 at `to`; equal y).
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
    /// Top of the row (labels start here) and its height.
    pub row_y: f64,
    pub row_h: f64,
    /// Centre x of the label lines.
    pub label_x: f64,
    /// SVG path of the drawn line (for a missing route: only up to the gap).
    pub path: String,
    /// SVG path of the dashed rest after the gap (missing route only).
    pub rest_path: Option<String>,
    /// SVG path of the arrow head.
    pub head: String,
    /// Centre of the gap marker (missing route only).
    pub gap: Option<(f64, f64)>,
    /// The finding explaining this leg's state, if any.
    pub finding: Option<crate::findings::FindingId>,
}

impl Arrow {
    /// A point `t` (0..=1) of the way along the arrow, for the travelling message dot. A missing
    /// route stops at the gap.
    pub fn point_at(&self, t: f64) -> (f64, f64) {
        let t = t.clamp(0.0, 1.0);
        let end = match self.gap {
            Some((gx, _)) => gx,
            None => self.x2,
        };
        (self.x1 + (end - self.x1) * t, self.y)
    }
}

/// A callout for a hop with no route: which hop and the exact rule text to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callout {
    pub leg: String,
    pub step: usize,
    /// Participant id of the hop that needs the rule (the leg's sender).
    pub hop: String,
    pub hop_label: String,
    pub title: String,
    /// The rule as the admin must enter it, when the diagnosis knows it.
    pub rule: Option<String>,
    /// Title then rule, wrapped to the box.
    pub lines: Vec<String>,
    /// Box.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Where the connector starts (the gap on the arrow).
    pub anchor: (f64, f64),
}

/// The whole drawing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowLayout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Node>,
    pub arrows: Vec<Arrow>,
    pub callouts: Vec<Callout>,
    /// Lifelines run from the bottom of the boxes to here.
    pub lifeline_bottom: f64,
    pub title: String,
}

impl FlowLayout {
    /// Index of the first failing (or else missing-route) leg: where "jump to failing leg" goes.
    pub fn failing_index(&self) -> Option<usize> {
        self.arrows
            .iter()
            .position(|a| a.state == LegState::Failing)
            .or_else(|| {
                self.arrows
                    .iter()
                    .position(|a| a.state == LegState::MissingRoute)
            })
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// `data-state` value of a leg state.
pub fn state_str(s: LegState) -> &'static str {
    s.as_str()
}

/// Words for a leg state (screen readers, the leg list).
pub fn state_label(s: LegState) -> &'static str {
    s.label()
}

/// Wrap `text` at word boundaries to lines of at most `max` characters (long words are cut).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(4);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > max {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = word.chars().take(max).collect();
            word = word.chars().skip(max).collect();
            lines.push(head);
        }
        let needed = if cur.is_empty() {
            word.chars().count()
        } else {
            cur.chars().count() + 1 + word.chars().count()
        };
        if needed > max && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Wrap `text` at single spaces, keeping runs of spaces as written (rule text is quoted exactly:
/// `route  *  -> host`). Long tokens are cut.
pub fn wrap_exact(text: &str, max: usize) -> Vec<String> {
    let max = max.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, word) in text.split(' ').enumerate() {
        let sep = if i == 0 { "" } else { " " };
        if !cur.is_empty() && cur.chars().count() + sep.len() + word.chars().count() > max {
            lines.push(std::mem::take(&mut cur));
        } else {
            cur.push_str(sep);
        }
        let mut word = word.to_string();
        while word.chars().count() > max {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            lines.push(word.chars().take(max).collect());
            word = word.chars().skip(max).collect();
        }
        cur.push_str(&word);
    }
    if !cur.trim().is_empty() {
        lines.push(cur);
    }
    lines
}

/// At most `n` lines; the last kept line ends with an ellipsis when something was dropped.
fn clamp_lines(mut lines: Vec<String>, n: usize) -> Vec<String> {
    if lines.len() > n {
        lines.truncate(n);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// The finding that explains a leg: same from/to (preferring the same message).
fn finding_for<'a>(leg: &FlowLeg, findings: &'a [Finding]) -> Option<&'a Finding> {
    let same_pair = |f: &&Finding| {
        f.leg
            .as_ref()
            .is_some_and(|l| l.from == leg.from && l.to == leg.to)
    };
    findings
        .iter()
        .filter(same_pair)
        .find(|f| f.leg.as_ref().is_some_and(|l| l.message == leg.message))
        .or_else(|| findings.iter().find(same_pair))
        .or_else(|| {
            // A missing route with no finding on the exact pair: a rule found at that hop.
            (leg.state == LegState::MissingRoute)
                .then(|| {
                    findings.iter().find(|f| {
                        f.rule.is_some() && f.leg.as_ref().is_some_and(|l| l.from == leg.from)
                    })
                })
                .flatten()
        })
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Compute the drawing of `flow` over `profile`'s participants.
pub fn layout(profile: &Profile, flow: &[FlowLeg], findings: &[Finding]) -> FlowLayout {
    // Participants in profile order, then any id the flow names that the profile does not.
    let mut ids: Vec<(String, String, Role, String)> = profile
        .participants
        .iter()
        .map(|p| (p.id.clone(), p.label.clone(), p.role, p.icon.clone()))
        .collect();
    for l in flow {
        for id in [&l.from, &l.to] {
            if !ids.iter().any(|(i, ..)| i == id) {
                ids.push((id.clone(), id.clone(), Role::Gateway, "server".into()));
            }
        }
    }
    let top = MARGIN;
    let label_chars = ((NODE_W - 12.0) / CHAR_W) as usize;
    let nodes: Vec<Node> = ids
        .into_iter()
        .enumerate()
        .map(|(i, (id, label, role, icon))| Node {
            x: MARGIN + GUTTER + NODE_W / 2.0 + i as f64 * (NODE_W + NODE_GAP),
            y: top,
            w: NODE_W,
            h: NODE_H,
            lines: clamp_lines(wrap(&label, label_chars), 2),
            id,
            label,
            role,
            icon,
        })
        .collect();
    let x_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.x)
            .unwrap_or(0.0)
    };
    let right_of_nodes = nodes
        .last()
        .map(|n| n.x + n.w / 2.0)
        .unwrap_or(MARGIN + GUTTER);

    let mut y = top + NODE_H + 22.0;
    let mut arrows = Vec::with_capacity(flow.len());
    let mut callouts: Vec<Callout> = Vec::new();
    for (i, leg) in flow.iter().enumerate() {
        let x1 = x_of(&leg.from);
        let mut x2 = x_of(&leg.to);
        let self_loop = leg.from == leg.to;
        if self_loop {
            x2 = x1 + 48.0;
        }
        let span = (x2 - x1).abs();
        // Labels may overhang short arrows (centred on them) rather than break words.
        let chars = ((span.max(230.0) - 20.0) / CHAR_W) as usize;
        let lines = clamp_lines(wrap(&leg.message, chars), 3);
        let row_y = y;
        let ay = row_y + lines.len() as f64 * LINE_H + 8.0;
        let mut row_h = (ay - row_y) + 18.0;
        let dir = if x2 >= x1 { 1.0 } else { -1.0 };
        let tip = x2 - dir * 1.0;
        let head = format!(
            "M{} {}L{} {}L{} {}Z",
            fmt(tip),
            fmt(ay),
            fmt(tip - dir * 10.0),
            fmt(ay - 5.0),
            fmt(tip - dir * 10.0),
            fmt(ay + 5.0)
        );
        let finding = finding_for(leg, findings);
        let (path, rest_path, gap) = if leg.state == LegState::MissingRoute {
            // The message stops at the hop that has no route: a gap just after the sender.
            let gx = x1 + dir * (span * 0.35).clamp(18.0, 70.0);
            let solid = format!(
                "M{} {}L{} {}",
                fmt(x1),
                fmt(ay),
                fmt(gx - dir * 9.0),
                fmt(ay)
            );
            let rest = format!(
                "M{} {}L{} {}",
                fmt(gx + dir * 9.0),
                fmt(ay),
                fmt(tip),
                fmt(ay)
            );
            (solid, Some(rest), Some((gx, ay)))
        } else if self_loop {
            (
                format!("M{} {}h40v12h-38", fmt(x1), fmt(ay - 12.0)),
                None,
                None,
            )
        } else {
            (
                format!(
                    "M{} {}L{} {}",
                    fmt(x1),
                    fmt(ay),
                    fmt(tip - dir * 8.0),
                    fmt(ay)
                ),
                None,
                None,
            )
        };
        let key = format!("{}->{}", leg.from, leg.to);
        if leg.state == LegState::MissingRoute {
            let hop_label = nodes
                .iter()
                .find(|n| n.id == leg.from)
                .map(|n| n.label.clone())
                .unwrap_or_else(|| leg.from.clone());
            let to_label = nodes
                .iter()
                .find(|n| n.id == leg.to)
                .map(|n| n.label.clone())
                .unwrap_or_else(|| leg.to.clone());
            let rule = finding.and_then(|f| f.rule.clone());
            let title = format!("No route at {hop_label} to {to_label}");
            let chars = ((CALLOUT_W - 20.0) / CHAR_W) as usize;
            let mut lines = wrap(&title, chars);
            match &rule {
                Some(r) => {
                    lines.push("Add this rule:".into());
                    lines.extend(wrap_exact(r, chars));
                }
                None => lines.extend(wrap(
                    "Rule not known: enter the routing tables on the Routing step.",
                    chars,
                )),
            }
            // The box sits under its arrow, next to the gap; the row grows to hold it.
            let h = lines.len() as f64 * LINE_H + 14.0;
            let cy = ay + 16.0;
            let gx = gap.map(|g| g.0).unwrap_or(x1);
            let callout_x = (gx - 24.0)
                .min(right_of_nodes - CALLOUT_W)
                .max(MARGIN + GUTTER);
            row_h = (cy - row_y) + h + 14.0;
            callouts.push(Callout {
                leg: key.clone(),
                step: i + 1,
                hop: leg.from.clone(),
                hop_label,
                title,
                rule,
                lines,
                x: callout_x,
                y: cy,
                w: CALLOUT_W,
                h,
                anchor: gap.unwrap_or((x1, ay)),
            });
        }
        // Centred on the arrow, but kept inside the drawing.
        let label_x = {
            let half =
                lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W / 2.0;
            let lo = MARGIN + GUTTER + half;
            let hi = (right_of_nodes - half).max(lo);
            ((x1 + x2) / 2.0).clamp(lo, hi)
        };
        arrows.push(Arrow {
            leg: key,
            step: i + 1,
            from: leg.from.clone(),
            to: leg.to.clone(),
            message: leg.message.clone(),
            lines,
            state: leg.state,
            x1,
            x2,
            y: ay,
            row_y,
            row_h,
            label_x,
            path,
            rest_path,
            head,
            gap,
            finding: finding.map(|f| f.id),
        });
        y += row_h;
    }
    let lifeline_bottom = y + 4.0;
    let width = callouts
        .iter()
        .map(|c| c.x + c.w)
        .fold(right_of_nodes, f64::max)
        + MARGIN;
    let height = lifeline_bottom + MARGIN;
    FlowLayout {
        width: width.ceil(),
        height: height.ceil(),
        nodes,
        arrows,
        callouts,
        lifeline_bottom,
        title: format!("Remote call control flow: {}", profile.name),
    }
}

/// SVG path (24×24 box) of a participant icon.
pub fn icon_path(icon: &str) -> &'static str {
    match icon {
        "laptop" => "M4 5h16v10H4zM2 17h20v2H2z",
        "server" => "M5 3h14v5H5zM5 10h14v5H5zM5 17h14v4H5zM8 5h2M8 12h2",
        "gateway" => "M12 2l10 10-10 10L2 12zM8 12h8M13 9l3 3-3 3",
        "redirect" => "M4 8h12l-3-3M20 16H8l3 3M4 8v8M20 8v8",
        "pbx" => "M3 4h18v16H3zM7 8h2v2H7zM11 8h2v2h-2zM15 8h2v2h-2zM7 13h2v2H7zM11 13h2v2h-2zM15 13h2v2h-2z",
        "phone" => "M6 3h5l1 5-3 2a11 11 0 0 0 5 5l2-3 5 1v5a2 2 0 0 1-2 2A18 18 0 0 1 4 5a2 2 0 0 1 2-2z",
        _ => "M4 4h16v16H4z",
    }
}

/// Colours of the exported SVG (the page itself uses CSS custom properties instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SvgTheme {
    #[default]
    Light,
    Dark,
}

struct Palette {
    bg: &'static str,
    text: &'static str,
    muted: &'static str,
    node: &'static str,
    border: &'static str,
    ok: &'static str,
    bad: &'static str,
    grey: &'static str,
    warn: &'static str,
    callout: &'static str,
}

impl SvgTheme {
    fn palette(self) -> Palette {
        match self {
            SvgTheme::Light => Palette {
                bg: "#ffffff",
                text: "#1b1f24",
                muted: "#57606a",
                node: "#eef1f5",
                border: "#8c959f",
                ok: "#1a7f37",
                bad: "#cf222e",
                grey: "#8c959f",
                warn: "#9a6700",
                callout: "#fff8c5",
            },
            SvgTheme::Dark => Palette {
                bg: "#0d1117",
                text: "#e6edf3",
                muted: "#9da7b3",
                node: "#1f2630",
                border: "#6e7681",
                ok: "#3fb950",
                bad: "#ff7b72",
                grey: "#6e7681",
                warn: "#d29922",
                callout: "#2a2110",
            },
        }
    }
}

/// Escape text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A standalone SVG document of the layout: `xmlns`, embedded styles, escaped text, no external
/// references. Every leg is a `<g data-leg data-state data-step>`.
pub fn to_svg(layout: &FlowLayout, theme: SvgTheme) -> String {
    let p = theme.palette();
    let e = xml_escape;
    let mut s = String::with_capacity(8192);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="rcc-flow-title" class="rcc-flow">"#,
        w = fmt(layout.width),
        h = fmt(layout.height)
    );
    let _ = write!(
        s,
        "<title id=\"rcc-flow-title\">{}</title>",
        e(&layout.title)
    );
    let desc: Vec<String> = layout
        .arrows
        .iter()
        .map(|a| format!("{}. {}: {}", a.step, a.message, state_label(a.state)))
        .collect();
    let _ = write!(s, "<desc>{}</desc>", e(&desc.join("; ")));
    let _ = write!(
        s,
        "<style>\
text{{font-family:system-ui,'Segoe UI',Roboto,Arial,sans-serif;font-size:12px;fill:{text}}}\
.bg{{fill:{bg}}}.node rect{{fill:{node};stroke:{border};stroke-width:1.5}}\
.node .icon{{fill:none;stroke:{text};stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}}\
.node text{{font-weight:600;text-anchor:middle}}.lifeline{{stroke:{border};stroke-dasharray:4 4}}\
.step-num{{fill:{node};stroke:{border}}}.step-text{{text-anchor:middle;font-size:11px;fill:{muted}}}\
.leg text.msg{{text-anchor:middle}}\
.leg .line{{fill:none;stroke-width:2.2}}.leg .rest{{fill:none;stroke-width:1.6;stroke-dasharray:5 5}}\
.ok .line{{stroke:{ok}}}.ok .head{{fill:{ok}}}\
.failing .line{{stroke:{bad};stroke-width:3.2}}.failing .head{{fill:{bad}}}.failing text.msg{{fill:{bad};font-weight:700}}\
.missing-route .line{{stroke:{bad}}}.missing-route .rest{{stroke:{grey}}}.missing-route .head{{fill:{grey}}}\
.missing-route text.msg{{fill:{bad};font-weight:700}}.gap{{stroke:{bad};stroke-width:2.5}}\
.not-reached .line{{stroke:{grey};stroke-dasharray:3 4}}.not-reached .head{{fill:{grey}}}.not-reached text.msg{{fill:{muted}}}\
.callout rect{{fill:{callout};stroke:{warn};stroke-width:1.5}}.callout line{{stroke:{warn};stroke-width:1.5;stroke-dasharray:3 3}}\
.callout text.title{{font-weight:700}}.callout text.rule{{font-family:ui-monospace,Consolas,'DejaVu Sans Mono',monospace;font-size:11.5px;white-space:pre}}\
</style>",
        text = p.text,
        bg = p.bg,
        node = p.node,
        border = p.border,
        muted = p.muted,
        ok = p.ok,
        bad = p.bad,
        grey = p.grey,
        warn = p.warn,
        callout = p.callout,
    );
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/>"#,
        fmt(layout.width),
        fmt(layout.height)
    );
    // Participants and lifelines.
    for n in &layout.nodes {
        let _ = write!(
            s,
            r#"<g class="node" data-participant="{}" data-role="{}"><line class="lifeline" x1="{x}" y1="{}" x2="{x}" y2="{}"/><rect x="{}" y="{}" width="{}" height="{}" rx="8"/><path class="icon" transform="translate({} {})" d="{}"/>"#,
            e(&n.id),
            n.role.as_str(),
            fmt(n.y + n.h),
            fmt(layout.lifeline_bottom),
            fmt(n.x - n.w / 2.0),
            fmt(n.y),
            fmt(n.w),
            fmt(n.h),
            fmt(n.x - 12.0),
            fmt(n.y + 8.0),
            icon_path(&n.icon),
            x = fmt(n.x),
        );
        for (i, line) in n.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}">{}</text>"#,
                fmt(n.x),
                fmt(n.y + 48.0 + i as f64 * LINE_H),
                e(line)
            );
        }
        s.push_str("</g>");
    }
    // Legs.
    for a in &layout.arrows {
        let st = state_str(a.state);
        let _ = write!(
            s,
            r#"<g class="leg {st}" data-leg="{}" data-state="{st}" data-step="{}">"#,
            e(&a.leg),
            a.step
        );
        let _ = write!(
            s,
            r#"<circle class="step-num" cx="{}" cy="{}" r="10"/><text class="step-text" x="{}" y="{}">{}</text>"#,
            fmt(MARGIN + 12.0),
            fmt(a.y),
            fmt(MARGIN + 12.0),
            fmt(a.y + 4.0),
            a.step
        );
        for (i, line) in a.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text class="msg" x="{}" y="{}">{}</text>"#,
                fmt(a.label_x),
                fmt(a.row_y + 12.0 + i as f64 * LINE_H),
                e(line)
            );
        }
        let _ = write!(s, r#"<path class="line" d="{}"/>"#, a.path);
        if let Some(rest) = &a.rest_path {
            let _ = write!(s, r#"<path class="rest" d="{rest}"/>"#);
        }
        let _ = write!(s, r#"<path class="head" d="{}"/>"#, a.head);
        if let Some((gx, gy)) = a.gap {
            let _ = write!(
                s,
                r#"<path class="gap" d="M{} {}l10 10M{} {}l-10 10"/>"#,
                fmt(gx - 5.0),
                fmt(gy - 5.0),
                fmt(gx + 5.0),
                fmt(gy - 5.0)
            );
        }
        s.push_str("</g>");
    }
    // Callouts.
    for c in &layout.callouts {
        let _ = write!(
            s,
            r#"<g class="callout" data-leg="{}" data-hop="{}"><line x1="{}" y1="{}" x2="{}" y2="{}"/><rect x="{}" y="{}" width="{}" height="{}" rx="6"/>"#,
            e(&c.leg),
            e(&c.hop),
            fmt(c.anchor.0),
            fmt(c.anchor.1 + 6.0),
            fmt(c.anchor.0),
            fmt(c.y),
            fmt(c.x),
            fmt(c.y),
            fmt(c.w),
            fmt(c.h)
        );
        let title_lines = wrap(&c.title, ((CALLOUT_W - 20.0) / CHAR_W) as usize).len();
        for (i, line) in c.lines.iter().enumerate() {
            let class = if i < title_lines {
                "title"
            } else if c.rule.is_some() && i > title_lines {
                "rule"
            } else {
                "text"
            };
            let space = if class == "rule" {
                r#" xml:space="preserve""#
            } else {
                ""
            };
            let _ = write!(
                s,
                r#"<text class="{class}"{space} x="{}" y="{}">{}</text>"#,
                fmt(c.x + 10.0),
                fmt(c.y + 20.0 + i as f64 * LINE_H),
                e(line)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert!(wrap("", 10).is_empty());
        assert_eq!(
            clamp_lines(wrap("aaaa bbbb cccc", 4), 2),
            vec!["aaaa", "bbbb…"]
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(xml_escape(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
    }

    #[test]
    fn exact_wrap_keeps_the_spacing_of_rules() {
        let rule = "route  *  -> lcs01.contoso.com:5061 tls  replace-host=no";
        let lines = wrap_exact(rule, 30);
        assert_eq!(lines.join(" "), rule);
        assert!(lines.iter().all(|l| l.chars().count() <= 30));
    }
}
