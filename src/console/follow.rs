//! Following the index off the render path. The change feed runs on a thread of its own: it
//! reads the first screen and then every row, then holds a watch on the index and, on each wake,
//! reads what changed since the last revision it saw and who is on what; when the index goes
//! away it says so once, reconnects with backoff and catches up from that revision, so nothing
//! written meanwhile is missed even when a notification was. The heartbeat says which chat this
//! console shows, every few seconds and whenever that changes, and takes its mark away on quit.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::console::msg::Msg;
use crate::console::state::State;
use crate::store::journal::AuditJournal;
use crate::store::team::VIEWING_TTL;
use crate::store::{Backoff, ChatKey, Store, StoreError, Viewer};

/// How long one wait on the watch lasts at most: the feed notices a closed console this often.
const FEED_WAIT: Duration = Duration::from_secs(1);
/// How often who is on what is read again with no wake: viewing marks expire without one.
const PRESENCE_REFRESH: Duration = Duration::from_secs(10);
/// Changes read per request while catching up.
const CHANGES_PER_READ: usize = 1000;
/// How often the heartbeat repeats this console's viewing mark (well within `VIEWING_TTL`).
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);

/// The console went away: the feed stops.
struct Closed;

/// Why one spell of following ended.
enum Ended {
    /// The console closed.
    Closed,
    /// The index failed.
    Failed(StoreError),
}

impl From<Closed> for Ended {
    fn from(_: Closed) -> Self {
        Self::Closed
    }
}

impl From<StoreError> for Ended {
    fn from(error: StoreError) -> Self {
        Self::Failed(error)
    }
}

/// The feed's side of the console's inbox.
struct Feed {
    store: Arc<Store>,
    tx: mpsc::Sender<Msg>,
    /// The last revision read; `None` until one could be (then everything is read again).
    revision: Option<i64>,
    /// When who is on what was last read.
    presence_read: Option<Instant>,
    /// Whether the console was told the index is unreachable.
    down: bool,
    /// The wait before the next reconnection; it starts over once a spell has caught up.
    backoff: Backoff,
    /// Audit entries kept while the index could not take them, written once it can.
    journal: Option<AuditJournal>,
}

impl Feed {
    fn send(&self, msg: Msg) -> Result<(), Closed> {
        self.tx.blocking_send(msg).map_err(|_| Closed)
    }

    /// The first screen, then every row. The revision is read before the rows: a change made
    /// while they are read is read again afterwards, never missed.
    fn first_read(&mut self, page: usize) -> Result<(), Closed> {
        self.revision = match self.store.revision() {
            Ok(revision) => Some(revision),
            Err(error) => {
                tracing::warn!(%error, "the index's revision is not read; the feed reads all rows once it can");
                None
            }
        };
        // A first page that cannot be read is not an error of its own: the full read says it.
        if let Ok(first) = self.store.first_page(Utc::now(), page) {
            self.send(Msg::FirstPage(first))?;
        }
        match self.store.summaries() {
            Ok(rows) => self.send(Msg::Rows(rows)),
            Err(error) => {
                // Without the rows, the next catch-up reads them all.
                self.revision = None;
                self.send(Msg::RowsFailed(error.to_string()))
            }
        }
    }

    /// Reads what changed since the last revision seen, until nothing is left.
    fn catch_up(&mut self) -> Result<(), Ended> {
        let Some(mut revision) = self.revision else {
            let revision = self.store.revision()?;
            let rows = self.store.summaries()?;
            self.send(Msg::Rows(rows))?;
            self.revision = Some(revision);
            return Ok(());
        };
        loop {
            let changes = self.store.changes_since(revision, CHANGES_PER_READ)?;
            if changes.chats.is_empty() && changes.removed.is_empty() {
                return Ok(());
            }
            revision = revision.max(changes.revision);
            self.revision = Some(revision);
            self.send(Msg::IndexChanged {
                chats: changes.chats,
                removed: changes.removed,
            })?;
        }
    }

