//! What a desk shares through the index: the change feed every console follows, who is looking
//! at or has claimed which chat, the receivers' fetch claims, and the audit log's queries.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::StoreError;
use crate::store::summary::{ChatKey, ChatSummary};

/// How long a console's "viewing" mark lives without a heartbeat.
pub const VIEWING_TTL: Duration = Duration::from_secs(30);
/// How long a receiver's claim on a fetch lives: a receiver killed mid-fetch leaves it to expire,
/// and another receiver takes the chat after that.
pub const FETCH_CLAIM_TTL: Duration = Duration::from_secs(60);

/// What changed in the index after a revision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// The chats written after the revision asked for, as they are now, oldest change first.
    pub chats: Vec<ChatSummary>,
    /// The chats forgotten (`inbox remove`) after that revision.
    pub removed: Vec<ChatKey>,
    /// The revision to ask from next time: the last one these changes include.
    pub revision: i64,
}

/// The first wait before reconnecting; it doubles on each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait before reconnecting.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// The wait before the next reconnection after a [`ChangeWatch`] or a read failed: 0.5 s,
/// doubling, at most 10 s. The console's feed and `inbox watch` both wait by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Self(FIRST_BACKOFF)
    }
}

impl Backoff {
    /// The wait to take now; the next one is twice as long, up to the cap.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        wait
    }
}

/// What woke a [`ChangeWatch`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wake {
    /// Chat rows changed: read [`crate::store::Index::changes_since`].
    pub chats: bool,
    /// Presence or claims changed: read [`crate::store::Index::presence`].
    pub presence: bool,
}

impl Wake {
    /// Nothing happened before the timeout.
    pub fn is_timeout(self) -> bool {
        !self.chats && !self.presence
    }
}

/// A subscription to the index's changes: PostgreSQL's `LISTEN`, or a look at the SQLite
/// file's revision. Blocks; run it off the render path.
pub trait ChangeWatch: Send {
    /// Waits until something changed or `timeout` passed. An error means the connection was
    /// lost: the caller reconnects (a new watch) and catches up with `changes_since`.
    fn wait(&mut self, timeout: Duration) -> Result<Wake, StoreError>;
}

/// Who is at a console: the name shown to the rest of the desk, and the console's own id (one
/// person may run two consoles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Viewer {
    /// The person's name.
    pub who: String,
    /// This console's id, random per start.
    pub console: String,
}

/// How someone is on a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceKind {
    /// Has it open now (a heartbeat that expires).
    Viewing,
    /// Said "I'm on it" (`claim_chat`), until released.
    Claimed,
}

/// Someone on a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    /// The chat.
    #[serde(flatten)]
    pub key: ChatKey,
    /// The person.
    pub who: String,
    /// Their console (for a claim: the console that made it).
    pub console: String,
    /// Viewing or claimed.
    pub kind: PresenceKind,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The answer to `claim_chat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The chat is now claimed by the asker (or already was).
    Claimed,
    /// Someone else holds it: nothing changed.
    HeldBy {
        /// Who.
        who: String,
        /// Since when.
        since: DateTime<Utc>,
    },
}

/// Which audit entries to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this chat id.
    pub chat: Option<String>,
    /// Only changes made by this person (case-insensitive).
    pub by: Option<String>,
    /// Only changes at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only the entries of this batch.
    pub batch: Option<String>,
    /// At most this many, newest first.
    pub limit: usize,
}

/// The background refresh budget the whole index shares: a token bucket that fills at
/// `per_minute` and holds ten seconds' worth. Each backend keeps it as one row (its tokens, and
/// when it was last filled, in milliseconds) and takes from it under a lock; the arithmetic is
/// this one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefreshBucket {
    capacity: f64,
    per_ms: f64,
}

impl RefreshBucket {
    /// The bucket of a budget of `per_minute` refreshes.
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            capacity: (f64::from(per_minute) / 6.0).ceil(),
            per_ms: f64::from(per_minute) / 60_000.0,
        }
    }

    /// Takes up to `wanted` whole tokens from the bucket as stored (`None`: no row yet, a full
    /// bucket), refilled up to `now`. A clock behind the last fill adds nothing and never moves
    /// the fill time back, so receivers whose clocks differ cannot refill it twice. Returns how
    /// many were granted, and the bucket to store: the tokens left and when it was filled.
    // Milliseconds since the last fill and tokens granted are far below 2^52: exact as f64.
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn take(
        self,
        stored: Option<(f64, i64)>,
        wanted: usize,
        now: i64,
    ) -> (usize, (f64, i64)) {
        let (tokens, filled_at) = match stored {
            Some((tokens, filled_at)) => {
                let elapsed = now.saturating_sub(filled_at).max(0) as f64;
                (
                    (tokens.max(0.0) + elapsed * self.per_ms).min(self.capacity),
                    filled_at.max(now),
                )
            }
            None => (self.capacity, now),
        };
        let granted = whole(tokens).min(wanted);
        (granted, (tokens - granted as f64, filled_at))
    }
}

/// The whole tokens of a bucket: between 0 and its capacity (at most a few thousand), so the
/// conversion is exact.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(tokens: f64) -> usize {
    tokens.floor().max(0.0) as usize
}

/// The first `limit` changes of two lists each sorted by revision: the chats written and the
/// chats forgotten. A chat forgotten and then written again is a written chat (its row's
/// revision is the later one); the revision returned is the last one included, or `from` when
/// nothing changed.
pub(crate) fn merge_changes(
    from: i64,
    chats: Vec<(i64, ChatSummary)>,
    removed: Vec<(i64, ChatKey)>,
    limit: usize,
) -> Changes {
    let mut chats = chats.into_iter().peekable();
    let mut removed = removed.into_iter().peekable();
    let mut changes = Changes {
        revision: from,
        ..Changes::default()
    };
    let mut gone: Vec<ChatKey> = Vec::new();
    for _ in 0..limit {
        let take_chat = match (chats.peek(), removed.peek()) {
            (Some((chat, _)), Some((removal, _))) => chat < removal,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_chat {
            if let Some((revision, summary)) = chats.next() {
                changes.revision = changes.revision.max(revision);
                changes.chats.push(summary);
            }
        } else if let Some((revision, key)) = removed.next() {
            changes.revision = changes.revision.max(revision);
            gone.push(key);
        }
    }
    let written: HashSet<&ChatKey> = changes.chats.iter().map(|chat| &chat.key).collect();
    let mut reported = HashSet::new();
    changes.removed = gone
        .into_iter()
        .filter(|key| !written.contains(key) && reported.insert(key.clone()))
        .collect();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnection_waits_double_from_half_a_second_up_to_ten() {
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..8)
            .map(|_| u64::try_from(backoff.next_wait().as_millis()).unwrap_or(u64::MAX))
            .collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    }
}
