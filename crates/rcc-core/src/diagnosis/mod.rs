//! Diagnosis: weighs the [`Facts`] of a [`Case`] against the gateway profile's known-good flow
//! and names what is wrong, with evidence, the rule to add and the fix.
//!
//! The pipeline, one phase per file:
//!
//! 1. [`logs`]: the observed flow. The judged attempt is aligned with the known-good flow leg by
//!    leg; the failing leg is where the INVITE (or its answer, or the configuration before it)
//!    stopped, and the profile's failure signatures name the finding. Each leg's state says
//!    what was seen: `ok` only when a message of the log shows it, `inferred` when later
//!    evidence implies it, `not-reached` after the failure, `unknown` without evidence.
//! 2. [`config`]: findings from the route simulation and the directory checks, and the flow
//!    as the configuration alone would draw it (when there are no logs).
//! 3. [`draft`]: findings from both sides are reconciled (a precise cause explains a vague
//!    symptom; direct evidence in the logs beats a rule that says otherwise) and merged by id
//!    (evidence combined, confidence raised), then rendered with the words of the finding
//!    catalog ([`crate::findings`]).
//!
//! It never claims `all-clear` without a successful RequestSystemStatus exchange (200 OK,
//! systemStatus normal) or a complete configuration check, and when evidence is short it says
//! in `needed` what would decide.

mod config;
mod draft;
mod logs;

use crate::case::Case;
use crate::directory::{CheckId, CheckStatus};
use crate::evidence::Evidence;
use crate::facts::Facts;
use crate::findings::{FindingId, Severity};
use crate::fixes::AdminFix;
use crate::generation::SeenGeneration;
use crate::profile::LegKind;
use crate::wizard::Step;
use serde::{Deserialize, Serialize};

pub use crate::findings::Severity as FindingSeverity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// A leg of the flow: participant ids from the gateway profile and the message on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub from: String,
    pub to: String,
    pub message: String,
}

/// One finding. `id` is stable (the catalog in `data/findings.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingId,
    pub severity: Severity,
    pub confidence: Confidence,
    pub title: String,
    /// Plain-language explanation: the catalog's, then what this case shows.
    pub explanation: String,
    pub leg: Option<Leg>,
    /// The missing or wrong rule written exactly as the admin must enter it.
    pub rule: Option<String>,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
    /// The fix in the words of the generation's own tools (console steps or commands to
    /// paste), when the generation is known and the finding has a template.
    #[serde(default)]
    pub admin_fix: Option<AdminFix>,
    /// What the finding rests on that no input stated (a port, a transport, an inferred
    /// signature), each in a sentence; empty when everything was seen or entered.
    #[serde(default)]
    pub assumptions: Vec<String>,
}

/// State of a known-good leg after aligning what was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegState {
    /// A message of the logs shows this leg.
    Ok,
    /// Not seen, but implied by later evidence (the gateway answered, so the Home Server must
    /// have forwarded), or by a configuration that carries it.
    Inferred,
    /// Where it broke.
    Failing,
    /// Where it broke because a routing rule is missing: drawn as a gap with the rule to add.
    MissingRoute,
    /// After the failure.
    NotReached,
    /// No evidence either way.
    Unknown,
}

impl LegState {
    pub fn as_str(self) -> &'static str {
        match self {
            LegState::Ok => "ok",
            LegState::Inferred => "inferred",
            LegState::Failing => "failing",
            LegState::MissingRoute => "missing-route",
            LegState::NotReached => "not-reached",
            LegState::Unknown => "unknown",
        }
    }

    /// Words for the leg list and screen readers.
    pub fn label(self) -> &'static str {
        match self {
            LegState::Ok => "seen in the logs",
            LegState::Inferred => "not seen, implied by what followed",
            LegState::Failing => "failing",
            LegState::MissingRoute => "no route: never forwarded",
            LegState::NotReached => "not reached",
            LegState::Unknown => "no evidence",
        }
    }

    /// The flow broke here.
    pub fn is_failure(self) -> bool {
        matches!(self, LegState::Failing | LegState::MissingRoute)
    }
}

/// One leg of the known-good flow with its observed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLeg {
    pub from: String,
    pub to: String,
    pub message: String,
    pub kind: LegKind,
    pub state: LegState,
    pub evidence: Vec<Evidence>,
    /// What the log showed on this leg when it is not the known-good message (e.g.
    /// `SIP/2.0 200 OK (systemStatus disabled)`).
    #[serde(default)]
    pub observed: Option<String>,
    /// Not a leg of the known-good flow: the error answer (or the CANCEL) that proves the
    /// failure, drawn right after the failing leg.
    #[serde(default)]
    pub extra: bool,
}

impl FlowLeg {
    pub fn leg(&self) -> Leg {
        Leg {
            from: self.from.clone(),
            to: self.to.clone(),
            message: self.message.clone(),
        }
    }

