//! The finding catalog: every finding the diagnosis can report, as one typed id ([`FindingId`])
//! and one table of texts (`data/findings.toml`: severity, title, explanation, generic fix).
//!
//! Like Wireshark's expert-info table or sngrep's `attrs[]`: the engine decides *which* finding
//! applies and with what evidence; the words come from the table, which support engineers edit.
//! Gateway profiles name finding ids too (failure signatures, required routes); they are typed
//! as [`FindingId`], so a typo in a profile fails when it loads, which `cargo test` runs.
//!
//! | id | severity | meaning |
//! |---|---|---|
//! | `home-server-route-missing` | error | the Home Server has no static route for the line server URI's host |
//! | `app-proxy-return-route-missing` | error | the Application Proxy has no `*` route back to the Home Server |
//! | `line-server-uri-missing` | error | `msRTCSIP-LineServer` empty / the client received no RCC server |
//! | `line-server-uri-invalid` | error | `msRTCSIP-LineServer` is not a usable SIP URI |
//! | `line-uri-invalid` | error | `msRTCSIP-Line` missing or not a form the gateway accepts |
//! | `rcc-not-enabled` | error | remote call control not enabled (option flag 16, or line type not Rcc/Dual) |
//! | `user-not-enabled` | error | the user is not enabled, or sign-in is refused |
//! | `provisioning-mismatch` | warning | what the client received differs from AD |
//! | `gateway-unreachable` | error | the hop before the gateway could not reach it (408/503/504, no answer) |
//! | `host-not-authorized` | error | the gateway is not an authorized host / trusted application |
//! | `tls-transport-mismatch` | error | route transport/port differs from the next hop, or TLS fails |
//! | `csta-error` | error | CSTA error, systemStatus not normal, MonitorStart failed, or a request inside a working session (MakeCall) refused; also read from an excerpt of the session's INFOs alone |
//! | `route-loop` | error | a route sends the request back to a server it already passed |
//! | `rules-disagree-with-logs` | warning | the rules entered say a hop cannot forward, the logs show it did |
//! | `dial-string-malformed` | warning | the session came up, but Communicator asked the gateway to dial a number no phone can dial (F9: a `v:` suffix) |
//! | `rcc-session-failed` | warning | the session did not come up in a way no signature explains, or the gateway ended it (BYE; F10: no refresh before Session-Expires) |
//! | `all-clear` | info | a successful RequestSystemStatus exchange (a session the gateway did not end), or a complete clean configuration check (then titled as such: no log shows it working) |

use crate::knowledge::{data_json, load};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A finding's stable id (kebab-case in JSON, reports and links).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingId {
    HomeServerRouteMissing,
    AppProxyReturnRouteMissing,
    LineServerUriMissing,
    LineServerUriInvalid,
    LineUriInvalid,
    RccNotEnabled,
    UserNotEnabled,
    ProvisioningMismatch,
    GatewayUnreachable,
    HostNotAuthorized,
    TlsTransportMismatch,
    CstaError,
    RouteLoop,
    RulesDisagreeWithLogs,
    DialStringMalformed,
    RccSessionFailed,
    AllClear,
}

impl FindingId {
    /// Every id, in the catalog's (display) order.
    pub const ALL: [FindingId; 17] = [
        FindingId::HomeServerRouteMissing,
        FindingId::AppProxyReturnRouteMissing,
        FindingId::LineServerUriMissing,
        FindingId::LineServerUriInvalid,
        FindingId::LineUriInvalid,
        FindingId::RccNotEnabled,
        FindingId::UserNotEnabled,
        FindingId::ProvisioningMismatch,
        FindingId::GatewayUnreachable,
        FindingId::HostNotAuthorized,
        FindingId::TlsTransportMismatch,
        FindingId::CstaError,
        FindingId::RouteLoop,
        FindingId::RulesDisagreeWithLogs,
        FindingId::DialStringMalformed,
        FindingId::RccSessionFailed,
        FindingId::AllClear,
    ];

