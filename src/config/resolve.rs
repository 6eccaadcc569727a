//! What a run uses: flags and environment over `config.toml` over defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::api::http::{DEFAULT_REQUEST_TIMEOUT, Timeouts, normalize_base_url};
use crate::api::wegly::{DEFAULT_BASE_URL, WeglyClient, WeglyConfig};
use crate::config::{Account, Config, ConfigError, default_data_dir, load};
use crate::store::Provider;
use crate::store::location::IndexLocation;

/// Where the receiver listens when nothing says otherwise (loopback only).
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8788);
/// The account name used when no configuration names one.
pub const IMPLICIT_ACCOUNT: &str = "default";

/// What flags and the environment give for one run; each one set wins over `config.toml`.
/// The command line fills it in from its flags and variables, so configuration does not depend
/// on the command line.
#[derive(Debug, Clone)]
pub struct Overrides {
    /// The configuration file to read (`--config`), else the default path.
    pub config: Option<PathBuf>,
    /// The account to use (`--account`), else the first Wegly account.
    pub account: Option<String>,
    /// The Wegly API base URL for that account.
    pub base_url: Option<String>,
    /// The Wegly token for that account; blank counts as not given.
    pub token: Option<SecretString>,
    /// `Origin` for that account's requests.
    pub origin: Option<String>,
    /// The Agilize API base URL for the first Agilize account.
    pub agilize_base_url: Option<String>,
    /// The Agilize key for the first Agilize account; blank counts as not given.
    pub agilize_key: Option<SecretString>,
    /// Data dir.
    pub data_dir: Option<PathBuf>,
    /// Receiver address.
    pub listen: Option<SocketAddr>,
    /// Webhook signing secret; blank counts as not given.
    pub webhook_secret: Option<SecretString>,
    /// Request time limit.
    pub timeout: Duration,
    /// Where the index lives (`--index` / `BALCAO_INDEX`): wins over the configuration's
    /// `index`, even when empty (the data dir's file).
    pub index: Option<String>,
    /// The shared index's password when its URL has none (`PGPASSWORD`); wins over the
    /// configuration's `index_password_file`. Blank counts as not given.
    pub index_password: Option<SecretString>,
}

impl Default for Overrides {
    fn default() -> Self {
        Self {
            config: None,
            account: None,
            base_url: None,
            token: None,
            origin: None,
            agilize_base_url: None,
            agilize_key: None,
            data_dir: None,
            listen: None,
            webhook_secret: None,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            index: None,
            index_password: None,
        }
    }
}

/// A secret that was given and is not blank, trimmed.
fn not_blank(secret: Option<&SecretString>) -> Option<SecretString> {
    secret
        .map(|secret| secret.expose_secret().trim())
        .filter(|text| !text.is_empty())
        .map(|text| SecretString::from(text.to_owned()))
}

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
    /// Where the index lives, with the password to use when its URL has none.
    pub index: IndexLocation,
    /// The password a database URL without one takes: `PGPASSWORD`, else the configuration's
    /// `index_password_file`.
    pub index_password: Option<SecretString>,
}

/// Reads the configuration and applies what flags and the environment give over it.
pub fn resolve(overrides: &Overrides) -> Result<Resolved, ConfigError> {
    let explicit = overrides.config.as_deref();
    let config = match crate::config::Config::chosen_path(explicit) {
        Some(path) => load(&path, explicit.is_some()).map_err(ConfigError::Problems)?,
        None => Config::default(),
    };
    apply(config, overrides)
}

