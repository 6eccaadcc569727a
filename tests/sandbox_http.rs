//! The sandbox over raw HTTP: what a client of any kind sees, including what ours never sends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

mod common;

use chrono::{DateTime, Utc};
use common::{TOKEN, raw, start};
use serde_json::{Value, json};

async fn send(method: reqwest::Method, url: String, body: Option<Vec<u8>>) -> (u16, Value) {
    let mut request = raw().request(method, url).bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("error bodies are JSON, got: {text}")),
    )
}

fn api(sandbox: &balcao::sandbox::RunningSandbox, path: &str) -> String {
    format!("{}/integrations/external{path}", sandbox.url())
}

#[tokio::test]
async fn malformed_json_oversized_bodies_and_unknown_routes() {
    let sandbox = start().await;
    let (status, body) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(b"{\"wa_contact_id\": ".to_vec()),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_json"))
    );
    let (status, body) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(b"[1,2]".to_vec()),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_body"))
    );
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
    let (status, body) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(huge.into_bytes()),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("body_too_large"))
    );
    let (status, body) = send(reqwest::Method::GET, api(&sandbox, "/chats"), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (status, body) = send(
        reqwest::Method::GET,
        format!("{}/integrations/external/leads", sandbox.url()),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("route_not_found"))
    );
    let (status, body) = send(
        reqwest::Method::GET,
        api(&sandbox, "/chats/not-a-uuid"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("chat_not_found"))
    );
}

#[tokio::test]
async fn create_checks_every_field_at_once() {
    let sandbox = start().await;
    let body = json!({
        "whatsapp_phone_id": "nope", "wa_contact_id": 55, "template": {"language": 1},
        "remote_profile_name": "x".repeat(256), "crm_person_id": "nope", "assigned_agent_id": 3,
        "status": "CLOSED", "template_fields": [{"value": 1}]
    });
    let (status, reply) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(serde_json::to_vec(&body).unwrap()),
    )
    .await;
    assert_eq!(status, 422);
    let fields = reply["fields"].as_object().unwrap();
    for field in [
        "whatsapp_phone_id",
        "wa_contact_id",
        "template.name",
        "template.language",
        "remote_profile_name",
        "crm_person_id",
        "assigned_agent_id",
        "status",
        "template_fields[0]",
    ] {
        assert!(fields.contains_key(field), "{field} not named in {reply}");
    }
    let (status, reply) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(b"{}".to_vec()),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        reply["fields"]["whatsapp_phone_id"]
            .as_str()
            .unwrap()
            .contains("required")
    );
}

#[tokio::test]
async fn create_takes_the_agent_id_and_names_it_when_given_a_user_id() {
    let sandbox = start().await;
    let users = common::admin(&sandbox, "users").await;
    let line = common::admin(&sandbox, "lines").await[1]["id"].clone();
    let body = |assigned: &Value, contact: &str| {
        serde_json::to_vec(&json!({"whatsapp_phone_id": line, "wa_contact_id": contact,
            "template": {"name": "boas_vindas", "language": "pt_BR"}, "assigned_agent_id": assigned})).unwrap()
    };
    let (status, reply) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(body(&users[1]["user_id"], "5521900000001")),
    )
    .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("user_id_given_for_agent_id"))
    );
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains(users[1]["agent_id"].as_str().unwrap())
    );
    let (status, chat) = send(
        reqwest::Method::POST,
        api(&sandbox, "/chats"),
        Some(body(&users[1]["agent_id"], "5521900000001")),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(chat["assigned_agent"]["user"]["id"], users[1]["user_id"]);
    assert_eq!(chat["participants"][0]["agent_id"], users[1]["agent_id"]);
}

