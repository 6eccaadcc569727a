//! The conversation in the detail pane (`show_timeline`): the messages oldest to newest, the
//! newest at the bottom, the one under the cursor marked, and the pane's title saying how fresh
//! it is ("as of" the fetch while a new one runs, or when it failed). It draws into the `area`
//! it is given, so the composer can take the rows under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::api::timestamp::Timestamp;
use crate::console::state::{Focus, State};
use crate::console::timeline::OpenTimeline;
use crate::console::ui::message::{Clock, message_lines, when, wrap};
use crate::console::ui::theme;
use crate::text::{printable, truncate, width};
use crate::timefmt;
use crate::tr;

/// The mark before the message under the cursor, and the space before the others.
const CURSOR: &str = "▌ ";
const NO_CURSOR: &str = "  ";

/// The pane's title: the contact (cut to leave room for the rest), the count, and how fresh it
/// is, in `columns`.
fn title(state: &State, open: &OpenTimeline, columns: usize) -> String {
    let lang = state.lang;
    let contact = state
        .inbox
        .row(&open.key)
        .and_then(|row| {
            let columns = &row.summary.columns;
            columns
                .contact
                .clone()
                .or_else(|| columns.contact_number.clone())
        })
        .map(|name| printable(&name).into_owned())
        .unwrap_or_default();
    let count = open.events.len();
    let mut title = match open.total {
        Some(total) if i64::try_from(count).unwrap_or(i64::MAX) < total => tr!(
            lang,
            "· conversa {count}/{total} ",
            "· conversation {count}/{total} "
        ),
        _ => tr!(lang, "· conversa {count} ", "· conversation {count} "),
    };
    // The hour alone on the day it is; the date too before.
    let as_of = open.fetched_at.map(|at| {
        let (local, today) = (
            at.with_timezone(&state.offset),
            state.now.with_timezone(&state.offset),
        );
        if local.date_naive() == today.date_naive() {
            local.format("%H:%M").to_string()
        } else {
            timefmt::in_zone(at, state.offset, lang)
        }
    });
    let dated = open.loading.is_some() || open.failed.is_some() || !open.fetched;
    match (&open.loading, &open.failed, as_of) {
        (Some(_), _, None) => title.push_str(lang.pick("· carregando… ", "· loading… ")),
        (_, Some(_), Some(at)) => title.push_str(&tr!(
            lang,
            "· em {at}, sem atualizar ",
            "· as of {at}, not refreshed "
        )),
        (Some(_), _, Some(at)) => title.push_str(&tr!(
            lang,
            "· em {at}, atualizando… ",
            "· as of {at}, refreshing… "
        )),
        (None, None, Some(at)) if dated => {
            title.push_str(&tr!(lang, "· em {at} ", "· as of {at} "));
        }
        _ => {}
    }
    let room = columns.saturating_sub(width(&title) + 4).max(1);
    format!(" {} {title}", truncate(&contact, room))
}

/// Every message's lines, and where each message starts and ends among them.
fn body(
    state: &State,
    open: &OpenTimeline,
    columns: usize,
) -> (Vec<Line<'static>>, Vec<(usize, usize)>) {
    let clock = Clock {
        now: state.now,
        offset: state.offset,
        lang: state.lang,
    };
    let focused = state.focus == Focus::Detail && state.modal.is_none();
    let inner = columns.saturating_sub(CURSOR.chars().count()).max(1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut spans = Vec::new();
    for (n, (_, event)) in open.events.iter().enumerate() {
        if n > 0 {
            lines.push(Line::raw(""));
        }
        let start = lines.len();
        let selected = n == open.cursor;
        let header = if selected && focused {
            theme::selected()
        } else {
            theme::label()
        };
        let drawn = if let Some(message) = &event.message {
            message_lines(message, clock, inner, header)
        } else {
            // An event of a kind the docs do not show: said, with its time.
            let kind = event.event_type.as_deref().unwrap_or("?");
            let at = event.event_at.as_ref().and_then(Timestamp::at);
            wrap(&format!("{} · {}", printable(kind), when(at, clock)), inner)
                .into_iter()
                .map(|text| Line::styled(text, theme::dim()))
                .collect()
        };
        let mark = if selected { CURSOR } else { NO_CURSOR };
        for (row, line) in drawn.into_iter().enumerate() {
            let lead = if row == 0 { mark } else { NO_CURSOR };
            let mut spans = vec![Span::styled(lead, theme::key())];
            spans.extend(line.spans.into_iter().map(|span| {
                // A line's own style (a header's, a dim line's) goes to its text.
                Span::styled(span.content, line.style.patch(span.style))
            }));
            lines.push(Line::from(spans));
        }
        spans.push((start, lines.len()));
    }
    (lines, spans)
}

/// The first line to show: the newest at the bottom, moved up so the message under the cursor
/// shows whole (its start first when it does not fit).
fn first_line(total: usize, height: usize, cursor: Option<(usize, usize)>) -> usize {
    let bottom = total.saturating_sub(height);
    match cursor {
        Some((start, _)) if start < bottom => start,
        Some((_, end)) if end > bottom + height => end.saturating_sub(height),
        _ => bottom,
    }
}

/// Draws the conversation into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, open: &OpenTimeline) {
    let lang = state.lang;
    let border = if state.focus == Focus::Detail && state.modal.is_none() {
        theme::focused_border()
    } else {
        theme::border()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title(state, open, usize::from(area.width)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let columns = usize::from(inner.width);
    let mut top: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &open.failed {
        top.push(Line::styled(
            truncate(&printable(error), columns),
            theme::error(),
        ));
    }
    match open.loading {
        Some(loading) if loading.page > 1 => top.push(Line::styled(
            lang.pick(
                "↑ carregando mensagens mais antigas…",
                "↑ loading older messages…",
            ),
            theme::dim(),
        )),
        _ if open.older() => top.push(Line::styled(
            truncate(
                lang.pick(
                    "↑ há mensagens mais antigas: suba além da primeira",
                    "↑ older messages: go up past the first one",
                ),
                columns,
            ),
            theme::dim(),
        )),
        _ => {}
    }
    if open.events.is_empty() {
        let text = if open.loading.is_some() {
            lang.pick("Carregando a conversa…", "Loading the conversation…")
        } else {
            lang.pick("Nenhuma mensagem.", "No messages.")
        };
        top.push(Line::styled(text, theme::dim()));
    }
    let (lines, spans) = body(state, open, columns);
    let height = usize::from(inner.height).saturating_sub(top.len());
    let first = first_line(lines.len(), height, spans.get(open.cursor).copied());
    let shown: Vec<Line<'static>> = top
        .into_iter()
        .chain(lines.into_iter().skip(first).take(height))
        .collect();
    frame.render_widget(Paragraph::new(shown).style(Style::default()), inner);
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn the_newest_shows_at_the_bottom_and_the_cursor_stays_in_view() {
        // 30 lines in 10 rows: the last 10 by default.
        assert_eq!(first_line(30, 10, Some((26, 30))), 20);
        // A message above: its start at the top.
        assert_eq!(first_line(30, 10, Some((4, 8))), 4);
        // Everything fits.
        assert_eq!(first_line(5, 10, Some((0, 2))), 0);
        assert_eq!(first_line(0, 10, None), 0);
    }
}
