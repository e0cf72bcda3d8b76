//! The native integration tests of RCC Doctor, as one test crate (one link instead of twenty):
//! the core through its public API, the fixtures, the scenarios and the `rcc-doctor` binary.

mod cli_analyze;
mod cli_corpora;
mod common;
mod diagram;
mod diagram_example;
mod directory_checks;
mod directory_fixtures;
mod directory_robustness;
mod grade_later;
mod ingest_fixtures;
mod ingest_fuzz;
mod ingest_layouts;
mod ingest_robustness;
mod ladder;
mod real_logs;
mod redact_categories;
mod redact_cli;
mod redact_fixtures;
mod report_shapes;
mod routing_profiles;
mod routing_robustness;
mod scenarios;
mod scenarios_scale;
mod scenarios_seed;
mod session_requests;
mod support;
mod tidy;
mod torture;
