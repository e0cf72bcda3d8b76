//! The log side: the judged attempt aligned with the known-good flow, the failing leg, and the
//! finding its failure signature names.

use super::draft::{Draft, Symptom};
use super::{Confidence, FlowLeg, Leg, LegState, Needed};
use crate::case::Case;
use crate::evidence::Evidence;
use crate::extract::Provisioning;
use crate::findings::FindingId;
use crate::generation::configuration_event;
use crate::msdiag;
use crate::observe::{
    config_words, Answer, Attempt, InfoExchange, Observed, Outcome, Record, Refresh, Refusal,
};
use crate::profile::{FailureSignature, FlowStep, LegKind, Profile, Role};
use crate::routing::{required_rule, Rule, Topology};
use crate::uri;
use crate::wizard::Step;

/// What the logs give the diagnosis.
#[derive(Debug, Default)]
pub(super) struct LogRead {
    /// The flow as the logs show it (empty without any sign of the RCC set-up).
    pub flow: Vec<FlowLeg>,
    pub drafts: Vec<Draft>,
    /// The all-clear, when the logs prove the session works.
    pub success: Option<Draft>,
}

fn leg_of(step: &FlowStep) -> Leg {
    Leg {
        from: step.from.clone(),
        to: step.to.clone(),
        message: step.message.clone(),
    }
}

fn flow_of(profile: &Profile) -> Vec<FlowLeg> {
    profile
        .flow
        .iter()
        .map(|s| FlowLeg {
            from: s.from.clone(),
            to: s.to.clone(),
            message: s.message.clone(),
            kind: s.kind,
            state: LegState::Unknown,
            evidence: vec![],
            observed: None,
            extra: false,
        })
        .collect()
}

/// What went wrong on a leg, for the failure signatures.
#[derive(Debug, Default)]
struct LegObservation {
    status: Option<u16>,
    responder: Option<String>,
    codes: Vec<u32>,
    reason_text: String,
    csta_error: Option<String>,
    timeout: bool,
    missing: bool,
    reached: Vec<String>,
    evidence: Vec<Evidence>,
}

fn signature_score(sig: &FailureSignature, lo: &LegObservation) -> Option<usize> {
    let mut score = 0;
    let is_error = lo.status.is_some_and(|s| s >= 300) || lo.csta_error.is_some();
    if !sig.status.is_empty() {
        if !lo.status.is_some_and(|s| sig.status.contains(&s)) {
            return None;
        }
        score += 1;
    }
    if let Some(r) = &sig.responder {
        if lo.responder.as_ref() != Some(r) {
            return None;
        }
        score += 2;
    }
    if !sig.ms_diagnostics.is_empty() {
        if !lo.codes.iter().any(|c| sig.ms_diagnostics.contains(c)) {
            return None;
        }
        score += 3;
    }
    if !sig.reason_contains.is_empty() {
        let t = lo.reason_text.to_ascii_lowercase();
        if !sig
            .reason_contains
            .iter()
            .any(|w| t.contains(&w.to_ascii_lowercase()))
        {
            return None;
        }
        score += 3;
    }
    if sig.csta_error {
        lo.csta_error.as_ref()?;
        score += 2;
    }
    if sig.timeout {
        if !lo.timeout || lo.status.is_some_and(|s| s != 408 && s != 487) {
            return None;
        }
        score += 1;
    }
    if sig.missing {
        if !lo.missing {
            return None;
        }
        score += 1;
    }
    if let Some(r) = &sig.reached {
        if !lo.reached.contains(r) {
            return None;
        }
        score += 2;
    }
    let open = sig.status.is_empty()
        && !sig.timeout
        && !sig.missing
        && !sig.csta_error
        && sig.reason_contains.is_empty()
        && sig.ms_diagnostics.is_empty();
    if open && !is_error {
        return None;
    }
    Some(score)
}

/// Reads the logs (see the module docs).
pub(super) fn read(case: &Case, o: &Observed, needed: &mut Needed) -> LogRead {
    let profile = &case.profile;
    let mut out = LogRead::default();
    if !o.any_logs {
        return out;
    }
    let attempt = o.judged();
    let config = o.decisive_config();
    let anything = attempt.is_some() || !o.config.is_empty() || o.config_subscribe.is_some();
    if !anything {
        match &o.sign_in_refused {
            Some(r) => sign_in_refused(profile, r, &mut out),
            None => needed.add(
                format!(
                    "A Communicator log from sign-in: it should show the client's configuration \
                     ({}) and the CSTA INVITE",
                    configuration_event(case.generation.as_ref().map(|g| g.generation))
                ),
                Step::Logs,
            ),
        }
        records_and_refusals(case, o, &mut out);
        return out;
    }
    let mut flow = flow_of(profile);
    if let Some(s) = &o.config_subscribe {
        set_leg(&mut flow, LegKind::Subscribe, None, LegState::Ok, s);
    }
    let mut failing =
        config.and_then(|p| read_configuration(profile, p, attempt, &mut flow, &mut out));
    match attempt {
        None if failing.is_none() => {
            if o.rcc_config().is_some() {
                needed.add(
                    "A client log that continues until Communicator shows the phone error (it \
                     should contain the CSTA INVITE)",
                    Step::Logs,
                );
            } else if config.is_none() {
                needed.add(
                    format!(
                        "A Communicator log from sign-in: the configuration answer ({}) says \
                         whether the client is given a remote call control line",
                        configuration_event(case.generation.as_ref().map(|g| g.generation))
                    ),
                    Step::Logs,
                );
            }
        }
        None => {}
        Some(a) => {
            mark_session(case, a, &mut flow);
            if failing.is_none() {
                failing = attempt_failure(case, o, a, &mut flow);
            }
            if failing.is_none() {
                let faults = || -> Vec<Draft> {
                    session_dropped(a)
                        .into_iter()
                        .chain(malformed_dialling(a))
                        .chain(refused_request(a))
                        .collect()
                };
                if a.succeeded() {
                    let faults = faults();
                    if faults.is_empty() {
                        out.success = Some(all_clear(o, a));
                    }
                    out.drafts.extend(faults);
                } else if a.stand_ins.session {
                    // No answer to judge the session by: what its requests met is all there is.
                    out.drafts.extend(faults());
                } else if a.outcome == Outcome::Pending {
                    needed.add(
                        "A log that runs at least 32 seconds past the CSTA INVITE (its answer may \
                         still be coming)",
                        Step::Logs,
                    );
                    out.drafts.push(unanswered_yet(case, a));
                }
                // Legs before the last seen one happened; the rest are just not seen.
                let last_seen = flow.iter().rposition(|l| l.state == LegState::Ok);
                for (i, l) in flow.iter_mut().enumerate() {
                    if l.state == LegState::Unknown
                        && last_seen.is_some_and(|k| i < k)
                        && implied_by_later(case, i, l)
                    {
                        l.state = LegState::Inferred;
                    }
                }
            }
        }
    }
    if let Some((i, mut d)) = failing {
        d.at_failure = true;
        mark_failure(case, &mut flow, i, &d, attempt);
        out.drafts.push(d);
    }
    out.flow = flow;
    records_and_refusals(case, o, &mut out);
    out
}

/// Marks the first leg of `kind` (sent by `from`, when given) with what shows it.
fn set_leg(
    flow: &mut [FlowLeg],
    kind: LegKind,
    from: Option<&str>,
    state: LegState,
    ev: &[Evidence],
) {
    if let Some(l) = flow
        .iter_mut()
        .find(|l| l.kind == kind && from.is_none_or(|f| l.from == f) && !l.extra)
    {
        l.state = state;
        l.evidence = ev.to_vec();
    }
}

