//! Running a batch outside the console: sends the run's calls to the API actor, feeds it the
//! replies, and hands each chat that ends to the caller (who records its audit entry) as soon
//! as it ends, until every chat has ended. When `stop` resolves (Ctrl-C), nothing more is sent;
//! the calls in flight still finish and are reported.

use std::collections::HashMap;
use std::future::Future;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::api::actor::ApiHandle;
use crate::api::call::{ApiEvent, ApiRequest, RequestId};
use crate::batch::run::{Finished, Run, Send};
use crate::i18n::Lang;

/// Runs `run` to its end through `handle`, whose actor serves this batch alone (so a full queue
/// holds calls of this batch, whose replies make room).
pub async fn drive<F, Fut>(
    handle: &ApiHandle,
    run: &mut Run,
    stop: impl Future<Output = ()>,
    lang: Lang,
    mut ended: F,
) where
    F: FnMut(Finished) -> Fut,
    Fut: Future<Output = ()>,
{
    let (tx, mut rx) = mpsc::channel::<ApiEvent>(64);
    let mut waiting: HashMap<u64, usize> = HashMap::new();
    let mut next_id = 0u64;
    let mut stop = std::pin::pin!(stop);
    let mut stopped = false;
    loop {
        let mut sends = run.next_sends().into_iter();
        while let Some(Send { item, call }) = sends.next() {
            next_id += 1;
            let request = ApiRequest {
                id: RequestId(next_id),
                call,
            };
            if handle.request(request, &tx).is_err() {
                // The actor's queue is full: neither this call nor the ones after it were sent;
                // they go again, in their order, once a reply has made room.
                for rest in sends.rev() {
                    run.not_taken(rest.item);
                }
                run.not_taken(item);
                break;
            }
            waiting.insert(next_id, item);
        }
        if run.is_finished() || waiting.is_empty() && (run.cancelled() || stopped) {
            break;
        }
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { break };
                let Some(item) = waiting.remove(&event.id.0) else { continue };
                if let Some(finished) = run.on_reply(item, event.outcome, Utc::now(), lang) {
                    ended(finished).await;
                }
            }
            () = &mut stop, if !stopped => {
                stopped = true;
                for finished in run.cancel(Utc::now()) {
                    ended(finished).await;
                }
            }
        }
    }
}
