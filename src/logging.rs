//! Diagnostics: `tracing` to stderr for the command line, filtered by `BALCAO_LOG` or `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Logs warnings and errors to stderr unless `BALCAO_LOG` / `RUST_LOG` ask for more.
/// Nothing logged anywhere carries a token or secret: clients keep them in redacted types.
pub fn init_stderr() {
    let filter = std::env::var("BALCAO_LOG")
        .ok()
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
