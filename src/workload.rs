//! Who holds what: each agent's load (open chats, unread messages, windows closing within the
//! hour, the customer waiting longest), computed from index rows alone. The console's workload
//! overlay shows it; a batch's preview compares it before and after.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::inbox::{closing_soon, contact, fold, waiting_since};
use crate::store::{ChatKey, ChatSummary};

/// Whether a chat counts as open: its status is `open` (in any case: Wegly writes `OPEN`, Agilize
/// `open`), it is not archived, and the CRM still has it. Resolved, snoozed and closed chats
/// are held by nobody's workload.
pub fn is_open(row: &ChatSummary) -> bool {
    row.columns
        .status
        .as_deref()
        .is_some_and(|status| status.trim().eq_ignore_ascii_case("open"))
        && !row.columns.archived
        && !row.gone
}

/// The customer who has waited longest for an answer: they wrote last, at `since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The chat.
    pub key: ChatKey,
    /// The customer, by name (else number, else the chat's id).
    pub contact: String,
    /// When their last message came.
    pub since: DateTime<Utc>,
}

impl Waiting {
    /// How long they have waited at `now` (never negative).
    pub fn waited(&self, now: DateTime<Utc>) -> TimeDelta {
        (now - self.since).max(TimeDelta::zero())
    }
}

/// One agent's (or nobody's) load, counting open chats only (see [`is_open`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// Open chats held.
    pub open: usize,
    /// Unread messages across those chats.
    pub unread: i64,
    /// Those chats whose `WhatsApp` window is open and closes within the hour.
    pub closing_within_hour: usize,
    /// Among those chats, the customer who wrote last and has waited longest.
    pub longest_wait: Option<Waiting>,
}

impl Load {
    /// Counts one more row (a closed one counts nothing).
    pub fn add(&mut self, row: &ChatSummary, now: DateTime<Utc>) {
        if !is_open(row) {
            return;
        }
        self.open += 1;
        self.unread += row.columns.unread.max(0);
        if closing_soon(row, now) {
            self.closing_within_hour += 1;
        }
        // Waiting: the customer wrote last (an unknown side is not counted as waiting).
        if let Some(since) = waiting_since(row) {
            let longer = self
                .longest_wait
                .as_ref()
                .is_none_or(|longest| (since, &row.key) < (longest.since, &longest.key));
            if longer {
                self.longest_wait = Some(Waiting {
                    key: row.key.clone(),
                    contact: contact(row).to_owned(),
                    since,
                });
            }
        }
    }
}

/// The load of whatever rows are given (one agent's, before or after a batch), at `now`.
pub fn load<'a>(rows: impl IntoIterator<Item = &'a ChatSummary>, now: DateTime<Utc>) -> Load {
    let mut load = Load::default();
    for row in rows {
        load.add(row, now);
    }
    load
}

/// Whose load a row of the workload is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Agent {
    /// The responsible with this user id (lowercase).
    User(String),
    /// Chats with no responsible.
    Unassigned,
}

impl Agent {
    /// The agent a row is held by.
    pub fn of(row: &ChatSummary) -> Self {
        Self::holding(row.columns.responsible_user_id.as_deref())
    }

    /// The agent whose user id is `user_id` (none, or a blank one, is nobody): who a chat is
    /// held by, or will be after a batch moves it.
    pub fn holding(user_id: Option<&str>) -> Self {
        match user_id.map(str::trim) {
            Some(id) if !id.is_empty() => Self::User(id.to_ascii_lowercase()),
            _ => Self::Unassigned,
        }
    }

    /// The list filter that shows this agent's chats: `responsible:ID` or `responsible:none`.
    pub fn filter(&self) -> String {
        match self {
            Self::User(id) => format!("responsible:{id}"),
            Self::Unassigned => "responsible:none".to_owned(),
        }
    }
}

/// One row of the workload: an agent, the name the rows give them, and their load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// Who.
    pub agent: Agent,
    /// Their name as the rows give it (`None` for the unassigned row, or when no row names
    /// them).
    pub name: Option<String>,
    /// What they hold.
    pub load: Load,
}

/// The name a row gives its responsible, and how recent that row is: the name on the row heard
/// of last wins, so a renamed agent shows by their new name.
type Named<'a> = (Option<DateTime<Utc>>, &'a str);

