//! A chat as the command line prints it: a JSON object (`inbox list --json`, `inbox watch
//! --json`) or a table line; and the `--filter` of both, with who "me" is in each account.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::Value;

use crate::cli::CliError;
use crate::config::resolve::Resolved;
use crate::i18n::Lang;
use crate::inbox::Filter;
use crate::present::priority_label;
use crate::store::ChatSummary;
use crate::text::fit;
use crate::timefmt;
use crate::tr;

/// `--filter`'s words parsed, with the user's own id in each account that configures `me`. A
/// filter that needs "me" when no account says who that is is refused before the index opens.
pub fn filter_with_me(
    settings: &Resolved,
    text: Option<&str>,
    lang: Lang,
) -> Result<(Filter, HashMap<String, String>), CliError> {
    let filter = Filter::parse(text.unwrap_or_default(), lang).map_err(CliError::Usage)?;
    let me: HashMap<String, String> = settings
        .accounts
        .iter()
        .filter_map(|account| account.me.clone().map(|me| (account.name.clone(), me)))
        .collect();
    if filter.needs_me() && me.is_empty() {
        return Err(CliError::Usage(tr!(
            lang,
            "'me' precisa do seu id de usuário: defina me = \"<id>\" na conta em config.toml",
            "'me' needs your user id: set me = \"<user id>\" for the account in config.toml"
        )));
    }
    Ok((filter, me))
}

/// One JSON object per line: `id` plus every summary column.
pub fn json_line(row: &ChatSummary) -> Value {
    let mut value = serde_json::to_value(row).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value
        && let Some(id) = map.remove("chat_id")
    {
        map.insert("id".to_owned(), id);
    }
    value
}

/// One chat as a line of the `inbox list` table (escape sequences of CRM text removed).
pub fn table_line(row: &ChatSummary, lang: Lang, now: chrono::DateTime<Utc>) -> String {
    let c = &row.columns;
    let mut contact = c
        .contact
        .clone()
        .or_else(|| c.contact_number.clone())
        .unwrap_or_else(|| "…".to_owned());
    if row.gone {
        contact = format!("✝ {contact}");
    } else if row.hydrated_at.is_none() {
        contact = format!("⋯ {contact}");
    }
    let line = [
        fit(
            &c.priority
                .map(|p| priority_label(crate::api::wegly::wire::Priority(p), lang))
                .unwrap_or_default(),
            8,
        ),
        fit(c.status.as_deref().unwrap_or("?"), 9),
        fit(&contact, 26),
        fit(c.responsible_name.as_deref().unwrap_or("—"), 18),
        fit(&c.unread.to_string(), 4),
        fit(
            &c.last_message_at
                .map(|at| timefmt::age(at, now, lang))
                .unwrap_or_default(),
            14,
        ),
        fit(&timefmt::window(c.window_ends_at, now, lang), 24),
        row.key.chat_id.clone(),
    ];
    crate::text::printable(&line.join(" ")).into_owned()
}
