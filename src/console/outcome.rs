//! Every answer from the actor goes through here. A change's reply takes one pipeline, written
//! once: verify (what the reply establishes) → apply or roll back → audit → notify → close or
//! reopen the modal. Reads (fetch, add, totals) update the pane and the list.

use crate::api::{ApiError, Change, ErrorKind};
use crate::batch::batch_id_for;
use crate::console::modal::{Modal, Stage};
use crate::console::msg::{ApiCall, ApiEvent, ApiReply, ApiRequest, Command, Fresh, RequestId};
use crate::console::navigate::{remove_row, upsert_row};
use crate::console::running::LastChange;
use crate::console::state::{Connection, DetailStatus, Level, Pending, PendingChange, State};
use crate::i18n::Lang;
use crate::present::audit_outcome;
use crate::store::{AuditEntry, ChatKey, ChatSummary, Source};
use crate::tr;

/// What a change's reply establishes.
#[derive(Debug)]
enum Verdict {
    /// The change is made. `created`: for a creation, whether it opened a new conversation.
    Applied { fresh: Fresh, created: Option<bool> },
    /// Not written: the conversation had changed since the person looked.
    Conflict(Fresh),
    /// Refused, not sent, or unverified (`ErrorKind::OutcomeUnknown`: it may have been made).
    Failed(ApiError),
}

impl Verdict {
    /// The reply read as a verdict; `None` for a reply that answers another kind of call.
    fn of(outcome: Result<ApiReply, ApiError>) -> Option<Self> {
        match outcome {
            Ok(ApiReply::Changed(fresh)) => Some(Self::Applied {
                fresh,
                created: None,
            }),
            Ok(ApiReply::Created(fresh, created)) => Some(Self::Applied {
                fresh,
                created: Some(created),
            }),
            Ok(ApiReply::ResponsibleChanged(fresh)) => Some(Self::Conflict(fresh)),
            Ok(_) => None,
            Err(error) => Some(Self::Failed(error)),
        }
    }
}

/// What the pipeline needs to know of one kind of change: its audit entry and its words.
trait Subject {
    /// The conversation, for the audit log and the row's failure mark.
    fn key(&self, verdict: &Verdict) -> ChatKey;
    /// The audit log's action name.
    fn action(&self) -> &'static str;
    /// The request as sent.
    fn request(&self) -> String;
    /// The value before.
    fn before(&self) -> Option<String>;
    /// The value after, from the conversation as it is now.
    fn after(&self, fresh: &Fresh) -> Option<String>;
    /// The words for a change made.
    fn done(&self, lang: Lang, created: Option<bool>) -> String;
    /// The words for a change known not made, with the reason.
    fn not_done(&self, lang: Lang, reason: &str) -> String;
    /// How the change is taken back (the audit entry's `undo`), when it can be.
    fn undo(&self) -> Option<String> {
        None
    }
    /// Whether a failure marks the row (a creation has no row yet).
    fn marks_row(&self) -> bool {
        true
    }
    /// Whether a failure is said in the status bar even when the modal shows it.
    fn said_over_modal(&self) -> bool {
        true
    }
}

impl PendingChange {
    /// Whether the words speak of a room.
    fn of_room(&self) -> bool {
        self.room
            || matches!(
                self.change,
                Change::Conclude | Change::Reopen | Change::SetDepartment(_) | Change::SetTags(_)
            )
    }
}

impl Subject for PendingChange {
    fn key(&self, _: &Verdict) -> ChatKey {
        self.key.clone()
    }

