//! The inbox index in the data dir: opening it, and what its failures mean to a person. Shared
//! by the command line and the console's start, which both open it and report the same way.

use std::path::Path;
use std::sync::Arc;

use crate::i18n::Lang;
use crate::store::{Store, StoreError};
use crate::tr;

/// Opens (or creates) the index in `data_dir`; says nothing about files others can read, which
/// each caller reports in its own place.
pub fn open_index(data_dir: &Path) -> Result<Arc<Store>, StoreError> {
    Store::open_in(data_dir).map(Arc::new)
}

/// Whether the user fixes this by choosing another data dir (another program's file, or an index
/// written by a newer balcão): a usage problem, not a failure of this run.
pub fn is_wrong_data_dir(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::NotOurs { .. } | StoreError::NewerSchema { .. }
    )
}

/// The message for people, in `lang`.
pub fn index_message(error: &StoreError, lang: Lang) -> String {
    let text = error.to_string();
    if is_wrong_data_dir(error) {
        text
    } else {
        tr!(lang, "índice: {text}", "index: {text}")
    }
}
