//! Enums as the index stores them: one text per variant, written and read through the same
//! table, and a text no variant has is an error that names the table, row, column and value.
//!
//! `FromSql` sees only the value, so it reports [`UnknownValue`] without a place; the read that
//! knows the table and the row's key fills the place in ([`get`]), and the SQLite index's error
//! mapping ([`unknown_value`]) turns it into [`crate::store::StoreError::UnknownValue`]. The
//! PostgreSQL index reads the same texts and says the same (`postgres::rows`).

use rusqlite::Row;
use rusqlite::types::{FromSql, ValueRef};

/// Longest stored text quoted in a message: a corrupt row can hold anything, and a message must
/// cost the same whatever it holds.
const SHOWN_CHARS: usize = 80;

/// A stored value that no variant of the enum has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The value as found, quoted and cut short.
    pub value: String,
    /// The texts the enum knows.
    pub known: &'static [&'static str],
    /// Where it was found; `None` until the read that knows fills it in.
    pub place: Option<Place>,
}

/// Where an unknown value was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The table.
    pub table: &'static str,
    /// The row's key, `column = value` joined by commas.
    pub row: String,
    /// The column.
    pub column: String,
}

impl UnknownValue {
    pub(crate) fn new(value: ValueRef<'_>, known: &'static [&'static str]) -> Self {
        Self {
            value: shown(value),
            known,
            place: None,
        }
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.known.join(", ");
        match &self.place {
            Some(Place { table, row, column }) => write!(
                f,
                "table {table}, row {row}: column {column} holds {}, which is not one of {known}",
                self.value
            ),
            None => write!(f, "a stored {} is not one of {known}", self.value),
        }
    }
}

impl std::error::Error for UnknownValue {}

/// A stored value for a message: text quoted (control characters escaped, cut at
/// [`SHOWN_CHARS`]), numbers as written, a blob by its size.
pub(crate) fn shown(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(number) => number.to_string(),
        ValueRef::Real(number) => number.to_string(),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            let mut quoted: String = text
                .chars()
                .take(SHOWN_CHARS)
                .flat_map(char::escape_debug)
                .collect();
            if text.chars().nth(SHOWN_CHARS).is_some() {
                quoted.push('…');
            }
            format!("'{quoted}'")
        }
        ValueRef::Blob(bytes) => format!("a blob of {} bytes", bytes.len()),
    }
}

/// Reads column `index` of a row of `table`; a value the type does not know comes back naming
/// the table, the row (by the columns at `key`) and the column.
pub(crate) fn get<T: FromSql>(
    row: &Row<'_>,
    index: usize,
    table: &'static str,
    key: &[usize],
) -> rusqlite::Result<T> {
    row.get(index).map_err(|error| {
        let rusqlite::Error::FromSqlConversionFailure(at, kind, cause) = error else {
            return error;
        };
        match cause.downcast::<UnknownValue>() {
            Ok(mut unknown) => {
                let statement = row.as_ref();
                let name = |at: usize| statement.column_name(at).unwrap_or("?").to_owned();
                let row_key = key
                    .iter()
                    .map(|&at| {
                        let value = row.get_ref(at).map_or_else(|_| "?".to_owned(), shown);
                        format!("{} = {value}", name(at))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                unknown.place = Some(Place {
                    table,
                    row: row_key,
                    column: name(index),
                });
                rusqlite::Error::FromSqlConversionFailure(at, kind, unknown)
            }
            Err(cause) => rusqlite::Error::FromSqlConversionFailure(at, kind, cause),
        }
    })
}

/// The [`UnknownValue`] an error carries, if it is one.
pub(crate) fn unknown_value(error: &rusqlite::Error) -> Option<&UnknownValue> {
    match error {
        rusqlite::Error::FromSqlConversionFailure(_, _, cause) => cause.downcast_ref(),
        _ => None,
    }
}

/// The enums the index stores as text, read back through the texts they know (the PostgreSQL
/// index's reads, which name the row of a text no variant has).
pub(crate) trait StoredText: Sized {
    /// Every variant's stored text.
    const KNOWN: &'static [&'static str];
    /// The variant a stored text names.
    fn from_text(text: &str) -> Option<Self>;
}

/// Gives a fieldless enum its one stored text per variant: `as_str`, `parse`, [`StoredText`]
/// and both databases' `ToSql` (a text parameter) and SQLite's `FromSql` all read the same
/// table, and `FromSql` refuses any other text with [`UnknownValue`] instead of picking a
/// default.
macro_rules! stored_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every variant's stored text, in declaration order.
            pub const STORED: &'static [&'static str] = &[$($text),+];

            /// The stored (and configured) text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// Reads a stored or configured text; `None` for any other.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::store::stored::StoredText for $name {
            const KNOWN: &'static [&'static str] = Self::STORED;

            fn from_text(text: &str) -> Option<Self> {
                Self::parse(text)
            }
        }

        impl postgres::types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
                postgres::types::ToSql::to_sql(&self.as_str(), ty, out)
            }

            fn accepts(ty: &postgres::types::Type) -> bool {
                <&str as postgres::types::ToSql>::accepts(ty)
            }

            postgres::types::to_sql_checked!();
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                match value {
                    rusqlite::types::ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok(),
                    _ => None,
                }
                .and_then(Self::parse)
                .ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(Box::new(
                        $crate::store::stored::UnknownValue::new(value, Self::STORED),
                    ))
                })
            }
        }
    };
}

pub(crate) use stored_enum;
