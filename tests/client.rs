//! The Wegly client against the sandbox over loopback: every route, every error class.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

mod common;

use std::time::Duration;

use balcao::api::ErrorKind;
use balcao::api::reply::Outgoing;
use balcao::api::wegly::messages::SendMessageRequest;
use balcao::api::wegly::wire::{
    ChatStatus, CreateChatRequest, TemplateField, TemplateRef, UpdateResponsibleRequest,
};
use common::{TOKEN, client, client_with, set_faults, start, start_with, uuid};
use uuid::Uuid;

fn create_request(line: &str, contact: &str) -> CreateChatRequest {
    CreateChatRequest {
        whatsapp_phone_id: line.to_owned(),
        wa_contact_id: contact.to_owned(),
        template: TemplateRef {
            name: "saudacao_inicial".to_owned(),
            language: "pt_BR".to_owned(),
        },
        template_fields: vec![TemplateField {
            component: "BODY".to_owned(),
            kind: "TEXT".to_owned(),
            index: 1,
            button_index: None,
            card_index: None,
            value: "Mariana".to_owned(),
        }],
        remote_profile_name: Some("Mariana Teste".to_owned()),
        status: Some(ChatStatus::Open),
        ..CreateChatRequest::default()
    }
}

#[tokio::test]
async fn get_chat_returns_the_full_detail() {
    let sandbox = start().await;
    let listed = common::chat_with_two_participants(&sandbox).await;
    let fetched = client(&sandbox)
        .get_chat(uuid(&listed["id"]))
        .await
        .unwrap();
    let chat = fetched.value;
    assert_eq!(chat.id.as_deref(), listed["id"].as_str());
    assert_eq!(
        chat.responsible_user_id(),
        listed["responsible_user_id"].as_str()
    );
    assert!(chat.participants.as_ref().is_some_and(|p| p.len() >= 2));
    assert!(
        chat.assignable_agents
            .as_ref()
            .is_some_and(|a| a.len() >= 12)
    );
    assert!(chat.last_message.is_some());
    // The detail's last message uses the v2 form: meta_timestamp as an epoch string.
    let last = chat.last_message.unwrap();
    let stamp = last.meta_timestamp.unwrap();
    assert!(
        stamp
            .raw()
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit())
    );
    assert!(stamp.at().is_some());
    // The raw body is exactly what came over the wire.
    let reparsed: serde_json::Value = serde_json::from_slice(&fetched.raw).unwrap();
    assert_eq!(reparsed["id"], listed["id"]);
}

#[tokio::test]
async fn create_chat_creates_then_reuses() {
    let sandbox = start().await;
    let line = common::admin(&sandbox, "lines").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = client(&sandbox);
    let request = create_request(&line, "5511912345678");
    let first = api.create_chat(&request).await.unwrap();
    assert_eq!(first.status, 201);
    let again = api.create_chat(&request).await.unwrap();
    assert_eq!(
        again.status, 200,
        "the same line and contact must reuse the chat"
    );
    assert_eq!(first.value.id, again.value.id);
    let last = first.value.last_message.unwrap();
    assert_eq!(last.from_me, Some(true));
    assert!(last.body_text.unwrap().contains("saudacao_inicial"));
    // A freshly opened chat has no customer window until the customer writes.
    assert!(first.value.session_expires_at.is_none());
}

#[tokio::test]
async fn update_responsible_makes_the_user_responsible_and_participant() {
    let sandbox = start().await;
    let listed = common::chats(&sandbox).await;
    let chat = listed
        .iter()
        .find(|c| c["responsible_user_id"].is_null())
        .unwrap();
    let users = common::admin(&sandbox, "users").await;
    let user = users[4]["user_id"].as_str().unwrap();
    let api = client(&sandbox);
    let request = UpdateResponsibleRequest {
        user_id: user.to_owned(),
        update_chat: true,
        update_leads: false,
        update_deals: false,
    };
    let updated = api
        .update_responsible(uuid(&chat["id"]), &request)
        .await
        .unwrap()
        .value;
    assert_eq!(updated.responsible_user_id(), Some(user));
    assert_eq!(
        updated.assigned_agent_id.as_deref(),
        users[4]["agent_id"].as_str()
    );
    let participants: Vec<_> = updated
        .participants
        .unwrap()
        .into_iter()
        .filter_map(|p| p.user.and_then(|u| u.id))
        .collect();
    assert!(participants.iter().any(|id| id == user));
    // And a read afterwards agrees.
    let reread = api.get_chat(uuid(&chat["id"])).await.unwrap().value;
    assert_eq!(reread.responsible_user_id(), Some(user));
}

