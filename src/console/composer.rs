//! The reply composer's state: the text being written (a `ratatui-textarea` editor, so cursor
//! movement, word delete and paste behave as people expect), the message it quotes, the template
//! mode a closed window asks for, and the console's replies part: drafts kept per chat, sends in
//! flight and how each ended, and the one draft save in flight.

use std::collections::{HashMap, HashSet};

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::api::call::RequestId;
use crate::api::reply::Outgoing;
pub use crate::api::reply::Template;
use crate::store::ChatKey;

/// A multi-line editor. Compared by its text and cursor (the widget itself has no equality).
#[derive(Debug, Clone, Default)]
pub struct Editor(TextArea<'static>);

impl PartialEq for Editor {
    fn eq(&self, other: &Self) -> bool {
        self.0.lines() == other.0.lines() && self.0.cursor() == other.0.cursor()
    }
}

impl Editor {
    /// An editor holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> Self {
        let mut area = TextArea::new(text.split('\n').map(str::to_owned).collect());
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Self(area)
    }

    /// The text, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.0.lines().join("\n")
    }

    /// A key: editing, movement, word delete (ctrl-w, alt-backspace), enter for a new line.
    /// Returns whether the text changed.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let before = self.0.lines().to_vec();
        self.0.input(*key);
        self.0.lines() != before.as_slice()
    }

    /// A paste, as one insert (a bracketed paste's line breaks are new lines, not sends).
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.0.insert_str(text)
    }

    /// The widget, for drawing.
    pub fn area(&self) -> &TextArea<'static> {
        &self.0
    }
}

/// The message a reply quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The message's id (sent as `reference_wamid`).
    pub id: String,
    /// How it reads, one line.
    pub preview: String,
}

/// What the composer is writing.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Free text (the window is open).
    Text,
    /// The window is closed: choosing a template (`None` while they are read).
    PickTemplate {
        /// The templates this desk has used.
        templates: Option<Vec<Template>>,
        /// The one under the cursor.
        cursor: usize,
    },
    /// Filling the chosen template's values.
    FillTemplate {
        /// The template.
        template: Template,
        /// Its values so far.
        values: Vec<String>,
        /// The value being typed.
        field: usize,
    },
}

/// The open composer.
#[derive(Debug, Clone, PartialEq)]
pub struct Composer {
    /// The chat replied to.
    pub key: ChatKey,
    /// Its contact, for the title.
    pub contact: String,
    /// The text.
    pub editor: Editor,
    /// The message quoted.
    pub quote: Option<Quote>,
    /// Text or template.
    pub mode: Mode,
    /// A refusal, an error or a word about the draft, shown above the text.
    pub notice: Option<String>,
}

impl Composer {
    /// What would be sent now, if anything.
    pub fn outgoing(&self) -> Option<Outgoing> {
        match &self.mode {
            Mode::Text => Some(Outgoing::Text {
                body: self.editor.text(),
                reply_to: self.quote.as_ref().map(|quote| quote.id.clone()),
            }),
            Mode::FillTemplate {
                template, values, ..
            } => Some(Outgoing::Template {
                name: template.name.clone(),
                language: template.language.clone(),
                fields: values.clone(),
            }),
            Mode::PickTemplate { .. } => None,
        }
    }
}

/// How a chat's last send stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendState {
    /// Sent, no answer yet.
    Sending,
    /// The CRM took it (`verified`: its reply was lost and the re-read timeline showed it).
    Sent {
        /// Established by re-reading.
        verified: bool,
    },
    /// Not sent: the reason.
    Failed(String),
    /// The answer was lost and re-reading did not settle it: it may be in the chat. The next
    /// send asks first.
    Unknown,
}

/// A chat's draft as this console knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kept {
    /// The text.
    pub text: String,
    /// The message quoted.
    pub quote: Option<Quote>,
    /// The index's revision this text is based on (0: none stored yet).
    pub revision: i64,
    /// The text the index holds at `revision`.
    pub saved: String,
}

/// The console's replies: drafts, sends and the draft save in flight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replies {
    /// Each chat's draft, as last typed (restored when its composer opens again).
    pub kept: HashMap<ChatKey, Kept>,
    /// Sends in flight: the chat and what was sent.
    pub sending: HashMap<RequestId, (ChatKey, Outgoing)>,
    /// Each chat's last send.
    pub status: HashMap<ChatKey, SendState>,
    /// The chat whose draft is being written to the index (one at a time per console).
    pub saving: Option<ChatKey>,
    /// Chats with a draft in the index, for the list's marker.
    pub drafts: HashSet<ChatKey>,
    /// Chats whose last send's outcome is unknown and whose next send was asked about: the
    /// next `send_reply` goes.
    pub asked: HashSet<ChatKey>,
}

impl Replies {
    /// Whether request `id` is a send of this part's.
    pub fn owns(&self, id: RequestId) -> bool {
        self.sending.contains_key(&id)
    }

    /// Whether `key` has a reply being written (stored, or typed here and not sent).
    pub fn has_draft(&self, key: &ChatKey) -> bool {
        self.drafts.contains(key)
            || self
                .kept
                .get(key)
                .is_some_and(|kept| !kept.text.trim().is_empty())
    }

    /// Whether a send to `key` is in flight.
    pub fn busy(&self, key: &ChatKey) -> bool {
        self.sending.values().any(|(sent, _)| sent == key)
    }
}
