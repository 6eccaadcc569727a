//! `balcao inbox assign`, `balcao inbox remove-participant` and `balcao undo` as processes
//! against the sandbox: the plan with `--dry-run`, a run the sandbox agrees with, its undo
//! (which leaves alone a chat changed since), the exit codes and the usage errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::HashMap;
use std::process::Output;

use balcao::api::Conversation;
use balcao::api::wegly::wire::UpdateResponsibleRequest;
use balcao::sandbox::RunningSandbox;
use balcao::store::{AuditEntry, ChatKey, Store};
use cli::text;
use common::{TOKEN, set_faults, start};
use serde_json::Value;

/// A data dir of its own, on one sandbox.
struct Desk {
    sandbox: RunningSandbox,
    data: tempfile::TempDir,
}

impl Desk {
    async fn new() -> Self {
        Self {
            sandbox: start().await,
            data: tempfile::tempdir().unwrap(),
        }
    }

    /// A desk whose CRM users' names carry a terminal escape sequence.
    async fn with_hostile_names() -> Self {
        let sandbox = common::start_with(|config| {
            for user in &mut config.seed.users {
                user.name.push_str("\u{1b}]0;owned\u{7}\u{1b}[2J");
            }
        })
        .await;
        Self {
            sandbox,
            data: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs the binary off the async runtime (the sandbox keeps serving meanwhile).
    async fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        all.extend(["--base-url".to_owned(), self.sandbox.url()]);
        let dir = self.data.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            cli::balcao(&dir)
                .env("WEGLY_TOKEN", TOKEN)
                .args(all)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs the binary and reads its one JSON document.
    async fn json(&self, args: &[&str], code: i32) -> Value {
        let output = self.run(args).await;
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        );
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stdout)))
    }

    /// Puts these chats into the index (`balcao add`).
    async fn add(&self, ids: &[String]) {
        let mut args = vec!["add"];
        args.extend(ids.iter().map(String::as_str));
        let output = self.run(&args).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }

    async fn responsible(&self, id: &str) -> Option<String> {
        let chat = common::client(&self.sandbox)
            .get_chat(id.parse().unwrap())
            .await
            .unwrap();
        chat.value.responsible_user_id().map(str::to_owned)
    }

    async fn writes(&self) -> u64 {
        common::request_count(&self.sandbox, "responsible").await
    }
}

/// `n` chats with a responsible, and a person each of them may be handed to and none holds;
/// then one chat that person already holds, when the sandbox has one.
async fn chats_and_target(
    sandbox: &RunningSandbox,
    n: usize,
) -> (Vec<String>, String, Vec<String>) {
    let client = common::client(sandbox);
    let mut found: Vec<(String, Conversation)> = Vec::new();
    for chat in common::chats(sandbox).await {
        let id = common::uuid(&chat["id"]);
        let conversation = Conversation::Chat(Box::new(client.get_chat(id).await.unwrap().value));
        if conversation.responsible_user_id().is_some() && conversation.assignees(&[]).len() >= 2 {
            found.push((id.to_string(), conversation));
        }
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, conversation) in &found {
        for assignee in conversation.assignees(&[]) {
            *counts.entry(assignee.user_id).or_default() += 1;
        }
    }
    let target = counts.into_iter().max_by_key(|(_, n)| *n).unwrap().0;
    let held: Vec<String> = found
        .iter()
        .filter(|(_, c)| c.responsible_user_id() == Some(target.as_str()))
        .map(|(id, _)| id.clone())
        .take(1)
        .collect();
    let movable: Vec<String> = found
        .iter()
        .filter(|(_, c)| {
            c.responsible_user_id() != Some(target.as_str())
                && c.assignees(&[]).iter().any(|a| a.user_id == target)
        })
        .map(|(id, _)| id.clone())
        .take(n)
        .collect();
    assert_eq!(movable.len(), n, "the sandbox has too few such chats");
    (movable, target, held)
}

