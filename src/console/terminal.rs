//! The terminal's owner: raw mode and the alternate screen are entered once and restored on
//! every way out (quit, error, panic), before anything is printed.

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
    let _ = execute!(io::stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
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
    execute!(io::stdout(), EnterAlternateScreen, crossterm::cursor::Hide)?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}
