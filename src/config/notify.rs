//! `notify` in config.toml: how the console nudges this person when a customer writes in a chat
//! they hold or a window they hold is about to close.

/// How the console rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyMode {
    /// Never.
    Off,
    /// The terminal's bell (BEL): every terminal and tmux understand it, and each lets the person
    /// mute it or turn it into a visual bell, so it is the default.
    #[default]
    Bell,
    /// A desktop notification through the OSC 9 and OSC 777 escapes, where the terminal
    /// supports them (others ignore them).
    Desktop,
}

impl NotifyMode {
    /// Every mode, in the order the error message lists them.
    pub const ALL: [NotifyMode; 3] = [Self::Off, Self::Bell, Self::Desktop];

    /// The word config.toml uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Bell => "bell",
            Self::Desktop => "desktop",
        }
    }

    /// Reads config.toml's word.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.name() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back() {
        for mode in NotifyMode::ALL {
            assert_eq!(NotifyMode::parse(mode.name()), Some(mode));
        }
        assert_eq!(NotifyMode::parse("Bell"), None);
        assert_eq!(NotifyMode::default(), NotifyMode::Bell);
    }
}
