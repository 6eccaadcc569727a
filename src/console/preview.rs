//! A batch's picker and preview: the targets' stored details make the picker's candidates (the
//! agents who may take them, or their members); the person picked makes the plan, shown in
//! words with each agent's load before → after (counted by `crate::workload`, as the workload
//! overlay counts it).

use std::collections::{BTreeMap, HashMap};

use crate::api::Conversation;
use crate::api::{Assignee, Capability, Change, supports};
use crate::batch::plan::Candidate;
use crate::batch::{self, Intent, Planned};
use crate::console::modal::{
    BatchKind, BatchModal, LoadChange, Modal, Pick, Preview, PreviewItem, PreviewLeft, Reassign,
    Stage,
};
use crate::console::msg::{Command, RequestId};
use crate::console::state::{Level, State};
use crate::i18n::Lang;
use crate::store::{ChatKey, Presence};
use crate::tr;
use crate::workload::{Agent, Load, loads};

/// The targets' stored details arrived: the picker opens.
pub fn details_read(
    state: &mut State,
    id: RequestId,
    details: Vec<(ChatKey, Option<Box<Conversation>>)>,
) -> Vec<Command> {
    let lang = state.lang;
    let Some(reading) = state.batches.reading.take_if(|reading| reading.id == id) else {
        return Vec::new();
    };
    let details: HashMap<ChatKey, Conversation> = details
        .into_iter()
        .filter_map(|(key, detail)| detail.map(|detail| (key, *detail)))
        .collect();
    let candidates = match reading.kind {
        BatchKind::Reassign => assignees(state, &reading.targets, &details),
        BatchKind::RemoveParticipant => members(&reading.targets, &details),
    };
    if candidates.is_empty() {
        let text = lang.pick(
            "ninguém a escolher: o índice não guarda o detalhe destas conversas (abra-as antes)",
            "nobody to pick: the index holds no detail of these chats (open them first)",
        );
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    let n = reading.targets.len();
    let holders: Vec<String> = reading
        .targets
        .iter()
        .filter_map(|key| state.inbox.row(key))
        .filter_map(|row| row.summary.columns.responsible_name.clone())
        .fold(Vec::new(), |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        });
    let reassign = reading.kind == BatchKind::Reassign;
    let picker = Reassign {
        key: reading.targets[0].clone(),
        contact: tr!(lang, "{n} conversa(s)", "{n} chat(s)"),
        candidates: candidates.into_iter().map(Into::into).collect(),
        query: String::new(),
        cursor: 0,
        scope: crate::api::Scope::CHAT,
        leads_and_deals: reassign
            && reading
                .targets
                .iter()
                .all(|key| supports(key.provider, Capability::ReassignLeadsDeals)),
        expected: None,
        expected_name: (!holders.is_empty()).then(|| holders.join(", ")),
        error: None,
        stage: Stage::Editing,
    };
    state.modal = Some(Modal::Batch(BatchModal::Pick(Pick {
        kind: reading.kind,
        targets: reading.targets,
        details,
        picker,
    })));
    Vec::new()
}

/// Everyone who may take any of the targets (the stored details' assignable agents, and the
/// responsibles the list shows, where a room names nobody).
fn assignees(
    state: &State,
    targets: &[ChatKey],
    details: &HashMap<ChatKey, Conversation>,
) -> Vec<Assignee> {
    let known: Vec<String> = state
        .inbox
        .rows()
        .iter()
        .filter(|row| targets.iter().any(|t| t.account == row.summary.key.account))
        .filter_map(|row| row.summary.columns.responsible_user_id.clone())
        .collect();
    let mut union: BTreeMap<String, Assignee> = BTreeMap::new();
    for key in targets {
        if let Some(detail) = details.get(key) {
            for assignee in detail.assignees(&known) {
                union
                    .entry(assignee.user_id.to_ascii_lowercase())
                    .or_insert(assignee);
            }
        }
    }
    by_name(union)
}

/// Everyone in any of the targets (the stored details' members).
fn members(targets: &[ChatKey], details: &HashMap<ChatKey, Conversation>) -> Vec<Assignee> {
    let mut union: BTreeMap<String, Assignee> = BTreeMap::new();
    for detail in targets.iter().filter_map(|key| details.get(key)) {
        for member in detail.members() {
            union
                .entry(member.user_id.to_ascii_lowercase())
                .or_insert(Assignee {
                    user_id: member.user_id,
                    name: member.name,
                    status: None,
                });
        }
    }
    by_name(union)
}

fn by_name(union: BTreeMap<String, Assignee>) -> Vec<Assignee> {
    let mut list: Vec<Assignee> = union.into_values().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
    list
}

