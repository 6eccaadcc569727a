//! The console's list and modals tell the truth: the list window always shows the selection and
//! is full, the order follows time, nothing changes without saying what, destructive actions ask
//! first, and a room change is not a message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use balcao::api::ApiError;
use balcao::api::error::ServerReply;
use balcao::api::wegly::wire::Chat;
use balcao::api::{Change, Conversation};
use balcao::console::action::Action;
use balcao::console::app::translate;
use balcao::console::keymap::Keymap;
use balcao::console::modal::{Modal, Stage};
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Fresh, Msg, RequestId};
use balcao::console::state::{Level, State, list_page};
use balcao::console::ui::layout;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::inbox::urgency;
use balcao::store::{AuditEntry, ChatKey, ChatSummary, Columns};
use chrono::{DateTime, TimeDelta, Utc};
use console::{draw, loaded_state, now, responsible_on_row, typed, with_two_participants};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The chat rows drawn in the list pane (the lines under the header that carry a row).
fn drawn_rows(state: &State, size: (u16, u16)) -> Vec<String> {
    let terminal = draw(state, size);
    let buffer = terminal.backend().buffer();
    let list_width = if size.0 >= layout::SIDE_BY_SIDE_WIDTH {
        size.0 * 56 / 100
    } else {
        size.0
    };
    // Below the views' tabs, the list's border and its header.
    (3..size.1.saturating_sub(2))
        .map(|y| {
            (1..list_width.saturating_sub(1))
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// The list window holds the selection and is as full as the rows allow.
fn assert_window_true(state: &State, what: &str) {
    let inbox = &state.inbox;
    let page = list_page(state.size);
    let shown = inbox.visible_len();
    let selected = inbox.selected().unwrap();
    assert!(
        inbox.offset <= selected && selected < inbox.offset + page,
        "{what}: selection {selected} is outside the window {}..{}",
        inbox.offset,
        inbox.offset + page
    );
    assert_eq!(
        shown.saturating_sub(inbox.offset).min(page),
        shown.min(page),
        "{what}: the window starting at {} of {shown} rows is not full",
        inbox.offset
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Scrolling: the selection is always visible and the window always full.

#[test]
fn after_the_last_row_a_filter_still_fills_the_window() {
    let size = (120, 34);
    let (mut state, _) = loaded_state(Lang::En, size);
    let page = list_page(size);
    update(&mut state, Msg::Action(Action::SelectLast));
    assert_window_true(&state, "after G");
    update(&mut state, Msg::Action(Action::Filter));
    // The last row is a low-priority chat: the filter leaves it out, and the text typed on the
    // way there ("p", "pr", ...) matches fewer rows than the selection's old place.
    for c in "priority:>=2".chars() {
        typed(&mut state, &c.to_string());
        if state.inbox.visible_len() > 0 {
            assert_window_true(&state, &format!("after typing '{c}'"));
        }
    }
    let shown = state.inbox.visible_len();
    assert!(shown > page, "the filter leaves more than a screenful");
    assert_window_true(&state, "after typing the filter");
    assert_eq!(
        drawn_rows(&state, size).len(),
        page,
        "every line of the list shows a chat"
    );
    let selected = state.inbox.selected_row().unwrap().summary.key.clone();
    assert!(
        drawn_rows(&state, size).iter().any(|line| line.contains(
            state
                .inbox
                .row(&selected)
                .unwrap()
                .summary
                .columns
                .contact
                .as_deref()
                .unwrap_or("…")
        )),
        "the selected chat is on screen"
    );
}

#[test]
fn clearing_a_filter_keeps_the_selected_chat_highlighted_on_screen() {
    let size = (120, 34);
    let (mut state, _) = loaded_state(Lang::En, size);
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "status:resolved");
    update(&mut state, Msg::Action(Action::Confirm));
    update(&mut state, Msg::Action(Action::SelectLast));
    let chosen = state.inbox.selected_row().unwrap().summary.key.clone();
    update(&mut state, Msg::Action(Action::ClearFilter));
    assert_eq!(
        state
            .inbox
            .selected_row()
            .map(|row| row.summary.key.clone()),
        Some(chosen.clone()),
        "the chat stays selected"
    );
    assert_window_true(&state, "after clearing the filter");
    // The same through Esc on the filter line, which restores the filter typed before.
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, " status:resolved");
    update(&mut state, Msg::Action(Action::SelectLast));
    update(&mut state, Msg::Action(Action::Cancel));
    assert_window_true(&state, "after cancelling the filter line");
}

#[test]
fn shrinking_the_terminal_keeps_the_selection_in_the_window() {
    let (mut state, _) = loaded_state(Lang::En, (120, 60));
    for _ in 0..50 {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    update(&mut state, Msg::Resize(120, 20));
    assert_window_true(&state, "after shrinking");
    update(&mut state, Msg::Action(Action::SelectLast));
    update(&mut state, Msg::Resize(120, 60));
    assert_window_true(&state, "after growing at the end of the list");
}

// ---------------------------------------------------------------------------------------------
// 15. The order follows time: `inbox list`'s urgency order, re-ranked when a window closes.

/// A Wegly row of priority 1 whose customer wrote `waited` minutes ago and whose window ends
/// `window` minutes from `now()` (negative: closed).
fn timed_row(id: u128, window: i64, waited: i64) -> ChatSummary {
    console::row(
        ChatKey::wegly("default", &uuid::Uuid::from_u128(id).to_string()),
        Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(1),
            contact: Some(format!("Cliente {id}")),
            last_message_at: Some(now() - TimeDelta::minutes(waited)),
            last_message_from_me: Some(false),
            window_ends_at: Some(now() + TimeDelta::seconds(window)),
            ..Columns::default()
        },
    )
}

fn shown_ids(state: &State) -> Vec<String> {
    (0..state.inbox.visible_len())
        .map(|n| {
            state
                .inbox
                .visible_row(n)
                .unwrap()
                .summary
                .key
                .chat_id
                .clone()
        })
        .collect()
}

/// The order `balcao inbox list` prints at `at`.
fn listed_ids(state: &State, at: DateTime<Utc>) -> Vec<String> {
    let mut rows: Vec<ChatSummary> = state
        .inbox
        .rows()
        .iter()
        .map(|row| row.summary.clone())
        .collect();
    rows.sort_by(|a, b| urgency(a, b, at));
    rows.into_iter().map(|row| row.key.chat_id).collect()
}

#[test]
fn a_window_that_closes_moves_its_chat_below_the_open_ones_at_the_minute_tick() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    // The first chat's window closes 30 s from now; it is the most urgent until then.
    let closing = timed_row(1, 30, 600);
    let rows = vec![
        closing.clone(),
        timed_row(2, 7_200, 60),
        timed_row(3, 3_600, 5),
    ];
    update(&mut state, Msg::Rows(rows));
    assert_eq!(shown_ids(&state), listed_ids(&state, now()));
    assert_eq!(shown_ids(&state)[0], closing.key.chat_id);
    // A row arrives in the same minute, after the window closed: the list stays in one
    // consistent order (it is ranked as of one instant), never a mix of two.
    let later = now() + TimeDelta::seconds(45);
    update(&mut state, Msg::Tick(later));
    update(&mut state, Msg::RowChanged(timed_row(4, 600, 30)));
    let shown = shown_ids(&state);
    assert!(
        shown == listed_ids(&state, now()) || shown == listed_ids(&state, later),
        "the order {shown:?} is neither the order at {} ({:?}) nor at {later} ({:?})",
        now(),
        listed_ids(&state, now()),
        listed_ids(&state, later)
    );
    // The minute tick re-ranks: the closed window goes below every open one, as `inbox list`
    // prints it.
    let tick = now() + TimeDelta::minutes(1);
    update(&mut state, Msg::Tick(tick));
    assert_eq!(shown_ids(&state), listed_ids(&state, tick));
    assert_eq!(shown_ids(&state).last(), Some(&closing.key.chat_id));
}

#[test]
fn a_selected_chat_is_followed_when_the_order_changes_at_the_tick() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    let closing = timed_row(1, 30, 600);
    update(
        &mut state,
        Msg::Rows(vec![
            closing.clone(),
            timed_row(2, 7_200, 60),
            timed_row(3, 3_600, 5),
        ]),
    );
    update(&mut state, Msg::Action(Action::SelectFirst));
    update(&mut state, Msg::Tick(now() + TimeDelta::minutes(1)));
    assert_eq!(
        state.inbox.selected_row().unwrap().summary.key,
        closing.key,
        "the chat the user picked stays picked wherever it sorts to"
    );
    assert_window_true(&state, "after the re-rank");
}

#[test]
fn a_window_filter_follows_the_minute_tick_too() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    // Closing within the hour after 31 minutes; nothing closes meanwhile.
    let soon = timed_row(1, 90 * 60, 5);
    update(
        &mut state,
        Msg::Rows(vec![soon.clone(), timed_row(2, 7 * 3_600, 60)]),
    );
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "window:closing");
    update(&mut state, Msg::Action(Action::Confirm));
    assert_eq!(state.inbox.visible_len(), 0);
    update(&mut state, Msg::Tick(now() + TimeDelta::minutes(31)));
    assert_eq!(shown_ids(&state), std::slice::from_ref(&soon.key.chat_id));
}

