//! The console's runtime, `app::run`, driven whole for end-to-end tests: ratatui's `TestBackend`
//! publishing every finished frame as text, and a scripted keyboard whose each step waits until
//! the screen shows what the steps before it caused (never on time).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig};
use balcao::api::wegly::WeglyClient;
use balcao::console::app::{self, Services};
use balcao::console::keymap::Keymap;
use balcao::console::state::State;
use balcao::store::Store;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use tokio::sync::{mpsc, watch};

/// How long one step of the script may wait for the screen it expects.
pub const STEP_LIMIT: Duration = Duration::from_secs(30);

/// `TestBackend`, publishing every finished frame as text for the script to wait on.
pub struct Recorded {
    screen: TestBackend,
    frames: watch::Sender<String>,
}

/// A buffer's lines as text.
pub fn text(buffer: &Buffer) -> String {
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

/// `TestBackend` cannot fail; `app::run` wants errors it can turn into `io::Error`.
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

/// What the console writes to its terminal besides frames (the bell, OSC escapes): this screen
/// shows frames only, so it takes them and drops them.
impl io::Write for Recorded {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One step of what a person at the keyboard does.
pub enum Step {
    /// Wait until the screen shows this text.
    Show(String),
    /// Press a key.
    Key(KeyCode),
    /// Press a key with ctrl held (`ctrl-r`).
    Ctrl(char),
    /// Check the world outside the screen (the sandbox, the index) before going on.
    Check(std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>),
}

/// Wait until the screen shows `text`.
pub fn show(text: &str) -> Step {
    Step::Show(text.to_owned())
}

/// One key press a character of `text`.
pub fn typed(text: &str) -> impl Iterator<Item = Step> + '_ {
    text.chars().map(|c| Step::Key(KeyCode::Char(c)))
}

/// The keyboard: the script's keys, each sent once the screen shows what the steps before it
/// wait for. A screen that never comes ends the stream with an error naming it, which
/// `app::run` returns.
fn keyboard(
    script: Vec<Step>,
    frames: watch::Receiver<String>,
) -> impl Stream<Item = io::Result<Event>> + Unpin {
    let steps: VecDeque<Step> = script.into();
    Box::pin(futures_util::stream::unfold(
        (steps, frames),
        |(mut steps, mut frames)| async move {
            loop {
                match steps.pop_front()? {
                    Step::Key(code) => {
                        let key = Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
                        return Some((Ok(key), (steps, frames)));
                    }
                    Step::Ctrl(c) => {
                        let key =
                            Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
                        return Some((Ok(key), (steps, frames)));
                    }
                    Step::Check(check) => check.await,
                    Step::Show(wanted) => {
                        let shown = tokio::time::timeout(
                            STEP_LIMIT,
                            frames.wait_for(|screen| screen.contains(&wanted)),
                        )
                        .await
                        .is_ok_and(|seen| seen.is_ok());
                        if !shown {
                            let screen = frames.borrow().clone();
                            let error = io::Error::other(format!(
                                "the screen never showed {wanted:?}; it was:\n{screen}"
                            ));
                            steps.clear();
                            return Some((Err(error), (steps, frames)));
                        }
                    }
                }
            }
        },
    ))
}

/// The runtime's services on `store`, the API actor speaking to `clients` (by account) with at
/// most `max_in_flight` requests at once.
pub fn services(
    store: Arc<Store>,
    clients: HashMap<String, WeglyClient>,
    max_in_flight: usize,
) -> Services {
    let (api, _actor) = actor::spawn(ActorConfig {
        clients,
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight,
    });
    let (inbox_tx, inbox) = mpsc::channel(1024);
    Services {
        api,
        store,
        inbox,
        inbox_tx,
        journal: None,
    }
}

/// Runs the console from `state` on `services` in a terminal of `size`, its keyboard being
/// `script`, with the default keys; returns the final state and the last frame as text. A
/// screen the script waited for in vain fails the test with what the screen showed.
pub async fn run(
    state: State,
    services: Services,
    size: (u16, u16),
    script: Vec<Step>,
) -> (State, String) {
    let (frames, shown) = watch::channel(String::new());
    let mut terminal = Terminal::new(Recorded {
        screen: TestBackend::new(size.0, size.1),
        frames,
    })
    .unwrap();
    let keymap = Keymap::defaults().unwrap();
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
