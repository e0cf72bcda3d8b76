//! What the logs show of the remote call control set-up, read by SIP transaction.
//!
//! Two steps. [`RccIndex::build`] walks the messages once and keeps the few that matter: the
//! client's configuration SUBSCRIBEs and their answers (every generation), the CSTA calls,
//! REGISTER exchanges and the challenges a server sent, and the line servers the configuration
//! answers name (which the ladder needs too, so it does not read the answers again); then the
//! messages of the few Call-IDs it looks into (the CSTA calls, the records, the challenges) in one
//! more step (`Ingested::messages_by_call`: through the dialogs when reading found
//! them, else one read of each message's Call-ID). A 100 MB log of presence, IM and media traffic
//! is diagnosed from that index, not by walking every message again for each call. [`observe`] then reads each CSTA call as
//! RFC 3261 transactions (Via branch, CSeq, Call-ID), not by method names:
//!
//! * The client's INVITE carries one Via (its own); a copy forwarded by the Home Server carries
//!   the Home Server's Via on top. A response's top Via names who receives it: the client's
//!   branch for the answer delivered to the client, the Home Server's for the answer it got from
//!   the next hop. So each message shows which leg it travelled, whatever log it came from.
//! * The client ACKs every final answer (RFC 3261 17.1.1.3): the ACK of an error answer has the
//!   INVITE's branch and CSeq number and belongs to the INVITE transaction; it never turns a
//!   failed INVITE into a session. Only the ACK of a 2xx is the session's ACK.
//! * A retransmitted INVITE (same branch) is not a new attempt; a CANCEL and its 487, or a 408
//!   (the client's own after Timer B, 64 x T1 = 32 s, or a server's), mean no final answer came.
//! * A re-INVITE inside the session (To tag set) refreshes it (RFC 4028); a new INVITE after a
//!   working session (the client rebuilding it after 12-24 h) is a new attempt. The latest
//!   attempt with an outcome is the one judged: the current state; the client's own attempts
//!   before a test tool's (SIPp) sent on the user's behalf.

use crate::evidence::Evidence;
use crate::extract::{self, ConfigSource, CstaBody, MsDiagnostic, Provisioning};
use crate::findings::FindingId;
use crate::fxhash::{FxMap, FxSet};
use crate::ingest::{FileReport, Ingested, LogFormat};
use crate::profile::{Profile, Role};
pub use crate::rcc_marks::is_csta_invite;
use crate::rcc_marks::RccMarks;
use crate::routing::{participant_of_product, Topology};
use crate::sip::{Direction, LogEvent, SipMessage};
use crate::uri::{self, NameAddr};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// RFC 3261 Timer B (64 x T1, T1 = 500 ms): an INVITE client transaction with no final answer
/// times out after this long.
pub const TIMER_B_MS: i64 = 32_000;
/// Log stamps are the send as written, after the transaction and its timer started: a "Timer B
/// fired" line a few milliseconds short of 32 s after the send is the timeout.
const TIMER_SLACK_MS: i64 = 500;

/// The messages that matter for remote call control, by index into the messages.
#[derive(Debug, Clone, Default)]
pub struct RccIndex {
    /// Configuration answers (provisioning, provisioning-v2, roaming-self), in time order, each
    /// as its message and its document: a log repeats a few documents to every sign-in (the
    /// 100 MB synthetic log: 147k answers), and an answer written out with its evidence
    /// ([`RccIndex::config_answer`]) is needed only for the user's.
    pub config: Vec<ConfigAnswer>,
    /// Every distinct configuration document read, by number ([`ConfigAnswer::document`]).
    pub config_documents: Vec<Provisioning>,
    /// The line server URI of every configuration answer, whatever request it answers
    /// (`config` keeps the answers to SUBSCRIBEs), each once: the ladder marks the dialogs
    /// sent to them as remote call control.
    pub(crate) line_servers: FxSet<String>,
    /// The client's SUBSCRIBEs for its configuration.
    pub config_subscribes: Vec<usize>,
    /// CSTA calls: the Call-ID of each CSTA INVITE with every message of that Call-ID, in time
    /// order of their first CSTA INVITE. When the logs hold no CSTA INVITE at all, the Call-IDs
    /// of the CSTA INFOs instead (a session the logs show only from inside).
    pub csta_calls: Vec<(String, Vec<usize>)>,
    /// Every CSTA INVITE ([`is_csta_invite`]), by index into the messages, in order: judged
    /// once, in the walk that finds the calls.
    pub csta_invites: Vec<usize>,
    /// REGISTER requests and their answers.
    pub registers: Vec<usize>,
    /// 401, 403 and 407 answers (a server refusing or challenging).
    pub refusals: Vec<usize>,
    /// For each refusal, the request it answers: the latest before it with its Call-ID and
    /// CSeq.
    pub refusal_requests: Vec<Option<usize>>,
    /// Time of the last timestamped message.
    pub log_end_ms: Option<i64>,
    /// Every record of the logs (server diagnostic records, client ERROR lines), read once.
    pub records: Vec<Record>,
    /// For each CSTA call (in the order of `csta_calls`), the records about it: by their Call-ID
    /// field, or (a client trace's "Timer B fired for INVITE <call-id>" line) by naming it in
    /// their text; by index into `records`, in log order.
    pub call_records: Vec<Vec<usize>>,
    /// For each record, the request it is about as the logs show it (the first request of its
    /// Call-ID with its `SIP-Start-Line`), by index into the messages.
    pub record_requests: Vec<Option<usize>>,
}

/// One configuration answer of [`RccIndex::config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigAnswer {
    /// The answer, by index into the messages.
    pub message: usize,
    /// What it says, by index into [`RccIndex::config_documents`].
    pub document: usize,
}

fn is(method: Option<&str>, name: &str) -> bool {
    method.is_some_and(|m| m.eq_ignore_ascii_case(name))
}

impl RccIndex {
    /// One pass over the messages, then the messages of the Call-IDs it looks into.
    pub fn build(ingested: &Ingested) -> RccIndex {
        let messages = &ingested.messages;
        let mut ix = RccIndex::default();
        // The CSTA calls' Call-IDs, in order of their first CSTA INVITE.
        let mut csta_ids: Vec<&str> = Vec::new();
        let mut csta_seen: FxSet<&str> = FxSet::default();
        // The Call-IDs of CSTA INFOs, in order of their first: the calls when no CSTA INVITE
        // is in the logs at all (an excerpt of a session's INFOs).
        let mut info_ids: Vec<&str> = Vec::new();
        let mut info_seen: FxSet<&str> = FxSet::default();
        let mut configs = extract::ConfigReader::default();
        // The log runs until its last timestamp, a message's or a record's (a client trace's
        // "Timer B fired" line comes 32 s after the last message): the messages' read in the
        // walk below.
        ix.log_end_ms = ingested
            .events
            .iter()
            .filter_map(|e| e.timestamp.as_ref().and_then(|t| t.millis))
            .max();
        for (i, m) in messages.iter().enumerate() {
            ix.log_end_ms = ix.log_end_ms.max(m.millis());
            let marks = RccMarks::read(m);
            // Read whatever it answers: an answer's line server counts too (`line_servers`).
            let document = if marks.has(RccMarks::CONFIG_CANDIDATE) {
                configs.read(m)
            } else {
                None
            };
            let answer = |document| ConfigAnswer {
                message: i,
                document,
            };
            match m.status() {
                None => {
                    if marks.has(RccMarks::CONFIG_SUBSCRIBE) {
                        ix.config_subscribes.push(i);
                    }
                    // A NOTIFY's or a BENOTIFY's (no other request is a candidate).
                    ix.config.extend(document.map(answer));
                    if marks.has(RccMarks::CSTA_INVITE) {
                        ix.csta_invites.push(i);
                        if let Some(c) = m.call_id().filter(|c| csta_seen.insert(c)) {
                            csta_ids.push(c);
                        }
                    }
                    if marks.has(RccMarks::REGISTER) {
                        ix.registers.push(i);
                    }
                    if marks.has(RccMarks::CSTA_INFO) && csta_ids.is_empty() {
                        if let Some(c) = m.call_id().filter(|c| info_seen.insert(c)) {
                            info_ids.push(c);
                        }
                    }
                }
                Some(status) => {
                    if marks.has(RccMarks::SUBSCRIBE_ANSWER) {
                        ix.config.extend(document.map(answer));
                    } else if marks.has(RccMarks::REGISTER) {
                        ix.registers.push(i);
                    }
                    if matches!(status, 401 | 403 | 407) {
                        ix.refusals.push(i);
                    }
                }
            }
        }
        if csta_ids.is_empty() {
            csta_ids = info_ids;
        }
        ix.config_documents = configs.into_documents();
        ix.line_servers = ix
            .config_documents
            .iter()
            .filter_map(|p| p.line_server_uri.clone())
            .collect();
        ix.records = ingested.events.iter().map(Record::of).collect();
        // The messages of every Call-ID looked into below (the CSTA calls, the records that name
        // a request, the refusals), found together.
        let mut by_call: FxMap<&str, Vec<usize>> = FxMap::default();
        let record_calls = ix.records.iter().filter(|r| r.start_line.is_some());
        for call in csta_ids
            .iter()
            .copied()
            .chain(record_calls.filter_map(|r| r.call_id.as_deref()))
            .chain(
                ix.refusals
                    .iter()
                    .filter_map(|&r| messages.get(r)?.call_id()),
            )
        {
            by_call.entry(call).or_default();
        }
        ingested.messages_by_call(&mut by_call);
        ix.record_requests = record_requests(ingested, &ix.records, &by_call);
        ix.refusal_requests = refusal_requests(ingested, &ix.refusals, &by_call);
        // Last: the calls take their lists out of `by_call`.
        ix.csta_calls = csta_calls(ingested, csta_ids, by_call);
        ix.call_records = call_records(&ix.records, &ix.csta_calls);
        ix
    }

