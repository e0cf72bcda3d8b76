//! Table-driven: every paste in fixtures/ad/ parses to the expected format and attributes, and
//! the directory checks give the expected verdicts.

use rcc_core::directory::*;
use CheckStatus::{Fail, Pass, Unknown, Warning};

struct Case {
    file: &'static str,
    format: AdFormat,
    /// Canonical name → value; every attribute not listed must be absent.
    attrs: &'static [(&'static str, &'static str)],
    /// Check id → expected status (ids not listed are not asserted).
    checks: &'static [(&'static str, CheckStatus)],
    /// Each string must appear in some problem message.
    problems: &'static [&'static str],
    /// Each (line, why fragment) must appear in `ignored`.
    ignored: &'static [(u32, &'static str)],
}

const GOOD: &[(&str, CheckStatus)] = &[
    ("user-enabled", Pass),
    ("primary-user-address-valid", Pass),
    ("line-server-uri-present", Pass),
    ("line-server-uri-valid", Pass),
    ("line-uri-present", Pass),
    ("line-uri-valid", Pass),
    ("line-uri-form-matches-profile", Pass),
    ("rcc-enabled", Pass),
    ("sign-in-matches", Unknown),
    ("line-server-routed", Unknown),
    ("provisioning-line-matches", Unknown),
    ("provisioning-server-matches", Unknown),
    ("invite-uri-matches-line-server", Unknown),
    ("csta-device-matches-line", Unknown),
];

const HOME: &str = "CN=LC Services,CN=Microsoft,CN=lcs01,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";

