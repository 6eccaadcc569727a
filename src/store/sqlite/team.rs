//! What a desk shares, in the SQLite file (placeholders until written).
#![allow(
    missing_docs,
    dead_code,
    unused_imports,
    clippy::unused_self,
    clippy::needless_pass_by_value
)]

use chrono::{DateTime, Utc};

use crate::store::StoreError;
use crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
use crate::store::sqlite::SqliteIndex;
use crate::store::summary::{ChatKey, ChatSummary, Columns, Source};
use crate::store::team::{AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, Viewer};

impl SqliteIndex {
    pub fn revision(&self) -> Result<i64, StoreError> {
        Err(self.not_yet("revision"))
    }

    pub fn changes_since(&self, _revision: i64, _limit: usize) -> Result<Changes, StoreError> {
        Err(self.not_yet("changes_since"))
    }

    pub fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError> {
        Err(self.not_yet("watch"))
    }

    pub fn see(
        &self,
        _viewer: &Viewer,
        _chat: Option<&ChatKey>,
        _now: DateTime<Utc>,
        _expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(self.not_yet("see"))
    }

    pub fn leave(&self, _console: &str) -> Result<(), StoreError> {
        Err(self.not_yet("leave"))
    }

    pub fn presence(&self, _now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        Err(self.not_yet("presence"))
    }

    pub fn claim_chat(
        &self,
        _key: &ChatKey,
        _viewer: &Viewer,
        _now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        Err(self.not_yet("claim_chat"))
    }

    pub fn release_chat(&self, _key: &ChatKey, _who: &str) -> Result<bool, StoreError> {
        Err(self.not_yet("release_chat"))
    }

    pub fn claim_due(
        &self,
        _accounts: &[String],
        _owner: &str,
        _now: DateTime<Utc>,
        _claim_until: DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        Err(self.not_yet("claim_due"))
    }

    pub fn claim_stale(
        &self,
        _accounts: &[String],
        _owner: &str,
        _before: DateTime<Utc>,
        _now: DateTime<Utc>,
        _claim_until: DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        Err(self.not_yet("claim_stale"))
    }

    pub fn take_refresh_budget(
        &self,
        _wanted: usize,
        _per_minute: u32,
        _now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        Err(self.not_yet("take_refresh_budget"))
    }

    pub fn audit_query(&self, _query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        Err(self.not_yet("audit_query"))
    }

    pub fn accounts(&self) -> Result<Vec<String>, StoreError> {
        Err(self.not_yet("accounts"))
    }
}
