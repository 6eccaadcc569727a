//! Team mode from the command line, as processes on real indexes (a SQLite file, and a database of
//! a throwaway `PostgreSQL` cluster): where the index is (`--index`, `BALCAO_INDEX`, the
//! configuration), a password that never shows, the audit log of CLI changes, `inbox watch`,
//! `index copy` both ways, and the local journal of a change made while the index was down.
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

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use balcao::api::{Change, Scope};
use balcao::store::location::DatabaseUrl;
use balcao::store::{AuditEntry, ChatKey, Columns, OpenOptions, Source, Store};
use chrono::{TimeDelta, Utc};
use cli::{json_lines, set_mode, text};
use common::pg;
use serde_json::Value;

/// The desk member every test's configuration names.
const NAME: &str = "Ana Souza";
/// How long a line a test waits for may take: generous, it is a bound, not a pace.
const DEADLINE: Duration = Duration::from_secs(60);

/// `url` without its password, and the password.
fn split_password(url: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, host) = rest.split_once('@').unwrap();
    let (user, password) = userinfo.split_once(':').unwrap();
    (format!("{scheme}://{user}@{host}"), password.to_owned())
}

/// The sandbox, served by a runtime of its own while the test thread runs processes.
struct Sandbox {
    runtime: tokio::runtime::Runtime,
    running: balcao::sandbox::RunningSandbox,
}

impl Sandbox {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let running = runtime.block_on(common::start());
        Self { runtime, running }
    }

    fn url(&self) -> String {
        self.running.url()
    }

    fn admin(&self, path: &str) -> Value {
        self.runtime.block_on(common::admin(&self.running, path))
    }

    /// A chat with a responsible and another participant.
    fn chat(&self) -> Value {
        self.runtime
            .block_on(common::chat_with_two_participants(&self.running))
    }

    fn chat_ids(&self) -> Vec<String> {
        self.admin("chats")
            .as_array()
            .unwrap()
            .iter()
            .map(|chat| chat["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn user_name(&self, user_id: &str) -> String {
        self.admin("users")
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user["user_id"] == user_id)
            .and_then(|user| user["name"].as_str())
            .unwrap()
            .to_owned()
    }

    /// A user who is neither the chat's responsible nor a participant.
    fn newcomer(&self, chat: &Value) -> String {
        self.admin("users")
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["user_id"].as_str().unwrap().to_owned())
            .find(|user| {
                !chat["participant_user_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == user)
            })
            .unwrap()
    }
}

/// Where a test's index lives.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One desk member's machine: a data dir, a configuration with their name, and the index (given
/// through `BALCAO_INDEX`; a database's password through `PGPASSWORD`, never in the URL).
struct Desk {
    dir: tempfile::TempDir,
    config: PathBuf,
    index: String,
    password: Option<String>,
    sandbox: Option<String>,
}

