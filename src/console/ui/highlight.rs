//! A list cell with the characters a filter's text words matched picked out: the cell's text
//! fitted to its column, cut into spans at the graphemes that hold them.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;

use crate::text::{fit, truncate, width};

/// `text` fitted to one column less than `columns`, then a separating space (as the list's other
/// cells), with the graphemes holding a character at `matched` (ascending character indices into
/// `text`, as the matcher gives them) in `hit` over `base`. A match cut off by the column's end
/// is not shown.
pub fn cell(
    text: &str,
    columns: usize,
    matched: &[u32],
    base: Style,
    hit: Style,
) -> Vec<Span<'static>> {
    let room = columns.saturating_sub(1);
    if matched.is_empty() {
        let mut out = fit(text, room);
        out.push(' ');
        return vec![Span::styled(out, base)];
    }
    let shown = truncate(text, room);
    // A cut text ends in "…", which is not one of the text's own characters.
    let kept = if shown.len() == text.len() {
        shown.len()
    } else {
        shown.len() - '…'.len_utf8()
    };
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    let mut wanted = matched.iter().map(|index| *index as usize).peekable();
    let mut chars = 0;
    for (at, grapheme) in shown.grapheme_indices(true) {
        let end = chars + grapheme.chars().count();
        while wanted.next_if(|index| *index < chars).is_some() {}
        let is_hit = at < kept && wanted.peek().is_some_and(|index| *index < end);
        chars = end;
        if is_hit != run_hit && !run.is_empty() {
            let style = if run_hit { base.patch(hit) } else { base };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_hit = is_hit;
        run.push_str(grapheme);
    }
    if !run.is_empty() {
        let style = if run_hit { base.patch(hit) } else { base };
        spans.push(Span::styled(run, style));
    }
    let padding = room.saturating_sub(width(&shown)) + 1;
    spans.push(Span::styled(" ".repeat(padding), base));
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn picked(spans: &[Span<'_>], hit: Style) -> Vec<String> {
        spans
            .iter()
            .filter(|span| span.style == hit)
            .map(|span| span.content.to_string())
            .collect()
    }

    #[test]
    fn matched_graphemes_are_picked_out_and_the_cell_keeps_its_width() {
        let hit = Style::new().add_modifier(Modifier::UNDERLINED);
        let spans = cell("João Pedro", 14, &[0, 2, 5, 6], Style::new(), hit);
        assert_eq!(picked(&spans, hit), ["J", "ã", "Pe"]);
        let text: String = spans.iter().map(|span| span.content.as_ref()).collect();
        assert_eq!(text, "João Pedro    ");
        // Cut by the column: the match past the cut is not drawn, nor is the "…" picked out.
        let spans = cell("João Pedro", 6, &[0, 5, 6], Style::new(), hit);
        assert_eq!(picked(&spans, hit), ["J"]);
        let text: String = spans.iter().map(|span| span.content.as_ref()).collect();
        assert_eq!(text, "João… ");
        // A decomposed accent: the match on its letter picks out the whole grapheme.
        let spans = cell("Jose\u{301} Lima", 14, &[3, 6], Style::new(), hit);
        assert_eq!(picked(&spans, hit), ["e\u{301}", "L"]);
    }
}
