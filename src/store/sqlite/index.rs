//! The SQLite file behind the index's seam: each operation is the file's own.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::private;
use crate::store::copy::{ChatRecord, Content, Draft, Imported};
use crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
use crate::store::sqlite::SqliteIndex;
use crate::store::summary::{ChatKey, ChatSummary, Columns, Source};
use crate::store::team::{AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, Viewer};
use crate::store::{Index, StoreError};

impl Index for SqliteIndex {
    fn name(&self) -> String {
        self.path().display().to_string()
    }

    fn file(&self) -> Option<&Path> {
        Some(self.path())
    }

    fn exposed(&self) -> Vec<private::Exposed> {
        SqliteIndex::exposed(self)
    }

    fn integrity_check(&self) -> Result<(), StoreError> {
        SqliteIndex::integrity_check(self)
    }

    fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        SqliteIndex::note_chat(self, key, source, now)
    }

    fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SqliteIndex::note_webhook(self, key, provisional, now)
    }

    fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SqliteIndex::save_detail(self, key, raw, columns, now)
    }

    fn save_room(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SqliteIndex::save_room(self, key, raw, columns, now)
    }

    fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SqliteIndex::save_details(self, batch, now)
    }

    fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError> {
        SqliteIndex::mark_gone(self, key, now)
    }

    fn hydration_failed(
        &self,
        key: &ChatKey,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        SqliteIndex::hydration_failed(self, key, error, retry_at)
    }

    fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError> {
        SqliteIndex::attempts(self, key)
    }

    fn due_for_hydration(
        &self,
        accounts: &[String],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        SqliteIndex::due_for_hydration(self, accounts, now, limit)
    }

    fn stale_for_refresh(
        &self,
        accounts: &[String],
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        SqliteIndex::stale_for_refresh(self, accounts, before, now, limit)
    }

    fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        SqliteIndex::next_retry_at(self)
    }

    fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError> {
        SqliteIndex::summaries(self)
    }

    fn first_page(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ChatSummary>, StoreError> {
        SqliteIndex::first_page(self, now, limit)
    }

    fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError> {
        SqliteIndex::summary(self, key)
    }

    fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError> {
        SqliteIndex::detail(self, key)
    }

    fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError> {
        SqliteIndex::detail_as_of(self, key)
    }

    fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError> {
        SqliteIndex::remove_chat(self, key)
    }

    fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        SqliteIndex::record_audit(self, entry)
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        SqliteIndex::audit_log(self, limit)
    }

    fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError> {
        SqliteIndex::record_webhook(self, record)
    }

    fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError> {
        SqliteIndex::record_webhook_within(self, record, body_bytes_kept)
    }

    fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError> {
        SqliteIndex::webhook_events(self, limit)
    }

    fn webhook_body_bytes(&self) -> Result<u64, StoreError> {
        SqliteIndex::webhook_body_bytes(self)
    }

    fn revision(&self) -> Result<i64, StoreError> {
        SqliteIndex::revision(self)
    }

    fn changes_since(&self, revision: i64, limit: usize) -> Result<Changes, StoreError> {
        SqliteIndex::changes_since(self, revision, limit)
    }

    fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError> {
        SqliteIndex::watch(self)
    }

    fn see(
        &self,
        viewer: &Viewer,
        chat: Option<&ChatKey>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SqliteIndex::see(self, viewer, chat, now, expires_at)
    }

    fn leave(&self, console: &str) -> Result<(), StoreError> {
        SqliteIndex::leave(self, console)
    }

    fn presence(&self, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        SqliteIndex::presence(self, now)
    }

    fn claim_chat(
        &self,
        key: &ChatKey,
        viewer: &Viewer,
        now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        SqliteIndex::claim_chat(self, key, viewer, now)
    }

    fn release_chat(&self, key: &ChatKey, who: &str) -> Result<bool, StoreError> {
        SqliteIndex::release_chat(self, key, who)
    }

    fn claim_due(
        &self,
        accounts: &[String],
        owner: &str,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        SqliteIndex::claim_due(self, accounts, owner, now, claim_until, limit)
    }

    fn claim_stale(
        &self,
        accounts: &[String],
        owner: &str,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        SqliteIndex::claim_stale(self, accounts, owner, before, now, claim_until, limit)
    }

    fn take_refresh_budget(
        &self,
        wanted: usize,
        per_minute: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        SqliteIndex::take_refresh_budget(self, wanted, per_minute, now)
    }

    fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        SqliteIndex::audit_query(self, query)
    }

    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        SqliteIndex::accounts(self)
    }

    fn content(&self) -> Result<Content, StoreError> {
        SqliteIndex::content(self)
    }

    fn export_chats(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        SqliteIndex::export_chats(self, after, limit)
    }

    fn export_audit(&self, after: i64, limit: usize) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
        SqliteIndex::export_audit(self, after, limit)
    }

    fn export_drafts(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError> {
        SqliteIndex::export_drafts(self, after, limit)
    }

    fn import_from(&self, source: &dyn Index, replace: bool) -> Result<Imported, StoreError> {
        SqliteIndex::import_from(self, source, replace)
    }
}
