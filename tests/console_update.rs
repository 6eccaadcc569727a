//! The reducer: flows of the console without a terminal or a network, and a property test over
//! random message sequences (empty lists, stale and unknown replies included).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use balcao::api::ApiError;
use balcao::api::error::ServerReply;
use balcao::api::{Change, Conversation};
use balcao::console::action::{Action, Context};
use balcao::console::modal::Modal;
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Fresh, Msg, RequestId};
use balcao::console::state::{Level, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, ChatSummary, Columns};
use console::{
    loaded_state, now, responsible_on_row, seeded_chats, summary, with_two_participants,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

fn typed(c: char) -> Msg {
    Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn api_request(commands: &[Command]) -> (RequestId, ApiCall) {
    commands
        .iter()
        .find_map(|c| match c {
            Command::Api(request) => Some((request.id, request.call.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no API request in {commands:?}"))
}

#[test]
fn an_empty_inbox_is_safe_to_drive() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Rows(Vec::new()));
    for action in Action::ALL {
        if *action == Action::Quit {
            continue;
        }
        update(&mut state, Msg::Action(*action));
        update(&mut state, Msg::Action(Action::Cancel));
    }
    assert_eq!(state.inbox.selected(), None);
    assert!(state.detail.key.is_none());
}

#[test]
fn opening_a_chat_fetches_it_and_stale_replies_are_dropped() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let first = state.detail.key.clone().unwrap();
    let commands = update(&mut state, Msg::Action(Action::OpenChat));
    let (id, call) = api_request(&commands);
    assert_eq!(call, ApiCall::GetChat(first.clone()));
    update(&mut state, Msg::Action(Action::Cancel));
    update(&mut state, Msg::Action(Action::SelectNext));
    let second = state.detail.key.clone().unwrap();
    assert_ne!(first, second);
    let chat = chats
        .iter()
        .find(|c| c.id.as_deref() == Some(first.chat_id.as_str()))
        .unwrap()
        .clone();
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Chat(Fresh {
                key: first.clone(),
                conversation: Conversation::Chat(Box::new(chat)),
                summary: None,
            })),
        }),
    );
    assert_eq!(
        state.detail.key.as_ref(),
        Some(&second),
        "the reply for the chat no longer shown does not take the pane"
    );
    assert!(
        state
            .detail
            .conversation
            .as_ref()
            .and_then(Conversation::as_chat)
            .is_none_or(|c| c.id.as_deref() == Some(second.chat_id.as_str()))
    );
    assert!(state.pending.is_empty());
    // A reply nobody asked for changes nothing.
    let before = (
        state.inbox.selected(),
        state.detail.key.clone(),
        state.pending.len(),
        state.notification.clone(),
    );
    update(
        &mut state,
        Msg::Api(ApiEvent {
            id: RequestId(9_999),
            outcome: Err(ApiError::Timeout {
                url: String::new(),
                after: std::time::Duration::from_secs(1),
            }),
        }),
    );
    assert_eq!(
        before,
        (
            state.inbox.selected(),
            state.detail.key.clone(),
            state.pending.len(),
            state.notification.clone()
        )
    );
}

