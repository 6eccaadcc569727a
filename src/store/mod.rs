//! The inbox index: every chat the console knows, the webhook events it received and the audit
//! log of every change made, behind one seam ([`Index`]) with two backends: a SQLite file in the
//! data dir (one seat) or a shared PostgreSQL database (team mode).
//!
//! The CRMs cannot list chats, so this index is the console's memory.

pub mod copy;
pub mod drafts;
mod index;
pub mod journal;
pub mod location;
pub mod postgres;
mod records;
pub mod sqlite;
mod stored;
pub mod summary;
pub mod team;
pub mod timeline;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::private;

pub use index::Index;
pub use records::{
    AuditEntry, StoredDetail, WEBHOOK_BODY_BYTES_KEPT, WEBHOOK_EVENTS_KEPT, WebhookOutcome,
    WebhookRecord,
};
pub use sqlite::schema;
pub use stored::{Place, UnknownValue};
pub use summary::{
    ChatKey, ChatSummary, Columns, Provider, SearchFields, Source, normalize_chat_id,
};
pub use team::{
    AuditQuery, Backoff, ChangeWatch, Changes, ClaimOutcome, Presence, PresenceKind, Viewer, Wake,
};

/// The index's file name inside the data dir.
pub const INDEX_FILE: &str = "inbox.sqlite3";
/// How long a write waits for another process's lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the index cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another program's file: never touched.
    #[error(
        "{path} is not a balcão inbox index (another program's file); it was left untouched. \
         Choose another --data-dir / BALCAO_DATA_DIR"
    )]
    NotOurs {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer balcão.
    #[error(
        "{path} has index schema version {found}, newer than this balcão knows ({known}); \
         upgrade balcão or use another --data-dir"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// Another process holds the lock.
    #[error(
        "{path} is locked by another process (another `balcao listen` or console?); waited {}s. \
         Close it or use another --data-dir",
        waited.as_secs()
    )]
    Locked {
        /// The file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// The folder or file cannot be created or read.
    #[error("cannot use {path}: {detail}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        detail: String,
    },
    /// A row holds a value this balcão does not know in a column of fixed values: never read as
    /// some default, which would hide the damage.
    #[error(
        "{path}: {found}. The row was changed by hand, by another program or by a newer balcão; \
         correct or delete that row (sqlite3 or psql), or use another index (--index, --data-dir)"
    )]
    UnknownValue {
        /// The file, or the database URL with its password hidden.
        path: PathBuf,
        /// What was found where (boxed: it is rare, and every result carries this error's size).
        found: Box<UnknownValue>,
    },
    /// The `--index` URL cannot be used as written.
    #[error("--index {index}: {detail}. Write it as postgres://USER@HOST:PORT/DATABASE")]
    BadUrl {
        /// The URL, password hidden.
        index: String,
        /// What is wrong.
        detail: String,
    },
    /// The shared index cannot be reached (down, wrong host or port, refused password, TLS).
    #[error(
        "shared index {index} unreachable: {detail}. Check that PostgreSQL runs there and that \
         the URL, user and password (PGPASSWORD or index_password_file) are right"
    )]
    Unreachable {
        /// The URL, password hidden.
        index: String,
        /// What the driver said (password scrubbed).
        detail: String,
    },
    /// A database that is not a balcão index: never touched.
    #[error(
        "{index} holds tables that are not a balcão index (another program's database); it was \
         left untouched. Create an empty database for balcão (createdb) and point --index at it"
    )]
    NotOurDatabase {
        /// The URL, password hidden.
        index: String,
    },
    /// A database a newer balcão wrote.
    #[error(
        "{index} has index schema version {found}, newer than this balcão knows ({known}); \
         upgrade balcão on this machine"
    )]
    NewerDatabase {
        /// The URL, password hidden.
        index: String,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// Anything else PostgreSQL reported.
    #[error("shared index {index}: {detail}")]
    Database {
        /// The URL, password hidden.
        index: String,
        /// What PostgreSQL said (password scrubbed).
        detail: String,
    },
    /// Anything else SQLite reported.
    #[error("inbox index {path}: {detail}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
}

/// Creates `dir` (and missing parents) private to its owner ([`private::create_dir`]): it will
/// hold customer data.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    private::create_dir(dir).map_err(|error| StoreError::Io {
        path: dir.to_path_buf(),
        detail: error.to_string(),
    })
}

/// Options for opening the index.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// How long to wait for another process's lock.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

/// An open index, whichever backend holds it. Its operations are those of [`Index`], reached
/// through `Deref`; call them from blocking contexts (`spawn_blocking`), never from the render
/// path.
pub struct Store {
    index: Box<dyn Index>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("index", &self.index.name())
            .finish_non_exhaustive()
    }
}

impl Deref for Store {
    type Target = dyn Index;

    fn deref(&self) -> &Self::Target {
        self.index.as_ref()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite index in `data_dir`.
    /// The directory is created 0700 and the file 0600 (customer data); what already existed open
    /// to others is listed by [`Index::exposed`].
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        create_private_dir(data_dir)?;
        Self::open(&data_dir.join(INDEX_FILE), OpenOptions::default())
    }

    /// Opens (creating if needed) the SQLite index file at `path`, checking that it is ours and
    /// not newer than this binary, then migrating it to the latest schema.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Self, StoreError> {
        sqlite::SqliteIndex::open(path, options).map(|index| Self {
            index: Box::new(index),
        })
    }

    /// Connects to a shared PostgreSQL index, checking and migrating it as [`Store::open`] does.
    pub fn connect(url: &location::DatabaseUrl) -> Result<Self, StoreError> {
        postgres::PgIndex::connect(url).map(|index| Self {
            index: Box::new(index),
        })
    }

    /// Opens the index `location` names; `data_dir` is where the default file lives.
    pub fn open_location(
        location: &location::IndexLocation,
        data_dir: &Path,
    ) -> Result<Self, StoreError> {
        match location {
            location::IndexLocation::DataDir => Self::open_in(data_dir),
            location::IndexLocation::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    create_private_dir(parent)?;
                }
                Self::open(path, OpenOptions::default())
            }
            location::IndexLocation::Postgres(url) => Self::connect(url),
        }
    }

    /// Whether this index is shared by a desk (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.index.file().is_none()
    }
}
