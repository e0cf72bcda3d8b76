//! Merging files: time order, duplicate messages across files, clock-offset suggestions,
//! dialogs and transactions.

use super::{Dialog, FileReport, Ingested, Transaction};
use crate::core::sip::{LogEvent, SipMessage};
use std::collections::HashMap;

/// Top Via `branch` parameter.
pub(crate) fn top_branch(m: &SipMessage) -> Option<&str> {
    let via = m.header("Via")?;
    let first = via.split(',').next().unwrap_or(via);
    first.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("branch").then(|| v.trim())
    })
}

/// Identity of a message for "the same message seen twice": Call-ID, CSeq, start line, top Via
/// branch, From tag.
fn identity(m: &SipMessage) -> Option<String> {
    let call_id = m.call_id()?;
    let cseq = m.header("CSeq").unwrap_or("").trim();
    Some(format!(
        "{call_id}\u{1f}{cseq}\u{1f}{}\u{1f}{}\u{1f}{}",
        m.start_line_text(),
        top_branch(m).unwrap_or(""),
        m.from_tag().unwrap_or("")
    ))
}

/// Key of the transaction a message belongs to, for cross-file causality.
fn txn_key(m: &SipMessage) -> Option<(String, String, String)> {
    Some((
        m.call_id()?.to_string(),
        m.header("CSeq")?.trim().to_string(),
        top_branch(m)?.to_string(),
    ))
}

fn millis(m: &SipMessage) -> Option<i64> {
    m.timestamp.as_ref().and_then(|t| t.millis)
}

/// Sort keys: a message without a time takes the time of the one before it in its file, so
/// untimed messages stay where their file put them.
fn carry_forward<T>(items: &[T], f: impl Fn(&T) -> Option<i64>) -> Vec<i64> {
    let mut last = i64::MIN;
    items
        .iter()
        .map(|x| {
            if let Some(t) = f(x) {
                last = t;
            }
            last
        })
        .collect()
}

pub(crate) fn assemble(
    mut reports: Vec<FileReport>,
    per_file: Vec<(Vec<SipMessage>, Vec<LogEvent>)>,
) -> Ingested {
    suggest_offsets(&mut reports, &per_file);

    // Time order, stable: (time, file, position).
    let mut tagged: Vec<(i64, usize, SipMessage)> = Vec::new();
    let mut events: Vec<(i64, usize, LogEvent)> = Vec::new();
    for (fi, (msgs, evs)) in per_file.into_iter().enumerate() {
        let keys = carry_forward(&msgs, millis);
        tagged.extend(keys.into_iter().zip(msgs).map(|(k, m)| (k, fi, m)));
        let keys = carry_forward(&evs, |e| e.timestamp.as_ref().and_then(|t| t.millis));
        events.extend(keys.into_iter().zip(evs).map(|(k, e)| (k, fi, e)));
    }
    tagged.sort_by_key(|(k, fi, _)| (*k, *fi));
    events.sort_by_key(|(k, fi, _)| (*k, *fi));

    // The same message in two files → one entry with also_seen.
    let mut messages: Vec<SipMessage> = Vec::with_capacity(tagged.len());
    let mut files_of: Vec<Vec<usize>> = Vec::with_capacity(tagged.len());
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    let multi = reports.len() > 1;
    for (_, fi, m) in tagged {
        if multi {
            if let Some(id) = identity(&m) {
                let slot = seen.entry(id).or_default();
                if let Some(&keep) = slot.iter().find(|&&k| !files_of[k].contains(&fi)) {
                    messages[keep].also_seen.push(m.source.clone());
                    files_of[keep].push(fi);
                    continue;
                }
                slot.push(messages.len());
            }
        }
        files_of.push(vec![fi]);
        messages.push(m);
    }

    let dialogs = dialogs(&messages);
    let transactions = transactions(&messages);
    Ingested {
        files: reports,
        messages,
        events: events.into_iter().map(|(_, _, e)| e).collect(),
        dialogs,
        transactions,
    }
}

