//! The console on a shared desk, through the reducer and the views: the index's change feed
//! applied to the list, who else is on a chat (list markers, names in the detail), claims, the
//! question before changing a chat another person is on, the banner while the shared index is
//! away, read-only rows of accounts this configuration lacks, and audit entries with a name.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use std::collections::BTreeSet;

use balcao::api::Conversation;
use balcao::console::action::Action;
use balcao::console::modal::{Destructive, Modal};
use balcao::console::msg::{ApiCall, ApiEvent, ApiReply, Command, Fresh, Msg};
use balcao::console::state::{Level, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, ClaimOutcome, Presence, PresenceKind, Viewer};
use chrono::{FixedOffset, TimeDelta, TimeZone};
use console::{draw, loaded_state, now, select, with_two_participants};

fn viewing(key: &ChatKey, who: &str) -> Presence {
    Presence {
        key: key.clone(),
        who: who.to_owned(),
        console: format!("console-of-{who}"),
        kind: PresenceKind::Viewing,
        since: now() - TimeDelta::seconds(20),
    }
}

fn claimed(key: &ChatKey, who: &str, minutes_ago: i64) -> Presence {
    Presence {
        key: key.clone(),
        who: who.to_owned(),
        console: format!("console-of-{who}"),
        kind: PresenceKind::Claimed,
        since: now() - TimeDelta::minutes(minutes_ago),
    }
}

/// This console is Bia's.
fn as_bia(state: &mut State) {
    state.desk.viewer = Viewer {
        who: "Bia".to_owned(),
        console: "console-of-bia".to_owned(),
    };
}

