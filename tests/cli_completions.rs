//! `balcao completions SHELL` as a process: a completion script on stdout for each shell clap
//! knows, naming the commands and their flags; a shell it does not know is a usage error (2)
//! that lists the ones it does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::{Command, Output};

fn balcao(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_balcao"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("BALCAO_DATA_DIR", home.path().join("data"))
        .env_remove("BALCAO_CONFIG")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn each_shell_gets_a_script_naming_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = balcao(&["completions", shell]);
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // Fish spells flags without their dashes.
        for word in ["balcao", "inbox", "check-config", "demo", "index"] {
            assert!(stdout.contains(word), "{shell}: no {word} in\n{stdout}");
        }
    }
}

#[test]
fn a_shell_it_does_not_know_is_a_usage_error_listing_the_known_ones() {
    let output = balcao(&["completions", "tcsh"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("tcsh"), "{stderr}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(stderr.contains(shell), "{shell} not offered: {stderr}");
    }
    assert!(output.stdout.is_empty());
}
