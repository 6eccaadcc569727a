//! What a batch would do, before anything is sent: for each chat, the change (from → to) and
//! its warnings, or why it is left out. Pure: it reads the rows, the stored details and who is
//! on which chat, and decides nothing with the network.

use chrono::{DateTime, Utc};

use crate::api::providers::supports;
use crate::api::{Capability, Change, Conversation, Scope};
use crate::batch::revert::{Expect, UndoNote};
use crate::i18n::Lang;
use crate::store::{ChatKey, ChatSummary, Presence, PresenceKind, Provider};
use crate::tr;

/// What the batch is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Hand every chat to one person.
    Reassign {
        /// Their user id.
        to: String,
        /// Their name, for people.
        to_name: String,
        /// What moves with the chat.
        scope: Scope,
    },
    /// Take one person out of every chat where they are a participant (not the responsible).
    RemoveParticipant {
        /// Their user id.
        user: String,
        /// Their name, for people.
        name: String,
    },
}

impl Intent {
    /// What the CRM must offer.
    fn capability(&self) -> Capability {
        match self {
            Self::Reassign { scope, .. } if !scope.chat => Capability::ReassignLeadsDeals,
            Self::Reassign { .. } => Capability::Reassign,
            Self::RemoveParticipant { .. } => Capability::RemoveParticipant,
        }
    }
}

/// One chat as the plan sees it: its row and, when the index holds it, its detail.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The row.
    pub summary: &'a ChatSummary,
    /// The stored detail.
    pub detail: Option<&'a Conversation>,
}

/// Something the person should know before confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Someone else has it open.
    Viewing(String),
    /// Someone else has claimed it.
    Claimed(String),
    /// Its WhatsApp window closes soon.
    WindowClosing(DateTime<Utc>),
}

impl Warning {
    /// In words.
    pub fn words(&self, lang: Lang, now: DateTime<Utc>) -> String {
        match self {
            Self::Viewing(who) => tr!(lang, "{who} está com ela aberta", "{who} has it open"),
            Self::Claimed(who) => tr!(lang, "{who} assumiu", "{who} claimed it"),
            Self::WindowClosing(at) => {
                let minutes = (*at - now).num_minutes().max(0);
                tr!(
                    lang,
                    "a janela fecha em {minutes} min",
                    "its window closes in {minutes} min"
                )
            }
        }
    }
}

/// One chat the batch will change.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Which chat.
    pub key: ChatKey,
    /// Its contact, for people.
    pub contact: String,
    /// Its responsible before (user id).
    pub from: Option<String>,
    /// Their name.
    pub from_name: Option<String>,
    /// The change to send.
    pub change: Change,
    /// What the chat must show, re-read just before the change is sent; `None` when the change
    /// checks for itself (a Wegly reassignment re-reads and compares the responsible).
    pub check: Option<Expect>,
    /// How the change will be taken back.
    pub undo: UndoNote,
    /// What the person should know.
    pub warnings: Vec<Warning>,
}

impl Planned {
    /// Who holds it before the change, for people: by name, else by user id.
    pub fn holder(&self) -> Option<&str> {
        self.from_name.as_deref().or(self.from.as_deref())
    }
}

/// Why a chat is left out of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The CRM no longer has it.
    Gone,
    /// Its CRM does not offer the change.
    NotOffered(Provider),
    /// The target already holds it.
    AlreadyHeld,
    /// The target is not among those who may take it.
    NotAssignable,
    /// The person is not a participant.
    NotParticipant,
    /// The person is its responsible, who cannot be removed.
    Responsible,
}

impl Reason {
    /// In words.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Self::Gone => lang
                .pick("a conversa sumiu do CRM", "the chat is gone from the CRM")
                .to_owned(),
            Self::NotOffered(provider) => {
                let crm = crate::api::crm_name(*provider);
                tr!(
                    lang,
                    "o {crm} não oferece esta mudança",
                    "{crm} does not offer this change"
                )
            }
            Self::AlreadyHeld => lang
                .pick("já é dessa pessoa", "already held by that person")
                .to_owned(),
            Self::NotAssignable => lang
                .pick(
                    "essa pessoa não pode receber esta conversa",
                    "that person cannot be assigned this chat",
                )
                .to_owned(),
            Self::NotParticipant => lang
                .pick("a pessoa não participa", "the person is not a participant")
                .to_owned(),
            Self::Responsible => lang
                .pick(
                    "a pessoa é a responsável e fica (reatribua antes)",
                    "the person is its responsible and stays (reassign it first)",
                )
                .to_owned(),
        }
    }
}

