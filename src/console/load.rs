//! Each agent's load, before and after a batch moves chats between them: open chats held, unread
//! messages on them, and windows closing within the hour. Pure: computed from the list's rows and
//! the batch's moves. (The workload view computes the same figures; the two meet in one module
//! when both are in.)

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::batch::plan::CLOSING_WITHIN;
use crate::store::{ChatKey, ChatSummary};

/// One agent's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Load {
    /// Open chats they hold.
    pub open: usize,
    /// Unread messages on those chats.
    pub unread: i64,
    /// Those chats whose window closes within the hour.
    pub closing: usize,
}

impl Load {
    fn add(&mut self, chat: &ChatSummary, now: DateTime<Utc>) {
        self.open += 1;
        self.unread += chat.columns.unread.max(0);
        self.closing += usize::from(closes_soon(chat, now));
    }
}

/// One agent's load before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// Their name (their user id when no row names them).
    pub name: String,
    /// Before the batch.
    pub before: Load,
    /// After it.
    pub after: Load,
}

/// A chat moving: which, from whom (user id), to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The chat.
    pub key: ChatKey,
    /// Its responsible now.
    pub from: Option<String>,
    /// Its responsible after.
    pub to: String,
    /// The new responsible's name, for an agent no row names yet.
    pub to_name: String,
}

fn closes_soon(chat: &ChatSummary, now: DateTime<Utc>) -> bool {
    chat.columns
        .window_ends_at
        .is_some_and(|ends| ends > now && ends - now <= CLOSING_WITHIN)
}

/// The load of every agent a move touches, before and after, in the order they first appear
/// (each chat's from, then its to). `rows` is every row the console holds; a moved chat
/// that is concluded or gone moves nothing.
pub fn loads<'a>(
    rows: impl Iterator<Item = &'a ChatSummary>,
    moves: &[Move],
    now: DateTime<Utc>,
) -> Vec<AgentLoad> {
    let fold = |id: &str| id.to_ascii_lowercase();
    let mut order: Vec<String> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for m in moves {
        for (id, name) in [
            (m.from.as_deref(), None),
            (Some(m.to.as_str()), Some(&m.to_name)),
        ] {
            let Some(id) = id else { continue };
            if !order.contains(&fold(id)) {
                order.push(fold(id));
            }
            if let Some(name) = name {
                names.entry(fold(id)).or_insert_with(|| name.clone());
            }
        }
    }
    let new_holder: HashMap<&ChatKey, String> =
        moves.iter().map(|m| (&m.key, fold(&m.to))).collect();
    let mut before: HashMap<String, Load> = HashMap::new();
    let mut after: HashMap<String, Load> = HashMap::new();
    for chat in rows {
        let holder = chat.columns.responsible_user_id.as_deref().map(fold);
        if let (Some(holder), Some(name)) = (&holder, &chat.columns.responsible_name)
            && order.contains(holder)
        {
            names.insert(holder.clone(), name.clone());
        }
        if chat.gone || chat.columns.archived {
            continue;
        }
        if let Some(holder) = holder.as_ref().filter(|h| order.contains(h)) {
            before.entry(holder.clone()).or_default().add(chat, now);
        }
        let next = new_holder.get(&chat.key).cloned().or(holder);
        if let Some(next) = next.filter(|n| order.contains(n)) {
            after.entry(next).or_default().add(chat, now);
        }
    }
    order
        .into_iter()
        .map(|id| AgentLoad {
            name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
            before: before.get(&id).copied().unwrap_or_default(),
            after: after.get(&id).copied().unwrap_or_default(),
        })
        .collect()
}
