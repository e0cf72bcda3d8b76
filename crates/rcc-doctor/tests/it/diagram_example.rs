//! The flow diagram and the ladder over the built-in example case (the seed's Nortel incident).

use crate::common;

use crate::support::example;
use rcc_core::analysis::AnalysisSummary;
use rcc_core::diagnosis::LegState;
use rcc_core::diagram::{layout, to_svg, SvgTheme};
use rcc_core::example::{nortel_fixed, nortel_seed, ExampleCase};
use rcc_core::ladder::{to_mermaid, LadderFilter, Verdict};

fn run(case: &ExampleCase) -> AnalysisSummary {
    example(case, true, true).analyze()
}

#[test]
fn the_seed_case_draws_the_missing_route_on_the_home_server_hop() {
    let a = run(&nortel_seed());
    let d = &a.diagnosis;
    let l = layout(&a.profile, &d.flow, &d.findings);
    for arrow in &l.arrows {
        eprintln!(
            "{} {} {:?} {:?}",
            arrow.step, arrow.leg, arrow.state, arrow.finding
        );
    }
    for c in &l.callouts {
        eprintln!("callout {} at {}: {:?}", c.leg, c.hop, c.rule);
    }
    let bad: Vec<&str> = l
        .arrows
        .iter()
        .filter(|x| matches!(x.state, LegState::Failing | LegState::MissingRoute))
        .map(|x| x.leg.as_str())
        .collect();
    assert!(bad.contains(&"home-server->app-proxy"), "{bad:?}");
    let c = l
        .callouts
        .iter()
        .find(|c| c.leg == "home-server->app-proxy")
        .expect("callout on the Home Server hop");
    assert_eq!(c.hop, "home-server");
    let rule = c.rule.as_deref().expect("the exact rule");
    assert!(rule.contains("mcm-ap.contoso.com"), "{rule}");
    let svg = to_svg(&l, SvgTheme::Light);
    common::check_xml(&svg).unwrap();
}

#[test]
fn the_seed_ladder_labels_hosts_and_marks_the_failing_rows() {
    let (_, details) = example(&nortel_seed(), true, true).analyze_full();
    let l = &details.ladder.ladder;
    let rows = l.all_rows(&details.ladder.messages);
    for c in &l.columns {
        eprintln!("column {} [{}] {:?}", c.label, c.host, c.aliases);
    }
    for r in &rows {
        eprintln!(
            "{:>14} {:?}->{:?} {:<50} {:?} rcc={}",
            r.time, r.from, r.to, r.label, r.verdict, r.rcc
        );
    }
    let labels: Vec<&str> = l.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels[0], "Communicator", "{labels:?}");
    assert!(labels.contains(&"Home Server (LCS 2005)"), "{labels:?}");
    assert!(rows.iter().any(|r| r.verdict == Verdict::FailingLeg));
    assert!(rows.iter().all(|r| r.from.is_some() && r.to.is_some()));
    let rcc = l.filtered(
        &details.ladder.messages,
        &LadderFilter {
            rcc_only: true,
            ..LadderFilter::default()
        },
    );
    assert!(!rcc.is_empty());
    assert!(rcc.iter().all(|&r| rows[r].method != "REGISTER"));
    assert!(to_mermaid(l, &details.ladder.messages).starts_with("sequenceDiagram\n"));
}

#[test]
fn the_fixed_case_is_all_green() {
    let a = run(&nortel_fixed());
    let l = layout(&a.profile, &a.diagnosis.flow, &a.diagnosis.findings);
    assert!(l.callouts.is_empty());
    assert!(l.failing_index().is_none());
    assert!(l.arrows.iter().any(|x| x.state == LegState::Ok));
}
