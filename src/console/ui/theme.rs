//! Named styles; no colour is written anywhere else. Without colour (`NO_COLOR`), a frame keeps
//! its modifiers and what a background told apart is reversed instead.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

/// Takes every colour out of a drawn frame (no-color.org). A cell on a coloured background (the
/// selected row) is reversed, so what colour set apart stays apart; bold and the rest stay.
pub fn without_colour(buffer: &mut Buffer) {
    for cell in &mut buffer.content {
        if cell.bg != Color::Reset {
            cell.modifier.insert(Modifier::REVERSED);
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

/// A pane's box (the list, the detail, the conversation) with `title`, its border lit when
/// `focused`.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    let border = if focused { focused_border() } else { border() };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title)
}

/// Borders of the focused pane.
pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}
/// Borders of other panes.
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}
/// Column headers.
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD).fg(Color::Gray)
}
/// The selected row.
pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(40, 55, 80))
        .add_modifier(Modifier::BOLD)
}
/// Urgent priority.
pub fn urgent() -> Style {
    Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}
/// High priority.
pub fn high() -> Style {
    Style::new().fg(Color::Yellow)
}
/// Dimmed text (archived, ages, labels).
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
/// A window closing soon.
pub fn closing() -> Style {
    Style::new().fg(Color::LightRed)
}
/// An open window.
pub fn open() -> Style {
    Style::new().fg(Color::Green)
}
/// Section titles in the detail.
pub fn section() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
/// Labels in the detail.
pub fn label() -> Style {
    Style::new().fg(Color::Gray)
}
/// Errors.
pub fn error() -> Style {
    Style::new().fg(Color::LightRed)
}
/// Confirmations.
pub fn info() -> Style {
    Style::new().fg(Color::LightGreen)
}
/// Key names in hints.
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
/// The pending marker.
pub fn pending() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
/// The characters a filter's text words matched, over the cell's own style.
pub fn matched() -> Style {
    Style::new()
        .fg(Color::LightYellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}