    /// Whether message `i` is a CSTA INVITE ([`is_csta_invite`]).
    pub fn is_csta_invite_at(&self, i: usize) -> bool {
        self.csta_invites.binary_search(&i).is_ok()
    }

    /// What a configuration answer says, read once for all its copies.
    pub fn config_document(&self, answer: &ConfigAnswer) -> &Provisioning {
        &self.config_documents[answer.document]
    }

    /// A configuration answer written out, with its own message as evidence.
    pub fn config_answer(&self, answer: &ConfigAnswer, messages: &[SipMessage]) -> Provisioning {
        let document = self.config_document(answer);
        Provisioning {
            evidence: messages[answer.message].evidence(),
            ..document.clone()
        }
    }

    /// The user's configuration answers (a NOTIFY's request URI or an answer's To names the
    /// user), in time order; all of them when none names the user or the user is not known.
    pub fn users_config(
        &self,
        messages: &[SipMessage],
        user_aor: Option<&str>,
    ) -> Vec<ConfigAnswer> {
        let all = self.config.iter().copied();
        let Some(user_aor) = user_aor else {
            return all.collect();
        };
        let names_user = |answer: &ConfigAnswer| {
            messages.get(answer.message).is_some_and(|m| {
                let to = if m.is_request() {
                    m.request_uri()
                } else {
                    m.header("To")
                };
                to.is_some_and(|t| uri::aor_is(t, user_aor))
            })
        };
        let mine: Vec<_> = all.clone().filter(names_user).collect();
        if mine.is_empty() {
            all.collect()
        } else {
            mine
        }
    }

    /// Every message the index keeps (for topology and generation inference).
    pub fn messages<'m>(
        &'m self,
        messages: &'m [SipMessage],
    ) -> impl Iterator<Item = &'m SipMessage> + 'm {
        self.config
            .iter()
            .map(|answer| answer.message)
            .chain(self.config_subscribes.iter().copied())
            .chain(self.csta_calls.iter().flat_map(|(_, v)| v.iter().copied()))
            .chain(self.registers.iter().copied())
            .filter_map(move |i| messages.get(i))
    }
}

/// Every message of each CSTA call (by Call-ID), in time order: `by_call` holds each call's
/// ([`Ingested::messages_by_call`]); a call with none there (its Call-ID read another way: a
/// damaged message) from the messages themselves, in one more pass when there is such a call.
fn csta_calls<'m>(
    ingested: &Ingested,
    ids: Vec<&'m str>,
    mut by_call: FxMap<&'m str, Vec<usize>>,
) -> Vec<(String, Vec<usize>)> {
    let at: FxMap<&str, usize> = ids.iter().enumerate().map(|(k, c)| (*c, k)).collect();
    // The Call-IDs are distinct (the walk keeps each one's first CSTA INVITE).
    let mut calls: Vec<Vec<usize>> = ids
        .iter()
        .map(|c| by_call.remove(c).unwrap_or_default())
        .collect();
    let without_dialog: Vec<bool> = calls.iter().map(Vec::is_empty).collect();
    if without_dialog.contains(&true) {
        for (i, m) in ingested.messages.iter().enumerate() {
            if let Some(&k) = m.call_id().and_then(|c| at.get(c)) {
                if without_dialog[k] {
                    calls[k].push(i);
                }
            }
        }
    }
    // Each list is in time order already, without repeats: `by_call`'s are, and the pass
    // above adds a call's messages in order to a list it found empty.
    debug_assert!(calls.iter().all(|c| c.windows(2).all(|w| w[0] < w[1])));
    ids.into_iter()
        .zip(calls)
        .map(|(id, all)| (id.to_string(), all))
        .collect()
}

/// The records about each CSTA call (see [`RccIndex::call_records`]). A record without a
/// Call-ID field is matched by every Call-ID its text contains: each piece of the text as long
/// as some CSTA Call-ID is looked up once, so the work grows with the text, not with the
/// number of calls.
fn call_records(records: &[Record], calls: &[(String, Vec<usize>)]) -> Vec<Vec<usize>> {
    let at: FxMap<&str, usize> = calls
        .iter()
        .enumerate()
        .map(|(k, (c, _))| (c.as_str(), k))
        .collect();
    let mut lengths: Vec<usize> = calls.iter().map(|(c, _)| c.len()).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let mut out = vec![Vec::new(); calls.len()];
    for (r, record) in records.iter().enumerate() {
        match (record.call_id.as_deref(), record.text.as_deref()) {
            (Some(c), _) => {
                if let Some(&k) = at.get(c) {
                    out[k].push(r);
                }
            }
            (None, Some(text)) => {
                for &len in &lengths {
                    for start in 0..=text.len().saturating_sub(len) {
                        let Some(&k) = text.get(start..start + len).and_then(|p| at.get(p)) else {
                            continue;
                        };
                        if out[k].last() != Some(&r) {
                            out[k].push(r);
                        }
                    }
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// The request each record is about (see [`RccIndex::record_requests`]), found among the
/// messages of the records' Call-IDs (`by_call`), each request's start line read once.
fn record_requests(
    ingested: &Ingested,
    records: &[Record],
    by_call: &FxMap<&str, Vec<usize>>,
) -> Vec<Option<usize>> {
    let mut first: FxMap<&str, FxMap<String, usize>> = records
        .iter()
        .filter(|r| r.start_line.is_some())
        .filter_map(|r| Some((r.call_id.as_deref()?, FxMap::default())))
        .collect();
    for (call, lines) in first.iter_mut() {
        for &i in by_call.get(call).map_or(&[][..], Vec::as_slice) {
            let Some(m) = ingested.messages.get(i).filter(|m| m.is_request()) else {
                continue;
            };
            let line = m.start_line_text().trim().to_string();
            let at = lines.entry(line).or_insert(i);
            *at = (*at).min(i);
        }
    }
    records
        .iter()
        .map(|r| {
            let lines = first.get(r.call_id.as_deref()?)?;
            lines.get(r.start_line.as_deref()?.trim()).copied()
        })
        .collect()
}

/// The request each refusal answers (see [`RccIndex::refusal_requests`]): one walk through the
/// messages of the refusals' Call-IDs (`by_call`), keeping the latest request of each CSeq.
/// A refusal without a Call-ID (a damaged message) is looked up by a walk back.
fn refusal_requests(
    ingested: &Ingested,
    refusals: &[usize],
    by_call: &FxMap<&str, Vec<usize>>,
) -> Vec<Option<usize>> {
    let msgs = &ingested.messages;
    let mut calls: FxMap<&str, Vec<usize>> = refusals
        .iter()
        .filter_map(|&ri| Some((msgs.get(ri)?.call_id()?, Vec::new())))
        .collect();
    for (c, call) in calls.iter_mut() {
        call.extend(by_call.get(c).map_or(&[][..], Vec::as_slice));
    }
    let mut answered: FxMap<usize, usize> = FxMap::default();
    // In time order, without repeats: as `by_call` holds them.
    for call in calls.values() {
        let mut latest: FxMap<Option<(u32, &str)>, usize> = FxMap::default();
        for &i in call.iter() {
            let m = &msgs[i];
            if m.is_request() {
                latest.insert(m.cseq(), i);
            } else if let Some(&req) = latest.get(&m.cseq()) {
                answered.insert(i, req);
            }
        }
    }
    refusals
        .iter()
        .map(|&ri| {
            let resp = msgs.get(ri)?;
            if resp.call_id().is_some() {
                return answered.get(&ri).copied();
            }
            msgs[..ri]
                .iter()
                .rposition(|m| m.is_request() && m.call_id().is_none() && m.cseq() == resp.cseq())
        })
        .collect()
}

/// A message as evidence: where it was read, and every other log that shows it.
pub fn seen(m: &SipMessage) -> Vec<Evidence> {
    let mut v = vec![m.evidence()];
    for o in m.also_seen() {
        v.push(Evidence::Log {
            file: o.file.to_string(),
            line_start: o.line_start,
            line_end: o.line_end,
            excerpt: m.start_line_text(),
        });
    }
    v
}

/// A final (or provisional) answer as the logs show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub status: u16,
    /// The start line as written (`SIP/2.0 404 Not Found`).
    pub start_line: String,
    /// Who produced it, when the logs tell (participant id).
    pub responder: Option<String>,
    /// What said who produced it.
    pub responder_basis: Option<String>,
    pub diagnostics: Vec<MsDiagnostic>,
    pub csta: Option<CstaBody>,
    pub evidence: Vec<Evidence>,
}

impl Answer {
    /// A CSTA error, or a systemStatus other than normal.
    pub fn csta_problem(&self) -> Option<String> {
        let c = self.csta.as_ref()?;
        if let Some(e) = &c.error {
            return Some(e.clone());
        }
        if c.is_error() {
            return Some(c.name.clone());
        }
        match &c.system_status {
            Some(s) if !s.eq_ignore_ascii_case("normal") => Some(format!("systemStatus {s}")),
            _ => None,
        }
    }

    pub fn system_status_normal(&self) -> bool {
        self.csta
            .as_ref()
            .and_then(|c| c.system_status.as_deref())
            .is_some_and(|s| s.eq_ignore_ascii_case("normal"))
    }
}

/// How an attempt ended, as far as the logs show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A 2xx reached the client: the session is up.
    Established,
    /// An error answer reached the client.
    Failed,
    /// The client gave up before a final answer (CANCEL, 487).
    Cancelled,
    /// No final answer within Timer B, or a 408.
    TimedOut,
    /// The log ends before a final answer could have come.
    Pending,
}

/// A re-INVITE inside the session (RFC 4028 refresh) and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refresh {
    pub status: Option<u16>,
    pub request: Vec<Evidence>,
    pub answer: Vec<Evidence>,
}

/// A participant the INVITE is known to have reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub participant: String,
    /// What shows it, in words (`Server: Nortel-MCM/3.0`).
    pub how: String,
    /// The message that shows it.
    pub evidence: Evidence,
}

/// A CSTA INFO exchange inside the session (GetCSTAFeatures, MonitorStart, MakeCall...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoExchange {
    /// The CSTA request (`MonitorStart`).
    pub name: String,
    pub request: Vec<Evidence>,
    pub answer: Option<Answer>,
    /// The number a `MakeCall` asks the gateway to dial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialled: Option<String>,
}

