//! Diagnostics: where `tracing` writes, chosen per command before anything is logged. Headless
//! commands write to stderr; the console writes to `balcao.log` in the data dir (0600: logs can
//! quote customer data) through a background writer, and never to the screen it draws on.
//! `BALCAO_LOG` (or `RUST_LOG`) sets the level.

use std::path::Path;

use tracing_subscriber::EnvFilter;

fn filter(default: &str) -> EnvFilter {
    std::env::var("BALCAO_LOG")
        .ok()
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new(default))
}

/// Logs warnings and errors to stderr unless `BALCAO_LOG` / `RUST_LOG` ask for more.
/// Nothing logged anywhere carries a token or secret: clients keep them in redacted types.
pub fn init_stderr() {
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter("warn"))
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    if let Err(error) = installed {
        eprintln!("balcao: logging not started: {error}");
    }
}

/// The console's log: appended to `path`, created private to the user. Writes happen on a
/// background thread so a slow disk never stalls a frame; the returned guard flushes them when
/// dropped, so it lives as long as the console.
pub fn init_file(path: &Path) -> std::io::Result<tracing_appender::non_blocking::WorkerGuard> {
    let file = crate::private::append_file(path)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter("info"))
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(std::io::Error::other)?;
    Ok(guard)
}
