//! The whole analysis of one case as text, to compare a change's outputs with the tree before
//! it (a refactoring for speed must not change a byte): the summary JSON with its timings
//! zeroed, then the ladder with every row written out, then every row's raw message.
//! `cargo run --release --example snapshot -- [--profile P] [--sign-in S] [--ad F] [--routes F]
//! [--redact] [--worker] LOG...`; `--worker` analyses the analysis worker's way (grades and
//! ladder when asked for, after the diagnosis), which must print the same.

use rcc_core::analysis::{analyze, AnalysisInput, Hooks, LogFileInput, Options, StageTimings};
use rcc_core::ingest::OwnedInput;
use rcc_core::ladder::{Column, DialogSummary, Row};

/// A ladder with its rows written out (the fields in the order of `Ladder`'s).
#[derive(serde::Serialize)]
struct Shown<'a> {
    columns: &'a [Column],
    rows: Vec<Row>,
    dialogs: Vec<DialogSummary>,
    methods: &'a [String],
}

fn main() {
    let mut input = AnalysisInput::default();
    let mut logs = Vec::new();
    let mut redact = false;
    let mut worker = false;
    let mut args = std::env::args().skip(1);
    let text = |p: Option<String>| {
        std::fs::read(p.unwrap_or_default())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--profile" => input.profile_id = args.next().unwrap_or_default(),
            "--sign-in" => input.sign_in = args.next().unwrap_or_default(),
            "--ad" => input.ad_text = text(args.next()),
            "--routes" => input.rules_text = text(args.next()),
            "--redact" => redact = true,
            "--worker" => worker = true,
            path => {
                let bytes = std::fs::read(path).unwrap_or_default();
                input.logs.push(LogFileInput {
                    name: path.to_string(),
                    ..LogFileInput::default()
                });
                logs.push(OwnedInput {
                    name: path.to_string(),
                    bytes: bytes.into(),
                });
            }
        }
    }
    let options = match worker {
        false => Options {
            redact,
            ..Options::default()
        },
        true => Options {
            redact,
            ..Options::WORKER
        },
    };
    let (mut summary, mut details) = analyze(input, logs, &mut Hooks::default(), options);
    if worker {
        summary.files = details.grade().to_vec();
        (summary.dialogs, summary.transactions) = (details.dialogs(), details.transactions());
        summary.ladder = Some(details.build_ladder().summary());
    }
    summary.timings = StageTimings::default();
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).unwrap_or_default()
    );
    let ladder = &details.ladder;
    println!("==== ladder");
    // The ladder as views see it: every row written from its message (the ladder keeps each
    // row's indexes only), in the JSON shape of a ladder whose rows are written out.
    let shown = Shown {
        columns: &ladder.ladder.columns,
        rows: ladder.ladder.all_rows(&ladder.messages),
        dialogs: ladder.ladder.all_dialogs(&ladder.messages),
        methods: &ladder.ladder.methods,
    };
    println!("{}", serde_json::to_string(&shown).unwrap_or_default());
    println!("==== raw");
    for row in 0..ladder.ladder.rows.len() {
        println!(
            "{}",
            serde_json::to_string(&ladder.raw(row)).unwrap_or_default()
        );
    }
}
