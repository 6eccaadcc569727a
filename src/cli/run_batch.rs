//! Running a batch from the command line (`inbox assign`, `inbox remove-participant`, `undo`):
//! the API actor on the configured accounts, the batch driven under its cap until every chat has
//! ended (or Ctrl-C stops sending the rest), each chat's audit entry recorded as it ends, and the
//! outcomes printed, one per chat, with the batch id that `balcao undo` takes.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::Change;
use crate::api::actor::{self, ActorConfig};
use crate::batch::{self, ItemState, Outcome, Planned, Progress, Run};
use crate::cli::record::Recorder;
use crate::cli::signals::StopSignals;
use crate::cli::{CliError, output_ended};
use crate::config::resolve::Resolved;
use crate::i18n::Lang;
use crate::store::{ChatKey, Provider, Store};
use crate::text::fit;
use crate::tr;

/// Runs `items` as one batch and prints each chat's outcome. Returns the run (every item
/// ended) for the caller's exit code.
pub async fn execute(
    settings: &Resolved,
    store: Arc<Store>,
    items: Vec<Planned>,
    lang: Lang,
) -> Result<Run, CliError> {
    // Before the first request: a Ctrl-C from now on stops sending, it never kills mid-write.
    let signals = StopSignals::new().map_err(|error| CliError::Failed(error.to_string()))?;
    let (clients, rooms) = clients(settings)?;
    let recorder = Recorder::with_store(store.clone(), settings, lang);
    let (api, task) = actor::spawn(ActorConfig {
        clients,
        rooms,
        store,
        max_in_flight: batch::DEFAULT_CONCURRENCY,
    });
    let mut run = Run::new(
        batch::new_batch_id(),
        recorder.by().to_owned(),
        items,
        batch::DEFAULT_CONCURRENCY,
    );
    let total = run.items.len();
    let tty = std::io::stderr().is_terminal();
    let recorder = &recorder;
    let mut ended = 0usize;
    batch::drive::drive(&api, &mut run, signals.next(), lang, |finished| {
        ended += 1;
        if tty {
            eprint!(
                "\r{}",
                tr!(lang, "{ended}/{total} conversas", "{ended}/{total} chats")
            );
        }
        async move { recorder.record(finished.entry).await }
    })
    .await;
    if tty && total > 0 {
        eprintln!();
    }
    // The last handle goes: the actor ends, and with it its hold on the index.
    drop(api);
    if let Err(error) = task.await {
        tracing::error!(%error, "the API actor ended abnormally");
    }
    Ok(run)
}

/// A client for every account that has its credentials: chats of an account without one fail,
/// each named, instead of stopping the whole batch.
type Clients = (
    HashMap<String, crate::api::wegly::WeglyClient>,
    HashMap<String, crate::api::agilize::AgilizeClient>,
);

fn clients(settings: &Resolved) -> Result<Clients, CliError> {
    let mut wegly = HashMap::new();
    for account in &settings.accounts {
        if account.provider == Provider::Wegly && account.token.is_some() {
            wegly.insert(account.name.clone(), settings.wegly_client(account)?);
        }
    }
    let mut rooms = HashMap::new();
    if settings
        .agilize_account()
        .is_some_and(|account| account.token.is_some())
    {
        let (account, client) = settings.agilize_client()?;
        rooms.insert(account.name, client);
    }
    Ok((wegly, rooms))
}

/// The word a chat's end is printed with.
fn outcome_word(state: &ItemState, lang: Lang) -> &'static str {
    match state {
        ItemState::Finished(outcome) => outcome.word(lang),
        ItemState::Queued | ItemState::Checking | ItemState::Writing => {
            lang.pick("pendente", "pending")
        }
    }
}

/// The outcome's key in `--json` (the same in both languages).
fn outcome_key(state: &ItemState) -> &'static str {
    match state {
        ItemState::Finished(Outcome::Done) => "done",
        ItemState::Finished(Outcome::Skipped(_)) => "skipped",
        ItemState::Finished(Outcome::Failed(_)) => "failed",
        ItemState::Finished(Outcome::Unknown(_)) => "unknown",
        ItemState::Finished(Outcome::NotSent) => "not_sent",
        ItemState::Queued | ItemState::Checking | ItemState::Writing => "pending",
    }
}

/// Why a chat ended as it did, in words (empty when done, or not ended).
fn reason(state: &ItemState, lang: Lang) -> String {
    match state {
        ItemState::Finished(outcome) => outcome.reason(lang),
        ItemState::Queued | ItemState::Checking | ItemState::Writing => String::new(),
    }
}

/// Who a change hands the chat to, or who it takes out.
pub fn target(change: &Change) -> Option<&str> {
    match change {
        Change::Reassign { to, .. } => Some(to),
        Change::RemoveParticipant { user_id } => Some(user_id),
        _ => None,
    }
}

/// A chat's key as `--json` writes it (the shape of `inbox watch --json`'s removed line).
pub fn key_json(key: &ChatKey) -> Value {
    json!({"account": key.account, "provider": key.provider, "id": key.chat_id})
}

