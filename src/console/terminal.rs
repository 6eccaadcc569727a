//! The terminal's owner: raw mode and the alternate screen are entered once and restored on
//! every way out (quit, error, panic, SIGTERM/SIGINT/SIGHUP), before anything is printed.

use std::io::{self, Stdout};
use std::path::PathBuf;

use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The real terminal.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Leaves raw mode and the alternate screen; errors are ignored (we do our best on the way out).
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        crossterm::event::DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped, whatever the path out.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Chains a panic hook that restores the terminal first, then lets the previous hook report,
/// then says where the log is.
pub fn install_panic_hook(log: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        if let Some(log) = &log {
            eprintln!("balcao: log at {}", log.display());
        }
    }));
}

/// Enters raw mode and the alternate screen.
pub fn enter() -> io::Result<(Tui, TerminalGuard)> {
    enable_raw_mode()?;
    let guard = TerminalGuard;
    // Bracketed paste: a pasted text arrives as one event (one insert in the composer), not as
    // keys whose line breaks would act as enter.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        crossterm::cursor::Hide,
        crossterm::event::EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// The signals that end the console: SIGTERM (`kill`), SIGINT (`kill -INT`; in raw mode
/// ctrl-c is a key, not a signal) and SIGHUP (the terminal went away). Registered before the
/// terminal is entered, so none can arrive unhandled while the screen is taken.
pub struct StopSignals {
    #[cfg(unix)]
    streams: [(i32, tokio::signal::unix::Signal); 3],
}

impl StopSignals {
    /// Registers the handlers.
    pub fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                streams: [
                    (15, signal(SignalKind::terminate())?),
                    (2, signal(SignalKind::interrupt())?),
                    (1, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves with the number of the first signal that arrives.
    pub async fn next(self) -> i32 {
        #[cfg(unix)]
        {
            let [
                (term, mut terminate),
                (int, mut interrupt),
                (hup, mut hangup),
            ] = self.streams;
            tokio::select! {
                _ = terminate.recv() => term,
                _ = interrupt.recv() => int,
                _ = hangup.recv() => hup,
            }
        }
        #[cfg(not(unix))]
        {
            std::future::pending::<i32>().await
        }
    }
}
