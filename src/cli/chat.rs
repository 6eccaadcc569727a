//! `balcao chat ...`: every check before any request, then one call and its output.

use std::io::Write;

use uuid::Uuid;

use crate::api::conversation::Conversation;
use crate::api::verify::{self, Settled};
use crate::api::wegly::changes::{describe, responsible_request};
use crate::api::wegly::limits::{MAX_CONTACT_ID_CHARS, MAX_PROFILE_NAME_CHARS};
use crate::api::wegly::wire::Chat;
use crate::api::wegly::wire::{ChatStatus, CreateChatRequest, TemplateField, TemplateRef};
use crate::api::wegly::{Fetched, WeglyClient};
use crate::api::{ApiError, Change, Scope};
use crate::batch::UndoNote;
use crate::cli::args::{ChatCommand, CreateArgs, CreateStatus, GlobalArgs};
use crate::cli::present;
use crate::cli::record::{Recorder, Saved};
use crate::cli::{CliError, output_ended};
use crate::i18n::Lang;
use crate::present::audit_outcome;
use crate::store::{AuditEntry, ChatKey};
use crate::tr;

/// Runs one chat command.
pub async fn run(global: &GlobalArgs, command: ChatCommand, lang: Lang) -> Result<(), CliError> {
    // Every value is checked before the client exists, so a usage error never sends a request.
    let plan = Plan::check(command, lang)?;
    let settings = crate::config::resolve::resolve(&global.overrides())?;
    let client = settings.wegly_client(settings.account())?;
    let account = settings.account().name.clone();
    let now = chrono::Utc::now();
    match plan {
        Plan::Get { id, json } => {
            let fetched = client.get_chat(id).await?;
            emit(&fetched, json, || present::chat(&fetched.value, lang, now))
        }
        Plan::Create { request, json } => {
            let recorder = Recorder::open(&settings, lang).await?;
            let fetched = create(&client, &recorder, &account, &request).await?;
            let created = fetched.status == 201;
            emit(&fetched, json, || {
                present::created(&fetched.value, created, lang, now)
            })
        }
        Plan::Reassign {
            id,
            to,
            scope,
            json,
        } => {
            let recorder = Recorder::open(&settings, lang).await?;
            let key = ChatKey::wegly(&account, &id.to_string());
            let before = chat_before(&client, &recorder, &key, id).await;
            let to = to.to_string();
            let request = responsible_request(&to, scope);
            let written = client.update_responsible(id, &request).await;
            let settled =
                verify::settle(&client, id, written, verify::responsible_is(&request)).await;
            let change = Change::Reassign {
                to,
                expected: None,
                scope,
            };
            let mut entry = audit_entry(&recorder, &key, &change);
            entry.before = before.as_ref().and_then(responsible);
            let seen = before.map(|chat| Conversation::Chat(Box::new(chat)));
            entry.undo = Some(UndoNote::of(&change, seen.as_ref(), None).to_text());
            let settled = conclude(&recorder, &key, entry, settled, responsible).await?;
            emit_settled(&settled, json, lang, |chat| {
                present::reassigned(chat, &request, lang, now)
            })
        }
        Plan::RemoveParticipant { id, user, json } => {
            let recorder = Recorder::open(&settings, lang).await?;
            let key = ChatKey::wegly(&account, &id.to_string());
            let before = chat_before(&client, &recorder, &key, id).await;
            let written = client.remove_participant(id, user).await;
            let settled =
                verify::settle(&client, id, written, verify::participant_gone(user)).await;
            let change = Change::RemoveParticipant {
                user_id: user.to_string(),
            };
            let mut entry = audit_entry(&recorder, &key, &change);
            entry.undo = Some(UndoNote::of(&change, None, None).to_text());
            entry.before = Some(
                before
                    .as_ref()
                    .and_then(|chat| participant_name(chat, user))
                    .unwrap_or_else(|| user.to_string()),
            );
            let settled = conclude(&recorder, &key, entry, settled, |_| None).await?;
            emit_settled(&settled, json, lang, |chat| {
                present::participant_removed(chat, user, lang, now)
            })
        }
        Plan::Timeline { id, json } => {
            let fetched = client.timeline(id).await?;
            emit(&fetched, json, || present::timeline(&fetched.value, lang))
        }
        Plan::Unread { json } => {
            let fetched = client.unread_summary().await?;
            emit(&fetched, json, || present::unread(&fetched.value, lang))
        }
    }
}

