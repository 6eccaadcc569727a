//! The conversation (`show_timeline`): the reducer's side of the chat's timeline in the detail
//! pane. Opening it shows what the index holds at once ("as of" its fetch) and fetches the
//! newest page through the actor; the cursor moves message by message, and moving past the
//! oldest message shown fetches the page before it. A room has no timeline: the status bar says
//! so (the CRM's capability, never its name, decides).
//!
//! For the composer: [`selected_message`] is the message a reply quotes, and after a send
//! [`note_sent`] fetches the newest page again, so the message sent shows as the CRM holds it
//! (its id, its delivery status) rather than as a local copy.

pub mod open;

use crate::api::actor::TimelinePage;
use crate::api::timeline::{StoredConversation, message_text};
use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::Message;
use crate::api::{Capability, supports};
use crate::console::action::Action;
use crate::console::changes::not_offered;
use crate::console::msg::{ApiCall, ApiEvent, ApiReply, ApiRequest, Command, Msg, RequestId};
use crate::console::outcome::note_connection;
use crate::console::state::{Focus, Level, State};
use crate::i18n::Lang;
use crate::store::ChatKey;
use crate::text::{printable, truncate};
use crate::tr;

pub use open::{Loading, OpenTimeline};

/// Messages a page key moves the cursor.
pub const PAGE_STEP: usize = 5;

/// The conversation the detail pane shows now, if any: open, and of the chat the pane is on.
pub fn shown(state: &State) -> Option<&OpenTimeline> {
    state
        .timeline
        .as_ref()
        .filter(|open| open.shown && state.detail.key.as_ref() == Some(&open.key))
}

/// `show_timeline`: opens the conversation of the chat in the pane (or the selected one), or
/// closes it when it is the one shown.
pub fn toggle(state: &mut State) -> Vec<Command> {
    if close(state) {
        return Vec::new();
    }
    let lang = state.lang;
    let key = state.detail.key.clone().or_else(|| {
        state
            .inbox
            .selected_row()
            .map(|row| row.summary.key.clone())
    });
    let Some(key) = key else {
        let text = lang.pick("Nenhuma conversa selecionada.", "No chat selected.");
        state.notify(Level::Info, text.to_owned());
        return Vec::new();
    };
    if !supports(key.provider, Capability::Timeline) {
        let text = not_offered(lang, key.provider, Capability::Timeline);
        state.notify(Level::Error, text);
        return Vec::new();
    }
    state.focus = Focus::Detail;
    let reuse = state.timeline.as_ref().is_some_and(|open| open.key == key);
    if reuse {
        if let Some(open) = state.timeline.as_mut() {
            open.shown = true;
            open.cursor = open.events.len().saturating_sub(1);
        }
        return fetch(state, 1);
    }
    state.timeline = Some(OpenTimeline::new(key.clone()));
    let mut commands = vec![Command::ReadTimeline(key)];
    commands.extend(fetch(state, 1));
    commands
}

/// Closes the conversation shown (`cancel`, or `show_timeline` again); returns whether one was.
pub fn close(state: &mut State) -> bool {
    if shown(state).is_none() {
        return false;
    }
    if let Some(open) = state.timeline.as_mut() {
        open.shown = false;
    }
    true
}

/// Asks for page `page` of the open conversation, unless a page is already on its way (then
/// the newest page, if that is the one asked for, follows when it answers).
fn fetch(state: &mut State, page: u32) -> Vec<Command> {
    match state.timeline.as_mut() {
        None => return Vec::new(),
        Some(open) if open.loading.is_some() => {
            open.newest_due |= page == 1;
            return Vec::new();
        }
        Some(_) => {}
    }
    let id = state.mint();
    let Some(open) = state.timeline.as_mut() else {
        return Vec::new();
    };
    open.loading = Some(Loading { id, page });
    let call = ApiCall::Timeline {
        key: open.key.clone(),
        page,
    };
    vec![Command::Api(ApiRequest { id, call })]
}

/// Whether request `id` is a page of the conversation.
pub fn owns(state: &State, id: RequestId) -> bool {
    state
        .timeline
        .as_ref()
        .and_then(|open| open.loading)
        .is_some_and(|loading| loading.id == id)
}

/// The actor answered a page (or could not get it).
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    note_connection(state, &event.outcome);
    let (lang, now) = (state.lang, state.now);
    let Some(open) = state.timeline.as_mut() else {
        return Vec::new();
    };
    open.loading = None;
    match event.outcome {
        Ok(ApiReply::Timeline(page)) if page.key == open.key => {
            let TimelinePage {
                page,
                events,
                first_position,
                total,
                ..
            } = *page;
            open.merge(page, first_position, events, total);
            open.fetched = true;
            open.fetched_at = Some(now);
            open.failed = None;
        }
        Ok(_) => {}
        Err(error) => open.failed = Some(error.user_message(lang)),
    }
    if std::mem::take(&mut open.newest_due) {
        return fetch(state, 1);
    }
    Vec::new()
}

