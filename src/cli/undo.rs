//! `balcao undo [BATCH_ID]`: takes back a change or a batch from its audit entries — the last
//! one this person made, or the one named by its id or short id. Each chat goes back only if
//! nobody changed it since (it is re-read, or the change compares for itself); the others are
//! listed with the reason and left alone.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::batch::{self, NotUndone};
use crate::cli::CliError;
use crate::cli::args::{GlobalArgs, UndoArgs};
use crate::cli::open::{blocking, open_store};
use crate::cli::run_batch::{self, key_json, print_json};
use crate::config::resolve::{Resolved, resolve};
use crate::i18n::Lang;
use crate::store::{AuditEntry, AuditQuery, ChatKey, Store};
use crate::text::fit;
use crate::tr;

/// The recent entries a short id is looked for in.
const SHORT_ID_REACH: usize = 20_000;

/// Runs `balcao undo`.
pub async fn run(global: &GlobalArgs, args: UndoArgs, lang: Lang) -> Result<(), CliError> {
    let wanted = args
        .batch
        .as_deref()
        .map(|text| batch_text(text, lang))
        .transpose()?;
    let settings = resolve(&global.overrides())?;
    let (store, batch, entries, contacts) = read_batch(&settings, wanted, lang).await?;
    let undo = batch::plan_undo(&batch, &entries, |key| contacts.get(key).cloned());
    let short = batch::short_id(&batch).to_owned();
    if undo.items.is_empty() {
        crate::data_dir::release(store);
        if args.json {
            print_json(&json!({
                "undoes": batch,
                "batch": Value::Null,
                "counts": {"total": 0},
                "chats": [],
                "left": left_json(&undo.left, lang),
            }))?;
        } else {
            print_left(&undo.left, lang)?;
        }
        return Err(CliError::Failed(tr!(
            lang,
            "nada a desfazer no lote {short}: nenhuma de suas mudanças pode ser desfeita (cada uma está listada, com o motivo)",
            "nothing to undo in batch {short}: none of its changes can be taken back (each is listed, with the reason)"
        )));
    }
    let run = run_batch::execute(&settings, store, undo.items, lang).await?;
    if args.json {
        print_json(&json!({
            "undoes": batch,
            "batch": run.id,
            "short_id": batch::short_id(&run.id),
            "counts": run_batch::counts_json(&run.progress()),
            "chats": run_batch::outcomes_json(&run, lang),
            "left": left_json(&undo.left, lang),
        }))?;
    } else {
        println!(
            "{}",
            tr!(lang, "desfazendo o lote {short}:", "undoing batch {short}:")
        );
        run_batch::print_outcomes(&run, lang)?;
        print_left(&undo.left, lang)?;
    }
    run_batch::verdict(&run, lang)?;
    let kept = undo.left.iter().filter(|(_, why)| unmet(why)).count();
    if kept > 0 {
        return Err(CliError::Failed(tr!(
            lang,
            "{kept} mudança(s) do lote {short} não puderam ser desfeitas (cada uma está listada, com o motivo)",
            "{kept} change(s) of batch {short} could not be taken back (each is listed, with the reason)"
        )));
    }
    Ok(())
}

/// What a batch undoes: the index, the batch's id, its entries and its chats' contacts.
type Found = (
    Arc<Store>,
    String,
    Vec<AuditEntry>,
    HashMap<ChatKey, String>,
);

/// Finds the batch (`wanted`, else this person's last) and reads its entries.
async fn read_batch(
    settings: &Resolved,
    wanted: Option<String>,
    lang: Lang,
) -> Result<Found, CliError> {
    let by = settings.desk_name();
    let opened = settings.clone();
    let found = blocking(move || {
        let store = open_store(&opened, lang)?;
        let wanted = wanted
            .map(|text| find_batch(&store, &text, lang))
            .transpose()?;
        let Some((batch, entries)) = batch::undo::read_batch(&store, wanted, &by)? else {
            // Off the async threads already: the index closes here.
            drop(store);
            return Ok::<_, CliError>(Err(by));
        };
        // The batch's chats are named as its plan named them; only their rows are read.
        let mut contacts: HashMap<ChatKey, String> = HashMap::new();
        for entry in &entries {
            if let Entry::Vacant(slot) = contacts.entry(entry.key.clone())
                && let Some(row) = store.summary(&entry.key)?
            {
                slot.insert(crate::inbox::contact(&row).to_owned());
            }
        }
        Ok(Ok((store, batch, entries, contacts)))
    })
    .await?;
    found.map_err(|by| {
        // Nothing to take back is not done: exit 1, saying why.
        CliError::Failed(tr!(
            lang,
            "nada a desfazer: o registro de auditoria não tem mudança de {by} (dê o id do lote: `balcao audit` os mostra)",
            "nothing to undo: the audit log has no change by {by} (give the batch id: `balcao audit` shows them)"
        ))
    })
}

