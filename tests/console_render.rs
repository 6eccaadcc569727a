//! Whole frames of the console rendered into ratatui's `TestBackend`, as insta snapshots.
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
use balcao::api::Conversation;
use balcao::api::wegly::wire::{Chat, Message};
use balcao::console::action::Action;
use balcao::console::msg::{ApiEvent, ApiReply, Command, Fresh, Msg};
use balcao::console::state::{DetailStatus, Level, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use console::{draw, loaded_state, now, select, typed};

/// A seeded chat with a CRM person, lead sources and several participants, given the fixture's
/// last message (media, call, reactions and a quoted reply), so one detail shows every section.
fn richest(chats: &[Chat]) -> Chat {
    let fixture: Chat = serde_json::from_str(include_str!(
        "../../shared/fixtures/api-samples/wegly-chat-detail.json"
    ))
    .unwrap();
    let mut chat = chats
        .iter()
        .find(|c| {
            c.crm_person
                .as_ref()
                .is_some_and(|p| p.documents.as_ref().is_some_and(|d| d.len() == 2))
                && c.participants.as_ref().is_some_and(|p| p.len() >= 2)
        })
        .or_else(|| {
            chats.iter().find(|c| {
                c.crm_person.is_some() && c.participants.as_ref().is_some_and(|p| p.len() >= 2)
            })
        })
        .cloned()
        .unwrap();
    let mut message: Message = fixture.last_message.unwrap();
    message.meta_timestamp = Some(balcao::api::timestamp::Timestamp::from_datetime(
        now() - chrono::Duration::minutes(42),
    ));
    chat.last_message = Some(message);
    chat
}

fn show_richest(state: &mut State, chats: &mut [Chat]) -> Chat {
    let chat = richest(chats);
    let id = chat.id.clone().unwrap();
    if let Some(slot) = chats.iter_mut().find(|c| c.id == chat.id) {
        *slot = chat.clone();
    }
    select(state, chats, &id);
    chat
}

#[test]
fn loading_and_empty_inbox() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Resize(120, 30));
    insta::assert_snapshot!("loading_120x30", draw(&state, (120, 30)).backend());
    update(&mut state, Msg::Rows(Vec::new()));
    insta::assert_snapshot!("empty_inbox_120x30", draw(&state, (120, 30)).backend());
    let mut pt = State::new(Lang::PtBr, now(), "default".to_owned());
    update(&mut pt, Msg::Rows(Vec::new()));
    insta::assert_snapshot!("empty_inbox_pt_120x30", draw(&pt, (120, 30)).backend());
}

#[test]
fn loaded_list_and_full_detail_at_three_widths() {
    let (mut state, mut chats) = loaded_state(Lang::En, (160, 45));
    show_richest(&mut state, &mut chats);
    insta::assert_snapshot!("list_and_detail_160x45", draw(&state, (160, 45)).backend());
    update(&mut state, Msg::Resize(200, 50));
    insta::assert_snapshot!("list_and_detail_200x50", draw(&state, (200, 50)).backend());
    update(&mut state, Msg::Resize(60, 24));
    insta::assert_snapshot!("list_only_60x24", draw(&state, (60, 24)).backend());
    update(&mut state, Msg::Action(Action::FocusNextPane));
    insta::assert_snapshot!("detail_only_60x24", draw(&state, (60, 24)).backend());
}

#[test]
fn portuguese_accents_cjk_and_emoji_align() {
    let (mut state, chats) = loaded_state(Lang::PtBr, (160, 45));
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "tanaka");
    update(&mut state, Msg::Action(Action::Confirm));
    console::show_selected_detail(&mut state, &chats);
    insta::assert_snapshot!("pt_filtered_cjk_160x45", draw(&state, (160, 45)).backend());
    update(&mut state, Msg::Action(Action::ClearFilter));
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "família");
    insta::assert_snapshot!(
        "pt_filter_editing_emoji_160x45",
        draw(&state, (160, 45)).backend()
    );
}

#[test]
fn documents_masked_then_revealed() {
    let (mut state, mut chats) = loaded_state(Lang::En, (160, 45));
    show_richest(&mut state, &mut chats);
    update(&mut state, Msg::Action(Action::FocusNextPane));
    update(&mut state, Msg::Action(Action::RevealDocuments));
    insta::assert_snapshot!(
        "documents_revealed_160x45",
        draw(&state, (160, 45)).backend()
    );
}

