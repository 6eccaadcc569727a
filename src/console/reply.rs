//! The reducer's side of replying: opening the composer on a chat (with its draft, quoting a
//! message, or in template mode when the window is closed), its keys and pastes, sending (one
//! send per chat at a time, refused before any request when empty), each send's outcome, and
//! saving drafts as the person types: one save in flight per console, the newest text sent when
//! it ends, never over a newer draft of another console.

use crossterm::event::KeyEvent;

use crate::api::ApiError;
use crate::api::capability::Capability;
use crate::api::providers::supports;
use crate::api::reply::{Outgoing, Unsendable};
use crate::console::action::Action;
use crate::console::changes::{self, not_offered};
use crate::console::composer::{Composer, Editor, Mode, Quote, SendState, Template};
use crate::console::modal::{Modal, edit_text};
use crate::console::msg::{ApiCall, ApiEvent, ApiReply, ApiRequest, Command, Msg, RequestId};
use crate::console::navigate::{apply_changes, open_selected};
use crate::console::reply_drafts::{self, composer, composer_for};
use crate::console::state::{Focus, Level, State};
use crate::store::ChatKey;
use crate::tr;

/// `reply` (and `reply_to_message` with `quote`): opens the composer on the selected chat.
pub fn open(state: &mut State, quote: Option<Quote>) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        changes::nothing_selected(state);
        return Vec::new();
    };
    let key = row.summary.key.clone();
    let contact = row.contact().to_owned();
    let open_window = row
        .summary
        .columns
        .window_ends_at
        .is_some_and(|end| state.now < end);
    if !supports(key.provider, Capability::Reply) {
        let text = not_offered(lang, key.provider, Capability::Reply);
        state.notify(Level::Error, text);
        return Vec::new();
    }
    let mut commands = if state.focus == Focus::List {
        open_selected(state)
    } else {
        Vec::new()
    };
    state.focus = Focus::Detail;
    let kept = state.replies.kept.get(&key).cloned();
    // Nothing of ours (none kept, or the last one sent and cleared): the index's is read.
    if kept
        .as_ref()
        .is_none_or(|kept| kept.text.is_empty() && kept.saved.is_empty())
    {
        commands.push(Command::LoadDraft(key.clone()));
    }
    let kept = kept.unwrap_or_default();
    let mut composer = Composer {
        key,
        contact,
        editor: Editor::with_text(&kept.text),
        quote: quote.or(kept.quote),
        mode: Mode::Text,
        notice: None,
    };
    let closed = !open_window;
    if closed {
        commands.extend(template_mode(&mut composer, lang));
    }
    if composer.notice.is_none()
        && state.replies.status.get(&composer.key) == Some(&SendState::Unknown)
    {
        composer.notice = Some(unknown_outcome(lang));
    }
    state.modal = Some(Modal::Composer(Box::new(composer)));
    // A closed window: the conversation shows above, and the templates it holds are read
    // again once its newest page is in (see `templates_due`).
    if closed && crate::console::timeline::shown(state).is_none() {
        commands.extend(crate::console::timeline::toggle(state));
    }
    commands
}

/// The window is closed: say so and offer the templates this desk has used.
fn template_mode(composer: &mut Composer, lang: crate::i18n::Lang) -> Vec<Command> {
    composer.mode = Mode::PickTemplate {
        templates: None,
        cursor: 0,
    };
    composer.notice = Some(window_closed(lang));
    vec![Command::ReadTemplates(composer.key.clone())]
}

fn unknown_outcome(lang: crate::i18n::Lang) -> String {
    tr!(
        lang,
        "resultado desconhecido: confira a conversa antes de reenviar",
        "outcome unknown: check the conversation before sending again"
    )
}

fn window_closed(lang: crate::i18n::Lang) -> String {
    tr!(
        lang,
        "janela de 24 h fechada: só um modelo (template) pode ser enviado. Escolha um.",
        "the 24 h window is closed: only a template can be sent. Pick one."
    )
}

