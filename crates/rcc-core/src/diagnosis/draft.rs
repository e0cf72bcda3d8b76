//! Findings under construction: reconciling what the logs and the configuration say, merging
//! by id, keeping the flow and the findings in agreement, and rendering with the catalog.

use super::{Confidence, Finding, FlowLeg, Leg, LegState};
use crate::case::Case;
use crate::evidence::Evidence;
use crate::findings::{generic_fix, FindingId, FixNames, Severity};
use crate::fixes;
use crate::generation::in_client_words;
use crate::profile::LegKind;
use crate::routing::Rule;

/// What a log failure looked like, for reconciling it with a configuration cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Symptom {
    /// No final answer (timeout, CANCEL, 408).
    pub timeout: bool,
    /// The error status the client got.
    pub status: Option<u16>,
    /// The Home Server answered itself (did not forward).
    pub home_server_answered: bool,
}

/// A finding under construction.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub id: FindingId,
    pub confidence: Confidence,
    pub leg: Option<Leg>,
    pub rule: Option<Rule>,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
    pub detail: Vec<String>,
    pub assumptions: Vec<String>,
    /// What [`Draft::rule`]'s details rest on (its next hop, port, transport): they go with the
    /// rule when a merge takes another.
    pub rule_assumptions: Vec<String>,
    /// Assumptions a configuration finding of the same id settles (the row is missing from the
    /// pasted list): shown only when no such finding merged in.
    pub unless_configured: Vec<String>,
    /// Shown as a warning although the catalog says error: it rests on assumptions only.
    pub warning_only: bool,
    /// Shown as an error although the catalog says warning: it took over a failure the logs
    /// show (the gateway's CSTA error, the Home Server's refusal), so the flow is proven broken
    /// by it. The catalog's severity is for the cause seen alone, which may do no harm.
    pub breaks_the_flow: bool,
    pub from_logs: bool,
    pub from_config: bool,
    pub symptom: Option<Symptom>,
    /// Made where the flow broke (its leg is the failing leg): its leg wins in a merge.
    pub at_failure: bool,
    /// A route's transport or port judged against the listening point the profile only
    /// assumes for the next hop (no `[servers]` row, nothing in the logs).
    pub listener_assumed: bool,
    /// The logs show the TLS connection toward the next hop failing on its certificate: the
    /// hop was reached over TLS where the route points.
    pub failed_on_certificate: bool,
    /// What the logs' own diagnostic codes point at, said before any fix (whichever fix is
    /// shown, the generation's or the generic one).
    pub first_steps: Vec<String>,
}

impl Draft {
    pub fn new(id: FindingId, confidence: Confidence) -> Draft {
        Draft {
            id,
            confidence,
            leg: None,
            rule: None,
            evidence: vec![],
            fix: vec![],
            detail: vec![],
            assumptions: vec![],
            rule_assumptions: vec![],
            unless_configured: vec![],
            warning_only: false,
            breaks_the_flow: false,
            from_logs: false,
            from_config: false,
            symptom: None,
            at_failure: false,
            listener_assumed: false,
            failed_on_certificate: false,
            first_steps: vec![],
        }
    }

    pub fn logs(id: FindingId, confidence: Confidence) -> Draft {
        Draft {
            from_logs: true,
            ..Draft::new(id, confidence)
        }
    }

    pub fn config(id: FindingId, confidence: Confidence) -> Draft {
        Draft {
            from_config: true,
            ..Draft::new(id, confidence)
        }
    }

    /// The severity shown: the catalog's, lowered or raised by what the finding rests on.
    pub fn severity(&self) -> Severity {
        match self.id.severity() {
            Severity::Error if self.warning_only => Severity::Warning,
            Severity::Warning if self.breaks_the_flow => Severity::Error,
            s => s,
        }
    }

    pub fn detail(mut self, s: impl Into<String>) -> Draft {
        self.detail.push(s.into());
        self
    }
}

