//! What a run uses: flags and environment over `config.toml` over defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::api::http::{Timeouts, normalize_base_url};
use crate::api::wegly::{DEFAULT_BASE_URL, WeglyClient, WeglyConfig};
use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::config::{Account, Config, default_data_dir, load};
use crate::i18n::Lang;
use crate::store::Provider;
use crate::tr;

/// Where the receiver listens when nothing says otherwise (loopback only).
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8788);
/// The account name used when no configuration names one.
pub const IMPLICIT_ACCOUNT: &str = "default";

/// The settings of one run.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The configuration as read.
    pub config: Config,
    /// Data dir, if one could be determined.
    pub data_dir: Option<PathBuf>,
    /// Accounts, with flag overrides applied to the selected Wegly account.
    pub accounts: Vec<Account>,
    /// The selected Wegly account's name.
    pub selected: String,
    /// Receiver address.
    pub listen: SocketAddr,
    /// Webhook secret.
    pub webhook_secret: Option<SecretString>,
    /// Request time limit.
    pub timeout: Duration,
}

/// Reads the configuration and applies flags and environment over it.
pub fn resolve(global: &GlobalArgs, lang: Lang) -> Result<Resolved, CliError> {
    let explicit = global.config.as_deref();
    let config = match crate::config::Config::chosen_path(explicit) {
        Some(path) => load(&path, explicit.is_some()).map_err(|problems| {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let list = list.join("\n  ");
            CliError::Usage(tr!(
                lang,
                "a configuração tem problemas:\n  {list}\n(`balcao check-config` lista todos)",
                "the configuration has problems:\n  {list}\n(`balcao check-config` lists them all)"
            ))
        })?,
        None => Config::default(),
    };
    let mut accounts = config.accounts.clone();
    let wanted = global.account.clone();
    let index = match &wanted {
        Some(name) => accounts.iter().position(|a| &a.name == name),
        None => accounts.iter().position(|a| a.provider == Provider::Wegly),
    };
    let index = match (index, &wanted) {
        (Some(index), _) => index,
        (None, Some(name)) if !accounts.is_empty() => {
            let known: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
            let known = known.join(", ");
            return Err(CliError::Usage(tr!(
                lang,
                "não há conta '{name}' na configuração (contas: {known})",
                "no account '{name}' in the configuration (accounts: {known})"
            )));
        }
        (None, name) => {
            accounts.push(Account {
                name: name.clone().unwrap_or_else(|| IMPLICIT_ACCOUNT.to_owned()),
                provider: Provider::Wegly,
                base_url: DEFAULT_BASE_URL.to_owned(),
                token: None,
                origin: None,
                me: None,
            });
            accounts.len() - 1
        }
    };
    let account = &mut accounts[index];
    if let Some(url) = &global.base_url {
        account.base_url = normalize_base_url(url).map_err(|problem| {
            CliError::Usage(tr!(
                lang,
                "--base-url / WEGLY_BASE_URL inválida: {problem}. Exemplo: https://api.wegly.com.br",
                "invalid --base-url / WEGLY_BASE_URL: {problem}. Example: https://api.wegly.com.br"
            ))
        })?;
    }
    if let Some(token) = global
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        account.token = Some(SecretString::from(token.to_owned()));
    }
    if let Some(origin) = &global.origin {
        if normalize_base_url(origin).is_err() {
            return Err(CliError::Usage(tr!(
                lang,
                "--origin '{origin}' precisa ser uma URL http(s), por exemplo https://minhaempresa.com.br",
                "--origin '{origin}' must be an http(s) URL, for example https://mycompany.com.br"
            )));
        }
        account.origin = Some(origin.clone());
    }
    let selected = account.name.clone();
    apply_agilize_flags(global, &mut accounts, lang)?;
    Ok(Resolved {
        data_dir: global
            .data_dir
            .clone()
            .or_else(|| config.data_dir.clone())
            .or_else(default_data_dir),
        listen: global.listen.or(config.listen).unwrap_or(DEFAULT_LISTEN),
        webhook_secret: global
            .webhook_secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_owned()))
            .or_else(|| config.webhook_secret.clone()),
        accounts,
        selected,
        config,
        timeout: Duration::from_secs(global.timeout),
    })
}

