//! The flow diagram geometry and its SVG export (`core::diagram`).

use crate::common;

use common::{check_xml, nortel_case};
use rcc_core::diagnosis::LegState;
use rcc_core::diagram::{layout, state_str, to_svg, SvgTheme};
use rcc_core::profile::profile;

#[test]
fn nodes_run_left_to_right_in_profile_order() {
    let (p, flow, findings) = nortel_case();
    let l = layout(&p, &flow, &findings);
    let ids: Vec<&str> = l.nodes.iter().map(|n| n.id.as_str()).collect();
    let expected: Vec<&str> = p.participants.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert!(l.nodes.windows(2).all(|w| w[0].x < w[1].x));
    assert!(l.nodes.iter().all(|n| n.x + n.w / 2.0 <= l.width));
}

#[test]
fn legs_are_rows_in_known_good_order_with_keys_and_states() {
    let (p, flow, findings) = nortel_case();
    let l = layout(&p, &flow, &findings);
    assert_eq!(l.arrows.len(), flow.len());
    for (i, (a, f)) in l.arrows.iter().zip(&flow).enumerate() {
        assert_eq!(a.step, i + 1);
        assert_eq!(a.leg, format!("{}->{}", f.from, f.to));
        assert_eq!(a.state, f.state);
        assert_eq!(a.x1, l.node(&f.from).unwrap().x);
    }
    // Request and response between the same boxes sit on different rows, top to bottom.
    assert!(l.arrows.windows(2).all(|w| w[0].y < w[1].y));
    assert!(l.arrows.iter().all(|a| a.y < l.height));
    // Right-to-left responses point left.
    let back = l
        .arrows
        .iter()
        .find(|a| a.leg == "home-server->client")
        .unwrap();
    assert!(back.x2 < back.x1);
}

#[test]
fn missing_route_gets_a_gap_and_a_callout_with_the_exact_rule() {
    let (p, flow, findings) = nortel_case();
    let l = layout(&p, &flow, &findings);
    let leg = l
        .arrows
        .iter()
        .find(|a| a.state == LegState::MissingRoute)
        .unwrap();
    assert_eq!(leg.leg, "home-server->app-proxy");
    let (gx, _) = leg.gap.expect("gap");
    assert!(gx > leg.x1 && gx < leg.x2, "gap lies on the hop");
    assert!(leg.rest_path.is_some());
    assert_eq!(
        leg.finding,
        Some(rcc_core::findings::FindingId::HomeServerRouteMissing)
    );
    assert_eq!(l.callouts.len(), 1);
    let c = &l.callouts[0];
    assert_eq!(c.leg, "home-server->app-proxy");
    assert_eq!(c.hop, "home-server");
    assert_eq!(c.rule.as_deref(), Some(common::RULE));
    assert!(c.title.contains("Home Server"));
    // The box hangs under its arrow, near the gap, before the next row.
    assert!(c.y > leg.y);
    let next = &l.arrows[leg.step];
    assert!(c.y + c.h < next.row_y, "callout overlaps the next row");
    assert!(c.x <= leg.gap.unwrap().0 && leg.gap.unwrap().0 <= c.x + c.w);
    assert!(c.x + c.w <= l.width && c.y + c.h <= l.height);
    assert_eq!(l.failing_index(), Some(leg.step - 1));
    // The message dot stops at the gap.
    assert_eq!(leg.point_at(1.0).0, gx);
}

#[test]
fn a_missing_route_without_a_finding_still_says_what_to_do() {
    let (p, flow, _) = nortel_case();
    let l = layout(&p, &flow, &[]);
    assert_eq!(l.callouts.len(), 1);
    assert!(l.callouts[0].rule.is_none());
    assert!(l.callouts[0].lines.join(" ").contains("Routing step"));
}

#[test]
fn unknown_participants_in_the_flow_get_a_box() {
    let p = profile("generic").unwrap();
    let mut flow = common::flow_of(&p, |_| LegState::Ok);
    flow[0].to = "mystery".into();
    let l = layout(&p, &flow, &[]);
    assert!(l.node("mystery").is_some());
}

#[test]
fn svg_is_well_formed_standalone_and_marks_every_leg() {
    let (p, flow, findings) = nortel_case();
    let l = layout(&p, &flow, &findings);
    for theme in [SvgTheme::Light, SvgTheme::Dark] {
        let svg = to_svg(&l, theme);
        check_xml(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<style>"));
        for bad in ["href", "url(", "@import", "http://www.w3.org/1999/xlink"] {
            assert!(!svg.contains(bad), "external reference {bad}");
        }
        assert_eq!(
            svg.matches("data-leg=").count(),
            flow.len() + l.callouts.len()
        );
        for s in [
            LegState::Ok,
            LegState::Failing,
            LegState::MissingRoute,
            LegState::NotReached,
        ] {
            if flow.iter().any(|f| f.state == s) {
                assert!(svg.contains(&format!("data-state=\"{}\"", state_str(s))));
            }
        }
        assert!(svg.contains("data-leg=\"home-server-&gt;app-proxy\""));
    }
}

#[test]
fn svg_escapes_markup_in_labels_and_rules() {
    let (mut p, mut flow, mut findings) = nortel_case();
    p.participants[0].label = "A<b> & \"c\"".into();
    flow[0].message = "INVITE <sip:x@y> & \"z\"".into();
    findings[0].rule = Some("match <x> & \"y\" → next".into());
    let svg = to_svg(&layout(&p, &flow, &findings), SvgTheme::Light);
    check_xml(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert!(svg.contains("A&lt;b&gt; &amp; &quot;c&quot;"));
    assert!(svg.contains("&lt;sip:x@y&gt; &amp; &quot;z&quot;"));
    assert!(svg.contains("match &lt;x&gt; &amp; &quot;y&quot;"));
    assert!(!svg.contains("<b>"));
}

#[test]
fn every_shipped_profile_lays_out_and_exports() {
    for p in rcc_core::profile::profiles() {
        let flow = common::flow_of(p, |i| {
            if i % 3 == 0 {
                LegState::Failing
            } else {
                LegState::Ok
            }
        });
        let l = layout(p, &flow, &[]);
        check_xml(&to_svg(&l, SvgTheme::Light)).unwrap();
        assert!(l.width > 0.0 && l.height > 0.0);
    }
}

#[test]
fn the_checker_itself_rejects_broken_xml() {
    assert!(check_xml("<a><b></a></b>").is_err());
    assert!(check_xml("<a>x < y</a>").is_err());
    assert!(check_xml("<a t=\"x\"y\">z</a>").is_err());
    assert!(check_xml("<a>&bogus;</a>").is_err());
    assert!(check_xml("<a x=\"1\"><b/>t&amp;</a>").is_ok());
}