fn leg_state(flow: &[FlowLeg], leg: &Leg) -> Option<LegState> {
    flow.iter().find(|f| f.is(leg)).map(|f| f.state)
}

/// A transport or port judged against a listening point the profile only assumes, weighed
/// against the logs: false (drop it) where they show the hop working through the route as it
/// is, or the route's TLS connection reaching it and failing on its certificate (then the
/// certificate or the route's FQDN is the fix the logs' own finding gives); beside another
/// failure the logs show, a low-confidence warning to check, with no rule proposed on a guess.
fn weigh_assumed_listener(
    c: &mut Draft,
    flow: &[FlowLeg],
    logs: &[Draft],
    tls_reached: bool,
) -> bool {
    let works = c
        .leg
        .as_ref()
        .is_some_and(|l| matches!(leg_state(flow, l), Some(LegState::Ok | LegState::Inferred)));
    if works || tls_reached {
        return false;
    }
    if !logs.is_empty() {
        c.warning_only = true;
        c.confidence = Confidence::Low;
        if let Some(rule) = c.rule.take() {
            c.detail.push(format!(
                "Confirm the port and transport the next hop listens on: the profile only \
                 assumes them. Only if they differ from the route's would the route need to \
                 become: {}.",
                rule.text()
            ));
        }
    }
    true
}

/// A missing route the logs show was not needed: the rules entered are not the ones in use.
/// The finding says so, with what shows the leg working.
fn disagreement(c: &Draft, flow: &[FlowLeg]) -> Draft {
    let mut d = Draft::config(FindingId::RulesDisagreeWithLogs, Confidence::Medium);
    d.from_logs = true;
    d.leg = c.leg.clone();
    d.detail.push(format!(
        "The rules entered say: {}. But the logs show this leg working{}.",
        c.detail.join(" "),
        c.leg
            .as_ref()
            .and_then(|l| flow.iter().find(|f| f.is(l)))
            .and_then(|f| f.evidence.first())
            .map(|e| format!(" ({})", e.label()))
            .unwrap_or_default()
    ));
    d.evidence = c.evidence.clone();
    // What shows the leg working: its own message (or, for a leg implied by a later
    // one, the first message seen after it) and the answer that came back.
    if let Some(i) = c
        .leg
        .as_ref()
        .and_then(|l| flow.iter().position(|f| f.is(l)))
    {
        let seen = |f: &&FlowLeg| f.state == LegState::Ok && !f.evidence.is_empty();
        let shown = flow[i..].iter().find(seen);
        let answer = flow[i..]
            .iter()
            .filter(seen)
            .find(|f| matches!(f.kind, LegKind::AnswerBack | LegKind::Answer));
        for f in shown.into_iter().chain(answer) {
            for e in &f.evidence {
                if !d.evidence.contains(e) {
                    d.evidence.push(e.clone());
                }
            }
        }
    }
    d
}