#[tokio::test]
async fn remove_participant_removes_and_refuses_the_responsible() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    let responsible = chat["responsible_user_id"].as_str().unwrap();
    let other = chat["participant_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|id| id.as_str() != Some(responsible))
        .unwrap();
    let api = client(&sandbox);
    let id = uuid(&chat["id"]);
    let after = api.remove_participant(id, uuid(other)).await.unwrap().value;
    assert!(
        !after
            .participants
            .unwrap()
            .iter()
            .any(|p| p.user.as_ref().and_then(|u| u.id.as_deref()) == other.as_str())
    );
    // Removing them again: not a participant any more.
    let gone = api.remove_participant(id, uuid(other)).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(
        gone.reply().unwrap().code.as_deref(),
        Some("participant_not_found")
    );
    // The responsible cannot be removed.
    let refused = api
        .remove_participant(id, uuid(&chat["responsible_user_id"]))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Refused);
    let reply = refused.reply().unwrap();
    assert_eq!(reply.status, 409);
    assert_eq!(reply.code.as_deref(), Some("participant_is_responsible"));
    assert!(reply.message.as_deref().unwrap().contains("responsible"));
}

#[tokio::test]
async fn timeline_unread_and_send_text() {
    let sandbox = start().await;
    let api = client(&sandbox);
    let chat = common::chats(&sandbox).await.into_iter().next().unwrap();
    let id = uuid(&chat["id"]);
    let before = api.unread_summary().await.unwrap().value;
    let page = api.timeline(id).await.unwrap().value;
    let records = page.records.unwrap();
    assert_eq!(page.total, Some(i64::try_from(records.len()).unwrap()));
    assert!(
        records
            .iter()
            .all(|r| r.event_type.as_deref() == Some("MESSAGE") && r.message.is_some())
    );
    // A customer writes: unread totals rise and the window opens, so a text can be sent.
    let inbound = common::raw()
        .post(format!("{}/_sandbox/inbound", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"chat_id": chat["id"], "body": "Olá, tudo bem?"}))
        .send()
        .await
        .unwrap();
    assert!(inbound.status().is_success());
    let after = api.unread_summary().await.unwrap().value;
    assert_eq!(
        after.unread_messages_total,
        before.unread_messages_total.map(|n| n + 1)
    );
    let sent = api
        .send_message(
            id,
            &SendMessageRequest::of(&Outgoing::Text {
                body: "Tudo ótimo, em que posso ajudar?".to_owned(),
                reply_to: None,
            }),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(sent.total, Some(1));
    let detail = api.get_chat(id).await.unwrap().value;
    assert_eq!(
        detail.last_message.unwrap().body_text.as_deref(),
        Some("Tudo ótimo, em que posso ajudar?")
    );
    assert_eq!(detail.unread_count, Some(0));
    assert_eq!(
        api.timeline(id).await.unwrap().value.records.unwrap().len(),
        records.len() + 2
    );
}

