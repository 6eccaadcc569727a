//! The bytes the console writes to its terminal besides its frames: the bell, a desktop
//! notification (OSC 9 and OSC 777) and the clipboard (OSC 52). Text that goes into an escape is
//! stripped of control characters first, so nothing in a contact's name can end the escape early
//! or start another one.

/// What the console writes to its terminal between two frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalWrite {
    /// The bell (BEL).
    Bell,
    /// A desktop notification, where the terminal supports one.
    Desktop {
        /// Its title.
        title: String,
        /// Its text.
        text: String,
    },
    /// Put this text on the clipboard (OSC 52; over ssh too, and in tmux with
    /// `set-clipboard on`).
    Clipboard(String),
}

/// The longest text a desktop notification carries, in characters.
const DESKTOP_CHARS: usize = 200;

impl TerminalWrite {
    /// The escape sequence.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Self::Bell => vec![0x07],
            Self::Desktop { title, text } => {
                let (title, text) = (clean(title), clean(text));
                // OSC 9 (iTerm2, Windows Terminal, kitty…) shows the text; OSC 777 (VTE,
                // foot, WezTerm…) a title and the text. A terminal ignores the one it lacks.
                format!("\x1b]9;{title}: {text}\x07\x1b]777;notify;{title};{text}\x07").into_bytes()
            }
            Self::Clipboard(text) => {
                format!("\x1b]52;c;{}\x07", base64(text.as_bytes())).into_bytes()
            }
        }
    }
}

/// `text` without control characters or anything else that must not reach a terminal
/// (`text::is_hostile`), `;` (which separates OSC 777's fields) made a comma, cut to
/// [`DESKTOP_CHARS`].
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c == ';' { ',' } else { c })
        .filter(|c| !c.is_control() && !crate::text::is_hostile(*c))
        .take(DESKTOP_CHARS)
        .collect()
}

/// Standard base64 with padding (RFC 4648), as OSC 52 takes it; a few lines instead of a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("João ✨", "Sm/Do28g4pyo"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn sequences_are_exact() {
        assert_eq!(TerminalWrite::Bell.bytes(), b"\x07");
        assert_eq!(
            TerminalWrite::Clipboard("chat-1".to_owned()).bytes(),
            b"\x1b]52;c;Y2hhdC0x\x07"
        );
        assert_eq!(
            TerminalWrite::Desktop {
                title: "balcão".to_owned(),
                text: "Ana escreveu".to_owned()
            }
            .bytes(),
            "\x1b]9;balcão: Ana escreveu\x07\x1b]777;notify;balcão;Ana escreveu\x07".as_bytes()
        );
    }

    #[test]
    fn hostile_text_cannot_leave_the_escape() {
        let bytes = TerminalWrite::Desktop {
            title: "t".to_owned(),
            text: "Ana\x07\x1b]52;c;ZXZpbA==\x07;x\n\u{202e}\u{9b}".to_owned(),
        }
        .bytes();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\x1b]9;t: Ana]52,c,ZXZpbA==,x\x07\x1b]777;notify;t;Ana]52,c,ZXZpbA==,x\x07"
        );
    }
}
