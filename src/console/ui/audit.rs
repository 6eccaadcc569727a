//! The audit overlay: the latest changes, newest first (when, who, chat, action, before → after,
//! outcome, batch), filtered by what is typed. On a wide terminal one line per change; on a
//! narrow one two (the action and its before → after go below).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::console::action::Action;
use crate::console::keymap::Keymap;
use crate::console::modal::{Audit, AuditLine, AuditRead};
use crate::console::state::State;
use crate::console::ui::dialogs::{centered, footer};
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::present::{audit_action_label, audit_outcome_label, audit_outcome_made};
use crate::text::{fit, printable};
use crate::timefmt::in_zone;
use crate::tr;

/// From this inner width a change takes one line.
const ONE_LINE_FROM: usize = 110;
/// Column widths (the rest goes to before → after, or to who and chat when narrow).
const WHEN: usize = 16;
const BY: usize = 14;
const CHAT: usize = 18;
const ACTION: usize = 24;
const OUTCOME: usize = 10;
const BATCH: usize = 8;

/// The batch's short form: its first eight characters.
fn batch_short(batch: Option<&str>) -> String {
    batch.map_or_else(String::new, |batch| batch.chars().take(BATCH).collect())
}

/// `before → after`, a missing side as `—`; nothing when neither is known.
fn change(line: &AuditLine) -> String {
    match (&line.entry.before, &line.entry.after) {
        (None, None) => String::new(),
        (before, after) => format!(
            "{} → {}",
            before.as_deref().unwrap_or("—"),
            after.as_deref().unwrap_or("—")
        ),
    }
}

fn outcome_style(stored: &str) -> Style {
    if audit_outcome_made(stored) {
        Style::new()
    } else {
        theme::error()
    }
}

/// The columns' widths for an inner width: on one line, before → after takes what the fixed
/// columns leave; on two, who and chat share it (the action and its change go below).
struct Widths {
    /// Whether a change takes one line.
    one_line: bool,
    by: usize,
    chat: usize,
    /// Before → after's column; on two lines, the whole second line (with the action).
    change: usize,
}

impl Widths {
    fn new(inner: usize) -> Self {
        if inner >= ONE_LINE_FROM {
            let fixed = WHEN + BY + CHAT + ACTION + OUTCOME + BATCH + 6;
            Self {
                one_line: true,
                by: BY,
                chat: CHAT,
                change: inner.saturating_sub(fixed).max(1),
            }
        } else {
            let rest = inner.saturating_sub(WHEN + OUTCOME + BATCH + 4);
            let by = rest * 2 / 5;
            Self {
                one_line: false,
                by,
                chat: rest.saturating_sub(by),
                change: inner,
            }
        }
    }

    /// One line of cells, each fitted to its width, a space between two: when, who, chat,
    /// (on one line) action and before → after, outcome, batch.
    fn line(&self, cells: [(&str, Style); 7]) -> Line<'static> {
        let [when, by, chat, action, change, outcome, batch] = cells;
        let mut columns = vec![(when, WHEN), (by, self.by), (chat, self.chat)];
        if self.one_line {
            columns.extend([(action, ACTION), (change, self.change)]);
        }
        columns.extend([(outcome, OUTCOME), (batch, BATCH)]);
        let last = columns.len() - 1;
        let spans: Vec<Span<'static>> = columns
            .into_iter()
            .enumerate()
            .map(|(n, ((text, style), width))| {
                let mut cell = fit(text, width);
                if n < last {
                    cell.push(' ');
                }
                Span::styled(cell, style)
            })
            .collect();
        Line::from(spans)
    }
}

/// One change, as one line (wide) or two (narrow).
fn entry_lines(line: &AuditLine, state: &State, widths: &Widths) -> Vec<Line<'static>> {
    let lang = state.lang;
    let entry = &line.entry;
    let when = in_zone(entry.at, state.offset, lang);
    let by = printable(entry.by.as_deref().unwrap_or("—")).into_owned();
    let chat = printable(&line.chat).into_owned();
    let action = audit_action_label(&entry.action, lang);
    let outcome = audit_outcome_label(&entry.outcome, lang);
    let batch = batch_short(entry.batch.as_deref());
    let change = printable(&change(line)).into_owned();
    let plain = Style::new();
    let first = widths.line([
        (&when, theme::dim()),
        (&by, plain),
        (&chat, plain),
        (&action, plain),
        (&change, plain),
        (&outcome, outcome_style(&entry.outcome)),
        (&batch, theme::dim()),
    ]);
    if widths.one_line {
        return vec![first];
    }
    let below = if change.is_empty() {
        format!("  {action}")
    } else {
        format!("  {action}: {change}")
    };
    vec![first, Line::raw(fit(&below, widths.change))]
}

