//! Replies being written (drafts), whichever database holds them.
//!
//! Drafts are compare-and-set: every write names the revision it was based on and applies only
//! when the stored row still has it, so two consoles on one index never overwrite each other's
//! newer text. Clearing keeps a tombstone (an empty body, the next revision) so revisions only
//! grow.

use chrono::{DateTime, Utc};

use crate::store::summary::ChatKey;

/// The text a person wants kept for a chat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftText {
    /// The reply so far.
    pub body: String,
    /// The id of the message it quotes, if any.
    pub reply_to: Option<String>,
}

/// A draft as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    /// The chat.
    pub key: ChatKey,
    /// The reply so far (empty: a tombstone, a draft cleared).
    pub body: String,
    /// The id of the message it quotes, if any.
    pub reply_to: Option<String>,
    /// Grows by one on every write; 0 only for a draft written before revisions existed.
    pub revision: i64,
    /// The console that wrote it last, when known.
    pub written_by: Option<String>,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

/// How a draft write ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftSaved {
    /// Written: the draft's new revision.
    Saved {
        /// The revision to base the next write on.
        revision: i64,
    },
    /// Another write came first: nothing was written; what the index holds.
    Newer(StoredDraft),
}
