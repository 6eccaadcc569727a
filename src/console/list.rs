//! The chat list's state: every row, its urgency order, the filter, the selection and the
//! window on screen.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::i18n::Lang;
use crate::inbox::{Filter, Rank, SearchText, rank, urgency};
use crate::store::{ChatKey, ChatSummary};

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

    /// Who the chat is with, for messages and questions: the contact's name, else their
    /// number, else the chat's id.
    pub fn contact(&self) -> &str {
        let columns = &self.summary.columns;
        columns
            .contact
            .as_deref()
            .or(columns.contact_number.as_deref())
            .unwrap_or(&self.summary.key.chat_id)
    }
}

/// The chat list: every row, its urgency order, the filter and the selection.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    rows: Vec<Row>,
    position: HashMap<ChatKey, usize>,
    /// Rows per account, kept as rows come and go: the view asks on every frame whether there
    /// is more than one, which a look over every row would make cost as much as the index.
    accounts: HashMap<String, usize>,
    /// Row indexes in urgency order (all rows), ranked as of `ranked_at`.
    order: Vec<usize>,
    /// The instant the order was ranked at. Rows inserted later are ranked as of the same
    /// instant, so the list is always one consistent order, never a mix of two.
    ranked_at: DateTime<Utc>,
    /// The first window end after `ranked_at`: from then on a chat's rank has changed (its
    /// window closed) and the order is due again.
    next_rank_change: Option<DateTime<Utc>>,
    /// Row indexes shown (the order, filtered).
    visible: Vec<usize>,
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
        let ranked_at = self.ranked_at;
        let at = self
            .order
            .binary_search_by(|probe| {
                urgency(&rows[*probe].summary, &rows[index].summary, ranked_at)
            })
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
        let mut ranked: Vec<(Rank, usize)> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| (rank(&row.summary, now), i))
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
        let previous = self.selected;
        let filter = &self.filter;
        let rows = &self.rows;
        self.visible = if filter.terms.is_empty() {
            self.order.clone()
        } else {
            self.order
                .iter()
                .copied()
                .filter(|index| {
                    let row = &rows[*index];
                    filter.matches(&row.summary, &row.search, me, now)
                })
                .collect()
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
        self.refilter(now, me, keep.as_ref());
    }

    /// Whether a filter is in force.
    pub fn filtered(&self) -> bool {
        !self.filter.terms.is_empty()
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
