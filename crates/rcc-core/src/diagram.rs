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
/// The smallest participant box; a label of three or more lines makes every box taller.
pub const NODE_H: f64 = 72.0;
pub const LINE_H: f64 = 15.0;
pub const CALLOUT_W: f64 = 320.0;
/// Font size of every label but the rules (px).
pub const FONT_SIZE: f64 = 12.0;
/// Font size of the rules quoted in callouts (monospace, px).
pub const MONO_SIZE: f64 = 11.5;
/// Baseline of a box's first label line, below the box's top (the icon sits above it).
const NODE_TEXT_TOP: f64 = 48.0;
/// Inner padding of a callout box.
const CALLOUT_PAD: f64 = 10.0;
/// Height of one row of the legend (exported SVG).
const LEGEND_ROW_H: f64 = 22.0;

/// Advance widths of ASCII 0x20..=0x7E in DejaVu Sans, in 1/1000 em (measured in Chromium).
/// DejaVu Sans is the widest of the fonts the diagram asks for (Segoe UI, Roboto, Helvetica,
/// Arial and Liberation Sans are all narrower), so text wrapped to these widths fits in any.
const SANS: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/// The same for DejaVu Sans Bold.
const SANS_BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/// The fonts the diagram draws text in (the page's stylesheet and [`to_svg`] agree on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// Labels: 12 px sans-serif.
    Sans,
    /// Box labels, callout titles and the labels of failing legs: 12 px bold.
    SansBold,
    /// Rules: 11.5 px monospace.
    Mono,
}

/// The width `text` takes in `font`, at most: measured against the widest font the diagram may
/// be drawn in (DejaVu Sans; monospace at 0.62 em, a little over DejaVu Sans Mono's 0.602), and
/// 1 em for anything outside ASCII. Wrapping to this width keeps text inside its box in any
/// browser and in the exported SVG, whatever font the viewer has.
pub fn text_width(text: &str, font: Font) -> f64 {
    let per_mille: u32 = text
        .chars()
        .map(|c| match (font, c) {
            (Font::Mono, _) => 620,
            (Font::Sans, ' '..='~') => u32::from(SANS[c as usize - 0x20]),
            (Font::SansBold, ' '..='~') => u32::from(SANS_BOLD[c as usize - 0x20]),
            _ => 1000,
        })
        .sum();
    let size = match font {
        Font::Mono => MONO_SIZE,
        Font::Sans | Font::SansBold => FONT_SIZE,
    };
    f64::from(per_mille) * size / 1000.0
}

/// One participant box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    /// The label wrapped to the box width (all of it: a box grows rather than cut a label).
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
    /// 1-based position in the drawn flow.
    pub step: usize,
    pub from: String,
    pub to: String,
    pub message: String,
    /// The message wrapped to the row (all of it: the row grows rather than cut a label).
    pub lines: Vec<String>,
    pub state: LegState,
    /// Not a leg of the known-good flow: the error answer that proves the failure
    /// ([`FlowLeg::extra`]).
    #[serde(default)]
    pub extra: bool,
    /// Start and end of the arrow (x1 at `from`, x2 at `to`, the tip of the head; equal y).
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
    /// Top of the row (labels start here) and its height.
    pub row_y: f64,
    pub row_h: f64,
    /// Centre x of the label lines.
    pub label_x: f64,
    /// SVG path of the drawn line, from the sender to the base of the head (for a missing route:
    /// only up to the gap).
    pub path: String,
    /// SVG path of the dashed rest after the gap, up to the base of the head (missing route
    /// only).
    pub rest_path: Option<String>,
    /// SVG path of the arrow head.
    pub head: String,
    /// Centre of the gap marker (missing route only).
    pub gap: Option<(f64, f64)>,
    /// The finding explaining this leg's state, if any.
    pub finding: Option<crate::findings::FindingId>,
    /// What the log showed on this leg when it is not the known-good message
    /// ([`FlowLeg::observed`]).
    #[serde(default)]
    pub observed: Option<String>,
}

impl Arrow {
    /// A point `t` (0..=1) of the way along the arrow. A missing route stops at the gap.
    pub fn point_at(&self, t: f64) -> (f64, f64) {
        let t = t.clamp(0.0, 1.0);
        let end = match self.gap {
            Some((gx, _)) => gx,
            None => self.x2,
        };
        (self.x1 + (end - self.x1) * t, self.y)
    }

