//! The create modal: a form for a new conversation opened with a template, checked field by
//! field before anything is sent.

use crossterm::event::KeyEvent;

use crate::api::change::{NewConversation, TemplateValue};
use crate::api::wegly::limits::MAX_CONTACT_ID_CHARS;
use crate::console::action::Action;
use crate::console::modal::common::{Stage, edit_text};
use crate::i18n::Lang;
use crate::tr;

/// The fields of the create-chat form, in order.
pub const CREATE_FIELDS: usize = 8;
/// Field indexes.
pub mod field {
    /// WhatsApp line (`whatsapp_phone_id`).
    pub const LINE: usize = 0;
    /// Contact number.
    pub const CONTACT: usize = 1;
    /// Template name.
    pub const TEMPLATE: usize = 2;
    /// Template language.
    pub const LANGUAGE: usize = 3;
    /// Template values, `BODY:1=Mariana; BODY:2=...`.
    pub const VALUES: usize = 4;
    /// CRM person id.
    pub const PERSON: usize = 5;
    /// Agent id.
    pub const AGENT: usize = 6;
    /// Status.
    pub const STATUS: usize = 7;
}

/// The create-chat modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    /// The values typed, by field.
    pub values: [String; CREATE_FIELDS],
    /// The field being typed in.
    pub focus: usize,
    /// Problems found before sending, by field.
    pub problems: Vec<(usize, String)>,
    /// The server's refusal, input kept.
    pub server_error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

impl Create {
    /// An empty form; the line is prefilled when one is known.
    pub fn new(line: Option<String>) -> Self {
        let mut values: [String; CREATE_FIELDS] = Default::default();
        values[field::LINE] = line.unwrap_or_default();
        "pt_BR".clone_into(&mut values[field::LANGUAGE]);
        "OPEN".clone_into(&mut values[field::STATUS]);
        let focus = if values[field::LINE].is_empty() {
            field::LINE
        } else {
            field::CONTACT
        };
        Self {
            values,
            focus,
            problems: Vec::new(),
            server_error: None,
            stage: Stage::Editing,
        }
    }

    /// Moves to the next field (or the previous one), round.
    pub fn next_field(&mut self, forward: bool) {
        let count = self.values.len();
        self.focus = if forward {
            (self.focus + 1) % count
        } else {
            (self.focus + count - 1) % count
        };
    }

    /// A typed key in the focused field; its problem goes once it is edited.
    pub fn typed(&mut self, key: &KeyEvent) {
        let focus = self.focus;
        if edit_text(&mut self.values[focus], key) {
            self.problems.retain(|(field, _)| *field != focus);
        }
    }

    /// A movement key: up and down move between fields.
    pub fn move_cursor(&mut self, action: Action) {
        match action {
            Action::SelectNext => self.next_field(true),
            Action::SelectPrev => self.next_field(false),
            _ => {}
        }
    }

    /// The conversation the form asks for, or every problem by field.
    pub fn request(&self, lang: Lang) -> Result<NewConversation, Vec<(usize, String)>> {
        create_request(&self.values, lang)
    }
}

/// `BODY:1=Ana; BODY:2=...` as template values; each part that does not read is a problem.
fn template_values(
    text: &str,
    lang: Lang,
    problems: &mut Vec<(usize, String)>,
) -> Vec<TemplateValue> {
    let mut values = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once('=').and_then(|(target, text)| {
            let (component, index) = target.split_once(':')?;
            let index = index.trim().parse::<i64>().ok()?;
            Some(TemplateValue {
                component: component.trim().to_ascii_uppercase(),
                index,
                value: text.trim().to_owned(),
            })
        });
        match parsed {
            Some(value) => values.push(value),
            None => problems.push((
                field::VALUES,
                tr!(
                    lang,
                    "'{part}': use COMPONENTE:ÍNDICE=VALOR",
                    "'{part}': use COMPONENT:INDEX=VALUE"
                ),
            )),
        }
    }
    values
}

/// Checks the create form; every problem is reported by field.
pub fn create_request(
    values: &[String],
    lang: Lang,
) -> Result<NewConversation, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let value = |index: usize| values.get(index).map_or("", |v| v.trim());
    let uuid_field =
        |index: usize, problems: &mut Vec<(usize, String)>, required: bool| -> Option<String> {
            let text = value(index);
            if text.is_empty() {
                if required {
                    problems.push((index, lang.pick("obrigatório", "required").to_owned()));
                }
                return None;
            }
            if let Ok(uuid) = uuid::Uuid::parse_str(text) {
                Some(uuid.to_string())
            } else {
                problems.push((
                    index,
                    tr!(lang, "'{text}' não é um UUID", "'{text}' is not a UUID"),
                ));
                None
            }
        };
    let line = uuid_field(field::LINE, &mut problems, true);
    let contact = value(field::CONTACT).to_owned();
    let count = contact.chars().count();
    if contact.is_empty() {
        problems.push((
            field::CONTACT,
            lang.pick("obrigatório", "required").to_owned(),
        ));
    } else if count > MAX_CONTACT_ID_CHARS {
        problems.push((
            field::CONTACT,
            tr!(
                lang,
                "{count} caracteres; o máximo é {MAX_CONTACT_ID_CHARS}",
                "{count} characters; at most {MAX_CONTACT_ID_CHARS}"
            ),
        ));
    }
    if value(field::TEMPLATE).is_empty() {
        problems.push((
            field::TEMPLATE,
            lang.pick("obrigatório", "required").to_owned(),
        ));
    }
    if value(field::LANGUAGE).is_empty() {
        problems.push((
            field::LANGUAGE,
            lang.pick("obrigatório (ex. pt_BR)", "required (e.g. pt_BR)")
                .to_owned(),
        ));
    }
    let fields = template_values(value(field::VALUES), lang, &mut problems);
    let person = uuid_field(field::PERSON, &mut problems, false);
    let agent = uuid_field(field::AGENT, &mut problems, false);
    let status = match value(field::STATUS).to_ascii_uppercase().as_str() {
        "" | "OPEN" => Some("OPEN".to_owned()),
        known @ ("RESOLVED" | "SNOOZED") => Some(known.to_owned()),
        other => {
            problems.push((
                field::STATUS,
                tr!(
                    lang,
                    "'{other}': OPEN, RESOLVED ou SNOOZED",
                    "'{other}': OPEN, RESOLVED or SNOOZED"
                ),
            ));
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewConversation {
        line: line.unwrap_or_default(),
        contact,
        template: value(field::TEMPLATE).to_owned(),
        language: value(field::LANGUAGE).to_owned(),
        fields,
        person,
        agent,
        status,
    })
}
