//! The ladder (message sequence) view of the logs: one column per host, one row per message.
//!
//! Columns are hosts merged by their aliases: a machine shows up in logs as an IP with several
//! ports, an FQDN in a Via sent-by or Record-Route, a `Contact` address, the `Peer`/local address
//! of a log record, or simply "whoever wrote this log". A union-find over those aliases makes one
//! column per machine, labelled with its nicest name and, where a profile participant's product
//! hint matches what the host says about itself (`User-Agent`/`Server`), the participant label.
//!
//! Rows are the messages in time order with the delay since the previous one, the sending and
//! receiving column, a verdict (OK, error response, the diagnosis' failing leg, repaired or
//! partly parsed) and the dialog (Call-ID). Filters select one dialog, one method, or "RCC only".
//! [`window`] gives the rows a virtual scroller must render; [`to_mermaid`] exports the ladder as
//! Mermaid `sequenceDiagram` text.
//!
//! A ladder keeps of each row only what took the whole log to know, as indexes ([`RowKey`]:
//! columns, verdict, dialog, method, RCC; 12 bytes); the texts a view shows (time, delay, label,
//! method, Call-ID) are read from the messages when a view asks for the row ([`Ladder::row`]),
//! a page at a time. So a 100 MB log's ladder costs a few dozen bytes per message, and building
//! it writes no string per message.
//!
//! Building is three phases, one file each: `hosts.rs` (who sent each message to whom, and the
//! aliases that name one machine), `columns.rs` (one column per machine, recognised and
//! ordered) and `rows.rs` (one row per message, each header read once). The first and the last
//! walk the messages together, once (a message's headers are read while they are at hand); the
//! rows learn their columns at the end. A caller that has read
//! the configuration answers already (the analysis) passes the line servers they name
//! ([`build_with_line_servers`]). `export.rs` draws a ladder, `query.rs` answers what a view
//! asks of a ladder held elsewhere.

use crate::diagnosis::Diagnosis;
use crate::profile::Profile;
use crate::routing::Topology;
use crate::sip::SipMessage;
use serde::{Deserialize, Serialize};
// FxHash: the ladder hashes a few short keys per message, and SipHash showed in profiles.
type HashMap<K, V> = crate::fxhash::FxMap<K, V>;
type HashSet<K> = crate::fxhash::FxSet<K>;
use std::ops::Range;

mod columns;
mod export;
mod hosts;
mod query;
mod rows;

pub use export::{mermaid_escape, to_mermaid, to_mermaid_rows, to_svg, SVG_MAX_ROWS};
pub use query::{
    position_of, prefetch_range, LadderData, LadderSummary, RawHeader, RawMessage, RowCache,
    MAX_DIALOGS_LISTED, PAGE_ROWS,
};

/// One host column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Participant label when recognised, else the host name.
    pub label: String,
    /// Nicest host name (FQDN over IP), empty when only "the writer of a log" is known.
    pub host: String,
    /// Every alias merged into this column (hosts, `host:port`, `log:<file>`).
    pub aliases: Vec<String>,
    /// Profile participant id, when recognised.
    pub participant: Option<String>,
}

/// How a row is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    /// A final response ≥ 400.
    ErrorResponse,
    /// The message is evidence of the diagnosis' failing (or missing-route) leg.
    FailingLeg,
    /// Parsed after the lenient front end repaired it.
    Repaired,
    /// Only partly parsed.
    Partial,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::ErrorResponse => "error-response",
            Verdict::FailingLeg => "failing-leg",
            Verdict::Repaired => "repaired",
            Verdict::Partial => "partial",
        }
    }
}

/// The time of day of a timestamp as a log writes it, for a column too narrow for the date:
/// the digits before the first `:` and what follows, in the last word (`11/30/2006|14:00:00.769`,
/// SIPp's `2007-03-05<TAB>16:40:02.118220`, ISO's `2007-03-05T16:40:02Z`); the last word
/// whole when it has no `:`.
pub fn time_of_day(written: &str) -> &str {
    let last = written
        .rsplit(|c: char| c == '|' || c.is_whitespace())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    let Some(colon) = last.find(':') else {
        return last;
    };
    let start = last[..colon]
        .char_indices()
        .rfind(|(_, c)| !c.is_ascii_digit())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &last[start..]
}

