//! The saved views the list switches between (`next_view`, `prev_view`), shown as tabs: "all"
//! first (no filter, so the console opens as it always did), the built-in ones, then the
//! configuration's `[[views]]`. A view sets the list's filter and, when it names one, its sort;
//! a filter typed with `/` applies on top of the view's.

use crate::config::SavedView;
use crate::i18n::Lang;
use crate::inbox::Sort;

/// One tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The tab's name, in the console's language for the built-in ones.
    pub name: String,
    /// Its filter expression (empty: every chat).
    pub filter: String,
    /// Its order; `None` keeps the order in force.
    pub sort: Option<Sort>,
}

/// The tabs and the one in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Views {
    list: Vec<View>,
    current: usize,
}

impl Default for Views {
    fn default() -> Self {
        Self::new(Lang::En, &[])
    }
}

/// The built-in views after "all": name in Portuguese, in English, the filter, the sort.
const BUILT_IN: [(&str, &str, &str, Option<Sort>); 4] = [
    ("abertas", "all open", "status:open", None),
    ("minhas", "mine", "responsible:me", None),
    ("sem responsável", "unassigned", "responsible:none", None),
    (
        "janela fechando",
        "window closing",
        "window:closing",
        Some(Sort::Window),
    ),
];

impl Views {
    /// "All", the built-in views, then `saved` (already checked by the configuration), with
    /// "all" in force.
    pub fn new(lang: Lang, saved: &[SavedView]) -> Self {
        let mut list = vec![View {
            name: lang.pick("todas", "all").to_owned(),
            filter: String::new(),
            sort: None,
        }];
        list.extend(BUILT_IN.iter().map(|(pt, en, filter, sort)| View {
            name: lang.pick(*pt, *en).to_owned(),
            filter: (*filter).to_owned(),
            sort: *sort,
        }));
        list.extend(saved.iter().map(|view| View {
            name: view.name.clone(),
            filter: view.filter.clone(),
            sort: view.sort,
        }));
        Self { list, current: 0 }
    }

    /// Every tab, in order.
    pub fn all(&self) -> &[View] {
        &self.list
    }

    /// Which tab is in force.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Moves to the next tab (`forward`) or the previous one, round the ends; returns the view
    /// now in force.
    pub fn step(&mut self, forward: bool) -> &View {
        let len = self.list.len();
        self.current = if forward {
            (self.current + 1) % len
        } else {
            (self.current + len - 1) % len
        };
        &self.list[self.current]
    }

    /// Puts "all" (the first tab) in force.
    pub fn reset(&mut self) {
        self.current = 0;
    }
}
