//! The `PostgreSQL` test harness keeps its promises: every caller gets its own empty database on a
//! real server, the URL's password is required, the server can be stopped and started under a
//! client, and a cluster leaves nothing running once its test process is gone, even killed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::pg::{self, Cluster};
use postgres::error::SqlState;
use postgres::{Client, NoTls};

fn connect(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|error| panic!("connect to {url}: {error:?}"))
}

/// The error connecting to `url`, which must fail for the reason `why` gives.
fn refusal(url: &str, why: &str) -> postgres::Error {
    match Client::connect(url, NoTls) {
        Ok(_) => panic!("{url} accepted a connection: {why}"),
        Err(error) => error,
    }
}

/// Whether the error is the server's port refusing the TCP connection: nothing listens there.
fn refused(error: &postgres::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|cause| cause.downcast_ref::<std::io::Error>())
        .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
}

fn has_table(client: &mut Client, table: &str) -> bool {
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .unwrap()
        .get(0)
}

#[test]
fn each_fresh_database_is_a_distinct_empty_one() {
    let first = pg::fresh_database();
    let second = pg::fresh_database();
    assert_ne!(first, second);
    assert!(first.starts_with("postgres://balcao:"), "{first}");

    let mut one = connect(&first);
    let mut other = connect(&second);
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', \
                  'information_schema')";
    for client in [&mut one, &mut other] {
        let count: i64 = client.query_one(tables, &[]).unwrap().get(0);
        assert_eq!(count, 0, "a fresh database has no tables");
    }

    one.batch_execute("CREATE TABLE chats (id text PRIMARY KEY); INSERT INTO chats VALUES ('c1')")
        .unwrap();
    assert!(has_table(&mut one, "chats"));
    assert!(
        !has_table(&mut other, "chats"),
        "the table leaked into {second}"
    );
}

#[test]
fn the_role_owns_its_database_without_being_a_superuser() {
    let mut client = connect(&pg::fresh_database());
    let row = client
        .query_one(
            "SELECT current_user::text, rolsuper, \
             (SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = \
             current_database()) \
             FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), pg::ROLE);
    assert!(
        !row.get::<_, bool>(1),
        "the tests' role must not be a superuser"
    );
    assert_eq!(row.get::<_, String>(2), pg::ROLE);

    let mut admin = connect(&pg::cluster().superuser_url("postgres"));
    let is_super: bool = admin
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(is_super);
}

#[test]
fn a_wrong_password_is_refused() {
    let url = pg::fresh_database();
    let (before, after) = url.split_once('@').unwrap();
    let (user, _password) = before.rsplit_once(':').unwrap();
    let wrong = format!("{user}:not-the-password@{after}");

    let error = refusal(&wrong, "a wrong password must be refused");
    assert_eq!(error.code(), Some(&SqlState::INVALID_PASSWORD), "{error:?}");

    let without = format!("postgres://{}@{after}", pg::ROLE);
    let error = refusal(&without, "no password must be refused");
    assert!(!refused(&error), "{error:?}");

    connect(&url);
}

/// Tests that use the harness are mostly `#[tokio::test]`s; creating a database from one must
/// not start a runtime inside theirs.
#[tokio::test]
async fn a_database_can_be_had_from_inside_a_tokio_runtime() {
    let url = pg::fresh_database();
    let checked = std::thread::spawn(move || {
        let mut client = connect(&url);
        client.query_one("SELECT 1", &[]).unwrap().get::<_, i32>(0)
    });
    assert_eq!(checked.join().unwrap(), 1);
}

#[test]
fn a_stopped_server_refuses_connections_and_the_same_url_works_once_it_is_started() {
    let cluster = Cluster::start_new();
    let url = cluster.fresh_database();
    let mut before = connect(&url);
    before.batch_execute("CREATE TABLE kept (n int)").unwrap();
    let port = cluster.port();

    cluster.stop();
    assert!(
        before.query_one("SELECT 1", &[]).is_err(),
        "a connection open across the stop must be cut"
    );
    let error = refusal(&url, "nothing listens while stopped");
    assert!(refused(&error), "{error:?}");

    cluster.start();
    assert_eq!(
        cluster.port(),
        port,
        "a restart keeps the port the URLs name"
    );
    let mut after = connect(&url);
    assert!(has_table(&mut after, "kept"), "a restart keeps the data");
}

#[test]
fn a_dropped_cluster_is_stopped_and_removed() {
    let cluster = Cluster::start_new();
    let url = cluster.fresh_database();
    let dir = cluster.dir().to_owned();
    connect(&url);

    drop(cluster);
    assert!(!dir.exists(), "{} is left behind", dir.display());
    let error = refusal(&url, "the server must be stopped");
    assert!(refused(&error), "{error:?}");
}

const HOLDER: &str = "a_cluster_held_until_killed";
const HOLDER_ENV: &str = "BALCAO_PG_HARNESS_HOLDER";

/// Run in a child process by the tests below: starts a cluster, says where it is, and holds it
/// until its stdin closes.
#[test]
#[ignore = "the child process of the tests below"]
fn a_cluster_held_until_killed() {
    assert!(
        std::env::var_os(HOLDER_ENV).is_some(),
        "run only as the child process of other tests of this file"
    );
    let url = pg::fresh_database();
    println!("CLUSTER {} {url}", pg::cluster().dir().display());
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
}

#[test]
fn a_killed_test_process_leaves_no_server_behind() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([HOLDER, "--exact", "--ignored", "--nocapture"])
        .env(HOLDER_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let said = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find_map(|line| line.strip_prefix("CLUSTER ").map(str::to_owned))
        .expect("the child says where its cluster is");
    let (dir, url) = said.split_once(' ').unwrap();
    connect(url);

    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();

    common::wait_until(
        Duration::from_secs(30),
        common::POLL,
        "the killed process's cluster stopped and removed",
        || match (
            std::path::Path::new(dir).exists(),
            Client::connect(url, NoTls),
        ) {
            (false, Err(error)) if refused(&error) => Ok(()),
            (exists, connected) => Err(format!(
                "directory exists: {exists}, connection: {:?}",
                connected.map(|_| "accepted")
            )),
        },
    );
}

#[test]
fn missing_server_binaries_fail_naming_the_package_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([HOLDER, "--exact", "--ignored", "--nocapture"])
        .env(HOLDER_ENV, "1")
        .env("BALCAO_PG_BIN", empty.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("PostgreSQL server binaries (initdb, pg_ctl) not found")
            && said.contains("apt-get install postgresql")
            && said.contains(&format!("BALCAO_PG_BIN is {}", empty.path().display())),
        "{said}"
    );
}
