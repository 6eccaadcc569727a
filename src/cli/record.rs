//! What a change made from the command line leaves behind: its audit entry (who, when, before →
//! after, the verified outcome) and the chat's row as the CRM now returns it, so that every
//! console of the desk sees the change. When the index cannot take them, the change has still
//! been made: the entry waits in the local journal for the next command or console that opens
//! the index, and the person is told so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;

use crate::cli::CliError;
use crate::cli::open::open_blocking;
use crate::config::resolve::Resolved;
use crate::data_dir::is_wrong_data_dir;
use crate::i18n::Lang;
use crate::store::journal::AuditJournal;
use crate::store::{AuditEntry, ChatKey, Columns, Source, Store, StoreError};
use crate::tr;

/// Where a change's traces go: the index when it opened, the journal otherwise.
pub struct Recorder {
    store: Option<Arc<Store>>,
    journal: Option<AuditJournal>,
    /// Who makes the changes, as the desk sees them.
    by: String,
    lang: Lang,
}

impl Recorder {
    /// Opens the index before a change is sent. An index that is not balcão's, or that this
    /// binary cannot use, is the user's to fix and stops the command before anything is sent;
    /// one that cannot be reached does not stop the change, whose entry is then kept locally.
    pub async fn open(settings: &Resolved, lang: Lang) -> Result<Self, CliError> {
        let journal = settings.data_dir.as_deref().map(AuditJournal::in_dir);
        let store = match open_blocking(settings, lang).await {
            Ok(store) => Some(store),
            Err(CliError::Index(error)) if !is_wrong_data_dir(&error) => {
                tracing::warn!(%error, "the index cannot be opened; the change's audit entry will be kept locally");
                None
            }
            Err(error) => return Err(error),
        };
        Ok(Self {
            store,
            journal,
            by: settings.desk_name(),
            lang,
        })
    }

    /// Records into an index the command has already opened (a batch reads its chats there
    /// first, so an index that cannot be reached has already stopped it).
    pub fn with_store(store: Arc<Store>, settings: &Resolved, lang: Lang) -> Self {
        Self {
            store: Some(store),
            journal: settings.data_dir.as_deref().map(AuditJournal::in_dir),
            by: settings.desk_name(),
            lang,
        }
    }

    /// Who makes the changes, as the desk sees them.
    pub fn by(&self) -> &str {
        &self.by
    }

    /// An audit entry for a change to `key` made now by this person.
    pub fn entry(&self, key: ChatKey, action: &str, request: Option<String>) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            key,
            action: action.to_owned(),
            request,
            before: None,
            after: None,
            outcome: String::new(),
            http_status: None,
            by: Some(self.by.clone()),
            // A single change is a batch of one: `balcao undo` takes it back like any batch.
            batch: Some(crate::batch::new_batch_id()),
            undo: None,
        }
    }

    /// What the index stores of `key` now, if it holds it (for a change's "before").
    pub async fn stored_detail(&self, key: &ChatKey) -> Option<String> {
        let store = self.store.clone()?;
        let key = key.clone();
        run(move || store.detail(&key)).await.ok().flatten()
    }

    /// Stores the chat as the change returned it, so every console sees it. A row that cannot
    /// be written is said; the next fetch brings it.
    pub async fn save(&self, key: &ChatKey, raw: String, columns: Columns, kind: Saved) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let saved = key.clone();
        let written = run(move || {
            let now = Utc::now();
            match kind {
                Saved::Chat => store.save_detail(&saved, &raw, &columns, now),
                Saved::Created => store
                    .note_chat(&saved, Source::Created, now)
                    .and_then(|_| store.save_detail(&saved, &raw, &columns, now)),
                Saved::Room => store.save_room(&saved, &raw, &columns, now),
            }
        })
        .await;
        if let Err(error) = written {
            let id = &key.chat_id;
            let lang = self.lang;
            eprintln!(
                "balcao: {}",
                tr!(
                    lang,
                    "aviso: a mudança foi feita, mas a linha de {id} no índice não foi atualizada ({error}); ela se atualiza na próxima busca",
                    "warning: the change was made, but {id}'s row in the index was not updated ({error}); the next fetch updates it"
                )
            );
        }
    }

    /// Writes `entry` to the index's audit log, or keeps it in the local journal when the index
    /// cannot take it, saying so. As a last resort (no journal either) the entry is printed on
    /// stderr, so that it is never lost silently.
    pub async fn record(&self, entry: AuditEntry) {
        let lang = self.lang;
        let failure = match self.store.clone() {
            Some(store) => {
                let written = entry.clone();
                match run(move || store.record_audit(&written)).await {
                    Ok(()) => return,
                    Err(error) => Some(error),
                }
            }
            None => None,
        };
        let because = failure.map_or_else(
            || {
                lang.pick("o índice está inacessível", "the index is unreachable")
                    .to_owned()
            },
            |error| error.to_string(),
        );
        let kept = match &self.journal {
            Some(journal) => journal
                .keep(&entry)
                .map(|()| journal.path().to_path_buf())
                .map_err(|error| error.to_string()),
            None => Err(lang.pick("não há pasta de dados", "no data dir").to_owned()),
        };
        let message = match kept {
            Ok(path) => kept_message(&path, &because, lang),
            Err(error) => {
                let line = crate::store::journal::entry_line(&entry);
                tr!(
                    lang,
                    "aviso: a mudança foi feita, mas seu registro de auditoria não pôde ser gravado ({because}) nem guardado localmente ({error}); aqui está ele: {line}",
                    "warning: the change was made, but its audit entry could not be written ({because}) nor kept locally ({error}); here it is: {line}"
                )
            }
        };
        eprintln!("balcao: {message}");
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            crate::data_dir::release(store);
        }
    }
}

/// What a change stores of the chat it changed.
#[derive(Debug, Clone, Copy)]
pub enum Saved {
    /// A Wegly chat's detail, as a change returned it.
    Chat,
    /// A chat just created (or reused) by `chat create`.
    Created,
    /// An Agilize room, as an update returned it.
    Room,
}

fn kept_message(path: &Path, because: &str, lang: Lang) -> String {
    let path = path.display();
    tr!(
        lang,
        "a mudança foi feita; seu registro de auditoria ficou guardado em {path} ({because}) e será gravado no índice quando ele voltar (no próximo comando balcao ou console que o abrir)",
        "the change was made; its audit entry is kept in {path} ({because}) and will be written to the index when it is back (by the next balcao command or console that opens it)"
    )
}

/// Runs index work off the async threads.
async fn run<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|error| {
            Err(StoreError::Io {
                path: PathBuf::new(),
                detail: error.to_string(),
            })
        })
}
