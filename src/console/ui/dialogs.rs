//! The modals, drawn over the panes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::console::action::{Action, Context};
use crate::console::keymap::Keymap;
use crate::console::modal::{Add, Create, Modal, Question, Reassign, Remove, Stage};
use crate::console::state::State;
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::text::fit;
use crate::tr;

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

pub(super) fn key_hint(keymap: &Keymap, action: Action) -> String {
    keymap
        .hint(&[Context::Modal], action)
        .map_or_else(|| "—".to_owned(), |chord| chord.to_string())
}

pub(super) fn footer(
    keymap: &Keymap,
    lang: Lang,
    entries: &[(Action, &str, &str)],
) -> Line<'static> {
    let mut spans = Vec::new();
    for (action, pt, en) in entries {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme::dim()));
        }
        spans.push(Span::styled(key_hint(keymap, *action), theme::key()));
        spans.push(Span::raw(format!(" {}", lang.pick(*pt, *en))));
    }
    Line::from(spans)
}

/// A dialog: `lines` in a lit box titled `title`, centred in `area`, `width` wide and as tall
/// as its lines.
pub(super) fn draw(
    frame: &mut Frame<'_>,
    area: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    width: u16,
) {
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// The end of every modal: its inline message, the sending state, and the key footer.
fn closing_lines(
    lines: &mut Vec<Line<'static>>,
    message: Option<&str>,
    stage: Stage,
    keymap: &Keymap,
    lang: Lang,
    entries: &[(Action, &str, &str)],
) {
    if let Some(message) = message {
        lines.push(Line::styled(message.to_owned(), theme::error()));
    }
    lines.extend(sending_line(stage, lang));
    lines.push(footer(keymap, lang, entries));
}

fn sending_line(stage: Stage, lang: Lang) -> Option<Line<'static>> {
    matches!(stage, Stage::Sending(_)).then(|| {
        Line::styled(
            lang.pick(
                "enviando… (Esc fecha; o resultado aparece na barra)",
                "sending… (Esc closes; the outcome shows in the status bar)",
            )
            .to_owned(),
            theme::pending(),
        )
    })
}

/// The reassign picker's body, the single reassign's and a batch's: who holds the chat(s) now
/// (after `holding`, its label; a batch removal has none), the filter, the candidates (the
/// current responsible marked), and the chat/leads/deals toggles where the CRM moves leads and
/// deals.
pub(super) fn picker_lines(
    modal: &Reassign,
    holding: Option<&str>,
    keymap: &Keymap,
    lang: Lang,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(label) = holding {
        let now = modal
            .expected_name
            .clone()
            .unwrap_or_else(|| lang.pick("ninguém", "nobody").to_owned());
        lines.push(Line::from(vec![
            Span::styled(label.to_owned(), theme::label()),
            Span::raw(now),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(lang.pick("Filtro: ", "Filter: ").to_owned(), theme::label()),
        Span::raw(format!("{}▏", modal.query)),
    ]));
    lines.push(Line::raw(""));
    let shown = modal.shown();
    let cursor = modal.cursor.min(shown.len().saturating_sub(1));
    let first = cursor.saturating_sub(7);
    for (n, candidate) in shown.iter().enumerate().skip(first).take(8) {
        let current = modal.expected.as_deref() == Some(candidate.user_id.as_str());
        let status = candidate.status.clone().unwrap_or_default();
        let marker = if current {
            lang.pick(" (atual)", " (current)")
        } else {
            ""
        };
        let text = format!(
            "{}{} {}",
            fit(&candidate.name, 26),
            marker,
            status.to_ascii_lowercase()
        );
        let line = Line::raw(format!("  {text}"));
        lines.push(if n == cursor {
            line.style(theme::selected())
        } else {
            line
        });
    }
    if shown.is_empty() {
        lines.push(Line::styled(
            lang.pick("  ninguém corresponde", "  nobody matches")
                .to_owned(),
            theme::dim(),
        ));
    }
    lines.push(Line::raw(""));
    // Leads and deals are Wegly's; a room reassignment sets its user only.
    if modal.leads_and_deals {
        let toggle = |on: bool| if on { "[x]" } else { "[ ]" };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{} {} ",
                toggle(modal.scope.chat),
                lang.pick("conversa", "chat")
            )),
            Span::styled(key_hint(keymap, Action::ToggleUpdateChat), theme::key()),
            Span::raw(format!(
                "   {} {} ",
                toggle(modal.scope.leads),
                lang.pick("leads", "leads")
            )),
            Span::styled(key_hint(keymap, Action::ToggleUpdateLeads), theme::key()),
            Span::raw(format!(
                "   {} {} ",
                toggle(modal.scope.deals),
                lang.pick("negócios", "deals")
            )),
            Span::styled(key_hint(keymap, Action::ToggleUpdateDeals), theme::key()),
        ]));
    }
    lines
}

