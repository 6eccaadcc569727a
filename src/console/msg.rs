//! What the reducer receives (`Msg`) and what it asks the runtime to do (`Command`).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::api::Conversation;
pub use crate::api::actor::{ApiCall, ApiEvent, ApiReply, ApiRequest, Fresh, RequestId};
use crate::api::timeline::StoredConversation;
use crate::console::action::Action;
use crate::store::{AuditEntry, ChatKey, ChatSummary, ClaimOutcome, Presence, Viewer};

/// Everything `update` can receive.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key resolved to an action by the keymap.
    Action(Action),
    /// A key no binding claimed, for text fields.
    Input(KeyEvent),
    /// An answer from the API actor.
    Api(ApiEvent),
    /// The actor's queue was full; the request was not sent.
    ApiBusy(RequestId),
    /// The most urgent rows, read first so the first screen shows at once.
    FirstPage(Vec<ChatSummary>),
    /// Every row of the index, read at start.
    Rows(Vec<ChatSummary>),
    /// Reading the index failed.
    RowsFailed(String),
    /// One row changed in the index (webhook, fetch).
    RowChanged(ChatSummary),
    /// The stored detail of a conversation, read from the index.
    CachedDetail {
        /// Which conversation.
        key: ChatKey,
        /// The detail, if one is stored (and reads back).
        conversation: Option<Box<Conversation>>,
        /// When it was stored.
        as_of: Option<DateTime<Utc>>,
    },
    /// A chat was removed from the index (`Ok(false)`: it was not there).
    ChatForgotten {
        /// Which chat.
        key: ChatKey,
        /// Whether the user asked for it.
        announce: bool,
        /// The index's answer.
        outcome: Result<bool, String>,
    },
    /// The index's change feed: chats written and chats forgotten since the last ones seen, by
    /// anyone (a receiver, another console, the command line).
    IndexChanged {
        /// The chats written, as they are now.
        chats: Vec<ChatSummary>,
        /// The chats forgotten.
        removed: Vec<ChatKey>,
    },
    /// Who is on which chat now (viewing marks and claims).
    Presence(Vec<Presence>),
    /// The shared index cannot be reached since this moment; the feed keeps trying.
    IndexUnreachable(DateTime<Utc>),
    /// The shared index is back and what changed meanwhile has been read.
    IndexReachable,
    /// The index answered a claim.
    Claimed {
        /// Which chat.
        key: ChatKey,
        /// The answer, or why there is none.
        outcome: Result<ClaimOutcome, String>,
    },
    /// The index answered a release (`Ok(false)`: there was no claim of this person's).
    Released {
        /// Which chat.
        key: ChatKey,
        /// The answer, or why there is none.
        outcome: Result<bool, String>,
    },
    /// A change's audit entry could not be written to the index: it waits in the journal.
    AuditKept {
        /// The journal.
        path: PathBuf,
        /// Why the index did not take it.
        because: String,
    },
    /// A change's audit entry could be written neither to the index nor to the journal.
    AuditNotKept {
        /// The entry, as the journal would have kept it, for the person to keep.
        line: String,
        /// Why the index did not take it.
        because: String,
        /// Why the journal did not.
        error: String,
    },
    /// Entries the journal kept were written to the index.
    AuditFlushed(usize),
    /// The stored details a batch's picker needs (`None` where the index holds none).
    BatchDetails {
        /// The read's request.
        id: RequestId,
        /// Each target's detail.
        details: Vec<(ChatKey, Option<Box<Conversation>>)>,
    },
    /// The audit entries of the change to undo: its batch id and entries, `None` when this
    /// person made none.
    UndoEntries {
        /// The read's request.
        id: RequestId,
        /// What the index answered.
        outcome: Result<Option<(String, Vec<AuditEntry>)>, String>,
    },
    /// The audit log's latest entries, newest first, for the audit overlay.
    AuditRead {
        /// The read this answers.
        id: RequestId,
        /// The entries, or why the index could not be read.
        entries: Result<Vec<AuditEntry>, String>,
    },
    /// A chat's conversation as the index holds it (`None`: never fetched).
    TimelineRead {
        /// Which chat.
        key: ChatKey,
        /// What the index answered.
        read: Result<Option<StoredConversation>, String>,
    },
    /// Time passed.
    Tick(DateTime<Utc>),
    /// The terminal's size.
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste), as one insert.
    Paste(String),
    /// A chat's draft as the index holds it (`None`: none, or cleared).
    DraftLoaded {
        /// Which chat.
        key: ChatKey,
        /// The draft.
        draft: Option<crate::store::drafts::StoredDraft>,
    },
    /// A draft write's answer (an error as text).
    DraftWritten {
        /// Which chat.
        key: ChatKey,
        /// The text that was written (or refused).
        body: String,
        /// The index's answer.
        outcome: Result<crate::store::drafts::DraftSaved, String>,
    },
    /// The chats with a draft in the index.
    DraftKeys(Vec<ChatKey>),
    /// The templates this desk has used, from the audit log.
    Templates(Vec<crate::api::reply::Template>),
}

