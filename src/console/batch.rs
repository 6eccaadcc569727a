//! The console's side of a batch: its targets, the read of their stored details for the picker
//! (off the render path), the modals' keys, and the run itself. The reducer holds the `batch::Run` and drives
//! it: it sends the run's calls with request ids of its own, feeds it each reply, writes each
//! chat's audit entry as it ends, shows what the CRM now says, and puts up the report.

use chrono::TimeDelta;
use crossterm::event::KeyEvent;

use crate::batch::{self, ItemState, Outcome, Planned, Run, Send, batch_id_for};
use crate::console::action::Action;
use crate::console::marks;
use crate::console::modal::{BatchKind, BatchModal, Modal, Report, ReportLine};
use crate::console::msg::{ApiEvent, ApiRequest, Command, RequestId};
use crate::console::outcome::{apply_fresh, note_connection};
use crate::console::preview;
use crate::console::running::{LastChange, Reading, Running};
use crate::console::state::{Level, State};
use crate::tr;

/// `batch_reassign` or `batch_remove_participant`: reads the targets' stored details for the
/// picker, or says why nothing opens.
pub fn start(state: &mut State, kind: BatchKind) -> Vec<Command> {
    let lang = state.lang;
    if state.batches.running.is_some() {
        let text = lang.pick("um lote já está em andamento", "a batch is already running");
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    // The marked chats, or the selected one; marks stay after the batch, so the same chats can
    // be acted on again.
    let targets = marks::targets(state);
    if targets.is_empty() {
        let text = lang.pick(
            "nenhuma conversa marcada ou selecionada: nada a fazer",
            "no chat marked or selected: nothing to do",
        );
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    let id = state.mint();
    state.batches.reading = Some(Reading {
        id,
        kind,
        targets: targets.clone(),
    });
    vec![Command::ReadDetails { id, keys: targets }]
}

/// An action while a batch modal is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    let Some(Modal::Batch(modal)) = &mut state.modal else {
        return Vec::new();
    };
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => cancel(state),
        Action::Confirm => confirm(state),
        movement if movement.moves() => {
            modal.move_cursor(movement);
            Vec::new()
        }
        Action::ToggleUpdateChat | Action::ToggleUpdateLeads | Action::ToggleUpdateDeals => {
            if let BatchModal::Pick(pick) = modal {
                pick.picker.toggle(action);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A typed key: the picker's filter.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    if let Some(Modal::Batch(BatchModal::Pick(pick))) = &mut state.modal {
        pick.picker.typed(key);
    }
    Vec::new()
}

fn cancel(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Batch(BatchModal::Preview(preview))) => {
            state.modal = preview
                .back
                .map(|pick| Modal::Batch(BatchModal::Pick(pick)));
            Vec::new()
        }
        // Nothing more is sent; the calls in flight finish and are reported.
        Some(Modal::Batch(progress @ BatchModal::Progress)) => {
            state.modal = Some(Modal::Batch(progress));
            let now = state.now;
            let ended = match &mut state.batches.running {
                Some(running) => running.run.cancel(now),
                None => Vec::new(),
            };
            let mut commands: Vec<Command> = ended
                .into_iter()
                .flat_map(|finished| ended_one(state, finished))
                .collect();
            commands.extend(finish_if_done(state));
            commands
        }
        _ => Vec::new(),
    }
}

