//! `balcao audit`: the audit log of every change made through balcão (by any console or command
//! of the desk, on the index this run opens), newest first, as a table or JSON lines.

use std::io::Write;

use chrono::{DateTime, Local, TimeDelta, Utc};
use serde_json::Value;

use crate::cli::args::{AuditArgs, GlobalArgs};
use crate::cli::open::{blocking, open_store};
use crate::cli::{CliError, output_ended};
use crate::config::resolve::resolve;
use crate::i18n::Lang;
use crate::store::{AuditEntry, AuditQuery, normalize_chat_id};
use crate::text::fit;
use crate::tr;

/// Prints the entries `args` select.
pub async fn run(global: &GlobalArgs, args: AuditArgs, lang: Lang) -> Result<(), CliError> {
    let now = Utc::now();
    let since = args
        .since
        .as_deref()
        .map(|text| {
            // A while longer than history reaches back to the first entry.
            parse_duration(text, lang).map(|ago| {
                now.checked_sub_signed(ago)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            })
        })
        .transpose()?;
    let batch = args
        .batch
        .as_deref()
        .map(|text| crate::cli::undo::batch_text(text, lang))
        .transpose()?;
    let mut query = AuditQuery {
        // A chat id is stored in its one spelling; a room id as given.
        chat: args.chat.as_deref().map(|id| {
            let id = id.trim();
            normalize_chat_id(id).unwrap_or_else(|| id.to_owned())
        }),
        by: args
            .by
            .as_deref()
            .map(str::trim)
            .filter(|by| !by.is_empty())
            .map(str::to_owned),
        since,
        batch: None,
        limit: usize::try_from(args.limit).unwrap_or(usize::MAX),
    };
    let settings = resolve(&global.overrides())?;
    let entries = blocking(move || {
        let store = open_store(&settings, lang)?;
        // A short id is the one batch it starts; several, or none, is said.
        if let Some(text) = batch {
            query.batch = Some(crate::cli::undo::find_batch(&store, &text, lang)?);
        }
        store.audit_query(&query).map_err(CliError::Index)
    })
    .await?;
    print(&entries, args.json, lang)
}

/// `30m`, `2h`, `7d`: a whole number and one unit (s, m, h, d, w), more than zero.
pub fn parse_duration(text: &str, lang: Lang) -> Result<TimeDelta, CliError> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let seconds_per = match unit.trim() {
        "s" => Some(1),
        "m" | "min" => Some(60),
        "h" => Some(3600),
        "d" => Some(86_400),
        "w" => Some(7 * 86_400),
        _ => None,
    };
    number
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .zip(seconds_per)
        .and_then(|(n, per)| n.checked_mul(per))
        .and_then(TimeDelta::try_seconds)
        .ok_or_else(|| {
            CliError::Usage(tr!(
                lang,
                "--since '{text}' não é uma duração: escreva um número e uma unidade, como 30m, 2h ou 7d (s, m, h, d ou w)",
                "--since '{text}' is not a duration: write a number and a unit, like 30m, 2h or 7d (s, m, h, d or w)"
            ))
        })
}

/// One entry as a JSON line: every field of the entry, times in RFC 3339.
pub fn json_line(entry: &AuditEntry) -> Value {
    serde_json::to_value(entry).unwrap_or(Value::Null)
}

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn print(entries: &[AuditEntry], json: bool, lang: Lang) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let mut written = Ok(());
    if json {
        for entry in entries {
            written = written.and_then(|()| writeln!(out, "{}", json_line(entry)));
        }
    } else if entries.is_empty() {
        eprintln!(
            "{}",
            lang.pick(
                "nenhum registro de auditoria com esses critérios",
                "no audit entries match"
            )
        );
    } else {
        let header = [
            fit(lang.pick("QUANDO", "WHEN"), 19),
            fit(lang.pick("QUEM", "WHO"), 16),
            fit(lang.pick("AÇÃO", "ACTION"), 22),
            fit(lang.pick("CONVERSA", "CHAT"), 36),
            fit(lang.pick("ANTES → DEPOIS", "BEFORE → AFTER"), 34),
            fit(lang.pick("RESULTADO", "OUTCOME"), 14),
            lang.pick("LOTE", "BATCH").to_owned(),
        ];
        written = writeln!(out, "{}", header.join(" ").trim_end());
        for entry in entries {
            let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "—".to_owned());
            let change = format!("{} → {}", dash(&entry.before), dash(&entry.after));
            let outcome = match entry.http_status {
                Some(status) => format!("{} {status}", entry.outcome),
                None => entry.outcome.clone(),
            };
            let line = [
                fit(&when(entry.at), 19),
                fit(&dash(&entry.by), 16),
                fit(&entry.action, 22),
                fit(&entry.key.chat_id, 36),
                fit(&change, 34),
                fit(&outcome, 14),
                // The short form people type (`balcao undo 1a2b3c4d`); --json has the full id.
                entry
                    .batch
                    .as_deref()
                    .map(crate::batch::short_id)
                    .unwrap_or_default()
                    .to_owned(),
            ];
            // Names and values come from CRMs and people: no escape sequence reaches the terminal.
            let line = line.join(" ");
            written =
                written.and_then(|()| writeln!(out, "{}", crate::text::printable(line.trim_end())));
        }
    }
    output_ended(written.and_then(|()| out.flush()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_a_number_and_a_unit() {
        let lang = Lang::En;
        assert_eq!(parse_duration("30m", lang).unwrap(), TimeDelta::minutes(30));
        assert_eq!(parse_duration(" 2h", lang).unwrap(), TimeDelta::hours(2));
        assert_eq!(parse_duration("7d", lang).unwrap(), TimeDelta::days(7));
        assert_eq!(parse_duration("1w", lang).unwrap(), TimeDelta::days(7));
        for bad in [
            "",
            "h",
            "0h",
            "-2h",
            "2",
            "2x",
            "1.5h",
            "99999999999999999999d",
            "2 hours",
        ] {
            let error = parse_duration(bad, lang).unwrap_err();
            assert!(
                matches!(&error, CliError::Usage(text) if text.contains("like 30m, 2h or 7d")),
                "{bad}: {error:?}"
            );
        }
    }
}
