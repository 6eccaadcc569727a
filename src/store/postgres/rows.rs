//! Rows of the shared index as balcão reads them: typed columns, and the stored enums (text in
//! the database) read back through the texts they know, a text no variant has being an error
//! that names its table, row and column as the SQLite index's reads do.

use std::path::PathBuf;

use postgres::Row;
use postgres::types::{FromSql, ToSql, Type};
use rusqlite::types::ValueRef;

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::stored::{Place, StoredText, UnknownValue, shown};
use crate::store::summary::ChatKey;

/// The key columns of a chat row as `SUMMARY_COLUMNS` and the chat queries select them:
/// account, provider, chat id.
pub(super) const CHAT_KEY: &[usize] = &[0, 1, 2];

/// A column of a key as a message names it: `name = value`, the value quoted as the SQLite
/// index's messages quote it.
pub(super) fn key_part(row: &Row, at: usize) -> String {
    let column = &row.columns()[at];
    let value = if *column.type_() == Type::INT8 {
        match row.try_get::<_, Option<i64>>(at) {
            Ok(Some(number)) => shown(ValueRef::Integer(number)),
            Ok(None) => shown(ValueRef::Null),
            Err(_) => "?".to_owned(),
        }
    } else {
        match row.try_get::<_, Option<String>>(at) {
            Ok(Some(text)) => shown(ValueRef::Text(text.as_bytes())),
            Ok(None) => shown(ValueRef::Null),
            Err(_) => "?".to_owned(),
        }
    };
    format!("{} = {value}", column.name())
}

/// Key columns of a chat row, as parameters `$1` to `$3`.
pub(super) fn key_params(key: &ChatKey) -> [&(dyn ToSql + Sync); 3] {
    [&key.account, &key.provider, &key.chat_id]
}

/// A statement's parameters.
pub(super) type Params<'a> = [&'a (dyn ToSql + Sync)];

impl PgIndex {
    /// Runs `sql`, prepared once per connection, and returns how many rows it changed.
    pub(super) fn execute(&self, sql: &'static str, params: &Params) -> Result<u64, StoreError> {
        self.with_session(|session| {
            let statement = session.prepared(sql)?;
            session.client.execute(&statement, params)
        })
    }

    /// Runs `sql`, prepared once per connection, and returns its rows.
    pub(super) fn query(&self, sql: &'static str, params: &Params) -> Result<Vec<Row>, StoreError> {
        self.with_session(|session| {
            let statement = session.prepared(sql)?;
            session.client.query(&statement, params)
        })
    }

    /// Runs `sql`, prepared once per connection, and returns its one row, if any.
    pub(super) fn query_opt(
        &self,
        sql: &'static str,
        params: &Params,
    ) -> Result<Option<Row>, StoreError> {
        self.with_session(|session| {
            let statement = session.prepared(sql)?;
            session.client.query_opt(&statement, params)
        })
    }

    /// Runs `sql`, prepared once per connection, and returns its one row.
    pub(super) fn query_one(&self, sql: &'static str, params: &Params) -> Result<Row, StoreError> {
        self.with_session(|session| {
            let statement = session.prepared(sql)?;
            session.client.query_one(&statement, params)
        })
    }

    /// Column `at` of a row, read with the driver's type; a type that does not match is the
    /// database's error.
    pub(super) fn column<'a, T: FromSql<'a>>(
        &self,
        row: &'a Row,
        at: usize,
    ) -> Result<T, StoreError> {
        row.try_get(at).map_err(|error| self.error(&error))
    }

    /// A stored enum in column `at` of a row of `table`; a text no variant has is
    /// [`StoreError::UnknownValue`] naming the table, the row (by the columns at `key`), the
    /// column and the value, as the SQLite index says it.
    pub(super) fn stored<T: StoredText>(
        &self,
        row: &Row,
        at: usize,
        table: &'static str,
        key: &[usize],
    ) -> Result<T, StoreError> {
        let text: String = self.column(row, at)?;
        T::from_text(&text).ok_or_else(|| StoreError::UnknownValue {
            path: PathBuf::from(self.shown()),
            found: Box::new(UnknownValue {
                value: shown(ValueRef::Text(text.as_bytes())),
                known: T::KNOWN,
                place: Some(Place {
                    table,
                    row: key
                        .iter()
                        .map(|&part| key_part(row, part))
                        .collect::<Vec<_>>()
                        .join(", "),
                    column: row.columns()[at].name().to_owned(),
                }),
            }),
        })
    }

    /// A chat's key as a query selects it first (account, provider, chat id), exactly as
    /// stored: respelling it would name another row.
    pub(super) fn key_from_row(&self, row: &Row) -> Result<ChatKey, StoreError> {
        Ok(ChatKey {
            account: self.column(row, 0)?,
            provider: self.stored(row, 1, "chats", CHAT_KEY)?,
            chat_id: self.column(row, 2)?,
        })
    }
}
