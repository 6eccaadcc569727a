//! The saved views as tabs above the list, the one in force highlighted. They never wrap: when
//! they do not all fit, the line scrolls to keep the current tab in view, with `‹` and `›`
//! saying that more lie to either side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Tabs};

use crate::console::state::State;
use crate::console::ui::theme;
use crate::text::width;

/// The tabs to draw in `columns`: the first and one past the last, so that `current` is in it.
/// Each tab takes its name and a space either side, and one divider stands between two.
pub fn window(names: &[&str], current: usize, columns: usize) -> (usize, usize) {
    let cost = |name: &str| width(name) + 2;
    let span = |from: usize, to: usize| -> usize {
        names[from..to].iter().map(|name| cost(name)).sum::<usize>() + (to - from).saturating_sub(1)
    };
    let current = current.min(names.len().saturating_sub(1));
    let mut start = 0;
    while start < current && span(start, current + 1) > columns {
        start += 1;
    }
    let mut end = current + 1;
    while end < names.len() && span(start, end + 1) <= columns {
        end += 1;
    }
    (start, end.min(names.len()))
}

/// Draws the tabs in `area` (one line).
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let views = state.views.all();
    let names: Vec<&str> = views.iter().map(|view| view.name.as_str()).collect();
    let [before, middle, after] = Layout::horizontal([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let current = state.views.current();
    let (start, end) = window(&names, current, usize::from(middle.width));
    if start > 0 {
        frame.render_widget(Paragraph::new(Line::styled("‹", theme::dim())), before);
    }
    if end < names.len() {
        frame.render_widget(Paragraph::new(Line::styled("›", theme::dim())), after);
    }
    let tabs = Tabs::new(names[start..end].iter().map(|name| Line::raw(*name)))
        .select(current.saturating_sub(start))
        .style(theme::dim())
        .highlight_style(theme::selected())
        .divider("│");
    frame.render_widget(tabs, middle);
}