    /// The key of its drawing style: its state, or `extra` for the error answer.
    pub fn style_key(&self) -> &'static str {
        if self.extra {
            "extra"
        } else {
            state_str(self.state)
        }
    }
}

/// What one line of a callout is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CalloutLine {
    Title,
    Text,
    /// Part of the rule, quoted exactly (monospace, spaces kept).
    Rule,
}

impl CalloutLine {
    pub fn as_str(self) -> &'static str {
        match self {
            CalloutLine::Title => "title",
            CalloutLine::Text => "text",
            CalloutLine::Rule => "rule",
        }
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
    /// What each of `lines` is.
    pub kinds: Vec<CalloutLine>,
    /// Box.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Where the connector starts (the gap on the arrow).
    pub anchor: (f64, f64),
}

impl Callout {
    /// Baseline of line `i`, and its left edge.
    pub fn line_at(&self, i: usize) -> (f64, f64) {
        (
            self.x + CALLOUT_PAD,
            self.y + CALLOUT_PAD + 10.0 + i as f64 * LINE_H,
        )
    }
}

/// One entry of the legend drawn under the exported diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegendItem {
    /// A leg's [`Arrow::style_key`].
    pub key: String,
    pub label: String,
    /// Left end of the sample line and its y.
    pub x: f64,
    pub y: f64,
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
    /// What each style of leg means, for the styles this drawing uses (below the lifelines).
    #[serde(default)]
    pub legend: Vec<LegendItem>,
}

impl FlowLayout {
    /// Index of the leg where the flow broke: the first failing or missing-route leg of the
    /// known-good flow (the error answer drawn after it is its proof, not the break).
    pub fn failing_index(&self) -> Option<usize> {
        self.arrows
            .iter()
            .position(|a| a.state.is_failure() && !a.extra)
            .or_else(|| self.arrows.iter().position(|a| a.state.is_failure()))
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The style keys the legs use, in legend order.
    pub fn styles(&self) -> Vec<&'static str> {
        LEGEND_ORDER
            .iter()
            .copied()
            .filter(|k| self.arrows.iter().any(|a| a.style_key() == *k))
            .collect()
    }
}

/// The legend's order: what happened, what broke, what did not happen.
const LEGEND_ORDER: [&str; 7] = [
    "ok",
    "inferred",
    "failing",
    "extra",
    "missing-route",
    "not-reached",
    "unknown",
];

/// Words for a style key in the legend.
pub fn style_label(key: &str) -> &'static str {
    match key {
        "ok" => "seen in the logs",
        "inferred" => "implied, not seen",
        "failing" => "failed here",
        "extra" => "the error answer (proof)",
        "missing-route" => "no route: the rule is missing",
        "not-reached" => "not reached",
        _ => "no evidence",
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
    wrap_by(text, |s| s.chars().count() as f64, max as f64)
}

/// Wrap `text` at word boundaries to lines at most `max_px` wide in `font` ([`text_width`]);
/// a word wider than a line is cut.
pub fn wrap_to_width(text: &str, max_px: f64, font: Font) -> Vec<String> {
    let max_px = max_px.max(text_width("MMMM", font));
    wrap_by(text, |s| text_width(s, font), max_px)
}

fn wrap_by(text: &str, width: impl Fn(&str) -> f64, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while width(&word) > max {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            // The longest head that fits (at least one character).
            let mut head = String::new();
            for c in word.chars() {
                head.push(c);
                if width(&head) > max {
                    head.pop();
                    break;
                }
            }
            if head.is_empty() {
                head = word.chars().take(1).collect();
            }
            word = word[head.len()..].to_string();
            lines.push(head);
        }
        if word.is_empty() {
            continue;
        }
        let joined = if cur.is_empty() {
            word.clone()
        } else {
            format!("{cur} {word}")
        };
        if width(&joined) > max && !cur.is_empty() {
            lines.push(std::mem::replace(&mut cur, word));
        } else {
            cur = joined;
        }
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
    let top = MARGIN;
    let (nodes, node_h) = place_nodes(profile, flow, top);
    let left = MARGIN + GUTTER;
    let right_of_nodes = nodes.last().map(|n| n.x + n.w / 2.0).unwrap_or(left);
    let frame = Frame {
        left,
        inner: (right_of_nodes - left).max(CALLOUT_W),
        right_of_nodes,
    };

    let mut y = top + node_h + 22.0;
    let mut arrows = Vec::with_capacity(flow.len());
    let mut callouts: Vec<Callout> = Vec::new();
    for (i, leg) in flow.iter().enumerate() {
        let (arrow, callout) = place_leg(&nodes, &frame, i, leg, findings, y);
        y += arrow.row_h;
        arrows.push(arrow);
        callouts.extend(callout);
    }
    let lifeline_bottom = y + 4.0;
    let width = callouts
        .iter()
        .map(|c| c.x + c.w)
        .fold(left + frame.inner, f64::max)
        + MARGIN;
    let mut layout = FlowLayout {
        width: width.ceil(),
        height: 0.0,
        nodes,
        arrows,
        callouts,
        lifeline_bottom,
        title: format!("Remote call control flow: {}", profile.name),
        legend: Vec::new(),
    };
    let (legend, bottom) = place_legend(layout.styles(), left, lifeline_bottom, width);
    layout.legend = legend;
    layout.height = (bottom + MARGIN).ceil();
    layout
}

