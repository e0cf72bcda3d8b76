//! Merging files: time order, duplicate messages across files, clock-offset suggestions,
//! dialogs and transactions.

use super::{Dialogs, FileReport, Ingested, Transaction};
use crate::index_table::IndexTable;
use crate::sip::{known, param_tag, trim_value, via_branch, LogEvent, SipMessage, StartLineRef};
use std::hash::{Hash, Hasher};

pub(crate) use crate::fxhash::{Fx, FxMap, FxSet};

/// Header lookup by canonical name (the readers store canonical names, so exact compare).
#[inline]
fn hdr<'a>(m: &'a SipMessage, name: &str) -> Option<&'a str> {
    m.header(name)
}

/// The headers correlation needs, found in one pass.
#[derive(Default, Clone, Copy)]
struct Keys<'a> {
    via: Option<&'a str>,
    call_id: Option<&'a str>,
    cseq: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

fn keys(m: &SipMessage) -> Keys<'_> {
    // Known names are table indexes (`sip::known`): integer compares, no string compares.
    let [via, call_id, cseq, from, to] = m.first_known_slots([
        known::VIA,
        known::CALL_ID,
        known::CSEQ,
        known::FROM,
        known::TO,
    ]);
    Keys {
        via,
        call_id: call_id.map(trim_value),
        cseq: cseq.map(trim_value),
        from,
        to,
    }
}

fn call_id(m: &SipMessage) -> Option<&str> {
    hdr(m, "Call-ID").map(trim_value)
}

/// Top Via `branch` parameter.
pub(crate) fn top_branch(m: &SipMessage) -> Option<&str> {
    hdr(m, "Via").and_then(via_branch)
}

/// Identity of a message for "the same message seen twice": Call-ID, CSeq, start line, top Via
/// branch. The From tag is compared apart ([`same_sender`]): a damaged copy (a trace pasted into
/// a mail that wrapped the From line) has lost it.
fn identity(m: &SipMessage) -> Option<String> {
    let call_id = call_id(m)?;
    let cseq = hdr(m, "CSeq").unwrap_or("").trim();
    Some(format!(
        "{call_id}\u{1f}{cseq}\u{1f}{}\u{1f}{}",
        m.start_line_text(),
        top_branch(m).unwrap_or(""),
    ))
}

/// The From tag, which a damaged copy may have lost.
fn from_tag(m: &SipMessage) -> Option<&str> {
    hdr(m, "From").and_then(param_tag)
}

