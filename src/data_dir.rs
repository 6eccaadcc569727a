//! The inbox index, wherever it lives (the data dir's file by default, another SQLite file, or a
//! desk's shared `PostgreSQL` database): opening it, and what its failures mean to a person. Shared
//! by the command line and the console's start, which both open it and report the same way.

use std::path::Path;
use std::sync::Arc;

use crate::i18n::Lang;
use crate::store::location::IndexLocation;
use crate::store::{Store, StoreError};
use crate::tr;

/// Opens (or creates) the index `location` names; `data_dir` holds the default file. Says
/// nothing about files others can read, which each caller reports in its own place.
pub fn open_index(location: &IndexLocation, data_dir: &Path) -> Result<Arc<Store>, StoreError> {
    Store::open_location(location, data_dir).map(Arc::new)
}

/// Whether the user fixes this by pointing balcão at another index (another program's file or
/// database, an index written by a newer balcão, a URL that cannot be read): a usage problem, not
/// a failure of this run.
pub fn is_wrong_data_dir(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::NotOurs { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::NotOurDatabase { .. }
            | StoreError::NewerDatabase { .. }
            | StoreError::BadUrl { .. }
    )
}

/// Whether the index could not be reached at all (a shared index that is down or refuses us):
/// a change made meanwhile keeps its audit entry in the local journal.
pub fn is_unreachable(error: &StoreError) -> bool {
    matches!(error, StoreError::Unreachable { .. })
}

/// The message for people, in `lang`.
pub fn index_message(error: &StoreError, lang: Lang) -> String {
    let text = error.to_string();
    if is_wrong_data_dir(error) || is_unreachable(error) {
        text
    } else {
        tr!(lang, "índice: {text}", "index: {text}")
    }
}

/// Lets go of an index off the async threads. Closing a `PostgreSQL` connection blocks on the
/// driver's own runtime, which must not happen on a runtime worker (it panics there); only the
/// last holder really closes it.
pub fn release(store: Arc<Store>) {
    if tokio::runtime::Handle::try_current().is_err() {
        drop(store);
        return;
    }
    if std::thread::spawn(move || drop(store)).join().is_err() {
        tracing::error!("closing the index failed");
    }
}
