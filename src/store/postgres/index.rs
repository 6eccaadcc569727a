//! The PostgreSQL database behind the index's seam: each operation is the database's own.

use std::path::Path;

use crate::private;
use crate::store::index::index_by_inherent_methods;
use crate::store::postgres::PgIndex;

index_by_inherent_methods!(PgIndex {
    fn name(&self) -> String {
        self.shown()
    }

    /// Not a file: a database server.
    fn file(&self) -> Option<&Path> {
        None
    }

    /// A database server's access is its own administrator's to set.
    fn exposed(&self) -> Vec<private::Exposed> {
        Vec::new()
    }
});