#[tokio::test]
async fn wrong_or_missing_token_is_unauthorized() {
    let sandbox = start().await;
    let api = client_with(&sandbox.url(), "wrong", None, Duration::from_secs(5));
    let error = api.unread_summary().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        error.reply().unwrap().code.as_deref(),
        Some("invalid_token")
    );
    let missing = common::raw()
        .get(format!(
            "{}/integrations/external/chats/notifications/unread",
            sandbox.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");
}

#[tokio::test]
async fn allowed_domain_is_enforced_on_origin() {
    let sandbox = start_with(|config| config.allowed_domain = Some("loja.com.br".to_owned())).await;
    let without = client(&sandbox).unread_summary().await.unwrap_err();
    assert_eq!(without.kind(), ErrorKind::Forbidden);
    assert_eq!(
        without.reply().unwrap().code.as_deref(),
        Some("allowed_domain")
    );
    let other = client_with(
        &sandbox.url(),
        TOKEN,
        Some("https://evil.example"),
        Duration::from_secs(5),
    );
    assert_eq!(
        other.unread_summary().await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let sub = client_with(
        &sandbox.url(),
        TOKEN,
        Some("https://app.loja.com.br"),
        Duration::from_secs(5),
    );
    assert!(sub.unread_summary().await.is_ok());
}

#[tokio::test]
async fn unknown_chat_is_not_found_and_bad_user_is_refused() {
    let sandbox = start().await;
    let api = client(&sandbox);
    let error = api.get_chat(Uuid::new_v4()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(
        error.reply().unwrap().code.as_deref(),
        Some("chat_not_found")
    );
    let chat = common::chats(&sandbox).await.into_iter().next().unwrap();
    let request = UpdateResponsibleRequest {
        user_id: Uuid::new_v4().to_string(),
        update_chat: true,
        update_leads: false,
        update_deals: false,
    };
    let refused = api
        .update_responsible(uuid(&chat["id"]), &request)
        .await
        .unwrap_err();
    let reply = refused.reply().unwrap();
    assert_eq!(
        (reply.status, reply.code.as_deref()),
        (422, Some("unknown_user"))
    );
    assert!(reply.fields.contains_key("user_id"));
}

#[tokio::test]
async fn agent_id_for_user_id_is_refused_with_the_right_id() {
    let sandbox = start().await;
    let users = common::admin(&sandbox, "users").await;
    let chat = common::chats(&sandbox).await.into_iter().next().unwrap();
    let request = UpdateResponsibleRequest {
        user_id: users[2]["agent_id"].as_str().unwrap().to_owned(),
        update_chat: true,
        update_leads: false,
        update_deals: false,
    };
    let refused = client(&sandbox)
        .update_responsible(uuid(&chat["id"]), &request)
        .await
        .unwrap_err();
    let reply = refused.reply().unwrap();
    assert_eq!(reply.code.as_deref(), Some("agent_id_given_for_user_id"));
    assert!(
        reply
            .message
            .as_deref()
            .unwrap()
            .contains(users[2]["user_id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn validation_errors_name_each_field() {
    let sandbox = start().await;
    let mut request = create_request(&Uuid::new_v4().to_string(), &"9".repeat(51));
    request.template.name = String::new();
    let error = client(&sandbox).create_chat(&request).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Refused);
    let reply = error.reply().unwrap();
    assert_eq!(
        (reply.status, reply.code.as_deref()),
        (422, Some("validation_failed"))
    );
    assert!(reply.fields.contains_key("wa_contact_id"), "{reply:?}");
    assert!(reply.fields.contains_key("template.name"), "{reply:?}");
    // A well-formed request on an unknown line: the line is named.
    let unknown = client(&sandbox)
        .create_chat(&create_request(&Uuid::new_v4().to_string(), "5511"))
        .await
        .unwrap_err();
    assert_eq!(
        unknown.reply().unwrap().code.as_deref(),
        Some("unknown_whatsapp_line")
    );
}

#[tokio::test]
async fn reads_retry_server_errors_and_rate_limits() {
    let sandbox = start().await;
    let api = client(&sandbox);
    set_faults(&sandbox, "unread:status=503*2").await;
    assert!(
        api.unread_summary().await.is_ok(),
        "two 503s then success within three tries"
    );
    assert_eq!(common::request_count(&sandbox, "unread").await, 3);

    set_faults(&sandbox, "unread:status=502").await;
    let error = api.unread_summary().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(502));
    assert_eq!(
        error.reply().unwrap().code.as_deref(),
        Some("injected_fault")
    );

    set_faults(&sandbox, "unread:rate_limit=7").await;
    let asked_before = common::request_count(&sandbox, "unread").await;
    let limited = api.unread_summary().await.unwrap_err();
    match limited {
        balcao::api::ApiError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    assert_eq!(
        common::request_count(&sandbox, "unread").await,
        asked_before + 1,
        "a long Retry-After is reported, not waited for"
    );
}

/// A short `Retry-After` is waited for, then the read is sent again. On a paused clock: tokio
/// moves time forward when every task waits, so the second passes without being spent, and
/// the wait is measured on the clock the client waits with.
#[tokio::test(start_paused = true)]
async fn a_short_retry_after_is_waited_for_then_the_read_is_sent_again() {
    let sandbox = start().await;
    let api = client(&sandbox);
    set_faults(&sandbox, "unread:rate_limit=1*1").await;
    let started = tokio::time::Instant::now();
    assert!(api.unread_summary().await.is_ok());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 must be honoured; waited {waited:?}"
    );
    // Nothing else was waited for: no backoff on top, no request timeout run out.
    assert!(
        waited < Duration::from_secs(2),
        "waited {waited:?} for a Retry-After of 1 s"
    );
    assert_eq!(
        common::request_count(&sandbox, "unread").await,
        2,
        "the 429, then the read sent again"
    );
}

#[tokio::test]
async fn writes_are_never_retried() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    set_faults(&sandbox, "responsible:status=503*1").await;
    let request = UpdateResponsibleRequest {
        user_id: chat["responsible_user_id"].as_str().unwrap().to_owned(),
        update_chat: true,
        update_leads: false,
        update_deals: false,
    };
    let error = client(&sandbox)
        .update_responsible(uuid(&chat["id"]), &request)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(common::request_count(&sandbox, "responsible").await, 1);
}

#[tokio::test]
async fn malformed_truncated_and_reset_replies_are_told_apart() {
    let sandbox = start().await;
    let api = client(&sandbox);
    let id = uuid(&common::chats(&sandbox).await[0]["id"]);

    set_faults(&sandbox, "get_chat:malformed").await;
    let html = api.get_chat(id).await.unwrap_err();
    assert_eq!(html.kind(), ErrorKind::Unexpected);
    assert!(html.to_string().contains("<html>"), "{html}");

    set_faults(&sandbox, "get_chat:truncated").await;
    let cut = api.get_chat(id).await.unwrap_err();
    assert_eq!(cut.kind(), ErrorKind::Unexpected);
    assert!(cut.to_string().contains("EOF"), "{cut}");

    set_faults(&sandbox, "get_chat:wrong_types").await;
    let mistyped = api.get_chat(id).await.unwrap_err();
    assert_eq!(mistyped.kind(), ErrorKind::Unexpected);
    assert!(mistyped.to_string().contains("invalid type"), "{mistyped}");

    set_faults(&sandbox, "get_chat:reset").await;
    assert_eq!(
        api.get_chat(id).await.unwrap_err().kind(),
        ErrorKind::Network
    );
    assert_eq!(
        common::request_count(&sandbox, "get_chat").await,
        6,
        "one malformed, one truncated, one mistyped, three resets"
    );

    set_faults(&sandbox, "").await;
    assert!(api.get_chat(id).await.is_ok());
}

#[tokio::test]
async fn slow_replies_time_out_and_refused_connections_are_network_errors() {
    let sandbox = start().await;
    set_faults(&sandbox, "unread:latency=3000").await;
    let impatient = client_with(&sandbox.url(), TOKEN, None, Duration::from_millis(300));
    let error = impatient.unread_summary().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.to_string().contains("0.3"), "{error}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let nowhere = client_with(&url, TOKEN, None, Duration::from_secs(2));
    let error = nowhere.unread_summary().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert!(error.to_string().contains(&url), "{error}");
}

#[tokio::test]
async fn hundreds_of_concurrent_requests_are_served() {
    let sandbox = start().await;
    let api = client(&sandbox);
    let ids: Vec<Uuid> = common::chats(&sandbox)
        .await
        .iter()
        .map(|c| uuid(&c["id"]))
        .collect();
    let tasks: Vec<_> = ids
        .iter()
        .cycle()
        .take(400)
        .map(|id| {
            let api = api.clone();
            let id = *id;
            tokio::spawn(async move { api.get_chat(id).await.map(|f| f.value.id) })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_ok());
    }
    assert_eq!(common::request_count(&sandbox, "get_chat").await, 400);
}

/// TLS runs on rustls's `ring` provider: aws-lc (`aws-lc-sys`, the slowest crate of a cold build)
/// must not come back, e.g. through reqwest's default features. Read from the lock file, which
/// lists every crate the build resolves.
#[test]
fn tls_is_built_on_ring_without_aws_lc() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let crates: Vec<&str> = lock
        .lines()
        .filter_map(|line| line.strip_prefix("name = \"")?.strip_suffix('"'))
        .collect();
    assert!(crates.contains(&"ring"), "ring is not in Cargo.lock");
    for slow in ["aws-lc-sys", "aws-lc-rs"] {
        assert!(
            !crates.contains(&slow),
            "{slow} is in Cargo.lock: `cargo tree -i {slow}` shows who brings it"
        );
    }
}

/// HTTPS works on the `ring` provider: a client from `client_builder` (the one every client of
/// the crate starts from) completes a TLS handshake with a local rustls server and reads its
/// reply. `Http::new` builds on an https URL too, instead of panicking for want of a provider.
#[tokio::test]
async fn https_handshakes_on_the_ring_provider() {
    assert!(
        balcao::api::http::Http::new(
            "https://api.wegly.com.br",
            balcao::api::http::Timeouts::default()
        )
        .is_ok()
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || serve_one_https_reply(&listener));
    let client = balcao::api::http::client_builder()
        .tls_certs_only([reqwest::Certificate::from_pem(TEST_CA.as_bytes()).unwrap()])
        .no_proxy()
        .build()
        .unwrap();
    let reply = client
        .get(format!("https://127.0.0.1:{port}/ping"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), r#"{"tls":true}"#);
    let request = server.join().unwrap();
    assert!(request.starts_with("GET /ping HTTP/1.1\r\n"), "{request}");
}

/// Accepts one connection, speaks TLS with the test certificate, answers one request and
/// returns it.
fn serve_one_https_reply(listener: &std::net::TcpListener) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::{Read, Write};
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from_pem_slice(TEST_SERVER_CERT.as_bytes()).unwrap()],
        PrivateKeyDer::from_pem_slice(TEST_SERVER_KEY.as_bytes()).unwrap(),
    )
    .unwrap();
    let (tcp, _) = listener.accept().unwrap();
    let connection = rustls::ServerConnection::new(std::sync::Arc::new(config)).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let mut request = Vec::new();
    let mut chunk = [0_u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tls.read(&mut chunk).unwrap();
        assert!(read > 0, "the client closed before its request ended");
        request.extend_from_slice(&chunk[..read]);
    }
    let body = r#"{"tls":true}"#;
    write!(
        tls,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    tls.conn.send_close_notify();
    tls.flush().unwrap();
    String::from_utf8(request).unwrap()
}

// A test-only certificate authority and the server certificate it signed, for 127.0.0.1 and
// localhost, valid from 2000 to 9999 so that no clock makes them stale. The key protects
// nothing but this test. Made with `openssl ca` (prime256v1, `-startdate 20000101000000Z
// -enddate 99991231235959Z`).
const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBZDCCAQugAwIBAgIBATAKBggqhkjOPQQDAjAZMRcwFQYDVQQDDA5iYWxjYW8g
dGVzdCBDQTAgFw0wMDAxMDEwMDAwMDBaGA85OTk5MTIzMTIzNTk1OVowGTEXMBUG
A1UEAwwOYmFsY2FvIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATL
IDmdP7PJtgdF+CZpzkLXRdZIxsoOzID18e0Qn7zviKWEuqLz44Ie8B9zFGzI+iUl
cejoQHzOgel0fRD7RC8Mo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQE
AwICBDAdBgNVHQ4EFgQU26yvlZlr2crlKE+l3QIN5afM/PwwCgYIKoZIzj0EAwID
RwAwRAIgCmnH7GWw6FNmdoQu95g7YFU6dR1uEKa4rI+9SEK+YUoCIEK7ODOvKWYI
oTv+CAwW9YneN6z+SgIAbZhjD5vnmDbC
-----END CERTIFICATE-----
";
const TEST_SERVER_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIBsDCCAVegAwIBAgIBAjAKBggqhkjOPQQDAjAZMRcwFQYDVQQDDA5iYWxjYW8g
dGVzdCBDQTAgFw0wMDAxMDEwMDAwMDBaGA85OTk5MTIzMTIzNTk1OVowFDESMBAG
A1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH217IkCO
zQ4Y/JE+lGPOkwKqE5UlR1tef0uJNFNKLnCJLlcZZmFErX58jax71jdflAD695ZD
fRJvg8rtpQ7iOKOBkjCBjzAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAT
BgNVHSUEDDAKBggrBgEFBQcDATAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEw
HwYDVR0jBBgwFoAU26yvlZlr2crlKE+l3QIN5afM/PwwHQYDVR0OBBYEFM54oDa7
Z1+Y51tPoqdjUvMOjp9LMAoGCCqGSM49BAMCA0cAMEQCIBR8d3APA1RNSzE56dL8
noc3FIAff9vIxa4jDwa+5uFXAiBS46/Whemc92z67b1hQhTaaKk6P6dEIkhidLVf
kpiAJw==
-----END CERTIFICATE-----
";
const TEST_SERVER_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZcb0oMst2ZlcNa/d
mBB/si9Ff3ImF4l8xPlOyasgxPWhRANCAAQfbXsiQI7NDhj8kT6UY86TAqoTlSVH
W15/S4k0U0oucIkuVxlmYUStfnyNrHvWN1+UAPr3lkN9Em+Dyu2lDuI4
-----END PRIVATE KEY-----
";