/// The audit entry of `change` to `key`, in the words the console's entries use: the same action
/// name and request, whichever of the two made the change.
fn audit_entry(recorder: &Recorder, key: &ChatKey, change: &Change) -> AuditEntry {
    recorder.entry(key.clone(), change.audit_action(), Some(describe(change)))
}

/// Creates a chat and records it: its audit entry (created or reused, or the failure's word),
/// and its row in the index. No chat id to re-read: a lost reply is reported as unknown, never
/// as a failure.
async fn create(
    client: &WeglyClient,
    recorder: &Recorder,
    account: &str,
    request: &CreateChatRequest,
) -> Result<Fetched<Chat>, CliError> {
    let written = verify::unverifiable(client.create_chat(request).await);
    let body = serde_json::to_string(request).ok();
    match written {
        Ok(fetched) => {
            let key = ChatKey::wegly(account, fetched.value.id.as_deref().unwrap_or_default());
            let mut entry = recorder.entry(key.clone(), "create_chat", body);
            let created = fetched.status == 201;
            if created { "created" } else { "reused" }.clone_into(&mut entry.outcome);
            entry.http_status = Some(fetched.status);
            entry.after = fetched.value.display_name().map(str::to_owned);
            if !key.chat_id.is_empty() {
                let columns = Conversation::Chat(Box::new(fetched.value.clone())).columns();
                let raw = String::from_utf8_lossy(&fetched.raw).into_owned();
                recorder.save(&key, raw, columns, Saved::Created).await;
            }
            recorder.record(entry).await;
            Ok(fetched)
        }
        Err(error) => {
            let mut entry = recorder.entry(ChatKey::wegly(account, ""), "create_chat", body);
            entry.outcome = audit_outcome(&error).to_owned();
            entry.http_status = error.status();
            recorder.record(entry).await;
            Err(error.into())
        }
    }
}

/// The chat as it is just before a change, for the audit's "before": read from the CRM, else
/// the index's copy; `None` when neither has it (the change goes ahead all the same).
async fn chat_before(
    client: &WeglyClient,
    recorder: &Recorder,
    key: &ChatKey,
    id: Uuid,
) -> Option<Chat> {
    match client.get_chat(id).await {
        Ok(fetched) => Some(fetched.value),
        Err(error) => {
            tracing::info!(%error, "the chat could not be read before the change");
            let stored = recorder.stored_detail(key).await?;
            serde_json::from_str(&stored).ok()
        }
    }
}

/// A chat's responsible as the audit names it: by name, else by user id.
fn responsible(chat: &Chat) -> Option<String> {
    chat.responsible_name()
        .or_else(|| chat.responsible_user_id())
        .map(str::to_owned)
}

/// The name of the participant whose user id is `user`.
fn participant_name(chat: &Chat, user: Uuid) -> Option<String> {
    let user = user.to_string();
    chat.participants
        .iter()
        .flatten()
        .filter_map(|participant| participant.user.as_ref())
        .find(|found| {
            found
                .id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(&user))
        })
        .and_then(|found| found.name.clone())
}

/// After a change to a chat was settled: the chat's row takes what the CRM now says, and the
/// audit entry takes the verified outcome (with `after` read from the chat when it is made).
async fn conclude(
    recorder: &Recorder,
    key: &ChatKey,
    mut entry: AuditEntry,
    settled: Result<Settled<Chat>, ApiError>,
    after: impl Fn(&Chat) -> Option<String>,
) -> Result<Settled<Chat>, CliError> {
    let (fetched, status) = match &settled {
        Ok(Settled::Replied(fetched)) => (Some(fetched), Some(fetched.status)),
        Ok(Settled::Confirmed(fetched)) => (Some(fetched.as_ref()), None),
        Err(error) => {
            entry.outcome = audit_outcome(error).to_owned();
            entry.http_status = error.status();
            (None, None)
        }
    };
    if let Some(fetched) = fetched {
        "confirmed".clone_into(&mut entry.outcome);
        entry.http_status = status;
        entry.after = after(&fetched.value);
        let columns = Conversation::Chat(Box::new(fetched.value.clone())).columns();
        let raw = String::from_utf8_lossy(&fetched.raw).into_owned();
        recorder.save(key, raw, columns, Saved::Chat).await;
    }
    // Only a change that may be there can be taken back.
    if !crate::batch::may_be_there(&entry.outcome) {
        entry.undo = None;
    }
    recorder.record(entry).await;
    Ok(settled?)
}

