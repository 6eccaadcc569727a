//! The inbox as a list shows it: urgency order, and the one filter language that `inbox list
//! --filter` and the console's `/` both parse and match with.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::BuildHasher;

use chrono::{DateTime, Utc};

use crate::i18n::Lang;
use crate::store::ChatSummary;
use crate::tr;

mod fuzzy;
mod orders;

pub use fuzzy::{Field, Scorer, SearchText, Word, filter_map_chunks};
pub use orders::{CLOSING_SOON, Sort, closing_soon, contact, needs_answer, waiting_since};

/// One character lowercased without its accent (Latin letters); others lowercased.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c.to_lowercase().next().unwrap_or(c) {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ñ' | 'ń' => 'n',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'ğ' => 'g',
        'ş' | 'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        other => other,
    }
}

/// Lowercases and drops the accents of Latin letters, so "joao" finds "João" and "acai" "Açaí".
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// Whether `haystack`, folded, contains `needle` (already folded). Allocates nothing: the
/// command palette runs it on every entry at every keystroke.
pub fn contains_folded(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let mut starts = haystack.char_indices();
    loop {
        let Some((start, _)) = starts.next() else {
            return false;
        };
        let mut rest = haystack[start..].chars().map(fold_char);
        if needle.chars().all(|wanted| rest.next() == Some(wanted)) {
            return true;
        }
    }
}

/// A chat's place in the urgency order, computed once per row so sorting 100k chats compares
/// plain numbers. Smaller is more urgent. Its flags are sort keys, compared in field order, so
/// they stay plain booleans rather than an enum each.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    parked: bool,
    priority: std::cmp::Reverse<i64>,
    window_closed: bool,
    window_end: i64,
    customer_not_waiting: bool,
    has_last_message: bool,
    last_message: i64,
}

/// The rank of a row at `now`: not archived or gone; higher priority; the WhatsApp window
/// closing soonest; a customer waiting; the one waiting longest.
pub fn rank(row: &ChatSummary, now: DateTime<Utc>) -> Rank {
    let columns = &row.columns;
    let window = columns.window_ends_at.filter(|end| *end > now);
    Rank {
        parked: columns.archived || row.gone,
        priority: std::cmp::Reverse(columns.priority.unwrap_or(1)),
        window_closed: window.is_none(),
        window_end: window.map_or(0, |end| end.timestamp_millis()),
        customer_not_waiting: columns.last_message_from_me != Some(false),
        has_last_message: columns.last_message_at.is_some(),
        last_message: columns
            .last_message_at
            .map_or(0, |at| at.timestamp_millis()),
    }
}

/// Most urgent first (see [`rank`]), then by id so the order is stable.
pub fn urgency(a: &ChatSummary, b: &ChatSummary, now: DateTime<Utc>) -> Ordering {
    rank(a, now)
        .cmp(&rank(b, now))
        .then_with(|| a.key.cmp(&b.key))
}

/// Whose chats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responsible {
    /// This user id.
    User(String),
    /// The configured `me`.
    Me,
    /// Nobody.
    Nobody,
}

/// How a priority is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// `=`.
    Equal,
    /// `>=`.
    AtLeast,
    /// `<=`.
    AtMost,
}

/// The state of the WhatsApp window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// Open.
    Open,
    /// Open and ending within [`CLOSING_SOON`].
    Closing,
    /// Closed or never opened.
    Closed,
}

/// One condition; a filter holds all of its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `status:open,snoozed`.
    Status(Vec<String>),
    /// `priority:2`, `priority:>=high`.
    Priority(Compare, i64),
    /// `responsible:ID|me|none`, `mine`, `unassigned`.
    Responsible(Responsible),
    /// `unread`.
    Unread,
    /// `window:open|closing|closed`.
    Window(WindowState),
    /// `archived`.
    Archived,
    /// Any other word: must start the chat id, or match fuzzily in the name, number, message,
    /// responsible, line or account (see [`SearchText`]); it scores the row.
    Text(Word),
}

/// A parsed filter expression: words separated by spaces, all of which must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The conditions.
    pub terms: Vec<Term>,
}

fn priority_value(text: &str) -> Option<i64> {
    match fold(text).as_str() {
        "0" | "low" | "baixa" => Some(0),
        "1" | "normal" => Some(1),
        "2" | "high" | "alta" => Some(2),
        "3" | "urgent" | "urgente" => Some(3),
        _ => None,
    }
}

