//! The `balcao` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use balcao::cli::{self, Cli};

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            // If even this cannot be written (a closed pipe), the exit code still tells.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // The console logs to its file (it owns the screen); every other command to stderr.
    if cli.command.is_some() {
        balcao::logging::init_stderr();
    }
    let lang = cli::language(&cli);
    for warning in cli::secrets::command_line_warnings(&matches, lang) {
        eprintln!("balcao: {warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("balcao: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Errors quote what servers said: no escape sequence of theirs reaches the terminal.
            eprintln!("balcao: {}", balcao::text::printable(&error.message(lang)));
            error.exit_code()
        }
    }
}
