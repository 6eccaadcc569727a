//! Human times in both languages: ages ("há 5 min"), countdowns and the `WhatsApp` window.

use chrono::{DateTime, FixedOffset, Local, TimeDelta, Utc};

use crate::i18n::Lang;
use crate::tr;

/// A short span: `45s`, `12 min`, `3h 05m`, `2d 4h`.
pub fn span(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().abs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d {}h", secs / 86_400, (secs % 86_400) / 3600),
    }
}

/// A compact age for a narrow column, the same in both languages: `<1 min`, `20 min`, `3 h`,
/// `2 d` (whole units, rounded down; at most six columns below a thousand days).
pub fn compact(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    match secs {
        0..60 => "<1 min".to_owned(),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h", secs / 3600),
        _ => format!("{} d", secs / 86_400),
    }
}

/// How long ago: `há 12 min` / `12 min ago`; `agora` / `now` within a few seconds.
pub fn age(at: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let delta = now - at;
    if delta.num_seconds().abs() < 5 {
        return lang.pick("agora", "now").to_owned();
    }
    let text = span(delta);
    if delta < TimeDelta::zero() {
        tr!(lang, "em {text}", "in {text}")
    } else {
        tr!(lang, "há {text}", "{text} ago")
    }
}

/// The 24 h window: open with its countdown, closed and since when, or never opened.
pub fn window(expires: Option<DateTime<Utc>>, now: DateTime<Utc>, lang: Lang) -> String {
    match expires {
        None => lang
            .pick(
                "sem janela (o cliente ainda não escreveu)",
                "no window (the customer has not written)",
            )
            .to_owned(),
        Some(end) if end > now => {
            let left = span(end - now);
            tr!(lang, "aberta, fecha em {left}", "open, closes in {left}")
        }
        Some(end) => {
            let since = span(now - end);
            tr!(lang, "fechada há {since}", "closed {since} ago")
        }
    }
}

/// A date and time in the machine's time zone, day first in Portuguese.
pub fn local(at: DateTime<Utc>, lang: Lang) -> String {
    in_zone(at, *Local::now().offset(), lang)
}

/// A date and time at a fixed UTC offset (the console keeps one, so its frames are reproducible).
pub fn in_zone(at: DateTime<Utc>, offset: FixedOffset, lang: Lang) -> String {
    let local = at.with_timezone(&offset);
    match lang {
        Lang::PtBr => local.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_windows_read_naturally() {
        let now = Utc::now();
        assert_eq!(span(TimeDelta::seconds(45)), "45s");
        assert_eq!(span(TimeDelta::minutes(185)), "3h 05m");
        assert_eq!(span(TimeDelta::hours(52)), "2d 4h");
        assert_eq!(
            age(now - TimeDelta::minutes(12), now, Lang::PtBr),
            "há 12 min"
        );
        assert_eq!(
            age(now - TimeDelta::minutes(12), now, Lang::En),
            "12 min ago"
        );
        assert_eq!(
            window(Some(now + TimeDelta::minutes(40)), now, Lang::En),
            "open, closes in 40 min"
        );
        assert_eq!(
            window(Some(now - TimeDelta::hours(2)), now, Lang::PtBr),
            "fechada há 2h 00m"
        );
        assert!(window(None, now, Lang::En).starts_with("no window"));
        assert_eq!(compact(TimeDelta::seconds(59)), "<1 min");
        assert_eq!(compact(TimeDelta::minutes(20)), "20 min");
        assert_eq!(compact(TimeDelta::minutes(185)), "3 h");
        assert_eq!(compact(TimeDelta::hours(52)), "2 d");
        assert_eq!(compact(TimeDelta::seconds(-5)), "<1 min");
    }
}
