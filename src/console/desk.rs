//! The desk around this console, as the console's state holds it: who this person is, who else
//! is on which chat (viewing it now, or having claimed it), whether the shared index can be
//! reached, and which accounts this configuration defines (rows of any other account come from
//! the shared index and are read-only here). Also the words that name the others, for the detail
//! and for the question asked before changing a chat someone else is on.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::i18n::Lang;
use crate::store::{ChatKey, ChatSummary, Presence, PresenceKind, Viewer};
use crate::timefmt;
use crate::tr;

/// What this console knows of the desk.
#[derive(Debug, Clone)]
pub struct Desk {
    /// This person and this console, as the rest of the desk sees them.
    pub viewer: Viewer,
    /// Whether `viewer.who` is settled (configured, or already learnt from the CRM): until then
    /// the name of the account's `me` user, once a row shows it, takes its place.
    pub named: bool,
    /// Whether the index is a shared database (team mode).
    pub shared: bool,
    /// Everyone on each chat (this console's own marks included), as last read.
    presence: HashMap<ChatKey, Vec<Presence>>,
    /// Whether anyone but this person is on any chat, so the list shows its marker column.
    others_anywhere: bool,
    /// Since when the shared index cannot be reached; `None` while it can.
    pub unreachable_since: Option<DateTime<Utc>>,
    /// The accounts this configuration defines; `None` when the console was not told (every
    /// row is then its own).
    pub accounts: Option<BTreeSet<String>>,
}

impl Default for Desk {
    fn default() -> Self {
        Self {
            viewer: Viewer {
                who: "?".to_owned(),
                console: uuid::Uuid::new_v4().to_string(),
            },
            named: true,
            shared: false,
            presence: HashMap::new(),
            others_anywhere: false,
            unreachable_since: None,
            accounts: None,
        }
    }
}

impl Desk {
    /// Whether a presence is another person's (the same person at a second console is not).
    pub fn is_other(&self, presence: &Presence) -> bool {
        !same_person(&presence.who, &self.viewer.who)
    }

    /// Replaces what is known of who is on which chat.
    pub fn set_presence(&mut self, list: Vec<Presence>) {
        self.presence.clear();
        let mut others = false;
        for presence in list {
            others |= !same_person(&presence.who, &self.viewer.who);
            self.presence
                .entry(presence.key.clone())
                .or_default()
                .push(presence);
        }
        self.others_anywhere = others;
    }

    /// Everyone on `key`, this person included.
    pub fn on(&self, key: &ChatKey) -> &[Presence] {
        self.presence.get(key).map_or(&[], Vec::as_slice)
    }

    /// The claim on `key`, whoever made it.
    pub fn claim(&self, key: &ChatKey) -> Option<&Presence> {
        self.on(key)
            .iter()
            .find(|presence| presence.kind == PresenceKind::Claimed)
    }

    /// Whether another person is viewing `key` or has claimed it.
    pub fn anyone_else_on(&self, key: &ChatKey) -> bool {
        self.on(key).iter().any(|presence| self.is_other(presence))
    }

    /// Whether the list shows its presence column: always in team mode, and on a file another
    /// console shares once someone else is on a chat.
    pub fn shows_presence(&self) -> bool {
        self.shared || self.others_anywhere
    }

    /// The account of `key` when this configuration does not define it (the row is read-only).
    pub fn foreign_account<'a>(&self, key: &'a ChatKey) -> Option<&'a str> {
        self.accounts
            .as_ref()
            .filter(|accounts| !accounts.contains(&key.account))
            .map(|_| key.account.as_str())
    }

    /// Settles this person's name from the rows, when it is not settled: the name the CRM gives
    /// the user whose id is `me` (the account's own user), on a row where that user is the
    /// responsible.
    pub fn learn_name<'a>(
        &mut self,
        me: Option<&str>,
        rows: impl Iterator<Item = &'a ChatSummary>,
    ) {
        let Some(me) = me.filter(|_| !self.named) else {
            return;
        };
        let name = rows
            .filter(|row| row.columns.responsible_user_id.as_deref() == Some(me))
            .find_map(|row| row.columns.responsible_name.as_deref())
            .map(str::trim)
            .filter(|name| !name.is_empty());
        if let Some(name) = name {
            self.viewer.who = name.to_owned();
            self.named = true;
        }
    }
}

/// Whether two names are one person's (spacing and case aside).
fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// "Ana" / "Ana e Bruno" / "Ana, Bruno e Carla".
fn names(lang: Lang, names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [head @ .., last] => {
            let and = lang.pick("e", "and");
            format!("{} {and} {last}", head.join(", "))
        }
    }
}

/// Who is on `key`, in sentences with their list marker: "👁 Ana está vendo", "⚑ Carlos assumiu
/// há 3 min" (or "você" for this person's own claim). This person's own viewing mark is left
/// out.
pub fn presence_lines(lang: Lang, desk: &Desk, key: &ChatKey, now: DateTime<Utc>) -> Vec<String> {
    let mut viewing: Vec<&str> = desk
        .on(key)
        .iter()
        .filter(|p| p.kind == PresenceKind::Viewing && desk.is_other(p))
        .map(|p| p.who.as_str())
        .collect();
    viewing.sort_unstable();
    viewing.dedup();
    let mut lines = Vec::new();
    if !viewing.is_empty() {
        let who = names(lang, &viewing);
        lines.push(if viewing.len() == 1 {
            tr!(lang, "👁 {who} está vendo", "👁 {who} is viewing")
        } else {
            tr!(lang, "👁 {who} estão vendo", "👁 {who} are viewing")
        });
    }
    if let Some(claim) = desk.claim(key) {
        let ago = timefmt::age(claim.since, now, lang);
        lines.push(if desk.is_other(claim) {
            let who = &claim.who;
            tr!(lang, "⚑ {who} assumiu {ago}", "⚑ {who} claimed it {ago}")
        } else {
            tr!(lang, "⚑ você assumiu {ago}", "⚑ you claimed it {ago}")
        });
    }
    lines
}

/// Why a row of an account this configuration does not define cannot be changed here.
pub fn read_only_reason(lang: Lang, account: &str) -> String {
    tr!(
        lang,
        "conta '{account}' não está no seu config.toml; só leitura",
        "account '{account}' is not in your config.toml; read-only"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_in_each_language() {
        assert_eq!(names(Lang::PtBr, &["Ana"]), "Ana");
        assert_eq!(names(Lang::PtBr, &["Ana", "Bruno"]), "Ana e Bruno");
        assert_eq!(
            names(Lang::En, &["Ana", "Bruno", "Carla"]),
            "Ana, Bruno and Carla"
        );
    }
}