const CASES: &[Case] = &[
    Case {
        file: "lync-get-csuser-good.txt",
        format: AdFormat::LyncUser,
        attrs: &[
            ("msRTCSIP-UserEnabled", "True"),
            ("msRTCSIP-PrimaryUserAddress", "sip:kmoreno@tailspintoys.com"),
            (
                "msRTCSIP-PrimaryHomeServer",
                "CN=Lc Services,CN=Microsoft,CN=1:1,CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=tailspintoys,DC=com",
            ),
            ("msRTCSIP-Line", "tel:+13125550147;ext=147"),
            ("msRTCSIP-LineServer", "sip:rccgw@gw01.tailspintoys.com"),
            ("RemoteCallControlTelephonyEnabled", "True"),
        ],
        checks: &[
            ("user-enabled", Pass),
            ("primary-user-address-valid", Pass),
            ("line-server-uri-valid", Pass),
            ("line-uri-valid", Pass),
            ("rcc-enabled", Pass),
        ],
        problems: &[],
        ignored: &[(1, "command prompt"), (3, "not an RCC attribute")],
    },
    Case {
        file: "lync-get-csuser-rcc-off.txt",
        format: AdFormat::LyncUser,
        attrs: &[
            ("msRTCSIP-UserEnabled", "True"),
            ("msRTCSIP-PrimaryUserAddress", "sip:rshah@woodgrovebank.com"),
            ("msRTCSIP-Line", "tel:+16045550188"),
            ("RemoteCallControlTelephonyEnabled", "False"),
        ],
        checks: &[
            ("user-enabled", Pass),
            ("line-server-uri-present", Fail),
            ("rcc-enabled", Fail),
        ],
        problems: &["LineServerURI (msRTCSIP-LineServer) on line 7 has no value"],
        ignored: &[],
    },
    Case {
        file: "ldif-good.ldf",
        format: AdFormat::Ldif,
        attrs: &[
            ("msRTCSIP-UserEnabled", "TRUE"),
            ("msRTCSIP-PrimaryUserAddress", "sip:alice@contoso.com"),
            ("msRTCSIP-PrimaryHomeServer", HOME),
            ("msRTCSIP-Line", "tel:+14255550123;ext=123"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "272"),
        ],
        checks: GOOD,
        problems: &[],
        ignored: &[(10, "not an RCC attribute")],
    },
    Case {
        file: "ldif-seed-broken-base64-wrapped.ldf",
        format: AdFormat::Ldif,
        attrs: &[
            ("msRTCSIP-UserEnabled", "TRUE"),
            ("msRTCSIP-PrimaryUserAddress", "sip:bob@contoso.com"),
            ("msRTCSIP-PrimaryHomeServer", HOME),
            ("msRTCSIP-Line", "tel:+14255550142;ext=142"),
            ("msRTCSIP-OptionFlags", "256"),
        ],
        checks: &[
            ("user-enabled", Pass),
            ("line-server-uri-present", Fail),
            ("line-server-uri-valid", Unknown),
            ("line-uri-valid", Pass),
            ("rcc-enabled", Fail),
        ],
        problems: &[],
        ignored: &[(5, "binary value")],
    },
    Case {
        file: "ldif-multiple-entries.ldf",
        format: AdFormat::Ldif,
        attrs: &[
            ("msRTCSIP-UserEnabled", "TRUE"),
            ("msRTCSIP-PrimaryUserAddress", "sip:carol@contoso.com"),
            ("msRTCSIP-Line", "tel:73124;phone-context=dialstring"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "0x110"),
        ],
        checks: &[("line-uri-valid", Pass), ("rcc-enabled", Pass)],
        problems: &["3 entries", "Carol"],
        ignored: &[(1, "another entry"), (15, "another entry")],
    },
    Case {
        file: "dsquery-good.txt",
        format: AdFormat::Dsquery,
        attrs: &[
            ("msRTCSIP-UserEnabled", "TRUE"),
            ("msRTCSIP-PrimaryUserAddress", "sip:alice@contoso.com"),
            ("msRTCSIP-Line", "tel:+14255550123;ext=123"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "272"),
        ],
        checks: GOOD,
        problems: &[],
        ignored: &[(1, "command prompt")],
    },
    Case {
        file: "dsquery-seed-broken-two-rows.txt",
        format: AdFormat::Dsquery,
        attrs: &[
            ("msRTCSIP-PrimaryUserAddress", "sip:bob@contoso.com"),
            ("msRTCSIP-Line", "tel:+14255550142;ext=142"),
            ("msRTCSIP-OptionFlags", "256"),
        ],
        checks: &[
            ("user-enabled", Unknown),
            ("line-server-uri-present", Fail),
            ("rcc-enabled", Fail),
        ],
        problems: &["more than one result row"],
        ignored: &[(3, "another result row")],
    },
    Case {
        file: "dsget-no-rcc-attributes.txt",
        format: AdFormat::Dsquery,
        attrs: &[],
        checks: &[("line-uri-present", Unknown), ("rcc-enabled", Unknown)],
        problems: &["none of the attributes"],
        ignored: &[(2, "samid is not an RCC attribute")],
    },
    Case {
        file: "powershell-good-wrapped.txt",
        format: AdFormat::PowerShellList,
        attrs: &[
            ("msRTCSIP-UserEnabled", "True"),
            ("msRTCSIP-PrimaryUserAddress", "sip:alice@contoso.com"),
            ("msRTCSIP-PrimaryHomeServer", HOME),
            ("msRTCSIP-Line", "tel:+14255550123;ext=123"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "272"),
        ],
        checks: GOOD,
        problems: &[],
        ignored: &[(1, "command prompt"), (16, "proxyAddresses")],
    },
    Case {
        file: "powershell-seed-broken.txt",
        format: AdFormat::PowerShellList,
        attrs: &[
            ("msRTCSIP-UserEnabled", "True"),
            ("msRTCSIP-PrimaryUserAddress", "sip:bob@contoso.com"),
            ("msRTCSIP-Line", "tel:+1 425 555 0142"),
            ("msRTCSIP-OptionFlags", "256"),
        ],
        checks: &[
            ("line-uri-valid", Fail),
            ("line-uri-form-matches-profile", Unknown),
            ("line-server-uri-present", Fail),
            ("rcc-enabled", Fail),
        ],
        problems: &["more than one object"],
        ignored: &[(6, "not one of the attributes"), (9, "another object")],
    },
    Case {
        file: "powershell-format-table-truncated.txt",
        format: AdFormat::Dsquery,
        attrs: &[
            ("msRTCSIP-Line", "tel:+14255550142;ext=142"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.co..."),
            ("msRTCSIP-OptionFlags", "256"),
        ],
        checks: &[
            ("line-uri-valid", Pass),
            ("line-server-uri-valid", Fail),
            ("rcc-enabled", Fail),
        ],
        problems: &["msRTCSIP-LineServer ends with '...'"],
        ignored: &[(1, "command prompt")],
    },
    Case {
        file: "unrecognised-bare-value.txt",
        format: AdFormat::Unrecognised,
        attrs: &[],
        checks: &[("line-uri-present", Unknown)],
        problems: &["bare value", "Could not recognise"],
        ignored: &[(1, "not in a recognised format")],
    },
    Case {
        file: "namevalue-adsiedit.txt",
        format: AdFormat::NameValue,
        attrs: &[
            ("msRTCSIP-UserEnabled", "TRUE"),
            ("msRTCSIP-PrimaryUserAddress", "sip:alice@contoso.com"),
            ("msRTCSIP-Line", "tel:+14255550123;ext=123"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "784"),
        ],
        checks: GOOD,
        problems: &["msRTCSIP-PrimaryHomeServer on line 6 has no value"],
        ignored: &[],
    },
    Case {
        file: "namevalue-duplicates.txt",
        format: AdFormat::NameValue,
        attrs: &[
            ("msRTCSIP-Line", "tel:+14255550123;ext=123"),
            ("msRTCSIP-LineServer", "sip:rcc@mcm.contoso.com"),
            ("msRTCSIP-OptionFlags", "16"),
        ],
        checks: &[
            ("user-enabled", Unknown),
            ("line-uri-valid", Pass),
            ("rcc-enabled", Pass),
        ],
        problems: &["line 2 (tel:+14255550123;ext=123) won", "lines 3 and 5"],
        ignored: &[(4, "duplicate msRTCSIP-Line"), (7, "no 'name: value'")],
    },
    Case {
        file: "garbage-html.html",
        format: AdFormat::Unrecognised,
        attrs: &[],
        checks: &[("line-uri-present", Unknown), ("user-enabled", Unknown)],
        problems: &["Could not recognise"],
        ignored: &[(1, "HTML"), (4, "HTML")],
    },
    Case {
        file: "garbage-binary.txt",
        format: AdFormat::Unrecognised,
        attrs: &[],
        checks: &[("line-server-uri-present", Unknown)],
        problems: &["Could not recognise"],
        ignored: &[(1, "binary")],
    },
];

fn load(file: &str) -> String {
    let path = format!(
        "{}/fixtures/ad/{file}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn assert_case(case: &Case, text: &str, label: &str) {
    let p = parse_paste(text);
    assert_eq!(p.format, case.format, "{label}: format");
    for a in RccAttribute::ALL {
        let want = case
            .attrs
            .iter()
            .find(|(n, _)| *n == a.name())
            .map(|(_, v)| *v);
        let got = p.attributes.get(a).map(|v| v.value.as_str());
        assert_eq!(got, want, "{label}: {}", a.name());
        if let Some(v) = p.attributes.get(a) {
            assert!(v.line.is_some(), "{label}: {} has a line", a.name());
            assert!(
                p.recognised
                    .iter()
                    .any(|r| r.attribute == a.name() && Some(r.line) == v.line),
                "{label}: {} listed as recognised",
                a.name()
            );
        }
    }
    for frag in case.problems {
        assert!(
            p.problems.iter().any(|x| x.message.contains(frag)),
            "{label}: expected a problem containing {frag:?}, got {:#?}",
            p.problems
        );
    }
    if case.problems.is_empty() {
        assert!(
            p.problems.is_empty(),
            "{label}: unexpected problems {:#?}",
            p.problems
        );
    }
    for (line, frag) in case.ignored {
        assert!(
            p.ignored
                .iter()
                .any(|i| i.line == *line && i.why.contains(frag)),
            "{label}: expected line {line} ignored with {frag:?}, got {:#?}",
            p.ignored
        );
    }
    let checks = check(&p.attributes, &CheckContext::default());
    let ids: Vec<_> = checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, CHECK_IDS.to_vec(), "{label}: ids and order");
    for (id, want) in case.checks {
        let c = checks.iter().find(|c| c.id == *id).unwrap();
        assert_eq!(c.status, *want, "{label}: {id}: {}", c.why);
    }
    for c in &checks {
        assert_eq!(
            c.status == Unknown,
            c.evidence.is_empty(),
            "{label}: {} evidence",
            c.id
        );
        let needs_fix = matches!(c.status, Fail | Warning);
        assert_eq!(needs_fix, !c.fix.is_empty(), "{label}: {} fix", c.id);
        assert!(!c.why.is_empty() && !c.title.is_empty());
    }
}

#[test]
fn fixtures_parse_and_check_as_expected() {
    for case in CASES {
        assert_case(case, &load(case.file), case.file);
    }
}

#[test]
fn fixtures_parse_the_same_with_crlf_line_endings() {
    for case in CASES {
        let text = load(case.file).replace('\n', "\r\n");
        assert_case(case, &text, &format!("{} (CRLF)", case.file));
    }
}

#[test]
fn every_fixture_is_in_the_table() {
    let dir = format!(
        "{}/fixtures/ad",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            CASES.iter().any(|c| c.file == name),
            "{name} has no expectations"
        );
    }
}

