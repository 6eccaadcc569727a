//! The console's one state: the inbox rows, the detail, the open modal, requests in flight.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};

use crate::api::{Change, Conversation};
use crate::batch::UndoNote;
use crate::console::action::Context;
use crate::console::desk::Desk;
use crate::console::list::Inbox;
use crate::console::modal::{Modal, Stage};
use crate::console::msg::RequestId;
use crate::console::views::Views;
use crate::i18n::Lang;
use crate::store::ChatKey;

/// The terminal size assumed until the first resize.
const SIZE: (u16, u16) = (120, 40);

/// How long a notification stays in the status bar.
pub const NOTIFICATION_TTL: TimeDelta = TimeDelta::seconds(6);

/// Where the stored or fetched detail stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailStatus {
    /// Nothing asked.
    Idle,
    /// A fetch is in flight.
    Loading(RequestId),
    /// The last fetch failed.
    Failed(String),
    /// The CRM answered 404.
    Gone,
}

/// The detail pane.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The chat shown.
    pub key: Option<ChatKey>,
    /// Its detail: fetched, or stored in the index (the only source for a CRM without reads).
    pub conversation: Option<Conversation>,
    /// When that detail was fetched.
    pub as_of: Option<DateTime<Utc>>,
    /// The fetch state.
    pub status: DetailStatus,
    /// CPF/CNPJ shown in full.
    pub reveal_documents: bool,
    /// Lines scrolled.
    pub scroll: u16,
}

impl Default for Detail {
    fn default() -> Self {
        Self {
            key: None,
            conversation: None,
            as_of: None,
            status: DetailStatus::Idle,
            reveal_documents: false,
            scroll: 0,
        }
    }
}

impl Detail {
    /// Whether a stored detail fetched at `fetched_at` would take the pane: it is newer than what
    /// the pane shows, or the pane shows nothing.
    pub fn older_than(&self, fetched_at: Option<DateTime<Utc>>) -> bool {
        match (fetched_at, self.as_of) {
            (Some(new), Some(old)) => new > old,
            _ => self.conversation.is_none(),
        }
    }
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    /// The chat list.
    #[default]
    List,
    /// The detail.
    Detail,
}

/// How a notification looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// The status bar's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The text.
    pub text: String,
    /// Info or error.
    pub level: Level,
    /// When it goes away.
    pub until: DateTime<Utc>,
}

/// What a request in flight was for.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// A detail fetch.
    Fetch(ChatKey),
    /// A change to a conversation.
    Change(PendingChange),
    /// A conversation being opened.
    Create {
        /// The account.
        account: String,
        /// The request, for the audit log.
        request: String,
    },
    /// Adding a chat by id.
    Add {
        /// The chat.
        key: ChatKey,
        /// Whether the list had it before (an add that finds nothing leaves no row behind).
        known: bool,
    },
    /// Unread totals.
    Unread,
}

/// A change sent and not yet answered: what was asked, and what the message and the audit
/// log will say of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChange {
    /// The conversation.
    pub key: ChatKey,
    /// What was asked.
    pub change: Change,
    /// The request as sent, for the audit log.
    pub request: String,
    /// The value before (the responsible's or the participant's name), for the audit log.
    pub before: Option<String>,
    /// Who the change is about, by name (the new responsible, the participant leaving).
    pub who: String,
    /// Whether the conversation is a room (the words say "room", not "chat").
    pub room: bool,
    /// How the change is taken back, from the conversation as the person saw it.
    pub undo: Box<UndoNote>,
}

impl Pending {
    /// The conversation a change is about.
    pub fn mutated_chat(&self) -> Option<&ChatKey> {
        match self {
            Self::Change(change) => Some(&change.key),
            _ => None,
        }
    }
}

/// Reachability of the CRM, as the last replies showed it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Connection {
    /// The token was refused (401/403): no retries until it changes.
    pub auth_refused: bool,
    /// The last request could not reach the server.
    pub offline: bool,
}