    fn action(&self) -> &'static str {
        self.change.audit_action()
    }

    fn request(&self) -> String {
        self.request.clone()
    }

    fn before(&self) -> Option<String> {
        self.before.clone()
    }

    fn undo(&self) -> Option<String> {
        Some(self.undo.to_text())
    }

    fn after(&self, fresh: &Fresh) -> Option<String> {
        let shows_responsible = self.room || matches!(self.change, Change::Reassign { .. });
        shows_responsible
            .then(|| fresh.conversation.responsible_name().map(str::to_owned))
            .flatten()
    }

    fn done(&self, lang: Lang, _: Option<bool>) -> String {
        let who = &self.who;
        let room = self.of_room();
        match &self.change {
            Change::Reassign { .. } if room => {
                tr!(lang, "sala atribuída a {who}", "room assigned to {who}")
            }
            Change::Reassign { scope, .. } if scope.chat => {
                tr!(lang, "reatribuída a {who}", "reassigned to {who}")
            }
            // Without the chat only the contact's leads and deals move: the chat keeps its
            // responsible, and the words must not say otherwise.
            Change::Reassign { scope, .. } => {
                let what = match (scope.leads, scope.deals) {
                    (true, false) => "leads",
                    (false, true) => lang.pick("negócios", "deals"),
                    _ => lang.pick("leads/negócios", "leads/deals"),
                };
                tr!(
                    lang,
                    "{what} reatribuídos a {who}; o responsável da conversa não mudou",
                    "{what} reassigned to {who}; the chat's responsible is unchanged"
                )
            }
            Change::RemoveParticipant { .. } if room => {
                tr!(lang, "{who} saiu da sala", "{who} left the room")
            }
            Change::RemoveParticipant { .. } => tr!(
                lang,
                "{who} removido da conversa",
                "{who} removed from the chat"
            ),
            Change::Conclude => lang.pick("sala concluída", "room concluded").to_owned(),
            Change::Reopen => lang.pick("sala reaberta", "room reopened").to_owned(),
            Change::SetDepartment(_) => lang
                .pick("departamento alterado", "department changed")
                .to_owned(),
            Change::SetTags(_) => lang.pick("tags alteradas", "tags changed").to_owned(),
        }
    }

    fn not_done(&self, lang: Lang, reason: &str) -> String {
        let who = &self.who;
        match &self.change {
            _ if self.of_room() => tr!(
                lang,
                "sala não alterada: {reason}",
                "room not changed: {reason}"
            ),
            Change::RemoveParticipant { .. } => tr!(
                lang,
                "{who} não foi removido: {reason}",
                "{who} was not removed: {reason}"
            ),
            _ => tr!(
                lang,
                "não reatribuída: {reason}",
                "not reassigned: {reason}"
            ),
        }
    }
}

/// A conversation being opened.
struct Creation {
    account: String,
    request: String,
}

impl Subject for Creation {
    fn key(&self, verdict: &Verdict) -> ChatKey {
        match verdict {
            Verdict::Applied { fresh, .. } | Verdict::Conflict(fresh) => fresh.key.clone(),
            Verdict::Failed(_) => ChatKey::wegly(&self.account, ""),
        }
    }

    fn action(&self) -> &'static str {
        "create_chat"
    }

    fn request(&self) -> String {
        self.request.clone()
    }

    fn before(&self) -> Option<String> {
        None
    }

    fn after(&self, _: &Fresh) -> Option<String> {
        None
    }

    fn done(&self, lang: Lang, created: Option<bool>) -> String {
        if created == Some(false) {
            lang.pick(
                "o contato já tinha conversa nesta linha; ela foi reaproveitada",
                "the contact already had a chat on this line; it was reused",
            )
        } else {
            lang.pick("conversa criada", "chat created")
        }
        .to_owned()
    }

    fn not_done(&self, lang: Lang, reason: &str) -> String {
        tr!(
            lang,
            "conversa não criada: {reason}",
            "chat not created: {reason}"
        )
    }

    fn marks_row(&self) -> bool {
        false
    }

    fn said_over_modal(&self) -> bool {
        false
    }
}

