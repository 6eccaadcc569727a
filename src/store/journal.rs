//! Audit entries kept on this machine while the index cannot take them: a change made when the
//! shared index is unreachable still goes to the CRM, and its entry waits here (JSON lines in the
//! data dir, private to its owner) until the next command or console that opens the index
//! writes it there. Nothing is lost, and a kept entry is written once.
//!
//! Writers and the flush take an exclusive lock on the file, so two processes keeping entries
//! while a third flushes never lose or interleave a line.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::private;
use crate::store::{AuditEntry, ChatKey, Provider, Store, StoreError, create_private_dir};

/// The journal's file name in the data dir.
pub const JOURNAL_FILE: &str = "audit-journal.jsonl";

/// The audit entries waiting in a data dir for the index.
#[derive(Debug, Clone)]
pub struct AuditJournal {
    path: PathBuf,
}

/// One kept entry, as a line of the file. Its own type: the journal's format is this file's,
/// and it must read back what an older balcão kept.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    at: DateTime<Utc>,
    account: String,
    provider: String,
    chat_id: String,
    action: String,
    request: Option<String>,
    before: Option<String>,
    after: Option<String>,
    outcome: String,
    http_status: Option<u16>,
    by: Option<String>,
    batch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    undo: Option<String>,
}

impl From<&AuditEntry> for Line {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            at: entry.at,
            account: entry.key.account.clone(),
            provider: entry.key.provider.as_str().to_owned(),
            chat_id: entry.key.chat_id.clone(),
            action: entry.action.clone(),
            request: entry.request.clone(),
            before: entry.before.clone(),
            after: entry.after.clone(),
            outcome: entry.outcome.clone(),
            http_status: entry.http_status,
            by: entry.by.clone(),
            batch: entry.batch.clone(),
            undo: entry.undo.clone(),
        }
    }
}

impl Line {
    fn entry(self) -> Option<AuditEntry> {
        Some(AuditEntry {
            at: self.at,
            key: ChatKey {
                account: self.account,
                provider: Provider::parse(&self.provider)?,
                chat_id: self.chat_id,
            },
            action: self.action,
            request: self.request,
            before: self.before,
            after: self.after,
            outcome: self.outcome,
            http_status: self.http_status,
            by: self.by,
            batch: self.batch,
            undo: self.undo,
        })
    }
}

/// `entry` as the journal keeps it: one line of JSON (for a person to keep when even the
/// journal cannot).
pub fn entry_line(entry: &AuditEntry) -> String {
    serde_json::to_string(&Line::from(entry)).unwrap_or_else(|error| error.to_string())
}

