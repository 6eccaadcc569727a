//! The list filtered by a sloppy query: the chats it finds, best match first, with the
//! characters the query matched highlighted in the contact cell.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use balcao::console::action::Action;
use balcao::console::msg::Msg;
use balcao::console::state::State;
use balcao::console::update::update;
use balcao::i18n::Lang;
use console::{draw, loaded_state, snapshot_cases, typed};
use ratatui::style::Modifier;

fn filtered(lang: Lang, size: (u16, u16), query: &str) -> State {
    let (mut state, _) = loaded_state(lang, size);
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, query);
    update(&mut state, Msg::Action(Action::Confirm));
    state
}

#[test]
fn a_sloppy_query_shows_its_matches_highlighted() {
    for (lang, tag, size) in snapshot_cases() {
        let state = filtered(lang, size, "gonclvs");
        let name = format!("sloppy_query_{tag}_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, draw(&state, size).backend());
    }
}

/// The characters "antgonc" matched in "Antônio Araújo Gonçalves" ("Ant" and "Gonç") are drawn in the
/// match style, and no other character of the name is; a row the query did not match in its
/// name has nothing highlighted.
#[test]
fn the_matched_characters_of_the_contact_are_highlighted_and_only_those() {
    for query in ["antgonc", "ANTGÕNC"] {
        let state = filtered(Lang::En, (160, 45), query);
        let terminal = draw(&state, (160, 45));
        let buffer = terminal.backend().buffer();
        let name = "Antônio Araújo Gonçalves";
        // The list's row (the list is the left pane; the detail's title names the chat too).
        let (start, y) = (0..45_u16)
            .flat_map(|y| (0..60_u16).map(move |x| (x, y)))
            .find(|(x, y)| {
                name.chars()
                    .zip(*x..)
                    .all(|(c, x)| buffer[(x, *y)].symbol() == c.to_string())
            })
            .expect("the matched chat is in the list");
        let highlighted: Vec<u16> = (0..24)
            .filter(|i| {
                buffer[(start + i, y)]
                    .style()
                    .add_modifier
                    .contains(Modifier::UNDERLINED)
            })
            .collect();
        assert_eq!(highlighted, [0, 1, 2, 15, 16, 17, 18], "{query}");
    }
    // Without a filter, nothing is.
    let (state, _) = loaded_state(Lang::En, (160, 45));
    let terminal = draw(&state, (160, 45));
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .all(|cell| !cell.style().add_modifier.contains(Modifier::UNDERLINED))
    );
}
