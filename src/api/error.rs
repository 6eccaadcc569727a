//! One error for every way an API call can fail, told apart so callers can react to each.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::i18n::Lang;
use crate::tr;

/// What the server said when it refused or failed a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerReply {
    /// HTTP status.
    pub status: u16,
    /// The URL that was called (never carries credentials).
    pub url: String,
    /// The server's machine code (`error`), when it sent one.
    pub code: Option<String>,
    /// The server's human message, or the start of a non-JSON body.
    pub message: Option<String>,
    /// Per-field problems, field name to message.
    pub fields: BTreeMap<String, String>,
}

/// Every way a call to Wegly or Agilize can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: no token, a wrong one or an expired one.
    #[error("unauthorized: {}", summary(.0))]
    Unauthorized(ServerReply),
    /// 403: the key may not do this, or the Origin does not match its `allowed_domain`.
    #[error("forbidden: {}", summary(.0))]
    Forbidden(ServerReply),
    /// 404: no such chat, user or route.
    #[error("not found: {}", summary(.0))]
    NotFound(ServerReply),
    /// 400, 409, 413, 422 and other 4xx: the server refused the request as sent.
    #[error("refused: {}", summary(.0))]
    Refused(ServerReply),
    /// 429: too many requests.
    #[error("rate limited: {}", summary(.reply))]
    RateLimited {
        /// What the server said.
        reply: ServerReply,
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("server error: {}", summary(.0))]
    Server(ServerReply),
    /// The server could not be reached or the connection broke.
    #[error("network error calling {url}: {detail}")]
    Network {
        /// The URL that was called.
        url: String,
        /// What the transport said.
        detail: String,
    },
    /// The connection broke after the request went out (reset, truncated reply): the server may
    /// have acted on it. Distinct from [`ApiError::Network`], where nothing reached the server.
    #[error("connection to {url} broke after the request was sent: {detail}")]
    Interrupted {
        /// The URL that was called.
        url: String,
        /// What the transport said.
        detail: String,
    },
    /// The server answered with a redirect that balcão does not follow: to another origin, or
    /// any redirect of a write. Nothing was sent to `to`.
    #[error("{from} redirected to {to}, which balcão does not follow; nothing was sent there")]
    Redirected {
        /// The URL that was called.
        from: String,
        /// Where the server pointed.
        to: String,
        /// Whether the call was a write (no redirect is followed for writes).
        write: bool,
    },
    /// A write whose reply was lost, and re-reading the chat shows it was not applied.
    #[error("not applied (re-read chat {chat}); the reply had been lost: {lost}")]
    NotApplied {
        /// The chat that was re-read.
        chat: String,
        /// How the write's reply was lost.
        lost: Box<ApiError>,
    },
    /// A write whose reply was lost and whose outcome could not be verified: it may have been
    /// applied. Never to be sent again blindly.
    #[error("outcome unknown: {lost}")]
    OutcomeUnknown {
        /// The chat, when there is one to check.
        chat: Option<String>,
        /// How the write's reply was lost.
        lost: Box<ApiError>,
        /// Why re-reading did not tell, when it was tried and failed.
        reread: Option<Box<ApiError>>,
    },
    /// No complete answer in time.
    #[error("timeout after {}s calling {url}", after.as_secs_f32())]
    Timeout {
        /// The URL that was called.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// No client is configured for the account a chat belongs to.
    #[error("no configured account '{account}'")]
    NotConfigured {
        /// The account name.
        account: String,
    },
    /// A message refused before any request: empty, or text outside the 24 h window.
    #[error("message not sent: {0:?}")]
    NotSent(crate::api::reply::Unsendable),
    /// A reply that is not what the API documents: HTML, truncated JSON, wrong types.
    #[error(
        "unexpected response (HTTP {status}) from {url}: {detail}; body starts with: {excerpt}"
    )]
    Unexpected {
        /// HTTP status of the reply.
        status: u16,
        /// The URL that was called.
        url: String,
        /// Why it could not be read.
        detail: String,
        /// The start of the body, for the log.
        excerpt: String,
    },
}

/// The coarse class of an [`ApiError`], for tests and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 400/409/413/422...
    Refused,
    /// 429.
    RateLimited,
    /// 5xx.
    Server,
    /// Transport.
    Network,
    /// Time limit.
    Timeout,
    /// Undecodable reply.
    Unexpected,
    /// A redirect that was not followed.
    Redirected,
    /// A write verified as not applied after its reply was lost.
    NotApplied,
    /// A write whose outcome is unknown.
    OutcomeUnknown,
    /// No client for the account.
    NotConfigured,
    /// A message refused before any request.
    NotSent,
}

