//! The Agilize client against the sandbox: every field the console writes, every error class,
//! and the room model against the documented samples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::time::Duration;

use balcao::api::ErrorKind;
use balcao::api::agilize::wire::{IdList, Room};
use balcao::api::agilize::{AgilizeClient, AgilizeConfig};
use balcao::api::http::Timeouts;
use secrecy::SecretString;
use serde_json::{Value, json};

fn client(url: &str, key: &str) -> AgilizeClient {
    AgilizeClient::new(AgilizeConfig {
        base_url: url.to_owned(),
        key: SecretString::from(key.to_owned()),
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(5),
        },
    })
    .unwrap()
}

async fn rooms(sandbox: &balcao::sandbox::RunningSandbox) -> Value {
    common::admin(sandbox, "rooms").await
}

#[test]
fn documented_rooms_decode_and_round_trip() {
    for name in ["agilize-room.json", "agilize-room-bsuid.json"] {
        let path = common::shared_dir().join("fixtures/api-samples").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let room: Room = serde_json::from_str(&text).unwrap();
        assert!(room.id.is_some(), "{name}");
        let original: Value = serde_json::from_str(&text).unwrap();
        let again = serde_json::to_value(&room).unwrap();
        for (key, value) in original.as_object().unwrap() {
            if !value.is_null() {
                assert_eq!(again.get(key), Some(value), "{name}: {key}");
            }
        }
    }
    let bsuid: Room = serde_json::from_str(
        &std::fs::read_to_string(
            common::shared_dir().join("fixtures/api-samples/agilize-room-bsuid.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(bsuid.is_bsuid_only());
    // List-like fields: a string or an array, written back as they came.
    let room: Room = serde_json::from_value(
        json!({"_id": "x", "users": "u1", "tags": ["a", "b"], "strange": 1}),
    )
    .unwrap();
    assert_eq!(room.users, Some(IdList::One("u1".to_owned())));
    assert_eq!(room.tag_ids(), ["a", "b"]);
    assert_eq!(serde_json::to_value(&room).unwrap()["users"], "u1");
    assert_eq!(serde_json::to_value(&room).unwrap()["strange"], 1);
}

#[tokio::test]
async fn every_field_the_console_writes_is_applied() {
    let sandbox = common::start().await;
    let listing = rooms(&sandbox).await;
    let room = &listing["rooms"][1];
    let id = room["_id"].as_str().unwrap();
    let users: Vec<String> = listing["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["_id"].as_str().unwrap().to_owned())
        .collect();
    let department = listing["departments"][2]["_id"].as_str().unwrap();
    let tags: Vec<&str> = listing["tags"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|t| t["_id"].as_str().unwrap())
        .collect();
    let api = client(&sandbox.url(), common::AGILIZE_KEY);
    let patch = json!({"user": users[3], "users": [users[3], users[4]], "department": department, "tags": tags, "chIsArchived": true, "status": "closed"});
    let updated = api.update_room(id, &patch).await.unwrap().value.unwrap();
    assert_eq!(updated.user.as_deref(), Some(users[3].as_str()));
    assert_eq!(updated.user_ids(), [users[3].clone(), users[4].clone()]);
    assert_eq!(updated.department.as_deref(), Some(department));
    assert_eq!(updated.tag_ids(), tags);
    assert_eq!(
        (updated.ch_is_archived, updated.status.as_deref()),
        (Some(true), Some("closed"))
    );
    assert!(
        updated
            .dt_is_archived
            .as_ref()
            .and_then(balcao::api::timestamp::Timestamp::at)
            .is_some(),
        "archiving stamps dtIsArchived"
    );
    // Untouched fields stay (partial update).
    assert_eq!(updated.ch_id.as_deref(), room["chId"].as_str());
    let back = api
        .update_room(id, &json!({"chIsArchived": false}))
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(back.ch_is_archived, Some(false));
    assert!(back.dt_is_archived.is_none());
    let listed = rooms(&sandbox).await["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["_id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(
        listed["department"], department,
        "the sandbox's API reports the change"
    );
}

#[tokio::test]
async fn errors_map_to_the_same_kinds_as_wegly() {
    let sandbox = common::start().await;
    let id = rooms(&sandbox).await["rooms"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = client(&sandbox.url(), "nope")
        .update_room(&id, &json!({"status": "x"}))
        .await
        .unwrap_err();
    assert_eq!(
        (wrong.kind(), wrong.status()),
        (ErrorKind::Unauthorized, Some(401))
    );
    assert!(!wrong.to_string().contains("nope"), "the key never shows");
    let api = client(&sandbox.url(), common::AGILIZE_KEY);
    let missing = api
        .update_room("6650a1b2c3d4e5f6a7b8c9ff", &json!({"status": "x"}))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let typed = api
        .update_room(&id, &json!({"chIsArchived": "yes", "users": 3}))
        .await
        .unwrap_err();
    let reply = typed.reply().unwrap();
    assert_eq!(reply.status, 400);
    assert!(
        reply.fields.contains_key("chIsArchived") && reply.fields.contains_key("users"),
        "{reply:?}"
    );
    common::set_faults(&sandbox, "room_update:status=500").await;
    assert_eq!(
        api.update_room(&id, &json!({})).await.unwrap_err().kind(),
        ErrorKind::Server
    );
    common::set_faults(&sandbox, "room_update:malformed").await;
    assert_eq!(
        api.update_room(&id, &json!({})).await.unwrap_err().kind(),
        ErrorKind::Unexpected
    );
    assert_eq!(
        common::request_count(&sandbox, "room_update").await,
        4,
        "four calls passed auth (404, 400, 500, malformed): none was retried"
    );
}

#[tokio::test]
async fn the_seed_has_every_kind_of_room() {
    let sandbox = common::start().await;
    let listing = rooms(&sandbox).await;
    let all: Vec<Room> = serde_json::from_value(listing["rooms"].clone()).unwrap();
    let channels: std::collections::BTreeSet<i64> = all.iter().filter_map(|r| r.ch_src).collect();
    assert_eq!(channels.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(all.iter().any(Room::is_bsuid_only));
    assert!(all.iter().any(|r| r.ch_is_archived == Some(true)));
    assert!(all.iter().any(|r| r.ch_is_pending == Some(true)));
    assert!(all.iter().any(|r| !r.tag_ids().is_empty()));
    assert!(
        all.iter().any(|r| matches!(r.users, Some(IdList::One(_))))
            && all.iter().any(|r| matches!(r.users, Some(IdList::Many(_))))
    );
}
