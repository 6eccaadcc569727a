//! The runtime: one `select!` over terminal events, API answers and index changes; the reducer
//! decides, this loop carries out its commands and draws when something changed, at most once
//! per frame interval, with no timer running while idle.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use crossterm::event::{Event, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::api::Conversation;
use crate::api::actor::{ApiEvent, ApiHandle};
use crate::console::escapes::TerminalWrite;
use crate::console::follow::{self, Seen};
use crate::console::keymap::{KeyChord, Keymap};
use crate::console::msg::{Command, Msg};
use crate::console::outcome::request_unread;
use crate::console::state::State;
use crate::console::ui;
use crate::console::update::{before_frame, update};
use crate::store::journal::{AuditJournal, entry_line};
use crate::store::{AuditEntry, Store};

/// The shortest time between two frames (a cap of about 60 frames a second).
pub const FRAME_INTERVAL: Duration = Duration::from_millis(16);
/// Messages handled between two frames at most, per source, so one busy source cannot starve
/// the screen.
const MAX_BATCH: usize = 64;
/// How long quitting waits for this console's viewing mark to be taken away.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often unread totals are asked for.
const UNREAD_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// What the runtime needs besides the state.
pub struct Services {
    /// The API actor.
    pub api: ApiHandle,
    /// The index.
    pub store: Arc<Store>,
    /// Messages from background work (index reads, webhooks, hydration).
    pub inbox: mpsc::Receiver<Msg>,
    /// Where background work sends its messages.
    pub inbox_tx: mpsc::Sender<Msg>,
    /// Where audit entries wait while the index cannot take them (the data dir's journal);
    /// written to the index when the feed reaches it again.
    pub journal: Option<AuditJournal>,
}

/// The key or resize as a message, through the keymap. Only presses (and repeats) count:
/// some terminals also report releases (crossterm#752).
pub fn translate(event: &Event, state: &State, keymap: &Keymap) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let chord = KeyChord::from_event(key)?;
            match keymap.resolve(&state.contexts(), chord) {
                // The composer's text takes every key but sending and leaving (enter is a new
                // line there, the arrows move the cursor).
                Some(action) if crate::console::reply::takes_key(state, action) => {
                    Some(Msg::Input(*key))
                }
                Some(action) => Some(Msg::Action(action)),
                None if state.modal.is_some() => Some(Msg::Input(*key)),
                None => None,
            }
        }
        Event::Resize(width, height) => Some(Msg::Resize(*width, *height)),
        Event::Paste(text) if state.modal.is_some() => Some(Msg::Paste(text.clone())),
        _ => None,
    }
}

struct Runtime<'a> {
    state: State,
    keymap: &'a Keymap,
    services: Services,
    replies: mpsc::Sender<ApiEvent>,
    last_unread: DateTime<Utc>,
    /// What this console shows, for the heartbeat.
    seen: watch::Sender<Seen>,
    /// Bytes for the terminal besides frames (bell, notification, clipboard), written between
    /// two frames.
    writes: Vec<TerminalWrite>,
}

