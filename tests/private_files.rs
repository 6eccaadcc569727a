//! Files holding customer data are private to the user: the data dir 0700, the index and its
//! journals 0600, and an existing one open to others is reported with the fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use balcao::store::{ChatKey, Source, Store};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_data_dir_and_index_are_private() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("nested").join("balcao");
    let store = Store::open_in(&dir).unwrap();
    // A write, so the journals exist.
    store
        .note_chat(
            &ChatKey::wegly("default", "6a84e8d5-1f2b-4c3d-8e9f-0a1b2c3d4e5f"),
            Source::Manual,
            chrono::Utc::now(),
        )
        .unwrap();
    assert_eq!(mode(&dir), 0o700, "the data dir");
    for name in ["inbox.sqlite3", "inbox.sqlite3-wal", "inbox.sqlite3-shm"] {
        let path = dir.join(name);
        assert!(path.exists(), "{name} exists");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    assert!(store.exposed().is_empty());
}

#[test]
fn an_existing_index_open_to_others_is_reported_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let index = dir.path().join("inbox.sqlite3");
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    // The journals take the index's mode: all four are reported.
    let exposed: Vec<_> = store.exposed().into_iter().map(|e| e.path).collect();
    let names = [
        "",
        "inbox.sqlite3",
        "inbox.sqlite3-wal",
        "inbox.sqlite3-shm",
    ];
    assert_eq!(
        exposed,
        names
            .iter()
            .map(|n| if n.is_empty() {
                dir.path().to_path_buf()
            } else {
                dir.path().join(n)
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(
        mode(dir.path()),
        0o755,
        "an existing mode is never changed behind the user"
    );
    // From the shell: on stderr, with the chmod that fixes it; the command still works.
    let output = Command::new(env!("CARGO_BIN_EXE_balcao"))
        .args(["inbox", "list", "--json"])
        .env_remove("BALCAO_CONFIG")
        .env("LANG", "C.UTF-8")
        .env("XDG_CONFIG_HOME", dir.path().join("no-config"))
        .env("BALCAO_DATA_DIR", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("chmod 600 '{}'", index.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("chmod 700 '{}'", dir.path().display())),
        "{stderr}"
    );
}
