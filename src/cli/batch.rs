//! `balcao inbox assign` and `balcao inbox remove-participant`: the chats a filter selects in the
//! index (the same words and matcher as `inbox list --filter`), planned with what the index
//! stores of each, printed as a plan with `--dry-run`, else run as one batch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::{Conversation, Scope};
use crate::batch::plan::Candidate;
use crate::batch::{self, Intent, Left, Plan, Reason};
use crate::cli::CliError;
use crate::cli::args::{AssignArgs, BatchOutput, RemoveParticipantArgs};
use crate::cli::open::{blocking, open_store};
use crate::cli::rows::filter_with_me;
use crate::cli::run_batch::{self, key_json, print_json};
use crate::config::resolve::Resolved;
use crate::i18n::Lang;
use crate::inbox::select;
use crate::store::{ChatSummary, Presence, Provider, Store};
use crate::text::fit;
use crate::tr;

/// The chats a filter selected, each with its stored detail when the index holds one.
struct Selection {
    store: Arc<Store>,
    chats: Vec<(ChatSummary, Option<Conversation>)>,
    presence: Vec<Presence>,
}

/// `inbox assign`.
pub async fn assign(settings: &Resolved, args: AssignArgs, lang: Lang) -> Result<(), CliError> {
    let (filter, me) = filter_with_me(settings, Some(&args.filter), lang)?;
    let to = user_id(&args.to, "--to", lang)?;
    let scope = Scope {
        chat: true,
        leads: args.leads,
        deals: args.deals,
    };
    let selection = read_selection(settings, filter, me, lang).await?;
    check_user_for(&selection, &to, "--to", lang)?;
    let to_name = name_of(&selection, &to, true);
    let intent = Intent::Reassign { to, to_name, scope };
    go(settings, selection, &intent, args.output, lang).await
}

/// `inbox remove-participant`.
pub async fn remove_participant(
    settings: &Resolved,
    args: RemoveParticipantArgs,
    lang: Lang,
) -> Result<(), CliError> {
    let (filter, me) = filter_with_me(settings, Some(&args.filter), lang)?;
    let user = user_id(&args.user, "--user", lang)?;
    let selection = read_selection(settings, filter, me, lang).await?;
    check_user_for(&selection, &user, "--user", lang)?;
    let name = name_of(&selection, &user, false);
    let intent = Intent::RemoveParticipant { user, name };
    go(settings, selection, &intent, args.output, lang).await
}

/// Plans `intent` over the selection, then prints the plan (`--dry-run`, or nothing to send) or
/// runs it.
async fn go(
    settings: &Resolved,
    selection: Selection,
    intent: &Intent,
    output: BatchOutput,
    lang: Lang,
) -> Result<(), CliError> {
    let BatchOutput { dry_run, json } = output;
    let now = Utc::now();
    let Selection {
        store,
        chats,
        presence,
    } = selection;
    let candidates: Vec<Candidate<'_>> = chats
        .iter()
        .map(|(summary, detail)| Candidate {
            summary,
            detail: detail.as_ref(),
        })
        .collect();
    let plan = batch::plan(intent, &candidates, &presence, &settings.desk_name(), now);
    if chats.is_empty() {
        // Nothing matched: not a failure of the batch, which had nothing to do.
        eprintln!(
            "balcao: {}",
            lang.pick(
                "nenhuma conversa do índice corresponde ao filtro; nada a fazer",
                "no chat in the index matches the filter; nothing to do"
            )
        );
    }
    if dry_run || plan.is_empty() {
        crate::data_dir::release(store);
        print_plan(&plan, json, lang, now)?;
        if !dry_run && !plan.left.is_empty() {
            eprintln!(
                "balcao: {}",
                lang.pick(
                    "nada a enviar: todas as conversas selecionadas ficaram de fora",
                    "nothing to send: every selected chat was left out"
                )
            );
        }
        return if dry_run {
            Ok(())
        } else {
            left_verdict(&plan.left, lang)
        };
    }
    let left = plan.left;
    let run = run_batch::execute(settings, store, plan.items, lang).await?;
    if json {
        let document = json!({
            "batch": run.id,
            "short_id": batch::short_id(&run.id),
            "counts": run_batch::counts_json(&run.progress()),
            "chats": run_batch::outcomes_json(&run, lang),
            "left": left.iter().map(|l| left_json(l, lang)).collect::<Vec<_>>(),
        });
        print_json(&document)?;
    } else {
        run_batch::print_outcomes(&run, lang)?;
        print_left(&left, lang)?;
    }
    run_batch::verdict(&run, lang)?;
    left_verdict(&left, lang)
}

