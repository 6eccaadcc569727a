//! `balcao check-config`: every problem of the configuration at once, with file and line.

use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::cli::open::open_store;
use crate::config::resolve::apply;
use crate::config::{Config, ConfigError, load};
use crate::i18n::Lang;
use crate::store::INDEX_FILE;
use crate::store::location::IndexLocation;
use crate::tr;

/// Checks the configuration and the keymap; exit 0 when both are sound, 2 with every problem
/// otherwise.
pub fn run(global: &GlobalArgs, lang: Lang) -> Result<(), CliError> {
    let keymap = check_keymap(lang);
    // The index is looked at only with a sound configuration: its problems are listed already.
    let (config, index) = match check_config(global, lang) {
        Ok(config) => (Ok(()), check_index(global, config, lang)),
        Err(count) => (Err(count), Ok(())),
    };
    let count: usize = [config, keymap, index]
        .into_iter()
        .filter_map(Result::err)
        .sum();
    if count == 0 {
        Ok(())
    } else {
        Err(CliError::Usage(tr!(
            lang,
            "{count} problema(s) na configuração",
            "{count} problem(s) in the configuration"
        )))
    }
}

/// Where the index lives (a URL with its password hidden), whether it opens, and the accounts
/// it holds chats of that this configuration does not define (a warning: the console shows
/// those rows read-only). A problem is printed and counted. `config` is the file as
/// [`check_config`] read it.
fn check_index(global: &GlobalArgs, config: Config, lang: Lang) -> Result<(), usize> {
    let problem = |text: String| {
        eprintln!("{text}");
        Err(1)
    };
    let settings = match apply(config, &global.overrides()) {
        Ok(settings) => settings,
        Err(error) => return problem(error.message(lang)),
    };
    let file = match (&settings.index, &settings.data_dir) {
        (IndexLocation::DataDir, Some(dir)) => Some(dir.join(INDEX_FILE)),
        (IndexLocation::DataDir, None) => {
            return problem(format!("index: {}", ConfigError::NoDataDir.message(lang)));
        }
        (IndexLocation::File(path), _) => Some(path.clone()),
        (IndexLocation::Postgres(_), _) => None,
    };
    if let Some(file) = file.as_ref().filter(|file| !file.exists()) {
        let shown = file.display();
        println!(
            "{}",
            tr!(
                lang,
                "índice: {shown} (SQLite): ainda não existe; é criado no primeiro uso",
                "index: {shown} (SQLite): not created yet; made on first use"
            )
        );
        return Ok(());
    }
    let store = match open_store(&settings, lang) {
        Ok(store) => store,
        Err(error) => return problem(error.message(lang)),
    };
    let name = store.name();
    if store.is_shared() {
        println!(
            "{}",
            tr!(
                lang,
                "índice: {name} (PostgreSQL, compartilhado): acessível",
                "index: {name} (PostgreSQL, shared): reachable"
            )
        );
    } else {
        println!(
            "{}",
            tr!(
                lang,
                "índice: {name} (SQLite): ok",
                "index: {name} (SQLite): ok"
            )
        );
    }
    let held = match store.accounts() {
        Ok(held) => held,
        Err(error) => return problem(crate::data_dir::index_message(&error, lang)),
    };
    let foreign: Vec<String> = held
        .into_iter()
        .filter(|account| !settings.accounts.iter().any(|known| &known.name == account))
        .map(|account| format!("'{account}'"))
        .collect();
    if !foreign.is_empty() {
        let list = foreign.join(", ");
        let known = settings
            .accounts
            .iter()
            .map(|account| format!("'{}'", account.name))
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "{}",
            crate::text::printable(&tr!(
                lang,
                "aviso: o índice {name} tem conversas da(s) conta(s) {list}, que esta configuração não define (ela define {known}); o console as mostra só para leitura. Dê às contas o mesmo name em todas as máquinas da equipe",
                "warning: the index {name} holds chats of account(s) {list}, which this configuration does not define (it defines {known}); the console shows them read-only. Give each account the same name on every machine of the desk"
            ))
        );
    }
    Ok(())
}

/// The user's keymap over the defaults; prints each problem, returns how many.
fn check_keymap(lang: Lang) -> Result<(), usize> {
    let path = crate::console::keymap_file::user_keymap_path();
    match crate::console::keymap_file::load_keymap() {
        Ok(_) => {
            let shown = path.filter(|p| p.exists()).map_or_else(
                || {
                    lang.pick("mapa de teclas: padrão", "keymap: defaults")
                        .to_owned()
                },
                |p| tr!(lang, "{}: ok", "{}: ok", p.display()),
            );
            println!("{shown}");
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            Err(problems.len())
        }
    }
}

/// The configuration file, read once: what it holds, or how many problems it has (each printed).
fn check_config(global: &GlobalArgs, lang: Lang) -> Result<Config, usize> {
    let explicit = global.config.as_deref();
    let Some(path) = Config::chosen_path(explicit) else {
        println!(
            "{}",
            tr!(
                lang,
                "sem pasta de configuração; use --config",
                "no configuration folder; use --config"
            )
        );
        return Ok(Config::default());
    };
    let shown = path.display();
    if explicit.is_none() && !path.exists() {
        println!(
            "{}",
            tr!(
                lang,
                "{shown}: não existe; valem as opções e variáveis de ambiente",
                "{shown}: not present; options and environment variables apply"
            )
        );
        return Ok(Config::default());
    }
    match load(&path, true) {
        Ok(config) => {
            let accounts: Vec<String> = config
                .accounts
                .iter()
                .map(|a| format!("{} ({})", a.name, a.provider.as_str()))
                .collect();
            let count = accounts.len();
            let list = accounts.join(", ");
            let notify = config.notify.unwrap_or_default().name();
            println!(
                "{}",
                tr!(
                    lang,
                    "{shown}: ok, {count} conta(s): {list}; avisos (notify): {notify}",
                    "{shown}: ok, {count} account(s): {list}; nudges (notify): {notify}"
                )
            );
            Ok(config)
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            Err(problems.len())
        }
    }
}
