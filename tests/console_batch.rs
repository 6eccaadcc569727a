//! The console's batches, through the reducer: targets, the picker read from stored details, the
//! preview, the run fed replies in any order, cancel, the report, busy rows, and undo; and
//! snapshots of the preview, the progress and the report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/console.rs"]
mod console;

use std::collections::HashMap;

use balcao::api::wegly::wire::Chat;
use balcao::api::{ApiError, Conversation, ServerReply};
use balcao::console::action::Action;
use balcao::console::modal::{BatchKind, BatchModal, Modal};
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Fresh, Msg, RequestId};
use balcao::console::running::Reading;
use balcao::console::state::State;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{AuditEntry, ChatKey};
use console::{draw, loaded_state, select, summary, typed};

/// The agent assignable on the most seeded chats, by id and name.
fn target(chats: &[Chat]) -> (String, String) {
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for chat in chats {
        for a in Conversation::Chat(Box::new(chat.clone())).assignees(&[]) {
            *counts.entry((a.user_id, a.name)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(k, n)| (*n, k.clone()))
        .unwrap()
        .0
}

/// `n` chats the target may take and does not hold.
fn movable(chats: &[Chat], to: &str, n: usize) -> Vec<Chat> {
    let found: Vec<Chat> = chats
        .iter()
        .filter(|c| {
            let conversation = Conversation::Chat(Box::new((*c).clone()));
            c.responsible_user_id().is_some_and(|r| r != to)
                && conversation.assignees(&[]).iter().any(|a| a.user_id == to)
        })
        .take(n)
        .cloned()
        .collect();
    assert_eq!(found.len(), n, "the seed has enough chats");
    found
}

fn key(chat: &Chat) -> ChatKey {
    ChatKey::wegly("default", chat.id.as_deref().unwrap())
}

/// Opens the batch picker on `targets` as marks would (the read of their stored details answered
/// from the seed), then picks the agent named `name`.
fn pick(state: &mut State, chats: &[Chat], targets: &[Chat], kind: BatchKind, name: &str) {
    let id = RequestId(9_000);
    state.batches.reading = Some(Reading {
        id,
        kind,
        targets: targets.iter().map(key).collect(),
    });
    let details = targets
        .iter()
        .map(|t| {
            let chat = chats.iter().find(|c| c.id == t.id).unwrap().clone();
            (key(t), Some(Box::new(Conversation::Chat(Box::new(chat)))))
        })
        .collect();
    update(state, Msg::BatchDetails { id, details });
    assert!(
        matches!(state.modal, Some(Modal::Batch(BatchModal::Pick(_)))),
        "{:?}",
        state.notification
    );
    typed(state, name);
}

fn sent(commands: &[Command]) -> Vec<(RequestId, ChatKey)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Api(request) => match &request.call {
                ApiCall::Change { key, .. } => Some((request.id, key.clone())),
                other => panic!("a batch step sent {other:?}"),
            },
            _ => None,
        })
        .collect()
}

fn audits(commands: &[Command]) -> Vec<AuditEntry> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Audit(entry) => Some(entry.clone()),
            _ => None,
        })
        .collect()
}

/// The CRM's answer that the chat is now `to`'s.
fn changed(state: &State, key: &ChatKey, chats: &[Chat], to: &str) -> ApiReply {
    let chat = chats
        .iter()
        .find(|c| c.id.as_deref() == Some(&key.chat_id))
        .unwrap();
    let mut row = summary(chat);
    row.columns.responsible_user_id = Some(to.to_owned());
    row.columns.responsible_name = Some("Target".to_owned());
    assert!(state.inbox.row(key).is_some());
    ApiReply::Changed(Fresh {
        key: key.clone(),
        conversation: Conversation::Chat(Box::new(chat.clone())),
        summary: Some(row),
    })
}

fn refused() -> ApiError {
    ApiError::Refused(ServerReply {
        status: 422,
        message: Some("agent is offline".to_owned()),
        ..ServerReply::default()
    })
}

