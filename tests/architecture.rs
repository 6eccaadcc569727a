//! The architecture kept true by tests: no module cycles, layers that do not reach upward, a
//! console that builds no JSON and does not match on the provider, and files of one job.
//!
//! `src/` is read as text (std only, no dependency): comments and literals are blanked first, so a
//! path in a doc comment or a string is not a reference; then `crate::` paths, `super::` paths and
//! paths through names a `use` brought in are read the way Rust resolves them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The line budget of one source file: a file over it is doing more than one job (issue 9).
const MAX_LINES: usize = 600;

/// Files allowed over [`MAX_LINES`], each with its reason. An entry whose file is back under the
/// limit (or gone) fails the test too, so this list only ever shrinks.
const OVER_THE_LIMIT: &[(&str, &str)] = &[
    ("sandbox/world.rs", "being split"),
    ("store/records.rs", "being split"),
];

/// One layering rule: files in `layer` (paths under `src/`; a trailing `/` means a folder), other
/// than those in `except`, may not name the module `crate::<may_not_reference>`.
struct Rule {
    layer: &'static [&'static str],
    except: &'static [&'static str],
    may_not_reference: &'static str,
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        layer: &[""],
        except: &["main.rs", "cli/"],
        may_not_reference: "cli",
        why: "the command line is the top layer: it drives the console, the index and the API, \
              so nothing it drives may depend on it (shared labels live in a presentation module)",
    },
    Rule {
        layer: &["console/", "api/", "store/", "webhook/", "config/"],
        except: &[],
        may_not_reference: "sandbox",
        why: "the sandbox is a tool that emulates the CRMs for tests and demos, not a part of the \
              product: constants the product needs live with the wire types",
    },
    Rule {
        layer: &["store/"],
        except: &[],
        may_not_reference: "api",
        why: "the store is below the API: the API's clients and the actor write to it",
    },
    Rule {
        layer: &["store/"],
        except: &[],
        may_not_reference: "console",
        why: "the store is below the console: the console reads it",
    },
    Rule {
        layer: &["api/"],
        except: &[],
        may_not_reference: "console",
        why: "the console is above the API: it sends changes to the actor and reads its replies",
    },
    Rule {
        layer: &["api/"],
        except: &[],
        may_not_reference: "hydrate",
        why: "hydrate schedules fetches through the API; the actor fetches and stores on its own",
    },
];

#[test]
fn no_module_cycles() {
    let sources = sources();
    let files: BTreeSet<String> = sources.iter().map(|s| s.path.clone()).collect();
    let mut edges: BTreeMap<String, BTreeMap<String, Vec<Site>>> = BTreeMap::new();
    // Per rule (by its index in RULES), per file breaking it: where.
    let mut broken: BTreeMap<usize, BTreeMap<String, Vec<Site>>> = BTreeMap::new();
    for source in &sources {
        let from = &source.path;
        let reached = edges.entry(from.clone()).or_default();
        for reference in source.references() {
            let to = defining_file(&reference.module, &files);
            if to != *from {
                reached.entry(to).or_default().push(reference.site(from));
            }
            for (index, rule) in RULES.iter().enumerate() {
                let named = reference.module.first().map(String::as_str);
                if rule.covers(from) && named == Some(rule.may_not_reference) {
                    let by_file = broken.entry(index).or_default();
                    by_file
                        .entry(from.clone())
                        .or_default()
                        .push(reference.site(from));
                }
            }
        }
    }

    let mut broken_rules = String::new();
    for (index, by_file) in &broken {
        let rule = &RULES[*index];
        writeln!(broken_rules, "  {}: {}", rule.describe(), rule.why).unwrap();
        for sites in by_file.values() {
            writeln!(broken_rules, "    {}{}", sites[0], and_more(sites)).unwrap();
        }
    }

    let mut cycles = String::new();
    for component in strongly_connected(&edges)
        .into_iter()
        .filter(|c| c.len() > 1)
    {
        let names: Vec<String> = component.iter().map(|f| format!("src/{f}")).collect();
        writeln!(cycles, "  cycle: {}", names.join(", ")).unwrap();
        for from in &component {
            for (to, sites) in &edges[from] {
                if component.contains(to) {
                    let more = and_more(sites);
                    writeln!(cycles, "    src/{from} -> src/{to}: {}{more}", sites[0]).unwrap();
                }
            }
        }
    }

    let mut failure = String::new();
    if !cycles.is_empty() {
        write!(
            failure,
            "module cycles under src/ (each file below reaches the others through its imports and \
             back to itself; break each cycle by moving what both sides need into a module below \
             them both):\n{cycles}"
        )
        .unwrap();
    }
    if !broken_rules.is_empty() {
        write!(
            failure,
            "layer rules broken (each reference below must go, or what it names move to a \
             lower layer):\n{broken_rules}"
        )
        .unwrap();
    }
    assert!(failure.is_empty(), "{failure}");
}