/// One attempt to set up the remote call control session: an initial CSTA INVITE transaction
/// (with its retransmissions, authentication retries, forwarded copies and answers) and what
/// happened in the session it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub call_id: String,
    pub request_uri: String,
    /// The user's address in From.
    pub from_aor: Option<String>,
    /// The INVITE carries a client's product string (Communicator, Lync); a test tool such as
    /// SIPp sending on the user's behalf does not.
    #[serde(default)]
    pub by_client: bool,
    /// The client's INVITE (and its latest retransmission, when there are any).
    pub invite: Vec<Evidence>,
    /// The CSTA device the INVITE names (the RCC extension's line).
    pub device: Option<String>,
    pub retransmissions: usize,
    /// The INVITE as the Home Server forwarded it (a copy with the Home Server's Via on top).
    pub forwarded: Option<Vec<Evidence>>,
    /// Provisional answers delivered to the client (100 Trying from the Home Server).
    pub trying: Option<Vec<Evidence>>,
    /// Provisional answers from beyond the Home Server (its next hop's 100 Trying).
    pub downstream_provisional: Option<Answer>,
    /// The final answer as the Home Server received it from the next hop.
    pub answer_back: Option<Answer>,
    /// The final answer delivered to the client.
    pub answer: Option<Answer>,
    /// The ACK of a 2xx (the session's ACK).
    pub session_ack: Option<Vec<Evidence>>,
    /// The ACK of an error answer (part of the INVITE transaction).
    pub transaction_ack: Option<Vec<Evidence>>,
    pub cancel: Option<Vec<Evidence>>,
    pub outcome: Outcome,
    /// Participants the INVITE is known to have reached, with what shows it.
    pub reached: Vec<Reached>,
    /// The participant that sent the INVITE back to a server it had passed (a routing loop),
    /// with the copy that shows it.
    #[serde(default)]
    pub looped_back: Option<(String, Vec<Evidence>)>,
    pub infos: Vec<InfoExchange>,
    /// Re-INVITEs refreshing the session, with their status.
    pub refreshes: Vec<Refresh>,
    /// Server diagnostic records about this call.
    pub records: Vec<Record>,
    pub started_ms: Option<i64>,
    /// When the call's first `Date` header says it was (UTC), for ordering attempts whose
    /// messages carry no log time (SIP pasted from mail); read only for a call with such an
    /// attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dated_ms: Option<i64>,
    /// How long the log runs after the INVITE, when it ends before Timer B without a final
    /// answer ([`Outcome::Pending`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_ends_after_ms: Option<i64>,
    /// Which of `invite` and `answer` are the Home Server's side standing in for the client's,
    /// which the logs lack.
    #[serde(default)]
    pub stand_ins: StandIns,
    /// The BYE that ended the session, when the log shows one.
    #[serde(default)]
    pub ended: Option<SessionEnd>,
}

/// How a session that came up ended: its BYE, who sent it, and how long after the 200 OK,
/// beside the session interval (RFC 4028 `Session-Expires`) that 200 OK set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEnd {
    /// The far end (the gateway's side) sent the BYE, not the client.
    pub by_far_end: bool,
    pub bye: Vec<Evidence>,
    /// From the session's 200 OK to the BYE.
    pub after_ms: Option<i64>,
    /// The 200 OK's `Session-Expires` in seconds, and its `refresher` parameter.
    pub session_expires: Option<(u32, Option<String>)>,
    /// The 200 OK that set it.
    pub answer: Vec<Evidence>,
}

/// Where the logs lack the client's side of an attempt, the Home Server's side stands in for
/// it: the INVITE it forwarded (a capture behind it holds only that copy) and the answer it
/// got back (that capture; or a log that ends before the Home Server answered the client).
/// The flow draws a leg shown only by a stand-in as inferred.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandIns {
    pub invite: bool,
    pub answer: bool,
    /// The whole set-up is before the log: only the session's CSTA INFOs show it (no INVITE,
    /// no answer; `invite` and `answer` are set too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub session: bool,
}

impl Attempt {
    /// The attempt `m` opens (the client's copy of its INVITE), before anything is read of
    /// what became of it.
    fn opened_by(call_id: &str, m: &SipMessage, profile: &Profile) -> Attempt {
        Attempt {
            call_id: call_id.to_string(),
            request_uri: m.request_uri().unwrap_or_default().to_string(),
            from_aor: m.header("From").and_then(uri::aor),
            by_client: crate::routing::sent_by_client(profile, m),
            invite: seen(m),
            device: extract::csta(m).and_then(|c| c.device),
            retransmissions: 0,
            forwarded: None,
            trying: None,
            downstream_provisional: None,
            answer_back: None,
            answer: None,
            session_ack: None,
            transaction_ack: None,
            cancel: None,
            outcome: Outcome::Pending,
            reached: Vec::new(),
            looped_back: None,
            infos: Vec::new(),
            refreshes: Vec::new(),
            records: Vec::new(),
            stand_ins: StandIns::default(),
            ended: None,
            started_ms: m.millis(),
            dated_ms: None,
            log_ends_after_ms: None,
        }
    }

    pub fn reached(&self, participant: &str) -> bool {
        self.reached.iter().any(|r| r.participant == participant)
    }

    /// The session is up and the gateway says the PBX side is working (200 OK with systemStatus
    /// normal; or a 200 without status whose MonitorStart succeeded, as some gateways answer).
    pub fn succeeded(&self) -> bool {
        self.outcome == Outcome::Established
            && self.answer.as_ref().is_some_and(|a| {
                a.csta_problem().is_none()
                    && (a.system_status_normal()
                        || self.info("MonitorStart").is_some_and(|i| {
                            i.answer
                                .as_ref()
                                .is_some_and(|r| r.status < 300 && r.csta_problem().is_none())
                        }))
            })
    }

    pub fn info(&self, name: &str) -> Option<&InfoExchange> {
        self.infos
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
    }
}

/// A server diagnostic record (Logging Tool `LogType: diagnostic`) as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `Result-Code` (or the header line's `Result 0x...(NAME)`), `Text`, as written.
    pub result_code: Option<String>,
    pub text: Option<String>,
    pub call_id: Option<String>,
    /// `SIP-Start-Line`: the request the record is about.
    pub start_line: Option<String>,
    pub evidence: Evidence,
    /// That request as the log shows it (same Call-ID and start line), when it does.
    #[serde(default)]
    pub request: Option<Evidence>,
    /// The server the record is about (`Peer-FQDN`, `Peer-IP`, `Peer`), without its port.
    #[serde(default)]
    pub peer: Vec<String>,
    /// The name a certificate's subject gives (`CN=…` in any field): what the next hop
    /// presented, when a record about a TLS failure says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_name: Option<String>,
}

impl Record {
    fn of(e: &LogEvent) -> Record {
        Record {
            result_code: e.field("Result-Code").map(str::to_string),
            text: e.field("Text").map(str::to_string),
            start_line: e.field("SIP-Start-Line").map(str::to_string),
            call_id: e
                .field("SIP-Call-ID")
                .or_else(|| e.field("Call-ID"))
                .map(|c| c.trim().to_string()),
            evidence: Evidence::Log {
                file: e.source.file.to_string(),
                line_start: e.source.line_start,
                line_end: e.source.line_end,
                excerpt: e
                    .field("Result-Code")
                    .or_else(|| e.field("Text"))
                    .unwrap_or("diagnostic record")
                    .to_string(),
            },
            request: None,
            peer: ["Peer-FQDN", "Peer-IP", "Peer"]
                .iter()
                .filter_map(|f| e.field(f))
                .filter_map(|p| uri::host_key(p.trim()))
                .collect(),
            certificate_name: e.fields.iter().find_map(|(_, v)| common_name(v)),
        }
    }

    /// The text a signature's `reason_contains` reads.
    pub fn words(&self) -> String {
        [self.result_code.as_deref(), self.text.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The value of the first `CN=` in `text` (a certificate subject as Windows writes it), when
/// it is a server's name (a dotted host name, maybe a wildcard), not a person's (`CN=Ann Lee`
/// in a directory DN).
fn common_name(text: &str) -> Option<String> {
    let at = text.find("CN=").or_else(|| text.find("cn="))?;
    let name: String = text[at + 3..]
        .chars()
        .take_while(|c| !matches!(c, ',' | ';' | '"' | '\'' | ')' | '/') && !c.is_whitespace())
        .collect();
    let host_like = name.contains('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*'));
    host_like.then_some(name)
}

/// A request refused or challenged by a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub request: String,
    pub answer: String,
    pub evidence: Vec<Evidence>,
    /// How many requests were refused this way (the evidence shows the first few).
    #[serde(default = "one")]
    pub times: usize,
}

fn one() -> usize {
    1
}

/// How many refused requests a refusal's evidence shows.
const REFUSALS_SHOWN: usize = 4;
/// Copies of one answer kept as its evidence (retransmissions, the other logs' copies). More
/// show nothing new, and a log of one call repeated thousands of times (the same Call-ID and
/// CSeq) would otherwise make every answer carry, and compare, thousands of lines.
const ANSWER_COPIES_KEPT: usize = 8;

/// Everything the logs show that the diagnosis reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Any log was given (with any message or record).
    pub any_logs: bool,
    /// The configuration answers the user's client received, in time order (every generation).
    pub config: Vec<Provisioning>,
    /// The client's latest SUBSCRIBE for its configuration.
    pub config_subscribe: Option<Vec<Evidence>>,
    /// The CSTA session attempts of the user, in time order.
    pub attempts: Vec<Attempt>,
    /// The attempt that decides (the latest with an outcome).
    pub judged: Option<usize>,
    /// The gateway's (or Application Proxy's) requests refused or challenged by the Home Server.
    pub gateway_refused: Option<Refusal>,
    /// The user's REGISTER refused, and no later REGISTER accepted.
    pub sign_in_refused: Option<Refusal>,
    /// Server diagnostic records whose result code the knowledge file knows, not tied to a
    /// CSTA call (e.g. an untrusted gateway's requests).
    pub records: Vec<Record>,
    /// The Home Server's failed outbound connections (`LogType: connection`, severity error),
    /// which say why a next hop could not be reached.
    #[serde(default)]
    pub connection_failures: Vec<Record>,
    /// The log ends less than Timer B after the judged INVITE, without a final answer.
    pub log_ends_early: bool,
    /// The attempts carry no log time and are in the order of their `Date` headers.
    #[serde(default)]
    pub ordered_by_date: bool,
}

