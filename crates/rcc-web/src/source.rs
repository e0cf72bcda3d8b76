//! `AnalysisSource`: where the per-message data of an analysis lives, and the one way the UI asks
//! about it. Two implementations behind the same methods:
//!
//! - **local**: the [`AnalysisDetails`] are in page memory (no worker: the embedded widget, the
//!   single file, tests, the first analysis of the saved state). The futures are ready when
//!   first polled, so a view that reads them through an `AsyncDerived` has its answer in the
//!   same frame.
//! - **remote**: the analysis worker holds them (see [`crate::worker`]). Answers come later;
//!   rows are cached per analysis in a [`RowCache`], so a new filter or a second visit to the
//!   diagnosis step reuses what was fetched. A question about an analysis the worker no longer
//!   holds gets no answer (`None`).
//!
//! Either way the callers (the ladder, the share panel) are written once, as futures.

use crate::worker::{Answer, NoResult, Query, WorkerClient};
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use rcc_core::analysis::AnalysisDetails;
use rcc_core::diagnosis::Diagnosis;
use rcc_core::ingest::FileReport;
use rcc_core::ladder::{LadderData, LadderFilter, LadderSummary, RawMessage, Row, RowCache};
use rcc_core::profile::Profile;
use rcc_core::routing::Topology;
use rcc_core::sip::SipMessage;
use send_wrapper::SendWrapper;
use std::ops::Range;
use std::sync::Arc;

#[derive(Clone)]
pub struct AnalysisSource {
    ladder: ArcRwSignal<LadderFrame>,
    /// The file reports with every message graded, once the worker sent them (it grades after
    /// it sends the diagnosis); `None` until then, and for an analysis made on the page (its
    /// summary is graded).
    graded: ArcRwSignal<Option<Arc<[FileReport]>>>,
    /// How many dialogs the logs hold, once the worker counted them (with the grades); `None`
    /// until then, and for an analysis made on the page (its summary has the count).
    dialogs: ArcRwSignal<Option<usize>>,
    kind: Kind,
}

