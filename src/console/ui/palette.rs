//! The command palette, drawn over the panes: the query, then the matching actions (with their
//! key where the palette was opened) and chats, scrolled to keep the cursor in view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::console::action::Action;
use crate::console::keymap::Keymap;
use crate::console::modal::{Entry, Palette};
use crate::console::ui::dialogs::{centered, footer};
use crate::console::ui::theme;
use crate::i18n::Lang;
use crate::text::{fit, width};
use crate::tr;

/// The palette's widest, and its tallest (borders included).
const WIDTH: u16 = 72;
const HEIGHT: u16 = 22;

/// Draws the palette.
pub fn render(frame: &mut Frame<'_>, area: Rect, palette: &Palette, keymap: &Keymap, lang: Lang) {
    let rect = centered(area, WIDTH, HEIGHT);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(lang.pick(" Paleta de comandos ", " Command palette "));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let columns = usize::from(inner.width);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("› ", theme::key()),
            Span::raw(format!("{}▏", palette.query)),
        ]),
        Line::raw(""),
    ];
    // The query, a blank, the footer and the "more" line take four of the rows.
    let room = usize::from(inner.height).saturating_sub(4).max(1);
    let len = palette.entries.len();
    let cursor = palette.cursor.min(len.saturating_sub(1));
    let first = cursor
        .saturating_sub(room - 1)
        .min(len.saturating_sub(room));
    for (n, entry) in palette.entries.iter().enumerate().skip(first).take(room) {
        let line = entry_line(entry, palette, keymap, lang, columns);
        lines.push(if n == cursor {
            line.style(theme::selected())
        } else {
            line
        });
    }
    if len == 0 {
        lines.push(Line::styled(
            lang.pick("  nada corresponde", "  nothing matches")
                .to_owned(),
            theme::dim(),
        ));
    }
    let more = palette.more_chats;
    let hidden_below = len.saturating_sub(first + room);
    let note = if more > 0 {
        tr!(
            lang,
            "  … e mais {more} conversa(s): digite mais para estreitar",
            "  … and {more} more chat(s): type more to narrow them"
        )
    } else if hidden_below > 0 {
        tr!(lang, "  ↓ mais {hidden_below}", "  ↓ {hidden_below} more")
    } else {
        String::new()
    };
    lines.push(Line::styled(note, theme::dim()));
    lines.push(footer(
        keymap,
        lang,
        &[
            (Action::Confirm, "executar/abrir", "run/open"),
            (Action::SelectNext, "próximo", "next"),
            (Action::Cancel, "fechar", "close"),
        ],
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One entry: an action's description with its key at the right, or a chat with its number.
fn entry_line(
    entry: &Entry,
    palette: &Palette,
    keymap: &Keymap,
    lang: Lang,
    columns: usize,
) -> Line<'static> {
    match entry {
        Entry::Action(action) => {
            let key = keymap
                .hint(&palette.contexts, *action)
                .map(|chord| chord.to_string())
                .unwrap_or_default();
            let room = columns.saturating_sub(width(&key) + 3);
            Line::from(vec![
                Span::raw(format!("  {}", fit(action.describe(lang), room))),
                Span::styled(key, theme::key()),
            ])
        }
        Entry::Chat { name, number, .. } => {
            let label = lang.pick("conversa", "chat");
            let number = number.as_deref().unwrap_or_default();
            let room = columns.saturating_sub(width(label) + width(number) + 5);
            Line::from(vec![
                Span::styled(format!("  {label} "), theme::dim()),
                Span::raw(format!("{} ", fit(name, room))),
                Span::styled(number.to_owned(), theme::dim()),
            ])
        }
    }
}