/// Whether an entry left alone still holds a change the person asked to take back: one that
/// was never made needs no undo.
fn unmet(why: &NotUndone) -> bool {
    !matches!(why, NotUndone::NotMade(_))
}

/// A batch id as typed: its full form or a prefix of at least 8 characters of it (hex digits
/// and dashes). Checked before the index is opened.
pub fn batch_text(text: &str, lang: Lang) -> Result<String, CliError> {
    let id = text.trim().to_ascii_lowercase();
    let shaped =
        id.len() >= 8 && id.len() <= 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if shaped {
        Ok(id)
    } else {
        Err(CliError::Usage(tr!(
            lang,
            "'{text}' não é um id de lote: dê o id inteiro ou seus 8 primeiros caracteres, como `balcao audit` os mostra",
            "'{text}' is not a batch id: give the whole id or its first 8 characters, as `balcao audit` shows them"
        )))
    }
}

/// The one batch in the audit log whose id is `text` or starts with it. None, or several
/// sharing the prefix, is a usage error (the several are listed).
pub fn find_batch(store: &Store, text: &str, lang: Lang) -> Result<String, CliError> {
    let full = uuid::Uuid::parse_str(text).is_ok();
    let query = if full {
        AuditQuery {
            batch: Some(text.to_owned()),
            limit: 1,
            ..AuditQuery::default()
        }
    } else {
        AuditQuery {
            limit: SHORT_ID_REACH,
            ..AuditQuery::default()
        }
    };
    let entries = store.audit_query(&query)?;
    let matching: BTreeSet<String> = entries
        .iter()
        .filter_map(|entry| entry.batch.as_deref())
        .filter(|batch| batch.starts_with(text))
        .map(str::to_owned)
        .collect();
    let mut found = matching.into_iter();
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(CliError::Usage(tr!(
            lang,
            "nenhum lote {text} no registro de auditoria (`balcao audit` mostra os lotes recentes)",
            "no batch {text} in the audit log (`balcao audit` shows the recent batches)"
        ))),
        (Some(first), Some(second)) => {
            let all: Vec<String> = [first, second].into_iter().chain(found).collect();
            let all = all.join(", ");
            Err(CliError::Usage(tr!(
                lang,
                "vários lotes começam com {text}: {all}; dê mais caracteres do id",
                "several batches start with {text}: {all}; give more of the id"
            )))
        }
    }
}

fn left_json(left: &[(AuditEntry, NotUndone)], lang: Lang) -> Vec<Value> {
    left.iter()
        .map(|(entry, why)| {
            let mut value = key_json(&entry.key);
            if let Value::Object(map) = &mut value {
                map.insert("action".into(), json!(entry.action));
                map.insert("outcome".into(), json!(entry.outcome));
                map.insert("reason".into(), json!(why.words(lang)));
            }
            value
        })
        .collect()
}

/// The entries left alone, and why.
fn print_left(left: &[(AuditEntry, NotUndone)], lang: Lang) -> Result<(), CliError> {
    if left.is_empty() {
        return Ok(());
    }
    let count = left.len();
    let heading = tr!(
        lang,
        "{count} mudança(s) ficam como estão:",
        "{count} change(s) left as they are:"
    );
    let lines = left.iter().map(|(entry, why)| {
        [
            fit(&entry.key.chat_id, 36),
            fit(&entry.action, 22),
            why.words(lang),
        ]
        .join(" ")
    });
    run_batch::print_list(&heading, lines)
}