impl Desk {
    fn new(backend: Backend, sandbox: Option<&Sandbox>) -> Self {
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(pg::fresh_database()),
        };
        Self::on(url.as_deref(), sandbox)
    }

    /// A desk on the database `url` (with its password), or on a SQLite file when `None`.
    fn on(url: Option<&str>, sandbox: Option<&Sandbox>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, format!("name = \"{NAME}\"\n")).unwrap();
        let (index, password) = match url {
            None => (
                dir.path()
                    .join("desk")
                    .join("index.sqlite3")
                    .display()
                    .to_string(),
                None,
            ),
            Some(url) => {
                let (url, password) = split_password(url);
                (url, Some(password))
            }
        };
        Self {
            dir,
            config,
            index,
            password,
            sandbox: sandbox.map(Sandbox::url),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The URL with its password, for the test's own connections.
    fn full_url(&self) -> String {
        let password = self.password.as_deref().unwrap();
        self.index
            .replacen("://balcao@", &format!("://balcao:{password}@"), 1)
    }

    /// The index, opened by the test itself (another process than the commands').
    fn store(&self) -> Store {
        match &self.password {
            Some(_) => Store::connect(&DatabaseUrl::new(&self.full_url())).unwrap(),
            None => Store::open(Path::new(&self.index), OpenOptions::default()).unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = cli::balcao(&self.data_dir());
        command
            .args(args)
            .args(["--config", self.config.to_str().unwrap()])
            .env("BALCAO_INDEX", &self.index)
            .env("WEGLY_TOKEN", common::TOKEN)
            .env("AGILIZE_API_KEY", common::AGILIZE_KEY);
        if let Some(url) = &self.sandbox {
            command.args(["--base-url", url, "--agilize-base-url", url]);
        }
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed.
    fn ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        output
    }

    fn audit(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["audit", "--json"];
        all.extend_from_slice(args);
        json_lines(&self.ok(&all).stdout)
    }

    fn inbox(&self) -> Vec<Value> {
        json_lines(&self.ok(&["inbox", "list", "--json"]).stdout)
    }
}

// --- Where the index is. ---

#[test]
fn the_index_is_the_flag_else_the_variable_else_the_configuration_else_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let config = at("config.toml");
    std::fs::write(
        &config,
        format!("index = \"{}\"\n", at("config.sqlite3").display()),
    )
    .unwrap();
    let data = at("data");
    let list = |flag: Option<&str>, variable: Option<&str>, with_config: bool| {
        let mut command = cli::balcao(&data);
        command.args(["inbox", "list", "--json"]);
        if with_config {
            command.args(["--config", config.to_str().unwrap()]);
        }
        if let Some(flag) = flag {
            command.args(["--index", flag]);
        }
        if let Some(variable) = variable {
            command.env("BALCAO_INDEX", variable);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    };
    let flag = at("flag.sqlite3").display().to_string();
    let variable = at("variable.sqlite3").display().to_string();
    let made = || {
        ["flag.sqlite3", "variable.sqlite3", "config.sqlite3"]
            .map(|name| at(name).exists())
            .to_vec()
    };
    list(Some(&flag), Some(&variable), true);
    assert_eq!(made(), [true, false, false], "the flag wins");
    list(None, Some(&variable), true);
    assert_eq!(made(), [true, true, false], "then the variable");
    list(None, None, true);
    assert_eq!(made(), [true, true, true], "then the configuration");
    assert!(!data.join("inbox.sqlite3").exists());
    list(None, None, false);
    assert!(
        data.join("inbox.sqlite3").exists(),
        "else the data dir's file"
    );
}

#[test]
fn the_team_keys_are_checked_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("pg.secret");
    std::fs::write(&secret, "s3cr3t-from-file\n").unwrap();
    set_mode(&secret, 0o644);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"  \"\nindex = \"\"\nindex_password_file = \"{}\"\n",
            secret.display()
        ),
    )
    .unwrap();
    let output = cli::balcao(dir.path())
        .args(["check-config", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let shown = config.display().to_string();
    for expected in [
        format!("{shown}:1: name is empty"),
        format!("{shown}:2: index is empty"),
        format!("{shown}:3: index_password_file: "),
        "chmod 600".to_owned(),
        "3 problem(s)".to_owned(),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in {stderr}"
        );
    }
    assert!(!stderr.contains("s3cr3t-from-file"));

    // A password in the file's URL is refused while others can read the file.
    std::fs::write(
        &config,
        "name = \"Ana\"\nindex = \"postgres://balcao:s3cr3t-in-url@127.0.0.1:1/desk\"\n",
    )
    .unwrap();
    set_mode(&config, 0o644);
    let output = cli::balcao(dir.path())
        .args(["check-config", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}:2: index: the URL holds a password")),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-in-url"), "{stderr}");

    // A name of the wrong type gets the file's usual message.
    std::fs::write(&config, "name = 3\n").unwrap();
    let output = cli::balcao(dir.path())
        .args(["check-config", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(":1: invalid type"),
        "{}",
        text(&output.stderr)
    );
}

// --- The password never shows. ---

