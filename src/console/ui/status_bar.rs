//! The status bar: key hints for the focused context (from the live keymap), the last
//! notification, requests in flight, connection and webhook state, unread totals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::console::action::Action;
use crate::console::keymap::{KeyChord, Keymap};
use crate::console::modal::Modal;
use crate::console::state::{Focus, Level, State};
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::text::truncate;
use crate::tr;

/// The key hints for the focused context, each with the key the live keymap gives it (an action
/// with no key is left out).
fn hints(state: &State, keymap: &Keymap) -> Vec<(KeyChord, &'static str)> {
    let lang = state.lang;
    let word = |pt: &'static str, en: &'static str| lang.pick(pt, en);
    let listed = match (&state.modal, state.focus) {
        (Some(Modal::Filter { .. }), _) => vec![
            (Action::Confirm, word("aplicar", "apply")),
            (Action::Cancel, word("desfazer", "undo")),
        ],
        (Some(Modal::Confirm(_)), _) => vec![
            (Action::Confirm, word("confirmar", "confirm")),
            (Action::Cancel, word("voltar", "back")),
        ],
        // The batch modals show their own keys in their footer.
        (Some(Modal::Batch(_)), _) => Vec::new(),
        // In the composer enter is a new line: sending has its own key.
        (Some(Modal::Composer(_)), _) => vec![
            (Action::SendReply, word("enviar", "send")),
            (
                Action::Cancel,
                word("fechar (rascunho fica)", "close (draft kept)"),
            ),
        ],
        (Some(_), _) => vec![
            (Action::Confirm, word("ok", "ok")),
            (Action::Cancel, word("fechar", "close")),
        ],
        (None, Focus::List) => vec![
            (Action::OpenChat, word("abrir", "open")),
            (Action::ReassignResponsible, word("reatribuir", "reassign")),
            (Action::RemoveParticipant, word("remover", "remove")),
            (Action::Filter, word("filtrar", "filter")),
            (Action::CreateChat, word("nova", "new")),
            (Action::Help, word("ajuda", "help")),
            (Action::Quit, word("sair", "quit")),
        ],
        (None, Focus::Detail) => vec![
            (Action::Cancel, word("voltar", "back")),
            (Action::ReassignResponsible, word("reatribuir", "reassign")),
            (Action::RemoveParticipant, word("remover", "remove")),
            (Action::RevealDocuments, word("documentos", "documents")),
            (Action::Refresh, word("atualizar", "refresh")),
            (Action::Help, word("ajuda", "help")),
        ],
    };
    let contexts = state.contexts();
    // First, so a narrow terminal still shows it.
    undo_hint(state)
        .into_iter()
        .chain(listed)
        .filter_map(|(action, word)| Some((keymap.hint(&contexts, action)?, word)))
        .collect()
}

/// `undo`, offered while the last change made here is recent (outside the modals).
fn undo_hint(state: &State) -> Option<(Action, &'static str)> {
    (state.modal.is_none() && state.batches.undo_offered(state.now))
        .then(|| (Action::Undo, state.lang.pick("desfazer", "undo")))
}

fn right_side(state: &State, lang: Lang) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    // What the list shows may be behind: said for as long as it lasts, not as a notification.
    if let Some(since) = state.desk.unreachable_since {
        let at = since.with_timezone(&state.offset).format("%H:%M:%S");
        spans.push(Span::styled(
            tr!(
                lang,
                " índice compartilhado inacessível desde {at} ",
                " shared index unreachable since {at} "
            ),
            theme::error(),
        ));
    }
    let in_flight = state.pending.len();
    if in_flight > 0 {
        spans.push(Span::styled(format!("⟳{in_flight} "), theme::pending()));
    }
    if state.connection.auth_refused {
        spans.push(Span::styled(
            lang.pick("token recusado ", "token refused ").to_owned(),
            theme::error(),
        ));
    } else if state.connection.offline {
        spans.push(Span::styled(
            lang.pick("sem conexão ", "offline ").to_owned(),
            theme::error(),
        ));
    }
    if let Some(receiver) = &state.receiver {
        spans.push(Span::styled(format!("⇄ {receiver} "), theme::dim()));
    }
    if let Some((messages, chats)) = state.unread {
        spans.push(Span::styled(format!("✉ {messages}/{chats}"), theme::info()));
    }
    spans
}

/// Draws the status bar.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, keymap: &Keymap) {
    let lang = state.lang;
    let right = right_side(state, lang);
    let right_width = u16::try_from(
        right
            .iter()
            .map(|s| crate::text::width(&s.content))
            .sum::<usize>(),
    )
    .unwrap_or(0);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width)]).areas(area);
    let left = if let Some(notification) = &state.notification {
        let style = if notification.level == Level::Error {
            theme::error()
        } else {
            theme::info()
        };
        Line::styled(
            truncate(&notification.text, usize::from(left_area.width)),
            style,
        )
    } else {
        let mut spans = Vec::new();
        for (chord, word) in hints(state, keymap) {
            spans.push(Span::styled(chord.to_string(), theme::key()));
            spans.push(Span::raw(format!(" {word}  ")));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(Paragraph::new(Line::from(right)), right_area);
}