/// Everything `update` can ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send a request to the actor.
    Api(ApiRequest),
    /// Read a chat's stored detail.
    LoadCachedDetail(ChatKey),
    /// Append to the audit log.
    Audit(AuditEntry),
    /// Remove a chat from the index (the CRM is not touched), then answer `ChatForgotten`.
    ForgetChat {
        /// Which chat.
        key: ChatKey,
        /// Whether the user asked (say so when done), or a failed add is being undone.
        announce: bool,
    },
    /// Claim a chat for `viewer` ("I'm on it"), then answer `Claimed`.
    Claim {
        /// Which chat.
        key: ChatKey,
        /// Who claims it, from which console.
        viewer: Viewer,
    },
    /// Drop `who`'s claim on a chat, then answer `Released`.
    Release {
        /// Which chat.
        key: ChatKey,
        /// Whose claim.
        who: String,
    },
    /// Read these chats' stored details for a batch, then answer `BatchDetails`.
    ReadDetails {
        /// The read's request.
        id: RequestId,
        /// Which chats.
        keys: Vec<ChatKey>,
    },
    /// Read the entries of batch `batch` (or of `by`'s latest change), then answer
    /// `UndoEntries`.
    ReadUndo {
        /// The read's request.
        id: RequestId,
        /// The batch, when the console knows it.
        batch: Option<String>,
        /// Whose latest change, when it does not.
        by: String,
    },
    /// Read the audit log's latest `limit` entries, then answer `AuditRead`.
    ReadAudit {
        /// The read.
        id: RequestId,
        /// How many, newest first.
        limit: usize,
    },
    /// Write to the terminal between two frames (the bell, a desktop notification, the
    /// clipboard).
    Terminal(crate::console::escapes::TerminalWrite),
    /// Read a chat's draft, then answer `DraftLoaded`.
    LoadDraft(ChatKey),
    /// Write a chat's draft over revision `based_on`, then answer `DraftWritten`.
    SaveDraft {
        /// Which chat.
        key: ChatKey,
        /// The text.
        draft: crate::store::drafts::DraftText,
        /// The revision it is based on.
        based_on: i64,
    },
    /// Clear a chat's draft over revision `based_on` (it was sent), then answer `DraftWritten`.
    ClearDraft {
        /// Which chat.
        key: ChatKey,
        /// The revision it is based on.
        based_on: i64,
    },
    /// Read the chats with a draft, then answer `DraftKeys`.
    ReadDraftKeys,
    /// Read the templates this desk has used (its creations, and this chat's stored
    /// conversation), then answer `Templates`.
    ReadTemplates(ChatKey),
    /// Read a chat's stored conversation, then answer `TimelineRead`.
    ReadTimeline(ChatKey),
    /// Leave.
    Quit,
}
