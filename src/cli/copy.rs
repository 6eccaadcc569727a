//! `balcao index copy`: moving a desk's index from a SQLite file to a shared `PostgreSQL` database
//! or back (chats with their details, the audit log, drafts), into an empty target, or replacing
//! what it holds with `--force`. The target is written in one transaction: a copy that fails
//! leaves it as it was.

use std::path::Path;

use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::cli::open::blocking;
use crate::config::resolve::{Resolved, resolve};
use crate::data_dir::open_index;
use crate::i18n::Lang;
use crate::store::copy::Imported;
use crate::store::location::IndexLocation;
use crate::tr;

/// A location as the person gave it, for messages: a path, or a URL with its password hidden.
fn shown(location: &IndexLocation) -> String {
    match location {
        IndexLocation::DataDir => String::new(),
        IndexLocation::File(path) => path.display().to_string(),
        IndexLocation::Postgres(url) => url.shown(),
    }
}

/// `--from` / `--to` read as `--index` reads its value, with the password every command uses
/// when a URL has none.
fn location(
    flag: &str,
    text: &str,
    settings: &Resolved,
    lang: Lang,
) -> Result<IndexLocation, CliError> {
    match settings.locate(text) {
        IndexLocation::DataDir => Err(CliError::Usage(tr!(
            lang,
            "{flag} está vazio: dê o caminho de um arquivo SQLite ou uma URL postgres://",
            "{flag} is empty: give a SQLite file's path or a postgres:// URL"
        ))),
        location => Ok(location),
    }
}

/// Whether two locations name the same index as far as can be told without opening them.
fn same(from: &IndexLocation, to: &IndexLocation) -> bool {
    match (from, to) {
        (IndexLocation::File(a), IndexLocation::File(b)) => {
            a == b
                || a.canonicalize()
                    .ok()
                    .zip(b.canonicalize().ok())
                    .is_some_and(|(a, b)| a == b)
        }
        (IndexLocation::Postgres(a), IndexLocation::Postgres(b)) => a.shown() == b.shown(),
        _ => false,
    }
}

/// Copies `--from` into `--to`.
pub async fn run(
    global: &GlobalArgs,
    from: &str,
    to: &str,
    force: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let settings = resolve(&global.overrides())?;
    let source = location("--from", from, &settings, lang)?;
    let target = location("--to", to, &settings, lang)?;
    let (from_shown, to_shown) = (shown(&source), shown(&target));
    if same(&source, &target) {
        return Err(CliError::Usage(tr!(
            lang,
            "--from e --to são o mesmo índice ({to_shown}): nada a copiar",
            "--from and --to are the same index ({to_shown}): nothing to copy"
        )));
    }
    // Opening a file that is not there would create an empty index: a typo must not pass as an
    // empty source.
    if let IndexLocation::File(path) = &source
        && !path.exists()
    {
        return Err(CliError::Usage(tr!(
            lang,
            "--from {from_shown}: o arquivo não existe",
            "--from {from_shown}: no such file"
        )));
    }
    let outcome = blocking(move || {
        // Neither is the data dir's file: no data dir is needed.
        let source = open_index(&source, Path::new(""))?;
        let target = open_index(&target, Path::new(""))?;
        target.import_from(&**source, force)
    })
    .await?;
    match outcome {
        Imported::Copied(copied) => {
            let (chats, audit, drafts) = (copied.chats, copied.audit, copied.drafts);
            println!(
                "{}",
                tr!(
                    lang,
                    "copiados de {from_shown} para {to_shown}: {chats} conversa(s) com seus detalhes, {audit} registro(s) de auditoria, {drafts} rascunho(s)",
                    "copied from {from_shown} to {to_shown}: {chats} chat(s) with their details, {audit} audit entr(ies), {drafts} draft(s)"
                )
            );
            Ok(())
        }
        Imported::Refused(held) => {
            let (chats, audit) = (held.chats, held.audit);
            Err(CliError::Usage(tr!(
                lang,
                "--to {to_shown} já tem {chats} conversa(s) e {audit} registro(s) de auditoria; nada foi copiado. Copie para um índice vazio, ou acrescente --force para substituir o que ele tem",
                "--to {to_shown} already holds {chats} chat(s) and {audit} audit entr(ies); nothing was copied. Copy into an empty index, or add --force to replace what it holds"
            )))
        }
    }
}
