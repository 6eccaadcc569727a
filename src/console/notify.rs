//! Nudges: the console rings when a customer writes in a chat this person holds, or when a
//! window they hold is about to close (one hour, then fifteen minutes, before it ends). Each
//! event rings at most once (its key: the chat, the event and its time), events close together
//! ring once ("3 clientes escreveram"), and nothing rings for what was already there when the
//! index was first read nor for this person's own actions (their replies are from them; a
//! reassignment does not move the last message). Pure: the rows and the clock come in, the
//! terminal writes go out (`console::nudge` carries them out on the console's state).

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::NotifyMode;
use crate::console::escapes::TerminalWrite;
use crate::i18n::Lang;
use crate::inbox::contact;
use crate::store::{ChatKey, ChatSummary};
use crate::tr;

/// Events this close to the last ring do not ring again (they are told in the status bar and
/// kept in the list of nudges).
pub const BURST: TimeDelta = TimeDelta::seconds(30);
/// How far the CRM's clock may run behind this machine's for a message written just after the
/// start still to count as written since it.
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(1);
/// How many nudges `show_notifications` lists.
pub const KEPT: usize = 20;
/// Before a window's end, the moments it rings at.
pub const WINDOW_WARNINGS: [(Event, TimeDelta); 2] = [
    (Event::WindowHour, TimeDelta::hours(1)),
    (Event::WindowQuarter, TimeDelta::minutes(15)),
];

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// The customer wrote.
    Wrote,
    /// The window closes within an hour.
    WindowHour,
    /// The window closes within fifteen minutes.
    WindowQuarter,
}

/// One nudge, as `show_notifications` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nudge {
    /// The chat.
    pub key: ChatKey,
    /// Who it is with (a contact's name is fine on screen and in a desktop notification).
    pub contact: String,
    /// What happened.
    pub event: Event,
    /// When the console noticed it.
    pub at: DateTime<Utc>,
}

impl Nudge {
    /// The nudge in words.
    pub fn text(&self, lang: Lang) -> String {
        let who = &self.contact;
        match self.event {
            Event::Wrote => tr!(lang, "{who} escreveu", "{who} wrote"),
            Event::WindowHour => tr!(
                lang,
                "a janela de {who} fecha em 1 h",
                "{who}'s window closes in 1 h"
            ),
            Event::WindowQuarter => tr!(
                lang,
                "a janela de {who} fecha em 15 min",
                "{who}'s window closes in 15 min"
            ),
        }
    }
}

/// A window this person holds, watched for its warnings.
#[derive(Debug, Clone)]
struct Held {
    end: DateTime<Utc>,
    /// Since when it is watched: a warning whose moment had passed by then does not ring.
    since: DateTime<Utc>,
    contact: String,
}

/// What rang, what is watched, and the last nudges.
#[derive(Debug, Clone, Default)]
pub struct Nudges {
    /// How to ring (`notify` in config.toml).
    pub mode: NotifyMode,
    /// When every row was first read: changes after it may ring.
    started: Option<DateTime<Utc>>,
    /// Each event that rang: chat, event, and its time (the message's, the window's end).
    rung: HashSet<(ChatKey, Event, i64)>,
    windows: HashMap<ChatKey, Held>,
    /// The next warning's moment, when known (ticks before it cost nothing).
    next_due: Option<DateTime<Utc>>,
    last_ring: Option<DateTime<Utc>>,
    /// Nudges since the last ring, that one included.
    burst: usize,
    log: VecDeque<Nudge>,
}

/// Whether `row` is held by this person (`me`: account → user id), as `responsible:me` reads it.
fn held_by_me(row: &ChatSummary, me: &HashMap<String, String>) -> bool {
    me.get(&row.key.account).is_some_and(|me| {
        row.columns
            .responsible_user_id
            .as_deref()
            .is_some_and(|id| id.eq_ignore_ascii_case(me))
    })
}

impl Nudges {
    /// Nudges that never ring (a state built by code rings only when asked to).
    pub fn off() -> Self {
        Self {
            mode: NotifyMode::Off,
            ..Self::default()
        }
    }

    /// The last nudges, newest first.
    pub fn recent(&self) -> impl Iterator<Item = &Nudge> {
        self.log.iter().rev()
    }