/// Whether a chat left out still lacks what was asked: one the target already holds, or where
/// the person already is no participant, is as wanted.
fn unmet(reason: &Reason) -> bool {
    !matches!(reason, Reason::AlreadyHeld | Reason::NotParticipant)
}

/// Exit 1 when a chat was left out that still lacks what was asked (named in the plan).
fn left_verdict(left: &[Left], lang: Lang) -> Result<(), CliError> {
    let unmet = left.iter().filter(|l| unmet(&l.reason)).count();
    if unmet == 0 {
        return Ok(());
    }
    Err(CliError::Failed(tr!(
        lang,
        "{unmet} conversa(s) ficaram de fora sem o que foi pedido (cada uma está listada, com o motivo)",
        "{unmet} chat(s) were left out without what was asked (each is listed, with the reason)"
    )))
}

/// Opens the index and reads the selected chats, their details and who is on which.
async fn read_selection(
    settings: &Resolved,
    filter: crate::inbox::Filter,
    me: std::collections::HashMap<String, String>,
    lang: Lang,
) -> Result<Selection, CliError> {
    let settings = settings.clone();
    blocking(move || {
        let store = open_store(&settings, lang)?;
        let rows = store.summaries()?;
        let now = Utc::now();
        let mut chats = Vec::new();
        for row in select(&rows, &filter, &me, now) {
            // A detail that cannot be read plans as one not fetched yet: the change still
            // compares before it writes.
            let detail = store
                .detail(&row.key)?
                .and_then(|raw| Conversation::decode(row.key.provider, &raw).ok());
            chats.push((row.clone(), detail));
        }
        // Presence is team mode's; an index that keeps none has nobody to warn of.
        let presence = store.presence(now).unwrap_or_default();
        Ok::<_, CliError>(Selection {
            store,
            chats,
            presence,
        })
    })
    .await
}

/// A user id as given: trimmed, and a UUID in its one lowercase spelling.
fn user_id(text: &str, what: &str, lang: Lang) -> Result<String, CliError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.contains(char::is_whitespace) {
        return Err(CliError::Usage(tr!(
            lang,
            "{what}: '{text}' não é um id de usuário; use o id do usuário (user.id), não o do agente",
            "{what}: '{text}' is not a user id; use the user's id (user.id), not the agent id"
        )));
    }
    Ok(uuid::Uuid::parse_str(trimmed).map_or_else(|_| trimmed.to_owned(), |id| id.to_string()))
}

/// Wegly takes only UUIDs for users: a selection with Wegly chats refuses any other id before
/// a request is sent.
fn check_user_for(
    selection: &Selection,
    user: &str,
    what: &str,
    lang: Lang,
) -> Result<(), CliError> {
    let wegly = selection
        .chats
        .iter()
        .any(|(summary, _)| summary.key.provider == Provider::Wegly);
    if wegly && uuid::Uuid::parse_str(user).is_err() {
        return Err(CliError::Usage(tr!(
            lang,
            "{what}: o id de usuário '{user}' não é um UUID; use o id do usuário (user.id), não o do agente",
            "{what}: user id '{user}' is not a UUID; use the user's id (user.id), not the agent id"
        )));
    }
    Ok(())
}