/// The screen's lines as text.
fn screen(state: &State, size: (u16, u16)) -> Vec<String> {
    let terminal = draw(state, size);
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn notification(state: &State) -> String {
    state
        .notification
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn a_change_from_elsewhere_takes_its_place_and_the_open_chat_reloads() {
    let (mut state, chats) = loaded_state(Lang::En, (160, 45));
    // The user moved to the third chat: the selection now follows that chat.
    update(&mut state, Msg::Action(Action::SelectNext));
    update(&mut state, Msg::Action(Action::SelectNext));
    let open = state.detail.key.clone().unwrap();
    let total = state.inbox.rows().len();
    // Another console reassigned the open chat (storing the detail the CRM answered with) and
    // one more; the CLI forgot a third.
    let mut changed = state.inbox.row(&open).unwrap().summary.clone();
    changed.columns.responsible_name = Some("Carlos Lima".to_owned());
    changed.columns.last_message_at = Some(now());
    changed.hydrated_at = Some(now() + TimeDelta::seconds(5));
    let mut other = state.inbox.visible_row(10).unwrap().summary.clone();
    other.columns.responsible_name = Some("Ana Souza".to_owned());
    let gone = state.inbox.visible_row(20).unwrap().summary.key.clone();
    let commands = update(
        &mut state,
        Msg::IndexChanged {
            chats: vec![changed, other.clone()],
            removed: vec![gone.clone()],
        },
    );
    assert_eq!(
        state.detail.key.as_ref(),
        Some(&open),
        "the selection stays"
    );
    assert_eq!(
        state.inbox.selected_row().unwrap().summary.key,
        open,
        "on its chat, wherever it sorts to"
    );
    assert_eq!(
        state
            .inbox
            .row(&open)
            .unwrap()
            .summary
            .columns
            .responsible_name
            .as_deref(),
        Some("Carlos Lima")
    );
    assert_eq!(
        state
            .inbox
            .row(&other.key)
            .unwrap()
            .summary
            .columns
            .responsible_name
            .as_deref(),
        Some("Ana Souza")
    );
    assert!(state.inbox.row(&gone).is_none());
    assert_eq!(state.inbox.rows().len(), total - 1);
    assert_eq!(
        commands,
        vec![Command::LoadCachedDetail(open.clone())],
        "the open chat's stored detail is read again, nothing else"
    );
    // A change to a chat that is not open reads nothing.
    let commands = update(
        &mut state,
        Msg::IndexChanged {
            chats: vec![other],
            removed: Vec::new(),
        },
    );
    assert!(commands.is_empty(), "{commands:?}");
    // Once that detail shows, a row of the open chat that moves with no newer detail stored (a
    // webhook noting it to fetch, or the row this console's own fetch stored) reads nothing: the
    // index would give back what the pane shows.
    update(
        &mut state,
        Msg::CachedDetail {
            key: open.clone(),
            conversation: Some(Box::new(Conversation::Chat(Box::new(
                chats
                    .iter()
                    .find(|chat| chat.id.as_deref() == Some(open.chat_id.as_str()))
                    .unwrap()
                    .clone(),
            )))),
            as_of: Some(now() + TimeDelta::seconds(5)),
        },
    );
    let mut noted = state.inbox.row(&open).unwrap().summary.clone();
    noted.needs_hydration = true;
    noted.columns.unread += 1;
    let commands = update(
        &mut state,
        Msg::IndexChanged {
            chats: vec![noted.clone()],
            removed: Vec::new(),
        },
    );
    assert!(commands.is_empty(), "{commands:?}");
    assert_eq!(state.inbox.row(&open).unwrap().summary, noted);
    // Its fetch stored, the row says so, and the pane reads it.
    let mut fetched = noted;
    fetched.needs_hydration = false;
    fetched.hydrated_at = Some(now() + TimeDelta::seconds(9));
    let commands = update(
        &mut state,
        Msg::IndexChanged {
            chats: vec![fetched],
            removed: Vec::new(),
        },
    );
    assert_eq!(commands, vec![Command::LoadCachedDetail(open)]);
}

#[test]
fn a_large_catch_up_is_applied_at_once_and_keeps_the_selection() {
    let (mut state, _) = loaded_state(Lang::En, (160, 45));
    update(&mut state, Msg::Action(Action::SelectLast));
    let open = state.detail.key.clone().unwrap();
    // Every row changed while the index was away (more than one batch's worth of inserts), and
    // a hundred chats arrived that this console never saw.
    let mut chats: Vec<_> = state
        .inbox
        .rows()
        .iter()
        .map(|r| r.summary.clone())
        .collect();
    for chat in &mut chats {
        chat.columns.unread += 1;
    }
    let template = chats[0].clone();
    for n in 0..100 {
        let mut new = template.clone();
        new.key = ChatKey::wegly("default", &format!("00000000-0000-4000-8000-{n:012}"));
        chats.push(new);
    }
    let before = state.inbox.rows().len();
    update(
        &mut state,
        Msg::IndexChanged {
            chats,
            removed: Vec::new(),
        },
    );
    assert_eq!(state.inbox.rows().len(), before + 100);
    assert_eq!(state.inbox.selected_row().unwrap().summary.key, open);
    assert!(
        state
            .inbox
            .rows()
            .iter()
            .all(|r| r.summary.columns.unread >= 1)
    );
}

#[test]
fn presence_marks_the_list_and_names_people_in_the_detail() {
    for (lang, name) in [(Lang::En, "en"), (Lang::PtBr, "pt")] {
        let (mut state, _) = loaded_state(lang, (160, 45));
        as_bia(&mut state);
        state.desk.shared = true;
        let open = state.detail.key.clone().unwrap();
        let second = state.inbox.visible_row(1).unwrap().summary.key.clone();
        let third = state.inbox.visible_row(2).unwrap().summary.key.clone();
        update(
            &mut state,
            Msg::Presence(vec![
                viewing(&open, "Bia"),
                viewing(&open, "Ana"),
                claimed(&open, "Carlos", 3),
                viewing(&second, "Ana"),
                claimed(&third, "Bia", 12),
            ]),
        );
        insta::assert_snapshot!(
            format!("presence_list_and_detail_{name}_160x45"),
            draw(&state, (160, 45)).backend()
        );
        let text = screen(&state, (160, 45)).join("\n");
        let (viewing_words, claim_words) = match lang {
            Lang::En => ("Ana is viewing", "Carlos claimed it 3 min ago"),
            Lang::PtBr => ("Ana está vendo", "Carlos assumiu há 3 min"),
        };
        assert!(text.contains(viewing_words), "{text}");
        assert!(text.contains(claim_words), "{text}");
        assert!(!text.contains("Bia is viewing") && !text.contains("Bia está vendo"));
        // Another person's claim stands out from this person's own.
        let terminal = draw(&state, (160, 45));
        let buffer = terminal.backend().buffer();
        let flag_style = |row: &ChatKey| {
            let y = (0..state.inbox.visible_len())
                .find(|n| &state.inbox.visible_row(*n).unwrap().summary.key == row)
                .unwrap();
            // Below the views' tabs, the list's border and its header; after the mark column
            // and the status marker.
            let y = u16::try_from(y).unwrap() + 3;
            assert_eq!(buffer[(4, y)].symbol(), "⚑");
            buffer[(4, y)].style().fg
        };
        assert_ne!(flag_style(&open), flag_style(&third));
    }
}

#[test]
fn the_presence_column_shows_in_team_mode_or_once_someone_else_is_on_a_chat() {
    let (mut state, _) = loaded_state(Lang::En, (160, 45));
    as_bia(&mut state);
    let open = state.detail.key.clone().unwrap();
    let header = |state: &State| screen(state, (160, 45))[2].clone();
    let alone = header(&state);
    assert!(alone.contains("│   PRI"), "{alone}");
    // Only this person's own mark: nothing to show, no column.
    update(&mut state, Msg::Presence(vec![viewing(&open, "Bia")]));
    assert_eq!(header(&state), alone);
    update(&mut state, Msg::Presence(vec![viewing(&open, "Ana")]));
    assert!(header(&state).contains("│     PRI"), "{}", header(&state));
    update(&mut state, Msg::Presence(Vec::new()));
    state.desk.shared = true;
    assert!(header(&state).contains("│     PRI"), "{}", header(&state));
}

#[test]
fn reassigning_a_chat_another_person_claimed_asks_first_naming_them() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    as_bia(&mut state);
    let key = state.detail.key.clone().unwrap();
    update(
        &mut state,
        Msg::Presence(vec![claimed(&key, "Carlos", 3), viewing(&key, "Ana")]),
    );
    // Cancel leaves it: nothing sent, no modal.
    let commands = update(&mut state, Msg::Action(Action::ReassignResponsible));
    assert!(commands.is_empty(), "{commands:?}");
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("no question: {:?}", state.modal)
    };
    assert!(matches!(
        question.change,
        Destructive::DespiteOthers {
            action: Action::ReassignResponsible,
            ..
        }
    ));
    let words = question.question.lines.join("\n");
    assert!(words.contains("Ana is viewing"), "{words}");
    assert!(words.contains("Carlos claimed it 3 min ago"), "{words}");
    assert!(words.contains("Reassign anyway?"), "{words}");
    let commands = update(&mut state, Msg::Action(Action::Cancel));
    assert!(commands.is_empty(), "{commands:?}");
    assert!(state.modal.is_none());
    assert!(!state.is_busy(&key));
    // Confirm goes ahead: the reassign modal opens on that chat, and sends as usual.
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    update(&mut state, Msg::Action(Action::Confirm));
    let Some(Modal::Reassign(modal)) = &state.modal else {
        panic!("no reassign modal: {:?}", state.modal)
    };
    assert_eq!(modal.key, key);
    let target = modal
        .candidates
        .iter()
        .find(|c| Some(c.user_id.as_str()) != chat.responsible_user_id())
        .unwrap()
        .clone();
    console::typed(&mut state, &target.name);
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::Api(r) if matches!(r.call, ApiCall::Change { .. }))),
        "{commands:?}"
    );
}

