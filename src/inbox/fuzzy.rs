//! The filter's text words, matched fuzzily with nucleo (helix's matcher, fzf's scoring): a word
//! finds a chat when its letters appear in order in one of the chat's fields, accents and case
//! ignored ("jpsantos" finds "João Pedro Santos"), and scores how well.

use std::cell::RefCell;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use crate::store::{ChatSummary, SearchFields};

thread_local! {
    /// One matcher per thread (its default configuration ignores case and normalizes Latin
    /// letters, as every word here asks), reused: it owns the scoring matrix (a few hundred KiB), which
    /// one made per row would allocate 100k times a keystroke.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Runs `f` with this thread's matcher.
fn with_matcher<T>(f: impl FnOnce(&mut Matcher) -> T) -> T {
    MATCHER.with(|matcher| f(&mut matcher.borrow_mut()))
}

/// A text word of a filter, as typed and as nucleo's patterns: a subsequence of a field, or the
/// start of the chat id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word as typed.
    pub text: String,
    fuzzy: Atom,
    prefix: Atom,
    /// The characters it needs ([`char_set`]).
    needs: u64,
}

impl Word {
    /// The word `text` (without whitespace). Its letters are normalized by nucleo's own table
    /// first, so "joão" finds "Joao" as "joao" finds "João" (nucleo alone would only do the
    /// latter).
    pub fn new(text: &str) -> Self {
        let plain: String = text.chars().map(nucleo_matcher::chars::normalize).collect();
        let atom = |kind| {
            Atom::new(
                &plain,
                CaseMatching::Ignore,
                Normalization::Smart,
                kind,
                false,
            )
        };
        let fuzzy = atom(AtomKind::Fuzzy);
        Self {
            text: text.to_owned(),
            needs: char_set(fuzzy.needle_text()),
            prefix: atom(AtomKind::Prefix),
            fuzzy,
        }
    }

    /// Whether every chat this word finds is found by `shorter` too (it extends it), so the
    /// chats `shorter` found are the only ones to try.
    pub fn narrows(&self, shorter: &Word) -> bool {
        self.text.starts_with(&shorter.text)
    }
}

/// A field of [`SearchText`], in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The contact's name.
    Contact = 0,
    /// The contact's number.
    Number = 1,
    /// The last message.
    Message = 2,
    /// The responsible's name.
    Responsible = 3,
    /// The company line or channel.
    Line = 4,
    /// The account.
    Account = 5,
}

const FIELDS: usize = 6;

/// What a filter's text words are matched against, built once per row: the contact's name and
/// number, the last message, the responsible's name, the company line or channel and the
/// account, each its own haystack (a word never matches across two fields), and the chat id,
/// which a word matches by its start (a pasted or half-typed id). It also keeps the folded name
/// the list's name order compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    fields: [Utf32String; FIELDS],
    id: Utf32String,
    /// Each field's [`char_set`], then the id's: a field whose set lacks a character of a word
    /// cannot match it, and is not given to nucleo (most fields, at a keystroke over 100k rows).
    sets: [u64; FIELDS + 1],
    /// The name the chat goes by ([`super::contact`]), folded.
    name: Box<str>,
}

impl SearchText {
    /// The search text of `row`.
    pub fn new(row: &ChatSummary) -> Self {
        let c = &row.columns;
        let field = |text: &Option<String>| text.as_deref().map(haystack);
        let fields = [
            field(&c.contact).unwrap_or_default(),
            field(&c.contact_number).unwrap_or_default(),
            field(&c.last_message_preview).unwrap_or_default(),
            field(&c.responsible_name).unwrap_or_default(),
            field(&c.line).unwrap_or_default(),
            haystack(&row.key.account),
        ];
        let id = haystack(&row.key.chat_id);
        let mut sets = [0; FIELDS + 1];
        for (set, text) in sets.iter_mut().zip(fields.iter().chain([&id])) {
            *set = char_set(text.slice(..));
        }
        Self {
            fields,
            id,
            sets,
            name: super::fold(super::contact(row)).into_boxed_str(),
        }
    }