impl Filter {
    /// Parses `status:open priority:>=2 responsible:me unread joão`.
    pub fn parse(expression: &str, lang: Lang) -> Result<Self, String> {
        let mut terms = Vec::new();
        for word in expression.split_whitespace() {
            let term = match word.split_once(':') {
                Some(("status", values)) => {
                    let values: Vec<String> = values
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::to_ascii_uppercase)
                        .collect();
                    if values.is_empty() {
                        return Err(tr!(
                            lang,
                            "'{word}': diga o status, ex. status:open",
                            "'{word}': name a status, e.g. status:open"
                        ));
                    }
                    Term::Status(values)
                }
                Some(("priority", value)) => {
                    let (compare, level) = if let Some(rest) = value.strip_prefix(">=") {
                        (Compare::AtLeast, rest)
                    } else if let Some(rest) = value.strip_prefix("<=") {
                        (Compare::AtMost, rest)
                    } else {
                        (Compare::Equal, value)
                    };
                    let Some(level) = priority_value(level) else {
                        return Err(tr!(
                            lang,
                            "'{word}': prioridade é 0-3 ou baixa/normal/alta/urgente, com >= ou <= opcionais",
                            "'{word}': priority is 0-3 or low/normal/high/urgent, optionally with >= or <="
                        ));
                    };
                    Term::Priority(compare, level)
                }
                Some(("responsible", value)) => Term::Responsible(match value {
                    "me" => Responsible::Me,
                    "none" => Responsible::Nobody,
                    id if uuid::Uuid::parse_str(id).is_ok() => {
                        Responsible::User(id.to_ascii_lowercase())
                    }
                    _ => {
                        return Err(tr!(
                            lang,
                            "'{word}': responsible é um id de usuário, me ou none",
                            "'{word}': responsible takes a user id, me or none"
                        ));
                    }
                }),
                Some(("window", value)) => Term::Window(match value {
                    "open" | "aberta" => WindowState::Open,
                    "closing" | "fechando" => WindowState::Closing,
                    "closed" | "fechada" => WindowState::Closed,
                    _ => {
                        return Err(tr!(
                            lang,
                            "'{word}': window é open, closing ou closed",
                            "'{word}': window is open, closing or closed"
                        ));
                    }
                }),
                Some((key, _))
                    if key.chars().all(|c| c.is_ascii_lowercase()) && !key.is_empty() =>
                {
                    return Err(tr!(
                        lang,
                        "'{word}': filtro desconhecido '{key}:' (use status:, priority:, responsible:, window:, unread, mine, unassigned, archived ou texto)",
                        "'{word}': unknown filter '{key}:' (use status:, priority:, responsible:, window:, unread, mine, unassigned, archived or text)"
                    ));
                }
                _ => match word {
                    "unread" | "naolidas" => Term::Unread,
                    "mine" | "minhas" => Term::Responsible(Responsible::Me),
                    "unassigned" | "semdono" => Term::Responsible(Responsible::Nobody),
                    "archived" | "arquivadas" => Term::Archived,
                    text => Term::Text(Word::new(text)),
                },
            };
            terms.push(term);
        }
        Ok(Self { terms })
    }

    /// Whether the filter needs to know who "me" is.
    pub fn needs_me(&self) -> bool {
        self.terms.contains(&Term::Responsible(Responsible::Me))
    }

    /// Whether `row` satisfies every term. `search` is the row's [`SearchText`] (the console
    /// keeps it with the row; [`select`] builds it); `me` maps an account to the user's id in it,
    /// looked up only for `mine` (a lookup per row per keystroke would cost more than the match).
    pub fn matches<S: BuildHasher>(
        &self,
        row: &ChatSummary,
        search: &SearchText,
        me: &HashMap<String, String, S>,
        now: DateTime<Utc>,
    ) -> bool {
        self.score(row, search, me, now).is_some()
    }

    /// Whether `row` satisfies every term and, if so, how well it matches: the sum of its text
    /// words' scores (0 without text words). Field words are checked first: they cost less.
    pub fn score<S: BuildHasher>(
        &self,
        row: &ChatSummary,
        search: &SearchText,
        me: &HashMap<String, String, S>,
        now: DateTime<Utc>,
    ) -> Option<u32> {
        if !self.fields_hold(row, me, now) {
            return None;
        }
        self.words()
            .map(|word| search.score(word).map(u32::from))
            .sum()
    }

    /// Whether `row` satisfies every term but the text words.
    pub fn fields_hold<S: BuildHasher>(
        &self,
        row: &ChatSummary,
        me: &HashMap<String, String, S>,
        now: DateTime<Utc>,
    ) -> bool {
        self.terms
            .iter()
            .filter(|term| !matches!(term, Term::Text(_)))
            .all(|term| term_matches(term, row, me, now))
    }

    /// The text words, which rank the rows they select.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.terms.iter().filter_map(|term| match term {
            Term::Text(word) => Some(word),
            _ => None,
        })
    }

    /// Whether a row that satisfies `self` always satisfies `broader`: it holds each of its
    /// terms, or a text word that extends the same word of `broader`. The rows `broader` selected
    /// are then the only ones to try.
    pub fn narrows(&self, broader: &Filter) -> bool {
        broader.terms.len() <= self.terms.len()
            && broader
                .terms
                .iter()
                .zip(&self.terms)
                .all(|(old, new)| match (old, new) {
                    (Term::Text(old), Term::Text(new)) => new.narrows(old),
                    (old, new) => old == new,
                })
    }

    /// Whether what it selects depends on the time (a window word), so a result kept from an
    /// earlier instant may not hold now.
    pub fn timed(&self) -> bool {
        self.terms
            .iter()
            .any(|term| matches!(term, Term::Window(_)))
    }
}

