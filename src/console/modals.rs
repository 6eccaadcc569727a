//! The reducer's side of the modals: opening one on the selected conversation, an action or a
//! typed key in the open one, and carrying out what its submit asks (a change, a creation, an
//! add, a question first). What each modal holds and asks for lives in its own file.

use std::collections::BTreeSet;

use crossterm::event::KeyEvent;

use crate::api::Conversation;
use crate::api::capability::Capability;
use crate::api::change::Change;
use crate::api::providers::supports;
use crate::console::action::Action;
use crate::console::changes::{self, not_offered, nothing_selected, refused_busy};
use crate::console::claims;
use crate::console::modal::{
    About, Add, Confirm, Create, Destructive, Modal, Question, Reassign, Remove, RoomField,
    RoomFieldKind, Saving, Stage, conclude_question, edit_text, forget_question, step,
};
use crate::console::msg::{ApiCall, ApiRequest, Command};
use crate::console::navigate::selection_changed;
use crate::console::state::{Level, Pending, State};
use crate::store::ChatKey;

/// More lines than the help can have (a title per context, a line per binding, the footer);
/// the view stops scrolling at its real end.
const HELP_LINES_AT_MOST: usize = Action::ALL.len() * 4 + 8;

/// An action while a modal is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        // Only reaches a modal when the keymap leaves the quitting key (ctrl-c) no use there.
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => cancel(state),
        Action::Confirm => confirm(state),
        movement if movement.moves() => {
            match &mut state.modal {
                Some(Modal::Help { scroll }) => {
                    let lines = usize::from(*scroll);
                    *scroll = u16::try_from(step(action, lines, HELP_LINES_AT_MOST)).unwrap_or(0);
                }
                Some(Modal::Notifications { scroll }) => {
                    let lines = usize::from(*scroll);
                    let kept = crate::console::notify::KEPT;
                    *scroll = u16::try_from(step(action, lines, kept)).unwrap_or(0);
                }
                Some(Modal::Reassign(modal)) => modal.move_cursor(action),
                Some(Modal::Remove(modal)) => modal.move_cursor(action),
                Some(Modal::Create(form)) => form.move_cursor(action),
                _ => {}
            }
            Vec::new()
        }
        Action::NextField | Action::PrevField => {
            if let Some(Modal::Create(form)) = &mut state.modal {
                form.next_field(action == Action::NextField);
            }
            Vec::new()
        }
        Action::ToggleUpdateChat | Action::ToggleUpdateLeads | Action::ToggleUpdateDeals => {
            if let Some(Modal::Reassign(modal)) = &mut state.modal {
                modal.toggle(action);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A typed key inside the open modal's text field.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    let (lang, now, me) = (state.lang, state.now, state.me.clone());
    match &mut state.modal {
        Some(Modal::Filter { .. }) => {
            let mut text = state.inbox.filter_text.clone();
            if edit_text(&mut text, key) {
                state.inbox.set_filter_text(text, lang, now, &me);
                return selection_changed(state);
            }
        }
        Some(Modal::Reassign(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        Some(Modal::Create(form)) if form.stage == Stage::Editing => form.typed(key),
        Some(Modal::RoomField(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        Some(Modal::Add(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        _ => {}
    }
    Vec::new()
}

fn cancel(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Filter { before }) => {
            let (lang, now, me) = (state.lang, state.now, state.me.clone());
            state.inbox.set_filter_text(before, lang, now, &me);
            selection_changed(state)
        }
        // Not confirmed: nothing is sent; back to the choice the question came from.
        Some(Modal::Confirm(question)) => {
            state.modal = question.change.back();
            Vec::new()
        }
        // A request in flight keeps going; its outcome shows in the status bar.
        _ => Vec::new(),
    }
}

fn confirm(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(modal) = state.modal.take() else {
        return Vec::new();
    };
    // A modal waiting on its reply takes no second submit.
    let mut modal = modal;
    if modal
        .sending()
        .is_some_and(|(stage, _)| *stage != Stage::Editing)
    {
        state.modal = Some(modal);
        return Vec::new();
    }
    match modal {
        // The palette's Enter is carried out by `update` (it runs any action).
        Modal::Filter { .. } | Modal::Help { .. } | Modal::Palette(_) | Modal::Composer(_) => {
            Vec::new()
        }
        #[allow(clippy::match_same_arms)] // Enter closes the nudges overlay, as it does the help
        Modal::Notifications { .. } => Vec::new(),
        // The batch modals take their keys in `console::batch`.
        batch @ Modal::Batch(_) => {
            state.modal = Some(batch);
            Vec::new()
        }
        Modal::Reassign(mut modal) => match modal.request(lang) {
            Ok((change, about)) => {
                let key = modal.key.clone();
                send(state, Modal::Reassign(modal), &key, change, about)
            }
            Err(error) => {
                modal.error = Some(error);
                state.modal = Some(Modal::Reassign(modal));
                Vec::new()
            }
        },
        Modal::Remove(mut modal) => {
            match modal.question(lang) {
                Ok(question) => {
                    let question = naming_others(state, &modal.key, question);
                    let change = Destructive::RemoveParticipant(modal);
                    state.modal = Some(Modal::Confirm(Confirm::new(question, change)));
                }
                Err(error) => {
                    modal.error = Some(error);
                    state.modal = Some(Modal::Remove(modal));
                }
            }
            Vec::new()
        }
        Modal::RoomField(mut modal) => match modal.saving(lang) {
            Ok(Saving::Send(change)) => {
                let key = modal.key.clone();
                send(
                    state,
                    Modal::RoomField(modal),
                    &key,
                    change,
                    About::default(),
                )
            }
            Ok(Saving::Ask(question)) => {
                let change = Destructive::SaveTags(modal);
                state.modal = Some(Modal::Confirm(Confirm::new(question, change)));
                Vec::new()
            }
            Err(error) => {
                modal.error = Some(error);
                state.modal = Some(Modal::RoomField(modal));
                Vec::new()
            }
        },
        Modal::Create(form) => submit_create(state, form),
        Modal::Add(modal) => submit_add(state, modal),
        Modal::Confirm(question) => make(state, question.change),
        // The overlays take their keys in `overlays.rs`; they never reach here.
        modal @ (Modal::Workload(_) | Modal::Audit(_)) => {
            state.modal = Some(modal);
            Vec::new()
        }
    }
}

/// Sends a change asked for by `modal`, which then waits for the reply (or shows "busy").
fn send(
    state: &mut State,
    mut modal: Modal,
    key: &ChatKey,
    change: Change,
    about: About,
) -> Vec<Command> {
    let seen = state.shown_conversation(key).cloned();
    let sent = changes::begin(state, key, change, about, seen.as_ref());
    let commands = match (&sent, modal.sending()) {
        (Ok((id, _)), Some((at, error))) => {
            *at = Stage::Sending(*id);
            *error = None;
            Vec::new()
        }
        (Err(busy), Some((_, error))) => {
            *error = Some(busy.clone());
            Vec::new()
        }
        (Err(busy), None) => {
            state.notify(Level::Error, busy.clone());
            Vec::new()
        }
        (Ok(_), None) => Vec::new(),
    };
    state.modal = Some(modal);
    commands
        .into_iter()
        .chain(sent.ok().map(|(_, command)| command))
        .collect()
}

/// The user confirmed a destructive change: make it.
fn make(state: &mut State, change: Destructive) -> Vec<Command> {
    match change {
        Destructive::RemoveParticipant(modal) => {
            if let Some((change, about)) = modal.request() {
                let key = modal.key.clone();
                send(state, Modal::Remove(modal), &key, change, about)
            } else {
                state.modal = Some(Modal::Remove(modal));
                Vec::new()
            }
        }
        Destructive::SaveTags(modal) => {
            let (key, change) = (modal.key.clone(), modal.tags());
            send(
                state,
                Modal::RoomField(modal),
                &key,
                change,
                About::default(),
            )
        }
        Destructive::ConcludeRoom(key) => archive(state, &key, true),
        Destructive::ForgetChat(key) => vec![Command::ForgetChat {
            key,
            announce: true,
        }],
        Destructive::DespiteOthers { action, key } => {
            let still = state
                .inbox
                .selected_row()
                .is_some_and(|row| row.summary.key == key);
            if still {
                perform(state, action, Others::Asked)
            } else {
                let text = state.lang.pick(
                    "a seleção mudou; nada foi feito",
                    "the selection moved; nothing was done",
                );
                state.notify(Level::Error, text.to_owned());
                Vec::new()
            }
        }
    }
}

/// An action that changes the selected chat (or forgets it): refused on a row of an account this
/// configuration does not define, then carried out, asking first when another person is on the
/// chat.
pub fn on_selected(state: &mut State, action: Action) -> Vec<Command> {
    let selected = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone());
    if let Some(key) = selected
        && claims::refused_read_only(state, &key)
    {
        return Vec::new();
    }
    perform(state, action, Others::Ask)
}

/// Whether the question naming the other people on a chat is still to be asked before a change
/// with no question of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Others {
    /// Ask it once the change is known to be possible.
    Ask,
    /// Asked and confirmed.
    Asked,
}

/// Carries out an action on the selected chat. A change that asks a question of its own
/// (removing a participant, concluding) names the other people on the chat in it; any other
/// change asks about them first, once it is known to be possible (offered, not busy, loaded).
/// Forgetting a chat gone from the CRM changes nothing there, and names nobody.
fn perform(state: &mut State, action: Action, others: Others) -> Vec<Command> {
    match action {
        Action::ReassignResponsible => open_reassign(state, others),
        Action::RemoveParticipant => open_remove(state),
        Action::ToggleArchive => toggle_archive(state, others),
        Action::ForgetChat => ask_forget(state),
        Action::ChangeDepartment | Action::EditTags => open_field(state, action, others),
        _ => Vec::new(),
    }
}

/// The selected conversation, ready for `action` (see [`changes::selected_for`]); when another
/// person is on it and `others` is still to be asked, the question naming them opens instead.
fn ready_for(
    state: &mut State,
    action: Action,
    capability: Capability,
    others: Others,
) -> Result<(ChatKey, Conversation), Vec<Command>> {
    let (key, conversation) = changes::selected_for(state, capability)?;
    if others == Others::Ask && claims::ask_first(state, action, &key) {
        return Err(Vec::new());
    }
    Ok((key, conversation))
}

/// `question` with the other people on `key` named at its end: a change that asks anyway asks
/// once.
fn naming_others(state: &State, key: &ChatKey, mut question: Question) -> Question {
    question.lines.extend(claims::others_lines(state, key));
    question
}

/// Opens the reassign modal for the selected conversation, when its detail is at hand and no
/// other change to it is in flight (otherwise the status bar says why).
fn open_reassign(state: &mut State, others: Others) -> Vec<Command> {
    let action = Action::ReassignResponsible;
    let (key, conversation) = match ready_for(state, action, Capability::Reassign, others) {
        Ok(target) => target,
        Err(commands) => return commands,
    };
    // Users seen on the account's other conversations: candidates where the CRM lists none.
    // Each once: the desk's few users, not a copy of every row's.
    let known: BTreeSet<&str> = state
        .inbox
        .rows()
        .iter()
        .filter(|row| {
            row.summary.key.provider == key.provider && row.summary.key.account == key.account
        })
        .filter_map(|row| row.summary.columns.responsible_user_id.as_deref())
        .collect();
    let known: Vec<String> = known.into_iter().map(str::to_owned).collect();
    state.modal = Some(Modal::Reassign(Reassign::open(key, &conversation, &known)));
    Vec::new()
}

/// Opens the remove-participant modal for the selected conversation. Its question, once a
/// participant is picked, names the other people on the chat.
fn open_remove(state: &mut State) -> Vec<Command> {
    match changes::selected_for(state, Capability::RemoveParticipant) {
        Ok((key, conversation)) => {
            state.modal = Some(Modal::Remove(Remove::open(key, &conversation)));
            Vec::new()
        }
        Err(commands) => commands,
    }
}

/// Opens the department (`change_department`) or tags (`edit_tags`) of the selected
/// conversation, prefilled.
fn open_field(state: &mut State, action: Action, others: Others) -> Vec<Command> {
    let (kind, capability) = if action == Action::ChangeDepartment {
        (RoomFieldKind::Department, Capability::Department)
    } else {
        (RoomFieldKind::Tags, Capability::Tags)
    };
    match ready_for(state, action, capability, others) {
        Ok((key, conversation)) => {
            state.modal = Some(Modal::RoomField(RoomField::open(key, kind, &conversation)));
            Vec::new()
        }
        Err(commands) => commands,
    }
}

/// Concludes or reopens the selected conversation. Concluding asks first, naming the other people
/// on the room; reopening asks only about them.
fn toggle_archive(state: &mut State, others: Others) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        return Vec::new();
    };
    let key = row.summary.key.clone();
    if !supports(key.provider, Capability::Conclude) {
        let text = not_offered(lang, key.provider, Capability::Conclude);
        state.notify(Level::Error, text);
        return Vec::new();
    }
    let archived = row.summary.columns.archived;
    let contact = row.contact().to_owned();
    if refused_busy(state, &key) {
        return Vec::new();
    }
    if archived {
        if others == Others::Ask && claims::ask_first(state, Action::ToggleArchive, &key) {
            return Vec::new();
        }
        return archive(state, &key, false);
    }
    let question = naming_others(state, &key, conclude_question(lang, &contact));
    let change = Destructive::ConcludeRoom(key);
    state.modal = Some(Modal::Confirm(Confirm::new(question, change)));
    Vec::new()
}

/// Concludes (`conclude`) or reopens a conversation.
fn archive(state: &mut State, key: &ChatKey, conclude: bool) -> Vec<Command> {
    let change = if conclude {
        Change::Conclude
    } else {
        Change::Reopen
    };
    let seen = state.shown_conversation(key).cloned();
    match changes::begin(state, key, change, About::default(), seen.as_ref()) {
        Ok((_, command)) => vec![command],
        Err(busy) => {
            state.notify(Level::Error, busy);
            Vec::new()
        }
    }
}

/// Asks before forgetting the selected chat; only a chat gone from the CRM (`✝`) is forgotten
/// here (a live one would come back with its next webhook).
fn ask_forget(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        nothing_selected(state);
        return Vec::new();
    };
    let key = row.summary.key.clone();
    let contact = row.contact().to_owned();
    if !row.summary.gone {
        state.notify(
            Level::Error,
            lang.pick(
                "só se esquece aqui uma conversa que sumiu do CRM (✝); `balcao inbox remove ID` tira qualquer uma do índice",
                "only a chat gone from the CRM (✝) is forgotten here; `balcao inbox remove ID` takes any out of the index",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    if refused_busy(state, &key) {
        return Vec::new();
    }
    let question = forget_question(lang, &contact, &key.chat_id);
    let change = Destructive::ForgetChat(key);
    state.modal = Some(Modal::Confirm(Confirm::new(question, change)));
    Vec::new()
}

/// Sends the create form once it checks; every problem is shown by its field.
fn submit_create(state: &mut State, mut form: Create) -> Vec<Command> {
    let lang = state.lang;
    match form.request(lang) {
        Err(problems) => {
            form.problems = problems;
            state.modal = Some(Modal::Create(form));
            Vec::new()
        }
        Ok(request) => {
            let id = state.mint();
            let account = state.account.clone();
            state.pending.insert(
                id,
                Pending::Create {
                    account: account.clone(),
                    request: crate::api::providers::describe_new(&request),
                },
            );
            form.stage = Stage::Sending(id);
            form.problems.clear();
            form.server_error = None;
            state.modal = Some(Modal::Create(form));
            let call = ApiCall::CreateChat { account, request };
            vec![Command::Api(ApiRequest { id, call })]
        }
    }
}

/// Asks for the conversation the add modal names.
fn submit_add(state: &mut State, mut modal: Add) -> Vec<Command> {
    let lang = state.lang;
    match modal.request(lang, &state.account) {
        Err(error) => {
            modal.error = Some(error);
            state.modal = Some(Modal::Add(modal));
            Vec::new()
        }
        Ok(key) => {
            let id = state.mint();
            let known = state.inbox.row(&key).is_some();
            state.pending.insert(
                id,
                Pending::Add {
                    key: key.clone(),
                    known,
                },
            );
            modal.stage = Stage::Sending(id);
            state.modal = Some(Modal::Add(modal));
            vec![Command::Api(ApiRequest {
                id,
                call: ApiCall::AddChat(key),
            })]
        }
    }
}