    /// The name the chat goes by ([`super::contact`]), folded: what the list's name order
    /// compares, read here rather than folded again at every sort.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How well `word` matches (see [`best`]).
    fn best<'a>(&'a self, word: &Word, matcher: &mut Matcher) -> Option<(u16, Option<Field>)> {
        // A field that lacks one of the word's characters stands as an empty one (no match).
        let holds = |at: usize| self.sets[at] & word.needs == word.needs;
        let text = |at: usize, text: &'a Utf32String| {
            if holds(at) {
                text.slice(..)
            } else {
                Utf32Str::Ascii(&[])
            }
        };
        let fields = std::array::from_fn(|at| text(at, &self.fields[at]));
        best(word, text(FIELDS, &self.id), &fields, matcher)
    }

    /// The score of `word` on this row (`None`: it does not match).
    pub fn score(&self, word: &Word) -> Option<u16> {
        with_matcher(|matcher| self.best(word, matcher)).map(|(score, _)| score)
    }

    /// The characters of `field` the words in `words` matched, as character indices in
    /// ascending order: for each word whose best match is in that field. Computed for the rows drawn only.
    pub fn matched_in<'a>(
        &self,
        words: impl IntoIterator<Item = &'a Word>,
        field: Field,
    ) -> Vec<u32> {
        with_matcher(|matcher| {
            let mut indices = Vec::new();
            for word in words {
                if let Some((_, Some(best))) = self.best(word, matcher)
                    && best == field
                {
                    let haystack: Utf32Str<'_> = self.fields[field as usize].slice(..);
                    word.fuzzy.indices(haystack, matcher, &mut indices);
                }
            }
            indices.sort_unstable();
            indices.dedup();
            indices
        })
    }
}

/// How well `word` matches a row whose chat id is `id` and fields `fields` (in [`Field`]'s
/// order): its best score over the fields and the id's start, and in which field (`None` for the
/// id); `None` when it matches nowhere.
fn best(
    word: &Word,
    id: Utf32Str<'_>,
    fields: &[Utf32Str<'_>; FIELDS],
    matcher: &mut Matcher,
) -> Option<(u16, Option<Field>)> {
    const ORDER: [Field; FIELDS] = [
        Field::Contact,
        Field::Number,
        Field::Message,
        Field::Responsible,
        Field::Line,
        Field::Account,
    ];
    let mut best = word.prefix.score(id, matcher).map(|score| (score, None));
    for field in ORDER {
        // The greedy pass (linear, fzf's v1) rather than the optimal one: it finds the same
        // rows, and ranks them nearly alike, at a fraction of the cost over 100k rows; the
        // highlight, drawn for a screenful, uses the optimal indices.
        if let Some(score) =
            matcher.fuzzy_match_greedy(fields[field as usize], word.fuzzy.needle_text())
            && best.is_none_or(|(top, _)| score > top)
        {
            best = Some((score, Some(field)));
        }
    }
    best
}

/// Scores rows read once, as `inbox list` does: each field borrowed from the row (an ASCII one
/// as it is, another decoded into a buffer kept from row to row), so scoring 100k rows builds
/// no [`SearchText`] and allocates nothing per row.
#[derive(Debug, Default)]
pub struct Scorer {
    buffers: [(Vec<u8>, Vec<char>); FIELDS + 1],
}

impl Scorer {
    /// The sum of the scores of `words` on `row`; `None` if one of them does not match.
    pub fn score(&mut self, row: &ChatSummary, words: &[&Word]) -> Option<u32> {
        self.score_text(SearchFields::of(row), words)
    }

    /// The sum of the scores of `words` on a row's searched text `row`, borrowed as the index
    /// reads it (before its summary is built); `None` if one of them does not match.
    pub fn score_text(&mut self, row: SearchFields<'_>, words: &[&Word]) -> Option<u32> {
        if words.is_empty() {
            return Some(0);
        }
        let [contact, number, message, responsible, line, account, id] = &mut self.buffers;
        let fields = [
            text(row.contact, contact),
            text(row.contact_number, number),
            text(row.last_message_preview, message),
            text(row.responsible_name, responsible),
            text(row.line, line),
            text(Some(row.account), account),
        ];
        let id = text(Some(row.chat_id), id);
        with_matcher(|matcher| {
            words
                .iter()
                .map(|word| best(word, id, &fields, matcher).map(|(score, _)| u32::from(score)))
                .sum()
        })
    }
}

/// A field as a haystack kept with its row: one element per character (nucleo's own conversion
/// takes one per grapheme, and segmenting 100k rows' text into graphemes costs more than
/// matching them), each Latin letter without its accent by nucleo's own table (case kept, for
/// its word-boundary bonuses), so that most text becomes ASCII and takes nucleo's fast path.
/// Matching normalizes anyway, so this changes no match and no score.
fn haystack(text: &str) -> Utf32String {
    if text.is_ascii() {
        return Utf32String::Ascii(text.into());
    }
    let mut bytes = Vec::new();
    let mut chars = Vec::new();
    match plain(text, &mut bytes, &mut chars) {
        Utf32Str::Ascii(_) => {
            Utf32String::Ascii(String::from_utf8(bytes).unwrap_or_default().into())
        }
        Utf32Str::Unicode(_) => Utf32String::Unicode(chars.into()),
    }
}

/// `text` with nucleo's normalization applied, ASCII in `bytes` when it all is, else in `chars`.
fn plain<'a>(text: &'a str, bytes: &'a mut Vec<u8>, chars: &'a mut Vec<char>) -> Utf32Str<'a> {
    if text.is_ascii() {
        return Utf32Str::Ascii(text.as_bytes());
    }
    bytes.clear();
    chars.clear();
    let mut ascii = true;
    for c in text.chars().map(nucleo_matcher::chars::normalize) {
        if ascii && c.is_ascii() {
            // An ASCII char is one byte.
            bytes.push(c as u8);
        } else if ascii {
            ascii = false;
            chars.extend(bytes.iter().map(|b| char::from(*b)));
            chars.push(c);
        } else {
            chars.push(c);
        }
    }
    if ascii {
        Utf32Str::Ascii(bytes)
    } else {
        Utf32Str::Unicode(chars)
    }
}

