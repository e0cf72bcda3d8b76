//! `AnalysisSource`: where the per-message data of an analysis lives, and the one way the UI asks
//! about it. Two implementations behind the same methods:
//!
//! - **local**: the [`AnalysisDetails`] are in page memory (no worker: the embedded widget, the
//!   single file, tests, the first analysis of the saved state). Answers come synchronously,
//!   before the method returns.
//! - **remote**: the analysis worker holds them (see [`crate::worker`]). Answers come later,
//!   in the order asked; rows are cached per analysis in a [`RowCache`], so a new filter or a
//!   second visit to the diagnosis step reuses what was fetched. Answers about an older analysis
//!   are dropped by the worker (it holds only the newest).
//!
//! Either way the callers (the ladder, the share panel) are written once, for callbacks.

use crate::worker::{Query, WorkerClient};
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use rcc_core::analysis::AnalysisDetails;
use rcc_core::diagnosis::Diagnosis;
use rcc_core::ladder::{LadderData, LadderFilter, LadderSummary, RawMessage, Row, RowCache};
use rcc_core::profile::Profile;
use rcc_core::routing::Topology;
use rcc_core::sip::SipMessage;
use send_wrapper::SendWrapper;
use std::ops::Range;
use std::sync::Arc;

#[derive(Clone)]
pub struct AnalysisSource {
    ladder: Arc<LadderSummary>,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Local(Arc<AnalysisDetails>),
    Remote {
        /// The analysis request the worker answered with this summary.
        id: u32,
        client: SendWrapper<WorkerClient>,
        rows: ArcRwSignal<RowCache>,
    },
}

impl AnalysisSource {
    /// Details computed on the page.
    pub fn local(details: AnalysisDetails) -> AnalysisSource {
        AnalysisSource {
            ladder: Arc::new(details.ladder.summary()),
            kind: Kind::Local(Arc::new(details)),
        }
    }

    /// A ladder of `messages` on its own (no analysis around it): builds it on the page.
    pub fn local_ladder(
        messages: Vec<SipMessage>,
        profile: Option<&Profile>,
        diagnosis: Option<&Diagnosis>,
        topology: Option<&Topology>,
    ) -> AnalysisSource {
        AnalysisSource::local(AnalysisDetails {
            ladder: LadderData::build(messages, profile, diagnosis, topology),
            ..AnalysisDetails::default()
        })
    }

    /// The details of analysis `id`, held by the worker behind `client`.
    pub(crate) fn remote(id: u32, client: WorkerClient, ladder: LadderSummary) -> AnalysisSource {
        AnalysisSource {
            ladder: Arc::new(ladder),
            kind: Kind::Remote {
                id,
                client: SendWrapper::new(client),
                rows: ArcRwSignal::new(RowCache::default()),
            },
        }
    }

    /// Whether the analysis ran (and its messages live) in the worker.
    pub fn in_worker(&self) -> bool {
        matches!(self.kind, Kind::Remote { .. })
    }

    /// The ladder's frame: columns, filter choices, row count, first failing row.
    pub fn ladder(&self) -> &LadderSummary {
        &self.ladder
    }

    fn ask(&self, query: Query, answer: impl FnOnce(JsValue) + 'static) {
        if let Kind::Remote { id, client, .. } = &self.kind {
            client.query(*id, &query, move |value| {
                if let Some(value) = value {
                    answer(value);
                }
            });
        }
    }

    /// The row indexes passing `filter`, ascending.
    pub fn filter(&self, filter: &LadderFilter, done: impl FnOnce(Arc<[u32]>) + 'static) {
        match &self.kind {
            Kind::Local(d) => done(d.ladder.filter(filter).into()),
            Kind::Remote { .. } => self.ask(
                Query::Filter {
                    filter: filter.clone(),
                },
                move |v| {
                    if let Some(arr) = v.dyn_ref::<js_sys::Uint32Array>() {
                        done(arr.to_vec().into());
                    }
                },
            ),
        }
    }

    /// Row `row` when it is at hand (always, locally; once fetched, remotely). Reactive: a view
    /// reading it is redrawn when the row arrives.
    pub fn row(&self, row: usize) -> Option<Row> {
        match &self.kind {
            Kind::Local(d) => d.ladder.ladder.rows.get(row).cloned(),
            Kind::Remote { rows, .. } => rows.with(|c| c.get(row).cloned()),
        }
    }

    /// Make sure the rows at `window` (positions in `filtered`) and around it are at hand:
    /// remotely, fetches the pages of rows neither cached nor in flight.
    pub fn want(&self, filtered: &[u32], window: Range<usize>) {
        let Kind::Remote { id, client, rows } = &self.kind else {
            return;
        };
        let missing = rows
            .try_update_untracked(|c| c.request(filtered, window))
            .unwrap_or_default();
        if missing.is_empty() {
            return;
        }
        let cache = rows.clone();
        let asked = missing.clone();
        client.query(*id, &Query::Rows { rows: missing }, move |value| {
            let fetched = value
                .and_then(|v| v.as_string())
                .and_then(|json| serde_json::from_str::<Vec<Row>>(&json).ok());
            match fetched {
                Some(fetched) => cache.update(|c| c.fill(&asked, fetched)),
                None => cache.update_untracked(|c| c.cancel(&asked)),
            }
        });
    }

    /// The message of row `row`, for the detail pane.
    pub fn raw(&self, row: usize, done: impl FnOnce(Option<RawMessage>) + 'static) {
        match &self.kind {
            Kind::Local(d) => done(d.ladder.raw(row)),
            Kind::Remote { .. } => self.ask(Query::Raw { row }, move |v| {
                done(
                    v.as_string()
                        .and_then(|json| serde_json::from_str(&json).ok())
                        .flatten(),
                )
            }),
        }
    }

    /// The rows passing `filter` as Mermaid text (a JavaScript string: a large export is never
    /// decoded into the page's wasm memory).
    pub fn mermaid(&self, filter: &LadderFilter, done: impl FnOnce(JsValue) + 'static) {
        match &self.kind {
            Kind::Local(d) => done(JsValue::from_str(&d.ladder.mermaid(filter))),
            Kind::Remote { .. } => self.ask(
                Query::Mermaid {
                    filter: filter.clone(),
                },
                done,
            ),
        }
    }

    /// The ladder SVG of the HTML report (at most a few hundred rows).
    pub fn report_svg(&self, done: impl FnOnce(String) + 'static) {
        match &self.kind {
            Kind::Local(d) => done(d.ladder.report_svg()),
            Kind::Remote { .. } => self.ask(Query::ReportSvg, move |v| {
                done(v.as_string().unwrap_or_default())
            }),
        }
    }

    /// Redacted log `index` (a `Uint8Array` from the page, a `Blob` from the worker), when the
    /// analysis ran on redacted inputs; either goes into a download as it is.
    pub fn redacted_log(&self, index: usize, done: impl FnOnce(Option<JsValue>) + 'static) {
        match &self.kind {
            Kind::Local(d) => done(
                d.redacted
                    .as_ref()
                    .and_then(|r| r.get(index))
                    .map(|l| js_sys::Uint8Array::from(&l.bytes[..]).into()),
            ),
            Kind::Remote { .. } => self.ask(Query::RedactedLog { index }, move |v| {
                done(v.is_object().then_some(v))
            }),
        }
    }
}
