//! Grading later (`IngestOptions::grade_later`, the analysis worker's way: the diagnosis first,
//! the grades after) and reading a log in two halves at once (`IngestOptions::halves_from`, the
//! command line's way with a large log) give what grading as the logs are read gives: every file's report and
//! every message's grade, on every log of the fixtures (real logs, RFC 4475/5118 torture
//! messages, the scenarios' and blind cases' logs read together) and on copies of one message
//! in two files, graded differently, that are merged into one.

use crate::support::ROOT;
use rcc_core::ingest::{ingest_owned, IngestOptions, Ingested, OwnedInput};
use std::path::{Path, PathBuf};

fn read(files: &[OwnedInput], grade_later: bool) -> Ingested {
    let opts = IngestOptions {
        grade_later,
        ..IngestOptions::default()
    };
    ingest_owned(files.to_vec(), &opts, &mut |_| {})
}

fn assert_same(what: &str, files: &[OwnedInput]) {
    let now = read(files, false);
    let mut later = read(files, true);
    for f in &later.files {
        assert_eq!(
            f.graded,
            f.messages == 0,
            "{what}: {} before grading",
            f.name
        );
        assert_eq!(
            f.partial, 0,
            "{what}: {} counts no grading fault yet",
            f.name
        );
    }
    assert_eq!(
        later.grading_pending(),
        later.files.iter().any(|f| f.messages > 0)
    );
    later.grade(&mut |_| {});
    assert!(!later.grading_pending());
    // As the command line reads a large log: in two halves at once where the format has a
    // place to cut (`halves_from: 0` cuts the smallest), else graded on a second thread.
    let halves_opts = IngestOptions {
        grade_alongside: true,
        halves_from: 0,
        ..IngestOptions::default()
    };
    let mut halves = ingest_owned(files.to_vec(), &halves_opts, &mut |_| {});
    halves.grade(&mut |_| {});
    let json = |i: &Ingested| serde_json::to_value(i).expect("serialisable");
    for (how, other) in [("graded later", &later), ("read in halves", &halves)] {
        assert_eq!(json(other), json(&now), "{what}: {how}");
        for (a, b) in other.messages.iter().zip(&now.messages) {
            assert_eq!(
                a.quality(),
                b.quality(),
                "{what}: {how}: line {}",
                b.source.line_start
            );
        }
    }
}

fn owned(path: &Path) -> OwnedInput {
    OwnedInput {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        bytes: std::fs::read(path).unwrap().into(),
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn every_fixture_log_is_graded_later_as_it_is_graded_with_reading() {
    let root = Path::new(ROOT).join("fixtures");
    let mut singles = 0;
    let mut dirs = vec![root.join("logs"), root.join("real-logs")];
    dirs.extend(files_in(&root.join("sip-torture")));
    for dir in dirs {
        for f in files_in(&dir).into_iter().filter(|f| f.is_file()) {
            assert_same(&f.display().to_string(), &[owned(&f)]);
            singles += 1;
        }
    }
    assert!(singles >= 80, "{singles} logs");
    let mut cases = 0;
    for group in ["scenarios", "cases"] {
        for case in files_in(&root.join(group))
            .into_iter()
            .filter(|d| d.is_dir())
        {
            let logs: Vec<OwnedInput> = files_in(&case)
                .iter()
                .filter(|f| {
                    let name = f.file_name().unwrap().to_string_lossy();
                    !(name == "expected.toml"
                        || name.ends_with(".md")
                        || name.starts_with("ad.")
                        || name.starts_with("rules."))
                })
                .map(|f| owned(f))
                .collect();
            if !logs.is_empty() {
                assert_same(&case.display().to_string(), &logs);
                cases += 1;
            }
        }
    }
    assert!(cases > 20, "{cases} cases");
}

/// The same INVITE in two files of the same name: as written in one (CRLF, clean), with LF
/// line ends and a second, different CSeq in the other (repaired, and partly parsed). They are
/// merged into one message; each file still counts its own copy's grade.
#[test]
fn a_message_merged_across_files_keeps_each_files_grade() {
    let clean = "INVITE sip:rcc@gw.contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@contoso.com>;tag=a1\r\nTo: <sip:rcc@gw.contoso.com>\r\nCall-ID: c1@10.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    let faulty = clean
        .replace("\r\n", "\n")
        .replace("CSeq: 1 INVITE\n", "CSeq: 1 INVITE\nCSeq: 2 INVITE\n");
    let files = [
        OwnedInput {
            name: "trace.log".into(),
            bytes: clean.as_bytes().to_vec().into(),
        },
        OwnedInput {
            name: "trace.log".into(),
            bytes: faulty.into_bytes().into(),
        },
    ];
    let now = read(&files, false);
    assert_eq!(
        (now.files[0].clean, now.files[1].partial),
        (1, 1),
        "{:?}",
        now.files
    );
    assert_same("one message in two files", &files);
}

/// A trace pasted into a mail that wrapped its long lines, and the trace itself: the From line's
/// wrap took the tag onto a line of its own, yet the two copies of each message are one message
/// (Call-ID, CSeq, start line and branch agree; a missing From tag is no other sender), the
/// copy that kept its tag is the one read, and grading now or later gives the same.
#[test]
fn a_mail_wrapped_copy_of_a_trace_merges_with_the_trace() {
    let clean = "INVITE sip:rcc-gw@fjordkraft.example SIP/2.0\r\nVia: SIP/2.0/TLS 10.9.60.141:61022;branch=z9hG4bKfa88\r\nMax-Forwards: 70\r\nFrom: <sip:oystein.odegard@fjordkraft.example>;tag=5f8e2c1a07;epid=d2a9c0e71b\r\nTo: <sip:rcc-gw@fjordkraft.example>\r\nCall-ID: 9e8d7c6b5a4f\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n\
SIP/2.0 404 Not Found\r\nVia: SIP/2.0/TLS 10.9.60.141:61022;branch=z9hG4bKfa88\r\nFrom: <sip:oystein.odegard@fjordkraft.example>;tag=5f8e2c1a07;epid=d2a9c0e71b\r\nTo: <sip:rcc-gw@fjordkraft.example>;tag=99\r\nCall-ID: 9e8d7c6b5a4f\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    let wrapped = clean.replace(
        "From: <sip:oystein.odegard@fjordkraft.example>;tag=",
        "From: <sip:oystein.odegard@fjordkraft.exam\r\nple>;tag=",
    );
    let files = [
        OwnedInput {
            name: "mail.txt".into(),
            bytes: wrapped.into_bytes().into(),
        },
        OwnedInput {
            name: "trace.log".into(),
            bytes: clean.as_bytes().to_vec().into(),
        },
    ];
    let now = read(&files, false);
    assert_eq!(now.messages.len(), 2, "{:#?}", now.messages);
    for m in &now.messages {
        assert_eq!(&*m.source.file, "trace.log");
        assert_eq!(m.also_seen().len(), 1);
        assert_eq!(&*m.also_seen()[0].file, "mail.txt");
        assert_eq!(m.from_tag(), Some("5f8e2c1a07"));
    }
    assert_same("a trace and its mail-wrapped copy", &files);
    // Another sender's message of the same identity stays apart.
    let other = clean.replace("tag=5f8e2c1a07", "tag=1111");
    let files = [
        OwnedInput {
            name: "a.log".into(),
            bytes: clean.as_bytes().to_vec().into(),
        },
        OwnedInput {
            name: "b.log".into(),
            bytes: other.into_bytes().into(),
        },
    ];
    assert_eq!(read(&files, false).messages.len(), 4);
}
