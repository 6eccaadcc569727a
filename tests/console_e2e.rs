//! The console end to end in a pseudo-terminal: the real binary, the real sandbox over
//! loopback, keys typed as a person would, the screen read back through a terminal emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use pty::{Console, spawn};
use serde_json::Value;

const SECRET: &str = "whsec-e2e-4b1d";

async fn admin_chat(sandbox: &balcao::sandbox::RunningSandbox, id: &str) -> Value {
    common::chats(sandbox)
        .await
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_reassign_and_remove_by_keyboard() {
    let port = common::free_port();
    let sandbox = common::start_with(|config| {
        config.webhook = common::webhook(format!("http://127.0.0.1:{port}/webhooks/wegly"), SECRET);
    })
    .await;
    let total = common::chats(&sandbox).await.len();
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let responsible = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let participants: Vec<String> = chat["participant_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        participants[0], responsible,
        "the seed lists the responsible first"
    );
    let users = common::admin(&sandbox, "users").await;
    let newcomer = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| !participants.iter().any(|p| u["user_id"] == p.as_str()))
        .unwrap()
        .clone();
    let newcomer_id = newcomer["user_id"].as_str().unwrap().to_owned();
    let newcomer_name = newcomer["name"].as_str().unwrap().to_owned();
    let detail: Value = serde_json::from_slice(
        &common::client(&sandbox)
            .get_chat(common::uuid(&chat["id"]))
            .await
            .unwrap()
            .raw,
    )
    .unwrap();
    let number = detail["contact_number"].as_str().unwrap().to_owned();
    let responsible_name = detail["assigned_agent"]["user"]["name"]
        .as_str()
        .unwrap()
        .to_owned();

    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.url();
    let listen = format!("127.0.0.1:{port}");
    let data = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut console = spawn(
            &[
                "--base-url",
                &url,
                "--token",
                common::TOKEN,
                "--listen",
                &listen,
                "--webhook-secret",
                SECRET,
                "--lang",
                "en",
            ],
            &data,
        );
        // Every seeded chat arrives by webhook.
        console.wait_for(&format!("Chats {total} "));
        // Find the chat by its number, open it.
        console.keys(b"/");
        console.text(&number);
        console.keys(b"\r");
        console.wait_for(&format!("Chats 1/{total}"));
        console.keys(b"\r");
        console.wait_for(&format!("Responsible   {responsible_name}"));
        // Reassign to the newcomer, picked by typing part of the name.
        console.keys(b"r");
        console.wait_for("Reassign");
        console.text(newcomer_name.split(' ').next().unwrap());
        console.wait_for(&newcomer_name);
        console.keys(b"\r");
        console.wait_for(&format!("reassigned to {newcomer_name}"));
        // The former responsible is now an ordinary participant, first in the list: remove them.
        console.keys(b"x");
        console.wait_for("Who leaves the chat?");
        console.keys(b"\r");
        // Removing asks first, naming who leaves.
        console.wait_for(&format!("{responsible_name} leaves the chat"));
        console.keys(b"\r");
        console.wait_for(&format!("{responsible_name} removed from the chat"));
        console.quit();
    })
    .await
    .unwrap();
    let after = admin_chat(&sandbox, &id).await;
    assert_eq!(
        after["responsible_user_id"],
        newcomer_id.as_str(),
        "the sandbox's API reports the new responsible"
    );
    assert!(
        !after["participant_user_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == responsible.as_str()),
        "the participant is gone"
    );
    // Both changes are in the audit log.
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    let actions: Vec<(String, String)> = store
        .audit_log(10)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect();
    assert!(
        actions.contains(&("reassign_responsible".to_owned(), "confirmed".to_owned())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("remove_participant".to_owned(), "confirmed".to_owned())),
        "{actions:?}"
    );
}

