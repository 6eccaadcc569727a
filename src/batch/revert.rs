//! How a change is taken back: the change that puts the conversation back, and what it must
//! still show for that to be safe (nobody changed it since). Written with each audit entry, so
//! an undo needs nothing but the audit log.

use serde::{Deserialize, Serialize};

use crate::api::{Change, Conversation, Scope};
use crate::i18n::Lang;

/// What a conversation must show for a step to go ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// This responsible (a user id), or nobody.
    Responsible(Option<String>),
    /// This department.
    Department(Option<String>),
    /// These tags, in any order.
    Tags(Vec<String>),
    /// Concluded (`true`) or open.
    Archived(bool),
    /// This user is a participant and not the responsible (who cannot be removed).
    RemovableMember(String),
}

impl Expect {
    /// Whether `conversation` shows it.
    pub fn holds(&self, conversation: &Conversation) -> bool {
        match self {
            Self::Responsible(who) => same_user(conversation.responsible_user_id(), who.as_deref()),
            Self::Department(department) => conversation.department() == department.as_deref(),
            Self::Tags(tags) => {
                let mut now = conversation.tags();
                let mut wanted = tags.clone();
                now.sort();
                wanted.sort();
                now == wanted
            }
            Self::Archived(archived) => conversation.columns().archived == *archived,
            Self::RemovableMember(user) => conversation
                .members()
                .iter()
                .any(|member| member.user_id.eq_ignore_ascii_case(user) && !member.responsible),
        }
    }

    /// What `conversation` shows instead, in words, for a step skipped because it changed.
    pub fn what_is_there(&self, conversation: &Conversation, lang: Lang) -> String {
        let nobody = || lang.pick("ninguém", "nobody").to_owned();
        match self {
            Self::Responsible(_) => {
                let now = conversation
                    .responsible_name()
                    .map_or_else(nobody, str::to_owned);
                crate::tr!(
                    lang,
                    "o responsável agora é {now}",
                    "its responsible is now {now}"
                )
            }
            Self::Department(_) => {
                let now = conversation.department().map_or_else(nobody, str::to_owned);
                crate::tr!(
                    lang,
                    "o departamento agora é {now}",
                    "its department is now {now}"
                )
            }
            Self::Tags(_) => {
                let now = conversation.tags().join(", ");
                crate::tr!(
                    lang,
                    "as tags agora são [{now}]",
                    "its tags are now [{now}]"
                )
            }
            Self::Archived(_) => if conversation.columns().archived {
                lang.pick("foi concluída desde então", "it was concluded since")
            } else {
                lang.pick("foi reaberta desde então", "it was reopened since")
            }
            .to_owned(),
            Self::RemovableMember(user) => {
                if same_user(conversation.responsible_user_id(), Some(user)) {
                    lang.pick(
                        "a pessoa agora é a responsável (e fica)",
                        "the person is now its responsible (and stays)",
                    )
                } else {
                    lang.pick(
                        "a pessoa já não participa",
                        "the person is no longer a participant",
                    )
                }
                .to_owned()
            }
        }
    }
}

/// Whether a change whose audit outcome is `outcome` may be there (made, or its reply lost and
/// not settled), and so is one an undo takes back.
pub fn may_be_there(outcome: &str) -> bool {
    matches!(outcome, "confirmed" | "unknown")
}

/// User ids compare without regard to case: the CRMs spell UUIDs either way.
fn same_user(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// The change that takes another back, and what the conversation must show for it to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revert {
    /// The change that puts the conversation back.
    pub change: Change,
    /// What the conversation must still show: what the change being undone left there.
    pub expect: Expect,
}

