//! The templates a closed window offers: those the desk opened chats with (its audit log) and
//! those the chat's stored conversation shows sent; the bundled sandbox (`--demo`) has one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig, ApiCall, ApiRequest, RequestId};
use balcao::api::reply::Template;
use balcao::console::drafts::run;
use balcao::console::msg::{Command, Msg};
use balcao::store::{AuditEntry, ChatKey, Store};
use tokio::sync::mpsc;

fn read(store: &Store, key: &ChatKey) -> Vec<Template> {
    match run(store, Command::ReadTemplates(key.clone()), "console-a") {
        Some(Msg::Templates(templates)) => templates,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_come_from_the_audit_log_and_the_stored_conversation() {
    let sandbox = common::start().await;
    // The seeded chat that was opened with a template, its window long closed.
    let chat = common::chats(&sandbox)
        .await
        .into_iter()
        .find(|chat| chat["contact"] == "Tânia Falcão")
        .unwrap();
    let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    assert_eq!(read(&store, &key), [], "nothing used yet, nothing stored");

    // The desk opened a chat with a template: the audit log's request names it.
    let request = serde_json::json!({
        "whatsapp_phone_id": "1404cd3a-ec32-4b3b-837b-1bf3b938eca4",
        "wa_contact_id": "5511999990000",
        "template": {"name": "boas_vindas", "language": "pt_BR"},
        "template_fields": [
            {"component": "BODY", "type": "TEXT", "index": 1, "value": "Ana"},
            {"component": "BODY", "type": "TEXT", "index": 2, "value": "loja"}
        ]
    });
    store
        .record_audit(&AuditEntry {
            at: chrono::Utc::now(),
            key: ChatKey::wegly("default", ""),
            action: "create_chat".to_owned(),
            request: Some(request.to_string()),
            before: None,
            after: None,
            outcome: "confirmed".to_owned(),
            http_status: Some(201),
            by: None,
            batch: None,
            undo: None,
        })
        .unwrap();
    // The chat's conversation, fetched through the actor, is stored in the index.
    let (api, _task) = actor::spawn(ActorConfig {
        clients: HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight: 2,
    });
    let (replies, mut answers) = mpsc::channel(4);
    let call = ApiCall::Timeline {
        key: key.clone(),
        page: 1,
    };
    api.request(
        ApiRequest {
            id: RequestId(1),
            call,
        },
        &replies,
    )
    .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(30), answers.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(answer.outcome.is_ok(), "{answer:?}");
    let templates = read(&store, &key);
    assert_eq!(
        templates,
        [
            Template {
                name: "boas_vindas".to_owned(),
                language: "pt_BR".to_owned(),
                fields: 2,
            },
            Template {
                name: "retomar_contato".to_owned(),
                language: "pt_BR".to_owned(),
                fields: 2,
            },
        ]
    );
}
