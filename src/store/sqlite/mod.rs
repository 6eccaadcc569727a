//! The embedded index: a SQLite file in the data dir, for one seat, `--demo` and offline use.
//!
//! It is opened in WAL mode (readers never wait for the writer; a killed process loses nothing it
//! committed), refuses files that are not its own or that a newer version wrote, and waits for a
//! lock before failing with a message that says who probably holds it.

mod conversation;
mod copy;
mod index;
pub(crate) mod records;
pub mod schema;
mod team;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::private;
use crate::store::{OpenOptions, StoreError, stored};

/// Maps a SQLite error on the file at `path`, whose lock is waited for `busy_timeout`, to what
/// a person can act on.
fn error_at(path: &Path, busy_timeout: Duration, error: &rusqlite::Error) -> StoreError {
    if let Some(unknown) = stored::unknown_value(error) {
        return StoreError::UnknownValue {
            path: path.to_path_buf(),
            found: Box::new(unknown.clone()),
        };
    }
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            path: path.to_path_buf(),
            waited: busy_timeout,
        },
        Some(ErrorCode::NotADatabase) => StoreError::NotOurs {
            path: path.to_path_buf(),
        },
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            detail: error.to_string(),
        },
    }
}

/// An open SQLite index. One connection, shared behind a mutex; call it from blocking contexts
/// (`spawn_blocking`), never from the render path.
pub struct SqliteIndex {
    connection: Mutex<Connection>,
    path: PathBuf,
    busy_timeout: Duration,
}

impl std::fmt::Debug for SqliteIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteIndex")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteIndex {
    /// The data dir, the index and its journals when others can read them, with the fix.
    pub fn exposed(&self) -> Vec<private::Exposed> {
        let mut paths = Vec::new();
        if let Some(dir) = self.path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            paths.push(dir.to_path_buf());
        }
        paths.push(self.path.clone());
        for suffix in ["-wal", "-shm"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            paths.push(PathBuf::from(name));
        }
        paths
            .iter()
            .filter_map(|path| private::check(path).ok().flatten())
            .collect()
    }

    /// Opens (creating if needed) the index file at `path`, checking that it is ours and not
    /// newer than this binary, then migrating it to the latest schema.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Self, StoreError> {
        // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the mode of
        // the database file, so all three stay private.
        private::ensure_file(path).map_err(|error| StoreError::Io {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection =
            Connection::open_with_flags(path, flags).map_err(|error| StoreError::Io {
                path: path.to_path_buf(),
                detail: error.to_string(),
            })?;
        let store = Self {
            connection: Mutex::new(connection),
            path: path.to_path_buf(),
            busy_timeout: options.busy_timeout,
        };
        store.prepare()?;
        Ok(store)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` in one transaction begun IMMEDIATE and commits it; a failure rolls it back.
    /// Every write transaction begins IMMEDIATE: a deferred one that later upgrades to a write
    /// fails at once with `SQLITE_BUSY` in WAL mode instead of waiting out the busy timeout.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        let value = work(&transaction).map_err(|e| self.error(&e))?;
        transaction.commit().map_err(|e| self.error(&e))?;
        Ok(value)
    }

    /// Maps a SQLite error to what a person can act on.
    pub(crate) fn error(&self, error: &rusqlite::Error) -> StoreError {
        error_at(&self.path, self.busy_timeout, error)
    }

    fn prepare(&self) -> Result<(), StoreError> {
        let mut connection = self.lock();
        connection
            .busy_timeout(self.busy_timeout)
            .map_err(|e| self.error(&e))?;
        // Reading the header first: a file that is not SQLite fails here, before any write.
        let application_id: i64 = connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        let objects: i64 = connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        let fresh = application_id == 0 && objects == 0;
        if application_id != schema::APPLICATION_ID && !fresh {
            return Err(StoreError::NotOurs {
                path: self.path.clone(),
            });
        }
        if version > schema::latest_version() {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                known: schema::latest_version(),
            });
        }
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(
                mode,
                "the index could not switch to WAL; continuing in {mode} mode"
            );
        }
        // NORMAL in WAL mode: a crash of this process loses nothing committed.
        connection
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.error(&e))?;
        if version < schema::latest_version() {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.error(&e))?;
            for (index, migration) in schema::MIGRATIONS.iter().enumerate() {
                let target = i64::try_from(index + 1).unwrap_or(i64::MAX);
                if target > version {
                    transaction
                        .execute_batch(migration)
                        .map_err(|e| self.error(&e))?;
                }
            }
            transaction
                .execute_batch(&format!(
                    "PRAGMA application_id = {}; PRAGMA user_version = {};",
                    schema::APPLICATION_ID,
                    schema::latest_version()
                ))
                .map_err(|e| self.error(&e))?;
            transaction.commit().map_err(|e| self.error(&e))?;
        }
        Ok(())
    }

    /// `PRAGMA integrity_check`: `Ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let result: String = self
            .lock()
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Sqlite {
                path: self.path.clone(),
                detail: format!("integrity check failed: {result}"),
            })
        }
    }
}
