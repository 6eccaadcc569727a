//! The reply composer and drafts through the reducer: opening, typing, cancelling keeps the
//! draft, sending clears it, an empty text is refused, a closed window switches to a template,
//! a 422 keeps the text, one send per chat at a time, draft saves coalesced, a newer draft of
//! another console kept; and the composer's screens in both languages and two sizes.
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
use balcao::api::actor::{ApiEvent, ApiReply, Sent};
use balcao::api::error::ServerReply;
use balcao::api::reply::{Outgoing, Template};
use balcao::console::action::Action;
use balcao::console::app::translate;
use balcao::console::composer::{Composer, Mode, Quote, SendState};
use balcao::console::keymap::Keymap;
use balcao::console::modal::Modal;
use balcao::console::msg::{ApiCall, Command, Msg};
use balcao::console::state::State;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::ChatKey;
use balcao::store::drafts::{DraftSaved, StoredDraft};
use console::{draw, loaded_state, now, select, snapshot_cases, typed};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// A loaded state with a chat selected whose window is open (an hour of margin) or closed.
fn on_chat(lang: Lang, size: (u16, u16), open: bool) -> (State, ChatKey) {
    let (mut state, chats) = loaded_state(lang, size);
    let chat = chats
        .iter()
        .find(|chat| {
            let end = chat
                .session_expires_at
                .as_ref()
                .and_then(balcao::api::timestamp::Timestamp::at);
            end.is_some_and(|end| {
                if open {
                    end - now() > chrono::Duration::hours(1)
                } else {
                    end < now()
                }
            })
        })
        .unwrap();
    let id = chat.id.clone().unwrap();
    select(&mut state, &chats, &id);
    (state, ChatKey::wegly("default", &id))
}

fn composer(state: &State) -> &Composer {
    match &state.modal {
        Some(Modal::Composer(composer)) => composer,
        other => panic!("no composer: {other:?}"),
    }
}

fn act(state: &mut State, action: Action) -> Vec<Command> {
    update(state, Msg::Action(action))
}

/// The send the commands ask for, with its request id.
fn sent(commands: &[Command]) -> Option<(balcao::console::msg::RequestId, Outgoing)> {
    commands.iter().find_map(|command| match command {
        Command::Api(request) => match &request.call {
            ApiCall::SendMessage { message, .. } => Some((request.id, message.clone())),
            _ => None,
        },
        _ => None,
    })
}

fn saves(commands: &[Command]) -> Vec<(String, i64)> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::SaveDraft {
                draft, based_on, ..
            } => Some((draft.body.clone(), *based_on)),
            _ => None,
        })
        .collect()
}