/// Where the arrows may go: from the left edge of the first lifeline's gutter, `inner` wide
/// (at least a callout's width), and where the last node ends.
struct Frame {
    left: f64,
    inner: f64,
    right_of_nodes: f64,
}

/// The participant boxes in a row at `top`: in profile order, then any id the flow names that
/// the profile does not; all as tall as the longest wrapped label needs (that height too).
fn place_nodes(profile: &Profile, flow: &[FlowLeg], top: f64) -> (Vec<Node>, f64) {
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
    let wrapped: Vec<Vec<String>> = ids
        .iter()
        .map(|(_, label, ..)| wrap_to_width(label, NODE_W - 16.0, Font::SansBold))
        .collect();
    let most_lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let node_h = NODE_H.max(NODE_TEXT_TOP + (most_lines - 1) as f64 * LINE_H + 10.0);
    let nodes: Vec<Node> = ids
        .into_iter()
        .zip(wrapped)
        .enumerate()
        .map(|(i, ((id, label, role, icon), lines))| Node {
            x: MARGIN + GUTTER + NODE_W / 2.0 + i as f64 * (NODE_W + NODE_GAP),
            y: top,
            w: NODE_W,
            h: node_h,
            lines,
            id,
            label,
            role,
            icon,
        })
        .collect();
    (nodes, node_h)
}

/// One leg's row starting at `row_y`: its arrow, and the callout of a missing route.
fn place_leg(
    nodes: &[Node],
    frame: &Frame,
    i: usize,
    leg: &FlowLeg,
    findings: &[Finding],
    row_y: f64,
) -> (Arrow, Option<Callout>) {
    let x_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.x)
            .unwrap_or(0.0)
    };
    let x1 = x_of(&leg.from);
    let mut x2 = x_of(&leg.to);
    let self_loop = leg.from == leg.to;
    if self_loop {
        x2 = x1 + 48.0;
    }
    let span = (x2 - x1).abs();
    // Labels may overhang short arrows (centred on them) rather than break every word; they
    // are measured bold, the widest way any state draws them.
    let wrap_w = span.max(230.0).min(frame.inner) - 16.0;
    let lines = wrap_to_width(leg.shown_message(), wrap_w, Font::SansBold);
    let ay = row_y + lines.len().max(1) as f64 * LINE_H + 8.0;
    let mut row_h = (ay - row_y) + 18.0;
    let dir = if x2 >= x1 { 1.0 } else { -1.0 };
    let tip = x2 - dir;
    let base = tip - dir * 10.0;
    let head = format!(
        "M{} {}L{} {}L{} {}Z",
        fmt(tip),
        fmt(ay),
        fmt(base),
        fmt(ay - 5.0),
        fmt(base),
        fmt(ay + 5.0)
    );
    let finding = finding_for(leg, findings);
    let (path, rest_path, gap) = if leg.state == LegState::MissingRoute && !self_loop {
        // The message stops at the hop that has no route: a gap just after the sender, then
        // the rest of the way it should have gone, dashed, up to the head.
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
            fmt(base),
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
            format!("M{} {}L{} {}", fmt(x1), fmt(ay), fmt(base), fmt(ay)),
            None,
            None,
        )
    };
    let key = format!("{}->{}", leg.from, leg.to);
    let callout = (leg.state == LegState::MissingRoute).then(|| {
        let anchor = gap.unwrap_or((x1, ay));
        let c = missing_route_callout(nodes, frame, i, leg, finding, &key, anchor);
        // The row grows to hold the box.
        row_h = (c.y - row_y) + c.h + 14.0;
        c
    });
    // Centred on the arrow, but kept inside the drawing.
    let label_x = {
        let half = lines
            .iter()
            .map(|l| text_width(l, Font::SansBold))
            .fold(0.0, f64::max)
            / 2.0;
        let lo = frame.left + half;
        let hi = (frame.left + frame.inner - half).max(lo);
        ((x1 + x2) / 2.0).clamp(lo, hi)
    };
    let arrow = Arrow {
        leg: key,
        step: i + 1,
        from: leg.from.clone(),
        to: leg.to.clone(),
        message: leg.message.clone(),
        lines,
        state: leg.state,
        extra: leg.extra,
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
        observed: leg.observed.clone(),
    };
    (arrow, callout)
}