fn reassign(frame: &mut Frame<'_>, area: Rect, modal: &Reassign, keymap: &Keymap, lang: Lang) {
    let holding = lang.pick("Responsável agora: ", "Responsible now: ");
    let mut lines = picker_lines(modal, Some(holding), keymap, lang);
    closing_lines(
        &mut lines,
        modal.error.as_deref(),
        modal.stage,
        keymap,
        lang,
        &[
            (Action::Confirm, "reatribuir", "reassign"),
            (Action::SelectNext, "próximo", "next"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    let contact = &modal.contact;
    draw(
        frame,
        area,
        tr!(lang, " Reatribuir {contact} ", " Reassign {contact} "),
        lines,
        64,
    );
}

fn remove(frame: &mut Frame<'_>, area: Rect, modal: &Remove, keymap: &Keymap, lang: Lang) {
    let mut lines = vec![
        Line::styled(
            lang.pick("Quem sai da conversa?", "Who leaves the chat?")
                .to_owned(),
            theme::label(),
        ),
        Line::raw(""),
    ];
    for (n, choice) in modal.choices.iter().enumerate() {
        let note = if choice.responsible {
            lang.pick(
                "  responsável: não pode ser removido",
                "  responsible: cannot be removed",
            )
        } else {
            ""
        };
        let line = Line::from(vec![
            Span::raw(format!("  {}", fit(&choice.name, 28))),
            Span::styled(note.to_owned(), theme::dim()),
        ]);
        lines.push(if n == modal.cursor {
            line.style(theme::selected())
        } else {
            line
        });
    }
    if modal.choices.is_empty() {
        lines.push(Line::styled(
            lang.pick("  sem participantes", "  no participants")
                .to_owned(),
            theme::dim(),
        ));
    }
    lines.push(Line::raw(""));
    closing_lines(
        &mut lines,
        modal.error.as_deref(),
        modal.stage,
        keymap,
        lang,
        &[
            (Action::Confirm, "remover", "remove"),
            (Action::SelectNext, "próximo", "next"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    let contact = &modal.contact;
    draw(
        frame,
        area,
        tr!(
            lang,
            " Remover participante · {contact} ",
            " Remove participant · {contact} "
        ),
        lines,
        64,
    );
}

fn create(frame: &mut Frame<'_>, area: Rect, form: &Create, keymap: &Keymap, lang: Lang) {
    let labels: [(&str, &str); 8] = [
        ("Linha (whatsapp_phone_id)", "Line (whatsapp_phone_id)"),
        ("Número do contato", "Contact number"),
        ("Modelo", "Template"),
        ("Idioma do modelo", "Template language"),
        ("Valores (BODY:1=Ana; ...)", "Values (BODY:1=Ana; ...)"),
        ("Pessoa no CRM (opcional)", "CRM person (optional)"),
        ("Agente (agent id, opcional)", "Agent (agent id, optional)"),
        ("Status", "Status"),
    ];
    let mut lines = Vec::new();
    for (index, (pt, en)) in labels.iter().enumerate() {
        let cursor = if index == form.focus { "▏" } else { "" };
        let label = Span::styled(
            fit(lang.pick(*pt, *en), 28),
            if index == form.focus {
                theme::key()
            } else {
                theme::label()
            },
        );
        lines.push(Line::from(vec![
            label,
            Span::raw(format!("{}{cursor}", form.values[index])),
        ]));
        for (_, problem) in form.problems.iter().filter(|(f, _)| *f == index) {
            lines.push(Line::styled(
                format!("{}{problem}", " ".repeat(28)),
                theme::error(),
            ));
        }
    }
    lines.push(Line::raw(""));
    closing_lines(
        &mut lines,
        form.server_error.as_deref(),
        form.stage,
        keymap,
        lang,
        &[
            (Action::Confirm, "criar", "create"),
            (Action::NextField, "próximo campo", "next field"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    draw(
        frame,
        area,
        lang.pick(" Nova conversa ", " New chat ").to_owned(),
        lines,
        78,
    );
}

fn add(frame: &mut Frame<'_>, area: Rect, modal: &Add, keymap: &Keymap, lang: Lang) {
    let mut lines = vec![
        Line::styled(
            lang.pick("Id da conversa (UUID):", "Chat id (UUID):")
                .to_owned(),
            theme::label(),
        ),
        Line::raw(format!("{}▏", modal.input)),
        Line::raw(""),
    ];
    closing_lines(
        &mut lines,
        modal.error.as_deref(),
        modal.stage,
        keymap,
        lang,
        &[
            (Action::Confirm, "adicionar", "add"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    draw(
        frame,
        area,
        lang.pick(" Adicionar conversa por id ", " Add chat by id ")
            .to_owned(),
        lines,
        60,
    );
}

fn room_field(
    frame: &mut Frame<'_>,
    area: Rect,
    modal: &crate::console::modal::RoomField,
    keymap: &Keymap,
    lang: Lang,
) {
    use crate::console::modal::RoomFieldKind;
    let (title, label) = match modal.kind {
        RoomFieldKind::Department => (
            lang.pick(" Departamento da sala ", " Room department "),
            lang.pick("Id do departamento:", "Department id:"),
        ),
        RoomFieldKind::Tags => (
            lang.pick(" Tags da sala ", " Room tags "),
            lang.pick(
                "Ids das tags, separados por vírgula:",
                "Tag ids, comma-separated:",
            ),
        ),
    };
    let mut lines = vec![
        Line::styled(label.to_owned(), theme::label()),
        Line::raw(format!("{}▏", modal.input)),
        Line::raw(""),
    ];
    closing_lines(
        &mut lines,
        modal.error.as_deref(),
        modal.stage,
        keymap,
        lang,
        &[
            (Action::Confirm, "salvar", "save"),
            (Action::Cancel, "cancelar", "cancel"),
        ],
    );
    draw(frame, area, title.to_owned(), lines, 72);
}

/// The confirmation's width at most.
const WIDTH: u16 = 72;

/// A destructive change, stated before it is made: what changes, then the key that makes it and
/// the key that goes back.
fn confirm(frame: &mut Frame<'_>, area: Rect, question: &Question, keymap: &Keymap, lang: Lang) {
    // Wrapped here, not by the paragraph, so the box is as tall as its text and the footer with
    // the keys is never cut off.
    let width = WIDTH.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let mut lines: Vec<Line<'static>> = question
        .lines
        .iter()
        .flat_map(|line| wrap(line, inner))
        .map(Line::raw)
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(key_hint(keymap, Action::Confirm), theme::key()),
        Span::raw(format!(" {}", question.verb)),
        Span::styled(" · ", theme::dim()),
        Span::styled(key_hint(keymap, Action::Cancel), theme::key()),
        Span::raw(format!(
            " {}",
            lang.pick("voltar sem alterar nada", "back, nothing changed")
        )),
    ]));
    draw(frame, area, question.title.clone(), lines, width);
}

/// Breaks `text` into lines of at most `width` columns, at spaces when it can. An indented
/// text (a list item) keeps its indentation, and its later lines hang two columns further.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let indent: String = text.chars().take_while(|c| *c == ' ').collect();
    let hanging = if indent.is_empty() {
        String::new()
    } else {
        format!("{indent}  ")
    };
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let used = crate::text::width(&line);
        let needed = crate::text::width(word);
        if used == 0 {
            line.push_str(if lines.is_empty() { &indent } else { &hanging });
        } else if used + 1 + needed <= width {
            line.push(' ');
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(&hanging);
        }
        for c in word.chars() {
            if crate::text::width(&line) + crate::text::width(c.encode_utf8(&mut [0; 4])) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The help: every binding of every context, from the live keymap, scrolled by `scroll` lines
/// (at most to its end).
fn help(frame: &mut Frame<'_>, area: Rect, keymap: &Keymap, lang: Lang, scroll: u16) {
    let mut lines = Vec::new();
    for context in Context::ALL {
        let title = match context {
            Context::Global => lang.pick("Em qualquer lugar", "Anywhere"),
            Context::List => lang.pick("Lista", "List"),
            Context::Detail => lang.pick("Detalhe", "Detail"),
            Context::Modal => lang.pick("Janelas e filtro", "Dialogs and filter"),
        };
        lines.push(Line::styled(title.to_owned(), theme::section()));
        for (action, chords) in keymap.bindings(context) {
            let keys: Vec<String> = chords.iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(fit(&keys.join(" "), 18), theme::key()),
                Span::raw(fit(action.describe(lang), 34)),
                Span::styled(action.name().to_owned(), theme::dim()),
            ]));
        }
    }
    lines.push(Line::styled(
        lang.pick("Esc ou Enter fecha", "Esc or Enter closes")
            .to_owned(),
        theme::dim(),
    ));
    let height = area.height.saturating_sub(2);
    let width = area.width.saturating_sub(4).min(80);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let shown = usize::from(rect.height.saturating_sub(2));
    let last = u16::try_from(lines.len().saturating_sub(shown)).unwrap_or(u16::MAX);
    let (down, up) = (
        key_hint(keymap, Action::SelectNext),
        key_hint(keymap, Action::SelectPrev),
    );
    let title = if last > 0 {
        tr!(
            lang,
            " Teclas · {down}/{up} rolam ",
            " Keys · {down}/{up} scroll "
        )
    } else {
        lang.pick(" Teclas ", " Keys ").to_owned()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(last), 0)),
        rect,
    );
}

/// Draws the open modal, if any.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, keymap: &Keymap) {
    let lang = state.lang;
    match &state.modal {
        Some(Modal::Reassign(modal)) => reassign(frame, area, modal, keymap, lang),
        Some(Modal::Remove(modal)) => remove(frame, area, modal, keymap, lang),
        Some(Modal::Create(form)) => create(frame, area, form, keymap, lang),
        Some(Modal::Add(modal)) => add(frame, area, modal, keymap, lang),
        Some(Modal::RoomField(modal)) => room_field(frame, area, modal, keymap, lang),
        Some(Modal::Help { scroll }) => help(frame, area, keymap, lang, *scroll),
        Some(Modal::Confirm(asked)) => confirm(frame, area, &asked.question, keymap, lang),
        // The filter is typed in the list's title; the batch, the overlays and the palette
        // have views of their own (see `ui::render`), which use this module's helpers.
        Some(
            Modal::Filter { .. }
            | Modal::Batch(_)
            | Modal::Workload(_)
            | Modal::Audit(_)
            | Modal::Palette(_)
            | Modal::Notifications { .. }
            | Modal::Composer(_),
        )
        | None => {}
    }
}