/// Sign-in refused and nothing else: the flow fails at its first leg.
fn sign_in_refused(profile: &Profile, r: &Refusal, out: &mut LogRead) {
    let mut d = Draft::logs(FindingId::UserNotEnabled, Confidence::Medium).detail(format!(
        "Sign-in was refused ({}); remote call control cannot start before sign-in.",
        r.answer
    ));
    d.evidence = r.evidence.clone();
    d.leg = profile.leg_of(LegKind::Subscribe, None).map(leg_of);
    out.drafts.push(d);
    let mut flow = flow_of(profile);
    for (i, l) in flow.iter_mut().enumerate() {
        l.state = if i == 0 {
            LegState::Failing
        } else {
            LegState::NotReached
        };
    }
    flow[0].evidence = r.evidence.clone();
    out.flow = flow;
}

/// What the client's configuration answer says: the line it was given against the INVITE it
/// sent, values the gateway cannot use, or no remote call control at all. Returns the failing
/// leg when the configuration is where it broke (no INVITE followed).
fn read_configuration(
    profile: &Profile,
    p: &Provisioning,
    attempt: Option<&Attempt>,
    flow: &mut [FlowLeg],
    out: &mut LogRead,
) -> Option<(usize, Draft)> {
    let prov_index = profile
        .flow
        .iter()
        .position(|s| s.kind == LegKind::Provisioning)
        .unwrap_or(0);
    let prov_leg = profile.flow.get(prov_index).map(leg_of);
    if !p.starts_rcc() {
        // The client was told not to do remote call control, and did not.
        attempt.is_none().then_some(())?;
        let (id, text) = if p
            .line_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("uc"))
        {
            (
                FindingId::RccNotEnabled,
                format!(
                    "The client received a line of type Uc ({}): the user is enabled for \
                     Enterprise Voice only, not for remote call control.",
                    config_words(p)
                ),
            )
        } else if p.line_uri.is_some() || p.line_type.is_some() {
            (
                FindingId::LineServerUriMissing,
                format!(
                    "The client received a line but no remote call control server URI ({}).",
                    config_words(p)
                ),
            )
        } else {
            (
                FindingId::RccNotEnabled,
                format!(
                    "The client received no remote call control line ({}): remote call \
                     control is not enabled for the user, or its server URI is empty. The \
                     user's attributes decide which.",
                    config_words(p)
                ),
            )
        };
        let mut d = Draft::logs(id, Confidence::Medium).detail(text);
        d.evidence.push(p.evidence.clone());
        d.leg = prov_leg;
        flow[prov_index].observed = Some(match &p.line_type {
            Some(t) => format!("line of type {t}, no RCC server"),
            None => "no remote call control line".into(),
        });
        return Some((prov_index, d));
    }
    set_leg(
        flow,
        LegKind::Provisioning,
        None,
        LegState::Ok,
        std::slice::from_ref(&p.evidence),
    );
    // The INVITE against what the client was given.
    if let (Some(a), Some(ls)) = (attempt, &p.line_server_uri) {
        let strip = |u: &str| uri::aor(u).unwrap_or_else(|| u.to_ascii_lowercase());
        if strip(ls) != strip(&a.request_uri) {
            let mut d =
                Draft::logs(FindingId::ProvisioningMismatch, Confidence::Medium).detail(format!(
                    "The client was given {ls} ({}) but sent the INVITE to {}.",
                    config_words(p),
                    a.request_uri
                ));
            d.evidence.push(p.evidence.clone());
            d.evidence.extend(a.invite.iter().cloned());
            out.drafts.push(d);
        }
    }
    // Provisioned values the gateway cannot use; with no INVITE after them, the configuration
    // answer is where it broke.
    let mut failing = None;
    if let Some(ls) = &p.line_server_uri {
        if let Err(e) = uri::validate_sip_uri(ls) {
            let mut d = Draft::logs(FindingId::LineServerUriInvalid, Confidence::High).detail(
                format!("The client was given '{ls}' ({}): {e}.", config_words(p)),
            );
            d.evidence.push(p.evidence.clone());
            d.leg = prov_leg.clone();
            if attempt.is_none() {
                flow[prov_index].observed = Some(format!("RCC server URI '{ls}' is not a SIP URI"));
                failing = Some((prov_index, d));
            } else {
                out.drafts.push(d);
            }
        }
    }
    if let Some(l) = &p.line_uri {
        if let Err(e) = uri::validate_line_uri(l) {
            let mut d = Draft::logs(FindingId::LineUriInvalid, Confidence::High).detail(format!(
                "The client was given line '{l}' ({}): {e}.",
                config_words(p)
            ));
            d.evidence.push(p.evidence.clone());
            d.leg = prov_leg;
            out.drafts.push(d);
        }
    }
    failing
}

/// Marks the legs the attempt shows: its INVITE, the Home Server's Trying and forwarded copy,
/// the answers, the session's ACK and the CSTA requests inside the session.
fn mark_session(case: &Case, a: &Attempt, flow: &mut [FlowLeg]) {
    let (hs, target) = home_server_and_target(&case.profile);
    // Before the INVITE, the client had its configuration: implied.
    for kind in [LegKind::Subscribe, LegKind::Provisioning] {
        if let Some((k, l)) = flow.iter_mut().enumerate().find(|(_, l)| l.kind == kind) {
            if l.state == LegState::Unknown && implied_by_later(case, k, l) {
                l.state = LegState::Inferred;
            }
        }
    }
    if a.stand_ins.session {
        // The session was set up before the log: every leg of its INVITE and its ACK happened.
        for l in flow.iter_mut() {
            let set_up =
                l.kind.is_invite_path() || matches!(l.kind, LegKind::Ack | LegKind::Hidden);
            if set_up && l.kind != LegKind::Trying {
                l.state = LegState::Inferred;
            }
        }
    } else if a.stand_ins.invite {
        set_leg(flow, LegKind::Invite, None, LegState::Inferred, &[]);
    } else {
        set_leg(flow, LegKind::Invite, None, LegState::Ok, &a.invite);
    }
    if let Some(t) = &a.trying {
        set_leg(flow, LegKind::Trying, None, LegState::Ok, t);
    }
    if let Some(f) = &a.forwarded {
        set_leg(flow, LegKind::Forward, Some(&hs), LegState::Ok, f);
    }
    if let Some(r) = a.answer_back.as_ref().filter(|r| r.status < 300) {
        set_leg(
            flow,
            LegKind::AnswerBack,
            Some(&target),
            LegState::Ok,
            &r.evidence,
        );
    }
    if let Some(r) = a.answer.as_ref().filter(|r| r.status < 300) {
        if a.stand_ins.answer {
            set_leg(flow, LegKind::Answer, None, LegState::Inferred, &[]);
        } else {
            set_leg(flow, LegKind::Answer, None, LegState::Ok, &r.evidence);
        }
        if r.csta_problem().is_some() || !r.system_status_normal() {
            if let Some(l) = flow.iter_mut().find(|l| l.kind == LegKind::Answer) {
                l.observed = Some(match r.csta_problem() {
                    Some(p) => format!("{} ({p})", r.start_line),
                    None => format!("{} (no systemStatus)", r.start_line),
                });
            }
        }
    }
    if let Some(s) = &a.session_ack {
        set_leg(flow, LegKind::Ack, None, LegState::Ok, s);
    }
    for (leg, step) in flow.iter_mut().zip(&case.profile.flow) {
        let Some(name) = &step.csta else { continue };
        let Some(x) = a.info(name) else { continue };
        match step.kind {
            LegKind::Info => {
                leg.state = LegState::Ok;
                leg.evidence = x.request.clone();
            }
            LegKind::InfoAnswer => {
                if let Some(r) = &x.answer {
                    if r.status < 300 && r.csta_problem().is_none() {
                        leg.state = LegState::Ok;
                        leg.evidence = r.evidence.clone();
                    }
                }
            }
            _ => {}
        }
    }
}