#[test]
fn this_persons_own_marks_ask_nothing() {
    let (mut state, _) = with_two_participants_as_bia();
    let key = state.detail.key.clone().unwrap();
    update(
        &mut state,
        Msg::Presence(vec![viewing(&key, "Bia"), claimed(&key, " bia ", 1)]),
    );
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    assert!(
        matches!(state.modal, Some(Modal::Reassign(_))),
        "{:?}",
        state.modal
    );
}

fn with_two_participants_as_bia() -> (State, ChatKey) {
    let (mut state, _, _) = with_two_participants(Lang::PtBr);
    as_bia(&mut state);
    let key = state.detail.key.clone().unwrap();
    (state, key)
}

#[test]
fn removing_a_participant_from_a_chat_someone_views_asks_once_naming_them_in_portuguese_too() {
    let (mut state, key) = with_two_participants_as_bia();
    update(&mut state, Msg::Presence(vec![viewing(&key, "Ana")]));
    // The choice opens at once: the removal's own question is where Ana is named.
    update(&mut state, Msg::Action(Action::RemoveParticipant));
    let Some(Modal::Remove(modal)) = &state.modal else {
        panic!("no choice: {:?}", state.modal)
    };
    let other_at = modal.choices.iter().position(|c| !c.responsible).unwrap();
    let other = modal.choices[other_at].clone();
    for _ in 0..other_at {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(commands.is_empty(), "{commands:?}");
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("no question: {:?}", state.modal)
    };
    assert!(
        matches!(question.change, Destructive::RemoveParticipant(_)),
        "one question, not two: {:?}",
        question.change
    );
    let words = question.question.lines.join("\n");
    assert!(
        words.contains(&format!("{} sai da conversa com", other.name)),
        "{words}"
    );
    assert!(words.contains("Ana está vendo"), "{words}");
    insta::assert_snapshot!(
        "remove_naming_others_confirm_pt_160x45",
        draw(&state, (160, 45)).backend()
    );
    // Confirm makes the removal.
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        commands.iter().any(|c| matches!(
            c,
            Command::Api(r) if r.call == ApiCall::Change {
                key: key.clone(),
                change: balcao::api::Change::RemoveParticipant {
                    user_id: other.user_id.clone()
                }
            }
        )),
        "{commands:?}"
    );
}

