//! Fuzzing of `ingest` inside `cargo test` (the cargo-fuzz targets under fuzz/ go further:
//! `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run raw_sip`). Mutates the committed fixtures (our
//! logs, the real logs, the SIP torture suite) with a fixed-seed xorshift RNG and asserts: no
//! panic, every message/event/problem line inside its file, counts consistent, a partly parsed
//! message's first fault on one of its lines.
//!
//! `INGEST_FUZZ_ITERS=200000 cargo test --release --test it ingest_fuzz -- --nocapture` runs more.

use crate::support::Rng;
use rcc_core::ingest::*;
use rcc_core::sip::ParseQuality;

const TOKENS: &[&[u8]] = &[
    b"\r\n", b"\n", b"\r\n\r\n", b"\r", b" ", b"\t", b":", b"\0", b"\xff\xfe", b"\xef\xbb\xbf",
    b"\xc3\x28", b"SIP/2.0 ", b"SIP/2.0 200 OK\r\n", b"INVITE sip:a@b SIP/2.0\r\n",
    b"BENOTIFY sip:a@b;opaque=user:epid:x;gruu SIP/2.0\n", b"Content-Length: 99999\r\n",
    b"Content-Length: 0\r\n", b"l: 5\r\n", b"Content-Length: -1\r\n", b"i: x\r\n", b"v: SIP/2.0/TCP h;branch=z\r\n",
    b"$$begin_record\r\n", b"$$end_record\r\n", b"Start-Line: ", b"Message-Body: ", b"Message-Body: -\r\n",
    b"11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: Sending Packet - 1.2.3.4:5061 (From Local Address: 1.2.3.5:1) 12 bytes:\r\n",
    b"11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: End of Received Packet - x\r\n",
    b"11/30/2006|99:99:99.999 0AE8:0B20 ERROR :: \r\n",
    b"TL_ERROR(TF_DIAG) [0]0AE8.0B20::11/30/2006-14:02:11.123.0000000f (SIPStack)$$begin_record\r\n",
    b"----------------------------------------------- 2006-11-30 14:02:11.123456\r\n",
    b"UDP message sent (12 bytes):\r\n", b"message received [7] bytes :\n", b"\t123\r\n", b"42\n",
    b"===================================================================\r\n", b"Node 0: 1.2.3.4:5\r\n",
    b"Follow: tcp,ascii\r\n", b"<html><body>", b" folded\r\n", b"From: <sip:a@b>;tag=\r\n",
    b"02/14/2013|09:15:02.331 1F68:C14 INFO :: Data Received - 198.51.100.10:5061 (To Local Address: 192.0.2.44:51023) 9 bytes:\r\n",
    b"02/14/2013|09:15:02.331 1F68:C14 INFO :: End of Data Received - x\r\n",
    b"02/14/2013|09:15:02.331 1F68:C14 INFO :: SIP/2.0 200 OK\r\n",
    b"TL_ERROR(TF_COMPONENT) [0]0860.0CDC::01/18/2012-05:07:42.622.000d0b31 (SIPStack,a(1))( 0 ) Exit\r\nLogType: diagnostic\r\n",
    b"    ", b" Via: SIP/2.0/TLS h\r\n", b"ms-diagnostics: 1003;reason=\"x\"\r\n", b"SIP/7.0 ",
    b"SIP/2.0 4294967301 x\r\n", b"<sip:a@[2001:db8::1]>", b"\"unbalanced", b"CSeq: 99999999999 INVITE\r\n",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    // A window of the seed keeps inputs small (debug builds) while hitting every format.
    let start = if rng.below(3) == 0 {
        0
    } else {
        rng.below(seed.len())
    };
    let len = 1 + rng.below(4096);
    let mut v: Vec<u8> = seed
        .get(start..(start + len).min(seed.len()))
        .unwrap_or(&[])
        .to_vec();
    for _ in 0..1 + rng.below(8) {
        let pos = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(pos..pos, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (pos + rng.below(64)).min(v.len());
                v.drain(pos..end);
            }
            3 => {
                let end = (pos + rng.below(256)).min(v.len());
                let dup: Vec<u8> = v[pos..end].to_vec();
                v.splice(pos..pos, dup);
            }
            4 => v.truncate(pos),
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let s = rng.below(other.len());
                let e = (s + rng.below(512)).min(other.len());
                v.splice(pos..pos, other[s..e].iter().copied());
            }
            6 => {
                let n = rng.below(32);
                let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                v.splice(pos..pos, junk);
            }
            _ => {
                // LF-only conversion of the whole input.
                v.retain(|&b| b != b'\r');
            }
        }
    }
    v
}

