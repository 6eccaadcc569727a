//! The console's side of a batch: its targets, the stored details read for the picker (off the
//! render path), the preview, and the run itself. The reducer holds the `batch::Run` and drives
//! it: it sends the run's calls with request ids of its own, feeds it each reply, writes each
//! chat's audit entry as it ends, shows what the CRM now says, and puts up the report.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::KeyEvent;

use crate::api::{Assignee, Capability, Change, Conversation, supports};
use crate::batch::plan::Candidate;
use crate::batch::{self, Intent, ItemState, Outcome, Planned, Run, Send, batch_id_for};
use crate::console::action::Action;
use crate::console::load::{Move, loads};
use crate::console::modal::{
    BatchKind, BatchModal, Modal, Pick, Preview, PreviewItem, PreviewLeft, Reassign, Report,
    ReportLine, Stage,
};
use crate::console::msg::{ApiEvent, ApiRequest, Command, RequestId};
use crate::console::outcome::apply_fresh;
use crate::console::state::{Connection, Level, State};
use crate::i18n::Lang;
use crate::store::{ChatKey, Presence};
use crate::tr;

/// How long the status bar offers to undo the last change (the undo itself works later too:
/// it reads the index).
pub const UNDO_OFFERED_FOR: TimeDelta = TimeDelta::minutes(10);

/// The console's batches: the details being read for one about to start, the one running, and
/// the last change made here (for the undo hint).
#[derive(Debug, Clone, Default)]
pub struct Batches {
    /// The stored details being read for a picker.
    reading: Option<Reading>,
    /// The stored details read, for the plan.
    details: HashMap<ChatKey, Conversation>,
    /// The batch running.
    pub running: Option<Running>,
    /// The last change (single or batch) this person made here.
    pub last: Option<LastChange>,
    /// The audit read for an undo, while it is under way.
    pub undo_reading: Option<RequestId>,
}

#[derive(Debug, Clone)]
struct Reading {
    id: RequestId,
    kind: BatchKind,
    targets: Vec<ChatKey>,
}

/// A batch running.
#[derive(Debug, Clone)]
pub struct Running {
    /// The state machine.
    pub run: Run,
    /// Its title, for the progress and the report.
    pub title: String,
    /// Each call in flight: its request id and the item it is for.
    sent: HashMap<RequestId, usize>,
    /// Since when the actor's queue left it with nothing in flight.
    stalled: Option<DateTime<Utc>>,
}

/// The last change made here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    /// Its batch id.
    pub batch: String,
    /// When it ended.
    pub at: DateTime<Utc>,
}

impl Batches {
    /// Whether request `id` is one of the running batch's calls.
    pub fn owns(&self, id: RequestId) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| running.sent.contains_key(&id))
    }

    /// Whether the running batch has `key` still to change (its row is busy).
    pub fn holds(&self, key: &ChatKey) -> bool {
        self.running.as_ref().is_some_and(|running| {
            running.run.items.iter().any(|item| {
                item.planned.key == *key && !matches!(item.state, ItemState::Finished(_))
            })
        })
    }

    /// Whether the status bar offers to undo the last change at `now`.
    pub fn undo_offered(&self, now: DateTime<Utc>) -> bool {
        self.running.is_none()
            && self
                .last
                .as_ref()
                .is_some_and(|last| now - last.at < UNDO_OFFERED_FOR)
    }
}

/// The chats a batch acts on. For now the selected chat; marks take its place when they land
/// (this is the one place that says which chats a batch is about).
pub fn batch_targets(state: &State) -> Vec<ChatKey> {
    state
        .inbox
        .selected_row()
        .map(|row| vec![row.summary.key.clone()])
        .unwrap_or_default()
}

/// `batch_reassign` or `batch_remove_participant`: reads the targets' stored details for the
/// picker, or says why nothing opens.
pub fn start(state: &mut State, kind: BatchKind) -> Vec<Command> {
    let lang = state.lang;
    if state.batches.running.is_some() {
        let text = lang.pick("um lote já está em andamento", "a batch is already running");
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    let targets = batch_targets(state);
    if targets.is_empty() {
        let text = lang.pick(
            "nenhuma conversa marcada ou selecionada: nada a fazer",
            "no chat marked or selected: nothing to do",
        );
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    let id = state.mint();
    state.batches.reading = Some(Reading {
        id,
        kind,
        targets: targets.clone(),
    });
    vec![Command::ReadDetails { id, keys: targets }]
}

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
    state.batches.details = details
        .into_iter()
        .filter_map(|(key, detail)| detail.map(|detail| (key, *detail)))
        .collect();
    let candidates = match reading.kind {
        BatchKind::Reassign => assignees(state, &reading.targets),
        BatchKind::RemoveParticipant => members(state, &reading.targets),
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
        picker,
    })));
    Vec::new()
}