/// Every stream of `output` is free of `password`.
fn assert_hidden(output: &Output, password: &str, what: &str) {
    for stream in [&output.stdout, &output.stderr] {
        assert!(
            !text(stream).contains(password),
            "{what}: the password shows in {}",
            text(stream)
        );
    }
}

#[test]
fn the_password_never_shows_in_check_config_errors_or_listen() {
    let url = pg::fresh_database();
    let (bare, password) = split_password(&url);
    let dir = tempfile::tempdir().unwrap();
    let check = |index: &str, env: &[(&str, &str)], config: Option<&Path>| {
        let mut command = cli::balcao(dir.path());
        command.args(["check-config", "--index", index]);
        if let Some(config) = config {
            command.args(["--config", config.to_str().unwrap()]);
        }
        command.envs(env.iter().copied());
        command.output().unwrap()
    };

    // In the URL: shown hidden, reachable; the flag's password is warned about (`ps`).
    let output = check(&url, &[], None);
    assert_hidden(&output, &password, "check-config, password in the URL");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("index: postgres://balcao:***@127.0.0.1:") && stdout.contains("reachable"),
        "{stdout}"
    );
    assert!(text(&output.stderr).contains("visible to every user in `ps`"));

    // From PGPASSWORD, and from the configuration's password file.
    let output = check(&bare, &[("PGPASSWORD", &password)], None);
    assert_hidden(&output, &password, "check-config, PGPASSWORD");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("`ps`"));
    let secret = dir.path().join("pg.secret");
    std::fs::write(&secret, format!("{password}\n")).unwrap();
    set_mode(&secret, 0o600);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("index_password_file = \"{}\"\n", secret.display()),
    )
    .unwrap();
    let output = check(&bare, &[], Some(&config));
    assert_hidden(&output, &password, "check-config, password file");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    // A wrong password, and a server that is not there: said, without the password.
    let wrong = url.replacen(&password, "Wr0ngPassw0rd-x", 1);
    let output = check(&wrong, &[], None);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    assert_hidden(&output, "Wr0ngPassw0rd-x", "check-config, wrong password");
    assert!(text(&output.stderr).contains("postgres://balcao:***@"));
    let nowhere = format!(
        "postgres://balcao:{password}@127.0.0.1:{}/desk",
        common::free_port()
    );
    let output = check(&nowhere, &[], None);
    assert_eq!(output.status.code(), Some(2));
    assert_hidden(&output, &password, "check-config, no server");
    assert!(
        text(&output.stderr).contains("unreachable"),
        "{}",
        text(&output.stderr)
    );
    let no_server = cli::balcao(dir.path())
        .args(["inbox", "list", "--index", &nowhere])
        .output()
        .unwrap();
    assert_eq!(no_server.status.code(), Some(1));
    assert_hidden(&no_server, &password, "inbox list, no server");
    assert!(text(&no_server.stderr).contains("shared index postgres://balcao:***@127.0.0.1:"));

    // listen names the index, hidden, in its start lines; its argv holds no password when the
    // URL comes from the environment.
    let mut listen = cli::balcao(dir.path())
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            &format!("http://127.0.0.1:{}", common::free_port()),
        ])
        .env("BALCAO_INDEX", &url)
        .env("WEGLY_TOKEN", "tok-listen")
        .env("BALCAO_WEBHOOK_SECRET", "whsec-listen")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(listen.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", listen.id())).unwrap();
    assert!(!text(&cmdline).contains(&password));
    let mut stderr = BufReader::new(listen.stderr.take().unwrap());
    let mut start = String::new();
    stderr.read_line(&mut start).unwrap();
    assert!(
        start.contains("index postgres://balcao:***@127.0.0.1:"),
        "{start}"
    );
    let output = common::terminate(listen, "listen");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(output.status.code(), Some(0), "{rest}");
    assert!(
        !start.contains(&password) && !rest.contains(&password),
        "{rest}"
    );
}

