//! Key bindings: `keymap.toml` (embedded at build time) overridden per action by a user file,
//! validated as a whole before the terminal is touched.
//!
//! A user entry replaces that action's default keys in that context, and `[]` unbinds it.
//! Problems (unknown context or action, an action bound where it cannot apply, a bad key, the
//! same key on two actions of one context or of a pane and `global`) are all collected, each
//! with its file and line.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::Spanned;

use crate::config::Problem;
use crate::console::action::{Action, Context};

/// The default bindings, from the repository's `keymap.toml`.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymap.toml");

/// A key with its modifiers, normalized so equal presses compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    code: ChordKey,
    ctrl: bool,
    alt: bool,
    shift: bool,
}

/// The key part of a chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ChordKey {
    Char(char),
    F(u8),
    Named(&'static str),
}

const NAMED: &[&str] = &[
    "enter",
    "esc",
    "tab",
    "backtab",
    "space",
    "backspace",
    "delete",
    "insert",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
];

impl KeyChord {
    /// Parses `ctrl-r`, `C-r`, `G`, `f1`, `pagedown`, `shift-tab`, ...
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("an empty key".to_owned());
        }
        let mut chord = Self {
            code: ChordKey::Named("esc"),
            ctrl: false,
            alt: false,
            shift: false,
        };
        let mut rest = trimmed;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix_len, flag) = if lower.starts_with("ctrl-") {
                (5, &mut chord.ctrl)
            } else if lower.starts_with("alt-") {
                (4, &mut chord.alt)
            } else if lower.starts_with("shift-") {
                (6, &mut chord.shift)
            } else if lower.starts_with("c-") && rest.len() > 2 {
                (2, &mut chord.ctrl)
            } else if lower.starts_with("a-") && rest.len() > 2 {
                (2, &mut chord.alt)
            } else if lower.starts_with("s-") && rest.len() > 2 {
                (2, &mut chord.shift)
            } else {
                break;
            };
            *flag = true;
            rest = &rest[prefix_len..];
        }
        let lower = rest.to_ascii_lowercase();
        let mut chars = rest.chars();
        chord.code = match (chars.next(), chars.next()) {
            (Some(c), None) => ChordKey::Char(c),
            _ if lower.starts_with('f')
                && lower[1..]
                    .parse::<u8>()
                    .is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                ChordKey::F(lower[1..].parse().unwrap_or(1))
            }
            _ => match NAMED.iter().find(|name| **name == lower) {
                Some(name) => ChordKey::Named(name),
                None if lower == "escape" => ChordKey::Named("esc"),
                None if lower == "return" => ChordKey::Named("enter"),
                None => {
                    return Err(format!(
                        "'{text}' is not a key (try 'r', 'ctrl-r', 'enter', 'f1', 'pagedown')"
                    ));
                }
            },
        };
        Ok(chord.normalized())
    }

    /// The chord of a key press.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        let code = match event.code {
            KeyCode::Char(' ') => ChordKey::Named("space"),
            KeyCode::Char(c) => ChordKey::Char(c),
            KeyCode::F(n) => ChordKey::F(n),
            KeyCode::Enter => ChordKey::Named("enter"),
            KeyCode::Esc => ChordKey::Named("esc"),
            KeyCode::Tab => ChordKey::Named("tab"),
            KeyCode::BackTab => ChordKey::Named("backtab"),
            KeyCode::Backspace => ChordKey::Named("backspace"),
            KeyCode::Delete => ChordKey::Named("delete"),
            KeyCode::Insert => ChordKey::Named("insert"),
            KeyCode::Up => ChordKey::Named("up"),
            KeyCode::Down => ChordKey::Named("down"),
            KeyCode::Left => ChordKey::Named("left"),
            KeyCode::Right => ChordKey::Named("right"),
            KeyCode::Home => ChordKey::Named("home"),
            KeyCode::End => ChordKey::Named("end"),
            KeyCode::PageUp => ChordKey::Named("pageup"),
            KeyCode::PageDown => ChordKey::Named("pagedown"),
            _ => return None,
        };
        Some(
            Self {
                code,
                ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
                alt: event.modifiers.contains(KeyModifiers::ALT),
                shift: event.modifiers.contains(KeyModifiers::SHIFT),
            }
            .normalized(),
        )
    }

    /// Folds what terminals report differently: shift on a letter is its case, `space` is a
    /// named key, shift-tab is backtab, and ctrl on an uppercase letter is ctrl on the letter.
    fn normalized(mut self) -> Self {
        match self.code {
            ChordKey::Char(' ') => self.code = ChordKey::Named("space"),
            ChordKey::Char(c) if self.shift && c.is_ascii_lowercase() => {
                self.code = ChordKey::Char(c.to_ascii_uppercase());
                self.shift = false;
            }
            ChordKey::Char(c) if c.is_alphabetic() && self.ctrl => {
                self.code = ChordKey::Char(c.to_ascii_lowercase());
                self.shift = false;
            }
            ChordKey::Char(_) | ChordKey::Named("backtab") => self.shift = false,
            ChordKey::Named("tab") if self.shift => {
                self.code = ChordKey::Named("backtab");
                self.shift = false;
            }
            _ => {}
        }
        self
    }

    /// A printable character typed without ctrl or alt: text for an input field.
    pub fn typed_char(event: &KeyEvent) -> Option<char> {
        match event.code {
            KeyCode::Char(c)
                if !event
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        }
    }

    /// Whether the chord types text in a field (a character without ctrl or alt).
    pub fn is_text(&self) -> bool {
        matches!(self.code, ChordKey::Char(_)) && !self.ctrl && !self.alt
    }

    /// Whether this is Alt plus a letter (a dead key on pt-BR layouts).
    pub fn is_alt_letter(&self) -> bool {
        self.alt && matches!(self.code, ChordKey::Char(c) if c.is_alphabetic())
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            ChordKey::Char(c) => write!(f, "{c}"),
            ChordKey::F(n) => write!(f, "f{n}"),
            ChordKey::Named(name) => f.write_str(name),
        }
    }
}

