//! One row per message: the last phase of building a ladder (written in the walk that traces
//! the messages' ends, given their columns at the end). Which dialogs are remote call
//! control, which messages are evidence of the diagnosis' failing leg, and each message's
//! label, delay, verdict and columns; the dialog and method lists the filters offer.

use super::columns::Columns;
use super::hosts::PackedEnds;
use super::{DialogKey, HashSet, RowKey, Verdict};
use crate::diagnosis::{Diagnosis, LegState};
use crate::evidence::Evidence;
use crate::extract;
use crate::index_table::IndexTable;
use crate::ingest::text::find_ci;
use crate::sip::{ParseQuality, SipMessage};

/// A line server URI as the ladder compares request URIs with it: without `<>`, parameters
/// and headers, lower case.
fn strip_uri_params(uri: &str) -> String {
    uri.trim()
        .trim_matches(|c| c == '<' || c == '>')
        .split([';', '?'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The line server URIs the provisioning answers name (without parameters, lower case), read
/// from every message (a caller that read the configuration answers already passes their
/// line server URIs to [`line_servers_named`]).
pub(super) fn line_servers(messages: &[SipMessage]) -> HashSet<String> {
    let named = messages
        .iter()
        .filter_map(|m| extract::provisioning(m)?.line_server_uri);
    line_servers_named(named)
}

/// Line server URIs as the ladder compares them (see [`strip_uri_params`]).
pub(super) fn line_servers_named<S: AsRef<str>>(
    uris: impl IntoIterator<Item = S>,
) -> HashSet<String> {
    uris.into_iter()
        .map(|u| strip_uri_params(u.as_ref()))
        .collect()
}

/// Whether a request makes its dialog remote call control: a CSTA or line-server INVITE, INFO
/// or BYE, or a provisioning SUBSCRIBE, NOTIFY or BENOTIFY. (`method` is upper case.)
fn makes_rcc_dialog(m: &SipMessage, method: &str, line_servers: &HashSet<String>) -> bool {
    match method {
        "INVITE" | "INFO" | "BYE" => {
            let csta = m
                .content_type()
                .is_some_and(|c| find_ci(c.as_bytes(), b"csta").is_some());
            csta || (!line_servers.is_empty()
                && m.request_uri()
                    .is_some_and(|u| line_servers.contains(&strip_uri_params(u))))
        }
        "SUBSCRIBE" | "NOTIFY" | "BENOTIFY" => {
            const PROVISIONING: &[u8] = b"vnd-microsoft-provisioning";
            // The Event package without parameters (as `extract::event` reads it), compared in
            // place.
            m.event_package().is_some_and(|e| {
                e.as_bytes()
                    .get(..PROVISIONING.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(PROVISIONING))
            })
        }
        _ => false,
    }
}

fn evidence_lines(diagnosis: &Diagnosis) -> Vec<(String, u32)> {
    diagnosis
        .flow
        .iter()
        .filter(|l| matches!(l.state, LegState::Failing | LegState::MissingRoute))
        .flat_map(|l| l.evidence.iter())
        .filter_map(|e| match e {
            Evidence::Log {
                file, line_start, ..
            } => Some((file.clone(), *line_start)),
            _ => None,
        })
        .collect()
}

/// Milliseconds from the previous message with a time to message `i`, when both have one.
/// Read when a row is written, not kept per row: the walk back is one step unless messages
/// without a time sit between.
pub(super) fn delta_ms(messages: &[SipMessage], i: usize) -> Option<i64> {
    let t = messages.get(i)?.millis()?;
    let before = messages
        .get(..i)?
        .iter()
        .rev()
        .find_map(SipMessage::millis)?;
    Some(t - before)
}

/// The rows, the dialogs (in order of first appearance) and the methods (sorted).
pub(super) struct Rows {
    pub(super) rows: Vec<RowKey>,
    pub(super) dialogs: Vec<DialogKey>,
    pub(super) methods: Vec<String>,
}

/// A row's method: the request's, else the CSeq's of a response (as written; shown upper case).
fn method_of(m: &SipMessage) -> Option<&str> {
    m.method().or_else(|| m.cseq().map(|(_, x)| x))
}

/// A row's label: `INVITE sip:rcc@mcm.contoso.com`, `404 Not Found (INVITE)`. (`method` is the
/// row's, upper case.)
pub(super) fn label(m: &SipMessage, method: &str) -> String {
    match (m.method(), m.request_uri()) {
        // Written by hand: `format!` cost more than the rest of a row.
        (Some(meth), Some(uri)) => [meth, " ", uri].concat(),
        _ => {
            let reason = m.reason().unwrap_or("");
            let label = format!("{} {reason} ({method})", m.status().unwrap_or(0));
            if label.contains("  ") {
                label.replace("  ", " ")
            } else {
                label
            }
        }
    }
}

/// One row per message, as the messages are walked ([`RowWriter::step`], in order, beside the
/// trace of their ends), keeping indexes only (the texts are written when a view asks:
/// [`RowKey`]): a dialog is remote call control when any of its requests makes it so
/// ([`makes_rcc_dialog`]), which its rows learn at the end, with their columns.
pub(super) struct RowWriter<'m, 'l> {
    line_servers: &'l HashSet<String>,
    /// The log lines of the diagnosis' failing leg: (file, line).
    failing: Vec<(String, u32)>,
    messages: &'m [SipMessage],
    rows: Vec<RowKey>,
    dialogs: Vec<DialogKey>,
    /// The dialogs (their index in `dialogs`) by Call-ID, the first row's.
    dialog_index: IndexTable,
    /// Upper case, in order of first appearance (sorted at the end); a log has a dozen.
    methods: Vec<String>,
    /// The ends of the rows whose alias ids do not fit a row's column fields (marked
    /// [`WIDE_ENDS`]), by row, ascending: a log naming 65,534 hosts.
    wide_ends: Vec<(u32, PackedEnds)>,
}

/// While the messages are walked, a row's column fields hold its ends' alias ids (the columns
/// come at the end, from all of them): [`super::NO_U16`] for an unknown end, this in `from`
/// for ends kept in [`RowWriter::wide_ends`].
const WIDE_ENDS: u16 = super::NO_U16 - 1;

impl<'m, 'l> RowWriter<'m, 'l> {
    pub(super) fn new(
        messages: &'m [SipMessage],
        line_servers: &'l HashSet<String>,
        diagnosis: Option<&Diagnosis>,
    ) -> Self {
        RowWriter {
            line_servers,
            failing: diagnosis.map(evidence_lines).unwrap_or_default(),
            messages,
            rows: Vec::with_capacity(messages.len()),
            dialogs: Vec::new(),
            dialog_index: IndexTable::with_capacity(0),
            methods: Vec::new(),
            wide_ends: Vec::new(),
        }
    }

    /// The ends of row `row` (message `row`), as [`RowWriter::step`] was given them.
    pub(super) fn ends_of(&self, row: u32) -> Option<PackedEnds> {
        let r = self.rows.get(row as usize)?;
        if r.from != WIDE_ENDS {
            return Some(PackedEnds::widen((r.from, r.to), super::NO_U16));
        }
        let at = self
            .wide_ends
            .binary_search_by_key(&row, |&(r, _)| r)
            .ok()?;
        Some(self.wide_ends[at].1)
    }

    /// Every row's ends, in order.
    pub(super) fn ends(&self) -> impl Iterator<Item = PackedEnds> + '_ {
        (0..self.rows.len()).filter_map(|r| self.ends_of(u32::try_from(r).ok()?))
    }

    fn is_failing(&self, m: &SipMessage) -> bool {
        std::iter::once(&m.source)
            .chain(m.also_seen().iter())
            .any(|s| {
                // Lines first: comparing them is cheaper than the file names.
                self.failing.iter().any(|(f, l)| {
                    *l >= s.line_start && *l <= s.line_end.max(s.line_start) && **f == *s.file
                })
            })
    }

    /// The row of the next message, `m` (row `i` is message `i`: every message has one, in order).
    pub(super) fn step(&mut self, m: &'m SipMessage, ends: PackedEnds) {
        let methods = &mut self.methods;
        let method = method_of(m).filter(|x| !x.is_empty()).map(|x| {
            match methods
                .iter()
                .position(|known| known.eq_ignore_ascii_case(x))
            {
                Some(k) => k,
                None => {
                    methods.push(x.to_ascii_uppercase());
                    methods.len() - 1
                }
            }
        });
        let verdict = if self.is_failing(m) {
            Verdict::FailingLeg
        } else if m.status().is_some_and(|s| s >= 400) {
            Verdict::ErrorResponse
        } else {
            match m.quality() {
                ParseQuality::Partial { .. } => Verdict::Partial,
                ParseQuality::Repaired { .. } => Verdict::Repaired,
                ParseQuality::Clean => Verdict::Ok,
            }
        };
        let method_name = method.map_or("", |k| self.methods[k].as_str());
        let row = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        let dialog = m.call_id().map(|c| {
            let (messages, dialogs) = (self.messages, &mut self.dialogs);
            // One row per message, in order: a dialog's first row is its first message.
            let call_id_of = |dialogs: &[DialogKey], d: u32| {
                messages[dialogs[d as usize].first as usize].call_id()
            };
            let key = Some(c);
            if let Some(d) = self.dialog_index.find(&key, |d| call_id_of(dialogs, d)) {
                dialogs[d as usize].rows += 1;
                return d;
            }
            let d = u32::try_from(dialogs.len()).unwrap_or(u32::MAX);
            dialogs.push(DialogKey {
                first: row,
                rows: 1,
                rcc: false,
            });
            self.dialog_index
                .insert(&key, d, |d| call_id_of(dialogs, d));
            d
        });
        let dialogs = &mut self.dialogs;
        if let Some(d) = dialog.and_then(|d| dialogs.get_mut(d as usize)) {
            if m.is_request() && !d.rcc && makes_rcc_dialog(m, method_name, self.line_servers) {
                d.rcc = true;
            }
        }
        let mut key = RowKey::new(
            method.and_then(|k| u16::try_from(k).ok()),
            dialog,
            verdict,
            false,
        );
        (key.from, key.to) = ends.narrow(WIDE_ENDS, super::NO_U16).unwrap_or_else(|| {
            self.wide_ends.push((row, ends));
            (WIDE_ENDS, super::NO_U16)
        });
        self.rows.push(key);
    }

    /// The rows with their columns (`ends`: each message's, by alias) and RCC marks, the
    /// methods sorted.
    pub(super) fn finish(self, columns: &Columns) -> Rows {
        let RowWriter {
            mut rows,
            mut dialogs,
            methods,
            wide_ends,
            ..
        } = self;
        // Dialogs are found as the walk goes; the slack of their doubling would be kept.
        dialogs.shrink_to_fit();
        // Methods sorted, each row's index following its method.
        let mut order: Vec<usize> = (0..methods.len()).collect();
        order.sort_by(|&a, &b| methods[a].cmp(&methods[b]));
        let mut sorted_at = vec![0u16; methods.len()];
        for (at, &k) in order.iter().enumerate() {
            sorted_at[k] = u16::try_from(at).unwrap_or(u16::MAX);
        }
        // The wide ends are those of the rows marked so, in row order.
        let mut wide = wide_ends.into_iter().map(|(_, e)| e);
        for row in rows.iter_mut() {
            let e = if row.from == WIDE_ENDS {
                wide.next()
            } else {
                Some(PackedEnds::widen((row.from, row.to), super::NO_U16))
            };
            let (f, t) = e.map_or((None, None), PackedEnds::ends);
            let column = |a| columns.of(a).and_then(|c| u16::try_from(c).ok());
            row.set_columns(column(f), column(t));
            row.rcc = row
                .dialog()
                .is_some_and(|d| dialogs.get(d as usize).is_some_and(|d| d.rcc));
            row.set_method(row.method().map(|k| sorted_at[usize::from(k)]));
        }
        let methods = order.into_iter().map(|k| methods[k].clone()).collect();
        Rows {
            rows,
            dialogs,
            methods,
        }
    }
}
