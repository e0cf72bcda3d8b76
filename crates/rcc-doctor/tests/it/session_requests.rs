//! The CSTA requests inside a session (domain.md section 4, steps 3 and 4): a working session
//! whose MakeCall the gateway refuses is not all clear; a number no phone can dial is the dial
//! string's finding, not a second one; and a session the logs show only from inside (an
//! excerpt of its INFOs, the INVITE before the log began) is read from those INFOs.

use crate::support::Run;
use rcc_core::analysis::AnalysisSummary;
use rcc_core::diagnosis::LegState;
use rcc_core::evidence::Evidence;
use rcc_core::findings::FindingId;

const USER: &str = "sip:ann@contoso.com";
const CSTA: &str = "application/csta+xml";
const NS: &str = "xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"";

/// One message of the client's trace: `start`, the dialog's headers (From is the user unless
/// `from_gateway`), and a CSTA body.
fn message(start: &str, cseq: &str, from_gateway: bool, to_tag: bool, body: &str) -> String {
    let (user, gw) = (
        format!("<{USER}>;tag=u1"),
        format!(
            "<sip:mcm@ap.contoso.com>{}",
            if to_tag { ";tag=g1" } else { "" }
        ),
    );
    let (from, to) = if from_gateway { (gw, user) } else { (user, gw) };
    let agent = if from_gateway || start.starts_with("SIP/2.0") {
        "Server: Nortel-MCM/3.0"
    } else {
        "User-Agent: UCCAPI/3.5.6907.0 OC/3.5.6907.0 (Microsoft Office Communicator 2007 R2)"
    };
    format!(
        "{start}\r\nVia: SIP/2.0/TLS 10.0.0.9:1234;branch=z9hG4bK{}\r\nFrom: {from}\r\nTo: {to}\r\n\
         Call-ID: rcc-1\r\nCSeq: {cseq}\r\n{agent}\r\nContent-Type: {CSTA}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        cseq.replace(' ', ""),
        body.len()
    )
}

fn request(method: &str, cseq: u32, body: &str) -> String {
    let start = format!("{method} sip:mcm@ap.contoso.com SIP/2.0");
    message(
        &start,
        &format!("{cseq} {method}"),
        false,
        method != "INVITE",
        body,
    )
}

fn answer(cseq: &str, body: &str) -> String {
    message("SIP/2.0 200 OK", cseq, false, true, body)
}

fn make_call(cseq: u32, called: &str) -> String {
    request(
        "INFO",
        cseq,
        &format!(
            "<MakeCall {NS}><callingDevice>tel:+14255550100</callingDevice>\
             <calledDirectoryNumber>{called}</calledDirectoryNumber></MakeCall>"
        ),
    )
}

fn refused(cseq: u32) -> String {
    answer(
        &format!("{cseq} INFO"),
        &format!("<CSTAErrorCode {NS}><operation>invalidCalledDevice</operation></CSTAErrorCode>"),
    )
}

/// The session set up and monitored, as the client's trace shows it.
fn session() -> Vec<String> {
    vec![
        request(
            "INVITE",
            1,
            &format!("<RequestSystemStatus {NS}/>"),
        ),
        answer(
            "1 INVITE",
            &format!(
                "<RequestSystemStatusResponse {NS}><systemStatus>normal</systemStatus>\
                 </RequestSystemStatusResponse>"
            ),
        ),
        request(
            "INFO",
            2,
            &format!("<MonitorStart {NS}><monitorObject><deviceObject>tel:+14255550100</deviceObject></monitorObject></MonitorStart>"),
        ),
        answer(
            "2 INFO",
            &format!("<MonitorStartResponse {NS}><monitorCrossRefID>7</monitorCrossRefID></MonitorStartResponse>"),
        ),
    ]
}

fn run(messages: &[String]) -> AnalysisSummary {
    Run::new("nortel")
        .sign_in(USER)
        .log("trace.txt", &(messages.join("\r\n") + "\r\n"))
        .analyze()
}

fn ids(s: &AnalysisSummary) -> Vec<FindingId> {
    s.diagnosis.findings.iter().map(|f| f.id).collect()
}

/// The start lines of the log evidence of finding `id`.
fn evidence_lines(s: &AnalysisSummary, id: FindingId) -> Vec<u32> {
    let f = s.diagnosis.findings.iter().find(|f| f.id == id).unwrap();
    f.evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Log { line_start, .. } => Some(*line_start),
            _ => None,
        })
        .collect()
}