/// A send whose reply was lost and that the re-read could not settle.
fn lost_reply(chat: &ChatKey) -> ApiError {
    ApiError::OutcomeUnknown {
        chat: Some(chat.chat_id.clone()),
        lost: Box::new(ApiError::Timeout {
            url: "http://crm/chats".to_owned(),
            after: std::time::Duration::from_secs(10),
        }),
        reread: None,
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

#[test]
fn open_type_cancel_keeps_and_reopen_restores() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    let commands = act(&mut state, Action::Reply);
    assert!(commands.contains(&Command::LoadDraft(chat.clone())));
    assert_eq!(composer(&state).mode, Mode::Text);
    assert_eq!(composer(&state).key, chat);
    typed(&mut state, "Olá");
    act(&mut state, Action::Cancel);
    assert!(state.modal.is_none());
    assert!(state.replies.has_draft(&chat), "marked in the list");
    let commands = act(&mut state, Action::Reply);
    assert_eq!(composer(&state).editor.text(), "Olá");
    assert!(
        !commands.contains(&Command::LoadDraft(chat)),
        "this console's own draft is used"
    );
}

#[test]
fn keys_go_to_the_text_but_send_and_cancel() {
    let keymap = Keymap::defaults().unwrap();
    let (mut state, _) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    for (event, expected) in [
        (key(KeyCode::Enter, KeyModifiers::NONE), None),
        (key(KeyCode::Down, KeyModifiers::NONE), None),
        (
            key(KeyCode::Char('s'), KeyModifiers::CONTROL),
            Some(Action::SendReply),
        ),
        (key(KeyCode::Esc, KeyModifiers::NONE), Some(Action::Cancel)),
    ] {
        let msg = translate(&event, &state, &keymap).unwrap();
        match expected {
            Some(action) => assert_eq!(msg, Msg::Action(action)),
            None => assert!(matches!(msg, Msg::Input(_)), "{event:?} is typing: {msg:?}"),
        }
    }
    typed(&mut state, "linha um");
    update(
        &mut state,
        Msg::Input(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    typed(&mut state, "linha dois");
    assert_eq!(composer(&state).editor.text(), "linha um\nlinha dois");
    // ctrl-w deletes a word; a paste is one insert, its line breaks kept as lines.
    update(
        &mut state,
        Msg::Input(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL)),
    );
    assert_eq!(composer(&state).editor.text(), "linha um\nlinha ");
    update(&mut state, Msg::Paste("três\r\nquatro".to_owned()));
    assert_eq!(
        composer(&state).editor.text(),
        "linha um\nlinha três\nquatro"
    );
}

#[test]
fn saves_are_one_at_a_time_and_the_newest_text_follows() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    let first = update(
        &mut state,
        Msg::Input(KeyEvent::new(KeyCode::Char('O'), KeyModifiers::NONE)),
    );
    assert_eq!(saves(&first), [("O".to_owned(), 0)]);
    let mut later = Vec::new();
    for c in "lá, tudo bem?".chars() {
        later.extend(update(
            &mut state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        ));
    }
    assert!(saves(&later).is_empty(), "no save while one is in flight");
    let next = update(
        &mut state,
        Msg::DraftWritten {
            key: chat.clone(),
            body: "O".to_owned(),
            outcome: Ok(DraftSaved::Saved { revision: 1 }),
        },
    );
    assert_eq!(saves(&next), [("Olá, tudo bem?".to_owned(), 1)]);
    let done = update(
        &mut state,
        Msg::DraftWritten {
            key: chat,
            body: "Olá, tudo bem?".to_owned(),
            outcome: Ok(DraftSaved::Saved { revision: 2 }),
        },
    );
    assert!(saves(&done).is_empty(), "nothing new to save");
}

#[test]
fn a_newer_draft_of_another_console_is_kept_and_said() {
    let (mut state, chat) = on_chat(Lang::PtBr, (120, 40), true);
    act(&mut state, Action::Reply);
    typed(&mut state, "meu texto");
    let theirs = StoredDraft {
        key: chat.clone(),
        body: "texto do outro console".to_owned(),
        reply_to: None,
        revision: 4,
        written_by: Some("outro".to_owned()),
        updated_at: now(),
    };
    let commands = update(
        &mut state,
        Msg::DraftWritten {
            key: chat,
            body: "m".to_owned(),
            outcome: Ok(DraftSaved::Newer(theirs)),
        },
    );
    // Neither text is lost: the newer one comes first, ours follows under a line that says
    // whose it is, and the next save is based on the newer revision, so it keeps both.
    let composer = composer(&state);
    let text = composer.editor.text();
    assert!(
        text.starts_with("texto do outro console\n"),
        "the newer draft first: {text:?}"
    );
    assert!(text.ends_with("\nmeu texto"), "ours after it: {text:?}");
    let notice = composer.notice.clone().unwrap();
    assert!(
        notice.contains("rascunho mais novo de outro console"),
        "{notice}"
    );
    assert_eq!(
        saves(&commands),
        [(text, 4)],
        "saved over the newer revision, holding both texts"
    );
}

#[test]
fn a_stored_draft_is_restored_when_the_composer_opens() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    update(
        &mut state,
        Msg::DraftLoaded {
            key: chat.clone(),
            draft: Some(StoredDraft {
                key: chat.clone(),
                body: "meio escrito".to_owned(),
                reply_to: None,
                revision: 3,
                written_by: None,
                updated_at: now(),
            }),
        },
    );
    assert_eq!(composer(&state).editor.text(), "meio escrito");
    let commands = update(
        &mut state,
        Msg::Input(KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE)),
    );
    assert_eq!(
        saves(&commands),
        [("meio escrito!".to_owned(), 3)],
        "saved over the revision read"
    );
}

#[test]
fn send_clears_and_the_outcome_is_shown() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    typed(&mut state, "Já resolvo.");
    update(
        &mut state,
        Msg::DraftWritten {
            key: chat.clone(),
            body: "Já resolvo.".to_owned(),
            outcome: Ok(DraftSaved::Saved { revision: 5 }),
        },
    );
    let commands = act(&mut state, Action::SendReply);
    let (id, message) = sent(&commands).unwrap();
    assert_eq!(
        message,
        Outgoing::Text {
            body: "Já resolvo.".to_owned(),
            reply_to: None
        }
    );
    assert!(state.modal.is_none());
    assert_eq!(state.replies.status.get(&chat), Some(&SendState::Sending));
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Sent(Sent {
                key: chat.clone(),
                message_id: "m-1".to_owned(),
                verified: true,
                fresh: None,
            })),
        }),
    );
    assert!(commands.contains(&Command::ClearDraft {
        key: chat.clone(),
        based_on: 5
    }));
    assert_eq!(
        state.replies.status.get(&chat),
        Some(&SendState::Sent { verified: true })
    );
    assert!(!state.replies.has_draft(&chat));
    act(&mut state, Action::Reply);
    assert_eq!(composer(&state).editor.text(), "");
}