/// For each file after the first, an offset that would put it in causal order with the earlier
/// files: the same message should not be seen at very different times, and a response should not
/// come before its request.
fn suggest_offsets(reports: &mut [FileReport], per_file: &[(Vec<SipMessage>, Vec<LogEvent>)]) {
    if per_file.len() < 2 {
        return;
    }
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut requests: HashMap<(String, String, String), i64> = HashMap::new();
    let mut responses: HashMap<(String, String, String), i64> = HashMap::new();
    for (fi, (msgs, _)) in per_file.iter().enumerate() {
        if fi > 0 {
            let mut deltas = Vec::new();
            let mut need_later = 0i64; // this file's responses precede requests elsewhere
            let mut need_earlier = 0i64; // this file's requests follow responses elsewhere
            for m in msgs {
                let Some(t) = millis(m) else { continue };
                if let Some(&t0) = identity(m).as_ref().and_then(|id| ids.get(id)) {
                    deltas.push(t0 - t);
                }
                if let Some(k) = txn_key(m) {
                    if m.status().is_some() {
                        if let Some(&tr) = requests.get(&k) {
                            need_later = need_later.max(tr - t + 1);
                        }
                    } else if let Some(&ts) = responses.get(&k) {
                        need_earlier = need_earlier.max(t - ts + 1);
                    }
                }
            }
            let suggestion = if !deltas.is_empty() {
                deltas.sort_unstable();
                let median = deltas[deltas.len() / 2];
                (median.abs() >= 500 || need_later > 0 || need_earlier > 0).then_some(median)
            } else if need_later > 0 {
                Some(need_later)
            } else if need_earlier > 0 {
                Some(-need_earlier)
            } else {
                None
            };
            if let Some(r) = reports.get_mut(fi) {
                r.suggested_clock_offset_ms = suggestion
                    .filter(|&s| s != 0)
                    .map(|s| s.saturating_add(r.clock_offset_ms));
            }
        }
        for m in msgs {
            let Some(t) = millis(m) else { continue };
            if let Some(id) = identity(m) {
                ids.entry(id).or_insert(t);
            }
            if let Some(k) = txn_key(m) {
                let map = if m.status().is_some() {
                    &mut responses
                } else {
                    &mut requests
                };
                map.entry(k).or_insert(t);
            }
        }
    }
}

fn dialogs(messages: &[SipMessage]) -> Vec<Dialog> {
    let mut out: Vec<Dialog> = Vec::new();
    let mut by_call: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        let Some(call_id) = m.call_id() else { continue };
        let (ft, tt) = (m.from_tag(), m.to_tag());
        let cands = by_call.entry(call_id).or_default();
        let found = cands.iter().copied().find(|&d| {
            let dl = &out[d];
            let (a, b) = (dl.from_tag.as_deref(), dl.to_tag.as_deref());
            let same = a == ft && (b.is_none() || tt.is_none() || b == tt);
            let reverse = a.is_some() && a == tt && (b.is_none() || b == ft);
            same || reverse
        });
        match found {
            Some(d) => {
                let dl = &mut out[d];
                if dl.to_tag.is_none() {
                    let other = if dl.from_tag.as_deref() == ft { tt } else { ft };
                    dl.to_tag = other.map(str::to_string);
                }
                dl.messages.push(i);
            }
            None => {
                cands.push(out.len());
                out.push(Dialog {
                    call_id: call_id.to_string(),
                    from_tag: ft.map(str::to_string),
                    to_tag: tt.map(str::to_string),
                    messages: vec![i],
                });
            }
        }
    }
    out
}

fn transactions(messages: &[SipMessage]) -> Vec<Transaction> {
    let mut out: Vec<Transaction> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut copies: std::collections::HashSet<(usize, &str, u8, String)> = Default::default();
    for (i, m) in messages.iter().enumerate() {
        let Some(branch) = top_branch(m) else {
            continue;
        };
        let method = m
            .cseq()
            .map(|(_, meth)| meth)
            .or_else(|| m.method())
            .unwrap_or("");
        let t = *index.entry((branch, method)).or_insert_with(|| {
            out.push(Transaction {
                branch: branch.to_string(),
                method: method.to_string(),
                messages: Vec::new(),
                retransmissions: 0,
            });
            out.len() - 1
        });
        let dir = m.direction.map_or(0, |d| d as u8 + 1);
        let key = (t, m.source.file.as_str(), dir, m.start_line_text());
        if !copies.insert(key) {
            out[t].retransmissions += 1;
        }
        out[t].messages.push(i);
    }
    out
}