impl Observed {
    pub fn judged(&self) -> Option<&Attempt> {
        self.judged.and_then(|i| self.attempts.get(i))
    }

    /// The configuration answer that decides whether the client starts remote call control:
    /// the latest that speaks about the line.
    pub fn decisive_config(&self) -> Option<&Provisioning> {
        self.config.iter().rev().find(|p| p.speaks_of_line())
    }

    /// The latest configuration answer that starts remote call control.
    pub fn rcc_config(&self) -> Option<&Provisioning> {
        self.config.iter().rev().find(|p| p.starts_rcc())
    }
}

/// Who wrote a log file, as far as its content tells: a client trace is the client's; a server
/// Logging Tool file is the Home Server's unless it shows the CSTA INVITE arriving already
/// forwarded (then it is the next hop's). Other captures have no single writer.
fn writer_of(
    file: &str,
    files: &[FileReport],
    profile: &Profile,
    call: &[&SipMessage],
) -> Option<String> {
    let format = files.iter().find(|f| f.name == file).map(|f| f.format)?;
    match format {
        LogFormat::Uccapi => profile.client().map(str::to_string),
        LogFormat::ServerLog => {
            // A copy the client's trace holds too is merged into one message: the server's
            // log is then among the places it was also seen (where it was received).
            let received_with = |vias: fn(usize) -> bool| {
                call.iter().any(|m| {
                    let here = (*m.source.file == *file
                        && m.direction == Some(Direction::Received))
                        || m.also_seen().iter().any(|o| *o.file == *file);
                    here && is_csta_invite(m) && vias(extract::top_via(m).1)
                })
            };
            // The Home Server receives the client's own copy (one Via); the next hop receives
            // only forwarded ones (or the Home Server receives one back, in a loop).
            if !received_with(|n| n <= 1) && received_with(|n| n >= 2) {
                profile.line_server_host().map(|p| p.id.clone())
            } else {
                profile.home_server().map(str::to_string)
            }
        }
        _ => None,
    }
}

/// The `branch` of every Via entry, top first.
fn via_branches(m: &SipMessage) -> Vec<String> {
    m.headers_named("Via")
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            entry.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("branch")
                    .then(|| v.trim().to_string())
            })
        })
        .collect()
}

/// The `branch` of the top Via.
fn top_branch(m: &SipMessage) -> Option<String> {
    let via = m.header("Via")?;
    let first = via.split(',').next().unwrap_or(via);
    first.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("branch")
            .then(|| v.trim().to_string())
    })
}

/// Reads the logs for a case: which attempt, what it reached, how it ended.
pub struct Observer<'a> {
    pub profile: &'a Profile,
    pub topology: &'a Topology,
    /// The user's address of record, when known (a log may hold several users).
    pub user_aor: Option<String>,
    /// The user's configuration answers ([`RccIndex::users_config`] for `user_aor`), as the
    /// case chose them: matching every answer against the user again cost as much as the
    /// first time.
    pub users_config: &'a [ConfigAnswer],
    /// The line server URI's host, when known and it names the gateway's side
    /// ([`crate::case::Case::gateway_host`]).
    pub line_server_host: Option<String>,
    pub messages: &'a [SipMessage],
    pub events: &'a [LogEvent],
    pub files: &'a [FileReport],
}