#[test]
fn reassignment_sends_the_user_id_marks_busy_then_confirms_and_audits() {
    let (mut state, chats, chat) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("no modal")
    };
    let target = modal
        .candidates
        .iter()
        .find(|c| Some(c.user_id.as_str()) != chat.responsible_user_id())
        .unwrap()
        .clone();
    for c in target.name.chars() {
        update(&mut state, typed(c));
    }
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let (id, call) = api_request(&commands);
    let ApiCall::Change {
        key: sent_key,
        change:
            Change::Reassign {
                to,
                expected,
                scope,
            },
    } = call
    else {
        panic!("{call:?}")
    };
    assert_eq!(sent_key, key);
    assert_eq!(
        expected.as_deref(),
        chat.responsible_user_id(),
        "the responsible the user saw is compared before writing"
    );
    assert_eq!(to, target.user_id, "the user id, never the agent id");
    let agent_id = chat
        .assignable_agents
        .iter()
        .flatten()
        .find(|a| a.user.as_ref().and_then(|u| u.id.as_deref()) == Some(to.as_str()))
        .and_then(|a| a.agent_id.clone());
    assert_ne!(Some(to), agent_id);
    assert!(scope.chat && !scope.leads && !scope.deals);
    assert!(state.is_busy(&key));
    // A second change to the same chat is refused while the first is in flight.
    update(&mut state, Msg::Action(Action::Cancel));
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    assert!(state.modal.is_none());
    let note = state.notification.clone().unwrap();
    assert_eq!(note.level, Level::Error);
    assert!(note.text.starts_with("busy"), "{}", note.text);
    // The reply confirms: row and detail follow, the audit log gets an entry.
    let mut after = chat.clone();
    let agent = after
        .assignable_agents
        .as_ref()
        .unwrap()
        .iter()
        .find(|a| a.user.as_ref().and_then(|u| u.id.as_deref()) == Some(target.user_id.as_str()))
        .unwrap()
        .clone();
    after.assigned_agent = Some(balcao::api::wegly::wire::AssignedAgent {
        agent_id: agent.agent_id,
        user: agent.user,
        extra: serde_json::Map::new(),
    });
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Changed(Fresh {
                key: key.clone(),
                conversation: Conversation::Chat(Box::new(after)),
                summary: None,
            })),
        }),
    );
    assert!(!state.is_busy(&key));
    assert_eq!(
        responsible_on_row(&state, &key).as_deref(),
        Some(target.user_id.as_str())
    );
    let audit = commands
        .iter()
        .find_map(|c| match c {
            Command::Audit(entry) => Some(entry.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (
            audit.action.as_str(),
            audit.outcome.as_str(),
            audit.after.as_deref()
        ),
        (
            "reassign_responsible",
            "confirmed",
            Some(target.name.as_str())
        )
    );
    assert!(state.notification.unwrap().text.contains("reassigned to"));
    let _ = chats;
}

#[test]
fn a_refused_reassignment_rolls_back_and_says_why() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    update(&mut state, Msg::Action(Action::SelectLast));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let (id, _) = api_request(&commands);
    let reply = ServerReply {
        status: 422,
        url: "u".to_owned(),
        code: Some("unknown_user".to_owned()),
        message: Some("no company user".to_owned()),
        ..ServerReply::default()
    };
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(ApiError::Refused(reply)),
        }),
    );
    assert!(state.failed.contains(&key) && !state.is_busy(&key));
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("the modal stays open with the reason")
    };
    assert!(modal.error.as_deref().unwrap().contains("unknown_user"));
    assert_eq!(
        responsible_on_row(&state, &key).as_deref(),
        chat.responsible_user_id(),
        "nothing changed"
    );
    let audit = commands
        .iter()
        .find_map(|c| match c {
            Command::Audit(entry) => Some(entry.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (audit.outcome.as_str(), audit.http_status),
        ("refused", Some(422))
    );
}

#[test]
fn the_responsible_cannot_be_removed_but_others_can() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("no modal")
    };
    let responsible_at = modal.choices.iter().position(|c| c.responsible).unwrap();
    let other_at = modal.choices.iter().position(|c| !c.responsible).unwrap();
    let other = modal.choices[other_at].user_id.clone();
    for _ in 0..responsible_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(commands.is_empty(), "nothing is sent for the responsible");
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("modal closed")
    };
    assert!(
        modal
            .error
            .as_deref()
            .unwrap()
            .contains("cannot be removed")
    );
    update(&mut state, Msg::Action(Action::SelectFirst));
    for _ in 0..other_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    // Enter picks, a second Enter confirms the removal.
    update(&mut state, Msg::Action(Action::Confirm));
    let (_, call) = api_request(&update(&mut state, Msg::Action(Action::Confirm)));
    assert_eq!(
        call,
        ApiCall::Change {
            key: state.detail.key.clone().unwrap(),
            change: Change::RemoveParticipant { user_id: other }
        }
    );
    let _ = chat;
}