/// A chat left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    /// Which chat.
    pub key: ChatKey,
    /// Its contact, for people.
    pub contact: String,
    /// Why.
    pub reason: Reason,
}

/// What a batch would do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What for.
    pub intent: Intent,
    /// The chats it changes, in the order given.
    pub items: Vec<Planned>,
    /// The chats it leaves alone.
    pub left: Vec<Left>,
}

impl Plan {
    /// Whether it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Plans `intent` over `chats`, in their order. `presence` is who is on which chat (team mode;
/// empty otherwise); `me` is this person, whose own marks warn of nothing.
pub fn plan(
    intent: &Intent,
    chats: &[Candidate<'_>],
    presence: &[Presence],
    me: &str,
    now: DateTime<Utc>,
) -> Plan {
    let mut items = Vec::new();
    let mut left = Vec::new();
    for chat in chats {
        let summary = chat.summary;
        let contact = crate::inbox::contact(summary).to_owned();
        match plan_one(intent, *chat) {
            Ok((change, check, undo)) => items.push(Planned {
                key: summary.key.clone(),
                contact,
                from: summary.columns.responsible_user_id.clone(),
                from_name: summary.columns.responsible_name.clone(),
                change,
                check,
                undo,
                warnings: warnings(summary, presence, me, now),
            }),
            Err(reason) => left.push(Left {
                key: summary.key.clone(),
                contact,
                reason,
            }),
        }
    }
    Plan {
        intent: intent.clone(),
        items,
        left,
    }
}

fn plan_one(
    intent: &Intent,
    chat: Candidate<'_>,
) -> Result<(Change, Option<Expect>, UndoNote), Reason> {
    let summary = chat.summary;
    let provider = summary.key.provider;
    if summary.gone {
        return Err(Reason::Gone);
    }
    if !supports(provider, intent.capability()) {
        return Err(Reason::NotOffered(provider));
    }
    let responsible = summary.columns.responsible_user_id.as_deref();
    match intent {
        Intent::Reassign { to, scope, .. } => {
            let held = responsible.is_some_and(|now| now.eq_ignore_ascii_case(to));
            if held && scope.chat {
                return Err(Reason::AlreadyHeld);
            }
            // Only a chat lists who may take it; a room takes anyone of the account.
            if let Some(Conversation::Chat(_)) = chat.detail {
                let assignees = chat.detail.map(|c| c.assignees(&[])).unwrap_or_default();
                let listed = assignees.iter().any(|a| a.user_id.eq_ignore_ascii_case(to));
                if !assignees.is_empty() && !listed {
                    return Err(Reason::NotAssignable);
                }
            }
            let change = Change::Reassign {
                to: to.clone(),
                expected: responsible.map(str::to_owned),
                scope: *scope,
            };
            // A Wegly reassignment re-reads and compares the responsible itself; a room's
            // update does not, so the batch re-reads it first.
            let check = (provider != Provider::Wegly)
                .then(|| Expect::Responsible(responsible.map(str::to_owned)));
            let undo = UndoNote::of(&change, chat.detail, responsible);
            Ok((change, check, undo))
        }
        Intent::RemoveParticipant { user, .. } => {
            if responsible.is_some_and(|now| now.eq_ignore_ascii_case(user)) {
                return Err(Reason::Responsible);
            }
            if let Some(detail) = chat.detail {
                let member = detail
                    .members()
                    .into_iter()
                    .find(|m| m.user_id.eq_ignore_ascii_case(user));
                match member {
                    None => return Err(Reason::NotParticipant),
                    Some(member) if member.responsible => return Err(Reason::Responsible),
                    Some(_) => {}
                }
            }
            let change = Change::RemoveParticipant {
                user_id: user.clone(),
            };
            let undo = UndoNote::of(&change, chat.detail, None);
            Ok((change, Some(Expect::RemovableMember(user.clone())), undo))
        }
    }
}

/// What the person should know of `summary` before changing it.
fn warnings(
    summary: &ChatSummary,
    presence: &[Presence],
    me: &str,
    now: DateTime<Utc>,
) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = presence
        .iter()
        .filter(|p| p.key == summary.key && !p.who.eq_ignore_ascii_case(me))
        .map(|p| match p.kind {
            PresenceKind::Viewing => Warning::Viewing(p.who.clone()),
            PresenceKind::Claimed => Warning::Claimed(p.who.clone()),
        })
        .collect();
    if let Some(ends) = summary.columns.window_ends_at
        && crate::inbox::closing_soon(summary, now)
    {
        warnings.push(Warning::WindowClosing(ends));
    }
    warnings
}