/// The pipeline: apply or roll back → audit → notify → close or reopen the modal.
fn settle(
    state: &mut State,
    id: RequestId,
    subject: &dyn Subject,
    verdict: Verdict,
) -> Vec<Command> {
    let lang = state.lang;
    let key = subject.key(&verdict);
    // Apply what the CRM now says, or roll back: nothing of a failed change shows as made.
    let mut commands = match &verdict {
        Verdict::Applied { fresh, .. } | Verdict::Conflict(fresh) => apply_fresh(state, fresh),
        Verdict::Failed(error) => {
            // "Not changed" (and the row's ✗ marker) only when that is known.
            if subject.marks_row() && error.kind() != ErrorKind::OutcomeUnknown {
                state.failed.insert(key.clone());
            }
            Vec::new()
        }
    };
    let (outcome, status, after) = match &verdict {
        Verdict::Applied {
            created: Some(created),
            ..
        } => (
            if *created { "created" } else { "reused" },
            Some(if *created { 201 } else { 200 }),
            None,
        ),
        Verdict::Applied { fresh, .. } => ("confirmed", Some(200), subject.after(fresh)),
        Verdict::Conflict(fresh) => ("conflict", None, Some(holder(lang, fresh))),
        Verdict::Failed(error) => (audit_outcome(error), error.status(), None),
    };
    // A single change is a batch of one, so `undo` takes it back like any batch; only a change
    // that may be there says how.
    let made = crate::batch::may_be_there(outcome);
    let batch = batch_id_for(&state.desk.viewer.console, id.0);
    let entry = AuditEntry {
        at: state.now,
        key,
        action: subject.action().to_owned(),
        request: Some(subject.request()),
        before: subject.before(),
        after,
        outcome: outcome.to_owned(),
        http_status: status,
        by: Some(state.desk.viewer.who.clone()),
        batch: Some(batch.clone()),
        undo: made.then(|| subject.undo()).flatten(),
    };
    // One that may be there is the last change made here, for the undo.
    if entry.undo.is_some() {
        state.batches.last = Some(LastChange {
            batch,
            at: state.now,
            entries: vec![entry.clone()],
        });
    }
    commands.push(Command::Audit(entry));
    match verdict {
        Verdict::Applied { created, .. } => {
            state.close_modal_sending(id);
            state.notify(Level::Info, subject.done(lang, created));
        }
        Verdict::Conflict(fresh) => conflict(state, id, &fresh),
        Verdict::Failed(error) => {
            let text = error.user_message(lang);
            let reopened = state.reopen_with_error(id, &text);
            if !reopened || subject.said_over_modal() {
                let line = if error.kind() == ErrorKind::OutcomeUnknown {
                    text
                } else {
                    subject.not_done(lang, &text)
                };
                state.notify(Level::Error, line);
            }
        }
    }
    commands
}

/// Who holds a conversation now, by name.
fn holder(lang: Lang, fresh: &Fresh) -> String {
    fresh
        .conversation
        .responsible_name()
        .map_or_else(|| lang.pick("ninguém", "nobody").to_owned(), str::to_owned)
}

/// The responsible moved before the write: nothing was written; the modal (or the status bar)
/// says who holds the conversation now and lets the user decide again.
fn conflict(state: &mut State, id: RequestId, fresh: &Fresh) {
    let lang = state.lang;
    let now_name = holder(lang, fresh);
    match &mut state.modal {
        Some(Modal::Reassign(modal)) if modal.stage == Stage::Sending(id) => {
            let to = modal.chosen().map(|c| c.name.clone()).unwrap_or_default();
            modal.stage = Stage::Editing;
            modal.expected = fresh.conversation.responsible_user_id().map(str::to_owned);
            modal.expected_name = fresh.conversation.responsible_name().map(str::to_owned);
            modal.error = Some(tr!(
                lang,
                "o responsável mudou enquanto isso: agora é {now_name}. Enter reatribui a {to} mesmo assim; Esc cancela",
                "the responsible changed meanwhile: it is now {now_name}. Enter reassigns to {to} anyway; Esc cancels"
            ));
        }
        _ => state.notify(
            Level::Error,
            tr!(
                lang,
                "o responsável mudou enquanto isso: agora é {now_name}; nada foi alterado",
                "the responsible changed meanwhile: it is now {now_name}; nothing was changed"
            ),
        ),
    }
}

