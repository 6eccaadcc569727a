//! The conversation in the detail pane (`show_timeline`): the messages oldest to newest, the
//! newest at the bottom, the one under the cursor marked, and the pane's title saying how fresh
//! it is ("as of" the fetch while a new one runs, or when it failed). It draws into the `area`
//! it is given, so the composer can take the rows under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::TimelineEvent;
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

/// One message's lines, the cursor's mark on the first of the selected one's.
fn message_block(
    event: &TimelineEvent,
    selected: bool,
    focused: bool,
    clock: Clock,
    inner: usize,
) -> Vec<Line<'static>> {
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
    drawn
        .into_iter()
        .enumerate()
        .map(|(row, line)| {
            let lead = if row == 0 { mark } else { NO_CURSOR };
            let mut spans = vec![Span::styled(lead, theme::key())];
            spans.extend(line.spans.into_iter().map(|span| {
                // A line's own style (a header's, a dim line's) goes to its text.
                Span::styled(span.content, line.style.patch(span.style))
            }));
            Line::from(spans)
        })
        .collect()
}

/// The `height` lines to show of `count` messages (each drawn by `build`, a blank line between
/// two), the newest at the bottom, moved up so the message under `cursor` shows whole (its start
/// first when it does not fit). Only the messages that can show are drawn: from the cursor's
/// down until they overflow the rows, and up from it when they do not, so a frame costs the
/// pane's height, however many pages of the conversation were loaded.
fn visible(
    count: usize,
    cursor: usize,
    height: usize,
    mut build: impl FnMut(usize) -> Vec<Line<'static>>,
) -> Vec<Line<'static>> {
    if count == 0 {
        return Vec::new();
    }
    let cursor = cursor.min(count - 1);
    let mut below = build(cursor);
    let mut next = cursor + 1;
    while below.len() <= height && next < count {
        below.push(Line::raw(""));
        below.extend(build(next));
        next += 1;
    }
    if below.len() > height {
        // The cursor's message starts the view.
        below.truncate(height);
        return below;
    }
    // Everything from the cursor down fits: the newest sits at the bottom, with what is above
    // the cursor filling the rows left.
    let mut above: Vec<Vec<Line<'static>>> = Vec::new();
    let mut above_len = 0;
    let mut previous = cursor;
    while above_len < height - below.len() && previous > 0 {
        previous -= 1;
        let mut lines = build(previous);
        lines.push(Line::raw(""));
        above_len += lines.len();
        above.push(lines);
    }
    let mut lines: Vec<Line<'static>> = above.into_iter().rev().flatten().collect();
    lines.extend(below);
    let skip = lines.len().saturating_sub(height);
    lines.split_off(skip)
}

/// Draws the conversation into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, open: &OpenTimeline) {
    let lang = state.lang;
    let block = theme::pane(
        title(state, open, usize::from(area.width)),
        state.focus == Focus::Detail && state.modal.is_none(),
    );
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
    let clock = Clock {
        now: state.now,
        offset: state.offset,
        lang: state.lang,
    };
    let focused = state.focus == Focus::Detail && state.modal.is_none();
    let inner_columns = columns.saturating_sub(CURSOR.chars().count()).max(1);
    let height = usize::from(inner.height).saturating_sub(top.len());
    let lines = visible(open.events.len(), open.cursor, height, |n| {
        message_block(
            &open.events[n].1,
            n == open.cursor,
            focused,
            clock,
            inner_columns,
        )
    });
    let shown: Vec<Line<'static>> = top.into_iter().chain(lines).collect();
    frame.render_widget(Paragraph::new(shown).style(Style::default()), inner);
}

#[cfg(test)]
mod tests {
    use super::visible;
    use ratatui::text::Line;

    /// The view as it was drawn before: every message built, then the rows chosen.
    fn reference(sizes: &[usize], cursor: usize, height: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let mut spans = Vec::new();
        for (n, size) in sizes.iter().enumerate() {
            if n > 0 {
                lines.push(String::new());
            }
            let start = lines.len();
            lines.extend((0..*size).map(|row| format!("m{n}.{row}")));
            spans.push((start, lines.len()));
        }
        let bottom = lines.len().saturating_sub(height);
        let first = match spans.get(cursor) {
            Some((start, _)) if *start < bottom => *start,
            Some((_, end)) if *end > bottom + height => end.saturating_sub(height),
            _ => bottom,
        };
        lines.into_iter().skip(first).take(height).collect()
    }

    fn shown(sizes: &[usize], cursor: usize, height: usize) -> (Vec<String>, usize) {
        let mut built = 0;
        let lines = visible(sizes.len(), cursor, height, |n| {
            built += 1;
            (0..sizes[n])
                .map(|row| Line::raw(format!("m{n}.{row}")))
                .collect()
        });
        let text = lines.iter().map(ToString::to_string).collect();
        (text, built)
    }

    #[test]
    fn the_view_is_the_one_every_message_built_would_give() {
        let sizes = [3, 1, 7, 2, 12, 1, 4, 2, 2, 5];
        for height in [1, 3, 5, 10, 30, 60] {
            for cursor in 0..sizes.len() {
                assert_eq!(
                    shown(&sizes, cursor, height).0,
                    reference(&sizes, cursor, height),
                    "cursor {cursor}, height {height}"
                );
            }
        }
    }

    #[test]
    fn a_long_conversation_builds_only_what_shows() {
        // Twenty pages loaded: a frame draws the messages of its rows, not all thousand.
        let sizes = vec![3; 1000];
        for cursor in [0, 500, 999] {
            let (lines, built) = shown(&sizes, cursor, 20);
            assert_eq!(lines.len(), 20);
            assert!(built <= 12, "cursor {cursor}: {built} messages built");
        }
    }
}
