//! The directory checks against context: sign-in, gateway profile, routing verdict and what the
//! logs showed.

use rcc_core::directory::*;
use rcc_core::evidence::Evidence;
use rcc_core::uri::*;
use CheckStatus::{Fail, Pass, Unknown, Warning};

fn v(s: &str) -> Option<AdValue> {
    Some(AdValue {
        value: s.to_string(),
        line: Some(1),
    })
}

fn good() -> AdAttributes {
    AdAttributes {
        user_enabled: v("TRUE"),
        primary_user_address: v("sip:alice@contoso.com"),
        primary_home_server: v("CN=LC Services,CN=Microsoft,CN=lcs01,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com"),
        line: v("tel:+14255550123;ext=123"),
        line_server: v("sip:rcc@mcm.contoso.com"),
        option_flags: v("272"),
        rcc_enabled: None,
        not_exported: vec![],
        lync_names: false,
    }
}

fn log(excerpt: &str) -> Evidence {
    Evidence::Log {
        file: "client.uccapilog".into(),
        line_start: 10,
        line_end: 12,
        excerpt: excerpt.into(),
    }
}

fn status(checks: &[Check], id: &str) -> CheckStatus {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id}"))
        .status
}

fn get<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks.iter().find(|c| c.id == id).unwrap()
}

fn full_ctx() -> CheckContext {
    CheckContext {
        sign_in: Some("alice@contoso.com".into()),
        line_uri_forms: vec![LineUriForm::TelExtension, LineUriForm::TelE164],
        line_server_route: Some(RouteVerdict {
            routed: true,
            detail: "Static route mcm.contoso.com → apppx.contoso.com:5061 TLS matches.".into(),
            evidence: vec![Evidence::Rule {
                table: "Home Server static routes".into(),
                row: Some(0),
                text: "mcm.contoso.com → apppx.contoso.com:5061 TLS".into(),
            }],
            assumed: vec![],
            route_pattern: None,
        }),
        observed: ObservedProvisioning {
            line_uri: Some(("tel:+14255550123;ext=123".into(), log("line"))),
            line_server_uri: Some(("sip:rcc@mcm.contoso.com".into(), log("server"))),
            invite_request_uri: Some((
                "sip:RCC@mcm.contoso.com;transport=tls".into(),
                log("INVITE"),
            )),
            csta_device: Some(("tel:+1-425-555-0123;ext=123".into(), log("MonitorStart"))),
        },
        generation: None,
        application_proxy: Some(true),
    }
}

#[test]
fn everything_passes_for_a_good_user_with_full_context() {
    let checks = check(&good(), &full_ctx());
    for c in &checks {
        assert_eq!(c.status, Pass, "{}: {}", c.id, c.why);
        assert!(c.fix.is_empty());
        assert!(!c.evidence.is_empty(), "{} has evidence", c.id);
    }
}

#[test]
fn no_data_means_every_check_is_unknown_and_says_what_decides_it() {
    let checks = check(&AdAttributes::default(), &CheckContext::default());
    assert_eq!(checks.len(), CHECK_IDS.len());
    for c in &checks {
        assert_eq!(c.status, Unknown, "{}", c.id);
        assert!(c.evidence.is_empty());
        assert!(c.why.len() > 20, "{}: why says what would decide it", c.id);
    }
}

#[test]
fn seed_user_without_line_server_and_rcc_flag() {
    let mut a = good();
    a.line_server = None;
    a.option_flags = v("256");
    let checks = check(&a, &CheckContext::default());
    assert_eq!(status(&checks, "line-server-uri-present"), Fail);
    let rcc = get(&checks, "rcc-enabled");
    assert_eq!(rcc.status, Fail);
    assert!(rcc
        .fix
        .iter()
        .any(|f| f.contains("Live Communications tab")));
    assert!(rcc
        .fix
        .iter()
        .any(|f| f.contains("Communications tab → Advanced Settings")));
    assert!(rcc.fix.iter().any(|f| f.contains("272")), "{:#?}", rcc.fix);
    let ls = get(&checks, "line-server-uri-present");
    // The fix fills the whole dialog: a placeholder for the unknown server, the current line.
    assert!(
        ls.fix
            .iter()
            .any(|f| f.contains("Server URI = <the gateway's SIP URI")
                && f.contains("Line URI = tel:+14255550123;ext=123")),
        "{:#?}",
        ls.fix
    );
    assert!(
        matches!(&ls.evidence[0], Evidence::Attribute { name, .. } if name == "msRTCSIP-LineServer")
    );
}

