//! People-facing language: pt-BR or English, chosen by `--lang` or the locale.
//!
//! Every string for people is written as a pair at its call site with [`tr!`], so neither
//! language can be forgotten: the macro does not compile without both.

use std::fmt;

/// The language of every message for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Brazilian Portuguese, the default when the locale starts with `pt`.
    PtBr,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// Reads `--lang` (`pt-BR`, `pt`, `en`, ...); `None` when the text names neither language.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("pt") {
            Some(Self::PtBr)
        } else if lower.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The language of the environment: `LC_ALL`, then `LC_MESSAGES`, then `LANG`.
    pub fn from_env() -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .map_or(Self::En, |value| Self::from_locale(&value))
    }

    /// Portuguese when a POSIX locale such as `pt_BR.UTF-8` starts with `pt`, else English.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("pt") {
            Self::PtBr
        } else {
            Self::En
        }
    }

    /// Picks one of two already-built values.
    pub fn pick<T>(self, pt_br: T, en: T) -> T {
        match self {
            Self::PtBr => pt_br,
            Self::En => en,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pick("pt-BR", "en"))
    }
}

/// Formats a message in the chosen language: `tr!(lang, "pt {x}", "en {x}")`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $pt:literal, $en:literal $(, $($arg:tt)*)?) => {
        match $lang {
            $crate::i18n::Lang::PtBr => format!($pt $(, $($arg)*)?),
            $crate::i18n::Lang::En => format!($en $(, $($arg)*)?),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_and_flag_choose_the_language() {
        assert_eq!(Lang::from_locale("pt_BR.UTF-8"), Lang::PtBr);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::En);
        assert_eq!(Lang::parse("pt-BR"), Some(Lang::PtBr));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        let count = 3;
        assert_eq!(
            tr!(Lang::PtBr, "{count} conversas", "{count} chats"),
            "3 conversas"
        );
    }
}