/// The proof that remote call control works: the session's 200 OK, MonitorStart's answer,
/// earlier sessions that came up, and refreshes with what became of them.
fn all_clear(o: &Observed, a: &Attempt) -> Draft {
    let mut d = Draft::logs(FindingId::AllClear, Confidence::High).detail(
        "The gateway answered the CSTA INVITE with 200 OK and systemStatus normal (or a \
         MonitorStart that succeeded).",
    );
    // The gateway's own answer as the Home Server received it, then as the client got it.
    for r in a.answer_back.iter().chain(&a.answer) {
        for e in &r.evidence {
            if !d.evidence.contains(e) {
                d.evidence.push(e.clone());
            }
        }
    }
    // The monitor that makes the phone visible, when the log shows it.
    if let Some(r) = a.info("MonitorStart").and_then(|x| x.answer.as_ref()) {
        if r.status < 300 && r.csta_problem().is_none() {
            d.evidence.extend(r.evidence.iter().cloned());
            d.detail.push("MonitorStart was answered 200 OK.".into());
        }
    }
    // Earlier sessions that came up too (a client rebuilds its session).
    for x in o
        .attempts
        .iter()
        .filter(|x| !std::ptr::eq(*x, a) && x.succeeded())
        .rev()
        .take(MAX_REPEATED_ATTEMPTS)
    {
        if let Some(r) = &x.answer {
            d.evidence.extend(r.evidence.iter().cloned());
        }
    }
    // Refreshes of every session in the log, and what became of them: a server that forgot
    // the dialog (481) makes the client build a new one.
    let refreshes: Vec<&Refresh> = o.attempts.iter().flat_map(|x| &x.refreshes).collect();
    let ok = refreshes
        .iter()
        .filter(|r| r.status.is_some_and(|s| s < 300));
    let gone = refreshes.iter().filter(|r| r.status == Some(481));
    for r in ok
        .clone()
        .rev()
        .take(MAX_REPEATED_ATTEMPTS)
        .chain(gone.clone())
    {
        d.evidence.extend(r.answer.iter().cloned());
    }
    let (n_ok, n_gone) = (ok.count(), gone.count());
    if n_ok > 0 {
        d.detail.push(format!(
            "The session was refreshed {n_ok} time{} (re-INVITE answered 200 OK), as expected.",
            if n_ok == 1 { "" } else { "s" }
        ));
    }
    if n_gone > 0 {
        d.detail.push(
            "A refresh was answered 481 (the server no longer knew the session) and the client \
             set up a new session, which is normal after the server drops the dialog."
                .into(),
        );
    }
    if o.attempts.len() > 1 {
        d.detail.push(format!(
            "The log holds {} session attempts; the latest decides (a client rebuilds the \
             session after 12-24 hours, which is normal).{}",
            o.attempts.len(),
            by_date(o)
        ));
    }
    d
}

/// The log ends before the INVITE's answer could come: the session is not seen coming up, and
/// why is not in the evidence. Said as such (low confidence, the last step seen as evidence)
/// rather than left blank, since the user came with the phone error.
fn unanswered_yet(case: &Case, a: &Attempt) -> Draft {
    let mut d = Draft::logs(FindingId::RccSessionFailed, Confidence::Low);
    d.warning_only = true;
    d.evidence.extend(a.invite.iter().cloned());
    let profile = &case.profile;
    let last = match (&a.forwarded, &a.trying) {
        (Some(f), _) => {
            d.evidence.extend(f.iter().cloned());
            let next = profile
                .line_server_host()
                .map(|p| profile.label(&p.id))
                .unwrap_or("the next hop");
            format!("the Home Server forwarded the CSTA INVITE towards the {next}")
        }
        (None, Some(t)) => {
            d.evidence.extend(t.iter().cloned());
            "the Home Server answered the CSTA INVITE 100 Trying".to_string()
        }
        (None, None) => "the client sent the CSTA INVITE".to_string(),
    };
    let after = a
        .log_ends_after_ms
        .map(|ms| format!(" {:.1} s later", ms as f64 / 1000.0))
        .unwrap_or_default();
    d.detail.push(format!(
        "The last step the logs show: {last}. They end{after}, with no answer to it: the session \
         is not seen coming up, and the cause is not in the evidence. The answer may take up to \
         32 seconds (RFC 3261 Timer B): a log that runs that long after the INVITE, or the \
         client's own log up to the phone error, says where it fails."
    ));
    d
}

/// A session that came up and that the far end then ended with BYE: remote call control
/// stopped there. When no refresh was answered and the BYE came once the session interval the
/// 200 OK set had run out, it is failure signature F10 (domain.md: the client schedules its
/// refresh re-INVITE at Session-Expires - 60 s, RFC 4028; without it the gateway drops the
/// session after about 30 minutes).
fn session_dropped(a: &Attempt) -> Option<Draft> {
    let end = a.ended.as_ref().filter(|e| e.by_far_end)?;
    let refreshed = a
        .refreshes
        .iter()
        .any(|r| r.status.is_some_and(|s| s < 300));
    let after = end
        .after_ms
        .map(|ms| format!(" {} s after the 200 OK", ms / 1000))
        .unwrap_or_default();
    let expired = end.session_expires.as_ref().filter(|(secs, _)| {
        let due_ms = (i64::from(*secs) - 60) * 1000;
        !refreshed && end.after_ms.is_none_or(|ms| ms >= due_ms)
    });
    let mut d = Draft::logs(FindingId::RccSessionFailed, Confidence::Medium);
    d.evidence.extend(end.answer.iter().cloned());
    d.evidence.extend(end.bye.iter().cloned());
    match expired {
        Some((secs, refresher)) => {
            d.confidence = Confidence::High;
            let who = match refresher.as_deref() {
                Some("uac") => " (refresher=uac: the client refreshes)",
                Some("uas") => " (refresher=uas: the gateway refreshes)",
                _ => "",
            };
            d.detail.push(format!(
                "The session came up, then the gateway ended it with BYE{after}. The 200 OK set \
                 Session-Expires: {secs}{who}, and no refresh re-INVITE was answered before it \
                 ran out (RFC 4028: the refresher re-INVITEs before the session expires; \
                 pidgin-sipe's client does at Session-Expires - 60 s). A session \
                 that is never refreshed ends like this: phone control stops about {} minutes \
                 after sign-in.",
                secs / 60
            ));
            d.fix = vec![
                "The session must be refreshed before it expires: look for the client's \
                 re-INVITE (To tag set) before Session-Expires runs out (pidgin-sipe sends it \
                 60 s before). A client that sends none \
                 does not refresh the session: check its version and updates."
                    .into(),
                "Until then, signing the client out and in again sets up a new session (a \
                 rebuild INVITE is expected after such a drop)."
                    .into(),
            ];
        }
        None => d.detail.push(format!(
            "The session came up, then the gateway ended it with BYE{after}: phone control \
             stopped there. The gateway's own log says why."
        )),
    }
    Some(d)
}

/// A session that works, in which Communicator asked the gateway to dial numbers no phone can
/// dial (failure signature F9): the phone goes off hook and nothing is dialled.
fn malformed_dialling(a: &Attempt) -> Option<Draft> {
    let calls: Vec<(&InfoExchange, &str, String)> = a
        .infos
        .iter()
        .filter_map(|x| {
            let called = x.dialled.as_deref()?;
            Some((x, called, uri::dial_string_flaw(called)?))
        })
        .collect();
    let (first, called, flaw) = calls.first()?;
    let mut d = Draft::logs(FindingId::DialStringMalformed, Confidence::High);
    for (x, _, _) in calls.iter().take(MAX_REPEATED_ATTEMPTS) {
        d.evidence.extend(x.request.iter().cloned());
        if let Some(r) = &x.answer {
            d.evidence.extend(r.evidence.iter().cloned());
        }
    }
    let answered = match &first.answer {
        Some(r) if r.status < 300 && r.csta_problem().is_none() => {
            format!(
                " The gateway accepted it ({}) instead of refusing it.",
                r.start_line
            )
        }
        Some(r) => format!(" The gateway answered {}.", r.start_line),
        None => String::new(),
    };
    let more = match calls.len() {
        1 => String::new(),
        n => format!(" {n} MakeCall requests carry such a number."),
    };
    d.detail.push(format!(
        "MakeCall asked the gateway to dial {called}: {flaw}.{answered}{more}"
    ));
    Some(d)
}

