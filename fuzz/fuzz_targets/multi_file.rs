//! Fuzzes merging: the input split at its first 0xFF byte into two files. Grading and counting
//! the dialogs later (the worker's way) and grading alongside the reading on a second thread (the
//! command line's) must give what grading with reading gives; the index the diagnosis reads must
//! find the same messages of each call before the dialogs are counted as after.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::{ingest_owned, IngestOptions, Ingested};
use rcc_core::observe::RccIndex;

mod split;

fuzz_target!(|data: &[u8]| {
    let files = split::two_files(data);
    let read = |grade_later, grade_alongside| {
        let opts = IngestOptions {
            grade_later,
            grade_alongside,
            correlate_later: grade_later,
            ..IngestOptions::default()
        };
        ingest_owned(files.clone(), &opts, &mut |_| {})
    };
    let r: Ingested = read(false, false);
    let mut later = read(true, false);
    let (now, uncounted) = (RccIndex::build(&r), RccIndex::build(&later));
    assert_eq!(uncounted.csta_calls, now.csta_calls);
    assert_eq!(uncounted.record_requests, now.record_requests);
    assert_eq!(uncounted.refusal_requests, now.refusal_requests);
    assert_eq!(uncounted.call_records, now.call_records);
    later.grade(&mut |_| {});
    assert!(later.correlation_pending());
    later.correlate();
    assert_eq!(later.dialogs, r.dialogs);
    assert_eq!(later.transaction_count, r.transaction_count);
    let mut alongside = read(false, true);
    alongside.grade(&mut |_| {});
    for other in [&later, &alongside] {
        assert_eq!(other.files, r.files);
        assert_eq!(other.messages.len(), r.messages.len());
        for (x, y) in other.messages.iter().zip(&r.messages) {
            assert_eq!(x.quality(), y.quality());
            assert_eq!(x.source.line_start, y.source.line_start);
        }
    }
    for d in r.dialogs.iter() {
        assert!(d.messages().iter().all(|&i| (i as usize) < r.messages.len()));
        let _ = (d.call_id(&r.messages), d.from_tag(&r.messages), d.to_tag(&r.messages));
    }
    // The count the analysis shows is the number of transactions the list holds.
    assert_eq!(r.transactions().len(), r.transaction_count);
});