/// The box that names a missing route and the rule to add, under its arrow next to the gap
/// (`anchor`: the gap, or the arrow's start).
fn missing_route_callout(
    nodes: &[Node],
    frame: &Frame,
    i: usize,
    leg: &FlowLeg,
    finding: Option<&Finding>,
    key: &str,
    anchor: (f64, f64),
) -> Callout {
    let label_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.label.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let hop_label = label_of(&leg.from);
    let to_label = label_of(&leg.to);
    let rule = finding.and_then(|f| f.rule.clone());
    let title = format!("No route at {hop_label} to {to_label}");
    let text_w = CALLOUT_W - 2.0 * CALLOUT_PAD;
    let mut lines = wrap_to_width(&title, text_w, Font::SansBold);
    let mut kinds = vec![CalloutLine::Title; lines.len()];
    let mut add = |text: Vec<String>, kind: CalloutLine| {
        kinds.extend(std::iter::repeat_n(kind, text.len()));
        lines.extend(text);
    };
    match &rule {
        Some(r) => {
            add(vec!["Add this rule:".into()], CalloutLine::Text);
            let per_line = (text_w / text_width("M", Font::Mono)).floor() as usize;
            add(wrap_exact(r, per_line), CalloutLine::Rule);
        }
        None => add(
            wrap_to_width(
                "Rule not known: enter the routing tables on the Routing step.",
                text_w,
                Font::Sans,
            ),
            CalloutLine::Text,
        ),
    }
    // The box sits under its arrow, next to the gap.
    let h = lines.len() as f64 * LINE_H + 2.0 * CALLOUT_PAD - 1.0;
    let (gx, ay) = anchor;
    let cy = ay + 16.0;
    let callout_x = (gx - 24.0)
        .min(frame.right_of_nodes - CALLOUT_W)
        .max(frame.left);
    Callout {
        leg: key.to_string(),
        step: i + 1,
        hop: leg.from.clone(),
        hop_label,
        title,
        rule,
        lines,
        kinds,
        x: callout_x,
        y: cy,
        w: CALLOUT_W,
        h,
        anchor,
    }
}