/// A command whose every value has been checked.
enum Plan {
    Get {
        id: Uuid,
        json: bool,
    },
    Create {
        request: Box<CreateChatRequest>,
        json: bool,
    },
    Reassign {
        id: Uuid,
        /// The new responsible's user id.
        to: Uuid,
        /// What moves with it.
        scope: Scope,
        json: bool,
    },
    RemoveParticipant {
        id: Uuid,
        user: Uuid,
        json: bool,
    },
    Timeline {
        id: Uuid,
        json: bool,
    },
    Unread {
        json: bool,
    },
}

impl Plan {
    fn check(command: ChatCommand, lang: Lang) -> Result<Self, CliError> {
        Ok(match command {
            ChatCommand::Get { id, json } => Self::Get {
                id: chat_id(&id, lang)?,
                json,
            },
            ChatCommand::Create(args) => create_plan(args, lang)?,
            ChatCommand::Reassign {
                id,
                to,
                no_chat,
                leads,
                deals,
                json,
            } => {
                let scope = Scope {
                    chat: !no_chat,
                    leads,
                    deals,
                };
                if !scope.any() {
                    return Err(CliError::Usage(tr!(
                        lang,
                        "--no-chat sem --leads nem --deals não mudaria nada: tire --no-chat para trocar o responsável da conversa, ou acrescente --leads e/ou --deals",
                        "--no-chat without --leads or --deals would change nothing: drop --no-chat to change the chat's responsible, or add --leads and/or --deals"
                    )));
                }
                Self::Reassign {
                    id: chat_id(&id, lang)?,
                    to: user_id(&to, "--to", lang)?,
                    scope,
                    json,
                }
            }
            ChatCommand::RemoveParticipant {
                id,
                user_id: user,
                json,
            } => Self::RemoveParticipant {
                id: chat_id(&id, lang)?,
                user: user_id(&user, "USER_ID", lang)?,
                json,
            },
            ChatCommand::Timeline { id, json } => Self::Timeline {
                id: chat_id(&id, lang)?,
                json,
            },
            ChatCommand::Unread { json } => Self::Unread { json },
        })
    }
}

fn create_plan(args: CreateArgs, lang: Lang) -> Result<Plan, CliError> {
    let line = uuid_arg(&args.line, "--line", lang)?;
    let contact = args.to.trim().to_owned();
    let count = contact.chars().count();
    if contact.is_empty() || count > MAX_CONTACT_ID_CHARS {
        return Err(CliError::Usage(tr!(
            lang,
            "--to '{contact}' tem {count} caracteres: o número do contato precisa ter de 1 a {MAX_CONTACT_ID_CHARS}",
            "--to '{contact}' has {count} characters: the contact number must have 1 to {MAX_CONTACT_ID_CHARS}"
        )));
    }
    let (name, language) = args
        .template
        .split_once(':')
        .unwrap_or((args.template.as_str(), "pt_BR"));
    if name.trim().is_empty() || language.trim().is_empty() {
        let given = &args.template;
        return Err(CliError::Usage(tr!(
            lang,
            "--template '{given}' precisa ser NOME ou NOME:IDIOMA, por exemplo saudacao_inicial:pt_BR",
            "--template '{given}' must be NAME or NAME:LANG, for example saudacao_inicial:pt_BR"
        )));
    }
    let template_fields = args
        .fields
        .iter()
        .map(|field| template_field(field, lang))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(profile) = &args.name {
        let count = profile.chars().count();
        if count > MAX_PROFILE_NAME_CHARS {
            return Err(CliError::Usage(tr!(
                lang,
                "--name tem {count} caracteres; o máximo é {MAX_PROFILE_NAME_CHARS}",
                "--name has {count} characters; the maximum is {MAX_PROFILE_NAME_CHARS}"
            )));
        }
    }
    let person = args
        .person
        .as_deref()
        .map(|id| uuid_arg(id, "--person", lang))
        .transpose()?;
    let agent = args
        .assign
        .as_deref()
        .map(|id| uuid_arg(id, "--assign", lang))
        .transpose()?;
    Ok(Plan::Create {
        request: Box::new(CreateChatRequest {
            whatsapp_phone_id: line.to_string(),
            wa_contact_id: contact,
            template: TemplateRef {
                name: name.trim().to_owned(),
                language: language.trim().to_owned(),
            },
            template_fields,
            person_contact_id: None,
            remote_profile_name: args.name,
            crm_person_id: person.map(|id| id.to_string()),
            assigned_agent_id: agent.map(|id| id.to_string()),
            status: args.status.map(|status| match status {
                CreateStatus::Open => ChatStatus::Open,
                CreateStatus::Resolved => ChatStatus::Resolved,
                CreateStatus::Snoozed => ChatStatus::Snoozed,
            }),
        }),
        json: args.json,
    })
}