/// Lets precise causes explain vague symptoms, and direct evidence in the logs overrule a
/// configuration that says otherwise.
pub(super) fn reconcile(
    mut logs: Vec<Draft>,
    config: Vec<Draft>,
    flow: &[FlowLeg],
    success: bool,
    stale_target: bool,
) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    let tls_reached = logs.iter().any(|d| d.failed_on_certificate);
    for mut c in config {
        if c.listener_assumed && !weigh_assumed_listener(&mut c, flow, &logs, tls_reached) {
            continue;
        }
        // A server listens on more than one transport: a route the logs show carrying the
        // INVITE (or a session that came up through it) is no mismatch, whatever other
        // listening point they show.
        let carried = c
            .leg
            .as_ref()
            .is_some_and(|l| matches!(leg_state(flow, l), Some(LegState::Ok | LegState::Inferred)));
        if c.id == FindingId::TlsTransportMismatch && carried {
            continue;
        }
        // A rule the logs show was not needed: the rules entered are not the ones in use.
        let contradicted = c.id.is_missing_route()
            && c.leg.as_ref().is_some_and(|l| {
                matches!(leg_state(flow, l), Some(LegState::Ok | LegState::Inferred))
            });
        if contradicted {
            out.push(disagreement(&c, flow));
            continue;
        }
        // Answers travel back on the Home Server's own connection; host authorization decides
        // the gateway's own requests (its phone events). A working answer leg does not clear
        // it, but it is not where it fails either.
        if c.id == FindingId::HostNotAuthorized
            && c.leg.as_ref().is_some_and(|l| {
                matches!(leg_state(flow, l), Some(LegState::Ok | LegState::Inferred))
            })
        {
            c.leg = None;
            c.detail.push(
                "The logs show the gateway's answers getting through; its own requests (the \
                 phone events it sends as INFO or NOTIFY) are what the Home Server challenges \
                 (401/407) or refuses (403) while it is not authorized."
                    .into(),
            );
        }
        // A working session proves the user is enabled for remote call control, whatever the
        // attributes given say: they are another account's, or not yet replicated.
        let directory_says_off = matches!(
            c.id,
            FindingId::RccNotEnabled | FindingId::LineServerUriMissing | FindingId::UserNotEnabled
        );
        if success && directory_says_off {
            let title = c.id.entry().title.clone();
            c.id = FindingId::ProvisioningMismatch;
            c.confidence = Confidence::Medium;
            c.detail.insert(
                0,
                format!(
                    "The attributes given say '{}', yet the logs show a working remote call \
                     control session: the attributes are not what the server used (another \
                     account, or a change not yet replicated).",
                    title.to_lowercase()
                ),
            );
            c.fix.clear();
        }
        out.push(c);
    }
    // Rules the logs contradict in one place may not be the ones in use anywhere: what else
    // they alone say is a warning that names that.
    if out.iter().any(|d| d.id == FindingId::RulesDisagreeWithLogs) {
        for d in out.iter_mut().filter(|d| {
            d.from_config
                && !d.from_logs
                && (d.id.is_missing_route()
                    || matches!(
                        d.id,
                        FindingId::HostNotAuthorized
                            | FindingId::TlsTransportMismatch
                            | FindingId::RouteLoop
                    ))
        }) {
            d.warning_only = true;
            d.confidence = Confidence::Low;
            d.assumptions.push(
                "This rests on the rules entered, which the logs contradict elsewhere: they may \
                 not be the rules the server uses."
                    .into(),
            );
        }
    }
    // A precise configuration cause explains a vague log symptom on the same path (not one
    // that rests on an assumed listening point).
    let config_has = |id: FindingId| {
        out.iter()
            .any(|d| d.from_config && d.id == id && !d.listener_assumed)
    };
    for d in logs.iter_mut() {
        let vague = matches!(
            d.id,
            FindingId::GatewayUnreachable | FindingId::RccSessionFailed
        );
        let Some(sym) = d.symptom.filter(|_| vague) else {
            continue;
        };
        for cause in [
            FindingId::TlsTransportMismatch,
            FindingId::RouteLoop,
            FindingId::HomeServerRouteMissing,
            FindingId::AppProxyReturnRouteMissing,
            FindingId::HostNotAuthorized,
        ] {
            let fits = match cause {
                // A missing return route shows as no answer after the INVITE left.
                FindingId::AppProxyReturnRouteMissing => sym.timeout,
                FindingId::HomeServerRouteMissing | FindingId::RouteLoop => {
                    sym.home_server_answered && sym.status.is_some_and(|s| s >= 400)
                }
                _ => !sym.timeout || sym.status.is_some(),
            };
            if fits && config_has(cause) {
                d.id = cause;
                // No answer says only that nothing came back: where the configuration breaks
                // the path (no route back from the next hop) is the failing leg, not the last
                // leg the logs could see.
                if cause == FindingId::AppProxyReturnRouteMissing {
                    if let Some(c) = out.iter().find(|c| c.from_config && c.id == cause) {
                        d.leg = c.leg.clone();
                        d.at_failure = false;
                        // The words of the vague reading (where the logs stop, the signature
                        // it rested on) give way to what the routes settle.
                        d.assumptions.clear();
                        if !d.detail.is_empty() {
                            d.detail[0] = "Nothing came back within Timer B (32 s, RFC 3261): \
                                the logs do not show where the INVITE stopped, and the routes \
                                entered settle it: it is forwarded, and the answer has no route \
                                back."
                                .into();
                        }
                    }
                }
                break;
            }
        }
    }
    // A line URI the gateway cannot use, or one the client was given but the directory does not
    // hold, explains the gateway's CSTA error: the finding is the cause, on the leg the log shows.
    for cause in [FindingId::LineUriInvalid, FindingId::ProvisioningMismatch] {
        if config_has(cause) {
            for d in logs.iter_mut().filter(|d| d.id == FindingId::CstaError) {
                d.id = cause;
                d.breaks_the_flow = true;
            }
        }
    }
    if stale_target && config_has(FindingId::ProvisioningMismatch) {
        stale_target_explains_the_route(&mut logs);
    }
    sign_in_address_explains_refusal(&mut logs, &mut out);
    // A directory cause explains a client that never sent the INVITE.
    let is_directory_cause = |d: &Draft| {
        matches!(
            d.id,
            FindingId::LineServerUriMissing
                | FindingId::LineServerUriInvalid
                | FindingId::UserNotEnabled
                | FindingId::ProvisioningMismatch
        )
    };
    let directory_cause = out.iter().any(is_directory_cause);
    let flags_say_off = out
        .iter()
        .any(|d| d.id == FindingId::RccNotEnabled && d.from_config);
    if directory_cause && !flags_say_off {
        // The log's evidence (the configuration answer without a line) moves to the cause.
        let shown: Vec<Evidence> = logs
            .iter()
            .filter(|d| d.id == FindingId::RccNotEnabled)
            .flat_map(|d| d.evidence.iter().cloned())
            .collect();
        logs.retain(|d| d.id != FindingId::RccNotEnabled);
        if let Some(cause) = out.iter_mut().find(|d| is_directory_cause(d)) {
            for e in shown {
                if !cause.evidence.contains(&e) {
                    cause.evidence.push(e);
                }
            }
        }
    }
    logs.extend(out);
    logs
}

