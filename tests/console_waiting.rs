//! Who is waiting: the list's WAITING column (how long the customer who wrote last has waited)
//! drawn in both languages, and the same figure ordering `cycle_sort`'s longest wait.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/console.rs"]
mod console;

use balcao::console::action::Action;
use balcao::console::msg::Msg;
use balcao::console::update::update;
use balcao::inbox::Sort;
use console::{draw, loaded_state, snapshot_cases};
use ratatui::buffer::Buffer;

/// A frame's lines as text.
fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Minutes a compact age stands for (`<1 min` is zero), to compare two cells.
fn minutes(cell: &str) -> i64 {
    let cell = cell.trim();
    if cell == "<1 min" {
        return 0;
    }
    let (number, unit) = cell.split_once(' ').expect("a number and a unit");
    let number: i64 = number.parse().expect("a number");
    match unit {
        "min" => number,
        "h" => number * 60,
        "d" => number * 24 * 60,
        other => panic!("unknown unit {other:?} in {cell:?}"),
    }
}

/// The WAITING cells of the list's rows on screen, top to bottom, read from the frame's cells
/// (by column, so a wide or composed character elsewhere on the line does not shift them).
fn waiting_cells(buffer: &Buffer, header: &str) -> Vec<String> {
    let area = buffer.area;
    let line = |y: u16| -> Vec<&str> {
        (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect()
    };
    let width = header.chars().count();
    let (top, at) = (area.top()..area.bottom())
        .find_map(|y| {
            let cells = line(y);
            (0..cells.len().saturating_sub(width))
                .find(|&x| cells[x..x + width].concat() == header)
                .map(|x| (y, x))
        })
        .expect("the header line");
    (top + 1..area.bottom())
        .map(line)
        .take_while(|cells| cells[0] != "└")
        .map(|cells| cells[at..at + width].concat().trim().to_owned())
        .collect()
}

#[test]
fn waiting_column_in_both_languages() {
    for (lang, tag, size) in snapshot_cases() {
        let (state, _) = loaded_state(lang, size);
        let screen = draw(&state, size);
        let header = lang.pick("AGUARDA", "WAITING");
        assert!(
            text(screen.backend().buffer()).contains(header),
            "{tag} {size:?}: no {header} column"
        );
        insta::assert_snapshot!(
            format!("waiting_column_{tag}_{}x{}", size.0, size.1),
            screen.backend()
        );
    }
}

#[test]
fn longest_wait_sort_orders_rows_by_the_column_figure() {
    for (lang, tag, size) in snapshot_cases() {
        // Tall enough for every seeded chat to be on screen at once.
        let tall = (size.0, 340);
        let (mut state, _) = loaded_state(lang, tall);
        update(&mut state, Msg::Action(Action::CycleSort));
        assert_eq!(state.inbox.sort(), Sort::Waiting);
        update(&mut state, Msg::Action(Action::SelectFirst));
        let terminal = draw(&state, tall);
        let mut cells = waiting_cells(terminal.backend().buffer(), lang.pick("AGUARDA", "WAITING"));
        // The lines under the last row are empty.
        let rows = state.inbox.rows().len();
        assert!(cells.len() >= rows, "{tag}: every row shows");
        cells.truncate(rows);
        let waiting: Vec<i64> = cells
            .iter()
            .take_while(|cell| !cell.is_empty())
            .map(|cell| minutes(cell))
            .collect();
        assert!(
            waiting.len() >= 2 && waiting.len() < cells.len(),
            "{tag}: waiting and answered rows both: {cells:?}"
        );
        assert!(
            waiting.windows(2).all(|pair| pair[0] >= pair[1]),
            "{tag}: the longest wait is not first: {cells:?}"
        );
        assert!(
            cells[waiting.len()..].iter().all(String::is_empty),
            "{tag}: a waiting row sorts after one nobody waits on: {cells:?}"
        );
    }
}