#[test]
fn a_chat_not_ready_for_a_change_says_why_before_asking_about_the_others() {
    let (mut state, key) = with_two_participants_as_bia();
    update(&mut state, Msg::Presence(vec![claimed(&key, "Carlos", 3)]));
    // The detail is not at hand yet: the change cannot be made, so nobody is asked about.
    state.detail.conversation = None;
    state.detail.as_of = None;
    let commands = update(&mut state, Msg::Action(Action::ReassignResponsible));
    assert!(state.modal.is_none(), "{:?}", state.modal);
    assert_eq!(
        notification(&state),
        "carregando a conversa; tente de novo quando ela aparecer"
    );
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::Api(r) if r.call == ApiCall::GetChat(key.clone()))),
        "{commands:?}"
    );
    // Once it shows, the question comes, and confirming it opens the change.
    console::show_selected_detail(&mut state, &console::seeded_chats());
    update(&mut state, Msg::Action(Action::ReassignResponsible));
    assert!(
        matches!(
            &state.modal,
            Some(Modal::Confirm(question)) if matches!(question.change, Destructive::DespiteOthers { .. })
        ),
        "{:?}",
        state.modal
    );
    update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        matches!(state.modal, Some(Modal::Reassign(_))),
        "{:?}",
        state.modal
    );
}

#[test]
fn claiming_goes_through_the_index_and_says_who_holds_it() {
    let (mut state, _) = loaded_state(Lang::En, (160, 45));
    as_bia(&mut state);
    let key = state.detail.key.clone().unwrap();
    let commands = update(&mut state, Msg::Action(Action::ClaimChat));
    assert_eq!(
        commands,
        vec![Command::Claim {
            key: key.clone(),
            viewer: state.desk.viewer.clone(),
        }]
    );
    // Someone else holds it: nothing changed, and the status bar names them.
    let commands = update(
        &mut state,
        Msg::Claimed {
            key: key.clone(),
            outcome: Ok(ClaimOutcome::HeldBy {
                who: "Carlos".to_owned(),
                since: now() - TimeDelta::minutes(3),
            }),
        },
    );
    assert!(commands.is_empty(), "{commands:?}");
    let note = state.notification.clone().unwrap();
    assert_eq!(note.level, Level::Error);
    assert!(
        note.text.starts_with("Carlos already claimed"),
        "{}",
        note.text
    );
    assert!(note.text.contains("3 min ago"), "{}", note.text);
    // Claimed: said. The mark comes with who is on what, which the feed reads on the wake the
    // claim's write brings (the team tests see it on the claiming console's own screen).
    let commands = update(
        &mut state,
        Msg::Claimed {
            key: key.clone(),
            outcome: Ok(ClaimOutcome::Claimed),
        },
    );
    assert!(commands.is_empty(), "{commands:?}");
    assert!(notification(&state).starts_with("you claimed"));
    let commands = update(&mut state, Msg::Action(Action::ReleaseChat));
    assert_eq!(
        commands,
        vec![Command::Release {
            key: key.clone(),
            who: "Bia".to_owned(),
        }]
    );
    update(
        &mut state,
        Msg::Released {
            key: key.clone(),
            outcome: Ok(false),
        },
    );
    assert!(notification(&state).starts_with("you had not claimed"));
    update(
        &mut state,
        Msg::Claimed {
            key,
            outcome: Err("shared index unreachable".to_owned()),
        },
    );
    assert!(notification(&state).contains("was not claimed: shared index unreachable"));
}

