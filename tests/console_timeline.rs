//! The conversation in the console (`show_timeline`): the reducer (opening from the index then
//! the fetch, the message cursor, older pages, closing, rooms) and its frames in both languages
//! at two sizes (every message kind, both message shapes, a long message, hostile text, and the
//! offline "as of").
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
use balcao::api::actor::TimelinePage;
use balcao::api::timeline::StoredConversation;
use balcao::api::wegly::wire::TimelineEvent;
use balcao::console::action::Action;
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Msg, RequestId};
use balcao::console::state::{Focus, State};
use balcao::console::timeline::{self, note_sent, selected_message};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, Columns};
use console::{draw, loaded_state, now, snapshot_cases};
use serde_json::json;

/// A timeline event holding `message` (a v1 message, or v2's reduced record).
fn event(n: usize, message: &serde_json::Value) -> TimelineEvent {
    serde_json::from_value(json!({
        "id": format!("evt-{n}"),
        "event_type": "MESSAGE",
        "event_at": "2026-11-20T13:00:00Z",
        "message": message,
    }))
    .unwrap()
}

/// Every kind of message, in both shapes: a customer's text with a reaction, an agent's reply
/// quoting it, a photo, a call, a v2 record (text only in `content_payload`), a long message and
/// one full of hostile characters.
fn every_kind() -> Vec<TimelineEvent> {
    let first = json!({
        "id": "wamid.1", "type": "text", "origin": "INBOUND", "from_me": false,
        "sent_via": "CONTACT", "status": "read", "body_text": "Oi! Meu pedido 48213 ainda não chegou.",
        "meta_timestamp": "2026-11-20T12:02:00Z",
        "reactions": [{"emoji": "👍", "actor": "USER", "reactor_user_id": "u-1"}]
    });
    let long = "Bom dia! Segue o resumo do que combinamos por telefone: a troca será feita na loja \
        da Avenida Paulista, o senhor leva a nota fiscal e a embalagem original, e o reembolso da \
        diferença cai no cartão em até duas faturas. Se preferir, podemos buscar o produto na sua \
        casa sem custo; é só responder esta mensagem com o melhor horário. Obrigado pela paciência!";
    vec![
        event(0, &first),
        event(
            1,
            &json!({
                "id": "wamid.2", "type": "text", "origin": "OUTBOUND", "from_me": true,
                "sent_via": "AGENT", "status": "delivered",
                "body_text": "Olá! Já verifiquei: saiu para entrega hoje.",
                "meta_timestamp": "2026-11-20T12:05:00Z",
                "agent": {"id": "a-1", "user": {"id": "u-1", "name": "Carlos Mendes"}},
                "quoted_message": first,
            }),
        ),
        event(
            2,
            &json!({
                "id": "wamid.3", "type": "image", "origin": "INBOUND", "from_me": false,
                "status": "read", "body_text": "", "meta_timestamp": "2026-11-20T12:07:00Z",
                "media": {"mime_type": "image/jpeg", "file_name": "foto-embalagem.jpg"}
            }),
        ),
        event(
            3,
            &json!({
                "id": "wamid.4", "type": "call", "origin": "INBOUND", "from_me": false,
                "meta_timestamp": "2026-11-20T12:10:00Z",
                "call": {"direction": "INBOUND", "status": "COMPLETED", "duration_ms": 402_000,
                         "has_recording": true}
            }),
        ),
        event(
            4,
            &json!({
                "id": "wamid.5", "from_me": true,
                "content_payload": {"text": {"body": "Registro v2: a troca foi aprovada."}},
                "meta_timestamp": "1795178400",
                "agent": {"id": "a-2", "user": {"id": "u-2", "name": "Ana Luíza Ferreira"}},
                "reactions": [{"emoji": "❤️", "reactor_wa_id": "5511987654321"}]
            }),
        ),
        event(
            5,
            &json!({
                "id": "wamid.6", "type": "text", "origin": "OUTBOUND", "from_me": true,
                "status": "sent", "body_text": long, "meta_timestamp": "2026-11-20T13:20:00Z",
                "user": {"id": "u-1", "name": "Carlos Mendes"}
            }),
        ),
        event(
            6,
            &json!({
                "id": "wamid.7", "type": "text", "origin": "INBOUND", "from_me": false,
                "status": "read",
                "body_text": "\u{1b}[31mvermelho\u{1b}[0m \u{202e}invertido\u{202c} nul\u{0}fim\u{7} \u{9b}2J",
                "meta_timestamp": "2026-11-20T14:30:00Z"
            }),
        ),
    ]
}

