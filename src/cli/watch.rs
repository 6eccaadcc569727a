//! `balcao inbox watch`: every change to the index as it happens, one line per changed chat, for
//! scripts. It follows the index's revisions: after every wake, and after every reconnection, it
//! reads what changed since the last revision it printed, so a lost connection or a missed
//! notification never loses a change.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, Utc};
use serde_json::Value;

use crate::cli::CliError;
use crate::cli::open::{blocking, open_store};
use crate::cli::rows::{filter_with_me, json_line, table_line};
use crate::cli::signals::StopSignals;
use crate::config::resolve::Resolved;
use crate::i18n::Lang;
use crate::inbox::{Filter, SearchText};
use crate::store::{Backoff, Changes, ChatKey, Store, StoreError};
use crate::tr;

/// Changes read at once.
const PAGE: usize = 1000;
/// How long one wait lasts before the index is looked at anyway.
const WAIT: Duration = Duration::from_secs(30);

/// What ends the stream.
enum Stop {
    /// stdout was closed (the reader is gone): a quiet end.
    Closed,
    /// stdout failed otherwise.
    Output(std::io::Error),
    /// The index failed: reconnect.
    Index(StoreError),
}

/// What a line is made of.
struct Printer {
    json: bool,
    filter: Filter,
    me: HashMap<String, String>,
    lang: Lang,
}

impl Printer {
    /// Prints the changes (forgotten chats first: a chat forgotten and then added again is
    /// there at the end) and returns how many lines it wrote.
    fn print(&self, changes: &Changes) -> Result<usize, Stop> {
        let now = Utc::now();
        let mut text = String::new();
        let mut lines = 0;
        for key in &changes.removed {
            text.push_str(&self.removed_line(key, changes.revision));
            text.push('\n');
            lines += 1;
        }
        for row in &changes.chats {
            if !self
                .filter
                .matches(row, &SearchText::new(row), &self.me, now)
            {
                continue;
            }
            if self.json {
                let mut value = json_line(row);
                if let Value::Object(map) = &mut value {
                    map.insert("revision".to_owned(), Value::from(changes.revision));
                }
                text.push_str(&value.to_string());
            } else {
                text.push_str(&table_line(row, self.lang, now));
            }
            text.push('\n');
            lines += 1;
        }
        if text.is_empty() {
            return Ok(0);
        }
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(lines),
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Err(Stop::Closed),
            Err(error) => Err(Stop::Output(error)),
        }
    }

    fn removed_line(&self, key: &ChatKey, revision: i64) -> String {
        if self.json {
            serde_json::json!({
                "removed": true,
                "account": key.account,
                "provider": key.provider,
                "id": key.chat_id,
                "revision": revision,
            })
            .to_string()
        } else {
            let id = &key.chat_id;
            let line = tr!(
                self.lang,
                "{id}  removida do índice",
                "{id}  removed from the index"
            );
            crate::text::printable(&line).into_owned()
        }
    }
}

/// Streams the index's changes until SIGINT, SIGTERM or a closed stdout (each a quiet exit 0).
pub async fn run(
    settings: &Resolved,
    json: bool,
    filter: Option<String>,
    lang: Lang,
) -> Result<(), CliError> {
    let (filter, me) = filter_with_me(settings, filter.as_deref(), lang)?;
    let settings = settings.clone();
    // Handled from now on: a stop asked for at any moment after the start line is a clean end.
    let stop = StopSignals::new().map_err(|error| CliError::Failed(error.to_string()))?;
    let (store, revision) = blocking(move || {
        let store = open_store(&settings, lang)?;
        let revision = store.revision().map_err(CliError::Index)?;
        Ok::<_, CliError>((store, revision))
    })
    .await?;
    let index = store.name();
    eprintln!(
        "balcao: {}",
        tr!(
            lang,
            "acompanhando {index} a partir da revisão {revision}",
            "watching {index} from revision {revision}"
        )
    );
    let printer = Printer {
        json,
        filter,
        me,
        lang,
    };
    let (done, ended) = tokio::sync::oneshot::channel();
    // A thread of its own, not the blocking pool: a wait in progress must not hold the exit.
    std::thread::spawn(move || {
        // The receiver is gone only when the process is ending anyway.
        drop(done.send(follow(&store, revision, &printer)));
    });
    tokio::select! {
        () = stop.next() => Ok(()),
        ended = ended => match ended {
            Ok(Err(error)) => Err(CliError::Failed(error.to_string())),
            Ok(Ok(())) | Err(_) => Ok(()),
        },
    }
}