impl Observer<'_> {
    fn resolve(&self, host: &str) -> Option<String> {
        self.topology.who_is(host).or_else(|| {
            let h = uri::host_key(host)?;
            (self.line_server_host.as_deref() == Some(h.as_str()))
                .then(|| self.profile.line_server_host().map(|p| p.id.clone()))
                .flatten()
        })
    }

    fn users(&self, value: Option<&str>) -> bool {
        match (&self.user_aor, value.and_then(uri::aor)) {
            (Some(u), Some(a)) => *u == a,
            _ => true,
        }
    }

    /// Keep the user's items when any is the user's (a log of several users), else all. The
    /// others are dropped in place, not the user's copied: a client trace that retried remote
    /// call control all day holds thousands of attempts, each with its evidence.
    fn prefer_users<T>(&self, all: Vec<T>, aor: impl Fn(&T) -> Option<&str>) -> Vec<T> {
        let Some(u) = self.user_aor.as_deref() else {
            return all;
        };
        if !all.iter().any(|x| aor(x) == Some(u)) {
            return all;
        }
        all.into_iter().filter(|x| aor(x) == Some(u)).collect()
    }

    pub fn observe(&self, index: &RccIndex) -> Observed {
        let msgs = self.messages;
        let mut o = Observed {
            any_logs: !msgs.is_empty() || !self.events.is_empty(),
            ..Observed::default()
        };
        // Configuration: the user's answers (To names the user in a 200 OK to its SUBSCRIBE, and
        // in a NOTIFY / BENOTIFY sent to it).
        o.config = self
            .users_config
            .iter()
            .map(|answer| index.config_answer(answer, msgs))
            .collect();
        let subscribe = |i: &usize| msgs.get(*i);
        let users_subscribe = self.user_aor.as_deref().and_then(|u| {
            index
                .config_subscribes
                .iter()
                .rev()
                .filter_map(subscribe)
                .find(|m| m.header("From").is_some_and(|f| uri::aor_is(f, u)))
        });
        o.config_subscribe = users_subscribe
            .or_else(|| index.config_subscribes.last().and_then(subscribe))
            .map(seen);

        // The CSTA attempts: the user's, when any is.
        o.attempts = self.prefer_users(self.users_attempts(index), |a| a.from_aor.as_deref());
        // Stable; sorts (key, index) pairs, not attempts (less wasm than `sort_by_key`).
        o.attempts
            .sort_by_cached_key(|a| a.started_ms.unwrap_or(i64::MIN));
        // Without any log time, the senders' Date headers order them (the order in a file
        // pasted from mail is the mail's, newest first under top posting).
        o.ordered_by_date = o.attempts.len() > 1
            && o.attempts.iter().all(|a| a.started_ms.is_none())
            && o.attempts.iter().any(|a| a.dated_ms.is_some());
        if o.ordered_by_date {
            o.attempts
                .sort_by_cached_key(|a| a.dated_ms.unwrap_or(i64::MIN));
        }
        // The client's own attempts speak for the user; a probe sent on its behalf (SIPp)
        // only when there is nothing else.
        let any_by_client = o.attempts.iter().any(|a| a.by_client);
        let counts = |a: &Attempt| a.by_client || !any_by_client;
        o.judged = o
            .attempts
            .iter()
            .rposition(|a| counts(a) && a.outcome != Outcome::Pending)
            .or_else(|| o.attempts.iter().rposition(counts));
        o.log_ends_early = o.judged().is_some_and(|a| a.outcome == Outcome::Pending);

        o.gateway_refused = self.gateway_refused(index);
        o.sign_in_refused = self.sign_in_refused(index);
        // Records the attempts do not read: those of other calls, and those about a request the
        // far end sent inside the CSTA dialog (its INFO events refused as untrusted).
        let csta_ids: FxSet<&str> = index.csta_calls.iter().map(|(c, _)| c.as_str()).collect();
        o.records = index
            .records
            .iter()
            .zip(&index.record_requests)
            .filter(|(r, _)| {
                let Some(row) = r
                    .result_code
                    .as_deref()
                    .and_then(crate::msdiag::result_code)
                else {
                    return false;
                };
                r.call_id.as_deref().is_none_or(|c| !csta_ids.contains(c))
                    || row.finding == Some(FindingId::HostNotAuthorized)
            })
            .map(|(r, request)| Record {
                request: request.and_then(|i| msgs.get(i)).map(SipMessage::evidence),
                ..r.clone()
            })
            .collect();
        o.connection_failures = self
            .events
            .iter()
            .filter(|e| {
                e.field("LogType")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("connection"))
                    && e.field("Severity")
                        .is_none_or(|v| v.trim().eq_ignore_ascii_case("error"))
            })
            .map(Record::of)
            .collect();
        o
    }

    /// The attempts of the CSTA calls (in call order) that can hold the user's: those with an
    /// INVITE from the user. Every call's, when none of those is the user's (or the user is not
    /// known): [`Observer::prefer_users`] then keeps them all. A log of many users is read
    /// without judging every other user's calls.
    fn users_attempts(&self, index: &RccIndex) -> Vec<Attempt> {
        let msgs = self.messages;
        let calls = |only: &dyn Fn(&[&SipMessage]) -> bool| {
            let mut out = Vec::new();
            for (k, (call_id, idxs)) in index.csta_calls.iter().enumerate() {
                let call: Vec<&SipMessage> = idxs.iter().filter_map(|i| msgs.get(*i)).collect();
                if !only(&call) {
                    continue;
                }
                let records: Vec<&Record> = index.call_records[k]
                    .iter()
                    .filter_map(|&r| index.records.get(r))
                    .collect();
                let attempts = self.attempts_of(call_id, &call, &records, index.log_end_ms);
                // Read only where it may order them: attempts without a log time.
                let dated_ms = attempts
                    .iter()
                    .any(|a| a.started_ms.is_none())
                    .then(|| {
                        call.iter().find_map(|m| {
                            m.header("Date")
                                .and_then(|d| crate::ingest::text::parse_sip_date(d.as_bytes()))
                        })
                    })
                    .flatten();
                out.extend(attempts.into_iter().map(|a| Attempt { dated_ms, ..a }));
            }
            out
        };
        if let Some(user) = &self.user_aor {
            let users = calls(&|call| {
                call.iter().any(|m| {
                    is(m.method(), "INVITE")
                        && m.header("From").is_some_and(|f| uri::aor_is(f, user))
                })
            });
            if users.iter().any(|a| a.from_aor.as_ref() == Some(user)) {
                return users;
            }
        }
        calls(&|_| true)
    }

    /// The attempts of one CSTA call (one per initial INVITE transaction, authentication retries
    /// folded into the one they retry).
    fn attempts_of(
        &self,
        call_id: &str,
        call: &[&SipMessage],
        records: &[&Record],
        log_end: Option<i64>,
    ) -> Vec<Attempt> {
        let profile = self.profile;
        let mut writers: Vec<(String, Option<String>)> = Vec::new();
        // (A file whose every copy was merged into another file's is among the places seen.)
        let files = call
            .iter()
            .flat_map(|m| std::iter::once(&m.source).chain(m.also_seen()));
        for source in files {
            let f = source.file.to_string();
            if !writers.iter().any(|(x, _)| *x == f) {
                let w = writer_of(&f, self.files, profile, call);
                writers.push((f, w));
            }
        }
        let mut out = Vec::new();
        // Each message's CSeq, read once for every transaction of the call.
        let cseqs: Vec<CSeq> = call.iter().map(|m| m.cseq()).collect();
        for group in initial_transactions(call, &cseqs) {
            let Some(&n) = group.last() else { continue };
            let copies: Vec<&SipMessage> = call
                .iter()
                .zip(&cseqs)
                .filter(|(m, &c)| is(m.method(), "INVITE") && in_txn(c, n, "INVITE"))
                .map(|(m, _)| *m)
                .collect();
            // The client's copy has the fewest Vias; its top branch is the client transaction.
            let vias: Vec<usize> = copies.iter().map(|m| extract::top_via(m).1).collect();
            // Each copy's top branch, read once for every question below.
            let tops: Vec<Option<String>> = copies.iter().map(|m| top_branch(m)).collect();
            let Some((client_vias, client_copy, client_branch)) = vias
                .iter()
                .copied()
                .zip(copies.iter().copied())
                .zip(&tops)
                .map(|((n, m), top)| (n, m, top))
                .min_by_key(|&(n, _, _)| n)
            else {
                continue;
            };
            let mut t = Transaction {
                observer: self,
                call,
                cseqs: &cseqs,
                cseq: n,
                client_branch: client_branch.clone(),
                client_vias: client_vias.max(1),
                behind_home_server: false,
                writers: &writers,
                hs: profile.home_server().unwrap_or_default().to_string(),
                target: profile.line_server_host().map(|p| p.id.clone()),
            };
            let mut a = Attempt::opened_by(call_id, client_copy, profile);
            t.read_copies(&copies, &vias, &tops, &mut a);
            // A capture behind the Home Server holds only forwarded copies: the one with the
            // fewest Vias still carries the Home Server's on top of the client's.
            if client_vias >= 2 && a.forwarded.is_none() {
                t.behind_home_server = true;
                a.stand_ins.invite = true;
                a.forwarded = Some(seen(client_copy));
                t.reach(
                    &mut a,
                    Some(t.hs.clone()),
                    "it forwarded the INVITE".into(),
                    client_copy,
                );
            }
            t.read_answers(&mut a);
            if t.behind_home_server && a.answer.is_none() {
                // The next hop's answer is the best there is (`mark_session` keeps the Home
                // Server's own leg to the client inferred).
                a.answer = a.answer_back.clone();
                a.stand_ins.answer = a.answer.is_some();
            }
            t.read_acks_and_cancel(&mut a);
            t.read_session(&mut a);
            // Last: a message a hop's own log shows (its answer) says more than its copy of
            // the INVITE merged into another log's.
            for (m, &n) in copies.iter().zip(&vias) {
                let what = if n <= t.client_vias {
                    "INVITE"
                } else {
                    "forwarded INVITE"
                };
                t.reach_where_also_seen(&mut a, m, what);
            }
            a.records = records.iter().map(|&r| r.clone()).collect();
            a.outcome = outcome(&mut a, log_end);
            out.push(a);
        }
        if out.is_empty() && !call.iter().any(|m| is(m.method(), "INVITE")) {
            out.extend(self.session_seen_inside(call_id, call, &cseqs, records, &writers));
        }
        out
    }

    /// A call the logs show only from inside: no INVITE, only the CSTA INFOs of a session set
    /// up before the log began (an excerpt pasted from mail). The client's first CSTA request
    /// (not an event) gives the user and the line server (its To: a dialog's remote URI
    /// stays the INVITE's Request-URI, RFC 3261 12.1.2, while its Request-URI is the
    /// gateway's Contact). The session counts as established, with the INVITE and its answer
    /// stood in for: its requests were answered inside the dialog.
    fn session_seen_inside(
        &self,
        call_id: &str,
        call: &[&SipMessage],
        cseqs: &[CSeq],
        records: &[&Record],
        writers: &[(String, Option<String>)],
    ) -> Option<Attempt> {
        let profile = self.profile;
        let is_request = |m: &SipMessage| {
            is(m.method(), "INFO")
                && extract::csta(m).is_some_and(|b| !b.name.to_ascii_lowercase().ends_with("event"))
        };
        let first = call.iter().copied().find(|m| is_request(m))?;
        let from_aor = first.header("From").and_then(uri::aor);
        let client_vias = call
            .iter()
            .filter(|m| is_request(m) && m.header("From").and_then(uri::aor) == from_aor)
            .map(|m| extract::top_via(m).1)
            .min()
            .unwrap_or(1);
        let t = Transaction {
            observer: self,
            call,
            cseqs,
            // No INVITE: no message is in this transaction.
            cseq: u32::MAX,
            client_branch: None,
            client_vias: client_vias.max(1),
            behind_home_server: false,
            writers,
            hs: profile.home_server().unwrap_or_default().to_string(),
            target: profile.line_server_host().map(|p| p.id.clone()),
        };
        let mut a = Attempt {
            request_uri: first.header("To").and_then(uri::aor).unwrap_or_default(),
            invite: Vec::new(),
            outcome: Outcome::Established,
            records: records.iter().map(|&r| r.clone()).collect(),
            stand_ins: StandIns {
                invite: true,
                answer: true,
                session: true,
            },
            ..Attempt::opened_by(call_id, first, profile)
        };
        t.read_session(&mut a);
        Some(a)
    }

    /// An answer, with who produced it where the message tells: the ms-diagnostics source (a
    /// Microsoft server names itself), the Server header's product, the log that sent it, and,
    /// for an answer delivered to the client by a Home Server that shows no sign of forwarding,
    /// the Home Server itself.
    fn answer_of(
        &self,
        m: &SipMessage,
        hs: &str,
        target: Option<&str>,
        to_client: bool,
        writer: Option<String>,
    ) -> Answer {
        let diagnostics = extract::ms_diagnostics(m);
        let mut responder = None;
        let mut basis = None;
        for d in diagnostics
            .iter()
            .filter(|d| d.header != "ms-client-diagnostics")
        {
            if let Some(src) = d.source.as_deref() {
                let who = self.resolve(src).or_else(|| {
                    // A Microsoft server wrote it; unless it is the line server host, it is the
                    // Home Server's side.
                    let h = uri::host_key(src)?;
                    (self.line_server_host.as_deref() != Some(h.as_str())).then(|| hs.to_string())
                });
                if let Some(w) = who {
                    basis = Some(format!("ms-diagnostics source={src}"));
                    responder = Some(w);
                    break;
                }
            }
        }
        // Where the answer was, as the logs show it: sent by a server's own log (unless it
        // only relays the next hop's answer to the client: relayed answers carry the next
        // hop's diagnostics), or received from a host the topology knows.
        let client = self.profile.client();
        let sent_by_log = || {
            writer
                .clone()
                .filter(|w| m.direction == Some(Direction::Sent) && Some(w.as_str()) != client)
                .filter(|w| !to_client || w == hs)
                .map(|w| (w, format!("sent by its own log ({})", m.evidence().label())))
        };
        let received_from = || {
            m.peer()
                .filter(|_| m.direction == Some(Direction::Received) && !to_client)
                .and_then(|p| Some((self.resolve(p)?, format!("received from {p}"))))
        };
        if responder.is_none() {
            if let Some(p) = extract::product(m) {
                if let Some(w) = participant_of_product(self.profile, p) {
                    basis = Some(format!("Server: {p}"));
                    responder = Some(w);
                }
            }
            // A product string the Home Server shares (an Application Proxy runs the same
            // server software, Server: RTC/3.5) gives way to where the answer was: sent by
            // another server's own log, or received by the Home Server's from another host.
            if responder.as_deref() == Some(hs) && !to_client {
                let shown = sent_by_log()
                    .or_else(|| received_from().filter(|_| writer.as_deref() == Some(hs)))
                    .filter(|(w, _)| w != hs && Some(w.as_str()) != client);
                if let Some((w, how)) = shown {
                    basis = Some(format!("{how}; {}", basis.take().unwrap_or_default()));
                    responder = Some(w);
                }
            }
        }
        if responder.is_none() {
            if let Some((w, how)) = sent_by_log().or_else(received_from) {
                basis = Some(how);
                responder = Some(w);
            }
        }
        if responder.is_none() && m.status().is_some_and(|s| s < 300) {
            if let Some(c) = m.header("Contact").and_then(|c| NameAddr::parse(c).view()) {
                if let Some(p) = self.resolve(c.host) {
                    basis = Some(format!("Contact {}", c.host));
                    responder = Some(p);
                }
            }
            if responder.is_none() {
                // Only the line server host answers a CSTA INVITE with a 2xx.
                responder = target.map(str::to_string);
                basis = Some("a 2xx to the CSTA INVITE comes from the line server host".into());
            }
        }
        Answer {
            status: m.status().unwrap_or(0),
            start_line: m.start_line_text(),
            responder,
            responder_basis: basis,
            diagnostics,
            csta: extract::csta(m),
            evidence: seen(m),
        }
    }

    /// Requests from the line server host (Application Proxy / gateway) answered 401/407/403 by
    /// the Home Server: it is not in host authorization.
    fn gateway_refused(&self, index: &RccIndex) -> Option<Refusal> {
        let profile = self.profile;
        let target = profile.line_server_host()?.id.clone();
        let msgs = self.messages;
        let is_target = |host: &str| self.resolve(host).as_deref() == Some(target.as_str());
        let mut found: Option<Refusal> = None;
        for (&ri, &req) in index.refusals.iter().zip(&index.refusal_requests) {
            let (Some(resp), Some(req)) = (msgs.get(ri), req.and_then(|i| msgs.get(i))) else {
                continue;
            };
            let from_peer =
                req.direction == Some(Direction::Received) && req.peer().is_some_and(&is_target);
            let from_via = extract::top_via(req).0.is_some_and(|v| is_target(&v.host));
            let from_product = extract::product(req)
                .and_then(|p| participant_of_product(profile, p))
                .as_deref()
                == Some(target.as_str());
            // The gateway's own requests (its phone events) come From the line server URI.
            let from_line_server = req
                .header("From")
                .and_then(|f| uri::NameAddr::parse(f).view().map(|v| v.host_key()))
                .is_some_and(|h| is_target(&h));
            if from_peer || from_via || from_product || from_line_server {
                match &mut found {
                    None => {
                        // The first refusal as every log shows it (the refusing server's own
                        // copy beside the one the gateway's log received).
                        let mut evidence = seen(req);
                        evidence.extend(seen(resp));
                        found = Some(Refusal {
                            request: req.start_line_text(),
                            answer: resp.start_line_text(),
                            evidence,
                            times: 1,
                        })
                    }
                    Some(f) => {
                        f.times += 1;
                        if f.times <= REFUSALS_SHOWN {
                            f.evidence.extend([req.evidence(), resp.evidence()]);
                        }
                    }
                }
            }
        }
        found
    }

    /// The user's REGISTER refused (403/404) with no accepted REGISTER: the user cannot sign in.
    fn sign_in_refused(&self, index: &RccIndex) -> Option<Refusal> {
        let msgs = self.messages;
        let regs: Vec<&SipMessage> = index
            .registers
            .iter()
            .filter_map(|i| msgs.get(*i))
            .collect();
        if regs.iter().any(|m| m.status() == Some(200)) {
            return None;
        }
        let resp = regs
            .iter()
            .find(|m| matches!(m.status(), Some(403 | 404)) && self.users(m.header("From")))?;
        let req = regs
            .iter()
            .find(|m| m.is_request() && m.call_id() == resp.call_id());
        let mut evidence: Vec<Evidence> = req.map(|r| r.evidence()).into_iter().collect();
        evidence.push(resp.evidence());
        let diag: Vec<String> = extract::ms_diagnostics(resp)
            .into_iter()
            .map(|d| format!("{} {}", d.code, d.reason))
            .collect();
        Some(Refusal {
            request: req
                .map(|r| r.start_line_text())
                .unwrap_or_else(|| "REGISTER".into()),
            answer: if diag.is_empty() {
                resp.start_line_text()
            } else {
                format!("{} ({})", resp.start_line_text(), diag.join("; "))
            },
            evidence,
            times: 1,
        })
    }
}

