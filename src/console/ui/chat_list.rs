//! The chat list: one line per chat, most urgent first. Only the rows on screen are built.

use chrono::{DateTime, Utc};
use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::console::list::{Loaded, Row};
use crate::console::state::{Focus, State};
use crate::console::ui::{highlight, theme};
use crate::i18n::Lang;
use crate::inbox::{CLOSING_SOON, Field, waiting_since};
use crate::store::{ChatKey, ChatSummary};
use crate::text::fit;

/// A column: the text fitted to one column less than `width`, then a separating space.
fn cell(text: &str, width: usize) -> String {
    let mut out = fit(text, width.saturating_sub(1));
    out.push(' ');
    out
}
use crate::timefmt::{compact, span};
use crate::tr;

/// Column widths for a list of `width` inner columns; `None` hides a column.
struct Columns {
    /// Who else is on the chat (`👁` viewing, `⚑` claimed), when the desk is shared.
    presence: Option<usize>,
    account: Option<usize>,
    contact: usize,
    responsible: Option<usize>,
    /// How long the customer has been waiting (`inbox::waiting_since`).
    waiting: Option<usize>,
    last: Option<usize>,
}

/// The mark (`toggle_mark`): the first column, its width taken from the window column's
/// slack (a countdown is at most `⏳23h59m`, eight columns), so no other column narrows.
const MARKED: usize = 1;
const MARK: usize = 2;
const PRESENCE: usize = 2;
const PRIORITY: usize = 4;
const STATUS: usize = 9;
const UNREAD: usize = 4;
const WINDOW: usize = 9;
/// "AGUARDA" / "WAITING" and a compact age (`59 min`), then a space.
const WAITING: usize = 8;

fn columns(width: usize, accounts: bool, presence: bool) -> Columns {
    let account = (accounts && width >= 70).then_some(13);
    let presence = presence.then_some(PRESENCE);
    let fixed = MARKED
        + MARK
        + presence.unwrap_or(0)
        + PRIORITY
        + STATUS
        + UNREAD
        + WINDOW
        + account.unwrap_or(0);
    let responsible = (width >= 78).then_some(if width >= 120 { 20 } else { 15 });
    // The waiting column comes before the last message's age: for a waiting chat the two say
    // the same, so the age gives way first (an 80-column list keeps its contact width).
    let waiting = (width >= 60).then_some(WAITING);
    let last = (width >= 86).then_some(9);
    let contact = width
        .saturating_sub(fixed + responsible.unwrap_or(0) + waiting.unwrap_or(0) + last.unwrap_or(0))
        .max(6);
    Columns {
        presence,
        account,
        contact,
        responsible,
        waiting,
        last,
    }
}

/// Short priority label.
pub fn priority_short(priority: Option<i64>, lang: Lang) -> &'static str {
    match priority {
        Some(0) => lang.pick("BAI", "LOW"),
        Some(2) => lang.pick("ALT", "HI"),
        Some(3) => "URG",
        Some(1) => "NOR",
        None => "—",
        Some(_) => "?",
    }
}

/// Status in words, as the command line words it; a status the CRM invented stays as sent.
pub fn status_word(status: Option<&str>, lang: Lang) -> String {
    status.map_or_else(
        || "?".to_owned(),
        |text| {
            crate::present::status_label(
                &crate::api::wegly::wire::ChatStatus::from_wire(text),
                lang,
            )
        },
    )
}

/// The waiting column: for how long the customer, who wrote last, has been waiting
/// (`inbox::waiting_since`, the figure `cycle_sort`'s longest wait and `next_urgent` use), or
/// nothing when the company wrote last. An hour or more stands out.
pub fn waiting_cell(row: &ChatSummary, now: DateTime<Utc>) -> (String, Style) {
    match waiting_since(row) {
        Some(since) if now - since >= CLOSING_SOON => (compact(now - since), theme::high()),
        Some(since) => (compact(now - since), theme::info()),
        None => (String::new(), Style::new()),
    }
}

/// The window column: a countdown, "closed", or a dash.
pub fn window_cell(end: Option<DateTime<Utc>>, now: DateTime<Utc>, lang: Lang) -> (String, Style) {
    match end {
        Some(end) if end > now => {
            let left = span(end - now).replace(' ', "");
            let style = if end - now <= CLOSING_SOON {
                theme::closing()
            } else {
                theme::open()
            };
            (format!("⏳{left}"), style)
        }
        Some(_) => (lang.pick("fechada", "closed").to_owned(), theme::dim()),
        None => ("—".to_owned(), theme::dim()),
    }
}

/// The row's state marker: a change in flight, the last change failed, gone from the CRM,
/// unread, not fetched yet, or nothing.
fn state_marker(summary: &ChatSummary, state: &State) -> (&'static str, Style) {
    let c = &summary.columns;
    if state.is_busy(&summary.key) {
        ("⟳", theme::pending())
    } else if state.failed.contains(&summary.key) {
        ("✗", theme::error())
    } else if summary.gone {
        ("✝", theme::dim())
    } else if c.unread > 0 || c.marked_unread {
        ("●", theme::info())
    } else if summary.hydrated_at.is_none() {
        ("⋯", theme::dim())
    } else {
        (" ", Style::new())
    }
}

