//! Moving through the inbox: the selection, the rows arriving, and the detail that follows the
//! selected conversation (stored first, fetched when asked).

use crate::api::providers::columns_after;
use crate::api::{Capability, Conversation, supports};
use crate::console::action::Action;
use crate::console::msg::{ApiCall, ApiRequest, Command};
use crate::console::state::{Detail, DetailStatus, Focus, Level, Pending, State, list_page};
use crate::inbox::{Filter, Rank, needs_answer, rank};
use crate::store::{ChatKey, ChatSummary};
use crate::tr;

/// Puts one row in its place in the list, keeping the selection on screen and the detail on
/// the selected chat.
pub fn upsert_row(state: &mut State, mut summary: ChatSummary) -> Vec<Command> {
    if let Some(before) = state.inbox.row(&summary.key) {
        summary.columns = columns_after(
            summary.key.provider,
            summary.columns,
            &before.summary.columns,
        );
    }
    let (now, me) = (state.now, state.me.clone());
    state.inbox.upsert(summary, now, &me);
    selection_changed(state)
}

/// From this many rows at once, a batch of changes is put in place with one sort instead of one
/// insertion each (a catch-up after the shared index was away can bring thousands).
const BULK_CHANGES: usize = 64;

/// Rows written elsewhere (a webhook, a fetch, another console, the command line) take their
/// places and rows forgotten leave; the selection stays on its chat once the user moved it, and
/// the open chat's stored detail is read again when its row says a newer one was stored.
pub fn apply_changes(
    state: &mut State,
    chats: Vec<ChatSummary>,
    removed: &[ChatKey],
) -> Vec<Command> {
    let open = state.detail.key.clone();
    // A detail is stored with its row's `hydrated_at`, and reads back as of it: a row that moved
    // for anything else (a webhook noting the chat to fetch, the row of this console's own
    // fetch) would read back nothing the pane would take.
    let newer_detail = open.as_ref().is_some_and(|key| {
        chats
            .iter()
            .filter(|chat| &chat.key == key)
            .any(|chat| state.detail.older_than(chat.hydrated_at))
    });
    let mut commands = if chats.len() >= BULK_CHANGES {
        let merged = chats
            .into_iter()
            .map(|mut summary| {
                if let Some(before) = state.inbox.row(&summary.key) {
                    summary.columns = columns_after(
                        summary.key.provider,
                        summary.columns,
                        &before.summary.columns,
                    );
                }
                summary
            })
            .collect();
        let (now, me) = (state.now, state.me.clone());
        state.inbox.upsert_many(merged, now, &me);
        selection_changed(state)
    } else {
        let mut commands = Vec::new();
        for summary in chats {
            commands.extend(upsert_row(state, summary));
        }
        commands
    };
    for key in removed {
        commands.extend(remove_row(state, key));
    }
    // A newer detail of the shown chat is in the index: show it.
    if let Some(key) = open.filter(|key| {
        newer_detail
            && state.detail.key.as_ref() == Some(key)
            && !matches!(state.detail.status, DetailStatus::Loading(_))
    }) {
        commands.push(Command::LoadCachedDetail(key));
    }
    commands
}

/// Takes one row out of the list (forgotten from the index); when it was there, the detail
/// follows the selection that takes its place.
pub fn remove_row(state: &mut State, key: &ChatKey) -> Vec<Command> {
    let (now, me) = (state.now, state.me.clone());
    if state.inbox.remove(key, now, &me) {
        selection_changed(state)
    } else {
        Vec::new()
    }
}

/// After the selection moved: show the new chat's stored detail at once.
pub fn selection_changed(state: &mut State) -> Vec<Command> {
    let key = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone());
    if key == state.detail.key {
        return Vec::new();
    }
    state.detail = Detail {
        key: key.clone(),
        ..Detail::default()
    };
    key.map(Command::LoadCachedDetail).into_iter().collect()
}

