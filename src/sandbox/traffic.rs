//! Simulated customers: inbound messages on random chats at a steady rate.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::sandbox::Shared;
use crate::sandbox::webhooks::MESSAGE_RECEIVED;

/// What customers write (pt-BR, as the desks' customers do).
const PHRASES: &[&str] = &[
    "Oi, alguém pode me ajudar?",
    "Meu pedido ainda não chegou 😕",
    "Qual o prazo de entrega para Belo Horizonte?",
    "Consegui pagar o boleto, podem confirmar?",
    "Obrigada pelo retorno! 🙏",
    "Vocês abrem no feriado?",
    "Preciso trocar o tamanho da camiseta",
    "O código de rastreio não funciona",
    "Bom dia! Tem desconto à vista no Pix?",
    "Pode me mandar a segunda via da nota fiscal?",
    "Ainda estou aguardando resposta…",
    "Perfeito, muito obrigado!",
    "Chegou com defeito, como faço a devolução?",
    "Tem esse modelo na cor azul?",
    "Posso retirar na loja do centro?",
];

/// Runs until `shutdown` turns true, one inbound message every `60 / per_minute` seconds.
pub fn spawn(shared: Arc<Shared>, per_minute: f64, mut shutdown: watch::Receiver<bool>) {
    if per_minute <= 0.0 || !per_minute.is_finite() {
        return;
    }
    let period = Duration::from_secs_f64(60.0 / per_minute);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = shutdown.changed() => return,
            }
            let ids = shared.world().chat_ids();
            if ids.is_empty() {
                continue;
            }
            let chat = ids[fastrand::usize(..ids.len())];
            let phrase = PHRASES[fastrand::usize(..PHRASES.len())];
            let outcome = shared
                .world()
                .inbound(&chat.to_string(), phrase, shared.now());
            if let Ok(outcome) = outcome
                && let Some(message) = &outcome.message
            {
                shared.announce(MESSAGE_RECEIVED, &outcome.chat, message);
            }
        }
    });
}