// ---------------------------------------------------------------------------------------------
// 9. A reassignment that changes nothing is not a success.

fn api_request(commands: &[Command]) -> Option<(RequestId, ApiCall)> {
    commands.iter().find_map(|c| match c {
        Command::Api(request) => Some((request.id, request.call.clone())),
        _ => None,
    })
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

/// Opens the reassign modal and puts the cursor on someone who is not the responsible.
fn reassign_to_someone_else(state: &mut State, chat: &Chat) -> String {
    update(state, Msg::Action(Action::ReassignResponsible));
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("no modal")
    };
    let target = modal
        .candidates
        .iter()
        .find(|c| Some(c.user_id.as_str()) != chat.responsible_user_id())
        .unwrap()
        .name
        .clone();
    typed(state, &target);
    target
}

#[test]
fn with_every_toggle_off_nothing_is_sent_and_the_modal_says_why() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    reassign_to_someone_else(&mut state, &chat);
    update(&mut state, Msg::Action(Action::ToggleUpdateChat));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        api_request(&commands).is_none() && audits(&commands).is_empty(),
        "nothing is sent or audited: {commands:?}"
    );
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("the modal stays open")
    };
    assert_eq!(modal.stage, Stage::Editing);
    let error = modal.error.clone().unwrap();
    assert!(
        error.contains("nothing would change") && error.contains("chat, leads or deals"),
        "{error}"
    );
    assert!(!state.is_busy(&key));
    let mut pt = with_two_participants(Lang::PtBr);
    reassign_to_someone_else(&mut pt.0, &pt.2);
    update(&mut pt.0, Msg::Action(Action::ToggleUpdateChat));
    update(&mut pt.0, Msg::Action(Action::Confirm));
    let Some(Modal::Reassign(modal)) = &pt.0.modal else {
        panic!("the modal stays open")
    };
    assert!(
        modal.error.as_deref().unwrap().contains("nada mudaria"),
        "{:?}",
        modal.error
    );
}

