//! The reply composer, drawn over the detail pane's bottom rows (the conversation stays above
//! it): its title with the chat's last send, a notice, the quoted message, then the text, the
//! template list or the template's values, and the keys to send and to leave.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::console::action::{Action, Context};
use crate::console::composer::{Composer, Mode, SendState};
use crate::console::keymap::Keymap;
use crate::console::state::State;
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::text::truncate;
use crate::tr;

/// Rows the composer takes at most, borders included.
const HEIGHT_AT_MOST: u16 = 12;

/// The composer's rows at the bottom of `pane`.
pub fn area(pane: Rect) -> Rect {
    let height = (pane.height / 2).clamp(6, HEIGHT_AT_MOST).min(pane.height);
    let [_, bottom] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(0), Constraint::Length(height)])
        .areas(pane);
    bottom
}

/// The rows of `pane` above the composer.
pub fn above(pane: Rect) -> Rect {
    let below = area(pane);
    Rect {
        height: pane.height.saturating_sub(below.height),
        ..pane
    }
}

/// Draws `composer` in the bottom rows of the detail pane `pane`.
pub fn render(
    frame: &mut Frame<'_>,
    pane: Rect,
    composer: &Composer,
    state: &State,
    keymap: &Keymap,
) {
    let lang = state.lang;
    let area = area(pane);
    frame.render_widget(Clear, area);
    let status = state
        .replies
        .status
        .get(&composer.key)
        .map(|status| format!(" · {}", status_words(status, lang)))
        .unwrap_or_default();
    let contact = truncate(&composer.contact, 24);
    let title = match composer.mode {
        Mode::Text => tr!(
            lang,
            " Resposta a {contact}{status} ",
            " Reply to {contact}{status} "
        ),
        Mode::PickTemplate { .. } | Mode::FillTemplate { .. } => tr!(
            lang,
            " Modelo para {contact}{status} ",
            " Template to {contact}{status} "
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title)
        .title_bottom(hints(keymap, lang));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut top: Vec<Line<'_>> = Vec::new();
    if let Some(notice) = &composer.notice {
        top.push(Line::styled(notice.clone(), theme::error()));
    }
    if let Some(quote) = &composer.quote {
        let preview = truncate(&quote.preview.replace('\n', " "), 200);
        top.push(Line::from(vec![
            Span::styled(
                lang.pick("em resposta a: ", "replying to: ").to_owned(),
                theme::label(),
            ),
            Span::styled(preview, theme::dim()),
        ]));
    }
    let width = inner.width.max(1);
    let top_rows: u16 = top
        .iter()
        .map(|line| {
            u16::try_from(line.width())
                .unwrap_or(u16::MAX)
                .div_ceil(width)
                .max(1)
        })
        .sum::<u16>()
        .min(inner.height.saturating_sub(1));
    let [head, body] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(top_rows), Constraint::Min(1)])
        .areas(inner);
    frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), head);
    match &composer.mode {
        Mode::Text => frame.render_widget(composer.editor.area(), body),
        Mode::PickTemplate { .. } | Mode::FillTemplate { .. } => {
            frame.render_widget(Paragraph::new(template_lines(&composer.mode, lang)), body);
        }
    }
}

/// The template list, or the chosen template's values.
fn template_lines(mode: &Mode, lang: Lang) -> Vec<Line<'static>> {
    match mode {
        Mode::Text => Vec::new(),
        Mode::PickTemplate { templates, cursor } => match templates {
            None => vec![Line::styled(
                lang.pick("lendo os modelos usados…", "reading the templates used…"),
                theme::pending(),
            )],
            Some(templates) => templates
                .iter()
                .enumerate()
                .map(|(at, template)| {
                    let text = format!(
                        "{} ({}) · {}",
                        template.name,
                        template.language,
                        match template.fields {
                            1 => lang.pick("1 valor", "1 value").to_owned(),
                            n => tr!(lang, "{n} valores", "{n} values"),
                        }
                    );
                    if at == *cursor {
                        Line::styled(format!("› {text}"), theme::selected())
                    } else {
                        Line::raw(format!("  {text}"))
                    }
                })
                .collect(),
        },
        Mode::FillTemplate {
            template,
            values,
            field,
        } => {
            let mut lines = vec![Line::styled(
                format!("{} ({})", template.name, template.language),
                theme::section(),
            )];
            if values.is_empty() {
                lines.push(Line::styled(
                    lang.pick("sem valores a preencher.", "no values to fill in."),
                    theme::dim(),
                ));
            }
            for (at, value) in values.iter().enumerate() {
                let cursor = if at == *field { "▏" } else { "" };
                let style = if at == *field {
                    theme::selected()
                } else {
                    theme::label()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{{{{{}}}}} ", at + 1), style),
                    Span::raw(format!("{value}{cursor}")),
                ]));
            }
            lines
        }
    }
}

/// A send's state in words.
pub fn status_words(status: &SendState, lang: Lang) -> String {
    match status {
        SendState::Sending => lang.pick("enviando…", "sending…").to_owned(),
        SendState::Sent { verified: false } => lang.pick("enviada", "sent").to_owned(),
        SendState::Sent { verified: true } => lang
            .pick("enviada (verificada)", "sent (verified)")
            .to_owned(),
        SendState::Failed(_) => lang.pick("falhou", "failed").to_owned(),
        SendState::Unknown => lang
            .pick("resultado desconhecido", "outcome unknown")
            .to_owned(),
    }
}

fn hints(keymap: &Keymap, lang: Lang) -> Line<'static> {
    let key = |action| {
        keymap
            .hint(&[Context::Modal], action)
            .map_or_else(|| "?".to_owned(), |chord| chord.to_string())
    };
    let (send, cancel) = (key(Action::SendReply), key(Action::Cancel));
    Line::from(vec![
        Span::styled(format!(" {send} "), theme::key()),
        Span::raw(lang.pick("enviar ", "send ")),
        Span::styled(format!(" {cancel} "), theme::key()),
        Span::raw(lang.pick("fechar (rascunho guardado) ", "close (draft kept) ")),
    ])
}