/// An action while the composer is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    let Some(composer) = composer(state) else {
        return Vec::new();
    };
    match (action, &mut composer.mode) {
        (Action::Cancel, _) => {
            // The draft stays: kept here as typed, and in the index by the saves.
            state.modal = None;
            Vec::new()
        }
        (Action::SendReply, _) => send(state),
        (Action::Quit, _) => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        (Action::SelectNext | Action::SelectPrev, Mode::PickTemplate { templates, cursor }) => {
            let count = templates.as_ref().map_or(0, Vec::len);
            if count > 0 {
                *cursor = if action == Action::SelectNext {
                    (*cursor + 1) % count
                } else {
                    (*cursor + count - 1) % count
                };
            }
            Vec::new()
        }
        (Action::Confirm, Mode::PickTemplate { templates, cursor }) => {
            if let Some(template) = templates.as_ref().and_then(|all| all.get(*cursor)) {
                composer.mode = Mode::FillTemplate {
                    values: vec![String::new(); template.fields],
                    template: template.clone(),
                    field: 0,
                };
                composer.notice = None;
            }
            Vec::new()
        }
        (
            Action::Confirm | Action::NextField | Action::PrevField,
            Mode::FillTemplate { values, field, .. },
        ) if !values.is_empty() => {
            let count = values.len();
            *field = if action == Action::PrevField {
                (*field + count - 1) % count
            } else {
                (*field + 1) % count
            };
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A key the keymap left to the composer: text editing.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    let Some(composer) = composer(state) else {
        return Vec::new();
    };
    match &mut composer.mode {
        Mode::Text => {
            if composer.editor.key(key) {
                return text_changed(state);
            }
        }
        Mode::FillTemplate { values, field, .. } => {
            if let Some(value) = values.get_mut(*field) {
                edit_text(value, key);
            }
        }
        Mode::PickTemplate { .. } => {}
    }
    Vec::new()
}

/// A bracketed paste: one insert into the text (or the template value being typed).
pub fn paste(state: &mut State, text: &str) -> Vec<Command> {
    let Some(composer) = composer(state) else {
        return Vec::new();
    };
    match &mut composer.mode {
        Mode::Text => {
            if composer.editor.paste(text) {
                return text_changed(state);
            }
        }
        Mode::FillTemplate { values, field, .. } => {
            if let Some(value) = values.get_mut(*field) {
                value.push_str(&text.replace(['\r', '\n'], " "));
            }
        }
        Mode::PickTemplate { .. } => {}
    }
    Vec::new()
}

/// The composer's text changed: keep it, and save it unless a save is in flight (its answer
/// sends the newest text then).
fn text_changed(state: &mut State) -> Vec<Command> {
    let Some(composer) = composer(state) else {
        return Vec::new();
    };
    let (key, text, quote) = (
        composer.key.clone(),
        composer.editor.text(),
        composer.quote.clone(),
    );
    let kept = state.replies.kept.entry(key).or_default();
    kept.text = text;
    kept.quote = quote;
    reply_drafts::next_save(state)
}

/// `send_reply`: sends what the composer holds, once.
fn send(state: &mut State) -> Vec<Command> {
    let (lang, now) = (state.lang, state.now);
    let Some(composer) = composer(state) else {
        return Vec::new();
    };
    let key = composer.key.clone();
    let Some(message) = composer.outgoing() else {
        composer.notice = Some(tr!(
            lang,
            "escolha um modelo primeiro (↑/↓ e enter).",
            "pick a template first (↑/↓ and enter)."
        ));
        return Vec::new();
    };
    if state.replies.busy(&key) {
        let text = tr!(
            lang,
            "ocupado: uma resposta a esta conversa ainda está sendo enviada; espere o resultado.",
            "busy: a reply to this chat is still being sent; wait for its outcome."
        );
        if let Some(composer) = composer_for(state, &key) {
            composer.notice = Some(text);
        }
        return Vec::new();
    }
    // The last send to this chat may have arrived: the first send asks, the next one goes.
    if state.replies.status.get(&key) == Some(&SendState::Unknown)
        && state.replies.asked.insert(key.clone())
    {
        let text = tr!(
            lang,
            "{}; envie de novo para enviar mesmo assim",
            "{}; send again to send anyway",
            unknown_outcome(lang)
        );
        if let Some(composer) = composer_for(state, &key) {
            composer.notice = Some(text);
        }
        return Vec::new();
    }
    state.replies.asked.remove(&key);
    let window = state
        .inbox
        .row(&key)
        .and_then(|row| row.summary.columns.window_ends_at);
    match Unsendable::check(&message, window, now) {
        Some(Unsendable::WindowClosed) => {
            let Some(composer) = composer_for(state, &key) else {
                return Vec::new();
            };
            return template_mode(composer, lang);
        }
        Some(why) => {
            if let Some(composer) = composer_for(state, &key) {
                composer.notice = Some(why.user_message(lang));
            }
            return Vec::new();
        }
        None => {}
    }
    let id = state.mint();
    state
        .replies
        .sending
        .insert(id, (key.clone(), message.clone()));
    state.replies.status.insert(key.clone(), SendState::Sending);
    state.modal = None;
    let contact = state
        .inbox
        .row(&key)
        .map(|row| row.contact().to_owned())
        .unwrap_or_default();
    state.notify(
        Level::Info,
        tr!(
            lang,
            "enviando a resposta a {contact}…",
            "sending the reply to {contact}…"
        ),
    );
    let call = ApiCall::SendMessage { key, message };
    vec![Command::Api(ApiRequest { id, call })]
}

/// A send's outcome: sent (the draft cleared, the row as re-read), or failed with the reason;
/// a refusal (a 422, or refused before the request) brings the text back into the composer.
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    let lang = state.lang;
    let Some((key, message)) = state.replies.sending.remove(&event.id) else {
        return Vec::new();
    };
    match event.outcome {
        Ok(ApiReply::Sent(sent)) => {
            state.replies.status.insert(
                key.clone(),
                SendState::Sent {
                    verified: sent.verified,
                },
            );
            let text = if sent.verified {
                tr!(
                    lang,
                    "resposta enviada (a confirmação se perdeu; relida a conversa, ela está lá).",
                    "reply sent (its answer was lost; the re-read conversation holds it)."
                )
            } else {
                lang.pick("resposta enviada.", "reply sent.").to_owned()
            };
            state.notify(Level::Info, text);
            let mut commands = Vec::new();
            // The draft is what was sent, unless the person has written on since (then it is
            // a new reply, and stays).
            let sent_text = match &message {
                Outgoing::Text { body, .. } => Some(body.as_str()),
                Outgoing::Template { .. } => None,
            };
            let unchanged = state
                .replies
                .kept
                .get(&key)
                .is_some_and(|kept| Some(kept.text.as_str()) == sent_text);
            // Emptied here, the index's copy is cleared in the draft saves' turn (after a save
            // of this text still in flight, over the revision it answers).
            if unchanged && let Some(kept) = state.replies.kept.get_mut(&key) {
                kept.text.clear();
                kept.quote = None;
                state.replies.drafts.remove(&key);
                if let Some(composer) = composer_for(state, &key) {
                    composer.editor = Editor::default();
                    composer.quote = None;
                }
            }
            if let Some(summary) = sent.fresh.and_then(|fresh| fresh.summary) {
                commands.extend(apply_changes(state, vec![summary], &[]));
            }
            // The open conversation shows the message as the CRM keeps it.
            commands.extend(crate::console::timeline::note_sent(state, &key));
            commands.extend(reply_drafts::next_save(state));
            commands
        }
        Ok(_) => Vec::new(),
        Err(error) => failed(state, &key, &message, &error),
    }
}