#[test]
fn moving_only_leads_and_deals_says_the_chats_responsible_is_unchanged() {
    for lang in [Lang::En, Lang::PtBr] {
        let (mut state, _, chat) = with_two_participants(lang);
        let key = state.detail.key.clone().unwrap();
        let target = reassign_to_someone_else(&mut state, &chat);
        update(&mut state, Msg::Action(Action::ToggleUpdateChat));
        update(&mut state, Msg::Action(Action::ToggleUpdateLeads));
        update(&mut state, Msg::Action(Action::ToggleUpdateDeals));
        let commands = update(&mut state, Msg::Action(Action::Confirm));
        let (id, call) = api_request(&commands).unwrap();
        let ApiCall::Change {
            change: Change::Reassign { scope, .. },
            ..
        } = call
        else {
            panic!("{call:?}")
        };
        assert!(!scope.chat && scope.leads && scope.deals);
        assert_eq!(
            responsible_on_row(&state, &key).as_deref(),
            chat.responsible_user_id(),
            "no optimistic change on the row while in flight"
        );
        // The CRM answers with the chat as it is: the same responsible.
        let commands = update(
            &mut state,
            Msg::Api(ApiEvent {
                id,
                outcome: Ok(ApiReply::Changed(Fresh {
                    key: key.clone(),
                    conversation: Conversation::Chat(Box::new(chat.clone())),
                    summary: None,
                })),
            }),
        );
        let text = state.notification.clone().unwrap().text;
        let expected = lang.pick(
            format!("leads/negócios reatribuídos a {target}; o responsável da conversa não mudou"),
            format!("leads/deals reassigned to {target}; the chat's responsible is unchanged"),
        );
        assert_eq!(text, expected);
        assert_eq!(
            responsible_on_row(&state, &key).as_deref(),
            chat.responsible_user_id(),
            "the row is not shown as changed"
        );
        let audit = audits(&commands);
        let [entry] = audit.as_slice() else {
            panic!("{audit:?}")
        };
        assert_eq!(
            (entry.action.as_str(), entry.outcome.as_str()),
            ("reassign_leads_deals", "confirmed")
        );
        assert_eq!(
            entry.before, entry.after,
            "the responsible before and after"
        );
        assert_eq!(entry.after.as_deref(), chat.responsible_name());
        assert!(
            entry
                .request
                .as_deref()
                .unwrap()
                .contains("\"update_chat\":false")
        );
    }
}

