//! The built `balcao` binary against the sandbox: exit codes, messages, `--json`, secrets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::process::Output;

use cli::text;
use common::{TOKEN, set_faults, start};
use serde_json::Value;

/// Runs the binary off the async runtime (the sandbox keeps serving meanwhile), on a data dir of
/// its own: changes write their audit entries to the index there.
async fn balcao(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let data = tempfile::tempdir().unwrap();
        cli::balcao(data.path())
            .env("BALCAO_LOG", "trace")
            .args(args)
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The token goes by environment, as the README says: a flag value would show in `ps`.
async fn with_sandbox(sandbox: &balcao::sandbox::RunningSandbox, list: &[&str]) -> Output {
    let mut all = args(list);
    all.extend(args(&["--base-url", &sandbox.url()]));
    balcao(all, vec![("WEGLY_TOKEN", TOKEN.to_owned())]).await
}

/// Every run must keep the token out of both streams, even with trace logging on.
fn assert_no_token(output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        assert!(
            !text(stream).contains(TOKEN),
            "the token leaked: {}",
            text(stream)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_prints_the_servers_bytes_verbatim() {
    let sandbox = start().await;
    let id = common::chats(&sandbox).await[11]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = with_sandbox(&sandbox, &["chat", "get", &id, "--json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_no_token(&output);
    let direct = common::raw()
        .get(format!(
            "{}/integrations/external/chats/{id}",
            sandbox.url()
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(output.stdout.strip_suffix(b"\n").unwrap(), &direct[..]);
    let timeline = with_sandbox(&sandbox, &["chat", "timeline", &id, "--json"]).await;
    let page: Value = serde_json::from_slice(&timeline.stdout).unwrap();
    assert!(page["total"].as_i64().unwrap() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readable_output_follows_the_language() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap();
    let english = with_sandbox(&sandbox, &["chat", "get", id]).await;
    let english = text(&english.stdout);
    assert!(
        english.contains("Responsible:") && english.contains("Window:"),
        "{english}"
    );
    assert!(english.contains(chat["responsible_user_id"].as_str().unwrap()));
    let mut all = args(&[
        "chat",
        "get",
        id,
        "--base-url",
        &sandbox.url(),
        "--token",
        TOKEN,
    ]);
    all.push("--lang=pt-BR".to_owned());
    let portuguese = text(&balcao(all, Vec::new()).await.stdout);
    assert!(
        portuguese.contains("Responsável:") && portuguese.contains("Janela:"),
        "{portuguese}"
    );
    let by_locale = balcao(
        args(&[
            "chat",
            "unread",
            "--base-url",
            &sandbox.url(),
            "--token",
            TOKEN,
        ]),
        vec![("LANG", "pt_BR.UTF-8".to_owned())],
    )
    .await;
    assert!(
        text(&by_locale.stdout).contains("mensagens não lidas"),
        "{}",
        text(&by_locale.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassign_and_remove_participant_change_the_chat() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap();
    let newcomer = newcomer(&sandbox, &chat).await;
    let newcomer = newcomer.as_str();
    let reassigned = with_sandbox(
        &sandbox,
        &["chat", "reassign", id, "--to", newcomer, "--json"],
    )
    .await;
    assert_eq!(
        reassigned.status.code(),
        Some(0),
        "{}",
        text(&reassigned.stderr)
    );
    let body: Value = serde_json::from_slice(&reassigned.stdout).unwrap();
    assert_eq!(body["assigned_agent"]["user"]["id"], newcomer);
    // The former responsible is now an ordinary participant and can be removed.
    let former = chat["responsible_user_id"].as_str().unwrap();
    let removed = with_sandbox(&sandbox, &["chat", "remove-participant", id, former]).await;
    assert_eq!(removed.status.code(), Some(0), "{}", text(&removed.stderr));
    assert!(text(&removed.stdout).contains(&format!("Participant {former} removed")));
    let listed = common::chats(&sandbox).await;
    let now = listed.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(now["responsible_user_id"], newcomer);
    assert!(
        !now["participant_user_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == former)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_reports_created_then_reused() {
    let sandbox = start().await;
    let line = common::admin(&sandbox, "lines").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = [
        "chat",
        "create",
        "--line",
        &line,
        "--to",
        "5511955554444",
        "--template",
        "saudacao_inicial:pt_BR",
        "--field",
        "BODY:1=Mariana",
        "--status",
        "OPEN",
    ];
    let first = with_sandbox(&sandbox, &create).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(text(&first.stdout).starts_with("Chat created."));
    let second = with_sandbox(&sandbox, &create).await;
    assert!(
        text(&second.stdout).contains("reused"),
        "{}",
        text(&second.stdout)
    );
}

/// One refusal per status class: exit 1, stdout empty, stderr with status, code and message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_refusals_exit_1_with_the_servers_words() {
    let sandbox = start().await;
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let responsible = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();

    let cases: Vec<(Vec<&str>, Option<&str>, &str, Vec<&str>)> = vec![
        (
            vec!["chat", "get", &unknown],
            None,
            "404",
            vec!["chat_not_found", "no chat with id"],
        ),
        (
            vec!["chat", "remove-participant", &id, &responsible],
            None,
            "409",
            vec!["participant_is_responsible", "cannot be removed"],
        ),
        (
            vec!["chat", "reassign", &id, "--to", &unknown],
            None,
            "422",
            vec!["unknown_user", "user_id"],
        ),
        (
            vec!["chat", "get", &id],
            Some("get_chat:rate_limit=9"),
            "429",
            vec!["rate_limited", "9s"],
        ),
        (
            vec!["chat", "get", &id],
            Some("get_chat:status=503"),
            "503",
            vec!["injected_fault", "Try again later"],
        ),
        (
            vec!["chat", "get", &id],
            Some("get_chat:status=403"),
            "403",
            vec!["injected_fault", "--origin"],
        ),
    ];
    for (command, fault, status, words) in cases {
        set_faults(&sandbox, fault.unwrap_or_default()).await;
        let output = with_sandbox(&sandbox, &command).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{command:?} printed to stdout");
        assert!(
            stderr.contains(&format!("HTTP {status}")),
            "{command:?}: {stderr}"
        );
        for word in words {
            assert!(
                stderr.contains(word),
                "{command:?}: '{word}' missing from {stderr}"
            );
        }
        assert_no_token(&output);
    }
    set_faults(&sandbox, "").await;
    let wrong = balcao(
        args(&[
            "chat",
            "get",
            &id,
            "--base-url",
            &sandbox.url(),
            "--token",
            "not-it",
        ]),
        Vec::new(),
    )
    .await;
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("HTTP 401 invalid_token"),
        "{}",
        text(&wrong.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strange_replies_and_dead_servers_exit_1_without_panicking() {
    let sandbox = start().await;
    let id = common::chats(&sandbox).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for fault in [
        "get_chat:malformed",
        "get_chat:truncated",
        "get_chat:wrong_types",
    ] {
        set_faults(&sandbox, fault).await;
        let output = with_sandbox(&sandbox, &["chat", "get", &id]).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{fault}: {stderr}");
        assert!(
            stderr.contains("unexpected response (HTTP 200)"),
            "{fault}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_no_token(&output);
    }
    set_faults(&sandbox, "get_chat:latency=5000").await;
    let slow = with_sandbox(&sandbox, &["chat", "get", &id, "--timeout", "1"]).await;
    assert_eq!(slow.status.code(), Some(1));
    assert!(
        text(&slow.stderr).contains("within 1s (timeout)"),
        "{}",
        text(&slow.stderr)
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let refused = balcao(
        args(&["chat", "get", &id, "--base-url", &url, "--token", TOKEN]),
        Vec::new(),
    )
    .await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains(&url),
        "{}",
        text(&refused.stderr)
    );
    assert_no_token(&refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_and_send_nothing() {
    let sandbox = start().await;
    let id = common::chats(&sandbox).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = common::admin(&sandbox, "lines").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let long = "9".repeat(51);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["chat", "get", "abc"], "chat id 'abc' is not a UUID"),
        (
            vec!["chat", "reassign", &id, "--to", "joao"],
            "user id 'joao' is not a UUID",
        ),
        (
            vec!["chat", "remove-participant", &id, "42"],
            "user id '42' is not a UUID",
        ),
        (
            vec![
                "chat",
                "create",
                "--line",
                &line,
                "--to",
                &long,
                "--template",
                "t",
            ],
            "has 51 characters",
        ),
        (
            vec![
                "chat",
                "create",
                "--line",
                "x",
                "--to",
                "1",
                "--template",
                "t",
            ],
            "--line 'x' is not a UUID",
        ),
        (
            vec![
                "chat",
                "create",
                "--line",
                &line,
                "--to",
                "1",
                "--template",
                ":pt_BR",
            ],
            "must be NAME or NAME:LANG",
        ),
        (
            vec![
                "chat",
                "create",
                "--line",
                &line,
                "--to",
                "1",
                "--template",
                "t",
                "--field",
                "BODY=x",
            ],
            "COMPONENT:INDEX=VALUE",
        ),
    ];
    for (command, expected) in cases {
        let output = with_sandbox(&sandbox, &command).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains(expected), "{command:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    let no_token = balcao(
        args(&["chat", "get", &id, "--base-url", &sandbox.url()]),
        Vec::new(),
    )
    .await;
    assert_eq!(no_token.status.code(), Some(2));
    assert!(text(&no_token.stderr).contains("WEGLY_TOKEN"));
    let bad_url = balcao(
        args(&[
            "chat",
            "get",
            &id,
            "--base-url",
            "ftp://example",
            "--token",
            TOKEN,
        ]),
        Vec::new(),
    )
    .await;
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(text(&bad_url.stderr).contains("'ftp://example' must start with http:// or https://"));
    assert_no_token(&bad_url);
    let bad_lang = balcao(args(&["chat", "get", &id, "--lang", "fr"]), Vec::new()).await;
    assert_eq!(bad_lang.status.code(), Some(2));
    assert!(
        common::admin(&sandbox, "requests")
            .await
            .as_object()
            .unwrap()
            .keys()
            .all(|route| route == "_max_concurrent"),
        "a usage error sent a request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_from_the_environment_is_used_and_never_shown() {
    let sandbox = start().await;
    let output = balcao(
        args(&["chat", "unread", "--json"]),
        vec![
            ("WEGLY_BASE_URL", sandbox.url()),
            ("WEGLY_TOKEN", TOKEN.to_owned()),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_no_token(&output);
    let help = balcao(
        args(&["--help"]),
        vec![
            ("WEGLY_TOKEN", TOKEN.to_owned()),
            ("BALCAO_WEBHOOK_SECRET", TOKEN.to_owned()),
        ],
    )
    .await;
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("--token"));
    assert_no_token(&help);
}

/// A chat with two participants, its id, and a user who is not in it yet.
async fn reassignable(sandbox: &balcao::sandbox::RunningSandbox) -> (Value, String, String) {
    let chat = common::chat_with_two_participants(sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let target = newcomer(sandbox, &chat).await;
    (chat, id, target)
}

/// A user who is neither the chat's responsible nor a participant.
async fn newcomer(sandbox: &balcao::sandbox::RunningSandbox, chat: &Value) -> String {
    let users = common::admin(sandbox, "users").await;
    users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_owned())
        .find(|u| {
            !chat["participant_user_ids"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == u)
        })
        .unwrap()
}

async fn sandbox_chat(sandbox: &balcao::sandbox::RunningSandbox, id: &str) -> Value {
    common::chats(sandbox)
        .await
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn never_says_try_again(output: &Output) {
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr)).to_lowercase();
    assert!(
        !all.contains("try again") && !all.contains("tente de novo"),
        "a write that may have been applied must not be retried blindly: {all}"
    );
}

/// The server applies the change and the reply is lost (reset, truncated): the CLI re-reads the
/// chat and reports it done, confirmed, with exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_reply_is_lost_is_confirmed_by_re_reading() {
    let sandbox = start().await;
    for fault in ["responsible:reset", "responsible:truncated"] {
        let (_, id, target) = reassignable(&sandbox).await;
        set_faults(&sandbox, &format!("{fault}*1")).await;
        let before = common::request_count(&sandbox, "responsible").await;
        let output = with_sandbox(&sandbox, &["chat", "reassign", &id, "--to", &target]).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{fault}: {}",
            text(&output.stderr)
        );
        assert_eq!(
            common::request_count(&sandbox, "responsible").await,
            before + 1,
            "{fault}: the write was sent once, never again"
        );
        assert!(
            text(&output.stdout).starts_with("Done, confirmed by re-reading the chat"),
            "{fault}: {}",
            text(&output.stdout)
        );
        assert_eq!(
            sandbox_chat(&sandbox, &id).await["responsible_user_id"],
            target.as_str()
        );
        never_says_try_again(&output);
    }
    // remove-participant: the same rule, and `--json` stays JSON on stdout.
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let responsible = chat["responsible_user_id"].as_str().unwrap();
    let other = chat["participant_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .find(|p| p != responsible)
        .unwrap();
    set_faults(&sandbox, "remove_participant:reset*1").await;
    let before = common::request_count(&sandbox, "remove_participant").await;
    let output = with_sandbox(
        &sandbox,
        &["chat", "remove-participant", &id, &other, "--json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["id"], id.as_str());
    assert!(text(&output.stderr).contains("confirmed by re-reading"));
    let participants = sandbox_chat(&sandbox, &id).await["participant_user_ids"].clone();
    assert!(
        !participants
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == other.as_str()),
        "{participants}"
    );
    assert_eq!(
        common::request_count(&sandbox, "remove_participant").await,
        before + 1,
        "the write was sent once, never again"
    );
}

/// The server answered 200 with something unreadable and did nothing: re-reading shows it, so
/// the CLI says "not applied" (exit 1), not "failed, try again".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_to_a_write_that_did_nothing_is_reported_not_applied() {
    let sandbox = start().await;
    let (chat, id, target) = reassignable(&sandbox).await;
    set_faults(&sandbox, "responsible:malformed*1").await;
    let output = with_sandbox(&sandbox, &["chat", "reassign", &id, "--to", &target]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("not applied"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        sandbox_chat(&sandbox, &id).await["responsible_user_id"],
        chat["responsible_user_id"]
    );
    assert!(output.stdout.is_empty());
}

/// Lost reply and a failing re-read: the outcome is unknown, said so, with how to check; exit 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_cannot_be_verified_says_it_may_have_been_applied() {
    let sandbox = start().await;
    let (_, id, target) = reassignable(&sandbox).await;
    set_faults(&sandbox, "responsible:reset*1,get_chat:status=503").await;
    let output = with_sandbox(&sandbox, &["chat", "reassign", &id, "--to", &target]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("may have been applied"), "{stderr}");
    assert!(
        stderr.contains(&format!("balcao chat get {id}")),
        "{stderr}"
    );
    never_says_try_again(&output);

    // Creating has no chat to re-read: unknown, and never "try again" either.
    set_faults(&sandbox, "create_chat:reset*1").await;
    let line = common::admin(&sandbox, "lines").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = with_sandbox(
        &sandbox,
        &[
            "chat",
            "create",
            "--line",
            &line,
            "--to",
            "5511944443333",
            "--template",
            "saudacao_inicial",
        ],
    )
    .await;
    assert_eq!(created.status.code(), Some(1), "{}", text(&created.stderr));
    assert!(text(&created.stderr).contains("may have been applied"));
    never_says_try_again(&created);
    // In pt-BR too.
    set_faults(&sandbox, "responsible:reset*1,get_chat:status=503").await;
    let pt = with_sandbox(
        &sandbox,
        &["chat", "reassign", &id, "--to", &target, "--lang", "pt-BR"],
    )
    .await;
    assert!(
        text(&pt.stderr).contains("pode ter sido aplicado"),
        "{}",
        text(&pt.stderr)
    );
    never_says_try_again(&pt);
}

/// `--no-chat` alone changes nothing: a usage error. With leads, the output does not claim the
/// chat's responsible changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_that_changes_nothing_is_refused() {
    let sandbox = start().await;
    let (chat, id, target) = reassignable(&sandbox).await;
    let nothing = with_sandbox(
        &sandbox,
        &["chat", "reassign", &id, "--to", &target, "--no-chat"],
    )
    .await;
    assert_eq!(nothing.status.code(), Some(2), "{}", text(&nothing.stderr));
    assert!(text(&nothing.stderr).contains("--no-chat without --leads or --deals"));
    assert_eq!(common::request_count(&sandbox, "responsible").await, 0);
    let leads = with_sandbox(
        &sandbox,
        &[
            "chat",
            "reassign",
            &id,
            "--to",
            &target,
            "--no-chat",
            "--leads",
        ],
    )
    .await;
    assert_eq!(leads.status.code(), Some(0), "{}", text(&leads.stderr));
    let stdout = text(&leads.stdout);
    assert!(
        stdout.starts_with("Leads reassigned; the chat's responsible is unchanged"),
        "{stdout}"
    );
    assert!(!stdout.contains("Responsible is now"));
    assert_eq!(
        sandbox_chat(&sandbox, &id).await["responsible_user_id"],
        chat["responsible_user_id"]
    );
}

/// Server text with escape sequences never reaches the terminal from readable output; `--json`
/// keeps the server's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_stripped_from_readable_output_and_kept_in_json() {
    let sandbox = start().await;
    let id = common::chats(&sandbox).await[3]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hostile = "oi\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}31m\u{202e}gnp.exe";
    let inbound = serde_json::json!({"chat_id": id, "body": hostile});
    let response = common::raw()
        .post(format!("{}/_sandbox/inbound", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&inbound)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    for command in ["get", "timeline"] {
        let output = with_sandbox(&sandbox, &["chat", command, &id]).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let shown = text(&output.stdout);
        assert!(
            shown.contains("oi]0;pwned"),
            "{command}: the text is there: {shown}"
        );
        for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}'] {
            assert!(!shown.contains(bad), "{command}: {bad:?} reached stdout");
        }
        let json = with_sandbox(&sandbox, &["chat", command, &id, "--json"]).await;
        let value: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert!(
            value.to_string().contains("\\u001b"),
            "{command}: --json keeps the bytes"
        );
    }
}

/// A secret given as a flag value is visible in `ps`: a one-line warning says what to use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_given_as_flags_are_warned_about_and_files_are_checked() {
    let sandbox = start().await;
    let id = common::chats(&sandbox).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let flagged = balcao(
        args(&[
            "chat",
            "get",
            &id,
            "--base-url",
            &sandbox.url(),
            "--token",
            TOKEN,
        ]),
        Vec::new(),
    )
    .await;
    assert_eq!(flagged.status.code(), Some(0), "{}", text(&flagged.stderr));
    let warning = text(&flagged.stderr);
    assert!(
        warning.contains("--token on the command line is visible to every user in `ps`; use WEGLY_TOKEN or --token-file"),
        "{warning}"
    );
    assert_no_token(&flagged);
    // Every secret flag, wherever it sits on the line; the token from the environment is not
    // warned about.
    let others = with_sandbox(
        &sandbox,
        &[
            "chat",
            "get",
            &id,
            "--agilize-key",
            "agk-flag",
            "--webhook-secret",
            "whsec-flag",
        ],
    )
    .await;
    let warnings = text(&others.stderr);
    for expected in [
        "--agilize-key on the command line is visible to every user in `ps`; use AGILIZE_API_KEY or --agilize-key-file",
        "--webhook-secret on the command line is visible to every user in `ps`; use BALCAO_WEBHOOK_SECRET or --webhook-secret-file",
    ] {
        assert!(warnings.contains(expected), "{warnings}");
    }
    assert!(
        !warnings.contains("--token on the command line"),
        "{warnings}"
    );
    // From the environment: no warning.
    let quiet = with_sandbox(&sandbox, &["chat", "get", &id]).await;
    assert!(!text(&quiet.stderr).contains("visible to every user"));
    // From a file: used when private, refused (exit 2, nothing sent) when others can read or
    // write it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let path = file.display().to_string();
    for (mode, ok) in [(0o600, true), (0o644, false), (0o620, false)] {
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(mode))
            .unwrap();
        let before = common::request_count(&sandbox, "get_chat").await;
        let output = balcao(
            args(&[
                "chat",
                "get",
                &id,
                "--base-url",
                &sandbox.url(),
                "--token-file",
                &path,
            ]),
            Vec::new(),
        )
        .await;
        let stderr = text(&output.stderr);
        if ok {
            assert_eq!(output.status.code(), Some(0), "{mode:o}: {stderr}");
            assert!(!stderr.contains("visible to every user"));
        } else {
            assert_eq!(output.status.code(), Some(2), "{mode:o}: {stderr}");
            assert!(stderr.contains("chmod 600"), "{stderr}");
            assert_eq!(common::request_count(&sandbox, "get_chat").await, before);
        }
        assert_no_token(&output);
    }
}