#[test]
fn sign_in_mismatch_fails() {
    let ctx = CheckContext {
        sign_in: Some("sip:alice.example@contoso.com".into()),
        ..Default::default()
    };
    let checks = check(&good(), &ctx);
    let c = get(&checks, "sign-in-matches");
    assert_eq!(c.status, Fail);
    assert!(c.fix[0].contains("alice@contoso.com"));
    assert!(c
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Input { .. })));
}

#[test]
fn invalid_values_fail_with_a_suggested_fix() {
    let mut a = good();
    a.line = v("+1 425 555 0123");
    a.line_server = v("rcc@mcm.contoso.com");
    a.primary_user_address = v("alice@contoso.com");
    a.option_flags = v("sixteen");
    let checks = check(&a, &CheckContext::default());
    let line = get(&checks, "line-uri-valid");
    assert_eq!(line.status, Fail);
    assert!(
        line.fix
            .iter()
            .any(|f| f.contains("Line URI = tel:+14255550123")),
        "{:#?}",
        line.fix
    );
    let ls = get(&checks, "line-server-uri-valid");
    assert_eq!(ls.status, Fail);
    assert!(ls.why.contains("sip:rcc@mcm.contoso.com"));
    assert_eq!(status(&checks, "primary-user-address-valid"), Fail);
    assert_eq!(status(&checks, "rcc-enabled"), Fail);
    assert_eq!(status(&checks, "line-uri-form-matches-profile"), Unknown);
}

#[test]
fn host_only_line_server_is_a_warning() {
    let mut a = good();
    a.line_server = v("sip:mcm.contoso.com");
    assert_eq!(
        status(
            &check(&a, &CheckContext::default()),
            "line-server-uri-valid"
        ),
        Warning
    );
}

#[test]
fn profile_form_mismatch_fails() {
    let mut a = good();
    a.line = v("tel:73124;phone-context=dialstring");
    let ctx = CheckContext {
        line_uri_forms: vec![LineUriForm::TelExtension],
        ..Default::default()
    };
    let checks = check(&a, &ctx);
    let c = get(&checks, "line-uri-form-matches-profile");
    assert_eq!(c.status, Fail);
    assert!(c.fix.iter().any(|f| f.contains("tel:+14255550123;ext=123")));
    a.line = v("sip:4255550123@pbx.contoso.com");
    let ctx = CheckContext {
        line_uri_forms: vec![LineUriForm::Sip],
        ..Default::default()
    };
    assert_eq!(
        status(&check(&a, &ctx), "line-uri-form-matches-profile"),
        Pass
    );
}

#[test]
fn route_verdict_is_passed_through() {
    let mut ctx = full_ctx();
    ctx.line_server_route = Some(RouteVerdict {
        routed: false,
        detail: "No static route matches mcm.contoso.com.".into(),
        evidence: vec![Evidence::Rule {
            table: "Home Server static routes".into(),
            row: None,
            text: "no row matches mcm.contoso.com".into(),
        }],
        assumed: vec![],
        route_pattern: None,
    });
    let checks = check(&good(), &ctx);
    let c = get(&checks, "line-server-routed");
    assert_eq!(c.status, Fail);
    assert_eq!(c.why, "No static route matches mcm.contoso.com.");
    // The simulation's pattern wins: a line server in the users' own domain is routed as
    // user@host, never the whole domain.
    let mut own_domain = ctx.clone();
    if let Some(r) = own_domain.line_server_route.as_mut() {
        r.route_pattern = Some("rcc@contoso.com".into());
    }
    let fix = get(&check(&good(), &own_domain), "line-server-routed")
        .fix
        .join("\n");
    assert!(fix.contains("domain/host = rcc@contoso.com"), "{fix}");
    assert!(c
        .fix
        .iter()
        .any(|f| f.contains("mcm.contoso.com") && f.contains("Routing tab")));
    assert!(c.fix.iter().any(|f| f.contains("any user, *,")));
    assert!(c
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Rule { .. })));
}