#[test]
fn forms_check_their_input_before_sending() {
    let (mut state, _) = loaded_state(Lang::PtBr, (120, 40));
    update(&mut state, Msg::Action(Action::AddChat));
    for c in "abc".chars() {
        update(&mut state, typed(c));
    }
    assert!(update(&mut state, Msg::Action(Action::Confirm)).is_empty());
    let Some(Modal::Add(modal)) = &state.modal else {
        panic!()
    };
    assert!(
        modal
            .error
            .as_deref()
            .unwrap()
            .contains("não é um id de conversa")
    );
    update(&mut state, Msg::Action(Action::Cancel));
    update(&mut state, Msg::Action(Action::CreateChat));
    assert!(update(&mut state, Msg::Action(Action::Confirm)).is_empty());
    let Some(Modal::Create(form)) = &state.modal else {
        panic!()
    };
    assert!(form.problems.len() >= 2, "{:?}", form.problems);
    for c in "5511988887777".chars() {
        update(&mut state, typed(c));
    }
    update(&mut state, Msg::Action(Action::NextField));
    for c in "saudacao_inicial".chars() {
        update(&mut state, typed(c));
    }
    let (_, call) = api_request(&update(&mut state, Msg::Action(Action::Confirm)));
    let ApiCall::CreateChat { request, .. } = call else {
        panic!()
    };
    assert_eq!(
        (
            request.contact.as_str(),
            request.template.as_str(),
            request.language.as_str()
        ),
        ("5511988887777", "saudacao_inicial", "pt_BR")
    );
}

#[test]
fn cancelling_the_filter_line_restores_the_previous_filter() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let all = state.inbox.visible_len();
    update(&mut state, Msg::Action(Action::Filter));
    for c in "status:open".chars() {
        update(&mut state, typed(c));
    }
    update(&mut state, Msg::Action(Action::Confirm));
    let open = state.inbox.visible_len();
    assert!(open < all && open > 0);
    update(&mut state, Msg::Action(Action::Filter));
    for c in " zzzz".chars() {
        update(&mut state, typed(c));
    }
    assert_eq!(state.inbox.visible_len(), 0);
    update(&mut state, Msg::Action(Action::Cancel));
    assert_eq!(state.inbox.visible_len(), open);
    update(&mut state, Msg::Action(Action::ClearFilter));
    assert_eq!(state.inbox.visible_len(), all);
}

// ---------------------------------------------------------------------------------------------
// Property test: random message sequences keep the state's invariants.

/// Conversations of both CRMs with their rows: Wegly chats and Agilize rooms side by side.
fn pool() -> &'static Vec<(ChatSummary, Conversation)> {
    static POOL: std::sync::OnceLock<Vec<(ChatSummary, Conversation)>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let chats = seeded_chats()
            .into_iter()
            .take(24)
            .map(|chat| (summary(&chat), Conversation::Chat(Box::new(chat))));
        let rooms = balcao::sandbox::rooms::Rooms::from_seed(
            &balcao::sandbox::seed::Seed::bundled().unwrap(),
            now(),
        )
        .all()
        .iter()
        .take(12)
        .map(|room| {
            let key = ChatKey::agilize("matriz", room.id.as_deref().unwrap());
            let row = console::row(key, Columns::from(room));
            (row, Conversation::Room(Box::new(room.clone())))
        })
        .collect::<Vec<_>>();
        chats.chain(rooms).collect()
    })
}