/// A data dir holding some chats from an earlier run, fetched three hours ago.
fn cached_index(dir: &Path) -> Vec<String> {
    let chats: Vec<balcao::api::wegly::wire::Chat> = {
        let world = balcao::sandbox::world::World::from_seed(
            &balcao::sandbox::seed::Seed::bundled().unwrap(),
            chrono::Utc::now(),
        );
        world
            .chat_ids()
            .iter()
            .take(12)
            .map(|id| world.get_chat(&id.to_string()).unwrap())
            .collect()
    };
    let store = balcao::store::Store::open_in(dir).unwrap();
    let batch: Vec<_> = chats
        .iter()
        .map(|chat| {
            let key = balcao::store::ChatKey::wegly("default", chat.id.as_deref().unwrap());
            (
                key,
                serde_json::to_string(chat).unwrap(),
                balcao::store::Columns::from(chat),
            )
        })
        .collect();
    store
        .save_details(&batch, chrono::Utc::now() - chrono::Duration::hours(3))
        .unwrap();
    // Names short enough to show whole in the list.
    chats
        .iter()
        .filter_map(|c| c.contact_name.clone())
        .filter(|name| name.chars().count() <= 20)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_opens_on_the_cached_index_and_says_so() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let names = cached_index(dir.path());
    let url = sandbox.url();
    let data = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut console = spawn(
            &["--base-url", &url, "--token", "wrong-token", "--lang", "en"],
            &data,
        );
        console.wait_for("Chats 12 ");
        console.wait_for(&names[0]);
        console.wait_for("token refused");
        console.quit();
    })
    .await
    .unwrap();
    let requests = common::admin(&sandbox, "requests").await;
    assert!(
        requests["unread"].as_u64().unwrap_or(0) <= 3,
        "no retry storm: {requests}"
    );
}

/// A base URL where nothing listens.
fn dead_url() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    url
}

/// The console on `dir`'s index with the network down (2 s timeouts).
fn spawn_offline(dir: &Path) -> Console {
    spawn(
        &[
            "--base-url",
            &dead_url(),
            "--token",
            "t",
            "--lang",
            "en",
            "--timeout",
            "2",
        ],
        dir,
    )
}

/// The minutes in the detail's "as of 3h 07m ago".
fn shown_age_minutes(screen: &str) -> i64 {
    let line = screen
        .lines()
        .find(|line| line.contains("as of "))
        .unwrap_or_else(|| panic!("no 'as of' on the screen:\n{screen}"));
    let span = line
        .split("as of ")
        .nth(1)
        .and_then(|rest| rest.split(" ago").next())
        .unwrap_or_else(|| panic!("no age in {line:?}"));
    let (hours, minutes) = span
        .trim()
        .split_once("h ")
        .and_then(|(h, m)| {
            Some((
                h.parse::<i64>().ok()?,
                m.strip_suffix('m')?.parse::<i64>().ok()?,
            ))
        })
        .unwrap_or_else(|| panic!("not an 'Nh MMm' age: {span:?} in {line:?}"));
    hours * 60 + minutes
}

#[test]
fn with_the_network_down_the_index_stays_browsable() {
    let dir = tempfile::tempdir().unwrap();
    let names = cached_index(dir.path());
    let mut console = spawn_offline(dir.path());
    console.wait_for("Chats 12 ");
    console.wait_for(&names[0]);
    let screen = console.wait_for_line("the detail's age", |line| {
        line.contains("as of ") && line.contains(" ago")
    });
    // The age is computed from the console's clock at some moment between the index's write
    // and this read: anything from 3h 00m to the age at this read, whenever a minute turns.
    let fetched_at = balcao::store::Store::open_in(dir.path())
        .unwrap()
        .summaries()
        .unwrap()
        .iter()
        .filter_map(|row| row.hydrated_at)
        .max()
        .unwrap();
    let oldest = (chrono::Utc::now() - fetched_at).num_minutes();
    let shown = shown_age_minutes(&screen);
    assert!(
        (180..=oldest).contains(&shown),
        "fetched 3 h ago, read {oldest} min after: the detail says {shown} min; screen:\n{screen}"
    );
    console.keys(b"j");
    console.keys(b"\r");
    console.wait_for("could not reach");
    console.wait_for("offline");
    console.quit();
}

#[test]
fn a_chat_gone_from_the_crm_is_forgotten_from_the_index_after_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    cached_index(dir.path());
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    let mut rows = store.summaries().unwrap();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    let gone = rows[0].key.clone();
    store.mark_gone(&gone, chrono::Utc::now()).unwrap();
    drop(store);
    // Nothing answers: the console works from the index alone.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut console = spawn(
        &["--base-url", &url, "--token", "t", "--lang", "en"],
        dir.path(),
    );
    console.wait_for("Chats 12 ");
    // The gone row is parked at the end of the list.
    console.keys(b"G");
    console.keys(b"F");
    console.wait_for("Forget · ");
    console.wait_for(&format!("({})", gone.chat_id));
    console.keys(b"\r");
    console.wait_for("forgotten: out of the index");
    console.wait_for("Chats 11 ");
    console.quit();
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    assert!(
        store.summary(&gone).unwrap().is_none(),
        "the index forgot it"
    );
    assert!(
        store.detail(&gone).unwrap().is_none(),
        "with its stored detail"
    );
    assert_eq!(store.summaries().unwrap().len(), 11);
    let audit = store.audit_log(5).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "forget_chat" && e.outcome == "confirmed" && e.key == gone),
        "{audit:?}"
    );
}

