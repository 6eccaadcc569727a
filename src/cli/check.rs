//! `balcao check-config`: every problem of the configuration at once, with file and line.

use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::config::{Config, load};
use crate::i18n::Lang;
use crate::tr;

/// Checks the configuration and the keymap; exit 0 when both are sound, 2 with every problem
/// otherwise.
pub fn run(global: &GlobalArgs, lang: Lang) -> Result<(), CliError> {
    let keymap = check_keymap(lang);
    let config = check_config(global, lang);
    match (config, keymap) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(count_a), Err(count_b)) => {
            let count = count_a + count_b;
            Err(CliError::Usage(tr!(
                lang,
                "{count} problema(s) na configuração",
                "{count} problem(s) in the configuration"
            )))
        }
        (Err(count), Ok(())) | (Ok(()), Err(count)) => Err(CliError::Usage(tr!(
            lang,
            "{count} problema(s) na configuração",
            "{count} problem(s) in the configuration"
        ))),
    }
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

fn check_config(global: &GlobalArgs, lang: Lang) -> Result<(), usize> {
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
        return Ok(());
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
        return Ok(());
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
            println!(
                "{}",
                tr!(
                    lang,
                    "{shown}: ok, {count} conta(s): {list}",
                    "{shown}: ok, {count} account(s): {list}"
                )
            );
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