/// The person's name as a stored detail gives it (among who may take a chat, or its members),
/// else their id.
fn name_of(selection: &Selection, user: &str, assignee: bool) -> String {
    selection
        .chats
        .iter()
        .filter_map(|(_, detail)| detail.as_ref())
        .find_map(|detail| {
            if assignee {
                detail
                    .assignees(&[])
                    .into_iter()
                    .find(|a| a.user_id.eq_ignore_ascii_case(user))
                    .map(|a| a.name)
            } else {
                detail
                    .members()
                    .into_iter()
                    .find(|m| m.user_id.eq_ignore_ascii_case(user))
                    .map(|m| m.name)
            }
        })
        .unwrap_or_else(|| user.to_owned())
}

fn left_json(left: &Left, lang: Lang) -> Value {
    let mut value = key_json(&left.key);
    if let Value::Object(map) = &mut value {
        map.insert("contact".into(), json!(left.contact));
        map.insert("reason".into(), json!(left.reason.words(lang)));
    }
    value
}

/// The plan as `--dry-run --json` prints it.
fn plan_json(plan: &Plan, lang: Lang, now: DateTime<Utc>) -> Value {
    let (action, target) = match &plan.intent {
        Intent::Reassign { to, to_name, scope } => (
            "reassign",
            json!({"to": to, "to_name": to_name, "leads": scope.leads, "deals": scope.deals}),
        ),
        Intent::RemoveParticipant { user, name } => (
            "remove_participant",
            json!({"user": user, "user_name": name}),
        ),
    };
    let chats: Vec<Value> = plan
        .items
        .iter()
        .map(|item| {
            let mut value = key_json(&item.key);
            if let Value::Object(map) = &mut value {
                map.insert("contact".into(), json!(item.contact));
                map.insert("from".into(), json!(item.from));
                map.insert("from_name".into(), json!(item.from_name));
                map.insert("to".into(), json!(run_batch::target(&item.change)));
                let warnings: Vec<String> =
                    item.warnings.iter().map(|w| w.words(lang, now)).collect();
                map.insert("warnings".into(), json!(warnings));
            }
            value
        })
        .collect();
    json!({
        "dry_run": true,
        "action": action,
        "target": target,
        "counts": {
            "selected": plan.items.len() + plan.left.len(),
            "planned": plan.items.len(),
            "left": plan.left.len(),
        },
        "chats": chats,
        "left": plan.left.iter().map(|l| left_json(l, lang)).collect::<Vec<_>>(),
    })
}

/// The plan: each chat's from → to and warnings, then the chats left out and why.
fn print_plan(plan: &Plan, json: bool, lang: Lang, now: DateTime<Utc>) -> Result<(), CliError> {
    if json {
        return print_json(&plan_json(plan, lang, now));
    }
    let planned = plan.items.len();
    let heading = match &plan.intent {
        Intent::Reassign { to_name, .. } => tr!(
            lang,
            "{planned} conversa(s) passariam para {to_name}:",
            "{planned} chat(s) would go to {to_name}:"
        ),
        Intent::RemoveParticipant { name, .. } => tr!(
            lang,
            "{name} sairia de {planned} conversa(s):",
            "{name} would leave {planned} chat(s):"
        ),
    };
    let lines = plan.items.iter().map(|item| {
        let from = item.holder().unwrap_or("—");
        let warnings: Vec<String> = item.warnings.iter().map(|w| w.words(lang, now)).collect();
        [
            fit(&item.key.chat_id, 36),
            fit(&item.contact, 22),
            fit(from, 20),
            warnings.join("; "),
        ]
        .join(" ")
    });
    run_batch::print_list(&heading, lines)?;
    print_left(&plan.left, lang)
}

/// The chats left out, and why.
fn print_left(left: &[Left], lang: Lang) -> Result<(), CliError> {
    if left.is_empty() {
        return Ok(());
    }
    let count = left.len();
    let heading = tr!(
        lang,
        "{count} conversa(s) ficam de fora:",
        "{count} chat(s) left out:"
    );
    let lines = left.iter().map(|l| {
        [
            fit(&l.key.chat_id, 36),
            fit(&l.contact, 22),
            l.reason.words(lang),
        ]
        .join(" ")
    });
    run_batch::print_list(&heading, lines)
}