impl Revert {
    /// How this revert is itself taken back (an undo can be undone): what it expects to find is
    /// what it replaces.
    pub fn inverse(&self) -> UndoNote {
        let back = |change: Change, expect: Expect| UndoNote::Revert(Self { change, expect });
        match (&self.change, &self.expect) {
            (Change::Reassign { to, scope, .. }, Expect::Responsible(Some(there))) => back(
                Change::Reassign {
                    to: there.clone(),
                    expected: Some(to.clone()),
                    scope: *scope,
                },
                Expect::Responsible(Some(to.clone())),
            ),
            (Change::SetDepartment(department), Expect::Department(Some(there))) => back(
                Change::SetDepartment(there.clone()),
                Expect::Department(Some(department.clone())),
            ),
            (Change::SetTags(tags), Expect::Tags(there)) => {
                back(Change::SetTags(there.clone()), Expect::Tags(tags.clone()))
            }
            (change, _) => UndoNote::of(change, None, None),
        }
    }
}

/// Why a change cannot be taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Irreversible {
    /// It had no responsible before, and a CRM cannot take a responsible away.
    NoPreviousResponsible,
    /// The CRMs have no call that adds a participant back.
    ParticipantRemoval,
    /// What it was before is not known (the detail had not been read).
    UnknownBefore,
    /// Only the contact's leads and deals moved; what they were before is not known.
    LeadsDeals,
}

impl Irreversible {
    /// The reason, in words.
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            Self::NoPreviousResponsible => lang.pick(
                "não tinha responsável antes, e o CRM não permite tirar o responsável",
                "it had no responsible before, and the CRM cannot take a responsible away",
            ),
            Self::ParticipantRemoval => lang.pick(
                "o CRM não tem como adicionar um participante de volta",
                "the CRM has no way to add a participant back",
            ),
            Self::UnknownBefore => lang.pick(
                "o valor anterior não é conhecido",
                "the value before is not known",
            ),
            Self::LeadsDeals => lang.pick(
                "os donos anteriores dos leads e negócios não são conhecidos",
                "the leads' and deals' previous owners are not known",
            ),
        }
    }
}

/// What an audit entry's `undo` column holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UndoNote {
    /// How to take it back.
    Revert(Revert),
    /// Why it cannot be taken back.
    Cannot(Irreversible),
}

impl UndoNote {
    /// How `change` is taken back, given the conversation as it was before (`before`; for a
    /// reassignment, `from` is the responsible it had, which a batch knows without the detail).
    pub fn of(change: &Change, before: Option<&Conversation>, from: Option<&str>) -> Self {
        let revert = |change: Change, expect: Expect| Self::Revert(Revert { change, expect });
        match change {
            Change::Reassign { scope, .. } if !scope.chat => Self::Cannot(Irreversible::LeadsDeals),
            Change::Reassign { to, .. } => {
                let from = from
                    .map(str::to_owned)
                    .or_else(|| before.and_then(|c| c.responsible_user_id().map(str::to_owned)));
                match from {
                    Some(from) => revert(
                        Change::Reassign {
                            to: from,
                            expected: Some(to.clone()),
                            scope: Scope::CHAT,
                        },
                        Expect::Responsible(Some(to.clone())),
                    ),
                    None if before.is_some() => Self::Cannot(Irreversible::NoPreviousResponsible),
                    None => Self::Cannot(Irreversible::UnknownBefore),
                }
            }
            Change::RemoveParticipant { .. } => Self::Cannot(Irreversible::ParticipantRemoval),
            Change::Conclude => revert(Change::Reopen, Expect::Archived(true)),
            Change::Reopen => revert(Change::Conclude, Expect::Archived(false)),
            Change::SetDepartment(department) => {
                match before.and_then(|c| c.department().map(str::to_owned)) {
                    Some(previous) => revert(
                        Change::SetDepartment(previous),
                        Expect::Department(Some(department.clone())),
                    ),
                    None => Self::Cannot(Irreversible::UnknownBefore),
                }
            }
            Change::SetTags(tags) => match before {
                Some(before) => revert(Change::SetTags(before.tags()), Expect::Tags(tags.clone())),
                None => Self::Cannot(Irreversible::UnknownBefore),
            },
        }
    }

    /// The text the audit log keeps.
    pub fn to_text(&self) -> String {
        // A plain enum of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads an audit entry's `undo` column; `None` when it is empty or not balcão's.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}
