//! `balcao sandbox`: run the emulator until SIGINT or SIGTERM.

use std::io::Write;

use secrecy::SecretString;

use crate::api::http::normalize_base_url;
use crate::cli::CliError;
use crate::cli::args::{GlobalArgs, SandboxArgs};
use crate::i18n::Lang;
use crate::sandbox::seed::Seed;
use crate::sandbox::{self, SandboxConfig, WebhookTarget, faults};
use crate::tr;

/// The token the sandbox accepts when none is given (documented in the README).
pub const DEFAULT_SANDBOX_TOKEN: &str = "sandbox";
/// The Agilize key the sandbox accepts when none is given (documented in the README).
pub const DEFAULT_SANDBOX_AGILIZE_KEY: &str = "sandbox-agilize";

/// Starts the sandbox, prints `listening on http://HOST:PORT` first, serves until a signal.
pub async fn run(global: &GlobalArgs, args: SandboxArgs, lang: Lang) -> Result<(), CliError> {
    let config = config(global, args, lang)?;
    let chats = config.seed.chats.len();
    let running = sandbox::start(config).await.map_err(|error| {
        CliError::Failed(tr!(
            lang,
            "não foi possível abrir a porta: {error}",
            "could not listen: {error}"
        ))
    })?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", running.url());
        let _ = out.flush();
    }
    eprintln!(
        "{}",
        tr!(
            lang,
            "sandbox da Wegly com {chats} conversas; rotas de administração em /_sandbox/. Ctrl-C encerra.",
            "Wegly sandbox with {chats} chats; admin routes under /_sandbox/. Ctrl-C stops it."
        )
    );
    wait_for_signal().await;
    running
        .shutdown()
        .await
        .map_err(|error| CliError::Failed(error.to_string()))
}

fn config(global: &GlobalArgs, args: SandboxArgs, lang: Lang) -> Result<SandboxConfig, CliError> {
    let seed = match &args.seed {
        None => Seed::bundled(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                let shown = path.display();
                CliError::Usage(tr!(
                    lang,
                    "não foi possível ler --seed {shown}: {error}",
                    "cannot read --seed {shown}: {error}"
                ))
            })?;
            Seed::parse(&text, &path.display().to_string())
        }
    }
    .map_err(|error| CliError::Usage(error.to_string()))?;
    let faults = faults::parse_spec(args.faults.as_deref().unwrap_or_default())
        .map_err(|problem| CliError::Usage(format!("--faults: {problem}")))?;
    if !args.traffic.is_finite() || args.traffic < 0.0 {
        let given = args.traffic;
        return Err(CliError::Usage(tr!(
            lang,
            "--traffic {given}: informe mensagens por minuto, 0 ou mais",
            "--traffic {given}: give messages per minute, 0 or more"
        )));
    }
    let webhook = match (&args.webhook_url, &global.webhook_secret) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(CliError::Usage(tr!(
                lang,
                "--webhook-url precisa de --webhook-secret (ou BALCAO_WEBHOOK_SECRET): os webhooks são assinados",
                "--webhook-url needs --webhook-secret (or BALCAO_WEBHOOK_SECRET): webhooks are signed"
            )));
        }
        (Some(url), Some(secret)) => {
            let url = normalize_base_url(url)
                .map_err(|problem| CliError::Usage(format!("--webhook-url: {problem}")))?;
            Some(WebhookTarget {
                url,
                secret: SecretString::from(secret.clone()),
            })
        }
    };
    let token = global
        .token
        .clone()
        .filter(|token| !token.trim().is_empty());
    let agilize_key = global
        .agilize_key
        .clone()
        .filter(|key| !key.trim().is_empty());
    let agilize_webhook_url = args
        .agilize_webhook_url
        .as_deref()
        .map(normalize_base_url)
        .transpose()
        .map_err(|problem| CliError::Usage(format!("--agilize-webhook-url: {problem}")))?;
    Ok(SandboxConfig {
        bind: args.bind,
        token: SecretString::from(token.unwrap_or_else(|| DEFAULT_SANDBOX_TOKEN.to_owned())),
        allowed_domain: args.allowed_domain,
        seed,
        webhook,
        traffic_per_minute: args.traffic,
        faults,
        agilize_key: SecretString::from(
            agilize_key.unwrap_or_else(|| DEFAULT_SANDBOX_AGILIZE_KEY.to_owned()),
        ),
        agilize_webhook_url,
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut terminate) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = interrupt.await;
            return;
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