#[test]
fn the_console_builds_no_json() {
    // The reducer speaks of conversations and changes; CRM requests are built in src/api/.
    let found = console_sites(|tokens, i| {
        let serde_json = tokens[i].is_ident("serde_json");
        let json_macro = tokens[i].is_ident("json") && tokens.get(i + 1).is_some_and(|t| t.is('!'));
        serde_json || json_macro
    });
    assert!(
        found.is_empty(),
        "src/console/ builds or reads JSON (`json!` or `serde_json`); build the request in the \
         provider's module under src/api/ and hand the console a typed value:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_console_does_not_match_on_the_provider() {
    // Providers declare their capabilities in src/api/; the console asks them instead of branching.
    let found = console_sites(|tokens, i| {
        tokens[i].is_ident("Provider")
            && tokens.get(i + 1).is_some_and(|t| t.tok == Tok::PathSep)
            && match tokens.get(i + 2).map(|t| &t.tok) {
                Some(Tok::Ident(variant)) => variant == "Wegly" || variant == "Agilize",
                // `Provider::{Wegly, ...}` or `Provider::*` bring the variants in by their bare names.
                Some(Tok::Punct('{' | '*')) => true,
                _ => false,
            }
    });
    assert!(
        found.is_empty(),
        "src/console/ names a CRM (`Provider::Wegly` / `Provider::Agilize`); ask the provider what \
         it supports (crate::api::supports) or put the difference in its module under src/api/:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_file_over_600_lines() {
    let sources = sources();
    let mut failures = Vec::new();
    for source in &sources {
        let lines = source.text.lines().count();
        let allowed = OVER_THE_LIMIT.iter().find(|(path, _)| *path == source.path);
        match allowed {
            None if lines > MAX_LINES => failures.push(format!(
                "  src/{} has {lines} lines, over {MAX_LINES}: split it along its jobs (or, if it is \
                 one cohesive table, add it to OVER_THE_LIMIT in tests/architecture.rs with why)",
                source.path
            )),
            Some(_) if lines <= MAX_LINES => failures.push(format!(
                "  src/{} has {lines} lines now, within {MAX_LINES}: remove it from OVER_THE_LIMIT \
                 in tests/architecture.rs",
                source.path
            )),
            _ => {}
        }
    }
    for (path, _) in OVER_THE_LIMIT {
        if !sources.iter().any(|s| s.path == *path) {
            failures.push(format!(
                "  src/{path} is in OVER_THE_LIMIT but does not exist: remove it from the list in \
                 tests/architecture.rs"
            ));
        }
    }
    assert!(failures.is_empty(), "file sizes:\n{}", failures.join("\n"));
}

/// The reader itself, on the forms that would fool a naive one.
#[test]
fn the_reader_finds_paths_as_rust_resolves_them() {
    let source = Source {
        path: "console/ui/list.rs".to_owned(),
        text: r##"//! Mentions crate::cli::present in a doc comment.
use crate::api::{self, wegly::{Chat, changes as wire_changes}, Scope};
use super::theme;
/* a block /* nested */ comment naming crate::sandbox::seed */
const QUOTE: char = '"';
const ESCAPED: u8 = b'\'';
const r#type: &[u8] = br"crate::sandbox";
const S: &str = "crate::sandbox \" still a string";
const R: &str = r#"then "crate::sandbox::seed" inside"#;
const DIR: &str = r"C:\"; const MAX: usize = crate::webhook::limits::MAX;
fn f<'a>(x: &'a str) -> &'a str {
    let describe = wire_changes::describe;
    let supports = api::capability::supports;
    let lang = $crate::i18n::Lang::En;
    crate::store::
        Provider::Wegly;
    super::super::launch::open();
    x
}
pub mod field {
    use super::Row;
}
#[cfg(test)]
#[allow(unused)]
mod tests {
    use crate::cli::present;
}
"##
        .to_owned(),
    };
    let found: Vec<String> = source
        .references()
        .iter()
        .map(|r| format!("{}: {}", r.line, r.module.join("::")))
        .collect();
    assert_eq!(
        found,
        [
            "2: api",
            "2: api::wegly::Chat",
            "2: api::wegly::changes",
            "2: api::Scope",
            "3: console::ui::theme",
            "10: webhook::limits::MAX",
            "12: api::wegly::changes::describe",
            "13: api::capability::supports",
            "16: store::Provider::Wegly",
            "17: console::launch::open",
            "21: console::ui::list::Row",
        ]
    );
    let files: BTreeSet<String> = [
        "lib.rs",
        "api/mod.rs",
        "api/wegly/mod.rs",
        "console/ui/list.rs",
    ]
    .map(str::to_owned)
    .into();
    let module = |path: &str| path.split("::").map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        defining_file(&module("api::wegly::Chat"), &files),
        "api/wegly/mod.rs"
    );
    assert_eq!(
        defining_file(&module("console::ui::list::field::Row"), &files),
        "console/ui/list.rs"
    );
    assert_eq!(defining_file(&module("tr"), &files), "lib.rs");
}

