//! Category by category: what is replaced, the token's shape, and what must stay as written.

use rcc_core::redact::{Category, RedactOptions, Redactor};

fn red(text: &str) -> String {
    Redactor::new(RedactOptions::default()).redact_text("t", text)
}

#[test]
fn phone_numbers_keep_their_shape() {
    let out = red("msRTCSIP-Line: tel:+14255550123;ext=5123\nLine: tel:73124;phone-context=dialstring\n<deviceID>5123</deviceID><callingDevice>+1 (425) 555-0199</callingDevice>\ntelephoneNumber: +1 425 555 0100\n");
    assert!(out.contains("tel:+15550100001;ext=5001"), "{out}");
    assert!(out.contains("tel:50001;phone-context=dialstring"), "{out}");
    assert!(
        out.contains("<deviceID>5001</deviceID>"),
        "same extension, same token: {out}"
    );
    assert!(
        out.contains("<callingDevice>+1 (555) 010-0002</callingDevice>"),
        "{out}"
    );
    assert!(out.contains("telephoneNumber: +1 555 010 0003"), "{out}");
    // Numbers seen as originals are never handed out as tokens.
    let out = red("a tel:+15550100001 b tel:+14255550123");
    assert!(!out.contains("+15550100001"), "{out}");
}

#[test]
fn sip_uris_keep_their_structure() {
    let out = red("To: \"Alice Smith\" <sip:alice@contoso.com;opaque=user:epid:2OzzCqAXaVOTOgeJsAntDQAA;gruu>;tag=8a1b;epid=01020304\nINVITE sip:rcc@mcm.contoso.com:5061;transport=tls;maddr=10.1.2.3 SIP/2.0\nContact: Bob Jones <sips:+14255550101@gw.fabrikam.com;user=phone>\n");
    assert!(out.contains("To: \"User 1\" <sip:user-1@domain-a.example;opaque=user:epid:opaque-1;gruu>;tag=tag-1;epid=epid-1"), "{out}");
    assert!(
        out.contains(
            "INVITE sip:user-2@host-1.domain-a.example:5061;transport=tls;maddr=192.0.2.1 SIP/2.0"
        ),
        "{out}"
    );
    assert!(
        out.contains("Contact: User 2 <sips:+15550100001@host-2.domain-b.example;user=phone>"),
        "{out}"
    );
}

#[test]
fn hosts_follow_the_domain_hierarchy() {
    let out = red("route *.contoso.com -> lcs01.pool.contoso.com:5061 tls\nms-diagnostics: 1003;reason=\"User does not exist\";source=\"LCS01\"\nVia: SIP/2.0/TLS lcs01:5061;branch=z9hG4bK77;received=10.0.0.9\n");
    assert!(
        out.contains("route *.domain-a.example -> host-2.host-1.domain-a.example:5061 tls"),
        "{out}"
    );
    // The bare NetBIOS name reads like the FQDN's first label.
    assert!(
        out.contains("reason=\"User does not exist\";source=\"host-2\""),
        "{out}"
    );
    assert!(
        out.contains("Via: SIP/2.0/TLS host-2:5061;branch=z9hG4bK-branch-1;received=192.0.2.1"),
        "{out}"
    );
}

#[test]
fn addresses_map_to_documentation_ranges() {
    let out = red("Peer: 10.0.0.5:5061\nVia: SIP/2.0/TLS [fe80::1:2]:5061\nfrom 10.0.0.5 and fe80::1:2 and 2001:0db8:85a3::8a2e:0370:7334\n");
    assert!(out.contains("Peer: 192.0.2.1:5061"), "{out}");
    assert!(out.contains("[2001:db8::1]:5061"), "{out}");
    assert!(
        out.contains("from 192.0.2.1 and 2001:db8::1 and 2001:db8::2"),
        "{out}"
    );
}

