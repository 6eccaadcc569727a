//! The reducer: `update(&mut State, Msg) -> Vec<Command>`. Pure: no I/O, no channels, no clock.
//! The one dispatcher: each message and action goes to the module that owns it.

use chrono::Timelike;

use crate::console::action::Action;
use crate::console::claims;
use crate::console::list::Loaded;
use crate::console::modal::BatchKind;
use crate::console::modal::{Add, Create, Modal};
use crate::console::modals;
use crate::console::msg::{Command, Msg};
use crate::console::navigate::{
    apply_changes, fetch_selected, move_selection, open_selected, scroll_detail, selection_changed,
    show_cached,
};
use crate::console::outcome;
use crate::console::overlays;
use crate::console::palette::{self, Outcome};
use crate::console::state::{Focus, Level, State, list_page};
use crate::console::{batch, marks, navigate, preview, reply, timeline, undo};
use crate::console::{copy, nudge};
use crate::tr;

/// Applies one message and returns the effects to run.
pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    let rows_changed = matches!(
        msg,
        Msg::Rows(_) | Msg::FirstPage(_) | Msg::RowChanged(_) | Msg::IndexChanged { .. }
    );
    // Nudges compare each row with the list's before it is applied; every row read starts them.
    let all_rows = matches!(msg, Msg::Rows(_));
    let nudges = match &msg {
        Msg::RowChanged(row) => nudge::rows_arriving(state, std::slice::from_ref(row)),
        Msg::IndexChanged { chats, .. } => nudge::rows_arriving(state, chats),
        _ => Vec::new(),
    };
    let news = timeline::has_news(state, &msg);
    let mut commands = dispatch(state, msg);
    if all_rows {
        nudge::loaded(state);
    }
    commands.extend(nudge::ring(state, nudges));
    // An open workload follows the rows (computed again before the next frame).
    if rows_changed {
        overlays::rows_changed(state);
    }
    // The conversation shown follows its chat's new messages.
    if news {
        commands.extend(timeline::refresh(state));
    }
    // While the shared index cannot be reached, reads of it would only queue up behind its
    // connection timeout (and hold up the quit): the pane keeps what it shows, and the open
    // chat's stored detail is read again once the index is back.
    if state.desk.unreachable_since.is_some() {
        commands.retain(|command| {
            !matches!(
                command,
                Command::LoadCachedDetail(_) | Command::ReadTimeline(_)
            )
        });
    }
    commands
}

// One arm per message: the one dispatcher grows with the messages' vocabulary.
#[allow(clippy::too_many_lines)]
fn dispatch(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Action(action) if matches!(state.modal, Some(Modal::Batch(_))) => {
            batch::action(state, action)
        }
        Msg::Input(key) if matches!(state.modal, Some(Modal::Batch(_))) => {
            batch::typed(state, &key)
        }
        Msg::Api(event) if state.batches.owns(event.id) => batch::api_event(state, event),
        Msg::ApiBusy(id) if state.batches.owns(id) => batch::api_busy(state, id),
        Msg::Api(event) if timeline::owns(state, event.id) => {
            let mut commands = timeline::api_event(state, event);
            commands.extend(reply::templates_due(state));
            commands
        }
        Msg::ApiBusy(id) if timeline::owns(state, id) => timeline::api_busy(state),
        Msg::TimelineRead { key, read } => timeline::stored_read(state, &key, read),
        Msg::BatchDetails { id, details } => preview::details_read(state, id, details),
        Msg::UndoEntries { id, outcome } => undo::entries_read(state, id, outcome),
        Msg::Action(action) if overlays::is_open(state) => overlays::action(state, action),
        Msg::Input(key) if overlays::is_open(state) => overlays::typed(state, &key),
        Msg::AuditRead { id, entries } => {
            overlays::audit_read(state, id, entries);
            Vec::new()
        }
        // The palette runs any action, as its key would where the palette was opened.
        Msg::Action(action) if matches!(state.modal, Some(Modal::Palette(_))) => {
            match palette::action(state, action) {
                Outcome::Run(chosen) => action_outside_modal(state, chosen),
                Outcome::Done(commands) => commands,
            }
        }
        Msg::Input(key) if matches!(state.modal, Some(Modal::Palette(_))) => {
            palette::typed(state, &key)
        }
        // The reply composer: its keys, pastes, sends, drafts and templates.
        // Elsewhere (the filter, a modal's search), a paste is typed as its characters.
        Msg::Paste(text) if !matches!(state.modal, Some(Modal::Composer(_))) => {
            paste_as_keys(state, &text)
        }
        msg if reply::takes(state, &msg) => reply::update(state, msg),
        msg @ (Msg::Paste(_)
        | Msg::DraftLoaded { .. }
        | Msg::DraftWritten { .. }
        | Msg::DraftKeys(_)
        | Msg::Templates(_)) => reply::update(state, msg),
        Msg::Action(action) => {
            if state.modal.is_some() {
                modals::action(state, action)
            } else {
                action_outside_modal(state, action)
            }
        }
        Msg::Input(key) => modals::typed(state, &key),
        Msg::Api(event) => outcome::api_event(state, event),
        Msg::ApiBusy(id) => outcome::api_busy(state, id),
        Msg::Rows(rows) => {
            let (now, me) = (state.now, state.me.clone());
            state
                .desk
                .learn_name(me.get(&state.account).map(String::as_str), rows.iter());
            state.inbox.set_rows(rows, now, &me);
            selection_changed(state)
        }
        Msg::FirstPage(rows) => {
            if state.inbox.loaded == Loaded::All {
                return Vec::new();
            }
            let commands = dispatch(state, Msg::Rows(rows));
            state.inbox.loaded = Loaded::FirstPage;
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
        Msg::RowChanged(summary) => apply_changes(state, vec![summary], &[]),
        Msg::CachedDetail {
            key,
            conversation,
            as_of,
        } => {
            show_cached(state, &key, conversation, as_of);
            Vec::new()
        }
        Msg::ChatForgotten {
            key,
            announce,
            outcome,
        } => outcome::forgotten(state, &key, announce, outcome),
        Msg::IndexChanged { chats, removed } => apply_changes(state, chats, &removed),
        msg @ (Msg::Presence(_)
        | Msg::IndexUnreachable(_)
        | Msg::IndexReachable
        | Msg::Claimed { .. }
        | Msg::Released { .. }
        | Msg::AuditKept { .. }
        | Msg::AuditNotKept { .. }
        | Msg::AuditFlushed(_)) => claims::from_index(state, msg),
        Msg::Tick(now) => {
            let mut commands = tick(state, now);
            commands.extend(batch::tick(state));
            let due = nudge::tick(state);
            commands.extend(nudge::ring(state, due));
            commands
        }
        Msg::Resize(width, height) => {
            state.size = (width, height);
            state.inbox.set_page(list_page(state.size));
            Vec::new()
        }
    }
}

