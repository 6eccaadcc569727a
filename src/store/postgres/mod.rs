//! The shared index: a PostgreSQL database a whole desk uses at once (team mode).
//!
//! The driver is the synchronous `postgres` client, called from the blocking pool as the SQLite
//! backend is, so the seam stays one set of blocking calls. One connection per process, behind a
//! mutex, reopened on the next call after it is lost; watching for changes uses a connection of
//! its own (`LISTEN`). TLS is rustls with the platform's roots (`sslmode=require`), or the
//! certificate a `sslrootcert=FILE` parameter names. A database that is not a balcão index, or
//! whose schema a newer balcão wrote, is never touched.

mod conversation;
mod copy;
mod index;
mod records;
mod rows;
pub mod schema;
mod team;
mod webhooks;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use postgres::{Client, Statement};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;
use crate::store::location::DatabaseUrl;

/// How long connecting may take before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// An open PostgreSQL index.
pub struct PgIndex {
    url: DatabaseUrl,
    config: postgres::Config,
    tls: MakeRustlsConnect,
    session: Mutex<Option<Session>>,
}

impl Drop for PgIndex {
    fn drop(&mut self) {
        let session = self
            .session
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(session) = session {
            close_elsewhere(session);
        }
    }
}

/// Closes a connection (or what holds one) on a thread of its own: the driver closes by running
/// its own runtime, which panics on an async worker, and the last hold on an index may well be
/// dropped there (the actor's, the scheduler's).
pub(crate) fn close_elsewhere<T: Send + 'static>(connection: T) {
    let closing = std::thread::Builder::new()
        .name("balcao-pg-close".to_owned())
        .spawn(move || drop(connection));
    if let Err(error) = closing {
        // The system has no thread to give: the connection was closed where the spawn failed.
        tracing::warn!(%error, "could not close a database connection");
    }
}

/// The connection the index's calls share, and the statements prepared on it: a statement
/// prepared once is one round trip per call instead of two (prepare, then execute).
pub(crate) struct Session {
    /// The connection.
    pub(crate) client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Session {
    /// `sql` prepared on this connection, the first time it is asked for.
    pub(crate) fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl std::fmt::Debug for PgIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgIndex")
            .field("url", &self.url.shown())
            .finish_non_exhaustive()
    }
}

