//! Agilize rooms in the console: their detail (snapshot) and every action on them, as the
//! reducer turns keys into room patches.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use balcao::api::Conversation;
use balcao::api::agilize::changes::patch as room_patch_of;
use balcao::api::agilize::wire::Room;
use balcao::console::action::Action;
use balcao::console::modal::Modal;
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Fresh, Msg};
use balcao::console::state::State;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::sandbox::rooms::Rooms;
use balcao::sandbox::seed::Seed;
use balcao::store::{ChatKey, ChatSummary, Columns};
use console::{draw, now, seeded_chats, summary};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn rooms() -> Vec<Room> {
    Rooms::from_seed(&Seed::bundled().unwrap(), now())
        .all()
        .to_vec()
}

fn room_summary(room: &Room) -> ChatSummary {
    console::row(
        ChatKey::agilize("matriz", room.id.as_deref().unwrap()),
        Columns::from(room),
    )
}

/// Chats and rooms side by side, with `room` selected and shown.
fn with_room(room: &Room) -> State {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Resize(160, 45));
    let mut rows: Vec<ChatSummary> = seeded_chats().iter().take(30).map(summary).collect();
    rows.extend(rooms().iter().map(room_summary));
    update(&mut state, Msg::Rows(rows));
    update(&mut state, Msg::Action(Action::Filter));
    for c in room.ch_id.as_deref().unwrap().chars() {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    update(&mut state, Msg::Action(Action::Confirm));
    let key = state.detail.key.clone().unwrap();
    assert_eq!(key.chat_id, room.id.clone().unwrap());
    update(
        &mut state,
        Msg::CachedDetail {
            key,
            conversation: Some(Box::new(Conversation::Room(Box::new(room.clone())))),
            as_of: Some(now()),
        },
    );
    state
}

fn request(commands: &[Command]) -> (balcao::console::msg::RequestId, ApiCall) {
    commands
        .iter()
        .find_map(|c| match c {
            Command::Api(r) => Some((r.id, r.call.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no request in {commands:?}"))
}

/// The change a request asks for, and the patch Agilize gets for it on `room`.
fn room_patch(call: &ApiCall, room: &Room) -> (ChatKey, serde_json::Value) {
    let ApiCall::Change { key, change } = call else {
        panic!("not a change: {call:?}")
    };
    (key.clone(), room_patch_of(change, room))
}

/// A room change's reply.
fn changed(key: ChatKey, room: Room, summary: Option<ChatSummary>) -> ApiReply {
    ApiReply::Changed(Fresh {
        key,
        conversation: Conversation::Room(Box::new(room)),
        summary,
    })
}

fn busy_room() -> Room {
    rooms()
        .into_iter()
        .find(|r| {
            r.user.is_some()
                && r.user_ids().len() >= 2
                && r.ch_is_archived == Some(false)
                && r.ch_phone.is_some()
        })
        .unwrap()
}

#[test]
fn a_rooms_detail_shows_its_channel_ids_users_department_tags_and_state() {
    let room = busy_room();
    let state = with_room(&room);
    insta::assert_snapshot!("room_detail_160x45", draw(&state, (160, 45)).backend());
    let bsuid = rooms().into_iter().find(Room::is_bsuid_only).unwrap();
    let state = with_room(&bsuid);
    let text = draw(&state, (160, 45)).backend().to_string();
    assert!(
        text.contains("BSUID") && text.contains(bsuid.ch_user_id.as_deref().unwrap()),
        "{text}"
    );
}

#[test]
fn reassigning_a_room_sets_its_user_and_adds_them_to_its_users() {
    let room = busy_room();
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("no modal")
    };
    let target = modal
        .candidates
        .iter()
        .find(|c| !room.user_ids().contains(&c.user_id))
        .unwrap()
        .user_id
        .clone();
    for c in target.chars().take(12) {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    insta::assert_snapshot!(
        "room_reassign_modal_160x45",
        draw(&state, (160, 45)).backend()
    );
    let (id, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let (key, patch) = room_patch(&call, &room);
    let mut users = room.user_ids();
    users.push(target.clone());
    assert_eq!(patch, json!({ "user": target, "users": users }));
    assert!(state.is_busy(&key));
    let mut after = room.clone();
    after.user = Some(target.clone());
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(changed(key.clone(), after, None)),
        }),
    );
    assert!(state.modal.is_none() && !state.is_busy(&key));
    assert!(
        state
            .notification
            .as_ref()
            .unwrap()
            .text
            .contains("room assigned to")
    );
    assert!(commands.iter().any(|c| matches!(c, Command::Audit(e) if e.action == "reassign_responsible" && e.outcome == "confirmed")));
    assert_eq!(
        state
            .detail
            .conversation
            .as_ref()
            .unwrap()
            .responsible_user_id(),
        Some(target.as_str())
    );
}

#[test]
fn removing_from_a_room_sends_the_users_left_and_never_the_assigned_one() {
    let room = busy_room();
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("no modal")
    };
    let assigned_at = modal.choices.iter().position(|c| c.responsible).unwrap();
    for _ in 0..assigned_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    assert!(
        update(&mut state, Msg::Action(Action::Confirm)).is_empty(),
        "the assigned user cannot be removed"
    );
    update(&mut state, Msg::Action(Action::SelectFirst));
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!()
    };
    let other_at = modal.choices.iter().position(|c| !c.responsible).unwrap();
    let leaving = modal.choices[other_at].user_id.clone();
    for _ in 0..other_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    // Enter picks, a second Enter confirms the removal.
    update(&mut state, Msg::Action(Action::Confirm));
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let (_, patch) = room_patch(&call, &room);
    let left: Vec<String> = room
        .user_ids()
        .into_iter()
        .filter(|u| *u != leaving)
        .collect();
    assert_eq!(patch, json!({ "users": left }));
}

