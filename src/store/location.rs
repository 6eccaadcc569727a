//! Where the index lives, as `--index`, `BALCAO_INDEX` or the config's `index` name it: the
//! SQLite file in the data dir (nothing given), another SQLite file (a path), or a shared
//! PostgreSQL database (`postgres://…`). A database URL is only ever shown with its password
//! replaced by `***`.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

/// What replaces a password wherever a URL is shown.
pub const HIDDEN: &str = "***";

/// Where the index lives.
#[derive(Clone)]
pub enum IndexLocation {
    /// `inbox.sqlite3` in the data dir: the default.
    DataDir,
    /// A SQLite file at this path.
    File(PathBuf),
    /// A shared PostgreSQL database.
    Postgres(DatabaseUrl),
}

impl fmt::Debug for IndexLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataDir => f.write_str("DataDir"),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Postgres(url) => f.debug_tuple("Postgres").field(&url.shown()).finish(),
        }
    }
}

impl IndexLocation {
    /// Reads `--index`'s text: empty means the data dir's file, `postgres://` or
    /// `postgresql://` a database, anything else a SQLite file path.
    pub fn parse(text: &str) -> Self {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            Self::DataDir
        } else if is_database_url(trimmed) {
            Self::Postgres(DatabaseUrl::new(trimmed))
        } else {
            Self::File(PathBuf::from(trimmed))
        }
    }

    /// Whether the index is shared by a desk (team mode).
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// Whether `text` names a PostgreSQL database.
pub fn is_database_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// A PostgreSQL URL, kept secret: [`DatabaseUrl::shown`] is the only way to print it.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    /// A password from elsewhere (`PGPASSWORD`, a password file), used when the URL has none.
    password: Option<SecretString>,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl DatabaseUrl {
    /// The URL as given.
    pub fn new(url: &str) -> Self {
        Self {
            url: SecretString::from(url.to_owned()),
            password: None,
        }
    }

    /// The same database, with `password` used when the URL carries none.
    #[must_use]
    pub fn with_password(mut self, password: SecretString) -> Self {
        self.password = Some(password);
        self
    }

    /// The URL with its password (in the user part or a `password=` parameter) replaced by
    /// `***`: what logs, errors and screens show.
    pub fn shown(&self) -> String {
        redact(self.url.expose_secret())
    }

    /// The URL as given, password included: only for the database driver.
    pub(crate) fn expose(&self) -> &str {
        self.url.expose_secret()
    }

    /// The password from elsewhere, if one was given.
    pub(crate) fn fallback_password(&self) -> Option<&str> {
        self.password.as_ref().map(ExposeSecret::expose_secret)
    }

    /// `text` (say, a driver's error) with every occurrence of the passwords replaced by `***`:
    /// a driver may quote what it was given.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        let url = self.url.expose_secret();
        if let Some(password) = url_password(url).filter(|password| !password.is_empty()) {
            text = text.replace(url, &redact(url)).replace(password, HIDDEN);
        }
        if let Some(password) = self.fallback_password().filter(|p| !p.is_empty()) {
            text = text.replace(password, HIDDEN);
        }
        text
    }
}

/// The password in a URL's user part, if any.
fn url_password(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, password)| password)
}

/// `url` with the user part's password and any `password=` parameter replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:{HIDDEN}@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}={HIDDEN}")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        for (url, shown) in [
            (
                "postgres://ana:s3cr3t@db.example:5432/desk",
                "postgres://ana:***@db.example:5432/desk",
            ),
            (
                "postgresql://ana@db/desk?sslmode=require&password=s3cr3t",
                "postgresql://ana@db/desk?sslmode=require&password=***",
            ),
            ("postgres://db/desk", "postgres://db/desk"),
            (
                "postgres://ana:p%40ss@db/desk",
                "postgres://ana:***@db/desk",
            ),
        ] {
            assert_eq!(redact(url), shown);
            assert_eq!(DatabaseUrl::new(url).shown(), shown);
            assert_eq!(
                format!("{:?}", IndexLocation::parse(url)),
                format!("Postgres({shown:?})")
            );
        }
    }

    #[test]
    fn a_driver_message_quoting_the_password_is_scrubbed() {
        let url = DatabaseUrl::new("postgres://ana:s3cr3t@db/desk")
            .with_password(SecretString::from("other".to_owned()));
        assert_eq!(
            url.scrub("could not use s3cr3t or other at postgres://ana:s3cr3t@db/desk"),
            "could not use *** or *** at postgres://ana:***@db/desk"
        );
    }

    #[test]
    fn paths_and_nothing_are_sqlite() {
        assert!(matches!(IndexLocation::parse(""), IndexLocation::DataDir));
        assert!(matches!(
            IndexLocation::parse("/tmp/x.sqlite3"),
            IndexLocation::File(_)
        ));
        assert!(IndexLocation::parse("POSTGRES://db/x").is_shared());
    }
}
