//! The console in a pseudo-terminal: the real binary spawned with its own environment, keys typed
//! as a person would, the screen read back through a terminal emulator.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const ROWS: u16 = 45;
pub const COLS: u16 = 160;

pub struct Console {
    pub child: std::process::Child,
    pub pty: Arc<pty_process::blocking::Pty>,
    pub parser: vt100::Parser,
    pub output: mpsc::Receiver<Vec<u8>>,
    pub raw: Vec<u8>,
}

/// The console started with `args`, its data dir `data_dir`, no configuration file of the
/// machine's, and `env` on top.
pub fn spawn(args: &[&str], data_dir: &Path) -> Console {
    spawn_with(args, data_dir, &[])
}

/// Like [`spawn`], with variables of the test's own (a configuration file, a language).
pub fn spawn_with(args: &[&str], data_dir: &Path, env: &[(&str, &str)]) -> Console {
    let (pty, pts) = pty_process::blocking::open().unwrap();
    pty.resize(pty_process::Size::new(ROWS, COLS)).unwrap();
    let mut command = pty_process::blocking::Command::new(env!("CARGO_BIN_EXE_balcao"));
    for name in [
        "WEGLY_BASE_URL",
        "WEGLY_TOKEN",
        "BALCAO_CONFIG",
        "BALCAO_WEBHOOK_SECRET",
        "BALCAO_LISTEN",
        "BALCAO_KEYMAP",
        "BALCAO_LANG",
        "BALCAO_INDEX",
        "PGPASSWORD",
        "LC_ALL",
    ] {
        command = command.env_remove(name);
    }
    let child = command
        .args(args)
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env("XDG_CONFIG_HOME", data_dir.join("no-config"))
        .env("BALCAO_DATA_DIR", data_dir)
        .envs(env.iter().copied())
        .spawn(pts)
        .unwrap();
    let pty = Arc::new(pty);
    let reader = pty.clone();
    let (tx, output) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buffer = [0_u8; 16 * 1024];
        loop {
            match (&*reader).read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buffer[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let parser = vt100::Parser::new(
        NonZeroU16::new(ROWS).unwrap(),
        NonZeroU16::new(COLS).unwrap(),
        0,
    );
    Console {
        child,
        pty,
        parser,
        output,
        raw: Vec::new(),
    }
}

impl Console {
    pub fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits (up to a minute) until the screen shows `text`.
    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_for_line(&format!("{text:?}"), |line| line.contains(text))
    }

    /// Waits (up to a minute) until the whole screen is `wanted`.
    pub fn wait_for_screen(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if wanted(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {what}; the screen was:\n{screen}"
            );
            self.pump(Duration::from_millis(100));
        }
    }

    /// Waits (up to a minute) until a line of the screen is `wanted`.
    pub fn wait_for_line(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if screen.lines().any(&wanted) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {what}; the screen was:\n{screen}"
            );
            self.pump(Duration::from_millis(100));
        }
    }

    pub fn keys(&mut self, bytes: &[u8]) {
        (&*self.pty).write_all(bytes).unwrap();
        (&*self.pty).flush().unwrap();
        self.pump(Duration::from_millis(150));
    }

    pub fn text(&mut self, text: &str) {
        for c in text.chars() {
            let mut buffer = [0_u8; 4];
            self.keys(c.encode_utf8(&mut buffer).as_bytes());
        }
    }

    /// Reads the output to its end: the pseudo-terminal reports its end once the process (the
    /// only holder of its other side) has exited, so nothing it wrote is left unread.
    pub fn read_to_the_end(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => {
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "the terminal's output did not end; screen:\n{}",
                        self.screen()
                    )
                }
            }
        }
    }

    /// Quits with `q`, checks the exit code and that the terminal was restored, and returns
    /// everything the console wrote.
    pub fn quit(mut self) -> Vec<u8> {
        self.keys(b"q");
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the console did not quit");
        };
        self.read_to_the_end();
        assert!(
            status.success(),
            "exit status {status:?}; screen:\n{}",
            self.screen()
        );
        let raw = String::from_utf8_lossy(&self.raw);
        assert!(
            raw.contains("\u{1b}[?1049h") && raw.contains("\u{1b}[?1049l"),
            "the alternate screen was entered and left"
        );
        self.raw
    }
}
