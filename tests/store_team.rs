//! What a desk shares through the index, on both backends (a real SQLite file, and a fresh
//! database of a real PostgreSQL cluster): the change feed, the watch that wakes on another
//! process's writes, presence and claims, the receivers' fetch claims, the one refresh budget,
//! and the audit log's queries. Every "other process" is another `Store`, with its own
//! connection to the same index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use balcao::store::location::DatabaseUrl;
use balcao::store::{
    AuditEntry, AuditQuery, ChatKey, ClaimOutcome, Columns, PresenceKind, Source, Store, Viewer,
};
use chrono::{DateTime, Utc};

use common::pg;

/// Long enough for any machine to deliver a wake; a wake that comes returns at once.
const WAKE: Duration = Duration::from_secs(10);
/// How long a watch waits when nothing happens.
const QUIET: Duration = Duration::from_millis(200);

/// One index, opened as many times as a test needs: each `open` is another connection, as
/// another process would have.
struct Index {
    open: Box<dyn Fn() -> Store>,
    _dir: Option<tempfile::TempDir>,
}

impl Index {
    fn open(&self) -> Store {
        (self.open)()
    }
}

fn sqlite_index() -> Index {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inbox.sqlite3");
    Index {
        open: Box::new(move || Store::open(&file, balcao::store::OpenOptions::default()).unwrap()),
        _dir: Some(dir),
    }
}

fn postgres_index() -> Index {
    let url = DatabaseUrl::new(&pg::fresh_database());
    Index {
        open: Box::new(move || Store::connect(&url).unwrap()),
        _dir: None,
    }
}

/// Each test, once on each backend.
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(&super::sqlite_index());
            })+
        }
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test(&super::postgres_index());
            })+
        }
    };
}

on_both_backends!(
    the_revision_moves_on_what_a_summary_shows_and_not_on_bookkeeping,
    changes_since_gives_each_changed_chat_once_with_the_removals,
    changes_since_in_small_pages_adds_up_to_the_whole,
    a_watch_wakes_on_another_connections_write,
    a_watch_wakes_on_presence_and_claims,
    a_quiet_watch_times_out,
    a_heartbeat_that_only_renews_wakes_no_one,
    a_claim_names_its_holder_to_everyone_else,
    viewing_marks_expire_and_keep_their_since,
    two_receivers_fetch_disjoint_chats,
    an_expired_fetch_claim_is_taken_by_another_receiver,
    a_finished_fetch_frees_the_chat_for_every_receiver,
    stale_chats_are_claimed_by_one_receiver,
    the_refresh_budget_is_one_for_the_whole_index,
    the_audit_log_is_queried_by_chat_person_and_time,
    accounts_lists_every_account_with_chats,
);

fn key(n: usize) -> ChatKey {
    ChatKey::wegly("default", &format!("00000000-0000-4000-8000-{n:012}"))
}

fn columns(contact: &str) -> Columns {
    Columns {
        status: Some("OPEN".to_owned()),
        contact: Some(contact.to_owned()),
        unread: 1,
        ..Columns::default()
    }
}

fn ana() -> Viewer {
    Viewer {
        who: "Ana".to_owned(),
        console: "console-ana".to_owned(),
    }
}