fn arb_msg() -> impl Strategy<Value = Msg> {
    let size = pool().len();
    prop_oneof![
        6 => (0..Action::ALL.len()).prop_map(|i| Msg::Action(Action::ALL[i])),
        3 => "[a-z0-9 :>=]".prop_map(|s| typed(s.chars().next().unwrap_or('a'))),
        1 => Just(Msg::Input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))),
        1 => prop::collection::vec(0..size, 0..size).prop_map(|ids| Msg::Rows(ids.into_iter().map(|i| pool()[i].0.clone()).collect())),
        2 => (0..size).prop_map(|i| Msg::RowChanged(pool()[i].0.clone())),
        2 => (0..size, any::<bool>()).prop_map(|(i, stored)| {
            let (row, conversation) = pool()[i].clone();
            Msg::CachedDetail { key: row.key, conversation: stored.then(|| Box::new(conversation)), as_of: Some(now()) }
        }),
        3 => (1_u64..30, 0..size, 0_u8..4).prop_map(|(id, i, kind)| {
            let (row, conversation) = pool()[i].clone();
            let fresh = Fresh { key: row.key, conversation, summary: None };
            let outcome = match kind {
                0 => Ok(ApiReply::Chat(fresh)),
                1 => Ok(ApiReply::Changed(fresh)),
                2 => Ok(ApiReply::ResponsibleChanged(fresh)),
                _ => Err(ApiError::Network { url: String::new(), detail: "down".to_owned() }),
            };
            Msg::Api(ApiEvent { id: RequestId(id), outcome })
        }),
        1 => (1_u64..30).prop_map(|id| Msg::ApiBusy(RequestId(id))),
        1 => (20_u16..220, 5_u16..70).prop_map(|(w, h)| Msg::Resize(w, h)),
        // The index's change feed: batches small and past the bulk threshold, with repeats.
        2 => (prop::collection::vec(0..size, 0..80), prop::collection::vec(0..size, 0..3)).prop_map(|(changed, removed)| Msg::IndexChanged {
            chats: changed.into_iter().map(|i| pool()[i].0.clone()).collect(),
            removed: removed.into_iter().map(|i| pool()[i].0.key.clone()).collect(),
        }),
        2 => prop::collection::vec((0..size, 0_usize..3, any::<bool>()), 0..6).prop_map(|marks| Msg::Presence(
            marks.into_iter().map(|(i, who, claim)| balcao::store::Presence {
                key: pool()[i].0.key.clone(),
                who: ["Ana", "Carlos", "?"][who].to_owned(),
                console: format!("c{who}"),
                kind: if claim { balcao::store::PresenceKind::Claimed } else { balcao::store::PresenceKind::Viewing },
                since: now(),
            }).collect(),
        )),
        1 => any::<bool>().prop_map(|down| if down { Msg::IndexUnreachable(now()) } else { Msg::IndexReachable }),
        1 => (0..size, any::<bool>()).prop_map(|(i, held)| Msg::Claimed {
            key: pool()[i].0.key.clone(),
            outcome: Ok(if held { balcao::store::ClaimOutcome::HeldBy { who: "Carlos".to_owned(), since: now() } } else { balcao::store::ClaimOutcome::Claimed }),
        }),
        1 => (0_i64..4000).prop_map(|m| Msg::Tick(now() + chrono::Duration::minutes(m))),
    ]
}

