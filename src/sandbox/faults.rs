//! Fault injection: latency, 429 with Retry-After, 5xx, malformed, truncated or mistyped JSON and
//! connection resets, per route and by rate, from `--faults` or `POST /_sandbox/faults`.
//!
//! Spec: rules separated by commas, each `ROUTE:KIND[=VALUE][@RATE][*COUNT][+AFTER]`, for
//! example `get_chat:status=503@0.5,*:latency=800*3,responsible:rate_limit=2`.
//! ROUTE is a route name ([`ROUTES`]) or `*`; RATE is the chance per request (default 1);
//! COUNT caps how many requests the rule hits (default unlimited); AFTER lets that many
//! requests through first (default 0: a write's re-read can fail while the read before it
//! worked).

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Route names a rule can target.
pub const ROUTES: &[&str] = &[
    "create_chat",
    "get_chat",
    "responsible",
    "remove_participant",
    "timeline",
    "unread",
    "send_message",
    "room_update",
];

/// What a rule does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits this long, then answers normally.
    Latency(#[serde(serialize_with = "millis")] Duration),
    /// Answers this status with a JSON error body.
    Status(u16),
    /// Answers 429 with `Retry-After` in seconds.
    RateLimit(u64),
    /// Answers 200 with an HTML page instead of JSON.
    Malformed,
    /// Answers with the real body cut in half.
    Truncated,
    /// Answers 200 with JSON whose fields have the wrong types.
    WrongTypes,
    /// Sends the headers, then breaks the connection.
    Reset,
}

#[allow(clippy::cast_possible_truncation)] // a latency never nears u64::MAX milliseconds
fn millis<S: serde::Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(value.as_millis() as u64)
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRule {
    /// A route name, or `*` for every API route.
    pub route: String,
    /// The fault.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance per request, 0 to 1.
    pub rate: f64,
    /// Hits left; `None` for unlimited.
    pub remaining: Option<u32>,
    /// Requests let through before the rule applies.
    pub after: u32,
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.route)?;
        match self.kind {
            FaultKind::Latency(after) => write!(f, "latency={}", after.as_millis())?,
            FaultKind::Status(code) => write!(f, "status={code}")?,
            FaultKind::RateLimit(secs) => write!(f, "rate_limit={secs}")?,
            FaultKind::Malformed => f.write_str("malformed")?,
            FaultKind::Truncated => f.write_str("truncated")?,
            FaultKind::WrongTypes => f.write_str("wrong_types")?,
            FaultKind::Reset => f.write_str("reset")?,
        }
        if (self.rate - 1.0).abs() > f64::EPSILON {
            write!(f, "@{}", self.rate)?;
        }
        if let Some(count) = self.remaining {
            write!(f, "*{count}")?;
        }
        if self.after > 0 {
            write!(f, "+{}", self.after)?;
        }
        Ok(())
    }
}

/// Parses a whole spec; an empty spec means no faults. Every bad rule is reported.
pub fn parse_spec(spec: &str) -> Result<Vec<FaultRule>, String> {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for part in spec
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        match parse_rule(part) {
            Ok(rule) => rules.push(rule),
            Err(problem) => problems.push(format!("'{part}': {problem}")),
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(format!(
            "{}. Write rules as ROUTE:KIND[=VALUE][@RATE][*COUNT][+AFTER], ROUTE one of {} or *; \
             KIND one of latency=MS, status=CODE, rate_limit=SECS, malformed, truncated, wrong_types, reset",
            problems.join("; "),
            ROUTES.join(", ")
        ))
    }
}

