//! Starting the console: on the configured account(s), or on a bundled sandbox (`--demo`).
//! Everything that can be wrong is found before the terminal is touched.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::{Notify, broadcast, mpsc, watch};

use crate::api::actor::{self, ActorConfig, DEFAULT_MAX_IN_FLIGHT};
use crate::api::http::Timeouts;
use crate::api::wegly::{WeglyClient, WeglyConfig};
use crate::config::resolve::{DEFAULT_LISTEN, resolve};
use crate::config::{ConfigError, Overrides, Problem};
use crate::console::app::{self, Services};
use crate::console::keymap::Keymap;
use crate::console::keymap_file::load_keymap;
use crate::console::msg::Msg;
use crate::console::state::{Level, State};
use crate::console::terminal;
use crate::data_dir::{index_message, is_wrong_data_dir, open_index};
use crate::hydrate::{HydrationSettings, spawn_scheduler};
use crate::i18n::Lang;
use crate::sandbox::seed::Seed;
use crate::sandbox::{self, RunningSandbox, SandboxConfig, WebhookTarget};
use crate::store::{Store, StoreError};
use crate::tr;
use crate::webhook::InboxEvent;
use crate::webhook::receiver::ReceiverState;
use crate::webhook::serve::serve;

/// Background fetches in flight at most while the console runs.
const BACKGROUND_FETCHES: usize = 3;
/// The console's log, in the data dir.
pub const LOG_FILE: &str = "balcao.log";
/// Simulated customer messages a minute in the demo.
const DEMO_TRAFFIC_PER_MINUTE: f64 = 6.0;
/// The demo's Wegly account name.
pub const DEMO_ACCOUNT: &str = "demo";
/// The demo's Agilize account name.
pub const DEMO_AGILIZE_ACCOUNT: &str = "demo-agilize";

/// Why the console did not start, or why it ended other than by `quit`.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A setting is missing or wrong.
    Config(#[from] ConfigError),
    /// The index in the data dir cannot be used.
    Index(#[from] StoreError),
    /// The keymap has problems, each with file and line.
    Keymap(Vec<Problem>),
    /// No account to open the console on.
    NoAccount,
    /// The webhook receiver cannot bind its address.
    Listen {
        /// The address.
        addr: SocketAddr,
        /// What the system said.
        detail: String,
    },
    /// The demo's sandbox, receiver or clients cannot start.
    Demo(String),
    /// Stop signals cannot be handled, so the terminal is not taken.
    Signals(String),
    /// The terminal cannot be taken.
    Terminal(String),
    /// The terminal failed while the console ran.
    TerminalFailed {
        /// What failed.
        detail: String,
        /// The console's log, when there is one.
        log: Option<PathBuf>,
    },
    /// Stopped by signal N after the terminal was restored.
    Stopped(i32),
}

impl LaunchError {
    /// 2 when a setting, the data dir or the keymap is to be fixed; 128 + N when stopped by
    /// signal N; 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Config(_) | Self::Keymap(_) | Self::NoAccount => ExitCode::from(2),
            Self::Index(error) if is_wrong_data_dir(error) => ExitCode::from(2),
            Self::Stopped(signal) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
            Self::Index(_)
            | Self::Listen { .. }
            | Self::Demo(_)
            | Self::Signals(_)
            | Self::Terminal(_)
            | Self::TerminalFailed { .. } => ExitCode::from(1),
        }
    }

    /// The message for people, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Config(error) => error.message(lang),
            Self::Index(error) => index_message(error, lang),
            Self::Keymap(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                let list = list.join("\n  ");
                tr!(
                    lang,
                    "o mapa de teclas tem problemas:\n  {list}\n(o console não abriu; `balcao check-config` lista todos)",
                    "the keymap has problems:\n  {list}\n(the console did not start; `balcao check-config` lists them all)"
                )
            }
            Self::NoAccount => tr!(
                lang,
                "nenhuma conta configurada: defina WEGLY_TOKEN (ou --token) e, se preciso, WEGLY_BASE_URL, ou crie ~/.config/balcao/config.toml com [[accounts]] (veja o README). Para experimentar sem conta: balcao --demo",
                "no account configured: set WEGLY_TOKEN (or --token) and, if needed, WEGLY_BASE_URL, or create ~/.config/balcao/config.toml with [[accounts]] (see the README). To try it without an account: balcao --demo"
            ),
            Self::Listen { addr, detail } => tr!(
                lang,
                "não foi possível escutar em {addr}: {detail}",
                "cannot listen on {addr}: {detail}"
            ),
            Self::Demo(detail) | Self::Terminal(detail) => detail.clone(),
            Self::Signals(detail) => tr!(
                lang,
                "não foi possível tratar sinais: {detail}",
                "cannot handle signals: {detail}"
            ),
            Self::TerminalFailed {
                detail,
                log: Some(log),
            } => {
                let log = log.display();
                tr!(
                    lang,
                    "o terminal falhou: {detail} (log: {log})",
                    "the terminal failed: {detail} (log: {log})"
                )
            }
            Self::TerminalFailed { detail, log: None } => tr!(
                lang,
                "o terminal falhou: {detail} (sem arquivo de log)",
                "the terminal failed: {detail} (no log file)"
            ),
            Self::Stopped(signal) => tr!(
                lang,
                "encerrado pelo sinal {signal}",
                "stopped by signal {signal}"
            ),
        }
    }
}