#[test]
fn an_empty_reply_is_refused_before_any_request() {
    let (mut state, _) = on_chat(Lang::PtBr, (120, 40), true);
    act(&mut state, Action::Reply);
    typed(&mut state, "   ");
    let commands = act(&mut state, Action::SendReply);
    assert!(sent(&commands).is_none());
    let notice = composer(&state).notice.clone().unwrap();
    assert!(notice.contains("vazia"), "{notice}");
}

#[test]
fn a_closed_window_switches_to_a_template() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), false);
    let commands = act(&mut state, Action::Reply);
    assert!(commands.contains(&Command::ReadTemplates(chat.clone())));
    assert!(matches!(
        composer(&state).mode,
        Mode::PickTemplate {
            templates: None,
            ..
        }
    ));
    assert!(
        composer(&state)
            .notice
            .as_deref()
            .unwrap()
            .contains("window is closed")
    );
    update(&mut state, Msg::Templates(templates()));
    act(&mut state, Action::SelectNext);
    act(&mut state, Action::Confirm);
    typed(&mut state, "João");
    let commands = act(&mut state, Action::SendReply);
    let (_, message) = sent(&commands).unwrap();
    assert_eq!(
        message,
        Outgoing::Template {
            name: "retomar_contato".to_owned(),
            language: "pt_BR".to_owned(),
            fields: vec!["João".to_owned()],
        }
    );
    assert_eq!(state.replies.status.get(&chat), Some(&SendState::Sending));
}

fn templates() -> Vec<Template> {
    vec![
        Template {
            name: "boas_vindas".to_owned(),
            language: "pt_BR".to_owned(),
            fields: 0,
        },
        Template {
            name: "retomar_contato".to_owned(),
            language: "pt_BR".to_owned(),
            fields: 1,
        },
    ]
}

#[test]
fn a_422_keeps_the_text_and_a_second_send_is_busy() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    typed(&mut state, "Segue o link");
    let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
    // While it is in flight, a second send to the chat is refused.
    act(&mut state, Action::Reply);
    typed(&mut state, "!");
    assert!(sent(&act(&mut state, Action::SendReply)).is_none());
    assert!(
        composer(&state)
            .notice
            .as_deref()
            .unwrap()
            .starts_with("busy")
    );
    act(&mut state, Action::Cancel);
    let refused = ApiError::Refused(ServerReply {
        status: 422,
        code: Some("unknown_reference".to_owned()),
        ..ServerReply::default()
    });
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(refused),
        }),
    );
    assert_eq!(composer(&state).editor.text(), "Segue o link!");
    assert!(composer(&state).notice.as_deref().unwrap().contains("422"));
    assert!(matches!(
        state.replies.status.get(&chat),
        Some(SendState::Failed(_))
    ));
}

#[test]
fn a_quoted_reply_is_sent_with_the_quoted_id() {
    let (mut state, _) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    if let Some(Modal::Composer(composer)) = &mut state.modal {
        composer.quote = Some(Quote {
            id: "wamid.abc".to_owned(),
            preview: "Meu pedido não chegou".to_owned(),
        });
    }
    typed(&mut state, "Vou ver");
    let (_, message) = sent(&act(&mut state, Action::SendReply)).unwrap();
    assert_eq!(message.reply_to(), Some("wamid.abc"));
}

#[test]
fn composer_screens() {
    for (lang, tag, size) in snapshot_cases() {
        let (mut state, _) = on_chat(lang, size, true);
        act(&mut state, Action::Reply);
        if let Some(Modal::Composer(composer)) = &mut state.modal {
            composer.quote = Some(Quote {
                id: "wamid.abc".to_owned(),
                preview: "Meu pedido não chegou ainda, pode ver?".to_owned(),
            });
        }
        typed(&mut state, "Olá! Já estou vendo o seu pedido.");
        let (w, h) = size;
        insta::assert_snapshot!(
            format!("composer_text_{tag}_{w}x{h}"),
            draw(&state, size).backend()
        );
        act(&mut state, Action::Cancel);
        act(&mut state, Action::FocusNextPane);
        insta::assert_snapshot!(
            format!("draft_marker_{tag}_{w}x{h}"),
            draw(&state, size).backend()
        );
        let (mut state, _) = on_chat(lang, size, false);
        act(&mut state, Action::Reply);
        update(&mut state, Msg::Templates(templates()));
        insta::assert_snapshot!(
            format!("composer_template_{tag}_{w}x{h}"),
            draw(&state, size).backend()
        );
    }
}

