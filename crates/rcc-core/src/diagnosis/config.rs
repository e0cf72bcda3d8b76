//! The configuration side: findings from the route simulation and the directory checks, and
//! the flow as the configuration alone draws it.

use super::draft::Draft;
use super::{Confidence, FlowLeg, Leg, LegState, Needed};
use crate::case::Case;
use crate::directory::{CheckId, CheckStatus};
use crate::facts::Facts;
use crate::findings::FindingId;
use crate::profile::{FlowStep, LegKind, Profile, Role, RouteDirection};
use crate::routing::{PathOutcome, RouteProblem, Simulation};
use crate::wizard::Step;

/// What the configuration gives the diagnosis.
#[derive(Debug, Default)]
pub(super) struct ConfigRead {
    pub drafts: Vec<Draft>,
    /// The flow from configuration alone (used when the logs give none).
    pub flow: Vec<FlowLeg>,
    /// The all-clear of a complete, clean configuration check.
    pub complete: Option<Draft>,
}

fn leg_of(step: &FlowStep) -> Leg {
    Leg {
        from: step.from.clone(),
        to: step.to.clone(),
        message: step.message.clone(),
    }
}

/// What the routing step should collect for this profile.
pub(super) fn routes_wanted(case: &Case) -> &'static str {
    if case.profile.by_role(Role::AppProxy).is_some() {
        "The Home Server's static routes and host authorization, and the Application Proxy's routes"
    } else {
        "The Home Server's static routes and host authorization"
    }
}

/// The flow leg a routing problem is on.
fn route_leg(profile: &Profile, p: &RouteProblem) -> Option<Leg> {
    let target = profile.line_server_host()?.id.clone();
    let step = match (p.finding, p.direction) {
        (FindingId::HostNotAuthorized, _) | (_, RouteDirection::Return) => {
            // The line server host's answers and requests toward the Home Server.
            profile.leg_of(LegKind::AnswerBack, Some(&target))
        }
        (_, RouteDirection::Forward) => profile.leg_of(LegKind::Forward, Some(&p.at)),
    };
    step.or_else(|| profile.leg_of(LegKind::Forward, None))
        .map(leg_of)
}

fn route_draft(profile: &Profile, p: &RouteProblem) -> Draft {
    let mut d = Draft::config(
        p.finding,
        if p.assumption.is_some() {
            Confidence::Low
        } else {
            Confidence::Medium
        },
    );
    d.rule = p.rule.clone();
    d.fix = p.fix.clone();
    d.first_steps.extend(p.correct_first.clone());
    d.evidence = p.evidence.clone();
    d.detail
        .push(format!("{}.", capitalise(p.message.trim_end_matches('.'))));
    if let Some(a) = &p.assumption {
        d.assumptions.push(format!("Assumed: {a}."));
        d.warning_only = true;
        // Only a transport or port rests on where the next hop listens.
        d.listener_assumed = p.finding == FindingId::TlsTransportMismatch;
    }
    d.rule_assumptions = p.rule_assumptions.clone();
    d.leg = route_leg(profile, p);
    d
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Findings from the directory checks (mapped by check id; see `directory` for the ids).
fn check_drafts(facts: &Facts) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for c in facts
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
    {
        let id = match c.id {
            CheckId::UserEnabled => FindingId::UserNotEnabled,
            CheckId::LineServerUriPresent => FindingId::LineServerUriMissing,
            CheckId::LineServerUriValid => FindingId::LineServerUriInvalid,
            CheckId::LineUriPresent
            | CheckId::LineUriValid
            | CheckId::LineUriFormMatchesProfile => FindingId::LineUriInvalid,
            CheckId::RccEnabled => FindingId::RccNotEnabled,
            CheckId::SignInMatches
            | CheckId::ProvisioningLineMatches
            | CheckId::ProvisioningServerMatches
            | CheckId::InviteUriMatchesLineServer
            | CheckId::CstaDeviceMatchesLine => FindingId::ProvisioningMismatch,
            // The route simulation reports routing with the exact rule; an invalid SIP address
            // is the sign-in's problem before it is remote call control's.
            CheckId::LineServerRouted | CheckId::PrimaryUserAddressValid => continue,
        };
        let mut d = Draft::config(id, Confidence::High);
        if id == FindingId::ProvisioningMismatch {
            d.from_logs = true;
        }
        d.evidence = c.evidence.clone();
        d.detail.push(c.why.clone());
        d.fix = c.fix.clone();
        match out.iter_mut().find(|x| x.id == d.id) {
            Some(x) => {
                for e in d.evidence {
                    if !x.evidence.contains(&e) {
                        x.evidence.push(e);
                    }
                }
                x.detail.extend(d.detail);
                if x.fix.is_empty() {
                    x.fix = d.fix;
                }
            }
            None => out.push(d),
        }
    }
    out
}