/// One message as a view shows it: written by [`Ladder::row`] when a view asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Index into the messages the ladder was built from.
    pub message: usize,
    /// Timestamp as written.
    pub time: String,
    pub millis: Option<i64>,
    /// Milliseconds since the previous message with a time.
    pub delta_ms: Option<i64>,
    /// Column indexes; `None` when the log does not say.
    pub from: Option<usize>,
    pub to: Option<usize>,
    /// `INVITE sip:rcc@mcm.contoso.com` or `404 Not Found (INVITE)`.
    pub label: String,
    /// Request method, or the CSeq method of a response (for the method filter).
    pub method: String,
    pub status: Option<u16>,
    pub verdict: Verdict,
    pub call_id: Option<String>,
    /// Part of remote call control (CSTA dialog or provisioning subscription).
    pub rcc: bool,
}

/// One message's row as the ladder keeps it: what took the whole log to know (columns, delay,
/// verdict, dialog, RCC), as indexes, in 12 bytes. Row `i` is message `i` of the messages the
/// ladder was built from, so the row does not say which. Its texts (time, label, method,
/// Call-ID) are read from the message when a view asks ([`Ladder::row`]): a view shows a page
/// of rows, not the 100,000 of a large log. The indexes are kept without `Option`'s tag (which
/// took 12 more bytes a row on wasm32): the largest value of each stands for none, so a
/// 65,535th column or method would show as unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowKey {
    dialog: u32,
    from: u16,
    to: u16,
    method: u16,
    pub verdict: Verdict,
    /// Part of remote call control (CSTA dialog or provisioning subscription).
    pub rcc: bool,
}

const NO_U16: u16 = u16::MAX;
const NO_U32: u32 = u32::MAX;

fn some16(v: u16) -> Option<u16> {
    (v != NO_U16).then_some(v)
}

impl RowKey {
    /// A row of `verdict`, its columns not known yet (they are, when the walk is over:
    /// [`RowKey::set_columns`]).
    pub fn new(method: Option<u16>, dialog: Option<u32>, verdict: Verdict, rcc: bool) -> RowKey {
        RowKey {
            dialog: dialog.unwrap_or(NO_U32),
            from: NO_U16,
            to: NO_U16,
            method: method.unwrap_or(NO_U16),
            verdict,
            rcc,
        }
    }

    /// The sending and receiving column; `None` when the log does not say.
    pub fn set_columns(&mut self, from: Option<u16>, to: Option<u16>) {
        (self.from, self.to) = (from.unwrap_or(NO_U16), to.unwrap_or(NO_U16));
    }

    pub(crate) fn set_method(&mut self, method: Option<u16>) {
        self.method = method.unwrap_or(NO_U16);
    }

    /// Column index of the sender; `None` when the log does not say.
    pub fn from(&self) -> Option<u16> {
        some16(self.from)
    }

    /// Column index of the receiver; `None` when the log does not say.
    pub fn to(&self) -> Option<u16> {
        some16(self.to)
    }

    /// Index into [`Ladder::methods`]; `None` for a message without one.
    pub fn method(&self) -> Option<u16> {
        some16(self.method)
    }

    /// Index into [`Ladder::dialogs`]; `None` for a message without a Call-ID.
    pub fn dialog(&self) -> Option<u32> {
        (self.dialog != NO_U32).then_some(self.dialog)
    }
}

/// One Call-ID for the dialog filter, as a view gets it ([`Ladder::dialog`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogSummary {
    pub call_id: String,
    /// First request of the dialog, e.g. `INVITE sip:rcc@mcm.contoso.com`.
    pub label: String,
    pub rows: usize,
    pub rcc: bool,
}

/// One dialog as the ladder keeps it: its first row, how many rows it has and whether it is
/// remote call control. Its Call-ID and label are read from its first row's message when a view
/// asks ([`Ladder::dialog`]): copied, they were about 45 bytes per message on wasm32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogKey {
    pub first: u32,
    pub rows: u32,
    pub rcc: bool,
}

