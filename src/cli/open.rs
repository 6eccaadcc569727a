//! Opening the index for a command: where the settings say it is, with what others can read of
//! it said on stderr, and the audit entries kept locally while it was unreachable written to it.

use std::path::Path;
use std::sync::Arc;

use crate::cli::CliError;
use crate::config::ConfigError;
use crate::config::resolve::Resolved;
use crate::data_dir::open_index;
use crate::i18n::Lang;
use crate::store::Store;
use crate::store::journal::AuditJournal;
use crate::store::location::IndexLocation;
use crate::tr;

/// Opens the index the settings name (`--index`, `BALCAO_INDEX`, the configuration's `index`,
/// else the data dir's file); one that is not ours or is newer is a configuration error (exit 2).
/// A data dir or index file that others can read is reported on stderr. Audit entries kept
/// locally while the index was unreachable are written to it now.
pub fn open_store(settings: &Resolved, lang: Lang) -> Result<Arc<Store>, CliError> {
    let data_dir = match (&settings.index, &settings.data_dir) {
        (IndexLocation::DataDir, None) => return Err(CliError::Config(ConfigError::NoDataDir)),
        (_, dir) => dir.clone(),
    };
    let store = open_index(
        &settings.index,
        data_dir.as_deref().unwrap_or(Path::new("")),
    )?;
    for exposed in store.exposed() {
        eprintln!("balcao: {}", exposed.message(lang));
    }
    if let Some(dir) = &data_dir {
        flush_journal(&store, &AuditJournal::in_dir(dir), lang);
    }
    Ok(store)
}

/// [`open_store`] off the async threads (a database connection blocks).
pub async fn open_blocking(settings: &Resolved, lang: Lang) -> Result<Arc<Store>, CliError> {
    let settings = settings.clone();
    blocking(move || open_store(&settings, lang)).await
}

/// Runs `work` off the async threads: the index's calls block (a database connection, a file
/// lock). Its error is the command's.
pub async fn blocking<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, CliError>
where
    T: Send + 'static,
    E: Into<CliError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done.map_err(Into::into),
        Err(error) => Err(CliError::Failed(error.to_string())),
    }
}

/// Writes the audit entries kept in `journal` to the index, saying how many; a failure is said
/// and the entries stay for the next time.
fn flush_journal(store: &Store, journal: &AuditJournal, lang: Lang) {
    match journal.flush(store) {
        Ok(0) => {}
        Ok(count) => eprintln!(
            "balcao: {}",
            tr!(
                lang,
                "{count} registro(s) de auditoria guardado(s) nesta máquina enquanto o índice estava inacessível foram gravados nele",
                "{count} audit entr(ies) kept on this machine while the index was unreachable were written to it"
            )
        ),
        Err(error) => {
            let path = journal.path().display();
            eprintln!(
                "balcao: {}",
                tr!(
                    lang,
                    "aviso: os registros de auditoria guardados em {path} ainda não foram todos gravados no índice ({error}); eles ficam lá e serão gravados na próxima vez",
                    "warning: the audit entries kept in {path} were not all written to the index ({error}); they stay there and will be written next time"
                )
            );
        }
    }
}
