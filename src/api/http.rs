//! The HTTP core both CRM clients share: base URL checks, timeouts, retries and error mapping.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::error::{ApiError, ServerReply};

/// Default limit for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for a whole request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Tries for reads, the first one included.
pub const READ_ATTEMPTS: u32 = 3;
/// First wait between read attempts; doubles each time.
const RETRY_BASE_DELAY: Duration = Duration::from_millis(250);
/// A `Retry-After` longer than this is not waited for inside one call: the 429 is returned at
/// once with its delay, so a person at the terminal is not left staring at a silent command and
/// the console's own scheduler decides when to come back.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
/// Same-origin redirects a read follows before giving up.
const MAX_REDIRECTS: usize = 5;
/// How much of an undecodable body goes into the error.
const EXCERPT_CHARS: usize = 160;

/// Limits for every request of one client.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Opening the connection.
    pub connect: Duration,
    /// The whole exchange.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: DEFAULT_CONNECT_TIMEOUT,
            request: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// Whether a call may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads: retried on network errors, timeouts, 429 and 5xx, honouring `Retry-After`.
    Read,
    /// Writes: never sent twice automatically; the caller decides.
    Write,
}

/// A successful reply: its status and the body exactly as received.
#[derive(Debug, Clone)]
pub struct RawReply {
    /// HTTP status (2xx).
    pub status: u16,
    /// The body bytes, untouched, for `--json`.
    pub body: bytes::Bytes,
}

/// Why a base URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    /// Not a URL at all.
    #[error("'{0}' is not a URL")]
    Malformed(String),
    /// A scheme other than http or https.
    #[error("'{0}' must start with http:// or https://")]
    Scheme(String),
    /// Credentials inside the URL would end up in logs and error messages.
    #[error("the base URL must not carry credentials; pass the token with --token")]
    Credentials,
}

/// Checks a base URL and returns it without a trailing slash.
pub fn normalize_base_url(text: &str) -> Result<String, BaseUrlError> {
    let trimmed = text.trim();
    let url =
        reqwest::Url::parse(trimmed).map_err(|_| BaseUrlError::Malformed(trimmed.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BaseUrlError::Scheme(trimmed.to_owned()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(BaseUrlError::Malformed(trimmed.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::Credentials);
    }
    Ok(trimmed.trim_end_matches('/').to_owned())
}

/// A `reqwest` client builder with TLS on rustls's `ring` provider. Every HTTP client of the
/// crate starts here: reqwest is built without a provider of its own (its default, aws-lc, is the
/// slowest crate of a cold build), and building a client before a provider is installed panics.
#[allow(clippy::disallowed_methods)] // the one place allowed to call `reqwest::Client::builder`
pub fn client_builder() -> reqwest::ClientBuilder {
    install_ring_provider();
    reqwest::Client::builder()
}

/// Makes `ring` the process's rustls provider, once. One installed earlier (by a program that
/// embeds the crate) is kept: any provider serves.
fn install_ring_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        if rustls::crypto::ring::default_provider()
            .install_default()
            .is_err()
        {
            tracing::debug!("keeping the rustls crypto provider installed earlier");
        }
    });
}

/// A configured HTTP client bound to one base URL.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    timeouts: Timeouts,
}