#[test]
fn reassign_modal_filtering_and_conflict() {
    let (mut state, mut chats) = loaded_state(Lang::En, (160, 45));
    show_richest(&mut state, &mut chats);
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    typed(&mut state, "joao");
    insta::assert_snapshot!(
        "modal_reassign_filtered_160x45",
        draw(&state, (160, 45)).backend()
    );
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let Some(Command::Api(request)) = commands.first() else {
        panic!("{commands:?}")
    };
    insta::assert_snapshot!(
        "modal_reassign_sending_160x45",
        draw(&state, (160, 45)).backend()
    );
    let mut moved = richest(&chats);
    let other = moved.assignable_agents.as_ref().unwrap()[5].clone();
    moved.assigned_agent = Some(balcao::api::wegly::wire::AssignedAgent {
        agent_id: other.agent_id.clone(),
        user: other.user.clone(),
        extra: serde_json::Map::new(),
    });
    let key = state.detail.key.clone().unwrap();
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: request.id,
            outcome: Ok(ApiReply::ResponsibleChanged(Fresh {
                key,
                conversation: Conversation::Chat(Box::new(moved)),
                summary: None,
            })),
        }),
    );
    insta::assert_snapshot!(
        "modal_reassign_changed_meanwhile_160x45",
        draw(&state, (160, 45)).backend()
    );
}

#[test]
fn remove_create_add_and_help_modals() {
    let (mut state, mut chats) = loaded_state(Lang::En, (160, 45));
    show_richest(&mut state, &mut chats);
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    let responsible_at = state
        .detail
        .conversation
        .as_ref()
        .and_then(Conversation::as_chat)
        .unwrap()
        .participants
        .as_ref()
        .unwrap()
        .iter()
        .position(|p| {
            p.user.as_ref().and_then(|u| u.id.as_deref())
                == state
                    .detail
                    .conversation
                    .as_ref()
                    .and_then(Conversation::as_chat)
                    .unwrap()
                    .responsible_user_id()
        });
    for _ in 0..responsible_at.unwrap_or(0) {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    update(&mut state, Msg::Action(Action::Confirm));
    insta::assert_snapshot!(
        "modal_remove_responsible_refused_160x45",
        draw(&state, (160, 45)).backend()
    );
    update(&mut state, Msg::Action(Action::Cancel));

    update(&mut state, Msg::Action(Action::CreateChat));
    typed(&mut state, &"9".repeat(51));
    for _ in 0..3 {
        update(&mut state, Msg::Action(Action::NextField));
    }
    typed(&mut state, "BODY=oops");
    update(&mut state, Msg::Action(Action::Confirm));
    insta::assert_snapshot!(
        "modal_create_invalid_160x45",
        draw(&state, (160, 45)).backend()
    );
    update(&mut state, Msg::Action(Action::Cancel));

    update(&mut state, Msg::Action(Action::AddChat));
    typed(&mut state, "not-an-id");
    update(&mut state, Msg::Action(Action::Confirm));
    insta::assert_snapshot!(
        "modal_add_invalid_100x30",
        draw(&state, (100, 30)).backend()
    );
    update(&mut state, Msg::Action(Action::Cancel));

    update(&mut state, Msg::Action(Action::Help));
    insta::assert_snapshot!("modal_help_120x45", draw(&state, (120, 45)).backend());
}

#[test]
fn error_states() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 30));
    let commands = update(&mut state, Msg::Action(Action::OpenChat));
    let Some(Command::Api(request)) = commands.iter().find(|c| matches!(c, Command::Api(_))) else {
        panic!("{commands:?}")
    };
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: request.id,
            outcome: Err(ApiError::Network {
                url: "http://127.0.0.1:9/integrations/external/chats/x".to_owned(),
                detail: "connection refused".to_owned(),
            }),
        }),
    );
    state.notification = None;
    insta::assert_snapshot!(
        "detail_failed_offline_120x30",
        draw(&state, (120, 30)).backend()
    );

    let commands = update(&mut state, Msg::Action(Action::Refresh));
    let Some(Command::Api(request)) = commands.iter().find(|c| matches!(c, Command::Api(_))) else {
        panic!("{commands:?}")
    };
    let key = state.detail.key.clone().unwrap();
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: request.id,
            outcome: Ok(ApiReply::Gone(key, None)),
        }),
    );
    assert_eq!(state.detail.status, DetailStatus::Gone);
    insta::assert_snapshot!(
        "detail_gone_with_notification_120x30",
        draw(&state, (120, 30)).backend()
    );

    state.connection.auth_refused = true;
    state.notify(
        Level::Error,
        "token refused (HTTP 401 invalid_token). Check --token / WEGLY_TOKEN".to_owned(),
    );
    insta::assert_snapshot!("token_refused_120x30", draw(&state, (120, 30)).backend());

    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "zzzz-nobody");
    insta::assert_snapshot!("filter_no_match_120x30", draw(&state, (120, 30)).backend());

    let _ = chats;
    insta::assert_snapshot!("too_small_40x10", draw(&state, (40, 10)).backend());
}