/// In English: logs and `{error}` get the same words the English user reads.
impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// The console's own webhook receiver: bound already (the demo's, whose sandbox needs its
/// address first), or an address to bind once the index is known not to be shared (in team mode
/// the desk's `balcao listen` receivers take the webhooks, and the console binds nothing).
enum Receiver {
    Bound(TcpListener),
    At(SocketAddr),
}

/// What the console runs on.
struct Setup {
    account: String,
    client: WeglyClient,
    data_dir: PathBuf,
    /// Where the index lives (the demo's is always its own data dir's file).
    index: crate::store::location::IndexLocation,
    receiver: Option<(Receiver, SecretString)>,
    rooms: Option<(String, crate::api::agilize::AgilizeClient)>,
    sandbox: Option<RunningSandbox>,
    _temp: Option<tempfile::TempDir>,
    me: HashMap<String, String>,
    /// Who this person is to the rest of the desk (`name` in config.toml), when configured.
    name: Option<String>,
    /// The accounts this configuration defines: rows of any other are read-only.
    accounts: Vec<String>,
    /// Background refreshes of stale chats per minute.
    refresh_per_minute: u32,
    /// The receiver's timeouts and caps (`[receiver]`; the defaults for the demo).
    receiver_limits: crate::webhook::ReceiverLimits,
    /// The saved views (`[[views]]`; none for the demo).
    views: Vec<crate::config::SavedView>,
    /// How the console nudges (`notify`; the default for the demo, whose chats nobody holds).
    notify: crate::config::NotifyMode,
}

