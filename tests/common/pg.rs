//! A throwaway `PostgreSQL` cluster for the tests: started once per test binary from the server
//! binaries of the `postgresql` package, with a brand-new empty database for every caller.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The role the handed-out URLs log in as: a plain owner of its databases, not a superuser.
pub const ROLE: &str = "balcao";
/// The cluster's superuser, named at initdb whichever system user runs the server.
pub const SUPERUSER: &str = "postgres";

const MISSING: &str = "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian \
                       package `postgresql` (apt-get install postgresql) or set BALCAO_PG_BIN";

/// How many times a first start picks another port after finding its port taken.
const PORT_ATTEMPTS: usize = 5;

/// A running cluster in its own temporary directory, reachable on 127.0.0.1 with a password and
/// on a unix socket without one.
pub struct Cluster {
    binaries: Binaries,
    /// Set when this process runs as root: initdb refuses root, so the server runs as `postgres`.
    run_as: Option<SystemUser>,
    dir: PathBuf,
    /// Picked at the first start and kept across restarts: the URLs handed out name it.
    port: u16,
    role_password: String,
    superuser_password: String,
    databases: AtomicU64,
    /// The shell that stops the server and removes the directory once its stdin closes: on
    /// drop, or when this process ends however it ends.
    watchdog: Option<Child>,
    /// How long initdb plus the first start took.
    pub boot_time: Duration,
}

/// The cluster every test of this binary shares, started on first use. It lives until the
/// process ends; its watchdog then stops it and removes its directory.
pub fn cluster() -> &'static Cluster {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    SHARED.get_or_init(Cluster::start_new)
}

/// A URL for a new, empty database owned by [`ROLE`] on the shared cluster.
pub fn fresh_database() -> String {
    cluster().fresh_database()
}

impl Cluster {
    /// A cluster of the caller's own, stopped and removed when dropped. For a test that stops
    /// and restarts the server: doing that to the shared [`cluster()`] would cut off every other
    /// test of the binary running at the same time.
    pub fn start_new() -> Self {
        let binaries = Binaries::find();
        let run_as = SystemUser::for_server();
        let dir = tempfile::Builder::new()
            .prefix("balcao-pg-")
            .tempdir()
            .expect("a temporary directory for the test cluster")
            .keep();
        let mut cluster = Self {
            binaries,
            run_as,
            dir,
            port: 0,
            role_password: password(),
            superuser_password: password(),
            databases: AtomicU64::new(0),
            watchdog: None,
            boot_time: Duration::ZERO,
        };
        let began = Instant::now();
        cluster.own(&cluster.dir);
        cluster.watchdog = Some(cluster.start_watchdog());
        cluster.initdb();
        cluster.first_start();
        cluster.create_role();
        cluster.boot_time = began.elapsed();
        cluster
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory of the server's unix socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> PathBuf {
        self.dir.join("socket")
    }

