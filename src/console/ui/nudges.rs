//! The nudges overlay (`show_notifications`): the last nudges, newest first, each with its time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::config::NotifyMode;
use crate::console::action::Action;
use crate::console::keymap::Keymap;
use crate::console::state::State;
use crate::console::ui::dialogs::{draw, footer};
use crate::console::ui::theme;
use crate::text::fit;

/// The widest the overlay gets.
const MAX_WIDTH: u16 = 72;

/// Draws the nudges, scrolled by `scroll` lines.
pub fn render(frame: &mut Frame<'_>, area: Rect, scroll: u16, state: &State, keymap: &Keymap) {
    let lang = state.lang;
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(2));
    let mut lines = Vec::new();
    if state.nudges.mode == NotifyMode::Off {
        lines.push(Line::styled(
            fit(
                lang.pick(
                    "Avisos desligados (notify = \"off\" no config.toml).",
                    "Nudges are off (notify = \"off\" in config.toml).",
                ),
                inner,
            ),
            theme::dim(),
        ));
    }
    let recent: Vec<_> = state.nudges.recent().collect();
    if recent.is_empty() {
        lines.push(Line::styled(
            fit(
                lang.pick(
                    "Nenhum aviso ainda: eles vêm quando um cliente escreve numa conversa sua ou uma janela sua vai fechar.",
                    "No nudges yet: they come when a customer writes in a chat of yours or a window of yours is about to close.",
                ),
                inner,
            ),
            theme::dim(),
        ));
    }
    // Borders, the footer and a margin line above and below.
    let room = usize::from(area.height.saturating_sub(2 + 1 + 2)).max(1);
    let first = usize::from(scroll).min(recent.len().saturating_sub(room));
    for nudge in recent.iter().skip(first).take(room) {
        let time = nudge.at.with_timezone(&state.offset).format("%H:%M");
        lines.push(Line::from(vec![
            Span::styled(format!("{time}  "), theme::dim()),
            Span::raw(fit(&nudge.text(lang), inner.saturating_sub(7))),
        ]));
    }
    lines.push(footer(
        keymap,
        lang,
        &[
            (Action::SelectNext, "rolar", "scroll"),
            (Action::Cancel, "fecha", "closes"),
        ],
    ));
    let title = lang.pick(" Últimos avisos ", " Latest nudges ").to_owned();
    draw(frame, area, title, lines, width);
}