/// The person picked: the plan, shown as the preview (or the picker says why not).
pub fn preview(state: &mut State, mut pick: Pick) -> Vec<Command> {
    let (lang, now) = (state.lang, state.now);
    let Some(chosen) = pick.picker.chosen().cloned() else {
        pick.picker.error = Some(
            lang.pick("ninguém corresponde ao filtro", "nobody matches the filter")
                .to_owned(),
        );
        state.modal = Some(Modal::Batch(BatchModal::Pick(pick)));
        return Vec::new();
    };
    let intent = match pick.kind {
        BatchKind::Reassign if !pick.picker.scope.any() => {
            pick.picker.error = Some(
                lang.pick(
                    "nada mudaria: ligue ao menos uma opção entre conversa, leads e negócios",
                    "nothing would change: turn on at least one of chat, leads or deals",
                )
                .to_owned(),
            );
            state.modal = Some(Modal::Batch(BatchModal::Pick(pick)));
            return Vec::new();
        }
        BatchKind::Reassign => Intent::Reassign {
            to: chosen.user_id.clone(),
            to_name: chosen.name.clone(),
            scope: pick.picker.scope,
        },
        BatchKind::RemoveParticipant => Intent::RemoveParticipant {
            user: chosen.user_id.clone(),
            name: chosen.name.clone(),
        },
    };
    let presence: Vec<Presence> = pick
        .targets
        .iter()
        .flat_map(|key| state.desk.on(key).iter().cloned())
        .collect();
    let candidates: Vec<Candidate<'_>> = pick
        .targets
        .iter()
        .filter_map(|key| state.inbox.row(key))
        .map(|row| Candidate {
            summary: &row.summary,
            detail: pick.details.get(&row.summary.key),
        })
        .collect();
    let plan = batch::plan(&intent, &candidates, &presence, &state.desk.viewer.who, now);
    let n = plan.items.len();
    let (title, verb) = match &intent {
        Intent::Reassign { to_name, .. } => (
            tr!(
                lang,
                " Prévia · reatribuir {n} conversa(s) a {to_name} ",
                " Preview · reassign {n} chat(s) to {to_name} "
            ),
            lang.pick("reatribuir", "reassign"),
        ),
        Intent::RemoveParticipant { name, .. } => (
            tr!(
                lang,
                " Prévia · tirar {name} de {n} conversa(s) ",
                " Preview · take {name} out of {n} chat(s) "
            ),
            lang.pick("remover", "remove"),
        ),
    };
    let to_name = |_: &Planned| chosen.name.clone();
    let items = plan
        .items
        .iter()
        .map(|planned| PreviewItem {
            contact: planned.contact.clone(),
            change: change_words(lang, planned, &chosen.name),
            warnings: planned
                .warnings
                .iter()
                .map(|w| w.words(lang, now))
                .collect(),
        })
        .collect();
    let left = plan
        .left
        .iter()
        .map(|left| PreviewLeft {
            contact: left.contact.clone(),
            reason: left.reason.words(lang),
        })
        .collect();
    let preview = Preview {
        title,
        items,
        left,
        loads: load_of(state, &plan.items, to_name),
        planned: plan.items,
        verb: verb.to_owned(),
        back: Some(pick),
        scroll: 0,
    };
    state.modal = Some(Modal::Batch(BatchModal::Preview(preview)));
    Vec::new()
}

/// What a planned change does to its chat, in words; `to` names the person it is about.
pub fn change_words(lang: Lang, planned: &Planned, to: &str) -> String {
    let from = planned
        .holder()
        .unwrap_or_else(|| lang.pick("ninguém", "nobody"));
    match &planned.change {
        Change::Reassign { scope, .. } if scope.chat => format!("{from} → {to}"),
        Change::Reassign { .. } => tr!(lang, "leads/negócios → {to}", "leads/deals → {to}"),
        Change::RemoveParticipant { .. } => tr!(lang, "{to} sai", "{to} leaves"),
        Change::Conclude => lang.pick("concluir", "conclude").to_owned(),
        Change::Reopen => lang.pick("reabrir", "reopen").to_owned(),
        Change::SetDepartment(department) => {
            tr!(
                lang,
                "departamento → {department}",
                "department → {department}"
            )
        }
        Change::SetTags(tags) => {
            let tags = tags.join(", ");
            tr!(lang, "tags → [{tags}]", "tags → [{tags}]")
        }
    }
}

/// The load of each agent a planned reassignment moves a chat from or to (in the order they first
/// appear: each chat's from, then its to), before → after, counted as the workload counts it.
/// `to_name` names the person a chat goes to, for one no row names yet.
pub fn load_of(
    state: &State,
    planned: &[Planned],
    to_name: impl Fn(&Planned) -> String,
) -> Vec<LoadChange> {
    let mut moved_to: HashMap<&ChatKey, Agent> = HashMap::new();
    // Each agent touched, with the name the plan gives them (the person a chat goes to).
    let mut touched: Vec<(Agent, Option<String>)> = Vec::new();
    for item in planned {
        let Change::Reassign { to, scope, .. } = &item.change else {
            continue;
        };
        if !scope.chat {
            continue;
        }
        let ends = [
            (item.from.as_deref(), None),
            (Some(to.as_str()), Some(to_name(item))),
        ];
        for (user_id, name) in ends {
            let agent = Agent::holding(user_id);
            if agent == Agent::Unassigned {
                continue;
            }
            match touched.iter_mut().find(|(known, _)| *known == agent) {
                Some((_, known)) => *known = known.take().or(name),
                None => touched.push((agent, name)),
            }
        }
        moved_to.insert(&item.key, Agent::holding(Some(to)));
    }
    let rows = || state.inbox.rows().iter().map(|row| &row.summary);
    let before = loads(rows(), state.now);
    let mut after: HashMap<Agent, Load> = HashMap::new();
    for row in rows() {
        let holder = moved_to
            .get(&row.key)
            .cloned()
            .unwrap_or_else(|| Agent::of(row));
        if touched.iter().any(|(agent, _)| *agent == holder) {
            after.entry(holder).or_default().add(row, state.now);
        }
    }
    touched
        .into_iter()
        .filter_map(|(agent, planned_name)| {
            let now = before.iter().find(|row| row.agent == agent);
            let Agent::User(id) = &agent else {
                return None;
            };
            Some(LoadChange {
                name: now
                    .and_then(|row| row.name.clone())
                    .or(planned_name)
                    .unwrap_or_else(|| id.clone()),
                before: now.map(|row| row.load.clone()).unwrap_or_default(),
                after: after.remove(&agent).unwrap_or_default(),
            })
        })
        .collect()
}
