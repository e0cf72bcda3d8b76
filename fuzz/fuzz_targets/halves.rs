//! Fuzzes reading a log in two halves at once (`IngestOptions::halves_from`, the command line's
//! way with a large log): the first byte picks a format whose reader has places to start afresh
//! (Communicator trace, Logging Tool file, SIPp trace), the rest follows a line that makes format
//! detection pick it. Read in halves, cut at the first such place past the middle, the file must
//! give what one graded read gives: report, messages with their grades, events.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::{ingest_owned, IngestOptions, Ingested, OwnedInput};

const PREFIXES: [&[u8]; 3] = [
    b"11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: Sending Packet - 10.0.0.5:5061 (From Local Address: 10.0.0.20:1) 1 bytes:\r\n",
    b"TL_INFO(TF_PROTOCOL) [0]0A2C.0B3C::11/30/2006-14:02:11.123.0001 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(122))$$begin_record\r\n",
    b"----------------------------------------------- 2026-12-01 09:15:02.511\r\n",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = PREFIXES[usize::from(pick) % PREFIXES.len()].to_vec();
    bytes.extend_from_slice(rest);
    let read = |opts: &IngestOptions| {
        let files = vec![OwnedInput {
            name: "fuzz".into(),
            bytes: bytes.clone().into(),
        }];
        let mut r = ingest_owned(files, opts, &mut |_| {});
        r.grade(&mut |_| {});
        r
    };
    let whole: Ingested = read(&IngestOptions::default());
    let halves = read(&IngestOptions {
        grade_alongside: true,
        halves_from: 0,
        ..IngestOptions::default()
    });
    assert_eq!(halves.files, whole.files);
    assert_eq!(halves.messages.len(), whole.messages.len());
    for (x, y) in halves.messages.iter().zip(&whole.messages) {
        assert_eq!(x.quality(), y.quality());
        assert_eq!(x.source, y.source);
        assert_eq!(x.to_text(), y.to_text());
    }
    assert_eq!(halves.events, whole.events);
});
