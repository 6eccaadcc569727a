//! `[receiver]`'s limits in config.toml: sound values pass `check-config`, and every bad one is
//! reported with its file and line, saying what the key is for and what fits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/cli.rs"]
mod cli;

use std::path::Path;
use std::process::Output;

use cli::text;

fn balcao(dir: &Path, args: &[&str]) -> Output {
    cli::balcao(&dir.join("data")).args(args).output().unwrap()
}

#[test]
fn sound_receiver_limits_pass_and_each_bad_one_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[receiver]\nlisten = \"127.0.0.1:8790\"\nheader_timeout_secs = 5\nbody_timeout_secs = 20\n\
         idle_timeout_secs = 90\nmax_connections = 64\nbody_memory_mib = 8\n",
    )
    .unwrap();
    let output = balcao(
        dir.path(),
        &["check-config", "--config", good.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[receiver]\nheader_timeout_secs = 0\nbody_timeout_secs = -5\nidle_timeout_secs = 86400\n\
         max_connections = 0\nbody_memory_mib = 0\n",
    )
    .unwrap();
    let output = balcao(
        dir.path(),
        &["check-config", "--config", broken.to_str().unwrap()],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let shown = broken.display().to_string();
    for expected in [
        format!("{shown}:2: receiver.header_timeout_secs = 0 is out of range"),
        format!("{shown}:3: receiver.body_timeout_secs = -5 is out of range"),
        format!("{shown}:4: receiver.idle_timeout_secs = 86400 is out of range"),
        format!("{shown}:5: receiver.max_connections = 0 is out of range"),
        format!("{shown}:6: receiver.body_memory_mib = 0 is out of range"),
        "a whole number from 1 to 3600 (default 10)".to_owned(),
        "a whole number from 1 to 65536 (default 256)".to_owned(),
        "5 problem(s) in the configuration".to_owned(),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    let mistyped = dir.path().join("mistyped.toml");
    std::fs::write(&mistyped, "[receiver]\n\nmax_connections = \"many\"\n").unwrap();
    let output = balcao(
        dir.path(),
        &["check-config", "--config", mistyped.to_str().unwrap()],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("mistyped.toml:3:"), "{stderr}");

    // `listen` refuses to start on them, pointing at check-config.
    let output = balcao(
        dir.path(),
        &[
            "listen",
            "--config",
            broken.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("receiver.max_connections = 0"), "{stderr}");
    assert!(stderr.contains("balcao check-config"), "{stderr}");
}
