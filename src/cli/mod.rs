//! The command line: parse, check before any request, run, and map the outcome to an exit code.

pub mod args;
mod audit;
mod batch;
mod chat;
mod check;
mod copy;
mod index;
mod open;
mod present;
mod record;
mod room;
mod rows;
mod run_batch;
mod sandbox;
pub mod secrets;
mod signals;
mod undo;
mod watch;

use std::process::ExitCode;

use crate::api::ApiError;
use crate::config::ConfigError;
use crate::console::launch::LaunchError;
use crate::data_dir::{index_message, is_wrong_data_dir};
use crate::i18n::Lang;
use crate::store::StoreError;

pub use args::{Cli, Command};

use args::IndexCommand;

/// Why a command did not complete, and so which exit code it ends with.
#[derive(Debug)]
pub enum CliError {
    /// Exit 2: a value or setting is missing or wrong; nothing was sent.
    Usage(String),
    /// Exit 1: the API refused or failed.
    Api(ApiError),
    /// Exit 1: a local failure (writing output, binding a port, ...).
    Failed(String),
    /// Exit 2: a setting is missing or wrong; nothing was sent.
    Config(ConfigError),
    /// Exit 2 when the data dir holds another program's file or a newer index; exit 1 when the
    /// index fails (locked, unreadable, ...).
    Index(StoreError),
    /// The console did not start, or ended other than by `quit` (exit 128 + N on signal N).
    Console(LaunchError),
}

impl CliError {
    /// The process exit code: 2 for usage, 1 for the rest, the console's own otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Usage(_) | Self::Config(_) => ExitCode::from(2),
            Self::Index(error) if is_wrong_data_dir(error) => ExitCode::from(2),
            Self::Api(_) | Self::Failed(_) | Self::Index(_) => ExitCode::from(1),
            Self::Console(error) => error.exit_code(),
        }
    }

    /// The message for stderr.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Usage(text) | Self::Failed(text) => text.clone(),
            Self::Api(error) => error.user_message(lang),
            Self::Config(error) => error.message(lang),
            Self::Index(error) => index_message(error, lang),
            Self::Console(error) => error.message(lang),
        }
    }
}

impl From<ApiError> for CliError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<ConfigError> for CliError {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        Self::Index(error)
    }
}

impl From<LaunchError> for CliError {
    fn from(error: LaunchError) -> Self {
        Self::Console(error)
    }
}

/// How a command's output to stdout ended, once flushed: a closed pipe (`| head`) is the
/// reader's choice, not a failure.
fn output_ended(written: std::io::Result<()>) -> Result<(), CliError> {
    match written {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(error.to_string()))
        }
        Ok(()) | Err(_) => Ok(()),
    }
}

/// `balcao completions SHELL`: the script, made whole before it is written (`clap_complete`
/// panics on a failed write; a closed pipe here is the reader's choice, as elsewhere).
fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    use clap::CommandFactory as _;
    use std::io::Write as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "balcao", &mut script);
    let mut out = std::io::stdout().lock();
    output_ended(out.write_all(&script).and_then(|()| out.flush()))
}

/// The language for this run: `--lang`, else the locale.
pub fn language(cli: &Cli) -> Lang {
    cli.global.lang.unwrap_or_else(Lang::from_env)
}

/// Runs the parsed command line.
pub async fn run(mut cli: Cli) -> Result<(), CliError> {
    let lang = language(&cli);
    secrets::load_files(&mut cli.global, lang)?;
    match cli.command {
        Some(Command::Sandbox(args)) => sandbox::run(&cli.global, args, lang).await,
        Some(Command::Chat(command)) => Box::pin(chat::run(&cli.global, command, lang)).await,
        Some(Command::Listen(args)) => index::listen(&cli.global, &args, lang).await,
        Some(Command::Add { ids }) => index::add(&cli.global, ids, lang).await,
        Some(Command::Inbox(command)) => index::inbox(&cli.global, command, lang).await,
        Some(Command::Audit(args)) => audit::run(&cli.global, args, lang).await,
        Some(Command::Undo(args)) => Box::pin(undo::run(&cli.global, args, lang)).await,
        Some(Command::Index(IndexCommand::Copy { from, to, force })) => {
            copy::run(&cli.global, &from, &to, force, lang).await
        }
        // Off the async threads: it may open a database, whose client blocks.
        Some(Command::CheckConfig) => {
            let global = cli.global;
            open::blocking(move || check::run(&global, lang)).await
        }
        Some(Command::Room(command)) => room::run(&cli.global, command, lang).await,
        Some(Command::Completions { shell }) => completions(shell),
        None => Ok(Box::pin(crate::console::launch::open(
            &cli.global.overrides(),
            cli.demo,
            lang,
        ))
        .await?),
    }
}
