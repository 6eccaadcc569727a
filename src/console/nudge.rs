//! The console's side of nudges (`console::notify` decides): rows arriving are compared with
//! the list's before they replace them, every row read starts the watch, ticks bring window
//! warnings, and a ring is the status bar's text and a `Command::Terminal`.

use crate::console::msg::Command;
use crate::console::notify::Nudge;
use crate::console::state::{Level, State};
use crate::store::ChatSummary;

/// The nudges rows about to replace the list's would bring (read before they are applied).
pub fn rows_arriving(state: &mut State, rows: &[ChatSummary]) -> Vec<Nudge> {
    let (now, me) = (state.now, &state.me);
    rows.iter()
        .filter_map(|row| {
            let before = state.inbox.row(&row.key).map(|known| &known.summary);
            state.nudges.observe(before, row, now, me)
        })
        .collect()
}

/// Every row has been read: changes from now on may ring.
pub fn loaded(state: &mut State) {
    let (now, me) = (state.now, &state.me);
    let rows = state.inbox.rows().iter().map(|row| &row.summary);
    state.nudges.start(rows, now, me);
}

/// Time passed: the window warnings due now.
pub fn tick(state: &mut State) -> Vec<Nudge> {
    state.nudges.due(state.now)
}

/// Rings for `nudges`: the status bar says the last (or the burst), the terminal rings.
pub fn ring(state: &mut State, nudges: Vec<Nudge>) -> Vec<Command> {
    let Some((write, text)) = state.nudges.ring(nudges, state.now, state.lang) else {
        return Vec::new();
    };
    state.notify(Level::Info, crate::text::printable(&text).into_owned());
    write.map(Command::Terminal).into_iter().collect()
}