/// The counts as `--json` writes them.
pub fn counts_json(progress: &Progress) -> Value {
    json!({
        "total": progress.total,
        "done": progress.done,
        "skipped": progress.skipped,
        "failed": progress.failed,
        "unknown": progress.unknown,
        "not_sent": progress.not_sent,
    })
}

/// Each chat's outcome as `--json` writes it.
pub fn outcomes_json(run: &Run, lang: Lang) -> Vec<Value> {
    run.items
        .iter()
        .map(|item| {
            let planned = &item.planned;
            let reason = reason(&item.state, lang);
            let mut value = key_json(&planned.key);
            if let Value::Object(map) = &mut value {
                map.insert("contact".into(), json!(planned.contact));
                map.insert("action".into(), json!(planned.change.audit_action()));
                map.insert("from".into(), json!(planned.from));
                map.insert("from_name".into(), json!(planned.from_name));
                map.insert("to".into(), json!(target(&planned.change)));
                map.insert("outcome".into(), json!(outcome_key(&item.state)));
                map.insert(
                    "reason".into(),
                    if reason.is_empty() {
                        Value::Null
                    } else {
                        json!(reason)
                    },
                );
            }
            value
        })
        .collect()
}

/// The outcomes as a table, on stdout: one line per chat, then the counts and the batch id.
pub fn print_outcomes(run: &Run, lang: Lang) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let header = [
        fit(lang.pick("RESULTADO", "OUTCOME"), 11),
        fit(lang.pick("CONVERSA", "CHAT"), 36),
        fit(lang.pick("CONTATO", "CONTACT"), 22),
        fit(lang.pick("DE → PARA", "FROM → TO"), 30),
        lang.pick("MOTIVO", "REASON").to_owned(),
    ];
    let mut written = writeln!(out, "{}", header.join(" "));
    for item in &run.items {
        let planned = &item.planned;
        let from = planned.holder().unwrap_or("—");
        let change = match &planned.change {
            Change::RemoveParticipant { user_id } => {
                tr!(lang, "sai {user_id}", "{user_id} leaves")
            }
            other => format!("{from} → {}", target(other).unwrap_or("—")),
        };
        let reason = reason(&item.state, lang);
        let line = [
            fit(outcome_word(&item.state, lang), 11),
            fit(&planned.key.chat_id, 36),
            fit(&planned.contact, 22),
            fit(&change, 30),
            reason,
        ];
        let line = line.join(" ");
        written =
            written.and_then(|()| writeln!(out, "{}", crate::text::printable(line.trim_end())));
    }
    let summary = summary(&run.progress(), &run.id, lang);
    written = written.and_then(|()| writeln!(out, "{summary}"));
    output_ended(written.and_then(|()| out.flush()))
}

/// `3 done, 1 skipped, 0 failed, 0 unknown; batch 1a2b3c4d (balcao undo 1a2b3c4d)`.
pub fn summary(progress: &Progress, id: &str, lang: Lang) -> String {
    let Progress {
        done,
        skipped,
        failed,
        unknown,
        not_sent,
        ..
    } = *progress;
    let short = batch::short_id(id);
    let mut text = tr!(
        lang,
        "{done} feita(s), {skipped} pulada(s), {failed} com falha, {unknown} incerta(s)",
        "{done} done, {skipped} skipped, {failed} failed, {unknown} unknown"
    );
    if not_sent > 0 {
        text.push_str(&tr!(
            lang,
            ", {not_sent} não enviada(s)",
            ", {not_sent} not sent"
        ));
    }
    text.push_str(&tr!(
        lang,
        "; lote {short} (desfaça com `balcao undo {short}`)",
        "; batch {short} (undo it with `balcao undo {short}`)"
    ));
    text
}

/// The command's end: exit 0 when every chat was done, else exit 1 naming how many were not
/// (each is named in the outcomes above).
pub fn verdict(run: &Run, lang: Lang) -> Result<(), CliError> {
    let progress = run.progress();
    if progress.all_done() {
        return Ok(());
    }
    let not = progress.total - progress.done;
    let total = progress.total;
    Err(CliError::Failed(tr!(
        lang,
        "{not} de {total} conversas não foram feitas (cada uma está listada, com o motivo)",
        "{not} of {total} chats were not done (each is listed, with the reason)"
    )))
}

/// A heading, then one indented line per entry, on stdout. Both hold names and values from
/// CRMs and people (the plan's heading names its target): no escape sequence reaches the
/// terminal.
pub fn print_list(heading: &str, lines: impl IntoIterator<Item = String>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let mut written = writeln!(out, "{}", crate::text::printable(heading));
    for line in lines {
        written =
            written.and_then(|()| writeln!(out, "  {}", crate::text::printable(line.trim_end())));
    }
    output_ended(written.and_then(|()| out.flush()))
}

/// One JSON document on stdout.
pub fn print_json(document: &Value) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    output_ended(writeln!(out, "{document}").and_then(|()| out.flush()))
}