/// The resolved bindings.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    by_key: HashMap<(Context, KeyChord), Action>,
    by_action: BTreeMap<(Context, Action), Vec<KeyChord>>,
}

type RawKeymap = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>;

struct Entry {
    chords: Vec<(KeyChord, String)>,
    origin: PathBuf,
    line: usize,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.matches('\n').count() + 1)
}

fn read_layer(
    text: &str,
    file: &Path,
    entries: &mut BTreeMap<(Context, Action), Entry>,
    problems: &mut Vec<Problem>,
) {
    let mut problem = |line: usize, message: String| {
        problems.push(Problem {
            file: file.to_path_buf(),
            line: Some(line),
            message,
        });
    };
    let raw: RawKeymap = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let line = error.span().map_or(1, |span| line_of(text, span.start));
            problem(line, error.message().trim().to_owned());
            return;
        }
    };
    for (context_name, table) in &raw {
        let Some(context) = Context::parse(context_name.get_ref()) else {
            let name = context_name.get_ref();
            problem(
                line_of(text, context_name.span().start),
                format!("unknown context [{name}] (use [global], [list], [detail] or [modal])"),
            );
            continue;
        };
        for (action_name, value) in table {
            let line = line_of(text, action_name.span().start);
            let name = action_name.get_ref();
            let Some(action) = Action::parse(name) else {
                problem(
                    line,
                    format!("unknown action '{name}' in [{}]", context.name()),
                );
                continue;
            };
            if !action.contexts().contains(&context) {
                let allowed: Vec<&str> = action.contexts().iter().map(|c| c.name()).collect();
                problem(
                    line,
                    format!(
                        "'{name}' cannot be bound in [{}] (only in {})",
                        context.name(),
                        allowed.join(", ")
                    ),
                );
                continue;
            }
            let Some(list) = value.get_ref().as_array() else {
                problem(
                    line,
                    format!("'{name}' takes a list of keys, such as [\"r\"] ([] unbinds it)"),
                );
                continue;
            };
            let mut chords = Vec::new();
            for key in list {
                match key.as_str().map(KeyChord::parse) {
                    Some(Ok(chord)) => {
                        chords.push((chord, key.as_str().unwrap_or_default().to_owned()));
                    }
                    Some(Err(message)) => problem(line, format!("'{name}': {message}")),
                    None => problem(
                        line,
                        format!("'{name}': keys are strings, such as \"ctrl-r\""),
                    ),
                }
            }
            entries.insert(
                (context, action),
                Entry {
                    chords,
                    origin: file.to_path_buf(),
                    line,
                },
            );
        }
    }
}

