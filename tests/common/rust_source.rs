//! A Rust source tree read as text, for the architecture test: comments and literals blanked,
//! tokens, and every path into the crate resolved to the module it names.
//!
//! Only `tests/architecture.rs` uses it; it needs no dependency beyond std.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A reference to a module of the crate (or an item in one), by its absolute path.
#[derive(Debug)]
pub struct Reference {
    pub module: Vec<String>,
    pub line: usize,
    pub written: String,
}

/// A source file under `src/`, `path` relative to it with `/` separators.
pub struct Source {
    pub path: String,
    pub text: String,
}

pub fn sources() -> Vec<Source> {
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
    pub fn module(&self) -> Vec<String> {
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
    pub fn code(&self) -> Vec<Token> {
        without_test_modules(&tokens(&blank_comments_and_literals(&self.text)))
    }

    /// Every path into the crate: `crate::…` (in `main.rs`, the library is `balcao::…`),
    /// `super::…`, and paths through a name a `use` of those brought in. Relative paths down
    /// (`self::x::…`, `x::…` for a child `x`) are not read: a module reaching into the children it
    /// declares is part of declaring them, like `mod x;`.
    pub fn references(&self) -> Vec<Reference> {
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
pub fn defining_file(module: &[String], files: &BTreeSet<String>) -> String {
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
pub enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
    Number,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
}

impl Token {
    pub fn is(&self, punct: char) -> bool {
        self.tok == Tok::Punct(punct)
    }

    pub fn is_ident(&self, word: &str) -> bool {
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
