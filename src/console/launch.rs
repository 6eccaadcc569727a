//! Starting the console: on the configured account(s), or on a bundled sandbox (`--demo`).
//! Everything that can be wrong is found before the terminal is touched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::{Notify, broadcast, mpsc, watch};

use crate::api::actor::{self, ActorConfig, DEFAULT_MAX_IN_FLIGHT};
use crate::api::http::Timeouts;
use crate::api::wegly::{WeglyClient, WeglyConfig};
use crate::cli::CliError;
use crate::cli::args::GlobalArgs;
use crate::config::resolve::resolve;
use crate::console::app::{self, Services};
use crate::console::keymap::Keymap;
use crate::console::msg::Msg;
use crate::console::state::{Level, State};
use crate::console::terminal;
use crate::hydrate::{HydrationSettings, spawn_scheduler};
use crate::i18n::Lang;
use crate::sandbox::seed::Seed;
use crate::sandbox::{self, RunningSandbox, SandboxConfig, WebhookTarget};
use crate::store::Store;
use crate::webhook::InboxEvent;
use crate::webhook::receiver::ReceiverState;
use crate::webhook::serve::serve;
use crate::{config, tr};

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

/// `~/.config/balcao/keymap.toml`, or `BALCAO_KEYMAP`.
pub fn user_keymap_path() -> Option<PathBuf> {
    std::env::var_os("BALCAO_KEYMAP")
        .map(PathBuf::from)
        .or_else(|| config::project_dirs().map(|dirs| dirs.config_dir().join("keymap.toml")))
}

/// The defaults with the user's file over them, or every problem with file and line.
pub fn load_keymap() -> Result<Keymap, Vec<config::Problem>> {
    let Some(path) = user_keymap_path().filter(|path| path.exists()) else {
        return Keymap::defaults();
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Keymap::load(Some((&path, &text))),
        Err(error) => Err(vec![config::Problem {
            file: path,
            line: None,
            message: format!("cannot read the keymap: {error}"),
        }]),
    }
}

fn problems_error(problems: &[config::Problem], lang: Lang) -> CliError {
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let list = list.join("\n  ");
    CliError::Usage(tr!(
        lang,
        "o mapa de teclas tem problemas:\n  {list}\n(o console não abriu; `balcao check-config` lista todos)",
        "the keymap has problems:\n  {list}\n(the console did not start; `balcao check-config` lists them all)"
    ))
}

/// What the console runs on.
struct Setup {
    account: String,
    client: WeglyClient,
    data_dir: PathBuf,
    receiver: Option<(TcpListener, SecretString)>,
    rooms: Option<(String, crate::api::agilize::AgilizeClient)>,
    sandbox: Option<RunningSandbox>,
    _temp: Option<tempfile::TempDir>,
    me: HashMap<String, String>,
    /// Background refreshes of stale chats per minute.
    refresh_per_minute: u32,
    /// The receiver's timeouts and caps (`[receiver]`; the defaults for the demo).
    receiver_limits: crate::webhook::ReceiverLimits,
}