/// Moves the selection (list focus) by a movement action.
pub fn move_selection(state: &mut State, action: Action) -> Vec<Command> {
    let page = list_page(state.size);
    let Some(current) = state.inbox.selected() else {
        return Vec::new();
    };
    let last = state.inbox.visible_len().saturating_sub(1);
    let target = match action {
        Action::SelectNext => current.saturating_add(1).min(last),
        Action::SelectPrev => current.saturating_sub(1),
        Action::SelectFirst => 0,
        Action::SelectLast => last,
        Action::PageDown => current.saturating_add(page).min(last),
        Action::PageUp => current.saturating_sub(page),
        _ => current,
    };
    state.inbox.moved = true;
    state.inbox.select(target);
    selection_changed(state)
}

/// `open_chat` on the selected chat: the detail takes the keyboard, from its top, and the chat
/// is fetched.
pub fn open_selected(state: &mut State) -> Vec<Command> {
    state.focus = Focus::Detail;
    state.detail.scroll = 0;
    fetch_selected(state)
}

/// Selects `key` in the list (from the palette or the audit log). A chat the filters hide is
/// shown by dropping them (the typed filter, and the view back to "all"), and the status bar
/// says so. Returns whether the chat is selected (it may have left the index since it was
/// listed).
pub fn show_chat(state: &mut State, key: &ChatKey, name: &str) -> bool {
    let (lang, now, me) = (state.lang, state.now, state.me.clone());
    if !state.inbox.select_key(key) && state.inbox.row(key).is_some() {
        state.inbox.set_filter_text(String::new(), lang, now, &me);
        state.inbox.set_view_filter(Filter::default(), now, &me);
        state.views.reset();
        state.notify(
            Level::Info,
            tr!(
                lang,
                "filtro limpo para mostrar {name}",
                "filter cleared to show {name}"
            ),
        );
        state.inbox.select_key(key);
    }
    let selected = state
        .inbox
        .selected_row()
        .is_some_and(|row| &row.summary.key == key);
    if selected {
        state.inbox.moved = true;
    } else {
        let text = tr!(
            lang,
            "{name} não está mais na lista",
            "{name} is no longer in the list"
        );
        state.notify(Level::Error, text);
    }
    selected
}

/// Scrolls the detail (detail focus) by a movement action.
pub fn scroll_detail(state: &mut State, action: Action) {
    let page = u16::try_from(list_page(state.size)).unwrap_or(10);
    let scroll = &mut state.detail.scroll;
    *scroll = match action {
        Action::SelectNext => scroll.saturating_add(1),
        Action::SelectPrev => scroll.saturating_sub(1),
        Action::SelectFirst => 0,
        Action::SelectLast => u16::MAX / 2,
        Action::PageDown => scroll.saturating_add(page),
        Action::PageUp => scroll.saturating_sub(page),
        _ => *scroll,
    };
}

/// Fetches the selected chat's detail (unless a fetch is already in flight). A CRM without
/// reads, or an account this configuration does not define, shows what the index holds.
pub fn fetch_selected(state: &mut State) -> Vec<Command> {
    let Some(key) = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone())
    else {
        return Vec::new();
    };
    if matches!(state.detail.status, DetailStatus::Loading(_))
        && state.detail.key.as_ref() == Some(&key)
    {
        return Vec::new();
    }
    let mut commands = selection_changed(state);
    // A row of an account this configuration does not define has no client here: what the
    // shared index holds is what shows (the pane says it is read-only).
    if !supports(key.provider, Capability::Read) || state.desk.foreign_account(&key).is_some() {
        commands.push(Command::LoadCachedDetail(key));
        return commands;
    }
    let id = state.mint();
    state.pending.insert(id, Pending::Fetch(key.clone()));
    state.detail.status = DetailStatus::Loading(id);
    commands.push(Command::Api(ApiRequest {
        id,
        call: ApiCall::GetChat(key),
    }));
    commands
}

/// The stored detail arrived from the index: it takes the pane if it is still the selected
/// conversation's and newer than what the pane shows.
pub fn show_cached(
    state: &mut State,
    key: &ChatKey,
    conversation: Option<Box<Conversation>>,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) {
    if state.detail.key.as_ref() != Some(key) {
        return;
    }
    let newer = state.detail.older_than(as_of);
    if let Some(conversation) = conversation.filter(|_| newer) {
        state.detail.conversation = Some(*conversation);
        state.detail.as_of = as_of;
    }
}