/// The directory checks that decide whether the attributes are complete.
const CORE_CHECKS: [CheckId; 6] = [
    CheckId::UserEnabled,
    CheckId::LineServerUriPresent,
    CheckId::LineServerUriValid,
    CheckId::LineUriPresent,
    CheckId::LineUriValid,
    CheckId::RccEnabled,
];

pub(super) fn read(case: &Case, facts: &Facts, needed: &mut Needed) -> ConfigRead {
    let profile = &case.profile;
    let mut out = ConfigRead::default();
    let sim = facts.simulation.as_ref();
    if let Some(s) = sim {
        for p in &s.problems {
            out.drafts.push(route_draft(profile, p));
        }
        for u in &s.unknowns {
            needed.add(u.clone(), Step::Routing);
        }
        if s.forward.outcome == PathOutcome::Unknown && case.line_server_uri.is_none() {
            needed.add(
                "The remote call control server URI (msRTCSIP-LineServer, or a client log with \
                 the configuration answer) to simulate the route to the gateway",
                Step::Directory,
            );
        }
    }
    if let Some(u) = &case.unusable_line_server {
        if let Some(used) = &case.line_server_uri {
            for d in out.drafts.iter_mut() {
                d.detail.push(format!(
                    "Routes were simulated for {} ({}), since the directory value '{}' is not a \
                     SIP URI.",
                    used.value,
                    match used.source {
                        crate::case::Source::Assumed => "the directory value with sip: added",
                        _ => "what the logs show",
                    },
                    u.value
                ));
            }
        }
    }
    let checks = check_drafts(facts);
    let ad_ok = checks.is_empty();
    let ad_complete = facts.have_ad
        && CORE_CHECKS.iter().all(|id| {
            facts.checks.iter().any(|c| {
                c.id == *id && matches!(c.status, CheckStatus::Pass | CheckStatus::Warning)
            })
        });
    if facts.have_ad && !ad_complete && ad_ok {
        needed.add(
            "All RCC attributes of the user (msRTCSIP-UserEnabled, msRTCSIP-OptionFlags, \
             msRTCSIP-Line, msRTCSIP-LineServer)",
            Step::Directory,
        );
    }
    let ad_bad = checks.iter().any(|d| {
        matches!(
            d.id,
            FindingId::LineServerUriMissing
                | FindingId::LineServerUriInvalid
                | FindingId::LineUriInvalid
                | FindingId::RccNotEnabled
                | FindingId::UserNotEnabled
        )
    });
    let prov_leg = profile.leg_of(LegKind::Provisioning, None).map(leg_of);
    // A directory that switches remote call control off explains a client that received no
    // line: that is no mismatch.
    let off = checks.iter().any(|d| {
        matches!(
            d.id,
            FindingId::RccNotEnabled | FindingId::LineServerUriMissing | FindingId::UserNotEnabled
        )
    });
    out.drafts.extend(
        checks
            .into_iter()
            .filter(|d| !(off && d.id == FindingId::ProvisioningMismatch))
            .map(|mut d| {
                if d.leg.is_none() {
                    d.leg = prov_leg.clone();
                }
                d
            }),
    );
    out.flow = config_flow(profile, &out.drafts, sim, facts.have_ad, ad_bad);
    // A core check that only warns (e.g. 256 missing beside 16 for Communicator 2007) leaves
    // the configuration in doubt: no all-clear from it.
    let ad_warns = facts
        .checks
        .iter()
        .any(|c| CORE_CHECKS.contains(&c.id) && c.status == CheckStatus::Warning);
    if ad_complete
        && ad_ok
        && !ad_warns
        && sim.is_some_and(Simulation::complete)
        && out.drafts.is_empty()
    {
        let mut d = Draft::config(FindingId::AllClear, Confidence::Medium).detail(
            "The directory attributes pass and the routes carry the INVITE to the gateway and \
             back. A client log would confirm it end to end.",
        );
        d.from_config = true;
        out.complete = Some(d);
    }
    out
}