/// A request inside a working session that the gateway refused (a MakeCall answered with a
/// CSTA error or an error status): README's `csta-error` for that request. A number no phone
/// can dial is [`malformed_dialling`]'s, and the requests the session needs (MonitorStart) are
/// [`established_failure`]'s. A called number neither global nor with a `phone-context` is
/// named: RFC 3966 gives it no meaning outside a context, and the numbers Communicator
/// dials are normalized by the Address Book's rules (Lync13RCC step 4).
fn refused_request(a: &Attempt) -> Option<Draft> {
    let refused: Vec<(&InfoExchange, &Answer, String)> = a
        .infos
        .iter()
        .filter(|x| {
            !SESSION_REQUESTS
                .iter()
                .any(|n| x.name.eq_ignore_ascii_case(n))
                && x.dialled
                    .as_deref()
                    .is_none_or(|d| uri::dial_string_flaw(d).is_none())
        })
        .filter_map(|x| {
            let r = x.answer.as_ref()?;
            let problem = match r.csta_problem() {
                Some(p) => format!("CSTA {p}"),
                // 481 and 408 say the dialog or the transport is gone, not the request refused.
                None if r.status >= 300 && !matches!(r.status, 408 | 481) => {
                    format!("SIP {}", r.status)
                }
                None => return None,
            };
            Some((x, r, problem))
        })
        .collect();
    let (first, answer, problem) = refused.first()?;
    let mut d = Draft::logs(FindingId::CstaError, Confidence::High);
    for (x, r, _) in refused.iter().take(MAX_REPEATED_ATTEMPTS) {
        d.evidence.extend(x.request.iter().cloned());
        d.evidence.extend(r.evidence.iter().cloned());
    }
    let what = match &first.dialled {
        Some(n) => format!("{} to {n}", first.name),
        None => first.name.clone(),
    };
    let worked: Vec<&InfoExchange> = a
        .infos
        .iter()
        .filter(|x| {
            x.answer
                .as_ref()
                .is_some_and(|r| r.status < 300 && r.csta_problem().is_none())
        })
        .collect();
    let mut detail = format!(
        "The gateway refused {what} ({}): {} ({problem}).",
        first.request.first().map(|e| e.label()).unwrap_or_default(),
        answer.start_line,
    );
    if let Some(x) = worked.first() {
        detail.push_str(&format!(
            " The session itself works: {} was answered without error.",
            x.name
        ));
    }
    if a.stand_ins.session {
        detail.push_str(
            " The logs show the session only from inside (no INVITE): it was set up before \
             they begin.",
        );
    }
    d.detail.push(detail);
    if refused.len() > 1 {
        d.detail
            .push(format!("{} CSTA requests were refused.", refused.len()));
    }
    let local = first
        .dialled
        .as_deref()
        .filter(|n| !n.contains('@') && is_local_without_context(n));
    if let Some(n) = local {
        d.fix.push(format!(
            "The number {n} is neither global (+ and the country code) nor given a \
             phone-context (RFC 3966): a gateway has no context to place it in. Numbers Communicator \
             dials come from contacts and the Address Book, whose normalization rules turn \
             them into E.164 (Lync13RCC step 4): add a rule that matches this form."
        ));
    }
    if !worked.is_empty() {
        d.fix.push(
            "The session and the line work (another request was answered): look at what the \
             refused request asked for, and at the gateway's and the PBX's logs for that call."
                .into(),
        );
    }
    Some(d)
}

/// Requests about the session itself, not a call: the ones it needs are judged with it
/// ([`established_failure`]); a capability query or the monitor's end at sign-out refused says
/// nothing of phone control.
const SESSION_REQUESTS: [&str; 4] = [
    "RequestSystemStatus",
    "GetCSTAFeatures",
    "MonitorStart",
    "MonitorStop",
];

/// A tel URI or bare number that is local (no `+`) and carries no `phone-context`.
fn is_local_without_context(n: &str) -> bool {
    let s = n.trim();
    let number = uri::strip_scheme(s, "tel:").unwrap_or(s);
    !number.starts_with('+') && !number.to_ascii_lowercase().contains(";phone-context=")
}

/// How many earlier attempts that ended the same way lend their answer as evidence.
const MAX_REPEATED_ATTEMPTS: usize = 3;

/// Where the judged attempt broke, if it did: the failing leg's index and its finding. Legs
/// are marked by [`mark_failure`].
fn attempt_failure(
    case: &Case,
    o: &Observed,
    a: &Attempt,
    flow: &mut [FlowLeg],
) -> Option<(usize, Draft)> {
    let profile = &case.profile;
    let (leg, symptom, lo) = observe_failure(profile, a, flow)?;
    let step = &profile.flow[leg];
    let Judgement {
        id,
        confidence,
        basis,
        code_notes,
        code_steps,
    } = judge(profile, step, &lo, a);
    let mut d = Draft::logs(id, confidence);
    d.leg = Some(leg_of(step));
    d.evidence = lo.evidence.clone();
    // What shows the INVITE got past the Home Server: its forwarded copy, the next hop's
    // 100 Trying, its log.
    for e in a.forwarded.iter().flatten() {
        if !d.evidence.contains(e) {
            d.evidence.push(e.clone());
        }
    }
    for r in &a.reached {
        if Some(r.participant.as_str()) != profile.home_server()
            && !d.evidence.contains(&r.evidence)
        {
            d.evidence.push(r.evidence.clone());
        }
    }
    d.symptom = symptom;
    d.failed_on_certificate = failed_on_certificate(a);
    d.detail.push(describe_failure(profile, step, &lo, a));
    d.detail.extend(code_notes);
    d.first_steps = code_steps;
    if let Some(f) = basis {
        if f.inferred {
            d.assumptions.push(format!(
                "This signature is inferred, not documented: {}",
                f.basis
            ));
        }
    }
    if o.attempts.len() > 1 {
        repeated_attempts(o, a, &mut d);
    }
    if id.is_missing_route() {
        rule_from_logs(case, step, a, &mut d);
    }
    let connections = if matches!(
        id,
        FindingId::GatewayUnreachable | FindingId::TlsTransportMismatch
    ) {
        connection_failures(case, o, a, leg, &mut d)
    } else {
        Vec::new()
    };
    if d.failed_on_certificate {
        let records = a.records.iter().chain(connections);
        d.first_steps
            .extend(records.filter_map(certificate_presented).next());
    }
    if id == FindingId::GatewayUnreachable {
        unanswered_invites(o, a, &mut d);
    }
    if let Some(h) = behind_the_gateway(profile, step, &lo) {
        let (_, target) = home_server_and_target(profile);
        d.leg = Some(leg_of(&profile.flow[h]));
        d.detail.push(format!(
            "The {} answered, so the SIP path works; what it reports is its own link to the {} \
             ({}).",
            profile.label(&target),
            profile.label(&profile.flow[h].to),
            lo.csta_error
                .clone()
                .or_else(|| lo.status.map(|s| format!("SIP {s} from it")))
                .unwrap_or_default()
        ));
        // The PBX link first: the line URI and the routes are not what the status speaks of.
        let (gateway, pbx) = (profile.label(&target), profile.label(&profile.flow[h].to));
        d.fix = vec![
            format!(
                "Check the link from the {gateway} to the {pbx} first (the CTI service or \
                 connection on both sides): the {gateway} answered, so the directory and the \
                 routes got the request there."
            ),
            "On the PBX and the gateway, check that the line is configured and licensed for CTI / \
             remote call control."
                .into(),
        ];
        return Some((h, d));
    }
    Some((leg, d))
}

