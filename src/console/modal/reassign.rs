//! The reassign modal: pick who takes the conversation (type to filter), choose what moves
//! with it where the CRM moves more than the conversation, and send it.

use crossterm::event::KeyEvent;

use crate::api::capability::Capability;
use crate::api::change::{Change, Scope};
use crate::api::conversation::{Assignee, Conversation};
use crate::api::providers::supports;
use crate::console::action::Action;
use crate::console::modal::common::{About, Stage, edit_text, step};
use crate::i18n::Lang;
use crate::inbox::fold;
use crate::store::ChatKey;
use crate::tr;

/// An agent the conversation may go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The **user** id (what the request takes).
    pub user_id: String,
    /// Name.
    pub name: String,
    /// Availability.
    pub status: Option<String>,
    folded: String,
}

impl From<Assignee> for Candidate {
    fn from(assignee: Assignee) -> Self {
        Self {
            folded: fold(&assignee.name),
            user_id: assignee.user_id,
            name: assignee.name,
            status: assignee.status,
        }
    }
}

/// The reassign modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassign {
    /// The conversation.
    pub key: ChatKey,
    /// The contact, for the title.
    pub contact: String,
    /// Who may take it.
    pub candidates: Vec<Candidate>,
    /// Type-to-filter text.
    pub query: String,
    /// Index into the filtered candidates.
    pub cursor: usize,
    /// What moves: the chat, the contact's leads, the contact's deals (the toggles).
    pub scope: Scope,
    /// Whether the CRM moves the contact's leads and deals too (the toggles are offered).
    pub leads_and_deals: bool,
    /// The responsible's user id as last seen (compared before writing).
    pub expected: Option<String>,
    /// The responsible's name as last seen.
    pub expected_name: Option<String>,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

impl Reassign {
    /// The modal for a conversation; `known` are users seen on other conversations of the
    /// account (candidates where the CRM lists none).
    pub fn open(key: ChatKey, conversation: &Conversation, known: &[String]) -> Self {
        Self {
            leads_and_deals: supports(key.provider, Capability::ReassignLeadsDeals),
            key,
            contact: conversation
                .display_name()
                .unwrap_or_else(|| "—".to_owned()),
            candidates: conversation
                .assignees(known)
                .into_iter()
                .map(Candidate::from)
                .collect(),
            query: String::new(),
            cursor: 0,
            scope: Scope::CHAT,
            expected: conversation.responsible_user_id().map(str::to_owned),
            expected_name: conversation.responsible_name().map(str::to_owned),
            error: None,
            stage: Stage::Editing,
        }
    }

    /// The candidates the query lets through (accent-insensitive: "joao" finds "João").
    pub fn shown(&self) -> Vec<&Candidate> {
        let needle = fold(self.query.trim());
        self.candidates
            .iter()
            // Both sides are folded already: a plain search.
            .filter(|c| c.folded.contains(needle.as_str()))
            .collect()
    }

    /// The candidate under the cursor.
    pub fn chosen(&self) -> Option<&Candidate> {
        let shown = self.shown();
        shown
            .get(self.cursor.min(shown.len().saturating_sub(1)))
            .copied()
    }

    /// A typed key in the filter; the inline message goes once it is edited.
    pub fn typed(&mut self, key: &KeyEvent) {
        if edit_text(&mut self.query, key) {
            self.cursor = 0;
            self.error = None;
        }
    }

    /// Flips one of the toggles (only where the CRM moves leads and deals).
    pub fn toggle(&mut self, action: Action) {
        if !self.leads_and_deals {
            return;
        }
        let on = match action {
            Action::ToggleUpdateChat => &mut self.scope.chat,
            Action::ToggleUpdateLeads => &mut self.scope.leads,
            _ => &mut self.scope.deals,
        };
        *on = !*on;
    }

    /// The change the modal asks for: the candidate under the cursor, or why not (shown in
    /// the modal).
    pub fn request(&self, lang: Lang) -> Result<(Change, About), String> {
        let Some(candidate) = self.chosen() else {
            return Err(lang
                .pick("ninguém corresponde ao filtro", "nobody matches the filter")
                .to_owned());
        };
        // A request with every toggle off would change nothing, yet the CRM answers 200: refuse
        // it here rather than report a success.
        if !self.scope.any() {
            return Err(lang
                .pick(
                    "nada mudaria: ligue ao menos uma opção entre conversa, leads e negócios",
                    "nothing would change: turn on at least one of chat, leads or deals",
                )
                .to_owned());
        }
        if self.expected.as_deref() == Some(candidate.user_id.as_str()) && self.scope == Scope::CHAT
        {
            let name = &candidate.name;
            return Err(tr!(
                lang,
                "{name} já é o responsável",
                "{name} is already the responsible"
            ));
        }
        let change = Change::Reassign {
            to: candidate.user_id.clone(),
            expected: self.expected.clone(),
            scope: self.scope,
        };
        let about = About {
            who: candidate.name.clone(),
            before: self.expected_name.clone().or_else(|| self.expected.clone()),
        };
        Ok((change, about))
    }

    /// A movement key: the cursor moves over the candidates shown.
    pub fn move_cursor(&mut self, action: Action) {
        self.cursor = step(action, self.cursor, self.shown().len());
        self.error = None;
    }
}