#[test]
fn start_up_problems_exit_2_and_leave_the_terminal_alone() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &Path)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_balcao"));
        for name in [
            "WEGLY_BASE_URL",
            "WEGLY_TOKEN",
            "BALCAO_CONFIG",
            "BALCAO_KEYMAP",
            "BALCAO_LANG",
        ] {
            command.env_remove(name);
        }
        command
            .env("LANG", "C.UTF-8")
            .env("XDG_CONFIG_HOME", dir.path().join("none"))
            .env("BALCAO_DATA_DIR", dir.path());
        for (name, value) in env {
            command.env(name, value);
        }
        command.args(args).output().unwrap()
    };
    let output = run(&[], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no account configured") && stderr.contains("balcao --demo"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("\u{1b}[?1049h"));

    let keymap = dir.path().join("keymap.toml");
    std::fs::write(&keymap, "[list]\nfly = [\"f\"]\nopen_chat = [\"q\"]\n").unwrap();
    let output = run(&["--demo"], &[("BALCAO_KEYMAP", &keymap)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":2: unknown action 'fly'")
            && stderr.contains("'q' in [global] and [list]"),
        "{stderr}"
    );
    assert!(stderr.contains("the console did not start"));
    assert!(output.stdout.is_empty(), "nothing was drawn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassign_and_conclude_a_room_by_keyboard() {
    let port = common::free_port();
    let sandbox = common::start_with(|config| {
        config.webhook = common::webhook(format!("http://127.0.0.1:{port}/webhooks/wegly"), SECRET);
        config.agilize_webhook_url =
            Some(format!("http://127.0.0.1:{port}/webhooks/agilize/{SECRET}"));
    })
    .await;
    let listing = common::admin(&sandbox, "rooms").await;
    let rooms = listing["rooms"].as_array().unwrap().clone();
    let room = rooms
        .iter()
        .find(|r| {
            r["chSrc"] == 1
                && r["chPhone"].is_string()
                && r["chIsArchived"] == false
                && r["user"].is_string()
        })
        .unwrap()
        .clone();
    let id = room["_id"].as_str().unwrap().to_owned();
    let phone = room["chPhone"].as_str().unwrap().to_owned();
    let current = room["user"].as_str().unwrap().to_owned();
    // Someone the index knows from another room, not the current user.
    let target = rooms
        .iter()
        .filter_map(|r| r["user"].as_str())
        .find(|u| *u != current)
        .unwrap()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.url();
    let listen = format!("127.0.0.1:{port}");
    let data = dir.path().to_path_buf();
    let wanted = target.clone();
    tokio::task::spawn_blocking(move || {
        let mut console = spawn(
            &[
                "--base-url",
                &url,
                "--token",
                common::TOKEN,
                "--agilize-base-url",
                &url,
                "--agilize-key",
                common::AGILIZE_KEY,
                "--listen",
                &listen,
                "--webhook-secret",
                SECRET,
                "--lang",
                "en",
            ],
            &data,
        );
        console.wait_for("ACCOUNT");
        console.keys(b"/");
        console.text(&phone);
        console.keys(b"\r");
        console.wait_for("Chats 1/");
        console.keys(b"\r");
        console.wait_for("Channel       WhatsApp");
        console.keys(b"r");
        console.wait_for("Reassign");
        console.text(&wanted[..10]);
        console.keys(b"\r");
        let screen = console.wait_for(&format!("room assigned to {wanted}"));
        // A change is not a message: the room's last message keeps its age.
        assert!(!screen.contains("(now)"), "{screen}");
        console.keys(b"A");
        // Concluding asks first.
        console.wait_for("Conclude room");
        console.keys(b"\r");
        let screen = console.wait_for("room concluded");
        assert!(!screen.contains("(now)"), "{screen}");
        console.quit();
    })
    .await
    .unwrap();
    let after = common::admin(&sandbox, "rooms").await["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["_id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        after["user"],
        target.as_str(),
        "the sandbox's API reports the new user"
    );
    assert!(
        after["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == target.as_str()),
        "and the user joined the room"
    );
    assert_eq!(after["chIsArchived"], true);
    assert!(after["dtIsArchived"].is_string());
}

impl Console {
    /// The pseudo-terminal's line settings as `stty -a` prints them (read through the master
    /// side, which shares the terminal's settings).
    fn stty(&self) -> String {
        use std::os::fd::AsFd;
        let fd = self.pty.as_fd().try_clone_to_owned().unwrap();
        let output = std::process::Command::new("stty")
            .arg("-a")
            .stdin(std::process::Stdio::from(fd))
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits (up to 15 s) for the process to end.
    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().unwrap() {
                self.read_to_the_end();
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the console did not end; screen:\n{}",
                self.screen()
            );
        }
    }
}

/// SIGTERM, SIGINT and SIGHUP end the console like `q`: the terminal leaves raw mode and the
/// alternate screen, the cursor shows again, and the exit status is 128 + the signal.
#[test]
fn termination_signals_restore_the_terminal() {
    for (name, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        cached_index(dir.path());
        let mut console = spawn_offline(dir.path());
        console.wait_for("Chats 12 ");
        let raw_mode = console.stty();
        assert!(
            raw_mode.contains("-icanon") && raw_mode.contains("-echo "),
            "the console runs in raw mode: {raw_mode}"
        );
        let killed = std::process::Command::new("kill")
            .args([format!("-{name}"), console.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = console.wait_exit();
        assert_eq!(
            status.code(),
            Some(128 + number),
            "SIG{name}: {status:?}; screen:\n{}",
            console.screen()
        );
        let settings = console.stty();
        assert!(
            !settings.contains("-icanon") && !settings.contains("-echo "),
            "SIG{name}: raw mode left: {settings}"
        );
        let raw = String::from_utf8_lossy(&console.raw);
        let left = raw
            .rfind("\u{1b}[?1049l")
            .expect("the alternate screen was left");
        assert!(left > raw.rfind("\u{1b}[?1049h").unwrap());
        assert!(
            raw.rfind("\u{1b}[?25h") > Some(left)
                && raw.rfind("\u{1b}[?25h") > raw.rfind("\u{1b}[?25l"),
            "SIG{name}: the cursor shows again, after the screen is left"
        );
    }
}

/// A forged webhook while the console is open is refused and logged to `balcao.log`, never
/// written over the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_webhook_goes_to_the_log_file_not_the_screen() {
    let port = common::free_port();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let url = dead_url();
    let log = data.join("balcao.log");
    tokio::task::spawn_blocking(move || {
        let listen = format!("127.0.0.1:{port}");
        let mut command_env = spawn(
            &[
                "--base-url",
                &url,
                "--token",
                "t",
                "--listen",
                &listen,
                "--webhook-secret",
                SECRET,
                "--lang",
                "en",
                "--timeout",
                "2",
            ],
            &data,
        );
        command_env.wait_for("Chats");
        let before = command_env.raw.len();
        let body = r#"{"event_key":"chat.message_received","payload":{}}"#;
        let mut stream = std::net::TcpStream::connect(&listen).unwrap();
        write!(
            stream,
            "POST /webhooks/wegly HTTP/1.1\r\nhost: {listen}\r\ncontent-type: application/json\r\nx-wegly-event: chat.message_received\r\nx-wegly-signature: 00\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
        // The refusal reaches the log file (its writer runs in the background).
        let deadline = Instant::now() + Duration::from_secs(30);
        while !std::fs::read_to_string(&log).unwrap_or_default().contains("refused") {
            assert!(Instant::now() < deadline, "the refusal never reached balcao.log");
            command_env.pump(Duration::from_millis(100));
        }
        assert!(!command_env.screen().contains("WARN"));
        // Everything drawn from the forged request to the exit.
        let raw = command_env.quit();
        let drawn = String::from_utf8_lossy(&raw[before..]).into_owned();
        assert!(
            !drawn.contains("WARN") && !drawn.contains("refused"),
            "a log line reached the screen: {drawn:?}"
        );
    })
    .await
    .unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("balcao.log"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the log can quote customers: private");
}

#[test]
fn a_log_file_that_cannot_be_written_is_said_on_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let names = cached_index(dir.path());
    // A folder where the log file goes: the console cannot open it, and runs without a log.
    std::fs::create_dir(dir.path().join("balcao.log")).unwrap();
    let mut console = spawn_offline(dir.path());
    console.wait_for(&names[0]);
    console.wait_for("no log file: cannot write");
    console.quit();
}