#[test]
fn a_refused_make_call_in_a_working_session_is_a_csta_error() {
    let mut log = session();
    log.push(make_call(3, "tel:+14255550171"));
    log.push(answer("3 INFO", &format!("<MakeCallResponse {NS}/>")));
    let healthy = run(&log);
    assert_eq!(ids(&healthy), [FindingId::AllClear]);
    log.push(make_call(4, "tel:5550199"));
    log.push(refused(4));
    let s = run(&log);
    assert_eq!(ids(&s), [FindingId::CstaError]);
    let f = &s.diagnosis.findings[0];
    assert!(
        f.explanation.contains("refused MakeCall to tel:5550199"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("invalidCalledDevice"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("The session itself works"),
        "{}",
        f.explanation
    );
    // The refused request and its answer are the evidence (the last two messages).
    let lines = evidence_lines(&s, FindingId::CstaError);
    assert_eq!(lines.len(), 2, "{lines:?}");
    // A local number with no context: the fix names normalization, not the line URI.
    assert!(
        f.fix.iter().any(|x| x.contains("normalization rules")),
        "{:?}",
        f.fix
    );
    assert!(
        !f.fix.iter().any(|x| x.contains("Compare the line URI")),
        "{:?}",
        f.fix
    );
}

/// A capability query the gateway does not implement, the monitor's end at sign-out answered
/// for a dialog already gone, and a MakeCall answered 481 refuse no call request.
#[test]
fn requests_about_the_session_refused_leave_it_all_clear() {
    let mut log = session();
    log.push(request("INFO", 3, &format!("<GetCSTAFeatures {NS}/>")));
    log.push(message(
        "SIP/2.0 501 Not Implemented",
        "3 INFO",
        false,
        true,
        "",
    ));
    log.push(make_call(4, "tel:+14255550171"));
    log.push(message(
        "SIP/2.0 481 Call Leg/Transaction Does Not Exist",
        "4 INFO",
        false,
        true,
        "",
    ));
    log.push(request("INFO", 5, &format!("<MonitorStop {NS}/>")));
    log.push(message(
        "SIP/2.0 481 Call Leg/Transaction Does Not Exist",
        "5 INFO",
        false,
        true,
        "",
    ));
    assert_eq!(ids(&run(&log)), [FindingId::AllClear]);
    // The same MakeCall refused by the gateway is the call's error.
    log.push(make_call(6, "tel:+14255550172"));
    log.push(message("SIP/2.0 403 Forbidden", "6 INFO", false, true, ""));
    assert_eq!(ids(&run(&log)), [FindingId::CstaError]);
}

#[test]
fn a_number_no_phone_can_dial_is_the_dial_strings_finding_alone() {
    let mut log = session();
    log.push(make_call(3, "tel:+14255550171v:40171"));
    log.push(refused(3));
    assert_eq!(ids(&run(&log)), [FindingId::DialStringMalformed]);
}

#[test]
fn a_session_seen_only_from_inside_is_read_from_its_infos() {
    // The excerpt starts after the INVITE: a MakeCall that works, then one refused.
    let log = vec![
        make_call(3, "tel:+14255550171"),
        answer("3 INFO", &format!("<MakeCallResponse {NS}/>")),
        make_call(4, "tel:5550199"),
        refused(4),
    ];
    let s = run(&log);
    assert_eq!(ids(&s), [FindingId::CstaError]);
    let f = &s.diagnosis.findings[0];
    assert!(
        f.explanation.contains("only from inside"),
        "{}",
        f.explanation
    );
    // The set-up is drawn as inferred, never as seen, and no leg fails.
    let invite = s
        .diagnosis
        .flow
        .iter()
        .find(|l| l.message.starts_with("INVITE"))
        .unwrap();
    assert_eq!(invite.state, LegState::Inferred);
    assert!(invite.evidence.is_empty());
    assert!(!s
        .diagnosis
        .flow
        .iter()
        .any(|l| l.state == LegState::Failing));
    // Its MakeCalls answered without error prove no all-clear: no systemStatus was seen.
    let working = run(&log[..2]);
    assert!(
        !ids(&working).contains(&FindingId::AllClear),
        "{:?}",
        ids(&working)
    );
    // A MonitorStart refused inside such an excerpt is the session's own failure (F8).
    let monitor = vec![
        request(
            "INFO",
            2,
            &format!("<MonitorStart {NS}><monitorObject><deviceObject>tel:+14255550100</deviceObject></monitorObject></MonitorStart>"),
        ),
        message(
            "SIP/2.0 403 Forbidden",
            "2 INFO",
            false,
            true,
            &format!("<CSTAErrorCode {NS}><operation>privilegeViolationOnSpecifiedDevice</operation></CSTAErrorCode>"),
        ),
    ];
    let s = run(&monitor);
    assert_eq!(ids(&s), [FindingId::CstaError]);
    let failing: Vec<_> = s
        .diagnosis
        .flow
        .iter()
        .filter(|l| l.state == LegState::Failing)
        .map(|l| l.message.as_str())
        .collect();
    assert!(
        failing.iter().all(|m| m.contains("MonitorStart")) && !failing.is_empty(),
        "{failing:?}"
    );
}