async fn demo_setup(overrides: &Overrides) -> Result<Setup, LaunchError> {
    let failed = |error: std::io::Error| LaunchError::Demo(error.to_string());
    let listener = TcpListener::bind(
        overrides
            .listen
            .unwrap_or_else(|| "127.0.0.1:0".parse().unwrap_or(DEFAULT_LISTEN)),
    )
    .await
    .map_err(failed)?;
    let receiver_addr = listener.local_addr().map_err(failed)?;
    let secret = uuid::Uuid::new_v4().to_string();
    let token = uuid::Uuid::new_v4().to_string();
    let agilize_key = uuid::Uuid::new_v4().to_string();
    let seed = Seed::bundled().map_err(|error| LaunchError::Demo(error.to_string()))?;
    let running = sandbox::start(SandboxConfig {
        bind: "127.0.0.1:0"
            .parse()
            .map_err(|_| LaunchError::Demo("bind".to_owned()))?,
        token: SecretString::from(token.clone()),
        allowed_domain: None,
        seed,
        webhook: Some(WebhookTarget {
            url: format!("http://{receiver_addr}/webhooks/wegly"),
            secret: SecretString::from(secret.clone()),
        }),
        traffic_per_minute: DEMO_TRAFFIC_PER_MINUTE,
        faults: Vec::new(),
        agilize_key: SecretString::from(agilize_key.clone()),
        agilize_webhook_url: Some(format!("http://{receiver_addr}/webhooks/agilize/{secret}")),
    })
    .await
    .map_err(failed)?;
    let client = WeglyClient::new(WeglyConfig {
        base_url: running.url(),
        token: SecretString::from(token),
        origin: None,
        timeouts: Timeouts::default(),
    })
    .map_err(|error| LaunchError::Demo(error.to_string()))?;
    // The demo's index lives in a fresh temporary folder unless --data-dir says otherwise.
    let (data_dir, temp) = if let Some(dir) = &overrides.data_dir {
        (dir.clone(), None)
    } else {
        let temp = tempfile::Builder::new()
            .prefix("balcao-demo-")
            .tempdir()
            .map_err(failed)?;
        (temp.path().to_path_buf(), Some(temp))
    };
    Ok(Setup {
        account: DEMO_ACCOUNT.to_owned(),
        refresh_per_minute: crate::hydrate::DEFAULT_REFRESH_PER_MINUTE,
        receiver_limits: crate::webhook::ReceiverLimits::default(),
        client,
        data_dir,
        index: crate::store::location::IndexLocation::DataDir,
        receiver: Some((Receiver::Bound(listener), SecretString::from(secret))),
        rooms: Some((
            DEMO_AGILIZE_ACCOUNT.to_owned(),
            crate::api::agilize::AgilizeClient::new(crate::api::agilize::AgilizeConfig {
                base_url: running.url(),
                key: SecretString::from(agilize_key),
                timeouts: Timeouts::default(),
            })
            .map_err(|error| LaunchError::Demo(error.to_string()))?,
        )),
        sandbox: Some(running),
        _temp: temp,
        me: HashMap::new(),
        name: None,
        accounts: vec![DEMO_ACCOUNT.to_owned(), DEMO_AGILIZE_ACCOUNT.to_owned()],
        views: Vec::new(),
        notify: crate::config::NotifyMode::default(),
    })
}

fn account_setup(overrides: &Overrides) -> Result<Setup, LaunchError> {
    let settings = resolve(overrides)?;
    let account = settings.account().clone();
    if account.token.is_none() {
        return Err(LaunchError::NoAccount);
    }
    let client = settings.wegly_client(&account)?;
    let data_dir = settings.data_dir()?;
    let receiver = settings
        .webhook_secret
        .clone()
        .map(|secret| (Receiver::At(settings.listen), secret));
    let me = settings
        .accounts
        .iter()
        .filter_map(|a| a.me.clone().map(|me| (a.name.clone(), me)))
        .collect();
    let rooms = match settings.agilize_account() {
        Some(account) if account.token.is_some() => Some(settings.agilize_client()?),
        _ => None,
    }
    .map(|(account, client)| (account.name, client));
    Ok(Setup {
        account: account.name,
        client,
        data_dir,
        index: settings.index.clone(),
        receiver,
        rooms,
        sandbox: None,
        _temp: None,
        me,
        name: settings.config.name.clone(),
        accounts: settings.accounts.iter().map(|a| a.name.clone()).collect(),
        receiver_limits: settings.config.receiver_limits,
        views: settings.config.views.clone(),
        notify: settings.config.notify.unwrap_or_default(),
        refresh_per_minute: settings
            .config
            .refresh_per_minute
            .unwrap_or(crate::hydrate::DEFAULT_REFRESH_PER_MINUTE),
    })
}

/// Takes the terminal and runs the console on it until `quit` (`Ok(None)`) or a stop signal
/// (`Ok(Some(signal))`). SIGTERM, SIGINT and SIGHUP end it like `q`: the run is dropped, the
/// guard restores the terminal, and the caller exits with the conventional 128 + signal.
async fn run_on_terminal(
    state: State,
    keymap: &Keymap,
    services: Services,
) -> Result<std::io::Result<Option<i32>>, LaunchError> {
    // Registered before the terminal is taken, so no signal arrives unhandled meanwhile.
    let signals =
        terminal::StopSignals::new().map_err(|error| LaunchError::Signals(error.to_string()))?;
    let (mut tui, _guard) =
        terminal::enter().map_err(|error| LaunchError::Terminal(error.to_string()))?;
    let events = crossterm::event::EventStream::new();
    Ok(tokio::select! {
        outcome = app::run(&mut tui, events, state, keymap, services) => outcome.map(|_| None),
        signal = signals.next() => Ok(Some(signal)),
    })
}