#[test]
fn provisioning_mismatch_names_replication() {
    let mut ctx = full_ctx();
    ctx.observed.line_uri = Some(("tel:+14255550199".into(), log("old line")));
    ctx.observed.line_server_uri = Some(("sip:rcc@oldmcm.contoso.com".into(), log("old server")));
    let checks = check(&good(), &ctx);
    for id in ["provisioning-line-matches", "provisioning-server-matches"] {
        let c = get(&checks, id);
        assert_eq!(c.status, Fail, "{id}");
        assert!(
            c.why.contains("replication delay, wrong account"),
            "{id}: {}",
            c.why
        );
        assert_eq!(c.evidence.len(), 2);
    }
}

#[test]
fn provisioning_without_a_line_fails() {
    let mut ctx = full_ctx();
    ctx.observed.line_uri = Some((String::new(), log("no line")));
    assert_eq!(
        status(&check(&good(), &ctx), "provisioning-line-matches"),
        Fail
    );
}

/// A provisioning answer without a line, and a paste without one: the two agree (the missing
/// line is line-uri-present's failure), so no "another account" warning.
#[test]
fn no_value_received_and_none_in_the_paste_agree() {
    let mut a = good();
    a.line = None;
    a.line_server = None;
    let mut ctx = full_ctx();
    ctx.observed.line_uri = Some((String::new(), log("no line")));
    ctx.observed.line_server_uri = Some((String::new(), log("no line server")));
    let checks = check(&a, &ctx);
    for (id, present) in [
        ("provisioning-line-matches", "line-uri-present"),
        ("provisioning-server-matches", "line-server-uri-present"),
    ] {
        let c = get(&checks, id);
        assert_eq!(c.status, Pass, "{id}: {}", c.why);
        assert!(c.why.contains(present), "{id}: {}", c.why);
        assert_eq!(c.evidence.len(), 1, "{id}");
        assert_eq!(status(&checks, present), Fail);
    }
}

/// Bit 16 added alone to an Enterprise Voice user (128) makes neither mode: the fix offers
/// dual mode (16 | 128 | 512) and remote call control only (128 cleared), as domain.md F2 says.
#[test]
fn an_enterprise_voice_user_is_offered_dual_mode_or_rcc_only() {
    let mut a = good();
    a.option_flags = v("384");
    let checks = check(&a, &CheckContext::default());
    let rcc = get(&checks, "rcc-enabled");
    assert_eq!(rcc.status, Fail);
    let text = rcc.fix.join("\n");
    assert!(
        text.contains("912 (today's 384 plus 16 and 512: dual mode"),
        "{text}"
    );
    assert!(text.contains("or 272 (remote call control only"), "{text}");
    assert!(!text.contains("400"), "{text}");
}

/// A column export lists the attributes it was asked for: one missing from its header says
/// nothing of the user ("not in the paste"), where an LDIF export leaves out what is not set.
#[test]
fn an_attribute_a_column_export_did_not_ask_for_is_unknown_not_unset() {
    let columns = "C:\\>dsquery * \"CN=Eva Novak,DC=contoso,DC=com\" -attr msRTCSIP-PrimaryUserAddress msRTCSIP-OptionFlags msRTCSIP-Line\n\
                   \x20 msRTCSIP-PrimaryUserAddress    msRTCSIP-OptionFlags    msRTCSIP-Line\n\
                   \x20 sip:eva.novak@contoso.com      272                     tel:+13125550142\n";
    let p = parse_paste(columns);
    assert_eq!(p.format, AdFormat::Dsquery);
    assert!(p
        .attributes
        .not_exported
        .contains(&RccAttribute::LineServer));
    assert!(!p.attributes.not_exported.contains(&RccAttribute::Line));
    let mut ctx = full_ctx();
    ctx.observed.line_server_uri = Some((String::new(), log("no line server")));
    let checks = check(&p.attributes, &ctx);
    for id in [
        "line-server-uri-present",
        "line-server-uri-valid",
        "provisioning-server-matches",
    ] {
        let c = get(&checks, id);
        assert_eq!(c.status, Unknown, "{id}: {}", c.why);
        assert!(
            c.why.contains("msRTCSIP-LineServer is not in the paste"),
            "{id}: {}",
            c.why
        );
    }
    assert_eq!(status(&checks, "line-uri-present"), Pass);

    // The same user in LDIF, where an attribute without a value is left out: not set.
    let ldif = "dn: CN=Eva Novak,DC=contoso,DC=com\nmsRTCSIP-PrimaryUserAddress: sip:eva.novak@contoso.com\n\
                msRTCSIP-OptionFlags: 272\nmsRTCSIP-Line: tel:+13125550142\n";
    let p = parse_paste(ldif);
    assert!(p.attributes.not_exported.is_empty());
    assert_eq!(
        status(
            &check(&p.attributes, &full_ctx()),
            "line-server-uri-present"
        ),
        Fail
    );
}