    /// Writes the audit entries kept while the index was away (by this console or a command
    /// run on this data dir meanwhile). An empty journal costs one look for its file.
    fn flush_journal(&self) -> Result<(), Ended> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        match journal.flush(&self.store) {
            Ok(0) => Ok(()),
            Ok(written) => {
                tracing::info!(written, "audit entries kept locally written to the index");
                self.send(Msg::AuditFlushed(written))?;
                Ok(())
            }
            // The index gone again is the feed's to handle; anything else (a line a person must
            // fix, which stays in the file) is for the log, and the next flush tries again.
            Err(error @ StoreError::Unreachable { .. }) => Err(Ended::Failed(error)),
            Err(error) => {
                tracing::error!(%error, "the audit journal cannot be written to the index");
                Ok(())
            }
        }
    }

    fn read_presence(&mut self) -> Result<(), Ended> {
        let presence = self.store.presence(Utc::now())?;
        self.presence_read = Some(Instant::now());
        self.send(Msg::Presence(presence))?;
        Ok(())
    }

    /// One spell: a watch, the catch-up, then every wake until the index fails or the console
    /// closes.
    fn follow(&mut self) -> Result<Infallible, Ended> {
        let mut watch = self.store.watch()?;
        self.catch_up()?;
        self.read_presence()?;
        self.backoff = Backoff::default();
        if self.down {
            self.down = false;
            self.send(Msg::IndexReachable)?;
        }
        self.flush_journal()?;
        loop {
            let wake = watch.wait(FEED_WAIT)?;
            if self.tx.is_closed() {
                return Err(Ended::Closed);
            }
            if wake.chats {
                self.catch_up()?;
            }
            let presence_due = self
                .presence_read
                .is_none_or(|at| at.elapsed() >= PRESENCE_REFRESH);
            if wake.presence || presence_due {
                self.read_presence()?;
            }
            if presence_due {
                // Entries kept while this spell went on (the index failed a write, not this
                // watch) are written within the same period.
                self.flush_journal()?;
            }
        }
    }

    /// Follows the index until the console closes, reconnecting after each failure.
    fn run(mut self, page: usize) {
        if self.first_read(page).is_err() {
            return;
        }
        loop {
            let error = match self.follow() {
                Ok(never) => match never {},
                Err(Ended::Closed) => return,
                Err(Ended::Failed(error)) => error,
            };
            if self.tx.is_closed() {
                return;
            }
            if matches!(error, StoreError::Unreachable { .. }) {
                if !self.down {
                    self.down = true;
                    tracing::warn!(%error, "the shared index is unreachable; reconnecting");
                    if self.send(Msg::IndexUnreachable(Utc::now())).is_err() {
                        return;
                    }
                }
            } else {
                tracing::warn!(%error, "following the index failed; trying again");
            }
            std::thread::sleep(self.backoff.next_wait());
        }
    }
}

/// Starts the change feed on a thread of its own (its waits block, and it must not hold up the
/// runtime's end: it stops within [`FEED_WAIT`] of the console closing `tx`'s receiver).
pub fn spawn_feed(
    store: Arc<Store>,
    tx: mpsc::Sender<Msg>,
    page: usize,
    journal: Option<AuditJournal>,
) {
    let feed = Feed {
        journal,
        store,
        tx,
        revision: None,
        presence_read: None,
        down: false,
        backoff: Backoff::default(),
    };
    let started = std::thread::Builder::new()
        .name("index-feed".to_owned())
        .spawn(move || feed.run(page));
    if let Err(error) = started {
        tracing::error!(%error, "the index feed did not start; the list will not follow changes");
    }
}

/// What this console says it shows: who, from which console, and which chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// This person and console.
    pub viewer: Viewer,
    /// The chat in the detail pane, if any.
    pub chat: Option<ChatKey>,
}

impl Seen {
    /// What `state` shows.
    pub fn of(state: &State) -> Self {
        Self {
            viewer: state.desk.viewer.clone(),
            chat: state.detail.key.clone(),
        }
    }
}

/// Starts the heartbeat: this console's viewing mark, written at once, again every
/// [`HEARTBEAT_INTERVAL`] and whenever `seen` changes; when `seen`'s sender goes (the console
/// closed), the mark is taken away and the task ends.
pub fn spawn_heartbeat(store: Arc<Store>, mut seen: watch::Receiver<Seen>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now_seen = seen.borrow_and_update().clone();
            let store = store.clone();
            let written = tokio::task::spawn_blocking(move || {
                let now = Utc::now();
                let until = now + chrono::TimeDelta::from_std(VIEWING_TTL).unwrap_or_default();
                store.see(&now_seen.viewer, now_seen.chat.as_ref(), now, until)
            })
            .await;
            match written {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "this console's viewing mark not written"),
                Err(error) => tracing::warn!(%error, "the heartbeat's write did not finish"),
            }
            tokio::select! {
                changed = seen.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(HEARTBEAT_INTERVAL) => {}
            }
        }
        let console = seen.borrow().viewer.console.clone();
        let left = tokio::task::spawn_blocking(move || store.leave(&console)).await;
        match left {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "this console's viewing mark not taken away"),
            Err(error) => tracing::warn!(%error, "leaving did not finish"),
        }
    })
}
