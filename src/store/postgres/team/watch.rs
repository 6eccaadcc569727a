//! Watching the shared index: a connection of the watch's own `LISTEN`s on `balcao_changes`
//! (chat rows, written by the schema's triggers at every commit that changes what a summary
//! shows) and `balcao_presence` (viewers and claims), and waits for the next notification.

use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use crate::store::StoreError;
use crate::store::location::DatabaseUrl;
use crate::store::postgres::{PgIndex, describe};
use crate::store::team::{ChangeWatch, Wake};

/// The channel chat rows are announced on.
const CHANGES: &str = "balcao_changes";
/// The channel viewers and claims are announced on.
const PRESENCE: &str = "balcao_presence";

/// The watch's connection sits idle between notifications: a server or network gone without
/// closing it (a cable, a firewall, a virtual machine paused) is noticed by TCP keepalives
/// within about a minute, not the system's default two hours and more.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;

/// A watch on one database.
pub(super) struct PgWatch {
    client: Client,
    url: DatabaseUrl,
}

impl PgWatch {
    /// Connects and listens: what is committed after this wakes it.
    pub(super) fn open(index: &PgIndex) -> Result<Self, StoreError> {
        let mut config = index.config.clone();
        config
            .keepalives(true)
            .keepalives_idle(KEEPALIVE_IDLE)
            .keepalives_interval(KEEPALIVE_INTERVAL)
            .keepalives_retries(KEEPALIVE_RETRIES);
        let mut client = config
            .connect(index.tls.clone())
            .map_err(|error| index.error(&error))?;
        client
            .batch_execute(&format!("LISTEN {CHANGES}; LISTEN {PRESENCE}"))
            .map_err(|error| index.error(&error))?;
        Ok(Self {
            client,
            url: index.url.clone(),
        })
    }
}

impl ChangeWatch for PgWatch {
    fn wait(&mut self, timeout: Duration) -> Result<Wake, StoreError> {
        let url = &self.url;
        let lost = |error: &postgres::Error| lost(url, &describe(error));
        let mut wake = Wake::default();
        let mut notifications = self.client.notifications();
        let mut pending: Vec<_> = notifications
            .timeout_iter(timeout)
            .next()
            .map_err(|error| lost(&error))?
            .into_iter()
            .collect();
        if !pending.is_empty() {
            // Everything that arrived with it, without waiting for more.
            let mut more = notifications.iter();
            while let Some(next) = more.next().map_err(|error| lost(&error))? {
                pending.push(next);
            }
        }
        drop(notifications);
        for notification in pending {
            match notification.channel() {
                CHANGES => wake.chats = true,
                PRESENCE => wake.presence = true,
                _ => {}
            }
        }
        // Nothing before the timeout, or the server closed the connection: only the latter is
        // an error.
        if wake.is_timeout() && self.client.is_closed() {
            return Err(self::lost(url, "the connection was closed"));
        }
        Ok(wake)
    }
}

/// The connection is gone: the caller reconnects (a new watch) and catches up.
fn lost(url: &DatabaseUrl, detail: &str) -> StoreError {
    StoreError::Unreachable {
        index: url.shown(),
        detail: url.scrub(detail),
    }
}
