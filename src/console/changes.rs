//! Starting a change: one in flight per conversation, recorded as pending with what its
//! message and audit entry will need, and sent to the actor as a CRM-neutral call.

use crate::api::providers::{describe, offered_by};
use crate::api::{Capability, Change, Conversation, crm_name, supports};
use crate::batch::UndoNote;
use crate::console::modal::About;
use crate::console::msg::{ApiCall, ApiRequest, Command, RequestId};
use crate::console::state::{DetailStatus, Level, PendingChange, State};
use crate::i18n::Lang;
use crate::store::{ChatKey, Provider};
use crate::tr;

/// The words for a second change to a conversation that already has one in flight.
fn busy_message(lang: Lang) -> String {
    lang.pick(
        "ocupada: esta conversa já tem uma alteração em andamento",
        "busy: this chat already has a change in flight",
    )
    .to_owned()
}

/// Whether a change to `key` is in flight; if so the status bar says the conversation is busy.
pub fn refused_busy(state: &mut State, key: &ChatKey) -> bool {
    let busy = state.is_busy(key);
    if busy {
        state.notify(Level::Error, busy_message(state.lang));
    }
    busy
}

/// Says in the status bar that no conversation is selected.
pub fn nothing_selected(state: &mut State) {
    let text = state
        .lang
        .pick("nenhuma conversa selecionada", "no chat selected");
    state.notify(Level::Error, text.to_owned());
}

/// The selected chat's key, or the status bar says nothing is selected.
pub fn selected_key(state: &mut State) -> Option<ChatKey> {
    let key = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone());
    if key.is_none() {
        nothing_selected(state);
    }
    key
}

/// Starts `change` to `key`: refused with the "busy" words while another change to it is in
/// flight; otherwise recorded as pending, the row's failure mark cleared, and the request to
/// send returned with its id. `seen` is the conversation as the person saw it.
pub fn begin(
    state: &mut State,
    key: &ChatKey,
    change: Change,
    about: About,
    seen: Option<&Conversation>,
) -> Result<(RequestId, Command), String> {
    if state.is_busy(key) {
        return Err(busy_message(state.lang));
    }
    let id = state.mint();
    let pending = PendingChange {
        key: key.clone(),
        request: describe(key.provider, &change, seen),
        undo: Box::new(UndoNote::of(&change, seen, None)),
        change: change.clone(),
        before: about.before,
        who: about.who,
        room: matches!(seen, Some(Conversation::Room(_))),
    };
    state
        .pending
        .insert(id, crate::console::state::Pending::Change(pending));
    state.failed.remove(key);
    let call = ApiCall::Change {
        key: key.clone(),
        change,
    };
    Ok((id, Command::Api(ApiRequest { id, call })))
}

/// What a capability lets a person do, in words ("conclude and reopen").
fn capability_words(lang: Lang, capability: Capability) -> &'static str {
    match capability {
        Capability::Read => lang.pick("ler conversas", "read conversations"),
        Capability::Reassign => lang.pick("reatribuir conversas", "reassign conversations"),
        Capability::ReassignLeadsDeals => {
            lang.pick("reatribuir leads e negócios", "reassign leads and deals")
        }
        Capability::RemoveParticipant => lang.pick("remover participantes", "remove participants"),
        Capability::Conclude => lang.pick("concluir e reabrir", "conclude and reopen"),
        Capability::Department => lang.pick("mudar o departamento", "change the department"),
        Capability::Tags => lang.pick("editar as tags", "edit the tags"),
        Capability::Create => lang.pick("abrir conversas", "open conversations"),
        Capability::AddById => lang.pick("buscar conversas por id", "fetch conversations by id"),
        Capability::UnreadTotals => lang.pick("contar as não lidas", "count the unread"),
        Capability::Reply => lang.pick("responder conversas", "reply to conversations"),
        Capability::Timeline => lang.pick("mostrar a conversa", "show the conversation"),
    }
}

/// Why `provider` cannot do `capability`, and which CRM can.
pub fn not_offered(lang: Lang, provider: Provider, capability: Capability) -> String {
    let (crm, what) = (crm_name(provider), capability_words(lang, capability));
    let others: Vec<&str> = offered_by(capability).into_iter().map(crm_name).collect();
    if others.is_empty() {
        tr!(
            lang,
            "a {crm} não permite {what} pela API",
            "{crm} does not let balcão {what} through its API"
        )
    } else {
        let others = others.join(", ");
        tr!(
            lang,
            "a {crm} não permite {what} pela API; só: {others}",
            "{crm} does not let balcão {what} through its API; only {others} does"
        )
    }
}

/// The selected conversation, ready for a change that needs `capability`: shown in the detail,
/// not gone, no other change in flight, and its CRM offers it. Otherwise the status bar says
/// why, and the commands that bring the detail when it is only not loaded yet are returned.
pub fn selected_for(
    state: &mut State,
    capability: Capability,
) -> Result<(ChatKey, Conversation), Vec<Command>> {
    let lang = state.lang;
    let Some(key) = selected_key(state) else {
        return Err(Vec::new());
    };
    if !supports(key.provider, capability) {
        let text = not_offered(lang, key.provider, capability);
        state.notify(Level::Error, text);
        return Err(Vec::new());
    }
    if refused_busy(state, &key) {
        return Err(Vec::new());
    }
    let Some(conversation) = state.shown_conversation(&key).cloned() else {
        if supports(key.provider, Capability::Read) {
            let text = lang.pick(
                "carregando a conversa; tente de novo quando ela aparecer",
                "loading the chat; try again once it shows",
            );
            state.notify(Level::Info, text.to_owned());
            return Err(crate::console::navigate::fetch_selected(state));
        }
        // Without reads, the index holds what the last webhook brought.
        let text = lang.pick(
            "a sala ainda não chegou por webhook",
            "the room has not arrived by webhook yet",
        );
        state.notify(Level::Info, text.to_owned());
        return Err(vec![Command::LoadCachedDetail(key)]);
    };
    if state.detail.status == DetailStatus::Gone {
        let text = lang.pick(
            "esta conversa não existe mais no CRM",
            "this chat no longer exists in the CRM",
        );
        state.notify(Level::Error, text.to_owned());
        return Err(Vec::new());
    }
    Ok((key, conversation))
}