#[test]
fn observed_value_without_ad_value_is_a_warning() {
    let mut a = good();
    a.line = None;
    let checks = check(&a, &full_ctx());
    assert_eq!(status(&checks, "provisioning-line-matches"), Warning);
    // The CSTA device is then compared with the provisioned line instead.
    assert_eq!(status(&checks, "csta-device-matches-line"), Pass);
}

#[test]
fn invite_to_the_wrong_uri_fails() {
    let mut ctx = full_ctx();
    ctx.observed.invite_request_uri = Some(("sip:rcc@contoso.com".into(), log("INVITE")));
    let checks = check(&good(), &ctx);
    let c = get(&checks, "invite-uri-matches-line-server");
    assert_eq!(c.status, Fail);
    assert!(c.why.contains("sip:rcc@contoso.com"));
}

#[test]
fn csta_device_compares_digits() {
    let mut ctx = full_ctx();
    ctx.observed.csta_device = Some(("+14255550123".into(), log("device")));
    assert_eq!(
        status(&check(&good(), &ctx), "csta-device-matches-line"),
        Pass
    );
    ctx.observed.csta_device = Some(("tel:+14255550124;ext=123".into(), log("device")));
    let checks = check(&good(), &ctx);
    assert_eq!(status(&checks, "csta-device-matches-line"), Fail);
    ctx.observed.csta_device = Some((
        "sip:+14255550123@contoso.com;user=phone".into(),
        log("device"),
    ));
    assert_eq!(
        status(&check(&good(), &ctx), "csta-device-matches-line"),
        Pass
    );
}

/// The client asks the gateway for the line it received at sign-in: where that is an older
/// line than the directory's, the directory is right and the client's copy is old (the
/// replication fix), not a device the PBX does not know (the msRTCSIP-Line fix).
#[test]
fn a_csta_device_that_is_the_received_old_line_asks_for_fresh_provisioning() {
    let mut ctx = full_ctx();
    ctx.observed.line_uri = Some(("tel:+14255550999".into(), log("line")));
    ctx.observed.csta_device = Some(("tel:+1-425-555-0999".into(), log("device")));
    let c = get(&check(&good(), &ctx), "csta-device-matches-line").clone();
    assert_eq!(c.status, Fail, "{}", c.why);
    assert!(c.why.contains("received as tel:+14255550999"), "{}", c.why);
    assert!(
        c.why
            .contains("not the directory's tel:+14255550123;ext=123"),
        "{}",
        c.why
    );
    assert!(
        c.fix.iter().any(|f| f.contains("sign in again")),
        "{:?}",
        c.fix
    );
    assert!(
        !c.fix.iter().any(|f| f.contains("make msRTCSIP-Line")),
        "{:?}",
        c.fix
    );
    assert_eq!(c.evidence.len(), 3);
    // A device that is neither the received line nor the directory's is still a failure.
    ctx.observed.csta_device = Some(("tel:+14255550777".into(), log("device")));
    let c = get(&check(&good(), &ctx), "csta-device-matches-line").clone();
    assert_eq!(c.status, Fail);
    assert!(c.fix[0].contains("make msRTCSIP-Line"), "{:?}", c.fix);
}

#[test]
fn option_flags_decode_and_serialise() {
    let bits = decode_option_flags("0x310").unwrap(); // 512 + 256 + 16
    let set: Vec<&str> = bits
        .iter()
        .filter(|b| b.set)
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(
        set,
        [
            "RemoteCallControl",
            "EnabledForEnhancedPresence",
            "RemoteCallControlDualMode"
        ]
    );
    assert!(bits.iter().all(|b| b.verified));
    let json = serde_json::to_string(&bits).unwrap();
    assert!(json.contains("\"mask\":16"));
}