/// Files with customer data that others can read: said on the screen, not only in the log.
fn warn_exposed(state: &mut State, store: &Store, log: Option<&Path>, lang: Lang) {
    let exposed = store
        .exposed()
        .into_iter()
        .chain(log.and_then(|log| crate::private::check(log).ok().flatten()));
    for exposure in exposed {
        state.notify(Level::Error, exposure.message(lang));
    }
}

/// Starts the console's log in the data dir. When it cannot, the console still runs: the error
/// is returned with the path, for the status bar to say.
fn log_to_file(
    data_dir: &Path,
) -> Result<(PathBuf, tracing_appender::non_blocking::WorkerGuard), (PathBuf, std::io::Error)> {
    let path = data_dir.join(LOG_FILE);
    match crate::logging::init_file(&path) {
        Ok(guard) => Ok((path, guard)),
        Err(error) => Err((path, error)),
    }
}

/// Opens the console; returns when the user quits.
pub async fn open(overrides: &Overrides, demo: bool, lang: Lang) -> Result<(), LaunchError> {
    let keymap = load_keymap().map_err(LaunchError::Keymap)?;
    let setup = if demo {
        demo_setup(overrides).await?
    } else {
        account_setup(overrides)?
    };
    let store = open_index(&setup.index, &setup.data_dir)?;
    let logging = log_to_file(&setup.data_dir);
    let log = logging.as_ref().ok().map(|(path, _)| path.clone());
    let (api, actor) = actor::spawn(ActorConfig {
        clients: HashMap::from([(setup.account.clone(), setup.client.clone())]),
        rooms: setup.rooms.iter().cloned().collect(),
        store: store.clone(),
        max_in_flight: DEFAULT_MAX_IN_FLIGHT,
    });
    let (inbox_tx, inbox_rx) = mpsc::channel(1024);
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let mut state = State::new(lang, Utc::now(), setup.account.clone());
    state.offset = *chrono::Local::now().offset();
    // no-color.org: present and not empty.
    state.colour = std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    state.me = setup.me.clone();
    state.views = crate::console::views::Views::new(lang, &setup.views);
    state.nudges.mode = setup.notify;
    join_desk(&mut state, &store, &setup);
    let receiver = own_receiver(setup.receiver, &store).await?;
    if receiver.is_none() {
        say_how_chats_arrive(&mut state, &store);
    }
    if let Some((listener, secret)) = receiver {
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        state.receiver = Some(addr);
        let (events, _) = broadcast::channel(1024);
        forward_announcements(events.subscribe(), store.clone(), inbox_tx.clone());
        let receiver_state = Arc::new(ReceiverState {
            store: store.clone(),
            account: setup.account.clone(),
            secret,
            events,
            wake: wake.clone(),
            agilize_account: setup.rooms.as_ref().map(|(account, _)| account.clone()),
        });
        tokio::spawn(serve(
            listener,
            receiver_state,
            setup.receiver_limits,
            stopped.clone(),
        ));
    }
    start_background_fetches(
        &store,
        &api,
        &setup.account,
        setup.refresh_per_minute,
        wake,
        inbox_tx.clone(),
        stopped,
    );
    terminal::install_panic_hook(log.clone());
    warn_exposed(&mut state, &store, log.as_deref(), lang);
    if let Err((path, error)) = &logging {
        let path = path.display();
        state.notify(
            Level::Error,
            tr!(
                lang,
                "sem arquivo de log: não foi possível escrever em {path}: {error}",
                "no log file: cannot write {path}: {error}"
            ),
        );
    }
    let services = Services {
        api,
        store,
        inbox: inbox_rx,
        inbox_tx,
        journal: Some(crate::store::journal::AuditJournal::in_dir(&setup.data_dir)),
    };
    let outcome = run_on_terminal(state, &keymap, services).await?;
    let _ = stop.send(true);
    drop(actor);
    if let Some(sandbox) = setup.sandbox {
        let _ = sandbox.shutdown().await;
    }
    match outcome {
        Ok(None) => Ok(()),
        Ok(Some(signal)) => Err(LaunchError::Stopped(signal)),
        Err(error) => Err(LaunchError::TerminalFailed {
            detail: error.to_string(),
            log,
        }),
    }
}

