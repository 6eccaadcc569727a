//! The audit overlay on a real index: entries written through the store API into a SQLite file,
//! read by the console's runtime (`app::run`) off the render path when `show_audit_log` opens,
//! filtered and closed by keys; and an index whose audit log cannot be read, said in the overlay.
//! The script never waits on time: each step waits until the screen shows what it expects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig};
use balcao::console::app::{self, Services};
use balcao::console::keymap::Keymap;
use balcao::console::modal::Modal;
use balcao::console::state::State;
use balcao::i18n::Lang;
use balcao::store::{AuditEntry, ChatKey, Columns, Store};
use chrono::{TimeDelta, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use tokio::sync::{mpsc, watch};

const COLS: u16 = 120;
const ROWS: u16 = 40;
/// How long one step of the script may wait for the screen it expects.
const STEP_LIMIT: Duration = Duration::from_secs(30);

/// `TestBackend`, publishing every finished frame as text for the script to wait on.
struct Recorded {
    screen: TestBackend,
    frames: watch::Sender<String>,
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn never(error: Infallible) -> io::Error {
    match error {}
}

impl Backend for Recorded {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.screen.draw(content).map_err(never)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.screen.hide_cursor().map_err(never)
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.screen.show_cursor().map_err(never)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.screen.get_cursor_position().map_err(never)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.screen.set_cursor_position(position).map_err(never)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.screen.clear().map_err(never)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.screen.clear_region(clear_type).map_err(never)
    }

    fn size(&self) -> io::Result<Size> {
        self.screen.size().map_err(never)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.screen.window_size().map_err(never)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.screen.flush().map_err(never)?;
        self.frames.send_replace(text(self.screen.buffer()));
        Ok(())
    }
}

/// One step of what a person at the keyboard does.
enum Step {
    /// Wait until the screen shows this text.
    Show(&'static str),
    /// Press a key.
    Key(KeyCode),
}

/// The script's keys, each sent once the screen shows what the steps before it wait for; a
/// screen that never comes ends the stream with an error naming it.
fn keyboard(
    script: Vec<Step>,
    frames: watch::Receiver<String>,
) -> impl Stream<Item = io::Result<Event>> + Unpin {
    let steps: VecDeque<Step> = script.into();
    Box::pin(futures_util::stream::unfold(
        (steps, frames),
        |(mut steps, mut frames)| async move {
            match steps.pop_front()? {
                Step::Key(code) => {
                    let key = Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
                    Some((Ok(key), (steps, frames)))
                }
                Step::Show(wanted) => {
                    let shown = tokio::time::timeout(
                        STEP_LIMIT,
                        frames.wait_for(|screen| screen.contains(wanted)),
                    )
                    .await
                    .is_ok_and(|seen| seen.is_ok());
                    if shown {
                        // Nothing to send for a wait: go on to the next step at once.
                        Some((Ok(Event::FocusGained), (steps, frames)))
                    } else {
                        let screen = frames.borrow().clone();
                        steps.clear();
                        Some((
                            Err(io::Error::other(format!(
                                "the screen never showed {wanted:?}; it was:\n{screen}"
                            ))),
                            (steps, frames),
                        ))
                    }
                }
            }
        },
    ))
}

/// The console's runtime on `store` (no CRM account: nothing here reaches one), run by `script`.
async fn run(store: Arc<Store>, script: Vec<Step>) -> (State, String) {
    let (api, _actor) = actor::spawn(ActorConfig {
        clients: HashMap::new(),
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight: 2,
    });
    let (inbox_tx, inbox) = mpsc::channel(1024);
    let services = Services {
        api,
        store,
        inbox,
        inbox_tx,
        journal: None,
    };
    let (frames, shown) = watch::channel(String::new());
    let mut terminal = Terminal::new(Recorded {
        screen: TestBackend::new(COLS, ROWS),
        frames,
    })
    .unwrap();
    let keymap = Keymap::defaults().unwrap();
    let state = State::new(Lang::PtBr, Utc::now(), "default".to_owned());
    let state = app::run(
        &mut terminal,
        keyboard(script, shown),
        state,
        &keymap,
        services,
    )
    .await
    .unwrap_or_else(|error| panic!("{error}"));
    let last = text(terminal.backend().screen.buffer());
    (state, last)
}

fn change(key: &ChatKey, by: &str, before: &str, after: &str, outcome: &str) -> AuditEntry {
    AuditEntry {
        at: Utc::now() - TimeDelta::minutes(5),
        key: key.clone(),
        action: "reassign_responsible".to_owned(),
        request: Some(r#"{"user_id":"…"}"#.to_owned()),
        before: Some(before.to_owned()),
        after: Some(after.to_owned()),
        outcome: outcome.to_owned(),
        http_status: Some(200),
        by: Some(by.to_owned()),
        batch: Some("c41d2b7a-0e55-4f3c-9a61-0b2d4e6f8a10".to_owned()),
        undo: None,
    }
}

#[tokio::test]
async fn the_runtime_reads_the_audit_log_of_a_sqlite_index_when_the_overlay_opens() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let marcio = ChatKey::wegly("default", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
    let columns = Columns {
        status: Some("OPEN".to_owned()),
        contact: Some("Márcio Araújo".to_owned()),
        ..Columns::default()
    };
    store
        .save_details(&[(marcio.clone(), "{}".to_owned(), columns)], Utc::now())
        .unwrap();
    let elsewhere = ChatKey::wegly("default", "0a0b0c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d");
    store
        .record_audit(&change(
            &marcio,
            "Ana Conceição",
            "João Araújo",
            "Ana Conceição",
            "confirmed",
        ))
        .unwrap();
    store
        .record_audit(&change(
            &elsewhere,
            "João Araújo",
            "Ana Conceição",
            "Zé Carlos",
            "failed",
        ))
        .unwrap();
    let mut script = vec![
        Step::Show(" Conversas 1 "),
        Step::Key(KeyCode::Char('L')),
        // Read off the render path and answered: both entries, the newest first, the chat
        // named by the list's row when it holds it.
        Step::Show("2 alterações"),
        Step::Show("Márcio Araújo      reatribuiu o responsável"),
        Step::Show("falhou"),
        Step::Show("c41d2b7a"),
    ];
    script.extend("joao".chars().map(|c| Step::Key(KeyCode::Char(c))));
    script.extend([
        Step::Show("1 de 2"),
        Step::Key(KeyCode::Esc),
        Step::Key(KeyCode::Char('q')),
    ]);
    let (state, last) = run(store, script).await;
    assert!(state.should_quit, "the run ended by `q`:\n{last}");
    // `q` quit from the list: esc had closed the overlay (quitting draws no frame after it).
    assert!(state.modal.is_none(), "{last}");
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_read_is_said_in_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let path = store.file().unwrap().to_path_buf();
    // The file loses its audit table behind the store's back: the read fails, and says why.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE audit_log")
        .unwrap();
    let script = vec![
        Step::Show(" Conversas 0 "),
        Step::Key(KeyCode::Char('L')),
        Step::Show("não foi possível ler a auditoria do índice"),
        Step::Show("audit_log"),
    ];
    let (state, last) = run(store, script).await;
    assert!(
        matches!(state.modal, Some(Modal::Audit(_))),
        "the overlay stays open with the error:\n{last}"
    );
}