fn row_line(row: &Row, state: &State, widths: &Columns, selected: bool) -> Line<'static> {
    let lang = state.lang;
    let summary = &row.summary;
    let c = &summary.columns;
    let (mark, mark_style) = state_marker(summary, state);
    let priority_style = match c.priority {
        Some(3) => theme::urgent(),
        Some(2) => theme::high(),
        _ => Style::new(),
    };
    let contact = c
        .contact
        .as_deref()
        .or(c.contact_number.as_deref())
        .unwrap_or("…");
    let (window, window_style) = window_cell(c.window_ends_at, state.now, lang);
    let base = if c.archived || summary.gone {
        theme::dim()
    } else {
        Style::new()
    };
    let mark_cell = if state.inbox.marks().contains(&summary.key) {
        Span::styled("*", theme::key())
    } else {
        Span::raw(" ")
    };
    // A reply being written (`✎`) shares the state marker's column, in its spare cell.
    let draft = if state.replies.has_draft(&summary.key) {
        "✎"
    } else {
        " "
    };
    let mut spans = vec![
        mark_cell,
        Span::styled(fit(mark, MARK - 1), mark_style),
        Span::styled(draft, theme::info()),
    ];
    if let Some(width) = widths.presence {
        let (marker, style) = presence_marker(state, &summary.key);
        spans.push(Span::styled(fit(marker, width), style));
    }
    spans.push(Span::styled(
        cell(priority_short(c.priority, lang), PRIORITY),
        priority_style,
    ));
    if let Some(width) = widths.account {
        spans.push(Span::styled(
            cell(&summary.key.account, width),
            theme::dim(),
        ));
    }
    spans.push(Span::styled(
        cell(&status_word(c.status.as_deref(), lang), STATUS),
        base,
    ));
    spans.extend(highlight::cell(
        contact,
        widths.contact,
        &matched(row, state),
        base,
        theme::matched(),
    ));
    if let Some(width) = widths.responsible {
        spans.push(Span::styled(
            cell(
                c.responsible_name
                    .as_deref()
                    .or(c.responsible_user_id.as_deref())
                    .unwrap_or("—"),
                width,
            ),
            base,
        ));
    }
    let unread = if c.unread > 0 {
        c.unread.to_string()
    } else {
        String::new()
    };
    spans.push(Span::styled(cell(&unread, UNREAD), theme::info()));
    if let Some(width) = widths.waiting {
        let (waiting, style) = waiting_cell(summary, state.now);
        spans.push(Span::styled(cell(&waiting, width), style));
    }
    if let Some(width) = widths.last {
        let age = c
            .last_message_at
            .map(|at| span(state.now - at))
            .unwrap_or_default();
        spans.push(Span::styled(cell(&age, width), theme::dim()));
    }
    spans.push(Span::styled(fit(&window, WINDOW), window_style));
    let line = Line::from(spans);
    if selected {
        line.style(theme::selected())
    } else {
        line
    }
}

/// The characters of the contact cell the typed filter's words matched (computed for a row
/// drawn, never for every row).
fn matched(row: &Row, state: &State) -> Vec<u32> {
    let c = &row.summary.columns;
    let field = if c.contact.is_some() {
        Field::Contact
    } else if c.contact_number.is_some() {
        Field::Number
    } else {
        return Vec::new();
    };
    row.search.matched_in(state.inbox.filter().words(), field)
}

/// The presence marker of a chat: `⚑` when claimed (this person's own claim in the quiet style,
/// another's stands out), else `👁` when another person has it open, else nothing.
fn presence_marker(state: &State, key: &ChatKey) -> (&'static str, Style) {
    let desk = &state.desk;
    if let Some(claim) = desk.claim(key) {
        let style = if desk.is_other(claim) {
            theme::high()
        } else {
            theme::info()
        };
        return ("⚑", style);
    }
    if desk.anyone_else_on(key) {
        return ("👁", theme::info());
    }
    (" ", Style::new())
}

