//! Randomised robustness: ~20k mutated pastes through the parser and the checks, no panics, and
//! basic invariants hold. Stable Rust, own xorshift RNG, fixed seed (reproducible).

use crate::support::Rng;
use rcc_core::directory::*;
use rcc_core::uri::*;

const SNIPPETS: &[&str] = &[
    "dn: ",
    "dn:: ",
    "::",
    ":",
    " : ",
    " = ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\n ",
    "{",
    "}",
    ", ",
    "...",
    "…",
    "msRTCSIP-Line",
    "msRTCSIP-LineServer",
    "msRTCSIP-OptionFlags",
    "msrtcsip-userenabled",
    "tel:",
    "sip:",
    "sips:",
    "+",
    ";ext=",
    ";phone-context=",
    "@",
    "<",
    ">",
    "<not set>",
    "\"",
    "'",
    "0x",
    "-",
    "#",
    "PS C:\\> ",
    "C:\\>",
    "dsget succeeded",
    "\u{0}",
    "\u{1b}",
    "\u{feff}",
    "\u{fffd}",
    "é",
    "漢",
    "🙂",
    "%",
    "%4",
    "[",
    "]",
    ":5061",
    ":99999",
    "changetype: add",
    "=",
    "==",
    "/",
    "-2147483648",
    "4294967296",
];

fn fixtures() -> Vec<String> {
    let dir = format!(
        "{}/fixtures/ad",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).into_owned())
        .collect();
    out.sort();
    out
}

fn char_boundary_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut s = base.to_string();
    for _ in 0..1 + rng.below(8) {
        let pos = char_boundary_floor(&s, rng.below(s.len() + 1));
        match rng.below(8) {
            0 => s.insert_str(pos, SNIPPETS[rng.below(SNIPPETS.len())]),
            1 => {
                let end = char_boundary_floor(&s, pos + rng.below(20));
                s.replace_range(pos..end, "");
            }
            2 => {
                let c = char::from_u32((rng.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}');
                s.insert(pos, c);
            }
            3 => {
                // Duplicate a line.
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let l = lines[rng.below(lines.len())].to_string();
                    s.insert_str(pos, &format!("\n{l}\n"));
                }
            }
            4 => {
                // Swap two lines.
                let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(a, b);
                    s = lines.join("\n");
                }
            }
            5 => s.truncate(pos),
            6 => {
                let bytes: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
                s.insert_str(pos, &String::from_utf8_lossy(&bytes));
            }
            _ => {
                let end = char_boundary_floor(&s, pos + rng.below(10));
                let upper = s[pos..end].to_uppercase();
                s.replace_range(pos..end, &upper);
            }
        }
    }
    s
}

#[test]
fn twenty_thousand_mutated_pastes_never_panic() {
    let bases = fixtures();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let ctx = CheckContext {
        sign_in: Some("alice@contoso.com".into()),
        line_uri_forms: vec![LineUriForm::TelExtension],
        ..Default::default()
    };
    for i in 0..20_000 {
        let base = &bases[i % bases.len()];
        let text = if i % 50 == 0 {
            // Pure noise now and then.
            let bytes: Vec<u8> = (0..rng.below(400)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            mutate(&mut rng, base)
        };
        let p = parse_paste(&text);
        let n_lines = text.split('\n').count() as u32 + text.matches('\r').count() as u32;
        for r in &p.recognised {
            assert!(
                r.line >= 1 && r.line <= n_lines,
                "recognised line {} of {n_lines}",
                r.line
            );
        }
        for ig in &p.ignored {
            assert!(ig.line <= n_lines);
            assert!(ig.text.chars().count() <= 81);
            assert!(!ig.why.is_empty());
        }
        if text.trim().is_empty() {
            assert!(matches!(p.format, AdFormat::Empty));
        }
        let checks = check(&p.attributes, &ctx);
        assert_eq!(checks.len(), CHECK_IDS.len());
        for c in &checks {
            assert_eq!(
                c.status == CheckStatus::Unknown,
                c.evidence.is_empty(),
                "{}",
                c.id
            );
        }
        if let Some(f) = &p.attributes.option_flags {
            let _ = decode_option_flags(&f.value);
        }
        for v in [
            &p.attributes.line,
            &p.attributes.line_server,
            &p.attributes.primary_user_address,
        ]
        .into_iter()
        .flatten()
        {
            let _ = validate_sip_uri(&v.value);
            let _ = validate_tel_uri(&v.value);
            let _ = line_uris_equivalent(&v.value, "tel:+14255550123;ext=123");
        }
    }
}

#[test]
fn validators_survive_random_strings() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let alphabet: Vec<char> = "sipte:l+0123456789;=@.-()[]%abcdefx#*/?&, \t<>\"é🙂"
        .chars()
        .collect();
    for _ in 0..20_000 {
        let s: String = (0..rng.below(40))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let _ = validate_sip_uri(&s);
        let _ = validate_tel_uri(&s);
        let _ = validate_line_uri(&s);
        let _ = decode_option_flags(&s);
        let _ = sip_uris_equivalent(&s, "sip:rcc@mcm.contoso.com");
        let _ = line_uris_equivalent(&s, &s);
    }
}
