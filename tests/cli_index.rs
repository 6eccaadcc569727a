//! `balcao listen`, `add`, `inbox`, `check-config` as processes, and the whole chain
//! sandbox -> listen -> index -> `inbox list --json`, in both start orders.
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

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use cli::{balcao, json_lines, set_mode, text};

const TOKEN: &str = "tok-chain-51e0";
const SECRET: &str = "whsec-chain-a7c4";

/// Spawns a server process and returns it with the URL from its first stdout line.
fn spawn_server(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    (child, url)
}

fn stop(child: Child, what: &str) -> Output {
    common::terminate(child, &format!("{what} after SIGTERM"))
}

fn inbox_json(data_dir: &Path) -> Vec<Value> {
    let output = balcao(data_dir)
        .args(["inbox", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    json_lines(&output.stdout)
}

fn sandbox_command(data_dir: &Path, port: u16, webhook_port: u16) -> Command {
    let mut command = balcao(data_dir);
    command.args([
        "sandbox",
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--token",
        TOKEN,
        "--webhook-url",
        &format!("http://127.0.0.1:{webhook_port}/webhooks/wegly"),
        "--webhook-secret",
        SECRET,
    ]);
    command
}

fn listen_command(data_dir: &Path, port: u16, sandbox_url: &str) -> Command {
    let mut command = balcao(data_dir);
    command.args([
        "listen",
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--base-url",
        sandbox_url,
        "--token",
        TOKEN,
        "--webhook-secret",
        SECRET,
    ]);
    command
}

/// Each look runs `balcao inbox list`, a process: looked at less often than `common::POLL`.
const INDEX_POLL: Duration = Duration::from_millis(250);

fn wait_for_every_chat_hydrated(data_dir: &Path, expected: usize) -> Vec<Value> {
    common::wait_until(
        Duration::from_secs(60),
        INDEX_POLL,
        "every chat in the index, hydrated",
        || {
            let rows = inbox_json(data_dir);
            let hydrated = rows
                .iter()
                .filter(|row| !row["hydrated_at"].is_null() && row["needs_hydration"] == false)
                .count();
            if rows.len() == expected && hydrated == expected {
                Ok(rows)
            } else {
                Err(format!(
                    "{} rows of {expected}, {hydrated} hydrated",
                    rows.len()
                ))
            }
        },
    )
}

fn admin(url: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = balcao::api::http::client_builder()
            .no_proxy()
            .build()
            .unwrap();
        let mut request = client
            .request(method.parse().unwrap(), format!("{url}{path}"))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().json().await.unwrap()
    })
}

