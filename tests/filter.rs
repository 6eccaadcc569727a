//! One filter language for `inbox list --filter` and the console's `/`: the same words select the
//! same chats, on a real index file through the real binary, and for random rows and queries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/cli.rs"]
mod cli;

use std::collections::HashMap;
use std::path::Path;

use balcao::console::list::Inbox;
use balcao::i18n::Lang;
use balcao::inbox::{Filter, select};
use balcao::store::{ChatKey, ChatSummary, Columns, Provider, Source, Store};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;

use cli::{balcao, json_lines, text};

/// The chat ids `balcao inbox list --filter QUERY` prints, in its order.
fn cli_ids(data_dir: &Path, query: &str) -> Vec<String> {
    let output = balcao(data_dir)
        .args(["inbox", "list", "--json", "--filter", query])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{query}: {stderr}");
    json_lines(&output.stdout)
        .iter()
        .map(|line| line["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The chat ids the console's list shows with `query` typed after `/`, in its order.
fn console_ids(
    rows: Vec<ChatSummary>,
    query: &str,
    me: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut inbox = Inbox::default();
    inbox.set_rows(rows, now, me);
    inbox.set_filter_text(query.to_owned(), Lang::En, now, me);
    assert_eq!(inbox.filter_error, None, "{query}");
    (0..inbox.visible_len())
        .map(|n| inbox.visible_row(n).unwrap().summary.key.chat_id.clone())
        .collect()
}

const JOAO: &str = "1a2b3c4d-0000-4000-8000-000000000001";
const MARIA: &str = "9f8e7d6c-0000-4000-8000-000000000002";

/// Words that used to select different chats in the two places: a company line and an account
/// (the console searched them, the CLI did not), a chat id's prefix (the CLI matched it, the
/// console did not). Now both select the same chats, the ones a person typing them means.
#[test]
fn the_cli_and_the_console_select_the_same_chats_for_the_same_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let now = Utc::now();
    for (id, contact, line, priority) in [
        (JOAO, "João Araújo", "+55 11 4000-1000", 2),
        (MARIA, "Maria Conceição", "+55 21 3003-2000", 1),
    ] {
        let key = ChatKey::wegly("default", id);
        store.note_chat(&key, Source::Manual, now).unwrap();
        let columns = Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(priority),
            contact: Some(contact.to_owned()),
            contact_number: Some("+55 11 99999-0000".to_owned()),
            line: Some(line.to_owned()),
            ..Columns::default()
        };
        store.save_detail(&key, "{}", &columns, now).unwrap();
    }
    let rows = store.summaries().unwrap();
    drop(store);
    let me = HashMap::new();
    for (query, expected) in [
        ("joao", &[JOAO][..]),
        ("4000-1000", &[JOAO]),
        ("3003", &[MARIA]),
        ("default", &[JOAO, MARIA]),
        ("1a2b3c", &[JOAO]),
        ("9F8E", &[MARIA]),
        ("conceicao 9f8e", &[MARIA]),
        ("3c4d", &[]),
    ] {
        let cli = cli_ids(dir.path(), query);
        let console = console_ids(rows.clone(), query, &me, now);
        let expected: Vec<String> = expected.iter().map(|id| (*id).to_owned()).collect();
        assert_eq!(
            (&cli, &console),
            (&expected, &expected),
            "'{query}': (CLI, console)"
        );
    }
}

/// The user id "me" stands for in the generated rows' accounts.
const ME: &str = "c7e9a1b3-5d7f-4b2a-9c4e-6f8a0b2c4d6e";
const OTHER: &str = "11111111-1111-4111-8111-111111111111";
const ACCOUNTS: &[&str] = &["default", "loja", "Suporte São Paulo"];
const NAMES: &[&str] = &[
    "João Araújo",
    "Maria Conceição",
    "Zé do Açaí",
    "ÍCARO GONÇALVES",
    "Letícia",
    "田中 太郎",
    "Ana-Lúcia O'Neil",
];
const MESSAGES: &[&str] = &[
    "Oi, meu pedido não chegou",
    "Obrigada!",
    "📎 nota-fiscal.pdf",
    "[sticker]",
    "preciso de ajuda com a fatura 4000",
];
const LINES: &[&str] = &[
    "+55 11 4000-1000",
    "+55 21 3003-2000",
    "WhatsApp",
    "Instagram",
];
const STATUSES: &[&str] = &["OPEN", "CLOSED", "RESOLVED", "SNOOZED", "open"];
const KEYWORDS: &[&str] = &[
    "unread",
    "naolidas",
    "mine",
    "minhas",
    "unassigned",
    "semdono",
    "archived",
    "window:open",
    "window:closing",
    "window:closed",
    "priority:>=2",
    "priority:<=baixa",
    "status:open",
    "status:OPEN,closed",
    "responsible:none",
    "responsible:me",
];

/// A fixed instant: the filter's window terms compare against it, never against the clock.
fn instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 15, 9, 26).unwrap()
}