/// The legend, in rows under the lifelines: a sample line, then its words. Returns the items
/// and where the drawing ends below them.
fn place_legend(
    styles: Vec<&'static str>,
    left: f64,
    lifeline_bottom: f64,
    width: f64,
) -> (Vec<LegendItem>, f64) {
    let (mut lx, mut ly) = (left, lifeline_bottom + 14.0 + LEGEND_ROW_H / 2.0);
    let mut legend = Vec::new();
    for key in styles {
        let label = style_label(key);
        let w = 34.0 + text_width(label, Font::Sans) + 18.0;
        if lx > left && lx + w > width - MARGIN {
            lx = left;
            ly += LEGEND_ROW_H;
        }
        legend.push(LegendItem {
            key: key.to_string(),
            label: label.to_string(),
            x: lx,
            y: ly,
        });
        lx += w;
    }
    let bottom = if legend.is_empty() {
        lifeline_bottom
    } else {
        ly + LEGEND_ROW_H / 2.0
    };
    (legend, bottom)
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

/// The stylesheet of the exported SVG: the same drawing rules as the page's `style/diagram.css`
/// (final state only), with the theme's colours.
fn svg_style(p: &Palette) -> String {
    format!(
        "text{{font-family:system-ui,'Segoe UI',Roboto,Arial,sans-serif;font-size:{size}px;fill:{text}}}\
.bg{{fill:{bg}}}.node rect{{fill:{node};stroke:{border};stroke-width:1.5}}\
.node .icon{{fill:none;stroke:{text};stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}}\
.node text{{font-weight:600;text-anchor:middle}}.lifeline{{stroke:{border};stroke-dasharray:4 4}}\
.step-num{{fill:{node};stroke:{border}}}.step-text{{text-anchor:middle;font-size:11px;fill:{muted}}}\
text.msg{{text-anchor:middle}}\
.line{{fill:none;stroke-width:2.2}}.rest{{fill:none;stroke-width:1.6;stroke-dasharray:5 5;stroke:{grey}}}.head{{stroke-width:1.5}}\
.ok .line{{stroke:{ok}}}.ok .head{{fill:{ok};stroke:{ok}}}\
.inferred .line{{stroke:{ok};stroke-dasharray:7 5}}.inferred .head{{fill:{bg};stroke:{ok}}}\
.failing .line{{stroke:{bad};stroke-width:3.2}}.failing .head{{fill:{bad};stroke:{bad}}}.failing text.msg{{fill:{bad};font-weight:700}}\
.extra .line{{stroke:{bad};stroke-width:2.2}}.extra .head{{fill:{bad};stroke:{bad}}}.extra text.msg{{fill:{bad};font-weight:700}}\
.missing-route .line{{stroke:{bad};stroke-width:2.6}}.missing-route .head{{fill:{bg};stroke:{grey}}}\
.missing-route text.msg{{fill:{bad};font-weight:700}}.gap{{stroke:{bad};stroke-width:2.5}}\
.not-reached .line{{stroke:{grey};stroke-dasharray:2 5}}.not-reached .head{{fill:{bg};stroke:{grey}}}.not-reached text.msg{{fill:{muted}}}\
.unknown .line{{stroke:{grey};stroke-dasharray:8 4 2 4}}.unknown .head{{fill:{grey};stroke:{grey}}}.unknown text.msg{{fill:{muted}}}\
.callout rect{{fill:{callout};stroke:{warn};stroke-width:1.5}}.callout line{{stroke:{warn};stroke-width:1.5;stroke-dasharray:3 3}}\
.callout text.title{{font-weight:700}}.callout text.rule{{font-family:ui-monospace,Consolas,'DejaVu Sans Mono',monospace;font-size:{mono}px;white-space:pre}}",
        size = FONT_SIZE,
        mono = MONO_SIZE,
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
    )
}

/// A standalone SVG document of the layout: `xmlns`, embedded styles, escaped text, no external
/// references. Every leg is a `<g data-leg data-state data-step>`; a legend says what each style
/// of leg means.
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
        .map(|a| {
            format!(
                "{}. {}: {}",
                a.step,
                a.shown_message(),
                state_label(a.state)
            )
        })
        .collect();
    let _ = write!(s, "<desc>{}</desc>", e(&desc.join("; ")));
    let _ = write!(s, "<style>{}</style>", svg_style(&p));
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
            let (x, y) = n.line_at(i);
            let _ = write!(
                s,
                r#"<text x="{}" y="{}">{}</text>"#,
                fmt(x),
                fmt(y),
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
            r#"<g class="leg {}" data-leg="{}" data-state="{st}" data-step="{}"{}>"#,
            a.style_key(),
            e(&a.leg),
            a.step,
            if a.extra { r#" data-extra="true""# } else { "" }
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
                fmt(a.line_y(i)),
                e(line)
            );
        }
        let _ = write!(s, r#"<path class="line" d="{}"/>"#, a.path);
        if let Some(rest) = &a.rest_path {
            let _ = write!(s, r#"<path class="rest" d="{rest}"/>"#);
        }
        let _ = write!(s, r#"<path class="head" d="{}"/>"#, a.head);
        if let Some(gap) = a.gap_path() {
            let _ = write!(s, r#"<path class="gap" d="{gap}"/>"#);
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
        for (i, (line, kind)) in c.lines.iter().zip(&c.kinds).enumerate() {
            let space = if *kind == CalloutLine::Rule {
                r#" xml:space="preserve""#
            } else {
                ""
            };
            let (x, y) = c.line_at(i);
            let _ = write!(
                s,
                r#"<text class="{}"{space} x="{}" y="{}">{}</text>"#,
                kind.as_str(),
                fmt(x),
                fmt(y),
                e(line)
            );
        }
        s.push_str("</g>");
    }
    // Legend.
    if !layout.legend.is_empty() {
        s.push_str(r#"<g class="legend">"#);
        for item in &layout.legend {
            let _ = write!(
                s,
                r#"<g class="{}">{}<text x="{}" y="{}">{}</text></g>"#,
                e(&item.key),
                legend_sample(item.x, item.y),
                fmt(item.x + 34.0),
                fmt(item.y + 4.0),
                e(&item.label)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

/// A short arrow (line and head) starting at `(x, y)`, for a legend entry.
pub fn legend_sample(x: f64, y: f64) -> String {
    format!(
        r#"<path class="line" d="M{} {}L{} {}"/><path class="head" d="M{} {}L{} {}L{} {}Z"/>"#,
        fmt(x),
        fmt(y),
        fmt(x + 18.0),
        fmt(y),
        fmt(x + 27.0),
        fmt(y),
        fmt(x + 18.0),
        fmt(y - 4.0),
        fmt(x + 18.0),
        fmt(y + 4.0)
    )
}

impl Node {
    /// Where label line `i` is drawn (centre x, baseline).
    pub fn line_at(&self, i: usize) -> (f64, f64) {
        (self.x, self.y + NODE_TEXT_TOP + i as f64 * LINE_H)
    }
}

impl Arrow {
    /// What the arrow says ([`crate::diagnosis::shown_message`]).
    pub fn shown_message(&self) -> &str {
        crate::diagnosis::shown_message(
            &self.message,
            self.observed.as_deref(),
            self.state,
            self.extra,
        )
    }

    /// The message named beside it ([`crate::diagnosis::other_message`]).
    pub fn other_message(&self) -> Option<crate::diagnosis::OtherMessage<'_>> {
        crate::diagnosis::other_message(
            &self.message,
            self.observed.as_deref(),
            self.state,
            self.extra,
        )
    }

    /// Baseline of label line `i` (centred on [`Arrow::label_x`]).
    pub fn line_y(&self, i: usize) -> f64 {
        self.row_y + 12.0 + i as f64 * LINE_H
    }

    /// The cross drawn in the gap of a missing route.
    pub fn gap_path(&self) -> Option<String> {
        self.gap.map(|(gx, gy)| {
            format!(
                "M{} {}l10 10M{} {}l-10 10",
                fmt(gx - 5.0),
                fmt(gy - 5.0),
                fmt(gx + 5.0),
                fmt(gy - 5.0)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert!(wrap("", 10).is_empty());
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

    #[test]
    fn width_wrapping_keeps_every_line_inside_and_loses_no_word() {
        let text =
            "200 OK back by route * to the Home Server (LCS/OCS) WWWWWWWWWWWWWWWWWWWWWWWW end";
        for font in [Font::Sans, Font::SansBold, Font::Mono] {
            let lines = wrap_to_width(text, 120.0, font);
            assert!(
                lines.iter().all(|l| text_width(l, font) <= 120.0),
                "{lines:?}"
            );
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
        assert!(text_width("W", Font::SansBold) > text_width("i", Font::SansBold));
        assert!(text_width("→", Font::Sans) >= FONT_SIZE);
    }

    fn flow_of(p: &Profile, state: impl Fn(usize) -> LegState) -> Vec<FlowLeg> {
        p.flow
            .iter()
            .enumerate()
            .map(|(i, s)| FlowLeg {
                from: s.from.clone(),
                to: s.to.clone(),
                message: s.message.clone(),
                kind: s.kind,
                state: state(i),
                evidence: vec![],
                observed: None,
                extra: false,
            })
            .collect()
    }

    /// A leg that went through with another message than the known-good one is drawn with what
    /// was seen; a failing leg keeps the known-good message (its state says it did not come).
    #[test]
    fn a_leg_that_went_through_otherwise_is_drawn_with_what_was_seen() {
        let p = crate::profile::profile("generic").unwrap();
        let mut flow = flow_of(&p, |_| LegState::Ok);
        let seen = "SIP/2.0 200 OK (systemStatus disabled)";
        flow[0].observed = Some(seen.into());
        flow[1].observed = Some(seen.into());
        flow[1].state = LegState::Failing;
        let l = layout(&p, &flow, &[]);
        assert_eq!(l.arrows[0].lines.join(" "), seen);
        assert_eq!(l.arrows[0].message, flow[0].message);
        assert_eq!(l.arrows[1].lines.join(" "), flow[1].message);
    }

    /// Every label fits its box or the drawing, whatever the profile: nothing is cut.
    #[test]
    fn every_text_fits_its_box_and_nothing_is_cut() {
        for p in crate::profile::profiles() {
            let flow = flow_of(p, |i| match i % 4 {
                0 => LegState::Ok,
                1 => LegState::MissingRoute,
                2 => LegState::Inferred,
                _ => LegState::NotReached,
            });
            let l = layout(p, &flow, &[]);
            for n in &l.nodes {
                assert_eq!(n.lines.join(" "), n.label, "a box label was cut");
                for (i, line) in n.lines.iter().enumerate() {
                    assert!(text_width(line, Font::SansBold) <= n.w - 12.0, "{line}");
                    assert!(n.line_at(i).1 + 4.0 <= n.y + n.h, "{line} below its box");
                }
            }
            for a in &l.arrows {
                assert_eq!(a.lines.join(" "), a.shown_message(), "a leg label was cut");
                for line in &a.lines {
                    let half = text_width(line, Font::SansBold) / 2.0;
                    assert!(a.label_x - half >= MARGIN + GUTTER - 0.5, "{line}");
                    assert!(a.label_x + half <= l.width - MARGIN + 0.5, "{line}");
                }
            }
            for c in &l.callouts {
                assert_eq!(c.lines.len(), c.kinds.len());
                for (i, (line, kind)) in c.lines.iter().zip(&c.kinds).enumerate() {
                    let font = match kind {
                        CalloutLine::Title => Font::SansBold,
                        CalloutLine::Text => Font::Sans,
                        CalloutLine::Rule => Font::Mono,
                    };
                    let (x, y) = c.line_at(i);
                    assert!(x + text_width(line, font) <= c.x + c.w - 4.0, "{line}");
                    assert!(y + 4.0 <= c.y + c.h, "{line} below its callout");
                }
            }
        }
    }

    /// Every arrow is whole: its line reaches the base of its head (a missing route's dashed
    /// rest does), so no frame shows a stub and a floating head.
    #[test]
    fn every_arrow_is_whole() {
        let p = crate::profile::profile("nortel").unwrap();
        let flow = flow_of(&p, |i| {
            if i == 4 {
                LegState::MissingRoute
            } else {
                LegState::Ok
            }
        });
        let l = layout(&p, &flow, &[]);
        let end_x = |path: &str| -> f64 {
            let last = path.rsplit('L').next().unwrap();
            last.split(' ').next().unwrap().parse().unwrap()
        };
        for a in l.arrows.iter().filter(|a| a.from != a.to) {
            let base: f64 = a
                .head
                .split('L')
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let drawn = a.rest_path.as_deref().unwrap_or(&a.path);
            assert!(
                (end_x(drawn) - base).abs() < 0.2,
                "{}: line ends at {} but the head starts at {base}",
                a.leg,
                end_x(drawn)
            );
        }
        assert_eq!(l.styles(), vec!["ok", "missing-route"]);
        assert_eq!(l.legend.len(), 2);
        assert!(l
            .legend
            .iter()
            .all(|i| i.y > l.lifeline_bottom && i.y < l.height));
    }

    #[test]
    fn the_error_answer_is_drawn_as_proof_and_the_break_is_the_leg_before_it() {
        let p = crate::profile::profile("nortel").unwrap();
        let mut flow = flow_of(&p, |i| match i {
            0..=2 => LegState::Ok,
            3 => LegState::Unknown,
            4 => LegState::MissingRoute,
            _ => LegState::NotReached,
        });
        let mut proof = flow[1].clone();
        proof.message = "404 Not Found (ms-diagnostics 1003)".into();
        proof.state = LegState::Failing;
        proof.extra = true;
        flow.insert(5, proof);
        let l = layout(&p, &flow, &[]);
        assert_eq!(l.failing_index(), Some(4));
        assert!(l.arrows[5].extra);
        assert_eq!(l.arrows[5].style_key(), "extra");
        let svg = to_svg(&l, SvgTheme::Light);
        assert!(svg.contains(r#"class="leg extra" data-leg="home-server-&gt;client" data-state="failing" data-step="6" data-extra="true""#));
        assert!(svg.contains("the error answer (proof)"));
    }
}