async fn demo_setup(global: &GlobalArgs) -> Result<Setup, CliError> {
    let failed = |error: std::io::Error| CliError::Failed(error.to_string());
    let listener = TcpListener::bind(global.listen.unwrap_or_else(|| {
        "127.0.0.1:0"
            .parse()
            .unwrap_or(crate::config::resolve::DEFAULT_LISTEN)
    }))
    .await
    .map_err(failed)?;
    let receiver_addr = listener.local_addr().map_err(failed)?;
    let secret = uuid::Uuid::new_v4().to_string();
    let token = uuid::Uuid::new_v4().to_string();
    let agilize_key = uuid::Uuid::new_v4().to_string();
    let seed = Seed::bundled().map_err(|error| CliError::Failed(error.to_string()))?;
    let running = sandbox::start(SandboxConfig {
        bind: "127.0.0.1:0"
            .parse()
            .map_err(|_| CliError::Failed("bind".to_owned()))?,
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
    .map_err(|error| CliError::Failed(error.to_string()))?;
    // The demo's index lives in a fresh temporary folder unless --data-dir says otherwise.
    let (data_dir, temp) = if let Some(dir) = &global.data_dir {
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
        receiver: Some((listener, SecretString::from(secret))),
        rooms: Some((
            DEMO_AGILIZE_ACCOUNT.to_owned(),
            crate::api::agilize::AgilizeClient::new(crate::api::agilize::AgilizeConfig {
                base_url: running.url(),
                key: SecretString::from(agilize_key),
                timeouts: Timeouts::default(),
            })
            .map_err(|error| CliError::Failed(error.to_string()))?,
        )),
        sandbox: Some(running),
        _temp: temp,
        me: HashMap::new(),
    })
}

async fn account_setup(global: &GlobalArgs, lang: Lang) -> Result<Setup, CliError> {
    let settings = resolve(global, lang)?;
    let account = settings.account().clone();
    if account.token.is_none() {
        return Err(CliError::Usage(tr!(
            lang,
            "nenhuma conta configurada: defina WEGLY_TOKEN (ou --token) e, se preciso, WEGLY_BASE_URL, ou crie ~/.config/balcao/config.toml com [[accounts]] (veja o README). Para experimentar sem conta: balcao --demo",
            "no account configured: set WEGLY_TOKEN (or --token) and, if needed, WEGLY_BASE_URL, or create ~/.config/balcao/config.toml with [[accounts]] (see the README). To try it without an account: balcao --demo"
        )));
    }
    let client = settings.wegly_client(&account, lang)?;
    let data_dir = settings.data_dir(lang)?;
    let receiver = match settings.webhook_secret.clone() {
        Some(secret) => {
            let bind = settings.listen;
            let listener = TcpListener::bind(bind).await.map_err(|error| {
                CliError::Failed(tr!(
                    lang,
                    "não foi possível escutar em {bind}: {error}",
                    "cannot listen on {bind}: {error}"
                ))
            })?;
            Some((listener, secret))
        }
        None => None,
    };
    let me = settings
        .accounts
        .iter()
        .filter_map(|a| a.me.clone().map(|me| (a.name.clone(), me)))
        .collect();
    let rooms = match settings.agilize_account() {
        Some(account) if account.token.is_some() => Some(settings.agilize_client(lang)?),
        _ => None,
    }
    .map(|(account, client)| (account.name, client));
    Ok(Setup {
        account: account.name,
        client,
        data_dir,
        receiver,
        rooms,
        sandbox: None,
        _temp: None,
        me,
        receiver_limits: settings.config.receiver_limits,
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
    lang: Lang,
) -> Result<std::io::Result<Option<i32>>, CliError> {
    // Registered before the terminal is taken, so no signal arrives unhandled meanwhile.
    let signals = terminal::StopSignals::new().map_err(|error| {
        CliError::Failed(tr!(
            lang,
            "não foi possível tratar sinais: {error}",
            "cannot handle signals: {error}"
        ))
    })?;
    let (mut tui, _guard) =
        terminal::enter().map_err(|error| CliError::Failed(error.to_string()))?;
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

/// Starts the console's log in the data dir; when it cannot, the console still runs and says so.
fn log_to_file(
    data_dir: &Path,
) -> (
    Option<PathBuf>,
    Option<tracing_appender::non_blocking::WorkerGuard>,
) {
    let path = data_dir.join(LOG_FILE);
    match crate::logging::init_file(&path) {
        Ok(guard) => (Some(path), Some(guard)),
        Err(_) => (None, None),
    }
}

/// Opens the console; returns when the user quits.
pub async fn open(global: &GlobalArgs, demo: bool, lang: Lang) -> Result<(), CliError> {
    let keymap = load_keymap().map_err(|problems| problems_error(&problems, lang))?;
    let setup = if demo {
        demo_setup(global).await?
    } else {
        account_setup(global, lang).await?
    };
    let store = crate::cli::open_index(&setup.data_dir, lang)?;
    let (log, _log_flush) = log_to_file(&setup.data_dir);
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
    state.me = setup.me.clone();
    if let Some((listener, secret)) = setup.receiver {
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
    let services = Services {
        api,
        store,
        inbox: inbox_rx,
        inbox_tx,
    };
    let outcome = run_on_terminal(state, &keymap, services, lang).await?;
    let _ = stop.send(true);
    drop(actor);
    if let Some(sandbox) = setup.sandbox {
        let _ = sandbox.shutdown().await;
    }
    match outcome {
        Ok(None) => Ok(()),
        Ok(Some(signal)) => Err(CliError::Signal(signal)),
        Err(error) => {
            let log = log.map(|p| p.display().to_string()).unwrap_or_default();
            Err(CliError::Failed(tr!(
                lang,
                "o terminal falhou: {error} (log: {log})",
                "the terminal failed: {error} (log: {log})"
            )))
        }
    }
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
