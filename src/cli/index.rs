//! `balcao listen`, `balcao add`, `balcao inbox ...`: the inbox index from the command line.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use tokio::net::TcpListener;
use tokio::sync::{Notify, broadcast, watch};

use crate::api::reads::{Fetch, hydrate_one};
use crate::cli::args::{GlobalArgs, InboxCommand, ListenArgs};
use crate::cli::open::{blocking, open_blocking};
use crate::cli::rows::{filter_with_me, json_line, table_line};
use crate::cli::signals::StopSignals;
use crate::cli::{CliError, output_ended};
use crate::config::resolve::resolve;
use crate::data_dir::release;
use crate::hydrate::{HydrationSettings, spawn_scheduler};
use crate::i18n::Lang;
use crate::inbox::{Scorer, Word, select};
use crate::store::{ChatKey, ChatSummary, Source, Store};
use crate::text::fit;
use crate::tr;
use crate::webhook::receiver::ReceiverState;

/// Receiver plus hydration, until SIGINT or SIGTERM.
pub async fn listen(global: &GlobalArgs, args: &ListenArgs, lang: Lang) -> Result<(), CliError> {
    let settings = resolve(&global.overrides())?;
    let Some(secret) = settings.webhook_secret.clone() else {
        return Err(CliError::Usage(tr!(
            lang,
            "listen precisa do segredo dos webhooks: --webhook-secret, BALCAO_WEBHOOK_SECRET ou [receiver] secret_env/secret_file na configuração",
            "listen needs the webhook secret: --webhook-secret, BALCAO_WEBHOOK_SECRET, or [receiver] secret_env/secret_file in the configuration"
        )));
    };
    let account = settings.account().clone();
    let client = settings.wegly_client(&account)?;
    // Before the first line: a stop asked for once `listen` has said it listens ends it cleanly.
    let signals = StopSignals::new().map_err(|error| CliError::Failed(error.to_string()))?;
    let store = open_blocking(&settings, lang).await?;
    let bind = args.bind.unwrap_or(settings.listen);
    let listener = TcpListener::bind(bind).await.map_err(|error| {
        CliError::Failed(tr!(
            lang,
            "não foi possível escutar em {bind}: {error}",
            "cannot listen on {bind}: {error}"
        ))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|error| CliError::Failed(error.to_string()))?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    let index = store.name();
    eprintln!(
        "{}",
        tr!(
            lang,
            "recebendo webhooks da Wegly em http://{addr}/webhooks/wegly; índice {index}",
            "receiving Wegly webhooks at http://{addr}/webhooks/wegly; index {index}"
        )
    );
    let (events, _) = broadcast::channel(1024);
    let wake = Arc::new(Notify::new());
    let held = store.clone();
    let state = Arc::new(ReceiverState {
        store: store.clone(),
        account: account.name.clone(),
        secret,
        events: events.clone(),
        wake: wake.clone(),
        agilize_account: settings
            .agilize_account()
            .map(|account| account.name.clone()),
    });
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(crate::webhook::serve::serve(
        listener,
        state,
        settings.config.receiver_limits,
        stopped.clone(),
    ));
    let hydration = HydrationSettings {
        concurrency: usize::from(args.concurrency),
        stale_after: Duration::from_secs(args.stale_after.max(1)),
        refresh_per_minute: args
            .refresh_per_minute
            .or(settings.config.refresh_per_minute)
            .unwrap_or(crate::hydrate::DEFAULT_REFRESH_PER_MINUTE),
    };
    let (api, actor) = crate::api::actor::spawn(crate::api::actor::ActorConfig {
        clients: HashMap::from([(account.name.clone(), client)]),
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight: hydration.concurrency,
    });
    // Rows changed by fetches need no one here: the index is the output.
    let (fetched_tx, mut fetched) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move { while fetched.recv().await.is_some() {} });
    let hydrator = spawn_scheduler(
        store,
        api,
        vec![account.name.clone()],
        hydration,
        wake,
        fetched_tx,
        stopped,
    );
    signals.next().await;
    let _ = stop.send(true);
    if let Err(error) = server.await {
        tracing::error!(%error, "the webhook receiver ended abnormally");
    }
    let _ = hydrator.await;
    // The scheduler held the last request handle: the actor ends, and with it its hold on the
    // index, so that this one is the last and closes it off the async threads.
    if let Err(error) = actor.await {
        tracing::error!(%error, "the API actor ended abnormally");
    }
    release(held);
    Ok(())
}