/// Follows the index from `revision` until stdout closes (`Ok`) or fails (`Err`). A failing
/// index is said once on stderr and reconnected with backoff; the changes made meanwhile are
/// read as soon as it is back.
fn follow(store: &Arc<Store>, mut revision: i64, printer: &Printer) -> std::io::Result<()> {
    let lang = printer.lang;
    let mut lost_since: Option<chrono::DateTime<Local>> = None;
    // The console's feed reconnects on the same schedule.
    let mut backoff = Backoff::default();
    loop {
        let mut back = || {
            backoff = Backoff::default();
            if let Some(since) = lost_since.take() {
                let since = since.format("%H:%M:%S");
                eprintln!(
                    "balcao: {}",
                    tr!(
                        lang,
                        "índice de volta (inacessível desde {since}); mudanças do intervalo lidas",
                        "index back (unreachable since {since}); changes made meanwhile caught up"
                    )
                );
            }
        };
        let error = match follow_connected(store, &mut revision, printer, &mut back) {
            Stop::Closed => return Ok(()),
            Stop::Output(error) => return Err(error),
            Stop::Index(error) => error,
        };
        if lost_since.is_none() {
            let now = Local::now();
            lost_since = Some(now);
            eprintln!("balcao: {} ({error})", lost_message(store, now, lang));
        } else {
            tracing::debug!(%error, "the index is still unreachable");
        }
        std::thread::sleep(backoff.next_wait());
    }
}

/// "shared index unreachable since HH:MM:SS; reconnecting".
fn lost_message(store: &Store, since: chrono::DateTime<Local>, lang: Lang) -> String {
    let since = since.format("%H:%M:%S");
    if store.is_shared() {
        tr!(
            lang,
            "índice compartilhado inacessível desde {since}; reconectando",
            "shared index unreachable since {since}; reconnecting"
        )
    } else {
        tr!(
            lang,
            "índice inacessível desde {since}; reconectando",
            "index unreachable since {since}; reconnecting"
        )
    }
}

/// One connection's life: subscribe, catch up from `revision`, then print each change as it
/// comes. Returns why it ended. `connected` runs once the subscription and the catch-up worked.
fn follow_connected(
    store: &Store,
    revision: &mut i64,
    printer: &Printer,
    connected: &mut dyn FnMut(),
) -> Stop {
    // Subscribed before catching up: a change made between the two is then not missed.
    let mut watch = match store.watch() {
        Ok(watch) => watch,
        Err(error) => return Stop::Index(error),
    };
    if let Err(stop) = catch_up(store, revision, printer) {
        return stop;
    }
    connected();
    loop {
        let wake = match watch.wait(WAIT) {
            Ok(wake) => wake,
            Err(error) => return Stop::Index(error),
        };
        // A timeout reads too: a notification lost on the way costs at most one wait.
        if (wake.chats || wake.is_timeout())
            && let Err(stop) = catch_up(store, revision, printer)
        {
            return stop;
        }
    }
}

/// Prints every change after `revision`, a page at a time, moving `revision` along.
fn catch_up(store: &Store, revision: &mut i64, printer: &Printer) -> Result<(), Stop> {
    loop {
        let changes = store.changes_since(*revision, PAGE).map_err(Stop::Index)?;
        let count = changes.chats.len() + changes.removed.len();
        printer.print(&changes)?;
        *revision = changes.revision.max(*revision);
        if count < PAGE {
            return Ok(());
        }
    }
}
