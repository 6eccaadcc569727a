//! The reducer's side of the two overlays a supervisor reads the desk by: the workload (who
//! holds what; Enter filters the list to one agent's chats) and the audit log (the latest
//! changes; Enter opens the chat). What each holds lives in `modal/workload.rs` and
//! `modal/audit.rs`.

use crossterm::event::KeyEvent;

use crate::console::action::Action;
use crate::console::modal::{AUDIT_ENTRIES_SHOWN, Audit, AuditLine, Modal, Typed, Workload};
use crate::console::msg::{Command, RequestId};
use crate::console::navigate::{open_selected, selection_changed, show_chat};
use crate::console::state::{Focus, Level, State};
use crate::store::{AuditEntry, ChatKey};
use crate::tr;
use crate::workload::loads;

/// Whether one of the overlays is open (it then takes every key).
pub fn is_open(state: &State) -> bool {
    matches!(state.modal, Some(Modal::Workload(_) | Modal::Audit(_)))
}

/// Opens the workload, computed from the rows the list holds.
pub fn show_workload(state: &mut State) -> Vec<Command> {
    let rows = loads(state.inbox.rows().iter().map(|row| &row.summary), state.now);
    state.modal = Some(Modal::Workload(Workload::open(rows, state.now)));
    Vec::new()
}

/// Opens the audit log and asks the index for its latest entries (read again at every opening).
pub fn show_audit_log(state: &mut State) -> Vec<Command> {
    let id = state.mint();
    state.modal = Some(Modal::Audit(Audit::open(id)));
    vec![Command::ReadAudit {
        id,
        limit: AUDIT_ENTRIES_SHOWN,
    }]
}

/// Rows changed: an open workload is due to be computed again (see [`refresh_workload`]).
pub fn rows_changed(state: &mut State) {
    if let Some(Modal::Workload(workload)) = &mut state.modal {
        workload.due = true;
    }
}

/// An open workload follows the rows and the clock: computed again when rows changed or a
/// minute passed (windows close and waits grow by the minute), never on a key alone.
pub fn refresh_workload(state: &mut State) {
    let now = state.now;
    let outdated =
        |workload: &Workload| workload.due || now - workload.as_of >= chrono::TimeDelta::minutes(1);
    if !matches!(&state.modal, Some(Modal::Workload(workload)) if outdated(workload)) {
        return;
    }
    let rows = loads(state.inbox.rows().iter().map(|row| &row.summary), now);
    if let Some(Modal::Workload(workload)) = &mut state.modal {
        workload.refresh(rows, now);
    }
}

/// The index answered the audit read `id`. Each entry's chat goes by its contact's name when
/// the list knows it.
pub fn audit_read(state: &mut State, id: RequestId, entries: Result<Vec<AuditEntry>, String>) {
    let Some(Modal::Audit(audit)) = &mut state.modal else {
        return;
    };
    let lines = entries.map(|entries| {
        entries
            .into_iter()
            .map(|entry| {
                let chat = state
                    .inbox
                    .row(&entry.key)
                    .map_or_else(|| entry.key.chat_id.clone(), |row| row.contact().to_owned());
                AuditLine::new(entry, chat)
            })
            .collect()
    });
    audit.loaded(id, lines);
}

/// An action while an overlay is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => {
            state.modal = None;
            Vec::new()
        }
        Action::Confirm => confirm(state),
        // From the audit view, `undo` takes back the selected entry's batch.
        Action::Undo => {
            let batch = match &state.modal {
                Some(Modal::Audit(audit)) => audit.selected_entry().and_then(|e| e.batch.clone()),
                _ => return Vec::new(),
            };
            let Some(batch) = batch else {
                let text = state.lang.pick(
                    "esta alteração não tem lote para desfazer",
                    "this change has no batch to undo",
                );
                state.notify(Level::Error, text.to_owned());
                return Vec::new();
            };
            state.modal = None;
            crate::console::undo::start_batch(state, Some(batch))
        }
        movement if movement.moves() => {
            match &mut state.modal {
                Some(Modal::Workload(workload)) => workload.move_cursor(movement),
                Some(Modal::Audit(audit)) => audit.move_cursor(movement),
                _ => {}
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A typed key while an overlay is open: the workload takes list keys (and `q` closes it); the
/// audit log's filter takes text.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    match &mut state.modal {
        Some(Modal::Workload(workload)) => match Workload::typed(key) {
            Typed::Move(movement) => workload.move_cursor(movement),
            Typed::Close => state.modal = None,
            Typed::Nothing => {}
        },
        Some(Modal::Audit(audit)) => audit.typed(key),
        _ => {}
    }
    Vec::new()
}

fn confirm(state: &mut State) -> Vec<Command> {
    match &state.modal {
        Some(Modal::Workload(workload)) => {
            let Some(filter) = workload.filter() else {
                return Vec::new();
            };
            state.modal = None;
            let (lang, now, me) = (state.lang, state.now, state.me.clone());
            state.inbox.set_filter_text(filter, lang, now, &me);
            state.focus = Focus::List;
            selection_changed(state)
        }
        Some(Modal::Audit(audit)) => match audit.selected_entry() {
            Some(entry) => {
                let key = entry.key.clone();
                open_chat(state, &key)
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Selects `key` in the list and shows its detail, as `open_chat` would (the filters give way
/// when they hide it, see [`show_chat`]). A chat the list does not hold leaves the overlay open
/// with the reason.
fn open_chat(state: &mut State, key: &ChatKey) -> Vec<Command> {
    let Some(contact) = state.inbox.row(key).map(|row| row.contact().to_owned()) else {
        let text = tr!(
            state.lang,
            "esta conversa não está na lista ({id})",
            "this chat is not in the list ({id})",
            id = key.chat_id
        );
        if let Some(Modal::Audit(audit)) = &mut state.modal {
            audit.error = Some(text);
        }
        return Vec::new();
    };
    state.modal = None;
    if show_chat(state, key, &contact) {
        open_selected(state)
    } else {
        Vec::new()
    }
}