/// Whether two messages of one [`identity`] have the same From tag, or one of them has none.
fn same_sender(a: &SipMessage, b: &SipMessage) -> bool {
    match (from_tag(a), from_tag(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// Key of the transaction a message belongs to, for cross-file causality.
fn txn_key(m: &SipMessage) -> Option<(String, String, String)> {
    Some((
        call_id(m)?.to_string(),
        hdr(m, "CSeq")?.trim().to_string(),
        top_branch(m)?.to_string(),
    ))
}

fn millis(m: &SipMessage) -> Option<i64> {
    m.millis()
}

/// Sort keys: a message without a time takes the time of the one before it in its file, so
/// untimed messages stay where their file put them.
fn carry_forward<'a, T>(
    items: &'a [T],
    f: impl Fn(&T) -> Option<i64> + 'a,
) -> impl Iterator<Item = i64> + 'a {
    items.iter().scan(i64::MIN, move |last, x| {
        if let Some(t) = f(x) {
            *last = t;
        }
        Some(*last)
    })
}

pub(crate) fn assemble(
    mut reports: Vec<FileReport>,
    per_file: Vec<(Vec<SipMessage>, Vec<LogEvent>)>,
    correlate_now: bool,
) -> Ingested {
    suggest_offsets(&mut reports, &per_file);

    // Time order, stable: (time, file, position). Messages are large, so sort small keys and
    // permute in place (one buffer of messages; no copy when a single file is already in order).
    let total: usize = per_file.iter().map(|(m, _)| m.len()).sum();
    // A single file's vector is used as is (no second buffer of messages at the peak).
    let mut all: Vec<SipMessage> = if per_file.len() == 1 {
        Vec::new()
    } else {
        Vec::with_capacity(total)
    };
    // A single file in time order (the usual case) needs no sort keys: 16 bytes a message on
    // wasm32, at the read's high-water mark.
    let in_order = reports.len() <= 1
        && per_file.len() == 1
        && per_file
            .first()
            .is_some_and(|(m, _)| carry_forward(m, millis).is_sorted());
    let mut order: Vec<(i64, u32, usize)> = if in_order {
        Vec::new()
    } else {
        Vec::with_capacity(total)
    };
    let mut events: Vec<(i64, usize, LogEvent)> = Vec::new();
    for (fi, (mut msgs, evs)) in per_file.into_iter().enumerate() {
        let fi32 = u32::try_from(fi).unwrap_or(u32::MAX);
        if !in_order {
            for k in carry_forward(&msgs, millis) {
                order.push((k, fi32, order.len()));
            }
        }
        if all.capacity() == 0 {
            all = std::mem::take(&mut msgs);
        } else {
            all.append(&mut msgs);
        }
        drop(msgs);
        let ek: Vec<i64> =
            carry_forward(&evs, |e| e.timestamp.as_ref().and_then(|t| t.millis)).collect();
        events.extend(ek.into_iter().zip(evs).map(|(k, e)| (k, fi, e)));
    }
    if !order.is_sorted() {
        order.sort_unstable(); // (time, file, index) are unique: same order as a stable sort
        let perm: Vec<usize> = order.iter().map(|k| k.2).collect();
        apply_permutation(&mut all, &perm);
        for (i, k) in order.iter_mut().enumerate() {
            k.2 = i;
        }
    }
    events.sort_by_key(|(k, fi, _)| (*k, *fi));

    // The same message in two files → one entry with also_seen.
    let multi = reports.len() > 1;
    let messages = if multi {
        let mut files_of: Vec<Vec<u32>> = Vec::with_capacity(all.len());
        let mut seen: FxMap<String, Vec<usize>> = FxMap::default();
        let mut keep = vec![true; all.len()];
        for i in 0..all.len() {
            let fi = order[i].1;
            files_of.push(vec![fi]);
            let Some(id) = identity(&all[i]) else {
                continue;
            };
            let slot = seen.entry(id).or_default();
            let earlier = slot
                .iter()
                .copied()
                .find(|&k| !files_of[k].contains(&fi) && same_sender(&all[k], &all[i]));
            if let Some(k) = earlier {
                // The copy that kept its From tag is the one read (the grades are not known
                // yet); only at the same time, so the order holds.
                if from_tag(&all[k]).is_none()
                    && from_tag(&all[i]).is_some()
                    && all[i].millis() == all[k].millis()
                {
                    let (first, rest) = all.split_at_mut(i);
                    std::mem::swap(&mut first[k], &mut rest[0]);
                    // The places the damaged copy collected go with the copy that is kept.
                    for place in rest[0].also_seen().to_vec() {
                        first[k].add_also_seen(place);
                    }
                }
                let src = all[i].source.clone();
                all[k].add_also_seen(src);
                files_of[k].push(fi);
                keep[i] = false;
            } else {
                slot.push(i);
            }
        }
        let mut idx = 0;
        all.retain(|_| {
            idx += 1;
            keep[idx - 1]
        });
        all
    } else {
        all
    };

    // The sort keys go before the correlation's tables come: both are a few MB for a 100 MB log,
    // and wasm memory grows to the highest sum.
    drop(order);
    // Keys are recomputed per pass (a scan of a few header slots) rather than kept for every
    // message: that would be ~80 bytes per message at the memory peak.
    let (dialogs, transaction_count) = if correlate_now {
        dialogs_and_transaction_count(&messages)
    } else {
        (Dialogs::default(), 0)
    };
    Ingested {
        files: reports,
        messages,
        events: events.into_iter().map(|(_, _, e)| e).collect(),
        dialogs,
        transaction_count,
        correlation_pending: !correlate_now,
        ungraded: Vec::new(),
    }
}

/// Reorder so that `v[j]` becomes the old `v[perm[j]]`, in place (cycle by cycle).
fn apply_permutation<T>(v: &mut [T], perm: &[usize]) {
    let mut done = vec![false; v.len()];
    for i in 0..v.len() {
        if done[i] {
            continue;
        }
        let mut j = i;
        while perm[j] != i && !done[perm[j]] {
            v.swap(j, perm[j]);
            done[j] = true;
            j = perm[j];
        }
        done[j] = true;
    }
}

/// For each file after the first, an offset that would put it in causal order with the earlier
/// files: the same message should not be seen at very different times, and a response should not
/// come before its request. Every suggestion is on the first file's clock: a file is compared
/// with the earlier ones as their suggestions would shift them (a proxy's log shares messages
/// with the Front End's, not the client's), so all of them can be applied at once.
fn suggest_offsets(reports: &mut [FileReport], per_file: &[(Vec<SipMessage>, Vec<LogEvent>)]) {
    if per_file.len() < 2 {
        return;
    }
    let mut ids: FxMap<String, i64> = FxMap::default();
    let mut requests: FxMap<(String, String, String), i64> = FxMap::default();
    let mut responses: FxMap<(String, String, String), i64> = FxMap::default();
    for (fi, (msgs, _)) in per_file.iter().enumerate() {
        // How far this file's times move onto the first file's clock.
        let mut shift = 0i64;
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
            shift = suggestion.unwrap_or(0);
            if let Some(r) = reports.get_mut(fi) {
                r.suggested_clock_offset_ms = suggestion
                    .filter(|&s| s != 0)
                    .map(|s| s.saturating_add(r.clock_offset_ms));
            }
        }
        for m in msgs {
            let Some(t) = millis(m).map(|t| t.saturating_add(shift)) else {
                continue;
            };
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

/// Dialogs (Call-ID + tags) and the number of transactions, in one pass. The analysis needs
/// only how many transactions there are: listing them ([`transactions`]) would cost an entry
/// and two strings per request, about a tenth of reading a log.
pub(super) fn dialogs_and_transaction_count(messages: &[SipMessage]) -> (Dialogs, usize) {
    let mut dialogs = DialogWalk::new(messages);
    // A message of each transaction, by index: its key is read again when a probe lands on
    // it, rather than kept in every bucket.
    let mut transactions = IndexTable::with_capacity(messages.len() / 2);
    let key_of = |j: u32| {
        let r = &messages[j as usize];
        // Only the two headers a branch key reads (the scan stops once it has them).
        let [via, cseq] = r.first_known_slots([known::VIA, known::CSEQ]);
        let k = Keys {
            via,
            call_id: None,
            cseq: cseq.map(trim_value),
            from: None,
            to: None,
        };
        // Without a branch the key needs the Call-ID and the From tag too.
        transaction_key(r, &k).or_else(|| transaction_key(r, &keys(r)))
    };
    let mut count = 0;
    for (i, m) in messages.iter().enumerate() {
        let k = keys(m);
        dialogs.add(&k);
        if let Some(key) = transaction_key(m, &k) {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            if transactions.insert(&Some(key), i, key_of).is_none() {
                count += 1;
            }
        }
    }
    (dialogs.finish(), count)
}
/// The transactions (top Via branch + CSeq method) of `messages`, each with its messages and
/// retransmissions.
pub(crate) fn transactions(messages: &[SipMessage]) -> Vec<Transaction> {
    let mut transactions = Transactions::with_capacity(messages.len() / 2);
    for (i, m) in messages.iter().enumerate() {
        transactions.add(i, m, &keys(m));
    }
    transactions.out
}

/// What names a message's transaction (RFC 3261 17.1.3, 17.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TxnKey<'a> {
    /// The top Via's branch and the CSeq method.
    Branch(&'a str, &'a str),
    /// A top Via without a branch (an RFC 2543 peer, or a published log that lost it): what
    /// 17.2.3 matches on then that a response repeats too, the top Via's transport and sent-by,
    /// the Call-ID, the From tag and the CSeq (number and method). Not the Request-URI or the To
    /// tag, which a response lacks or adds.
    NoBranch {
        sent_by: &'a str,
        call_id: &'a str,
        from_tag: Option<&'a str>,
        cseq: &'a str,
        method: &'a str,
    },
}

impl<'a> TxnKey<'a> {
    /// The branch as [`Transaction::branch`] shows it (empty without one).
    fn branch(self) -> &'a str {
        match self {
            TxnKey::Branch(branch, _) => branch,
            TxnKey::NoBranch { .. } => "",
        }
    }

    fn method(self) -> &'a str {
        match self {
            TxnKey::Branch(_, method) | TxnKey::NoBranch { method, .. } => method,
        }
    }
}