impl Runtime<'_> {
    fn dispatch(&mut self, msg: Msg) {
        // The reducer reads time only from the state; keep it current before each message so
        // expiries and ages are computed from now, not from the last minute tick.
        // A tick may re-rank the list and move the selection: its commands (the new chat's
        // stored detail) are carried out like any other.
        let mut commands = if matches!(msg, Msg::Tick(_)) {
            Vec::new()
        } else {
            update(&mut self.state, Msg::Tick(Utc::now()))
        };
        commands.extend(update(&mut self.state, msg));
        for command in commands {
            self.execute(command);
        }
        // The heartbeat follows the chat shown (and the name, once learnt from the CRM).
        let state = &self.state;
        self.seen.send_if_modified(|seen| {
            let changed = seen.chat != state.detail.key || seen.viewer != state.desk.viewer;
            if changed {
                *seen = Seen::of(state);
            }
            changed
        });
    }

    fn execute(&mut self, command: Command) {
        match command {
            Command::Api(request) => {
                let id = request.id;
                if self.services.api.request(request, &self.replies).is_err() {
                    self.dispatch(Msg::ApiBusy(id));
                }
            }
            Command::LoadCachedDetail(key) => self.in_background(move |store| {
                let (conversation, as_of) = stored_detail(store, &key);
                Some(Msg::CachedDetail {
                    key,
                    conversation,
                    as_of,
                })
            }),
            Command::Audit(entry) => {
                let journal = self.services.journal.clone();
                self.in_background(move |store| keep_audit(store, journal.as_ref(), &entry));
            }
            Command::ReadTimeline(key) => self.in_background(move |store| {
                let read = crate::api::timeline::read_stored(store, &key)
                    .map_err(|error| error.to_string());
                Some(Msg::TimelineRead { key, read })
            }),
            Command::ForgetChat { key, announce } => self.in_background(move |store| {
                let outcome = store.remove_chat(&key).map_err(|error| error.to_string());
                Some(Msg::ChatForgotten {
                    key,
                    announce,
                    outcome,
                })
            }),
            Command::Claim { key, viewer } => self.in_background(move |store| {
                let outcome = store
                    .claim_chat(&key, &viewer, Utc::now())
                    .map_err(|error| error.to_string());
                Some(Msg::Claimed { key, outcome })
            }),
            Command::Release { key, who } => self.in_background(move |store| {
                let outcome = store
                    .release_chat(&key, &who)
                    .map_err(|error| error.to_string());
                Some(Msg::Released { key, outcome })
            }),
            Command::ReadDetails { id, keys } => self.in_background(move |store| {
                let details = keys
                    .into_iter()
                    .map(|key| {
                        let detail = stored_detail(store, &key).0;
                        (key, detail)
                    })
                    .collect();
                Some(Msg::BatchDetails { id, details })
            }),
            Command::ReadUndo { id, batch, by } => self.in_background(move |store| {
                let outcome = crate::batch::undo::read_batch(store, batch, &by)
                    .map_err(|error| error.to_string());
                Some(Msg::UndoEntries { id, outcome })
            }),
            Command::ReadAudit { id, limit } => self.in_background(move |store| {
                let entries = store.audit_log(limit).map_err(|error| error.to_string());
                Some(Msg::AuditRead { id, entries })
            }),
            Command::Terminal(write) => self.writes.push(write),
            command @ (Command::LoadDraft(_)
            | Command::SaveDraft { .. }
            | Command::ClearDraft { .. }
            | Command::ReadDraftKeys
            | Command::ReadTemplates(_)) => {
                let console = self.state.desk.viewer.console.clone();
                self.in_background(move |store| {
                    crate::console::drafts::run(store, command, &console)
                });
            }
            Command::Quit => self.state.should_quit = true,
        }
    }

    /// Runs `work` on the index in the blocking pool (never on the render path); the message it
    /// returns, if any, comes back through the console's inbox.
    fn in_background(&self, work: impl FnOnce(&Store) -> Option<Msg> + Send + 'static) {
        let store = self.services.store.clone();
        let tx = self.services.inbox_tx.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(msg) = work(&store)
                && tx.blocking_send(msg).is_err()
            {
                tracing::debug!("the console closed before the index answered");
            }
        });
    }

    /// The next moment the screen changes by itself: the next minute (ages and countdowns) or
    /// a notification's end.
    fn next_tick(&self) -> Instant {
        let now = Utc::now();
        let to_minute = 60 - i64::from(now.second());
        let mut wait = chrono::TimeDelta::seconds(to_minute);
        if let Some(notification) = &self.state.notification {
            wait = wait.min(notification.until - now);
        }
        Instant::now()
            + wait
                .to_std()
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_millis(50))
    }
}

/// A chat's stored detail, read back, and when it was stored; nothing when the index cannot be
/// read or the detail does not read back (the log says why).
fn stored_detail(
    store: &Store,
    key: &crate::store::ChatKey,
) -> (Option<Box<Conversation>>, Option<DateTime<Utc>>) {
    let stored = store.detail_as_of(key).unwrap_or_else(|error| {
        tracing::warn!(%error, chat = %key.chat_id, "stored detail not read");
        None
    });
    let as_of = stored.as_ref().and_then(|stored| stored.fetched_at);
    let conversation =
        stored.and_then(
            |stored| match Conversation::decode(key.provider, &stored.raw) {
                Ok(conversation) => Some(Box::new(conversation)),
                Err(error) => {
                    tracing::warn!(%error, chat = %key.chat_id, "stored detail does not read back");
                    None
                }
            },
        );
    (conversation, as_of)
}

/// Writes a change's audit entry to the index or, when the index cannot take it, keeps it in
/// the journal (the change was made all the same): what happened is said either way.
fn keep_audit(store: &Store, journal: Option<&AuditJournal>, entry: &AuditEntry) -> Option<Msg> {
    let Err(error) = store.record_audit(entry) else {
        return None;
    };
    tracing::warn!(%error, "audit entry not written to the index");
    let because = error.to_string();
    let kept = journal.map(|journal| journal.keep(entry).map(|()| journal.path().to_path_buf()));
    Some(match kept {
        Some(Ok(path)) => Msg::AuditKept { path, because },
        Some(Err(error)) => Msg::AuditNotKept {
            line: entry_line(entry),
            because,
            error: error.to_string(),
        },
        None => Msg::AuditNotKept {
            line: entry_line(entry),
            because,
            error: "no data dir".to_owned(),
        },
    })
}