    /// The id as written in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingId::HomeServerRouteMissing => "home-server-route-missing",
            FindingId::AppProxyReturnRouteMissing => "app-proxy-return-route-missing",
            FindingId::LineServerUriMissing => "line-server-uri-missing",
            FindingId::LineServerUriInvalid => "line-server-uri-invalid",
            FindingId::LineUriInvalid => "line-uri-invalid",
            FindingId::RccNotEnabled => "rcc-not-enabled",
            FindingId::UserNotEnabled => "user-not-enabled",
            FindingId::ProvisioningMismatch => "provisioning-mismatch",
            FindingId::GatewayUnreachable => "gateway-unreachable",
            FindingId::HostNotAuthorized => "host-not-authorized",
            FindingId::TlsTransportMismatch => "tls-transport-mismatch",
            FindingId::CstaError => "csta-error",
            FindingId::RouteLoop => "route-loop",
            FindingId::RulesDisagreeWithLogs => "rules-disagree-with-logs",
            FindingId::DialStringMalformed => "dial-string-malformed",
            FindingId::RccSessionFailed => "rcc-session-failed",
            FindingId::AllClear => "all-clear",
        }
    }

    /// The id of its kebab-case name.
    pub fn from_id(id: &str) -> Option<FindingId> {
        FindingId::ALL.into_iter().find(|f| f.as_str() == id)
    }

    /// Its row of the catalog.
    pub fn entry(self) -> &'static CatalogEntry {
        catalog()
            .iter()
            .find(|e| e.id == self)
            .expect("every FindingId has a catalog row (tested)")
    }

    pub fn severity(self) -> Severity {
        self.entry().severity
    }

    /// A missing routing rule: drawn as a gap on its leg, with the rule to add.
    pub fn is_missing_route(self) -> bool {
        matches!(
            self,
            FindingId::HomeServerRouteMissing | FindingId::AppProxyReturnRouteMissing
        )
    }
}

impl std::fmt::Display for FindingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One row of `data/findings.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    pub id: FindingId,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    /// Generic fix steps with `{line_server_uri}`, `{line_uri}`, `{user}`, `{client}` placeholders.
    #[serde(default)]
    pub fix: Vec<String>,
    /// The title when only the configuration (no log) shows the finding, where that changes
    /// what may be claimed (`all-clear`: no log shows remote call control working).
    #[serde(default)]
    pub title_without_logs: Option<String>,
}

#[derive(Deserialize)]
struct CatalogFile {
    finding: Vec<CatalogEntry>,
}

/// The whole catalog, in file order.
pub fn catalog() -> &'static [CatalogEntry] {
    static CATALOG: OnceLock<Vec<CatalogEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| load::<CatalogFile>("findings", data_json!("findings")).finding)
}

/// The names a generic fix fills in.
#[derive(Debug, Clone, Default)]
pub struct FixNames<'a> {
    pub line_server_uri: Option<&'a str>,
    pub line_uri: Option<&'a str>,
    pub user: Option<&'a str>,
    /// The client's name in the case's generation ([`crate::generation::client_name`]).
    pub client: Option<&'a str>,
}

/// The catalog's generic fix for `id`, placeholders filled (or labelled examples).
pub fn generic_fix(id: FindingId, names: &FixNames) -> Vec<String> {
    id.entry()
        .fix
        .iter()
        .map(|step| {
            step.replace(
                "{line_server_uri}",
                names
                    .line_server_uri
                    .unwrap_or("sip:rcc@gateway.contoso.com (an example)"),
            )
            .replace(
                "{line_uri}",
                names
                    .line_uri
                    .unwrap_or("tel:+14255550123;ext=5123 (an example)"),
            )
            .replace("{user}", names.user.unwrap_or("the user"))
            .replace("{client}", names.client.unwrap_or("Communicator"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_exactly_one_row_and_every_row_a_known_id() {
        let ids: Vec<FindingId> = catalog().iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            FindingId::ALL.to_vec(),
            "catalog rows in FindingId::ALL order"
        );
        for id in FindingId::ALL {
            assert_eq!(FindingId::from_id(id.as_str()), Some(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            let e = id.entry();
            assert!(!e.title.is_empty() && !e.explanation.is_empty(), "{id}");
        }
    }

    #[test]
    fn the_module_table_lists_the_catalog() {
        let doc = include_str!("findings.rs");
        for e in catalog() {
            let row = format!("| `{}` | {} |", e.id, e.severity.as_str());
            assert!(doc.contains(&row), "module doc lacks {row}");
        }
    }

    #[test]
    fn the_readme_table_is_the_module_table() {
        let doc = include_str!("findings.rs");
        let readme = include_str!("../../../README.md");
        let rows = |text: &str, prefix: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix(prefix))
                .filter(|l| l.starts_with("| `"))
                .map(str::to_string)
                .collect()
        };
        let module = rows(doc, "//! ");
        let section = readme
            .split("### Finding ids")
            .nth(1)
            .and_then(|s| s.split("\n#").next())
            .expect("README has a Finding ids section");
        assert_eq!(rows(section, ""), module);
        assert_eq!(module.len(), FindingId::ALL.len());
    }

    #[test]
    fn generic_fixes_fill_their_placeholders() {
        let fix = generic_fix(
            FindingId::LineServerUriMissing,
            &FixNames {
                line_server_uri: Some("sip:rcc@gw.fabrikam.com"),
                ..FixNames::default()
            },
        );
        assert!(fix.iter().any(|s| s.contains("sip:rcc@gw.fabrikam.com")));
        for e in catalog() {
            for s in generic_fix(e.id, &FixNames::default()) {
                assert!(!s.contains('{'), "{}: unfilled placeholder in {s}", e.id);
            }
        }
    }
}
