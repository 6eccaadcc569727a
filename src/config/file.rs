//! Reading `config.toml`: TOML with spans, so that every problem names its line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use toml::Spanned;

use crate::api::http::normalize_base_url;
use crate::api::wegly::DEFAULT_BASE_URL;
use crate::config::{Account, Config, Problem, read_secret_file};
use crate::i18n::Lang;
use crate::inbox::{Filter, Sort};
use crate::store::Provider;
use crate::store::location::{is_database_url, redact};
use crate::webhook::ReceiverLimits;
use crate::webhook::limits::MAX_BODY_BYTES;

/// The most background refreshes a minute a configuration may ask for.
pub const MAX_REFRESH_PER_MINUTE: u32 = 6000;
/// The longest desk name: it is shown in every console's list and in the audit log.
pub const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<Spanned<String>>,
    index: Option<Spanned<String>>,
    index_password_file: Option<Spanned<String>>,
    data_dir: Option<Spanned<String>>,
    refresh_per_minute: Option<Spanned<i64>>,
    receiver: Option<RawReceiver>,
    #[serde(default)]
    accounts: Vec<Spanned<RawAccount>>,
    #[serde(default)]
    views: Vec<Spanned<RawView>>,
    notify: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    name: Spanned<String>,
    filter: Spanned<String>,
    sort: Option<Spanned<String>>,
}

/// A saved view (`[[views]]`): a named filter, and optionally a sort, the console shows as a tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    /// The tab's name.
    pub name: String,
    /// A filter expression, as `/` takes it (checked when read).
    pub filter: String,
    /// The order the view sorts in; `None` keeps the order in force.
    pub sort: Option<Sort>,
}

