//! The `balcao` binary as a process on one index, for the tests of the index's commands.

use std::path::Path;
use std::process::{Command, Stdio};

/// The binary on `data_dir`, with nothing from the environment that would change what it reads:
/// no token, secret, account or configuration of this machine, and English.
pub fn balcao(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_balcao"));
    for name in [
        "WEGLY_BASE_URL",
        "WEGLY_TOKEN",
        "BALCAO_CONFIG",
        "BALCAO_WEBHOOK_SECRET",
        "BALCAO_LISTEN",
        "BALCAO_ACCOUNT",
        "BALCAO_LANG",
        "BALCAO_INDEX",
        "PGPASSWORD",
        "LC_ALL",
        "RUST_LOG",
    ] {
        command.env_remove(name);
    }
    command
        .env("LANG", "C.UTF-8")
        .env("XDG_CONFIG_HOME", data_dir.join("no-config"))
        .env("BALCAO_DATA_DIR", data_dir)
        .stdin(Stdio::null());
    command
}
