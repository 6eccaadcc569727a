//! Agilize rooms reaching the index: the sandbox's room webhooks into the receiver, refusals
//! recorded, and `balcao room update` as a process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use balcao::store::{Provider, Store, WebhookOutcome};
use secrecy::SecretString;
use serde_json::json;

const SECRET: &str = "whsec-agilize-31f0";

async fn receiver() -> (String, Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = common::receiver_state(&store, "loja", SECRET, Some("matriz"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    common::serve_receiver(listener, state);
    (url, store, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_webhooks_fill_the_index_and_changes_follow() {
    let (url, store, _dir) = receiver().await;
    let sandbox = common::start_with(|config| {
        config.agilize_webhook_url = Some(format!("{url}/webhooks/agilize/{SECRET}"));
    })
    .await;
    let listing = common::admin(&sandbox, "rooms").await;
    let total = listing["rooms"].as_array().unwrap().len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while store.summaries().unwrap().len() < total {
        assert!(
            tokio::time::Instant::now() < deadline,
            "rooms did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = store.summaries().unwrap();
    assert!(
        rows.iter()
            .all(|row| row.key.provider == Provider::Agilize && row.key.account == "matriz")
    );
    assert!(
        rows.iter()
            .all(|row| row.hydrated_at.is_some() && !row.needs_hydration),
        "the room is its own detail"
    );
    let archived = rows.iter().filter(|row| row.columns.archived).count();
    assert!(archived > 0);
    // A change made through the API comes back by webhook.
    let room = &listing["rooms"][0];
    let id = room["_id"].as_str().unwrap();
    let api = balcao::api::agilize::AgilizeClient::new(balcao::api::agilize::AgilizeConfig {
        base_url: sandbox.url(),
        key: SecretString::from(common::AGILIZE_KEY.to_owned()),
        timeouts: balcao::api::http::Timeouts::default(),
    })
    .unwrap();
    api.update_room(
        id,
        &json!({"chIsArchived": true, "lastMsg": "Encerrado pelo balcão"}),
    )
    .await
    .unwrap();
    let key = balcao::store::ChatKey::agilize("matriz", id);
    while !store.summary(&key).unwrap().unwrap().columns.archived {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let detail: serde_json::Value =
        serde_json::from_str(&store.detail(&key).unwrap().unwrap()).unwrap();
    assert_eq!(detail["lastMsg"], "Encerrado pelo balcão");
}

#[tokio::test]
async fn wrong_tokens_and_rooms_without_an_id_are_refused_and_recorded() {
    let (url, store, _dir) = receiver().await;
    let post = |path: String, body: String| {
        let client = common::raw();
        async move {
            client
                .post(path)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        post(
            format!("{url}/webhooks/agilize/wrong"),
            json!({"_id": "a"}).to_string()
        )
        .await,
        401
    );
    assert_eq!(
        post(
            format!("{url}/webhooks/agilize/{SECRET}"),
            json!({"status": "open"}).to_string()
        )
        .await,
        422
    );
    assert_eq!(
        post(
            format!("{url}/webhooks/agilize/{SECRET}"),
            "{not json".to_owned()
        )
        .await,
        400
    );
    assert!(store.summaries().unwrap().is_empty(), "nothing stored");
    let events = store.webhook_events(10).unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.outcome == WebhookOutcome::Refused
        && e.provider == Provider::Agilize
        && e.reason.is_some()));
    assert_eq!(
        post(
            format!("{url}/webhooks/agilize/{SECRET}"),
            json!({"_id": "6650a1b2", "chSrc": 3, "info": {"name": "Bia"}}).to_string()
        )
        .await,
        200
    );
    let rows = store.summaries().unwrap();
    assert_eq!(
        (
            rows.len(),
            rows[0].columns.contact.as_deref(),
            rows[0].columns.line.as_deref()
        ),
        (1, Some("Bia"), Some("Instagram"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_update_from_the_shell() {
    let sandbox = common::start().await;
    let id = common::admin(&sandbox, "rooms").await["rooms"][3]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = sandbox.url();
    let run = move |args: Vec<String>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_balcao"))
            .args(args)
            .env_remove("AGILIZE_API_KEY")
            .env_remove("AGILIZE_BASE_URL")
            .env("XDG_CONFIG_HOME", "/nonexistent-balcao")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap()
    };
    let base = |extra: &[&str]| {
        let mut all = vec![
            "room".to_owned(),
            "update".to_owned(),
            id.clone(),
            "--agilize-base-url".to_owned(),
            url.clone(),
        ];
        all.extend(extra.iter().map(|s| (*s).to_owned()));
        all
    };
    let ok = tokio::task::spawn_blocking({
        let args = base(&[
            "--agilize-key",
            common::AGILIZE_KEY,
            "--users",
            "u1,u2",
            "--department",
            "d9",
            "--archive",
            "--json",
        ]);
        move || run(args)
    })
    .await
    .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let room: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(
        (
            room["users"].clone(),
            room["department"].clone(),
            room["chIsArchived"].clone()
        ),
        (json!(["u1", "u2"]), json!("d9"), json!(true))
    );
    let refused = tokio::task::spawn_blocking({
        let args = base(&["--agilize-key", "wrong", "--status", "x"]);
        move || run(args)
    })
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("HTTP 401"));
    assert!(refused.stdout.is_empty());
    let nothing = tokio::task::spawn_blocking({
        let args = base(&["--agilize-key", common::AGILIZE_KEY]);
        move || run(args)
    })
    .await
    .unwrap();
    assert_eq!(nothing.status.code(), Some(2));
    let no_key = tokio::task::spawn_blocking({
        let args = base(&["--status", "x"]);
        move || run(args)
    })
    .await
    .unwrap();
    assert_eq!(no_key.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_key.stderr).contains("AGILIZE_API_KEY"));
    assert!(!String::from_utf8_lossy(&ok.stderr).contains(common::AGILIZE_KEY));
    // A 200 whose body is not a room, and a room left unchanged: never "updated". Rooms cannot
    // be re-read, so the outcome is unknown, said so, exit 1.
    common::set_faults(&sandbox, "room_update:wrong_types*1").await;
    let before = common::admin(&sandbox, "rooms").await["rooms"][3].clone();
    let unknown = tokio::task::spawn_blocking({
        let args = base(&["--agilize-key", common::AGILIZE_KEY, "--status", "fechada"]);
        move || run(args)
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&unknown.stderr).into_owned();
    assert_eq!(unknown.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("may have been applied"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("try again"), "{stderr}");
    assert!(!String::from_utf8_lossy(&unknown.stdout).contains("updated"));
    assert_eq!(common::admin(&sandbox, "rooms").await["rooms"][3], before);
}
