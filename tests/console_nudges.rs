//! Nudges and copying through the reducer: a customer writing in a chat this person holds rings
//! once, bursts ring once, nothing rings at start or for this person's own actions, windows warn
//! an hour and fifteen minutes before they close, `off` never rings; the overlay in both
//! languages; `copy_chat_id` and `copy_contact_number` ask for the clipboard's escape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/console.rs"]
mod console;

use balcao::config::NotifyMode;
use balcao::console::action::Action;
use balcao::console::escapes::TerminalWrite;
use balcao::console::msg::{Command, Msg};
use balcao::console::state::{Level, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, ChatSummary, Columns};
use chrono::{DateTime, TimeDelta, Utc};
use console::{draw, now, row, snapshot_cases};

const ME: &str = "u-me";

/// A chat of `account` "default" with `contact`, held by `responsible`, whose customer wrote
/// last at `at`, its window ending a day after.
fn chat(id: &str, contact: &str, responsible: &str, at: DateTime<Utc>) -> ChatSummary {
    row(
        ChatKey::wegly("default", id),
        Columns {
            status: Some("open".to_owned()),
            priority: Some(1),
            contact: Some(contact.to_owned()),
            contact_number: Some(format!("55119{id}")),
            responsible_user_id: Some(responsible.to_owned()),
            responsible_name: Some(responsible.to_owned()),
            last_message_at: Some(at),
            last_message_from_me: Some(false),
            window_ends_at: Some(at + TimeDelta::hours(24)),
            ..Columns::default()
        },
    )
}

/// The customer of `summary` wrote again at `at`.
fn wrote(summary: &ChatSummary, at: DateTime<Utc>) -> ChatSummary {
    let mut next = summary.clone();
    next.columns.last_message_at = Some(at);
    next.columns.last_message_from_me = Some(false);
    next.columns.window_ends_at = Some(at + TimeDelta::hours(24));
    next
}

/// A state where "me" is `ME` on account "default", ringing with `mode`, every row of `rows`
/// read.
fn started(mode: NotifyMode, rows: Vec<ChatSummary>) -> (State, Vec<Command>) {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    state.me.insert("default".to_owned(), ME.to_owned());
    state.nudges.mode = mode;
    let mut commands = update(&mut state, Msg::FirstPage(rows.clone()));
    commands.extend(update(&mut state, Msg::Rows(rows)));
    (state, commands)
}

fn rings(commands: &[Command]) -> Vec<TerminalWrite> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Terminal(write) => Some(write.clone()),
            _ => None,
        })
        .collect()
}