#[tokio::test]
async fn an_inbound_message_updates_unread_last_message_and_window() {
    let sandbox = start().await;
    let listed = common::chats(&sandbox).await;
    let chat = listed
        .iter()
        .find(|c| c["status"] == "RESOLVED" && c["archived"] == true)
        .or(listed.first())
        .unwrap();
    let id = chat["id"].as_str().unwrap();
    let (_, before) = send(
        reqwest::Method::GET,
        api(&sandbox, &format!("/chats/{id}")),
        None,
    )
    .await;
    let at = Utc::now();
    let inbound = serde_json::to_vec(&json!({"chat_id": id, "body": "Cheguei! 📦"})).unwrap();
    let (status, after) = send(
        reqwest::Method::POST,
        format!("{}/_sandbox/inbound", sandbox.url()),
        Some(inbound),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        after["unread_count"].as_i64(),
        before["unread_count"].as_i64().map(|n| n + 1)
    );
    assert_eq!(after["last_message"]["body_text"], "Cheguei! 📦");
    assert_eq!(after["last_message"]["from_me"], false);
    assert_eq!(after["status"], "OPEN");
    assert!(after["archived_at"].is_null());
    let last: DateTime<Utc> = after["last_customer_msg_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expires: DateTime<Utc> = after["session_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((last - at).num_seconds().abs() <= 5);
    assert_eq!(expires - last, chrono::Duration::hours(24));
    let unknown =
        serde_json::to_vec(&json!({"chat_id": uuid::Uuid::new_v4(), "body": "x"})).unwrap();
    let (status, _) = send(
        reqwest::Method::POST,
        format!("{}/_sandbox/inbound", sandbox.url()),
        Some(unknown),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn text_is_refused_outside_the_whatsapp_window() {
    let sandbox = start().await;
    let listed = common::chats(&sandbox).await;
    let now = Utc::now();
    let closed = listed
        .iter()
        .find(|c| {
            c["session_expires_at"]
                .as_str()
                .is_some_and(|end| end.parse::<DateTime<Utc>>().unwrap() < now)
        })
        .unwrap();
    let body = serde_json::to_vec(&json!({"type": "text", "body": "Oi?"})).unwrap();
    let (status, reply) = send(
        reqwest::Method::POST,
        api(
            &sandbox,
            &format!("/chats/{}/messages", closed["id"].as_str().unwrap()),
        ),
        Some(body),
    )
    .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("session_window_closed"))
    );
}

#[tokio::test]
async fn the_seed_covers_every_case_the_console_shows() {
    let sandbox = start().await;
    let listed = common::chats(&sandbox).await;
    let now = Utc::now();
    let mut statuses = std::collections::BTreeSet::new();
    let (mut open, mut closing, mut closed, mut never) = (0, 0, 0, 0);
    for chat in &listed {
        statuses.insert(chat["status"].as_str().unwrap().to_owned());
        match chat["session_expires_at"]
            .as_str()
            .map(|end| end.parse::<DateTime<Utc>>().unwrap())
        {
            None => never += 1,
            Some(end) if end < now => closed += 1,
            Some(end) if end - now < chrono::Duration::hours(1) => closing += 1,
            Some(_) => open += 1,
        }
    }
    assert!(listed.len() >= 300);
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["CLOSED", "OPEN", "RESOLVED", "SNOOZED"]
    );
    assert!(
        open > 0 && closing > 0 && closed > 0 && never > 0,
        "{open} {closing} {closed} {never}"
    );
    assert!(listed.iter().any(|c| c["responsible_user_id"].is_null()));
    assert!(listed.iter().any(|c| c["archived"] == true));
    let mut priorities = std::collections::BTreeSet::new();
    let (mut groups, mut media, mut calls, mut reactions, mut quotes, mut documents) =
        (0, 0, 0, 0, 0, 0);
    for chat in &listed {
        let (_, detail) = send(
            reqwest::Method::GET,
            api(
                &sandbox,
                &format!("/chats/{}", chat["id"].as_str().unwrap()),
            ),
            None,
        )
        .await;
        priorities.insert(detail["priority"].as_i64().unwrap());
        groups += usize::from(detail["chat_type"] == "GROUP");
        let (_, timeline) = send(
            reqwest::Method::GET,
            api(
                &sandbox,
                &format!("/chats/{}/timeline", chat["id"].as_str().unwrap()),
            ),
            None,
        )
        .await;
        for event in timeline["records"].as_array().unwrap() {
            let message = &event["message"];
            media += usize::from(!message["media"].is_null());
            calls += usize::from(!message["call"].is_null());
            reactions += usize::from(
                message["reactions"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty()),
            );
            quotes += usize::from(!message["quoted_message"].is_null());
        }
        documents += usize::from(
            detail["crm_person"]["documents"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["label"] == "CNPJ")),
        );
    }
    assert_eq!(priorities.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(groups > 0 && media > 0 && calls > 0 && reactions > 0 && quotes > 0 && documents > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_customers_keep_writing() {
    let sandbox = common::start_with(|config| config.traffic_per_minute = 1200.0).await;
    let unread = || async {
        let (_, summary) = send(
            reqwest::Method::GET,
            api(&sandbox, "/chats/notifications/unread"),
            None,
        )
        .await;
        summary["unread_messages_total"].as_i64().unwrap()
    };
    let before = unread().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while unread().await < before + 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no simulated customer wrote"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn removing_a_participant_who_is_no_user_is_404_like_a_non_participant() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap();
    let nobody = uuid::Uuid::new_v4();
    let (status, reply) = send(
        reqwest::Method::DELETE,
        api(&sandbox, &format!("/chats/{id}/participants/{nobody}")),
        None,
    )
    .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (404, Some("participant_not_found")),
        "{reply}"
    );
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains(&nobody.to_string())
    );
    // The agent-id trap still names the right id.
    let users = common::admin(&sandbox, "users").await;
    let agent = users[0]["agent_id"].as_str().unwrap();
    let (status, reply) = send(
        reqwest::Method::DELETE,
        api(&sandbox, &format!("/chats/{id}/participants/{agent}")),
        None,
    )
    .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("agent_id_given_for_user_id"))
    );
}
