//! Settings that cannot be used end the run before any request, with exit 2 and words that say
//! what to fix, in English and pt-BR; the console's start reports its own problems the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/cli.rs"]
mod cli;

use std::path::Path;
use std::process::{Command, Output};

/// The binary with nothing from this machine's environment (no token, no configuration, no
/// keymap, English unless a test says otherwise), its data dir the platform's default under
/// `home`.
fn balcao(home: &Path) -> Command {
    let mut command = cli::bare();
    command
        .env("XDG_CONFIG_HOME", home.join("no-config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home);
    command
}

fn stderr(output: &Output) -> String {
    cli::text(&output.stderr)
}

/// Runs `args` and requires exit 2 with `expected` on stderr.
fn refused(command: &mut Command, expected: &str) -> String {
    let output = command.output().unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains(expected), "expected '{expected}' in:\n{text}");
    text
}

fn config_with_one_account(home: &Path) -> std::path::PathBuf {
    let path = home.join("config.toml");
    std::fs::write(
        &path,
        "[[accounts]]\nname = \"central\"\nprovider = \"wegly\"\n",
    )
    .unwrap();
    path
}

#[test]
fn an_account_the_configuration_does_not_have_is_named_with_the_ones_it_has() {
    let home = tempfile::tempdir().unwrap();
    let config = config_with_one_account(home.path());
    refused(
        balcao(home.path()).arg("--config").arg(&config).args([
            "--account",
            "loja",
            "chat",
            "unread",
        ]),
        "no account 'loja' in the configuration (accounts: central)",
    );
    refused(
        balcao(home.path()).arg("--config").arg(&config).args([
            "--lang",
            "pt-BR",
            "--account",
            "loja",
            "chat",
            "unread",
        ]),
        "não há conta 'loja' na configuração (contas: central)",
    );
}

#[test]
fn a_configuration_with_problems_names_each_with_its_line() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "refresh_per_minute = -1\n").unwrap();
    let text = refused(
        balcao(home.path())
            .arg("--config")
            .arg(&config)
            .args(["chat", "unread"]),
        "the configuration has problems:",
    );
    assert!(text.contains("config.toml:1:"), "{text}");
    assert!(
        text.contains("`balcao check-config` lists them all"),
        "{text}"
    );
}

#[test]
fn urls_that_cannot_be_used_say_which_flag_and_why() {
    let home = tempfile::tempdir().unwrap();
    refused(
        balcao(home.path()).args(["--base-url", "ftp://x", "--token", "t", "chat", "unread"]),
        "invalid --base-url / WEGLY_BASE_URL: 'ftp://x' must start with http:// or https://",
    );
    refused(
        balcao(home.path()).args(["--origin", "loja", "--token", "t", "chat", "unread"]),
        "--origin 'loja' must be an http(s) URL",
    );
    refused(
        balcao(home.path()).args([
            "--agilize-base-url",
            "nada",
            "--agilize-key",
            "k",
            "room",
            "update",
            "r1",
            "--status",
            "x",
        ]),
        "invalid --agilize-base-url / AGILIZE_BASE_URL: 'nada' is not a URL",
    );
}

#[test]
fn a_missing_token_or_key_says_where_to_put_it() {
    let home = tempfile::tempdir().unwrap();
    refused(
        balcao(home.path()).args(["chat", "unread"]),
        "no Wegly token for account 'default': pass --token, set WEGLY_TOKEN",
    );
    refused(
        balcao(home.path()).args(["--lang", "pt", "chat", "unread"]),
        "falta o token da Wegly para a conta 'default'",
    );
    refused(
        balcao(home.path()).args(["room", "update", "r1", "--status", "x"]),
        "no Agilize key: pass --agilize-key, set AGILIZE_API_KEY",
    );
}

#[test]
fn the_console_does_not_start_on_a_broken_keymap() {
    let home = tempfile::tempdir().unwrap();
    let keymap = home.path().join("keymap.toml");
    std::fs::write(&keymap, "[nowhere]\nquit = [\"q\"]\n").unwrap();
    let text = refused(
        balcao(home.path()).env("BALCAO_KEYMAP", &keymap),
        "the keymap has problems:",
    );
    assert!(text.contains("the console did not start"), "{text}");
}

#[test]
fn the_console_refuses_a_data_dir_holding_another_programs_file() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("dados");
    std::fs::create_dir(&data).unwrap();
    let index = data.join("inbox.sqlite3");
    std::fs::write(&index, "minhas anotações\n").unwrap();
    refused(
        balcao(home.path())
            .arg("--demo")
            .arg("--data-dir")
            .arg(&data),
        "is not a balcão inbox index",
    );
    assert_eq!(
        std::fs::read_to_string(&index).unwrap(),
        "minhas anotações\n"
    );
}

#[test]
fn notify_is_read_with_its_line_and_check_config_reports_it() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "name = \"Ana\"\nnotify = \"loud\"\n").unwrap();
    let output = balcao(home.path())
        .arg("--config")
        .arg(&config)
        .arg("check-config")
        .output()
        .unwrap();
    let text = stderr(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("config.toml:2:"), "{text}");
    assert!(
        text.contains("notify must be off, bell or desktop"),
        "{text}"
    );
    for (written, shown) in [("notify = \"off\"\n", "off"), ("", "bell")] {
        std::fs::write(&config, written).unwrap();
        let output = balcao(home.path())
            .arg("--config")
            .arg(&config)
            .arg("check-config")
            .output()
            .unwrap();
        let out = cli::text(&output.stdout);
        assert!(
            out.contains(&format!("nudges (notify): {shown}")),
            "{out}\n{}",
            stderr(&output)
        );
    }
}
