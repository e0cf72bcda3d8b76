//! The built-in example case: the seed incident (Nortel MCM on an LCS Application Proxy) retold
//! with our own names, so a first-time user can press "Try the example" and see a complete
//! diagnosis. Contoso names, 555-01xx numbers, private addresses:
//!
//! | who | name | address |
//! |---|---|---|
//! | user | `sip:alice@contoso.com`, line `tel:+14255550123;ext=5123` | client 10.0.1.50 |
//! | Home Server (LCS 2005) | `lcs01.contoso.com` | 10.0.0.10, TLS 5061 |
//! | Application Proxy running MCM | `mcm-ap.contoso.com`, RCC URI `sip:rcc@mcm-ap.contoso.com` | 10.0.0.20, TLS 5061 |
//! | NRS / CS 1000 | `nrs.contoso.com` / `cs1k.contoso.com` | (not in Microsoft-side logs) |
//!
//! [`nortel_seed`] is the broken case: the Home Server has no static route for
//! `mcm-ap.contoso.com` (the client's INVITE is answered 404 by the Home Server) and the
//! Application Proxy has no `*` route back. [`nortel_fixed`] is the same deployment with both
//! routes added: RequestSystemStatus is answered `normal` and MonitorStart succeeds.
//!
//! The files live under `fixtures/example/` and are compiled in.

/// One complete case: what the wizard's steps would collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleCase {
    pub name: &'static str,
    /// Gateway profile id (`data/profiles/<id>.toml`).
    pub profile_id: &'static str,
    pub sign_in: &'static str,
    /// The user's attributes as an `ldifde` export.
    pub ad_ldif: &'static str,
    /// Routing rules in the rules-text form (`routing::parse_rules`).
    pub rules: &'static str,
    /// Log files: (file name, text).
    pub logs: Vec<(&'static str, &'static str)>,
}

/// The seed incident: both routes missing.
pub fn nortel_seed() -> ExampleCase {
    ExampleCase {
        name: "Nortel MCM: no route to the Application Proxy and none back",
        profile_id: "nortel",
        sign_in: "alice@contoso.com",
        ad_ldif: include_str!("../../../fixtures/example/nortel-seed/ad.ldif"),
        rules: include_str!("../../../fixtures/example/nortel-seed/rules.txt"),
        logs: vec![
            (
                "Communicator-uccapi-0.uccapilog",
                include_str!(
                    "../../../fixtures/example/nortel-seed/Communicator-uccapi-0.uccapilog"
                ),
            ),
            (
                "lcs01-logging-tool.log",
                include_str!("../../../fixtures/example/nortel-seed/lcs01-logging-tool.log"),
            ),
        ],
    }
}

/// The same deployment after the fix: both routes in place, the session comes up.
pub fn nortel_fixed() -> ExampleCase {
    ExampleCase {
        name: "Nortel MCM: routes in place (working)",
        profile_id: "nortel",
        sign_in: "alice@contoso.com",
        ad_ldif: include_str!("../../../fixtures/example/nortel-fixed/ad.ldif"),
        rules: include_str!("../../../fixtures/example/nortel-fixed/rules.txt"),
        logs: vec![
            (
                "Communicator-uccapi-0.uccapilog",
                include_str!(
                    "../../../fixtures/example/nortel-fixed/Communicator-uccapi-0.uccapilog"
                ),
            ),
            (
                "lcs01-logging-tool.log",
                include_str!("../../../fixtures/example/nortel-fixed/lcs01-logging-tool.log"),
            ),
        ],
    }
}

/// All built-in examples, broken one first.
pub fn examples() -> Vec<ExampleCase> {
    vec![nortel_seed(), nortel_fixed()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::profile;
    use crate::routing::parse_rules;

    #[test]
    fn examples_are_complete_and_parse() {
        for ex in examples() {
            let p = profile(ex.profile_id).expect("profile");
            let r = parse_rules(ex.rules, &p);
            assert!(r.problems.is_empty(), "{}: {:?}", ex.name, r.problems);
            assert!(ex
                .ad_ldif
                .contains("msRTCSIP-LineServer: sip:rcc@mcm-ap.contoso.com"));
            assert_eq!(ex.logs.len(), 2);
            assert!(ex
                .logs
                .iter()
                .all(|(_, t)| t.contains("RequestSystemStatus")));
        }
    }

    #[test]
    fn seed_rules_lack_both_routes() {
        let r = parse_rules(nortel_seed().rules, &profile("nortel").unwrap());
        let hs = r.config.home_server.unwrap();
        assert!(!hs.iter().any(|x| x.pattern.contains("mcm-ap")));
        assert!(r.config.app_proxy.unwrap().is_empty());
    }
}
