//! Two consoles on one index file, each with its own connection, saving one chat's draft through
//! the console's own index commands: the later writer based on an old revision is told of the
//! newer draft and writes nothing; clearing after a send does not remove a newer draft either.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use balcao::console::drafts::run;
use balcao::console::msg::{Command, Msg};
use balcao::store::drafts::{DraftSaved, DraftText};
use balcao::store::{ChatKey, Store};

fn save(store: &Store, key: &ChatKey, body: &str, based_on: i64, console: &str) -> DraftSaved {
    let command = Command::SaveDraft {
        key: key.clone(),
        draft: DraftText {
            body: body.to_owned(),
            reply_to: None,
        },
        based_on,
    };
    match run(store, command, console) {
        Some(Msg::DraftWritten { outcome, .. }) => outcome.unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_draft_never_overwrites_a_newer_one_of_another_console() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open_in(dir.path()).unwrap();
    let b = Store::open_in(dir.path()).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    assert_eq!(
        save(&a, &key, "Olá", 0, "console-a"),
        DraftSaved::Saved { revision: 1 }
    );
    // B read revision 1 and writes over it.
    let Some(Msg::DraftLoaded {
        draft: Some(seen), ..
    }) = run(&b, Command::LoadDraft(key.clone()), "console-b")
    else {
        panic!("B reads A's draft")
    };
    assert_eq!(
        save(&b, &key, "Olá, aqui é a Bia", seen.revision, "console-b"),
        DraftSaved::Saved { revision: 2 }
    );
    // A, still on revision 1, keeps typing: refused, told what B wrote.
    let DraftSaved::Newer(newer) = save(&a, &key, "Olá, já vejo", 1, "console-a") else {
        panic!("A must not overwrite B's newer draft")
    };
    assert_eq!(
        (
            newer.body.as_str(),
            newer.revision,
            newer.written_by.as_deref()
        ),
        ("Olá, aqui é a Bia", 2, Some("console-b"))
    );
    // A sent its reply and clears the draft it knew: B's newer one stays.
    let Some(Msg::DraftWritten { outcome, .. }) = run(
        &a,
        Command::ClearDraft {
            key: key.clone(),
            based_on: 1,
        },
        "console-a",
    ) else {
        panic!("a clear answers")
    };
    assert!(matches!(outcome.unwrap(), DraftSaved::Newer(_)));
    assert_eq!(
        b.load_draft(&key).unwrap().unwrap().body,
        "Olá, aqui é a Bia"
    );
    let Some(Msg::DraftKeys(keys)) = run(&b, Command::ReadDraftKeys, "console-b") else {
        panic!("the chats with drafts")
    };
    assert_eq!(keys, [key]);
}
