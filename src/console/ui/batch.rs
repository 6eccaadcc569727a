//! The batch modals, drawn: the picker (the single reassign's, over many chats), the preview
//! (each chat's change and warnings, the chats left out and why, each agent's load before →
//! after), the progress with its bar and counts, and the report. Long ones scroll.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph};

use crate::batch::Progress;
use crate::console::action::Action;
use crate::console::keymap::Keymap;
use crate::console::modal::{BatchKind, BatchModal, Pick, Preview, Report};
use crate::console::state::State;
use crate::console::ui::dialogs::{centered, footer, picker_lines};
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::text::{fit, truncate};
use crate::tr;
use crate::workload::Load;

/// The batch modals' width at most.
const WIDTH: u16 = 96;

/// A box of `body` lines scrolled by `scroll` (at most to its end), with `foot` always shown
/// under them. The box is as tall as its text, within the screen.
fn scrolled(
    frame: &mut Frame<'_>,
    area: Rect,
    title: String,
    body: Vec<Line<'static>>,
    scroll: u16,
    foot: Line<'static>,
) {
    let width = WIDTH.min(area.width.saturating_sub(2));
    let wanted = u16::try_from(body.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let rect = centered(area, width, wanted.min(area.height.saturating_sub(2)));
    frame.render_widget(Clear, rect);
    let shown = rect.height.saturating_sub(3);
    let last = u16::try_from(body.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(shown);
    let scroll = scroll.min(last);
    let title = if last > 0 {
        let (at, total) = (scroll + 1, last + 1);
        format!("{title}· {at}/{total} ")
    } else {
        title
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let cut = usize::from(inner.width);
    let body: Vec<Line<'static>> = body.into_iter().map(|line| clip(line, cut)).collect();
    frame.render_widget(Paragraph::new(body).scroll((scroll, 0)), text);
    frame.render_widget(Paragraph::new(foot), bottom);
}

/// A line cut to `width` columns (a long contact or reason never wraps into the next line).
fn clip(line: Line<'static>, width: usize) -> Line<'static> {
    let mut left = width;
    let style = line.style;
    let spans: Vec<Span<'static>> = line
        .spans
        .into_iter()
        .filter_map(|span| {
            if left == 0 {
                return None;
            }
            let text = truncate(&span.content, left);
            left = left.saturating_sub(crate::text::width(&text));
            Some(Span::styled(text, span.style))
        })
        .collect();
    Line::from(spans).style(style)
}

fn pick(frame: &mut Frame<'_>, area: Rect, pick: &Pick, keymap: &Keymap, lang: Lang) {
    let modal = &pick.picker;
    let holding = (pick.kind == BatchKind::Reassign)
        .then(|| lang.pick("Responsáveis agora: ", "Responsible now: "));
    let mut lines = picker_lines(modal, holding, keymap, lang);
    if let Some(error) = &modal.error {
        lines.push(Line::styled(error.clone(), theme::error()));
    }
    let n = pick.targets.len();
    let title = match pick.kind {
        BatchKind::Reassign => tr!(
            lang,
            " Reatribuir {n} conversa(s) · novo responsável ",
            " Reassign {n} chat(s) · new responsible "
        ),
        BatchKind::RemoveParticipant => tr!(
            lang,
            " Tirar alguém de {n} conversa(s) · quem sai? ",
            " Take someone out of {n} chat(s) · who leaves? "
        ),
    };
    let foot = footer(
        keymap,
        lang,
        &[
            (Action::Confirm, "prévia", "preview"),
            (Action::SelectNext, "próximo", "next"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    scrolled(frame, area, title, lines, 0, foot);
}

fn load_text(load: &Load) -> String {
    format!(
        "{} · {} · {}",
        load.open, load.unread, load.closing_within_hour
    )
}

fn preview(frame: &mut Frame<'_>, area: Rect, preview: &Preview, keymap: &Keymap, lang: Lang) {
    let mut lines = Vec::new();
    let (n, left) = (preview.items.len(), preview.left.len());
    lines.push(Line::styled(
        tr!(
            lang,
            "{n} conversa(s) mudam · {left} ficam de fora",
            "{n} chat(s) change · {left} left out"
        ),
        theme::section(),
    ));
    for item in &preview.items {
        lines.push(Line::from(vec![
            Span::raw(format!("  {} ", fit(&item.contact, 28))),
            Span::raw(item.change.clone()),
        ]));
        for warning in &item.warnings {
            lines.push(Line::styled(format!("      ⚠ {warning}"), theme::error()));
        }
    }
    if !preview.left.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            lang.pick("Ficam de fora:", "Left out:").to_owned(),
            theme::section(),
        ));
        for left in &preview.left {
            lines.push(Line::from(vec![
                Span::raw(format!("  {} ", fit(&left.contact, 28))),
                Span::styled(left.reason.clone(), theme::dim()),
            ]));
        }
    }
    if !preview.loads.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            lang.pick(
                "Carga (abertas · não lidas · janelas fechando em 1h): antes → depois",
                "Load (open · unread · windows closing within 1h): before → after",
            )
            .to_owned(),
            theme::section(),
        ));
        for load in &preview.loads {
            lines.push(Line::raw(format!(
                "  {} {} → {}",
                fit(&load.name, 28),
                load_text(&load.before),
                load_text(&load.after)
            )));
        }
    }
    let verb = preview.verb.as_str();
    let foot = footer(
        keymap,
        lang,
        &[
            (Action::Confirm, verb, verb),
            (Action::SelectNext, "rolar", "scroll"),
            (Action::Cancel, "voltar", "back"),
        ],
    );
    scrolled(
        frame,
        area,
        preview.title.clone(),
        lines,
        preview.scroll,
        foot,
    );
}

fn counts(lang: Lang, progress: &Progress) -> String {
    let Progress {
        total,
        done,
        skipped,
        failed,
        unknown,
        not_sent,
        in_flight,
    } = *progress;
    tr!(
        lang,
        "{done} feitas · {skipped} puladas · {failed} falharam · {unknown} incertas · {not_sent} não enviadas · {in_flight} em curso · {total} no total",
        "{done} done · {skipped} skipped · {failed} failed · {unknown} unknown · {not_sent} not sent · {in_flight} in flight · {total} in all"
    )
}

/// The running batch's progress (the modal shows only while a batch runs).
fn progress(frame: &mut Frame<'_>, area: Rect, state: &State, keymap: &Keymap, lang: Lang) {
    let Some(running) = &state.batches.running else {
        return;
    };
    let (progress, cancelled) = (running.run.progress(), running.run.cancelled());
    let width = WIDTH.min(area.width.saturating_sub(2));
    let rect = centered(area, width, 7);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(running.title.replacen(
            lang.pick(" Prévia · ", " Preview · "),
            lang.pick(" Em andamento · ", " Running · "),
            1,
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [bar, _, words, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let ended = progress.ended();
    let total = progress.total.max(1);
    #[allow(clippy::cast_precision_loss)]
    let ratio = (ended as f64 / total as f64).clamp(0.0, 1.0);
    frame.render_widget(
        Gauge::default()
            .gauge_style(theme::info())
            .ratio(ratio)
            .label(format!("{ended}/{}", progress.total)),
        bar,
    );
    frame.render_widget(
        Paragraph::new(counts(lang, &progress)).wrap(ratatui::widgets::Wrap { trim: true }),
        words,
    );
    let line = if cancelled {
        Line::styled(
            lang.pick(
                "cancelado: as que estão em curso terminam",
                "cancelled: those in flight finish",
            )
            .to_owned(),
            theme::pending(),
        )
    } else {
        footer(
            keymap,
            lang,
            &[(Action::Cancel, "cancelar o resto", "cancel the rest")],
        )
    };
    frame.render_widget(Paragraph::new(line), foot);
}

fn report(frame: &mut Frame<'_>, area: Rect, report: &Report, keymap: &Keymap, lang: Lang) {
    let mut lines = vec![Line::styled(
        counts(lang, &report.progress),
        theme::section(),
    )];
    for line in &report.lines {
        let style = if line.done {
            theme::info()
        } else {
            theme::error()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", fit(&line.outcome, 12)), style),
            Span::raw(format!("{} ", fit(&line.contact, 28))),
            Span::styled(line.reason.clone(), theme::dim()),
        ]));
    }
    let foot = footer(
        keymap,
        lang,
        &[
            (Action::Confirm, "fechar", "close"),
            (Action::SelectNext, "rolar", "scroll"),
        ],
    );
    let title = report.title.replacen(
        lang.pick(" Prévia · ", " Preview · "),
        lang.pick(" Relatório · ", " Report · "),
        1,
    );
    scrolled(frame, area, title, lines, report.scroll, foot);
}

/// Draws the open batch modal.
pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    modal: &BatchModal,
    state: &State,
    keymap: &Keymap,
) {
    let lang = state.lang;
    match modal {
        BatchModal::Pick(modal) => pick(frame, area, modal, keymap, lang),
        BatchModal::Preview(modal) => preview(frame, area, modal, keymap, lang),
        BatchModal::Progress => progress(frame, area, state, keymap, lang),
        BatchModal::Report(modal) => report(frame, area, modal, keymap, lang),
    }
}