#[test]
fn archive_department_and_tags_become_patches() {
    let room = busy_room();
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::ToggleArchive));
    let (id, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let (key, patch) = room_patch(&call, &room);
    assert_eq!(patch, json!({ "chIsArchived": true }));
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(balcao::api::ApiError::Network {
                url: String::new(),
                detail: "down".to_owned(),
            }),
        }),
    );
    assert!(state.failed.contains(&key), "a failed change marks the row");
    update(&mut state, Msg::Action(Action::ChangeDepartment));
    let Some(Modal::RoomField(modal)) = &state.modal else {
        panic!()
    };
    assert_eq!(Some(modal.input.clone()), room.department);
    for _ in 0..modal.input.len() {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    for c in "d-vendas".chars() {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    insta::assert_snapshot!(
        "room_department_modal_120x30",
        draw(&state, (120, 30)).backend()
    );
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    assert!(room_patch(&call, &room).1 == json!({ "department": "d-vendas" }));
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::EditTags));
    for _ in 0..200 {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    for c in "vip, troca ,".chars() {
        update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    // The room's own tags are replaced: saving asks first.
    update(&mut state, Msg::Action(Action::Confirm));
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    assert!(room_patch(&call, &room).1 == json!({ "tags": ["vip", "troca"] }));
}

#[test]
fn room_actions_on_a_wegly_chat_say_why_not() {
    let mut state = State::new(Lang::PtBr, now(), "default".to_owned());
    update(
        &mut state,
        Msg::Rows(seeded_chats().iter().take(5).map(summary).collect()),
    );
    for action in [
        Action::ToggleArchive,
        Action::ChangeDepartment,
        Action::EditTags,
    ] {
        assert!(update(&mut state, Msg::Action(action)).is_empty());
        assert!(state.modal.is_none());
        assert!(
            state
                .notification
                .as_ref()
                .unwrap()
                .text
                .contains("Agilize"),
            "{:?}",
            state.notification
        );
    }
}

fn key_press(state: &mut State, code: KeyCode) {
    update(state, Msg::Input(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The text of the open confirmation, drawn.
fn screen(state: &State) -> String {
    draw(state, (160, 45)).backend().to_string()
}

/// What the open confirmation says, line by line as the reducer wrote it.
fn question(state: &State) -> String {
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("no question open: {:?}", state.modal)
    };
    question.question.lines.join("\n")
}

#[test]
fn concluding_a_room_asks_first_and_reopening_does_not() {
    let room = busy_room();
    let mut state = with_room(&room);
    let commands = update(&mut state, Msg::Action(Action::ToggleArchive));
    assert!(
        !commands.iter().any(|c| matches!(c, Command::Api(_))),
        "nothing is sent before the confirmation: {commands:?}"
    );
    assert!(
        matches!(state.modal, Some(Modal::Confirm(_))),
        "{:?}",
        state.modal
    );
    let text = screen(&state);
    assert!(text.contains("Conclude the room"), "{text}");
    insta::assert_snapshot!(
        "room_conclude_confirm_160x45",
        draw(&state, (160, 45)).backend()
    );
    // Esc: nothing happens.
    assert!(update(&mut state, Msg::Action(Action::Cancel)).is_empty());
    assert!(state.modal.is_none() && state.pending.values().all(|p| p.mutated_chat().is_none()));
    // Asked again and confirmed: the patch goes.
    update(&mut state, Msg::Action(Action::ToggleArchive));
    let (id, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let (key, patch) = room_patch(&call, &room);
    assert_eq!(patch, json!({ "chIsArchived": true }));
    assert!(state.modal.is_none());
    // Once concluded, the room reopens at once.
    let mut concluded = room.clone();
    concluded.ch_is_archived = Some(true);
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(changed(
                key,
                concluded.clone(),
                Some(room_summary(&concluded)),
            )),
        }),
    );
    let (_, call) = request(&update(&mut state, Msg::Action(Action::ToggleArchive)));
    assert!(room_patch(&call, &room).1 == json!({ "chIsArchived": false }));
}

#[test]
fn saving_tags_that_remove_some_says_which_and_asks_first() {
    let room = rooms()
        .into_iter()
        .find(|r| r.tag_ids().len() >= 2 && r.ch_is_archived == Some(false) && r.ch_phone.is_some())
        .unwrap();
    let tags = room.tag_ids();
    let mut state = with_room(&room);
    // Keeping the first tag and adding one: the second is removed.
    update(&mut state, Msg::Action(Action::EditTags));
    for _ in 0..200 {
        key_press(&mut state, KeyCode::Backspace);
    }
    for c in format!("{}, nova", tags[0]).chars() {
        key_press(&mut state, KeyCode::Char(c));
    }
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        !commands.iter().any(|c| matches!(c, Command::Api(_))),
        "{commands:?}"
    );
    let text = question(&state);
    assert!(
        text.contains(&format!("removes 1 tag: {}", tags[1])) && text.contains("adds 1 tag: nova"),
        "{text}"
    );
    // Esc returns to the field with the text typed.
    update(&mut state, Msg::Action(Action::Cancel));
    let Some(Modal::RoomField(modal)) = &state.modal else {
        panic!("{:?}", state.modal)
    };
    assert_eq!(modal.input, format!("{}, nova", tags[0]));
    update(&mut state, Msg::Action(Action::Confirm));
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    assert!(
        room_patch(&call, &room).1 == json!({ "tags": [tags[0].clone(), "nova".to_owned()] }),
        "{call:?}"
    );
    // An empty field removes every tag, and says so.
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::EditTags));
    for _ in 0..200 {
        key_press(&mut state, KeyCode::Backspace);
    }
    assert!(update(&mut state, Msg::Action(Action::Confirm)).is_empty());
    let text = question(&state);
    let all = format!("removes all {} tags: {}", tags.len(), tags.join(", "));
    assert!(text.contains(&all), "{text}");
    insta::assert_snapshot!(
        "room_tags_remove_all_confirm_160x45",
        draw(&state, (160, 45)).backend()
    );
    // Adding only: no question.
    let mut state = with_room(&room);
    update(&mut state, Msg::Action(Action::EditTags));
    for c in ", extra".chars() {
        key_press(&mut state, KeyCode::Char(c));
    }
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let mut added = tags.clone();
    added.push("extra".to_owned());
    assert!(room_patch(&call, &room).1 == json!({ "tags": added }));
}