/// The roles that can answer a CSTA INVITE with an error on the Microsoft side.
pub fn is_microsoft_side(profile: &Profile, participant: &str) -> bool {
    profile
        .participant(participant)
        .is_some_and(|p| matches!(p.role, Role::HomeServer))
}

/// What a configuration source says in words, for findings.
pub fn config_words(p: &Provisioning) -> String {
    match p.source {
        ConfigSource::Provisioning => "the vnd-microsoft-provisioning answer".into(),
        ConfigSource::ProvisioningV2 => "the vnd-microsoft-provisioning-v2 answer".into(),
        ConfigSource::RoamingSelf => "the vnd-microsoft-roaming-self userProperties".into(),
    }
}

/// The initial INVITE transactions of a call (no To tag), by CSeq number, in order; an INVITE
/// answered 401/407 is retried with the next CSeq, so a challenge and its retry are one group.
fn initial_transactions(call: &[&SipMessage], cseqs: &[CSeq]) -> Vec<Vec<u32>> {
    let mut initial: Vec<u32> = Vec::new();
    for (m, &cseq) in call.iter().zip(cseqs) {
        if is(m.method(), "INVITE") && m.to_tag().is_none() {
            if let Some((n, _)) = cseq {
                if !initial.contains(&n) {
                    initial.push(n);
                }
            }
        }
    }
    // A log that starts inside the session (a rolled-over trace) holds only its re-INVITEs
    // (refreshes): the first one the session answered 2xx stands for the session set up
    // before the log begins. One refused (481 after a night) says nothing of that session.
    if initial.is_empty() {
        let accepted = |n: u32| {
            call.iter().zip(cseqs).any(|(m, &c)| {
                m.status().is_some_and(|s| (200..300).contains(&s)) && in_txn(c, n, "INVITE")
            })
        };
        initial.extend(
            call.iter()
                .zip(cseqs)
                .filter(|(m, _)| is(m.method(), "INVITE"))
                .filter_map(|(_, c)| c.map(|(n, _)| n))
                .find(|&n| accepted(n)),
        );
    }
    let challenged = |n: u32| {
        call.iter().zip(cseqs).any(|(m, cseq)| {
            matches!(m.status(), Some(401 | 407))
                && cseq.is_some_and(|c| c.0 == n && is(Some(c.1), "INVITE"))
        })
    };
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for n in initial {
        match groups.last_mut() {
            Some(g) if g.last().is_some_and(|&p| challenged(p)) => g.push(n),
            _ => groups.push(vec![n]),
        }
    }
    groups
}

/// The message belongs to transaction `n` of `method` (by CSeq).
/// A message's CSeq (number, method), as [`SipMessage::cseq`] reads it.
type CSeq<'m> = Option<(u32, &'m str)>;

/// Whether a message of this CSeq is in transaction `n` of `method`.
fn in_txn(cseq: CSeq, n: u32, method: &str) -> bool {
    cseq.is_some_and(|c| c.0 == n && c.1.eq_ignore_ascii_case(method))
}

/// How an attempt ended, from its answers, its CANCEL and how long the log runs after it.
fn outcome(a: &mut Attempt, log_end: Option<i64>) -> Outcome {
    let outcome = match &a.answer {
        Some(r) if r.status < 300 => Outcome::Established,
        Some(r) if r.status == 408 => Outcome::TimedOut,
        Some(r) if r.status == 487 => Outcome::Cancelled,
        Some(_) => Outcome::Failed,
        None if a.cancel.is_some() => Outcome::Cancelled,
        None => match (a.started_ms, log_end) {
            (Some(t0), Some(end)) if end - t0 < TIMER_B_MS - TIMER_SLACK_MS => {
                a.log_ends_after_ms = Some(end - t0);
                Outcome::Pending
            }
            _ => Outcome::TimedOut,
        },
    };
    // The client acknowledged a session whose answer to it the log lost (a pasted copy that
    // damaged its Via): the answer on its way back stands in for it.
    let acked = outcome == Outcome::TimedOut && a.answer.is_none() && a.session_ack.is_some();
    if (outcome == Outcome::Pending || acked) && a.answer_back.is_some() {
        // Only the next hop's log: its answer is the best there is.
        a.answer = a.answer_back.clone();
        a.stand_ins.answer = true;
        return match a.answer.as_ref().map(|r| r.status) {
            Some(s) if s < 300 => Outcome::Established,
            _ => Outcome::Failed,
        };
    }
    outcome
}

/// One initial INVITE transaction of a call, read message by message into its [`Attempt`].
struct Transaction<'o, 'c> {
    observer: &'o Observer<'o>,
    call: &'c [&'c SipMessage],
    /// The CSeq of each message of `call`.
    cseqs: &'c [CSeq<'c>],
    cseq: u32,
    /// The top Via branch of the client's copy: the client transaction.
    client_branch: Option<String>,
    client_vias: usize,
    /// The logs hold only copies the Home Server forwarded (a capture behind it): no answer
    /// to the client can be in them, and answers on the forwarded branch came back from the
    /// next hop.
    behind_home_server: bool,
    /// Who wrote each log file (the participant whose log it is), by file name.
    writers: &'c [(String, Option<String>)],
    hs: String,
    target: Option<String>,
}

impl Transaction<'_, '_> {
    fn writer(&self, m: &SipMessage) -> Option<String> {
        self.writer_of_file(&m.source.file)
    }

