//! Background fetching for the console: chats the index is waiting on go to the API actor a few
//! at a time (leaving room under its cap for what the user asks), and each fetched row is sent
//! to the console.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, mpsc, watch};

use crate::api::actor::{ApiCall, ApiHandle, ApiReply, ApiRequest, RequestId};
use crate::console::msg::Msg;
use crate::store::{ChatKey, Store};

/// Background fetches in flight at most.
pub const MAX_BACKGROUND: usize = 3;
/// Ids of background requests start here, far from the console's own.
const FIRST_ID: u64 = 1 << 62;
/// Details older than this are fetched again.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(15);
/// How often to look for stale chats and retries.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// Runs until `shutdown` turns true.
pub fn spawn(
    store: Arc<Store>,
    api: ApiHandle,
    accounts: Vec<String>,
    wake: Arc<Notify>,
    console: mpsc::Sender<Msg>,
    mut shutdown: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let (replies, mut answers) = mpsc::channel(16);
        let mut in_flight: HashSet<(RequestId, ChatKey)> = HashSet::new();
        let mut next = FIRST_ID;
        let mut stale_check = tokio::time::interval(IDLE_CHECK);
        loop {
            if in_flight.len() < MAX_BACKGROUND {
                let store_due = store.clone();
                let wanted = accounts.clone();
                let room = MAX_BACKGROUND + in_flight.len();
                let due = tokio::task::spawn_blocking(move || {
                    store_due.due_for_hydration(&wanted, Utc::now(), room)
                })
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
                for key in due {
                    if in_flight.len() >= MAX_BACKGROUND || in_flight.iter().any(|(_, k)| *k == key)
                    {
                        continue;
                    }
                    let id = RequestId(next);
                    next += 1;
                    let request = ApiRequest {
                        id,
                        call: ApiCall::Hydrate(key.clone()),
                    };
                    if api.request(request, &replies).is_err() {
                        break;
                    }
                    in_flight.insert((id, key));
                }
            }
            let retry = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.next_retry_at().ok().flatten())
                    .await
                    .ok()
                    .flatten()
            };
            let sleep_for = retry.map_or(IDLE_CHECK, |at| {
                (at - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_millis(50))
            });
            tokio::select! {
                Some(answer) = answers.recv() => {
                    in_flight.retain(|(id, _)| *id != answer.id);
                    let summary = match answer.outcome {
                        Ok(ApiReply::Chat(fresh)) => fresh.summary,
                        Ok(ApiReply::Gone(_, summary)) => summary,
                        _ => None,
                    };
                    if let Some(summary) = summary {
                        let _ = console.send(Msg::RowChanged(summary)).await;
                    }
                }
                () = wake.notified() => {}
                () = tokio::time::sleep(sleep_for) => {}
                _ = stale_check.tick() => {
                    let store = store.clone();
                    let _ = tokio::task::spawn_blocking(move || store.mark_stale(Utc::now() - STALE_AFTER)).await;
                }
                _ = shutdown.changed() => return,
            }
        }
    });
}
