//! User intents. Their names are the vocabulary `keymap.toml`, the help and scripts share.

use std::fmt;

/// Where a key is pressed; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere except inside a modal.
    Global,
    /// The chat list has focus.
    List,
    /// The detail pane has focus.
    Detail,
    /// A modal (or the filter line) is open; nothing else applies.
    Modal,
}

impl Context {
    /// Every context, in keymap order.
    pub const ALL: [Context; 4] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Modal,
    ];

    /// The table name in `keymap.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::List => "list",
            Self::Detail => "detail",
            Self::Modal => "modal",
        }
    }

    /// Reads a table name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|context| context.name() == text)
    }
}

macro_rules! actions {
    ($($(#[$meta:meta])* $variant:ident = $name:literal in [$($context:ident),+]),+ $(,)?) => {
        /// What the user means.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($(#[$meta])* $variant,)+
        }

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The keymap name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            /// Reads a keymap name.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($name => Some(Action::$variant),)+
                    _ => None,
                }
            }

            /// The contexts the action may be bound in.
            pub fn contexts(self) -> &'static [Context] {
                match self {
                    $(Action::$variant => &[$(Context::$context),+],)+
                }
            }
        }
    };
}

actions! {
    /// Leave the console.
    Quit = "quit" in [Global],
    /// Show the keys.
    Help = "help" in [Global],
    /// Move focus between the list and the detail.
    FocusNextPane = "focus_next_pane" in [Global, List, Detail],
    /// Next row / scroll down / next choice.
    SelectNext = "select_next" in [Global, List, Detail, Modal],
    /// Previous row / scroll up / previous choice.
    SelectPrev = "select_prev" in [Global, List, Detail, Modal],
    /// First row.
    SelectFirst = "select_first" in [Global, List, Detail, Modal],
    /// Last row.
    SelectLast = "select_last" in [Global, List, Detail, Modal],
    /// A page down.
    PageDown = "page_down" in [Global, List, Detail, Modal],
    /// A page up.
    PageUp = "page_up" in [Global, List, Detail, Modal],
    /// Fetch the selected chat and show it.
    OpenChat = "open_chat" in [Global, List],
    /// Fetch the selected chat again.
    Refresh = "refresh" in [Global, List, Detail],
    /// Hand the chat to another agent.
    ReassignResponsible = "reassign_responsible" in [Global, List, Detail],
    /// Remove a participant from the chat.
    RemoveParticipant = "remove_participant" in [Global, List, Detail],
    /// Open a chat with a template.
    CreateChat = "create_chat" in [Global, List, Detail],
    /// Add a chat to the inbox by its id.
    AddChat = "add_chat" in [Global, List, Detail],
    /// Type a filter.
    Filter = "filter" in [Global, List, Detail],
    /// Remove the filter.
    ClearFilter = "clear_filter" in [Global, List, Detail],
    /// Show or hide CPF/CNPJ numbers.
    RevealDocuments = "reveal_documents" in [Global, Detail],
    /// Conclude or reopen an Agilize room.
    ToggleArchive = "toggle_archive" in [Global, List, Detail],
    /// Move an Agilize room to another department.
    ChangeDepartment = "change_department" in [Global, List, Detail],
    /// Replace an Agilize room's tags.
    EditTags = "edit_tags" in [Global, List, Detail],
    /// Forget a chat gone from the CRM: take it out of the index.
    ForgetChat = "forget_chat" in [Global, List, Detail],
    /// Say "I'm on it": the rest of the desk sees the chat claimed by this person.
    ClaimChat = "claim_chat" in [Global, List, Detail],
    /// Drop this person's claim on the chat.
    ReleaseChat = "release_chat" in [Global, List, Detail],
    /// Accept the modal.
    Confirm = "confirm" in [Modal],
    /// Close the modal, or go back.
    Cancel = "cancel" in [Detail, Modal],
    /// Next field of a form.
    NextField = "next_field" in [Modal],
    /// Previous field of a form.
    PrevField = "prev_field" in [Modal],
    /// Reassign: also set the chat's assigned agent.
    ToggleUpdateChat = "toggle_update_chat" in [Modal],
    /// Reassign: also hand over the contact's leads.
    ToggleUpdateLeads = "toggle_update_leads" in [Modal],
    /// Reassign: also hand over the contact's deals.
    ToggleUpdateDeals = "toggle_update_deals" in [Modal],
    /// Hand every marked chat (or the selected one) to one agent, with a preview.
    BatchReassign = "batch_reassign" in [Global, List, Detail],
    /// Take one person out of every marked chat (or the selected one), with a preview.
    BatchRemoveParticipant = "batch_remove_participant" in [Global, List, Detail],
    /// Take back the last batch or single change made by this person.
    Undo = "undo" in [Global, List, Detail, Modal],
    /// Who holds what: each agent's open chats, unread, windows closing, longest wait.
    ShowWorkload = "show_workload" in [Global, List, Detail],
    /// The latest changes from the audit log.
    ShowAuditLog = "show_audit_log" in [Global, List, Detail],
    /// Mark or unmark the selected chat, then go to the next one.
    ToggleMark = "toggle_mark" in [Global, List],
    /// Mark every chat the filter matches, on screen or not.
    MarkAllMatching = "mark_all_matching" in [Global, List],
    /// Unmark every chat.
    ClearMarks = "clear_marks" in [Global, List],
    /// Select the most urgent chat that needs an answer, then the next one.
    NextUrgent = "next_urgent" in [Global, List, Detail],
    /// Sort the list in the next order.
    CycleSort = "cycle_sort" in [Global, List, Detail],
    /// Switch to the next saved view.
    NextView = "next_view" in [Global, List, Detail],
    /// Switch to the previous saved view.
    PrevView = "prev_view" in [Global, List, Detail],
    /// Find an action or a chat by typing.
    CommandPalette = "command_palette" in [Global, List, Detail],
    /// The last nudges (a customer wrote, a window closing), newest first.
    ShowNotifications = "show_notifications" in [Global, List, Detail],
    /// Put the chat's id on the clipboard.
    CopyChatId = "copy_chat_id" in [Global, List, Detail],
    /// Put the contact's number on the clipboard.
    CopyContactNumber = "copy_contact_number" in [Global, List, Detail],
    /// Write a reply to the chat (a template when its window is closed).
    Reply = "reply" in [List, Detail],
    /// Send the reply being written.
    SendReply = "send_reply" in [Modal],
    /// Reply quoting the conversation's selected message.
    ReplyToMessage = "reply_to_message" in [Detail],
    /// Show the chat's conversation in the detail pane, or go back to its detail.
    ShowTimeline = "show_timeline" in [List, Detail],
}