#[test]
fn the_banner_shows_while_the_shared_index_is_away_and_clears_after_the_catch_up() {
    for (lang, name, words) in [
        (Lang::En, "en", "shared index unreachable since 14:03:07"),
        (
            Lang::PtBr,
            "pt",
            "índice compartilhado inacessível desde 14:03:07",
        ),
    ] {
        let (mut state, _) = loaded_state(lang, (120, 30));
        state.offset = FixedOffset::west_opt(3 * 3600).unwrap();
        state.desk.shared = true;
        let lost = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 17, 3, 7)
            .unwrap();
        let rows = state.inbox.rows().len();
        update(&mut state, Msg::IndexUnreachable(lost));
        // The feed keeps trying; a later failure does not move the time.
        update(
            &mut state,
            Msg::IndexUnreachable(lost + TimeDelta::seconds(30)),
        );
        assert_eq!(state.desk.unreachable_since, Some(lost));
        assert_eq!(state.inbox.rows().len(), rows, "what it shows is kept");
        let text = screen(&state, (120, 30)).join("\n");
        assert!(text.contains(words), "{text}");
        insta::assert_snapshot!(
            format!("index_unreachable_{name}_120x30"),
            draw(&state, (120, 30)).backend()
        );
        // Meanwhile the index is not read (each read would wait out its connection timeout),
        // and claims wait for it.
        let commands = update(&mut state, Msg::Action(Action::SelectNext));
        assert!(
            !commands
                .iter()
                .any(|c| matches!(c, Command::LoadCachedDetail(_))),
            "{commands:?}"
        );
        let open = state.detail.key.clone().unwrap();
        assert!(update(&mut state, Msg::Action(Action::ClaimChat)).is_empty());
        assert!(notification(&state).contains(match lang {
            Lang::En => "claiming and releasing wait until it is back",
            Lang::PtBr => "assumir e largar esperam ele voltar",
        }));
        let commands = update(&mut state, Msg::IndexReachable);
        assert_eq!(
            commands,
            vec![Command::LoadCachedDetail(open)],
            "back: the open chat's stored detail is read"
        );
        assert_eq!(state.desk.unreachable_since, None);
        let text = screen(&state, (120, 30)).join("\n");
        assert!(!text.contains(words), "{text}");
        assert_eq!(state.notification.as_ref().unwrap().level, Level::Info);
    }
}

#[test]
fn rows_of_an_account_this_configuration_lacks_are_read_only() {
    let (mut state, chats) = loaded_state(Lang::PtBr, (160, 45));
    // This configuration defines only "matriz": the seeded rows are the shared index's
    // "default" account.
    state.desk.accounts = Some(BTreeSet::from(["matriz".to_owned()]));
    let id = chats[0].id.clone().unwrap();
    select(&mut state, &chats, &id);
    for action in [
        Action::ReassignResponsible,
        Action::RemoveParticipant,
        Action::ToggleArchive,
        Action::ChangeDepartment,
        Action::EditTags,
        Action::ForgetChat,
        Action::ClaimChat,
        Action::ReleaseChat,
    ] {
        state.notification = None;
        let commands = update(&mut state, Msg::Action(action));
        assert!(commands.is_empty(), "{action}: {commands:?}");
        assert!(state.modal.is_none(), "{action}: {:?}", state.modal);
        assert_eq!(
            notification(&state),
            "conta 'default' não está no seu config.toml; só leitura",
            "{action}"
        );
    }
    // Opening it shows what the shared index holds, without asking a CRM this console has no
    // client for.
    let commands = update(&mut state, Msg::Action(Action::OpenChat));
    assert!(
        commands.iter().all(|c| !matches!(c, Command::Api(_))),
        "{commands:?}"
    );
    let text = screen(&state, (160, 45)).join("\n");
    assert!(
        text.contains("conta 'default' não está no seu config.toml; só leitura"),
        "{text}"
    );
}