/// The longest view name: it is one tab of a line that must fit 80 columns with the others.
pub const MAX_VIEW_NAME_CHARS: usize = 24;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    listen: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
    secret_file: Option<Spanned<String>>,
    header_timeout_secs: Option<Spanned<i64>>,
    body_timeout_secs: Option<Spanned<i64>>,
    idle_timeout_secs: Option<Spanned<i64>>,
    max_connections: Option<Spanned<i64>>,
    body_memory_mib: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    provider: Spanned<String>,
    base_url: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    origin: Option<Spanned<String>>,
    me: Option<Spanned<String>>,
}

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text
            .get(..offset)
            .map_or(1, |head| head.matches('\n').count() + 1)
    }

    fn problem<T>(&mut self, at: &Spanned<T>, message: String) {
        let line = self.line_of(at.span().start);
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line: Some(line),
            message,
        });
    }

    /// A secret from an environment variable named in the file.
    fn secret_from_env(&mut self, name: &Spanned<String>, key: &str) -> Option<SecretString> {
        match std::env::var(name.get_ref()) {
            Ok(value) if !value.trim().is_empty() => {
                Some(SecretString::from(value.trim().to_owned()))
            }
            _ => {
                let var = name.get_ref();
                self.problem(name, format!("{key}: the environment variable '{var}' is not set (export it, or use a file)"));
                None
            }
        }
    }

    /// A secret from a file that only its owner may read or write.
    fn secret_from_file(&mut self, path: &Spanned<String>, key: &str) -> Option<SecretString> {
        match read_secret_file(&expand_home(path.get_ref())) {
            Ok(secret) => Some(SecretString::from(secret)),
            Err(error) => {
                // A configuration's problems are listed in English, as the file's keys are.
                self.problem(path, error.message(key, path.get_ref(), Lang::En));
                None
            }
        }
    }

    fn secret(
        &mut self,
        env: Option<&Spanned<String>>,
        file: Option<&Spanned<String>>,
        what: &str,
    ) -> Option<SecretString> {
        match (env, file) {
            (Some(env), Some(_)) => {
                self.problem(
                    env,
                    format!("{what}: give {what}_env or {what}_file, not both"),
                );
                None
            }
            (Some(env), None) => self.secret_from_env(env, &format!("{what}_env")),
            (None, Some(file)) => self.secret_from_file(file, &format!("{what}_file")),
            (None, None) => None,
        }
    }

    /// A whole number within `range`, or a problem that says what the key is for and what fits.
    fn bounded(
        &mut self,
        value: Option<&Spanned<i64>>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        (meaning, default): (&str, u64),
    ) -> Option<u64> {
        let value = value?;
        let given = *value.get_ref();
        if range.contains(&given) {
            return u64::try_from(given).ok();
        }
        let (low, high) = (range.start(), range.end());
        self.problem(
            value,
            format!(
                "receiver.{key} = {given} is out of range: {meaning}; give a whole number from {low} to {high} (default {default})"
            ),
        );
        None
    }

    /// `[receiver]`'s timeouts and caps over the defaults.
    fn receiver_limits(&mut self, receiver: &RawReceiver) -> ReceiverLimits {
        let defaults = ReceiverLimits::DEFAULT;
        let mib = MAX_BODY_BYTES as u64;
        let header = self.bounded(
            receiver.header_timeout_secs.as_ref(),
            "header_timeout_secs",
            1..=3600,
            (
                "the seconds a sender has to send a request's headers",
                defaults.header_timeout.as_secs(),
            ),
        );
        let body = self.bounded(
            receiver.body_timeout_secs.as_ref(),
            "body_timeout_secs",
            1..=3600,
            (
                "the seconds a sender has to send a request's body",
                defaults.body_timeout.as_secs(),
            ),
        );
        let idle = self.bounded(
            receiver.idle_timeout_secs.as_ref(),
            "idle_timeout_secs",
            1..=3600,
            (
                "the seconds a kept-alive connection may wait for its next request",
                defaults.idle_timeout.as_secs(),
            ),
        );
        let connections = self.bounded(
            receiver.max_connections.as_ref(),
            "max_connections",
            1..=65_536,
            (
                "how many connections are served at once",
                defaults.max_connections as u64,
            ),
        );
        let memory = self.bounded(
            receiver.body_memory_mib.as_ref(),
            "body_memory_mib",
            2..=4096,
            (
                "the MiB of request bodies held in memory at once (2 lets one whole 1 MiB body through)",
                defaults.body_memory as u64 / mib,
            ),
        );
        let seconds =
            |secs: Option<u64>, default: Duration| secs.map_or(default, Duration::from_secs);
        ReceiverLimits {
            header_timeout: seconds(header, defaults.header_timeout),
            body_timeout: seconds(body, defaults.body_timeout),
            idle_timeout: seconds(idle, defaults.idle_timeout),
            max_connections: connections
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(defaults.max_connections),
            body_memory: memory
                .and_then(|mib| usize::try_from(mib).ok())
                .map_or(defaults.body_memory, |mib| mib * MAX_BODY_BYTES),
        }
    }

    /// `name`, `index` and `index_password_file`: who this person is to the desk, and where
    /// the index lives.
    fn team(&mut self, raw: &RawConfig, config: &mut Config) {
        if let Some(name) = &raw.name {
            let given = name.get_ref().trim();
            let count = given.chars().count();
            if given.is_empty() {
                self.problem(
                    name,
                    "name is empty: write the name the rest of the desk sees, such as name = \"Ana\", or remove the line to use the CRM's or the system's".to_owned(),
                );
            } else if count > MAX_NAME_CHARS {
                self.problem(
                    name,
                    format!("name has {count} characters; the most is {MAX_NAME_CHARS}"),
                );
            } else if given.chars().any(char::is_control) {
                self.problem(
                    name,
                    "name holds a control character (a tab, a line break, an escape); write it on one line, as plain text".to_owned(),
                );
            } else {
                config.name = Some(given.to_owned());
            }
        }
        if let Some(index) = &raw.index {
            let given = index.get_ref().trim();
            if given.is_empty() {
                self.problem(
                    index,
                    "index is empty: remove the line to keep the index in the data dir, or give a SQLite file path or a postgres://USER@HOST:PORT/DATABASE URL".to_owned(),
                );
            } else if is_database_url(given) {
                if redact(given) != given
                    && let Some(mode) = self.readable_by_others()
                {
                    let file = self.file.display().to_string();
                    self.problem(
                        index,
                        format!(
                            "index: the URL holds a password and '{file}' can be read by others (mode {mode:04o}); move the password to index_password_file (a file only you can read) or PGPASSWORD, or run: chmod 600 '{file}'"
                        ),
                    );
                }
                config.index = Some(given.to_owned());
            } else {
                config.index = Some(expand_home(given).display().to_string());
            }
        }
        if let Some(file) = &raw.index_password_file {
            config.index_password = self.secret_from_file(file, "index_password_file");
        }
    }

    /// The configuration file's permission bits when others may read it.
    fn readable_by_others(&self) -> Option<u32> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(self.file).ok()?.permissions().mode() & 0o777;
            (mode & 0o044 != 0).then_some(mode)
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    fn account(&mut self, raw: &Spanned<RawAccount>, names: &mut Vec<String>) -> Option<Account> {
        let account = raw.get_ref();
        let name = account.name.get_ref().trim().to_owned();
        let mut valid = true;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.problem(
                &account.name,
                format!("account name '{name}' must be letters, digits, '-' or '_'"),
            );
            valid = false;
        } else if names.contains(&name) {
            self.problem(
                &account.name,
                format!("account name '{name}' is used twice"),
            );
            valid = false;
        }
        names.push(name.clone());
        let Some(provider) = Provider::parse(account.provider.get_ref()) else {
            let given = account.provider.get_ref();
            self.problem(
                &account.provider,
                format!("provider '{given}' is not 'wegly' or 'agilize'"),
            );
            return None;
        };
        let default_url = match provider {
            Provider::Wegly => DEFAULT_BASE_URL,
            Provider::Agilize => crate::api::agilize::DEFAULT_BASE_URL,
        };
        let base_url = match &account.base_url {
            None => default_url.to_owned(),
            Some(url) => match normalize_base_url(url.get_ref()) {
                Ok(url) => url,
                Err(problem) => {
                    self.problem(url, format!("base_url: {problem}"));
                    valid = false;
                    String::new()
                }
            },
        };
        if let Some(origin) = &account.origin
            && normalize_base_url(origin.get_ref()).is_err()
        {
            let given = origin.get_ref();
            self.problem(
                origin,
                format!("origin '{given}' must be an http(s) URL such as https://mycompany.com.br"),
            );
            valid = false;
        }
        if let Some(me) = &account.me
            && uuid::Uuid::parse_str(me.get_ref()).is_err()
        {
            let given = me.get_ref();
            self.problem(me, format!("me '{given}' must be your user id (a UUID)"));
            valid = false;
        }
        let token = self.secret(
            account.token_env.as_ref(),
            account.token_file.as_ref(),
            "token",
        );
        valid.then(|| Account {
            name,
            provider,
            base_url,
            token,
            origin: account.origin.as_ref().map(|o| o.get_ref().clone()),
            me: account.me.as_ref().map(|m| m.get_ref().clone()),
        })
    }
}

