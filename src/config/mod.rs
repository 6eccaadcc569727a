//! `config.toml`: accounts, the webhook receiver and the data dir. Every problem is collected
//! with its file and line, so one run of `balcao check-config` shows them all.

mod error;
mod file;
pub mod identity;
// How the console nudges (`notify`).
pub mod notify;
pub mod resolve;
mod secret_file;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::store::Provider;
use crate::webhook::ReceiverLimits;

pub use error::ConfigError;
pub use file::{SavedView, load};
pub use identity::desk_name;
pub use notify::NotifyMode;
pub use resolve::Overrides;
pub use secret_file::{SecretFileError, read_secret_file};

/// Where files live when nothing says otherwise (XDG on Linux).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "balcao")
}

/// `~/.config/balcao/config.toml` (or the platform's equivalent).
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.config_dir().join("config.toml"))
}

/// `~/.local/share/balcao` (or the platform's equivalent).
pub fn default_data_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.data_dir().to_path_buf())
}

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// A CRM account.
#[derive(Debug, Clone)]
pub struct Account {
    /// Name, unique.
    pub name: String,
    /// Which CRM.
    pub provider: Provider,
    /// API base URL.
    pub base_url: String,
    /// Token or API key, when configured.
    pub token: Option<SecretString>,
    /// `Origin` for keys with an allowed domain.
    pub origin: Option<String>,
    /// The user's own user id in this account (for `responsible:me`).
    pub me: Option<String>,
}

/// A loaded, checked configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if one was read.
    pub path: Option<PathBuf>,
    /// Data dir.
    pub data_dir: Option<PathBuf>,
    /// Receiver address.
    pub listen: Option<SocketAddr>,
    /// Webhook signing secret.
    pub webhook_secret: Option<SecretString>,
    /// The receiver's timeouts and caps (`[receiver]` `*_timeout_secs`, `max_connections`,
    /// `body_memory_mib`).
    pub receiver_limits: ReceiverLimits,
    /// Accounts in file order.
    pub accounts: Vec<Account>,
    /// Background refreshes of stale chats per minute (`refresh_per_minute`).
    pub refresh_per_minute: Option<u32>,
    /// Who this person is to the rest of the desk (`name`, at the top of the file).
    pub name: Option<String>,
    /// Where the index lives (`index`): a SQLite path or a `postgres://` URL.
    pub index: Option<String>,
    /// The shared index's password, read from `index_password_file` (checked private when
    /// read).
    pub index_password: Option<SecretString>,
    /// The saved views (`[[views]]`), in file order, each filter checked.
    pub views: Vec<SavedView>,
    /// How the console nudges this person (`notify`; `None`: not set, the default applies).
    pub notify: Option<NotifyMode>,
}

impl Config {
    /// The file a run reads: `--config` / `BALCAO_CONFIG`, else the default path.
    pub fn chosen_path(explicit: Option<&Path>) -> Option<PathBuf> {
        explicit.map(Path::to_path_buf).or_else(default_config_path)
    }
}