/// A sign-in the server refused (user-not-enabled from the logs) while the directory's SIP
/// address is not the address signed in with: the address is the cause. The directory check's
/// words, evidence and fix move into the refusal's finding, which then no longer tells to
/// enable a user the directory may show enabled, and the check's separate warning goes.
fn sign_in_address_explains_refusal(logs: &mut [Draft], out: &mut Vec<Draft>) {
    let is_sign_in = |d: &Draft| {
        d.id == FindingId::ProvisioningMismatch
            && d.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Input { field, .. } if field == crate::directory::SIGN_IN_ADDRESS))
    };
    let Some(refusal) = logs
        .iter_mut()
        .find(|d| d.id == FindingId::UserNotEnabled && d.from_logs)
    else {
        return;
    };
    let Some(at) = out.iter().position(is_sign_in) else {
        return;
    };
    let cause = out.remove(at);
    refusal.detail.insert(
        0,
        format!(
            "The server refused the address signed in with: {}",
            cause.detail.join(" ")
        ),
    );
    refusal.evidence.extend(cause.evidence);
    refusal.fix = cause.fix;
    refusal.confidence = refusal.confidence.max(Confidence::Medium);
}

/// The client sent its INVITE to an old remote call control URI that the Home Server no longer
/// routes, while the routes entered send the directory's URI on: the route is not missing, the
/// client's copy of its settings is old (no rule for a host that was retired).
fn stale_target_explains_the_route(logs: &mut [Draft]) {
    for d in logs
        .iter_mut()
        .filter(|d| d.id == FindingId::HomeServerRouteMissing)
    {
        d.id = FindingId::ProvisioningMismatch;
        d.rule = None;
        d.rule_assumptions.clear();
        d.fix.clear();
        d.assumptions.clear();
        d.warning_only = false;
        d.breaks_the_flow = true;
        d.detail.push(
            "The Home Server could not route the CSTA INVITE because the client sent it to the \
             remote call control URI it was given at sign-in, not the directory's, which the \
             routes entered do send on: no route needs adding."
                .into(),
        );
    }
}

