//! The wizard's steps and their deep links.
//!
//! Steps are addressed by hash (`#/logs`) rather than by path so deep links work from `file://`,
//! inside iframes and on any static host without rewrite rules. Parsing lives here, not in the
//! UI, so it is tested natively and shared with the diagnosis (`EvidenceNeeded::step`).

use serde::{Deserialize, Serialize};

/// One step of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Symptom,
    Directory,
    Routing,
    Logs,
    Diagnosis,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Symptom,
        Step::Directory,
        Step::Routing,
        Step::Logs,
        Step::Diagnosis,
    ];

    /// The id used in the hash (`#/logs`) and in `EvidenceNeeded::step`.
    pub fn id(self) -> &'static str {
        match self {
            Step::Symptom => "symptom",
            Step::Directory => "directory",
            Step::Routing => "routing",
            Step::Logs => "logs",
            Step::Diagnosis => "diagnosis",
        }
    }

    /// Short label for the step rail.
    pub fn label(self) -> &'static str {
        match self {
            Step::Symptom => "What do you see?",
            Step::Directory => "Directory",
            Step::Routing => "Topology & routing",
            Step::Logs => "Logs",
            Step::Diagnosis => "Diagnosis",
        }
    }

    /// One-line description under the label.
    pub fn hint(self) -> &'static str {
        match self {
            Step::Symptom => "The icon or message in Communicator",
            Step::Directory => "Line URI and RCC server URI from AD",
            Step::Routing => "Gateway, servers, static routes",
            Step::Logs => "Client and server SIP traces",
            Step::Diagnosis => "Failing leg, evidence and fix",
        }
    }

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.index()
            .checked_sub(1)
            .and_then(|i| Step::ALL.get(i).copied())
    }

    pub fn from_id(id: &str) -> Option<Step> {
        Step::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// The hash for this step, e.g. `#/logs`.
    pub fn hash(self) -> String {
        format!("#/{}", self.id())
    }

    /// Reads a location hash (`#/logs`, `#logs`, `#/logs?x=1`); unknown or empty → `None`.
    pub fn from_hash(hash: &str) -> Option<Step> {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let id = h.split(['?', '/', '&']).next().unwrap_or("");
        Step::from_id(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::from_hash(&s.hash()), Some(s));
        }
        assert_eq!(Step::from_hash("#logs"), Some(Step::Logs));
        assert_eq!(
            Step::from_hash("#/routing?profile=nortel"),
            Some(Step::Routing)
        );
        assert_eq!(Step::from_hash(""), None);
        assert_eq!(Step::from_hash("#/nope"), None);
    }

    #[test]
    fn next_and_previous_walk_the_rail() {
        assert_eq!(Step::Symptom.previous(), None);
        assert_eq!(Step::Symptom.next(), Some(Step::Directory));
        assert_eq!(Step::Diagnosis.next(), None);
        assert_eq!(Step::Diagnosis.previous(), Some(Step::Logs));
    }
}

/// What the user sees in Communicator; it sets what the next steps focus on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Symptom {
    /// The error icon at the bottom of the window: the client cannot control the phone.
    ErrorIcon,
    /// Call controls (dial, answer, hold) are greyed out.
    ControlsGreyed,
    /// The desk phone rings but Communicator shows no incoming call.
    RingsButNoAlert,
    /// The "phone integration" option is missing from Communicator's options.
    IntegrationSettingMissing,
}

impl Symptom {
    pub const ALL: [Symptom; 4] = [
        Symptom::ErrorIcon,
        Symptom::ControlsGreyed,
        Symptom::RingsButNoAlert,
        Symptom::IntegrationSettingMissing,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Symptom::ErrorIcon => "error-icon",
            Symptom::ControlsGreyed => "controls-greyed",
            Symptom::RingsButNoAlert => "rings-no-alert",
            Symptom::IntegrationSettingMissing => "setting-missing",
        }
    }

    pub fn from_id(id: &str) -> Option<Symptom> {
        Symptom::ALL.iter().copied().find(|s| s.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Symptom::ErrorIcon => "An error icon at the bottom of the Communicator window",
            Symptom::ControlsGreyed => "Call controls are greyed out",
            Symptom::RingsButNoAlert => "The desk phone rings, Communicator shows nothing",
            Symptom::IntegrationSettingMissing => "The phone integration setting is missing",
        }
    }

    /// What this symptom usually means, in plain language, and where to look first.
    pub fn focus(self) -> &'static str {
        match self {
            Symptom::ErrorIcon => "Communicator could not set up its control session with the phone system. The usual causes are the line server URI in the directory, or a missing routing rule between the Home Server and the gateway. Check the directory first, then the routing rules and logs.",
            Symptom::ControlsGreyed => "Communicator signed in but never got a working control session, or was never given a line to control. Start with the directory: the line URI and the remote call control settings.",
            Symptom::RingsButNoAlert => "Commands reach the phone system, but its events do not come back to Communicator. That points at the return path: the Application Proxy needs a route for every user back to the Home Server. Check the routing rules and the logs.",
            Symptom::IntegrationSettingMissing => "Communicator only offers phone integration when provisioning gives it a line and a remote call control server. Check that remote call control is enabled for the user in the directory.",
        }
    }

    /// The step to visit first for this symptom.
    pub fn first_step(self) -> Step {
        match self {
            Symptom::RingsButNoAlert => Step::Routing,
            _ => Step::Directory,
        }
    }
}

/// Plain-language definitions for the terms the wizard uses (shown as tooltips).
pub const GLOSSARY: &[(&str, &str)] = &[
    ("RCC", "Remote call control: Communicator controls your desk phone (dial, answer, see calls) through the phone system, instead of making calls itself."),
    ("CSTA", "Computer-Supported Telecommunications Applications: the standard commands (ECMA-323 XML) Communicator sends to the phone system inside SIP messages."),
    ("MCM", "Nortel Multimedia Convergence Manager: the gateway application, on an LCS Application Proxy, that turns Communicator's CSTA commands into Nortel phone control."),
    ("NRS", "Nortel Network Redirect Server: tells MCM which Communication Server 1000 handles the phone."),
    ("Home Server", "The LCS/OCS server (or pool) the user signs in to. It routes Communicator's requests, including the phone control session."),
    ("Application Proxy", "An LCS server role that hosts an application (here the gateway, MCM) and routes its SIP traffic."),
    ("static route", "A routing rule on an LCS/OCS server: requests for this domain or host go to that next hop. Without one, requests for hosts the server does not own are refused."),
    ("line URI", "msRTCSIP-Line: which phone line Communicator controls, e.g. tel:+14255550123;ext=5123."),
    ("line server URI", "msRTCSIP-LineServer, the remote call control SIP URI: where Communicator sends phone control commands, e.g. sip:rcc@mcm.contoso.com."),
    ("provisioning", "Right after sign-in Communicator asks its Home Server for its settings; the answer carries the line URI and the line server URI from Active Directory."),
];

/// The definition of a glossary term (case-insensitive).
pub fn define(term: &str) -> Option<&'static str> {
    GLOSSARY
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(term))
        .map(|(_, d)| *d)
}

#[cfg(test)]
mod glossary_tests {
    use super::*;

    #[test]
    fn every_term_the_wizard_names_is_defined() {
        for t in [
            "RCC",
            "CSTA",
            "MCM",
            "NRS",
            "Home Server",
            "Application Proxy",
            "static route",
        ] {
            assert!(define(t).is_some_and(|d| d.len() > 20), "{t}");
        }
        assert_eq!(define("rcc"), define("RCC"));
        assert_eq!(define("no such term"), None);
    }
}