fn summary(reply: &ServerReply) -> String {
    let mut text = format!("HTTP {}", reply.status);
    if let Some(code) = &reply.code {
        let _ = write!(text, " {code}");
    }
    if let Some(message) = &reply.message {
        let _ = write!(text, ": {message}");
    }
    for (field, problem) in &reply.fields {
        let _ = write!(text, "; {field}: {problem}");
    }
    let _ = write!(text, " ({})", reply.url);
    text
}

impl ApiError {
    /// The class of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthorized(_) => ErrorKind::Unauthorized,
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Refused(_) => ErrorKind::Refused,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::Server(_) => ErrorKind::Server,
            Self::Network { .. } | Self::Interrupted { .. } => ErrorKind::Network,
            Self::Redirected { .. } => ErrorKind::Redirected,
            Self::NotApplied { .. } => ErrorKind::NotApplied,
            Self::OutcomeUnknown { .. } => ErrorKind::OutcomeUnknown,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Unexpected { .. } => ErrorKind::Unexpected,
            Self::NotConfigured { .. } => ErrorKind::NotConfigured,
            Self::NotSent(_) => ErrorKind::NotSent,
        }
    }

    /// What the server said, for the classes where it said something.
    pub fn reply(&self) -> Option<&ServerReply> {
        match self {
            Self::Unauthorized(reply)
            | Self::Forbidden(reply)
            | Self::NotFound(reply)
            | Self::Refused(reply)
            | Self::Server(reply)
            | Self::RateLimited { reply, .. } => Some(reply),
            Self::Network { .. }
            | Self::Interrupted { .. }
            | Self::Redirected { .. }
            | Self::NotApplied { .. }
            | Self::OutcomeUnknown { .. }
            | Self::Timeout { .. }
            | Self::Unexpected { .. }
            | Self::NotConfigured { .. }
            | Self::NotSent(_) => None,
        }
    }

    /// The HTTP status, when a reply arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unexpected { status, .. } => Some(*status),
            other => other.reply().map(|reply| reply.status),
        }
    }

    /// Whether a read may be tried again: transport trouble, timeouts, 429 and 5xx.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::RateLimited | ErrorKind::Server
        )
    }

    /// Whether a write that ended in this error may nevertheless have been applied: the request
    /// went out and no verdict came back (a timeout, a connection broken after sending, or a 2xx
    /// whose body could not be read). Such a write is verified by re-reading, never retried.
    /// A 5xx counts: a proxy or a crash can answer one after the server acted.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Interrupted { .. } | Self::Server(_) => true,
            Self::Unexpected { status, .. } => (200..300).contains(status),
            _ => false,
        }
    }

    /// The words for a write's verdict and for a refused redirect.
    fn verdict_message(&self, lang: Lang) -> String {
        match self {
            Self::Redirected { from, to, write } => {
                let why = if *write {
                    tr!(
                        lang,
                        "o balcão não segue redirecionamentos em escritas",
                        "balcão follows no redirect for a write"
                    )
                } else {
                    tr!(
                        lang,
                        "o balcão só segue redirecionamentos para a mesma origem",
                        "balcão follows redirects only to the same origin"
                    )
                };
                tr!(
                    lang,
                    "{from} redirecionou para {to}; {why}, e nada foi enviado para lá. Confira a URL base (--base-url ou base_url na configuração).",
                    "{from} redirected to {to}; {why}, and nothing was sent there. Check the base URL (--base-url or base_url in the configuration)."
                )
            }
            Self::NotApplied { chat, lost } => {
                let lost = lost.cause(lang);
                tr!(
                    lang,
                    "não aplicado: a resposta se perdeu ({lost}) e, relida, a conversa {chat} mostra que a mudança não foi feita.",
                    "not applied: the reply was lost ({lost}) and re-reading chat {chat} shows the change was not made."
                )
            }
            Self::OutcomeUnknown { chat, lost, reread } => {
                let lost = lost.cause(lang);
                let reread = reread.as_ref().map_or_else(String::new, |error| {
                    let why = error.cause(lang);
                    tr!(
                        lang,
                        " Reler a conversa também falhou: {why}.",
                        " Re-reading the chat failed too: {why}."
                    )
                });
                let check = chat.as_ref().map_or_else(
                    || {
                        tr!(
                            lang,
                            "confira no CRM antes de repetir",
                            "check in the CRM before doing it again"
                        )
                    },
                    |chat| {
                        tr!(
                            lang,
                            "confira com `balcao chat get {chat}`",
                            "check with `balcao chat get {chat}`"
                        )
                    },
                );
                tr!(
                    lang,
                    "pode ter sido aplicado: a resposta se perdeu ({lost}).{reread} Não foi reenviado; {check}.",
                    "may have been applied: the reply was lost ({lost}).{reread} It was not sent again; {check}."
                )
            }
            other => other.cause(lang),
        }
    }

    /// What happened, without the advice [`ApiError::user_message`] adds: the cause quoted
    /// inside a write's verdict, where "try again" would be wrong.
    fn cause(&self, lang: Lang) -> String {
        match self {
            Self::Timeout { url, after } => {
                let secs = after.as_secs_f32();
                tr!(
                    lang,
                    "sem resposta de {url} em {secs}s",
                    "no answer from {url} within {secs}s"
                )
            }
            Self::Server(reply) => {
                let said = summary(reply);
                tr!(lang, "erro no servidor ({said})", "server error ({said})")
            }
            other => other.user_message(lang).trim_end_matches('.').to_owned(),
        }
    }

    /// A message for people: what happened and what to do about it.
    pub fn user_message(&self, lang: Lang) -> String {
        match self {
            Self::Unauthorized(reply) => {
                let said = summary(reply);
                tr!(
                    lang,
                    "token recusado ({said}). Confira --token / WEGLY_TOKEN (ou --agilize-key / AGILIZE_API_KEY).",
                    "token refused ({said}). Check --token / WEGLY_TOKEN (or --agilize-key / AGILIZE_API_KEY)."
                )
            }
            Self::Forbidden(reply) => {
                let said = summary(reply);
                tr!(
                    lang,
                    "acesso negado ({said}). Se a chave tem domínio permitido, informe-o com --origin.",
                    "forbidden ({said}). If the key has an allowed domain, send it with --origin."
                )
            }
            Self::NotFound(reply) => {
                let said = summary(reply);
                tr!(
                    lang,
                    "não encontrado ({said}). Confira o id.",
                    "not found ({said}). Check the id."
                )
            }
            Self::Refused(reply) => {
                let said = summary(reply);
                tr!(
                    lang,
                    "o servidor recusou o pedido ({said}).",
                    "the server refused the request ({said})."
                )
            }
            Self::RateLimited { reply, retry_after } => {
                let said = summary(reply);
                let wait = retry_after.map_or_else(String::new, |after| {
                    let secs = after.as_secs();
                    tr!(lang, " Tente de novo em {secs}s.", " Try again in {secs}s.")
                });
                tr!(
                    lang,
                    "limite de requisições atingido ({said}).{wait}",
                    "rate limited ({said}).{wait}"
                )
            }
            Self::Server(reply) => {
                let said = summary(reply);
                tr!(
                    lang,
                    "erro no servidor ({said}). Tente de novo mais tarde.",
                    "server error ({said}). Try again later."
                )
            }
            Self::Network { url, detail } => tr!(
                lang,
                "não foi possível falar com {url}: {detail}. Confira --base-url e a rede.",
                "could not reach {url}: {detail}. Check --base-url and the network."
            ),
            Self::Interrupted { url, detail } => tr!(
                lang,
                "a conexão com {url} caiu depois de o pedido ser enviado: {detail}.",
                "the connection to {url} broke after the request was sent: {detail}."
            ),
            Self::Redirected { .. } | Self::NotApplied { .. } | Self::OutcomeUnknown { .. } => {
                self.verdict_message(lang)
            }
            Self::Timeout { url, after } => {
                let secs = after.as_secs_f32();
                tr!(
                    lang,
                    "sem resposta de {url} em {secs}s (tempo limite). Tente de novo ou aumente --timeout.",
                    "no answer from {url} within {secs}s (timeout). Try again or raise --timeout."
                )
            }
            Self::NotConfigured { account } => tr!(
                lang,
                "a conta '{account}' não está configurada (config.toml ou --account)",
                "account '{account}' is not configured (config.toml or --account)"
            ),
            Self::NotSent(why) => why.user_message(lang),
            Self::Unexpected {
                status,
                url,
                detail,
                excerpt,
            } => tr!(
                lang,
                "resposta inesperada (HTTP {status}) de {url}: {detail}. O corpo começa com: {excerpt}",
                "unexpected response (HTTP {status}) from {url}: {detail}. The body starts with: {excerpt}"
            ),
        }
    }
}