/// Findings of the same id become one (evidence combined; seen by logs and configuration
/// alike, high confidence). The catch-all gives way to any specific finding.
pub(super) fn merge(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut merged: Vec<Draft> = Vec::new();
    for d in drafts {
        match merged.iter_mut().find(|m| m.id == d.id) {
            Some(m) => {
                for e in d.evidence {
                    if !m.evidence.contains(&e) {
                        m.evidence.push(e);
                    }
                }
                for x in d.detail {
                    if !m.detail.contains(&x) {
                        m.detail.push(x);
                    }
                }
                // A rule the configuration gave beats one written from the logs alone.
                if d.rule.is_some() && (m.rule.is_none() || (d.from_config && !m.from_config)) {
                    m.rule = d.rule;
                    m.rule_assumptions = d.rule_assumptions;
                }
                if m.fix.is_empty() || (d.from_config && !m.from_config && !d.fix.is_empty()) {
                    m.fix = d.fix;
                }
                // A correction the configuration shows (a typo in a URI) comes before the
                // steps the logs point at.
                let new: Vec<String> = d
                    .first_steps
                    .into_iter()
                    .filter(|s| !m.first_steps.contains(s))
                    .collect();
                let at = if d.from_config {
                    0
                } else {
                    m.first_steps.len()
                };
                m.first_steps.splice(at..at, new);
                if m.leg.is_none() || (d.at_failure && !m.at_failure && d.leg.is_some()) {
                    m.leg = d.leg;
                    m.at_failure |= d.at_failure;
                }
                for a in d.assumptions {
                    if !m.assumptions.contains(&a) {
                        m.assumptions.push(a);
                    }
                }
                for a in d.unless_configured {
                    if !m.unless_configured.contains(&a) {
                        m.unless_configured.push(a);
                    }
                }
                m.warning_only &= d.warning_only;
                m.breaks_the_flow |= d.breaks_the_flow;
                m.from_logs |= d.from_logs;
                m.from_config |= d.from_config;
                m.symptom = m.symptom.or(d.symptom);
                if m.from_logs && m.from_config {
                    m.confidence = Confidence::High;
                } else if d.confidence < m.confidence {
                    m.confidence = d.confidence;
                }
            }
            None => merged.push(d),
        }
    }
    // A finding that explains why the session failed replaces the catch-all; a malformed
    // dial string explains only the call it was dialled for.
    let explains_the_session = |d: &Draft| {
        !matches!(
            d.id,
            FindingId::RccSessionFailed | FindingId::DialStringMalformed
        ) && d.id.severity() != Severity::Info
    };
    if merged.iter().any(explains_the_session) {
        merged.retain(|d| d.id != FindingId::RccSessionFailed);
    }
    merged
}

