//! One row per message: the last phase of building a ladder. Which dialogs are remote call
//! control, which messages are evidence of the diagnosis' failing leg, and each message's
//! label, delay, verdict and columns; the dialog and method lists the filters offer.

use super::columns::Columns;
use super::hosts::{Aliases, Ends};
use super::{DialogSummary, HashMap, HashSet, Row, Verdict};
use crate::diagnosis::{Diagnosis, LegState};
use crate::evidence::Evidence;
use crate::extract;
use crate::sip::{ParseQuality, SipMessage};

fn strip_uri_params(uri: &str) -> String {
    uri.trim()
        .trim_matches(|c| c == '<' || c == '>')
        .split([';', '?'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The line server URIs the provisioning answers name (without parameters, lower case).
pub(super) fn line_servers(messages: &[SipMessage]) -> HashSet<String> {
    let mut line_servers: HashSet<String> = HashSet::default();
    for m in messages {
        if let Some(p) = extract::provisioning(m) {
            if let Some(s) = p.line_server_uri {
                line_servers.insert(strip_uri_params(&s));
            }
        }
    }
    line_servers
}

/// The Call-IDs of RCC dialogs: CSTA or line-server INVITE/INFO/BYE, and the provisioning
/// subscription.
fn rcc_calls(messages: &[SipMessage], line_servers: &HashSet<String>) -> HashSet<String> {
    let mut rcc_calls: HashSet<String> = HashSet::default();
    for m in messages {
        let Some(cid) = m.call_id() else { continue };
        let Some(method) = m.method() else { continue };
        let method = method.to_ascii_uppercase();
        let csta = m
            .content_type()
            .is_some_and(|c| c.to_ascii_lowercase().contains("csta"));
        let to_line_server = m
            .request_uri()
            .is_some_and(|u| line_servers.contains(&strip_uri_params(u)));
        let provisioning = matches!(method.as_str(), "SUBSCRIBE" | "NOTIFY" | "BENOTIFY")
            && extract::event(m).is_some_and(|e| e.starts_with("vnd-microsoft-provisioning"));
        if (matches!(method.as_str(), "INVITE" | "INFO" | "BYE") && (csta || to_line_server))
            || provisioning
        {
            rcc_calls.insert(cid.to_string());
        }
    }
    rcc_calls
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

pub(super) fn rows(
    messages: &[SipMessage],
    ends: &[Ends],
    al: &mut Aliases,
    columns: &Columns,
    line_servers: &HashSet<String>,
    diagnosis: Option<&Diagnosis>,
) -> Rows {
    let rcc_calls = rcc_calls(messages, line_servers);

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
    let mut prev: Option<i64> = None;
    let mut dialogs: Vec<DialogSummary> = Vec::new();
    let mut dialog_index: HashMap<String, usize> = HashMap::default();
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
        let method = match m.method() {
            Some(x) => x.to_ascii_uppercase(),
            None => m
                .cseq()
                .map(|(_, x)| x.to_ascii_uppercase())
                .unwrap_or_default(),
        };
        let label = match (m.method(), m.request_uri()) {
            (Some(meth), Some(uri)) => format!("{meth} {uri}"),
            _ => {
                let reason = m.reason().unwrap_or("");
                format!("{} {reason} ({method})", m.status().unwrap_or(0)).replace("  ", " ")
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
        let call_id = m.call_id().map(str::to_string);
        let rcc = call_id.as_ref().is_some_and(|c| rcc_calls.contains(c));
        if let Some(c) = &call_id {
            match dialog_index.get(c) {
                Some(&d) => dialogs[d].rows += 1,
                None => {
                    dialog_index.insert(c.clone(), dialogs.len());
                    dialogs.push(DialogSummary {
                        call_id: c.clone(),
                        label: label.clone(),
                        rows: 1,
                        rcc,
                    });
                }
            }
        }
        if !method.is_empty() {
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
            from: columns.of(f, al),
            to: columns.of(t, al),
            label,
            method,
            status: m.status(),
            verdict,
            call_id,
            rcc,
        });
    }
    let mut methods: Vec<String> = methods.into_iter().collect();
    methods.sort();
    Rows {
        rows,
        dialogs,
        methods,
    }
}