/// Applies what flags and the environment give over a configuration already read.
pub fn apply(config: Config, overrides: &Overrides) -> Result<Resolved, ConfigError> {
    let mut accounts = config.accounts.clone();
    let wanted = overrides.account.clone();
    let index = match &wanted {
        Some(name) => accounts.iter().position(|a| &a.name == name),
        None => accounts.iter().position(|a| a.provider == Provider::Wegly),
    };
    let index = match (index, &wanted) {
        (Some(index), _) => index,
        (None, Some(name)) if !accounts.is_empty() => {
            return Err(ConfigError::UnknownAccount {
                name: name.clone(),
                known: accounts.iter().map(|a| a.name.clone()).collect(),
            });
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
    if let Some(url) = &overrides.base_url {
        account.base_url =
            normalize_base_url(url).map_err(|problem| ConfigError::BaseUrl { problem })?;
    }
    if let Some(token) = not_blank(overrides.token.as_ref()) {
        account.token = Some(token);
    }
    if let Some(origin) = &overrides.origin {
        if normalize_base_url(origin).is_err() {
            return Err(ConfigError::Origin {
                origin: origin.clone(),
            });
        }
        account.origin = Some(origin.clone());
    }
    let selected = account.name.clone();
    apply_agilize_overrides(overrides, &mut accounts)?;
    // Where the index lives: `--index` / `BALCAO_INDEX`, else the configuration's `index`, else
    // the data dir's file.
    let index_password =
        not_blank(overrides.index_password.as_ref()).or_else(|| config.index_password.clone());
    let index = locate(
        overrides
            .index
            .as_deref()
            .or(config.index.as_deref())
            .unwrap_or_default(),
        index_password.as_ref(),
    );
    Ok(Resolved {
        index,
        index_password,
        data_dir: overrides
            .data_dir
            .clone()
            .or_else(|| config.data_dir.clone())
            .or_else(default_data_dir),
        listen: overrides.listen.or(config.listen).unwrap_or(DEFAULT_LISTEN),
        webhook_secret: not_blank(overrides.webhook_secret.as_ref())
            .or_else(|| config.webhook_secret.clone()),
        accounts,
        selected,
        config,
        timeout: overrides.timeout,
    })
}

/// `text` read as `--index` reads it; a database URL takes `password` when it has none.
fn locate(text: &str, password: Option<&SecretString>) -> IndexLocation {
    match (IndexLocation::parse(text), password) {
        (IndexLocation::Postgres(url), Some(password)) => {
            IndexLocation::Postgres(url.with_password(password.clone()))
        }
        (location, _) => location,
    }
}

/// The Agilize base URL and key given apply to the first Agilize account, or make one named
/// `agilize` when the configuration has none.
fn apply_agilize_overrides(
    overrides: &Overrides,
    accounts: &mut Vec<Account>,
) -> Result<(), ConfigError> {
    let key = not_blank(overrides.agilize_key.as_ref());
    if key.is_none() && overrides.agilize_base_url.is_none() {
        return Ok(());
    }
    let index = if let Some(index) = accounts
        .iter()
        .position(|a| a.provider == Provider::Agilize)
    {
        index
    } else {
        accounts.push(Account {
            name: IMPLICIT_AGILIZE_ACCOUNT.to_owned(),
            provider: Provider::Agilize,
            base_url: crate::api::agilize::DEFAULT_BASE_URL.to_owned(),
            token: None,
            origin: None,
            me: None,
        });
        accounts.len() - 1
    };
    let account = &mut accounts[index];
    if let Some(url) = &overrides.agilize_base_url {
        account.base_url =
            normalize_base_url(url).map_err(|problem| ConfigError::AgilizeBaseUrl { problem })?;
    }
    if let Some(key) = key {
        account.token = Some(key);
    }
    Ok(())
}

/// The Agilize account name used when no configuration names one.
pub const IMPLICIT_AGILIZE_ACCOUNT: &str = "agilize";

impl Resolved {
    /// `text` read as `--index` reads it, a database URL taking this run's index password when
    /// it has none (for `index copy`'s `--from` and `--to`).
    pub fn locate(&self, text: &str) -> IndexLocation {
        locate(text, self.index_password.as_ref())
    }

    /// The first Agilize account, if any.
    pub fn agilize_account(&self) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.provider == Provider::Agilize)
    }

    /// A client for an Agilize account, or a usage error saying where to put the key.
    pub fn agilize_client(
        &self,
    ) -> Result<(Account, crate::api::agilize::AgilizeClient), ConfigError> {
        let account = self
            .agilize_account()
            .ok_or(ConfigError::NoAgilizeKey)?
            .clone();
        let key = account.token.clone().ok_or(ConfigError::NoAgilizeKey)?;
        let client = crate::api::agilize::AgilizeClient::new(crate::api::agilize::AgilizeConfig {
            base_url: account.base_url.clone(),
            key,
            timeouts: Timeouts {
                request: self.timeout,
                ..Timeouts::default()
            },
        })
        .map_err(|problem| ConfigError::Client { problem })?;
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
    pub fn wegly_client(&self, account: &Account) -> Result<WeglyClient, ConfigError> {
        let Some(token) = account.token.clone() else {
            return Err(ConfigError::NoWeglyToken {
                account: account.name.clone(),
            });
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
        .map_err(|problem| ConfigError::Client { problem })
    }

    /// This person's name to the rest of the desk: the configuration's `name`, else the system
    /// user's (the command line does not ask the CRM who its `me` user is).
    pub fn desk_name(&self) -> String {
        crate::config::desk_name(self.config.name.as_deref(), None)
    }

    /// The data dir, or a usage error saying how to set one.
    pub fn data_dir(&self) -> Result<PathBuf, ConfigError> {
        self.data_dir.clone().ok_or(ConfigError::NoDataDir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides_with_config(text: &str) -> (tempfile::TempDir, Overrides) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let overrides = Overrides {
            config: Some(path),
            data_dir: Some(dir.path().to_path_buf()),
            ..Overrides::default()
        };
        (dir, overrides)
    }

    #[test]
    fn overrides_win_over_the_file_and_blank_secrets_count_as_not_given() {
        let (_dir, mut overrides) = overrides_with_config(
            "[[accounts]]\nname = \"central\"\nprovider = \"wegly\"\n\
             [[accounts]]\nname = \"salas\"\nprovider = \"agilize\"\n",
        );
        overrides.token = Some(SecretString::from("  tok  ".to_owned()));
        overrides.webhook_secret = Some(SecretString::from("   ".to_owned()));
        overrides.agilize_key = Some(SecretString::from(String::new()));
        overrides.base_url = Some("http://127.0.0.1:9/".to_owned());
        let resolved = resolve(&overrides).unwrap();
        let account = resolved.account();
        assert_eq!(account.name, "central");
        assert_eq!(account.base_url, "http://127.0.0.1:9");
        assert_eq!(
            account.token.as_ref().map(|t| t.expose_secret().to_owned()),
            Some("tok".to_owned())
        );
        assert!(resolved.webhook_secret.is_none());
        assert_eq!(
            resolved.agilize_client().err(),
            Some(ConfigError::NoAgilizeKey)
        );
        assert_eq!(resolved.timeout, DEFAULT_REQUEST_TIMEOUT);
    }

    #[test]
    fn a_database_url_without_a_password_takes_pgpassword_else_the_files_for_every_location() {
        let (dir, mut overrides) = overrides_with_config("");
        let secret = dir.path().join("pg.secret");
        std::fs::write(&secret, "from-file\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let config = overrides.config.clone().unwrap();
        std::fs::write(
            &config,
            format!("index_password_file = \"{}\"\n", secret.display()),
        )
        .unwrap();
        overrides.index = Some("postgres://balcao@127.0.0.1:5432/desk".to_owned());
        let password = |location: &IndexLocation| match location {
            IndexLocation::Postgres(url) => url.fallback_password().map(str::to_owned),
            other => panic!("not a database: {other:?}"),
        };
        let other = "postgresql://balcao@db.internal/desk";
        let resolved = resolve(&overrides).unwrap();
        assert_eq!(password(&resolved.index).as_deref(), Some("from-file"));
        assert_eq!(
            password(&resolved.locate(other)).as_deref(),
            Some("from-file")
        );
        // PGPASSWORD wins, trimmed; blank counts as not given.
        overrides.index_password = Some(SecretString::from(" from-env ".to_owned()));
        let resolved = resolve(&overrides).unwrap();
        assert_eq!(password(&resolved.index).as_deref(), Some("from-env"));
        assert_eq!(
            password(&resolved.locate(other)).as_deref(),
            Some("from-env")
        );
        overrides.index_password = Some(SecretString::from("  ".to_owned()));
        let resolved = resolve(&overrides).unwrap();
        assert_eq!(
            password(&resolved.locate(other)).as_deref(),
            Some("from-file")
        );
        assert!(matches!(resolved.locate(""), IndexLocation::DataDir));
    }

    #[test]
    fn an_unknown_account_is_refused_with_the_known_ones() {
        let (_dir, mut overrides) =
            overrides_with_config("[[accounts]]\nname = \"central\"\nprovider = \"wegly\"\n");
        overrides.account = Some("loja".to_owned());
        assert_eq!(
            resolve(&overrides).err(),
            Some(ConfigError::UnknownAccount {
                name: "loja".to_owned(),
                known: vec!["central".to_owned()],
            })
        );
    }
}
