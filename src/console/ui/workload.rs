//! The workload overlay: one row per agent (open chats, unread messages, windows closing within
//! the hour, the customer waiting longest) and the unassigned chats' row. Names are cut to fit;
//! figures never are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::console::action::Action;
use crate::console::keymap::Keymap;
use crate::console::modal::{Workload, agent_label};
use crate::console::state::State;
use crate::console::ui::dialogs::{centered, footer};
use crate::console::ui::theme;
use crate::text::fit;
use crate::timefmt::span;
use crate::tr;
use crate::workload::AgentLoad;

/// Widths of the figure columns, each with its leading space.
const OPEN: usize = 8;
const UNREAD: usize = 10;
const CLOSING: usize = 10;
/// Width of the wait's time (`3h 05m`, `2d 4h`), two spaces before it and one after.
const WAITED: usize = 9;
/// The widest the overlay gets.
const MAX_WIDTH: u16 = 110;

/// The name and customer columns for an inner width: what the figures leave, shared.
fn text_columns(inner: usize) -> (usize, usize) {
    let rest = inner.saturating_sub(OPEN + UNREAD + CLOSING + WAITED);
    let name = (rest * 45 / 100).clamp(17, 30);
    (name, rest.saturating_sub(name))
}

/// Draws the workload.
pub fn render(frame: &mut Frame<'_>, area: Rect, modal: &Workload, state: &State, keymap: &Keymap) {
    let lang = state.lang;
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(2));
    let (name_w, who_w) = text_columns(inner);
    let mut lines = vec![
        Line::styled(
            fit(
                lang.pick(
                    "Só conversas com status open. Não lidas: soma das não lidas nelas.",
                    "Open chats only (status open). Unread: the sum of their unread messages.",
                ),
                inner,
            ),
            theme::dim(),
        ),
        Line::styled(
            format!(
                "{}{:>OPEN$}{:>UNREAD$}{:>CLOSING$}  {}",
                fit(lang.pick("Agente", "Agent"), name_w),
                lang.pick("Abertas", "Open"),
                lang.pick("Não lidas", "Unread"),
                lang.pick("Fecha <1h", "Close <1h"),
                fit(
                    lang.pick("Esperando há mais tempo", "Waiting longest"),
                    WAITED - 2 + who_w
                ),
            ),
            theme::header(),
        ),
    ];
    // Borders, the two lines above, the footer and a margin line above and below.
    let room = usize::from(area.height.saturating_sub(2 + 2 + 3)).max(1);
    let first = modal.cursor.saturating_sub(room - 1);
    for (n, row) in modal.rows.iter().enumerate().skip(first).take(room) {
        let line = row_line(row, state, name_w, who_w);
        lines.push(if n == modal.cursor {
            line.style(theme::selected())
        } else {
            line
        });
    }
    lines.push(footer(
        keymap,
        lang,
        &[
            (Action::SelectNext, "mover", "move"),
            (Action::Confirm, "filtra a lista", "filters the list"),
            (Action::Cancel, "fecha", "closes"),
        ],
    ));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let agents = modal.rows.len().saturating_sub(1);
    let title = tr!(
        lang,
        " Carga da equipe · {agents} agentes ",
        " Workload · {agents} agents "
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// One agent's row: name, figures, and who has waited longest, for how long.
fn row_line(row: &AgentLoad, state: &State, name_w: usize, who_w: usize) -> Line<'static> {
    let lang = state.lang;
    let load = &row.load;
    let (waited, who) = match &load.longest_wait {
        Some(waiting) => (span(waiting.waited(state.now)), waiting.contact.clone()),
        None => ("—".to_owned(), String::new()),
    };
    let closing = if load.closing_within_hour > 0 {
        theme::closing()
    } else {
        ratatui::style::Style::new()
    };
    Line::from(vec![
        Span::raw(fit(&agent_label(row, lang), name_w)),
        Span::raw(format!("{:>OPEN$}{:>UNREAD$}", load.open, load.unread)),
        Span::styled(format!("{:>CLOSING$}", load.closing_within_hour), closing),
        Span::raw(format!("  {waited:>w$} ", w = WAITED - 3)),
        Span::raw(fit(&who, who_w)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_their_width_on_a_narrow_terminal() {
        // 80 columns: the overlay's inner width is 74.
        let (name, who) = text_columns(74);
        assert_eq!(name + who + OPEN + UNREAD + CLOSING + WAITED, 74);
        assert!(name >= 17 && who >= 17, "{name} {who}");
    }
}