#[test]
fn context_serialises_with_kebab_case_forms() {
    let json = serde_json::to_string(&full_ctx()).unwrap();
    assert!(json.contains("\"tel-extension\""));
    assert!(json.contains("\"tel-e164\""));
    let back: CheckContext = serde_json::from_str(&json).unwrap();
    assert_eq!(back, full_ctx());
    let c = check(&good(), &full_ctx());
    let j = serde_json::to_string(&c).unwrap();
    assert!(j.contains("\"status\":\"pass\""));
}

#[test]
fn form_fields_feed_the_checks() {
    let fields = AdFields {
        user_enabled: "TRUE".into(),
        primary_user_address: "sip:alice@contoso.com".into(),
        line: "tel:+14255550123;ext=123".into(),
        line_server: "sip:rcc@mcm.contoso.com".into(),
        option_flags: "16".into(),
        ..Default::default()
    };
    let attrs = attributes_from_fields(&fields);
    assert!(attrs.line.as_ref().unwrap().line.is_none());
    let checks = check(&attrs, &CheckContext::default());
    assert_eq!(status(&checks, "rcc-enabled"), Pass);
    assert_eq!(status(&checks, "line-uri-valid"), Pass);
}

#[test]
fn each_gateway_accepts_its_own_documented_line_uri_forms() {
    let cisco = rcc_core::profile::profile("cisco").expect("cisco profile");
    let nortel = rcc_core::profile::profile("nortel").expect("nortel profile");
    let forms = |p: &rcc_core::profile::Profile| CheckContext {
        line_uri_forms: p.accepted_forms(),
        ..Default::default()
    };
    // Cisco's recommended form, with the optional device and partition, passes on Cisco.
    let mut a = good();
    a.line = v("tel:73124;phone-context=dialstring;device=SEP0002FD3BB5C5;partition=BE_BRS_INT");
    let checks = check(&a, &forms(&cisco));
    assert_eq!(status(&checks, "line-uri-valid"), Pass);
    assert_eq!(status(&checks, "line-uri-form-matches-profile"), Pass);
    // An E.164 number with phone-context=dialstring is wrong (Cisco: do not add it to E.164).
    // The fix offers the number without it, not an example.
    a.line = v("tel:+14255550123;phone-context=dialstring;device=SEP0002FD3BB5C5");
    let checks = check(&a, &forms(&cisco));
    let valid = get(&checks, "line-uri-valid");
    assert_eq!(valid.status, Fail);
    assert!(
        valid
            .fix
            .iter()
            .any(|f| f.contains("Line URI = tel:+14255550123;device=SEP0002FD3BB5C5")),
        "{:#?}",
        valid.fix
    );
    // A bare local number is a warning everywhere, and no shipped gateway lists it.
    a.line = v("tel:5123");
    let checks = check(&a, &forms(&cisco));
    let valid = get(&checks, "line-uri-valid");
    assert_eq!(valid.status, Warning);
    assert!(valid
        .fix
        .iter()
        .any(|f| f.contains("tel:5123;phone-context=dialstring")));
    assert_eq!(status(&checks, "line-uri-form-matches-profile"), Fail);
    assert_eq!(
        status(&check(&a, &forms(&nortel)), "line-uri-form-matches-profile"),
        Fail
    );
    // Every shipped profile's forms are line URIs we understand.
    for p in rcc_core::profile::profiles() {
        let examples: Vec<&str> = p
            .line_uri_forms
            .iter()
            .map(|f| f.example.as_str())
            .collect();
        assert_eq!(
            LineUriForm::from_examples(&examples),
            p.accepted_forms(),
            "{}",
            p.id
        );
    }
}

/// A route that reaches the gateway only if an unnamed next hop is the gateway is a warning
/// that says what to confirm, never a pass.
#[test]
fn a_route_through_an_assumed_hop_is_a_warning() {
    let mut ctx = full_ctx();
    ctx.line_server_route = Some(RouteVerdict {
        routed: true,
        detail: "sip:rcc@mcm.contoso.com reaches the Application Proxy".into(),
        evidence: vec![],
        assumed: vec!["10.0.0.20 is the Application Proxy".into()],
        route_pattern: None,
    });
    let c = get(&check(&good(), &ctx), "line-server-routed").clone();
    assert_eq!(c.status, Warning);
    assert!(
        c.why.contains("if 10.0.0.20 is the Application Proxy"),
        "{}",
        c.why
    );
}

