//! The command line: parse, check before any request, run, and map the outcome to an exit code.

pub mod args;
mod chat;
mod check;
mod index;
pub mod present;
mod room;
mod sandbox;
pub mod secrets;

use std::process::ExitCode;

use crate::api::ApiError;
use crate::i18n::Lang;
use crate::tr;

pub use index::open_index;

pub use args::{Cli, Command};

/// Why a command did not complete, and so which exit code it ends with.
#[derive(Debug)]
pub enum CliError {
    /// Exit 2: a value or setting is missing or wrong; nothing was sent.
    Usage(String),
    /// Exit 1: the API refused or failed.
    Api(ApiError),
    /// Exit 1: a local failure (writing output, binding a port, ...).
    Failed(String),
    /// Exit 128 + N: stopped by signal N after everything was put back (the terminal restored).
    Signal(i32),
}

impl CliError {
    /// The process exit code: 2 for usage, 1 for the rest.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Usage(_) => ExitCode::from(2),
            Self::Api(_) | Self::Failed(_) => ExitCode::from(1),
            Self::Signal(signal) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
        }
    }

    /// The message for stderr.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Usage(text) | Self::Failed(text) => text.clone(),
            Self::Api(error) => error.user_message(lang),
            Self::Signal(signal) => tr!(
                lang,
                "encerrado pelo sinal {signal}",
                "stopped by signal {signal}"
            ),
        }
    }
}

impl From<ApiError> for CliError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
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
        Some(Command::Chat(command)) => chat::run(&cli.global, command, lang).await,
        Some(Command::Listen(args)) => index::listen(&cli.global, &args, lang).await,
        Some(Command::Add { ids }) => index::add(&cli.global, ids, lang).await,
        Some(Command::Inbox(command)) => index::inbox(&cli.global, command, lang).await,
        Some(Command::CheckConfig) => check::run(&cli.global, lang),
        Some(Command::Room(command)) => room::run(&cli.global, command, lang).await,
        None => crate::console::launch::open(&cli.global, cli.demo, lang).await,
    }
}