fn status(state: &State) -> String {
    state
        .notification
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn at(state: &mut State, when: DateTime<Utc>, msg: Msg) -> Vec<Command> {
    let mut commands = update(state, Msg::Tick(when));
    commands.extend(update(state, msg));
    commands
}

fn mine_and_others() -> Vec<ChatSummary> {
    let before = now() - TimeDelta::minutes(20);
    vec![
        chat("1", "Ana", ME, before),
        chat("2", "Bruno", ME, before),
        chat("3", "Carla", "u-other", before),
        chat("4", "Davi", ME, before),
    ]
}

#[test]
fn rows_read_at_start_never_ring() {
    let (state, commands) = started(NotifyMode::Bell, mine_and_others());
    assert!(rings(&commands).is_empty(), "{commands:?}");
    assert_eq!(state.nudges.recent().count(), 0);
}

#[test]
fn a_message_written_before_the_start_and_fetched_after_it_does_not_ring() {
    // Overnight: the index knew Ana's chat from yesterday; the first fetch after the start
    // brings the message she wrote an hour before the console opened. It is history, not news.
    let rows = vec![chat("1", "Ana", ME, now() - TimeDelta::days(1))];
    let (mut state, _) = started(NotifyMode::Bell, rows.clone());
    let before_start = now() - TimeDelta::hours(1);
    let ana = wrote(&rows[0], before_start);
    let later = now() + TimeDelta::minutes(1);
    let commands = at(&mut state, later, Msg::RowChanged(ana));
    assert!(rings(&commands).is_empty(), "{commands:?}");
    assert_eq!(state.nudges.recent().count(), 0);
}

#[test]
fn a_customer_writing_in_my_chat_rings_once() {
    let rows = mine_and_others();
    let (mut state, _) = started(NotifyMode::Bell, rows.clone());
    let later = now() + TimeDelta::minutes(1);
    let ana = wrote(&rows[0], later);
    let commands = at(&mut state, later, Msg::RowChanged(ana.clone()));
    assert_eq!(rings(&commands), vec![TerminalWrite::Bell]);
    assert_eq!(status(&state), "Ana wrote");
    // The same message seen again (the feed and a fetch both bring it) rings no more, even
    // once the burst is over.
    let much_later = later + TimeDelta::minutes(5);
    let again = at(&mut state, much_later, Msg::RowChanged(ana));
    assert!(rings(&again).is_empty(), "{again:?}");
    assert_eq!(state.nudges.recent().count(), 1);
}

#[test]
fn other_peoples_chats_and_my_own_actions_do_not_ring() {
    let rows = mine_and_others();
    let (mut state, _) = started(NotifyMode::Bell, rows.clone());
    let later = now() + TimeDelta::minutes(1);
    // Carla's chat is someone else's.
    let carla = wrote(&rows[2], later);
    assert!(rings(&at(&mut state, later, Msg::RowChanged(carla.clone()))).is_empty());
    // I reply in Ana's chat: the last message is mine.
    let mut replied = rows[0].clone();
    replied.columns.last_message_at = Some(later);
    replied.columns.last_message_from_me = Some(true);
    assert!(rings(&at(&mut state, later, Msg::RowChanged(replied))).is_empty());
    // I take Carla's chat: a reassignment does not move its last message.
    let mut taken = carla;
    taken.columns.responsible_user_id = Some(ME.to_owned());
    let commands = at(
        &mut state,
        later,
        Msg::IndexChanged {
            chats: vec![taken],
            removed: Vec::new(),
        },
    );
    assert!(rings(&commands).is_empty(), "{commands:?}");
    assert_eq!(state.nudges.recent().count(), 0);
}

#[test]
fn a_burst_rings_once_and_counts() {
    let rows = mine_and_others();
    let (mut state, _) = started(NotifyMode::Bell, rows.clone());
    let t = now() + TimeDelta::minutes(1);
    let first = at(&mut state, t, Msg::RowChanged(wrote(&rows[0], t)));
    assert_eq!(rings(&first), vec![TerminalWrite::Bell]);
    let t2 = t + TimeDelta::seconds(5);
    let second = at(
        &mut state,
        t2,
        Msg::IndexChanged {
            chats: vec![wrote(&rows[1], t2), wrote(&rows[3], t2)],
            removed: Vec::new(),
        },
    );
    assert!(rings(&second).is_empty(), "{second:?}");
    assert_eq!(status(&state), "3 customers wrote");
    // After the burst, the next one rings again.
    let t3 = t2 + TimeDelta::minutes(2);
    let third = at(&mut state, t3, Msg::RowChanged(wrote(&rows[0], t3)));
    assert_eq!(rings(&third), vec![TerminalWrite::Bell]);
    assert_eq!(status(&state), "Ana wrote");
    assert_eq!(state.nudges.recent().count(), 4);
}

#[test]
fn a_window_i_hold_warns_an_hour_then_fifteen_minutes_before_it_closes() {
    let mut ana = chat("1", "Ana", ME, now() - TimeDelta::hours(20));
    ana.columns.window_ends_at = Some(now() + TimeDelta::minutes(90));
    // Bruno's window is already within the hour at start: only the quarter's warning rings.
    let mut bruno = chat("2", "Bruno", ME, now() - TimeDelta::hours(23));
    bruno.columns.window_ends_at = Some(now() + TimeDelta::minutes(40));
    let mut carla = chat("3", "Carla", "u-other", now() - TimeDelta::hours(23));
    carla.columns.window_ends_at = Some(now() + TimeDelta::minutes(40));
    let (mut state, _) = started(NotifyMode::Desktop, vec![ana, bruno, carla]);
    let tick = |state: &mut State, minutes: i64| {
        rings(&update(
            state,
            Msg::Tick(now() + TimeDelta::minutes(minutes)),
        ))
    };
    assert!(tick(&mut state, 10).is_empty());
    assert_eq!(
        tick(&mut state, 25),
        vec![TerminalWrite::Desktop {
            title: "balcão".to_owned(),
            text: "Bruno's window closes in 15 min".to_owned()
        }]
    );
    assert!(tick(&mut state, 26).is_empty());
    assert_eq!(
        tick(&mut state, 30),
        vec![TerminalWrite::Desktop {
            title: "balcão".to_owned(),
            text: "Ana's window closes in 1 h".to_owned()
        }]
    );
    assert!(tick(&mut state, 31).is_empty());
    assert!(tick(&mut state, 74).is_empty());
    assert_eq!(tick(&mut state, 75).len(), 1);
    assert_eq!(status(&state), "Ana's window closes in 15 min");
    assert!(tick(&mut state, 200).is_empty());
    let texts: Vec<String> = state
        .nudges
        .recent()
        .map(|nudge| nudge.text(Lang::En))
        .collect();
    assert_eq!(
        texts,
        [
            "Ana's window closes in 15 min",
            "Ana's window closes in 1 h",
            "Bruno's window closes in 15 min"
        ]
    );
}

#[test]
fn off_never_rings_and_keeps_the_list() {
    let rows = mine_and_others();
    let (mut state, _) = started(NotifyMode::Off, rows.clone());
    let later = now() + TimeDelta::minutes(1);
    let commands = at(&mut state, later, Msg::RowChanged(wrote(&rows[0], later)));
    assert!(rings(&commands).is_empty(), "{commands:?}");
    assert!(state.notification.is_none());
    assert_eq!(state.nudges.recent().count(), 1);
}

#[test]
fn the_nudges_overlay_in_both_languages() {
    for (lang, tag, size) in snapshot_cases() {
        let rows = mine_and_others();
        let (mut state, _) = started(NotifyMode::Bell, rows.clone());
        state.lang = lang;
        let t = now() + TimeDelta::minutes(1);
        at(&mut state, t, Msg::RowChanged(wrote(&rows[0], t)));
        let t = now() + TimeDelta::minutes(7);
        at(&mut state, t, Msg::RowChanged(wrote(&rows[3], t)));
        update(&mut state, Msg::Resize(size.0, size.1));
        update(&mut state, Msg::Action(Action::ShowNotifications));
        insta::assert_snapshot!(
            format!("nudges_{tag}_{}x{}", size.0, size.1),
            draw(&state, size).backend()
        );
        update(&mut state, Msg::Action(Action::Cancel));
        assert!(state.modal.is_none());
    }
}

#[test]
fn copying_the_chat_id_and_the_number() {
    let rows = mine_and_others();
    let (mut state, _) = started(NotifyMode::Off, rows);
    let selected = state.inbox.selected_row().unwrap().summary.clone();
    let id = selected.key.chat_id.clone();
    let commands = update(&mut state, Msg::Action(Action::CopyChatId));
    assert_eq!(
        commands,
        vec![Command::Terminal(TerminalWrite::Clipboard(id.clone()))]
    );
    assert_eq!(
        status(&state),
        format!("Chat id sent to the clipboard (OSC 52): {id}")
    );
    let commands = update(&mut state, Msg::Action(Action::CopyContactNumber));
    let number = selected.columns.contact_number.clone().unwrap();
    assert_eq!(
        commands,
        vec![Command::Terminal(TerminalWrite::Clipboard(number.clone()))]
    );
    assert_eq!(
        status(&state),
        format!("Number sent to the clipboard (OSC 52): {number}")
    );
    // A chat with no number says so and copies nothing.
    let mut bare = selected;
    bare.columns.contact_number = None;
    update(&mut state, Msg::RowChanged(bare));
    state.lang = Lang::PtBr;
    let commands = update(&mut state, Msg::Action(Action::CopyContactNumber));
    assert!(commands.is_empty(), "{commands:?}");
    let notification = state.notification.clone().unwrap();
    assert_eq!(notification.level, Level::Error);
    assert_eq!(
        notification.text,
        "esta conversa não tem número de contato para copiar"
    );
}