/// The events' positions in a 60-event timeline: the newest page.
const FIRST: i64 = 53;
const TOTAL: i64 = 60;

/// Opens the conversation of the selected chat; returns the page request's id and its key.
fn open(state: &mut State) -> (RequestId, ChatKey, Vec<Command>) {
    let commands = update(state, Msg::Action(Action::ShowTimeline));
    let Some((id, key)) = commands.iter().find_map(|command| match command {
        Command::Api(request) => match &request.call {
            ApiCall::Timeline { key, page: 1 } => Some((request.id, key.clone())),
            _ => None,
        },
        _ => None,
    }) else {
        panic!("no page asked for: {commands:?}")
    };
    (id, key, commands)
}

fn page(key: &ChatKey, page: u32, first: i64, events: Vec<TimelineEvent>) -> ApiReply {
    ApiReply::Timeline(Box::new(TimelinePage {
        key: key.clone(),
        page,
        events,
        first_position: first,
        total: Some(TOTAL),
        older: first > 0,
    }))
}

fn answer(state: &mut State, id: RequestId, outcome: Result<ApiReply, ApiError>) -> Vec<Command> {
    update(state, Msg::Api(ApiEvent { id, outcome }))
}

fn fetched_state(lang: Lang, size: (u16, u16)) -> State {
    let (mut state, _) = loaded_state(lang, size);
    let (id, key, _) = open(&mut state);
    answer(&mut state, id, Ok(page(&key, 1, FIRST, every_kind())));
    state
}

fn offline(err_url: &str) -> ApiError {
    ApiError::Network {
        url: err_url.to_owned(),
        detail: "connection refused".to_owned(),
    }
}

#[test]
fn opening_reads_the_index_and_fetches_the_newest_page() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let (id, key, commands) = open(&mut state);
    assert!(
        commands.contains(&Command::ReadTimeline(key.clone())),
        "{commands:?}"
    );
    assert_eq!(state.focus, Focus::Detail);
    let open = timeline::shown(&state).unwrap();
    assert!(open.events.is_empty() && open.loading.is_some());

    // The index answers first: shown at once, as of its fetch.
    let stored_at = now() - chrono::Duration::hours(2);
    let stored = every_kind()[..3].to_vec();
    update(
        &mut state,
        Msg::TimelineRead {
            key: key.clone(),
            read: Ok(Some(StoredConversation {
                events: (FIRST..).zip(stored).collect(),
                total: Some(TOTAL - 4),
                fetched_at: stored_at,
            })),
        },
    );
    let open = timeline::shown(&state).unwrap();
    assert_eq!(
        (open.events.len(), open.cursor),
        (3, 2),
        "the newest under the cursor"
    );
    assert_eq!(open.fetched_at, Some(stored_at));

    // Then the fetch: it replaces them.
    answer(&mut state, id, Ok(page(&key, 1, FIRST, every_kind())));
    let open = timeline::shown(&state).unwrap();
    assert_eq!((open.events.len(), open.cursor), (7, 6));
    assert_eq!((open.fetched_at, open.loading), (Some(now()), None));
    // A read of the index that comes late changes nothing.
    update(
        &mut state,
        Msg::TimelineRead {
            key,
            read: Ok(Some(StoredConversation {
                events: Vec::new(),
                total: None,
                fetched_at: stored_at,
            })),
        },
    );
    assert_eq!(timeline::shown(&state).unwrap().events.len(), 7);
}

