//! The keymap: the built-in defaults are sound, overrides replace per action, and every kind of
//! mistake is reported with its file, line and names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;

use balcao::console::action::{Action, Context};
use balcao::console::keymap::{KeyChord, Keymap};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyChord {
    KeyChord::from_event(&KeyEvent::new(code, modifiers)).unwrap()
}

fn problems(text: &str) -> Vec<String> {
    Keymap::load(Some((Path::new("mine.toml"), text)))
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_defaults_bind_every_action_without_conflict_or_alt_letters() {
    let keymap = Keymap::defaults().unwrap_or_else(|p| panic!("{p:?}"));
    for action in Action::ALL {
        let bound = action
            .contexts()
            .iter()
            .any(|context| !keymap.chords(*context, *action).is_empty());
        assert!(bound, "'{action}' has no key");
    }
    for context in Context::ALL {
        for (action, chords) in keymap.bindings(context) {
            for chord in chords {
                assert!(
                    !chord.is_alt_letter(),
                    "'{chord}' for '{action}' is Alt+letter"
                );
            }
        }
    }
    // The contract names resolve as documented.
    assert_eq!(
        keymap.resolve(
            &[Context::List, Context::Global],
            press(KeyCode::Char('r'), KeyModifiers::NONE)
        ),
        Some(Action::ReassignResponsible)
    );
    assert_eq!(
        keymap.resolve(
            &[Context::List, Context::Global],
            press(KeyCode::Char('q'), KeyModifiers::NONE)
        ),
        Some(Action::Quit)
    );
    assert_eq!(
        keymap.resolve(
            &[Context::Modal],
            press(KeyCode::Char('q'), KeyModifiers::NONE)
        ),
        None,
        "a modal is exclusive: q is text there"
    );
    assert_eq!(
        keymap.resolve(&[Context::Modal], press(KeyCode::Enter, KeyModifiers::NONE)),
        Some(Action::Confirm)
    );
    assert_eq!(
        keymap.resolve(
            &[Context::Modal],
            press(KeyCode::Char('c'), KeyModifiers::CONTROL)
        ),
        Some(Action::Cancel),
        "ctrl-c closes a dialog or the filter line"
    );
}

#[test]
fn chords_normalize_and_round_trip() {
    for (written, code, modifiers) in [
        ("ctrl-r", KeyCode::Char('r'), KeyModifiers::CONTROL),
        ("C-r", KeyCode::Char('r'), KeyModifiers::CONTROL),
        ("G", KeyCode::Char('G'), KeyModifiers::SHIFT),
        ("shift-g", KeyCode::Char('G'), KeyModifiers::SHIFT),
        ("shift-tab", KeyCode::BackTab, KeyModifiers::SHIFT),
        ("space", KeyCode::Char(' '), KeyModifiers::NONE),
        ("f1", KeyCode::F(1), KeyModifiers::NONE),
        ("PageDown", KeyCode::PageDown, KeyModifiers::NONE),
    ] {
        let parsed = KeyChord::parse(written).unwrap();
        assert_eq!(parsed, press(code, modifiers), "{written}");
        assert_eq!(
            KeyChord::parse(&parsed.to_string()).unwrap(),
            parsed,
            "{written} round trip"
        );
    }
    assert!(KeyChord::parse("hyper-x").is_err());
    assert!(KeyChord::parse("").is_err());
}

#[test]
fn a_user_entry_replaces_one_action_and_leaves_the_rest() {
    let user = "[list]\nreassign_responsible = [\"E\", \"ctrl-t\"]\nremove_participant = []\n";
    let keymap = Keymap::load(Some((Path::new("mine.toml"), user))).unwrap();
    let list = [Context::List, Context::Global];
    assert_eq!(
        keymap.resolve(&list, press(KeyCode::Char('E'), KeyModifiers::SHIFT)),
        Some(Action::ReassignResponsible)
    );
    assert_eq!(
        keymap.resolve(&list, press(KeyCode::Char('t'), KeyModifiers::CONTROL)),
        Some(Action::ReassignResponsible)
    );
    assert_eq!(
        keymap.resolve(&list, press(KeyCode::Char('r'), KeyModifiers::NONE)),
        None,
        "the default key is replaced"
    );
    assert_eq!(
        keymap.resolve(&list, press(KeyCode::Char('x'), KeyModifiers::NONE)),
        None,
        "[] unbinds"
    );
    assert_eq!(
        keymap.resolve(&list, press(KeyCode::Char('j'), KeyModifiers::NONE)),
        Some(Action::SelectNext),
        "others keep their defaults"
    );
    assert_eq!(
        keymap
            .hint(&list, Action::ReassignResponsible)
            .map(|c| c.to_string())
            .as_deref(),
        Some("E"),
        "hints follow the live keymap"
    );
}

#[test]
fn every_kind_of_mistake_is_named_with_its_line() {
    let text = "\
[lists]
quit = [\"q\"]

[list]
fly = [\"f\"]
confirm = [\"enter\"]
refresh = [\"hyper-r\"]
open_chat = \"enter\"

[detail]
refresh = [\"C-r\"]
reveal_documents = [\"ctrl-r\"]
";
    let found = problems(text);
    for expected in [
        "mine.toml:1: unknown context [lists]",
        "mine.toml:5: unknown action 'fly' in [list]",
        "mine.toml:6: 'confirm' cannot be bound in [list] (only in modal)",
        "mine.toml:7: 'refresh': 'hyper-r' is not a key",
        "mine.toml:8: 'open_chat' takes a list of keys",
        "'ctrl-r' in [detail] is bound to both 'refresh' and 'reveal_documents'",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "missing {expected:?} in {found:#?}"
        );
    }
}

#[test]
fn conflicts_are_found_after_normalization_across_contexts_and_apart() {
    // Non-adjacent duplicates in one context, written differently.
    let found = problems(
        "[list]\nselect_next = [\"ctrl-n\"]\nselect_first = [\"g\"]\nopen_chat = [\"C-n\"]\n",
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("'C-n' in [list] is bound to both")
                && p.contains("'select_next'")
                && p.contains("'open_chat'")),
        "{found:#?}"
    );
    // A pane key shadowing a global one.
    let found = problems("[list]\nopen_chat = [\"q\"]\n");
    assert!(
        found.iter().any(|p| p.contains("[global] and [list]")
            && p.contains("'quit'")
            && p.contains("'open_chat'")),
        "{found:#?}"
    );
    // The modal is checked only against itself: 'q' there is fine.
    assert!(problems("[modal]\ncancel = [\"esc\", \"q\"]\n").is_empty());
    // A TOML syntax error names its line.
    let found = problems("[list]\nopen_chat = [\"enter\"\n");
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("mine.toml:2") || p.starts_with("mine.toml:3")),
        "{found:#?}"
    );
}

#[test]
fn check_config_reports_keymap_problems_too() {
    let dir = tempfile::tempdir().unwrap();
    let keymap = dir.path().join("keymap.toml");
    std::fs::write(&keymap, "[detail]\nreveal_documents = [\"j\"]\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_balcao"))
        .arg("check-config")
        .env("BALCAO_KEYMAP", &keymap)
        .env("XDG_CONFIG_HOME", dir.path().join("none"))
        .env("BALCAO_DATA_DIR", dir.path().join("data"))
        .env_remove("BALCAO_CONFIG")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:2: 'j' in [detail] is bound to both",
            keymap.display()
        )),
        "{stderr}"
    );
    std::fs::write(&keymap, "[detail]\nreveal_documents = [\"V\"]\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_balcao"))
        .arg("check-config")
        .env("BALCAO_KEYMAP", &keymap)
        .env("XDG_CONFIG_HOME", dir.path().join("none"))
        .env("BALCAO_DATA_DIR", dir.path().join("data"))
        .env_remove("BALCAO_CONFIG")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
