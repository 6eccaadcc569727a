//! Width-aware truncation and padding (grapheme clusters, East Asian widths, emoji): the one
//! place that measures text for a terminal.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `text` takes in a terminal.
pub fn width(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

fn grapheme_width(grapheme: &str) -> usize {
    // A ZWJ sequence or an emoji with a variation selector renders as one wide glyph.
    if grapheme.chars().count() > 1 && grapheme.chars().any(|c| c == '\u{200d}' || c == '\u{fe0f}')
    {
        return 2;
    }
    UnicodeWidthStr::width(grapheme)
}

/// `text` cut to at most `max` columns, ending in `…` when cut; never splits a grapheme.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let w = grapheme_width(grapheme);
        if used + w > max - 1 {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    out.push('…');
    out
}

/// `text` truncated or padded with spaces to exactly `columns` columns.
pub fn fit(text: &str, columns: usize) -> String {
    let mut out = truncate(text, columns);
    let used = width(&out);
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_accents_cjk_and_emoji() {
        assert_eq!(width("João"), 4);
        assert_eq!(width("田中宏"), 6);
        assert_eq!(width("👨‍👩‍👧"), 2);
        assert_eq!(width("❤️"), 2);
    }

    #[test]
    fn truncates_on_grapheme_boundaries() {
        assert_eq!(truncate("Conceição", 6), "Conce…");
        assert_eq!(truncate("田中宏 Tanaka", 5), "田中…");
        assert_eq!(truncate("👨‍👩‍👧 Família", 3), "👨‍👩‍👧…");
        assert_eq!(fit("Zé", 5), "Zé   ");
        assert_eq!(width(&fit("项目会议 🎉 weekly", 9)), 9);
    }
}