fn parse_rule(text: &str) -> Result<FaultRule, String> {
    let (route, rest) = text
        .split_once(':')
        .ok_or("missing ':' between route and fault")?;
    let route = route.trim();
    if route != "*" && !ROUTES.contains(&route) {
        return Err(format!("unknown route '{route}'"));
    }
    let (rest, after) = match rest.rsplit_once('+') {
        Some((rest, after)) => {
            let after = after
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("after '{after}' is not a whole number"))?;
            (rest, after)
        }
        None => (rest, 0),
    };
    let (rest, remaining) = match rest.split_once('*') {
        Some((rest, count)) => {
            let count = count
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("count '{count}' is not a whole number"))?;
            (rest, Some(count))
        }
        None => (rest, None),
    };
    let (rest, rate) = match rest.split_once('@') {
        Some((rest, rate)) => {
            let rate = rate
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("rate '{rate}' is not a number"))?;
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("rate {rate} is not between 0 and 1"));
            }
            (rest, rate)
        }
        None => (rest, 1.0),
    };
    let (name, value) = rest
        .split_once('=')
        .map_or((rest.trim(), None), |(n, v)| (n.trim(), Some(v.trim())));
    let number = |what: &str| -> Result<u64, String> {
        let value = value.ok_or_else(|| format!("{name} needs ={what}"))?;
        value
            .trim_end_matches("ms")
            .parse::<u64>()
            .map_err(|_| format!("'{value}' is not a whole number of {what}"))
    };
    let kind = match name {
        "latency" => FaultKind::Latency(Duration::from_millis(number("milliseconds")?)),
        "status" => {
            let code = number("an HTTP status")?;
            match u16::try_from(code) {
                Ok(code) if (400..=599).contains(&code) => FaultKind::Status(code),
                _ => return Err(format!("status {code} is not between 400 and 599")),
            }
        }
        "rate_limit" => FaultKind::RateLimit(number("seconds")?),
        "malformed" => FaultKind::Malformed,
        "truncated" => FaultKind::Truncated,
        "wrong_types" => FaultKind::WrongTypes,
        "reset" => FaultKind::Reset,
        other => return Err(format!("unknown fault '{other}'")),
    };
    Ok(FaultRule {
        route: route.to_owned(),
        kind,
        rate,
        remaining,
        after,
    })
}

/// Picks the fault for one request to `route`, spending one hit of a counted rule.
pub fn pick(rules: &mut [FaultRule], route: &str) -> Option<FaultKind> {
    for rule in rules.iter_mut() {
        if rule.route != "*" && rule.route != route {
            continue;
        }
        if rule.remaining == Some(0) {
            continue;
        }
        if rule.after > 0 {
            rule.after -= 1;
            continue;
        }
        if rule.rate < 1.0 && fastrand::f64() >= rule.rate {
            continue;
        }
        if let Some(left) = rule.remaining.as_mut() {
            *left -= 1;
        }
        return Some(rule.kind);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_round_trips() {
        let spec = "get_chat:status=503@0.5,*:latency=800*3,responsible:rate_limit=2,timeline:malformed,unread:truncated,create_chat:reset,get_chat:wrong_types,timeline:status=404*1+1";
        let rules = parse_spec(spec).unwrap_or_default();
        assert_eq!(rules.len(), 8);
        let again: Vec<String> = rules.iter().map(ToString::to_string).collect();
        assert_eq!(again.join(","), spec);
    }

    #[test]
    fn reports_every_bad_rule() {
        let error =
            parse_spec("nowhere:reset,get_chat:status=200,get_chat:latency=x,get_chat:boom@2")
                .err()
                .unwrap_or_default();
        for part in [
            "unknown route 'nowhere'",
            "status 200",
            "'x' is not a whole number",
            "rate 2",
        ] {
            assert!(error.contains(part), "{part} missing from {error}");
        }
    }

    #[test]
    fn a_rule_lets_its_first_requests_through() {
        let mut rules = parse_spec("timeline:status=404*1+2").unwrap_or_default();
        assert_eq!(pick(&mut rules, "timeline"), None);
        assert_eq!(pick(&mut rules, "timeline"), None);
        assert_eq!(pick(&mut rules, "timeline"), Some(FaultKind::Status(404)));
        assert_eq!(pick(&mut rules, "timeline"), None);
        assert!(parse_spec("timeline:reset+x").is_err());
    }

    #[test]
    fn counted_rules_run_out() {
        let mut rules = parse_spec("get_chat:status=500*2").unwrap_or_default();
        assert_eq!(pick(&mut rules, "get_chat"), Some(FaultKind::Status(500)));
        assert_eq!(pick(&mut rules, "timeline"), None);
        assert_eq!(pick(&mut rules, "get_chat"), Some(FaultKind::Status(500)));
        assert_eq!(pick(&mut rules, "get_chat"), None);
    }
}