fn carlos() -> Viewer {
    Viewer {
        who: "Carlos".to_owned(),
        console: "console-carlos".to_owned(),
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap()
}

fn all_accounts() -> Vec<String> {
    vec!["default".to_owned()]
}

fn the_revision_moves_on_what_a_summary_shows_and_not_on_bookkeeping(index: &Index) {
    let store = index.open();
    let start = store.revision().unwrap();
    store.note_webhook(&key(1), None, Utc::now()).unwrap();
    let noted = store.revision().unwrap();
    assert!(noted > start, "a new chat is a change: {start} -> {noted}");

    store
        .hydration_failed(&key(1), "timed out", Utc::now())
        .unwrap();
    let failed = store.revision().unwrap();
    assert!(
        failed > noted,
        "a new error shows in the list: {noted} -> {failed}"
    );
    // The same error again only counts an attempt and moves the retry: nothing shown changes.
    store
        .hydration_failed(
            &key(1),
            "timed out",
            Utc::now() + chrono::Duration::seconds(5),
        )
        .unwrap();
    let claimed = store
        .claim_due(
            &all_accounts(),
            "receiver-a",
            Utc::now() + chrono::Duration::seconds(10),
            Utc::now() + chrono::Duration::seconds(70),
            10,
        )
        .unwrap();
    assert_eq!(claimed, vec![key(1)]);
    store
        .see(&ana(), Some(&key(1)), Utc::now(), Utc::now())
        .unwrap();
    assert_eq!(
        store.revision().unwrap(),
        failed,
        "attempts, retries, fetch claims and presence are bookkeeping"
    );

    store
        .save_detail(&key(1), "{}", &columns("Maria"), Utc::now())
        .unwrap();
    let saved = store.revision().unwrap();
    assert!(saved > failed, "a fetched detail is a change");
    let summary = store.changes_since(failed, 10).unwrap();
    assert_eq!(summary.revision, saved);
    assert_eq!(summary.chats.len(), 1);
    assert_eq!(summary.chats[0].columns.contact.as_deref(), Some("Maria"));
}

fn changes_since_gives_each_changed_chat_once_with_the_removals(index: &Index) {
    let store = index.open();
    let other = index.open();
    for n in 1..=4 {
        store
            .note_chat(&key(n), Source::Manual, Utc::now())
            .unwrap();
    }
    let seen = store.revision().unwrap();
    // Chat 1 written three times, chat 2 forgotten, chat 3 forgotten and back, chat 4 untouched.
    for contact in ["A", "B", "C"] {
        other
            .save_detail(&key(1), "{}", &columns(contact), Utc::now())
            .unwrap();
    }
    assert!(other.remove_chat(&key(2)).unwrap());
    assert!(other.remove_chat(&key(3)).unwrap());
    other
        .note_chat(&key(3), Source::Manual, Utc::now())
        .unwrap();
    other
        .note_chat(&key(5), Source::Manual, Utc::now())
        .unwrap();

    let changes = store.changes_since(seen, 100).unwrap();
    let keys: Vec<ChatKey> = changes.chats.iter().map(|c| c.key.clone()).collect();
    assert_eq!(
        keys,
        vec![key(1), key(3), key(5)],
        "oldest change first, each once"
    );
    assert_eq!(changes.chats[0].columns.contact.as_deref(), Some("C"));
    assert_eq!(changes.removed, vec![key(2)]);
    assert_eq!(changes.revision, store.revision().unwrap());

    let nothing = store.changes_since(changes.revision, 100).unwrap();
    assert!(nothing.chats.is_empty() && nothing.removed.is_empty());
    assert_eq!(nothing.revision, changes.revision);
}

fn changes_since_in_small_pages_adds_up_to_the_whole(index: &Index) {
    let store = index.open();
    let start = store.revision().unwrap();
    for n in 1..=7 {
        store
            .note_chat(&key(n), Source::Manual, Utc::now())
            .unwrap();
    }
    assert!(store.remove_chat(&key(2)).unwrap());
    assert!(store.remove_chat(&key(6)).unwrap());
    let whole = store.changes_since(start, 1000).unwrap();

    let (mut chats, mut removed, mut revision, mut pages) = (Vec::new(), Vec::new(), start, 0);
    loop {
        let page = store.changes_since(revision, 2).unwrap();
        if page.chats.is_empty() && page.removed.is_empty() {
            break;
        }
        assert!(page.chats.len() + page.removed.len() <= 2);
        assert!(page.revision > revision, "every page moves on");
        revision = page.revision;
        chats.extend(page.chats.into_iter().map(|c| c.key));
        removed.extend(page.removed);
        pages += 1;
    }
    assert!(pages >= 3);
    assert_eq!(revision, whole.revision);
    assert_eq!(removed, whole.removed);
    assert_eq!(
        chats,
        whole.chats.into_iter().map(|c| c.key).collect::<Vec<_>>()
    );
}

fn a_watch_wakes_on_another_connections_write(index: &Index) {
    let console = index.open();
    let receiver = index.open();
    let mut watch = console.watch().unwrap();
    receiver
        .note_webhook(&key(1), Some(&columns("Maria")), Utc::now())
        .unwrap();
    let wake = watch.wait(WAKE).unwrap();
    assert!(
        wake.chats,
        "no wake after another connection's write: {wake:?}"
    );
    let changes = console.changes_since(0, 10).unwrap();
    assert_eq!(changes.chats[0].key, key(1));

    // From a thread, while the watch waits.
    let mut watch = console.watch().unwrap();
    let writer = std::thread::spawn(move || {
        receiver
            .save_detail(&key(2), "{}", &columns("João"), Utc::now())
            .unwrap();
    });
    let wake = watch.wait(WAKE).unwrap();
    writer.join().unwrap();
    assert!(
        wake.chats,
        "no wake after a write made while waiting: {wake:?}"
    );
}

fn a_watch_wakes_on_presence_and_claims(index: &Index) {
    let ana_console = index.open();
    let carlos_console = index.open();
    carlos_console
        .note_chat(&key(1), Source::Manual, Utc::now())
        .unwrap();

    let mut watch = ana_console.watch().unwrap();
    carlos_console
        .see(
            &carlos(),
            Some(&key(1)),
            Utc::now(),
            Utc::now() + chrono::Duration::seconds(30),
        )
        .unwrap();
    let wake = watch.wait(WAKE).unwrap();
    assert!(wake.presence, "no wake after a viewing mark: {wake:?}");
    assert!(!wake.chats, "a viewing mark is not a chat change: {wake:?}");

    let mut watch = ana_console.watch().unwrap();
    assert_eq!(
        carlos_console
            .claim_chat(&key(1), &carlos(), Utc::now())
            .unwrap(),
        ClaimOutcome::Claimed
    );
    let wake = watch.wait(WAKE).unwrap();
    assert!(wake.presence, "no wake after a claim: {wake:?}");
}

fn a_quiet_watch_times_out(index: &Index) {
    let store = index.open();
    store
        .note_chat(&key(1), Source::Manual, Utc::now())
        .unwrap();
    let mut watch = store.watch().unwrap();
    let wake = watch.wait(QUIET).unwrap();
    assert!(wake.is_timeout(), "woke with nothing written: {wake:?}");
}

/// Every console repeats its viewing mark every few seconds; a repeat that changes nothing anyone
/// sees (same person, same chat, a later expiry) must not wake every other console to read
/// presence again, or a desk of N consoles reads it N times per heartbeat period each.
fn a_heartbeat_that_only_renews_wakes_no_one(index: &Index) {
    let ana_console = index.open();
    let carlos_console = index.open();
    let look = |chat: usize, at_second: i64| {
        carlos_console
            .see(
                &carlos(),
                Some(&key(chat)),
                at(at_second),
                at(at_second + 30),
            )
            .unwrap();
    };
    look(1, 0);
    let mut watch = ana_console.watch().unwrap();
    look(1, 10);
    let wake = watch.wait(QUIET).unwrap();
    assert!(
        wake.is_timeout(),
        "a renewed viewing mark woke a console: {wake:?}"
    );

    // Looking at another chat, or at none, is news.
    look(2, 20);
    let wake = watch.wait(WAKE).unwrap();
    assert!(
        wake.presence,
        "no wake after looking at another chat: {wake:?}"
    );
    let mut watch = ana_console.watch().unwrap();
    carlos_console.see(&carlos(), None, at(30), at(60)).unwrap();
    let wake = watch.wait(WAKE).unwrap();
    assert!(wake.presence, "no wake after looking away: {wake:?}");
}

fn a_claim_names_its_holder_to_everyone_else(index: &Index) {
    let ana_console = index.open();
    let carlos_console = index.open();
    ana_console
        .note_chat(&key(1), Source::Manual, Utc::now())
        .unwrap();
    assert_eq!(
        ana_console.claim_chat(&key(1), &ana(), at(0)).unwrap(),
        ClaimOutcome::Claimed
    );
    assert_eq!(
        carlos_console
            .claim_chat(&key(1), &carlos(), at(60))
            .unwrap(),
        ClaimOutcome::HeldBy {
            who: "Ana".to_owned(),
            since: at(0)
        }
    );
    // Ana again, from another console: still hers, since the first claim.
    let other_ana = Viewer {
        console: "ana-laptop".to_owned(),
        ..ana()
    };
    assert_eq!(
        carlos_console
            .claim_chat(&key(1), &other_ana, at(90))
            .unwrap(),
        ClaimOutcome::Claimed
    );
    let presence = carlos_console.presence(at(120)).unwrap();
    assert_eq!(presence.len(), 1, "{presence:?}");
    assert_eq!(
        (
            &presence[0].key,
            presence[0].who.as_str(),
            presence[0].kind,
            presence[0].since
        ),
        (&key(1), "Ana", PresenceKind::Claimed, at(0))
    );
    // A claim does not expire: it lasts until released.
    assert_eq!(
        carlos_console.presence(at(100_000)).unwrap().len(),
        1,
        "a claim outlives any heartbeat"
    );

    assert!(!carlos_console.release_chat(&key(1), "Carlos").unwrap());
    assert!(ana_console.release_chat(&key(1), "Ana").unwrap());
    assert!(!ana_console.release_chat(&key(1), "Ana").unwrap());
    assert_eq!(
        carlos_console
            .claim_chat(&key(1), &carlos(), at(200))
            .unwrap(),
        ClaimOutcome::Claimed
    );
    assert_eq!(
        ana_console.claim_chat(&key(1), &ana(), at(201)).unwrap(),
        ClaimOutcome::HeldBy {
            who: "Carlos".to_owned(),
            since: at(200)
        }
    );
}

fn viewing_marks_expire_and_keep_their_since(index: &Index) {
    let ana_console = index.open();
    let carlos_console = index.open();
    let ttl = chrono::Duration::seconds(30);
    ana_console
        .see(&ana(), Some(&key(1)), at(0), at(0) + ttl)
        .unwrap();
    // Heartbeats on the same chat keep "since".
    ana_console
        .see(&ana(), Some(&key(1)), at(10), at(10) + ttl)
        .unwrap();
    carlos_console
        .see(&carlos(), None, at(10), at(10) + ttl)
        .unwrap();
    let presence = carlos_console.presence(at(20)).unwrap();
    assert_eq!(
        presence.len(),
        1,
        "a console looking at no chat is on none: {presence:?}"
    );
    assert_eq!(
        (
            &presence[0].key,
            presence[0].who.as_str(),
            presence[0].console.as_str(),
            presence[0].kind,
            presence[0].since
        ),
        (&key(1), "Ana", "console-ana", PresenceKind::Viewing, at(0))
    );
    assert!(
        carlos_console.presence(at(41)).unwrap().is_empty(),
        "a mark without a heartbeat expires"
    );

    // Another chat: a new "since".
    ana_console
        .see(&ana(), Some(&key(2)), at(50), at(50) + ttl)
        .unwrap();
    let presence = carlos_console.presence(at(55)).unwrap();
    assert_eq!(presence.len(), 1);
    assert_eq!((&presence[0].key, presence[0].since), (&key(2), at(50)));

    ana_console.leave("console-ana").unwrap();
    assert!(
        carlos_console.presence(at(55)).unwrap().is_empty(),
        "a console that closes leaves at once"
    );
}

fn two_receivers_fetch_disjoint_chats(index: &Index) {
    let chats = 60;
    {
        let store = index.open();
        for n in 0..chats {
            store.note_webhook(&key(n), None, Utc::now()).unwrap();
        }
    }
    let start = Arc::new(Barrier::new(2));
    let receivers: Vec<_> = ["receiver-a", "receiver-b"]
        .into_iter()
        .map(|owner| {
            let store = index.open();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let mut fetched = Vec::new();
                loop {
                    let now = Utc::now();
                    let claimed = store
                        .claim_due(
                            &all_accounts(),
                            owner,
                            now,
                            now + chrono::Duration::seconds(60),
                            3,
                        )
                        .unwrap();
                    if claimed.is_empty() {
                        break;
                    }
                    for key in claimed {
                        // What a fetch does when it is done.
                        store
                            .save_detail(&key, "{}", &columns(owner), Utc::now())
                            .unwrap();
                        fetched.push(key);
                    }
                }
                fetched
            })
        })
        .collect();
    let fetched: Vec<Vec<ChatKey>> = receivers
        .into_iter()
        .map(|receiver| receiver.join().unwrap())
        .collect();
    let a: BTreeSet<_> = fetched[0].iter().cloned().collect();
    let b: BTreeSet<_> = fetched[1].iter().cloned().collect();
    assert_eq!(a.len(), fetched[0].len(), "receiver a fetched a chat twice");
    assert_eq!(b.len(), fetched[1].len(), "receiver b fetched a chat twice");
    assert!(
        a.is_disjoint(&b),
        "both fetched {:?}",
        a.intersection(&b).collect::<Vec<_>>()
    );
    assert_eq!(a.len() + b.len(), chats, "every chat fetched");
}

