//! The evidence stage: everything the diagnosis weighs, computed once from the [`Case`]: the
//! route simulation, the directory checks and what the logs show ([`Observed`]).
//!
//! The routing step, the directory step and the diagnosis all show these same values, so they
//! cannot disagree.

use crate::case::Case;
use crate::directory::{self, AdAttributes, Check, CheckContext, ObservedProvisioning};
use crate::observe::Observed;
use crate::routing::{self, ParsedRules, Simulation};
use serde::{Deserialize, Serialize};

/// What the diagnosis weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The routing rules simulated for this case (None without rules).
    pub simulation: Option<Simulation>,
    /// The directory checks (empty without AD attributes).
    pub checks: Vec<Check>,
    pub observed: Observed,
    /// The user gave AD attributes.
    pub have_ad: bool,
    /// The user gave routing rules.
    pub have_rules: bool,
}

impl Facts {
    /// Simulates the rules, runs the directory checks against the case and the logs.
    pub fn gather(
        case: &Case,
        ad: Option<&AdAttributes>,
        rules: Option<&ParsedRules>,
        observed: Observed,
    ) -> Facts {
        let simulation = rules
            .map(|r| routing::simulate(&case.profile, &r.config, &case.topology, &case.names()));
        let checks = match ad {
            Some(attrs) => {
                let mut seen = ObservedProvisioning::default();
                if let Some(p) = observed.decisive_config() {
                    seen.record_provisioning(p);
                }
                if let Some(a) = observed.judged() {
                    if let Some(e) = a.invite.first() {
                        seen.invite_request_uri = Some((a.request_uri.clone(), e.clone()));
                        if let Some(d) = &a.device {
                            seen.csta_device = Some((d.clone(), e.clone()));
                        }
                    }
                }
                let ctx = CheckContext {
                    sign_in: case
                        .user
                        .as_ref()
                        .filter(|u| u.source == crate::case::Source::Typed)
                        .map(|u| u.value.clone()),
                    line_uri_forms: case.profile.accepted_forms(),
                    line_server_route: simulation.as_ref().map(Simulation::route_verdict),
                    observed: seen,
                    generation: case.generation.as_ref().map(|g| g.generation),
                    application_proxy: Some(
                        case.profile
                            .by_role(crate::profile::Role::AppProxy)
                            .is_some(),
                    ),
                };
                directory::check(attrs, &ctx)
            }
            None => Vec::new(),
        };
        Facts {
            simulation,
            checks,
            observed,
            have_ad: ad.is_some(),
            have_rules: rules.is_some(),
        }
    }
}