/// Everyone who may take any of the targets (the stored details' assignable agents, and the
/// responsibles the list shows, where a room names nobody).
fn assignees(state: &State, targets: &[ChatKey]) -> Vec<Assignee> {
    let known: Vec<String> = state
        .inbox
        .rows()
        .iter()
        .filter(|row| targets.iter().any(|t| t.account == row.summary.key.account))
        .filter_map(|row| row.summary.columns.responsible_user_id.clone())
        .collect();
    let mut union: BTreeMap<String, Assignee> = BTreeMap::new();
    for key in targets {
        if let Some(detail) = state.batches.details.get(key) {
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
fn members(state: &State, targets: &[ChatKey]) -> Vec<Assignee> {
    let mut union: BTreeMap<String, Assignee> = BTreeMap::new();
    for detail in targets
        .iter()
        .filter_map(|key| state.batches.details.get(key))
    {
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

/// An action while a batch modal is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    let Some(Modal::Batch(modal)) = &mut state.modal else {
        return Vec::new();
    };
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => cancel(state),
        Action::Confirm => confirm(state),
        movement if movement.moves() => {
            modal.move_cursor(movement);
            Vec::new()
        }
        Action::ToggleUpdateChat | Action::ToggleUpdateLeads | Action::ToggleUpdateDeals => {
            if let BatchModal::Pick(pick) = modal {
                pick.picker.toggle(action);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A typed key: the picker's filter.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    if let Some(Modal::Batch(BatchModal::Pick(pick))) = &mut state.modal {
        pick.picker.typed(key);
    }
    Vec::new()
}

fn cancel(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Batch(BatchModal::Preview(preview))) => {
            state.modal = preview
                .back
                .map(|pick| Modal::Batch(BatchModal::Pick(pick)));
            Vec::new()
        }
        // Nothing more is sent; the calls in flight finish and are reported.
        Some(Modal::Batch(progress @ BatchModal::Progress { .. })) => {
            state.modal = Some(Modal::Batch(progress));
            let now = state.now;
            let ended = match &mut state.batches.running {
                Some(running) => running.run.cancel(now),
                None => Vec::new(),
            };
            let mut commands: Vec<Command> = ended
                .into_iter()
                .flat_map(|finished| ended_one(state, finished))
                .collect();
            commands.extend(finish_if_done(state));
            commands
        }
        _ => Vec::new(),
    }
}

fn confirm(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Batch(BatchModal::Pick(pick))) => preview(state, pick),
        Some(Modal::Batch(BatchModal::Preview(preview))) => {
            if preview.planned.is_empty() {
                let text = state.lang.pick(
                    "nada a fazer: nenhuma conversa mudaria",
                    "nothing to do: no chat would change",
                );
                state.notify(Level::Error, text.to_owned());
                return Vec::new();
            }
            run(state, preview.title, preview.planned)
        }
        Some(progress @ Modal::Batch(BatchModal::Progress { .. })) => {
            state.modal = Some(progress);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The person picked: the plan, shown as the preview (or the picker says why not).
fn preview(state: &mut State, mut pick: Pick) -> Vec<Command> {
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
            detail: state.batches.details.get(&row.summary.key),
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
        .from_name
        .clone()
        .or_else(|| planned.from.clone())
        .unwrap_or_else(|| lang.pick("ninguém", "nobody").to_owned());
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

/// Each agent's load before → after the planned reassignments.
pub fn load_of(
    state: &State,
    planned: &[Planned],
    to_name: impl Fn(&Planned) -> String,
) -> Vec<crate::console::load::AgentLoad> {
    let moves: Vec<Move> = planned
        .iter()
        .filter_map(|item| match &item.change {
            Change::Reassign { to, scope, .. } if scope.chat => Some(Move {
                key: item.key.clone(),
                from: item.from.clone(),
                to: to.clone(),
                to_name: to_name(item),
            }),
            _ => None,
        })
        .collect();
    let rows = state.inbox.rows().iter().map(|row| &row.summary);
    loads(rows, &moves, state.now)
}

/// Runs `planned` as a batch of its own id: the progress opens and the first calls go.
pub fn run(state: &mut State, title: String, planned: Vec<Planned>) -> Vec<Command> {
    let id = state.mint();
    let batch = batch_id_for(&state.desk.viewer.console, id.0);
    let by = state.desk.viewer.who.clone();
    for item in &planned {
        state.failed.remove(&item.key);
    }
    state.batches.running = Some(Running {
        run: Run::new(batch, by, planned, batch::DEFAULT_CONCURRENCY),
        title: title.clone(),
        sent: HashMap::new(),
        stalled: None,
    });
    state.modal = Some(Modal::Batch(BatchModal::Progress { title }));
    send_next(state)
}

/// The running batch's next calls, as many as its cap allows.
fn send_next(state: &mut State) -> Vec<Command> {
    let sends: Vec<Send> = match &mut state.batches.running {
        Some(running) => running.run.next_sends(),
        None => return Vec::new(),
    };
    let mut commands = Vec::new();
    for Send { item, call } in sends {
        let id = state.mint();
        if let Some(running) = &mut state.batches.running {
            running.sent.insert(id, item);
        }
        commands.push(Command::Api(ApiRequest { id, call }));
    }
    commands
}

/// A reply to one of the running batch's calls.
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    let (now, lang) = (state.now, state.lang);
    if event.outcome.is_ok() {
        state.connection = Connection::default();
    }
    let finished = match &mut state.batches.running {
        Some(running) => match running.sent.remove(&event.id) {
            Some(item) => running.run.on_reply(item, event.outcome, now, lang),
            None => return Vec::new(),
        },
        None => return Vec::new(),
    };
    let mut commands = finished
        .map(|finished| ended_one(state, finished))
        .unwrap_or_default();
    commands.extend(send_next(state));
    commands.extend(finish_if_done(state));
    commands
}

/// The actor's queue was full: the call was not sent, and goes again with the next ones (or,
/// when nothing else is in flight, on a later tick).
pub fn api_busy(state: &mut State, id: RequestId) -> Vec<Command> {
    let now = state.now;
    if let Some(running) = &mut state.batches.running
        && let Some(item) = running.sent.remove(&id)
    {
        running.run.not_taken(item);
        if running.sent.is_empty() {
            running.stalled = Some(now);
            let text = state.lang.pick(
                "a API está ocupada; o lote continua em instantes",
                "the API is busy; the batch goes on in a moment",
            );
            state.notify(Level::Info, text.to_owned());
        }
    }
    Vec::new()
}

/// Time passed: a batch the actor's queue stalled goes on, a second later at the earliest (so a
/// queue that stays full is not asked again and again at once).
pub fn tick(state: &mut State) -> Vec<Command> {
    let now = state.now;
    let due = state.batches.running.as_mut().is_some_and(|running| {
        let due = running
            .stalled
            .is_some_and(|since| now - since >= TimeDelta::seconds(1));
        if due {
            running.stalled = None;
        }
        due
    });
    if due { send_next(state) } else { Vec::new() }
}

/// One chat ended: its audit entry is written and what the CRM now says is shown.
fn ended_one(state: &mut State, finished: batch::Finished) -> Vec<Command> {
    let mut commands = finished
        .fresh
        .as_ref()
        .map(|fresh| apply_fresh(state, fresh))
        .unwrap_or_default();
    if matches!(
        state
            .batches
            .running
            .as_ref()
            .map(|r| &r.run.items[finished.item].state),
        Some(ItemState::Finished(Outcome::Failed(_)))
    ) {
        state.failed.insert(finished.entry.key.clone());
    }
    commands.push(Command::Audit(finished.entry));
    commands
}

/// When every chat has ended: the report takes the progress's place.
fn finish_if_done(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(running) = state
        .batches
        .running
        .take_if(|running| running.run.is_finished())
    else {
        return Vec::new();
    };
    let progress = running.run.progress();
    let lines = running
        .run
        .items
        .iter()
        .filter_map(|item| match &item.state {
            ItemState::Finished(outcome) => Some(ReportLine {
                outcome: outcome_word(lang, outcome).to_owned(),
                done: *outcome == Outcome::Done,
                contact: item.planned.contact.clone(),
                reason: outcome.reason(lang),
            }),
            _ => None,
        })
        .collect();
    let (done, total) = (progress.done, progress.total);
    let level = if progress.all_done() {
        Level::Info
    } else {
        Level::Error
    };
    state.notify(
        level,
        tr!(
            lang,
            "lote concluído: {done} de {total} feitas",
            "batch finished: {done} of {total} done"
        ),
    );
    state.modal = Some(Modal::Batch(BatchModal::Report(Report {
        title: running.title,
        progress,
        lines,
        scroll: 0,
    })));
    Vec::new()
}

/// An outcome, in one word.
fn outcome_word(lang: Lang, outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Done => lang.pick("feita", "done"),
        Outcome::Skipped(_) => lang.pick("pulada", "skipped"),
        Outcome::Failed(_) => lang.pick("falhou", "failed"),
        Outcome::Unknown(_) => lang.pick("incerta", "unknown"),
        Outcome::NotSent => lang.pick("não enviada", "not sent"),
    }
}

/// Every change made here that can be taken back becomes the last change (the undo hint's):
/// its audit entry says how to undo it.
pub fn note_changes(state: &mut State, commands: &[Command]) {
    let at = state.now;
    for command in commands {
        if let Command::Audit(entry) = command
            && entry.undo.is_some()
            && let Some(batch) = &entry.batch
        {
            state.batches.last = Some(LastChange {
                batch: batch.clone(),
                at,
            });
        }
    }
}