fn an_expired_fetch_claim_is_taken_by_another_receiver(index: &Index) {
    let a = index.open();
    let b = index.open();
    a.note_webhook(&key(1), None, at(0)).unwrap();
    let ttl = chrono::Duration::seconds(60);
    let accounts = all_accounts();
    assert_eq!(
        a.claim_due(&accounts, "receiver-a", at(0), at(0) + ttl, 10)
            .unwrap(),
        vec![key(1)]
    );
    assert!(
        b.claim_due(&accounts, "receiver-b", at(1), at(1) + ttl, 10)
            .unwrap()
            .is_empty(),
        "a live claim is another receiver's"
    );
    // Receiver a asks again (its fetch failed and is retried): still its own.
    assert_eq!(
        a.claim_due(&accounts, "receiver-a", at(2), at(2) + ttl, 10)
            .unwrap(),
        vec![key(1)]
    );
    // Receiver a was killed mid-fetch: its claim (renewed at 2 s) lapses and b takes the chat.
    assert!(
        b.claim_due(&accounts, "receiver-b", at(61), at(61) + ttl, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        b.claim_due(&accounts, "receiver-b", at(63), at(63) + ttl, 10)
            .unwrap(),
        vec![key(1)]
    );
    assert!(
        a.claim_due(&accounts, "receiver-a", at(64), at(64) + ttl, 10)
            .unwrap()
            .is_empty(),
        "b holds it now"
    );
}

fn a_finished_fetch_frees_the_chat_for_every_receiver(index: &Index) {
    let a = index.open();
    let b = index.open();
    let accounts = all_accounts();
    let now = Utc::now();
    let until = now + chrono::Duration::seconds(60);
    a.note_webhook(&key(1), None, now).unwrap();
    assert_eq!(
        a.claim_due(&accounts, "receiver-a", now, until, 10)
            .unwrap(),
        vec![key(1)]
    );
    a.save_detail(&key(1), "{}", &columns("Maria"), now)
        .unwrap();
    // The next webhook for the chat may reach the other receiver: it fetches at once, without
    // waiting for the first receiver's claim to lapse.
    b.note_webhook(&key(1), None, now).unwrap();
    assert_eq!(
        b.claim_due(&accounts, "receiver-b", now, until, 10)
            .unwrap(),
        vec![key(1)]
    );
    // The same after a 404.
    b.mark_gone(&key(1), now).unwrap();
    a.note_webhook(&key(1), None, now).unwrap();
    assert_eq!(
        a.claim_due(&accounts, "receiver-a", now, until, 10)
            .unwrap(),
        vec![key(1)]
    );
}

fn stale_chats_are_claimed_by_one_receiver(index: &Index) {
    let a = index.open();
    let b = index.open();
    let accounts = all_accounts();
    let now = Utc::now();
    let day_ago = now - chrono::Duration::days(1);
    let batch: Vec<_> = (0..10)
        .map(|n| (key(n), "{}".to_owned(), columns("Maria")))
        .collect();
    a.save_details(&batch, day_ago).unwrap();
    a.save_detail(&key(10), "{}", &columns("Fresh"), now)
        .unwrap();
    let before = now - chrono::Duration::minutes(15);
    let until = now + chrono::Duration::seconds(60);
    let first = a
        .claim_stale(&accounts, "receiver-a", before, now, until, 6)
        .unwrap();
    let second = b
        .claim_stale(&accounts, "receiver-b", before, now, until, 6)
        .unwrap();
    assert_eq!(first.len(), 6);
    assert_eq!(second.len(), 4, "only what a did not claim: {second:?}");
    let all: BTreeSet<_> = first.iter().chain(&second).cloned().collect();
    assert_eq!(all, (0..10).map(key).collect(), "never the fresh chat");
}

fn the_refresh_budget_is_one_for_the_whole_index(index: &Index) {
    let a = index.open();
    let b = index.open();
    // 60 a minute: a full bucket holds ten seconds' worth, 10.
    assert_eq!(a.take_refresh_budget(7, 60, at(0)).unwrap(), 7);
    assert_eq!(b.take_refresh_budget(7, 60, at(0)).unwrap(), 3);
    assert_eq!(a.take_refresh_budget(1, 60, at(0)).unwrap(), 0);
    // One a second comes back, for whoever asks first.
    assert_eq!(b.take_refresh_budget(5, 60, at(2)).unwrap(), 2);
    assert_eq!(a.take_refresh_budget(5, 60, at(2)).unwrap(), 0);
    // A receiver whose clock is behind adds nothing, and does not move the fill time back.
    assert_eq!(a.take_refresh_budget(5, 60, at(-30)).unwrap(), 0);
    assert_eq!(a.take_refresh_budget(5, 60, at(3)).unwrap(), 1);
    // Never more than the bucket holds, however long nobody asked.
    assert_eq!(b.take_refresh_budget(100, 60, at(3600)).unwrap(), 10);
    assert_eq!(b.take_refresh_budget(100, 0, at(7200)).unwrap(), 0);
}

fn entry(n: i64, chat: usize, by: Option<&str>) -> AuditEntry {
    AuditEntry {
        at: at(n * 60),
        key: key(chat),
        action: "reassign_responsible".to_owned(),
        request: None,
        before: Some("Ana".to_owned()),
        after: Some("Carlos".to_owned()),
        outcome: "confirmed".to_owned(),
        http_status: Some(200),
        by: by.map(str::to_owned),
        batch: None,
        undo: None,
    }
}

fn the_audit_log_is_queried_by_chat_person_and_time(index: &Index) {
    let console = index.open();
    let cli = index.open();
    console.record_audit(&entry(1, 1, Some("Ângela"))).unwrap();
    cli.record_audit(&entry(2, 2, Some("carlos"))).unwrap();
    console.record_audit(&entry(3, 1, Some("Carlos"))).unwrap();
    cli.record_audit(&entry(4, 2, None)).unwrap();
    console.record_audit(&entry(5, 1, Some("ângela"))).unwrap();
    let query = |chat: Option<usize>, by: Option<&str>, since: Option<i64>, limit| {
        console
            .audit_query(&AuditQuery {
                chat: chat.map(|n| key(n).chat_id),
                by: by.map(str::to_owned),
                since: since.map(|n| at(n * 60)),
                batch: None,
                limit,
            })
            .unwrap()
            .into_iter()
            .map(|entry| entry.at)
            .collect::<Vec<_>>()
    };
    let minutes = |ns: &[i64]| ns.iter().map(|n| at(n * 60)).collect::<Vec<_>>();
    assert_eq!(query(None, None, None, 10), minutes(&[5, 4, 3, 2, 1]));
    assert_eq!(query(Some(1), None, None, 10), minutes(&[5, 3, 1]));
    assert_eq!(
        query(None, Some("ÂNGELA"), None, 10),
        minutes(&[5, 1]),
        "names match whatever their case, accents included"
    );
    assert_eq!(query(None, Some("CARLOS"), None, 10), minutes(&[3, 2]));
    assert_eq!(query(None, Some("Carlos"), None, 1), minutes(&[3]));
    assert_eq!(query(None, None, Some(3), 10), minutes(&[5, 4, 3]));
    assert_eq!(query(Some(2), Some("carlos"), Some(2), 10), minutes(&[2]));
    assert!(query(None, Some("Bea"), None, 10).is_empty());
    assert!(query(None, None, None, 0).is_empty());
    let newest = console
        .audit_query(&AuditQuery {
            limit: 1,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(newest[0].by.as_deref(), Some("ângela"));
    assert_eq!(newest[0].key, key(1));
    // A batch's entries are found by its id, with how each is taken back.
    let mut batched = entry(6, 2, Some("Carlos"));
    batched.batch = Some("b-7".to_owned());
    batched.undo = Some("{\"cannot\":\"participant_removal\"}".to_owned());
    cli.record_audit(&batched).unwrap();
    let found = console
        .audit_query(&AuditQuery {
            batch: Some("b-7".to_owned()),
            limit: 10,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(found, vec![batched]);
}

fn accounts_lists_every_account_with_chats(index: &Index) {
    let store = index.open();
    assert!(store.accounts().unwrap().is_empty());
    store
        .note_chat(
            &ChatKey::wegly("matriz", &key(1).chat_id),
            Source::Manual,
            Utc::now(),
        )
        .unwrap();
    store
        .note_chat(
            &ChatKey::agilize("filial", "room-7"),
            Source::Manual,
            Utc::now(),
        )
        .unwrap();
    store
        .note_chat(
            &ChatKey::wegly("matriz", &key(2).chat_id),
            Source::Manual,
            Utc::now(),
        )
        .unwrap();
    assert_eq!(
        store.accounts().unwrap(),
        vec!["filial".to_owned(), "matriz".to_owned()]
    );
}

#[test]
fn a_watch_whose_connection_is_cut_says_so() {
    let url = pg::fresh_database();
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let mut watch = store.watch().unwrap();
    // The server ends the watch's session, as a restart or an administrator would.
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let cut = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            &[],
        )
        .unwrap();
    assert_eq!(cut.get::<_, i64>(0), 1, "the watch's session was found");
    let error = watch
        .wait(WAKE)
        .expect_err("a cut connection is an error, not a quiet timeout");
    assert!(
        matches!(error, balcao::store::StoreError::Unreachable { .. }),
        "{error:?}"
    );
    let shown = error.to_string();
    assert!(shown.contains("***"), "{shown}");
    // A new watch works again.
    let mut watch = store.watch().unwrap();
    store
        .note_chat(&key(1), Source::Manual, Utc::now())
        .unwrap();
    assert!(watch.wait(WAKE).unwrap().chats);
}