// --- The audit log of changes made from the command line. ---

fn changes_are_audited(backend: Backend) {
    let sandbox = Sandbox::start();
    let desk = Desk::new(backend, Some(&sandbox));
    let chat = sandbox.chat();
    let id = chat["id"].as_str().unwrap().to_owned();
    let former = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let newcomer = sandbox.newcomer(&chat);

    desk.ok(&["chat", "reassign", &id, "--to", &newcomer]);
    desk.ok(&["chat", "remove-participant", &id, &former]);
    let entries = desk.audit(&[]);
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (removal, reassignment) = (&entries[0], &entries[1]);
    assert_eq!(reassignment["by"], NAME);
    assert_eq!(reassignment["action"], "reassign_responsible");
    assert_eq!(reassignment["chat_id"], id.as_str());
    assert_eq!(reassignment["outcome"], "confirmed");
    assert_eq!(reassignment["http_status"], 200);
    assert_eq!(reassignment["before"], sandbox.user_name(&former).as_str());
    assert_eq!(reassignment["after"], sandbox.user_name(&newcomer).as_str());
    let reassigned = Change::Reassign {
        to: newcomer.clone(),
        expected: None,
        scope: Scope::CHAT,
    };
    assert_eq!(
        reassignment["request"],
        balcao::api::wegly::changes::describe(&reassigned).as_str()
    );
    assert_eq!(removal["action"], "remove_participant");
    // The request in the words a console's entry for the same change uses.
    let removed = Change::RemoveParticipant {
        user_id: former.clone(),
    };
    assert_eq!(
        removal["request"],
        balcao::api::wegly::changes::describe(&removed).as_str()
    );
    assert_eq!(removal["by"], NAME);
    assert_eq!(removal["before"], sandbox.user_name(&former).as_str());
    assert_eq!(removal["outcome"], "confirmed");

    // The chat's row took the change: every console sees it.
    let rows = desk.inbox();
    let row = rows.iter().find(|row| row["id"] == id.as_str()).unwrap();
    assert_eq!(row["responsible_user_id"], newcomer.as_str());

    // Filters.
    assert_eq!(desk.audit(&["--chat", &id.to_uppercase()]).len(), 2);
    let other = uuid::Uuid::new_v4().to_string();
    assert!(desk.audit(&["--chat", &other]).is_empty());
    assert_eq!(desk.audit(&["--by", "ANA SOUZA"]).len(), 2);
    assert!(desk.audit(&["--by", "Bruno"]).is_empty());
    assert_eq!(desk.audit(&["--limit", "1"]), vec![removal.clone()]);
    // An entry three hours old, written by someone else: `--since` draws the line.
    let old = AuditEntry {
        at: Utc::now() - TimeDelta::hours(3),
        key: ChatKey::wegly("default", &other),
        action: "reassign_responsible".to_owned(),
        request: None,
        before: Some("Carlos".to_owned()),
        after: Some("Dora".to_owned()),
        outcome: "confirmed".to_owned(),
        http_status: Some(200),
        by: Some("Carlos".to_owned()),
        batch: Some("b-1".to_owned()),
        undo: None,
    };
    desk.store().record_audit(&old).unwrap();
    assert_eq!(desk.audit(&["--since", "2h"]).len(), 2);
    assert_eq!(desk.audit(&["--since", "1d"]).len(), 3);
    assert_eq!(desk.audit(&["--by", "carlos"])[0]["batch"], "b-1");
    let bad = desk.run(&["audit", "--since", "3 days"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("--since '3 days' is not a duration")
            && text(&bad.stdout).is_empty(),
        "{}",
        text(&bad.stderr)
    );
    let table = text(&desk.ok(&["audit", "--chat", &id]).stdout);
    assert!(
        table.contains(NAME) && table.contains("reassign_responsible") && table.contains("→"),
        "{table}"
    );

    // A chat created and a room updated are audited too, and land in the index.
    let line = sandbox.admin("lines")[0]["id"].as_str().unwrap().to_owned();
    let created = desk.ok(&[
        "chat",
        "create",
        "--line",
        &line,
        "--to",
        "5511955550101",
        "--template",
        "saudacao_inicial",
        "--json",
    ]);
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    let created_id = created["id"].as_str().unwrap();
    let entry = &desk.audit(&["--chat", created_id])[0];
    assert_eq!(
        (&entry["action"], &entry["outcome"], &entry["by"]),
        (
            &Value::from("create_chat"),
            &Value::from("created"),
            &Value::from(NAME)
        )
    );
    let rows = desk.inbox();
    let row = rows.iter().find(|row| row["id"] == created_id).unwrap();
    assert_eq!(row["source"], "created");
    let room = sandbox.admin("rooms")["rooms"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    desk.ok(&["room", "update", &room, "--status", "em-atendimento"]);
    let entry = &desk.audit(&["--chat", &room])[0];
    assert_eq!(entry["action"], "update_room");
    assert_eq!(entry["provider"], "agilize");
    assert_eq!(entry["after"], r#"{"status":"em-atendimento"}"#);
    assert_eq!(entry["by"], NAME);
    assert!(desk.inbox().iter().any(|row| row["id"] == room.as_str()));
}

#[test]
fn cli_changes_are_audited_with_the_configured_name_on_sqlite() {
    changes_are_audited(Backend::Sqlite);
}

#[test]
fn cli_changes_are_audited_with_the_configured_name_on_postgres() {
    changes_are_audited(Backend::Postgres);
}

// --- inbox watch. ---

/// A running `inbox watch`: its stdout and stderr lines as they come.
struct Watcher {
    /// Killed on drop (a failing test leaves no watcher running); `stop` ends it with SIGTERM.
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    errors: mpsc::Receiver<String>,
}

impl Watcher {
    /// Starts `inbox watch` and waits for its start line (its starting revision is taken).
    fn start(desk: &Desk, args: &[&str]) -> Self {
        Self::start_reading(desk, args, true)
    }

    /// Starts `inbox watch`; its stdout is read, or closed at once when `read` is false.
    fn start_reading(desk: &Desk, args: &[&str], read: bool) -> Self {
        let mut all = vec!["inbox", "watch"];
        all.extend_from_slice(args);
        let mut child = desk
            .command(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = if read {
            forward(stdout)
        } else {
            drop(stdout);
            mpsc::channel().1
        };
        let errors = forward(child.stderr.take().unwrap());
        let watcher = Self {
            child: Some(child),
            lines,
            errors,
        };
        let start = watcher.error_line(|line| line.contains("watching"));
        assert!(start.contains("from revision"), "{start}");
        watcher
    }

    /// SIGTERM, and the exit.
    fn stop(mut self) -> Output {
        common::terminate(self.child.take().unwrap(), "inbox watch")
    }

    /// The next stdout line, parsed.
    fn next(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|error| panic!("no line from inbox watch: {error}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    /// Lines until one `wanted` accepts; returns it.
    fn until(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = self.next();
            if wanted(&line) {
                return line;
            }
            assert!(
                line["id"].is_string(),
                "{what}: a line without an id: {line}"
            );
        }
    }

    /// The first stderr line `wanted` accepts.
    fn error_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let line = self
                .errors
                .recv_timeout(DEADLINE)
                .unwrap_or_else(|error| panic!("no such stderr line from inbox watch: {error}"));
            if wanted(&line) {
                return line;
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Only after a failure: a passing test stops its watchers itself.
            drop(child.kill());
            drop(child.wait());
        }
    }
}

/// A thread that sends each line of `stream` as it is read.
fn forward(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn watch_streams_changes(backend: Backend) {
    let sandbox = Sandbox::start();
    let desk = Desk::new(backend, Some(&sandbox));
    let ids = sandbox.chat_ids();
    let (first, second) = (&ids[0], &ids[1]);
    let all = Watcher::start(&desk, &["--json"]);
    // The filter's words are those of `inbox list --filter`: an id's start selects it.
    let filtered = Watcher::start(&desk, &["--json", "--filter", &second[..13]]);

    desk.ok(&["add", first]);
    desk.ok(&["add", second]);
    let line = all.until("the first chat", |line| line["id"] == first.as_str());
    assert!(line["revision"].as_i64().unwrap() > 0, "{line}");
    assert_eq!(line["account"], "default");
    all.until("the second chat", |line| line["id"] == second.as_str());
    // The filtered watcher's first line is the second chat: the first was left out.
    let line = filtered.next();
    assert_eq!(line["id"], second.as_str(), "{line}");
    assert!(line["contact"].is_string() || line["contact"].is_null());

    desk.ok(&["inbox", "remove", second]);
    let removed = all.until("the removal", |line| line["removed"] == true);
    assert_eq!(removed["id"], second.as_str());
    filtered.until("the removal", |line| line["removed"] == true);

    // SIGTERM: a quiet exit 0.
    assert_eq!(filtered.stop().status.code(), Some(0));
    assert_eq!(all.stop().status.code(), Some(0));
    // A closed stdout (`| head -1` gone): exit 0 at the next line it would write.
    let mut closed = Watcher::start_reading(&desk, &["--json"], false);
    desk.ok(&["add", second]);
    let status = common::wait_until(DEADLINE, common::POLL, "inbox watch ends", || {
        closed
            .child
            .as_mut()
            .unwrap()
            .try_wait()
            .unwrap()
            .ok_or_else(|| "still running".to_owned())
    });
    let stderr: Vec<String> = closed.errors.try_iter().collect();
    assert!(
        status.success(),
        "inbox watch ended with {status}: {stderr:?}"
    );
}

#[test]
fn inbox_watch_prints_a_line_for_each_chat_another_process_changes_on_sqlite() {
    watch_streams_changes(Backend::Sqlite);
}

#[test]
fn inbox_watch_prints_a_line_for_each_chat_another_process_changes_on_postgres() {
    watch_streams_changes(Backend::Postgres);
}

#[test]
fn inbox_watch_reconnects_after_the_database_restarts_and_misses_nothing() {
    let cluster = pg::Cluster::start_new();
    let desk = Desk::on(Some(&cluster.fresh_database()), None);
    let key = |n: u128| ChatKey::wegly("default", &uuid::Uuid::from_u128(n).to_string());
    let watcher = Watcher::start(&desk, &["--json"]);
    desk.store()
        .note_chat(&key(1), Source::Manual, Utc::now())
        .unwrap();
    watcher.until("the first chat", |line| {
        line["id"] == key(1).chat_id.as_str()
    });

    cluster.stop();
    let lost = watcher.error_line(|line| line.contains("unreachable since"));
    assert!(
        lost.contains("shared index unreachable since") && lost.contains("reconnecting"),
        "{lost}"
    );
    assert!(!lost.contains(desk.password.as_deref().unwrap()), "{lost}");
    cluster.start();
    // Written as soon as the server is back, likely before the watcher listens again: it comes
    // through the catch-up from the last revision seen.
    desk.store()
        .note_chat(&key(2), Source::Manual, Utc::now())
        .unwrap();
    watcher.until("the chat written while reconnecting", |line| {
        line["id"] == key(2).chat_id.as_str()
    });
    watcher.error_line(|line| line.contains("index back"));
    assert_eq!(watcher.stop().status.code(), Some(0));
}

// --- index copy. ---

/// A SQLite index at `path` with `chats` chats (every other one fetched), as many audit entries
/// and one draft.
fn filled_sqlite(path: &Path, chats: u128) -> Store {
    let store = Store::open(path, OpenOptions::default()).unwrap();
    let now = Utc::now();
    for n in 1..=chats {
        let key = ChatKey::wegly("loja", &uuid::Uuid::from_u128(n).to_string());
        store.note_chat(&key, Source::Webhook, now).unwrap();
        if n % 2 == 1 {
            let columns = Columns {
                status: Some("OPEN".to_owned()),
                contact: Some(format!("Cliente {n} ção")),
                unread: 2,
                ..Columns::default()
            };
            store
                .save_detail(
                    &key,
                    &format!("{{\"id\":\"{}\"}}", key.chat_id),
                    &columns,
                    now,
                )
                .unwrap();
        }
        store
            .record_audit(&AuditEntry {
                at: now - TimeDelta::minutes(i64::try_from(n).unwrap()),
                key: key.clone(),
                action: "reassign_responsible".to_owned(),
                request: Some("{}".to_owned()),
                before: Some(format!("antes {n}")),
                after: Some(format!("depois {n}")),
                outcome: "confirmed".to_owned(),
                http_status: Some(200),
                by: Some(NAME.to_owned()),
                batch: None,
                undo: None,
            })
            .unwrap();
    }
    drop(store);
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .execute(
            "INSERT INTO drafts (account, provider, chat_id, body, updated_at) VALUES ('loja', 'wegly', ?1, 'Olá, tudo bem?', 1700000000000)",
            [uuid::Uuid::from_u128(1).to_string()],
        )
        .unwrap();
    drop(connection);
    Store::open(path, OpenOptions::default()).unwrap()
}

fn drafts(path: &Path) -> Vec<(String, String, i64)> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection
        .prepare("SELECT chat_id, body, updated_at FROM drafts ORDER BY chat_id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_index_copies_to_postgres_and_back_and_a_full_target_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.sqlite3");
    let source = filled_sqlite(&first, 3);
    let url = pg::fresh_database();
    let (bare, password) = split_password(&url);
    let copy = |from: &str, to: &str, force: bool| {
        let mut command = cli::balcao(dir.path());
        command
            .args(["index", "copy", "--from", from, "--to", to])
            .env("PGPASSWORD", &password);
        if force {
            command.arg("--force");
        }
        let output = command.output().unwrap();
        assert_hidden(&output, &password, "index copy");
        output
    };
    let first_path = first.to_str().unwrap();
    let output = copy(first_path, &bare, false);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout)
            .contains("3 chat(s) with their details, 3 audit entr(ies), 1 draft(s)"),
        "{}",
        text(&output.stdout)
    );
    let target = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let rows = |store: &Store| {
        let mut rows = store.summaries().unwrap();
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        rows
    };
    assert_eq!(rows(&target), rows(&source));
    assert_eq!(target.audit_log(10).unwrap(), source.audit_log(10).unwrap());
    for row in rows(&source) {
        assert_eq!(
            target.detail_as_of(&row.key).unwrap(),
            source.detail_as_of(&row.key).unwrap()
        );
    }
    // Every copied chat has a revision of its own: a console following the index sees them.
    let changes = target.changes_since(0, 100).unwrap();
    assert_eq!(changes.chats.len(), 3);
    assert_eq!(changes.revision, target.revision().unwrap());
    let copied_at = target.revision().unwrap();

    // And back, into a new file.
    let back = dir.path().join("back.sqlite3");
    let output = copy(&bare, back.to_str().unwrap(), false);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let returned = Store::open(&back, OpenOptions::default()).unwrap();
    assert_eq!(rows(&returned), rows(&source));
    assert_eq!(
        returned.audit_log(10).unwrap(),
        source.audit_log(10).unwrap()
    );
    assert_eq!(drafts(&back), drafts(&first));

    // A target with chats or audit entries is refused, untouched, unless --force.
    let smaller = dir.path().join("smaller.sqlite3");
    let small = filled_sqlite(&smaller, 1);
    let output = copy(smaller.to_str().unwrap(), &bare, false);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("already holds 3 chat(s) and 3 audit entr(ies)")
            && stderr.contains("--force")
            && stderr.contains("postgres://balcao@127.0.0.1:"),
        "{stderr}"
    );
    assert_eq!(rows(&target).len(), 3);
    let output = copy(smaller.to_str().unwrap(), &bare, true);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(rows(&target), rows(&small));
    assert_eq!(target.audit_log(10).unwrap(), small.audit_log(10).unwrap());
    // Replacing is seen as the old chats removed and the new one written (the chat on both sides
    // as written); and the index's revisions go on afterwards as before.
    let changes = target.changes_since(copied_at, 100).unwrap();
    assert_eq!(
        (changes.removed.len(), changes.chats.len()),
        (2, 1),
        "{changes:?}"
    );
    let replaced_at = target.revision().unwrap();
    let later = ChatKey::wegly("loja", &uuid::Uuid::from_u128(99).to_string());
    target
        .note_chat(&later, Source::Manual, Utc::now())
        .unwrap();
    assert_eq!(
        target.changes_since(replaced_at, 100).unwrap().chats.len(),
        1
    );

    // The same index on both sides, and a source that is not there: usage errors.
    let output = copy(first_path, first_path, true);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("the same index"));
    let missing = dir.path().join("missing.sqlite3");
    let output = copy(missing.to_str().unwrap(), &bare, true);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no such file"));
    assert!(!missing.exists());
}

