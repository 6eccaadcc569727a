//! The views: `render(&State, &Keymap, &mut Frame)` draws; it never changes the state.

mod audit;
mod batch;
mod chat_list;
mod composer;
pub mod detail;
mod dialogs;
mod highlight;
pub mod layout;
pub mod message;
mod status_bar;
pub mod theme;
mod workload;
// The saved views' tabs and the command palette.
mod palette;
pub mod tabs;
// The nudges overlay.
mod nudges;
mod timeline;

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::console::keymap::Keymap;
use crate::console::modal::Modal;
use crate::console::state::State;
use crate::tr;

/// Draws one frame.
pub fn render(state: &State, keymap: &Keymap, frame: &mut Frame<'_>) {
    let area = frame.area();
    if layout::too_small((area.width, area.height)) {
        let (width, height) = (area.width, area.height);
        let (min_w, min_h) = (layout::MIN_WIDTH, layout::MIN_HEIGHT);
        let text = tr!(
            state.lang,
            "Terminal pequeno demais ({width}x{height}). Aumente para pelo menos {min_w}x{min_h}.",
            "Terminal too small ({width}x{height}). Please enlarge it to at least {min_w}x{min_h}."
        );
        frame.render_widget(
            Paragraph::new(Line::raw(text)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let areas = layout::areas(area, state.focus);
    if let Some(tabs) = areas.tabs {
        tabs::render(frame, tabs, state);
    }
    if let Some(list) = areas.list {
        chat_list::render(frame, list, state);
    }
    if let Some(detail) = areas.detail {
        // The composer takes the pane's bottom rows; the conversation stays in full above it.
        if let Some(Modal::Composer(composer)) = &state.modal {
            detail::render(frame, composer::above(detail), state);
            composer::render(frame, detail, composer, state, keymap);
        } else {
            detail::render(frame, detail, state);
        }
    }
    status_bar::render(frame, areas.status, state, keymap);
    match &state.modal {
        Some(Modal::Batch(modal)) => batch::render(frame, area, modal, state, keymap),
        Some(Modal::Workload(modal)) => workload::render(frame, area, modal, state, keymap),
        Some(Modal::Audit(modal)) => audit::render(frame, area, modal, state, keymap),
        Some(Modal::Palette(palette)) => palette::render(frame, area, palette, keymap, state.lang),
        Some(Modal::Notifications { scroll }) => {
            nudges::render(frame, area, *scroll, state, keymap);
        }
        _ => dialogs::render(frame, area, state, keymap),
    }
    if !state.colour {
        theme::without_colour(frame.buffer_mut());
    }
}