fn check(state: &State, commands: &[Command]) -> Result<(), TestCaseError> {
    let shown = state.inbox.visible_len();
    match state.inbox.selected() {
        None => prop_assert_eq!(shown, 0, "selection is None only for an empty list"),
        Some(n) => {
            prop_assert!(n < shown, "selection {} out of {}", n, shown);
            // The list window holds the selection and is as full as the rows allow.
            let page = balcao::console::state::list_page(state.size);
            let offset = state.inbox.offset;
            prop_assert!(
                offset <= n && n < offset + page,
                "selection {} outside the window {}..{}",
                n,
                offset,
                offset + page
            );
            prop_assert!(
                offset <= shown.saturating_sub(page),
                "the window from {} of {} rows is not full",
                offset,
                shown
            );
        }
    }
    // The list is one order (urgency, or the sort `cycle_sort` or a view put in force), ranked
    // as of one instant; with a text word typed, best match first, ties in that order.
    let ranked_at = state.inbox.ranked_at();
    let sort = state.inbox.sort();
    let filter = state.inbox.filter();
    let score = |row: &balcao::console::list::Row| {
        filter
            .score(&row.summary, &row.search, &state.me, state.now)
            .unwrap_or(0)
    };
    for n in 1..shown {
        let (a, b) = (
            state.inbox.visible_row(n - 1).unwrap(),
            state.inbox.visible_row(n).unwrap(),
        );
        prop_assert!(
            score(a) >= score(b),
            "rows {} and {} are not ranked by score",
            n - 1,
            n
        );
        prop_assert!(
            score(a) > score(b)
                || balcao::console::list::compare(sort, a, b, ranked_at)
                    != std::cmp::Ordering::Greater,
            "rows {} and {} are out of order as of {}",
            n - 1,
            n,
            ranked_at
        );
    }
    prop_assert_eq!(
        state.contexts() == vec![Context::Modal],
        state.modal.is_some()
    );
    for command in commands {
        if let Command::Api(request) = command {
            // Tracked: a pending entry, the conversation's page in flight, or a reply being sent.
            prop_assert!(
                state.pending.contains_key(&request.id)
                    || balcao::console::timeline::owns(state, request.id)
                    || state.replies.owns(request.id),
                "a request without a pending entry"
            );
        }
    }
    // At most one change in flight per conversation.
    let mut changing: Vec<_> = state
        .pending
        .values()
        .filter_map(|p| p.mutated_chat())
        .collect();
    let count = changing.len();
    changing.sort();
    changing.dedup();
    prop_assert_eq!(
        changing.len(),
        count,
        "two changes in flight to one conversation"
    );
    let selected = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone());
    prop_assert_eq!(
        &state.detail.key,
        &selected,
        "the detail belongs to the selected chat"
    );
    if let Some(conversation) = &state.detail.conversation {
        prop_assert_eq!(
            conversation.id(),
            selected.as_ref().map(|k| k.chat_id.as_str()),
            "the detail shown is the selected conversation's"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(msgs in prop::collection::vec(arb_msg(), 0..120)) {
        let mut state = State::new(Lang::En, now(), "default".to_owned());
        for msg in msgs {
            let answered = match &msg { Msg::Api(event) => Some(event.id), Msg::ApiBusy(id) => Some(*id), _ => None };
            let was_pending = answered.is_some_and(|id| state.pending.contains_key(&id));
            let before = (state.inbox.selected(), state.detail.key.clone(), state.pending.len());
            let commands = update(&mut state, msg);
            check(&state, &commands)?;
            if let Some(id) = answered {
                prop_assert!(!state.pending.contains_key(&id), "an answered id stays pending");
                if !was_pending {
                    prop_assert_eq!(before, (state.inbox.selected(), state.detail.key.clone(), state.pending.len()), "an unknown reply changed the state");
                }
            }
        }
    }
}

#[test]
fn a_full_api_queue_is_not_mistaken_for_the_network() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    update(&mut state, Msg::Action(Action::SelectLast));
    let (id, _) = api_request(&update(&mut state, Msg::Action(Action::Confirm)));
    let commands = update(&mut state, Msg::ApiBusy(id));
    assert!(
        commands.is_empty(),
        "nothing was sent, so nothing is audited: {commands:?}"
    );
    assert!(
        !state.connection.offline && !state.connection.auth_refused,
        "the connection is not in doubt"
    );
    assert!(!state.is_busy(&key) && !state.failed.contains(&key) && state.pending.is_empty());
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("the modal stays open")
    };
    assert_eq!(modal.stage, balcao::console::modal::Stage::Editing);
    assert!(modal.error.as_deref().unwrap().contains("busy"));
    assert_eq!(
        responsible_on_row(&state, &key).as_deref(),
        chat.responsible_user_id()
    );
}

/// A reassignment whose reply was lost and could not be verified: the row is not shown as
/// changed, the words say it may have been applied (never "try again"), and the audit says
/// "unknown", not "failed".
#[test]
fn an_unverified_reassignment_is_audited_unknown_and_never_says_try_again() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    let key = state.detail.key.clone().unwrap();
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    update(&mut state, Msg::Action(Action::SelectLast));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let (id, _) = api_request(&commands);
    let lost = ApiError::Timeout {
        url: "u".to_owned(),
        after: std::time::Duration::from_secs(20),
    };
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Err(ApiError::OutcomeUnknown {
                chat: Some(key.chat_id.clone()),
                lost: Box::new(lost),
                reread: None,
            }),
        }),
    );
    assert!(!state.is_busy(&key));
    assert!(
        !state.failed.contains(&key),
        "no ✗ 'failed' marker for an outcome that is not known"
    );
    let audit = commands
        .iter()
        .find_map(|c| match c {
            Command::Audit(entry) => Some(entry.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(audit.outcome, "unknown");
    let shown = match &state.modal {
        Some(Modal::Reassign(modal)) => modal.error.clone().unwrap_or_default(),
        _ => state
            .notification
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default(),
    };
    assert!(shown.contains("may have been applied"), "{shown}");
    assert!(!shown.to_lowercase().contains("try again"), "{shown}");
    let status = state
        .notification
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        !status.contains("not reassigned"),
        "an unknown outcome is not a failure: {status}"
    );
    assert!(status.contains("may have been applied"), "{status}");
    assert_eq!(
        responsible_on_row(&state, &key).as_deref(),
        chat.responsible_user_id(),
        "the row is not shown as changed"
    );
}