#[test]
fn audit_entries_carry_who_made_the_change() {
    let (mut state, _, chat) = with_two_participants(Lang::En);
    as_bia(&mut state);
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
    console::typed(&mut state, &target.name);
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    let id = commands
        .iter()
        .find_map(|c| match c {
            Command::Api(r) => Some(r.id),
            _ => None,
        })
        .unwrap();
    let commands = update(
        &mut state,
        Msg::Api(ApiEvent {
            id,
            outcome: Ok(ApiReply::Changed(Fresh {
                key,
                conversation: Conversation::Chat(Box::new(chat)),
                summary: None,
            })),
        }),
    );
    let audit = commands
        .iter()
        .find_map(|c| match c {
            Command::Audit(entry) => Some(entry.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(audit.by.as_deref(), Some("Bia"));
}

#[test]
fn the_name_is_learnt_from_the_crm_when_none_is_configured() {
    let chats = console::seeded_chats();
    let (me, name) = chats
        .iter()
        .find_map(|c| {
            let id = c.responsible_user_id()?.to_owned();
            let name = c.responsible_name()?.to_owned();
            Some((id, name))
        })
        .unwrap();
    let rows: Vec<_> = chats.iter().map(console::summary).collect();
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    state.me.insert("default".to_owned(), me.clone());
    state.desk.viewer.who = "system-user".to_owned();
    state.desk.named = false;
    update(&mut state, Msg::Rows(rows.clone()));
    assert_eq!(state.desk.viewer.who, name);
    // A configured name is never replaced.
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    state.me.insert("default".to_owned(), me);
    state.desk.viewer.who = "Bia".to_owned();
    state.desk.named = true;
    update(&mut state, Msg::Rows(rows));
    assert_eq!(state.desk.viewer.who, "Bia");
}

/// Bia's console on one room of the sandbox, concluded or not, that Carlos claimed 3 minutes ago.
fn a_room_carlos_claimed(archived: bool) -> State {
    use balcao::sandbox::rooms::Rooms;
    use balcao::sandbox::seed::Seed;
    let room = Rooms::from_seed(&Seed::bundled().unwrap(), now())
        .all()
        .iter()
        .find(|room| (room.ch_is_archived == Some(true)) == archived)
        .unwrap()
        .clone();
    let key = ChatKey::agilize("matriz", room.id.as_deref().unwrap());
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    as_bia(&mut state);
    update(&mut state, Msg::Resize(160, 45));
    update(
        &mut state,
        Msg::Rows(vec![console::row(
            key.clone(),
            balcao::store::Columns::from(&room),
        )]),
    );
    update(
        &mut state,
        Msg::CachedDetail {
            key: key.clone(),
            conversation: Some(Box::new(Conversation::Room(Box::new(room)))),
            as_of: Some(now()),
        },
    );
    update(&mut state, Msg::Presence(vec![claimed(&key, "Carlos", 3)]));
    state
}

#[test]
fn concluding_a_room_someone_claimed_names_them_in_the_one_question() {
    let mut state = a_room_carlos_claimed(false);
    update(&mut state, Msg::Action(Action::ToggleArchive));
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("no question: {:?}", state.modal)
    };
    assert!(
        matches!(question.change, Destructive::ConcludeRoom(_)),
        "one question, not two: {:?}",
        question.change
    );
    let words = question.question.lines.join("\n");
    assert!(words.contains("Carlos claimed it 3 min ago"), "{words}");
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        commands.iter().any(|c| matches!(
            c,
            Command::Api(r) if matches!(
                r.call,
                ApiCall::Change { change: balcao::api::Change::Conclude, .. }
            )
        )),
        "{commands:?}"
    );
}

#[test]
fn reopening_a_room_someone_claimed_asks_first_naming_them() {
    let mut state = a_room_carlos_claimed(true);
    let commands = update(&mut state, Msg::Action(Action::ToggleArchive));
    assert!(commands.is_empty(), "{commands:?}");
    let Some(Modal::Confirm(question)) = &state.modal else {
        panic!("no question: {:?}", state.modal)
    };
    assert!(
        matches!(
            question.change,
            Destructive::DespiteOthers {
                action: Action::ToggleArchive,
                ..
            }
        ),
        "{:?}",
        question.change
    );
    let words = question.question.lines.join("\n");
    assert!(words.contains("Carlos claimed it 3 min ago"), "{words}");
    assert!(words.contains("Reopen anyway?"), "{words}");
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(
        commands.iter().any(|c| matches!(
            c,
            Command::Api(r) if matches!(
                r.call,
                ApiCall::Change { change: balcao::api::Change::Reopen, .. }
            )
        )),
        "{commands:?}"
    );
}

#[test]
fn an_audit_entry_the_index_did_not_take_is_said_kept_then_written() {
    let (mut state, _) = loaded_state(Lang::En, (120, 30));
    update(
        &mut state,
        Msg::AuditKept {
            path: "/home/ana/.local/share/balcao/audit-journal.jsonl".into(),
            because: "shared index unreachable".to_owned(),
        },
    );
    let note = state.notification.clone().unwrap();
    assert_eq!(note.level, Level::Error);
    assert_eq!(
        note.text,
        "the change was made; its audit entry is kept in /home/ana/.local/share/balcao/audit-journal.jsonl (shared index unreachable) and will be written to the index when it is back"
    );
    update(&mut state, Msg::AuditFlushed(2));
    assert_eq!(
        notification(&state),
        "audit entries kept on this machine written to the index: 2"
    );
}

#[test]
fn an_empty_shared_inbox_says_the_desks_receivers_bring_chats() {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Rows(Vec::new()));
    let alone = screen(&state, (120, 30)).join("\n");
    assert!(alone.contains("(this console receives them)"), "{alone}");
    state.desk.shared = true;
    let team = screen(&state, (120, 30)).join("\n");
    assert!(
        team.contains("Chats arrive through the desk's receivers (balcao listen),"),
        "{team}"
    );
    assert!(!team.contains("this console receives them"), "{team}");
}

