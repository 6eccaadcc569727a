//! The reassign modal: pick who takes the conversation (type to filter), choose what moves
//! with it where the CRM moves more than the conversation, and send it.

use crate::api::{Assignee, Capability, Change, Conversation, Scope, supports};
use crate::console::action::Action;
use crate::console::changes::{self, About};
use crate::console::modal::{Modal, Stage};
use crate::console::msg::Command;
use crate::console::state::State;
use crate::inbox::{contains_folded, fold};
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
    /// `update_chat`, `update_leads`, `update_deals`.
    pub toggles: [bool; 3],
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
            toggles: [true, false, false],
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
            .filter(|c| contains_folded(&c.folded, &needle))
            .collect()
    }

    /// The candidate under the cursor.
    pub fn chosen(&self) -> Option<&Candidate> {
        let shown = self.shown();
        shown
            .get(self.cursor.min(shown.len().saturating_sub(1)))
            .copied()
    }

    /// What moves.
    pub fn scope(&self) -> Scope {
        Scope {
            chat: self.toggles[0],
            leads: self.toggles[1],
            deals: self.toggles[2],
        }
    }

    /// A typed key in the text field; the inline message goes once it is edited.
    pub fn typed(&mut self, key: &crossterm::event::KeyEvent) {
        if crate::console::modal::edit_text(&mut self.query, key) {
            self.cursor = 0;
            self.error = None;
        }
    }

    /// Flips one of the toggles (only where the CRM moves leads and deals).
    pub fn toggle(&mut self, action: Action) {
        if !self.leads_and_deals {
            return;
        }
        let index = match action {
            Action::ToggleUpdateChat => 0,
            Action::ToggleUpdateLeads => 1,
            _ => 2,
        };
        self.toggles[index] = !self.toggles[index];
    }

    /// Sends the reassignment to the candidate under the cursor.
    pub fn submit(mut self, state: &mut State) -> Vec<Command> {
        let lang = state.lang;
        if self.stage != Stage::Editing {
            return Vec::new();
        }
        let Some(candidate) = self.chosen().cloned() else {
            self.error = Some(
                lang.pick("ninguém corresponde ao filtro", "nobody matches the filter")
                    .to_owned(),
            );
            state.modal = Some(Modal::Reassign(self));
            return Vec::new();
        };
        // A request with every toggle off would change nothing, yet the CRM answers 200: refuse
        // it here rather than report a success.
        if !self.scope().any() {
            self.error = Some(
                lang.pick(
                    "nada mudaria: ligue ao menos uma opção entre conversa, leads e negócios",
                    "nothing would change: turn on at least one of chat, leads or deals",
                )
                .to_owned(),
            );
            state.modal = Some(Modal::Reassign(self));
            return Vec::new();
        }
        if self.expected.as_deref() == Some(candidate.user_id.as_str())
            && self.scope() == Scope::CHAT
        {
            let name = &candidate.name;
            self.error = Some(tr!(
                lang,
                "{name} já é o responsável",
                "{name} is already the responsible"
            ));
            state.modal = Some(Modal::Reassign(self));
            return Vec::new();
        }
        let change = Change::Reassign {
            to: candidate.user_id.clone(),
            expected: self.expected.clone(),
            scope: self.scope(),
        };
        let about = About {
            who: candidate.name.clone(),
            before: self.expected_name.clone().or_else(|| self.expected.clone()),
        };
        let seen = state.shown_conversation(&self.key).cloned();
        match changes::begin(state, &self.key.clone(), change, about, seen.as_ref()) {
            Ok((id, command)) => {
                self.stage = Stage::Sending(id);
                self.error = None;
                state.modal = Some(Modal::Reassign(self));
                vec![command]
            }
            Err(busy) => {
                self.error = Some(busy);
                state.modal = Some(Modal::Reassign(self));
                Vec::new()
            }
        }
    }
}

impl Reassign {
    /// Opens the modal for the selected conversation, when its detail is at hand and no other
    /// change to it is in flight (otherwise the status bar says why).
    pub fn open_selected(state: &mut State) -> Vec<Command> {
        let (key, conversation) = match changes::selected_for(state, Capability::Reassign) {
            Ok(target) => target,
            Err(commands) => return commands,
        };
        // Users seen on the account's other conversations: candidates where the CRM lists none.
        let known: Vec<String> = state
            .inbox
            .rows()
            .iter()
            .filter(|row| {
                row.summary.key.provider == key.provider && row.summary.key.account == key.account
            })
            .filter_map(|row| row.summary.columns.responsible_user_id.clone())
            .collect();
        state.modal = Some(Modal::Reassign(Self::open(key, &conversation, &known)));
        Vec::new()
    }
}
