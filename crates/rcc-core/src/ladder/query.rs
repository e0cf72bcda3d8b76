//! What a ladder view asks of a ladder that may live elsewhere (the analysis worker or the
//! page): the summary it draws before any row, rows by index, one message in full, and the
//! virtual scroller's paging and row cache.

use super::{build_with_topology, is_key_header, to_mermaid_rows, to_svg};
use super::{Column, DialogSummary, Ladder, LadderFilter, Row, Verdict};
use super::{HashMap, HashSet};
use crate::diagnosis::Diagnosis;
use crate::profile::Profile;
use crate::routing::Topology;
use crate::sip::SipMessage;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Most dialogs a [`LadderSummary`] lists for the dialog filter; RCC dialogs are listed first.
/// A select with tens of thousands of options helps nobody and costs the page a long task.
pub const MAX_DIALOGS_LISTED: usize = 500;

/// Everything a ladder view draws before it has any row: the columns, what the filters offer,
/// how many rows there are and where the failing leg is. Its size does not grow with the log
/// (beyond [`MAX_DIALOGS_LISTED`] dialogs), so a page decodes it in no time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderSummary {
    pub columns: Vec<Column>,
    /// At most [`MAX_DIALOGS_LISTED`], RCC dialogs first, then in order of first appearance.
    pub dialogs: Vec<DialogSummary>,
    /// All dialogs, listed or not.
    pub dialogs_total: usize,
    pub methods: Vec<String>,
    /// Number of rows (one per message).
    pub rows: usize,
    /// Index of the first row of the diagnosis' failing leg.
    pub first_failing: Option<usize>,
}

impl Ladder {
    /// The summary a view needs before its first row (see [`LadderSummary`]), its dialogs'
    /// texts read from `messages` (the ones the ladder was built from).
    pub fn summary(&self, messages: &[SipMessage]) -> LadderSummary {
        let of = |rcc: bool| (0..self.dialogs.len()).filter(move |&d| self.dialogs[d].rcc == rcc);
        LadderSummary {
            columns: self.columns.clone(),
            dialogs: of(true)
                .chain(of(false))
                .take(MAX_DIALOGS_LISTED)
                .filter_map(|d| self.dialog(messages, d))
                .collect(),
            dialogs_total: self.dialogs.len(),
            methods: self.methods.clone(),
            rows: self.rows.len(),
            first_failing: self.first_failing(),
        }
    }

    /// The rows at these indexes, in the order asked (indexes past the end are skipped),
    /// written from `messages` (the ones the ladder was built from).
    pub fn rows_at(&self, messages: &[SipMessage], indexes: &[u32]) -> Vec<Row> {
        indexes
            .iter()
            .filter_map(|&i| self.row(messages, i as usize))
            .collect()
    }
}

/// Where row `row` is shown in a filtered list (row indexes in ascending order, as
/// [`Ladder::filtered`] returns them); `None` when the filter hides it.
pub fn position_of(filtered: &[u32], row: usize) -> Option<usize> {
    let row = u32::try_from(row).ok()?;
    filtered.binary_search(&row).ok()
}

/// One header line of a [`RawMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHeader {
    pub name: String,
    pub value: String,
    /// One of the headers that matter ([`is_key_header`]): highlighted.
    pub key: bool,
}

/// One message as the detail pane shows it: what its row says and the message as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMessage {
    /// The row index.
    pub row: usize,
    pub label: String,
    pub verdict: Verdict,
    /// `file:first-last` line range.
    pub source: String,
    pub start_line: String,
    pub headers: Vec<RawHeader>,
    pub body: String,
}

impl RawMessage {
    /// The detail of row `row` of a ladder built from `messages`. (The one place the ladder reads
    /// a message's header list as a whole.)
    pub fn of(ladder: &Ladder, messages: &[SipMessage], row: usize) -> Option<RawMessage> {
        let r = ladder.row(messages, row)?;
        let m = messages.get(r.message)?;
        Some(RawMessage {
            row,
            label: r.label,
            verdict: r.verdict,
            source: format!(
                "{}:{}-{}",
                m.source.file, m.source.line_start, m.source.line_end
            ),
            start_line: m.start_line_text(),
            headers: m
                .headers()
                .map(|h| RawHeader {
                    name: h.name.to_string(),
                    value: h.value.to_string(),
                    key: is_key_header(h.name),
                })
                .collect(),
            body: m.body().to_string(),
        })
    }
}

/// A ladder with the messages it was built from: answers every question a ladder view asks.
/// It lives where the analysis ran: in the analysis worker (the page asks it through messages)
/// or in the page itself (asked directly).
#[derive(Debug, Clone, Default)]
pub struct LadderData {
    pub ladder: Ladder,
    pub messages: Vec<SipMessage>,
}

impl LadderData {
    /// Builds the ladder (see [`build_with_topology`]) and keeps the messages.
    pub fn build(
        messages: Vec<SipMessage>,
        profile: Option<&Profile>,
        diagnosis: Option<&Diagnosis>,
        topology: Option<&Topology>,
    ) -> LadderData {
        let ladder = build_with_topology(&messages, profile, diagnosis, topology);
        LadderData { ladder, messages }
    }