/// Whether the attempt's answers or records say its TLS connection toward the next hop failed
/// on that hop's certificate (`tls_certificate` in `data/diagnostic-codes.toml`).
fn failed_on_certificate(a: &Attempt) -> bool {
    let by_code = [&a.answer, &a.answer_back]
        .into_iter()
        .flatten()
        .flat_map(|r| &r.diagnostics)
        .any(|d| msdiag::ms_diagnostic(d.code).is_some_and(|c| c.tls_certificate));
    by_code
        || a.records
            .iter()
            .filter_map(|r| r.result_code.as_deref())
            .any(|rc| msdiag::result_code(rc).is_some_and(|c| c.tls_certificate))
}

/// What a record of the certificate failure says the next hop presented (`CN=` in the record),
/// beside the name the pool connected to (the record's peer): the two names to make agree.
fn certificate_presented(r: &Record) -> Option<String> {
    let presented = r.certificate_name.as_deref()?;
    let at = r.evidence.label();
    Some(match r.peer.iter().find(|p| !crate::uri::is_ip(p)) {
        Some(peer) if peer.eq_ignore_ascii_case(presented) => format!(
            "The next hop's certificate names {presented}, the FQDN the pool connected to \
             ({at}): the names agree, so look at trust: the pool must trust the CA that \
             issued it, and the next hop the pool's."
        ),
        Some(peer) => format!(
            "The next hop at {peer} presented a certificate for {presented} ({at}): the \
             route's next hop and the certificate's name must be the same FQDN."
        ),
        None => format!("The next hop presented a certificate for {presented} ({at})."),
    })
}

/// The index of the profile's flow step of `kind` (from `from`, when given).
fn leg_index(profile: &Profile, kind: LegKind, from: Option<&str>) -> Option<usize> {
    profile
        .flow
        .iter()
        .position(|s| s.kind == kind && from.is_none_or(|f| s.from == f))
}

/// The ids of the Home Server and of the participant that hosts the line server (empty when
/// the profile has none).
fn home_server_and_target(profile: &Profile) -> (String, String) {
    let hs = profile.home_server().unwrap_or_default().to_string();
    let target = profile
        .line_server_host()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    (hs, target)
}

/// The words of an answer's diagnostics and of the attempt's log records, for the signatures.
fn reason_of(r: &Answer, a: &Attempt) -> String {
    r.diagnostics
        .iter()
        .map(|d| d.reason.clone())
        .chain(a.records.iter().map(|x| x.words()))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The leg the judged attempt broke on, what the logs show of it there, and the symptom a
/// route finding reads; `None` when it did not break (or its leg is not in the profile).
fn observe_failure(
    profile: &Profile,
    a: &Attempt,
    flow: &mut [FlowLeg],
) -> Option<(usize, Option<Symptom>, LegObservation)> {
    let reached: Vec<String> = a.reached.iter().map(|r| r.participant.clone()).collect();
    let mut lo = LegObservation {
        reached: reached.clone(),
        ..LegObservation::default()
    };
    let (leg, symptom) = match a.outcome {
        Outcome::Established => (established_failure(profile, a, flow, &mut lo)?, None),
        Outcome::Failed => refused(profile, a, &mut lo)?,
        // A 408 the line server host sent itself: it is up and its answer came back; what
        // timed out is its own next hop (MCM's NRS or call server), an error answer.
        Outcome::TimedOut if timed_out_beyond(profile, a) => {
            let (leg, symptom) = refused(profile, a, &mut lo)?;
            let (_, target) = home_server_and_target(profile);
            lo.responder = Some(target.clone());
            let back = leg_index(profile, LegKind::AnswerBack, Some(&target)).unwrap_or(leg);
            let symptom = symptom.map(|s| Symptom {
                home_server_answered: false,
                ..s
            });
            (back, symptom)
        }
        Outcome::Cancelled | Outcome::TimedOut => unanswered(profile, a, &mut lo)?,
        Outcome::Pending => return None,
    };
    Some((leg, symptom, lo))
}

/// A session that was set up can still have failed: a CSTA error in its answer, or a
/// required CSTA request (RequestSystemStatus, MonitorStart) refused.
fn established_failure(
    profile: &Profile,
    a: &Attempt,
    flow: &mut [FlowLeg],
    lo: &mut LegObservation,
) -> Option<usize> {
    if let Some((r, p)) = a.answer.as_ref().and_then(|r| Some((r, r.csta_problem()?))) {
        lo.status = Some(r.status);
        lo.csta_error = Some(p);
        lo.responder = r.responder.clone();
        lo.evidence = r.evidence.clone();
        leg_index(profile, LegKind::Answer, None)
    } else if let Some((i, x)) = profile
        .flow
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == LegKind::InfoAnswer && s.required)
        .find_map(|(i, s)| {
            let x = a.info(s.csta.as_deref()?)?;
            let r = x.answer.as_ref()?;
            (r.status >= 300 || r.csta_problem().is_some()).then_some((i, x))
        })
    {
        let r = x.answer.as_ref()?;
        lo.status = Some(r.status);
        lo.csta_error = r
            .csta_problem()
            .or_else(|| Some(format!("SIP {}", r.status)));
        lo.evidence = x.request.clone();
        lo.evidence.extend(r.evidence.iter().cloned());
        // The session's other requests the gateway refused too (GetCSTAFeatures before the
        // MonitorStart): the same cause, seen earlier.
        for other in a.infos.iter().filter(|o| !std::ptr::eq(*o, x)) {
            let Some(ra) = other.answer.as_ref() else {
                continue;
            };
            let session_request = SESSION_REQUESTS
                .iter()
                .any(|n| other.name.eq_ignore_ascii_case(n));
            if session_request && (ra.status >= 300 || ra.csta_problem().is_some()) {
                lo.evidence.extend(other.request.iter().cloned());
                lo.evidence.extend(ra.evidence.iter().cloned());
            }
        }
        flow[i].observed = Some(match r.csta_problem() {
            Some(p) => format!("{} (CSTA: {p})", r.start_line),
            None => r.start_line.clone(),
        });
        Some(i)
    } else {
        None
    }
}

/// The attempt's 408 was written by the line server host (a gateway or Application Proxy that
/// answered for its own next hop), not by the client's or the Home Server's timer.
fn timed_out_beyond(profile: &Profile, a: &Attempt) -> bool {
    let (_, target) = home_server_and_target(profile);
    // The Home Server relays it to the client: the answer it received says who wrote it.
    let written = a.answer_back.as_ref().or(a.answer.as_ref());
    a.answer.as_ref().is_some_and(|r| r.status == 408)
        && written.is_some_and(|r| {
            r.status == 408 && !target.is_empty() && r.responder.as_deref() == Some(&target)
        })
}