/// The room after a change Agilize stamped at `at`: its `lastEvent` moves, its message does not.
fn changed_at(room: &Room, at: chrono::DateTime<chrono::Utc>) -> Room {
    let mut after = room.clone();
    after.last_event = Some(balcao::api::timestamp::Timestamp::from_datetime(at));
    after
}

fn last_message_at(state: &State, key: &ChatKey) -> Option<chrono::DateTime<chrono::Utc>> {
    state
        .inbox
        .row(key)
        .unwrap()
        .summary
        .columns
        .last_message_at
}

#[test]
fn a_change_to_a_room_does_not_make_its_old_message_look_new() {
    let room = busy_room();
    let key = ChatKey::agilize("matriz", room.id.as_deref().unwrap());
    let sent = Columns::from(&room).last_message_at.unwrap();
    assert!(now() - sent > chrono::Duration::days(2), "an old message");
    let mut state = with_room(&room);
    // Concluded: the reply is the room with `lastEvent` stamped now, stored as such.
    update(&mut state, Msg::Action(Action::ToggleArchive));
    let (id, _) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let mut after = changed_at(&room, now());
    after.ch_is_archived = Some(true);
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(changed(
                key.clone(),
                after.clone(),
                Some(room_summary(&after)),
            )),
        }),
    );
    assert_eq!(
        last_message_at(&state, &key),
        Some(sent),
        "LAST keeps the message's age"
    );
    let text = draw(&state, (160, 45)).backend().to_string();
    assert!(
        !text.contains("(now)"),
        "the detail does not say the message came now:\n{text}"
    );
    assert!(
        text.contains(&format!("({} ago)", balcao::timefmt::span(now() - sent))),
        "{text}"
    );
    // The webhook that echoes the change says the same room again: still the old message.
    let later = now() + chrono::Duration::seconds(3);
    update(
        &mut state,
        Msg::RowChanged(room_summary(&changed_at(&after, later))),
    );
    assert_eq!(last_message_at(&state, &key), Some(sent));
    // A new message does move it.
    let mut written = changed_at(&after, later);
    written.last_msg = Some("Oi, ainda estou esperando".to_owned());
    written.last_from_user = Some(false);
    update(&mut state, Msg::RowChanged(room_summary(&written)));
    assert_eq!(last_message_at(&state, &key), Some(later));
}