/// " (and 3 more)" after the first of `sites`, so a message stays one line per file or edge.
fn and_more(sites: &[Site]) -> String {
    match sites.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    }
}

/// Where a reference was written, for the failure messages.
struct Site {
    file: String,
    line: usize,
    written: String,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "src/{}:{} `{}`", self.file, self.line, self.written)
    }
}

/// A reference to a module of the crate (or an item in one), by its absolute path.
#[derive(Debug)]
struct Reference {
    module: Vec<String>,
    line: usize,
    written: String,
}

impl Reference {
    fn site(&self, file: &str) -> Site {
        let absolute = format!("crate::{}", self.module.join("::"));
        let written = if self.written == absolute {
            absolute
        } else {
            format!("{} = {absolute}", self.written)
        };
        Site {
            file: file.to_owned(),
            line: self.line,
            written,
        }
    }
}

impl Rule {
    /// "src/ (except src/main.rs, src/cli/) may not reference `crate::cli`".
    fn describe(&self) -> String {
        let under = |paths: &[&str]| {
            let paths: Vec<String> = paths.iter().map(|p| format!("src/{p}")).collect();
            paths.join(", ")
        };
        let mut text = under(self.layer);
        if !self.except.is_empty() {
            write!(text, " (except {})", under(self.except)).unwrap();
        }
        write!(text, " may not reference crate::{}", self.may_not_reference).unwrap();
        text
    }

    fn covers(&self, file: &str) -> bool {
        let within = |prefix: &&str| {
            if prefix.ends_with('/') || prefix.is_empty() {
                file.starts_with(prefix)
            } else {
                file == *prefix
            }
        };
        self.layer.iter().any(within) && !self.except.iter().any(within)
    }
}

/// A source file under `src/`, `path` relative to it with `/` separators.
struct Source {
    path: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    collect(&root, &root, &mut found);
    found.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(!found.is_empty(), "no .rs file under {}", root.display());
    found
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<Source>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap();
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            found.push(Source {
                path: parts.join("/"),
                text,
            });
        }
    }
}

impl Source {
    /// The module this file defines: `lib.rs` is the root, `a/mod.rs` is `a`, `a/b.rs` is `a::b`.
    fn module(&self) -> Vec<String> {
        let path = self.path.strip_suffix(".rs").unwrap_or(&self.path);
        let mut parts: Vec<String> = path.split('/').map(str::to_owned).collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        parts
    }

    /// The code's tokens, without comments, literals and `#[cfg(test)] mod` blocks (test code may
    /// import upward).
    fn code(&self) -> Vec<Token> {
        without_test_modules(&tokens(&blank_comments_and_literals(&self.text)))
    }

    /// Every path into the crate: `crate::…` (in `main.rs`, the library is `balcao::…`),
    /// `super::…`, and paths through a name a `use` of those brought in. Relative paths down
    /// (`self::x::…`, `x::…` for a child `x`) are not read: a module reaching into the children it
    /// declares is part of declaring them, like `mod x;`.
    fn references(&self) -> Vec<Reference> {
        let code = self.code();
        let root = if self.path == "main.rs" {
            "balcao"
        } else {
            "crate"
        };
        let mut reader = Reader {
            tokens: &code,
            here: self.module(),
            root,
            imported: BTreeMap::new(),
            references: Vec::new(),
        };
        // A `use` may come after the code that relies on it: learn the imported names first.
        reader.read();
        reader.references.clear();
        reader.read();
        reader.references
    }
}