/// What names a message's transaction: its top Via branch and its CSeq method (the request's
/// method when the CSeq has none); without a branch, [`TxnKey::NoBranch`] (it needs the
/// Call-ID, which `k` may then not hold: `None`).
fn transaction_key<'a>(m: &'a SipMessage, k: &Keys<'a>) -> Option<TxnKey<'a>> {
    let via = k.via?;
    let method = k
        .cseq
        .and_then(|v| {
            // "1 INVITE": the word after the number (split by bytes: SP and HTAB are ASCII).
            let blank = |s: &str| s.bytes().position(|c| c == b' ' || c == b'\t');
            let v = v.trim_ascii();
            let rest = v.get(blank(v)?..)?.trim_ascii_start();
            rest.get(..blank(rest).unwrap_or(rest.len()))
        })
        .filter(|m| !m.is_empty())
        .or_else(|| m.method())
        .unwrap_or("");
    if let Some(branch) = via_branch(via) {
        return Some(TxnKey::Branch(branch, method));
    }
    // The top Via entry up to its parameters (a header may hold several entries).
    let top = via.split(',').next().unwrap_or(via);
    let sent_by = top.split(';').next().unwrap_or(top).trim_ascii();
    Some(TxnKey::NoBranch {
        sent_by,
        call_id: k.call_id?,
        from_tag: k.from.and_then(param_tag),
        cseq: k.cseq?.trim_ascii(),
        method,
    })
}

