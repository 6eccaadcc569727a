//! `balcao check-config`: every problem of the configuration at once, with file and line.

use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::config::{Config, load};
use crate::i18n::Lang;
use crate::tr;

/// Checks the configuration; exit 0 when sound, 2 with the list of problems otherwise.
pub fn run(global: &GlobalArgs, lang: Lang) -> Result<(), CliError> {
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
            let count = problems.len();
            Err(CliError::Usage(tr!(
                lang,
                "{count} problema(s) na configuração",
                "{count} problem(s) in the configuration"
            )))
        }
    }
}