    /// The temporary directory holding the data, the socket and the server log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// The URL of `db` for [`ROLE`], over TCP with its password.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{ROLE}:{}@127.0.0.1:{}/{db}",
            self.role_password,
            self.port()
        )
    }

    /// The URL of `db` for the superuser, over TCP with its password.
    pub fn superuser_url(&self, db: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{db}",
            self.superuser_password,
            self.port()
        )
    }

    /// Creates a new, empty database owned by [`ROLE`] and returns its URL. Each call has its
    /// own database, so tests never see each other's rows.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "t_{}_{}",
            self.databases.fetch_add(1, Ordering::SeqCst),
            std::process::id()
        );
        self.as_superuser(&format!("CREATE DATABASE {name} OWNER {ROLE}"));
        self.url(&name)
    }

    /// Stops the server (fast shutdown: open connections are cut), waiting until it is down.
    /// On the shared [`cluster()`] that cuts off every test of the binary running meanwhile.
    pub fn stop(&self) {
        let output = self
            .pg_ctl()
            .arg("stop")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "-t", "60"])
            .output()
            .expect("pg_ctl runs");
        self.require(&output, "pg_ctl stop");
    }

    /// Starts the server again on the same port, waiting until it accepts connections, so the
    /// URLs handed out before work again.
    pub fn start(&self) {
        let output = self.pg_ctl_start();
        self.require(&output, "pg_ctl start");
    }

    fn initdb(&self) {
        let password_file = self.dir.join("superuser-password");
        std::fs::write(&password_file, &self.superuser_password).unwrap();
        self.own(&password_file);
        let output = self
            .server_command(&self.binaries.initdb)
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--no-sync"])
            .arg("--auth=trust")
            .arg(format!("--pwfile={}", password_file.display()))
            .output()
            .expect("initdb runs");
        self.require(&output, "initdb");
        std::fs::remove_file(&password_file).unwrap();

        let socket_dir = self.socket_dir();
        std::fs::create_dir(&socket_dir).unwrap();
        self.own(&socket_dir);
        // Password over TCP, as the product connects; trust on the socket, for the harness's
        // own administration.
        std::fs::write(
            self.data_dir().join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        // Durability is of no use in a cluster thrown away at the end; speed is.
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data_dir().join("postgresql.conf"))
            .unwrap();
        write!(
            conf,
            "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\n\
             synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n",
            socket_dir.display()
        )
        .unwrap();
    }

    /// Starts on a free port. The port is free when picked but may be taken before the server
    /// binds it; then another one is picked.
    fn first_start(&mut self) {
        for _ in 0..PORT_ATTEMPTS {
            self.port = free_port();
            let output = self.pg_ctl_start();
            if output.status.success() {
                return;
            }
            if !self.log().contains("Address already in use") {
                self.require(&output, "pg_ctl start");
            }
        }
        panic!(
            "the test cluster found its port taken {PORT_ATTEMPTS} times in a row; log ({}):\n{}",
            self.log_file().display(),
            self.log()
        );
    }

    fn pg_ctl_start(&self) -> Output {
        self.pg_ctl()
            .arg("start")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", "60", "-o"])
            .arg(format!("-p {}", self.port()))
            .output()
            .expect("pg_ctl runs")
    }

    fn create_role(&self) {
        self.as_superuser(&format!(
            "CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{}'",
            self.role_password
        ));
    }

    /// Runs `sql` as the superuser over the unix socket. On a thread of its own: the `postgres`
    /// client runs its own runtime, which cannot start inside a test's tokio runtime.
    fn as_superuser(&self, sql: &str) {
        let mut config = postgres::Config::new();
        config
            .host_path(self.socket_dir())
            .port(self.port())
            .user(SUPERUSER)
            .dbname("postgres");
        let done = std::thread::scope(|scope| {
            scope
                .spawn(|| config.connect(postgres::NoTls)?.batch_execute(sql))
                .join()
                .unwrap()
        });
        if let Err(error) = done {
            panic!(
                "test cluster: `{sql}` failed: {error:?}; server log ({}):\n{}",
                self.log_file().display(),
                self.log()
            );
        }
    }

    /// A shell that waits for its stdin to close (this cluster dropped, or this process ended
    /// in any way, a signal included), then stops the server and removes the directory. In a
    /// process group of its own, so the Ctrl-C that ends the tests does not end it first.
    fn start_watchdog(&self) -> Child {
        self.server_command("sh")
            .arg("-c")
            .arg(
                r#"cat >/dev/null; "$0" stop -D "$1" -m immediate -w >/dev/null 2>&1; rm -rf "$2""#,
            )
            .arg(&self.binaries.pg_ctl)
            .arg(self.data_dir())
            .arg(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("the test cluster's watchdog (sh) starts")
    }

    fn pg_ctl(&self) -> Command {
        self.server_command(&self.binaries.pg_ctl)
    }

    /// `program` as the system user the server runs as, in the cluster's directory (the
    /// server's user may not be allowed in the current one), with no `PG*` variable of this
    /// machine's environment changing what it does.
    fn server_command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.dir).stdin(Stdio::null());
        for name in [
            "PGDATA",
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGPASSWORD",
            "PGDATABASE",
            "PGOPTIONS",
            "PGSERVICE",
        ] {
            command.env_remove(name);
        }
        if let Some(user) = &self.run_as {
            command.uid(user.uid).gid(user.gid);
        }
        command
    }

    /// Gives `path` to the server's user, when that is not this process's.
    fn own(&self, path: &Path) {
        if let Some(user) = &self.run_as {
            std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
                .unwrap_or_else(|error| panic!("chown {} to postgres: {error}", path.display()));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }

    fn require(&self, output: &Output, what: &str) {
        assert!(
            output.status.success(),
            "test cluster: {what} failed ({}):\n{}{}\nserver log ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log_file().display(),
            self.log()
        );
    }
}

impl Drop for Cluster {
    /// Closes the watchdog's stdin and waits while it stops the server and removes the
    /// directory. (The shared cluster is never dropped: its watchdog acts when the process ends.)
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            drop(watchdog.stdin.take());
            watchdog.wait().unwrap();
        }
    }
}

/// Where `initdb` and `pg_ctl` are.
struct Binaries {
    initdb: PathBuf,
    pg_ctl: PathBuf,
}

impl Binaries {
    /// In `$BALCAO_PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian puts them
    /// there, off the PATH), else on the PATH.
    fn find() -> Self {
        if let Some(dir) = std::env::var_os("BALCAO_PG_BIN") {
            let dir = PathBuf::from(dir);
            return Self::in_dir(&dir).unwrap_or_else(|| {
                panic!(
                    "{MISSING} (BALCAO_PG_BIN is {}, which lacks them)",
                    dir.display()
                )
            });
        }
        let newest = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse::<f64>().ok()?;
                Some((version, entry.path().join("bin")))
            })
            .filter(|(_, bin)| Self::in_dir(bin).is_some())
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, bin)) = newest {
            return Self::in_dir(&bin).unwrap();
        }
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .find_map(|dir| Self::in_dir(&dir))
            .unwrap_or_else(|| panic!("{MISSING}"))
    }

    fn in_dir(dir: &Path) -> Option<Self> {
        let binaries = Self {
            initdb: dir.join("initdb"),
            pg_ctl: dir.join("pg_ctl"),
        };
        (binaries.initdb.is_file() && binaries.pg_ctl.is_file()).then_some(binaries)
    }
}

/// The system user the server runs as.
struct SystemUser {
    uid: u32,
    gid: u32,
}

impl SystemUser {
    /// `postgres` when this process runs as root (initdb and the server refuse root), else none:
    /// the server runs as the current user.
    fn for_server() -> Option<Self> {
        if id(&["-u"]).as_deref() != Some("0") {
            return None;
        }
        let found = id(&["-u", SUPERUSER]).zip(id(&["-g", SUPERUSER]));
        let Some((uid, gid)) = found else {
            panic!(
                "the tests run as root, which PostgreSQL refuses, and there is no `postgres` \
                 system user to run the test cluster as: install the Debian package \
                 `postgresql` (apt-get install postgresql), which creates it"
            )
        };
        Some(Self {
            uid: uid.parse().unwrap(),
            gid: gid.parse().unwrap(),
        })
    }
}

/// What `id ARGS` prints, when it succeeds.
fn id(args: &[&str]) -> Option<String> {
    let output = Command::new("id").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A password of 24 random letters and digits: nothing to quote in a URL or in SQL.
fn password() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(24)
        .collect()
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
