//! Text for a terminal: width-aware truncation and padding (grapheme clusters, East Asian widths,
//! emoji), and the removal of the characters a server could use to drive the terminal.

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

/// Whether `c` must never reach a terminal from outside: C0 controls (ESC, BEL, CR, backspace...)
/// but for newline and tab, DEL, C1 controls (`\u{9b}` is a one-byte CSI), and the bidi
/// overrides and isolates that make text display in another order than it reads.
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// `text` with every hostile character removed (tabs become spaces); lines stay lines. Cheap
/// when there is nothing to remove.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_hostile(c) || c == '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .filter(|c| !is_hostile(*c))
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect(),
    )
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
    fn hostile_characters_never_reach_the_terminal() {
        let hostile =
            "ok\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\r\u{9b}31m\u{202e}txt.exe\u{2066}x\u{7f}";
        let shown = printable(hostile);
        assert!(!shown.chars().any(is_hostile), "{shown:?}");
        assert_eq!(shown, "ok]52;c;ZXZpbA==[2J31mtxt.exex");
        assert_eq!(printable("linha 1\nlinha\t2"), "linha 1\nlinha 2");
        assert!(matches!(
            printable("João 田中 👍"),
            std::borrow::Cow::Borrowed(_)
        ));
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