fn check(files: &[InputFile]) -> usize {
    let r = ingest(files);
    assert_eq!(r.files.len(), files.len());
    let total: usize = r.files.iter().map(|f| f.messages).sum();
    let dup: usize = r.messages.iter().map(|m| m.also_seen().len()).sum();
    assert_eq!(r.messages.len() + dup, total);
    for f in &r.files {
        assert_eq!(f.clean + f.repaired + f.partial, f.messages);
        for p in &f.problems {
            assert!(
                p.line >= 1 && p.line <= f.lines.max(1),
                "{} {:?}",
                f.lines,
                p
            );
        }
    }
    let lines_of = |name: &str| {
        r.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.lines)
            .unwrap()
    };
    for m in &r.messages {
        for s in std::iter::once(&m.source).chain(m.also_seen()) {
            let n = lines_of(&s.file);
            assert!(
                s.line_start >= 1 && s.line_start <= s.line_end && s.line_end <= n,
                "{s:?} of {n}"
            );
        }
        if let ParseQuality::Partial { reason, line } = &m.quality() {
            assert!(reason.chars().count() <= 140);
            assert!(
                m.source.line_start <= *line && *line <= m.source.line_end,
                "{line} outside {:?}",
                m.source
            );
        }
    }
    for e in &r.events {
        let n = lines_of(&e.source.file);
        assert!(
            e.source.line_start >= 1 && e.source.line_end <= n,
            "{:?} of {n}",
            e.source
        );
    }
    for d in r.dialogs.iter() {
        assert!(d
            .messages()
            .iter()
            .all(|&i| (i as usize) < r.messages.len()));
    }
    let transactions = r.transactions();
    assert_eq!(transactions.len(), r.transaction_count);
    for t in &transactions {
        assert!(t.messages.iter().all(|&i| i < r.messages.len()));
        assert!(t.retransmissions < t.messages.len());
    }
    r.messages.len()
}

#[test]
fn twenty_thousand_mutated_inputs_never_panic() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let mut seeds: Vec<Vec<u8>> = [
        "logs",
        "real-logs",
        "sip-torture/rfc4475",
        "sip-torture/rfc5118",
    ]
    .iter()
    .flat_map(|d| std::fs::read_dir(format!("{root}/{d}")).unwrap())
    .filter_map(|e| e.ok())
    .filter(|e| {
        let n = e.file_name().to_string_lossy().to_string();
        !(n.ends_with(".py") || n.ends_with(".md") || n.starts_with('.'))
    })
    .map(|e| std::fs::read(e.path()).unwrap())
    .collect();
    seeds.sort();
    assert!(seeds.len() >= 6);
    let iters: usize = std::env::var("INGEST_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ran = 0;
    let mut messages = 0;
    for i in 0..iters {
        let a = mutate(&mut rng, &seeds);
        if i % 10 == 0 {
            let b = mutate(&mut rng, &seeds);
            messages += check(&[
                InputFile {
                    name: "a",
                    bytes: &a,
                },
                InputFile {
                    name: "b",
                    bytes: &b,
                },
            ]);
        } else {
            messages += check(&[InputFile {
                name: "a",
                bytes: &a,
            }]);
        }
        ran += 1;
    }
    println!("ingest fuzz: {ran} mutated inputs ran without panic ({messages} messages read)");
    assert_eq!(ran, iters);
    // The mutations must leave many inputs readable, or the test exercises nothing (the torture
    // seeds are single short messages, which a random window often cuts before its start line).
    assert!(
        messages * 3 > iters,
        "{messages} messages from {iters} inputs"
    );
}