#[test]
fn authentication_data_is_redacted_but_the_scheme_stays() {
    let out = red("WWW-Authenticate: NTLM realm=\"SIP Communications Service\", targetname=\"lcs01.contoso.com\",\n  opaque=\"ABCDEF01\", gssapi-data=\"TlRMTVNTUAACAAAA\", version=3\nProxy-Authorization: Kerberos qop=\"auth\", gssapi-data=\"YIIGhgYJKoZIhvcSAQICAQBuggZ1\"\nAuthorization: Negotiate YIIGhgYJKoZIhvcSAQIC==\n");
    assert!(
        out.contains("WWW-Authenticate: NTLM realm=\"redacted-1\", targetname=\"redacted-2\","),
        "{out}"
    );
    assert!(
        out.contains("  opaque=\"redacted-3\", gssapi-data=\"redacted-4\", version=3"),
        "{out}"
    );
    assert!(
        out.contains("Proxy-Authorization: Kerberos qop=\"auth\", gssapi-data=\"redacted-5\""),
        "{out}"
    );
    assert!(out.contains("Authorization: Negotiate redacted-6"), "{out}");
}

#[test]
fn protocol_text_and_products_stay() {
    let text = "SUBSCRIBE sip:contoso.com SIP/2.0\nEvent: vnd-microsoft-provisioning-v2\nSupported: com.microsoft.autoextend, ms-benotify\nUser-Agent: UCCAPI/2.0.6362.111 OC/2.0.6362.111 (Microsoft Office Communicator 2007)\nServer: Nortel-MCM/3.0 mcm.contoso.com\nContent-Type: application/csta+xml\n\n<RequestSystemStatusResponse xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"><systemStatus>normal</systemStatus></RequestSystemStatusResponse>\nms-diagnostics: 1003;reason=\"User does not exist\";source=\"local\"\nTL_INFO(TF_PROTOCOL) [0]0AE8.0B20::11/30/2006-14:02:11.728.0000000f (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(122))$$begin_record\n";
    let out = red(text);
    for keep in [
        "SUBSCRIBE sip:domain-a.example SIP/2.0",
        "Event: vnd-microsoft-provisioning-v2",
        "Supported: com.microsoft.autoextend, ms-benotify",
        "User-Agent: UCCAPI/2.0.6362.111 OC/2.0.6362.111 (Microsoft Office Communicator 2007)",
        "Server: Nortel-MCM/3.0 host-1.domain-a.example",
        "http://www.ecma-international.org/standards/ecma-323/csta/ed3",
        "<systemStatus>normal</systemStatus>",
        "reason=\"User does not exist\";source=\"local\"",
        "SIPAdminLog.cpp(122))$$begin_record",
    ] {
        assert!(out.contains(keep), "{keep} in {out}");
    }
}

/// A certificate subject's common name that is a server's FQDN maps as that server does
/// everywhere else, not as a person's name.
#[test]
fn a_certificate_subject_names_a_host() {
    let log = "Peer: aes-tr87.contoso.com:4723\nData: peer-certificate-subject=\"CN=aes01.contoso.com\"\nINVITE sip:rcc@aes01.contoso.com SIP/2.0\n";
    let mut r = Redactor::new(RedactOptions::default());
    let out = r.redact_text("log", log);
    let cn = out.split("CN=").nth(1).and_then(|t| t.split('"').next());
    let invited = out.split('@').nth(1).and_then(|t| t.split(' ').next());
    assert!(cn.is_some_and(|h| h.ends_with(".example")), "{out}");
    assert_eq!(cn, invited, "{out}");
}

