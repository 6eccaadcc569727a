//! One message as the console draws it, in the detail's "last message" and in the conversation:
//! a header (direction, author, time, delivery status, kind), the body wrapped to the pane,
//! media, call, reactions and the message it quotes. Both documented shapes: v1's full message
//! and v2's reduced record (text in `content_payload`, no `type` or `origin`). Every text the
//! server sent is cleaned of hostile control characters first.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::api::timeline::message_text;
use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::{Message, Reaction};
use crate::console::timeline::{author, preview};
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::present::call_line;
use crate::text::{printable, width};
use crate::timefmt;

/// How the detail reads time: the state's clock and zone, and its language.
#[derive(Clone, Copy)]
pub struct Clock {
    /// Now.
    pub now: DateTime<Utc>,
    /// The zone dates are shown in.
    pub offset: FixedOffset,
    /// The language.
    pub lang: Lang,
}

/// `label` padded, then the value.
pub fn field(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<14}"), theme::label()),
        Span::raw(value.into()),
    ])
}

/// A section's title.
pub fn section(title: &str) -> Line<'static> {
    Line::styled(title.to_owned(), theme::section())
}

/// A time, in the zone and with its age ("—" when unknown).
pub fn when(at: Option<DateTime<Utc>>, clock: Clock) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |at| {
            format!(
                "{} ({})",
                timefmt::in_zone(at, clock.offset, clock.lang),
                timefmt::age(at, clock.now, clock.lang)
            )
        },
    )
}

/// `text` in lines of at most `columns` display columns, broken at spaces where it can (a word
/// longer than a line is cut); its own line breaks are kept.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let gap = usize::from(!line.is_empty());
            if width(&line) + gap + width(word) <= columns {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                if width(&line) + width(c.encode_utf8(&mut [0; 4])) > columns {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines
}

/// A message's time: Meta's, else when the CRM created it.
pub fn message_at(message: &Message) -> Option<DateTime<Utc>> {
    message
        .meta_timestamp
        .as_ref()
        .or(message.created_at.as_ref())
        .and_then(Timestamp::at)
}

fn clean(text: &str) -> String {
    printable(text).into_owned()
}

/// The first line: direction and author, time, delivery status and kind (when not text).
fn header(message: &Message, at: Option<DateTime<Utc>>, clock: Clock) -> String {
    let lang = clock.lang;
    let direction = if message.from_me == Some(true) {
        lang.pick("→ saída", "→ outgoing")
    } else {
        lang.pick("← entrada", "← incoming")
    };
    let mut parts = vec![format!("{direction} · {}", author(message, lang))];
    parts.push(when(at, clock));
    parts.extend(
        message
            .status
            .as_deref()
            .map(|status| status_word(status, lang)),
    );
    parts.extend(
        message
            .kind
            .as_deref()
            .filter(|kind| *kind != "text")
            .map(|kind| kind_word(kind, lang)),
    );
    if message.is_history == Some(true) {
        parts.push(lang.pick("histórico", "history").to_owned());
    }
    parts.join(" · ")
}

/// A delivery status in words (one the docs do not show, as sent).
fn status_word(status: &str, lang: Lang) -> String {
    let (pt, en) = match status.to_ascii_lowercase().as_str() {
        "sent" => ("enviada", "sent"),
        "delivered" => ("entregue", "delivered"),
        "read" => ("lida", "read"),
        "received" => ("recebida", "received"),
        "failed" | "error" => ("falhou", "failed"),
        "processing" | "pending" | "queued" => ("enviando", "sending"),
        _ => return clean(status),
    };
    lang.pick(pt, en).to_owned()
}

/// A message kind in words (one the docs do not show, as sent).
fn kind_word(kind: &str, lang: Lang) -> String {
    let (pt, en) = match kind.to_ascii_lowercase().as_str() {
        "image" => ("imagem", "image"),
        "audio" => ("áudio", "audio"),
        "video" => ("vídeo", "video"),
        "document" => ("documento", "document"),
        "sticker" => ("figurinha", "sticker"),
        "location" => ("localização", "location"),
        "call" => ("ligação", "call"),
        "template" => ("modelo", "template"),
        "interactive" => ("interativa", "interactive"),
        _ => return clean(kind),
    };
    lang.pick(pt, en).to_owned()
}

/// Who reacted: the customer (by number) or an agent.
fn reactor(reaction: &Reaction, lang: Lang) -> String {
    match (&reaction.reactor_wa_id, &reaction.reactor_user_id) {
        (Some(number), _) => format!("{} {}", lang.pick("cliente", "customer"), clean(number)),
        (None, Some(_)) => lang.pick("agente", "agent").to_owned(),
        (None, None) => reaction
            .actor
            .as_deref()
            .map_or_else(|| "?".to_owned(), clean),
    }
}

/// Every line of one message, none wider than `columns`, the header styled `header_style`.
pub fn message_lines(
    message: &Message,
    clock: Clock,
    columns: usize,
    header_style: Style,
) -> Vec<Line<'static>> {
    let lang = clock.lang;
    let mut lines = Vec::new();
    let mut push = |text: String, style: Style| {
        for line in wrap(&text, columns) {
            lines.push(Line::styled(line, style));
        }
    };
    push(header(message, message_at(message), clock), header_style);
    if let Some(body) = message_text(message) {
        push(clean(&body), Style::default());
    }
    if let Some(media) = &message.media {
        let name = media.file_name.as_deref().map(clean).unwrap_or_default();
        let mime = media.mime_type.as_deref().map(clean).unwrap_or_default();
        let label = lang.pick("Mídia", "Media");
        push(format!("📎 {label}: {name} ({mime})"), theme::dim());
    }
    if let Some(call) = &message.call {
        push(clean(&call_line(call, lang)), theme::dim());
    }
    for reaction in message.reactions.iter().flatten() {
        let emoji = reaction.emoji.as_deref().map(clean).unwrap_or_default();
        let label = lang.pick("reação de", "reaction by");
        push(
            format!("{emoji} {label} {}", reactor(reaction, lang)),
            theme::dim(),
        );
    }
    if let Some(quoted) = &message.quoted_message {
        let label = lang.pick("em resposta a", "replying to");
        push(format!("↪ {label} {}", preview(quoted, lang)), theme::dim());
    }
    lines
}
