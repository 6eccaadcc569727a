//! A reply to a conversation in neutral words: what is sent (text, or a template when the 24 h
//! window is closed), what came of it, and why one is refused before any request.

use chrono::{DateTime, Utc};

use crate::i18n::Lang;
use crate::tr;

/// A message the agent sends into a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// Free text, only inside the 24 h window.
    Text {
        /// The text.
        body: String,
        /// The id of the message it quotes.
        reply_to: Option<String>,
    },
    /// An approved template, inside or outside the window.
    Template {
        /// The template's name.
        name: String,
        /// Its language (`pt_BR`).
        language: String,
        /// Its body placeholders' values, `{{1}}` first.
        fields: Vec<String>,
    },
}

impl Outgoing {
    /// The message it quotes, if any.
    pub fn reply_to(&self) -> Option<&str> {
        match self {
            Self::Text { reply_to, .. } => reply_to.as_deref(),
            Self::Template { .. } => None,
        }
    }
}

/// A template this desk has used, offered when the window is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Its name.
    pub name: String,
    /// Its language.
    pub language: String,
    /// How many body values it takes.
    pub fields: usize,
}

/// Why a message was refused before any request was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsendable {
    /// The text is empty or only blanks.
    Empty,
    /// The 24 h window is closed (or was never opened): only a template may be sent.
    WindowClosed,
    /// This CRM's conversations cannot be answered through its API.
    NotOffered,
}

impl Unsendable {
    /// Why `message` may not be sent to a conversation whose window ends at `window_ends_at`
    /// (as the index knows it), at `now`; `None` when it may.
    pub fn check(
        message: &Outgoing,
        window_ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        match message {
            Outgoing::Text { body, .. } if body.trim().is_empty() => Some(Self::Empty),
            Outgoing::Text { .. } if window_ends_at.is_none_or(|end| now >= end) => {
                Some(Self::WindowClosed)
            }
            Outgoing::Template { name, .. } if name.trim().is_empty() => Some(Self::Empty),
            Outgoing::Text { .. } | Outgoing::Template { .. } => None,
        }
    }

    /// What to tell the person, and what to do instead.
    pub fn user_message(self, lang: Lang) -> String {
        match self {
            Self::Empty => tr!(
                lang,
                "não enviado: a mensagem está vazia.",
                "not sent: the message is empty."
            ),
            Self::WindowClosed => tr!(
                lang,
                "não enviado: a janela de 24 h do WhatsApp está fechada; só um modelo (template) pode retomar a conversa.",
                "not sent: the 24 h WhatsApp window is closed; only a template can restart the conversation."
            ),
            Self::NotOffered => tr!(
                lang,
                "não enviado: este CRM não permite responder pela API.",
                "not sent: this CRM does not allow replying through its API."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> Outgoing {
        Outgoing::Text {
            body: body.to_owned(),
            reply_to: None,
        }
    }

    #[test]
    fn text_needs_words_and_an_open_window_and_a_template_needs_neither_window() {
        let now = Utc::now();
        let open = Some(now + chrono::Duration::minutes(5));
        let closed = Some(now - chrono::Duration::minutes(5));
        assert_eq!(
            Unsendable::check(&text(" \n "), open, now),
            Some(Unsendable::Empty)
        );
        assert_eq!(Unsendable::check(&text("Oi"), open, now), None);
        assert_eq!(
            Unsendable::check(&text("Oi"), closed, now),
            Some(Unsendable::WindowClosed)
        );
        assert_eq!(
            Unsendable::check(&text("Oi"), None, now),
            Some(Unsendable::WindowClosed)
        );
        let template = Outgoing::Template {
            name: "retomar".to_owned(),
            language: "pt_BR".to_owned(),
            fields: Vec::new(),
        };
        assert_eq!(Unsendable::check(&template, closed, now), None);
        assert_eq!(Unsendable::check(&template, None, now), None);
    }
}