    /// Every row has been read: from now on changes may ring. The windows held now are watched
    /// from now (a warning already due does not ring).
    pub fn start<'a>(
        &mut self,
        rows: impl Iterator<Item = &'a ChatSummary>,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) {
        if self.started.is_some() {
            return;
        }
        self.started = Some(now);
        for row in rows {
            self.watch(row, now, me);
        }
    }

    /// Watches `row`'s window while this person holds it and it is open.
    fn watch(&mut self, row: &ChatSummary, now: DateTime<Utc>, me: &HashMap<String, String>) {
        let columns = &row.columns;
        let open = columns.window_ends_at.filter(|end| *end > now);
        match open {
            Some(end) if held_by_me(row, me) && !row.gone && !columns.archived => {
                let contact = contact(row).to_owned();
                match self.windows.get_mut(&row.key) {
                    Some(held) if held.end == end => held.contact = contact,
                    _ => {
                        self.windows.insert(
                            row.key.clone(),
                            Held {
                                end,
                                since: now,
                                contact,
                            },
                        );
                        self.next_due = None;
                    }
                }
            }
            _ => {
                if self.windows.remove(&row.key).is_some() {
                    self.next_due = None;
                }
            }
        }
    }

    /// A row changed from `before` (`None`: new to the list) to `after`: the nudge, when the
    /// customer wrote in a chat this person holds since the rows were first read.
    pub fn observe(
        &mut self,
        before: Option<&ChatSummary>,
        after: &ChatSummary,
        now: DateTime<Utc>,
        me: &HashMap<String, String>,
    ) -> Option<Nudge> {
        self.watch(after, now, me);
        let started = self.started?;
        let columns = &after.columns;
        if !held_by_me(after, me) || columns.last_message_from_me != Some(false) {
            return None;
        }
        let at = columns.last_message_at?;
        // Only a message written since the start is news: the first fetches after it bring
        // what customers wrote while the console was closed (a known row's time advancing is
        // not enough), and a chat new to the list brings its history.
        let since_start = at >= started - CLOCK_SKEW;
        let advanced = match before.and_then(|row| row.columns.last_message_at) {
            Some(was) => at > was && since_start,
            None => since_start,
        };
        if !advanced
            || !self
                .rung
                .insert((after.key.clone(), Event::Wrote, at.timestamp_millis()))
        {
            return None;
        }
        Some(Nudge {
            key: after.key.clone(),
            contact: contact(after).to_owned(),
            event: Event::Wrote,
            at: now,
        })
    }

    /// The window warnings whose moment came by `now`, each once.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Nudge> {
        if self.started.is_none() || self.next_due.is_some_and(|next| now < next) {
            return Vec::new();
        }
        self.windows.retain(|_, held| held.end > now);
        let mut due = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        for (key, held) in &self.windows {
            for (event, before) in WINDOW_WARNINGS {
                let moment = held.end - before;
                if moment <= held.since {
                    continue;
                }
                if moment > now {
                    next = Some(next.map_or(moment, |next| next.min(moment)));
                } else if self
                    .rung
                    .insert((key.clone(), event, held.end.timestamp_millis()))
                {
                    due.push(Nudge {
                        key: key.clone(),
                        contact: held.contact.clone(),
                        event,
                        at: now,
                    });
                }
            }
        }
        // With nothing ahead, the next look is when a window changes (which clears this).
        self.next_due = Some(next.unwrap_or(DateTime::<Utc>::MAX_UTC));
        due
    }

    /// Keeps `nudges` and says how to ring for them: nothing when off or within a burst (the
    /// status bar's text then counts the burst), else the bell or a desktop notification.
    /// Returns the write and the status bar's text.
    pub fn ring(
        &mut self,
        nudges: Vec<Nudge>,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Option<(Option<TerminalWrite>, String)> {
        let first = nudges.first()?.clone();
        let count = nudges.len();
        for nudge in nudges {
            if self.log.len() == KEPT {
                self.log.pop_front();
            }
            self.log.push_back(nudge);
        }
        if self.mode == NotifyMode::Off {
            return None;
        }
        let quiet = self.last_ring.is_some_and(|rang| now - rang < BURST);
        if quiet {
            self.burst += count;
        } else {
            self.burst = count;
            self.last_ring = Some(now);
        }
        let burst: Vec<&Nudge> = self.log.iter().rev().take(self.burst).collect();
        let text = match self.burst {
            1 => first.text(lang),
            n if burst.iter().all(|n| n.event == Event::Wrote) => {
                tr!(lang, "{n} clientes escreveram", "{n} customers wrote")
            }
            n if burst.iter().all(|n| n.event != Event::Wrote) => {
                tr!(lang, "{n} janelas fechando", "{n} windows closing")
            }
            n => tr!(lang, "{n} avisos", "{n} nudges"),
        };
        let write = (!quiet).then(|| match self.mode {
            NotifyMode::Desktop => TerminalWrite::Desktop {
                title: "balcão".to_owned(),
                text: text.clone(),
            },
            NotifyMode::Bell | NotifyMode::Off => TerminalWrite::Bell,
        });
        Some((write, text))
    }
}