fn chain(listen_first: bool) {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox_port, listen_port) = (common::free_port(), common::free_port());
    let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
    let (sandbox, listen) = if listen_first {
        // `listen` prints its URL once its port is bound: from then on the sandbox's first
        // deliveries find it (a connection waits in the backlog until it is accepted).
        let listen = spawn_server(listen_command(dir.path(), listen_port, &sandbox_url));
        (
            spawn_server(sandbox_command(dir.path(), sandbox_port, listen_port)),
            listen,
        )
    } else {
        let sandbox = spawn_server(sandbox_command(dir.path(), sandbox_port, listen_port));
        // `listen` starts only once the sandbox has announced its chats to nobody: at least as
        // many failed deliveries as events, so what the index gets comes from retries.
        common::wait_until(
            Duration::from_secs(30),
            common::POLL,
            "the sandbox's first deliveries, failed",
            || {
                let counts = admin(&sandbox.1, "GET", "/_sandbox/webhooks", None)["counts"].clone();
                let (queued, failed) = (
                    counts["queued"].as_u64(),
                    counts["failed_attempts"].as_u64(),
                );
                match (queued, failed) {
                    (Some(queued), Some(failed)) if queued > 0 && failed >= queued => Ok(()),
                    _ => Err(counts.to_string()),
                }
            },
        );
        (
            sandbox,
            spawn_server(listen_command(dir.path(), listen_port, &sandbox_url)),
        )
    };
    let chats = admin(&sandbox.1, "GET", "/_sandbox/chats", None);
    let rows = wait_for_every_chat_hydrated(dir.path(), chats.as_array().unwrap().len());
    let first = &chats[0];
    let row = rows.iter().find(|row| row["id"] == first["id"]).unwrap();
    assert_eq!(row["responsible_user_id"], first["responsible_user_id"]);
    assert_eq!(row["account"], "default");

    // A new customer message shows up within seconds.
    let id = chats[5]["id"].as_str().unwrap();
    admin(
        &sandbox.1,
        "POST",
        "/_sandbox/inbound",
        Some(serde_json::json!({"chat_id": id, "body": "Chegou a encomenda?"})),
    );
    common::wait_until(
        Duration::from_secs(20),
        INDEX_POLL,
        "the new message in the index",
        || {
            let rows = inbox_json(dir.path());
            let row = rows.iter().find(|row| row["id"] == id).unwrap();
            if row["last_message_preview"] == "Chegou a encomenda?"
                && row["needs_hydration"] == false
            {
                Ok(())
            } else {
                Err(row.to_string())
            }
        },
    );
    let listen_output = stop(listen.0, "listen");
    assert_eq!(
        listen_output.status.code(),
        Some(0),
        "listen exits 0 on SIGTERM: {}",
        text(&listen_output.stderr)
    );
    for stream in [&listen_output.stdout, &listen_output.stderr] {
        assert!(!text(stream).contains(TOKEN) && !text(stream).contains(SECRET));
    }
    assert_eq!(stop(sandbox.0, "the sandbox").status.code(), Some(0));
}

#[test]
fn chain_listen_started_first() {
    chain(true);
}