/// Everything the console shows and knows.
#[derive(Debug, Clone)]
pub struct State {
    /// Language.
    pub lang: Lang,
    /// The clock, set by ticks, so views are deterministic.
    pub now: DateTime<Utc>,
    /// The time zone dates are shown in.
    pub offset: chrono::FixedOffset,
    /// Whether frames are drawn in colour (`NO_COLOR` turns it off).
    pub colour: bool,
    /// The account new chats go to.
    pub account: String,
    /// The user's own id per account, for `mine`.
    pub me: HashMap<String, String>,
    /// The list.
    pub inbox: Inbox,
    /// The detail pane.
    pub detail: Detail,
    /// The focused pane.
    pub focus: Focus,
    /// The open modal, if any (one at most).
    pub modal: Option<Modal>,
    /// Requests in flight.
    pub pending: BTreeMap<RequestId, Pending>,
    /// Chats whose last mutation failed.
    pub failed: HashSet<ChatKey>,
    /// The last notification.
    pub notification: Option<Notification>,
    /// CRM reachability.
    pub connection: Connection,
    /// Unread totals from the CRM (messages, chats).
    pub unread: Option<(i64, i64)>,
    /// Where webhooks are received, for the status bar.
    pub receiver: Option<String>,
    /// Who this person is, who else is on which chat, and the shared index's reachability.
    pub desk: Desk,
    /// The saved views shown as tabs above the list, and the one in force.
    pub views: Views,
    /// Terminal size.
    pub size: (u16, u16),
    /// Set by `quit`.
    pub should_quit: bool,
    /// The batch running, the one being prepared, and the last change (for `undo`).
    pub batches: crate::console::running::Batches,
    /// What rang and what may ring (`notify`); off until the console's start sets it.
    pub nudges: crate::console::notify::Nudges,
    /// Replies: drafts, sends in flight and how they ended.
    pub replies: crate::console::composer::Replies,
    /// The conversation opened with `show_timeline` (kept when closed, for the next opening).
    pub timeline: Option<crate::console::timeline::open::OpenTimeline>,
    next_id: u64,
}

impl State {
    /// A fresh state.
    pub fn new(lang: Lang, now: DateTime<Utc>, account: String) -> Self {
        Self {
            lang,
            now,
            offset: chrono::FixedOffset::east_opt(0)
                .unwrap_or_else(|| *chrono::Utc::now().fixed_offset().offset()),
            account,
            colour: true,
            me: HashMap::new(),
            inbox: Inbox::with_page(list_page(SIZE)),
            detail: Detail::default(),
            focus: Focus::List,
            modal: None,
            pending: BTreeMap::new(),
            failed: HashSet::new(),
            notification: None,
            connection: Connection::default(),
            unread: None,
            receiver: None,
            desk: Desk::default(),
            views: Views::new(lang, &[]),
            size: SIZE,
            should_quit: false,
            batches: crate::console::running::Batches::default(),
            nudges: crate::console::notify::Nudges::off(),
            replies: crate::console::composer::Replies::default(),
            timeline: None,
            next_id: 1,
        }
    }

    /// Whether a change to `key` is in flight (one at a time per conversation), alone or in a
    /// batch.
    pub fn is_busy(&self, key: &ChatKey) -> bool {
        self.pending
            .values()
            .any(|pending| pending.mutated_chat() == Some(key))
            || self.batches.holds(key)
    }

    /// The detail shown, when it is `key`'s.
    pub fn shown_conversation(&self, key: &ChatKey) -> Option<&Conversation> {
        self.detail
            .conversation
            .as_ref()
            .filter(|_| self.detail.key.as_ref() == Some(key))
    }

    /// Closes the modal that sent request `id`, if it is still open waiting on it.
    pub fn close_modal_sending(&mut self, id: RequestId) {
        if self
            .modal
            .as_mut()
            .and_then(Modal::sending)
            .is_some_and(|(stage, _)| *stage == Stage::Sending(id))
        {
            self.modal = None;
        }
    }

    /// Request `id` was refused or not sent: the modal that sent it (if still open) returns to
    /// editing with the reason. Returns whether a modal took it.
    pub fn reopen_with_error(&mut self, id: RequestId, text: &str) -> bool {
        match self.modal.as_mut().and_then(Modal::sending) {
            Some((stage, error)) if *stage == Stage::Sending(id) => {
                *stage = Stage::Editing;
                *error = Some(text.to_owned());
                true
            }
            _ => false,
        }
    }

    /// A new request id.
    pub fn mint(&mut self) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        id
    }

    /// The keymap contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.modal.is_some() {
            vec![Context::Modal]
        } else {
            match self.focus {
                Focus::List => vec![Context::List, Context::Global],
                Focus::Detail => vec![Context::Detail, Context::Global],
            }
        }
    }

    /// Shows a message in the status bar.
    pub fn notify(&mut self, level: Level, text: String) {
        self.notification = Some(Notification {
            text,
            level,
            until: self.now + NOTIFICATION_TTL,
        });
    }
}

/// Chat rows that fit in the list for a terminal size (the views' tabs, borders, header and
/// status bar aside).
pub fn list_page(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(5)).max(1)
}