    fn writer_of_file(&self, file: &str) -> Option<String> {
        self.writers
            .iter()
            .find(|(f, _)| **f == *file)
            .and_then(|(_, w)| w.clone())
    }

    /// Whether the call's message `k` is in this transaction (of `method`).
    fn in_txn(&self, k: usize, method: &str) -> bool {
        in_txn(self.cseqs[k], self.cseq, method)
    }

    /// Records that the INVITE reached `p`, with what shows it.
    fn reach(&self, a: &mut Attempt, p: Option<String>, how: String, m: &SipMessage) {
        self.reach_at(a, p, how, m.evidence());
    }

    fn reach_at(&self, a: &mut Attempt, p: Option<String>, how: String, evidence: Evidence) {
        if let Some(p) = p {
            if Some(p.as_str()) != self.observer.profile.client() && !a.reached(&p) {
                a.reached.push(Reached {
                    participant: p,
                    how,
                    evidence,
                });
            }
        }
    }

    /// Records where the INVITE `m` arrived in the logs it was merged from: the same message
    /// in another writer's log (a next hop's) was received there, since whoever sends a copy
    /// on adds its own Via (a different message).
    fn reach_where_also_seen(&self, a: &mut Attempt, m: &SipMessage, what: &str) {
        for place in m.also_seen() {
            let evidence = Evidence::Log {
                file: place.file.to_string(),
                line_start: place.line_start,
                line_end: place.line_end,
                excerpt: m.start_line_text(),
            };
            let how = format!("its log shows the {what} arriving ({})", evidence.label());
            self.reach_at(a, self.writer_of_file(&place.file), how, evidence);
        }
    }

    /// The INVITE's copies: the client's (and its retransmissions) and the forwarded ones,
    /// including one that came back to the Home Server (a loop).
    /// (`vias`: how many Via entries each copy has; `tops`: each copy's top branch.)
    fn read_copies(
        &self,
        copies: &[&SipMessage],
        vias: &[usize],
        tops: &[Option<String>],
        a: &mut Attempt,
    ) {
        let mut client_seen: Vec<(String, Option<Direction>)> = Vec::new();
        // The top branch of each forwarded copy (two Vias or more), counted once for all.
        let forwarded_top = |top: &Option<String>, vias: usize| top.clone().filter(|_| vias >= 2);
        let mut forwarded_tops: FxMap<String, usize> = FxMap::default();
        for b in tops
            .iter()
            .zip(vias)
            .filter_map(|(top, &n)| forwarded_top(top, n))
        {
            *forwarded_tops.entry(b).or_default() += 1;
        }
        for ((m, &vias), top) in copies.iter().zip(vias).zip(tops) {
            if vias <= self.client_vias && *top == self.client_branch {
                let key = (m.source.file.to_string(), m.direction);
                if client_seen.contains(&key) {
                    // A retransmission (Timer A): the first copy and the latest one show it.
                    a.retransmissions += 1;
                    a.invite.truncate(1);
                    a.invite.extend(seen(m));
                } else {
                    client_seen.push(key);
                }
                if m.direction == Some(Direction::Received) {
                    let how = format!(
                        "its log shows the INVITE arriving ({})",
                        m.evidence().label()
                    );
                    self.reach(a, self.writer(m), how, m);
                }
                continue;
            }
            // A copy that carries a Via the Home Server added below its top one came back to
            // it: whoever sent it routed it back (a loop).
            // (Another copy's: `m` itself does not count.)
            let branches = via_branches(m);
            let own = forwarded_top(top, vias);
            let came_back = branches.len() >= 3
                || branches.iter().skip(1).any(|b| {
                    let others = forwarded_tops.get(b).copied().unwrap_or(0);
                    others > usize::from(own.as_ref() == Some(b))
                });
            if came_back && m.direction == Some(Direction::Received) {
                // Who sent it back: the peer, or the top Via it added; else the next hop when
                // it came from where the Home Server had sent it and that hop is a proxy (an
                // Application Proxy's `*` route); otherwise the Home Server's own pool (another
                // Front End its route sent it to). A gateway is the session's user agent
                // (RFC 3261 16: only a proxy forwards a request), so a copy from where the
                // route sent it, when the gateway is the line server host, came back through a
                // server the route named instead of the gateway.
                // (By host: the answer's connection has its own port.)
                let sent_there = |p: &str| {
                    copies.iter().any(|c| {
                        c.direction == Some(Direction::Sent)
                            && c.peer()
                                .is_some_and(|q| uri::host_key(q) == uri::host_key(p))
                    })
                };
                let target_forwards = self
                    .observer
                    .profile
                    .line_server_host()
                    .is_some_and(|p| p.role != Role::Gateway);
                let from = m
                    .peer()
                    .and_then(|p| self.observer.resolve(p))
                    .or_else(|| {
                        extract::top_via(m)
                            .0
                            .and_then(|v| self.observer.resolve(&v.host))
                    })
                    .or_else(|| match m.peer() {
                        Some(p) if sent_there(p) && target_forwards => self.target.clone(),
                        _ => Some(self.hs.clone()),
                    });
                if let Some(f) = from {
                    a.looped_back.get_or_insert((f, seen(m)));
                }
            }
            if a.forwarded.is_none() {
                a.forwarded = Some(seen(m));
            }
            self.reach(
                a,
                Some(self.hs.clone()),
                "it forwarded the INVITE".into(),
                m,
            );
            if m.direction == Some(Direction::Received) {
                let how = format!(
                    "its log shows the forwarded INVITE arriving ({})",
                    m.evidence().label()
                );
                self.reach(a, self.writer(m), how, m);
            }
        }
    }

    /// The answers to the INVITE: to the client (provisional, final; copies of one answer add
    /// evidence) and from the next hop back to the Home Server; the hops they name.
    fn read_answers(&self, a: &mut Attempt) {
        for (_, m) in self
            .call
            .iter()
            .enumerate()
            .filter(|&(k, m)| m.status().is_some() && self.in_txn(k, "INVITE"))
        {
            let status = m.status().unwrap_or(0);
            let to_client = !self.behind_home_server
                && (top_branch(m) == self.client_branch
                    || (self.client_branch.is_none() && extract::top_via(m).1 <= self.client_vias));
            let answer = self.observer.answer_of(
                m,
                &self.hs,
                self.target.as_deref(),
                to_client,
                self.writer(m),
            );
            if let Some(r) = &answer.responder {
                let basis = answer.responder_basis.clone().unwrap_or_default();
                if r != &self.hs {
                    self.reach(a, Some(r.clone()), basis, m);
                }
            }
            // Record-Route and Contact of the answer name the hops it passed.
            for h in extract::record_route(m) {
                let p = self.observer.resolve(&h);
                let how = format!("its Record-Route in {}", m.evidence().label());
                self.reach(a, p, how, m);
            }
            if to_client {
                if (100..200).contains(&status) {
                    a.trying.get_or_insert_with(|| seen(m));
                } else {
                    match &mut a.answer {
                        // A retransmission (Timer G) or another log's copy of the same answer:
                        // the first stays the answer, the copies add evidence.
                        Some(first) if first.status == status => {
                            for e in answer.evidence {
                                if first.evidence.len() >= ANSWER_COPIES_KEPT {
                                    break;
                                }
                                if !first.evidence.contains(&e) {
                                    first.evidence.push(e);
                                }
                            }
                        }
                        _ => a.answer = Some(answer),
                    }
                }
            } else if (100..200).contains(&status) {
                a.downstream_provisional.get_or_insert(answer);
            } else if a.answer_back.is_none() {
                a.answer_back = Some(answer);
            }
        }
    }

    /// The ACK of an error answer belongs to the INVITE transaction; the ACK of a 2xx to the
    /// session (RFC 3261 17.1.1.3, 13.2.2.4). And the client's CANCEL.
    fn read_acks_and_cancel(&self, a: &mut Attempt) {
        for (k, m) in self.call.iter().enumerate() {
            if !is(m.method(), "ACK") {
                continue;
            }
            let same_txn = self.in_txn(k, "ACK") && top_branch(m) == self.client_branch;
            // Only a 2xx opens a session to ACK; without one, an ACK on another hop (its own
            // branch) acknowledges that hop's error answer (RFC 3261 17.1.1.3).
            let session = [&a.answer, &a.answer_back]
                .into_iter()
                .flatten()
                .any(|r| r.status < 300);
            if same_txn && a.answer.as_ref().is_none_or(|r| r.status >= 300) {
                a.transaction_ack.get_or_insert_with(|| seen(m));
            } else if session && self.cseqs[k].is_some_and(|c| c.0 == self.cseq) {
                a.session_ack.get_or_insert_with(|| seen(m));
            }
        }
        if let Some(m) = self
            .call
            .iter()
            .enumerate()
            .find(|&(k, m)| is(m.method(), "CANCEL") && self.in_txn(k, "CANCEL"))
            .map(|(_, m)| m)
        {
            a.cancel = Some(seen(m));
        }
    }

