//! The chat list's state: every row, its order (urgency, or the sort in force), the view's and
//! the typed filter, the marks, the selection and the window on screen.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::console::sort::{SortKey, key as sort_key};
use crate::i18n::Lang;
use crate::inbox::{Filter, SearchText, Sort};
use crate::store::{ChatKey, ChatSummary};

mod narrow;

/// The marked chats: a set of keys, so a mark stays on its chat whatever the filter, the sort or
/// the rows arriving do; a row that leaves the list takes its mark with it.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    set: HashSet<ChatKey>,
    /// How many marked chats the filters in force let through, kept as the list refilters (the
    /// title shows it on every frame, and a look over 50k marks a frame would cost as much as
    /// the marks).
    shown: usize,
}

impl Marks {
    /// Unmarks every chat.
    pub fn clear(&mut self) {
        self.set.clear();
        self.shown = 0;
    }

    /// Whether `key` is marked.
    pub fn contains(&self, key: &ChatKey) -> bool {
        self.set.contains(key)
    }

    /// How many chats are marked.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no chat is marked.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// How many marked chats the filters let through (the rest are marked but hidden).
    pub fn shown(&self) -> usize {
        self.shown
    }
}

/// How much of the index the list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loaded {
    /// Nothing read yet.
    #[default]
    Nothing,
    /// Only the first screenful; the rest is being read.
    FirstPage,
    /// Every row.
    All,
}

/// An index row and the text its filter words search, folded once.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row.
    pub summary: ChatSummary,
    /// Folded text the filter searches.
    pub search: SearchText,
}

impl Row {
    /// A row with its search key.
    pub fn new(summary: ChatSummary) -> Self {
        let search = SearchText::new(&summary);
        Self { summary, search }
    }

    /// Its key in `sort` as of `now`.
    pub fn sort_key(&self, sort: Sort, now: DateTime<Utc>) -> SortKey<'_> {
        sort_key(sort, &self.summary, &self.search, now)
    }

    /// Who the chat is with, for messages and questions: the contact's name, else their
    /// number, else the chat's id.
    pub fn contact(&self) -> &str {
        crate::inbox::contact(&self.summary)
    }
}

/// `a` against `b` in the list's order `sort` as of `now`: by their keys, ties broken by the
/// chat's key, so the order is total.
pub fn compare(sort: Sort, a: &Row, b: &Row, now: DateTime<Utc>) -> Ordering {
    a.sort_key(sort, now)
        .cmp(&b.sort_key(sort, now))
        .then_with(|| a.summary.key.cmp(&b.summary.key))
}

/// The chat list: every row, its urgency order, the filter and the selection.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    rows: Vec<Row>,
    position: HashMap<ChatKey, usize>,
    /// Rows per account, kept as rows come and go: the view asks on every frame whether there
    /// is more than one, which a look over every row would make cost as much as the index.
    accounts: HashMap<String, usize>,
    /// Row indexes in the order of `sort` (all rows), ranked as of `ranked_at`.
    order: Vec<usize>,
    /// The order in force (`cycle_sort`, or a view's).
    sort: Sort,
    /// The marked chats.
    marks: Marks,
    /// The view's filter (`next_view`): the typed filter applies on top of it.
    view_filter: Filter,
    /// The instant the order was ranked at. Rows inserted later are ranked as of the same
    /// instant, so the list is always one consistent order, never a mix of two.
    ranked_at: DateTime<Utc>,
    /// The first window end after `ranked_at`: from then on a chat's rank has changed (its
    /// window closed) and the order is due again.
    next_rank_change: Option<DateTime<Utc>>,
    /// Row indexes shown (the order, filtered, ranked by the text words' scores).
    visible: Vec<usize>,
    /// The results of the filters typed so far, while the rows, order and view stay.
    steps: narrow::Steps,
    /// Index into `visible`.
    selected: usize,
    /// First visible row on screen. Kept by the inbox itself so that the selection is always
    /// on screen and the window is as full as the rows allow (see [`Inbox::window`]).
    pub offset: usize,
    /// Rows the list shows at once (the terminal's height less borders, header and status bar).
    page: usize,
    /// The filter as typed.
    pub filter_text: String,
    filter: Filter,
    /// Why the typed filter does not parse (the previous one stays in force).
    pub filter_error: Option<String>,
    /// How much of the index is in.
    pub loaded: Loaded,
    /// The user moved the selection; until then it stays on the most urgent chat while rows
    /// keep arriving.
    pub moved: bool,
    /// The chat `next_urgent` last jumped to: pressed again while it is still selected, it goes
    /// on to the next one.
    pub last_urgent: Option<ChatKey>,
}