/// The whole ladder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    pub columns: Vec<Column>,
    /// One per message, in order (see [`RowKey`] and [`Ladder::row`]).
    pub rows: Vec<RowKey>,
    /// Call-IDs in order of first appearance (see [`DialogKey`]).
    pub dialogs: Vec<DialogKey>,
    /// Methods present, sorted.
    pub methods: Vec<String>,
}

/// Which rows to show. Every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderFilter {
    pub call_id: Option<String>,
    pub method: Option<String>,
    pub rcc_only: bool,
}

impl Ladder {
    /// Row `row` as a view shows it, its texts read from its message (`messages`: the ones the
    /// ladder was built from).
    pub fn row(&self, messages: &[SipMessage], row: usize) -> Option<Row> {
        let key = self.rows.get(row)?;
        let m = messages.get(row)?;
        let method = self.method_of(key);
        Some(Row {
            message: row,
            time: m
                .timestamp()
                .map(|t| t.written.to_string())
                .unwrap_or_default(),
            millis: m.millis(),
            delta_ms: rows::delta_ms(messages, row),
            from: key.from().map(usize::from),
            to: key.to().map(usize::from),
            label: rows::label(m, method),
            method: method.to_string(),
            status: m.status(),
            verdict: key.verdict,
            call_id: key
                .dialog()
                .and_then(|d| self.call_id(messages, d as usize))
                .map(str::to_string),
            rcc: key.rcc,
        })
    }

    /// Every row as views show them (exports, tests; a view asks for pages: [`Ladder::rows_at`]).
    pub fn all_rows(&self, messages: &[SipMessage]) -> Vec<Row> {
        (0..self.rows.len())
            .filter_map(|r| self.row(messages, r))
            .collect()
    }

    /// A row's method name ("" without one).
    fn method_of(&self, key: &RowKey) -> &str {
        key.method()
            .and_then(|k| self.methods.get(usize::from(k)))
            .map_or("", String::as_str)
    }

    /// Dialog `d`'s Call-ID: its first message's.
    fn call_id<'m>(&self, messages: &'m [SipMessage], d: usize) -> Option<&'m str> {
        messages.get(self.dialogs.get(d)?.first as usize)?.call_id()
    }

    /// Dialog `d` as the dialog filter lists it, its texts read from its first message
    /// (`messages`: the ones the ladder was built from).
    pub fn dialog(&self, messages: &[SipMessage], d: usize) -> Option<DialogSummary> {
        let dialog = self.dialogs.get(d)?;
        let first = self.rows.get(dialog.first as usize)?;
        let m = messages.get(dialog.first as usize)?;
        Some(DialogSummary {
            call_id: m.call_id()?.to_string(),
            label: rows::label(m, self.method_of(first)),
            rows: dialog.rows as usize,
            rcc: dialog.rcc,
        })
    }

    /// Every dialog as the dialog filter lists it (exports, tests; a view gets the summary's).
    pub fn all_dialogs(&self, messages: &[SipMessage]) -> Vec<DialogSummary> {
        (0..self.dialogs.len())
            .filter_map(|d| self.dialog(messages, d))
            .collect()
    }

    /// Indexes of the rows passing `filter`, in order (`messages`: the ones the ladder was
    /// built from, for the dialogs' Call-IDs).
    pub fn filtered(&self, messages: &[SipMessage], filter: &LadderFilter) -> Vec<usize> {
        // The filter's method and dialog as indexes, compared once, not per row.
        let method_ok: Vec<bool> = self
            .methods
            .iter()
            .map(|name| {
                filter
                    .method
                    .as_ref()
                    .is_none_or(|m| name.eq_ignore_ascii_case(m))
            })
            .collect();
        let without_method_ok = filter.method.as_ref().is_none_or(|m| m.is_empty());
        // The filter's dialog, as indexes: each dialog's Call-ID read once, not per row.
        let dialog_ok: Option<Vec<bool>> = filter.call_id.as_ref().map(|c| {
            (0..self.dialogs.len())
                .map(|d| self.call_id(messages, d) == Some(c.as_str()))
                .collect()
        });
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (!filter.rcc_only || r.rcc)
                    && dialog_ok.as_ref().is_none_or(|ok| {
                        r.dialog()
                            .is_some_and(|d| ok.get(d as usize).copied().unwrap_or(false))
                    })
                    && r.method().map_or(without_method_ok, |k| {
                        method_ok.get(usize::from(k)).copied().unwrap_or(false)
                    })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Index of the first row of the diagnosis' failing leg.
    pub fn first_failing(&self) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.verdict == Verdict::FailingLeg)
    }
}