/// Applies a fresh conversation to its row and, when shown, to the detail.
pub fn apply_fresh(state: &mut State, fresh: &Fresh) -> Vec<Command> {
    let summary = fresh.summary.clone().unwrap_or_else(|| ChatSummary {
        key: fresh.key.clone(),
        columns: fresh.conversation.columns(),
        first_seen_at: state.now,
        last_event_at: None,
        hydrated_at: Some(state.now),
        source: Source::Manual,
        gone: false,
        needs_hydration: false,
        last_error: None,
    });
    // Only a detail that is really the shown conversation takes the pane.
    let same = fresh
        .conversation
        .id()
        .is_none_or(|id| id == fresh.key.chat_id);
    if state.detail.key.as_ref() == Some(&fresh.key) && same {
        state.detail.conversation = Some(fresh.conversation.clone());
        state.detail.as_of = Some(state.now);
        state.detail.status = DetailStatus::Idle;
    }
    // The reply carries the detail itself: the row changes, the pane needs no reload.
    upsert_row(state, summary)
}

/// The actor's queue was full: nothing was sent, so nothing is audited or marked failed, and the
/// connection is not in doubt. The request is forgotten and the user told to try again.
pub fn api_busy(state: &mut State, id: RequestId) -> Vec<Command> {
    if state.pending.remove(&id).is_none() {
        return Vec::new();
    }
    if state.detail.status == DetailStatus::Loading(id) {
        state.detail.status = DetailStatus::Idle;
    }
    let text = state
        .lang
        .pick(
            "a API está ocupada; tente de novo em instantes",
            "the API is busy; try again in a moment",
        )
        .to_owned();
    state.reopen_with_error(id, &text);
    state.notify(Level::Error, text);
    Vec::new()
}

/// What an answer from the actor shows of the connection, for the status bar: any answer clears
/// the doubt; a refused key, or the network down or too slow, is said until the next answer.
pub fn note_connection(state: &mut State, outcome: &Result<ApiReply, ApiError>) {
    match outcome {
        Ok(_) => state.connection = Connection::default(),
        Err(error) => match error.kind() {
            ErrorKind::Unauthorized | ErrorKind::Forbidden => state.connection.auth_refused = true,
            ErrorKind::Network | ErrorKind::Timeout => state.connection.offline = true,
            _ => {}
        },
    }
}

/// One answer from the actor.
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    let Some(pending) = state.pending.remove(&event.id) else {
        // Not ours any more (or never): a stale reply changes nothing.
        return Vec::new();
    };
    note_connection(state, &event.outcome);
    let id = event.id;
    match pending {
        Pending::Change(change) => match Verdict::of(event.outcome) {
            Some(verdict) => settle(state, id, &change, verdict),
            None => Vec::new(),
        },
        Pending::Create { account, request } => match Verdict::of(event.outcome) {
            Some(verdict) => settle(state, id, &Creation { account, request }, verdict),
            None => Vec::new(),
        },
        read => read_outcome(state, id, read, event.outcome),
    }
}

