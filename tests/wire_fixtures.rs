//! The wire models against the documented samples in `../shared/fixtures/api-samples/`, and
//! against arbitrary JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

mod common;

use balcao::api::agilize::wire::Room;
use balcao::api::wegly::messages::SendMessageRequest;
use balcao::api::wegly::wire::{
    Chat, ChatStatus, CreateChatRequest, Message, Page, TimelineEvent, UnreadSummary,
    UpdateResponsibleRequest, WebhookEnvelope,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = common::shared_dir().join("fixtures/api-samples").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (is ../shared beside the repository?)",
            path.display()
        )
    })
}

/// Removes nulls: a field sent as null and a field left out mean the same to the model.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Decodes a fixture and checks that encoding it again gives the same JSON, unknown fields and
/// raw timestamps included.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let text = fixture(name);
    let decoded: T = serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
    let original: Value = serde_json::from_str(&text).unwrap();
    let again = serde_json::to_value(&decoded).unwrap();
    assert_eq!(
        without_nulls(again),
        without_nulls(original),
        "{name} changed in a round trip"
    );
    decoded
}

#[test]
fn every_documented_chat_variant_decodes() {
    for name in [
        "wegly-chat-detail.json",
        "wegly-chat-detail-sparse.json",
        "wegly-chat-created.json",
        "wegly-chat-after-update.json",
    ] {
        let chat: Chat = round_trip(name);
        assert!(chat.id.is_some(), "{name}");
        assert!(chat.status.is_some(), "{name}");
    }
    let detail: Chat = round_trip("wegly-chat-detail.json");
    assert_eq!(detail.status, Some(ChatStatus::Open));
    assert_eq!(detail.responsible_name(), Some("Carlos Mendes"));
    let last = detail.last_message.unwrap();
    // v2 epoch-string meta_timestamp and v1 ISO-8601 in the quoted message name instants.
    assert_eq!(
        last.meta_timestamp.unwrap().at().unwrap().to_rfc3339(),
        "2025-03-14T13:05:22+00:00"
    );
    let quoted = last.quoted_message.unwrap();
    assert_eq!(quoted.reactions.unwrap()[0].emoji.as_deref(), Some("👍"));
    assert_eq!(last.call.unwrap().duration_ms, Some(402_000));
    let sparse: Chat = round_trip("wegly-chat-detail-sparse.json");
    assert!(sparse.assigned_agent.is_none() && sparse.contact_name.is_none());
    assert_eq!(sparse.display_name(), Some("5521998765432"));
}

#[test]
fn every_other_documented_reply_decodes() {
    let sent: Page<Message> = round_trip("wegly-messages-sent.json");
    assert!(!sent.records.unwrap().is_empty());
    let sent_v2: Page<Message> = round_trip("wegly-messages-sent-v2.json");
    assert!(
        sent_v2.records.unwrap()[0]
            .crm_marketing_lead_source
            .is_some()
    );
    let timeline: Page<TimelineEvent> = round_trip("wegly-timeline-page.json");
    assert_eq!(timeline.total, Some(5));
    let unread: UnreadSummary = round_trip("wegly-unread-summary.json");
    assert_eq!(
        (unread.unread_messages_total, unread.unread_chats_total),
        (Some(37), Some(12))
    );
    let webhook: WebhookEnvelope = round_trip("wegly-webhook-lead-created.json");
    assert_eq!(webhook.event_key, "lead.created");
}

#[test]
fn every_documented_request_body_decodes() {
    let create: CreateChatRequest = round_trip("req-wegly-create-chat.json");
    assert_eq!(create.template_fields.len(), 2);
    let responsible: UpdateResponsibleRequest = round_trip("req-wegly-update-responsible.json");
    assert!(responsible.update_chat);
}

