//! The modules' layering, read from the source: the command line sits on top (only the binary
//! uses it), configuration sits below the console, views take labels from the presentation
//! module, API limits come from the API and not from the sandbox, and no file in these areas
//! grows past about 600 lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The longest a file in the areas checked here may be.
const MAX_LINES: usize = 600;

struct Source {
    /// Relative to the crate root, with `/`.
    path: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| Source {
            path: file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
            text: std::fs::read_to_string(&file).unwrap(),
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Every `crate::a::b::...` path the file names, `crate::{a, b::c}` groups expanded one level,
/// comments left out.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                for item in inner.split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        paths.insert(item.to_owned());
                    }
                }
            } else {
                let path: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                paths.insert(path.trim_end_matches(':').to_owned());
            }
            rest = after;
        }
    }
    paths
}

/// The files under `area` (a folder such as `src/config/`, or one file) that name a path
/// starting with `target`, with the paths they name.
fn naming(sources: &[Source], area: &str, target: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|source| source.path.starts_with(area))
        .flat_map(|source| {
            crate_paths(&source.text)
                .into_iter()
                .filter(|path| path == target || path.starts_with(&format!("{target}::")))
                .map(|path| format!("{}: crate::{path}", source.path))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn only_the_binary_uses_the_command_line() {
    let sources = sources();
    let outside: Vec<String> = naming(&sources, "src/", "cli")
        .into_iter()
        .filter(|hit| !hit.starts_with("src/cli/"))
        .collect();
    assert!(
        outside.is_empty(),
        "only src/cli/ and src/main.rs may use the command line module; found:\n{}",
        outside.join("\n")
    );
}

#[test]
fn configuration_depends_on_neither_the_command_line_nor_the_console() {
    let sources = sources();
    let mut found = naming(&sources, "src/config/", "cli");
    found.extend(naming(&sources, "src/config/", "console"));
    assert!(
        found.is_empty(),
        "config must sit below the command line and the console; found:\n{}",
        found.join("\n")
    );
}

#[test]
fn views_and_the_command_line_share_one_presentation_module() {
    let sources = sources();
    let mut found = naming(&sources, "src/console/ui/", "cli");
    found.extend(naming(&sources, "src/", "describe"));
    assert!(
        found.is_empty(),
        "labels come from crate::present, for the views and the command line alike; found:\n{}",
        found.join("\n")
    );
}

#[test]
fn api_limits_come_from_the_api_not_from_the_sandbox() {
    let sources = sources();
    let found: Vec<String> = naming(&sources, "src/", "sandbox::world")
        .into_iter()
        .filter(|hit| !hit.starts_with("src/sandbox/"))
        .collect();
    assert!(
        found.is_empty(),
        "limits of the API live in crate::api::wegly::limits; found:\n{}",
        found.join("\n")
    );
    // The sandbox enforces the API's limits; it does not define its own copy of them.
    let copies: Vec<&str> = sources
        .iter()
        .filter(|source| source.path.starts_with("src/sandbox/"))
        .filter(|source| {
            [
                "MAX_CONTACT_ID_CHARS",
                "MAX_PROFILE_NAME_CHARS",
                "MAX_TEXT_CHARS",
                "SESSION_WINDOW",
            ]
            .iter()
            .any(|name| source.text.contains(&format!("const {name}")))
        })
        .map(|source| source.path.as_str())
        .collect();
    assert!(
        copies.is_empty(),
        "the sandbox defines API limits of its own in: {copies:?}"
    );
}

#[test]
fn no_long_files_in_the_command_line_the_configuration_or_the_sandbox() {
    let sources = sources();
    let long: Vec<String> = sources
        .iter()
        .filter(|source| {
            ["src/cli/", "src/config/", "src/sandbox/"]
                .iter()
                .any(|area| source.path.starts_with(area))
        })
        .filter_map(|source| {
            let lines = source.text.lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", source.path))
        })
        .collect();
    assert!(
        long.is_empty(),
        "one job per file, at most about {MAX_LINES} lines; too long:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scanner_sees_plain_and_grouped_paths_and_skips_comments() {
    let text = "use crate::cli::CliError;\nuse crate::{config, tr};\n// crate::console::launch\n\
                let x = crate::sandbox::world::MAX_TEXT_CHARS;";
    let paths = crate_paths(text);
    let expected: BTreeSet<String> = [
        "cli::CliError",
        "config",
        "tr",
        "sandbox::world::MAX_TEXT_CHARS",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(paths, expected);
}