impl AuditJournal {
    /// The journal of `data_dir`.
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(JOURNAL_FILE),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, error: &std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            detail: error.to_string(),
        }
    }

    /// Keeps `entry` until [`AuditJournal::flush`] writes it to an index. The data dir is made
    /// 0700 and the file 0600 when they are new: entries name customers' chats.
    pub fn keep(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir)?;
        }
        let mut line = entry_line(entry);
        line.push('\n');
        let mut file = private::append_file(&self.path).map_err(|e| self.io_error(&e))?;
        file.lock().map_err(|e| self.io_error(&e))?;
        // One write of the whole line, then to the disk: a kill leaves whole lines only.
        let written = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_data());
        let unlocked = file.unlock();
        written.and(unlocked).map_err(|e| self.io_error(&e))
    }

    /// How many entries wait, without writing them anywhere.
    pub fn pending(&self) -> Result<usize, StoreError> {
        match File::open(&self.path) {
            Ok(file) => Ok(BufReader::new(file)
                .lines()
                .map_while(Result::ok)
                .filter(|line| !line.trim().is_empty())
                .count()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(error) => Err(self.io_error(&error)),
        }
    }

    /// Writes every kept entry to `store`, oldest first, and empties the journal. Returns how
    /// many were written. When the index fails midway, the entries not yet written stay (the
    /// ones written leave the file), so the next flush goes on from there. A line that cannot be
    /// read stays in the file and is named in the error, for a person to fix or delete.
    pub fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let mut file = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
        {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(error) => return Err(self.io_error(&error)),
        };
        file.lock().map_err(|e| self.io_error(&e))?;
        let outcome = self.flush_locked(&mut file, store);
        let unlocked = file.unlock().map_err(|e| self.io_error(&e));
        let written = outcome?;
        unlocked?;
        Ok(written)
    }

    fn flush_locked(&self, file: &mut File, store: &Store) -> Result<usize, StoreError> {
        let mut lines = Vec::new();
        for line in BufReader::new(&*file).lines() {
            let line = line.map_err(|e| self.io_error(&e))?;
            if !line.trim().is_empty() {
                lines.push(line);
            }
        }
        let mut written = 0;
        let mut kept = Vec::new();
        let mut unreadable = None;
        let mut failure = None;
        for line in lines {
            if failure.is_some() {
                kept.push(line);
                continue;
            }
            let Some(entry) = serde_json::from_str::<Line>(&line)
                .ok()
                .and_then(Line::entry)
            else {
                // Its line in the file as rewritten below, where it stays.
                unreadable.get_or_insert(kept.len() + 1);
                kept.push(line);
                continue;
            };
            match store.record_audit(&entry) {
                Ok(()) => written += 1,
                Err(error) => {
                    failure = Some(error);
                    kept.push(line);
                }
            }
        }
        if written > 0 {
            let mut rest = kept.join("\n");
            if !rest.is_empty() {
                rest.push('\n');
            }
            file.set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
                .and_then(|()| file.write_all(rest.as_bytes()))
                .and_then(|()| file.sync_data())
                .map_err(|e| self.io_error(&e))?;
        }
        if let Some(error) = failure {
            return Err(error);
        }
        if let Some(line) = unreadable {
            return Err(StoreError::Io {
                path: self.path.clone(),
                detail: format!(
                    "line {line} is not an audit entry this balcão can read; it was kept in the file: correct or delete that line"
                ),
            });
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(chat: &str) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            key: ChatKey::wegly("default", chat),
            action: "reassign_responsible".to_owned(),
            request: Some("{}".to_owned()),
            before: Some("Ana".to_owned()),
            after: Some("Bruno".to_owned()),
            outcome: "confirmed".to_owned(),
            http_status: Some(200),
            by: Some("Carla".to_owned()),
            batch: None,
            undo: None,
        }
    }

    #[test]
    fn kept_entries_are_written_once_and_the_file_stays_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let journal = AuditJournal::in_dir(&data);
        journal.keep(&entry("c1")).unwrap();
        journal.keep(&entry("c2")).unwrap();
        assert_eq!(journal.pending().unwrap(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(journal.path()), 0o600);
            assert_eq!(mode(&data), 0o700);
        }
        let store = Store::open_in(&dir.path().join("index")).unwrap();
        assert_eq!(journal.flush(&store).unwrap(), 2);
        assert_eq!(journal.pending().unwrap(), 0);
        assert_eq!(journal.flush(&store).unwrap(), 0);
        let log = store.audit_log(10).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].by.as_deref(), Some("Carla"));
    }

    #[test]
    fn an_unreadable_line_stays_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let journal = AuditJournal::in_dir(dir.path());
        journal.keep(&entry("c1")).unwrap();
        let mut file = private::append_file(journal.path()).unwrap();
        file.write_all(b"{not json\n").unwrap();
        journal.keep(&entry("c2")).unwrap();
        let store = Store::open_in(&dir.path().join("index")).unwrap();
        let error = journal.flush(&store).unwrap_err().to_string();
        assert!(error.contains("line 1"), "{error}");
        assert_eq!(store.audit_log(10).unwrap().len(), 2);
        assert_eq!(journal.pending().unwrap(), 1);
    }
}