#[test]
fn every_fixture_file_is_read_by_some_model() {
    // Every sample with a model round-trips through it; the ones this crate has no model for
    // are named, so a sample added to the shared folder later fails here until it is placed.
    let out_of_scope = [
        "req-agilize-message-template.json",
        "req-wegly-lead-follower.json",
        "req-wegly-send-interactive-button.json",
        "req-wegly-send-location.json",
        "req-wegly-update-scheduled-message.json",
        "wegly-deal-created.json",
        "wegly-deal-detail.json",
        "wegly-lead-followers.json",
        "wegly-scheduled-message-template.json",
        "wegly-scheduled-message.json",
    ];
    let dir = common::shared_dir().join("fixtures/api-samples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            std::path::Path::new(name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        })
        .collect();
    names.sort();
    let mut modelled = 0;
    for name in &names {
        let n = name.as_str();
        match n {
            _ if n.starts_with("wegly-chat") => drop(round_trip::<Chat>(n)),
            _ if n.starts_with("wegly-messages") => drop(round_trip::<Page<Message>>(n)),
            "wegly-timeline-page.json" => drop(round_trip::<Page<TimelineEvent>>(n)),
            "wegly-unread-summary.json" => drop(round_trip::<UnreadSummary>(n)),
            _ if n.starts_with("wegly-webhook") => drop(round_trip::<WebhookEnvelope>(n)),
            "req-wegly-create-chat.json" => drop(round_trip::<CreateChatRequest>(n)),
            "req-wegly-update-responsible.json" => drop(round_trip::<UpdateResponsibleRequest>(n)),
            "req-wegly-send-message.json" => drop(round_trip::<SendMessageRequest>(n)),
            _ if n.starts_with("agilize-room") => drop(round_trip::<Room>(n)),
            _ if out_of_scope.contains(&n) => {
                let value: Value = serde_json::from_str(&fixture(n)).unwrap();
                assert!(value.is_object(), "{n} is not a JSON object");
                continue;
            }
            _ => panic!("{n}: a new sample; decode it with its model or name it as out of scope"),
        }
        modelled += 1;
    }
    assert_eq!(modelled + out_of_scope.len(), names.len());
    assert!(modelled >= 14, "only {modelled} samples decoded by a model");
}

#[test]
fn unknown_fields_and_enum_values_survive() {
    let text = json!({
        "id": "x", "status": "ON_HOLD", "chat_type": "CHANNEL", "priority": 7, "brand_new": {"a": [1, 2]},
        "last_message": {"id": "m", "meta_timestamp": "não é data", "shiny": true,
                         "quoted_message": {"id": "q", "deeper": 1}},
        "participants": [{"agent_id": "a", "role": "observer"}]
    });
    let chat: Chat = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(chat.status, Some(ChatStatus::Other("ON_HOLD".to_owned())));
    assert_eq!(chat.extra.get("brand_new"), text.get("brand_new"));
    assert_eq!(without_nulls(serde_json::to_value(&chat).unwrap()), text);
}

#[test]
fn wrong_types_are_errors_not_zeroes() {
    assert!(serde_json::from_value::<Chat>(json!({"unread_count": "três"})).is_err());
    assert!(serde_json::from_value::<Chat>(json!({"participants": {"a": 1}})).is_err());
    assert!(serde_json::from_value::<Chat>(json!([1, 2])).is_err());
    assert!(serde_json::from_value::<Chat>(json!({"archived_at": true})).is_err());
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        "[0-9]{1,14}".prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("id".to_owned()),
        Just("status".to_owned()),
        Just("last_message".to_owned()),
        Just("quoted_message".to_owned()),
        Just("meta_timestamp".to_owned()),
        Just("reactions".to_owned()),
        Just("participants".to_owned()),
        Just("crm_person".to_owned()),
        Just("priority".to_owned()),
        Just("records".to_owned()),
        Just("assigned_agent".to_owned()),
        "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What a model must do with any input. Either it decodes, and then the input was JSON and
/// encoding the model gives that JSON back (nothing dropped, nothing made up); or it refuses,
/// and then with serde's error for a value of the wrong shape (`Data`) or the JSON parser's own
/// complaint about the bytes, never anything else.
fn decodes_faithfully_or_refuses<T: DeserializeOwned + Serialize>(
    model: &str,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    let as_json = serde_json::from_slice::<Value>(bytes);
    match (serde_json::from_slice::<T>(bytes), as_json) {
        (Ok(decoded), Ok(json)) => prop_assert_eq!(
            without_nulls(serde_json::to_value(&decoded).unwrap()),
            without_nulls(json),
            "{} changed what it decoded",
            model
        ),
        (Ok(_), Err(error)) => prop_assert!(
            false,
            "{} decoded bytes that are not JSON: {}",
            model,
            error
        ),
        (Err(error), Ok(_)) => prop_assert_eq!(
            error.classify(),
            Category::Data,
            "{} refused well-formed JSON with {}",
            model,
            error
        ),
        // The model may see a value of the wrong shape before the parser reaches the bad byte.
        (Err(error), Err(json_error)) => prop_assert!(
            error.classify() == Category::Data || error.classify() == json_error.classify(),
            "{} refused bytes with {} where the JSON parser says {}",
            model,
            error,
            json_error
        ),
    }
    Ok(())
}

/// Every model the clients decode replies with. `WebhookEnvelope` is not one of them, and it
/// fails the property: like any serde struct without a flattened field it also accepts the
/// array form `["event", payload]`, which encodes back as an object.
fn every_reply_model(bytes: &[u8]) -> Result<(), TestCaseError> {
    decodes_faithfully_or_refuses::<Chat>("Chat", bytes)?;
    decodes_faithfully_or_refuses::<Page<TimelineEvent>>("Page<TimelineEvent>", bytes)?;
    decodes_faithfully_or_refuses::<UnreadSummary>("UnreadSummary", bytes)?;
    decodes_faithfully_or_refuses::<Page<Message>>("Page<Message>", bytes)?;
    decodes_faithfully_or_refuses::<Room>("Room", bytes)
}

#[test]
fn the_decoding_property_holds_for_known_cases() {
    // Each branch of the property, once, so a change to it cannot make it vacuous.
    let chat = serde_json::to_vec(&json!({"id": "x", "brand_new": [1, 2]})).unwrap();
    assert!(serde_json::from_slice::<Chat>(&chat).is_ok());
    decodes_faithfully_or_refuses::<Chat>("Chat", &chat).unwrap();
    let wrong_shape = serde_json::to_vec(&json!({"unread_count": "três"})).unwrap();
    let error = serde_json::from_slice::<Chat>(&wrong_shape).unwrap_err();
    assert_eq!(error.classify(), Category::Data, "{error}");
    decodes_faithfully_or_refuses::<Chat>("Chat", &wrong_shape).unwrap();
    let cut = br#"{"id": "x", "status": "OP"#;
    let error = serde_json::from_slice::<Chat>(cut).unwrap_err();
    assert_eq!(error.classify(), Category::Eof, "{error}");
    decodes_faithfully_or_refuses::<Chat>("Chat", cut).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_json_is_decoded_faithfully_or_refused_as_the_wrong_shape(value in arbitrary_json()) {
        every_reply_model(&serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn any_bytes_are_decoded_faithfully_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        every_reply_model(&bytes)?;
    }
}