/// `cycle_sort`: the list takes the next order (urgency, longest waiting, newest, window closing
/// soonest, name, and round again); the selected chat stays selected.
pub fn cycle_sort(state: &mut State) -> Vec<Command> {
    let sort = state.inbox.sort().next();
    let (now, me) = (state.now, state.me.clone());
    state.inbox.moved = true;
    state.inbox.set_sort(sort, now, &me);
    selection_changed(state)
}

/// `next_urgent`: selects the most urgent shown chat that needs an answer (see
/// [`needs_answer`]), in urgency order whatever the sort; pressed again while that chat is still
/// selected, the next one after it, and round to the first after the last. One pass over the
/// shown rows, no sort.
pub fn next_urgent(state: &mut State) -> Vec<Command> {
    let (now, lang) = (state.now, state.lang);
    let inbox = &state.inbox;
    let after: Option<(Rank, ChatKey)> = inbox
        .last_urgent
        .as_ref()
        .filter(|key| {
            inbox
                .selected_row()
                .is_some_and(|row| &row.summary.key == *key)
        })
        .and_then(|key| inbox.row(key))
        .map(|row| (rank(&row.summary, now), row.summary.key.clone()));
    let after = after.as_ref().map(|(rank, key)| (*rank, key));
    let mut first: Option<(Rank, &ChatKey)> = None;
    let mut next: Option<(Rank, &ChatKey)> = None;
    let mut total = 0_usize;
    for (_, row) in inbox.shown_rows() {
        if !needs_answer(&row.summary, now) {
            continue;
        }
        total += 1;
        let place = (rank(&row.summary, now), &row.summary.key);
        if first.is_none_or(|first| place < first) {
            first = Some(place);
        }
        if after.is_some_and(|after| place > after) && next.is_none_or(|next| place < next) {
            next = Some(place);
        }
    }
    let Some(target) = next.or(first) else {
        let text = if inbox.filtered() {
            lang.pick(
                "nenhuma conversa mostrada precisa de resposta",
                "no chat shown needs an answer",
            )
        } else {
            lang.pick(
                "nenhuma conversa precisa de resposta",
                "no chat needs an answer",
            )
        };
        state.notify(Level::Info, text.to_owned());
        return Vec::new();
    };
    let nth = inbox
        .shown_rows()
        .filter(|(_, row)| {
            needs_answer(&row.summary, now) && (rank(&row.summary, now), &row.summary.key) <= target
        })
        .count();
    let key = target.1.clone();
    state.inbox.moved = true;
    state.inbox.select_key(&key);
    state.inbox.last_urgent = Some(key);
    state.notify(
        Level::Info,
        tr!(
            lang,
            "urgente {nth} de {total} que precisam de resposta",
            "urgent {nth} of {total} needing an answer"
        ),
    );
    selection_changed(state)
}

/// `next_view` (`forward`) and `prev_view`: the next tab's filter takes the list, under any
/// typed filter, and its sort when it names one.
pub fn switch_view(state: &mut State, forward: bool) -> Vec<Command> {
    let (lang, now, me) = (state.lang, state.now, state.me.clone());
    let view = state.views.step(forward).clone();
    // The configuration's filters were checked when it was read, the built-in ones are fixed:
    // a failure here would be a bug, said rather than hidden.
    let filter = match Filter::parse(&view.filter, lang) {
        Ok(filter) => filter,
        Err(error) => {
            state.notify(Level::Error, error);
            Filter::default()
        }
    };
    if filter.needs_me() && me.is_empty() {
        state.notify(
            Level::Error,
            lang.pick(
                "'minhas' precisa de `me` (seu id de usuário) na conta em config.toml",
                "'mine' needs `me` (your user id) on the account in config.toml",
            )
            .to_owned(),
        );
    }
    state.inbox.set_view_filter(filter, now, &me);
    if let Some(sort) = view.sort {
        state.inbox.set_sort(sort, now, &me);
    }
    selection_changed(state)
}