/// A paste outside the composer, as the keys a person would type (one line: breaks and other
/// control characters become spaces, so a paste never submits).
fn paste_as_keys(state: &mut State, text: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let key = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        );
        commands.extend(dispatch(state, Msg::Input(key)));
    }
    commands
}

/// Time passed: notifications expire; on the minute, the list re-ranks and re-filters.
fn tick(state: &mut State, now: chrono::DateTime<chrono::Utc>) -> Vec<Command> {
    let minute_changed =
        now.minute() != state.now.minute() || (now - state.now).num_seconds().abs() >= 60;
    state.now = now;
    if state.notification.as_ref().is_some_and(|n| n.until <= now) {
        state.notification = None;
    }
    if !minute_changed {
        return Vec::new();
    }
    // The minute tick (the one that moves the countdowns) re-ranks the list when a window
    // closed since it was ranked: a closed window ranks below the open ones.
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
    selection_changed(state)
}

// One arm per action: the one dispatcher grows with the actions' vocabulary.
#[allow(clippy::too_many_lines)]
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
            if state.focus == Focus::Detail && timeline::shown(state).is_some() {
                timeline::move_cursor(state, action)
            } else if state.focus == Focus::Detail {
                scroll_detail(state, action);
                Vec::new()
            } else {
                move_selection(state, action)
            }
        }
        Action::OpenChat => open_selected(state),
        Action::Refresh => fetch_selected(state),
        Action::Cancel => {
            if !timeline::close(state) {
                state.focus = Focus::List;
            }
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
            state.modal = Some(Modal::Add(Add::default()));
            Vec::new()
        }
        Action::CreateChat => {
            let line = state
                .detail
                .conversation
                .as_ref()
                .and_then(|conversation| conversation.line_id())
                .map(str::to_owned);
            state.modal = Some(Modal::Create(Create::new(line)));
            Vec::new()
        }
        Action::ReassignResponsible
        | Action::RemoveParticipant
        | Action::ToggleArchive
        | Action::ForgetChat
        | Action::ChangeDepartment
        | Action::EditTags => modals::on_selected(state, action),
        Action::ClaimChat => claims::claim(state),
        Action::BatchReassign => batch::start(state, BatchKind::Reassign),
        Action::BatchRemoveParticipant => batch::start(state, BatchKind::RemoveParticipant),
        Action::Undo => undo::start(state),
        Action::ShowWorkload => overlays::show_workload(state),
        Action::ShowAuditLog => overlays::show_audit_log(state),
        Action::ReleaseChat => claims::release(state),
        Action::ToggleMark => marks::toggle(state),
        Action::MarkAllMatching => marks::mark_all(state),
        Action::ClearMarks => marks::clear_all(state),
        Action::NextUrgent => navigate::next_urgent(state),
        Action::CycleSort => navigate::cycle_sort(state),
        Action::NextView => navigate::switch_view(state, true),
        Action::PrevView => navigate::switch_view(state, false),
        Action::CommandPalette => palette::open(state),
        Action::ShowNotifications => {
            state.modal = Some(Modal::Notifications { scroll: 0 });
            Vec::new()
        }
        Action::CopyChatId | Action::CopyContactNumber => copy::copy(state, action),
        Action::Reply => reply::open(state, None),
        Action::ReplyToMessage => reply::open_quoting(state),
        Action::ShowTimeline => timeline::toggle(state),
        Action::Confirm
        | Action::NextField
        | Action::PrevField
        | Action::ToggleUpdateChat
        | Action::ToggleUpdateLeads
        | Action::ToggleUpdateDeals
        | Action::SendReply => Vec::new(),
    }
}

/// Work put off to once a frame, which the runtime asks for before it draws: an open workload
/// is computed again from every row when rows changed or a minute passed since it was (a burst
/// of webhooks between two frames costs one look over the rows, not one each).
pub fn before_frame(state: &mut State) {
    overlays::refresh_workload(state);
}
