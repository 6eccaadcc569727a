//! Filtering again as a filter is typed: each keystroke's result is kept while the rows, their
//! order and the view stay as they are, so a query grown by a character only looks at the chats
//! the shorter one found, and a backspace finds its earlier result instead of searching again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Row;
use crate::inbox::{Filter, filter_map_chunks, rank_by_score};

/// At most this many results are kept (a result holds up to two indexes per row).
const KEPT: usize = 16;

/// What one typed filter selected.
#[derive(Debug, Clone)]
struct Step {
    filter: Filter,
    /// The rows it selected, in the order in force: what a longer query searches.
    matched: Vec<usize>,
    /// The same rows ranked: what the list shows.
    shown: Vec<usize>,
}

/// The results of the filters typed since the rows, their order or the view last changed,
/// each narrower than the one before.
#[derive(Debug, Clone, Default)]
pub struct Steps(Vec<Step>);

impl Steps {
    /// Forgets every result (the rows, their order or the view changed).
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The rows (indexes into `rows`) that `view` and `filter` select from `order`, ranked by
    /// their text words' scores, ties in `order`'s order.
    pub fn shown(
        &mut self,
        rows: &[Row],
        order: &[usize],
        (filter, view): (&Filter, &Filter),
        me: &HashMap<String, String>,
        now: DateTime<Utc>,
    ) -> Vec<usize> {
        if filter.timed() || view.timed() {
            // A window word's answer moves with the clock: a kept result could be stale.
            self.0.clear();
            return evaluate(rows, order, (filter, view), me, now).1;
        }
        if let Some(at) = self.0.iter().rposition(|step| step.filter == *filter) {
            self.0.truncate(at + 1);
            return self.0[at].shown.clone();
        }
        let from = self.0.iter().rposition(|step| filter.narrows(&step.filter));
        let (matched, shown) = if let Some(at) = from {
            self.0.truncate(at + 1);
            evaluate(rows, &self.0[at].matched, (filter, view), me, now)
        } else {
            self.0.clear();
            evaluate(rows, order, (filter, view), me, now)
        };
        if self.0.len() == KEPT {
            self.0.remove(0);
        }
        self.0.push(Step {
            filter: filter.clone(),
            matched,
            shown: shown.clone(),
        });
        shown
    }
}

/// The candidates both filters select, in their order, and the same ranked.
fn evaluate(
    rows: &[Row],
    candidates: &[usize],
    (filter, view): (&Filter, &Filter),
    me: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> (Vec<usize>, Vec<usize>) {
    let mut scored: Vec<(usize, u32)> = filter_map_chunks(
        candidates,
        || (),
        |(), &index| {
            let row = &rows[index];
            let view = view.score(&row.summary, &row.search, me, now)?;
            let typed = filter.score(&row.summary, &row.search, me, now)?;
            Some((index, view + typed))
        },
    );
    let matched = scored.iter().map(|(index, _)| *index).collect();
    rank_by_score(&mut scored);
    (
        matched,
        scored.into_iter().map(|(index, _)| index).collect(),
    )
}
