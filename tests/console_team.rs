//! Team mode end to end: two people's consoles in pseudo-terminals on one shared index (a
//! PostgreSQL database of a throwaway cluster, and a SQLite file two consoles share), the real
//! sandbox over loopback. What one console does by keyboard (open a chat, claim it, reassign it)
//! shows in the other; changing a chat the other person has claimed asks first, naming them; and
//! the database stopped and started under a running console neither ends it nor loses a change.
//! No step waits on time: each waits (with a generous deadline) for the screen it expects.
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

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use balcao::sandbox::RunningSandbox;
use pty::{Console, spawn_with};
use serde_json::Value;

/// One person at the desk: a data dir of their own (the console's log) and a config.toml that
/// says who they are.
struct Seat {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Seat {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, format!("name = \"{name}\"\n")).unwrap();
        Self { dir, config }
    }

    /// This person's console on `index`, speaking to the sandbox at `url`, with no receiver of
    /// its own (no webhook secret).
    fn console(&self, index: &str, url: &str) -> Console {
        spawn_with(
            &["--base-url", url, "--token", common::TOKEN, "--lang", "en"],
            self.dir.path(),
            &[
                ("BALCAO_CONFIG", self.config.to_str().unwrap()),
                ("BALCAO_INDEX", index),
            ],
        )
    }
}

/// `balcao` on `index` for the sandbox at `url`, as a script would run it.
fn balcao(index: &str, url: &str, dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_balcao"));
    for name in [
        "WEGLY_BASE_URL",
        "WEGLY_TOKEN",
        "BALCAO_CONFIG",
        "BALCAO_WEBHOOK_SECRET",
        "BALCAO_ACCOUNT",
        "BALCAO_LANG",
        "LC_ALL",
        "PGPASSWORD",
    ] {
        command.env_remove(name);
    }
    command
        .env("LANG", "C.UTF-8")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("BALCAO_DATA_DIR", dir)
        .env("BALCAO_INDEX", index)
        .env("WEGLY_BASE_URL", url)
        .env("WEGLY_TOKEN", common::TOKEN)
        .stdin(std::process::Stdio::null());
    command
}