#[test]
fn send_states_on_screen() {
    for (lang, tag) in [(Lang::PtBr, "pt"), (Lang::En, "en")] {
        let size = (120, 40);
        let (mut state, chat) = on_chat(lang, size, true);
        act(&mut state, Action::Reply);
        typed(&mut state, "Pronto.");
        let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
        insta::assert_snapshot!(format!("reply_sending_{tag}"), draw(&state, size).backend());
        update(
            &mut state,
            Msg::Api(ApiEvent {
                id,
                outcome: Ok(ApiReply::Sent(Sent {
                    key: chat.clone(),
                    message_id: "m".to_owned(),
                    verified: false,
                    fresh: None,
                })),
            }),
        );
        act(&mut state, Action::Reply);
        insta::assert_snapshot!(format!("reply_sent_{tag}"), draw(&state, size).backend());
        typed(&mut state, "De novo");
        let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
        let lost = lost_reply(&chat);
        update(
            &mut state,
            Msg::Api(ApiEvent {
                id,
                outcome: Err(lost),
            }),
        );
        insta::assert_snapshot!(format!("reply_failed_{tag}"), draw(&state, size).backend());
    }
}

#[test]
fn a_sent_reply_refreshes_the_open_conversation() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    let opened = act(&mut state, Action::ShowTimeline);
    // The conversation's first fetch ends (here, offline) before the reply is sent.
    let first = opened
        .iter()
        .find_map(|command| match command {
            Command::Api(request) => Some(request.id),
            _ => None,
        })
        .unwrap();
    let offline = ApiError::Network {
        url: "http://crm/timeline".to_owned(),
        detail: "connection refused".to_owned(),
    };
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: first,
            outcome: Err(offline),
        }),
    );
    act(&mut state, Action::Reply);
    typed(&mut state, "Feito");
    let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Sent(Sent {
                key: chat.clone(),
                message_id: "m".to_owned(),
                verified: false,
                fresh: None,
            })),
        }),
    );
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::Api(request)
                if request.call == ApiCall::Timeline { key: chat.clone(), page: 1 }
        )),
        "{commands:?}"
    );
}

#[test]
fn a_paste_outside_the_composer_is_typed_on_one_line() {
    let (mut state, _) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Filter);
    update(&mut state, Msg::Paste("Maria\nSilva".to_owned()));
    assert_eq!(state.inbox.filter_text, "Maria Silva");
    assert!(
        matches!(state.modal, Some(Modal::Filter { .. })),
        "a pasted line break does not apply the filter"
    );
}

#[test]
fn writing_on_while_a_reply_goes_out_keeps_the_new_text() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), true);
    act(&mut state, Action::Reply);
    typed(&mut state, "Primeira");
    let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
    act(&mut state, Action::Reply);
    typed(&mut state, " e segunda");
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Sent(Sent {
                key: chat.clone(),
                message_id: "m".to_owned(),
                verified: false,
                fresh: None,
            })),
        }),
    );
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Command::ClearDraft { .. })),
        "{commands:?}"
    );
    assert_eq!(composer(&state).editor.text(), "Primeira e segunda");
    assert!(state.replies.has_draft(&chat));
}

#[test]
fn a_closed_window_shows_the_conversation_and_reads_its_templates_once_in() {
    let (mut state, chat) = on_chat(Lang::En, (120, 40), false);
    let commands = act(&mut state, Action::Reply);
    let page = commands
        .iter()
        .find_map(|command| match command {
            Command::Api(request)
                if request.call
                    == (ApiCall::Timeline {
                        key: chat.clone(),
                        page: 1,
                    }) =>
            {
                Some(request.id)
            }
            _ => None,
        })
        .expect("the conversation is fetched");
    let offline = ApiError::Network {
        url: "http://crm/timeline".to_owned(),
        detail: "connection refused".to_owned(),
    };
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id: page,
            outcome: Err(offline),
        }),
    );
    assert!(commands.contains(&Command::ReadTemplates(chat)));
    assert!(matches!(composer(&state).mode, Mode::PickTemplate { .. }));
}