impl Action {
    /// Whether it moves a cursor: the list's selection, the detail's scroll, a modal's cursor.
    pub fn moves(self) -> bool {
        matches!(
            self,
            Self::SelectNext
                | Self::SelectPrev
                | Self::SelectFirst
                | Self::SelectLast
                | Self::PageDown
                | Self::PageUp
        )
    }

    /// What the action does, for the help.
    pub fn describe(self, lang: crate::i18n::Lang) -> &'static str {
        let (pt, en) = match self {
            Self::Quit => ("sair", "quit"),
            Self::Help => ("esta ajuda", "this help"),
            Self::FocusNextPane => ("alternar lista e detalhe", "switch list and detail"),
            Self::SelectNext => ("próxima", "next"),
            Self::SelectPrev => ("anterior", "previous"),
            Self::SelectFirst => ("primeira", "first"),
            Self::SelectLast => ("última", "last"),
            Self::PageDown => ("página abaixo", "page down"),
            Self::PageUp => ("página acima", "page up"),
            Self::OpenChat => ("abrir a conversa", "open the chat"),
            Self::Refresh => ("buscar de novo", "fetch again"),
            Self::ReassignResponsible => ("reatribuir o responsável", "reassign the responsible"),
            Self::RemoveParticipant => ("remover um participante", "remove a participant"),
            Self::CreateChat => ("nova conversa por modelo", "new chat from a template"),
            Self::AddChat => ("adicionar conversa por id", "add a chat by id"),
            Self::Filter => ("filtrar", "filter"),
            Self::ClearFilter => ("limpar o filtro", "clear the filter"),
            Self::RevealDocuments => ("mostrar/ocultar CPF e CNPJ", "show/hide CPF and CNPJ"),
            Self::ToggleArchive => (
                "concluir/reabrir a sala (Agilize)",
                "conclude/reopen the room (Agilize)",
            ),
            Self::ChangeDepartment => (
                "mudar o departamento da sala",
                "change the room's department",
            ),
            Self::EditTags => ("editar as tags da sala", "edit the room's tags"),
            Self::ForgetChat => ("esquecer conversa sumida (✝)", "forget a gone chat (✝)"),
            Self::ClaimChat => ("assumir a conversa (⚑)", "claim the chat (⚑)"),
            Self::ReleaseChat => ("largar a conversa assumida", "release the claimed chat"),
            Self::Confirm => ("confirmar", "confirm"),
            Self::Cancel => ("cancelar / voltar", "cancel / back"),
            Self::NextField => ("próximo campo", "next field"),
            Self::PrevField => ("campo anterior", "previous field"),
            Self::ToggleUpdateChat => ("reatribuir a conversa", "reassign the chat"),
            Self::ToggleUpdateLeads => ("levar os leads junto", "take the leads along"),
            Self::ToggleUpdateDeals => ("levar os negócios junto", "take the deals along"),
            Self::BatchReassign => (
                "reatribuir as marcadas (prévia)",
                "reassign marked chats (preview)",
            ),
            Self::BatchRemoveParticipant => (
                "tirar alguém das marcadas",
                "remove someone from marked chats",
            ),
            Self::Undo => ("desfazer a última mudança", "undo the last change"),
            Self::ShowWorkload => ("carga de cada agente", "each agent's workload"),
            Self::ShowAuditLog => (
                "últimas alterações (auditoria)",
                "latest changes (audit log)",
            ),
            Self::ToggleMark => ("marcar/desmarcar a conversa", "mark/unmark the chat"),
            Self::MarkAllMatching => ("marcar todas as do filtro", "mark all the filter matches"),
            Self::ClearMarks => ("desmarcar todas", "clear the marks"),
            Self::NextUrgent => (
                "próxima conversa sem resposta",
                "next chat needing an answer",
            ),
            Self::CycleSort => ("mudar a ordem da lista", "sort the list another way"),
            Self::NextView => ("próxima visão (aba)", "next view (tab)"),
            Self::PrevView => ("visão anterior (aba)", "previous view (tab)"),
            Self::CommandPalette => (
                "paleta: achar ação ou conversa",
                "palette: find an action or chat",
            ),
            Self::ShowNotifications => ("últimos avisos", "latest nudges"),
            Self::CopyChatId => ("copiar o id da conversa", "copy the chat's id"),
            Self::CopyContactNumber => ("copiar o número do contato", "copy the contact's number"),
            Self::Reply => ("responder (rascunho guardado)", "reply (draft kept)"),
            Self::SendReply => ("enviar a resposta", "send the reply"),
            Self::ReplyToMessage => ("responder citando a mensagem", "reply quoting the message"),
            Self::ShowTimeline => (
                "ver a conversa / voltar ao detalhe",
                "show the conversation / back to the detail",
            ),
        };
        lang.pick(pt, en)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
