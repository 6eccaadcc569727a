//! Why the settings of a run cannot be used, each with what is wrong and how to fix it, worded
//! in pt-BR or English when shown. Every one is the user's to fix before anything is sent.

use std::fmt;

use crate::api::http::BaseUrlError;
use crate::config::Problem;
use crate::i18n::Lang;
use crate::tr;

/// A setting that is missing or wrong; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `config.toml` has problems, each with its file and line.
    Problems(Vec<Problem>),
    /// `--account` / `BALCAO_ACCOUNT` names no account of the configuration.
    UnknownAccount {
        /// The name given.
        name: String,
        /// The configuration's accounts, in file order.
        known: Vec<String>,
    },
    /// `--base-url` / `WEGLY_BASE_URL` is not an http(s) URL.
    BaseUrl {
        /// What is wrong with it.
        problem: BaseUrlError,
    },
    /// `--origin` is not an http(s) URL.
    Origin {
        /// The value given.
        origin: String,
    },
    /// `--agilize-base-url` / `AGILIZE_BASE_URL` is not an http(s) URL.
    AgilizeBaseUrl {
        /// What is wrong with it.
        problem: BaseUrlError,
    },
    /// No Agilize key anywhere.
    NoAgilizeKey,
    /// No Wegly token for the account.
    NoWeglyToken {
        /// The account's name.
        account: String,
    },
    /// A client cannot be built from the account's settings.
    Client {
        /// What the client said.
        problem: BaseUrlError,
    },
    /// No data dir given and none known for this platform.
    NoDataDir,
}

impl ConfigError {
    /// The message for people, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Problems(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                let list = list.join("\n  ");
                tr!(
                    lang,
                    "a configuração tem problemas:\n  {list}\n(`balcao check-config` lista todos)",
                    "the configuration has problems:\n  {list}\n(`balcao check-config` lists them all)"
                )
            }
            Self::UnknownAccount { name, known } => {
                let known = known.join(", ");
                tr!(
                    lang,
                    "não há conta '{name}' na configuração (contas: {known})",
                    "no account '{name}' in the configuration (accounts: {known})"
                )
            }
            Self::BaseUrl { problem } => tr!(
                lang,
                "--base-url / WEGLY_BASE_URL inválida: {problem}. Exemplo: https://api.wegly.com.br",
                "invalid --base-url / WEGLY_BASE_URL: {problem}. Example: https://api.wegly.com.br"
            ),
            Self::Origin { origin } => tr!(
                lang,
                "--origin '{origin}' precisa ser uma URL http(s), por exemplo https://minhaempresa.com.br",
                "--origin '{origin}' must be an http(s) URL, for example https://mycompany.com.br"
            ),
            Self::AgilizeBaseUrl { problem } => tr!(
                lang,
                "--agilize-base-url / AGILIZE_BASE_URL inválida: {problem}",
                "invalid --agilize-base-url / AGILIZE_BASE_URL: {problem}"
            ),
            Self::NoAgilizeKey => tr!(
                lang,
                "falta a chave da Agilize: passe --agilize-key, defina AGILIZE_API_KEY ou uma conta provider = \"agilize\" com token_env/token_file",
                "no Agilize key: pass --agilize-key, set AGILIZE_API_KEY, or add an account with provider = \"agilize\" and token_env/token_file"
            ),
            Self::NoWeglyToken { account } => tr!(
                lang,
                "falta o token da Wegly para a conta '{account}': passe --token, defina WEGLY_TOKEN ou token_env/token_file na configuração (no sandbox, o mesmo dado a `balcao sandbox --token`)",
                "no Wegly token for account '{account}': pass --token, set WEGLY_TOKEN, or set token_env/token_file in the configuration (for the sandbox, the one given to `balcao sandbox --token`)"
            ),
            Self::Client { problem } => problem.to_string(),
            Self::NoDataDir => tr!(
                lang,
                "não há pasta de dados: passe --data-dir ou defina BALCAO_DATA_DIR",
                "no data dir: pass --data-dir or set BALCAO_DATA_DIR"
            ),
        }
    }
}

/// In English: logs and `{error}` get the same words the English user reads.
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn each_problem_reads_in_both_languages_with_what_to_do() {
        let problems = ConfigError::Problems(vec![Problem {
            file: PathBuf::from("config.toml"),
            line: Some(3),
            message: "unknown key 'tokn'".to_owned(),
        }]);
        assert_eq!(
            problems.message(Lang::En),
            "the configuration has problems:\n  config.toml:3: unknown key 'tokn'\n\
             (`balcao check-config` lists them all)"
        );
        assert!(
            problems
                .message(Lang::PtBr)
                .starts_with("a configuração tem problemas:")
        );
        let unknown = ConfigError::UnknownAccount {
            name: "loja".to_owned(),
            known: vec!["central".to_owned(), "agilize".to_owned()],
        };
        assert_eq!(
            unknown.to_string(),
            "no account 'loja' in the configuration (accounts: central, agilize)"
        );
        assert_eq!(
            unknown.message(Lang::PtBr),
            "não há conta 'loja' na configuração (contas: central, agilize)"
        );
    }
}