/// `COMPONENT:INDEX=VALUE`, e.g. `BODY:1=Mariana`.
fn template_field(text: &str, lang: Lang) -> Result<TemplateField, CliError> {
    let parsed = text.split_once('=').and_then(|(target, value)| {
        let (component, index) = target.split_once(':')?;
        let index = index
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|index| *index >= 0)?;
        let component = component.trim().to_ascii_uppercase();
        (!component.is_empty() && component.chars().all(|c| c.is_ascii_alphabetic())).then(|| {
            TemplateField {
                component,
                kind: "TEXT".to_owned(),
                index,
                button_index: None,
                card_index: None,
                value: value.to_owned(),
            }
        })
    });
    parsed.ok_or_else(|| {
        CliError::Usage(tr!(
            lang,
            "--field '{text}' precisa ser COMPONENTE:ÍNDICE=VALOR, por exemplo BODY:1=Mariana",
            "--field '{text}' must be COMPONENT:INDEX=VALUE, for example BODY:1=Mariana"
        ))
    })
}

fn chat_id(text: &str, lang: Lang) -> Result<Uuid, CliError> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        CliError::Usage(tr!(
            lang,
            "o id de conversa '{text}' não é um UUID (formato 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23); copie-o do CRM ou de `balcao inbox list`",
            "chat id '{text}' is not a UUID (like 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23); copy it from the CRM or from `balcao inbox list`"
        ))
    })
}

fn user_id(text: &str, what: &str, lang: Lang) -> Result<Uuid, CliError> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        CliError::Usage(tr!(
            lang,
            "{what}: o id de usuário '{text}' não é um UUID; use o id do usuário (user.id), não o do agente",
            "{what}: user id '{text}' is not a UUID; use the user's id (user.id), not the agent id"
        ))
    })
}

fn uuid_arg(text: &str, what: &str, lang: Lang) -> Result<Uuid, CliError> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        CliError::Usage(tr!(
            lang,
            "{what} '{text}' não é um UUID (formato 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)",
            "{what} '{text}' is not a UUID (like 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)"
        ))
    })
}

/// Prints a settled write: the server's reply, or the re-read chat with a line saying the reply
/// was lost and the change confirmed by re-reading (on stderr with `--json`, which stays JSON).
fn emit_settled(
    settled: &Settled<Chat>,
    json: bool,
    lang: Lang,
    readable: impl FnOnce(&Chat) -> String,
) -> Result<(), CliError> {
    match settled {
        Settled::Replied(fetched) => emit(fetched, json, || readable(&fetched.value)),
        Settled::Confirmed(fetched) => {
            let note = tr!(
                lang,
                "Feito, confirmado relendo a conversa (a resposta do servidor se perdeu).",
                "Done, confirmed by re-reading the chat (the server's reply was lost)."
            );
            if json {
                eprintln!("balcao: {note}");
                emit(fetched, json, String::new)
            } else {
                emit(fetched, json, || {
                    format!("{note}\n{}", readable(&fetched.value))
                })
            }
        }
    }
}

/// Prints the raw body (`--json`) or the readable text, and nothing when stdout is gone.
pub(super) fn emit<T>(
    fetched: &Fetched<T>,
    json: bool,
    readable: impl FnOnce() -> String,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let written = if json {
        out.write_all(&fetched.raw).and_then(|()| {
            if fetched.raw.ends_with(b"\n") {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
    } else {
        // Server text (names, messages, errors) can carry escape sequences: the readable form
        // never lets them reach the terminal; `--json` stays byte-exact.
        out.write_all(crate::text::printable(&readable()).as_bytes())
    };
    output_ended(written.and_then(|()| out.flush()))
}