/// An INVITE answered with an error: who answered decides the leg.
fn refused(
    profile: &Profile,
    a: &Attempt,
    lo: &mut LegObservation,
) -> Option<(usize, Option<Symptom>)> {
    let (hs, target) = home_server_and_target(profile);
    let r = a.answer.as_ref()?;
    lo.status = Some(r.status);
    lo.codes = r.diagnostics.iter().map(|d| d.code).collect();
    lo.reason_text = reason_of(r, a);
    lo.responder = r.responder.clone();
    lo.csta_error = r.csta_problem();
    lo.evidence = a.invite.clone();
    lo.evidence.extend(r.evidence.iter().cloned());
    // The answer as it passed the Home Server (the next hop's, or the Home Server's
    // to a copy that came back to it).
    if let Some(b) = &a.answer_back {
        lo.evidence.extend(b.evidence.iter().cloned());
    }
    for x in &a.records {
        lo.evidence.push(x.evidence.clone());
    }
    // Who answered decides the leg: the Home Server itself (it did not forward), or
    // the next hop (its answer came back).
    let hs_answered = match r.responder.as_deref() {
        Some(w) => w == hs,
        None => !a.reached(&target),
    };
    if hs_answered {
        lo.responder = Some(hs.clone());
    }
    let idx = |kind: LegKind, from: Option<&str>| leg_index(profile, kind, from);
    let leg = if let Some((from, ev)) = &a.looped_back {
        // The request came back to the Home Server: the hop that sent it back routes
        // wrongly.
        lo.evidence.extend(ev.iter().cloned());
        lo.responder = Some(hs.clone());
        idx(LegKind::AnswerBack, Some(from)).or_else(|| idx(LegKind::Forward, Some(&hs)))
    } else if hs_answered {
        idx(LegKind::Forward, Some(&hs))
    } else {
        idx(LegKind::AnswerBack, Some(&target)).or_else(|| idx(LegKind::Answer, None))
    }?;
    Some((
        leg,
        Some(Symptom {
            timeout: matches!(r.status, 408 | 480 | 504),
            status: Some(r.status),
            home_server_answered: hs_answered,
        }),
    ))
}

/// An INVITE cancelled or timed out without a final answer: it broke after the last hop it
/// reached.
fn unanswered(
    profile: &Profile,
    a: &Attempt,
    lo: &mut LegObservation,
) -> Option<(usize, Option<Symptom>)> {
    let (hs, target) = home_server_and_target(profile);
    lo.timeout = true;
    lo.status = a.answer.as_ref().map(|r| r.status);
    lo.evidence = a.invite.clone();
    // What the logs say about the timeout (a client's "Timer B fired" line).
    lo.evidence
        .extend(a.records.iter().map(|x| x.evidence.clone()));
    if let Some(r) = &a.answer {
        lo.evidence.extend(r.evidence.iter().cloned());
        lo.codes = r.diagnostics.iter().map(|d| d.code).collect();
        lo.reason_text = reason_of(r, a);
    }
    if let Some(c) = &a.cancel {
        lo.evidence.extend(c.iter().cloned());
    }
    let leg = if a.reached(&target) {
        leg_index(profile, LegKind::AnswerBack, Some(&target))
    } else {
        leg_index(profile, LegKind::Forward, Some(&hs))
    }?;
    Some((
        leg,
        Some(Symptom {
            timeout: true,
            status: lo.status,
            home_server_answered: false,
        }),
    ))
}

/// The finding a failed leg's signatures name, how sure it is, the signature it rests on, and
/// what the documented diagnostic and result codes in the logs mean.
struct Judgement<'p> {
    id: FindingId,
    confidence: Confidence,
    basis: Option<&'p FailureSignature>,
    code_notes: Vec<String>,
    /// What a documented code that names the finding says of remote call control (the
    /// knowledge file's `rcc` sentence), to say first in the fix.
    code_steps: Vec<String>,
}

/// The best-scoring failure signature of the leg (none: rcc-session-failed, low confidence);
/// a documented diagnostic code that names the same finding makes it certain.
fn judge<'p>(
    profile: &'p Profile,
    step: &FlowStep,
    lo: &LegObservation,
    a: &Attempt,
) -> Judgement<'p> {
    let sig = profile
        .failures
        .iter()
        .filter(|f| f.leg == step.id)
        .filter_map(|f| signature_score(f, lo).map(|s| (s, f)))
        .max_by_key(|(s, _)| *s);
    let (id, mut confidence, basis) = match sig {
        Some((s, f)) => (
            f.finding,
            if f.inferred || s < 2 {
                Confidence::Medium
            } else {
                Confidence::High
            },
            Some(f),
        ),
        None => (FindingId::RccSessionFailed, Confidence::Low, None),
    };
    // A documented diagnostic code that names the same finding makes it certain.
    let documented = lo.codes.iter().filter_map(|c| msdiag::ms_diagnostic(*c));
    let mut code_notes = Vec::new();
    let mut code_steps = Vec::new();
    for row in documented {
        code_notes.push(format!("ms-diagnostics {}: {}", row.code, row.meaning));
        if let (Some(rcc), Some(true)) = (&row.rcc, row.finding.map(|f| f == id)) {
            code_steps.push(format!("ms-diagnostics {} points here. {rcc}", row.code));
        }
        if row.finding == Some(id) && !row.inferred {
            confidence = Confidence::High;
        }
    }
    for x in &a.records {
        if let Some(row) = x.result_code.as_deref().and_then(msdiag::result_code) {
            code_notes.push(format!("{}: {}", row.name, row.meaning));
        }
    }
    Judgement {
        id,
        confidence,
        basis,
        code_notes,
        code_steps,
    }
}

/// Earlier attempts that failed the same way repeat the evidence: point at them too (the
/// client retries; a helpdesk engineer reads the first failure as readily).
fn repeated_attempts(o: &Observed, a: &Attempt, d: &mut Draft) {
    let status = |x: &Attempt| x.answer.as_ref().map(|r| r.status);
    // A session that came up failed on a request inside it: the same one refused again.
    fn refused(x: &Attempt) -> Option<&InfoExchange> {
        x.infos.iter().find(|i| {
            i.answer
                .as_ref()
                .is_some_and(|r| r.status >= 300 || r.csta_problem().is_some())
        })
    }
    let same_request = |x: &Attempt| match (refused(x), refused(a)) {
        (Some(p), Some(q)) => p.name.eq_ignore_ascii_case(&q.name),
        // A session refused in its answer (systemStatus disabled): the same problem again.
        (None, None) => {
            let problem = |x: &Attempt| x.answer.as_ref().and_then(Answer::csta_problem);
            a.outcome != Outcome::Established || (problem(a).is_some() && problem(x) == problem(a))
        }
        _ => false,
    };
    let same: Vec<&Attempt> = o
        .attempts
        .iter()
        .filter(|x| {
            !std::ptr::eq(*x, a)
                && x.outcome == a.outcome
                && status(x) == status(a)
                && same_request(x)
        })
        .collect();
    // The latest ones, and the first: when it began.
    let lent = same
        .iter()
        .rev()
        .take(MAX_REPEATED_ATTEMPTS - 1)
        .chain(same.first().filter(|_| same.len() >= MAX_REPEATED_ATTEMPTS));
    for x in lent {
        let evidence = match refused(x) {
            Some(i) => i
                .request
                .iter()
                .chain(i.answer.iter().flat_map(|r| &r.evidence))
                .cloned()
                .collect(),
            None => {
                let answer = x.answer.as_ref().map(|r| r.evidence.clone());
                answer.or_else(|| x.cancel.clone()).unwrap_or_default()
            }
        };
        for e in evidence {
            if !d.evidence.contains(&e) {
                d.evidence.push(e);
            }
        }
    }
    d.detail.push(if same.is_empty() {
        format!(
            "The log holds {} session attempts; the latest with an answer decides.{}",
            o.attempts.len(),
            by_date(o)
        )
    } else {
        format!(
            "The log holds {} session attempts; {} more failed the same way.",
            o.attempts.len(),
            same.len()
        )
    });
}

/// How the latest attempt was told when the messages carry no log time.
fn by_date(o: &Observed) -> &'static str {
    if o.ordered_by_date {
        " The messages carry no log time: their Date headers tell which is the latest."
    } else {
        ""
    }
}