#[test]
fn an_unknown_outcome_is_said_and_the_next_send_asks_first() {
    for (lang, tag) in [(Lang::PtBr, "pt"), (Lang::En, "en")] {
        let size = (120, 40);
        let (mut state, chat) = on_chat(lang, size, true);
        act(&mut state, Action::Reply);
        typed(&mut state, "Pago?");
        let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
        let lost = lost_reply(&chat);
        update(
            &mut state,
            Msg::Api(ApiEvent {
                id,
                outcome: Err(lost),
            }),
        );
        assert_eq!(state.replies.status.get(&chat), Some(&SendState::Unknown));
        act(&mut state, Action::Reply);
        let (words, ask) = match lang {
            Lang::PtBr => (
                "resultado desconhecido: confira a conversa antes de reenviar",
                "de novo para enviar",
            ),
            Lang::En => (
                "outcome unknown: check the conversation before sending again",
                "again to send",
            ),
        };
        let notice = composer(&state).notice.clone().unwrap();
        assert!(notice.contains(words), "{notice}");
        insta::assert_snapshot!(format!("reply_unknown_{tag}"), draw(&state, size).backend());
        // The first send asks; the second, the person having checked, goes.
        assert!(sent(&act(&mut state, Action::SendReply)).is_none());
        let notice = composer(&state).notice.clone().unwrap();
        assert!(notice.contains(ask), "{notice}");
        assert!(sent(&act(&mut state, Action::SendReply)).is_some());
        assert_eq!(state.replies.status.get(&chat), Some(&SendState::Sending));
    }
}

#[test]
fn a_refused_template_comes_back_with_its_values() {
    for busy in [false, true] {
        let (mut state, _) = on_chat(Lang::En, (120, 40), false);
        act(&mut state, Action::Reply);
        update(&mut state, Msg::Templates(templates()));
        act(&mut state, Action::SelectNext);
        act(&mut state, Action::Confirm);
        typed(&mut state, "João");
        let (id, _) = sent(&act(&mut state, Action::SendReply)).unwrap();
        assert!(state.modal.is_none());
        let answer = if busy {
            Msg::ApiBusy(id)
        } else {
            Msg::Api(ApiEvent {
                id,
                outcome: Err(ApiError::Refused(ServerReply {
                    status: 422,
                    code: Some("template_params".to_owned()),
                    ..ServerReply::default()
                })),
            })
        };
        update(&mut state, answer);
        let Mode::FillTemplate {
            template, values, ..
        } = &composer(&state).mode
        else {
            panic!("busy {busy}: {:?}", composer(&state).mode)
        };
        assert_eq!(
            (template.name.as_str(), values.as_slice()),
            ("retomar_contato", ["João".to_owned()].as_slice()),
            "busy {busy}"
        );
        assert!(composer(&state).notice.is_some());
    }
}

#[test]
fn a_quote_restored_from_a_stored_draft_reads_as_a_quoted_message() {
    for (lang, words) in [
        (Lang::PtBr, "mensagem citada"),
        (Lang::En, "quoted message"),
    ] {
        let (mut state, chat) = on_chat(lang, (120, 40), true);
        act(&mut state, Action::Reply);
        update(
            &mut state,
            Msg::DraftLoaded {
                key: chat.clone(),
                draft: Some(StoredDraft {
                    key: chat.clone(),
                    body: "sobre isto".to_owned(),
                    reply_to: Some("wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjA".to_owned()),
                    revision: 2,
                    written_by: None,
                    updated_at: now(),
                }),
            },
        );
        let quote = composer(&state).quote.clone().unwrap();
        assert_eq!(
            (quote.id.as_str(), quote.preview.as_str()),
            ("wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjA", words)
        );
    }
}

#[test]
fn a_draft_not_kept_is_said_in_the_persons_language_without_the_stores_words() {
    for (lang, words) in [
        (Lang::PtBr, "não foi possível guardar o rascunho"),
        (Lang::En, "cannot keep the draft"),
    ] {
        let (mut state, chat) = on_chat(lang, (120, 40), true);
        act(&mut state, Action::Reply);
        typed(&mut state, "O");
        update(
            &mut state,
            Msg::DraftWritten {
                key: chat,
                body: "O".to_owned(),
                outcome: Err("database is locked".to_owned()),
            },
        );
        let text = state.notification.clone().unwrap().text;
        assert!(text.starts_with(words), "{text}");
        assert!(
            !text.contains("database"),
            "the store's English stays in the log: {text}"
        );
    }
}