fn confirm(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Batch(BatchModal::Pick(pick))) => preview::preview(state, pick),
        Some(Modal::Batch(BatchModal::Preview(preview))) => {
            if preview.planned.is_empty() {
                let text = state.lang.pick(
                    "nada a fazer: nenhuma conversa mudaria",
                    "nothing to do: no chat would change",
                );
                state.notify(Level::Error, text.to_owned());
                return Vec::new();
            }
            run(state, preview.title, preview.planned)
        }
        Some(progress @ Modal::Batch(BatchModal::Progress)) => {
            state.modal = Some(progress);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Runs `planned` as a batch of its own id: the progress opens and the first calls go.
pub fn run(state: &mut State, title: String, planned: Vec<Planned>) -> Vec<Command> {
    let id = state.mint();
    let batch = batch_id_for(&state.desk.viewer.console, id.0);
    let by = state.desk.viewer.who.clone();
    for item in &planned {
        state.failed.remove(&item.key);
    }
    state.batches.running = Some(Running::new(
        Run::new(batch, by, planned, batch::DEFAULT_CONCURRENCY),
        title,
    ));
    state.modal = Some(Modal::Batch(BatchModal::Progress));
    send_next(state)
}

/// The running batch's next calls, as many as its cap allows.
fn send_next(state: &mut State) -> Vec<Command> {
    let sends: Vec<Send> = match &mut state.batches.running {
        Some(running) => running.run.next_sends(),
        None => return Vec::new(),
    };
    let mut commands = Vec::new();
    for Send { item, call } in sends {
        let id = state.mint();
        if let Some(running) = &mut state.batches.running {
            running.sent.insert(id, item);
        }
        commands.push(Command::Api(ApiRequest { id, call }));
    }
    commands
}

/// A reply to one of the running batch's calls.
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    let (now, lang) = (state.now, state.lang);
    note_connection(state, &event.outcome);
    let finished = match &mut state.batches.running {
        Some(running) => match running.sent.remove(&event.id) {
            Some(item) => running.run.on_reply(item, event.outcome, now, lang),
            None => return Vec::new(),
        },
        None => return Vec::new(),
    };
    let mut commands = finished
        .map(|finished| ended_one(state, finished))
        .unwrap_or_default();
    commands.extend(send_next(state));
    commands.extend(finish_if_done(state));
    commands
}

/// The actor's queue was full: the call was not sent, and goes again with the next ones (or,
/// when nothing else is in flight, on a later tick).
pub fn api_busy(state: &mut State, id: RequestId) -> Vec<Command> {
    let now = state.now;
    if let Some(running) = &mut state.batches.running
        && let Some(item) = running.sent.remove(&id)
    {
        running.run.not_taken(item);
        if running.sent.is_empty() {
            running.stalled = Some(now);
            let text = state.lang.pick(
                "a API está ocupada; o lote continua em instantes",
                "the API is busy; the batch goes on in a moment",
            );
            state.notify(Level::Info, text.to_owned());
        }
    }
    Vec::new()
}

/// Time passed: a batch the actor's queue stalled goes on, a second later at the earliest (so a
/// queue that stays full is not asked again and again at once).
pub fn tick(state: &mut State) -> Vec<Command> {
    let now = state.now;
    let due = state.batches.running.as_mut().is_some_and(|running| {
        let due = running
            .stalled
            .is_some_and(|since| now - since >= TimeDelta::seconds(1));
        if due {
            running.stalled = None;
        }
        due
    });
    if due { send_next(state) } else { Vec::new() }
}

/// One chat ended: its audit entry is written (and kept for `undo`) and what the CRM now says is
/// shown.
fn ended_one(state: &mut State, finished: batch::Finished) -> Vec<Command> {
    let mut commands = finished
        .fresh
        .as_ref()
        .map(|fresh| apply_fresh(state, fresh))
        .unwrap_or_default();
    if let Some(running) = &mut state.batches.running {
        if matches!(
            running.run.items[finished.item].state,
            ItemState::Finished(Outcome::Failed(_))
        ) {
            state.failed.insert(finished.entry.key.clone());
        }
        running.entries.push(finished.entry.clone());
    }
    commands.push(Command::Audit(finished.entry));
    commands
}

/// When every chat has ended: the report takes the progress's place.
fn finish_if_done(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(running) = state
        .batches
        .running
        .take_if(|running| running.run.is_finished())
    else {
        return Vec::new();
    };
    // A batch that changed something is the last change, for the undo.
    if running.entries.iter().any(|entry| entry.undo.is_some()) {
        state.batches.last = Some(LastChange {
            batch: running.run.id.clone(),
            at: state.now,
            entries: running.entries,
        });
    }
    let progress = running.run.progress();
    let lines = running
        .run
        .items
        .iter()
        .filter_map(|item| match &item.state {
            ItemState::Finished(outcome) => Some(ReportLine {
                outcome: outcome.word(lang).to_owned(),
                done: *outcome == Outcome::Done,
                contact: item.planned.contact.clone(),
                reason: outcome.reason(lang),
            }),
            _ => None,
        })
        .collect();
    let (done, total) = (progress.done, progress.total);
    let level = if progress.all_done() {
        Level::Info
    } else {
        Level::Error
    };
    state.notify(
        level,
        tr!(
            lang,
            "lote concluído: {done} de {total} feitas",
            "batch finished: {done} of {total} done"
        ),
    );
    state.modal = Some(Modal::Batch(BatchModal::Report(Report {
        title: running.title,
        progress,
        lines,
        scroll: 0,
    })));
    Vec::new()
}