#[test]
fn only_leads_or_only_deals_are_named_as_such() {
    for (toggle, what) in [
        (Action::ToggleUpdateLeads, "leads"),
        (Action::ToggleUpdateDeals, "deals"),
    ] {
        let (mut state, _, chat) = with_two_participants(Lang::En);
        let key = state.detail.key.clone().unwrap();
        let target = reassign_to_someone_else(&mut state, &chat);
        update(&mut state, Msg::Action(Action::ToggleUpdateChat));
        update(&mut state, Msg::Action(toggle));
        let (id, _) = api_request(&update(&mut state, Msg::Action(Action::Confirm))).unwrap();
        update(
            &mut state,
            Msg::Api(ApiEvent {
                id,
                outcome: Ok(ApiReply::Changed(Fresh {
                    key,
                    conversation: Conversation::Chat(Box::new(chat.clone())),
                    summary: None,
                })),
            }),
        );
        assert_eq!(
            state.notification.unwrap().text,
            format!("{what} reassigned to {target}; the chat's responsible is unchanged")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 12. ctrl-c works in every context.

fn ctrl_c() -> crossterm::event::Event {
    crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

#[test]
fn ctrl_c_closes_a_modal_or_the_filter_line_and_quits_elsewhere() {
    let keymap = Keymap::defaults().unwrap();
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let all = state.inbox.visible_len();
    for open in [
        Action::Filter,
        Action::Help,
        Action::AddChat,
        Action::CreateChat,
    ] {
        update(&mut state, Msg::Action(open));
        if open == Action::Filter {
            typed(&mut state, "zzzz");
        }
        assert!(state.modal.is_some(), "{open} opens");
        let msg = translate(&ctrl_c(), &state, &keymap).expect("ctrl-c means something");
        update(&mut state, msg);
        assert!(state.modal.is_none(), "ctrl-c closes what {open} opened");
        assert!(!state.should_quit);
    }
    assert_eq!(
        state.inbox.visible_len(),
        all,
        "the filter typed was undone"
    );
    let msg = translate(&ctrl_c(), &state, &keymap).unwrap();
    let commands = update(&mut state, msg);
    assert!(state.should_quit && commands.contains(&Command::Quit));
}

#[test]
fn ctrl_c_quits_from_a_modal_when_the_keymap_gives_it_no_other_use_there() {
    let user = "[modal]\ncancel = [\"esc\"]\n";
    let keymap = Keymap::load(Some((std::path::Path::new("mine.toml"), user))).unwrap();
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    update(&mut state, Msg::Action(Action::Filter));
    // Text is still text: q types a q in the filter line.
    let q = crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
    assert!(matches!(
        translate(&q, &state, &keymap),
        Some(Msg::Input(_))
    ));
    let msg = translate(&ctrl_c(), &state, &keymap).expect("ctrl-c means something");
    assert_eq!(msg, Msg::Action(Action::Quit));
    let commands = update(&mut state, msg);
    assert!(state.should_quit && commands.contains(&Command::Quit));
}

// ---------------------------------------------------------------------------------------------
// 11. Destructive actions ask first.

#[test]
fn removing_a_participant_shows_who_and_asks_first() {
    let (mut state, _, _) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("no modal")
    };
    let other_at = modal.choices.iter().position(|c| !c.responsible).unwrap();
    let other = modal.choices[other_at].clone();
    for _ in 0..other_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        api_request(&commands).is_none(),
        "nothing is sent before the confirmation: {commands:?}"
    );
    assert!(!state.is_busy(&key));
    let text = draw(&state, (160, 45)).backend().to_string();
    assert!(
        text.contains(&format!("{} leaves the chat", other.name)),
        "the question names who: {text}"
    );
    insta::assert_snapshot!(
        "remove_participant_confirm_160x45",
        draw(&state, (160, 45)).backend()
    );
    // Esc goes back to the choice, the cursor where it was.
    assert!(update(&mut state, Msg::Action(Action::Cancel)).is_empty());
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("back to the choice: {:?}", state.modal)
    };
    assert_eq!(modal.cursor, other_at);
    update(&mut state, Msg::Action(Action::Confirm));
    let (_, call) = api_request(&update(&mut state, Msg::Action(Action::Confirm))).unwrap();
    assert_eq!(
        call,
        ApiCall::Change {
            key: key.clone(),
            change: Change::RemoveParticipant {
                user_id: other.user_id
            }
        }
    );
    assert!(state.is_busy(&key));
}

// ---------------------------------------------------------------------------------------------
// 17. A chat added by an id that does not exist leaves no row; a gone row can be forgotten.

fn not_found() -> ApiError {
    ApiError::NotFound(ServerReply {
        status: 404,
        url: "http://127.0.0.1:9/integrations/external/chats/x".to_owned(),
        code: Some("chat_not_found".to_owned()),
        message: Some("no such chat".to_owned()),
        ..ServerReply::default()
    })
}

/// Adds `id` by hand through the add modal; returns the request id.
fn add_by_id(state: &mut State, id: &str) -> RequestId {
    update(state, Msg::Action(Action::AddChat));
    typed(state, id);
    let (request, call) = api_request(&update(state, Msg::Action(Action::Confirm))).unwrap();
    assert!(matches!(call, ApiCall::AddChat(_)), "{call:?}");
    request
}

#[test]
fn an_added_id_the_crm_does_not_know_is_reported_and_leaves_no_row() {
    let missing = "0b5e7c1a-9d3f-4e2b-8a6c-1f2e3d4c5b6a";
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let total = state.inbox.rows().len();
    let id = add_by_id(&mut state, missing);
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(not_found()),
        }),
    );
    let Some(Modal::Add(modal)) = &state.modal else {
        panic!(
            "the add modal stays open with the id typed: {:?}",
            state.modal
        )
    };
    assert_eq!(modal.input, missing);
    assert_eq!(
        modal.error.as_deref(),
        Some(
            format!("no chat with id {missing} in account default (404); nothing was added")
                .as_str()
        )
    );
    assert_eq!(state.inbox.rows().len(), total, "no row was added");
    // The same when the answer is the older "gone" reply that flagged a row in the index: the row
    // is not shown, and the index is told to forget it.
    update(&mut state, Msg::Action(Action::Cancel));
    let id = add_by_id(&mut state, missing);
    let key = ChatKey::wegly("default", missing);
    let mut gone = console::row(key.clone(), Columns::default());
    gone.gone = true;
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Gone(key.clone(), Some(gone))),
        }),
    );
    assert!(state.inbox.row(&key).is_none(), "no ✝ row is left behind");
    assert!(
        commands.contains(&Command::ForgetChat {
            key: key.clone(),
            announce: false
        }),
        "{commands:?}"
    );
    let mut pt = loaded_state(Lang::PtBr, (120, 40)).0;
    update(&mut pt, Msg::Action(Action::AddChat));
    typed(&mut pt, missing);
    let (id, _) = api_request(&update(&mut pt, Msg::Action(Action::Confirm))).unwrap();
    update(
        &mut pt,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(not_found()),
        }),
    );
    let Some(Modal::Add(modal)) = &pt.modal else {
        panic!()
    };
    assert!(
        modal.error.as_deref().unwrap().starts_with(&format!(
            "não há conversa com o id {missing} na conta default"
        )),
        "{:?}",
        modal.error
    );
}

