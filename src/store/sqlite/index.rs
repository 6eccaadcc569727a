//! The SQLite file behind the index's seam: each operation is the file's own.

use std::path::Path;

use crate::private;
use crate::store::index::index_by_inherent_methods;
use crate::store::sqlite::SqliteIndex;

index_by_inherent_methods!(SqliteIndex {
    fn name(&self) -> String {
        self.path().display().to_string()
    }

    fn file(&self) -> Option<&Path> {
        Some(self.path())
    }

    fn exposed(&self) -> Vec<private::Exposed> {
        SqliteIndex::exposed(self)
    }
});