#[test]
fn at_least_two_fixtures_per_format() {
    for f in [
        AdFormat::Ldif,
        AdFormat::Dsquery,
        AdFormat::PowerShellList,
        AdFormat::LyncUser,
        AdFormat::NameValue,
        AdFormat::Unrecognised,
    ] {
        assert!(CASES.iter().filter(|c| c.format == f).count() >= 2, "{f:?}");
    }
}

#[test]
fn utf16_ldif_read_as_bytes_is_recovered() {
    // ldifde -u writes UTF-16LE; a paste of it read as bytes has a NUL after each ASCII char.
    let text: String = load("ldif-good.ldf")
        .chars()
        .flat_map(|c| [c, '\0'])
        .collect();
    let p = parse_paste(&text);
    assert_eq!(p.format, AdFormat::Ldif);
    assert_eq!(p.attributes.line.unwrap().value, "tel:+14255550123;ext=123");
    assert!(p.problems.iter().any(|x| x.message.contains("UTF-16")));
}

#[test]
fn warning_status_is_reachable_from_a_paste() {
    let p = parse_paste(
        "msRTCSIP-UserEnabled: yes\nmsRTCSIP-PrimaryUserAddress: sips:alice@contoso.com\n",
    );
    let checks = check(&p.attributes, &CheckContext::default());
    let get = |id: &str| checks.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(get("user-enabled"), Warning);
    assert_eq!(get("primary-user-address-valid"), Warning);
}