/// The file that defines `module`'s longest prefix that is a file: `a::b::c` is `a/b/c.rs` or
/// `a/b/c/mod.rs`, else (`c` is an item or an inline module) `a/b.rs` or `a/b/mod.rs`, and so on
/// down to `lib.rs`.
fn defining_file(module: &[String], files: &BTreeSet<String>) -> String {
    for length in (1..=module.len()).rev() {
        let path = module[..length].join("/");
        for candidate in [format!("{path}.rs"), format!("{path}/mod.rs")] {
            if files.contains(&candidate) {
                return candidate;
            }
        }
    }
    "lib.rs".to_owned()
}

/// `src/console/**` lines where `matches(tokens, i)` holds, each once, as `src/file:line: code`.
fn console_sites(matches: impl Fn(&[Token], usize) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources().iter().filter(|s| s.path.starts_with("console/")) {
        let code = source.code();
        let lines: BTreeSet<usize> = (0..code.len())
            .filter(|&i| matches(&code, i))
            .map(|i| code[i].line)
            .collect();
        let text: Vec<&str> = source.text.lines().collect();
        for line in lines {
            let written = text.get(line - 1).map_or("", |l| l.trim());
            found.push(format!("  src/{}:{line}: {written}", source.path));
        }
    }
    found
}

/// Walks a file's tokens, following `use` trees and paths, tracking inline `mod x { … }` blocks so
/// `super::` inside one is resolved from it.
struct Reader<'t> {
    tokens: &'t [Token],
    here: Vec<String>,
    root: &'static str,
    imported: BTreeMap<String, Vec<String>>,
    references: Vec<Reference>,
}

