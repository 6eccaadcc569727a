//! Watching the SQLite file: it has no NOTIFY, so a connection of the watch's own reads the two
//! counters every write bumps (`index_revision` for chat rows, `presence_revision` for viewers
//! and claims) every [`POLL`], until one moved or the time is up. Any process writing the file
//! wakes it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;
use crate::store::sqlite::{SqliteIndex, error_at};
use crate::store::team::{ChangeWatch, Wake};

/// How often the counters are read: a change shows within this, and an idle watch costs one
/// small read per period.
const POLL: Duration = Duration::from_millis(100);

/// A watch on one SQLite file.
pub(super) struct SqliteWatch {
    connection: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    /// The counters as last seen: (chat rows, presence).
    seen: (i64, i64),
}

impl SqliteWatch {
    /// Opens the watch's own connection to `index`'s file and reads where the counters are now:
    /// what changes after this wakes it.
    pub(super) fn open(index: &SqliteIndex) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection =
            Connection::open_with_flags(&index.path, flags).map_err(|e| index.error(&e))?;
        connection
            .busy_timeout(index.busy_timeout)
            .map_err(|e| index.error(&e))?;
        let mut watch = Self {
            connection,
            path: index.path.clone(),
            busy_timeout: index.busy_timeout,
            seen: (0, 0),
        };
        watch.seen = watch.counters()?;
        Ok(watch)
    }

    fn counters(&self) -> Result<(i64, i64), StoreError> {
        self.connection
            .query_row(
                "SELECT (SELECT n FROM index_revision), (SELECT n FROM presence_revision)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(|error| error_at(&self.path, self.busy_timeout, &error))
    }
}

impl ChangeWatch for SqliteWatch {
    fn wait(&mut self, timeout: Duration) -> Result<Wake, StoreError> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = self.counters()?;
            let wake = Wake {
                chats: now.0 != self.seen.0,
                presence: now.1 != self.seen.1,
            };
            self.seen = now;
            let left = deadline.saturating_duration_since(Instant::now());
            if !wake.is_timeout() || left.is_zero() {
                return Ok(wake);
            }
            std::thread::sleep(left.min(POLL));
        }
    }
}