    fn is(&self, l: &Leg) -> bool {
        self.from == l.from && self.to == l.to && self.message == l.message
    }

    /// What the leg is shown saying ([`shown_message`]).
    pub fn shown_message(&self) -> &str {
        shown_message(
            &self.message,
            self.observed.as_deref(),
            self.state,
            self.extra,
        )
    }

    /// The message shown beside it ([`other_message`]).
    pub fn other_message(&self) -> Option<OtherMessage<'_>> {
        other_message(
            &self.message,
            self.observed.as_deref(),
            self.state,
            self.extra,
        )
    }
}

/// The message a leg also names, beside the one it is shown saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherMessage<'a> {
    /// The leg is shown with what came: this is what the known-good flow expects there.
    Expected(&'a str),
    /// The leg is shown with what the known-good flow expects: this is what came instead.
    Seen(&'a str),
}

/// [`OtherMessage`] of a leg: the known-good message where [`shown_message`] shows what came,
/// what came where it shows the known-good message; none where nothing else came.
pub fn other_message<'a>(
    message: &'a str,
    observed: Option<&'a str>,
    state: LegState,
    extra: bool,
) -> Option<OtherMessage<'a>> {
    let seen = observed?;
    Some(if shown_message(message, observed, state, extra) == seen {
        OtherMessage::Expected(message)
    } else {
        OtherMessage::Seen(seen)
    })
}

/// What a leg is drawn and listed saying: its known-good message, except on a leg that went
/// through with another message (a gateway's 200 OK whose systemStatus is not normal): there
/// what came, or a leg shown `ok` would claim the good answer came. A failing leg keeps the
/// known-good message (its state says it did not come), and an error answer drawn as proof
/// has its own.
pub fn shown_message<'a>(
    message: &'a str,
    observed: Option<&'a str>,
    state: LegState,
    extra: bool,
) -> &'a str {
    match observed {
        Some(seen) if state == LegState::Ok && !extra => seen,
        _ => message,
    }
}

/// Evidence that would decide an open question, and the wizard step that collects it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceNeeded {
    pub what: String,
    pub step: Step,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub flow: Vec<FlowLeg>,
    pub needed: Vec<EvidenceNeeded>,
    /// The server generation the fixes are written for, and what named it.
    #[serde(default)]
    pub generation: Option<SeenGeneration>,
}

impl Diagnosis {
    /// The leg the diagram and the ladder mark: the first failing or missing-route leg.
    pub fn failing_leg(&self) -> Option<&FlowLeg> {
        let failing = |extra: bool| {
            self.flow
                .iter()
                .find(move |l| l.state.is_failure() && l.extra == extra)
        };
        // A leg of the known-good flow first; else a leg drawn beside it (the gateway's own
        // request the Home Server refused), when that is the only failure.
        failing(false).or_else(|| failing(true))
    }

    pub fn has(&self, id: FindingId) -> bool {
        self.findings.iter().any(|f| f.id == id)
    }
}

/// Collects `needed` entries without repeats.
#[derive(Default)]
struct Needed(Vec<EvidenceNeeded>);

impl Needed {
    fn add(&mut self, what: impl Into<String>, step: Step) {
        let what = what.into();
        if !self.0.iter().any(|n| n.what == what) {
            self.0.push(EvidenceNeeded { what, step });
        }
    }
}

/// Rules the logs contradict, printed on a server other than the Home Server the logs show:
/// likely why they disagree, and where to export them instead. Not certain (a pool's Front
/// Ends share its routes, and a name says nothing of the pool), so what those rules alone say
/// stays, as the warnings [`draft::reconcile`] made of it.
fn other_servers_rules(case: &Case, facts: &Facts, drafts: &mut [draft::Draft]) {
    let Some((server, line)) = facts
        .simulation
        .as_ref()
        .and_then(|s| s.printed_on.as_ref())
    else {
        return;
    };
    let Some(home) = case
        .profile
        .home_server()
        .and_then(|h| case.topology.entry(h))
        .filter(|h| !h.entered)
        .and_then(|h| h.fqdn.as_deref())
    else {
        return;
    };
    let label = crate::uri::first_label;
    if label(home) == label(server) {
        return;
    }
    for d in drafts
        .iter_mut()
        .filter(|d| d.id == FindingId::RulesDisagreeWithLogs)
    {
        d.detail.push(format!(
            "The rules pasted were printed on {server} (line {line}), and the logs show the \
             user's Home Server as {home}: unless {server} is in the same pool, they are \
             another pool's rules. Export the routes and host authorization of {home}'s pool \
             (Get-WmiObject -ComputerName {} ...) and paste those instead.",
            label(home)
        ));
    }
}

