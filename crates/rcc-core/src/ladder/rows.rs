//! One row per message: the last phase of building a ladder. Which dialogs are remote call
//! control, which messages are evidence of the diagnosis' failing leg, and each message's
//! label, delay, verdict and columns; the dialog and method lists the filters offer.

use super::columns::Columns;
use super::hosts::Ends;
use super::{DialogSummary, HashMap, HashSet, Row, Verdict};
use crate::diagnosis::{Diagnosis, LegState};
use crate::evidence::Evidence;
use crate::extract;
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
            m.header("Event").is_some_and(|e| {
                let package = e.split(';').next().unwrap_or("").trim().as_bytes();
                package
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

/// The rows, the dialogs (in order of first appearance) and the methods (sorted).
pub(super) struct Rows {
    pub(super) rows: Vec<Row>,
    pub(super) dialogs: Vec<DialogSummary>,
    pub(super) methods: Vec<String>,
}

/// One row per message, in one walk: a dialog is remote call control when any of its
/// requests makes it so ([`makes_rcc_dialog`]), which its rows learn at the end.
pub(super) fn rows(
    messages: &[SipMessage],
    ends: &[Ends],
    columns: &Columns,
    line_servers: &HashSet<String>,
    diagnosis: Option<&Diagnosis>,
) -> Rows {
    let failing = diagnosis.map(evidence_lines).unwrap_or_default();
    let is_failing = |m: &SipMessage| {
        std::iter::once(&m.source)
            .chain(m.also_seen.iter())
            .any(|s| {
                failing.iter().any(|(f, l)| {
                    **f == *s.file && *l >= s.line_start && *l <= s.line_end.max(s.line_start)
                })
            })
    };

    let mut rows = Vec::with_capacity(messages.len());
    // The dialog of each row, to mark its rows RCC once every message was seen.
    let mut row_dialog: Vec<Option<usize>> = Vec::with_capacity(messages.len());
    let mut prev: Option<i64> = None;
    let mut dialogs: Vec<DialogSummary> = Vec::new();
    let mut dialog_index: HashMap<&str, usize> = HashMap::default();
    let mut methods: HashSet<String> = HashSet::default();
    for (i, m) in messages.iter().enumerate() {
        let millis = m.millis();
        let delta_ms = match (prev, millis) {
            (Some(p), Some(t)) => Some(t - p),
            _ => None,
        };
        if millis.is_some() {
            prev = millis;
        }
        let request = m.method();
        let method = match request {
            Some(x) => x.to_ascii_uppercase(),
            None => m
                .cseq()
                .map(|(_, x)| x.to_ascii_uppercase())
                .unwrap_or_default(),
        };
        let label = match (request, m.request_uri()) {
            (Some(meth), Some(uri)) => format!("{meth} {uri}"),
            _ => {
                let reason = m.reason().unwrap_or("");
                let label = format!("{} {reason} ({method})", m.status().unwrap_or(0));
                if label.contains("  ") {
                    label.replace("  ", " ")
                } else {
                    label
                }
            }
        };
        let verdict = if is_failing(m) {
            Verdict::FailingLeg
        } else if m.status().is_some_and(|s| s >= 400) {
            Verdict::ErrorResponse
        } else {
            match m.quality {
                ParseQuality::Partial { .. } => Verdict::Partial,
                ParseQuality::Repaired { .. } => Verdict::Repaired,
                ParseQuality::Clean => Verdict::Ok,
            }
        };
        let call_id = m.call_id();
        let dialog = call_id.map(|c| match dialog_index.get(c) {
            Some(&d) => {
                dialogs[d].rows += 1;
                d
            }
            None => {
                dialog_index.insert(c, dialogs.len());
                dialogs.push(DialogSummary {
                    call_id: c.to_string(),
                    label: label.clone(),
                    rows: 1,
                    rcc: false,
                });
                dialogs.len() - 1
            }
        });
        if let Some(d) = dialog {
            if request.is_some() && !dialogs[d].rcc && makes_rcc_dialog(m, &method, line_servers) {
                dialogs[d].rcc = true;
            }
        }
        if !method.is_empty() && !methods.contains(&method) {
            methods.insert(method.clone());
        }
        let (f, t) = ends[i];
        rows.push(Row {
            message: i,
            time: m
                .timestamp()
                .map(|t| t.written.to_string())
                .unwrap_or_default(),
            millis,
            delta_ms,
            from: columns.of(f),
            to: columns.of(t),
            label,
            method,
            status: m.status(),
            verdict,
            call_id: call_id.map(str::to_string),
            rcc: false,
        });
        row_dialog.push(dialog);
    }
    for (row, dialog) in rows.iter_mut().zip(row_dialog) {
        row.rcc = dialog.is_some_and(|d| dialogs[d].rcc);
    }
    let mut methods: Vec<String> = methods.into_iter().collect();
    methods.sort();
    Rows {
        rows,
        dialogs,
        methods,
    }
}