/// The column titles.
fn header(lang: Lang, widths: &Widths) -> Line<'static> {
    let plain = Style::new();
    widths
        .line([
            (lang.pick("Quando", "When"), plain),
            (lang.pick("Quem", "Who"), plain),
            (lang.pick("Conversa", "Chat"), plain),
            (lang.pick("Ação", "Action"), plain),
            (lang.pick("Antes → depois", "Before → after"), plain),
            (lang.pick("Resultado", "Outcome"), plain),
            (lang.pick("Lote", "Batch"), plain),
        ])
        .style(theme::header())
}

/// Draws the audit log.
pub fn render(frame: &mut Frame<'_>, area: Rect, modal: &Audit, state: &State, keymap: &Keymap) {
    let lang = state.lang;
    let width = area.width.saturating_sub(2);
    let height = area.height.saturating_sub(2);
    let widths = Widths::new(usize::from(width.saturating_sub(2)));
    let shown = modal.shown_len();
    let count = match modal.read {
        AuditRead::Loaded if modal.query.is_empty() => {
            tr!(lang, "{shown} alterações", "{shown} changes")
        }
        AuditRead::Loaded => {
            let all = modal.lines.len();
            tr!(lang, "{shown} de {all}", "{shown} of {all}")
        }
        _ => String::new(),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(lang.pick("Filtro: ", "Filter: ").to_owned(), theme::label()),
        Span::raw(format!("{}▏", modal.query)),
        Span::styled(
            format!(
                "  {} {count}",
                lang.pick("(conversa ou pessoa)", "(chat or person)")
            ),
            theme::dim(),
        ),
    ])];
    let mut body: Vec<Line<'static>> = Vec::new();
    match &modal.read {
        AuditRead::Loading(_) => body.push(Line::styled(
            lang.pick("carregando…", "loading…").to_owned(),
            theme::pending(),
        )),
        AuditRead::Failed(error) => body.push(Line::styled(
            tr!(
                lang,
                "não foi possível ler a auditoria do índice: {error}",
                "cannot read the audit log from the index: {error}"
            ),
            theme::error(),
        )),
        AuditRead::Loaded if shown == 0 => body.push(Line::styled(
            if modal.lines.is_empty() {
                lang.pick("nenhuma alteração registrada", "no change recorded")
            } else {
                lang.pick("nada corresponde ao filtro", "nothing matches the filter")
            }
            .to_owned(),
            theme::dim(),
        )),
        AuditRead::Loaded => {
            lines.push(header(lang, &widths));
            let per_entry = if widths.one_line { 1 } else { 2 };
            // Borders, the filter and header lines, the footer, and the message line.
            let fixed = 2 + 2 + 1 + usize::from(modal.error.is_some());
            let room = (usize::from(height).saturating_sub(fixed) / per_entry).max(1);
            let first = modal.cursor.saturating_sub(room - 1);
            for (n, line) in modal.shown().enumerate().skip(first).take(room) {
                let selected = n == modal.cursor;
                body.extend(entry_lines(line, state, &widths).into_iter().map(|line| {
                    if selected {
                        line.style(theme::selected())
                    } else {
                        line
                    }
                }));
            }
        }
    }
    lines.extend(body);
    if let Some(error) = &modal.error {
        lines.push(Line::styled(error.clone(), theme::error()));
    }
    let room = usize::from(height.saturating_sub(3));
    lines.truncate(room);
    lines.push(footer(
        keymap,
        lang,
        &[
            (Action::SelectNext, "mover", "move"),
            (Action::Confirm, "abre a conversa", "opens the chat"),
            (Action::Cancel, "fecha", "closes"),
        ],
    ));
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(lang.pick(
            " Auditoria · últimas alterações ",
            " Audit log · latest changes ",
        ));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
