//! The reducer: `update(&mut State, Msg) -> Vec<Command>`. Pure: no I/O, no channels, no clock.

use chrono::Timelike;

use crate::console::action::Action;
use crate::console::modal::{Add, Create, Modal, Reassign, Remove, Stage, edit_text};
use crate::console::msg::{ApiCall, ApiRequest, Command, Msg};
use crate::console::mutations;
use crate::console::state::{Detail, DetailStatus, Focus, Level, Pending, State};
use crate::console::ui::layout;
use crate::tr;

/// Applies one message and returns the effects to run.
pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Action(action) => {
            if state.modal.is_some() {
                mutations::modal_action(state, action)
            } else {
                action_outside_modal(state, action)
            }
        }
        Msg::Input(key) => typed(state, &key),
        Msg::Api(event) => mutations::api_event(state, event),
        Msg::ApiBusy(id) => mutations::api_busy(state, id),
        Msg::Rows(rows) => {
            let now = state.now;
            let me = state.me.clone();
            state.inbox.set_rows(rows, now, &me);
            let page = layout::list_page(state.size);
            let selected = state.inbox.selected().unwrap_or(0);
            state.inbox.select(selected, page);
            selection_changed(state)
        }
        Msg::FirstPage(rows) => {
            if state.inbox.loaded {
                return Vec::new();
            }
            let commands = update(state, Msg::Rows(rows));
            state.inbox.partial = true;
            commands
        }
        Msg::RowsFailed(error) => {
            let text = tr!(
                state.lang,
                "não foi possível ler o índice: {error}",
                "cannot read the index: {error}"
            );
            state.notify(Level::Error, text);
            Vec::new()
        }
        Msg::RowChanged(summary) => {
            let key = summary.key.clone();
            let mut commands = upsert_row(state, summary);
            // The shown chat was fetched in the background: show the fresh detail.
            if state.detail.key.as_ref() == Some(&key)
                && !matches!(state.detail.status, DetailStatus::Loading(_))
            {
                commands.push(Command::LoadCachedDetail(key));
            }
            commands
        }
        Msg::CachedDetail { key, chat, as_of } => {
            if state.detail.key.as_ref() == Some(&key) {
                let newer = match (as_of, state.detail.as_of) {
                    (Some(new), Some(old)) => new > old,
                    _ => state.detail.chat.is_none(),
                };
                if let Some(chat) = chat.filter(|_| newer) {
                    state.detail.chat = Some(chat);
                    state.detail.as_of = as_of;
                }
            }
            Vec::new()
        }
        Msg::CachedRoom { key, room, as_of } => {
            show_cached_room(state, &key, room, as_of);
            Vec::new()
        }
        Msg::ChatForgotten {
            key,
            announce,
            outcome,
        } => mutations::forgotten(state, &key, announce, outcome),
        Msg::Tick(now) => {
            let minute_changed =
                now.minute() != state.now.minute() || (now - state.now).num_seconds().abs() >= 60;
            state.now = now;
            if state.notification.as_ref().is_some_and(|n| n.until <= now) {
                state.notification = None;
            }
            if minute_changed {
                // The minute tick (the one that moves the countdowns) re-ranks the list when a
                // window closed since it was ranked: a closed window ranks below the open ones.
                if state.inbox.rank_due(now) {
                    state.inbox.resort(now);
                }
                // Window filters (closing, closed) follow the clock too.
                let keep = state
                    .inbox
                    .selected_row()
                    .map(|row| row.summary.key.clone());
                let me = state.me.clone();
                state.inbox.refilter(now, &me, keep.as_ref());
                return selection_changed(state);
            }
            Vec::new()
        }
        Msg::Resize(width, height) => {
            state.size = (width, height);
            state.inbox.set_page(layout::list_page(state.size));
            Vec::new()
        }
    }
}

/// The stored room arrived from the index: show it if it is still the selected one.
fn show_cached_room(
    state: &mut State,
    key: &crate::store::ChatKey,
    room: Option<Box<crate::api::agilize::wire::Room>>,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) {
    if state.detail.key.as_ref() == Some(key) && room.is_some() {
        state.detail.room = room;
        state.detail.as_of = as_of;
    }
}