/// A loaded state whose selected row is a chat gone from the CRM.
fn with_a_gone_row() -> (State, ChatKey) {
    let chats = console::seeded_chats();
    let mut rows: Vec<ChatSummary> = chats.iter().map(console::summary).collect();
    rows[0].gone = true;
    let key = rows[0].key.clone();
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Resize(160, 45));
    update(&mut state, Msg::Rows(rows));
    console::select(&mut state, &chats, &key.chat_id);
    (state, key)
}

#[test]
fn a_gone_row_is_forgotten_after_a_confirmation() {
    let (mut state, key) = with_a_gone_row();
    let total = state.inbox.rows().len();
    let commands = update(&mut state, Msg::Action(Action::ForgetChat));
    assert!(
        commands.is_empty(),
        "nothing happens before the confirmation"
    );
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("{:?}", state.modal)
    };
    assert!(question.question.lines[0].contains(&key.chat_id));
    insta::assert_snapshot!("forget_confirm_160x45", draw(&state, (160, 45)).backend());
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert_eq!(
        commands,
        vec![Command::ForgetChat {
            key: key.clone(),
            announce: true
        }]
    );
    assert!(state.modal.is_none());
    assert!(
        state.inbox.row(&key).is_some(),
        "the row stays until the index answers"
    );
    let commands = update(
        &mut state,
        Msg::ChatForgotten {
            key: key.clone(),
            announce: true,
            outcome: Ok(true),
        },
    );
    assert!(state.inbox.row(&key).is_none());
    assert_eq!(state.inbox.rows().len(), total - 1);
    assert_window_true(&state, "after forgetting the last row");
    assert!(
        state
            .notification
            .clone()
            .unwrap()
            .text
            .contains("forgotten")
    );
    let audit = audits(&commands);
    assert_eq!(
        audit
            .iter()
            .map(|e| (e.action.as_str(), e.outcome.as_str()))
            .collect::<Vec<_>>(),
        [("forget_chat", "confirmed")]
    );
    // Every row still matches its index.
    for n in 0..state.inbox.visible_len() {
        let row = state.inbox.visible_row(n).unwrap();
        assert_eq!(
            state.inbox.row(&row.summary.key).map(|r| &r.summary.key),
            Some(&row.summary.key)
        );
    }
}