/// The Home Server's own word on the connection it could not make to the next hop of `leg`;
/// returns those records.
fn connection_failures<'o>(
    case: &Case,
    o: &'o Observed,
    a: &Attempt,
    leg: usize,
    d: &mut Draft,
) -> Vec<&'o Record> {
    let next = &case.profile.flow[leg].to;
    let names: Vec<String> = case
        .topology
        .entry(next)
        .map(|h| h.fqdn.iter().chain(&h.ips).cloned().collect())
        .unwrap_or_default();
    let host = uri::UriView::parse(&a.request_uri).map(|v| v.host_key());
    let toward_next: Vec<&Record> = o
        .connection_failures
        .iter()
        .filter(|r| {
            r.peer
                .iter()
                .any(|p| names.contains(p) || host.as_ref() == Some(p))
        })
        .collect();
    for r in &toward_next {
        d.evidence.push(r.evidence.clone());
        d.detail.push(format!(
            "The Home Server's log says of its connection to {}: {}.",
            r.peer.first().map(String::as_str).unwrap_or("the next hop"),
            [r.text.as_deref(), r.result_code.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
                .trim_end_matches('.')
        ));
    }
    toward_next
}

/// Other INVITEs to the same host that got no answer at all (a probe, an earlier try) say the
/// same about the gateway.
fn unanswered_invites(o: &Observed, a: &Attempt, d: &mut Draft) {
    let host = |x: &Attempt| uri::UriView::parse(&x.request_uri).map(|v| v.host_key());
    for x in o
        .attempts
        .iter()
        .filter(|x| {
            // Unanswered: timed out, or still retransmitting when its log ends.
            let unanswered = x.outcome == Outcome::TimedOut
                || (x.outcome == Outcome::Pending && x.retransmissions > 0);
            !std::ptr::eq(*x, a) && unanswered && x.answer.is_none() && host(x) == host(a)
        })
        .take(MAX_REPEATED_ATTEMPTS)
    {
        d.evidence.extend(x.invite.iter().cloned());
        d.detail.push(format!(
            "Another INVITE to {} ({}) got no answer at all{}.",
            x.request_uri,
            x.invite.first().map(|e| e.label()).unwrap_or_default(),
            if x.retransmissions > 0 {
                format!(" after {} retransmissions", x.retransmissions)
            } else {
                String::new()
            }
        ));
    }
}

/// A gateway that answers but reports its own system as not normal has lost the PBX: the leg
/// behind it (its link to the PBX) is where it broke; the answer only carried the news.
fn behind_the_gateway(profile: &Profile, step: &FlowStep, lo: &LegObservation) -> Option<usize> {
    let (_, target) = home_server_and_target(profile);
    let system_down = step.kind == LegKind::Answer
        && lo
            .csta_error
            .as_deref()
            .is_some_and(|p| p.starts_with("systemStatus"));
    // The line server host's own timeout: its link beyond it did not answer.
    let timed_out_beyond = step.kind == LegKind::AnswerBack
        && matches!(lo.status, Some(408 | 504))
        && !target.is_empty()
        && lo.responder.as_deref() == Some(target.as_str());
    let behind = profile.flow.iter().position(|s| {
        s.kind == LegKind::Hidden
            && s.from == target
            && profile.participant(&s.to).map(|p| p.role) == Some(Role::Pbx)
    });
    match (system_down || timed_out_beyond, behind) {
        (true, Some(h)) => Some(h),
        _ => None,
    }
}

/// A route finding from the logs alone still writes the rule to add, with the hosts the logs
/// show (the request URI's host, the Home Server that answered) and the profile's usual port
/// and transport, each named as an assumption.
fn rule_from_logs(case: &Case, step: &FlowStep, a: &Attempt, d: &mut Draft) {
    let profile = &case.profile;
    let Some(req) = profile.routes.iter().find(|r| r.finding == d.id) else {
        return;
    };
    let mut topology: Topology = case.topology.clone();
    let mut names = case.names();
    if names.line_server_uri.is_none() {
        names.line_server_uri = Some(a.request_uri.clone());
    }
    let host = uri::UriView::parse(&a.request_uri).map(|v| v.host_key());
    // (A host that is the users' own SIP domain is the pool's, not the gateway's name.)
    let own_domain = names.line_server_in_users_domain().is_some();
    if let (Some(t), Some(h), false) = (profile.line_server_host(), &host, own_domain) {
        if topology.fqdn(&t.id).is_none() {
            topology.learn(
                &t.id,
                crate::routing::Learned::host(h),
                a.invite.first().cloned().unwrap_or(Evidence::Input {
                    field: "request URI".into(),
                    value: a.request_uri.clone(),
                }),
            );
        }
    }
    let r = required_rule(req, profile, &topology, &names);
    d.rule = Some(r.rule);
    d.fix = r.fix;
    d.rule_assumptions = r.assumptions;
    let _ = step;
}

/// Whether leg `k` happened when a later one did: a leg the known-good flow requires, or one
/// no Microsoft-side log can show. A tool that sent the INVITE on the user's behalf (a SIPp
/// probe) never asked for the client's configuration: those legs are not implied.
fn implied_by_later(case: &Case, k: usize, l: &FlowLeg) -> bool {
    let configuration = matches!(l.kind, LegKind::Subscribe | LegKind::Provisioning);
    if configuration && case.client_tool.is_some() {
        return false;
    }
    case.profile.flow[k].required || l.kind == LegKind::Hidden
}

/// Marks the flow around the failing leg `i`: before it, legs happened (seen, else implied);
/// it fails (or has no route); after it, nothing was reached. The error answer that proves the
/// failure is drawn right after it.
fn mark_failure(
    case: &Case,
    flow: &mut Vec<FlowLeg>,
    i: usize,
    d: &Draft,
    attempt: Option<&Attempt>,
) {
    let profile = &case.profile;
    // What a log shows after the failure (the answer of a gateway that reports its PBX link
    // down) came back through the legs before it: those happened too.
    let last_seen = flow
        .iter()
        .rposition(|l| l.state == LegState::Ok)
        .filter(|&k| k > i);
    for (k, l) in flow.iter_mut().enumerate() {
        let implied = implied_by_later(case, k, l);
        if k < i {
            if l.state == LegState::Unknown && implied {
                l.state = LegState::Inferred;
            }
        } else if k > i && l.state != LegState::Ok && implied && last_seen.is_some_and(|s| k < s) {
            l.state = LegState::Inferred;
        } else if k == i {
            l.state = if d.id.is_missing_route() {
                LegState::MissingRoute
            } else {
                LegState::Failing
            };
            l.evidence = d.evidence.clone();
        } else if l.state != LegState::Ok {
            // After the failure nothing is reached, except what a log shows (the answer of a
            // gateway that reports its PBX link down).
            l.state = LegState::NotReached;
        }
    }
    // The proof: the error answer the client got, or its CANCEL.
    let Some(a) = attempt else { return };
    let step = &profile.flow[i];
    let client = profile.client().unwrap_or_default().to_string();
    let hs = profile.home_server().unwrap_or_default().to_string();
    let proof = match (&a.answer, &a.cancel) {
        (Some(r), _) if r.status >= 300 && step.kind != LegKind::Answer => Some(FlowLeg {
            from: r
                .responder
                .clone()
                .filter(|w| *w == hs)
                .unwrap_or_else(|| hs.clone()),
            to: client.clone(),
            // What came is its message: nothing else to show beside it.
            message: answer_label(r),
            kind: LegKind::Answer,
            state: LegState::Failing,
            evidence: r.evidence.clone(),
            observed: None,
            extra: true,
        }),
        (None, Some(c)) => Some(FlowLeg {
            from: client.clone(),
            to: hs.clone(),
            message: "CANCEL: no final answer came".into(),
            kind: LegKind::Invite,
            state: LegState::Failing,
            evidence: c.clone(),
            observed: None,
            extra: true,
        }),
        _ => None,
    };
    if let Some(p) = proof {
        flow.insert(i + 1, p);
    }
}