/// Without a receiver of its own, where new chats come from: the desk's receivers in team mode,
/// nowhere until a webhook secret is set otherwise.
fn say_how_chats_arrive(state: &mut State, store: &Store) {
    let lang = state.lang;
    if store.is_shared() {
        let index = store.name();
        state.notify(
            Level::Info,
            tr!(
                lang,
                "modo equipe: {index}; as conversas chegam pelos receptores da equipe (balcao listen)",
                "team mode: {index}; chats arrive through the desk's receivers (balcao listen)"
            ),
        );
    } else {
        state.notify(
            Level::Info,
            lang.pick(
                "webhooks desligados: defina --webhook-secret para receber conversas novas",
                "webhooks off: set --webhook-secret to receive new chats",
            )
            .to_owned(),
        );
    }
}

/// The console's own receiver, bound: none in team mode, where the desk's receivers take the
/// webhooks and the change feed brings what they record.
async fn own_receiver(
    receiver: Option<(Receiver, SecretString)>,
    store: &Store,
) -> Result<Option<(TcpListener, SecretString)>, LaunchError> {
    Ok(match receiver {
        Some(_) if store.is_shared() => None,
        Some((Receiver::Bound(listener), secret)) => Some((listener, secret)),
        Some((Receiver::At(addr), secret)) => {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|error| LaunchError::Listen {
                    addr,
                    detail: error.to_string(),
                })?;
            Some((listener, secret))
        }
        None => None,
    })
}

/// Who this person is to the desk (the configured name; until rows show the CRM's name for the
/// account's `me` user, when there is one, the system user's), whether the index is shared, and
/// which accounts are this configuration's.
fn join_desk(state: &mut State, store: &Store, setup: &Setup) {
    let configured = setup.name.as_deref().filter(|name| !name.trim().is_empty());
    let desk = &mut state.desk;
    desk.viewer.who = crate::config::desk_name(configured, None);
    desk.named = configured.is_some() || !setup.me.contains_key(&setup.account);
    desk.shared = store.is_shared();
    desk.accounts = Some(setup.accounts.iter().cloned().collect());
}

/// Fetches of chats the index waits on, as rows for the console. They leave most of the actor's
/// cap to what the user asks for.
fn start_background_fetches(
    store: &Arc<Store>,
    api: &crate::api::actor::ApiHandle,
    account: &str,
    refresh_per_minute: u32,
    wake: Arc<Notify>,
    inbox_tx: mpsc::Sender<Msg>,
    stopped: watch::Receiver<bool>,
) {
    let (fetched_tx, mut fetched) = mpsc::channel(256);
    let settings = HydrationSettings {
        concurrency: BACKGROUND_FETCHES,
        refresh_per_minute,
        ..HydrationSettings::default()
    };
    spawn_scheduler(
        store.clone(),
        api.clone(),
        vec![account.to_owned()],
        settings,
        wake,
        fetched_tx,
        stopped,
    );
    tokio::spawn(async move {
        while let Some(summary) = fetched.recv().await {
            if inbox_tx.send(Msg::RowChanged(summary)).await.is_err() {
                return;
            }
        }
    });
}

/// Each chat a webhook announces reaches the console as a changed row.
fn forward_announcements(
    mut events: broadcast::Receiver<InboxEvent>,
    store: Arc<Store>,
    console: mpsc::Sender<Msg>,
) {
    tokio::spawn(async move {
        loop {
            let key = match events.recv().await {
                Ok(InboxEvent::ChatAnnounced(key) | InboxEvent::ChatHydrated(key)) => key,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let store = store.clone();
            let summary = tokio::task::spawn_blocking(move || store.summary(&key).ok().flatten())
                .await
                .ok()
                .flatten();
            if let Some(summary) = summary
                && console.send(Msg::RowChanged(summary)).await.is_err()
            {
                return;
            }
        }
    });
}