impl Reader<'_> {
    fn read(&mut self) {
        let t = self.tokens;
        let mut depth = 0usize;
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut opening_module: Option<String> = None;
        let mut i = 0;
        while i < t.len() {
            match &t[i].tok {
                Tok::Punct('{') => {
                    depth += 1;
                    if let Some(name) = opening_module.take() {
                        inline.push((name, depth));
                    }
                }
                Tok::Punct('}') => {
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    depth = depth.saturating_sub(1);
                }
                Tok::Ident(word) if word == "mod" => {
                    if let (Some(Tok::Ident(name)), Some(true)) = (
                        t.get(i + 1).map(|x| &x.tok),
                        t.get(i + 2).map(|x| x.is('{')),
                    ) {
                        opening_module = Some(name.clone());
                    }
                }
                _ => {}
            }
            // A path starts where the previous token does not continue one (`a::crate` is not a
            // path start, nor `$crate` in a macro, nor a method `.name`).
            let continues =
                i > 0 && (t[i - 1].tok == Tok::PathSep || t[i - 1].is('$') || t[i - 1].is('.'));
            let is_path = t.get(i + 1).is_some_and(|x| x.tok == Tok::PathSep);
            let start = match &t[i].tok {
                Tok::Ident(word) if is_path && !continues => self.start(word, i, &inline),
                _ => None,
            };
            match start {
                Some((module, at, written)) => {
                    let in_use = i > 0 && t[i - 1].is_ident("use");
                    i = self.path(at, module, written, t[i].line, in_use);
                }
                None => i += 1,
            }
        }
    }

    /// Where a path starting at `i` with `word` begins: its module so far, the index of the `::`
    /// after its root, and how it was written.
    fn start(
        &self,
        word: &str,
        i: usize,
        inline: &[(String, usize)],
    ) -> Option<(Vec<String>, usize, String)> {
        let t = self.tokens;
        if word == self.root {
            return Some((Vec::new(), i + 1, word.to_owned()));
        }
        if word == "super" && self.root == "crate" {
            let mut module = self.here.clone();
            module.extend(inline.iter().map(|(name, _)| name.clone()));
            let mut written = Vec::new();
            let mut j = i;
            while t.get(j).is_some_and(|x| x.is_ident("super"))
                && t.get(j + 1).is_some_and(|x| x.tok == Tok::PathSep)
            {
                module.pop();
                written.push("super");
                j += 2;
            }
            return Some((module, j - 1, written.join("::")));
        }
        let imported = self.imported.get(word)?;
        Some((imported.clone(), i + 1, word.to_owned()))
    }

    /// Reads `::segment::…` from `at` (a `::`), including `::{…}` groups and `as` renames; returns
    /// the index after the path.
    fn path(
        &mut self,
        mut at: usize,
        mut module: Vec<String>,
        mut written: String,
        mut line: usize,
        in_use: bool,
    ) -> usize {
        let t = self.tokens;
        while t.get(at).is_some_and(|x| x.tok == Tok::PathSep) {
            match t.get(at + 1).map(|x| &x.tok) {
                Some(Tok::Ident(segment)) => {
                    module.push(segment.clone());
                    written = format!("{written}::{segment}");
                    line = t[at + 1].line;
                    at += 2;
                }
                Some(Tok::Punct('{')) => return self.group(at + 2, &module, &written, in_use),
                Some(Tok::Punct('*')) => {
                    self.found(module, format!("{written}::*"), line, None);
                    return at + 2;
                }
                // `::<T>` (turbofish) or anything else ends the path.
                _ => break,
            }
        }
        let mut local = module.last().cloned();
        if t.get(at).is_some_and(|x| x.is_ident("as"))
            && let Some(Tok::Ident(name)) = t.get(at + 1).map(|x| &x.tok)
        {
            local = Some(name.clone());
            at += 2;
        }
        self.found(module, written, line, if in_use { local } else { None });
        at
    }

    /// Reads a `{…}` group of a `use` tree from `at` (after the `{`); returns the index after `}`.
    fn group(&mut self, mut at: usize, module: &[String], written: &str, in_use: bool) -> usize {
        let t = self.tokens;
        while let Some(token) = t.get(at) {
            match &token.tok {
                Tok::Punct('}') => return at + 1,
                Tok::Ident(word) if word == "self" => {
                    let mut local = module.last().cloned();
                    at += 1;
                    if t.get(at).is_some_and(|x| x.is_ident("as"))
                        && let Some(Tok::Ident(name)) = t.get(at + 1).map(|x| &x.tok)
                    {
                        local = Some(name.clone());
                        at += 2;
                    }
                    let local = if in_use { local } else { None };
                    self.found(module.to_vec(), written.to_owned(), token.line, local);
                }
                Tok::Ident(segment) => {
                    let mut inner = module.to_vec();
                    inner.push(segment.clone());
                    let inner_written = format!("{written}::{segment}");
                    at = self.path(at + 1, inner, inner_written, token.line, in_use);
                }
                Tok::Punct('*') => {
                    self.found(module.to_vec(), format!("{written}::*"), token.line, None);
                    at += 1;
                }
                Tok::Punct('{') => at = self.group(at + 1, module, written, in_use),
                _ => at += 1,
            }
        }
        at
    }

    fn found(&mut self, module: Vec<String>, written: String, line: usize, local: Option<String>) {
        if let Some(local) = local.filter(|name| name != "_") {
            self.imported.insert(local, module.clone());
        }
        self.references.push(Reference {
            module,
            line,
            written,
        });
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
    Number,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

impl Token {
    fn is(&self, punct: char) -> bool {
        self.tok == Tok::Punct(punct)
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Ident(w) if w == word)
    }
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokens of code whose comments and literals are already blanked; lines count from 1.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident_char(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let tok = if c.is_ascii_digit() {
                Tok::Number
            } else {
                Tok::Ident(word)
            };
            found.push(Token { tok, line });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            found.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else {
            found.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    found
}

/// `tokens` without each `#[cfg(test)] mod name { … }` (other attributes may sit in between).
fn without_test_modules(tokens: &[Token]) -> Vec<Token> {
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(end) = test_module_end(tokens, i) {
            i = end;
        } else {
            kept.push(tokens[i].clone());
            i += 1;
        }
    }
    kept
}

fn test_module_end(t: &[Token], i: usize) -> Option<usize> {
    let cfg_test = ["#", "[", "cfg", "(", "test", ")", "]"];
    let spelled = |token: &Token, expected: &str| match &token.tok {
        Tok::Ident(word) => word == expected,
        Tok::Punct(c) => expected.chars().eq([*c]),
        _ => false,
    };
    let attribute = t.get(i..i + cfg_test.len())?;
    if !attribute.iter().zip(cfg_test).all(|(t, e)| spelled(t, e)) {
        return None;
    }
    let mut j = i + cfg_test.len();
    while t.get(j)?.is('#') && t.get(j + 1)?.is('[') {
        j = closing(t, j + 1, '[', ']')?;
    }
    if t.get(j)?.is_ident("pub") {
        j += 1;
        if t.get(j)?.is('(') {
            j = closing(t, j, '(', ')')?;
        }
    }
    if !t.get(j)?.is_ident("mod") || !matches!(t.get(j + 1)?.tok, Tok::Ident(_)) {
        return None;
    }
    if !t.get(j + 2)?.is('{') {
        return None;
    }
    closing(t, j + 2, '{', '}')
}

/// The index after the bracket closing the one opened at `open`.
fn closing(t: &[Token], open: usize, opens: char, closes: char) -> Option<usize> {
    let mut depth = 0usize;
    for (k, token) in t.iter().enumerate().skip(open) {
        if token.is(opens) {
            depth += 1;
        } else if token.is(closes) {
            depth -= 1;
            if depth == 0 {
                return Some(k + 1);
            }
        }
    }
    None
}

/// `text` with comments (line, nested block), string literals (with escapes, raw, byte) and
/// character literals replaced by spaces; newlines are kept so line numbers stay true.
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = literal_or_comment_end(&chars, i) {
            let end = end.min(chars.len());
            let blank = |&c: &char| if c == '\n' { '\n' } else { ' ' };
            code.extend(chars[i..end].iter().map(blank));
            i = end;
        } else {
            code.push(chars[i]);
            i += 1;
        }
    }
    code
}