/// The rows a virtual scroller renders: the visible ones plus `overscan` on each side.
pub fn window(
    rows: usize,
    row_height: f64,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> Range<usize> {
    if rows == 0 || row_height <= 0.0 || !row_height.is_finite() {
        return 0..0;
    }
    let top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let view = if viewport.is_finite() {
        viewport.max(0.0)
    } else {
        0.0
    };
    let first = ((top / row_height).floor() as usize).min(rows);
    let last = (((top + view) / row_height).ceil() as usize).min(rows);
    let start = first.saturating_sub(overscan).min(rows.saturating_sub(1));
    let end = last.saturating_add(overscan).min(rows).max(start + 1);
    start..end
}

/// Header names the raw-message view highlights.
pub fn is_key_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "call-id" | "cseq" | "via" | "content-type" | "from" | "to"
    ) || n.starts_with("ms-diagnostics")
        || n == "ms-client-diagnostics"
}

/// Build the ladder. `profile` labels columns with participants; `diagnosis` marks the rows
/// that are evidence of its failing leg.
pub fn build(
    messages: &[SipMessage],
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
) -> Ladder {
    build_with_topology(messages, profile, diagnosis, None)
}

/// As [`build`], also recognising participants by the FQDNs and IPs a topology knows (the
/// `[servers]` section of the routing rules, or what the analysis inferred).
pub fn build_with_topology(
    messages: &[SipMessage],
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
    topology: Option<&Topology>,
) -> Ladder {
    let line_servers = rows::line_servers(messages);
    build_knowing(messages, &line_servers, profile, diagnosis, topology)
}

/// As [`build_with_topology`], for a caller that has read the configuration answers already
/// (the analysis, through `RccIndex`): the line server URIs they name, so the ladder need not
/// read every message's body for them again.
pub fn build_with_line_servers<S: AsRef<str>>(
    messages: &[SipMessage],
    line_server_uris: impl IntoIterator<Item = S>,
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
    topology: Option<&Topology>,
) -> Ladder {
    let line_servers = rows::line_servers_named(line_server_uris);
    build_knowing(messages, &line_servers, profile, diagnosis, topology)
}

