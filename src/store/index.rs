//! The seam every part of balcão reads and writes the index through, whichever database holds
//! it: each backend implements it, and the store test suite runs against each.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::private;
use crate::store::StoreError;
use crate::store::copy::{ChatRecord, Content, Draft, Imported};
use crate::store::drafts::{DraftSaved, DraftText, StoredDraft};
use crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
use crate::store::summary::{ChatKey, ChatSummary, Columns, SearchFields, Source};
use crate::store::team::{AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, Viewer};
use crate::store::timeline::{StoredTimeline, TimelineRow};

/// What an open index does. Every call blocks on the database: call it from `spawn_blocking`,
/// never from the render path.
pub trait Index: Send + Sync {
    /// The index as a person can name it: the file, or the database URL with its password
    /// replaced by `***`.
    fn name(&self) -> String;

    /// The SQLite file, when the index is one.
    fn file(&self) -> Option<&Path>;

    /// The index's files (and folder) that others can read, with the fix; none for a database
    /// server, whose access its own administrator sets.
    fn exposed(&self) -> Vec<private::Exposed>;

    /// `Ok` when the index's storage is sound.
    fn integrity_check(&self) -> Result<(), StoreError>;

    /// Adds a chat to hydrate (or asks again for a known one). Returns true when it is new.
    fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A webhook named the chat: remember it, take the payload's columns as provisional (they
    /// show at once; the fetch that follows is authoritative), and ask for a fetch.
    fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores a fetched chat detail and its columns; the chat is fresh.
    fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores a room as a write returned it (rooms have no read endpoint).
    fn save_room(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores many fetched details in one transaction.
    fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The CRM answered 404: the chat is kept, flagged gone.
    fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// A fetch failed: remember why and when to try again. Returns the attempts so far.
    fn hydration_failed(
        &self,
        key: &ChatKey,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError>;

    /// Failed attempts so far for a chat.
    fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError>;

    /// The earliest time a waiting fetch becomes due, if any is waiting.
    fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Every chat's summary, for the list. Never touches the stored details.
    fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError>;

    /// The summaries of the chats whose searched text `keep` accepts, asked with the text
    /// borrowed from each row as it is read, so a row left out costs no summary (`inbox list
    /// --filter` over 100k chats).
    fn summaries_where(
        &self,
        keep: &mut dyn FnMut(SearchFields<'_>) -> bool,
    ) -> Result<Vec<ChatSummary>, StoreError>;

    /// The `limit` most urgent chats, in the order [`crate::inbox::rank`] gives.
    fn first_page(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ChatSummary>, StoreError>;

    /// One chat's summary.
    fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError>;

    /// The last detail received, as the server sent it.
    fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError>;

    /// A chat's stored detail and when it was fetched, in one read.
    fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError>;

    /// Forgets a chat (the CRM keeps it). Returns whether it was there.
    fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError>;

    /// Records one change made in a CRM.
    fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The most recent audit entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    /// Whether an accepted delivery with this one's body (same provider, account and SHA-256) is
    /// already recorded: a copy (the CRM retrying, or a balancer sending it to two receivers)
    /// whose event the index already holds. Only accepted deliveries with a hash can be copies.
    fn webhook_recorded(&self, record: &WebhookRecord) -> Result<bool, StoreError>;

    /// Records a webhook delivery within the default bounds.
    fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError>;

    /// Records a webhook delivery, keeping at most `body_bytes_kept` bytes of bodies.
    fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError>;

    /// The most recent webhook deliveries, newest first.
    fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError>;

    /// Bytes of webhook bodies stored.
    fn webhook_body_bytes(&self) -> Result<u64, StoreError>;

    // --- What a desk shares (see `store::team`). ---

    /// The index's current revision: every write to a chat row takes the next one.
    fn revision(&self) -> Result<i64, StoreError>;

    /// The chats written, and those forgotten, after `revision`, at most `limit` of them, oldest
    /// change first. A console or `inbox watch` calls it after every wake and after a reconnect,
    /// so nothing is missed even when a notification was.
    fn changes_since(&self, revision: i64, limit: usize) -> Result<Changes, StoreError>;

    /// A subscription to changes (its own connection on PostgreSQL).
    fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError>;

    /// A console's heartbeat: `viewer` is looking at `chat` (or at none) until `expires_at`.
    fn see(
        &self,
        viewer: &Viewer,
        chat: Option<&ChatKey>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A console closes: its viewing marks go at once (its claims stay until released).
    fn leave(&self, console: &str) -> Result<(), StoreError>;

    /// Everyone on a chat now: live viewing marks and claims.
    fn presence(&self, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError>;

    /// `viewer` says "I'm on it". Refused, naming the holder, when someone else claimed it.
    fn claim_chat(
        &self,
        key: &ChatKey,
        viewer: &Viewer,
        now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// Drops `who`'s claim on the chat. Returns whether there was one.
    fn release_chat(&self, key: &ChatKey, who: &str) -> Result<bool, StoreError>;

    /// Claims up to `limit` chats whose fetch is due now for the receiver `owner`, until
    /// `claim_until`: a chat another receiver claimed (and whose claim has not expired) is
    /// skipped, so each fetch is done by one receiver.
    fn claim_due(
        &self,
        accounts: &[String],
        owner: &str,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError>;

    /// Claims for `owner`, until `claim_until`, up to `limit` chats of `accounts` that a
    /// background refresh may fetch again: last fetched before `before`, alive, not archived,
    /// Wegly (rooms have no read endpoint), that nothing else is fetching (no pending fetch, no
    /// retry waiting, no other receiver's claim), open ones first, then the most recently
    /// active.
    fn claim_stale(
        &self,
        accounts: &[String],
        owner: &str,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError>;

    /// Takes up to `wanted` background refreshes from the budget the whole index shares
    /// (`per_minute`, holding ten seconds' worth), however many receivers ask. Returns how many
    /// were granted.
    fn take_refresh_budget(
        &self,
        wanted: usize,
        per_minute: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError>;

    /// Audit entries matching `query`, newest first.
    fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Every account name the index holds chats of.
    fn accounts(&self) -> Result<Vec<String>, StoreError>;

    // --- The conversation (see `store::timeline` and `store::drafts`). ---

    /// Stores one page of a chat's timeline as the CRM sent it (`page` 1 is the newest): its
    /// events replace those the cache holds in the positions they span (the newest page, also
    /// those after it; an empty newest page, all of them), and the fetch is noted with `total`.
    fn store_timeline(
        &self,
        key: &ChatKey,
        events: &[TimelineRow],
        total: Option<i64>,
        page: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A chat's cached timeline, oldest event first, with when it was fetched; none if never.
    fn timeline(&self, key: &ChatKey) -> Result<Option<StoredTimeline>, StoreError>;

    /// A chat's draft; none when there is none or it was cleared.
    fn load_draft(&self, key: &ChatKey) -> Result<Option<StoredDraft>, StoreError>;

    /// Writes a chat's draft if its stored revision is still `based_on` (0: none yet); otherwise
    /// writes nothing and returns the newer one stored.
    fn save_draft(
        &self,
        key: &ChatKey,
        draft: &DraftText,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError>;

    /// Clears a chat's draft (an empty tombstone at the next revision) as [`Index::save_draft`]
    /// writes it: only over revision `based_on`.
    fn clear_draft(
        &self,
        key: &ChatKey,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError>;

    /// The chats with a draft (not cleared), in key order.
    fn draft_keys(&self) -> Result<Vec<ChatKey>, StoreError>;

    // --- Moving a desk (`balcao index copy`, see `store::copy`). ---

    /// How many chats, audit entries and drafts the index holds.
    fn content(&self) -> Result<Content, StoreError>;

    /// Up to `limit` chats after `after` (in the index's key order), each with its
    /// bookkeeping and stored detail.
    fn export_chats(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError>;

    /// Up to `limit` audit entries written after the entry numbered `after` (0: from the
    /// first), oldest first, each with its number.
    fn export_audit(&self, after: i64, limit: usize) -> Result<Vec<(i64, AuditEntry)>, StoreError>;

    /// Up to `limit` drafts after `after`, in the index's key order.
    fn export_drafts(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError>;

    /// Copies everything `source` holds into this index in one transaction: all of it or
    /// nothing. When this index holds chats or audit entries, nothing changes and the answer is
    /// [`Imported::Refused`], unless `replace`, which first forgets its chats, details, audit
    /// entries, drafts and cached timelines (in the same transaction).
    fn import_from(&self, source: &dyn Index, replace: bool) -> Result<Imported, StoreError>;
}

/// Implements [`Index`] for a backend whose operations are its own inherent methods of the same
/// names and signatures. A backend keeps its operations in files by subject (chat rows, team,
/// webhooks, copy), which one `impl Index` block cannot span, so each trait method calls the
/// backend's own; only what tells the backends apart (`name`, `file`, `exposed`) is written at
/// the call. A new operation goes in the trait, in the list below (the compiler names any the
/// list lacks, and any signature that differs), and in each backend.
macro_rules! index_by_inherent_methods {
    ($backend:ty { $($own:item)* }) => {
        $crate::store::index::index_by_inherent_methods!(@forward $backend { $($own)* }
            fn integrity_check(&self) -> Result<(), StoreError>;
            fn note_chat(&self, key: &ChatKey, source: Source, now: DateTime<Utc>)
                -> Result<bool, StoreError>;
            fn note_webhook(&self, key: &ChatKey, provisional: Option<&Columns>, now: DateTime<Utc>)
                -> Result<(), StoreError>;
            fn save_detail(&self, key: &ChatKey, raw: &str, columns: &Columns, now: DateTime<Utc>)
                -> Result<(), StoreError>;
            fn save_room(&self, key: &ChatKey, raw: &str, columns: &Columns, now: DateTime<Utc>)
                -> Result<(), StoreError>;
            fn save_details(&self, batch: &[(ChatKey, String, Columns)], now: DateTime<Utc>)
                -> Result<(), StoreError>;
            fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError>;
            fn hydration_failed(&self, key: &ChatKey, error: &str, retry_at: DateTime<Utc>)
                -> Result<i64, StoreError>;
            fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError>;
            fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
            fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError>;
            fn summaries_where(&self, keep: &mut dyn FnMut(SearchFields<'_>) -> bool)
                -> Result<Vec<ChatSummary>, StoreError>;
            fn first_page(&self, now: DateTime<Utc>, limit: usize)
                -> Result<Vec<ChatSummary>, StoreError>;
            fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError>;
            fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError>;
            fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError>;
            fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError>;
            fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
            fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
            fn webhook_recorded(&self, record: &WebhookRecord) -> Result<bool, StoreError>;
            fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError>;
            fn record_webhook_within(&self, record: &WebhookRecord, body_bytes_kept: u64)
                -> Result<(), StoreError>;
            fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError>;
            fn webhook_body_bytes(&self) -> Result<u64, StoreError>;
            fn revision(&self) -> Result<i64, StoreError>;
            fn changes_since(&self, revision: i64, limit: usize) -> Result<Changes, StoreError>;
            fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError>;
            fn see(&self, viewer: &Viewer, chat: Option<&ChatKey>, now: DateTime<Utc>,
                expires_at: DateTime<Utc>) -> Result<(), StoreError>;
            fn leave(&self, console: &str) -> Result<(), StoreError>;
            fn presence(&self, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError>;
            fn claim_chat(&self, key: &ChatKey, viewer: &Viewer, now: DateTime<Utc>)
                -> Result<ClaimOutcome, StoreError>;
            fn release_chat(&self, key: &ChatKey, who: &str) -> Result<bool, StoreError>;
            fn claim_due(&self, accounts: &[String], owner: &str, now: DateTime<Utc>,
                claim_until: DateTime<Utc>, limit: usize) -> Result<Vec<ChatKey>, StoreError>;
            fn claim_stale(&self, accounts: &[String], owner: &str, before: DateTime<Utc>,
                now: DateTime<Utc>, claim_until: DateTime<Utc>, limit: usize)
                -> Result<Vec<ChatKey>, StoreError>;
            fn take_refresh_budget(&self, wanted: usize, per_minute: u32, now: DateTime<Utc>)
                -> Result<usize, StoreError>;
            fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;
            fn accounts(&self) -> Result<Vec<String>, StoreError>;
            fn store_timeline(&self, key: &ChatKey, events: &[TimelineRow], total: Option<i64>,
                page: i64, now: DateTime<Utc>) -> Result<(), StoreError>;
            fn timeline(&self, key: &ChatKey) -> Result<Option<StoredTimeline>, StoreError>;
            fn load_draft(&self, key: &ChatKey) -> Result<Option<StoredDraft>, StoreError>;
            fn save_draft(&self, key: &ChatKey, draft: &DraftText, based_on: i64,
                written_by: &str, now: DateTime<Utc>) -> Result<DraftSaved, StoreError>;
            fn clear_draft(&self, key: &ChatKey, based_on: i64, written_by: &str,
                now: DateTime<Utc>) -> Result<DraftSaved, StoreError>;
            fn draft_keys(&self) -> Result<Vec<ChatKey>, StoreError>;
            fn content(&self) -> Result<Content, StoreError>;
            fn export_chats(&self, after: Option<&ChatKey>, limit: usize)
                -> Result<Vec<ChatRecord>, StoreError>;
            fn export_audit(&self, after: i64, limit: usize)
                -> Result<Vec<(i64, AuditEntry)>, StoreError>;
            fn export_drafts(&self, after: Option<&ChatKey>, limit: usize)
                -> Result<Vec<Draft>, StoreError>;
            fn import_from(&self, source: &dyn Index, replace: bool)
                -> Result<Imported, StoreError>;
        );
    };
    (@forward $backend:ty { $($own:item)* }
        $(fn $name:ident(&self $(, $arg:ident: $type:ty)* $(,)?) -> $output:ty;)*
    ) => {
        // A block of its own, where the signatures above name their types.
        const _: () = {
            use chrono::{DateTime, Utc};

            use $crate::store::copy::{ChatRecord, Content, Draft, Imported};
            use $crate::store::drafts::{DraftSaved, DraftText, StoredDraft};
            use $crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
            use $crate::store::summary::{ChatKey, ChatSummary, Columns, SearchFields, Source};
            use $crate::store::team::{
                AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, Viewer,
            };
            use $crate::store::timeline::{StoredTimeline, TimelineRow};
            use $crate::store::{Index, StoreError};

            impl Index for $backend {
                $($own)*

                $(fn $name(&self $(, $arg: $type)*) -> $output {
                    <$backend>::$name(self $(, $arg)*)
                })*
            }
        };
    };
}

pub(crate) use index_by_inherent_methods;
