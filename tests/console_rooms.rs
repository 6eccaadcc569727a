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

use balcao::api::agilize::wire::Room;
use balcao::console::action::Action;
use balcao::console::modal::Modal;
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, FreshRoom, Msg};
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
        Columns::from_room(room),
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
        Msg::CachedRoom {
            key,
            room: Some(Box::new(room.clone())),
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
    let ApiCall::UpdateRoom { key, patch } = call else {
        panic!()
    };
    let mut users = room.user_ids();
    users.push(target.clone());
    assert_eq!(patch, json!({ "user": target, "users": users }));
    assert!(state.busy.contains(&key));
    let mut after = room.clone();
    after.user = Some(target.clone());
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::RoomUpdated(FreshRoom {
                key: key.clone(),
                room: Box::new(after),
                summary: None,
            })),
        }),
    );
    assert!(state.modal.is_none() && !state.busy.contains(&key));
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
        state.detail.room.as_ref().unwrap().user.as_deref(),
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
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    let ApiCall::UpdateRoom { patch, .. } = call else {
        panic!()
    };
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
    let (id, call) = request(&update(&mut state, Msg::Action(Action::ToggleArchive)));
    let ApiCall::UpdateRoom { key, patch } = call else {
        panic!()
    };
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
    assert!(
        matches!(call, ApiCall::UpdateRoom { patch, .. } if patch == json!({ "department": "d-vendas" }))
    );
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
    let (_, call) = request(&update(&mut state, Msg::Action(Action::Confirm)));
    assert!(
        matches!(call, ApiCall::UpdateRoom { patch, .. } if patch == json!({ "tags": ["vip", "troca"] }))
    );
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