    /// In-session requests: the client's CSTA INFOs and their answers, refreshes, and the far
    /// end's own requests (which name it in their top Via).
    fn read_session(&self, a: &mut Attempt) {
        let call = self.call;
        // Where each transaction's final answers are, read once: a request's answers are the
        // ones after it with its CSeq.
        let mut finals_at: HashMap<(u32, &str), Vec<usize>> = HashMap::new();
        let mut refreshed: FxSet<Evidence> = FxSet::default();
        let session_ok = call.iter().enumerate().find(|&(k, r)| {
            r.status().is_some_and(|s| (200..300).contains(&s)) && self.in_txn(k, "INVITE")
        });
        // The copy of each request nearest its sender has the fewest Vias: a server log may
        // hold only the copies the Home Server forwarded (its Via on top of the client's).
        let mut fewest_vias: HashMap<(u32, &str), usize> = HashMap::new();
        for (k, r) in call.iter().enumerate() {
            if r.status().is_some_and(|s| s >= 200) {
                if let Some(c) = self.cseqs[k] {
                    finals_at.entry(c).or_default().push(k);
                }
            } else if let (Some(c), true) = (self.cseqs[k], r.is_request()) {
                let vias = extract::top_via(r).1;
                fewest_vias
                    .entry(c)
                    .and_modify(|n| *n = (*n).min(vias))
                    .or_insert(vias);
            }
        }
        for (k, m) in call.iter().enumerate() {
            let Some(method) = m.method() else { continue };
            let cseq = self.cseqs[k];
            if cseq.is_some_and(|c| c.0 == self.cseq && is(Some(c.1), "INVITE")) {
                continue;
            }
            let finals = || {
                let at = cseq
                    .and_then(|c| finals_at.get(&c))
                    .map_or(&[][..], |v| &v[..]);
                at[at.partition_point(|&i| i <= k)..]
                    .iter()
                    .map(|&i| call[i])
            };
            if method.eq_ignore_ascii_case("INFO") {
                if let Some(body) = extract::csta(m) {
                    // Every copy of the final answer (client and server logs) is evidence.
                    let copies: Vec<&SipMessage> = finals().take(ANSWER_COPIES_KEPT).collect();
                    let answer = copies.first().map(|r| {
                        let mut x = self.observer.answer_of(
                            r,
                            &self.hs,
                            self.target.as_deref(),
                            true,
                            self.writer(r),
                        );
                        for e in copies[1..].iter().flat_map(|c| seen(c)) {
                            if !x.evidence.contains(&e) {
                                x.evidence.push(e);
                            }
                        }
                        x
                    });
                    let vias = extract::top_via(m).1;
                    let nearest = vias <= self.client_vias
                        || cseq.and_then(|c| fewest_vias.get(&c)) == Some(&vias);
                    let from_client =
                        nearest && uri::aor(m.header("From").unwrap_or("")) == a.from_aor;
                    if from_client {
                        a.infos.push(InfoExchange {
                            name: body.name.clone(),
                            request: seen(m),
                            answer,
                            dialled: body.called.clone(),
                        });
                    }
                }
            } else if method.eq_ignore_ascii_case("BYE") && a.ended.is_none() {
                if let Some((_, ok)) = session_ok {
                    a.ended = Some(SessionEnd {
                        by_far_end: uri::aor(m.header("From").unwrap_or("")) != a.from_aor,
                        bye: seen(m),
                        after_ms: m.millis().zip(ok.millis()).map(|(b, o)| b - o),
                        session_expires: extract::session_expires(ok),
                        answer: seen(ok),
                    });
                }
            } else if method.eq_ignore_ascii_case("INVITE") && m.to_tag().is_some() {
                let answer = finals().next();
                if refreshed.insert(m.evidence()) {
                    a.refreshes.push(Refresh {
                        status: answer.and_then(|r| r.status()),
                        request: seen(m),
                        answer: answer.map(seen).unwrap_or_default(),
                    });
                }
            }
            // A request from the far end names it in its top Via.
            if uri::aor(m.header("From").unwrap_or("")) != a.from_aor {
                if let Some(v) = extract::top_via(m).0 {
                    let p = self.observer.resolve(&v.host);
                    let how = format!("its request {}", m.evidence().label());
                    self.reach(a, p, how, m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ingest::text::find_ci;
    use crate::ingest::{ingest_owned, IngestOptions, OwnedInput};

    #[test]
    fn a_certificate_subject_gives_its_common_name() {
        let data =
            r#"fqdn="gw.contoso.com";peer-certificate-subject="CN=aes01.corp.local, O=Contoso""#;
        assert_eq!(common_name(data).as_deref(), Some("aes01.corp.local"));
        assert_eq!(
            common_name("subject: cn=gw.contoso.com").as_deref(),
            Some("gw.contoso.com")
        );
        assert_eq!(common_name("CN= ; no name"), None);
        assert_eq!(common_name("CN=Ann Lee,OU=Ops,DC=contoso,DC=com"), None);
        assert_eq!(
            common_name("CN=*.contoso.com").as_deref(),
            Some("*.contoso.com")
        );
        assert_eq!(common_name("SEC_E_WRONG_PRINCIPAL"), None);
    }

    /// The questions the index's walk asked each message before the marks, asked the same way.
    fn asked_in_the_walk(m: &SipMessage) -> RccMarks {
        let method = m.method();
        let mut marks = 0;
        if is(method, "SUBSCRIBE")
            && extract::event(m).is_some_and(|e| {
                e.starts_with("vnd-microsoft-provisioning")
                    || e.starts_with("vnd-microsoft-roaming-self")
            })
        {
            marks |= RccMarks::CONFIG_SUBSCRIBE;
        }
        if (is(method, "NOTIFY") || is(method, "BENOTIFY") || method.is_none())
            && crate::rcc_marks::config_candidate(m).is_some()
        {
            marks |= RccMarks::CONFIG_CANDIDATE;
        }
        // As the walk judged a CSTA INVITE, before the marks.
        let csta = m
            .content_type()
            .is_some_and(|c| find_ci(c.as_bytes(), b"csta").is_some())
            || m.body().contains("RequestSystemStatus");
        if is(method, "INVITE") && csta {
            marks |= RccMarks::CSTA_INVITE;
        }
        let csta_typed = m
            .content_type()
            .is_some_and(|c| find_ci(c.as_bytes(), b"csta").is_some());
        if is(method, "INFO") && csta_typed {
            marks |= RccMarks::CSTA_INFO;
        }
        let cseq_method = m.cseq().map(|c| c.1);
        if is(method, "REGISTER") || method.is_none() && is(cseq_method, "REGISTER") {
            marks |= RccMarks::REGISTER;
        }
        if method.is_none() && is(cseq_method, "SUBSCRIBE") {
            marks |= RccMarks::SUBSCRIBE_ANSWER;
        }
        RccMarks::from_bits(marks)
    }

    /// Every message read from a log carries its marks, read when it was built, and they say
    /// what the walk asked: on the built-in example's logs, every format's synthetic log and
    /// messages written to test each mark (letter case, parameters, a CSeq without a number).
    #[test]
    fn marks_are_read_with_the_message_and_say_what_the_walk_asked() {
        let odd = b"subscribe sip:a@b SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 subscribe\r\nEvent: VND-Microsoft-Roaming-Self ;x=1\r\n\r\n\
SUBSCRIBE sip:a@b SIP/2.0\r\nCall-ID: 2\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\n\r\n\
SUBSCRIBE sip:a@b SIP/2.0\r\nCall-ID: 3\r\nCSeq: 1 SUBSCRIBE\r\nEvent: vnd-microsoft-provisioning-v2\r\n\r\n\
SIP/2.0 200 OK\r\nCall-ID: 3\r\nCSeq: 1 Subscribe\r\nContent-Type: application/vnd-microsoft-roaming-provisioning-v2+xml\r\nContent-Length: 20\r\n\r\n<provisionGroupList/>\
SIP/2.0 200 OK\r\nCall-ID: 4\r\nCSeq: x SUBSCRIBE\r\n\r\n\
Benotify sip:a@b SIP/2.0\r\nCall-ID: 3\r\nCSeq: 2 BENOTIFY\r\nContent-Type: text/xml\r\nContent-Length: 15\r\n\r\n<roamingData/>\r\n\
NOTIFY sip:a@b SIP/2.0\r\nCall-ID: 5\r\nCSeq: 2 NOTIFY\r\nContent-Type: application/sdp\r\nContent-Length: 12\r\n\r\nprovision\r\n\r\n\
invite sip:a@b SIP/2.0\r\nCall-ID: 6\r\nCSeq: 1 INVITE\r\nContent-Type: Application/CSTA+XML\r\n\r\n\
INVITE sip:a@b SIP/2.0\r\nCall-ID: 7\r\nCSeq: 1 INVITE\r\nContent-Length: 23\r\n\r\n<RequestSystemStatus/>\r\n\
REGISTER sip:b SIP/2.0\r\nCall-ID: 8\r\nCSeq: 1 REGISTER\r\n\r\n\
SIP/2.0 401 Unauthorized\r\nCall-ID: 8\r\nCSeq: 1 register\r\n\r\n\
info sip:a@b SIP/2.0\r\nCall-ID: 9\r\nCSeq: 2 INFO\r\nc: application/CSTA+xml\r\n\r\n\
INFO sip:a@b SIP/2.0\r\nCall-ID: 9\r\nCSeq: 3 INFO\r\nContent-Type: text/plain\r\n\r\n"
            .to_vec();
        let mut logs: Vec<Vec<u8>> = crate::ingest::LogFormat::ALL
            .into_iter()
            .filter(|f| *f != crate::ingest::LogFormat::Unknown)
            .map(|f| crate::ingest::synth::generate(f, 60_000, 7))
            .collect();
        for example in crate::example::examples() {
            logs.extend(
                example
                    .logs
                    .iter()
                    .map(|(_, text)| text.as_bytes().to_vec()),
            );
        }
        logs.push(odd);
        let mut seen = [0usize; 6];
        for bytes in logs {
            let files = vec![OwnedInput {
                name: "log".into(),
                bytes: bytes.into(),
            }];
            let ingested = ingest_owned(files, &IngestOptions::default(), &mut |_| {});
            assert!(!ingested.messages.is_empty());
            for m in &ingested.messages {
                assert!(m.stored_rcc_marks().is_some(), "{}", m.start_line_text());
                let marks = RccMarks::read(m);
                assert_eq!(marks, asked_in_the_walk(m), "{}", m.start_line_text());
                for (bit, count) in seen.iter_mut().enumerate() {
                    *count += usize::from(marks.has(1 << bit));
                }
            }
        }
        // Each mark was set somewhere: the comparison above saw both answers for each.
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }
}
