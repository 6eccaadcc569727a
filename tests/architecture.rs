//! The architecture kept true by tests: no module cycles, layers that do not reach upward (only
//! the binary uses the command line, configuration sits below the console, API limits come from
//! the API and not from the sandbox), a console that builds no JSON and does not match on the
//! provider, and files of one job.
//!
//! `src/` is read as text by `common/rust_source.rs` (std only, no dependency): comments and
//! literals are blanked first, so a path in a doc comment or a string is not a reference; then
//! `crate::` paths, `super::` paths and paths through names a `use` brought in are read the way
//! Rust resolves them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/rust_source.rs"]
mod rust_source;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_source::{Reference, Source, Tok, Token, defining_file, sources};

/// The line budget of one source file: a file over it is doing more than one job.
const MAX_LINES: usize = 600;

/// Files allowed over [`MAX_LINES`], each with its reason. An entry whose file is back under the
/// limit (or gone) fails the test too, so this list only ever shrinks.
const OVER_THE_LIMIT: &[(&str, &str)] = &[];

/// One layering rule: files in `layer` (paths under `src/`; a trailing `/` means a folder), other
/// than those in `except`, may not name the module `crate::<may_not_reference>` (one module, such
/// as `cli`, or a path into one, such as `sandbox::world`) or anything in it.
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
        // `--demo` runs the console on the bundled sandbox: starting it is the demo's job.
        except: &["console/launch.rs"],
        may_not_reference: "sandbox",
        why: "the sandbox is a tool that emulates the CRMs for tests and demos, not a part of the \
              product: constants the product needs live with the wire types",
    },
    Rule {
        layer: &[""],
        except: &["sandbox/"],
        may_not_reference: "sandbox::world",
        why: "the sandbox's world is its own data: the API limits it enforces live in \
              crate::api::wegly::limits, with the wire types",
    },
    Rule {
        layer: &["config/"],
        except: &[],
        may_not_reference: "console",
        why: "configuration sits below the console: the console's start reads the settings, and \
              the settings know nothing of the console",
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
    Rule {
        layer: &["api/", "store/", "webhook/", "config/"],
        except: &[],
        may_not_reference: "batch",
        why: "batches run changes through the API and record them in the store: they sit above \
              both, beside the console and the command line that start them",
    },
    Rule {
        layer: &["batch/"],
        except: &[],
        may_not_reference: "console",
        why: "a batch runs the same from the console and the shell: it knows neither",
    },
];

/// Modules folded into others, each with where its job went: a rule against naming one could
/// never fail while it is gone, so what is checked is that it stays gone.
const RETIRED: &[(&str, &str)] = &[(
    "describe",
    "words for wire values come from one presentation module, crate::present, for the views and \
     the command line alike",
)];

/// The API limits the sandbox must import rather than define (see
/// [`the_sandbox_defines_no_api_limits_of_its_own`]).
const LIMITS: [&str; 4] = [
    "MAX_CONTACT_ID_CHARS",
    "MAX_PROFILE_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "SESSION_WINDOW",
];

/// The checks below pass when they find nothing wrong, so each must look where something is: a
/// rule whose layer matches no file, or that forbids a module that does not exist, would pass
/// whatever the code did (a folder renamed, a module moved).
#[test]
fn every_check_looks_at_files_and_modules_that_exist() {
    let sources = sources();
    let files: BTreeSet<String> = sources.iter().map(|s| s.path.clone()).collect();
    let matches_a_file = |prefix: &str| {
        files.iter().any(|file| {
            if prefix.ends_with('/') || prefix.is_empty() {
                file.starts_with(prefix)
            } else {
                file == prefix
            }
        })
    };
    let module_file = |module: &str| {
        let path: Vec<String> = module.split("::").map(str::to_owned).collect();
        let file = defining_file(&path, &files);
        (file != "lib.rs").then_some(file)
    };
    let mut failures = Vec::new();
    for rule in RULES {
        for prefix in rule.layer.iter().chain(rule.except) {
            if !matches_a_file(prefix) {
                failures.push(format!("  {}: no file src/{prefix}", rule.describe()));
            }
        }
        if !sources.iter().any(|s| rule.covers(&s.path)) {
            failures.push(format!("  {}: covers no file", rule.describe()));
        }
        if module_file(rule.may_not_reference).is_none() {
            failures.push(format!(
                "  {}: no module crate::{} (if it is gone for good, list it in RETIRED)",
                rule.describe(),
                rule.may_not_reference
            ));
        }
    }
    for folder in ["console/", "sandbox/"] {
        if !matches_a_file(folder) {
            failures.push(format!("  no file under src/{folder}, which a check reads"));
        }
    }
    let limits = sources
        .iter()
        .find(|s| s.path == "api/wegly/limits.rs")
        .map(Source::code)
        .unwrap_or_default();
    for name in LIMITS {
        let defined = limits
            .windows(2)
            .any(|pair| pair[0].is_ident("const") && pair[1].is_ident(name));
        if !defined {
            failures.push(format!("  src/api/wegly/limits.rs defines no const {name}"));
        }
    }
    assert!(
        failures.is_empty(),
        "checks of this file that would pass whatever the code did; point them at what exists:\n{}",
        failures.join("\n")
    );
}

#[test]
fn retired_modules_stay_gone() {
    let files: BTreeSet<String> = sources().into_iter().map(|s| s.path).collect();
    let back: Vec<String> = RETIRED
        .iter()
        .filter(|(module, _)| {
            let path: Vec<String> = module.split("::").map(str::to_owned).collect();
            defining_file(&path, &files) != "lib.rs"
        })
        .map(|(module, why)| format!("  crate::{module} is back: {why}"))
        .collect();
    assert!(back.is_empty(), "retired modules:\n{}", back.join("\n"));
}

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
                reached
                    .entry(to)
                    .or_default()
                    .push(Site::of(&reference, from));
            }
            for (index, rule) in RULES.iter().enumerate() {
                if rule.covers(from) && rule.forbids(&reference.module) {
                    let by_file = broken.entry(index).or_default();
                    by_file
                        .entry(from.clone())
                        .or_default()
                        .push(Site::of(&reference, from));
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
fn the_sandbox_defines_no_api_limits_of_its_own() {
    // It enforces the API's limits, imported from crate::api::wegly::limits; a copy would drift.
    let mut found = Vec::new();
    for source in sources().iter().filter(|s| s.path.starts_with("sandbox/")) {
        let code = source.code();
        for pair in code.windows(2) {
            if pair[0].is_ident("const") && LIMITS.iter().any(|name| pair[1].is_ident(name)) {
                found.push(format!("  src/{}:{}", source.path, pair[1].line));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the sandbox defines API limits of its own; import them from crate::api::wegly::limits:\n{}",
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

    /// Whether `module` (an absolute path, without `crate::`) is or lies in the forbidden one.
    fn forbids(&self, module: &[String]) -> bool {
        let forbidden: Vec<&str> = self.may_not_reference.split("::").collect();
        module.len() >= forbidden.len() && module.iter().zip(&forbidden).all(|(a, b)| a == b)
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

impl Site {
    /// Where `reference` was written in `file`, with the absolute path when it was written
    /// otherwise (through `super::` or an imported name).
    fn of(reference: &Reference, file: &str) -> Site {
        let absolute = format!("crate::{}", reference.module.join("::"));
        let written = if reference.written == absolute {
            absolute
        } else {
            format!("{} = {absolute}", reference.written)
        };
        Site {
            file: file.to_owned(),
            line: reference.line,
            written,
        }
    }
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
