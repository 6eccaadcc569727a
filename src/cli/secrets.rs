//! Secrets on the command line: read from the files named by `--token-file`,
//! `--agilize-key-file` and `--webhook-secret-file`, and a warning when one is passed as a flag
//! value, where every user of the machine can read it in `ps`.

use std::path::Path;

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::config::read_secret_file;
use crate::i18n::Lang;
use crate::tr;

/// Each secret flag, the file flag and the environment variable that replace it.
const SECRET_FLAGS: [(&str, &str, &str); 3] = [
    ("token", "--token-file", "WEGLY_TOKEN"),
    ("agilize_key", "--agilize-key-file", "AGILIZE_API_KEY"),
    (
        "webhook_secret",
        "--webhook-secret-file",
        "BALCAO_WEBHOOK_SECRET",
    ),
];

/// One line per secret given as a flag value on the command line (not from the environment),
/// a password inside an `--index` URL included.
pub fn command_line_warnings(matches: &ArgMatches, lang: Lang) -> Vec<String> {
    let index_password = command_line_value(matches, "index")
        .filter(|url| crate::store::location::redact(url) != *url)
        .map(|_| {
            tr!(
                lang,
                "aviso: a senha na URL de --index fica visível para todos os usuários em `ps`; tire-a da URL e use PGPASSWORD ou index_password_file na configuração",
                "warning: the password in the --index URL is visible to every user in `ps`; take it out of the URL and use PGPASSWORD or index_password_file in the configuration"
            )
        });
    SECRET_FLAGS
        .iter()
        .filter(|(id, _, _)| command_line_value(matches, id).is_some())
        .map(|(id, file_flag, env)| {
            let flag = format!("--{}", id.replace('_', "-"));
            tr!(
                lang,
                "aviso: {flag} na linha de comando fica visível para todos os usuários em `ps`; use {env} ou {file_flag}",
                "warning: {flag} on the command line is visible to every user in `ps`; use {env} or {file_flag}"
            )
        })
        .chain(index_password)
        .collect()
}

/// The value of `id` when it was given on the command line (not from the environment). Global
/// flags may sit after any subcommand: every level is looked at.
fn command_line_value(matches: &ArgMatches, id: &str) -> Option<String> {
    let here = matches
        .try_get_one::<String>(id)
        .ok()
        .flatten()
        .filter(|_| matches.value_source(id) == Some(ValueSource::CommandLine))
        .cloned();
    here.or_else(|| {
        matches
            .subcommand()
            .and_then(|(_, sub)| command_line_value(sub, id))
    })
}

/// Replaces each secret whose file was named with the file's content.
pub fn load_files(global: &mut GlobalArgs, lang: Lang) -> Result<(), CliError> {
    if let Some(path) = &global.token_file {
        global.token = Some(read("--token-file", path, lang)?);
    }
    if let Some(path) = &global.agilize_key_file {
        global.agilize_key = Some(read("--agilize-key-file", path, lang)?);
    }
    if let Some(path) = &global.webhook_secret_file {
        global.webhook_secret = Some(read("--webhook-secret-file", path, lang)?);
    }
    Ok(())
}

/// The secret in `path`, trimmed; refused when others may read or write the file.
fn read(flag: &str, path: &Path, lang: Lang) -> Result<String, CliError> {
    read_secret_file(path)
        .map_err(|error| CliError::Usage(error.message(flag, &path.display().to_string(), lang)))
}