impl Inbox {
    /// An empty list showing `page` rows at once.
    pub fn with_page(page: usize) -> Self {
        Self {
            page: page.max(1),
            ..Self::default()
        }
    }

    /// Every row.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Whether the rows belong to more than one account (the list then shows an account
    /// column).
    pub fn multiple_accounts(&self) -> bool {
        self.accounts.len() > 1
    }

    /// How many rows the filter lets through.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The `n`th shown row.
    pub fn visible_row(&self, n: usize) -> Option<&Row> {
        self.visible.get(n).and_then(|index| self.rows.get(*index))
    }

    /// The selection, as an index into the shown rows (`None` when nothing is shown).
    pub fn selected(&self) -> Option<usize> {
        (!self.visible.is_empty()).then(|| self.selected.min(self.visible.len() - 1))
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&Row> {
        self.selected().and_then(|n| self.visible_row(n))
    }

    /// A row by key.
    pub fn row(&self, key: &ChatKey) -> Option<&Row> {
        self.position
            .get(key)
            .and_then(|index| self.rows.get(*index))
    }

    /// Replaces every row.
    pub fn set_rows(
        &mut self,
        rows: Vec<ChatSummary>,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        self.rows = rows.into_iter().map(Row::new).collect();
        self.position = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.summary.key.clone(), i))
            .collect();
        self.accounts.clear();
        for row in &self.rows {
            count_in(&mut self.accounts, &row.summary.key);
        }
        let position = &self.position;
        self.marks.set.retain(|key| position.contains_key(key));
        self.loaded = Loaded::All;
        self.resort(now);
        self.refilter(now, me, keep.as_ref());
    }

    /// Inserts or replaces one row, keeping the order without a full sort.
    pub fn upsert(
        &mut self,
        summary: ChatSummary,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        let key = summary.key.clone();
        let index = if let Some(&index) = self.position.get(&key) {
            if let Some(at) = self.order.iter().position(|i| *i == index) {
                self.order.remove(at);
            }
            self.rows[index] = Row::new(summary);
            index
        } else {
            count_in(&mut self.accounts, &key);
            self.rows.push(Row::new(summary));
            self.position.insert(key, self.rows.len() - 1);
            self.rows.len() - 1
        };
        let rows = &self.rows;
        let (ranked_at, sort) = (self.ranked_at, self.sort);
        let at = self
            .order
            .binary_search_by(|probe| compare(sort, &rows[*probe], &rows[index], ranked_at))
            .unwrap_or_else(|at| at);
        self.order.insert(at, index);
        self.note_window(index);
        self.refilter(now, me, keep.as_ref());
    }

    /// Inserts or replaces many rows, then sorts once (cheaper than one insertion each for a
    /// large batch).
    pub fn upsert_many(
        &mut self,
        summaries: Vec<ChatSummary>,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        for summary in summaries {
            if let Some(&index) = self.position.get(&summary.key) {
                self.rows[index] = Row::new(summary);
            } else {
                count_in(&mut self.accounts, &summary.key);
                self.position.insert(summary.key.clone(), self.rows.len());
                self.rows.push(Row::new(summary));
            }
        }
        self.resort(now);
        self.refilter(now, me, keep.as_ref());
    }

    /// Takes one row out of the list (forgotten from the index); returns whether it was there.
    pub fn remove(
        &mut self,
        key: &ChatKey,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) -> bool {
        let Some(index) = self.position.remove(key) else {
            return false;
        };
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        self.marks.set.remove(key);
        self.rows.remove(index);
        if let Some(count) = self.accounts.get_mut(&key.account) {
            *count -= 1;
            if *count == 0 {
                self.accounts.remove(&key.account);
            }
        }
        // Indexes past the removed row move down by one.
        let shift = |i: usize| if i > index { i - 1 } else { i };
        self.order.retain(|i| *i != index);
        for i in &mut self.order {
            *i = shift(*i);
        }
        for i in self.position.values_mut() {
            *i = shift(*i);
        }
        self.refilter(now, me, keep.as_ref());
        true
    }

    /// Sorts every row again as of `now` (time moves windows from open to closed).
    pub fn resort(&mut self, now: DateTime<Utc>) {
        self.ranked_at = now;
        self.next_rank_change = None;
        for index in 0..self.rows.len() {
            self.note_window(index);
        }
        let rows = &self.rows;
        let sort = self.sort;
        let mut ranked: Vec<(SortKey, usize)> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.sort_key(sort, now), i))
            .collect();
        ranked.sort_unstable_by(|(ra, a), (rb, b)| {
            ra.cmp(rb)
                .then_with(|| rows[*a].summary.key.cmp(&rows[*b].summary.key))
        });
        self.order = ranked.into_iter().map(|(_, i)| i).collect();
    }

    /// Remembers the row's window end if it is the next one to close after the ranking instant.
    fn note_window(&mut self, index: usize) {
        let end = self.rows[index]
            .summary
            .columns
            .window_ends_at
            .filter(|end| *end > self.ranked_at);
        if let Some(end) = end
            && self.next_rank_change.is_none_or(|next| end < next)
        {
            self.next_rank_change = Some(end);
        }
    }

    /// The instant the order is ranked at.
    pub fn ranked_at(&self) -> DateTime<Utc> {
        self.ranked_at
    }

    /// Whether a window closed since the order was ranked, so ranks changed.
    pub fn rank_due(&self, now: DateTime<Utc>) -> bool {
        self.next_rank_change.is_some_and(|next| next <= now)
    }

    /// Applies the filter in force, keeping the selected chat selected when it still shows.
    pub fn refilter(
        &mut self,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
        keep: Option<&ChatKey>,
    ) {
        self.steps.clear();
        self.apply_filter(now, me, keep);
    }

    /// Applies the filter in force, from the results kept while it is typed (see
    /// [`narrow::Steps`]).
    fn apply_filter(
        &mut self,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
        keep: Option<&ChatKey>,
    ) {
        let previous = self.selected;
        let (filter, view) = (&self.filter, &self.view_filter);
        let rows = &self.rows;
        self.visible = if filter.terms.is_empty() && view.terms.is_empty() {
            // A query typed from nothing starts afresh.
            self.steps.clear();
            self.order.clone()
        } else {
            self.steps.shown(rows, &self.order, (filter, view), me, now)
        };
        self.marks.shown = if self.marks.set.is_empty() {
            0
        } else if self.visible.len() == self.rows.len() {
            self.marks.set.len()
        } else {
            self.visible
                .iter()
                .filter(|index| self.marks.set.contains(&rows[**index].summary.key))
                .count()
        };
        let keep = if self.moved { keep } else { None };
        self.selected = keep
            .and_then(|key| self.position.get(key))
            .and_then(|index| self.visible.iter().position(|v| v == index))
            .unwrap_or_else(|| {
                if self.moved {
                    previous.min(self.visible.len().saturating_sub(1))
                } else {
                    0
                }
            });
        // The rows changed under the window: it follows the selection and stays full.
        self.keep_in_view();
    }

    /// Sets the filter from typed text; a text that does not parse keeps the last good filter.
    pub fn set_filter_text(
        &mut self,
        text: String,
        lang: Lang,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        self.filter_text = text;
        match Filter::parse(&self.filter_text, lang) {
            Ok(filter) => {
                self.filter = filter;
                self.filter_error = None;
            }
            Err(error) => self.filter_error = Some(error),
        }
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        self.apply_filter(now, me, keep.as_ref());
    }

    /// Whether a filter is in force (typed, or the view's).
    pub fn filtered(&self) -> bool {
        !self.filter.terms.is_empty() || !self.view_filter.terms.is_empty()
    }

    /// The order in force.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Sorts the list in another order; the selected chat stays selected.
    pub fn set_sort(&mut self, sort: Sort, now: DateTime<Utc>, me: &HashMap<String, String>) {
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        self.sort = sort;
        self.resort(now);
        self.refilter(now, me, keep.as_ref());
    }

    /// Sets the view's filter, under the typed one; the selected chat stays selected if shown.
    pub fn set_view_filter(
        &mut self,
        filter: Filter,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        let keep = self.selected_row().map(|row| row.summary.key.clone());
        self.view_filter = filter;
        self.refilter(now, me, keep.as_ref());
    }

    /// The marked chats.
    pub fn marks(&self) -> &Marks {
        &self.marks
    }

    /// The marked chats, to change (see [`Marks::clear`]).
    pub fn marks_mut(&mut self) -> &mut Marks {
        &mut self.marks
    }

    /// Marks the selected chat if it was not, unmarks it if it was; returns whether it is marked
    /// now (`None`: nothing is selected). The selected chat is shown, so the shown count moves
    /// with it, at no cost.
    pub fn toggle_selected_mark(&mut self) -> Option<bool> {
        let key = self.selected_row()?.summary.key.clone();
        if self.marks.set.remove(&key) {
            self.marks.shown = self.marks.shown.saturating_sub(1);
            Some(false)
        } else {
            self.marks.set.insert(key);
            self.marks.shown += 1;
            Some(true)
        }
    }

    /// Marks every chat the filters let through, on screen or not; returns how many were not
    /// marked before.
    pub fn mark_shown(&mut self) -> usize {
        let before = self.marks.set.len();
        let rows = &self.rows;
        self.marks.set.extend(
            self.visible
                .iter()
                .map(|index| rows[*index].summary.key.clone()),
        );
        self.marks.shown = self.visible.len();
        self.marks.set.len() - before
    }

    /// The marked chats in the list's order (the sort in force), shown or not.
    pub fn marked_in_order(&self) -> Vec<ChatKey> {
        if self.marks.set.is_empty() {
            return Vec::new();
        }
        self.order
            .iter()
            .map(|index| &self.rows[*index].summary.key)
            .filter(|key| self.marks.set.contains(*key))
            .cloned()
            .collect()
    }

    /// Every row, shown or not, in the list's order.
    pub fn ordered_rows(&self) -> impl Iterator<Item = &Row> {
        self.order.iter().map(|index| &self.rows[*index])
    }

    /// The shown rows, in order, with their place among the shown.
    pub fn shown_rows(&self) -> impl Iterator<Item = (usize, &Row)> {
        self.visible
            .iter()
            .enumerate()
            .map(|(n, index)| (n, &self.rows[*index]))
    }

    /// Moves the selection to `key` when it is shown; returns whether it is.
    pub fn select_key(&mut self, key: &ChatKey) -> bool {
        let Some(index) = self.position.get(key) else {
            return false;
        };
        let Some(n) = self.visible.iter().position(|v| v == index) else {
            return false;
        };
        self.select(n);
        true
    }

    /// The filter in force.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Moves the selection to `n` (clamped) and scrolls so it shows on the page.
    pub fn select(&mut self, n: usize) {
        self.selected = n.min(self.visible.len().saturating_sub(1));
        self.keep_in_view();
    }

    /// How many rows the list shows at once; the window follows.
    pub fn set_page(&mut self, page: usize) {
        self.page = page.max(1);
        self.keep_in_view();
    }

    /// The shown rows that fit in `room` lines: the window scrolled as little as possible from
    /// `offset` so that it holds the selection, and moved up when it would end in empty lines
    /// while rows above are hidden.
    pub fn window(&self, room: usize) -> std::ops::Range<usize> {
        let len = self.visible.len();
        let room = room.max(1);
        let mut start = self.offset;
        if let Some(selected) = self.selected() {
            if selected < start {
                start = selected;
            } else if selected >= start + room {
                start = selected + 1 - room;
            }
        }
        start = start.min(len.saturating_sub(room));
        start..(start + room).min(len)
    }

    fn keep_in_view(&mut self) {
        self.offset = self.window(self.page).start;
    }
}

/// Counts a row new to the list under its account.
fn count_in(accounts: &mut HashMap<String, usize>, key: &ChatKey) {
    *accounts.entry(key.account.clone()).or_default() += 1;
}