/// A field as a haystack borrowed for one match, an absent one empty: as [`haystack`] makes it,
/// in `buffers` kept from row to row.
fn text<'a>(text: Option<&'a str>, buffers: &'a mut (Vec<u8>, Vec<char>)) -> Utf32Str<'a> {
    let (bytes, chars) = buffers;
    plain(text.unwrap_or(""), bytes, chars)
}

/// The characters `text` holds, one bit each: an ASCII letter (either case) or digit its own,
/// any other ASCII character one of 27 shared bits, and a text with a character outside ASCII
/// every bit (nucleo folds case beyond ASCII too, which this does not follow). A word needs its
/// own characters' bits (every bit with one outside ASCII, which only such a text has): a text
/// whose set lacks one cannot hold the word, as a subsequence or as its start.
fn char_set(text: Utf32Str<'_>) -> u64 {
    let bit = |c: char| -> u64 {
        let at = match c.to_ascii_lowercase() {
            c @ 'a'..='z' => c as u32 - 'a' as u32,
            c @ '0'..='9' => 26 + (c as u32 - '0' as u32),
            c if c.is_ascii() => 36 + c as u32 % 27,
            _ => 63,
        };
        1 << at
    };
    match text {
        Utf32Str::Ascii(bytes) => bytes.iter().fold(0, |set, b| set | bit(char::from(*b))),
        Utf32Str::Unicode(chars) if chars.iter().all(char::is_ascii) => {
            chars.iter().fold(0, |set, c| set | bit(*c))
        }
        Utf32Str::Unicode(_) => u64::MAX,
    }
}

/// The rows at least this many candidates are split across the cores for.
const PARALLEL_FROM: usize = 4096;

