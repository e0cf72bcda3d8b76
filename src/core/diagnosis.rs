//! Diagnosis: combines directory checks, the route simulation and the observed flow against the
//! gateway profile's known-good flow. (The engine is being written; the output types below are
//! the contract the UI, the CLI's `--json` and reports build on.)

use crate::core::evidence::Evidence;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// A leg of the flow: participant ids from the gateway profile and the message on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub from: String,
    pub to: String,
    pub message: String,
}

/// One finding. `id` is stable and documented in README (e.g. `home-server-route-missing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub title: String,
    /// Plain-language explanation.
    pub explanation: String,
    pub leg: Option<Leg>,
    /// The missing or wrong rule written exactly as the admin must enter it.
    pub rule: Option<String>,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
}

/// State of a known-good leg after aligning the observed flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegState {
    Ok,
    Failing,
    MissingRoute,
    NotReached,
}

/// One leg of the known-good flow with its observed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLeg {
    pub from: String,
    pub to: String,
    pub message: String,
    pub state: LegState,
    pub evidence: Vec<Evidence>,
}

/// Evidence that would decide an open question, and the wizard step that collects it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceNeeded {
    pub what: String,
    /// Wizard step id: `symptom`, `directory`, `routing`, `logs`.
    pub step: String,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub flow: Vec<FlowLeg>,
    pub needed: Vec<EvidenceNeeded>,
}