/// The actor's queue was full: the page was not asked for.
pub fn api_busy(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    if let Some(open) = state.timeline.as_mut() {
        open.loading = None;
        open.failed = Some(
            lang.pick(
                "a API está ocupada; tente de novo em instantes",
                "the API is busy; try again in a moment",
            )
            .to_owned(),
        );
    }
    Vec::new()
}

/// What the index holds of the conversation arrived: shown until a fetch answers.
pub fn stored_read(
    state: &mut State,
    key: &ChatKey,
    read: Result<Option<StoredConversation>, String>,
) -> Vec<Command> {
    let lang = state.lang;
    let Some(open) = state.timeline.as_mut().filter(|open| &open.key == key) else {
        return Vec::new();
    };
    match read {
        Ok(Some(stored)) if !open.fetched => {
            open.events = stored.events;
            open.total = stored.total;
            open.fetched_at = Some(stored.fetched_at);
            open.cursor = open.events.len().saturating_sub(1);
        }
        Ok(_) => {}
        Err(error) => {
            // The store's words are English: the cause goes to the log, the screen says what
            // it means in the person's language.
            tracing::warn!(%error, "reading the stored conversation failed");
            state.notify(
                Level::Error,
                tr!(
                    lang,
                    "não foi possível ler a conversa guardada no índice (a causa está no registro, balcao.log)",
                    "cannot read the conversation stored in the index (the cause is in the log, balcao.log)"
                ),
            );
        }
    }
    Vec::new()
}

/// The cursor keys while the conversation is shown in the focused pane: one message, a page,
/// the oldest or the newest. Moving up from the oldest message shown fetches the page before.
pub fn move_cursor(state: &mut State, action: Action) -> Vec<Command> {
    let Some(open) = state.timeline.as_mut() else {
        return Vec::new();
    };
    let last = open.events.len().saturating_sub(1);
    let before = open.cursor;
    open.cursor = match action {
        Action::SelectNext => (before + 1).min(last),
        Action::SelectPrev => before.saturating_sub(1),
        Action::PageDown => (before + PAGE_STEP).min(last),
        Action::PageUp => before.saturating_sub(PAGE_STEP),
        Action::SelectFirst => 0,
        Action::SelectLast => last,
        _ => before,
    };
    let up = matches!(action, Action::SelectPrev | Action::PageUp);
    match open.older_page() {
        Some(page) if up && before == 0 => fetch(state, page),
        _ => Vec::new(),
    }
}

/// The message under the conversation's cursor: its id (what a reply quotes as
/// `reference_wamid`) and a one-line preview, when the conversation is shown.
pub fn selected_message(state: &State) -> Option<(String, String)> {
    let open = shown(state)?;
    let message = open.events.get(open.cursor)?.1.message.as_ref()?;
    let id = message.id.clone()?;
    Some((id, preview(message, state.lang)))
}

/// A message in one line: who, and the start of what it says (or what it carries).
pub fn preview(message: &Message, lang: Lang) -> String {
    let what = message_text(message)
        .or_else(|| {
            message
                .media
                .as_ref()
                .and_then(|m| m.file_name.clone())
                .map(|name| format!("📎 {name}"))
        })
        .or_else(|| message.call.as_ref().map(|_| "📞".to_owned()))
        .unwrap_or_default();
    let line: String = printable(&what)
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    format!("{}: {}", author(message, lang), truncate(line.trim(), 60))
}

/// Who wrote a message: the agent's (or user's) name, or the customer.
pub fn author(message: &Message, lang: Lang) -> String {
    let name = message
        .agent
        .as_ref()
        .and_then(|agent| agent.user.as_ref())
        .or(message.user.as_ref())
        .and_then(|user| user.name.clone())
        .filter(|name| !name.trim().is_empty());
    match (name, message.from_me) {
        (Some(name), _) => printable(&name).into_owned(),
        (None, Some(true)) => lang.pick("agente", "agent").to_owned(),
        (None, _) => lang.pick("cliente", "customer").to_owned(),
    }
}

/// Whether `msg` writes the row of the conversation shown with a message newer than the newest
/// it shows (a webhook, another console's reply): then it is fetched again.
pub fn has_news(state: &State, msg: &Msg) -> bool {
    let Some(open) = shown(state) else {
        return false;
    };
    let rows = match msg {
        Msg::RowChanged(row) => std::slice::from_ref(row),
        Msg::IndexChanged { chats, .. } => chats.as_slice(),
        _ => return false,
    };
    let newest = open
        .events
        .last()
        .and_then(|(_, event)| event.event_at.as_ref())
        .and_then(Timestamp::at);
    rows.iter().any(|row| {
        row.key == open.key
            && row
                .columns
                .last_message_at
                .is_some_and(|at| newest.is_none_or(|newest| at > newest))
    })
}

/// Fetches the newest page of the conversation again.
pub fn refresh(state: &mut State) -> Vec<Command> {
    fetch(state, 1)
}

/// A message was sent in `key`: when its conversation is open, the newest page is fetched
/// again so the message shows as the CRM keeps it.
pub fn note_sent(state: &mut State, key: &ChatKey) -> Vec<Command> {
    if state.timeline.as_ref().is_some_and(|open| &open.key == key) {
        fetch(state, 1)
    } else {
        Vec::new()
    }
}