#[test]
fn the_cursor_moves_by_message_and_loads_the_older_page_past_the_oldest() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let (id, key, _) = open(&mut state);
    // 50 events of 60: positions 10 to 59.
    let newest: Vec<TimelineEvent> = (10..60)
        .map(|n| event(n, &json!({"id": format!("m{n}"), "body_text": "x"})))
        .collect();
    answer(&mut state, id, Ok(page(&key, 1, 10, newest)));
    let cursor = |state: &State| timeline::shown(state).unwrap().cursor;
    assert_eq!(cursor(&state), 49);
    assert!(update(&mut state, Msg::Action(Action::SelectPrev)).is_empty());
    assert_eq!(cursor(&state), 48);
    update(&mut state, Msg::Action(Action::PageUp));
    assert_eq!(cursor(&state), 43);
    update(&mut state, Msg::Action(Action::PageDown));
    update(&mut state, Msg::Action(Action::SelectNext));
    update(&mut state, Msg::Action(Action::SelectNext));
    assert_eq!(cursor(&state), 49, "not past the newest");
    update(&mut state, Msg::Action(Action::SelectFirst));
    assert_eq!(cursor(&state), 0);
    assert_eq!(selected_message(&state).unwrap().0, "m10");

    // Up from the oldest shown: the page before it.
    let commands = update(&mut state, Msg::Action(Action::SelectPrev));
    let [Command::Api(request)] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(
        request.call,
        ApiCall::Timeline {
            key: key.clone(),
            page: 2
        }
    );
    assert!(
        update(&mut state, Msg::Action(Action::SelectPrev)).is_empty(),
        "one page at a time"
    );
    let older: Vec<TimelineEvent> = (0..10)
        .map(|n| event(n, &json!({"id": format!("m{n}"), "body_text": "y"})))
        .collect();
    answer(&mut state, request.id, Ok(page(&key, 2, 0, older)));
    let open = timeline::shown(&state).unwrap();
    assert_eq!(open.events.len(), 60);
    assert_eq!(
        selected_message(&state).unwrap().0,
        "m10",
        "the cursor stays on its message"
    );
    assert!(!open.older());
    update(&mut state, Msg::Action(Action::SelectFirst));
    assert!(
        update(&mut state, Msg::Action(Action::SelectPrev)).is_empty(),
        "nothing older"
    );

    // A message sent in the chat: the newest page again.
    let commands = note_sent(&mut state, &key);
    assert!(matches!(
        commands.as_slice(),
        [Command::Api(request)] if request.call == ApiCall::Timeline { key: key.clone(), page: 1 }
    ));
}

#[test]
fn show_timeline_again_or_cancel_goes_back_to_the_detail() {
    let mut state = fetched_state(Lang::En, (120, 40));
    assert!(timeline::shown(&state).is_some());
    update(&mut state, Msg::Action(Action::ShowTimeline));
    assert!(timeline::shown(&state).is_none(), "toggled back");
    let (id, _, _) = open(&mut state);
    assert!(
        timeline::shown(&state).unwrap().events.len() == 7,
        "kept while closed"
    );
    answer(&mut state, id, Err(offline("http://127.0.0.1:9/x")));
    update(&mut state, Msg::Action(Action::Cancel));
    assert!(timeline::shown(&state).is_none());
    assert_eq!(
        state.focus,
        Focus::Detail,
        "cancel leaves the conversation first"
    );
    update(&mut state, Msg::Action(Action::Cancel));
    assert_eq!(state.focus, Focus::List);
}

#[test]
fn the_message_under_the_cursor_is_what_a_reply_quotes() {
    let mut state = fetched_state(Lang::PtBr, (120, 40));
    update(&mut state, Msg::Action(Action::SelectFirst));
    assert_eq!(
        selected_message(&state),
        Some((
            "wamid.1".to_owned(),
            "cliente: Oi! Meu pedido 48213 ainda não chegou.".to_owned()
        ))
    );
    update(&mut state, Msg::Action(Action::SelectLast));
    let (_, preview) = selected_message(&state).unwrap();
    assert!(
        !preview.chars().any(balcao::text::is_hostile),
        "{preview:?}"
    );
}

#[test]
fn a_room_has_no_conversation_and_says_so() {
    let mut state = State::new(Lang::PtBr, now(), "default".to_owned());
    let room = console::row(
        ChatKey::agilize("default", "room-1"),
        Columns {
            contact: Some("Sala".to_owned()),
            ..Columns::default()
        },
    );
    update(&mut state, Msg::Rows(vec![room]));
    let commands = update(&mut state, Msg::Action(Action::ShowTimeline));
    assert!(commands.is_empty(), "{commands:?}");
    let text = &state.notification.as_ref().unwrap().text;
    assert!(text.contains("mostrar a conversa"), "{text}");
    assert!(state.timeline.is_none());
}

#[test]
fn frames_of_every_kind_in_both_languages() {
    for (lang, tag, size) in snapshot_cases() {
        let mut state = fetched_state(lang, size);
        let frame = draw(&state, size);
        let text = frame.backend().to_string();
        assert!(
            !text.chars().any(balcao::text::is_hostile),
            "hostile text reached the screen"
        );
        insta::assert_snapshot!(
            format!("timeline_newest_{tag}_{}x{}", size.0, size.1),
            frame.backend()
        );
        update(&mut state, Msg::Action(Action::SelectFirst));
        insta::assert_snapshot!(
            format!("timeline_oldest_{tag}_{}x{}", size.0, size.1),
            draw(&state, size).backend()
        );
    }
}