fn build_knowing(
    messages: &[SipMessage],
    line_servers: &HashSet<String>,
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
    topology: Option<&Topology>,
) -> Ladder {
    // One walk (the requests counted first, from a flag): each message's ends and its row,
    // read while it is at hand.
    let requests = messages.iter().filter(|m| m.is_request()).count();
    let mut tracer = hosts::Tracer::new(messages, requests);
    let mut row_writer = rows::RowWriter::new(messages, line_servers, diagnosis);
    for m in messages {
        let ends = tracer.step(m, |j| row_writer.ends_of(j));
        row_writer.step(m, ends);
    }
    let hosts::Traced {
        aliases: mut al,
        products,
    } = tracer.finish();
    let columns = columns::columns(
        &mut al,
        row_writer.ends(),
        &products,
        line_servers,
        profile,
        topology,
    );
    let rows::Rows {
        rows,
        dialogs,
        methods,
    } = row_writer.finish(&columns);
    Ladder {
        columns: columns.columns,
        rows,
        dialogs,
        methods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_covers_the_viewport_plus_overscan() {
        assert_eq!(window(0, 28.0, 0.0, 400.0, 5), 0..0);
        assert_eq!(window(10_000, 28.0, 0.0, 280.0, 5), 0..15);
        assert_eq!(window(10_000, 28.0, 2800.0, 280.0, 5), 95..115);
        assert_eq!(window(10_000, 28.0, 1e9, 280.0, 5), 9995..10_000);
        assert_eq!(window(3, 28.0, -50.0, 1000.0, 2), 0..3);
    }

    fn row(i: usize) -> Row {
        Row {
            message: i,
            time: format!("t{i}"),
            millis: None,
            delta_ms: None,
            from: Some(0),
            to: Some(1),
            label: format!("INFO {i}"),
            method: "INFO".into(),
            status: None,
            verdict: Verdict::Ok,
            call_id: Some(format!("c{}", i % 3)),
            rcc: i.is_multiple_of(3),
        }
    }

    /// A row as the ladder keeps it: an INVITE from column 0, in `dialog`.
    fn key(dialog: Option<u32>) -> RowKey {
        let mut k = RowKey::new(Some(0), dialog, Verdict::Ok, true);
        k.set_columns(Some(0), None);
        k
    }

    fn invite(uri: &str) -> SipMessage {
        invite_at(uri, None)
    }

    /// `m` with this Call-ID.
    fn in_call(m: SipMessage, call_id: &str) -> SipMessage {
        let mut parts = m.to_parts();
        parts.headers.push(crate::sip::Header {
            name: "Call-ID".into(),
            value: call_id.into(),
        });
        SipMessage::from(parts)
    }

    fn invite_at(uri: &str, millis: Option<i64>) -> SipMessage {
        use crate::sip::{MessageParts, ParseQuality, SourceRef, StartLine, Timestamp};
        SipMessage::from(MessageParts {
            source: SourceRef {
                file: "t".into(),
                line_start: 1,
                line_end: 1,
            },
            timestamp: Some(Timestamp {
                written: "10:00:00.000".into(),
                millis,
            }),
            direction: None,
            local: None,
            peer: None,
            start_line: StartLine::Request {
                method: "INVITE".into(),
                uri: uri.into(),
            },
            headers: vec![],
            body: String::new(),
            quality: ParseQuality::Clean,
            also_seen: vec![],
        })
    }

    /// A ladder holds one row per message for as long as the analysis is shown: a row kept is
    /// a few words, not the four strings a view shows (a `Row` is over 150 bytes before them).
    #[test]
    fn a_row_kept_costs_a_few_words() {
        assert!(std::mem::size_of::<RowKey>() <= 12);
    }

    #[test]
    fn a_row_says_none_for_what_the_log_does_not_say() {
        let k = RowKey::new(None, None, Verdict::Partial, false);
        assert_eq!(
            (k.from(), k.to(), k.method(), k.dialog()),
            (None, None, None, None)
        );
        let mut k = RowKey::new(Some(3), Some(7), Verdict::Ok, true);
        k.set_columns(Some(0), Some(u16::MAX - 1));
        assert_eq!(
            (k.from(), k.to(), k.method(), k.dialog()),
            (Some(0), Some(u16::MAX - 1), Some(3), Some(7))
        );
    }

    /// A row keeps its ends' alias ids in its column fields while the messages are walked;
    /// ids too large for them (a log naming 65,534 hosts) are kept beside the rows.
    #[test]
    fn rows_keep_their_ends_however_many_hosts_the_log_names() {
        use hosts::PackedEnds;
        let messages: Vec<SipMessage> = (0..4).map(|_| invite("sip:a@b")).collect();
        let servers = HashSet::default();
        let mut w = rows::RowWriter::new(&messages, &servers, None);
        let wide = 70_000;
        let given = [
            (Some(0), Some(1)),
            (Some(wide), Some(2)),
            (None, None),
            (Some(3), Some(wide + 1)),
        ];
        for (m, &ends) in messages.iter().zip(&given) {
            w.step(m, PackedEnds::pack(ends));
        }
        let read: Vec<_> = (0..4).map(|r| w.ends_of(r).map(PackedEnds::ends)).collect();
        assert_eq!(read, given.map(Some));
        assert_eq!(w.ends().map(PackedEnds::ends).collect::<Vec<_>>(), given);
        let mut column_of_alias = vec![None; wide + 2];
        (column_of_alias[0], column_of_alias[1], column_of_alias[2]) = (Some(0), Some(1), Some(2));
        (
            column_of_alias[3],
            column_of_alias[wide],
            column_of_alias[wide + 1],
        ) = (Some(3), Some(4), Some(5));
        let rows = w
            .finish(&columns::Columns::of_aliases(column_of_alias))
            .rows;
        let columns: Vec<_> = rows.iter().map(|r| (r.from(), r.to())).collect();
        assert_eq!(
            columns,
            [
                (Some(0), Some(1)),
                (Some(4), Some(2)),
                (None, None),
                (Some(3), Some(5))
            ]
        );
    }

    #[test]
    fn the_time_of_day_is_cut_from_every_format_s_timestamp() {
        for (written, time) in [
            ("11/30/2006|14:00:00.769", "14:00:00.769"),
            ("2007-03-05\t16:40:02.118220", "16:40:02.118220"),
            ("2007-03-05 16:40:02.118220", "16:40:02.118220"),
            ("2007-03-05T16:40:02Z", "16:40:02Z"),
            ("2009-11-03 10:22:01.123-05:00", "10:22:01.123-05:00"),
            ("Nov  3, 2009 10:22:01.123456000 ", "10:22:01.123456000"),
            ("14:00:00.769", "14:00:00.769"),
            ("1257243721.123456", "1257243721.123456"),
            ("2009/10/05|下午10:22:01.123", "10:22:01.123"),
            ("下午", "下午"),
            ("", ""),
        ] {
            assert_eq!(time_of_day(written), time, "{written:?}");
        }
    }

    #[test]
    fn a_row_is_written_from_its_message_when_asked() {
        let ladder = Ladder {
            columns: vec![],
            rows: vec![key(None), key(None), key(Some(0))],
            dialogs: vec![DialogKey {
                first: 2,
                rows: 1,
                rcc: true,
            }],
            methods: vec!["INVITE".into()],
        };
        // The delay is read back to the last message with a time, past one without.
        let messages = [
            invite_at("sip:x@y", Some(1_000)),
            invite("sip:x@y"),
            in_call(invite_at("sip:a@b", Some(1_005)), "c1"),
        ];
        assert_eq!(
            ladder.row(&messages, 2),
            Some(Row {
                message: 2,
                time: "10:00:00.000".into(),
                millis: Some(1_005),
                delta_ms: Some(5),
                from: Some(0),
                to: None,
                label: "INVITE sip:a@b".into(),
                method: "INVITE".into(),
                status: None,
                verdict: Verdict::Ok,
                call_id: Some("c1".into()),
                rcc: true,
            })
        );
        assert_eq!(ladder.row(&messages, 3), None);
        assert_eq!(ladder.row(&messages[..2], 2), None, "no such message");
        assert_eq!(
            ladder.all_dialogs(&messages),
            [DialogSummary {
                call_id: "c1".into(),
                label: "INVITE sip:a@b".into(),
                rows: 1,
                rcc: true,
            }]
        );
    }

    /// A ladder keeps a few words per dialog, not its Call-ID and label.
    #[test]
    fn a_dialog_kept_costs_a_few_words() {
        assert!(std::mem::size_of::<DialogKey>() <= 12);
    }

    #[test]
    fn prefetch_covers_whole_pages_and_one_page_each_side() {
        assert_eq!(prefetch_range(0..0, 100), 0..0);
        assert_eq!(prefetch_range(0..10, 0), 0..0);
        // The first page and the next one.
        assert_eq!(prefetch_range(0..20, 10_000), 0..2 * PAGE_ROWS);
        // A window across a page boundary: both pages plus one each side.
        let w = PAGE_ROWS * 5 - 3..PAGE_ROWS * 5 + 10;
        assert_eq!(prefetch_range(w, 10_000), PAGE_ROWS * 3..PAGE_ROWS * 7);
        // Never past the end.
        assert_eq!(prefetch_range(90..100, 100), 0..100);
    }

    #[test]
    fn the_row_cache_requests_each_row_once_and_keeps_the_view_when_full() {
        let filtered: Vec<u32> = (0..10_000u32).filter(|i| i.is_multiple_of(2)).collect();
        let mut cache = RowCache::new(0); // capacity is at least four pages
        let first = cache.request(&filtered, 0..30);
        assert_eq!(first.len(), 2 * PAGE_ROWS);
        assert_eq!(first[..3], [0, 2, 4]);
        assert!(cache.is_pending(2));
        assert!(cache.get(2).is_none());
        // Asking again while the answer is in flight asks for nothing.
        assert!(cache.request(&filtered, 5..35).is_empty());
        let rows: Vec<Row> = first.iter().map(|&i| row(i as usize)).collect();
        cache.fill(&first, rows);
        assert!(!cache.is_pending(2));
        assert_eq!(cache.get(4).map(|r| r.label.as_str()), Some("INFO 4"));
        assert!(
            cache.request(&filtered, 0..30).is_empty(),
            "held rows are not asked again"
        );
        // Scroll far: the new pages are asked for; after filling past capacity only the new
        // view's rows are kept.
        let far = cache.request(&filtered, 3000..3030);
        assert!(far.iter().all(|&r| r >= 5000));
        let rows = far.iter().map(|&i| row(i as usize)).collect();
        cache.fill(&far, rows);
        assert_eq!(cache.len(), far.len(), "only the view's rows are kept");
        assert!(cache.get(0).is_none());
        assert!(cache.get(far[0] as usize).is_some());
        // A cancelled request can be made again.
        let again = cache.request(&filtered, 100..110);
        assert!(!again.is_empty());
        cache.cancel(&again);
        assert_eq!(cache.request(&filtered, 100..110), again);
        // Indexes past the end are answered with nothing and stop being pending.
        cache.fill(&[99_999], vec![]);
        assert!(!cache.is_pending(99_999));
    }

    #[test]
    fn position_of_finds_a_row_in_a_filtered_list() {
        let filtered = [1u32, 4, 9, 16];
        assert_eq!(position_of(&filtered, 9), Some(2));
        assert_eq!(position_of(&filtered, 5), None);
        assert_eq!(position_of(&filtered, usize::MAX), None);
    }

    #[test]
    fn the_summary_lists_rcc_dialogs_first_and_at_most_the_limit() {
        let n = MAX_DIALOGS_LISTED + 50;
        let dialogs = (0..n)
            .map(|i| DialogKey {
                first: i as u32,
                rows: 1,
                rcc: i == MAX_DIALOGS_LISTED + 10,
            })
            .collect();
        let ladder = Ladder {
            columns: vec![],
            rows: (0..n).map(|i| key(Some(i as u32))).collect(),
            dialogs,
            methods: vec!["INVITE".into()],
        };
        let messages: Vec<SipMessage> = (0..n)
            .map(|i| in_call(invite("sip:a@b"), &format!("c{i}")))
            .collect();
        let s = ladder.summary(&messages);
        assert_eq!(s.dialogs.len(), MAX_DIALOGS_LISTED);
        assert_eq!(s.dialogs_total, MAX_DIALOGS_LISTED + 50);
        assert_eq!(
            s.dialogs[0].call_id,
            format!("c{}", MAX_DIALOGS_LISTED + 10)
        );
        assert_eq!(s.dialogs[1].call_id, "c0");
        assert_eq!(s.dialogs[1].label, "INVITE sip:a@b");
        assert_eq!(s.rows, n);
        assert_eq!(s.first_failing, None);
        assert_eq!(
            ladder
                .rows_at(&messages, &[3, 1, n as u32])
                .iter()
                .map(|r| r.message)
                .collect::<Vec<_>>(),
            [3, 1]
        );
    }

    #[test]
    fn mermaid_escape_neutralises_syntax() {
        assert_eq!(mermaid_escape("a;b#c<d>"), "a#59;b#35;c#60;d#62;");
    }

    #[test]
    fn svg_export_is_escaped_and_bounded() {
        let ladder = Ladder {
            columns: vec![Column {
                label: "A<&>".into(),
                host: String::new(),
                aliases: vec![],
                participant: None,
            }],
            rows: (0..500).map(|_| key(None)).collect(),
            dialogs: vec![],
            methods: vec!["INVITE".into()],
        };
        let messages: Vec<SipMessage> = (0..500).map(|_| invite("<sip:a@b>")).collect();
        let all: Vec<usize> = (0..500).collect();
        let svg = to_svg(&ladder, &messages, &all);
        assert!(svg.starts_with("<svg xmlns="));
        assert!(svg.contains("A&lt;&amp;&gt;"));
        assert!(!svg.contains("<sip:"));
        assert_eq!(svg.matches("data-verdict=").count(), SVG_MAX_ROWS);
    }
}
