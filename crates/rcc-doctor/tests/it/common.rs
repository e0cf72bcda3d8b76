//! Helpers shared by the diagram and ladder tests.
#![allow(dead_code)]

use rcc_core::diagnosis::{Confidence, Finding, FlowLeg, Leg, LegState};
use rcc_core::findings::{FindingId, Severity};
use rcc_core::profile::{profile, Profile};

pub const RULE: &str = "home-server: mcm.contoso.com -> ap1.contoso.com:5061 tls";

/// The profile's known-good flow with a state per leg index.
pub fn flow_of(p: &Profile, state: impl Fn(usize) -> LegState) -> Vec<FlowLeg> {
    p.flow
        .iter()
        .enumerate()
        .map(|(i, s)| FlowLeg {
            from: s.from.clone(),
            to: s.to.clone(),
            message: s.message.clone(),
            kind: s.kind,
            state: state(i),
            evidence: vec![],
            observed: None,
            extra: false,
        })
        .collect()
}

/// The seed incident by hand: the Home Server never forwards the CSTA INVITE.
pub fn nortel_case() -> (Profile, Vec<FlowLeg>, Vec<Finding>) {
    let p = profile("nortel").unwrap();
    let hs_ap = p.flow.iter().position(|s| s.id == "invite-hs-ap").unwrap();
    let flow = flow_of(&p, |i| match i {
        i if i < hs_ap => LegState::Ok,
        i if i == hs_ap => LegState::MissingRoute,
        _ => LegState::NotReached,
    });
    let leg = &p.flow[hs_ap];
    let findings = vec![Finding {
        id: FindingId::HomeServerRouteMissing,
        severity: Severity::Error,
        confidence: Confidence::High,
        title: "No static route on the Home Server".into(),
        explanation: "…".into(),
        leg: Some(Leg {
            from: leg.from.clone(),
            to: leg.to.clone(),
            message: leg.message.clone(),
        }),
        rule: Some(RULE.into()),
        admin_fix: None,
        evidence: vec![],
        fix: vec![],
        assumptions: vec![],
    }];
    (p, flow, findings)
}

/// A small XML well-formedness check: balanced tags, quoted attributes, no raw `<`/`&` in text,
/// only the predefined or numeric entities, one root element.
pub fn check_xml(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let check_text = |t: &str, at: usize| -> Result<(), String> {
        let mut rest = t;
        while let Some(p) = rest.find('&') {
            let after = &rest[p + 1..];
            let end = after.find(';').ok_or(format!("bare & at {at}"))?;
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || (name.starts_with('#') && name.len() > 1);
            if !ok {
                return Err(format!("unknown entity &{name}; at {at}"));
            }
            rest = &after[end + 1..];
        }
        if t.contains('<') {
            return Err(format!("raw < at {at}"));
        }
        Ok(())
    };
    while i < b.len() {
        if b[i] == b'<' {
            if s[i..].starts_with("<?") {
                i += s[i..].find("?>").ok_or("unclosed <?")? + 2;
                continue;
            }
            if s[i..].starts_with("<!--") {
                i += s[i..].find("-->").ok_or("unclosed comment")? + 3;
                continue;
            }
            // Find the end of the tag, respecting quotes.
            let mut j = i + 1;
            let mut quote: Option<u8> = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"') | (None, b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    (None, b'<') => return Err(format!("< inside tag at {j}")),
                    _ => {}
                }
                j += 1;
            }
            if j >= b.len() {
                return Err(format!("unclosed tag at {i}"));
            }
            let inner = &s[i + 1..j];
            if let Some(name) = inner.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("stray </{name}> at {i}"))?;
                if open != name.trim() {
                    return Err(format!("</{}> closes <{open}> at {i}", name.trim()));
                }
            } else {
                let self_closing = inner.ends_with('/');
                let inner = inner.trim_end_matches('/');
                let name_end = inner
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(inner.len());
                let name = &inner[..name_end];
                if name.is_empty() {
                    return Err(format!("empty tag name at {i}"));
                }
                // Attributes: name="value" pairs.
                let mut rest = inner[name_end..].trim();
                while !rest.is_empty() {
                    let eq = rest
                        .find('=')
                        .ok_or(format!("attribute without value at {i}"))?;
                    let aname = rest[..eq].trim();
                    if aname.is_empty() || aname.contains(char::is_whitespace) {
                        return Err(format!("bad attribute name {aname:?} at {i}"));
                    }
                    let after = rest[eq + 1..].trim_start();
                    let q = after.chars().next().ok_or("missing quote")?;
                    if q != '"' && q != '\'' {
                        return Err(format!("unquoted attribute {aname} at {i}"));
                    }
                    let close = after[1..].find(q).ok_or("unclosed attribute")?;
                    check_text(&after[1..1 + close], i)?;
                    rest = after[close + 2..].trim_start();
                    if !rest.is_empty() && !after[close + 2..].starts_with(char::is_whitespace) {
                        return Err(format!("attributes run together at {i}"));
                    }
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name.to_string());
                }
            }
            i = j + 1;
        } else {
            let next = s[i..].find('<').map(|p| i + p).unwrap_or(b.len());
            let text = &s[i..next];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root at {i}"));
            }
            check_text(text, i)?;
            i = next;
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed <{}>", stack.join("> <")));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}