/// A state showing the preview of reassigning `n` chats (and one the target already holds).
fn at_preview(lang: Lang, size: (u16, u16), n: usize) -> (State, Vec<Chat>, Vec<Chat>, String) {
    let (mut state, chats) = loaded_state(lang, size);
    let (to, name) = target(&chats);
    let mut targets = movable(&chats, &to, n);
    if let Some(held) = chats
        .iter()
        .find(|c| c.responsible_user_id() == Some(to.as_str()))
    {
        targets.push(held.clone());
    }
    pick(&mut state, &chats, &targets, BatchKind::Reassign, &name);
    update(&mut state, Msg::Action(Action::Confirm));
    targets.truncate(n);
    (state, chats, targets, to)
}

#[test]
fn with_nothing_selected_the_status_bar_says_so_and_nothing_opens() {
    let mut state = State::new(Lang::En, console::now(), "default".to_owned());
    update(&mut state, Msg::Rows(Vec::new()));
    for action in [Action::BatchReassign, Action::BatchRemoveParticipant] {
        let commands = update(&mut state, Msg::Action(action));
        assert!(commands.is_empty(), "{commands:?}");
        assert!(state.modal.is_none());
        let text = &state.notification.as_ref().unwrap().text;
        assert!(text.contains("no chat marked or selected"), "{text}");
    }
}

#[test]
fn the_selected_chat_is_the_target_and_its_stored_detail_is_read_off_the_render_path() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let chosen = &chats[3];
    select(&mut state, &chats, chosen.id.as_deref().unwrap());
    let commands = update(&mut state, Msg::Action(Action::BatchReassign));
    assert!(
        matches!(&commands[..], [Command::ReadDetails { keys, .. }] if keys == &[key(chosen)]),
        "{commands:?}"
    );
    assert!(
        state.modal.is_none(),
        "nothing opens until the details are read"
    );
}

#[test]
fn the_picker_is_the_single_reassigns_over_many_chats() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let (to, name) = target(&chats);
    let targets = movable(&chats, &to, 3);
    pick(&mut state, &chats, &targets, BatchKind::Reassign, &name);
    let screen = format!("{:?}", draw(&state, (120, 40)).backend());
    assert!(
        screen.contains(" Reassign 3 chat(s) · new responsible "),
        "{screen}"
    );
    let holders = targets[0].responsible_name().unwrap();
    assert!(
        screen.contains(&format!("Responsible now: {holders}")),
        "{screen}"
    );
    assert!(screen.contains(&format!("Filter: {name}▏")), "{screen}");
    assert!(screen.contains(&format!("  {name}")), "{screen}");
    assert!(screen.contains("[x] chat"), "the toggles: {screen}");
}

#[test]
fn the_preview_lists_each_change_the_chats_left_out_and_the_loads() {
    let (state, chats, targets, _) = at_preview(Lang::En, (120, 40), 3);
    let (_, to_name) = target(&chats);
    let Some(Modal::Batch(BatchModal::Preview(preview))) = &state.modal else {
        panic!("{:?}", state.modal);
    };
    assert_eq!(preview.items.len(), 3);
    for (item, chat) in preview.items.iter().zip(&targets) {
        let from = chat.responsible_name().unwrap();
        assert!(item.change.starts_with(&format!("{from} → ")), "{item:?}");
    }
    assert_eq!(preview.left.len(), 1);
    assert_eq!(preview.left[0].reason, "already held by that person");
    let gaining = preview.loads.iter().find(|l| l.name == to_name).unwrap();
    assert_eq!(
        gaining.after.open,
        gaining.before.open + 3,
        "{:?}",
        preview.loads
    );
    let losing: usize = preview
        .loads
        .iter()
        .filter(|l| l.name != to_name)
        .map(|l| l.before.open - l.after.open)
        .sum();
    assert_eq!(losing, 3, "{:?}", preview.loads);
}