#[test]
fn chain_sandbox_started_first() {
    chain(false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_reports_each_id_and_keeps_the_good_ones() {
    let sandbox = common::start().await;
    let chats = common::chats(&sandbox).await;
    let known = chats[0]["id"].as_str().unwrap().to_owned();
    let second = chats[1]["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.url();
    let path = dir.path().to_path_buf();
    let (known2, unknown2) = (known.clone(), unknown.clone());
    let output = tokio::task::spawn_blocking(move || {
        balcao(&path)
            .args([
                "add",
                &known2,
                "not-a-uuid",
                &unknown2,
                "--base-url",
                &url,
                "--token",
                common::TOKEN,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains(&format!("{known}  added:")), "{stdout}");
    assert!(
        stdout.contains("not-a-uuid  invalid: not a UUID"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{unknown}  not found in Wegly (HTTP 404); not added"
        )),
        "{stdout}"
    );
    assert!(text(&output.stderr).contains("2 of 3 ids failed"));
    // An id nobody has is not kept as a permanent "gone" row.
    let rows = inbox_json(dir.path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r["id"] == known.as_str() && r["source"] == "manual" && r["gone"] == false)
    );

    // Ids on stdin, and a chat already known is refreshed.
    let url = sandbox.url();
    let path = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = balcao(&path)
            .args(["add", "-", "--base-url", &url, "--token", common::TOKEN])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{known}\n{second}, \n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(
        stdout.contains("refreshed") && stdout.contains("added"),
        "{stdout}"
    );
    assert!(!stdout.contains(common::TOKEN) && !text(&output.stderr).contains(common::TOKEN));
}

#[test]
fn inbox_list_filters_sorts_and_removes() {
    let dir = tempfile::tempdir().unwrap();
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    let now = chrono::Utc::now();
    let me = "c7e9a1b3-5d7f-4b2a-9c4e-6f8a0b2c4d6e";
    for (id, contact, priority, responsible, unread) in [
        ("a", "João Araújo", 1, Some(me), 2),
        ("b", "Maria Conceição", 3, None, 0),
        (
            "c",
            "Zé do Açaí",
            2,
            Some("11111111-1111-4111-8111-111111111111"),
            1,
        ),
    ] {
        let key = balcao::store::ChatKey::wegly("default", id);
        store
            .note_chat(&key, balcao::store::Source::Manual, now)
            .unwrap();
        let columns = balcao::store::Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(priority),
            contact: Some(contact.to_owned()),
            responsible_user_id: responsible.map(str::to_owned),
            unread,
            ..balcao::store::Columns::default()
        };
        store.save_detail(&key, "{}", &columns, now).unwrap();
    }
    drop(store);
    let ids = |filter: &str| -> Vec<String> {
        let output = balcao(dir.path())
            .args(["inbox", "list", "--json", "--filter", filter])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{filter}: {}",
            text(&output.stderr)
        );
        text(&output.stdout)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(ids(""), ["b", "c", "a"], "urgency: priority first");
    assert_eq!(ids("joao"), ["a"]);
    assert_eq!(ids("acai"), ["c"]);
    assert_eq!(ids("unread priority:>=2"), ["c"]);
    assert_eq!(ids("responsible:none"), ["b"]);
    assert_eq!(ids(&format!("responsible:{me}")), ["a"]);
    let table = balcao(dir.path())
        .args(["inbox", "list", "--lang", "pt-BR"])
        .output()
        .unwrap();
    let table = text(&table.stdout);
    assert!(
        table.starts_with("PRIOR.")
            && table.contains("Maria Conceição")
            && table.contains("urgente"),
        "{table}"
    );
    let bad = balcao(dir.path())
        .args(["inbox", "list", "--filter", "colour:red"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("unknown filter 'colour:'"));
    let mine = balcao(dir.path())
        .args(["inbox", "list", "--filter", "mine"])
        .output()
        .unwrap();
    assert_eq!(mine.status.code(), Some(2), "'me' is not configured");
    assert!(text(&mine.stderr).contains("set me = "));
    // `inbox watch` reads the same words and refuses them the same way, before it starts.
    let watch = balcao(dir.path())
        .args(["inbox", "watch", "--filter", "mine"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let watch = common::wait_for_exit(watch, Duration::from_secs(30), "inbox watch --filter mine");
    assert_eq!(watch.status.code(), Some(2), "{}", text(&watch.stderr));
    assert!(text(&watch.stderr).contains("set me = "));
    assert!(!text(&watch.stderr).contains("watching"));
    let removed = balcao(dir.path())
        .args(["inbox", "remove", "b"])
        .output()
        .unwrap();
    assert_eq!(removed.status.code(), Some(0));
    let again = balcao(dir.path())
        .args(["inbox", "remove", "b"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(ids(""), ["c", "a"]);
}

#[test]
fn an_empty_index_explains_how_chats_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let output = balcao(dir.path()).args(["inbox", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("balcao listen")
            && stderr.contains("balcao add")
            && stderr.contains("--demo"),
        "{stderr}"
    );
}

#[test]
fn a_foreign_file_in_the_data_dir_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("inbox.sqlite3");
    std::fs::write(&index, "minhas anotações\n").unwrap();
    let output = balcao(dir.path()).args(["inbox", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("is not a balcão inbox index"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&index).unwrap(),
        "minhas anotações\n"
    );
}

#[test]
fn listen_without_a_secret_or_token_says_where_to_set_them() {
    let dir = tempfile::tempdir().unwrap();
    let output = balcao(dir.path())
        .args(["listen", "--token", TOKEN])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("BALCAO_WEBHOOK_SECRET"));
    let output = balcao(dir.path())
        .args(["listen", "--webhook-secret", SECRET])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("WEGLY_TOKEN"));
    assert!(!text(&output.stderr).contains(SECRET));
}

#[test]
fn check_config_accepts_a_sound_file_and_lists_every_problem_of_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("loja.token");
    std::fs::write(&token_file, "tok-from-file\n").unwrap();
    set_mode(&token_file, 0o600);
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        format!(
            "data_dir = \"{}\"\n\n[receiver]\nlisten = \"127.0.0.1:8790\"\nsecret_env = \"BALCAO_TEST_SECRET\"\n\n\
             [[accounts]]\nname = \"loja\"\nprovider = \"wegly\"\ntoken_file = \"{}\"\nme = \"c7e9a1b3-5d7f-4b2a-9c4e-6f8a0b2c4d6e\"\n\n\
             [[accounts]]\nname = \"matriz\"\nprovider = \"agilize\"\ntoken_env = \"BALCAO_TEST_KEY\"\n",
            dir.path().display(),
            token_file.display()
        ),
    )
    .unwrap();
    let output = balcao(dir.path())
        .args(["check-config", "--config", good.to_str().unwrap()])
        .env("BALCAO_TEST_SECRET", "s")
        .env("BALCAO_TEST_KEY", "k")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("ok, 2 account(s): loja (wegly), matriz (agilize)"));

    let open_file = dir.path().join("open.token");
    std::fs::write(&open_file, "x").unwrap();
    set_mode(&open_file, 0o644);
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        format!(
            "[receiver]\nlisten = \"everywhere\"\nsecret_env = \"BALCAO_TEST_UNSET\"\n\n\
             [[accounts]]\nname = \"loja\"\nprovider = \"wegly\"\nbase_url = \"ftp://x\"\ntoken_env = \"A\"\ntoken_file = \"{}\"\n\n\
             [[accounts]]\nname = \"loja\"\nprovider = \"zendesk\"\n\n\
             [[accounts]]\nname = \"filial\"\nprovider = \"wegly\"\ntoken_file = \"{}\"\nme = \"joao\"\n",
            token_file.display(),
            open_file.display()
        ),
    )
    .unwrap();
    let output = balcao(dir.path())
        .args(["check-config", "--config", broken.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let shown = broken.display().to_string();
    for expected in [
        format!("{shown}:2: receiver.listen 'everywhere'"),
        format!("{shown}:3: secret_env: the environment variable 'BALCAO_TEST_UNSET' is not set"),
        format!("{shown}:8: base_url: 'ftp://x' must start with http:// or https://"),
        format!("{shown}:9: token: give token_env or token_file, not both"),
        format!("{shown}:13: account name 'loja' is used twice"),
        format!("{shown}:14: provider 'zendesk'"),
        format!("{shown}:19: token_file: "),
        "chmod 600".to_owned(),
        format!("{shown}:20: me 'joao' must be your user id"),
        "8 problem(s) in the configuration".to_owned(),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    let syntax = dir.path().join("syntax.toml");
    std::fs::write(
        &syntax,
        "[[accounts]]\nname = \"a\"\nprovider = \"wegly\"\ncolour = \"blue\"\n",
    )
    .unwrap();
    let output = balcao(dir.path())
        .args(["check-config", "--config", syntax.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(":4: unknown field `colour`"),
        "{}",
        text(&output.stderr)
    );

    // Commands refuse to run on a broken configuration, pointing at check-config.
    let output = balcao(dir.path())
        .args(["inbox", "list", "--config", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("balcao check-config"));
}

#[test]
fn a_closed_stdout_ends_inbox_list_and_audit_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    let key = balcao::store::ChatKey::wegly("default", "a");
    let now = chrono::Utc::now();
    store
        .note_chat(&key, balcao::store::Source::Manual, now)
        .unwrap();
    store
        .record_audit(&balcao::store::AuditEntry {
            at: now,
            key,
            action: "forget_chat".to_owned(),
            request: None,
            before: None,
            after: None,
            outcome: "confirmed".to_owned(),
            http_status: None,
            by: Some("Ana".to_owned()),
            batch: None,
            undo: None,
        })
        .unwrap();
    drop(store);
    for (args, what) in [
        (&["inbox", "list", "--json"][..], "inbox list --json"),
        (&["inbox", "list"], "inbox list"),
        (&["audit", "--json"], "audit --json"),
        (&["audit"], "audit"),
    ] {
        // The reader is gone before the command writes (`| head -0`): every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = balcao(dir.path())
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: {}",
            text(&output.stderr)
        );
        assert!(!text(&output.stderr).contains("Broken pipe"), "{what}");
    }
}
