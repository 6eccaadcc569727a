//! The shared index's chat rows, details, webhook log and audit log (placeholders until written).
#![allow(
    missing_docs,
    dead_code,
    unused_imports,
    clippy::unused_self,
    clippy::needless_pass_by_value
)]

use chrono::{DateTime, Utc};

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
use crate::store::summary::{ChatKey, ChatSummary, Columns, Source};
use crate::store::team::{AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, Viewer};

impl PgIndex {
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        Err(self.not_yet("integrity_check"))
    }

    pub fn note_chat(
        &self,
        _key: &ChatKey,
        _source: Source,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Err(self.not_yet("note_chat"))
    }

    pub fn note_webhook(
        &self,
        _key: &ChatKey,
        _provisional: Option<&Columns>,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("note_webhook"))
    }

    pub fn save_detail(
        &self,
        _key: &ChatKey,
        _raw: &str,
        _columns: &Columns,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("save_detail"))
    }

    pub fn save_room(
        &self,
        _key: &ChatKey,
        _raw: &str,
        _columns: &Columns,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("save_room"))
    }

    pub fn save_details(
        &self,
        _batch: &[(ChatKey, String, Columns)],
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("save_details"))
    }

    pub fn mark_gone(&self, _key: &ChatKey, _now: DateTime<Utc>) -> Result<(), StoreError> {
        Err(self.not_yet("mark_gone"))
    }

    pub fn hydration_failed(
        &self,
        _key: &ChatKey,
        _error: &str,
        _retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Err(self.not_yet("hydration_failed"))
    }

    pub fn attempts(&self, _key: &ChatKey) -> Result<i64, StoreError> {
        Err(self.not_yet("attempts"))
    }

    pub fn due_for_hydration(
        &self,
        _accounts: &[String],
        _now: DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        Err(self.not_yet("due_for_hydration"))
    }

    pub fn stale_for_refresh(
        &self,
        _accounts: &[String],
        _before: DateTime<Utc>,
        _now: DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        Err(self.not_yet("stale_for_refresh"))
    }

    pub fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Err(self.not_yet("next_retry_at"))
    }

    pub fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError> {
        Err(self.not_yet("summaries"))
    }

    pub fn first_page(
        &self,
        _now: DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        Err(self.not_yet("first_page"))
    }

    pub fn summary(&self, _key: &ChatKey) -> Result<Option<ChatSummary>, StoreError> {
        Err(self.not_yet("summary"))
    }

    pub fn detail(&self, _key: &ChatKey) -> Result<Option<String>, StoreError> {
        Err(self.not_yet("detail"))
    }

    pub fn detail_as_of(&self, _key: &ChatKey) -> Result<Option<StoredDetail>, StoreError> {
        Err(self.not_yet("detail_as_of"))
    }

    pub fn remove_chat(&self, _key: &ChatKey) -> Result<bool, StoreError> {
        Err(self.not_yet("remove_chat"))
    }

    pub fn record_audit(&self, _entry: &AuditEntry) -> Result<(), StoreError> {
        Err(self.not_yet("record_audit"))
    }

    pub fn audit_log(&self, _limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        Err(self.not_yet("audit_log"))
    }

    pub fn record_webhook(&self, _record: &WebhookRecord) -> Result<(), StoreError> {
        Err(self.not_yet("record_webhook"))
    }

    pub fn record_webhook_within(
        &self,
        _record: &WebhookRecord,
        _body_bytes_kept: u64,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("record_webhook_within"))
    }

    pub fn webhook_events(&self, _limit: usize) -> Result<Vec<WebhookRecord>, StoreError> {
        Err(self.not_yet("webhook_events"))
    }

    pub fn webhook_body_bytes(&self) -> Result<u64, StoreError> {
        Err(self.not_yet("webhook_body_bytes"))
    }
}