#[test]
fn the_previews_loads_before_are_the_workload_overlays_figures() {
    let (state, _, _, _) = at_preview(Lang::En, (120, 40), 3);
    let Some(Modal::Batch(BatchModal::Preview(preview))) = &state.modal else {
        panic!("{:?}", state.modal);
    };
    let overlay =
        balcao::workload::loads(state.inbox.rows().iter().map(|row| &row.summary), state.now);
    assert!(!preview.loads.is_empty());
    for load in &preview.loads {
        let shown = overlay
            .iter()
            .find(|row| row.name.as_deref() == Some(load.name.as_str()))
            .unwrap_or_else(|| panic!("{} is in the workload", load.name));
        assert_eq!(
            load.before, shown.load,
            "{}: the preview and the workload count the same chats",
            load.name
        );
    }
}

#[test]
fn a_run_takes_replies_in_any_order_keeps_its_rows_busy_and_reports() {
    let (mut state, chats, _, to) = at_preview(Lang::En, (120, 40), 3);
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let calls = sent(&commands);
    assert_eq!(calls.len(), 3);
    assert!(matches!(
        state.modal,
        Some(Modal::Batch(BatchModal::Progress))
    ));
    // A single change cannot race the batch on its rows.
    let change = balcao::api::Change::Reassign {
        to: to.clone(),
        expected: None,
        scope: balcao::api::Scope::CHAT,
    };
    let single = balcao::console::changes::begin(
        &mut state,
        &calls[0].1,
        change,
        balcao::console::modal::About::default(),
        None,
    );
    assert!(single.unwrap_err().contains("busy"));

    let mut entries = Vec::new();
    // Replies arrive last first, and one is refused.
    for (n, (id, chat)) in calls.iter().enumerate().rev() {
        assert!(state.is_busy(chat));
        let outcome = if n == 1 {
            Err(refused())
        } else {
            Ok(changed(&state, chat, &chats, &to))
        };
        let commands = update(&mut state, Msg::Api(ApiEvent { id: *id, outcome }));
        entries.extend(audits(&commands));
        assert!(!state.is_busy(chat), "an ended chat is free again");
    }
    assert_eq!(entries.len(), 3);
    let batch = entries[0].batch.clone().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e.batch.as_deref() == Some(batch.as_str()))
    );
    let outcomes: Vec<&str> = entries.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["confirmed", "refused", "confirmed"]);
    let row = state.inbox.row(&calls[0].1).unwrap();
    assert_eq!(
        row.summary.columns.responsible_user_id.as_deref(),
        Some(to.as_str()),
        "what the CRM answered shows in the row"
    );
    let Some(Modal::Batch(BatchModal::Report(report))) = &state.modal else {
        panic!("{:?}", state.modal);
    };
    assert_eq!((report.progress.done, report.progress.failed), (2, 1));
    assert!(
        report.lines[1].reason.contains("agent is offline"),
        "{:?}",
        report.lines
    );
    assert_eq!(state.batches.last.as_ref().unwrap().batch, batch);
    update(&mut state, Msg::Action(Action::Confirm));
    assert!(state.modal.is_none());
}

#[test]
fn a_batch_reply_says_what_it_shows_of_the_connection_as_a_single_changes_does() {
    let (mut state, chats, _, to) = at_preview(Lang::En, (120, 40), 2);
    let calls = sent(&update(&mut state, Msg::Action(Action::Confirm)));
    let token_refused = ApiError::Unauthorized(ServerReply {
        status: 401,
        ..ServerReply::default()
    });
    let (id, _) = &calls[0];
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: *id,
            outcome: Err(token_refused),
        }),
    );
    assert!(
        state.connection.auth_refused,
        "a refused token is said in the status bar"
    );
    let (id, chat) = &calls[1];
    let outcome = Ok(changed(&state, chat, &chats, &to));
    update(&mut state, Msg::Api(ApiEvent { id: *id, outcome }));
    assert!(!state.connection.auth_refused, "an answer clears the doubt");
}