#[test]
fn a_chat_still_in_the_crm_is_not_forgotten_from_the_console() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    assert!(update(&mut state, Msg::Action(Action::ForgetChat)).is_empty());
    assert!(state.modal.is_none());
    let text = state.notification.unwrap().text;
    assert!(
        text.contains("only a chat gone from the CRM") && text.contains("inbox remove"),
        "{text}"
    );
}

#[test]
fn a_forget_the_index_refuses_keeps_the_row_and_says_why() {
    let (mut state, key) = with_a_gone_row();
    update(&mut state, Msg::Action(Action::ForgetChat));
    update(&mut state, Msg::Action(Action::Confirm));
    let commands = update(
        &mut state,
        Msg::ChatForgotten {
            key: key.clone(),
            announce: true,
            outcome: Err("the index is locked by another process".to_owned()),
        },
    );
    assert!(state.inbox.row(&key).is_some());
    let note = state.notification.unwrap();
    assert_eq!(note.level, Level::Error);
    assert!(note.text.contains("the index is locked"), "{}", note.text);
    assert_eq!(audits(&commands)[0].outcome, "failed");
}

// ---------------------------------------------------------------------------------------------
// The help reaches every binding, the dialogs' ctrl-c included.

#[test]
fn the_help_scrolls_to_its_last_binding() {
    let (mut state, _) = loaded_state(Lang::En, (120, 45));
    update(&mut state, Msg::Action(Action::Help));
    let first = draw(&state, (120, 45)).backend().to_string();
    assert!(first.contains("Keys · down/up scroll"), "{first}");
    assert!(
        first.contains("forget_chat"),
        "the new action is listed: {first}"
    );
    update(&mut state, Msg::Action(Action::SelectLast));
    let end = draw(&state, (120, 45)).backend().to_string();
    assert!(end.contains("Esc or Enter closes"), "{end}");
    assert!(end.contains("esc ctrl-c"), "ctrl-c closes dialogs: {end}");
    insta::assert_snapshot!(
        "help_scrolled_to_the_end_120x45",
        draw(&state, (120, 45)).backend()
    );
    update(&mut state, Msg::Action(Action::SelectFirst));
    assert_eq!(draw(&state, (120, 45)).backend().to_string(), first);
}