/// Flow states from configuration alone: what the configuration carries is inferred, never
/// seen; a missing rule is a gap; after a failure nothing is reached, but a rule missing there
/// is still shown.
fn config_flow(
    profile: &Profile,
    drafts: &[Draft],
    sim: Option<&Simulation>,
    have_ad: bool,
    ad_bad: bool,
) -> Vec<FlowLeg> {
    if !have_ad && sim.is_none() {
        return Vec::new();
    }
    let fwd_ok = sim.is_some_and(|s| s.forward.outcome == PathOutcome::Reached);
    let back_ok = sim.is_some_and(|s| {
        s.back
            .as_ref()
            .is_none_or(|b| b.outcome == PathOutcome::Reached)
    });
    let mut legs = Vec::new();
    let mut stopped = false;
    for step in &profile.flow {
        let mut leg = FlowLeg {
            from: step.from.clone(),
            to: step.to.clone(),
            message: step.message.clone(),
            kind: step.kind,
            state: LegState::Unknown,
            evidence: vec![],
            observed: None,
            extra: false,
        };
        let finding = drafts.iter().find(|d| {
            d.from_config
                && d.id.severity() == crate::findings::Severity::Error
                && d.leg.as_ref().is_some_and(|l| {
                    l.from == step.from && l.to == step.to && l.message == step.message
                })
        });
        if stopped {
            // Past the first failure nothing is reached, but the configuration breaks later
            // legs too: each error finding's leg shows it (a missing route, an unauthorized
            // gateway), so the flow and the finding cards agree.
            match finding {
                Some(d) => {
                    leg.state = if d.id.is_missing_route() {
                        LegState::MissingRoute
                    } else {
                        LegState::Failing
                    };
                    leg.evidence = d.evidence.clone();
                }
                None => leg.state = LegState::NotReached,
            }
            legs.push(leg);
            continue;
        }
        if let Some(d) = finding {
            leg.state = if d.id.is_missing_route() {
                LegState::MissingRoute
            } else {
                LegState::Failing
            };
            leg.evidence = d.evidence.clone();
            stopped = true;
        } else {
            leg.state = match step.kind {
                LegKind::Subscribe | LegKind::Provisioning | LegKind::Invite if have_ad => {
                    if ad_bad {
                        LegState::Unknown
                    } else {
                        LegState::Inferred
                    }
                }
                LegKind::Forward if fwd_ok => {
                    leg.evidence = sim
                        .map(|s| s.forward.hops.iter().map(|h| h.evidence.clone()).collect())
                        .unwrap_or_default();
                    LegState::Inferred
                }
                LegKind::AnswerBack if fwd_ok && back_ok => LegState::Inferred,
                LegKind::Hidden
                | LegKind::Answer
                | LegKind::Ack
                | LegKind::Info
                | LegKind::InfoAnswer
                    if fwd_ok && back_ok && have_ad && !ad_bad =>
                {
                    LegState::Inferred
                }
                _ => LegState::Unknown,
            };
        }
        legs.push(leg);
    }
    legs
}

/// The logs could not see beyond their failure; the configuration can say which later legs
/// lack a route.
pub(super) fn mark_missing_routes(flow: &mut [FlowLeg], drafts: &[Draft]) {
    for d in drafts
        .iter()
        .filter(|d| d.from_config && d.id.is_missing_route())
    {
        let Some(l) = &d.leg else { continue };
        if let Some(f) = flow
            .iter_mut()
            .find(|f| !f.extra && f.from == l.from && f.to == l.to && f.message == l.message)
        {
            if matches!(
                f.state,
                LegState::NotReached | LegState::Unknown | LegState::Failing
            ) {
                f.state = LegState::MissingRoute;
                for e in &d.evidence {
                    if !f.evidence.contains(e) {
                        f.evidence.push(e.clone());
                    }
                }
            }
        }
    }
}

/// A leg the logs marked failing only because nothing came back past it, before a later leg
/// the configuration shows without its route back ([`mark_missing_routes`]): the request went
/// on as the routes say (inferred), and the route back is where it breaks.
pub(super) fn route_back_explains_silence(flow: &mut [FlowLeg]) {
    let Some(back) = flow.iter().position(|f| {
        !f.extra && f.state == LegState::MissingRoute && f.kind == LegKind::AnswerBack
    }) else {
        return;
    };
    for f in flow[..back]
        .iter_mut()
        .filter(|f| !f.extra && f.state == LegState::Failing && f.kind == LegKind::Forward)
    {
        f.state = LegState::Inferred;
    }
}
