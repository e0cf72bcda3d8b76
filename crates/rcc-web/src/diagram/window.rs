//! The ladder's window of rows between two draws: which rows stay, which leave, which come in
//! (see `ladder::draw_window`). Pure, so it is tested on its own.

use std::ops::Range;

/// What the window shows: which list, from which position, and each row (index, fetched).
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The filtered list the positions are in (by identity: a new filter is a new list).
    pub list: usize,
    pub start: usize,
    pub rows: Vec<(usize, bool)>,
}

/// How to get from what the window shows to what it must show.
#[derive(Debug, PartialEq)]
pub enum Edit {
    /// Draw every row again (a jump past the window, a new list, most kept rows changed).
    All,
    /// Keep the rows both show: drop rows that left at either end, redraw the kept rows whose
    /// state changed (a placeholder whose row arrived), add the rows that came in at either end.
    /// Ranges and indexes are into the new rows.
    Shift {
        drop_front: usize,
        drop_back: usize,
        redraw: Vec<usize>,
        prepend: Range<usize>,
        append: Range<usize>,
    },
}

/// The edit from `old` (nothing drawn yet: `None`) to `new`.
pub fn plan(old: Option<&Drawn>, new: &Drawn) -> Edit {
    let Some(old) = old.filter(|o| o.list == new.list) else {
        return Edit::All;
    };
    let (old_end, new_end) = (old.start + old.rows.len(), new.start + new.rows.len());
    let (from, to) = (old.start.max(new.start), old_end.min(new_end));
    if from >= to {
        return Edit::All;
    }
    let redraw: Vec<usize> = (from..to)
        .filter(|pos| old.rows[pos - old.start] != new.rows[pos - new.start])
        .map(|pos| pos - new.start)
        .collect();
    // Rows added at the ends cost one parse per end; a kept row redrawn costs one each.
    if 2 * redraw.len() > new.rows.len() {
        return Edit::All;
    }
    let prepend = 0..from - new.start;
    let append = to - new.start..new.rows.len();
    Edit::Shift {
        drop_front: from - old.start,
        drop_back: old_end - to,
        redraw,
        prepend,
        append,
    }
}