fn pick<'a>(list: &[&'a str], n: usize) -> &'a str {
    list[n % list.len()]
}

prop_compose! {
    /// A chat of either provider, with accented text, both kinds of id and every column a filter
    /// word looks at.
    fn arb_row()(
        agilize in any::<bool>(),
        id in any::<u128>(),
        upper in any::<bool>(),
        account in 0..ACCOUNTS.len(),
        names in prop::option::of(0..NAMES.len()),
        number in prop::option::of(0..100_000_u32),
        line in prop::option::of(0..LINES.len()),
        message in prop::option::of(0..MESSAGES.len()),
        responsible in 0..3_usize,
        status in prop::option::of(0..STATUSES.len()),
        priority in prop::option::of(0..4_i64),
        unread in 0..3_i64,
        marked_unread in any::<bool>(),
        window in prop::option::of(-120..600_i64),
        archived in any::<bool>(),
        waiting in prop::option::of(any::<bool>()),
    ) -> ChatSummary {
        let now = instant();
        let account = ACCOUNTS[account];
        let key = if agilize {
            // A 24-hex ObjectId, sometimes in capitals (room ids are kept as given).
            let hex = format!("{:024x}", id >> 32);
            let hex = if upper { hex.to_uppercase() } else { hex };
            ChatKey::agilize(account, &hex)
        } else {
            ChatKey::wegly(account, &uuid::Uuid::from_u128(id).to_string())
        };
        let responsible = [None, Some(ME), Some(OTHER)][responsible];
        ChatSummary {
            columns: Columns {
                status: status.map(|n| pick(STATUSES, n).to_owned()),
                priority: if key.provider == Provider::Agilize { None } else { priority },
                contact: names.map(|n| pick(NAMES, n).to_owned()),
                contact_number: number.map(|n| format!("+55 11 9{n:08}")),
                line: line.map(|n| pick(LINES, n).to_owned()),
                responsible_user_id: responsible.map(str::to_owned),
                responsible_name: responsible.map(|id| if id == ME { "Beatriz Simões" } else { "Agente Ávila" }.to_owned()),
                unread,
                marked_unread,
                last_message_at: waiting.map(|_| now - TimeDelta::minutes(unread * 7 + 1)),
                last_message_preview: message.map(|n| pick(MESSAGES, n).to_owned()),
                last_message_from_me: waiting,
                window_ends_at: window.map(|minutes| now + TimeDelta::minutes(minutes)),
                archived,
            },
            key,
            first_seen_at: now,
            last_event_at: None,
            hydrated_at: Some(now),
            source: Source::Webhook,
            gone: false,
            needs_hydration: false,
            last_error: None,
        }
    }
}

/// One word of a query, resolved against the rows: a word of one of their texts (as a person
/// would type it: folded, in capitals or cut short), a prefix of one of their ids, a filter
/// keyword, or random text.
#[derive(Debug, Clone)]
enum Word {
    Text {
        row: usize,
        field: usize,
        word: usize,
        cut: usize,
        upper: bool,
    },
    IdPrefix {
        row: usize,
        len: usize,
        upper: bool,
    },
    Keyword(usize),
    Random(String),
}

fn arb_word() -> impl Strategy<Value = Word> {
    prop_oneof![
        4 => (any::<usize>(), 0..6_usize, any::<usize>(), 0..4_usize, any::<bool>())
            .prop_map(|(row, field, word, cut, upper)| Word::Text { row, field, word, cut, upper }),
        3 => (any::<usize>(), 1..40_usize, any::<bool>())
            .prop_map(|(row, len, upper)| Word::IdPrefix { row, len, upper }),
        2 => (0..KEYWORDS.len()).prop_map(Word::Keyword),
        2 => "[a-zA-Z0-9çãéíÇ:+\\-]{1,6}".prop_map(Word::Random),
    ]
}