/// What a message says of its dialog: the Call-ID and the tags of its From and To, read as the
/// dialogs were found (so that [`super::Dialog`] reads back what matched).
#[derive(Clone, Copy)]
pub(super) struct DialogKey<'a> {
    pub call_id: Option<&'a str>,
    pub from_tag: Option<&'a str>,
    pub to_tag: Option<&'a str>,
}

pub(super) fn dialog_key(m: &SipMessage) -> DialogKey<'_> {
    dialog_key_of(&keys(m))
}

/// [`DialogKey::call_id`] alone, found as [`keys`] finds it (the first slot named Call-ID) but
/// without reading the other headers: the diagnosis asks it of every dialog.
pub(super) fn dialog_call_id(m: &SipMessage) -> Option<&str> {
    m.first_known_slot(known::CALL_ID).map(trim_value)
}

fn dialog_key_of<'a>(k: &Keys<'a>) -> DialogKey<'a> {
    DialogKey {
        call_id: k.call_id,
        from_tag: k.from.and_then(param_tag),
        to_tag: k.to.and_then(param_tag),
    }
}

/// A dialog while the messages are walked: its tags borrowed for matching, where its to-tag
/// came from, and the next dialog of the same Call-ID.
struct OpenDialog<'a> {
    from_tag: Option<&'a str>,
    to_tag: Option<&'a str>,
    to_tag_at: u32,
    next: u32,
    /// Its Call-ID: what the table of the first dialog of each Call-ID compares.
    call_id: &'a str,
}

/// Finds the dialogs in one walk of the messages, in order (see [`DialogWalk::add`]).
struct DialogWalk<'a> {
    open: Vec<OpenDialog<'a>>,
    /// The first dialog of each Call-ID, by index (the key is the dialog's own Call-ID, not a
    /// copy of it in every bucket); the others follow it through [`OpenDialog::next`].
    by_call: IndexTable,
    /// Each message's dialog ([`Dialogs::NONE`] without a Call-ID).
    dialog_of: Vec<u32>,
}

impl<'a> DialogWalk<'a> {
    /// A walk of `messages` ([`DialogWalk::add`] each, in order).
    fn new(messages: &'a [SipMessage]) -> Self {
        let n = messages.len();
        DialogWalk {
            open: Vec::with_capacity(n / 8),
            by_call: IndexTable::with_capacity(n / 8),
            dialog_of: Vec::with_capacity(n),
        }
    }