/// `--agilize-base-url` / `--agilize-key` apply to the first Agilize account, or make one named
/// `agilize` when the configuration has none.
fn apply_agilize_flags(
    global: &GlobalArgs,
    accounts: &mut Vec<Account>,
    lang: Lang,
) -> Result<(), CliError> {
    let key = global
        .agilize_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_none() && global.agilize_base_url.is_none() {
        return Ok(());
    }
    if !accounts.iter().any(|a| a.provider == Provider::Agilize) {
        accounts.push(Account {
            name: IMPLICIT_AGILIZE_ACCOUNT.to_owned(),
            provider: Provider::Agilize,
            base_url: crate::api::agilize::DEFAULT_BASE_URL.to_owned(),
            token: None,
            origin: None,
            me: None,
        });
    }
    let index = accounts
        .iter()
        .position(|a| a.provider == Provider::Agilize)
        .unwrap_or_default();
    let account = &mut accounts[index];
    if let Some(url) = &global.agilize_base_url {
        account.base_url = normalize_base_url(url).map_err(|problem| {
            CliError::Usage(tr!(
                lang,
                "--agilize-base-url / AGILIZE_BASE_URL inválida: {problem}",
                "invalid --agilize-base-url / AGILIZE_BASE_URL: {problem}"
            ))
        })?;
    }
    if let Some(key) = key {
        account.token = Some(SecretString::from(key.to_owned()));
    }
    Ok(())
}

/// The Agilize account name used when no configuration names one.
pub const IMPLICIT_AGILIZE_ACCOUNT: &str = "agilize";

impl Resolved {
    /// The first Agilize account, if any.
    pub fn agilize_account(&self) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.provider == Provider::Agilize)
    }

    /// A client for an Agilize account, or a usage error saying where to put the key.
    pub fn agilize_client(
        &self,
        lang: Lang,
    ) -> Result<(Account, crate::api::agilize::AgilizeClient), CliError> {
        let missing = || {
            CliError::Usage(tr!(
                lang,
                "falta a chave da Agilize: passe --agilize-key, defina AGILIZE_API_KEY ou uma conta provider = \"agilize\" com token_env/token_file",
                "no Agilize key: pass --agilize-key, set AGILIZE_API_KEY, or add an account with provider = \"agilize\" and token_env/token_file"
            ))
        };
        let account = self.agilize_account().ok_or_else(missing)?.clone();
        let key = account.token.clone().ok_or_else(missing)?;
        let client = crate::api::agilize::AgilizeClient::new(crate::api::agilize::AgilizeConfig {
            base_url: account.base_url.clone(),
            key,
            timeouts: Timeouts {
                request: self.timeout,
                ..Timeouts::default()
            },
        })
        .map_err(|problem| CliError::Usage(problem.to_string()))?;
        Ok((account, client))
    }

    /// The selected Wegly account.
    pub fn account(&self) -> &Account {
        self.accounts
            .iter()
            .find(|a| a.name == self.selected)
            .unwrap_or_else(|| &self.accounts[0])
    }

    /// A client for a Wegly account, or a usage error saying where to put the token.
    pub fn wegly_client(&self, account: &Account, lang: Lang) -> Result<WeglyClient, CliError> {
        let Some(token) = account.token.clone() else {
            let name = &account.name;
            return Err(CliError::Usage(tr!(
                lang,
                "falta o token da Wegly para a conta '{name}': passe --token, defina WEGLY_TOKEN ou token_env/token_file na configuração (no sandbox, o mesmo dado a `balcao sandbox --token`)",
                "no Wegly token for account '{name}': pass --token, set WEGLY_TOKEN, or set token_env/token_file in the configuration (for the sandbox, the one given to `balcao sandbox --token`)"
            )));
        };
        WeglyClient::new(WeglyConfig {
            base_url: account.base_url.clone(),
            token,
            origin: account.origin.clone(),
            timeouts: Timeouts {
                request: self.timeout,
                ..Timeouts::default()
            },
        })
        .map_err(|problem| CliError::Usage(problem.to_string()))
    }

    /// The data dir, or a usage error saying how to set one.
    pub fn data_dir(&self, lang: Lang) -> Result<PathBuf, CliError> {
        self.data_dir.clone().ok_or_else(|| {
            CliError::Usage(tr!(
                lang,
                "não há pasta de dados: passe --data-dir ou defina BALCAO_DATA_DIR",
                "no data dir: pass --data-dir or set BALCAO_DATA_DIR"
            ))
        })
    }
}