#[test]
fn cancel_sends_nothing_more_and_the_calls_in_flight_finish() {
    let (mut state, chats, _, to) = at_preview(Lang::En, (120, 40), 10);
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let calls = sent(&commands);
    assert_eq!(calls.len(), 8, "at most the cap in flight");
    let commands = update(&mut state, Msg::Action(Action::Cancel));
    let cancelled = audits(&commands);
    assert_eq!(cancelled.len(), 2);
    assert!(
        cancelled
            .iter()
            .all(|e| e.outcome == "cancelled" && e.undo.is_none())
    );
    assert!(matches!(
        state.modal,
        Some(Modal::Batch(BatchModal::Progress))
    ));
    for (id, chat) in &calls {
        let outcome = Ok(changed(&state, chat, &chats, &to));
        let commands = update(&mut state, Msg::Api(ApiEvent { id: *id, outcome }));
        assert!(sent(&commands).is_empty(), "nothing more is sent");
    }
    let Some(Modal::Batch(BatchModal::Report(report))) = &state.modal else {
        panic!("{:?}", state.modal);
    };
    assert_eq!((report.progress.done, report.progress.not_sent), (8, 2));
}

/// Runs a reassignment of two chats to the end, the first done and the second refused; returns
/// the audit entries it wrote.
fn run_two_one_refused(state: &mut State, chats: &[Chat], to: &str) -> Vec<AuditEntry> {
    let calls = sent(&update(state, Msg::Action(Action::Confirm)));
    assert_eq!(calls.len(), 2);
    let mut entries = Vec::new();
    for (n, (id, chat)) in calls.iter().enumerate() {
        let outcome = if n == 1 {
            Err(refused())
        } else {
            Ok(changed(state, chat, chats, to))
        };
        entries.extend(audits(&update(
            state,
            Msg::Api(ApiEvent { id: *id, outcome }),
        )));
    }
    update(state, Msg::Action(Action::Confirm));
    entries
}

#[test]
fn undo_right_after_a_batch_plans_from_the_entries_it_wrote_and_runs_it_back() {
    let (mut state, chats, _, to) = at_preview(Lang::En, (120, 40), 2);
    let entries = run_two_one_refused(&mut state, &chats, &to);
    assert_eq!(entries.len(), 2);
    // Once the batch's own message has gone, the status bar offers to undo it.
    let later = state.now + chrono::TimeDelta::seconds(10);
    update(&mut state, Msg::Tick(later));
    let screen = format!("{:?}", draw(&state, (120, 40)).backend());
    assert!(
        screen.contains("u undo"),
        "the status bar offers undo:\n{screen}"
    );

    // The entries are written to the index in the background and may not all be there yet: the
    // console plans from the ones it wrote, and asks the index nothing.
    let commands = update(&mut state, Msg::Action(Action::Undo));
    assert!(commands.is_empty(), "{commands:?}");
    let Some(Modal::Batch(BatchModal::Preview(preview))) = &state.modal else {
        panic!("{:?} {:?}", state.modal, state.notification);
    };
    let batch = entries[0].batch.clone().unwrap();
    assert!(preview.title.contains(balcao::batch::short_id(&batch)));
    assert_eq!(preview.items.len(), 1, "the chat done goes back");
    assert_eq!(
        preview.left.len(),
        1,
        "the refused one is listed, not touched"
    );
    assert!(
        preview.left[0].reason.contains("refused"),
        "{:?}",
        preview.left
    );
    let back = sent(&update(&mut state, Msg::Action(Action::Confirm)));
    assert_eq!(
        back.iter().map(|(_, key)| key).collect::<Vec<_>>(),
        [&entries[0].key],
        "the chat done goes back"
    );
}