/// Puts chats into the shared index by id, as `balcao add` does for a desk.
fn add(index: &str, url: &str, ids: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let output = balcao(index, url, dir.path())
        .arg("add")
        .args(ids)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "balcao add failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A chat as the sandbox serves it.
async fn detail(sandbox: &RunningSandbox, id: &str) -> Value {
    serde_json::from_slice(
        &common::client(sandbox)
            .get_chat(uuid::Uuid::parse_str(id).unwrap())
            .await
            .unwrap()
            .raw,
    )
    .unwrap()
}

/// A chat of the sandbox that `index` does not hold yet, whose contact's name is short enough to
/// show whole in the list: its id and that name.
async fn not_yet_in(sandbox: &RunningSandbox, index: &str) -> (String, String) {
    let held = tokio::task::spawn_blocking({
        let index = index.to_owned();
        move || {
            let location = balcao::store::location::IndexLocation::parse(&index);
            balcao::store::Store::open_location(&location, Path::new("/nonexistent"))
                .unwrap()
                .summaries()
                .unwrap()
                .into_iter()
                .map(|row| row.key.chat_id)
                .collect::<Vec<_>>()
        }
    })
    .await
    .unwrap();
    for chat in common::chats(sandbox).await {
        let id = chat["id"].as_str().unwrap().to_owned();
        if held.contains(&id) {
            continue;
        }
        let shown = detail(sandbox, &id).await;
        if let Some(name) = shown["contact_name"]
            .as_str()
            .filter(|n| n.chars().count() <= 20)
        {
            return (id, name.to_owned());
        }
    }
    panic!("every chat of the sandbox is in the index, or none has a short name");
}

/// The chat both people work on, and who it moves to.
struct Scene {
    index: String,
    url: String,
    /// Its contact's number, to find it by filter.
    number: String,
    /// Its responsible now.
    responsible_name: String,
    /// A user not on it, who takes it.
    newcomer_name: String,
    /// How many chats the index holds.
    total: usize,
}

/// A chat with two participants and five more, put into `index`.
async fn scene(sandbox: &RunningSandbox, index: String) -> Scene {
    let chat = common::chat_with_two_participants(sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let participants: Vec<String> = chat["participant_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let users = common::admin(sandbox, "users").await;
    let newcomer_name = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| !participants.iter().any(|p| u["user_id"] == p.as_str()))
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = detail(sandbox, &id).await;
    let mut ids = vec![id.clone()];
    ids.extend(
        common::chats(sandbox)
            .await
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .filter(|other| *other != id)
            .take(5),
    );
    let url = sandbox.url();
    let (for_add, url_for_add, ids_for_add) = (index.clone(), url.clone(), ids.clone());
    tokio::task::spawn_blocking(move || add(&for_add, &url_for_add, &ids_for_add))
        .await
        .unwrap();
    Scene {
        index,
        url,
        number: shown["contact_number"].as_str().unwrap().to_owned(),
        responsible_name: shown["assigned_agent"]["user"]["name"]
            .as_str()
            .unwrap()
            .to_owned(),
        newcomer_name,
        total: ids.len(),
    }
}

/// Filters the list down to the scene's chat and opens it.
fn open_the_chat(console: &mut Console, scene: &Scene) {
    console.wait_for(&format!("Chats {} ", scene.total));
    console.keys(b"/");
    console.text(&scene.number);
    console.keys(b"\r");
    console.wait_for(&format!("Chats 1/{}", scene.total));
    console.keys(b"\r");
    console.wait_for(&format!("Responsible   {}", scene.responsible_name));
}

/// Ana opens the chat and claims it; Bruno sees both, is asked before reassigning it (cancel
/// leaves it, confirm goes ahead), and his reassignment shows on Ana's screen.
fn two_people_on_one_chat(scene: &Scene) {
    let (ana, bruno) = (Seat::new("Ana"), Seat::new("Bruno"));
    let mut a = ana.console(&scene.index, &scene.url);
    let mut b = bruno.console(&scene.index, &scene.url);
    open_the_chat(&mut a, scene);
    open_the_chat(&mut b, scene);
    // Presence: Bruno's detail names Ana, and the other way round.
    b.wait_for("👁 Ana is viewing");
    a.wait_for("👁 Bruno is viewing");
    // A claim made in one shows in the other, and in its own detail.
    a.keys(b"c");
    a.wait_for("you claimed");
    a.wait_for("⚑ you claimed it");
    b.wait_for("⚑ Ana claimed it");
    // Changing a chat Ana claimed asks first, naming her; cancel leaves it.
    b.keys(b"r");
    b.wait_for("Someone else is on this chat");
    b.wait_for("Reassign anyway?");
    b.keys(b"\x1b");
    b.wait_for_screen("the question closed", |screen| {
        !screen.contains("Reassign anyway?")
    });
    assert!(
        !b.screen().contains(" Reassign "),
        "cancel opened nothing:\n{}",
        b.screen()
    );
    // Confirm goes ahead: the reassignment, by keyboard.
    b.keys(b"r");
    b.wait_for("Reassign anyway?");
    b.keys(b"\r");
    b.wait_for(" Reassign ");
    b.text(scene.newcomer_name.split(' ').next().unwrap());
    b.wait_for(&scene.newcomer_name);
    b.keys(b"\r");
    b.wait_for(&format!("reassigned to {}", scene.newcomer_name));
    let done = Instant::now();
    // It shows in Ana's console: the detail she has open follows.
    a.wait_for(&format!("Responsible   {}", scene.newcomer_name));
    eprintln!(
        "the reassignment showed in the other console {} ms after this one said it was done",
        done.elapsed().as_millis()
    );
    // Ana leaves: her viewing mark goes with her console at once; her claim stays until she
    // releases it.
    a.quit();
    b.wait_for_screen("Ana's viewing mark gone", |screen| {
        !screen.contains("👁 Ana is viewing")
    });
    b.wait_for("⚑ Ana claimed it");
    b.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_on_one_postgres_database_see_each_other() {
    let sandbox = common::start().await;
    let index = common::pg::fresh_database();
    let scene = scene(&sandbox, index).await;
    let index = scene.index.clone();
    let scene = tokio::task::spawn_blocking(move || {
        two_people_on_one_chat(&scene);
        scene
    })
    .await
    .unwrap();
    // The audit log says who made the change.
    let dir = tempfile::tempdir().unwrap();
    let (url, audit_dir) = (scene.url.clone(), dir.path().to_path_buf());
    let output = tokio::task::spawn_blocking(move || {
        balcao(&index, &url, &audit_dir)
            .args(["audit", "--json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let entries: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "reassign_responsible" && e["by"] == "Bruno"),
        "{entries:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_on_one_sqlite_file_see_each_other() {
    let sandbox = common::start().await;
    let shared = tempfile::tempdir().unwrap();
    let index = shared.path().join("desk.sqlite3").display().to_string();
    let scene = scene(&sandbox, index).await;
    tokio::task::spawn_blocking(move || two_people_on_one_chat(&scene))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stopped_and_started_under_a_running_console() {
    let sandbox = common::start().await;
    // A cluster of this test's own: stopping the shared one would cut off the other tests.
    let cluster = std::sync::Arc::new(common::pg::Cluster::start_new());
    let index = cluster.fresh_database();
    let scene = scene(&sandbox, index.clone()).await;
    // A chat added while the console was cut off.
    let (late, late_name) = not_yet_in(&sandbox, &index).await;
    let ana = Seat::new("Ana");
    tokio::task::spawn_blocking(move || {
        let mut a = ana.console(&scene.index, &scene.url);
        a.wait_for(&format!("Chats {} ", scene.total));
        cluster.stop();
        // Degraded, never broken: the rows stay, the banner says since when.
        a.wait_for("shared index unreachable since");
        a.wait_for(&format!("Chats {} ", scene.total));
        cluster.start();
        add(&scene.index, &scene.url, std::slice::from_ref(&late));
        // The catch-up reads what changed since the last revision seen, and the banner goes.
        a.wait_for(&format!("Chats {} ", scene.total + 1));
        a.wait_for(&late_name);
        a.wait_for_screen("the banner gone", |screen| {
            !screen.contains("shared index unreachable")
        });
        a.quit();
    })
    .await
    .unwrap();
}

/// A TCP relay to the database that the test can cut: while cut, every connection through it
/// is closed and new ones are closed at once, as when a laptop loses the network, while the
/// database stays up for everyone else.
struct Relay {
    port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    streams: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Relay {
    fn to(target: u16) -> Self {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let streams = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (accepting, held) = (open.clone(), streams.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !accepting.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let mut held = held.lock().unwrap();
                held.push(client.try_clone().unwrap());
                held.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        // Ends when either side closes; the other is then closed too.
                        let _copied = std::io::copy(&mut from, &mut to);
                        let _closed = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Self {
            port,
            open,
            streams,
        }
    }

    fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            stream
                .shutdown(std::net::Shutdown::Both)
                .unwrap_or_default();
        }
    }

    fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_while_a_console_was_cut_off_shows_once_it_is_back() {
    let sandbox = common::start().await;
    let index = common::pg::fresh_database();
    let scene = scene(&sandbox, index.clone()).await;
    let relay = Relay::to(common::pg::cluster().port());
    let through_relay = index.replace(
        &format!(":{}/", common::pg::cluster().port()),
        &format!(":{}/", relay.port),
    );
    assert_ne!(through_relay, index);
    let known = scene.total;
    // A chat of the sandbox the index does not hold yet, with a short name.
    let (late, late_name) = not_yet_in(&sandbox, &index).await;
    let ana = Seat::new("Ana");
    let url = scene.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut a = ana.console(&through_relay, &url);
        let scene = Scene {
            index: through_relay.clone(),
            ..scene
        };
        a.wait_for(&format!("Chats {known} "));
        relay.cut();
        a.wait_for("shared index unreachable since");
        // A change made from here meanwhile still goes to the CRM; its audit entry waits in
        // this machine's journal.
        open_the_chat(&mut a, &scene);
        a.keys(b"r");
        a.wait_for(" Reassign ");
        a.text(scene.newcomer_name.split(' ').next().unwrap());
        a.wait_for(&scene.newcomer_name);
        a.keys(b"\r");
        a.wait_for("its audit entry is kept in");
        a.keys(&[0x18]); // ctrl-x: the whole list again
        // Made while this console cannot hear of it: its notification goes to nobody here.
        add(&index, &url, std::slice::from_ref(&late));
        relay.restore();
        // Back: what changed since the last revision it saw is read, not only what was notified,
        // and the kept entry is written.
        a.wait_for(&format!("Chats {} ", known + 1));
        a.wait_for(&late_name);
        a.wait_for_screen("the banner gone", |screen| {
            !screen.contains("shared index unreachable")
        });
        a.wait_for("audit entries kept on this machine written to the index: 1");
        a.quit();
        let dir = tempfile::tempdir().unwrap();
        let output = balcao(&index, &url, dir.path())
            .args(["audit", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let entries: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "reassign_responsible" && e["by"] == "Ana"),
            "{entries:?}"
        );
    })
    .await
    .unwrap();
}