impl Keymap {
    /// The defaults overridden by `user` (file name and text), or every problem found.
    pub fn load(user: Option<(&Path, &str)>) -> Result<Self, Vec<Problem>> {
        let mut entries = BTreeMap::new();
        let mut problems = Vec::new();
        read_layer(
            DEFAULT_KEYMAP,
            Path::new("keymap.toml (built in)"),
            &mut entries,
            &mut problems,
        );
        if let Some((file, text)) = user {
            read_layer(text, file, &mut entries, &mut problems);
        }
        let mut keymap = Self::default();
        let mut owner: HashMap<(Context, KeyChord), (Action, String)> = HashMap::new();
        for ((context, action), entry) in &entries {
            for (chord, written) in &entry.chords {
                let mut clash = |other_context: Context| {
                    if let Some((other, _)) = owner.get(&(other_context, *chord))
                        && other != action
                    {
                        let place = if other_context == *context {
                            format!("[{}]", context.name())
                        } else {
                            format!("[{}] and [{}]", other_context.name(), context.name())
                        };
                        problems.push(Problem {
                            file: entry.origin.clone(),
                            line: Some(entry.line),
                            message: format!(
                                "'{written}' in {place} is bound to both '{other}' and '{action}'"
                            ),
                        });
                    }
                };
                clash(*context);
                match context {
                    Context::List | Context::Detail => clash(Context::Global),
                    Context::Global => {
                        clash(Context::List);
                        clash(Context::Detail);
                    }
                    Context::Modal => {}
                }
                owner.insert((*context, *chord), (*action, written.clone()));
                keymap.by_key.insert((*context, *chord), *action);
            }
            keymap.by_action.insert(
                (*context, *action),
                entry.chords.iter().map(|(c, _)| *c).collect(),
            );
        }
        if problems.is_empty() {
            Ok(keymap)
        } else {
            Err(problems)
        }
    }

    /// The defaults alone.
    pub fn defaults() -> Result<Self, Vec<Problem>> {
        Self::load(None)
    }

    /// The action for a chord, trying the contexts in order. A modal is exclusive, except that
    /// a key it leaves unbound which `[global]` binds to `quit` still quits when it is not text
    /// (ctrl-c with `[modal] cancel = ["esc"]`): no key that quits elsewhere does nothing there.
    pub fn resolve(&self, contexts: &[Context], chord: KeyChord) -> Option<Action> {
        contexts
            .iter()
            .find_map(|context| self.by_key.get(&(*context, chord)).copied())
            .or_else(|| {
                let quits = self.by_key.get(&(Context::Global, chord)) == Some(&Action::Quit);
                (contexts == [Context::Modal] && quits && !chord.is_text()).then_some(Action::Quit)
            })
    }

    /// The chords bound to an action in a context.
    pub fn chords(&self, context: Context, action: Action) -> &[KeyChord] {
        self.by_action
            .get(&(context, action))
            .map_or(&[], Vec::as_slice)
    }

    /// The first key for an action in the first context that binds it, for hints.
    pub fn hint(&self, contexts: &[Context], action: Action) -> Option<KeyChord> {
        contexts
            .iter()
            .find_map(|context| self.chords(*context, action).first().copied())
    }

    /// Every binding of a context, in action order, for the help.
    pub fn bindings(&self, context: Context) -> Vec<(Action, &[KeyChord])> {
        Action::ALL
            .iter()
            .filter_map(|action| {
                let chords = self.chords(context, *action);
                (!chords.is_empty()).then_some((*action, chords))
            })
            .collect()
    }
}