/// The rows `filter` selects, most urgent first, or best match first when it has a text word
/// (ties most urgent first): what `inbox list --filter` prints, and what the console's list shows
/// for the same words (it keeps each row's [`SearchText`] and order instead of rebuilding them
/// per keystroke). `me` maps an account to the user's id in it.
pub fn select<'a, S: BuildHasher + Sync>(
    rows: &'a [ChatSummary],
    filter: &Filter,
    me: &HashMap<String, String, S>,
    now: DateTime<Utc>,
) -> Vec<&'a ChatSummary> {
    let words: Vec<&Word> = filter.words().collect();
    // Each row's rank computed once, not at every comparison; best score first, then the
    // urgency order (ties by key), as the console ranks its urgency order by score.
    let mut shown: Vec<(std::cmp::Reverse<u32>, Rank, &ChatSummary)> =
        filter_map_chunks(rows, Scorer::default, |scorer, row| {
            if !filter.fields_hold(row, me, now) {
                return None;
            }
            let score = scorer.score(row, &words)?;
            Some((std::cmp::Reverse(score), rank(row, now), row))
        });
    shown.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| a.2.key.cmp(&b.2.key))
    });
    shown.into_iter().map(|(_, _, row)| row).collect()
}

/// Best score first, keeping the order of equal scores (a stable sort); already in order when
/// every score is the same, as without a text word.
pub fn rank_by_score<T>(rows: &mut [(T, u32)]) {
    if rows.windows(2).any(|pair| pair[0].1 != pair[1].1) {
        rows.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    }
}