impl Http {
    /// Builds the client. A loopback base URL bypasses any configured proxy.
    pub fn new(base_url: &str, timeouts: Timeouts) -> Result<Self, BaseUrlError> {
        let base = normalize_base_url(base_url)?;
        let mut builder = client_builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            // Redirects are followed by hand (`send_once`): a write never, a read only within
            // the base URL's origin, so no credential or body ever reaches another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("balcao/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&base) {
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .map_err(|error| BaseUrlError::Malformed(format!("{base}: {error}")))?;
        Ok(Self {
            client,
            base,
            timeouts,
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The absolute URL of a path (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The underlying client, to build requests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request built by `build` (called again for each attempt) and returns the 2xx
    /// reply, or the classified error. Reads are retried; writes never are.
    pub async fn execute(
        &self,
        url: &str,
        retry: Retry,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<RawReply, ApiError> {
        let attempts = match retry {
            Retry::Read => READ_ATTEMPTS,
            Retry::Write => 1,
        };
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(url, retry, build(&self.client)).await;
            match outcome {
                Err(error) if attempt < attempts && error.is_transient() => {
                    let Some(wait) = retry_delay(&error, attempt) else {
                        return Err(error);
                    };
                    tracing::debug!(url, attempt, ?wait, %error, "retrying read");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        url: &str,
        retry: Retry,
        request: RequestBuilder,
    ) -> Result<RawReply, ApiError> {
        let mut request = request
            .build()
            .map_err(|error| self.transport_error(url, &error))?;
        let mut hops = 0;
        let response = loop {
            // A read has no body, so it can be sent again to a redirect's target.
            let again = request.try_clone();
            let response = self
                .client
                .execute(request)
                .await
                .map_err(|error| self.transport_error(url, &error))?;
            let Some(target) = redirect_target(&response) else {
                break response;
            };
            let from = response.url().clone();
            let refused = |to: &reqwest::Url| ApiError::Redirected {
                from: from.to_string(),
                to: to.to_string(),
                write: retry == Retry::Write,
            };
            if retry == Retry::Write || !same_origin(&from, &target) {
                return Err(refused(&target));
            }
            hops += 1;
            let Some(mut next) = again.filter(|_| hops <= MAX_REDIRECTS) else {
                return Err(ApiError::Unexpected {
                    status: response.status().as_u16(),
                    url: url.to_owned(),
                    detail: format!("more than {MAX_REDIRECTS} redirects"),
                    excerpt: target.to_string(),
                });
            };
            *next.url_mut() = target;
            request = next;
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport_error(url, &error))?;
        if status.is_success() {
            Ok(RawReply {
                status: status.as_u16(),
                body,
            })
        } else {
            Err(error_from_status(status, &headers, &body, url))
        }
    }

    fn transport_error(&self, url: &str, error: &reqwest::Error) -> ApiError {
        // Failing to connect means nothing reached the server; anything later may have.
        if error.is_connect() || error.is_builder() {
            return ApiError::Network {
                url: url.to_owned(),
                detail: transport_detail(error),
            };
        }
        if error.is_timeout() {
            return ApiError::Timeout {
                url: url.to_owned(),
                after: self.timeouts.request,
            };
        }
        ApiError::Interrupted {
            url: url.to_owned(),
            detail: transport_detail(error),
        }
    }
}

/// Where a 3xx reply points, resolved against the URL that was called.
fn redirect_target(response: &reqwest::Response) -> Option<reqwest::Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(reqwest::header::LOCATION)?;
    response.url().join(location.to_str().ok()?).ok()
}

/// Scheme, host and port all equal: the only redirect a read follows.
fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The innermost cause, which is what tells a person what happened ("connection refused").
fn transport_detail(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    let detail = source.to_string();
    if error.is_connect() && !detail.contains("connect") {
        format!("connection failed: {detail}")
    } else {
        detail
    }
}

fn is_loopback(base: &str) -> bool {
    let Some(host) = reqwest::Url::parse(base)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
    else {
        return false;
    };
    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    unbracketed.eq_ignore_ascii_case("localhost")
        || unbracketed
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn retry_delay(error: &ApiError, attempt: u32) -> Option<Duration> {
    let backoff = RETRY_BASE_DELAY * 2_u32.saturating_pow(attempt - 1);
    let jitter = Duration::from_millis(fastrand::u64(0..100));
    match error {
        ApiError::RateLimited {
            retry_after: Some(after),
            ..
        } => (*after <= MAX_RETRY_AFTER).then_some((*after).max(backoff)),
        _ => Some(backoff + jitter),
    }
}

/// Decodes a JSON body; a failure is an "unexpected response" carrying an excerpt.
pub fn decode<T: DeserializeOwned>(reply: &RawReply, url: &str) -> Result<T, ApiError> {
    serde_json::from_slice(&reply.body).map_err(|error| ApiError::Unexpected {
        status: reply.status,
        url: url.to_owned(),
        detail: error.to_string(),
        excerpt: excerpt(&reply.body),
    })
}

/// The start of a body as one printable line.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    if out.trim().is_empty() {
        "(empty)".clone_into(&mut out);
    }
    out
}

/// Classifies a non-2xx reply, reading the sandbox's documented error body
/// `{"error", "message", "fields"}` and tolerating any other shape.
pub fn error_from_status(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    url: &str,
) -> ApiError {
    let reply = server_reply(status, body, url);
    match status.as_u16() {
        401 => ApiError::Unauthorized(reply),
        403 => ApiError::Forbidden(reply),
        404 => ApiError::NotFound(reply),
        429 => ApiError::RateLimited {
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(parse_retry_after),
            reply,
        },
        500..=599 => ApiError::Server(reply),
        _ => ApiError::Refused(reply),
    }
}

fn server_reply(status: StatusCode, body: &[u8], url: &str) -> ServerReply {
    let mut reply = ServerReply {
        status: status.as_u16(),
        url: url.to_owned(),
        ..ServerReply::default()
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            reply.code = map.get("error").and_then(text_of);
            reply.message = ["message", "detail", "error_description"]
                .iter()
                .find_map(|key| map.get(*key).and_then(text_of));
            if let Some(Value::Object(fields)) = map.get("fields").or_else(|| map.get("errors")) {
                reply.fields = fields
                    .iter()
                    .map(|(name, problem)| (name.clone(), text_of(problem).unwrap_or_default()))
                    .collect::<BTreeMap<_, _>>();
            }
        }
        _ if body.iter().any(|b| !b.is_ascii_whitespace()) => reply.message = Some(excerpt(body)),
        _ => {}
    }
    reply
}

/// Text of a JSON value: strings as-is, arrays joined, anything else as JSON.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(text_of)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:9/").as_deref(),
            Ok("http://127.0.0.1:9")
        );
        assert!(matches!(
            normalize_base_url("ftp://x"),
            Err(BaseUrlError::Scheme(_))
        ));
        assert!(matches!(
            normalize_base_url("api.wegly.com.br"),
            Err(BaseUrlError::Malformed(_))
        ));
        assert_eq!(
            normalize_base_url("https://u:p@host"),
            Err(BaseUrlError::Credentials)
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn error_bodies_of_any_shape_are_read() {
        let headers = HeaderMap::new();
        let documented = br#"{"error":"validation_failed","message":"bad","fields":{"wa_contact_id":"too long"}}"#;
        let error = error_from_status(StatusCode::UNPROCESSABLE_ENTITY, &headers, documented, "u");
        let reply = error.reply().cloned().unwrap_or_default();
        assert_eq!(reply.code.as_deref(), Some("validation_failed"));
        assert_eq!(
            reply.fields.get("wa_contact_id").map(String::as_str),
            Some("too long")
        );
        let html = error_from_status(
            StatusCode::BAD_GATEWAY,
            &headers,
            b"<html>bad gateway</html>",
            "u",
        );
        assert_eq!(
            html.reply().and_then(|r| r.message.clone()).as_deref(),
            Some("<html>bad gateway</html>")
        );
    }

    #[test]
    fn excerpts_are_one_short_line() {
        let long = "x\n".repeat(500);
        let cut = excerpt(long.as_bytes());
        assert!(!cut.contains('\n'));
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty)");
    }
}