/// Puts one row in its place in the list, keeping the selection on screen and the detail on
/// the selected chat.
pub fn upsert_row(state: &mut State, mut summary: crate::store::ChatSummary) -> Vec<Command> {
    // A room's time comes from its `lastEvent`, which every change moves: the last message
    // keeps its own time until another message comes.
    if summary.key.provider == crate::store::Provider::Agilize
        && let Some(before) = state.inbox.row(&summary.key)
    {
        summary.columns = summary
            .columns
            .keeping_message_time(&before.summary.columns);
    }
    let (now, me) = (state.now, state.me.clone());
    state.inbox.upsert(summary, now, &me);
    if let Some(selected) = state.inbox.selected() {
        state.inbox.select(selected, layout::list_page(state.size));
    }
    selection_changed(state)
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
    let reveal = false;
    state.detail = Detail {
        key: key.clone(),
        reveal_documents: reveal,
        ..Detail::default()
    };
    key.map(Command::LoadCachedDetail).into_iter().collect()
}

fn move_selection(state: &mut State, action: Action) -> Vec<Command> {
    let page = layout::list_page(state.size);
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
    state.inbox.select(target, page);
    selection_changed(state)
}

fn scroll_detail(state: &mut State, action: Action) {
    let page = u16::try_from(layout::list_page(state.size)).unwrap_or(10);
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

/// Fetches the selected chat's detail (unless a fetch is already in flight).
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
    if key.provider == crate::store::Provider::Agilize {
        // Agilize has no read endpoint: the room shown is the one the last webhook brought.
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

fn action_outside_modal(state: &mut State, action: Action) -> Vec<Command> {
    let lang = state.lang;
    // Once the user works on a chat, the selection follows that chat wherever it sorts to.
    if matches!(
        action,
        Action::OpenChat
            | Action::Refresh
            | Action::ReassignResponsible
            | Action::RemoveParticipant
            | Action::ToggleArchive
    ) {
        state.inbox.moved = true;
    }
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Help => {
            state.modal = Some(Modal::Help { scroll: 0 });
            Vec::new()
        }
        Action::FocusNextPane => {
            state.focus = match state.focus {
                Focus::List => Focus::Detail,
                Focus::Detail => Focus::List,
            };
            Vec::new()
        }
        Action::SelectNext
        | Action::SelectPrev
        | Action::SelectFirst
        | Action::SelectLast
        | Action::PageDown
        | Action::PageUp => {
            if state.focus == Focus::Detail {
                scroll_detail(state, action);
                Vec::new()
            } else {
                move_selection(state, action)
            }
        }
        Action::OpenChat => {
            state.focus = Focus::Detail;
            state.detail.scroll = 0;
            fetch_selected(state)
        }
        Action::Refresh => fetch_selected(state),
        Action::Cancel => {
            state.focus = Focus::List;
            Vec::new()
        }
        Action::RevealDocuments => {
            state.detail.reveal_documents = !state.detail.reveal_documents;
            Vec::new()
        }
        Action::Filter => {
            state.modal = Some(Modal::Filter {
                before: state.inbox.filter_text.clone(),
            });
            Vec::new()
        }
        Action::ClearFilter => {
            let (now, me) = (state.now, state.me.clone());
            state.inbox.set_filter_text(String::new(), lang, now, &me);
            selection_changed(state)
        }
        Action::AddChat => {
            state.modal = Some(Modal::Add(Add {
                input: String::new(),
                error: None,
                stage: Stage::Editing,
            }));
            Vec::new()
        }
        Action::CreateChat => {
            let line = state
                .detail
                .chat
                .as_ref()
                .and_then(|chat| chat.phone_number.as_ref())
                .and_then(|line| line.id.clone());
            state.modal = Some(Modal::Create(Create::new(line)));
            Vec::new()
        }
        Action::ReassignResponsible | Action::RemoveParticipant => open_mutation(state, action),
        Action::ToggleArchive => crate::console::mutations::toggle_archive(state),
        Action::ForgetChat => mutations::ask_forget(state),
        Action::ChangeDepartment | Action::EditTags => {
            crate::console::mutations::open_room_field(state, action)
        }
        Action::Confirm
        | Action::NextField
        | Action::PrevField
        | Action::ToggleUpdateChat
        | Action::ToggleUpdateLeads
        | Action::ToggleUpdateDeals => Vec::new(),
    }
}

/// Opens the reassign or remove modal for the selected chat, when its detail is at hand and no
/// other change to it is in flight.
fn open_mutation(state: &mut State, action: Action) -> Vec<Command> {
    let lang = state.lang;
    let Some(key) = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone())
    else {
        state.notify(
            Level::Error,
            lang.pick("nenhuma conversa selecionada", "no chat selected")
                .to_owned(),
        );
        return Vec::new();
    };
    if state.busy.contains(&key) {
        state.notify(
            Level::Error,
            lang.pick(
                "ocupada: esta conversa já tem uma alteração em andamento",
                "busy: this chat already has a change in flight",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    if key.provider == crate::store::Provider::Agilize {
        let Some(room) = state
            .detail
            .room
            .clone()
            .filter(|_| state.detail.key.as_ref() == Some(&key))
        else {
            state.notify(
                Level::Info,
                lang.pick(
                    "a sala ainda não chegou por webhook",
                    "the room has not arrived by webhook yet",
                )
                .to_owned(),
            );
            return vec![Command::LoadCachedDetail(key)];
        };
        let known: Vec<String> = state
            .inbox
            .rows()
            .iter()
            .filter(|row| {
                row.summary.key.provider == key.provider && row.summary.key.account == key.account
            })
            .filter_map(|row| row.summary.columns.responsible_user_id.clone())
            .collect();
        state.modal = Some(if action == Action::ReassignResponsible {
            Modal::Reassign(Reassign::for_room(key, &room, &known))
        } else {
            Modal::Remove(Remove::for_room(key, &room))
        });
        return Vec::new();
    }
    let chat = match (&state.detail.key, &state.detail.chat) {
        (Some(shown), Some(chat)) if *shown == key => chat.clone(),
        _ => {
            state.notify(
                Level::Info,
                lang.pick(
                    "carregando a conversa; tente de novo quando ela aparecer",
                    "loading the chat; try again once it shows",
                )
                .to_owned(),
            );
            return fetch_selected(state);
        }
    };
    if state.detail.status == DetailStatus::Gone {
        state.notify(
            Level::Error,
            lang.pick(
                "esta conversa não existe mais no CRM",
                "this chat no longer exists in the CRM",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    state.modal = Some(if action == Action::ReassignResponsible {
        Modal::Reassign(Reassign::new(key, &chat))
    } else {
        Modal::Remove(Remove::new(key, &chat))
    });
    Vec::new()
}

/// A typed key inside a modal's text field.
fn typed(state: &mut State, key: &crossterm::event::KeyEvent) -> Vec<Command> {
    let lang = state.lang;
    let (now, me) = (state.now, state.me.clone());
    match &mut state.modal {
        Some(Modal::Filter { .. }) => {
            let mut text = state.inbox.filter_text.clone();
            if edit_text(&mut text, key) {
                state.inbox.set_filter_text(text, lang, now, &me);
                let page = layout::list_page(state.size);
                let selected = state.inbox.selected().unwrap_or(0);
                state.inbox.select(selected, page);
                return selection_changed(state);
            }
        }
        Some(Modal::Reassign(modal)) if modal.stage == Stage::Editing => {
            let changed = edit_text(&mut modal.query, key);
            if changed {
                modal.cursor = 0;
                modal.error = None;
            }
        }
        Some(Modal::Create(modal)) if modal.stage == Stage::Editing => {
            let focus = modal.focus;
            let changed = edit_text(&mut modal.values[focus], key);
            if changed {
                modal.problems.retain(|(field, _)| *field != focus);
            }
        }
        Some(Modal::RoomField(modal)) if modal.stage == Stage::Editing => {
            let changed = edit_text(&mut modal.input, key);
            if changed {
                modal.error = None;
            }
        }
        Some(Modal::Add(modal)) if modal.stage == Stage::Editing => {
            let changed = edit_text(&mut modal.input, key);
            if changed {
                modal.error = None;
            }
        }
        _ => {}
    }
    Vec::new()
}