/// If a comment or literal starts at `i`, the index after it (unterminated: the end of the text).
fn literal_or_comment_end(c: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| c.get(k).copied();
    match c[i] {
        '/' if at(i + 1) == Some('/') => {
            Some((i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len()))
        }
        '/' if at(i + 1) == Some('*') => {
            let mut depth = 0usize;
            let mut k = i;
            while k < c.len() {
                if c[k] == '/' && at(k + 1) == Some('*') {
                    depth += 1;
                    k += 2;
                } else if c[k] == '*' && at(k + 1) == Some('/') {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        return Some(k);
                    }
                } else {
                    k += 1;
                }
            }
            Some(c.len())
        }
        '"' => {
            let mut k = i + 1;
            while k < c.len() && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            Some(k + 1)
        }
        'r' => raw_string_end(c, i),
        '\'' if at(i + 1) == Some('\\') => {
            // '\n', '\'', '\u{1F600}': skip the escaped character, then up to the closing quote.
            let close = (i + 3..c.len()).find(|&k| c[k] == '\'');
            Some(close.map_or(c.len(), |k| k + 1))
        }
        '\'' if at(i + 2) == Some('\'') => Some(i + 3),
        // A lifetime or a label ('a, 'outer) is code.
        _ => None,
    }
}

/// `r"…"`, `r#"…"#` (also after `b` or `c`); not `r#ident` nor an identifier ending in `r`.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let before = |k: usize| k.checked_sub(1).map(|k| c[k]);
    let starts = match before(i) {
        None => true,
        Some('b' | 'c') => before(i - 1).is_none_or(|p| !is_ident_char(p)),
        Some(p) => !is_ident_char(p),
    };
    if !starts {
        return None;
    }
    let mut k = i + 1;
    while c.get(k) == Some(&'#') {
        k += 1;
    }
    if c.get(k) != Some(&'"') {
        return None;
    }
    let hashes = k - i - 1;
    k += 1;
    while k < c.len() {
        if c[k] == '"'
            && c[k + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return Some(k + 1 + hashes);
        }
        k += 1;
    }
    Some(c.len())
}

/// Tarjan's strongly connected components of the file graph, each sorted, in a stable order.
fn strongly_connected(edges: &BTreeMap<String, BTreeMap<String, Vec<Site>>>) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        edges: &'g BTreeMap<String, BTreeMap<String, Vec<Site>>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        components: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, node: &'g str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.edges.get(node).into_iter().flat_map(BTreeMap::keys) {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_owned());
                    if top == node {
                        break;
                    }
                }
                component.sort();
                self.components.push(component);
            }
        }
    }
    let mut tarjan = Tarjan {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in edges.keys() {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    tarjan.components.sort();
    tarjan.components
}