// --- The journal. ---

#[test]
fn a_change_made_while_the_index_is_down_is_audited_once_it_is_back() {
    let cluster = pg::Cluster::start_new();
    let sandbox = Sandbox::start();
    let desk = Desk::on(Some(&cluster.fresh_database()), Some(&sandbox));
    let chat = sandbox.chat();
    let id = chat["id"].as_str().unwrap().to_owned();
    let newcomer = sandbox.newcomer(&chat);

    cluster.stop();
    let output = desk.ok(&["chat", "reassign", &id, "--to", &newcomer]);
    let stderr = text(&output.stderr);
    let journal = desk.data_dir().join("audit-journal.jsonl");
    assert!(
        stderr.contains("the change was made; its audit entry is kept in")
            && stderr.contains(journal.to_str().unwrap())
            && stderr.contains("when it is back"),
        "{stderr}"
    );
    assert_hidden(
        &output,
        desk.password.as_deref().unwrap(),
        "a change, index down",
    );
    let responsible = sandbox
        .admin("chats")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap()["responsible_user_id"]
        .clone();
    assert_eq!(responsible, newcomer.as_str(), "the change went to the CRM");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&journal), 0o600);
        assert_eq!(mode(&desk.data_dir()), 0o700);
    }
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        1
    );

    cluster.start();
    let output = desk.ok(&["audit", "--json"]);
    assert!(
        text(&output.stderr).contains("1 audit entr(ies) kept on this machine"),
        "{}",
        text(&output.stderr)
    );
    let entries = json_lines(&output.stdout);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["by"], NAME);
    assert_eq!(entries[0]["action"], "reassign_responsible");
    assert_eq!(entries[0]["chat_id"], id.as_str());
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), "");
    assert_eq!(desk.audit(&[]).len(), 1, "written once");
}

// --- Accounts across machines. ---

#[test]
fn check_config_names_the_accounts_the_index_holds_that_the_configuration_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("desk.sqlite3");
    let store = Store::open(&index, OpenOptions::default()).unwrap();
    for account in ["loja", "filial"] {
        store
            .note_chat(
                &ChatKey::wegly(account, &uuid::Uuid::new_v4().to_string()),
                Source::Manual,
                Utc::now(),
            )
            .unwrap();
    }
    drop(store);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[accounts]]\nname = \"loja\"\nprovider = \"wegly\"\n",
    )
    .unwrap();
    let output = cli::balcao(dir.path())
        .args(["check-config", "--config", config.to_str().unwrap()])
        .args(["--index", index.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        text(&output.stdout).contains(&format!("index: {} (SQLite): ok", index.display())),
        "{}",
        text(&output.stdout)
    );
    assert!(
        stderr.contains(
            "holds chats of account(s) 'filial', which this configuration does not define"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("'loja',"), "{stderr}");
}