/// The actor's queue was full: nothing was sent.
pub fn api_busy(state: &mut State, id: RequestId) -> Vec<Command> {
    let lang = state.lang;
    if let Some((key, message)) = state.replies.sending.remove(&id) {
        let text = tr!(
            lang,
            "não enviado: a fila de pedidos está cheia. Tente de novo.",
            "not sent: the request queue is full. Try again."
        );
        state
            .replies
            .status
            .insert(key.clone(), SendState::Failed(text.clone()));
        reopen(state, &key, &message, text);
    }
    // Text typed while the send was out is saved now.
    reply_drafts::next_save(state)
}

fn failed(state: &mut State, key: &ChatKey, message: &Outgoing, error: &ApiError) -> Vec<Command> {
    let lang = state.lang;
    let text = error.user_message(lang);
    let status = if error.kind() == crate::api::ErrorKind::OutcomeUnknown {
        SendState::Unknown
    } else {
        SendState::Failed(text.clone())
    };
    state.replies.status.insert(key.clone(), status);
    let refused = matches!(
        error.kind(),
        crate::api::ErrorKind::Refused | crate::api::ErrorKind::NotSent
    );
    if refused {
        // Nothing was sent: the text (or the template and its values) comes back into the
        // composer with the reason.
        reopen(state, key, message, text);
        if let (Some(composer), ApiError::NotSent(Unsendable::WindowClosed)) =
            (composer_for(state, key), error)
        {
            let mut commands = template_mode(composer, lang);
            commands.extend(reply_drafts::next_save(state));
            return commands;
        }
    } else {
        state.notify(Level::Error, text);
    }
    // Text typed while the send was out is saved now.
    reply_drafts::next_save(state)
}

