//! The `balcao` binary as a process, for the tests of its commands: started with nothing from
//! this machine's environment, and what it printed read back.
// Each test binary uses the helpers it needs.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Every variable the binary reads that would change what a test sees: credentials, settings,
/// the index, the language and the log level.
const ENV_VARS: &[&str] = &[
    "WEGLY_BASE_URL",
    "WEGLY_TOKEN",
    "WEGLY_TOKEN_FILE",
    "AGILIZE_BASE_URL",
    "AGILIZE_API_KEY",
    "AGILIZE_API_KEY_FILE",
    "BALCAO_ORIGIN",
    "BALCAO_CONFIG",
    "BALCAO_DATA_DIR",
    "BALCAO_WEBHOOK_SECRET",
    "BALCAO_WEBHOOK_SECRET_FILE",
    "BALCAO_AGILIZE_WEBHOOK_URL",
    "BALCAO_LISTEN",
    "BALCAO_ACCOUNT",
    "BALCAO_LANG",
    "BALCAO_TIMEOUT",
    "BALCAO_KEYMAP",
    "BALCAO_INDEX",
    "BALCAO_LOG",
    "PGPASSWORD",
    "LC_ALL",
    "LC_MESSAGES",
    "RUST_LOG",
];

/// The binary with none of [`ENV_VARS`], in English, reading nothing from stdin. Where its data
/// dir and configuration are is left to the caller.
pub fn bare() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_balcao"));
    for name in ENV_VARS {
        command.env_remove(name);
    }
    command.env("LANG", "C.UTF-8").stdin(Stdio::null());
    command
}

/// The binary on `data_dir`, with no configuration of this machine (see [`bare`]).
pub fn balcao(data_dir: &Path) -> Command {
    let mut command = bare();
    command
        .env("XDG_CONFIG_HOME", data_dir.join("no-config"))
        .env("BALCAO_DATA_DIR", data_dir);
    command
}

/// Bytes a process wrote, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One JSON value per line of `bytes` (`--json` output).
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    text(bytes)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

/// Sets a file's permission bits.
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