/// Writes what the reducer asked to write to the terminal (bell, notification, clipboard):
/// never inside a frame, after the last one drawn and before the next.
fn write_between_frames<B: Backend + io::Write>(
    terminal: &mut Terminal<B>,
    writes: &mut Vec<TerminalWrite>,
) -> io::Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let backend = terminal.backend_mut();
    for write in writes.drain(..) {
        backend.write_all(&write.bytes())?;
    }
    io::Write::flush(backend)
}

/// Runs the console until `quit` or the end of the event stream; returns the final state.
// The one loop: each source it waits on is one arm of its `select!`.
#[allow(clippy::too_many_lines)]
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    mut events: E,
    state: State,
    keymap: &Keymap,
    services: Services,
) -> io::Result<State>
where
    B: Backend + io::Write,
    E: Stream<Item = io::Result<Event>> + Unpin,
    B::Error: Into<io::Error>,
{
    let (replies, mut answers) = mpsc::channel(256);
    let (seen, seen_by_heartbeat) = watch::channel(Seen::of(&state));
    let heartbeat = follow::spawn_heartbeat(services.store.clone(), seen_by_heartbeat);
    let mut runtime = Runtime {
        last_unread: state.now,
        state,
        keymap,
        services,
        replies,
        seen,
        writes: Vec::new(),
    };
    if let Ok(size) = terminal.size() {
        runtime.dispatch(Msg::Resize(size.width, size.height));
    }
    let page = crate::console::state::list_page(runtime.state.size);
    follow::spawn_feed(
        runtime.services.store.clone(),
        runtime.services.inbox_tx.clone(),
        page,
        runtime.services.journal.clone(),
    );
    let unread = request_unread(&mut runtime.state);
    runtime.execute(unread);
    runtime.execute(Command::ReadDraftKeys);
    let mut dirty = true;
    let mut next_frame = Instant::now();
    loop {
        if dirty && Instant::now() >= next_frame {
            before_frame(&mut runtime.state);
            terminal
                .draw(|frame| ui::render(&runtime.state, runtime.keymap, frame))
                .map_err(Into::into)?;
            dirty = false;
            next_frame = Instant::now() + FRAME_INTERVAL;
        }
        write_between_frames(terminal, &mut runtime.writes)?;
        if runtime.state.should_quit {
            break;
        }
        let tick_at = runtime.next_tick();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if let Some(msg) = translate(&event, &runtime.state, runtime.keymap) {
                        runtime.dispatch(msg);
                        dirty = true;
                    }
                }
                Some(Err(error)) => return Err(error),
                None => break,
            },
            Some(answer) = answers.recv() => {
                runtime.dispatch(Msg::Api(answer));
                for _ in 0..MAX_BATCH {
                    let Ok(answer) = answers.try_recv() else { break };
                    runtime.dispatch(Msg::Api(answer));
                }
                dirty = true;
            }
            Some(msg) = runtime.services.inbox.recv() => {
                runtime.dispatch(msg);
                for _ in 0..MAX_BATCH {
                    let Ok(msg) = runtime.services.inbox.try_recv() else { break };
                    runtime.dispatch(msg);
                }
                dirty = true;
            }
            () = tokio::time::sleep_until(next_frame), if dirty => {}
            () = tokio::time::sleep_until(tick_at) => {
                let now = Utc::now();
                runtime.dispatch(Msg::Tick(now));
                if now - runtime.last_unread >= UNREAD_INTERVAL {
                    runtime.last_unread = now;
                    let unread = request_unread(&mut runtime.state);
                    runtime.execute(unread);
                }
                dirty = true;
            }
        }
    }
    let Runtime {
        state,
        seen,
        services,
        ..
    } = runtime;
    // Drafts typed since their last save (or while a save or a send was out) are written
    // before leaving, in the blocking pool: the loop is over, nothing is drawn any more.
    let unsaved = crate::console::reply_drafts::unsaved(&state);
    if !unsaved.is_empty() {
        let (store, console, lang) = (
            services.store.clone(),
            state.desk.viewer.console.clone(),
            state.lang,
        );
        let kept = tokio::task::spawn_blocking(move || {
            crate::console::drafts::keep_unsaved(&store, unsaved, &console, lang);
        });
        if kept.await.is_err() {
            tracing::warn!("the drafts not saved yet were not written on quit");
        }
    }
    // The PostgreSQL client blocks when it closes, which an async thread must not do: this
    // console's hold on the index goes in the blocking pool.
    if tokio::task::spawn_blocking(move || drop(services))
        .await
        .is_err()
    {
        tracing::warn!("the console's services did not close");
    }
    // The heartbeat takes this console's viewing mark away once what it follows is gone; a
    // shared index that does not answer does not hold the quit up for long.
    drop(seen);
    if tokio::time::timeout(LEAVE_TIMEOUT, heartbeat)
        .await
        .is_err()
    {
        tracing::warn!("this console's viewing mark was not taken away in time; it expires");
    }
    Ok(state)
}