#[test]
fn the_account_column_follows_the_accounts_the_rows_come_and_go_from() {
    let (mut state, _) = loaded_state(Lang::En, (160, 45));
    let header = |state: &State| screen(state, (160, 45))[2].clone();
    assert!(!header(&state).contains("ACCOUNT"), "{}", header(&state));
    let template = state.inbox.visible_row(0).unwrap().summary.clone();
    let of_loja = |n: usize| {
        let mut row = template.clone();
        row.key = ChatKey::wegly("loja", &format!("00000000-0000-4000-8000-{n:012}"));
        row
    };
    // One row of a second account, from the feed: the column shows; forgotten, it goes.
    update(
        &mut state,
        Msg::IndexChanged {
            chats: vec![of_loja(0)],
            removed: Vec::new(),
        },
    );
    assert!(header(&state).contains("ACCOUNT"), "{}", header(&state));
    update(
        &mut state,
        Msg::IndexChanged {
            chats: Vec::new(),
            removed: vec![of_loja(0).key],
        },
    );
    assert!(!header(&state).contains("ACCOUNT"), "{}", header(&state));
    // A catch-up's worth of them at once, changed again, then all but one forgotten: the column
    // stays while one is left.
    let many: Vec<_> = (0..100).map(of_loja).collect();
    for _ in 0..2 {
        update(
            &mut state,
            Msg::IndexChanged {
                chats: many.clone(),
                removed: Vec::new(),
            },
        );
    }
    let removed: Vec<_> = many[1..].iter().map(|row| row.key.clone()).collect();
    update(
        &mut state,
        Msg::IndexChanged {
            chats: Vec::new(),
            removed,
        },
    );
    assert!(header(&state).contains("ACCOUNT"), "{}", header(&state));
    update(
        &mut state,
        Msg::IndexChanged {
            chats: Vec::new(),
            removed: vec![many[0].key.clone()],
        },
    );
    assert!(!header(&state).contains("ACCOUNT"), "{}", header(&state));
    // Every row replaced by rows of one other account: one account, no column.
    update(&mut state, Msg::Rows(many));
    assert!(!header(&state).contains("ACCOUNT"), "{}", header(&state));
}