/// Ids from the arguments, or from stdin (split on whitespace and commas) when given `-`.
fn read_ids(ids: Vec<String>) -> Result<Vec<String>, CliError> {
    if ids.iter().any(|id| id == "-") {
        let mut all: Vec<String> = ids.into_iter().filter(|id| id != "-").collect();
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|error| CliError::Failed(error.to_string()))?;
            all.extend(
                line.split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        Ok(all)
    } else {
        Ok(ids)
    }
}

/// The line `add` prints for one id, and whether it counts as a failure.
async fn add_report(
    store: &Arc<Store>,
    id: &str,
    key: ChatKey,
    new: bool,
    outcome: Fetch,
    lang: Lang,
) -> Result<(String, bool), CliError> {
    let failed = !matches!(outcome, Fetch::Hydrated(_));
    let line = match outcome {
        // The row the fetch stored: no need to read it back.
        Fetch::Hydrated(summary) => {
            let contact = summary.columns.contact.unwrap_or_default();
            if new {
                tr!(
                    lang,
                    "{id}  adicionada: {contact}",
                    "{id}  added: {contact}"
                )
            } else {
                tr!(
                    lang,
                    "{id}  atualizada: {contact}",
                    "{id}  refreshed: {contact}"
                )
            }
        }
        Fetch::Gone if new => {
            // An id nobody has: it never becomes a permanent "gone" row.
            let stored = store.clone();
            blocking(move || stored.remove_chat(&key)).await?;
            tr!(
                lang,
                "{id}  não existe na Wegly (HTTP 404); não foi adicionada",
                "{id}  not found in Wegly (HTTP 404); not added"
            )
        }
        Fetch::Gone => {
            tr!(
                lang,
                "{id}  não existe mais na Wegly (HTTP 404); fica no índice marcada como removida (`balcao inbox remove {id}` a tira)",
                "{id}  no longer exists in Wegly (HTTP 404); kept in the index, marked gone (`balcao inbox remove {id}` removes it)"
            )
        }
        Fetch::Failed(reason) | Fetch::RateLimited { reason, .. } => {
            tr!(
                lang,
                "{id}  guardada, não buscada: {reason}; será buscada depois (`balcao listen` ou o console)",
                "{id}  stored, not fetched: {reason}; it will be fetched later (`balcao listen` or the console)"
            )
        }
    };
    Ok((line, failed))
}

/// Stores each valid id, fetches it, and reports each one; exit 1 if any failed.
pub async fn add(global: &GlobalArgs, ids: Vec<String>, lang: Lang) -> Result<(), CliError> {
    let ids = read_ids(ids)?;
    if ids.is_empty() {
        return Err(CliError::Usage(tr!(
            lang,
            "nenhum id recebido",
            "no ids given"
        )));
    }
    let settings = resolve(&global.overrides())?;
    let account = settings.account().clone();
    let client = settings.wegly_client(&account)?;
    let store = open_blocking(&settings, lang).await?;
    let added = add_to(&store, &client, &account.name, &ids, lang).await;
    release(store);
    let failures = added?;
    if failures == 0 {
        Ok(())
    } else {
        let total = ids.len();
        Err(CliError::Failed(tr!(
            lang,
            "{failures} de {total} ids falharam",
            "{failures} of {total} ids failed"
        )))
    }
}

/// `add`'s work on the open index; returns how many ids failed.
async fn add_to(
    store: &Arc<Store>,
    client: &crate::api::wegly::WeglyClient,
    account: &str,
    ids: &[String],
    lang: Lang,
) -> Result<usize, CliError> {
    let mut failures = 0;
    let mut valid = Vec::new();
    let mut given = HashSet::new();
    for id in ids {
        if let Ok(uuid) = uuid::Uuid::parse_str(id.trim()) {
            let key = ChatKey::wegly(account, &uuid.to_string());
            if !given.insert(key.clone()) {
                // Another spelling of an id already given: one chat, one fetch. A set, not a
                // scan of the ids so far: a list piped from stdin can be long.
                continue;
            }
            let stored = store.clone();
            let noted = key.clone();
            let new =
                blocking(move || stored.note_chat(&noted, Source::Manual, Utc::now())).await?;
            valid.push((id.clone(), key, new));
        } else {
            failures += 1;
            println!(
                "{}",
                tr!(
                    lang,
                    "{id}  inválido: não é um UUID",
                    "{id}  invalid: not a UUID"
                )
            );
        }
    }
    let outcomes: Vec<(String, ChatKey, bool, Fetch)> = futures_util::stream::iter(valid)
        .map(|(id, key, new)| {
            let store = store.clone();
            let client = client.clone();
            async move {
                let outcome = hydrate_one(&store, &client, &key).await;
                (id, key, new, outcome)
            }
        })
        .buffered(crate::hydrate::DEFAULT_CONCURRENCY)
        .collect()
        .await;
    for (id, key, new, outcome) in outcomes {
        let (line, failed) = add_report(store, &id, key, new, outcome, lang).await?;
        failures += usize::from(failed);
        println!("{line}");
    }
    Ok(failures)
}

