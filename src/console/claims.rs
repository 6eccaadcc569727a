//! The reducer's side of sharing a desk: claiming and releasing a chat, their answers, the
//! question asked before changing a chat another person is on, and the refusal to change a row of
//! an account this configuration does not define. The index is reached only through commands.

use crate::console::action::Action;
use crate::console::changes::selected_key;
use crate::console::desk::{presence_lines, read_only_reason};
use crate::console::list::Row;
use crate::console::modal::{Confirm, Destructive, Modal, Question};
use crate::console::msg::{Command, Msg};
use crate::console::state::{DetailStatus, Level, State};
use crate::i18n::Lang;
use crate::store::{ChatKey, ClaimOutcome};
use crate::timefmt;
use crate::tr;

/// What the index's side of the runtime reports: who is on what, the shared index going and
/// coming back, claim answers, and audit entries kept or written later.
pub fn from_index(state: &mut State, msg: Msg) -> Vec<Command> {
    let lang = state.lang;
    match msg {
        Msg::Presence(list) => state.desk.set_presence(list),
        Msg::IndexUnreachable(since) => {
            state.desk.unreachable_since.get_or_insert(since);
        }
        Msg::IndexReachable => {
            if state.desk.unreachable_since.take().is_some() {
                let text = lang.pick(
                    "índice compartilhado de volta; o que mudou enquanto isso foi lido",
                    "shared index back; what changed meanwhile has been read",
                );
                state.notify(Level::Info, text.to_owned());
            }
            // Reads were held back while it was away: the open chat's stored detail now.
            return state
                .detail
                .key
                .clone()
                .filter(|_| !matches!(state.detail.status, DetailStatus::Loading(_)))
                .map(Command::LoadCachedDetail)
                .into_iter()
                .collect();
        }
        Msg::Claimed { key, outcome } => claimed(state, &key, outcome),
        Msg::Released { key, outcome } => released(state, &key, outcome),
        Msg::AuditKept { path, because } => {
            let path = path.display();
            let text = tr!(
                lang,
                "a mudança foi feita; seu registro de auditoria ficou guardado em {path} ({because}) e será gravado no índice quando ele voltar",
                "the change was made; its audit entry is kept in {path} ({because}) and will be written to the index when it is back"
            );
            state.notify(Level::Error, text);
        }
        Msg::AuditNotKept {
            line,
            because,
            error,
        } => {
            let text = tr!(
                lang,
                "a mudança foi feita, mas seu registro de auditoria não pôde ser gravado ({because}) nem guardado localmente ({error}); aqui está ele: {line}",
                "the change was made, but its audit entry could not be written ({because}) nor kept locally ({error}); here it is: {line}"
            );
            state.notify(Level::Error, text);
        }
        Msg::AuditFlushed(written) => {
            let text = tr!(
                lang,
                "registros de auditoria guardados nesta máquina gravados no índice: {written}",
                "audit entries kept on this machine written to the index: {written}"
            );
            state.notify(Level::Info, text);
        }
        _ => {}
    }
    Vec::new()
}

/// Whether the shared index is away; if so the status bar says a claim waits for it.
fn refused_unreachable(state: &mut State) -> bool {
    if state.desk.unreachable_since.is_none() {
        return false;
    }
    let text = state.lang.pick(
        "o índice compartilhado está inacessível; assumir e largar esperam ele voltar",
        "the shared index is unreachable; claiming and releasing wait until it is back",
    );
    state.notify(Level::Error, text.to_owned());
    true
}

/// Whether `key` belongs to an account this configuration does not define; if so the status
/// bar says why nothing is done.
pub fn refused_read_only(state: &mut State, key: &ChatKey) -> bool {
    let Some(account) = state.desk.foreign_account(key) else {
        return false;
    };
    let text = read_only_reason(state.lang, account);
    state.notify(Level::Error, text);
    true
}

/// `claim_chat`: the selected chat, claimed by this person through the index.
pub fn claim(state: &mut State) -> Vec<Command> {
    let Some(key) = selected_key(state) else {
        return Vec::new();
    };
    if refused_read_only(state, &key) || refused_unreachable(state) {
        return Vec::new();
    }
    vec![Command::Claim {
        key,
        viewer: state.desk.viewer.clone(),
    }]
}

/// `release_chat`: this person's claim on the selected chat, dropped through the index.
pub fn release(state: &mut State) -> Vec<Command> {
    let Some(key) = selected_key(state) else {
        return Vec::new();
    };
    if refused_read_only(state, &key) || refused_unreachable(state) {
        return Vec::new();
    }
    vec![Command::Release {
        key,
        who: state.desk.viewer.who.clone(),
    }]
}