    pub fn summary(&self) -> LadderSummary {
        self.ladder.summary(&self.messages)
    }

    /// Indexes of the rows passing `filter`, ascending.
    pub fn filter(&self, filter: &LadderFilter) -> Vec<u32> {
        self.ladder
            .filtered(&self.messages, filter)
            .into_iter()
            .map(|i| i as u32)
            .collect()
    }

    pub fn rows(&self, indexes: &[u32]) -> Vec<Row> {
        self.ladder.rows_at(&self.messages, indexes)
    }

    /// Row `row`, written when asked (see [`Ladder::row`]).
    pub fn row(&self, row: usize) -> Option<Row> {
        self.ladder.row(&self.messages, row)
    }

    pub fn raw(&self, row: usize) -> Option<RawMessage> {
        RawMessage::of(&self.ladder, &self.messages, row)
    }

    /// The rows passing `filter` as Mermaid text.
    pub fn mermaid(&self, filter: &LadderFilter) -> String {
        to_mermaid_rows(
            &self.ladder,
            &self.messages,
            &self.ladder.filtered(&self.messages, filter),
        )
    }

    /// The ladder drawn in the HTML report: the RCC rows (at most [`SVG_MAX_ROWS`](super::SVG_MAX_ROWS)) as SVG.
    pub fn report_svg(&self) -> String {
        let rows = self.ladder.filtered(
            &self.messages,
            &LadderFilter {
                rcc_only: true,
                ..LadderFilter::default()
            },
        );
        to_svg(&self.ladder, &self.messages, &rows)
    }
}

/// A virtual scroller fetches rows in pages of this many positions.
pub const PAGE_ROWS: usize = 64;

/// The positions of a filtered list a scroller should hold for `window`: the window widened to
/// whole pages of [`PAGE_ROWS`], plus one page before and one after (prefetch), within `total`.
pub fn prefetch_range(window: Range<usize>, total: usize) -> Range<usize> {
    if total == 0 || window.start >= window.end {
        return 0..0;
    }
    let first_page = (window.start / PAGE_ROWS).saturating_sub(1);
    let last_page = window.end.saturating_sub(1) / PAGE_ROWS + 1;
    let start = (first_page * PAGE_ROWS).min(total);
    let end = ((last_page + 1) * PAGE_ROWS).min(total);
    start..end
}

/// The rows a page holds of a ladder that lives elsewhere (the analysis worker): rows fetched,
/// rows asked for and not answered yet, and a bound on how many it keeps. Rows are keyed by row
/// index, so a new filter reuses every row already fetched.
#[derive(Debug, Clone)]
pub struct RowCache {
    rows: HashMap<u32, Row>,
    pending: HashSet<u32>,
    /// The rows of the last [`RowCache::request`]'s range: kept when the cache is over capacity.
    keep: HashSet<u32>,
    capacity: usize,
}

impl Default for RowCache {
    fn default() -> Self {
        RowCache::new(4096)
    }
}

impl RowCache {
    /// A cache that forgets rows far from the view once it holds more than `capacity`.
    pub fn new(capacity: usize) -> RowCache {
        RowCache {
            rows: HashMap::default(),
            pending: HashSet::default(),
            keep: HashSet::default(),
            capacity: capacity.max(PAGE_ROWS * 4),
        }
    }

    pub fn get(&self, row: usize) -> Option<&Row> {
        self.rows.get(&u32::try_from(row).ok()?)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Requested and not answered yet.
    pub fn is_pending(&self, row: usize) -> bool {
        u32::try_from(row).is_ok_and(|r| self.pending.contains(&r))
    }

    /// The row indexes to fetch so that `window` (positions in `filtered`) and its prefetch
    /// pages ([`prefetch_range`]) are held: those neither held nor already requested, in
    /// order. They are marked requested; answer with [`RowCache::fill`] or
    /// [`RowCache::cancel`].
    pub fn request(&mut self, filtered: &[u32], window: Range<usize>) -> Vec<u32> {
        let range = prefetch_range(window, filtered.len());
        let wanted = &filtered[range];
        self.keep = wanted.iter().copied().collect();
        let missing: Vec<u32> = wanted
            .iter()
            .copied()
            .filter(|r| !self.rows.contains_key(r) && !self.pending.contains(r))
            .collect();
        self.pending.extend(missing.iter().copied());
        missing
    }

    /// Stores fetched rows (`rows[i]` is row `indexes[i]`). Over capacity, only the rows of the
    /// last request's range stay.
    pub fn fill(&mut self, indexes: &[u32], rows: Vec<Row>) {
        for (&i, row) in indexes.iter().zip(rows) {
            self.pending.remove(&i);
            self.rows.insert(i, row);
        }
        // Indexes with no row (past the end) are not pending any more either.
        for i in indexes {
            self.pending.remove(i);
        }
        if self.rows.len() > self.capacity {
            let keep = &self.keep;
            self.rows.retain(|i, _| keep.contains(i));
        }
    }

    /// A request that will not be answered: its rows may be requested again.
    pub fn cancel(&mut self, indexes: &[u32]) {
        for i in indexes {
            self.pending.remove(i);
        }
    }
}