/// Every agent responsible for at least one of `rows` (even if none of their chats is open: an
/// idle agent is one to hand chats to), sorted by open chats held (most first), then by name;
/// then one row for the chats with no responsible, always last.
pub fn loads<'a>(
    rows: impl IntoIterator<Item = &'a ChatSummary>,
    now: DateTime<Utc>,
) -> Vec<AgentLoad> {
    let mut by_agent: HashMap<Agent, (Load, Option<Named<'a>>)> = HashMap::new();
    by_agent.insert(Agent::Unassigned, (Load::default(), None));
    for row in rows {
        let (load, name) = by_agent.entry(Agent::of(row)).or_default();
        load.add(row, now);
        let heard = row.last_event_at.or(row.hydrated_at);
        if let Some(new) = row
            .columns
            .responsible_name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            && name.is_none_or(|(at, old)| (heard, new) > (at, old))
        {
            *name = Some((heard, new));
        }
    }
    let unassigned = by_agent
        .remove(&Agent::Unassigned)
        .map(|(load, _)| load)
        .unwrap_or_default();
    let mut agents: Vec<AgentLoad> = by_agent
        .into_iter()
        .map(|(agent, (load, name))| AgentLoad {
            agent,
            name: name.map(|(_, name)| name.to_owned()),
            load,
        })
        .collect();
    agents.sort_by_cached_key(|row| {
        (
            std::cmp::Reverse(row.load.open),
            row.name.as_deref().map(fold),
            row.agent.clone(),
        )
    });
    agents.push(AgentLoad {
        agent: Agent::Unassigned,
        name: None,
        load: unassigned,
    });
    agents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Columns, Source};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()
    }

    const ANA: &str = "0b7c0f3e-6a51-4c8e-9d0a-1f2e3d4c5b6a";
    const JOAO: &str = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";

    fn chat(id: &str, responsible: Option<(&str, &str)>, columns: Columns) -> ChatSummary {
        ChatSummary {
            key: ChatKey::wegly("default", id),
            columns: Columns {
                status: columns.status.or(Some("OPEN".to_owned())),
                responsible_user_id: responsible.map(|(id, _)| id.to_owned()),
                responsible_name: responsible.map(|(_, name)| name.to_owned()),
                ..columns
            },
            first_seen_at: now(),
            last_event_at: Some(now()),
            hydrated_at: Some(now()),
            source: Source::Webhook,
            gone: false,
            needs_hydration: false,
            last_error: None,
        }
    }

    fn waiting(minutes: i64, contact: &str) -> Columns {
        Columns {
            contact: Some(contact.to_owned()),
            last_message_at: Some(now() - TimeDelta::minutes(minutes)),
            last_message_from_me: Some(false),
            ..Columns::default()
        }
    }

    fn find<'a>(rows: &'a [AgentLoad], agent: &Agent) -> &'a AgentLoad {
        rows.iter().find(|row| &row.agent == agent).unwrap()
    }

    #[test]
    fn each_figure_counts_open_chats_only() {
        let ana = Some((ANA, "Ana Conceição"));
        let rows = vec![
            chat(
                "a1",
                ana,
                Columns {
                    unread: 3,
                    window_ends_at: Some(now() + TimeDelta::minutes(20)),
                    ..waiting(90, "Márcio Araújo")
                },
            ),
            chat(
                "a2",
                ana,
                Columns {
                    unread: 2,
                    // Exactly an hour left: closing within the hour.
                    window_ends_at: Some(now() + TimeDelta::minutes(60)),
                    ..waiting(30, "Sofia")
                },
            ),
            chat(
                "a3",
                ana,
                Columns {
                    unread: 0,
                    // Open for longer, and already closed: neither is closing.
                    window_ends_at: Some(now() + TimeDelta::minutes(61)),
                    // The agent wrote last: nobody waits here, however old.
                    last_message_at: Some(now() - TimeDelta::hours(5)),
                    last_message_from_me: Some(true),
                    ..Columns::default()
                },
            ),
            chat(
                "a4",
                ana,
                Columns {
                    window_ends_at: Some(now() - TimeDelta::minutes(1)),
                    // Side unknown: not counted as waiting.
                    last_message_at: Some(now() - TimeDelta::hours(9)),
                    ..Columns::default()
                },
            ),
            // Closed chats count nothing, not even their unread and old waits.
            chat(
                "a5",
                ana,
                Columns {
                    status: Some("RESOLVED".to_owned()),
                    unread: 40,
                    window_ends_at: Some(now() + TimeDelta::minutes(5)),
                    ..waiting(600, "Resolvido")
                },
            ),
            chat(
                "a6",
                ana,
                Columns {
                    archived: true,
                    unread: 7,
                    ..waiting(700, "Arquivado")
                },
            ),
        ];
        let all = loads(&rows, now());
        let ana = find(&all, &Agent::User(ANA.to_owned()));
        assert_eq!(ana.name.as_deref(), Some("Ana Conceição"));
        assert_eq!(ana.load.open, 4);
        assert_eq!(ana.load.unread, 5);
        assert_eq!(ana.load.closing_within_hour, 2);
        let longest = ana.load.longest_wait.as_ref().unwrap();
        assert_eq!(longest.contact, "Márcio Araújo");
        assert_eq!(longest.key.chat_id, "a1");
        assert_eq!(longest.waited(now()), TimeDelta::minutes(90));
        // The same figures for the same rows through `load`.
        assert_eq!(load(&rows, now()), ana.load);
    }

    #[test]
    fn unassigned_chats_are_one_row_always_last() {
        let rows = vec![
            chat("u1", None, waiting(5, "Zé")),
            chat("u2", None, waiting(50, "Lúcia")),
            chat("u3", Some(("  ", "")), Columns::default()),
            chat("j1", Some((JOAO, "João")), Columns::default()),
        ];
        let all = loads(&rows, now());
        assert_eq!(all.len(), 2);
        let last = all.last().unwrap();
        assert_eq!(last.agent, Agent::Unassigned);
        assert_eq!(last.load.open, 3, "a blank responsible id is nobody");
        assert_eq!(
            last.load.longest_wait.as_ref().map(|w| w.contact.as_str()),
            Some("Lúcia")
        );
        assert_eq!(last.agent.filter(), "responsible:none");
        assert_eq!(all[0].agent.filter(), format!("responsible:{JOAO}"));
        // With no rows at all there is still the unassigned row, empty.
        let none = loads(&[], now());
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].load, Load::default());
    }

    #[test]
    fn sorted_by_open_chats_then_name() {
        let beto = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
        let open = Columns::default;
        let closed = || Columns {
            status: Some("CLOSED".to_owned()),
            ..Columns::default()
        };
        let rows = vec![
            chat("b1", Some((beto, "Beto")), open()),
            chat("j1", Some((JOAO, "joão")), open()),
            chat("a1", Some((ANA, "Ana")), open()),
            chat("a2", Some((ANA, "Ana")), open()),
            // Only closed chats: still listed (someone to hand chats to), with nothing open.
            chat(
                "c1",
                Some(("c0ffee00-0000-4000-8000-000000000000", "Carla")),
                closed(),
            ),
        ];
        let all = loads(&rows, now());
        let names: Vec<(Option<&str>, usize)> = all
            .iter()
            .map(|row| (row.name.as_deref(), row.load.open))
            .collect();
        assert_eq!(
            names,
            vec![
                (Some("Ana"), 2),
                (Some("Beto"), 1),
                // Names compare folded: "joão" after "Beto", whatever the case.
                (Some("joão"), 1),
                (Some("Carla"), 0),
                (None, 0),
            ]
        );
    }

    #[test]
    fn the_latest_row_names_the_agent_and_ids_ignore_case() {
        let mut old = chat("j1", Some((JOAO, "João Velho")), Columns::default());
        old.last_event_at = Some(now() - TimeDelta::days(1));
        let new = chat(
            "j2",
            Some((&JOAO.to_ascii_uppercase(), "João Novo")),
            Columns::default(),
        );
        let all = loads([&new, &old], now());
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name.as_deref(), Some("João Novo"));
        assert_eq!(all[0].load.open, 2);
        assert_eq!(all[0].agent, Agent::User(JOAO.to_owned()));
    }
}