/// Keeps the flow and the findings in agreement: an error finding with a leg marks that leg
/// failing unless a message shows it worked; a failing leg of the flow is the leg of the
/// finding that explains it.
pub(super) fn attach_flow(flow: &mut [FlowLeg], drafts: &mut [Draft]) {
    let none_marked = !flow.iter().any(|f| f.state.is_failure());
    for d in drafts.iter() {
        // The catalog's error (a warning only for resting on assumptions still names its leg).
        let error = d.id.severity() == Severity::Error || d.breaks_the_flow;
        if !error || !(d.from_logs || none_marked) {
            continue;
        }
        let Some(l) = &d.leg else { continue };
        if let Some(f) = flow.iter_mut().find(|f| f.is(l) && !f.extra) {
            if !matches!(f.state, LegState::Ok | LegState::Inferred) && !f.state.is_failure() {
                f.state = if d.id.is_missing_route() {
                    LegState::MissingRoute
                } else {
                    LegState::Failing
                };
                for e in &d.evidence {
                    if !f.evidence.contains(e) {
                        f.evidence.push(e.clone());
                    }
                }
            }
        }
    }
    // A finding without a leg takes the flow's failing leg when it explains it.
    if let Some(f) = flow.iter().find(|f| f.state.is_failure() && !f.extra) {
        for d in drafts.iter_mut().filter(|d| d.leg.is_none() && d.from_logs) {
            if d.id.severity() == Severity::Error || d.breaks_the_flow {
                d.leg = Some(f.leg());
            }
        }
        // A second cause whose leg the flow shows working (an invalid line delivered in a
        // configuration answer that got through) names no leg: the flow broke before its
        // effect, elsewhere.
        for d in drafts.iter_mut().filter(|d| !d.at_failure) {
            let works = d.leg.as_ref().is_some_and(|l| {
                matches!(leg_state(flow, l), Some(LegState::Ok | LegState::Inferred))
            });
            if works && d.severity() == Severity::Error {
                d.leg = None;
            }
        }
    }
}

/// The findings in catalog words.
pub(super) fn render(drafts: Vec<Draft>, case: &Case) -> Vec<Finding> {
    let line_server = case.line_server_uri.as_ref().map(|r| r.value.as_str());
    let line_uri = case.line_uri.as_ref().map(|r| r.value.as_str());
    let user = case.user.as_ref().map(|r| r.value.as_str());
    let names = FixNames {
        line_server_uri: line_server,
        line_uri,
        user,
        client: Some(crate::generation::client_name(
            case.generation.as_ref().map(|g| g.generation),
        )),
    };
    drafts
        .into_iter()
        .map(|d| {
            let entry = d.id.entry();
            let severity = d.severity();
            let mut explanation = entry.explanation.clone();
            for x in &d.detail {
                explanation.push(' ');
                explanation.push_str(x.trim());
            }
            // A fix in the generation's own tools replaces the generation-blind steps, which
            // would name another product's console.
            let cause = d
                .failed_on_certificate
                .then_some(fixes::FixCause::Certificate);
            // The loop's rows change the Home Server's own route: a loop another hop makes
            // (an Application Proxy whose gateway application stopped) keeps the general words.
            let elsewhere = d.id == FindingId::RouteLoop
                && d.leg
                    .as_ref()
                    .is_none_or(|l| Some(l.from.as_str()) != case.profile.home_server());
            let admin_fix = (!elsewhere)
                .then(|| fixes::admin_fix(d.id, case, d.rule.as_ref(), cause))
                .flatten();
            let mut fix = if admin_fix.is_some() {
                Vec::new()
            } else if d.fix.is_empty() {
                generic_fix(d.id, &names)
            } else {
                d.fix
            };
            fix.splice(0..0, d.first_steps);
            fix.extend(fixes::gateway_steps(d.id, case));
            // The catalog's words say Communicator; a Lync user's client is Lync.
            let generation = case.generation.as_ref().map(|g| g.generation);
            let words = |t: &str| in_client_words(t, generation);
            Finding {
                id: d.id,
                severity,
                confidence: d.confidence,
                title: words(match &entry.title_without_logs {
                    Some(t) if !d.from_logs => t,
                    _ => &entry.title,
                }),
                explanation: words(&explanation),
                leg: d.leg,
                admin_fix,
                rule: d.rule.as_ref().map(Rule::text),
                evidence: d.evidence,
                fix: fix.iter().map(|f| words(f)).collect(),
                assumptions: {
                    let mut a = d.assumptions;
                    a.extend(d.rule_assumptions);
                    if !d.from_config {
                        a.extend(d.unless_configured);
                    }
                    a
                },
            }
        })
        .collect()
}