/// The address of another user whose working session the logs show: when the user is known
/// (the address signed in with, or the directory's) and the judged session's From is neither.
fn someone_elses_session(case: &Case, facts: &Facts) -> Option<String> {
    use crate::case::Source;
    let from = facts.observed.judged()?.from_aor.clone()?;
    let user = case
        .user
        .as_ref()
        .filter(|u| matches!(u.source, Source::Typed | Source::Directory))?;
    let directory = facts
        .checks
        .iter()
        .find(|c| c.id == CheckId::PrimaryUserAddressValid)
        .and_then(|c| c.value.as_deref());
    let is_from = |a: &str| crate::uri::aor(a).is_some_and(|a| a == from);
    (!is_from(&user.value) && !directory.is_some_and(is_from)).then_some(from)
}

/// Diagnose a case from its facts.
pub fn diagnose(case: &Case, facts: &Facts) -> Diagnosis {
    let mut needed = Needed::default();
    let from_logs = logs::read(case, &facts.observed, &mut needed);
    let from_config = config::read(case, facts, &mut needed);
    // A working session of another user (a trace attached from the wrong machine) says nothing
    // of this user's settings: no all-clear from it, and no doubt cast on the directory.
    let someone_else = someone_elses_session(case, facts);
    if let Some(other) = &someone_else {
        needed.add(
            format!(
                "A log of the user's own sign-in: the session in the logs given is {other}'s, \
                 not the user's"
            ),
            Step::Logs,
        );
    }
    let log_success = from_logs.success.clone().filter(|_| someone_else.is_none());
    // The INVITE went to the remote call control URI the client received, not the directory's,
    // which the routes entered send on to the gateway.
    let check_is = |id: CheckId, status: CheckStatus| {
        facts
            .checks
            .iter()
            .any(|c| c.id == id && c.status == status)
    };
    let stale_target = check_is(CheckId::InviteUriMatchesLineServer, CheckStatus::Fail)
        && check_is(CheckId::ProvisioningServerMatches, CheckStatus::Fail)
        && check_is(CheckId::LineServerRouted, CheckStatus::Pass)
        && facts.observed.judged().is_some_and(|a| {
            facts
                .observed
                .decisive_config()
                .and_then(|p| p.line_server_uri.as_deref())
                .and_then(crate::uri::aor)
                .is_some_and(|received| crate::uri::aor_is(&a.request_uri, &received))
        });
    let drafts = draft::reconcile(
        from_logs.drafts,
        from_config.drafts,
        &from_logs.flow,
        log_success.is_some(),
        stale_target,
    );
    let mut merged = draft::merge(drafts);
    other_servers_rules(case, facts, &mut merged);

    // The flow: the logs' when they show the set-up, else the configuration's; a route the
    // configuration lacks is marked on a leg the logs could not see past.
    let mut flow = if from_logs.flow.is_empty() || someone_else.is_some() {
        from_config.flow
    } else {
        let mut flow = from_logs.flow;
        config::mark_missing_routes(&mut flow, &merged);
        config::route_back_explains_silence(&mut flow);
        flow
    };
    // A leg drawn without a route where no finding says a route is missing (the client sent
    // the INVITE to a retired URI): it failed there, and no rule is to be added.
    if !merged.iter().any(|d| d.id.is_missing_route()) {
        for l in flow
            .iter_mut()
            .filter(|l| l.state == LegState::MissingRoute)
        {
            l.state = LegState::Failing;
        }
    }
    draft::attach_flow(&mut flow, &mut merged);

    // All-clear, only with proof.
    let problem = merged.iter().any(|d| d.id.severity() != Severity::Info);
    if !problem {
        if let Some(d) = log_success.clone() {
            merged.push(d);
        } else if let Some(d) = from_config.complete {
            merged.push(d);
        }
    }
    let success = log_success.is_some();
    if !success {
        if !facts.observed.any_logs {
            needed.add(
                "A Communicator client log (UCCAPI tracing) from sign-in until the phone error appears",
                Step::Logs,
            );
        }
        if !facts.have_ad {
            needed.add(
                "The user's msRTCSIP-* attributes (LDIF export, Get-ADUser or Get-CsUser output)",
                Step::Directory,
            );
        }
        if !facts.have_rules {
            needed.add(config::routes_wanted(case), Step::Routing);
        }
        if merged.is_empty() && !facts.observed.any_logs && !facts.have_ad && !facts.have_rules {
            needed.add(
                "What the user sees: the error icon text in Communicator and since when",
                Step::Symptom,
            );
        }
    }
    let mut findings = draft::render(merged, case);
    findings.sort_by_cached_key(|f| f.severity); // stable; sorts (key, index) pairs, not findings
    if case.generation.is_none() && findings.iter().any(|f| crate::fixes::has_template(f.id)) {
        needed.add(
            "Which server runs the user's pool (LCS 2005, OCS 2007 / R2, Lync Server 2010 / \
             2013): the fix is then written in its own console or shell",
            Step::Routing,
        );
    }
    Diagnosis {
        findings,
        flow,
        needed: needed.0,
        generation: case.generation.clone(),
    }
}