/// `f` over `items`, in their order, split in one chunk per core when there are many (a filter
/// over 100k rows at a keystroke), each chunk with a state of its own made by `init`.
pub fn filter_map_chunks<'a, T: Sync, S, U: Send>(
    items: &'a [T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &'a T) -> Option<U> + Sync,
) -> Vec<U> {
    let run = |chunk: &'a [T]| {
        let mut state = init();
        chunk
            .iter()
            .filter_map(|item| f(&mut state, item))
            .collect::<Vec<U>>()
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if cores < 2 || items.len() < PARALLEL_FROM {
        return run(items);
    }
    let mut chunks = items.chunks(items.len().div_ceil(cores));
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || run(chunk)))
            .collect();
        let mut out = run(first);
        for other in others {
            match other.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChatKey, Columns, Source};
    use chrono::Utc;

    fn chat(contact: &str, message: &str) -> SearchText {
        let now = Utc::now();
        SearchText::new(&ChatSummary {
            key: ChatKey::wegly("default", "6f1c0000-0000-4000-8000-000000000000"),
            columns: Columns {
                contact: Some(contact.to_owned()),
                last_message_preview: Some(message.to_owned()),
                ..Columns::default()
            },
            first_seen_at: now,
            last_event_at: None,
            hydrated_at: None,
            source: Source::Webhook,
            gone: false,
            needs_hydration: false,
            last_error: None,
        })
    }

    #[test]
    fn a_word_is_a_subsequence_with_accents_and_case_ignored_either_way() {
        let joao = chat("João Pedro Santos", "Oi");
        let plain = chat("Joao Pedro Santos", "Oi");
        for word in ["jpsantos", "JPS", "joao", "JOÃO", "joão", "ps", "6F1C"] {
            assert!(joao.score(&Word::new(word)).is_some(), "{word} in João");
            assert!(plain.score(&Word::new(word)).is_some(), "{word} in Joao");
        }
        for word in ["santosj", "xj", "1c"] {
            assert!(joao.score(&Word::new(word)).is_none(), "{word}");
        }
    }

    #[test]
    fn a_word_scores_higher_where_it_starts_a_word_than_inside_one() {
        let word = Word::new("ana");
        let ana = chat("Ana Lima", "").score(&word).unwrap();
        let mariana = chat("Mariana Souza", "").score(&word).unwrap();
        assert!(ana > mariana, "{ana} > {mariana}");
    }

    #[test]
    fn the_matched_characters_are_those_of_the_field_a_word_matched_best() {
        let chat = chat("João Pedro Santos", "pedido enviado");
        let words = [Word::new("jps"), Word::new("enviad")];
        // "jps" in the name: J, P and S (graphemes 0, 5, 11); "enviad" in the message only.
        assert_eq!(chat.matched_in(&words, Field::Contact), [0, 5, 11]);
        assert_eq!(
            chat.matched_in(&words, Field::Message),
            [7, 8, 9, 10, 11, 12]
        );
        assert!(
            chat.matched_in(&[Word::new("zz")], Field::Contact)
                .is_empty()
        );
    }

    #[test]
    fn a_field_is_ruled_out_only_when_it_lacks_a_character_of_the_word() {
        let set = |text: &str| char_set(haystack(text).slice(..));
        let needs = |text: &str| Word::new(text).needs;
        let holds = |text: &str, word: &str| set(text) & needs(word) == needs(word);
        assert!(holds("Mariana Araújo", "MARI"));
        assert!(holds("Agente 3", "a3"));
        assert!(holds("maria-1@x.br", "-1@."));
        assert!(!holds("Agente 3", "mari"));
        assert!(!holds("5511912345678", "55a"));
        // Beyond ASCII nothing is ruled out, and such a word needs such a field.
        assert!(holds("田中 Silva", "zz"));
        assert!(holds("田中", "田"));
        assert!(!holds("Tanaka", "田"));
        // The rows kept match as before: a ruled-out field is one nucleo rejects too.
        let joao = chat("João Pedro Santos", "Oi");
        assert!(joao.score(&Word::new("jps")).is_some());
        assert!(joao.score(&Word::new("jpx")).is_none());
    }

    #[test]
    fn chunks_over_the_cores_keep_the_order() {
        let items: Vec<u32> = (0..10_000).collect();
        let kept = filter_map_chunks(
            &items,
            || 0_usize,
            |seen, n| {
                *seen += 1;
                (n % 3 == 0).then_some(*n)
            },
        );
        let expected: Vec<u32> = items.iter().copied().filter(|n| n % 3 == 0).collect();
        assert_eq!(kept, expected);
    }
}