impl PgIndex {
    /// Connects to the database `url` names, checks that it is a balcão index (or empty) and
    /// not newer than this binary, and migrates it to the latest schema.
    pub fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let (config, tls) = client_config(url)?;
        let index = Self {
            url: url.clone(),
            config,
            tls,
            session: Mutex::new(None),
        };
        // Connecting starts the driver's own runtime, which must not run on an async worker;
        // a thread of its own is safe whatever thread opens the index.
        let index = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut client = index.new_client()?;
                    schema::prepare(&mut client, &index)?;
                    *index.lock() = Some(Session {
                        client,
                        prepared: HashMap::new(),
                    });
                    Ok::<_, StoreError>(())
                })
                .join()
                .unwrap_or_else(|_| {
                    Err(StoreError::Database {
                        index: index.url.shown(),
                        detail: "the connection thread panicked".to_owned(),
                    })
                })
        })
        .map(|()| index)?;
        Ok(index)
    }

    /// The URL as shown (password hidden).
    pub fn shown(&self) -> String {
        self.url.shown()
    }

    /// A new connection (for `LISTEN`, or to replace a lost one).
    /// Whatever stops it (refused, timed out, TLS, login, too many connections) makes the
    /// index unreachable.
    pub(crate) fn new_client(&self) -> Result<Client, StoreError> {
        self.config
            .connect(self.tls.clone())
            .map_err(|error| StoreError::Unreachable {
                index: self.shown(),
                detail: self.url.scrub(&describe(&error)),
            })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` on the connection, reconnecting first when the last one was lost. A failure
    /// that closed the connection drops it, so the next call reconnects.
    pub(crate) fn with_client<T>(
        &self,
        work: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.with_session(|session| work(&mut session.client))
    }

    /// Runs `work` on the connection and its prepared statements, as [`PgIndex::with_client`]
    /// does. After any failure the prepared statements are forgotten (a schema changed under
    /// them makes PostgreSQL refuse their cached plans) and prepared again when next used.
    pub(crate) fn with_session<T>(
        &self,
        work: impl FnOnce(&mut Session) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut slot = self.lock();
        let session = match slot.take() {
            Some(session) if !session.client.is_closed() => slot.insert(session),
            // None yet, or lost: let go of it, then connect; if that fails, none is kept.
            lost => {
                drop(lost);
                slot.insert(Session {
                    client: self.new_client()?,
                    prepared: HashMap::new(),
                })
            }
        };
        let result = work(session);
        if let Err(error) = &result {
            if session.client.is_closed() || error.is_closed() {
                *slot = None;
            } else {
                session.prepared.clear();
            }
        }
        result.map_err(|error| self.error(&error))
    }

    /// Maps a driver error to what a person can act on; the password never shows.
    /// A connection lost or a server going away is [`StoreError::Unreachable`]; anything
    /// else the server or the driver said (a constraint, a row that cannot be read) is the
    /// database's error.
    pub(crate) fn error(&self, error: &postgres::Error) -> StoreError {
        let detail = self.url.scrub(&describe(error));
        let lost = error.is_closed()
            || error.as_db_error().is_none()
                && std::error::Error::source(error)
                    .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some());
        if lost || error.code().is_some_and(shut_out) {
            StoreError::Unreachable {
                index: self.shown(),
                detail,
            }
        } else {
            StoreError::Database {
                index: self.shown(),
                detail,
            }
        }
    }
}

/// Whether PostgreSQL's answer means this client cannot get in or the server is going away: a
/// connection failure (class 08), a refused login (class 28: wrong password, no `pg_hba.conf`
/// entry), a database that does not exist, or a server shutting down or starting up (57P):
/// what a person fixes in the URL, the password or the server, not in the index.
fn shut_out(code: &postgres::error::SqlState) -> bool {
    let code = code.code();
    code.starts_with("08") || code.starts_with("28") || code == "3D000" || code.starts_with("57P")
}

/// A driver error with its cause: the driver's own text is often only "error connecting".
fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// The driver's configuration for `url`, and its TLS connector. `sslrootcert=FILE` is ours (the
/// driver does not know it): the certificate in FILE is then the only root trusted.
fn client_config(url: &DatabaseUrl) -> Result<(postgres::Config, MakeRustlsConnect), StoreError> {
    let bad = |detail: String| StoreError::BadUrl {
        index: url.shown(),
        detail: url.scrub(&detail),
    };
    let (text, root_file) = take_parameter(url.expose(), "sslrootcert");
    let mut config = postgres::Config::from_str(&text).map_err(|error| bad(error.to_string()))?;
    if config.get_password().is_none()
        && let Some(password) = url.fallback_password()
    {
        config.password(password);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("balcao");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| bad(error.to_string()))?;
    let tls = if let Some(file) = root_file {
        let mut roots = rustls::RootCertStore::empty();
        let certificates = CertificateDer::pem_file_iter(&file)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|error| bad(format!("sslrootcert {file}: {error}")))?;
        if certificates.is_empty() {
            return Err(bad(format!("sslrootcert {file}: no certificate in it")));
        }
        roots.add_parsable_certificates(certificates);
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let verifier = rustls_platform_verifier::Verifier::new(provider)
            .map_err(|error| bad(error.to_string()))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    };
    Ok((config, MakeRustlsConnect::new(tls)))
}

/// `url` without its `name=value` query parameter, and that value (percent-decoding is not
/// needed for a file path without `%`).
fn take_parameter(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut value = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some((key, found)) if key == name => {
                value = Some(found.to_owned());
                false
            }
            _ => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, value)
}