#[test]
fn directory_names_and_base64_values() {
    let ldif = "dn: CN=Alice Smith,OU=Sales,DC=contoso,DC=com\nsAMAccountName: alice\ndisplayName:: QWxpY2UgU21pdGg=\nmsRTCSIP-Line:: dGVsOisxNDI1NTU1MDE0MjtleHQ9MTQy\nmsRTCSIP-PrimaryHomeServer: CN=LC Services,CN=Microsoft,CN=lcs01,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com\n";
    let mut r = Redactor::new(RedactOptions::default());
    let out = r.redact_text("ad.ldif", ldif);
    assert!(
        out.contains("dn: CN=User 1,OU=org-1,DC=domain-a,DC=example"),
        "{out}"
    );
    assert!(out.contains("sAMAccountName: user-1"), "{out}");
    // displayName:: base64("User 1"), line:: base64(tel:+15550100001;ext=501)
    assert!(out.contains("displayName:: VXNlciAx"), "{out}");
    assert!(
        out.contains("msRTCSIP-Line:: dGVsOisxNTU1MDEwMDAwMTtleHQ9NTAx"),
        "{out}"
    );
    assert!(out.contains("CN=LC Services,CN=Microsoft,CN=host-1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=domain-a,DC=example"), "{out}");
    // The same person in a log reads the same.
    let log = r.redact_text(
        "log",
        "From: \"Alice Smith\" <sip:alice@contoso.com>\n<title>Alice Smith - Properties</title>\n",
    );
    assert!(
        log.contains("\"User 1\" <sip:user-1@domain-a.example>"),
        "{log}"
    );
    assert!(log.contains("<title>User 1 - Properties</title>"), "{log}");
}

#[test]
fn report_counts_and_mapping() {
    let mut r = Redactor::new(RedactOptions::default());
    r.redact_text(
        "a",
        "From: \"Alice\" <sip:alice@contoso.com>;tag=1\nPeer: 10.0.0.1:5061\n",
    );
    r.redact_text("b", "To: <sip:alice@contoso.com>\n");
    let rep = r.report();
    assert_eq!(rep.files.len(), 2);
    let user = rep
        .counts
        .iter()
        .find(|c| c.category == Category::User)
        .unwrap();
    assert_eq!((user.occurrences, user.distinct), (2, 1));
    assert_eq!(rep.token_for("alice"), Some("user-1"));
    assert_eq!(rep.token_for("contoso.com"), Some("domain-a.example"));
    assert!(rep.without_mapping().mapping.is_empty());
    assert_eq!(
        rep.total(),
        rep.files
            .iter()
            .flat_map(|f| &f.counts)
            .map(|c| c.occurrences)
            .sum::<usize>()
    );
}

#[test]
fn keep_domains_option_and_utf16() {
    let mut r = Redactor::new(RedactOptions {
        keep_domains: vec!["nortel.com".into()],
    });
    let out = r.redact_text("a", "see support.nortel.com and mcm.contoso.com");
    assert_eq!(out, "see support.nortel.com and host-1.domain-a.example");
    let text = "Peer: 10.0.0.1:5061\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let out = r.redact_bytes("u16.log", &bytes);
    assert_eq!(&out[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = out[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(
        String::from_utf16(&units).unwrap(),
        "Peer: 192.0.2.1:5061\r\n"
    );
}

#[test]
fn never_panics_on_odd_input() {
    let mut r = Redactor::new(RedactOptions::default());
    for t in [
        "",
        "\"",
        "sip:",
        "tel:",
        "<",
        "CN=",
        "a@",
        "@b",
        "+",
        "::",
        "[",
        "dn: x\n ",
        ";tag=",
        "Authorization:",
        "Authorization: \"",
        "l: 5\n\n\u{e9}\u{e9}",
        "Content-Length: 99999999999999999999\n\nx",
        "\u{feff}dn:: !!!\n",
        "é@é.é sip:é@é ;ext=é",
    ] {
        let _ = r.redact_text("odd", t);
        let _ = r.redact_bytes("odd", &[0xff, 0x00, 0xfe, b'\n', 0x80]);
    }
    // Multi-byte characters at every kind of position in real log text.
    for f in [
        "logs/server_home.log",
        "logs/client.uccapilog",
        "ad/ldif-good.ldf",
        "ad/powershell-good-wrapped.txt",
        "ad/dsquery-good.txt",
    ] {
        let base = std::fs::read_to_string(format!(
            "{}/fixtures/{f}",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        ))
        .unwrap();
        let base: String = base.chars().take(2000).collect();
        let idx: Vec<usize> = base.char_indices().map(|(i, _)| i).collect();
        for (k, &at) in idx.iter().enumerate().step_by(3) {
            let ins = ["é", "€", "𝄞", "\u{feff}"][k % 4];
            let t = format!("{}{ins}{}", &base[..at], &base[at..]);
            let _ = r.redact_text("odd", &t);
        }
    }
}