fn ids_of(chats: &Value) -> Vec<String> {
    let mut ids: Vec<String> = chats
        .as_array()
        .unwrap()
        .iter()
        .map(|chat| chat["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_plan_as_json_and_sends_nothing() {
    let desk = Desk::new().await;
    let (chats, target, held) = chats_and_target(&desk.sandbox, 3).await;
    let mut all = chats.clone();
    all.extend(held.iter().cloned());
    desk.add(&all).await;
    let before: Vec<Option<String>> = {
        let mut list = Vec::new();
        for id in &chats {
            list.push(desk.responsible(id).await);
        }
        list
    };

    let plan = desk
        .json(
            &[
                "inbox",
                "assign",
                "--filter",
                "",
                "--to",
                &target,
                "--dry-run",
                "--json",
            ],
            0,
        )
        .await;
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["action"], "reassign");
    assert_eq!(plan["target"]["to"], target.as_str());
    assert_eq!(plan["counts"]["planned"], 3, "{plan}");
    assert_eq!(plan["counts"]["left"], held.len());
    assert_eq!(ids_of(&plan["chats"]), sorted(&chats));
    for chat in plan["chats"].as_array().unwrap() {
        assert_eq!(chat["to"], target.as_str());
        assert_eq!(chat["provider"], "wegly");
        assert!(chat["from"].is_string(), "{chat}");
        assert!(chat["contact"].is_string(), "{chat}");
        assert!(chat["warnings"].is_array(), "{chat}");
    }
    for left in plan["left"].as_array().unwrap() {
        assert_eq!(left["reason"], "already held by that person", "{left}");
    }
    assert_eq!(desk.writes().await, 0, "a dry run sends no write");
    for (id, was) in chats.iter().zip(&before) {
        assert_eq!(&desk.responsible(id).await, was);
    }

    // The table says the same in words.
    let output = desk
        .run(&[
            "inbox",
            "assign",
            "--filter",
            "",
            "--to",
            &target,
            "--dry-run",
        ])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(table.contains("3 chat(s) would go to"), "{table}");
    for id in &chats {
        assert!(table.contains(id.as_str()), "{table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_the_sandbox_agrees_and_undo_restores_all_but_the_chat_changed_since() {
    let desk = Desk::new().await;
    let (chats, target, _) = chats_and_target(&desk.sandbox, 3).await;
    desk.add(&chats).await;
    let mut before = Vec::new();
    for id in &chats {
        before.push(desk.responsible(id).await.unwrap());
    }

    let done = desk
        .json(
            &["inbox", "assign", "--filter", "", "--to", &target, "--json"],
            0,
        )
        .await;
    assert_eq!(done["counts"]["done"], 3, "{done}");
    assert_eq!(done["counts"]["total"], 3);
    let batch = done["batch"].as_str().unwrap().to_owned();
    assert_eq!(done["short_id"], &batch[..8]);
    for chat in done["chats"].as_array().unwrap() {
        assert_eq!(chat["outcome"], "done", "{chat}");
        assert!(chat["reason"].is_null());
    }
    for id in &chats {
        assert_eq!(desk.responsible(id).await.as_deref(), Some(target.as_str()));
    }
    assert_eq!(desk.writes().await, 3, "one write per chat");

    // Every outcome is in the audit log under the batch, found by its short id too.
    let output = desk.run(&["audit", "--batch", &batch[..8], "--json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let entries = cli::json_lines(&output.stdout);
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["batch"] == batch.as_str()));
    let table = text(&desk.run(&["audit"]).await.stdout);
    assert!(
        table.contains(&batch[..8]) && !table.contains(&batch),
        "{table}"
    );

    // Someone moves the second chat on by hand: the undo leaves it where they put it.
    let moved = &chats[1];
    common::client(&desk.sandbox)
        .update_responsible(
            moved.parse().unwrap(),
            &UpdateResponsibleRequest {
                user_id: before[0].clone(),
                update_chat: true,
                update_leads: false,
                update_deals: false,
            },
        )
        .await
        .unwrap();

    let undone = desk.json(&["undo", "--json"], 1).await;
    assert_eq!(undone["undoes"], batch.as_str());
    // The undo names each chat by its contact, as the batch did.
    let named = |report: &Value| -> HashMap<String, String> {
        report["chats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let id = c["id"].as_str().unwrap().to_owned();
                (id, c["contact"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert!(
        named(&done).iter().all(|(id, contact)| id != contact),
        "{done}"
    );
    assert_eq!(named(&undone), named(&done));
    assert_eq!(undone["counts"]["done"], 2, "{undone}");
    assert_eq!(undone["counts"]["skipped"], 1, "{undone}");
    let skipped: Vec<&Value> = undone["chats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["id"], moved.as_str());
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("changed since"),
        "{}",
        skipped[0]
    );
    assert_eq!(
        desk.responsible(moved).await.as_deref(),
        Some(before[0].as_str())
    );
    for (id, was) in chats.iter().zip(&before) {
        if id != moved {
            assert_eq!(desk.responsible(id).await.as_deref(), Some(was.as_str()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_whose_writes_are_refused_exits_1_naming_each_chat() {
    let desk = Desk::new().await;
    let (chats, target, _) = chats_and_target(&desk.sandbox, 2).await;
    desk.add(&chats).await;
    set_faults(&desk.sandbox, "responsible:status=422").await;
    let output = desk
        .run(&["inbox", "assign", "--filter", "", "--to", &target])
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    for id in &chats {
        let line = table.lines().find(|l| l.contains(id.as_str())).unwrap();
        assert!(line.starts_with("failed"), "{line}");
    }
    assert!(table.contains("0 done"), "{table}");
    assert!(
        text(&output.stderr).contains("2 of 2 chats were not done"),
        "{}",
        text(&output.stderr)
    );
    // Refused writes were not made: there is nothing to take back.
    let output = desk.run(&["undo"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("nothing to undo"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("the change was not made"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_and_send_nothing() {
    let desk = Desk::new().await;
    let (chats, target, _) = chats_and_target(&desk.sandbox, 1).await;
    desk.add(&chats).await;
    let cases: &[(&[&str], &str)] = &[
        (
            &["inbox", "assign", "--filter", "priority:x", "--to", &target],
            "priority is 0-3",
        ),
        (
            &["inbox", "assign", "--filter", "", "--to", "ana"],
            "is not a UUID",
        ),
        (
            &["inbox", "assign", "--filter", "", "--to", "two words"],
            "is not a user id",
        ),
        (
            &[
                "inbox",
                "remove-participant",
                "--filter",
                "",
                "--user",
                "x y",
            ],
            "is not a user id",
        ),
        (&["inbox", "assign", "--to", &target], "--filter"),
        (&["undo", "xyz"], "is not a batch id"),
        (&["undo", "0123456789abcdef-not-hex"], "is not a batch id"),
        (&["undo", "deadbeef"], "no batch deadbeef"),
        (&["audit", "--batch", "deadbeef"], "no batch deadbeef"),
    ];
    for (args, says) in cases {
        let output = desk.run(args).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    assert_eq!(desk.writes().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_selection_says_so_and_exits_0() {
    let desk = Desk::new().await;
    let (chats, target, _) = chats_and_target(&desk.sandbox, 1).await;
    desk.add(&chats).await;
    let output = desk
        .run(&[
            "inbox",
            "assign",
            "--filter",
            "nobody-is-called-this",
            "--to",
            &target,
        ])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("no chat in the index matches the filter"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(desk.writes().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_to_undo_says_so_and_exits_1() {
    let desk = Desk::new().await;
    let output = desk.run(&["undo"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("nothing to undo: the audit log has no change by"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_id_two_batches_share_is_a_usage_error_listing_both() {
    let desk = Desk::new().await;
    let store = Store::open_in(desk.data.path()).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    for batch in [
        "1234abcd-0000-4000-8000-000000000001",
        "1234abcd-0000-4000-8000-000000000002",
    ] {
        store
            .record_audit(&AuditEntry {
                at: chrono::Utc::now(),
                key: key.clone(),
                action: "reassign".to_owned(),
                request: None,
                before: None,
                after: None,
                outcome: "confirmed".to_owned(),
                http_status: Some(200),
                by: Some("Ana".to_owned()),
                batch: Some(batch.to_owned()),
                undo: None,
            })
            .unwrap();
    }
    drop(store);
    let output = desk.run(&["undo", "1234ABCD"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let said = text(&output.stderr);
    assert!(
        said.contains("several batches start with 1234abcd"),
        "{said}"
    );
    assert!(
        said.contains("000000000001") && said.contains("000000000002"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_participant_leaves_the_responsible_and_its_undo_says_why_it_cannot() {
    let desk = Desk::new().await;
    let chat = common::chat_with_two_participants(&desk.sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let responsible = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let leaver = chat["participant_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .find(|u| *u != responsible)
        .unwrap();
    desk.add(std::slice::from_ref(&id)).await;

    // The responsible cannot leave: the plan says so, and exit 1 says it is not what was asked.
    let plan = desk
        .json(
            &[
                "inbox",
                "remove-participant",
                "--filter",
                "",
                "--user",
                &responsible,
                "--json",
            ],
            1,
        )
        .await;
    assert_eq!(plan["counts"]["planned"], 0, "{plan}");
    assert!(
        plan["left"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("responsible and stays"),
        "{plan}"
    );

    let done = desk
        .json(
            &[
                "inbox",
                "remove-participant",
                "--filter",
                "",
                "--user",
                &leaver,
                "--json",
            ],
            0,
        )
        .await;
    assert_eq!(done["counts"]["done"], 1, "{done}");
    let after = common::chats(&desk.sandbox)
        .await
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert!(
        !after["participant_user_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == leaver.as_str()),
        "{after}"
    );
    let undone = desk.json(&["undo", "--json"], 1).await;
    assert_eq!(
        undone["left"][0]["reason"], "the CRM has no way to add a participant back",
        "{undone}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_from_the_crm_reach_the_terminal_without_their_escape_sequences() {
    let desk = Desk::with_hostile_names().await;
    let (chats, target, _) = chats_and_target(&desk.sandbox, 2).await;
    desk.add(&chats).await;
    let output = desk
        .run(&[
            "inbox",
            "assign",
            "--filter",
            "",
            "--to",
            &target,
            "--dry-run",
        ])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(table.contains("2 chat(s) would go to"), "{table}");
    assert!(table.contains("]0;owned"), "the names are shown: {table:?}");
    assert!(!table.contains('\u{1b}'), "{table:?}");
}