/// Whether one term holds for `row`.
fn term_matches<S: BuildHasher>(
    term: &Term,
    row: &ChatSummary,
    me: &HashMap<String, String, S>,
    now: DateTime<Utc>,
) -> bool {
    let columns = &row.columns;
    match term {
        Term::Status(values) => columns
            .status
            .as_ref()
            .is_some_and(|s| values.iter().any(|v| v == s)),
        Term::Priority(compare, level) => columns.priority.is_some_and(|p| match compare {
            Compare::Equal => p == *level,
            Compare::AtLeast => p >= *level,
            Compare::AtMost => p <= *level,
        }),
        Term::Responsible(Responsible::Nobody) => columns.responsible_user_id.is_none(),
        Term::Responsible(Responsible::Me) => me.get(&row.key.account).is_some_and(|me| {
            columns
                .responsible_user_id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(me))
        }),
        Term::Responsible(Responsible::User(id)) => columns
            .responsible_user_id
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(id)),
        Term::Unread => columns.unread > 0 || columns.marked_unread,
        Term::Archived => columns.archived,
        Term::Window(state) => {
            let open = columns.window_ends_at.is_some_and(|end| end > now);
            match state {
                WindowState::Open => open,
                WindowState::Closing => closing_soon(row, now),
                WindowState::Closed => !open,
            }
        }
        // Scored by `Filter::score`.
        Term::Text(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChatKey, Columns, Source};
    use chrono::TimeDelta;

    fn row(
        id: &str,
        priority: i64,
        window_minutes: Option<i64>,
        now: DateTime<Utc>,
    ) -> ChatSummary {
        ChatSummary {
            key: ChatKey::wegly("default", id),
            columns: Columns {
                status: Some("OPEN".to_owned()),
                priority: Some(priority),
                contact: Some("João Araújo".to_owned()),
                window_ends_at: window_minutes.map(|m| now + TimeDelta::minutes(m)),
                ..Columns::default()
            },
            first_seen_at: now,
            last_event_at: None,
            hydrated_at: None,
            source: Source::Webhook,
            gone: false,
            needs_hydration: false,
            last_error: None,
        }
    }

    #[test]
    fn folding_finds_accented_names() {
        assert_eq!(fold("João AÇAÍ Conceição"), "joao acai conceicao");
        let now = Utc::now();
        let filter = Filter::parse("joao arau", Lang::En).unwrap();
        let joao = row("a", 1, None, now);
        assert!(filter.matches(&joao, &SearchText::new(&joao), &HashMap::new(), now));
    }

    #[test]
    fn urgency_puts_priority_then_closing_windows_first() {
        let now = Utc::now();
        let mut rows = [
            row("low", 0, Some(10), now),
            row("urgent-late", 3, Some(600), now),
            row("urgent-soon", 3, Some(20), now),
            row("urgent-closed", 3, Some(-5), now),
        ];
        rows.sort_by(|a, b| urgency(a, b, now));
        let order: Vec<&str> = rows.iter().map(|r| r.key.chat_id.as_str()).collect();
        assert_eq!(
            order,
            ["urgent-soon", "urgent-late", "urgent-closed", "low"]
        );
    }

    #[test]
    fn every_term_parses_and_bad_ones_say_why() {
        let filter = Filter::parse(
            "status:open,snoozed priority:>=alta responsible:none unread window:closing archived x",
            Lang::En,
        )
        .unwrap();
        assert_eq!(filter.terms.len(), 7);
        assert!(Filter::parse("mine", Lang::En).unwrap().needs_me());
        for (bad, says) in [
            ("priority:max", "priority is 0-3"),
            ("colour:red", "unknown filter 'colour:'"),
            ("responsible:bob", "user id"),
            ("status:", "name a status"),
        ] {
            let error = Filter::parse(bad, Lang::En).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn window_and_priority_terms_select_rows() {
        let now = Utc::now();
        let closing = row("c", 2, Some(30), now);
        let open = row("o", 1, Some(300), now);
        let filter = Filter::parse("window:closing priority:>=2", Lang::En).unwrap();
        let me = HashMap::new();
        assert!(filter.matches(&closing, &SearchText::new(&closing), &me, now));
        assert!(!filter.matches(&open, &SearchText::new(&open), &me, now));
    }

    #[test]
    fn a_word_matches_the_id_by_its_start_and_a_field_anywhere_but_never_across_two() {
        let now = Utc::now();
        let mut joao = row("1A2b3c4d", 1, None, now);
        joao.columns.contact_number = Some("+55 11 4000".to_owned());
        joao.columns.line = Some("WhatsApp".to_owned());
        let search = SearchText::new(&joao);
        for found in [
            "1a2b", "1A2B3C4D", "araujo", "+55", "4000", "whatsapp", "default", "jaraujo",
        ] {
            assert!(search.score(&Word::new(found)).is_some(), "{found}");
        }
        for missed in ["3c4d", "1a2b3c4d0", "araujo+55", "joao+55", "4000whatsapp"] {
            assert!(search.score(&Word::new(missed)).is_none(), "{missed}");
        }
    }

    #[test]
    fn the_search_text_holds_the_name_a_chat_goes_by_folded() {
        let now = Utc::now();
        let mut chat = row("6F1C-ÁB", 1, None, now);
        chat.columns.contact = Some("Márcio Araújo".to_owned());
        chat.columns.contact_number = Some("5511999".to_owned());
        chat.columns.last_message_preview = Some("Olá".to_owned());
        assert_eq!(SearchText::new(&chat).name(), "marcio araujo");
        chat.columns.contact = None;
        assert_eq!(SearchText::new(&chat).name(), "5511999");
        chat.columns.contact_number = None;
        assert_eq!(SearchText::new(&chat).name(), "6f1c-ab");
        for (name, number) in [(Some("Zé"), None), (None, Some("55")), (None, None)] {
            chat.columns.contact = name.map(str::to_owned);
            chat.columns.contact_number = number.map(str::to_owned);
            assert_eq!(SearchText::new(&chat).name(), fold(contact(&chat)));
        }
    }
}