    /// The next message, by its keys: into the first dialog of its Call-ID whose tags match
    /// (either way round; a missing to-tag matches any and is learnt), else a new dialog.
    fn add(&mut self, k: &Keys<'a>) {
        let i = u32::try_from(self.dialog_of.len()).unwrap_or(Dialogs::NONE);
        let key = dialog_key_of(k);
        let Some(call_id) = key.call_id else {
            self.dialog_of.push(Dialogs::NONE);
            return;
        };
        let (ft, tt) = (key.from_tag, key.to_tag);
        let open = &mut self.open;
        let call_of = |open: &[OpenDialog<'a>], d: u32| open[d as usize].call_id;
        let new = u32::try_from(open.len()).unwrap_or(Dialogs::NONE);
        let first = self.by_call.find(&call_id, |d| call_of(open, d));
        let (mut at, mut last) = (first.unwrap_or(new), None);
        let found = loop {
            let Some(dl) = open.get(at as usize) else {
                break None;
            };
            let (a, b) = (dl.from_tag, dl.to_tag);
            let same = a == ft && (b.is_none() || tt.is_none() || b == tt);
            let reverse = a.is_some() && a == tt && (b.is_none() || b == ft);
            if same || reverse {
                break Some(at);
            }
            (last, at) = (Some(at), dl.next);
        };
        let d = match found {
            Some(d) => {
                let dl = &mut open[d as usize];
                if dl.to_tag.is_none() {
                    let (other, from) = if dl.from_tag == ft {
                        (tt, 0)
                    } else {
                        (ft, Dialogs::FROM)
                    };
                    if other.is_some() {
                        dl.to_tag = other;
                        dl.to_tag_at = i | from;
                    }
                }
                d
            }
            None => {
                if let Some(l) = last.and_then(|l| open.get_mut(l as usize)) {
                    l.next = new;
                }
                open.push(OpenDialog {
                    from_tag: ft,
                    to_tag: tt,
                    to_tag_at: if tt.is_some() { i } else { Dialogs::NONE },
                    next: Dialogs::NONE,
                    call_id,
                });
                if first.is_none() {
                    self.by_call.insert(&call_id, new, |d| call_of(open, d));
                }
                new
            }
        };
        self.dialog_of.push(d);
    }

    /// The dialogs, each message listed under its own (one list, no slack).
    fn finish(self) -> Dialogs {
        let DialogWalk {
            open, dialog_of, ..
        } = self;
        let mut starts = vec![0u32; open.len()];
        for &d in &dialog_of {
            if let Some(n) = starts.get_mut(d as usize) {
                *n += 1;
            }
        }
        let mut total = 0u32;
        for s in &mut starts {
            (*s, total) = (total, total + *s);
        }
        let mut next = starts.clone();
        let mut messages = vec![0u32; total as usize];
        for (i, &d) in dialog_of.iter().enumerate() {
            if let Some(at) = next.get_mut(d as usize) {
                messages[*at as usize] = u32::try_from(i).unwrap_or(Dialogs::NONE);
                *at += 1;
            }
        }
        Dialogs {
            starts,
            messages,
            to_tags: open.iter().map(|d| d.to_tag_at).collect(),
        }
    }
}

struct Transactions<'a> {
    out: Vec<Transaction>,
    index: FxMap<TxnKey<'a>, usize>,
    copies: FxSet<(usize, u64)>,
}

impl<'a> Transactions<'a> {
    fn with_capacity(n: usize) -> Self {
        Transactions {
            out: Vec::with_capacity(n),
            index: FxMap::with_capacity_and_hasher(n, Default::default()),
            copies: FxSet::with_capacity_and_hasher(n, Default::default()),
        }
    }

    fn add(&mut self, i: usize, m: &'a SipMessage, k: &Keys<'a>) {
        let out = &mut self.out;
        let Some(key) = transaction_key(m, k) else {
            return;
        };
        let t = *self.index.entry(key).or_insert_with(|| {
            out.push(Transaction {
                branch: key.branch().to_string(),
                method: key.method().to_string(),
                messages: Vec::new(),
                retransmissions: 0,
            });
            out.len() - 1
        });
        let dir = m.direction.map_or(0, |d| d as u8 + 1);
        // Same file, direction and start line (hashed: collisions only miscount a retransmission).
        let mut h = Fx::default();
        (&*m.source.file, dir).hash(&mut h);
        match m.start_line() {
            StartLineRef::Request { method, uri } => (method, uri).hash(&mut h),
            StartLineRef::Response { code, reason } => (code, reason).hash(&mut h),
        }
        let key = (t, h.finish());
        if !self.copies.insert(key) {
            out[t].retransmissions += 1;
        }
        out[t].messages.push(i);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn permutes_in_place() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        super::apply_permutation(&mut v, &[2, 0, 1, 4, 3]);
        assert_eq!(v, vec!['c', 'a', 'b', 'e', 'd']);
    }
}