/// The routing fix speaks of the Application Proxy's route back only where the gateway profile
/// has one (Nortel's MCM); a Cisco or generic gateway is the Home Server's next hop itself.
#[test]
fn the_route_back_from_an_application_proxy_is_fixed_only_where_there_is_one() {
    let mut ctx = full_ctx();
    ctx.line_server_route = Some(RouteVerdict {
        routed: false,
        detail: "No static route matches sip:rcc@cups.contoso.com.".into(),
        evidence: vec![],
        assumed: vec![],
        route_pattern: Some("cups.contoso.com".into()),
    });
    let fix = |application_proxy| {
        let ctx = CheckContext {
            application_proxy,
            ..ctx.clone()
        };
        get(&check(&good(), &ctx), "line-server-routed")
            .fix
            .join("\n")
    };
    let (nortel, cisco, unknown) = (fix(Some(true)), fix(Some(false)), fix(None));
    assert!(
        nortel.contains("add the route back (any user, *, → the Home Server)"),
        "{nortel}"
    );
    assert!(
        nortel.contains("next hop = the Application Proxy FQDN"),
        "{nortel}"
    );
    assert!(!cisco.contains("Application Proxy"), "{cisco}");
    assert!(cisco.contains("next hop = the gateway FQDN"), "{cisco}");
    assert!(
        cisco.contains("add the gateway to the Home Server's Host Authorization list"),
        "{cisco}"
    );
    assert!(
        unknown.contains("the Application Proxy / gateway FQDN"),
        "{unknown}"
    );
    assert!(unknown.contains("add the route back"), "{unknown}");
}

#[test]
fn provisioning_answer_without_a_line_is_recorded_as_none_received() {
    let mut obs = ObservedProvisioning::default();
    obs.record_provisioning(&rcc_core::extract::Provisioning {
        line_uri: None,
        line_server_uri: Some("sip:rcc@mcm.contoso.com".into()),
        source: rcc_core::extract::ConfigSource::Provisioning,
        line_type: None,
        telephony_mode: None,
        evidence: log("provisioning"),
    });
    let ctx = CheckContext {
        observed: obs,
        ..Default::default()
    };
    let checks = check(&good(), &ctx);
    let c = get(&checks, "provisioning-line-matches");
    assert_eq!(c.status, Fail);
    assert!(c.why.contains("carried no line URI"));
    assert!(c.why.contains("replication"), "{}", c.why);
    assert_eq!(status(&checks, "provisioning-server-matches"), Pass);
}

/// With remote call control off in the directory (flag 16 clear, or Lync's switch False) the
/// server sends no line: an answer without one points at rcc-enabled, not at replication
/// (fourth outsider round, case 11). An unreadable flags value says nothing of it.
#[test]
fn no_line_received_while_rcc_is_off_points_at_rcc_enabled() {
    let mut obs = ObservedProvisioning::default();
    obs.record_provisioning(&rcc_core::extract::Provisioning {
        line_uri: None,
        line_server_uri: None,
        source: rcc_core::extract::ConfigSource::RoamingSelf,
        line_type: None,
        telephony_mode: None,
        evidence: log("userProperties"),
    });
    let ctx = CheckContext {
        observed: obs,
        ..Default::default()
    };
    let lync_off = AdAttributes {
        option_flags: None,
        rcc_enabled: v("False"),
        ..good()
    };
    for attrs in [
        AdAttributes {
            option_flags: v("256"),
            ..good()
        },
        lync_off,
    ] {
        let checks = check(&attrs, &ctx);
        assert_eq!(status(&checks, "rcc-enabled"), Fail);
        for id in ["provisioning-line-matches", "provisioning-server-matches"] {
            let c = get(&checks, id);
            assert_eq!(c.status, Fail);
            assert!(
                c.why.contains("remote call control is off"),
                "{id}: {}",
                c.why
            );
            assert!(!c.why.contains("replication"), "{id}: {}", c.why);
            assert!(c.fix[0].contains("rcc-enabled"), "{:?}", c.fix);
        }
    }
    let unreadable = AdAttributes {
        option_flags: v("sixteen"),
        ..good()
    };
    let c = get(&check(&unreadable, &ctx), "provisioning-line-matches").clone();
    assert!(c.why.contains("replication"), "{}", c.why);
}