/// The ladder's frame (columns, filter choices, row count, first failing row), as far as the
/// page has it: the worker builds the ladder after it sends the diagnosis.
#[derive(Clone, Debug, PartialEq)]
pub enum LadderFrame {
    /// Asked of the worker; it is building the ladder.
    Building,
    Ready(Arc<LadderSummary>),
    /// The worker could not build it (said why in the console).
    Unavailable,
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
    pub fn local(mut details: AnalysisDetails) -> AnalysisSource {
        let frame = details.build_ladder().summary();
        AnalysisSource {
            ladder: ArcRwSignal::new(LadderFrame::Ready(Arc::new(frame))),
            graded: ArcRwSignal::new(None),
            dialogs: ArcRwSignal::new(None),
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
        AnalysisSource::local(AnalysisDetails::of_ladder(LadderData::build(
            messages, profile, diagnosis, topology,
        )))
    }

    /// The details of analysis `id`, held by the worker behind `client`. Asks for the grades,
    /// then the ladder's frame, at once: the worker makes them while the page renders the
    /// diagnosis.
    pub(crate) fn remote(id: u32, client: WorkerClient) -> AnalysisSource {
        let frame = ArcRwSignal::new(LadderFrame::Building);
        let graded = ArcRwSignal::new(None);
        let dialogs = ArcRwSignal::new(None);
        {
            let (frame, graded, client) = (frame.clone(), graded.clone(), client.clone());
            let counted = dialogs.clone();
            leptos::task::spawn_local(async move {
                match client.query(id, Query::Grades).await {
                    Ok((Answer::Grades { files, dialogs, .. }, _)) => {
                        counted.set(dialogs);
                        graded.set(Some(files.into()));
                    }
                    // A newer analysis replaced this one.
                    Err(NoResult::NotHeld | NoResult::Overtaken) => return,
                    Err(NoResult::Failed(e)) => {
                        leptos::logging::warn!("RCC Doctor: the worker could not grade: {e}")
                    }
                    Ok(other) => {
                        leptos::logging::warn!("RCC Doctor: asked for the grades, got {other:?}")
                    }
                }
                match client.query(id, Query::Ladder).await {
                    Ok((Answer::Ladder { summary, .. }, _)) => {
                        frame.set(LadderFrame::Ready(Arc::new(summary)))
                    }
                    // A newer analysis replaced this one: its own ladder is on its way.
                    Err(NoResult::NotHeld | NoResult::Overtaken) => {}
                    Err(NoResult::Failed(e)) => {
                        leptos::logging::warn!(
                            "RCC Doctor: the worker could not draw the ladder: {e}"
                        );
                        frame.set(LadderFrame::Unavailable);
                    }
                    Ok(other) => {
                        leptos::logging::warn!("RCC Doctor: asked for the ladder, got {other:?}");
                        frame.set(LadderFrame::Unavailable);
                    }
                }
            });
        }
        AnalysisSource {
            ladder: frame,
            graded,
            dialogs,
            kind: Kind::Remote {
                id,
                client: SendWrapper::new(client),
                rows: ArcRwSignal::new(RowCache::default()),
            },
        }
    }

    /// The file reports with every message graded, when the worker has sent them. Reactive.
    pub fn graded_files(&self) -> Option<Arc<[FileReport]>> {
        self.graded.get()
    }

    /// How many dialogs the logs hold, when the worker has counted them. Reactive.
    pub fn dialogs(&self) -> Option<usize> {
        self.dialogs.get()
    }

    /// Whether the analysis ran (and its messages live) in the worker.
    pub fn in_worker(&self) -> bool {
        matches!(self.kind, Kind::Remote { .. })
    }

    /// The ladder's frame, as far as the page has it. Reactive: a view reading it is redrawn
    /// when the worker's answer arrives.
    pub fn ladder(&self) -> LadderFrame {
        self.ladder.get()
    }

    /// Asks the worker holding this analysis; `None` when there is none, when it holds a newer
    /// analysis, or when it failed (said in the console).
    async fn ask(&self, query: Query) -> Option<(Answer, JsValue)> {
        let Kind::Remote { id, client, .. } = &self.kind else {
            return None;
        };
        match client.query(*id, query).await {
            Ok(answer) => Some(answer),
            Err(NoResult::Failed(e)) => {
                leptos::logging::warn!("RCC Doctor: the worker could not answer: {e}");
                None
            }
            Err(_) => None,
        }
    }

    /// What the worker put in the answer's payload.
    async fn ask_payload(&self, query: Query) -> Option<JsValue> {
        match self.ask(query).await? {
            (Answer::InPayload, payload) => Some(payload),
            _ => None,
        }
    }

    /// The row indexes passing `filter`, ascending. On the page the future is ready at once.
    pub async fn filter(&self, filter: LadderFilter) -> Option<Arc<[u32]>> {
        match &self.kind {
            Kind::Local(d) => Some(d.ladder.filter(&filter).into()),
            Kind::Remote { .. } => self
                .ask_payload(Query::Filter { filter })
                .await?
                .dyn_ref::<js_sys::Uint32Array>()
                .map(|arr| arr.to_vec().into()),
        }
    }

    /// Row `row` when it is at hand (always, locally; once fetched, remotely). Reactive: a view
    /// reading it is redrawn when the row arrives.
    pub fn row(&self, row: usize) -> Option<Row> {
        match &self.kind {
            Kind::Local(d) => d.ladder.row(row),
            Kind::Remote { rows, .. } => rows.with(|c| c.get(row).cloned()),
        }
    }

    /// Make sure the rows at `window` (positions in `filtered`) and around it are at hand:
    /// remotely, fetches the pages of rows neither cached nor in flight.
    pub fn want(&self, filtered: &[u32], window: Range<usize>) {
        let Kind::Remote { rows, .. } = &self.kind else {
            return;
        };
        let missing = rows
            .try_update_untracked(|c| c.request(filtered, window))
            .unwrap_or_default();
        if missing.is_empty() {
            return;
        }
        let cache = rows.clone();
        let source = self.clone();
        leptos::task::spawn_local(async move {
            let asked = missing.clone();
            match source.ask(Query::Rows { rows: missing }).await {
                Some((Answer::Rows { rows }, _)) => cache.update(|c| c.fill(&asked, rows)),
                _ => cache.update_untracked(|c| c.cancel(&asked)),
            }
        });
    }

    /// The message of row `row`, for the detail pane.
    pub async fn raw(&self, row: usize) -> Option<RawMessage> {
        match &self.kind {
            Kind::Local(d) => d.ladder.raw(row),
            Kind::Remote { .. } => match self.ask(Query::Raw { row }).await? {
                (Answer::Raw { message }, _) => message,
                _ => None,
            },
        }
    }

    /// The rows passing `filter` as Mermaid text (a JavaScript string: a large export is never
    /// decoded into the page's wasm memory).
    pub async fn mermaid(&self, filter: LadderFilter) -> Option<JsValue> {
        match &self.kind {
            Kind::Local(d) => Some(JsValue::from_str(&d.ladder.mermaid(&filter))),
            Kind::Remote { .. } => self.ask_payload(Query::Mermaid { filter }).await,
        }
    }

    /// The ladder SVG of the HTML report (at most a few hundred rows).
    pub async fn report_svg(&self) -> Option<String> {
        match &self.kind {
            Kind::Local(d) => Some(d.ladder.report_svg()),
            Kind::Remote { .. } => self.ask_payload(Query::ReportSvg).await?.as_string(),
        }
    }

    /// Redacted log `index` (a `Uint8Array` from the page, a `Blob` from the worker), when the
    /// analysis ran on redacted inputs; either goes into a download as it is.
    pub async fn redacted_log(&self, index: usize) -> Option<JsValue> {
        match &self.kind {
            Kind::Local(d) => d
                .redacted
                .as_ref()
                .and_then(|r| r.get(index))
                .map(|l| js_sys::Uint8Array::from(&l.bytes[..]).into()),
            Kind::Remote { .. } => self
                .ask_payload(Query::RedactedLog { index })
                .await
                .filter(JsValue::is_object),
        }
    }
}