#[test]
fn frames_offline_as_of_the_stored_fetch() {
    for (lang, tag, size) in snapshot_cases() {
        let (mut state, _) = loaded_state(lang, size);
        let (id, key, _) = open(&mut state);
        update(
            &mut state,
            Msg::TimelineRead {
                key,
                read: Ok(Some(StoredConversation {
                    events: (FIRST..).zip(every_kind()).collect(),
                    total: Some(TOTAL),
                    fetched_at: now() - chrono::Duration::minutes(95),
                })),
            },
        );
        insta::assert_snapshot!(
            format!("timeline_refreshing_{tag}_{}x{}", size.0, size.1),
            draw(&state, size).backend()
        );
        answer(
            &mut state,
            id,
            Err(offline(
                "http://127.0.0.1:9/integrations/external/chats/x/timeline",
            )),
        );
        state.notification = None;
        insta::assert_snapshot!(
            format!("timeline_offline_{tag}_{}x{}", size.0, size.1),
            draw(&state, size).backend()
        );
    }
}

#[test]
fn a_new_message_in_the_chat_shown_fetches_the_newest_page_again() {
    let mut state = fetched_state(Lang::En, (120, 40));
    let key = timeline::shown(&state).unwrap().key.clone();
    let mut row = state.inbox.row(&key).unwrap().summary.clone();
    // The row as it was: nothing newer than the newest event shown (2026-11-20 13:00).
    row.columns.last_message_at = Some(now() - chrono::Duration::hours(3));
    assert!(update(&mut state, Msg::RowChanged(row.clone())).is_empty());
    // The customer writes.
    row.columns.last_message_at = Some(now() + chrono::Duration::seconds(5));
    let commands = update(&mut state, Msg::RowChanged(row.clone()));
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::Api(request) if request.call == ApiCall::Timeline { key: key.clone(), page: 1 }
        )),
        "{commands:?}"
    );
    let Some(Command::Api(request)) = commands.iter().find(|c| matches!(c, Command::Api(_))) else {
        panic!("{commands:?}")
    };
    answer(
        &mut state,
        request.id,
        Ok(page(&key, 1, FIRST, every_kind())),
    );
    // Closed: the chat's news is the detail's business.
    update(&mut state, Msg::Action(Action::Cancel));
    let commands = update(&mut state, Msg::RowChanged(row));
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::Api(r) if matches!(r.call, ApiCall::Timeline { .. }))),
        "{commands:?}"
    );
}

#[test]
fn a_failed_read_of_the_stored_conversation_is_said_in_the_person_s_language() {
    let (mut state, _) = loaded_state(Lang::PtBr, (120, 40));
    let (_, key, _) = open(&mut state);
    update(
        &mut state,
        Msg::TimelineRead {
            key,
            read: Err("database disk image is malformed".to_owned()),
        },
    );
    let said = state
        .notification
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(said.contains("conversa guardada"), "{said}");
    assert!(
        !said.contains("database"),
        "the store's English words stay in the log: {said}"
    );
}

#[test]
fn news_while_an_older_page_loads_fetches_the_newest_page_when_it_answers() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let (id, key, _) = open(&mut state);
    let newest: Vec<TimelineEvent> = (10..60)
        .map(|n| event(n, &json!({"id": format!("m{n}"), "body_text": "x"})))
        .collect();
    answer(&mut state, id, Ok(page(&key, 1, 10, newest)));
    update(&mut state, Msg::Action(Action::SelectFirst));
    let commands = update(&mut state, Msg::Action(Action::SelectPrev));
    let [Command::Api(older)] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    // The customer writes while the older page is on its way.
    let mut row = state.inbox.row(&key).unwrap().summary.clone();
    row.columns.last_message_at = Some(now() + chrono::Duration::days(1));
    update(&mut state, Msg::RowChanged(row));
    let older_events: Vec<TimelineEvent> = (0..10)
        .map(|n| event(n, &json!({"id": format!("m{n}"), "body_text": "x"})))
        .collect();
    let commands = answer(&mut state, older.id, Ok(page(&key, 2, 0, older_events)));
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::Api(request) if request.call == ApiCall::Timeline { key: key.clone(), page: 1 }
        )),
        "the news is not lost: {commands:?}"
    );
}
