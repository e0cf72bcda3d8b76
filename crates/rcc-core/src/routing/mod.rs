//! Routing: the servers involved ([`topology`]), the Microsoft-side routing rules as the admin
//! enters them ([`rules`]: Home Server static routes, host authorization, the Application
//! Proxy's or gateway's routes) and a simulator that routes the remote call control INVITE hop
//! by hop the way the servers would ([`simulate`]).
//!
//! The rules text format is documented for users in `docs/rules-format.md`.

mod exports;
pub mod rules;
pub mod simulate;
pub mod topology;

pub use rules::{
    parse_rules, servers_participant, table_name, Host, HostAuthorization, ParsedRules, Route,
    RoutingConfig, Rule, RuleProblem, HOST_AUTH_TABLE, RULES_HELP,
};
pub use simulate::{
    best_route, render_template, required_rule, simulate, CaseNames, PathOutcome, RoutePath,
    RouteProblem, SimHop, Simulation,
};
pub use topology::{
    gateway_in_logs, participant_of_product, product_is, sent_by_client, GatewaySeen, Learned,
    Topology, GENERIC_PROFILE,
};
