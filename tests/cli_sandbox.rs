//! `balcao sandbox` as a process: first line, port 0, signals, bad flags.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn sandbox_command(extra: &[&str]) -> Command {
    let mut command = cli::bare();
    command
        .args(["sandbox", "--bind", "127.0.0.1:0", "--token", "t"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn prints_its_url_first_serves_and_stops_on_sigterm() {
    let mut child = sandbox_command(&["--traffic", "30"]).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {first:?}"));
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let response = balcao::api::http::client_builder()
            .build()
            .unwrap()
            .get(format!("{url}/_sandbox/users"))
            .bearer_auth("t")
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    });
    assert_eq!(status, 200);

    let exit = common::terminate(child, "the sandbox after SIGTERM");
    assert_eq!(exit.status.code(), Some(0));
}

#[test]
fn bad_flags_exit_2_with_the_reason() {
    let cases: [(&[&str], &str); 4] = [
        (&["--faults", "get_chat:explode"], "unknown fault 'explode'"),
        (
            &["--webhook-url", "http://127.0.0.1:9/hook"],
            "--webhook-url needs --webhook-secret",
        ),
        (
            &["--seed", "/nonexistent/seed.json"],
            "cannot read --seed /nonexistent/seed.json",
        ),
        (&["--traffic=-3"], "--traffic -3"),
    ];
    for (extra, expected) in cases {
        let output = sandbox_command(extra).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{extra:?} printed a URL before failing"
        );
    }
}

#[test]
fn a_broken_seed_file_is_refused_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    std::fs::write(&path, r#"{"users": [], "lines": [], "chats": []}"#).unwrap();
    let output = sandbox_command(&["--seed", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("users: at least one user") && stderr.contains("lines: at least one"),
        "{stderr}"
    );
}
