//! `NO_COLOR`: with it, the console draws no colour at all (no-color.org), and what colour told
//! apart stays told apart without it: the selected row is drawn reversed, bold stays bold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/console.rs"]
mod console;

use balcao::i18n::Lang;
use console::{draw, loaded_state};
use ratatui::style::{Color, Modifier};

#[test]
fn without_colour_nothing_is_coloured_and_the_selection_still_shows() {
    let (mut state, _) = loaded_state(Lang::PtBr, (120, 40));
    let coloured = draw(&state, (120, 40));
    assert!(
        coloured
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|cell| cell.fg != Color::Reset),
        "the usual frame has colour"
    );
    state.colour = false;
    let terminal = draw(&state, (120, 40));
    let buffer = terminal.backend().buffer();
    for (n, cell) in buffer.content().iter().enumerate() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "cell {n} ({:?}) is coloured",
            cell.symbol()
        );
    }
    // The selected row (the list's first, under its header) is reversed.
    let selected = (0..buffer.area.width)
        .filter(|x| buffer[(*x, 3)].modifier.contains(Modifier::REVERSED))
        .count();
    assert!(
        selected > 40,
        "the selection shows: {selected} cells reversed"
    );
    // The text is the same.
    let text = |b: &ratatui::buffer::Buffer| -> String {
        b.content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect()
    };
    assert_eq!(text(buffer), text(coloured.backend().buffer()));
}