#[test]
fn bare_command_line_before_dsquery_columns_is_skipped() {
    let text = "dsquery * -filter \"(sAMAccountName=alice)\" -attr msRTCSIP-Line msRTCSIP-LineServer\n  msRTCSIP-Line               msRTCSIP-LineServer\n  tel:+14255550123;ext=123    sip:rcc@mcm.contoso.com\n";
    let p = parse_paste(text);
    assert_eq!(p.format, AdFormat::Dsquery);
    assert_eq!(p.attributes.line.unwrap().value, "tel:+14255550123;ext=123");
    assert_eq!(
        p.attributes.line_server.unwrap().value,
        "sip:rcc@mcm.contoso.com"
    );
    assert!(p.ignored.iter().any(|i| i.line == 1));
}

#[test]
fn large_pastes_parse_in_linear_time() {
    // 60k lines of PowerShell output (many objects) and of name-value noise.
    let one = load("powershell-good-wrapped.txt");
    let big: String = std::iter::repeat_n(one.as_str(), 3_000).collect();
    let start = std::time::Instant::now();
    let p = parse_paste(&big);
    assert_eq!(p.format, AdFormat::PowerShellList);
    assert_eq!(p.attributes.line.unwrap().line, Some(7));
    let noise: String = (0..60_000)
        .map(|i| format!("attr{i}: value {i}\n"))
        .collect();
    let q = parse_paste(&noise);
    assert_eq!(q.format, AdFormat::NameValue);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn parse_results_round_trip_through_json() {
    // The UI moves these across the worker boundary as JSON.
    for case in CASES {
        let p = parse_paste(&load(case.file));
        let json = serde_json::to_string(&p).unwrap();
        let back: AdPaste = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p, "{}", case.file);
        let checks = check(&p.attributes, &CheckContext::default());
        let back: Vec<Check> =
            serde_json::from_str(&serde_json::to_string(&checks).unwrap()).unwrap();
        assert_eq!(back, checks, "{}", case.file);
    }
    assert_eq!(
        serde_json::to_string(&AdFormat::PowerShellList).unwrap(),
        "\"powershell-list\""
    );
}