/// `404 Not Found (ms-diagnostics 1003)` from an answer.
fn answer_label(r: &Answer) -> String {
    let line = r
        .start_line
        .strip_prefix("SIP/2.0 ")
        .unwrap_or(&r.start_line)
        .to_string();
    match r.diagnostics.first() {
        Some(d) => format!("{line} (ms-diagnostics {})", d.code),
        None => line,
    }
}

fn describe_failure(
    profile: &Profile,
    step: &FlowStep,
    lo: &LegObservation,
    a: &Attempt,
) -> String {
    let (from, to) = (profile.label(&step.from), profile.label(&step.to));
    let mut s = match (&lo.csta_error, lo.missing) {
        // The answer came: what failed is in it, not where the flow stops.
        (Some(e), false) => format!(
            "Where the flow expects '{}' ({from} to {to}), the gateway's answer carries a CSTA \
             problem ({e}).",
            step.message
        ),
        _ => format!("The flow stops at '{}' ({from} to {to}):", step.message),
    };
    if lo.missing {
        s.push_str(" the message never appears in the logs.");
    } else if lo.csta_error.is_some() {
        // Said above.
    } else if let Some(st) = lo.status.filter(|s| *s >= 300 && !lo.timeout) {
        s.push_str(&format!(" the INVITE was answered {st}"));
        if let Some(r) = &lo.responder {
            s.push_str(&format!(" by the {}", profile.label(r)));
        }
        s.push('.');
    } else if lo.timeout {
        match (&a.cancel, a.outcome) {
            (Some(_), _) => {
                s.push_str(" no final answer came, and the client cancelled the INVITE.")
            }
            (None, _) if lo.status == Some(408) => {
                s.push_str(" the INVITE timed out (408 Request Timeout).")
            }
            _ => {
                s.push_str(" no final answer came back within Timer B (32 s, RFC 3261), a timeout.")
            }
        }
    } else {
        s.push_str(" the expected message does not appear.");
    }
    if !lo.reason_text.is_empty() {
        s.push_str(&format!(" Diagnostics: {}.", lo.reason_text));
    }
    let past: Vec<String> = a
        .reached
        .iter()
        .filter(|r| Some(r.participant.as_str()) != profile.home_server())
        .map(|r| format!("the {} ({})", profile.label(&r.participant), r.how))
        .collect();
    if !past.is_empty() {
        s.push_str(&format!(
            " The INVITE is known to have reached {}.",
            past.join(", ")
        ));
    }
    if a.transaction_ack.is_some() {
        s.push_str(" The client's ACK of that answer belongs to the failed INVITE transaction (RFC 3261: the ACK of an error answer is part of the INVITE transaction), not to a session.");
    }
    if a.retransmissions > 0 {
        s.push_str(&format!(
            " The INVITE was retransmitted {} time{} (same transaction).",
            a.retransmissions,
            if a.retransmissions == 1 { "" } else { "s" }
        ));
    }
    s
}

/// Server diagnostic records and refused requests that are not about a CSTA call: the
/// gateway's requests challenged, a record saying the gateway is untrusted or its certificate
/// does not match.
fn records_and_refusals(case: &Case, o: &Observed, out: &mut LogRead) {
    let profile = &case.profile;
    let target = profile.line_server_host().map(|p| p.id.clone());
    let back_leg = target
        .as_deref()
        .and_then(|t| profile.leg_of(LegKind::AnswerBack, Some(t)))
        .map(leg_of);
    // The host authorization row to add: the line server host as the logs name it.
    let auth_rule = |d: &mut Draft| {
        let host = target
            .as_deref()
            .and_then(|t| case.topology.entry(t))
            .and_then(|h| h.fqdn.clone().or_else(|| h.ips.first().cloned()));
        if let Some(h) = host {
            d.rule = Some(Rule::authorize(&h));
            // The pasted list settles it when the simulation finds the row missing too.
            d.unless_configured.push(format!(
                "The row names {h}, as the logs show the {}; enter the host authorization list \
                 (routing step) to confirm it is missing.",
                profile.label(target.as_deref().unwrap_or_default())
            ));
        }
    };
    // The gateway's own requests toward the Home Server are not a leg of the known-good flow:
    // the one refused is drawn as its own leg, the proof of the finding.
    let hs = profile.home_server().unwrap_or_default().to_string();
    let refused_leg = |out: &mut LogRead, message: String, evidence: &[Evidence]| -> Option<Leg> {
        let from = target.clone()?;
        if out.flow.is_empty() {
            return back_leg.clone();
        }
        let leg = FlowLeg {
            from,
            to: hs.clone(),
            message,
            kind: LegKind::AnswerBack,
            state: LegState::Failing,
            evidence: evidence.to_vec(),
            observed: None,
            extra: true,
        };
        let l = leg.leg();
        out.flow.push(leg);
        Some(l)
    };
    if let Some(r) = &o.gateway_refused {
        let mut d = Draft::logs(FindingId::HostNotAuthorized, Confidence::High).detail(format!(
            "The Home Server answered the gateway's {} with {}{}.",
            r.request,
            r.answer,
            if r.times > 1 {
                format!(", and refused {} more of its requests", r.times - 1)
            } else {
                String::new()
            }
        ));
        d.evidence = r.evidence.clone();
        let method = r.request.split_whitespace().next().unwrap_or("request");
        let answer = r.answer.strip_prefix("SIP/2.0 ").unwrap_or(&r.answer);
        d.leg = refused_leg(
            out,
            format!("{method} from the gateway: {answer}"),
            &r.evidence,
        );
        d.at_failure = true;
        auth_rule(&mut d);
        out.drafts.push(d);
    }
    let relevant = |words: &str| {
        let w = words.to_ascii_lowercase();
        case.line_server_host().is_some_and(|h| w.contains(&h))
            || case
                .user_aor()
                .is_some_and(|u| w.contains(u.trim_start_matches("sip:")))
            || case
                .topology
                .entry(target.as_deref().unwrap_or_default())
                .is_some_and(|h| {
                    h.fqdn.as_deref().is_some_and(|f| w.contains(f))
                        || h.ips.iter().any(|ip| w.contains(ip.as_str()))
                })
    };
    for x in &o.records {
        let Some(row) = x.result_code.as_deref().and_then(msdiag::result_code) else {
            continue;
        };
        let Some(id) = row.finding else { continue };
        let words = format!("{} {}", x.words(), x.start_line.clone().unwrap_or_default());
        if !relevant(&words) {
            continue;
        }
        let mut d = Draft::logs(
            id,
            if row.inferred {
                Confidence::Medium
            } else {
                Confidence::High
            },
        )
        .detail(format!(
            "A server diagnostic record says {} ({}): {}",
            row.name,
            x.start_line.as_deref().unwrap_or("a request"),
            row.meaning
        ));
        if row.inferred {
            d.assumptions.push(format!(
                "That {} means this finding is our reading of the record, not documented.",
                row.name
            ));
        }
        d.evidence.extend(x.request.iter().cloned());
        d.evidence.push(x.evidence.clone());
        d.leg = match id {
            FindingId::HostNotAuthorized => {
                auth_rule(&mut d);
                d.at_failure = true;
                let method = x
                    .start_line
                    .as_deref()
                    .and_then(|s| s.split_whitespace().next())
                    .unwrap_or("request");
                refused_leg(
                    out,
                    format!("{method} from the gateway: refused ({})", row.name),
                    std::slice::from_ref(&x.evidence),
                )
            }
            _ => profile
                .home_server()
                .and_then(|hs| profile.leg_of(LegKind::Forward, Some(hs)))
                .map(leg_of),
        };
        out.drafts.push(d);
    }
}