#[test]
fn windows_account_as_sign_in_is_unknown_not_a_mismatch() {
    let ctx = CheckContext {
        sign_in: Some("CONTOSO\\alice".into()),
        ..Default::default()
    };
    let c = check(&good(), &ctx);
    let s = get(&c, "sign-in-matches");
    assert_eq!(s.status, Unknown);
    assert!(s.why.contains("Windows account"));
}

/// A known generation keeps only its own console's words: a Lync case is told Set-CsUser, not
/// the LCS property pages, and an OCS case not Lync's shell.
#[test]
fn fix_lines_follow_the_generation() {
    use rcc_core::generation::Generation;
    let mut off = good();
    off.option_flags = v("256");
    let lines = |g: Option<Generation>| {
        let ctx = CheckContext {
            generation: g,
            ..Default::default()
        };
        get(&check(&off, &ctx), "rcc-enabled").fix.clone()
    };
    let all = lines(None);
    assert!(all.iter().any(|l| l.starts_with("LCS 2005")), "{all:?}");
    assert!(all.iter().any(|l| l.starts_with("Lync Server")), "{all:?}");
    let lync = lines(Some(Generation::Lync2013));
    assert!(lync.iter().any(|l| l.contains("Set-CsUser")), "{lync:?}");
    assert!(
        !lync
            .iter()
            .any(|l| l.starts_with("LCS") || l.starts_with("OCS")),
        "{lync:?}"
    );
    let ocs = lines(Some(Generation::Ocs2007R2));
    assert!(ocs.iter().any(|l| l.starts_with("OCS 2007")), "{ocs:?}");
    assert!(
        !ocs.iter()
            .any(|l| l.starts_with("Lync") || l.starts_with("LCS 2005 SP1")),
        "{ocs:?}"
    );
}

#[test]
fn a_get_csuser_paste_is_checked_in_lync_words() {
    let paste = parse_paste(
        "SipAddress                        : sip:luca@helvetia.example\n\
         Enabled                           : True\n\
         RegistrarPool                     : lyncpool01.helvetia.example\n\
         LineURI                           : tel:+41445551234;phone-context=dialstring\n\
         LineServerURI                     : sip:rcc@imp01.helvetia.example\n\
         RemoteCallControlTelephonyEnabled : True\n",
    );
    let ctx = CheckContext {
        generation: Some(rcc_core::generation::Generation::Lync2013),
        ..Default::default()
    };
    let checks = check(&paste.attributes, &ctx);
    let enabled = get(&checks, "user-enabled");
    assert_eq!(enabled.title, "User enabled for Lync Server");
    assert_eq!(enabled.why, "Enabled is True.");
    let line = get(&checks, "line-uri-valid");
    assert_eq!(line.status, Fail);
    assert!(matches!(&line.evidence[0], Evidence::Attribute { name, .. } if name == "LineURI"));
    let fix = line.fix.join("\n");
    assert!(
        fix.contains(
            "Set-CsUser -Identity \"sip:luca@helvetia.example\" -LineServerURI \"sip:rcc@imp01.helvetia.example\""
        ),
        "{fix}"
    );
    assert!(fix.contains("sign out of Lync and sign in again"), "{fix}");
    assert!(!fix.contains('…'), "every value filled in: {fix}");
    // The client received another line than LineURI: the replication fix names SipAddress.
    let ctx = CheckContext {
        observed: ObservedProvisioning {
            line_uri: Some(("tel:+41445559999".into(), log("line"))),
            ..Default::default()
        },
        ..ctx
    };
    let received = get(&check(&paste.attributes, &ctx), "provisioning-line-matches")
        .fix
        .join("\n");
    assert!(
        received.contains("compare SipAddress with the sign-in address"),
        "{received}"
    );
    assert!(!received.contains("msRTCSIP"), "{received}");
    // An LDIF export keeps the LDAP names.
    let checks = check(&good(), &ctx);
    assert_eq!(
        get(&checks, "user-enabled").why,
        "msRTCSIP-UserEnabled is TRUE."
    );
}