impl Reader<'_> {
    /// One `[[views]]` entry, checked: a name of one line that no earlier view took, a filter
    /// that parses, a known sort.
    fn view(&mut self, raw: &RawView, earlier: &mut Vec<String>) -> Option<SavedView> {
        let name = raw.name.get_ref().trim();
        let count = name.chars().count();
        let mut valid = true;
        if name.is_empty() || name.chars().any(char::is_control) {
            self.problem(
                &raw.name,
                "views: name is empty or holds a control character; write the tab's name on one line, such as name = \"VIP\"".to_owned(),
            );
            valid = false;
        } else if count > MAX_VIEW_NAME_CHARS {
            self.problem(
                &raw.name,
                format!("views: name '{name}' has {count} characters; the most is {MAX_VIEW_NAME_CHARS} (the tabs share one line)"),
            );
            valid = false;
        } else if earlier.iter().any(|earlier| earlier == name) {
            self.problem(
                &raw.name,
                format!("views: the name '{name}' is used twice; give each view its own"),
            );
            valid = false;
        }
        earlier.push(name.to_owned());
        // A configuration's problems are listed in English, as the file's keys are.
        if let Err(error) = Filter::parse(raw.filter.get_ref(), Lang::En) {
            self.problem(
                &raw.filter,
                format!("views: the filter of '{name}' does not parse: {error}"),
            );
            valid = false;
        }
        let sort = match &raw.sort {
            None => None,
            Some(sort) => {
                let parsed = Sort::parse(sort.get_ref().trim());
                if parsed.is_none() {
                    let given = sort.get_ref();
                    let known: Vec<&str> = Sort::ALL.iter().map(|sort| sort.name()).collect();
                    let known = known.join(", ");
                    self.problem(
                        sort,
                        format!("views: sort '{given}' of '{name}' is not one of {known}"),
                    );
                    valid = false;
                }
                parsed
            }
        };
        valid.then(|| SavedView {
            name: name.to_owned(),
            filter: raw.filter.get_ref().trim().to_owned(),
            sort,
        })
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Reads and checks a configuration file. A missing file is an empty configuration when it is
/// the default path (`required` false), and a problem when it was named explicitly.
pub fn load(path: &Path, required: bool) -> Result<Config, Vec<Problem>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Config::default());
        }
        Err(error) => {
            return Err(vec![Problem {
                file: path.to_path_buf(),
                line: None,
                message: format!("cannot read the configuration: {error}"),
            }]);
        }
    };
    let mut reader = Reader {
        file: path,
        text: &text,
        problems: Vec::new(),
    };
    let raw: RawConfig = match toml::from_str(&text) {
        Ok(raw) => raw,
        Err(error) => {
            let line = error.span().map(|span| reader.line_of(span.start));
            return Err(vec![Problem {
                file: path.to_path_buf(),
                line,
                message: error.message().trim().to_owned(),
            }]);
        }
    };
    let mut config = Config {
        path: Some(path.to_path_buf()),
        data_dir: raw.data_dir.as_ref().map(|dir| expand_home(dir.get_ref())),
        ..Config::default()
    };
    reader.team(&raw, &mut config);
    if let Some(budget) = &raw.refresh_per_minute {
        match u32::try_from(*budget.get_ref()) {
            Ok(value) if value <= MAX_REFRESH_PER_MINUTE => config.refresh_per_minute = Some(value),
            _ => {
                let given = budget.get_ref();
                reader.problem(
                    budget,
                    format!("refresh_per_minute {given} must be a whole number from 0 (no background refresh) to {MAX_REFRESH_PER_MINUTE}"),
                );
            }
        }
    }
    if let Some(notify) = &raw.notify {
        if let Some(mode) = crate::config::NotifyMode::parse(notify.get_ref()) {
            config.notify = Some(mode);
        } else {
            let given = notify.get_ref();
            reader.problem(
                notify,
                format!("notify '{given}': notify must be off, bell or desktop"),
            );
        }
    }
    if let Some(receiver) = &raw.receiver {
        if let Some(listen) = &receiver.listen {
            if let Ok(addr) = listen.get_ref().parse::<SocketAddr>() {
                config.listen = Some(addr);
            } else {
                let given = listen.get_ref();
                reader.problem(
                    listen,
                    format!("receiver.listen '{given}' is not an address such as 127.0.0.1:8788"),
                );
            }
        }
        config.webhook_secret = reader.secret(
            receiver.secret_env.as_ref(),
            receiver.secret_file.as_ref(),
            "secret",
        );
        config.receiver_limits = reader.receiver_limits(receiver);
    }
    let mut view_names = Vec::new();
    for view in &raw.views {
        if let Some(view) = reader.view(view.get_ref(), &mut view_names) {
            config.views.push(view);
        }
    }
    let mut names = Vec::new();
    for account in &raw.accounts {
        if let Some(account) = reader.account(account, &mut names) {
            config.accounts.push(account);
        }
    }
    if reader.problems.is_empty() {
        Ok(config)
    } else {
        Err(reader.problems)
    }
}
