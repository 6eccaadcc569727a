//! Moving a desk's index from one database to another (`balcao index copy`, SQLite to
//! `PostgreSQL` or back): every chat with its detail and fetch bookkeeping, the audit log in the
//! order it was written, and the drafts (with their revisions, quoted messages and writers).
//! The index's revision counter, presence, claims and webhook deliveries belong to the database they happened in
//! and are not copied; nor is the timeline cache, which the next fetch fills again.
//!
//! The target writes everything in one transaction, reading the source a page at a time: a copy
//! that fails midway leaves the target as it was.

use chrono::{DateTime, Utc};

use crate::store::records::AuditEntry;
use crate::store::summary::{ChatKey, ChatSummary};
use crate::store::{Index, StoreError};

/// Rows read from the source at once.
pub const PAGE: usize = 500;

/// One chat as an index holds it: its row, its bookkeeping and its stored detail.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRecord {
    /// The row as the list reads it.
    pub summary: ChatSummary,
    /// Failed fetches in a row.
    pub hydrate_attempts: i64,
    /// When the next fetch is due after a failure.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The detail as the CRM sent it, when one was fetched.
    pub detail: Option<String>,
}

/// A reply being written, kept with its chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The chat.
    pub key: ChatKey,
    /// The text so far (empty: a cleared draft's tombstone, copied so revisions keep growing).
    pub body: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Its revision (see `store::drafts`).
    pub revision: i64,
    /// The id of the message it quotes, if any.
    pub reply_to: Option<String>,
    /// The console that wrote it last, when known.
    pub written_by: Option<String>,
}

/// What an index holds, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Content {
    /// Chats.
    pub chats: u64,
    /// Audit entries.
    pub audit: u64,
    /// Drafts.
    pub drafts: u64,
}

impl Content {
    /// Whether a copy may go into it without `--force`: no chat and no audit entry.
    pub fn is_empty(&self) -> bool {
        self.chats == 0 && self.audit == 0
    }
}

/// How an import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// Everything was copied: what was written.
    Copied(Content),
    /// The target holds chats or audit entries and replacing them was not asked: nothing
    /// changed. What it holds.
    Refused(Content),
}

/// Where an import writes, inside the target's transaction.
pub(crate) trait Sink {
    /// Writes chats (their rows and details) as given.
    fn chats(&mut self, chats: &[ChatRecord]) -> Result<(), StoreError>;
    /// Appends audit entries in the order given.
    fn audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError>;
    /// Writes drafts, replacing one the target has for the same chat.
    fn drafts(&mut self, drafts: &[Draft]) -> Result<(), StoreError>;
}

/// Reads everything `source` holds a page at a time into `sink`; returns what was written.
pub(crate) fn copy_all(source: &dyn Index, sink: &mut dyn Sink) -> Result<Content, StoreError> {
    let mut copied = Content::default();
    let mut after: Option<ChatKey> = None;
    loop {
        let page = source.export_chats(after.as_ref(), PAGE)?;
        sink.chats(&page)?;
        copied.chats += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.summary.key.clone()),
            _ => break,
        }
    }
    let mut after = 0;
    loop {
        let page = source.export_audit(after, PAGE)?;
        let (full, last) = (page.len() == PAGE, page.last().map(|(number, _)| *number));
        let entries: Vec<AuditEntry> = page.into_iter().map(|(_, entry)| entry).collect();
        sink.audit(&entries)?;
        copied.audit += entries.len() as u64;
        match last {
            Some(number) if full => after = number,
            _ => break,
        }
    }
    let mut after: Option<ChatKey> = None;
    loop {
        let page = source.export_drafts(after.as_ref(), PAGE)?;
        sink.drafts(&page)?;
        copied.drafts += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.key.clone()),
            _ => break,
        }
    }
    Ok(copied)
}