#[test]
fn undo_right_after_a_single_change_plans_from_its_entry() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let (to, _) = target(&chats);
    let chat = movable(&chats, &to, 1).remove(0);
    let seen = Conversation::Chat(Box::new(chat.clone()));
    let change = balcao::api::Change::Reassign {
        to: to.clone(),
        expected: chat.responsible_user_id().map(str::to_owned),
        scope: balcao::api::Scope::CHAT,
    };
    let (id, _) = balcao::console::changes::begin(
        &mut state,
        &key(&chat),
        change,
        balcao::console::modal::About::default(),
        Some(&seen),
    )
    .unwrap();
    let outcome = Ok(changed(&state, &key(&chat), &chats, &to));
    let written = audits(&update(&mut state, Msg::Api(ApiEvent { id, outcome })));
    assert_eq!(written.len(), 1);
    assert!(written[0].undo.is_some());

    let commands = update(&mut state, Msg::Action(Action::Undo));
    assert!(commands.is_empty(), "the index is not asked: {commands:?}");
    let Some(Modal::Batch(BatchModal::Preview(preview))) = &state.modal else {
        panic!("{:?} {:?}", state.modal, state.notification);
    };
    assert_eq!((preview.items.len(), preview.left.len()), (1, 0));
    let back = sent(&update(&mut state, Msg::Action(Action::Confirm)));
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].1, key(&chat));
}

#[test]
fn undo_after_a_restart_reads_the_last_change_from_the_audit_log() {
    let (mut state, chats, _, to) = at_preview(Lang::En, (120, 40), 2);
    let entries = run_two_one_refused(&mut state, &chats, &to);
    // A new console: it made no change yet, so the log says what was last.
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let commands = update(&mut state, Msg::Action(Action::Undo));
    let [
        Command::ReadUndo {
            id,
            batch: None,
            by,
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}");
    };
    assert_eq!(by, &state.desk.viewer.who);
    let batch = entries[0].batch.clone().unwrap();
    update(
        &mut state,
        Msg::UndoEntries {
            id: *id,
            outcome: Ok(Some((batch, entries.clone()))),
        },
    );
    let Some(Modal::Batch(BatchModal::Preview(preview))) = &state.modal else {
        panic!("{:?} {:?}", state.modal, state.notification);
    };
    assert_eq!((preview.items.len(), preview.left.len()), (1, 1));
    let back = sent(&update(&mut state, Msg::Action(Action::Confirm)));
    assert_eq!(back.len(), 1, "the chat done goes back");
}

/// The preview, the progress and the report, in both languages and two sizes.
#[test]
fn snapshots_of_the_preview_the_progress_and_the_report() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::PtBr, "pt")] {
        for size in [(120, 40), (80, 24)] {
            let (w, h) = size;
            let (mut state, chats, _, to) = at_preview(lang, size, 3);
            insta::assert_snapshot!(
                format!("batch_preview_{tag}_{w}x{h}"),
                draw(&state, size).backend()
            );
            let calls = sent(&update(&mut state, Msg::Action(Action::Confirm)));
            let (id, chat) = &calls[0];
            let outcome = Ok(changed(&state, chat, &chats, &to));
            update(&mut state, Msg::Api(ApiEvent { id: *id, outcome }));
            insta::assert_snapshot!(
                format!("batch_progress_{tag}_{w}x{h}"),
                draw(&state, size).backend()
            );
            let (id, _) = &calls[1];
            update(
                &mut state,
                Msg::Api(ApiEvent {
                    id: *id,
                    outcome: Err(refused()),
                }),
            );
            update(&mut state, Msg::Action(Action::Cancel));
            let (id, chat) = &calls[2];
            let outcome = Ok(changed(&state, chat, &chats, &to));
            update(&mut state, Msg::Api(ApiEvent { id: *id, outcome }));
            insta::assert_snapshot!(
                format!("batch_report_{tag}_{w}x{h}"),
                draw(&state, size).backend()
            );
        }
    }
}