/// Who `key` is with, for messages (its id when the list does not hold it).
fn contact_of(state: &State, key: &ChatKey) -> String {
    state
        .inbox
        .row(key)
        .map_or(key.chat_id.as_str(), Row::contact)
        .to_owned()
}

/// The index answered a claim: said in the status bar, naming who holds it when someone else
/// does. The mark itself comes with who is on what, which the feed reads on the wake the
/// claim's write brings.
pub fn claimed(state: &mut State, key: &ChatKey, outcome: Result<ClaimOutcome, String>) {
    let lang = state.lang;
    let contact = contact_of(state, key);
    let (level, text) = match outcome {
        Ok(ClaimOutcome::Claimed) => (
            Level::Info,
            tr!(
                lang,
                "você assumiu {contact} (⚑)",
                "you claimed {contact} (⚑)"
            ),
        ),
        Ok(ClaimOutcome::HeldBy { who, since }) => {
            let ago = timefmt::age(since, state.now, lang);
            (
                Level::Error,
                tr!(
                    lang,
                    "{who} já assumiu {contact} ({ago}); nada mudou",
                    "{who} already claimed {contact} ({ago}); nothing changed"
                ),
            )
        }
        Err(error) => (
            Level::Error,
            tr!(
                lang,
                "{contact} não foi assumida: {error}",
                "{contact} was not claimed: {error}"
            ),
        ),
    };
    state.notify(level, text);
}

/// The index answered a release (its mark goes like a claim's comes).
pub fn released(state: &mut State, key: &ChatKey, outcome: Result<bool, String>) {
    let lang = state.lang;
    let contact = contact_of(state, key);
    let (level, text) = match outcome {
        Ok(true) => (
            Level::Info,
            tr!(lang, "você largou {contact}", "you released {contact}"),
        ),
        Ok(false) => (
            Level::Error,
            tr!(
                lang,
                "você não tinha assumido {contact}; nada mudou",
                "you had not claimed {contact}; nothing changed"
            ),
        ),
        Err(error) => (
            Level::Error,
            tr!(
                lang,
                "{contact} não foi largada: {error}",
                "{contact} was not released: {error}"
            ),
        ),
    };
    state.notify(level, text);
}

/// The verb of a change asked about here, for the question's footer and its last line. Removing a
/// participant and concluding ask questions of their own, which name the others.
fn verb(lang: Lang, action: Action) -> &'static str {
    match action {
        Action::ReassignResponsible => lang.pick("reatribuir", "reassign"),
        Action::ChangeDepartment => lang.pick("mudar o departamento", "change the department"),
        Action::EditTags => lang.pick("editar as tags", "edit the tags"),
        Action::ToggleArchive => lang.pick("reabrir", "reopen"),
        _ => lang.pick("seguir", "go ahead"),
    }
}

/// The lines naming the other people on `key`, or none when nobody else is on it.
pub fn others_lines(state: &State, key: &ChatKey) -> Vec<String> {
    if !state.desk.anyone_else_on(key) {
        return Vec::new();
    }
    presence_lines(state.lang, &state.desk, key, state.now)
}

/// Before `action` changes `key`, once it is known it can (see `modals::perform`): when another
/// person is viewing it or has claimed it, the question naming them opens (`confirm` goes
/// ahead, `cancel` leaves it) and this returns true.
pub fn ask_first(state: &mut State, action: Action, key: &ChatKey) -> bool {
    let others = others_lines(state, key);
    if others.is_empty() {
        return false;
    }
    let lang = state.lang;
    let contact = contact_of(state, key);
    let verb = verb(lang, action);
    let mut lines = others;
    lines.push(String::new());
    let verb_first = capitalized(verb);
    lines.push(tr!(
        lang,
        "{verb_first} mesmo assim? Confirmar segue; cancelar deixa como está.",
        "{verb_first} anyway? Confirm goes ahead; cancel leaves it as it is."
    ));
    let question = Question {
        title: tr!(
            lang,
            " Outra pessoa nesta conversa · {contact} ",
            " Someone else is on this chat · {contact} "
        ),
        lines,
        verb: verb.to_owned(),
    };
    let change = Destructive::DespiteOthers {
        action,
        key: key.clone(),
    };
    state.modal = Some(Modal::Confirm(Confirm::new(question, change)));
    true
}

/// `text` with its first letter in capitals, to start a sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
