//! Deterministic synthetic logs with a Microsoft-style RCC message mix, in every format: for the
//! benchmarks (`benches/ingest.rs`), `examples/gen_logs.rs`, big-file tests and the browser
//! bench. Same (format, size, seed) → same bytes.

use super::LogFormat;
use std::fmt::Write;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

fn msg(start: &str, headers: &[String], body: &str, compact: bool) -> String {
    let body = if body.contains("\r\n") {
        body.to_string()
    } else {
        body.replace('\n', "\r\n")
    };
    let mut s = String::with_capacity(512 + body.len());
    s.push_str(start);
    s.push_str("\r\n");
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    let _ = write!(
        s,
        "{}: {}\r\n\r\n",
        if compact { "l" } else { "Content-Length" },
        body.len()
    );
    s.push_str(&body);
    s
}

const PROV: &str = "<provisionGroupList xmlns=\"http://schemas.microsoft.com/2006/09/sip/provisiongrouplist-notification\">\n<provisionGroup name=\"ServerConfiguration\">\n<lineUri>tel:+14255550123;ext=123</lineUri>\n<lineServer>sip:rcc@mcm.contoso.com</lineServer>\n</provisionGroup>\n</provisionGroupList>\n";
const RSS: &str = "<?xml version=\"1.0\"?>\n<RequestSystemStatus xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">\n<extensions><privateData><private>\n<lcs:line xmlns:lcs=\"http://schemas.microsoft.com/Lcs/2005/04/RCCExtension\">tel:+14255550123;ext=123</lcs:line>\n</private></privateData></extensions>\n</RequestSystemStatus>\n";
const RSS_OK: &str = "<?xml version=\"1.0\"?>\n<RequestSystemStatusResponse xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">\n<systemStatus>normal</systemStatus>\n</RequestSystemStatusResponse>\n";
const MON: &str = "<?xml version=\"1.0\"?>\n<MonitorStart xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">\n<monitorObject><deviceObject>tel:+14255550123;ext=123</deviceObject></monitorObject>\n</MonitorStart>\n";