/// `inbox list`, `inbox remove` and `inbox watch`.
pub async fn inbox(global: &GlobalArgs, command: InboxCommand, lang: Lang) -> Result<(), CliError> {
    let settings = resolve(&global.overrides())?;
    match command {
        InboxCommand::Watch { json, filter } => {
            crate::cli::watch::run(&settings, json, filter, lang).await
        }
        InboxCommand::Assign(args) => {
            Box::pin(crate::cli::batch::assign(&settings, args, lang)).await
        }
        InboxCommand::RemoveParticipant(args) => {
            Box::pin(crate::cli::batch::remove_participant(&settings, args, lang)).await
        }
        InboxCommand::List { json, filter } => {
            let (filter, me) = filter_with_me(&settings, filter.as_deref(), lang)?;
            let store = open_blocking(&settings, lang).await?;
            // Only the chats every text word finds are built as summaries (most of a filtered
            // list's time is reading them); `select` then applies the whole filter to those.
            let words: Vec<Word> = filter.words().cloned().collect();
            let rows = blocking(move || {
                let words: Vec<&Word> = words.iter().collect();
                let mut scorer = Scorer::default();
                store.summaries_where(&mut |row| scorer.score_text(row, &words).is_some())
            })
            .await?;
            let now = Utc::now();
            print_rows(&select(&rows, &filter, &me, now), json, lang, now)
        }
        InboxCommand::Remove { id } => {
            let key = ChatKey::wegly(&settings.account().name, id.trim());
            let store = open_blocking(&settings, lang).await?;
            let removed = blocking(move || store.remove_chat(&key)).await?;
            if removed {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "{id}  removida do índice (continua no CRM)",
                        "{id}  removed from the index (it stays in the CRM)"
                    )
                );
                Ok(())
            } else {
                Err(CliError::Failed(tr!(
                    lang,
                    "{id} não está no índice",
                    "{id} is not in the index"
                )))
            }
        }
    }
}

fn print_rows(
    rows: &[&ChatSummary],
    json: bool,
    lang: Lang,
    now: chrono::DateTime<Utc>,
) -> Result<(), CliError> {
    // Buffered: a locked stdout alone writes (a system call) at every line.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut written = Ok(());
    if json {
        for row in rows {
            written = written.and_then(|()| writeln!(out, "{}", json_line(row)));
        }
    } else if rows.is_empty() {
        eprintln!(
            "{}",
            tr!(
                lang,
                "nenhuma conversa. Elas chegam por webhooks (`balcao listen`), por `balcao add ID` ou quando você cria uma; experimente `balcao --demo`.",
                "no chats. They arrive through webhooks (`balcao listen`), `balcao add ID`, or when you create one; try `balcao --demo`."
            )
        );
    } else {
        let header = [
            fit(lang.pick("PRIOR.", "PRIO"), 8),
            fit("STATUS", 9),
            fit(lang.pick("CONTATO", "CONTACT"), 26),
            fit(lang.pick("RESPONSÁVEL", "RESPONSIBLE"), 18),
            fit(lang.pick("N/L", "UNRD"), 4),
            fit(lang.pick("ÚLTIMA", "LAST"), 14),
            fit(lang.pick("JANELA", "WINDOW"), 24),
            "ID".to_owned(),
        ];
        written = writeln!(out, "{}", header.join(" "));
        for row in rows {
            written = written.and_then(|()| writeln!(out, "{}", table_line(row, lang, now)));
        }
    }
    output_ended(written.and_then(|()| out.flush()))
}