/// Fetches, additions and totals.
fn read_outcome(
    state: &mut State,
    id: RequestId,
    pending: Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    match (pending, outcome) {
        (Pending::Fetch(_), Ok(ApiReply::Chat(fresh))) => apply_fresh(state, &fresh),
        // An id the CRM does not know, given by hand: said so, and no row is left behind.
        (Pending::Add { key, known: false }, Ok(ApiReply::Gone(..))) => {
            no_such_chat(state, id, key, false)
        }
        (Pending::Add { key, known }, Err(error)) if error.kind() == ErrorKind::NotFound => {
            no_such_chat(state, id, key, known)
        }
        (Pending::Fetch(key) | Pending::Add { key, .. }, Ok(ApiReply::Gone(_, summary))) => {
            if state.detail.key.as_ref() == Some(&key) {
                state.detail.status = DetailStatus::Gone;
            }
            state.close_modal_sending(id);
            state.notify(
                Level::Error,
                lang.pick(
                    "a conversa não existe mais no CRM (404)",
                    "the chat no longer exists in the CRM (404)",
                )
                .to_owned(),
            );
            summary
                .map(|summary| upsert_row(state, summary))
                .unwrap_or_default()
        }
        (Pending::Fetch(key), Err(error)) => {
            if state.detail.key.as_ref() == Some(&key) {
                state.detail.status = DetailStatus::Failed(error.user_message(lang));
            }
            Vec::new()
        }
        (Pending::Add { .. }, Ok(ApiReply::Chat(fresh))) => {
            state.close_modal_sending(id);
            let name = fresh
                .conversation
                .display_name()
                .unwrap_or_else(|| "—".to_owned());
            state.notify(
                Level::Info,
                tr!(lang, "conversa adicionada: {name}", "chat added: {name}"),
            );
            apply_fresh(state, &fresh)
        }
        (Pending::Add { .. }, Err(error)) => {
            let text = error.user_message(lang);
            if !state.reopen_with_error(id, &text) {
                state.notify(Level::Error, text);
            }
            Vec::new()
        }
        (Pending::Unread, Ok(ApiReply::Unread(_, totals))) => {
            state.unread = Some((totals.messages, totals.chats));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// An add by id found no such chat (404): the add modal (or the status bar) says so, and a row
/// the add put in the index is taken out again, so no permanent `✝` row is left behind. A chat
/// the list had before keeps its row.
fn no_such_chat(state: &mut State, id: RequestId, key: ChatKey, known: bool) -> Vec<Command> {
    let lang = state.lang;
    let (chat, account) = (&key.chat_id, &key.account);
    let text = tr!(
        lang,
        "não há conversa com o id {chat} na conta {account} (404); nada foi adicionado",
        "no chat with id {chat} in account {account} (404); nothing was added"
    );
    if !state.reopen_with_error(id, &text) {
        state.notify(Level::Error, text);
    }
    if known {
        return Vec::new();
    }
    let mut commands = remove_row(state, &key);
    commands.push(Command::ForgetChat {
        key,
        announce: false,
    });
    commands
}

/// The index answered a forget: the row leaves the list, or the failure is said.
pub fn forgotten(
    state: &mut State,
    key: &ChatKey,
    announce: bool,
    outcome: Result<bool, String>,
) -> Vec<Command> {
    let lang = state.lang;
    let contact = state
        .inbox
        .row(key)
        .and_then(|row| row.summary.columns.contact.clone())
        .unwrap_or_else(|| key.chat_id.clone());
    let audit = |state: &State, outcome: &str| {
        Command::Audit(AuditEntry {
            at: state.now,
            key: key.clone(),
            action: "forget_chat".to_owned(),
            request: None,
            before: Some(contact.clone()),
            after: None,
            outcome: outcome.to_owned(),
            http_status: None,
            by: Some(state.desk.viewer.who.clone()),
            batch: None,
            undo: None,
        })
    };
    match outcome {
        Ok(_) => {
            let mut commands = remove_row(state, key);
            if announce {
                state.notify(
                    Level::Info,
                    tr!(
                        lang,
                        "{contact} esquecida: fora do índice",
                        "{contact} forgotten: out of the index"
                    ),
                );
                commands.push(audit(state, "confirmed"));
            }
            commands
        }
        Err(error) => {
            state.notify(
                Level::Error,
                tr!(
                    lang,
                    "o índice ainda tem {contact}: {error}",
                    "the index still holds {contact}: {error}"
                ),
            );
            if announce {
                vec![audit(state, "failed")]
            } else {
                Vec::new()
            }
        }
    }
}

/// The request for unread totals of the state's account.
pub fn request_unread(state: &mut State) -> Command {
    let id = state.mint();
    state.pending.insert(id, Pending::Unread);
    Command::Api(ApiRequest {
        id,
        call: ApiCall::UnreadSummary(state.account.clone()),
    })
}
