//! Taking a change or a batch back: from its audit entries (`read_batch` finds them in the
//! log), each chat that was changed goes back to what it was, if nobody changed it since (the
//! undo re-reads it first, or the change compares for itself). The others are listed with the
//! reason and left alone.

use crate::batch::plan::Planned;
use crate::batch::revert::{Irreversible, UndoNote, may_be_there};
use crate::i18n::Lang;
use crate::store::{AuditEntry, AuditQuery, ChatKey, Provider, Store, StoreError};

/// Why an entry of the batch is not taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotUndone {
    /// The change was not made (refused, failed, skipped, not sent).
    NotMade(String),
    /// It cannot be taken back.
    Cannot(Irreversible),
    /// Its entry does not say how (written before balcão kept it, or by another program).
    NoRecord,
}

impl NotUndone {
    /// In words.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Self::NotMade(outcome) => crate::tr!(
                lang,
                "a mudança não foi feita ({outcome})",
                "the change was not made ({outcome})"
            ),
            Self::Cannot(why) => why.words(lang).to_owned(),
            Self::NoRecord => lang
                .pick(
                    "o registro não diz como desfazer",
                    "the entry does not say how to undo it",
                )
                .to_owned(),
        }
    }
}

/// What undoing a batch would do.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    /// The batch taken back.
    pub batch: String,
    /// The chats it puts back.
    pub items: Vec<Planned>,
    /// The entries it leaves, and why.
    pub left: Vec<(AuditEntry, NotUndone)>,
}

/// The latest batch among `entries` (newest first, as the audit log reads them).
pub fn last_batch(entries: &[AuditEntry]) -> Option<String> {
    entries.iter().find_map(|entry| entry.batch.clone())
}

/// A person's latest entries the last batch is looked for in (an entry written before balcão
/// kept batches has none, and is passed over).
const LAST_BATCH_REACH: usize = 50;
/// Entries read for one batch at most: far more than any batch a person makes.
const BATCH_ENTRIES: usize = 1_000_000;

/// The batch to take back and its entries: `batch`, or else the latest one `by` made (`None`
/// when the log has none of theirs).
pub fn read_batch(
    store: &Store,
    batch: Option<String>,
    by: &str,
) -> Result<Option<(String, Vec<AuditEntry>)>, StoreError> {
    let batch = if let Some(batch) = batch {
        batch
    } else {
        let latest = store.audit_query(&AuditQuery {
            by: Some(by.to_owned()),
            limit: LAST_BATCH_REACH,
            ..AuditQuery::default()
        })?;
        let Some(batch) = last_batch(&latest) else {
            return Ok(None);
        };
        batch
    };
    let entries = store.audit_query(&AuditQuery {
        batch: Some(batch.clone()),
        limit: BATCH_ENTRIES,
        ..AuditQuery::default()
    })?;
    Ok(Some((batch, entries)))
}

/// Plans taking back batch `batch` from its entries. `contact` names a chat for people (the
/// console's rows know it; the command line may not).
pub fn plan_undo(
    batch: &str,
    entries: &[AuditEntry],
    contact: impl Fn(&ChatKey) -> Option<String>,
) -> UndoPlan {
    let mut items = Vec::new();
    let mut left = Vec::new();
    // Oldest first, and one step per chat: its latest entry in the batch is what is there now.
    let mut seen = std::collections::HashSet::new();
    let mut ordered: Vec<&AuditEntry> = entries
        .iter()
        .filter(|entry| entry.batch.as_deref() == Some(batch))
        .collect();
    ordered.sort_by_key(|entry| entry.at);
    for entry in ordered.iter().rev() {
        if !seen.insert((entry.key.clone(), entry.action.clone())) {
            continue;
        }
        let note = entry.undo.as_deref().and_then(UndoNote::from_text);
        match note {
            _ if !may_be_there(&entry.outcome) => {
                left.push(((*entry).clone(), NotUndone::NotMade(entry.outcome.clone())));
            }
            Some(UndoNote::Revert(revert)) => {
                // A Wegly reassignment compares the responsible itself before writing.
                let checks_itself = entry.key.provider == Provider::Wegly
                    && matches!(
                        revert.change,
                        crate::api::Change::Reassign {
                            expected: Some(_),
                            ..
                        }
                    );
                let undo = revert.inverse();
                items.push(Planned {
                    key: entry.key.clone(),
                    contact: contact(&entry.key).unwrap_or_else(|| entry.key.chat_id.clone()),
                    from: expected_responsible(&revert.change),
                    from_name: entry.after.clone(),
                    change: revert.change.clone(),
                    check: (!checks_itself).then_some(revert.expect),
                    undo,
                    warnings: Vec::new(),
                });
            }
            Some(UndoNote::Cannot(why)) => left.push(((*entry).clone(), NotUndone::Cannot(why))),
            None => left.push(((*entry).clone(), NotUndone::NoRecord)),
        }
    }
    items.reverse();
    UndoPlan {
        batch: batch.to_owned(),
        items,
        left,
    }
}

/// The responsible a reassignment expects to find (who the undone change put there).
fn expected_responsible(change: &crate::api::Change) -> Option<String> {
    match change {
        crate::api::Change::Reassign { expected, .. } => expected.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::*;
    use crate::api::{Change, Scope};

    /// A confirmed reassignment of `chat` from `from` to `to`, `minutes` after the batch began.
    fn reassigned(batch: &str, chat: &str, from: &str, to: &str, minutes: i64) -> AuditEntry {
        let change = Change::Reassign {
            to: to.to_owned(),
            expected: Some(from.to_owned()),
            scope: Scope::CHAT,
        };
        AuditEntry {
            at: Utc::now() + TimeDelta::minutes(minutes),
            key: ChatKey::agilize("desk", chat),
            action: change.audit_action().to_owned(),
            request: None,
            before: Some(from.to_owned()),
            after: Some(to.to_owned()),
            outcome: "confirmed".to_owned(),
            http_status: Some(200),
            by: Some("Ana".to_owned()),
            batch: Some(batch.to_owned()),
            undo: Some(UndoNote::of(&change, None, Some(from)).to_text()),
        }
    }

    #[test]
    fn a_change_logged_twice_is_taken_back_once_and_steps_go_oldest_first() {
        let first = reassigned("b", "room-1", "ana", "bia", 0);
        let second = reassigned("b", "room-2", "ana", "bia", 1);
        let mut not_made = reassigned("b", "room-3", "ana", "bia", 2);
        "refused".clone_into(&mut not_made.outcome);
        let elsewhere = reassigned("other", "room-4", "ana", "bia", 3);
        // Newest first, as the audit log reads them; the first entry was written twice (kept in
        // the journal, then flushed again after the index had taken it).
        let entries = [elsewhere, not_made.clone(), second, first.clone(), first];
        let plan = plan_undo("b", &entries, |_| None);
        let chats: Vec<&str> = plan.items.iter().map(|i| i.key.chat_id.as_str()).collect();
        assert_eq!(chats, ["room-1", "room-2"]);
        for item in &plan.items {
            assert_eq!(
                item.change,
                Change::Reassign {
                    to: "ana".to_owned(),
                    expected: Some("bia".to_owned()),
                    scope: Scope::CHAT,
                }
            );
            assert_eq!(item.from.as_deref(), Some("bia"));
        }
        assert_eq!(
            plan.left,
            [(not_made, NotUndone::NotMade("refused".to_owned()))]
        );
    }
}