/// One sign-in + RCC session: (sent by the client?, message text).
fn session(n: u64, r: &mut Rng) -> Vec<(bool, String)> {
    let user = format!("user{}", n % 5000);
    let gruu = format!(
        "sip:{user}@contoso.com;opaque=user:epid:{:016x};gruu",
        r.next()
    );
    let via = |b: &str| {
        format!("Via: SIP/2.0/TLS 10.0.{}.{}:50120;branch=z9hG4bK{b}{n:x};ms-received-port=50120;ms-received-cid={:X}", n % 200, n % 250, n)
    };
    let from =
        |t: &str| format!("From: \"{user}\" <sip:{user}@contoso.com>;tag={t}{n:x};epid=01020304");
    let callid = |k: &str| {
        format!(
            "Call-ID: {k}-{n:x}-{:08x}",
            n.wrapping_mul(2_654_435_761) & 0xffff_ffff
        )
    };
    let ua = "User-Agent: UCCAPI/2.0.6362.111 OC/2.0.6362.111 (Microsoft Office Communicator 2007)"
        .to_string();
    let to_me = format!("To: <sip:{user}@contoso.com>");
    let rcc_to = "To: <sip:rcc@mcm.contoso.com>".to_string();
    let gw = format!("To: <sip:rcc@mcm.contoso.com>;tag=gw{n:x}");
    let v = |s: &str| s.to_string();
    vec![
        (true, msg("REGISTER sip:contoso.com SIP/2.0", &[via("reg"), v("Max-Forwards: 70"), from("r"), to_me.clone(), callid("reg"), v("CSeq: 1 REGISTER"),
            format!("Contact: <sip:10.0.0.20:50120;transport=tls;ms-opaque={:x}>;methods=\"INVITE, MESSAGE, INFO, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";proxy=replace", r.next()),
            ua.clone(), v("Supported: gruu-10, adhoclist, msrtc-event-categories"),
            format!("Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\", targetname=\"ocs1.contoso.com\", crand=\"{:08x}\", cnum=\"{n}\", response=\"0100000063b0{:016x}\"", r.next() as u32, r.next())], "", false)),
        (false, msg("SIP/2.0 200 OK", &[via("reg"), from("r"), format!("{to_me};tag={:08X}", r.next() as u32), callid("reg"), v("CSeq: 1 REGISTER"), v("Expires: 7200"),
            format!("Contact: <sip:10.0.0.20:50120;transport=tls>;expires=7200;gruu=\"{gruu}\""),
            format!("Authentication-Info: NTLM rspauth=\"0100000000000000{:08X}\", srand=\"{:08X}\", snum=\"{n}\", qop=\"auth\", targetname=\"ocs1.contoso.com\"", r.next() as u32, r.next() as u32),
            v("Server: RTC/3.0")], "", false)),
        (true, msg(&format!("SUBSCRIBE sip:{user}@contoso.com SIP/2.0"), &[via("sub"), v("Max-Forwards: 70"), from("s"), to_me.clone(), callid("sub"), v("CSeq: 1 SUBSCRIBE"),
            format!("Contact: <{gruu}>"), ua.clone(), v("Event: vnd-microsoft-provisioning"), v("Accept: application/vnd-microsoft-roaming-provisioning+xml"), v("Supported: ms-benotify"), v("Expires: 0")], "", false)),
        (false, msg("SIP/2.0 200 OK", &[via("sub"), from("s"), format!("{to_me};tag=p{n:x}"), callid("sub"), v("CSeq: 1 SUBSCRIBE"), v("Content-Type: application/vnd-microsoft-roaming-provisioning+xml")], PROV, false)),
        (true, msg("INVITE sip:rcc@mcm.contoso.com SIP/2.0", &[via("inv"), v("Max-Forwards: 70"), from("c"), rcc_to.clone(), callid("rcc"), v("CSeq: 1 INVITE"),
            format!("Contact: <{gruu}>"), ua, v("Supported: timer"), v("Content-Disposition: signal;handling=required"), v("Content-Type: application/csta+xml")], RSS, false)),
        (false, msg("SIP/2.0 100 Trying", &[via("inv"), from("c"), rcc_to, callid("rcc"), v("CSeq: 1 INVITE"), v("Server: RTC/3.0")], "", false)),
        (false, msg("SIP/2.0 200 OK", &[via("inv"), from("c"), gw.clone(), callid("rcc"), v("CSeq: 1 INVITE"), v("Record-Route: <sip:ocs1.contoso.com:5061;transport=tls;lr>"),
            v("Contact: <sip:rcc@10.0.0.30:5060;transport=tcp>"), v("Session-Expires: 3600;refresher=uac"), v("Content-Type: application/csta+xml")], RSS_OK, false)),
        (true, msg("ACK sip:rcc@10.0.0.30:5060;transport=tcp SIP/2.0", &[via("ack"), v("Max-Forwards: 70"), from("c"), gw.clone(), callid("rcc"), v("CSeq: 1 ACK"), v("Route: <sip:ocs1.contoso.com:5061;transport=tls;lr>")], "", false)),
        (true, msg("INFO sip:rcc@10.0.0.30:5060;transport=tcp SIP/2.0", &[via("info"), v("Max-Forwards: 70"), from("c"), gw.clone(), callid("rcc"), v("CSeq: 2 INFO"),
            v("Content-Disposition: signal;handling=required"), v("Content-Type: application/csta+xml")], MON, false)),
        (false, msg("SIP/2.0 200 OK", &[via("info"), from("c"), gw, callid("rcc"), v("CSeq: 2 INFO"), v("Content-Type: application/csta+xml")],
            "<MonitorStartResponse xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"><monitorCrossRefID>99</monitorCrossRefID></MonitorStartResponse>\n", false)),
        (false, msg(&format!("BENOTIFY {gruu} SIP/2.0"), &[format!("Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKbn{n:x}"), v("Max-Forwards: 70"),
            format!("From: <sip:{user}@contoso.com>;tag=p{n:x}"), format!("To: <sip:{user}@contoso.com>;tag=s{n:x}"), callid("sub"), v("CSeq: 2 BENOTIFY"),
            v("Event: vnd-microsoft-provisioning"), v("Content-Type: application/vnd-microsoft-roaming-provisioning+xml")], PROV, false)),
        (true, msg(&format!("SERVICE sip:{user}@contoso.com SIP/2.0"), &[via("svc"), v("Max-Forwards: 70"), from("v"), to_me, callid("svc"), v("CSeq: 1 SERVICE"),
            v("Content-Type: application/msrtc-presence-setsubscriber+xml")], "<setSubscribers xmlns=\"http://schemas.microsoft.com/2006/09/sip/presence-subscribers\"/>\n", false)),
        (false, msg(&format!("OPTIONS sip:{user}@contoso.com SIP/2.0"), &[format!("v: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKopt{n:x}"), v("Max-Forwards: 70"), format!("f: <sip:bob@contoso.com>;tag=o{n:x}"),
            format!("t: <sip:{user}@contoso.com>"), format!("i: opt-{n:x}"), v("CSeq: 1 OPTIONS"), v("k: ms-benotify"), v("Accept: application/sdp,"), v(" application/csta+xml")], "", true)),
        (true, msg("INVITE sip:rcc@pbx.fabrikam.com SIP/2.0", &[via("inv2"), v("Max-Forwards: 70"), from("d"), v("To: <sip:rcc@pbx.fabrikam.com>"), callid("rcc2"), v("CSeq: 1 INVITE"),
            v("Supported: timer"), v("Content-Type: application/csta+xml")], RSS, false)),
        (false, msg("SIP/2.0 404 Not Found", &[via("inv2"), from("d"), format!("To: <sip:rcc@pbx.fabrikam.com>;tag=hs{n:x}"), callid("rcc2"), v("CSeq: 1 INVITE"),
            v("ms-diagnostics: 1003;reason=\"User does not exist\";source=\"ocs1.contoso.com\"")], "", false)),
    ]
}

fn hms(ms: u64) -> String {
    let ms = ms % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A log of about `target_bytes` (at least one session) in `format`.
pub fn generate(format: LogFormat, target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut out = String::with_capacity(target_bytes + 16 * 1024);
    let mut t: u64 = 14 * 3_600_000;
    let mut n = 0u64;
    if format == LogFormat::WiresharkFollow {
        out.push_str("===================================================================\r\nFollow: tcp,ascii\r\nFilter: tcp.stream eq 0\r\nNode 0: 10.0.0.20:50120\r\nNode 1: 10.0.0.5:5061\r\n");
    }
    while out.len() < target_bytes || n == 0 {
        for (sent, m) in session(n, &mut r) {
            t += 1 + r.next() % 120;
            let len = m.len();
            match format {
                LogFormat::RawSip => {
                    out.push_str(&m);
                    out.push_str("\r\n");
                }
                LogFormat::Uccapi => {
                    let stamp = format!("11/30/2006|{}", hms(t));
                    if r.next().is_multiple_of(3) {
                        let _ = write!(out, "{stamp} 0AE8:0B20 INFO  :: CUccSession::OnStateChange - state {} -> {}\r\n", r.next() % 9, r.next() % 9);
                    }
                    let (what, local) = if sent {
                        ("Sending", "From Local Address")
                    } else {
                        ("Received", "Local Address")
                    };
                    let _ = write!(out, "{stamp} 0AE8:0B20 INFO  :: {what} Packet - 10.0.0.5:5061 ({local}: 10.0.0.20:50120) {len} bytes:\r\n{m}");
                    if !m.ends_with("\r\n") {
                        out.push_str("\r\n");
                    }
                    let _ = write!(out, "{stamp} 0AE8:0B20 INFO  :: End of {what} Packet - 10.0.0.5:5061 ({local}: 10.0.0.20:50120) {len} bytes\r\n");
                }
                LogFormat::ServerLog => {
                    let stamp = format!("11/30/2006-{}", hms(t));
                    let (head, body) = m.split_once("\r\n\r\n").unwrap_or((&m, ""));
                    let mut lines = head.split("\r\n");
                    let start = lines.next().unwrap_or("");
                    let _ = write!(out, "TL_INFO(TF_PROTOCOL) [0]0AE8.0B20::{stamp}.0000000f (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(122))$$begin_record\r\nInstance-Id: {n:08X}\r\nDirection: {}\r\nPeer: 10.0.0.20:50120\r\nMessage-Type: {}\r\nStart-Line: {start}\r\n",
                        if sent { "incoming" } else { "outgoing" }, if start.starts_with("SIP/") { "response" } else { "request" });
                    for l in lines {
                        match l.split_once(':') {
                            Some((k, v)) if !l.starts_with(' ') => {
                                out.push_str(&k.to_ascii_uppercase());
                                out.push(':');
                                out.push_str(v);
                            }
                            _ => out.push_str(l),
                        }
                        out.push_str("\r\n");
                    }
                    if body.is_empty() {
                        out.push_str("Message-Body: -\r\n");
                    } else {
                        out.push_str("Message-Body: \r\n");
                        out.push_str(body.trim_end_matches("\r\n"));
                        out.push_str("\r\n");
                    }
                    out.push_str("$$end_record\r\n");
                    if m.starts_with("SIP/2.0 404") {
                        let _ = write!(out, "TL_ERROR(TF_DIAG) [0]0AE8.0B20::{stamp}.00000010 (SIPStack,SIPAdminLog::WriteDiagnosticEvent:SIPAdminLog.cpp(802))$$begin_record\r\nLogType: diagnostic\r\nSeverity: error\r\nText: Routing error: no matching route\r\nResult-Code: 0xC3E93C0B SIPPROXY_E_ROUTING_NO_MATCHING_ROUTE\r\nSIP-Start-Line: INVITE sip:rcc@pbx.fabrikam.com SIP/2.0\r\nSIP-CSeq: 1 INVITE\r\nPeer: 10.0.0.20:50120\r\n$$end_record\r\n");
                    }
                }
                LogFormat::WiresharkFollow => {
                    let _ = write!(out, "{}{len}\r\n{m}", if sent { "" } else { "\t" });
                    if !m.ends_with("\r\n") {
                        out.push_str("\r\n");
                    }
                }
                LogFormat::SippTrace => {
                    let _ = write!(
                        out,
                        "----------------------------------------------- 2006-11-30 {}{:03}\r\n",
                        hms(t),
                        n % 1000
                    );
                    if sent {
                        let _ = write!(out, "TCP message sent ({len} bytes):\r\n\r\n{m}\r\n");
                    } else {
                        let _ = write!(out, "TCP message received [{len}] bytes :\r\n\r\n{m}\r\n");
                    }
                }
                LogFormat::Unknown => {
                    let _ = write!(
                        out,
                        "{} lorem ipsum dolor sit amet, consectetur adipiscing elit {}\r\n",
                        hms(t),
                        r.next()
                    );
                }
            }
        }
        n += 1;
    }
    if format == LogFormat::WiresharkFollow {
        out.push_str("===================================================================\r\n");
    }
    out.into_bytes()
}

/// Messages per generated session (for tests and benches).
pub const MESSAGES_PER_SESSION: usize = 15;
