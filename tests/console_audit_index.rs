//! The audit overlay on a real index: entries written through the store API into a SQLite file,
//! read by the console's runtime (`app::run`) off the render path when `show_audit_log` opens,
//! filtered and closed by keys; and an index whose audit log cannot be read, said in the overlay.
//! The script never waits on time: each step waits until the screen shows what it expects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/screen.rs"]
mod screen;

use std::collections::HashMap;
use std::sync::Arc;

use balcao::console::modal::Modal;
use balcao::console::state::State;
use balcao::i18n::Lang;
use balcao::store::{AuditEntry, ChatKey, Columns, Store};
use chrono::{TimeDelta, Utc};
use crossterm::event::KeyCode;
use screen::{Step, show, typed};

/// The console's runtime on `store` (no CRM account: nothing here reaches one), run by `script`.
async fn run(store: Arc<Store>, script: Vec<Step>) -> (State, String) {
    let services = screen::services(store, HashMap::new(), 2);
    let state = State::new(Lang::PtBr, Utc::now(), "default".to_owned());
    screen::run(state, services, (120, 40), script).await
}

fn change(key: &ChatKey, by: &str, before: &str, after: &str, outcome: &str) -> AuditEntry {
    AuditEntry {
        at: Utc::now() - TimeDelta::minutes(5),
        key: key.clone(),
        action: "reassign_responsible".to_owned(),
        request: Some(r#"{"user_id":"…"}"#.to_owned()),
        before: Some(before.to_owned()),
        after: Some(after.to_owned()),
        outcome: outcome.to_owned(),
        http_status: Some(200),
        by: Some(by.to_owned()),
        batch: Some("c41d2b7a-0e55-4f3c-9a61-0b2d4e6f8a10".to_owned()),
        undo: None,
    }
}

#[tokio::test]
async fn the_runtime_reads_the_audit_log_of_a_sqlite_index_when_the_overlay_opens() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let marcio = ChatKey::wegly("default", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
    let columns = Columns {
        status: Some("OPEN".to_owned()),
        contact: Some("Márcio Araújo".to_owned()),
        ..Columns::default()
    };
    store
        .save_details(&[(marcio.clone(), "{}".to_owned(), columns)], Utc::now())
        .unwrap();
    let elsewhere = ChatKey::wegly("default", "0a0b0c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d");
    store
        .record_audit(&change(
            &marcio,
            "Ana Conceição",
            "João Araújo",
            "Ana Conceição",
            "confirmed",
        ))
        .unwrap();
    store
        .record_audit(&change(
            &elsewhere,
            "João Araújo",
            "Ana Conceição",
            "Zé Carlos",
            "failed",
        ))
        .unwrap();
    let mut script = vec![
        show(" Conversas 1 "),
        Step::Key(KeyCode::Char('L')),
        // Read off the render path and answered: both entries, the newest first, the chat
        // named by the list's row when it holds it.
        show("2 alterações"),
        show("Márcio Araújo      reatribuiu o responsável"),
        show("falhou"),
        show("c41d2b7a"),
    ];
    script.extend(typed("joao"));
    script.extend([
        show("1 de 2"),
        Step::Key(KeyCode::Esc),
        Step::Key(KeyCode::Char('q')),
    ]);
    let (state, last) = run(store, script).await;
    assert!(state.should_quit, "the run ended by `q`:\n{last}");
    // `q` quit from the list: esc had closed the overlay (quitting draws no frame after it).
    assert!(state.modal.is_none(), "{last}");
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_read_is_said_in_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let path = store.file().unwrap().to_path_buf();
    // The file loses its audit table behind the store's back: the read fails, and says why.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE audit_log")
        .unwrap();
    let script = vec![
        show(" Conversas 0 "),
        Step::Key(KeyCode::Char('L')),
        show("não foi possível ler a auditoria do índice"),
        show("audit_log"),
    ];
    let (state, last) = run(store, script).await;
    assert!(
        matches!(state.modal, Some(Modal::Audit(_))),
        "the overlay stays open with the error:\n{last}"
    );
}