/// The header line, column by column as the rows are.
fn header(lang: Lang, widths: &Columns) -> Line<'static> {
    let mut header = vec![Span::raw(fit("", MARKED + MARK))];
    if let Some(width) = widths.presence {
        header.push(Span::raw(fit("", width)));
    }
    header.push(Span::raw(cell(lang.pick("PRI", "PRI"), PRIORITY)));
    if let Some(width) = widths.account {
        header.push(Span::raw(cell(lang.pick("CONTA", "ACCOUNT"), width)));
    }
    header.push(Span::raw(cell("STATUS", STATUS)));
    header.push(Span::raw(cell(
        lang.pick("CONTATO", "CONTACT"),
        widths.contact,
    )));
    if let Some(width) = widths.responsible {
        header.push(Span::raw(cell(
            lang.pick("RESPONSÁVEL", "RESPONSIBLE"),
            width,
        )));
    }
    header.push(Span::raw(cell(lang.pick("N/L", "NEW"), UNREAD)));
    if let Some(width) = widths.waiting {
        header.push(Span::raw(cell(lang.pick("AGUARDA", "WAITING"), width)));
    }
    if let Some(width) = widths.last {
        header.push(Span::raw(cell(lang.pick("ÚLTIMA", "LAST"), width)));
    }
    header.push(Span::raw(fit(lang.pick("JANELA", "WINDOW"), WINDOW)));
    Line::from(header).style(theme::header())
}

/// Draws the list.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let lang = state.lang;
    let inbox = &state.inbox;
    let total = inbox.rows().len();
    let shown = inbox.visible_len();
    let mut title = if inbox.loaded == Loaded::FirstPage {
        tr!(
            lang,
            " Conversas {total}… (lendo o resto) ",
            " Chats {total}… (reading the rest) "
        )
    } else if inbox.filtered() || !inbox.filter_text.is_empty() {
        tr!(
            lang,
            " Conversas {shown}/{total} ",
            " Chats {shown}/{total} "
        )
    } else {
        tr!(lang, " Conversas {total} ", " Chats {total} ")
    };
    let editing = matches!(
        state.modal,
        Some(crate::console::modal::Modal::Filter { .. })
    );
    let sort = inbox.sort().label(lang);
    title.push_str(&tr!(lang, "· ordem: {sort} ", "· sort: {sort} "));
    let marks = inbox.marks();
    if !marks.is_empty() {
        let (count, hidden) = (marks.len(), marks.len() - marks.shown());
        title.push_str(&if hidden > 0 {
            tr!(
                lang,
                "· {count} marcadas ({hidden} ocultas) ",
                "· {count} marked ({hidden} hidden) "
            )
        } else {
            tr!(lang, "· {count} marcadas ", "· {count} marked ")
        });
    }
    if editing || !inbox.filter_text.is_empty() {
        let cursor = if editing { "▏" } else { "" };
        let _ = write!(title, "· / {}{cursor} ", inbox.filter_text);
    }
    let block = theme::pane(title, state.focus == Focus::List && state.modal.is_none());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let widths = columns(
        usize::from(inner.width),
        inbox.multiple_accounts(),
        state.desk.shows_presence(),
    );
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(usize::from(inner.height));
    lines.push(header(lang, &widths));
    if let Some(error) = &inbox.filter_error {
        lines.push(Line::styled(error.clone(), theme::error()));
    }
    if inbox.loaded == Loaded::Nothing {
        lines.push(Line::styled(
            lang.pick("lendo o índice…", "reading the index…")
                .to_owned(),
            theme::dim(),
        ));
    } else if total == 0 {
        for text in empty_state(lang, state.desk.shared) {
            lines.push(Line::styled(text, theme::dim()));
        }
    } else if shown == 0 {
        lines.push(Line::styled(
            lang.pick(
                "nenhuma conversa corresponde ao filtro (ctrl-x limpa)",
                "no chat matches the filter (ctrl-x clears it)",
            )
            .to_owned(),
            theme::dim(),
        ));
    }
    let room = usize::from(inner.height).saturating_sub(lines.len());
    let selected = inbox.selected();
    // Lines taken by a filter error or a message leave less room than the reducer's page: the
    // window is recomputed for the room there is, so the selection still shows.
    for n in inbox.window(room) {
        if let Some(row) = inbox.visible_row(n) {
            lines.push(row_line(row, state, &widths, selected == Some(n)));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// How chats arrive, for an empty inbox: in team mode the desk's receivers take the webhooks.
fn empty_state(lang: Lang, team: bool) -> Vec<String> {
    let webhooks = if team {
        lang.pick(
            "As conversas chegam pelos receptores da equipe (balcao listen),",
            "Chats arrive through the desk's receivers (balcao listen),",
        )
    } else {
        lang.pick(
            "As conversas chegam por webhooks da Wegly (este console os recebe),",
            "Chats arrive through Wegly webhooks (this console receives them),",
        )
    };
    vec![
        String::new(),
        lang.pick(
            "Nenhuma conversa no índice ainda.",
            "No chats in the index yet.",
        )
        .to_owned(),
        String::new(),
        webhooks.to_owned(),
        lang.pick(
            "por `balcao add ID`, pela tecla a (adicionar por id)",
            "by `balcao add ID`, the a key (add by id),",
        )
        .to_owned(),
        lang.pick(
            "ou quando você cria uma (tecla n).",
            "or when you create one (the n key).",
        )
        .to_owned(),
        String::new(),
        lang.pick(
            "Para ver um inbox de exemplo: balcao --demo",
            "To see a sample inbox: balcao --demo",
        )
        .to_owned(),
    ]
}