/// Opens the composer on `key` again with its kept text (a template: filling it, with the
/// values sent) and `notice`, when nothing else is open.
fn reopen(state: &mut State, key: &ChatKey, message: &Outgoing, notice: String) {
    if state.modal.is_some() {
        state.notify(Level::Error, notice);
        return;
    }
    let kept = state.replies.kept.get(key).cloned().unwrap_or_default();
    let contact = state
        .inbox
        .row(key)
        .map(|row| row.contact().to_owned())
        .unwrap_or_default();
    state.modal = Some(Modal::Composer(Box::new(Composer {
        key: key.clone(),
        contact,
        editor: Editor::with_text(&kept.text),
        quote: kept.quote,
        mode: match message {
            Outgoing::Text { .. } => Mode::Text,
            Outgoing::Template {
                name,
                language,
                fields,
            } => Mode::FillTemplate {
                template: Template {
                    name: name.clone(),
                    language: language.clone(),
                    fields: fields.len(),
                },
                values: fields.clone(),
                field: 0,
            },
        },
        notice: Some(notice),
    })));
}

/// The templates this desk has used, for the open composer's picker.
pub fn templates(state: &mut State, list: Vec<Template>) {
    let lang = state.lang;
    if let Some(composer) = composer(state)
        && let Mode::PickTemplate { templates, cursor } = &mut composer.mode
    {
        composer.notice = Some(if list.is_empty() {
            tr!(
                lang,
                "janela de 24 h fechada, e nenhum modelo usado pela mesa nem visto nesta conversa: abra uma conversa com um modelo (n) para tê-lo aqui.",
                "the 24 h window is closed, and no template used by the desk or seen in this chat: open a chat with one (n) to have it here."
            )
        } else {
            window_closed(lang)
        });
        *cursor = (*cursor).min(list.len().saturating_sub(1));
        *templates = Some(list);
    }
}

/// `reply_to_message`: the composer quoting the conversation's selected message.
pub fn open_quoting(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    if let Some((id, preview)) = crate::console::timeline::selected_message(state) {
        return open(state, Some(Quote { id, preview }));
    }
    state.notify(
        Level::Error,
        lang.pick(
            "abra a conversa (t) e escolha a mensagem a citar",
            "open the conversation (t) and pick the message to quote",
        )
        .to_owned(),
    );
    Vec::new()
}

/// Whether a key bound to `action` goes to the composer's text instead: in text mode every key
/// but `send_reply`, `cancel` and `quit` is typing.
pub fn takes_key(state: &State, action: Action) -> bool {
    matches!(
        &state.modal,
        Some(Modal::Composer(composer))
            if (composer.mode == Mode::Text || matches!(composer.mode, Mode::FillTemplate { .. }) && !matches!(action, Action::NextField | Action::PrevField | Action::Confirm))
    ) && !matches!(action, Action::SendReply | Action::Cancel | Action::Quit)
}

/// Whether `msg` is the composer's or the replies': keys and actions while the composer is
/// open, pastes, sends' answers, drafts and templates.
pub fn takes(state: &State, msg: &Msg) -> bool {
    let open = matches!(state.modal, Some(Modal::Composer(_)));
    match msg {
        Msg::Action(_) | Msg::Input(_) => open,
        Msg::Api(event) => state.replies.owns(event.id),
        Msg::ApiBusy(id) => state.replies.owns(*id),
        Msg::Paste(_)
        | Msg::DraftLoaded { .. }
        | Msg::DraftWritten { .. }
        | Msg::DraftKeys(_)
        | Msg::Templates(_) => true,
        _ => false,
    }
}

/// Carries out a message [`takes`] claimed.
pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Action(action) => self::action(state, action),
        Msg::Input(key) => typed(state, &key),
        Msg::Paste(text) => paste(state, &text),
        Msg::Api(event) => api_event(state, event),
        Msg::ApiBusy(id) => api_busy(state, id),
        Msg::DraftLoaded { key, draft } => reply_drafts::loaded(state, &key, draft),
        Msg::DraftWritten { key, body, outcome } => {
            reply_drafts::written(state, &key, body, outcome)
        }
        Msg::DraftKeys(keys) => {
            state.replies.drafts = keys.into_iter().collect();
            Vec::new()
        }
        Msg::Templates(list) => {
            templates(state, list);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// After a page of the conversation came in: the open template picker reads the templates
/// again (the page is in the index by then), so those the conversation shows are offered.
pub fn templates_due(state: &State) -> Vec<Command> {
    match &state.modal {
        Some(Modal::Composer(composer)) if matches!(composer.mode, Mode::PickTemplate { .. }) => {
            vec![Command::ReadTemplates(composer.key.clone())]
        }
        _ => Vec::new(),
    }
}