/// The text a word stands for among `rows`.
fn spell(word: &Word, rows: &[ChatSummary]) -> String {
    match word {
        Word::Text {
            row,
            field,
            word,
            cut,
            upper,
        } => {
            let row = &rows[row % rows.len()];
            let c = &row.columns;
            let field = [
                c.contact.as_deref(),
                c.contact_number.as_deref(),
                c.last_message_preview.as_deref(),
                c.responsible_name.as_deref(),
                c.line.as_deref(),
                Some(row.key.account.as_str()),
            ][field % 6]
                .unwrap_or("nada");
            let words: Vec<&str> = field.split_whitespace().collect();
            let chosen = words[word % words.len()];
            let kept = chosen.chars().count().saturating_sub(*cut).max(1);
            let chosen: String = chosen.chars().take(kept).collect();
            if *upper {
                chosen.to_uppercase()
            } else {
                balcao::inbox::fold(&chosen)
            }
        }
        Word::IdPrefix { row, len, upper } => {
            let id = &rows[row % rows.len()].key.chat_id;
            let prefix: String = id.chars().take(*len).collect();
            if *upper {
                prefix.to_uppercase()
            } else {
                prefix.to_lowercase()
            }
        }
        Word::Keyword(n) => KEYWORDS[*n].to_owned(),
        Word::Random(text) => text.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// For random rows of both providers and random queries, `inbox list` (through the function
    /// it selects rows with) and the console's filtered list select the same chats in the same
    /// order; a query that does not parse is refused with the same words by both.
    #[test]
    fn the_cli_and_the_console_agree_on_random_rows_and_queries(
        rows in prop::collection::vec(arb_row(), 1..16),
        words in prop::collection::vec(arb_word(), 0..4),
    ) {
        let now = instant();
        // One row per chat, as the index holds them.
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<ChatSummary> = rows.into_iter().filter(|row| seen.insert(row.key.clone())).collect();
        let query = words.iter().map(|word| spell(word, &rows)).collect::<Vec<_>>().join(" ");
        let me: HashMap<String, String> = ACCOUNTS[..2]
            .iter()
            .map(|account| ((*account).to_owned(), ME.to_owned()))
            .collect();
        let mut inbox = Inbox::default();
        inbox.set_rows(rows.clone(), now, &me);
        // Typed as a person types it, a slip and its backspace included: every keystroke
        // filters again from the results kept for the shorter query.
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            inbox.set_filter_text(typed.clone(), Lang::En, now, &me);
            inbox.set_filter_text(format!("{typed}q"), Lang::En, now, &me);
        }
        inbox.set_filter_text(query.clone(), Lang::En, now, &me);
        match Filter::parse(&query, Lang::En) {
            Ok(filter) => {
                prop_assert_eq!(&inbox.filter_error, &None);
                let cli: Vec<&ChatKey> = select(&rows, &filter, &me, now).into_iter().map(|row| &row.key).collect();
                let console: Vec<&ChatKey> = (0..inbox.visible_len())
                    .map(|n| &inbox.visible_row(n).unwrap().summary.key)
                    .collect();
                prop_assert_eq!(cli, console, "query {:?}", query);
            }
            Err(error) => prop_assert_eq!(inbox.filter_error, Some(error)),
        }
    }
}

/// An index file in a temp dir holding chats `(id, contact, priority, last message)`, and its
/// rows as the console reads them.
fn index_of(chats: &[(&str, &str, i64, &str)]) -> (tempfile::TempDir, Vec<ChatSummary>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let now = Utc::now();
    for (id, contact, priority, message) in chats {
        let key = ChatKey::wegly("default", id);
        store.note_chat(&key, Source::Manual, now).unwrap();
        let columns = Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(*priority),
            contact: Some((*contact).to_owned()),
            last_message_preview: Some((*message).to_owned()),
            ..Columns::default()
        };
        store.save_detail(&key, "{}", &columns, now).unwrap();
    }
    let rows = store.summaries().unwrap();
    (dir, rows)
}

const PEDRO: &str = "00000000-0000-4000-8000-00000000000a";
const MARIANA: &str = "00000000-0000-4000-8000-00000000000b";
const ANA: &str = "00000000-0000-4000-8000-00000000000c";

/// A sloppy query finds the chat a person means (a subsequence, accents and case ignored), every
/// text word must match, field words stay exact, and when a text word is present the best match
/// comes first; the command line and the console agree on all of it, in the same order.
#[test]
fn a_sloppy_query_finds_ranks_and_agrees_between_the_cli_and_the_console() {
    let (dir, rows) = index_of(&[
        (PEDRO, "João Pedro Santos", 1, "Bom dia"),
        (MARIANA, "Mariana Souza", 3, "Obrigada!"),
        (ANA, "Ana Lima", 0, "Quero trocar o produto"),
    ]);
    let me = HashMap::new();
    let now = Utc::now();
    for (query, expected) in [
        // A subsequence of the name, across its words.
        ("jpsantos", &[PEDRO][..]),
        ("JPSANTOS", &[PEDRO]),
        // Accents either way.
        ("joao", &[PEDRO]),
        ("JOÃO", &[PEDRO]),
        ("sóuza", &[MARIANA]),
        // Every word must match.
        ("jp santos", &[PEDRO]),
        ("jp souza", &[]),
        // In the last message too.
        ("trcrprod", &[ANA]),
        // Ranked by match: "Ana Lima" starts with it, "Mariana" (more urgent) has it inside.
        ("ana", &[ANA, MARIANA]),
        // Field words stay exact: a priority, not a fuzzy word.
        ("ana priority:3", &[MARIANA]),
        ("priority:3", &[MARIANA]),
    ] {
        let cli = cli_ids(dir.path(), query);
        let console = console_ids(rows.clone(), query, &me, now);
        let expected: Vec<String> = expected.iter().map(|id| (*id).to_owned()).collect();
        assert_eq!(
            (&cli, &console),
            (&expected, &expected),
            "'{query}': (CLI, console)"
        );
    }
}
