//! Hydration: schedule the fetch of every chat the index is waiting on, through the API actor
//! (which fetches and stores), with bounded concurrency, and refresh stale ones within a budget.
//!
//! A chat a webhook or a person named is fetched at once. A chat whose detail is older than
//! `stale_after` is fetched again only in the background budget (`refresh_per_minute`), so the
//! API load does not grow with the index: webhooks already say what changed. A 429 slows the
//! whole scheduler for its `Retry-After`, not one chat.
//!
//! A 404 flags the chat gone (kept, not deleted); any other failure schedules another try with
//! backoff, longer for a refused token so a wrong token does not become a storm of requests.
//! Nothing is ever dropped: a chat waits in the index until a fetch succeeds.
//!
//! Any number of schedulers (one per `balcao listen`, on one or many machines) may share one
//! index: each claims what it fetches ([`crate::store::Index::claim_due`]) for
//! [`FETCH_CLAIM_TTL`], so a chat is fetched by one of them, and a scheduler killed mid-fetch
//! leaves its claims to lapse for another to take. The refresh budget is the index's, shared by
//! all of them; each scheduler's own bucket only paces how often it asks.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use crate::api::ApiError;
use crate::api::actor::{ApiCall, ApiEvent, ApiHandle, ApiReply, ApiRequest, RequestId};
use crate::store::team::FETCH_CLAIM_TTL;
use crate::store::{ChatKey, ChatSummary, Store};

/// Fetches in flight at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// A detail older than this is fetched again, by default.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(15 * 60);
/// How long shutdown waits for fetches in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Background refreshes of stale chats per minute, by default.
pub const DEFAULT_REFRESH_PER_MINUTE: u32 = 60;
/// How long to hold every background fetch after a 429 without `Retry-After`.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(60);

/// How the hydrator behaves.
#[derive(Debug, Clone, Copy)]
pub struct HydrationSettings {
    /// Fetches in flight at once.
    pub concurrency: usize,
    /// Age after which a detail is due to be fetched again.
    pub stale_after: Duration,
    /// How many due chats the background fetches again per minute (0: none).
    pub refresh_per_minute: u32,
}

impl Default for HydrationSettings {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            stale_after: DEFAULT_STALE_AFTER,
            refresh_per_minute: DEFAULT_REFRESH_PER_MINUTE,
        }
    }
}

/// The background refresh budget: a bucket that fills at `per_minute` and holds ten seconds'
/// worth, so a start after a night away spends a little at once and then a steady trickle.
#[derive(Debug, Clone)]
struct RefreshBudget {
    /// Refreshes a minute; also what the index's shared budget is asked to allow.
    per_minute: u32,
    tokens: f64,
    filled_at: Instant,
}

impl RefreshBudget {
    /// A full bucket for `per_minute` refreshes a minute.
    fn new(per_minute: u32, now: Instant) -> Self {
        let empty = Self {
            per_minute,
            tokens: 0.0,
            filled_at: now,
        };
        Self {
            tokens: empty.capacity(),
            ..empty
        }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// Ten seconds' worth, in whole refreshes (none for a budget of none).
    fn capacity(&self) -> f64 {
        (f64::from(self.per_minute) / 6.0).ceil()
    }

    /// Whole refreshes that may start now.
    fn available(&mut self, now: Instant) -> usize {
        let elapsed = now.saturating_duration_since(self.filled_at).as_secs_f64();
        let capacity = self.capacity();
        self.tokens = (self.tokens + elapsed * self.per_second()).min(capacity);
        self.filled_at = now;
        // Whole tokens only: between 0 and the capacity (at most 1000 for the largest budget
        // a configuration may ask for), so the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = self.tokens.floor().clamp(0.0, capacity) as usize;
        whole
    }

    /// Spends one refresh.
    fn spend(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    /// The index's shared budget refused: ask again only when this bucket would have another
    /// refresh, not at every wake.
    fn empty(&mut self) {
        self.tokens = 0.0;
    }

    /// When the bucket, short of a whole refresh now, has one again. `None` when it has one
    /// now: the look that just ended found nothing stale to spend it on, and only time makes a
    /// chat stale (the idle check looks again), or when the budget is none.
    fn next_at(&self) -> Option<Instant> {
        (self.per_minute > 0 && self.tokens < 1.0).then(|| {
            self.filled_at + Duration::from_secs_f64((1.0 - self.tokens) / self.per_second())
        })
    }
}

/// Ids of background fetches start here, far from the console's own.
const FIRST_ID: u64 = 1 << 62;
/// How often to look for due chats and retries when nothing else wakes the scheduler.
const IDLE_CHECK: Duration = Duration::from_secs(30);
/// The same on a shared index: another receiver's lapsed claim wakes nobody, so it is looked
/// for this often (one look: a claim of due chats, one of stale ones, a read of the next retry).
const SHARED_IDLE_CHECK: Duration = Duration::from_secs(5);

/// This scheduler's name on the fetch claims it takes: the machine, the process and a random
/// part (two schedulers in one process are two claimants).
fn claimant() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}

/// The time the shared refresh budget is measured in: the wall clock when the scheduler
/// started, moved on by tokio's clock, the one the scheduler's own bucket fills on. Under
/// tokio's paused clock (the tests) the shared budget so refills as that bucket does. In a
/// running receiver the two agree until the machine sleeps (tokio's clock stops then): this
/// time then lags, which costs nothing but refills, since the index's bucket ignores a time
/// behind its last fill. Claims and retries, compared with what other processes wrote, use
/// the wall clock itself.
#[derive(Debug, Clone, Copy)]
struct BudgetClock {
    started: DateTime<Utc>,
    at: Instant,
}

impl BudgetClock {
    fn new() -> Self {
        Self {
            started: Utc::now(),
            at: Instant::now(),
        }
    }

    fn now(self) -> DateTime<Utc> {
        self.started + chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default()
    }
}

/// What one dispatch took from the index: chats to fetch now and refreshes granted.
#[derive(Debug, Default)]
struct Claimed {
    /// Due chats claimed and not in flight here, most recently active first.
    due: Vec<ChatKey>,
    /// Stale chats claimed and granted by the shared budget.
    stale: Vec<ChatKey>,
    /// Whether the shared budget gave fewer refreshes than asked.
    budget_short: bool,
    /// When the next fetch waiting on a retry comes due, if after this look; looked up only
    /// when the claims left a slot free.
    retry: Option<DateTime<Utc>>,
}

/// The scheduler's own state between wake-ups.
struct Scheduler {
    store: Arc<Store>,
    api: ApiHandle,
    accounts: Vec<String>,
    concurrency: usize,
    stale_after: chrono::Duration,
    budget: RefreshBudget,
    budget_clock: BudgetClock,
    /// Who this scheduler is on the fetch claims it takes.
    owner: String,
    /// Idle check period: shorter on a shared index.
    idle_check: Duration,
    /// After a 429, nothing is sent until then: the limit is the account's, not one chat's.
    paused_until: Option<Instant>,
    in_flight: HashSet<(RequestId, ChatKey)>,
    next: u64,
    replies: mpsc::Sender<ApiEvent>,
}

impl Scheduler {
    /// Sends what is due: chats named by a webhook or a person (or waiting on a retry) at once,
    /// merely stale ones only as far as the budget allows. Each is claimed first, so another
    /// receiver on the same index does not fetch it too. Returns when the next retry comes due,
    /// if after this look and a slot was left for it.
    async fn dispatch(&mut self) -> Option<DateTime<Utc>> {
        let paused = self
            .paused_until
            .is_some_and(|until| Instant::now() < until);
        if paused || self.in_flight.len() >= self.concurrency {
            return None;
        }
        let room = self.concurrency - self.in_flight.len();
        let refreshes = self.budget.available(Instant::now()).min(room);
        let store = self.store.clone();
        let accounts = self.accounts.clone();
        let owner = self.owner.clone();
        let busy: HashSet<ChatKey> = self.in_flight.iter().map(|(_, key)| key.clone()).collect();
        let (stale_after, per_minute) = (self.stale_after, self.budget.per_minute);
        let budget_now = self.budget_clock.now();
        let claimed = tokio::task::spawn_blocking(move || {
            claim(
                &store,
                &accounts,
                &owner,
                &busy,
                Wanted {
                    room,
                    refreshes,
                    stale_after,
                    per_minute,
                },
                budget_now,
            )
        })
        .await
        .unwrap_or_default();
        if claimed.budget_short {
            self.budget.empty();
        }
        let candidates = claimed
            .due
            .into_iter()
            .map(|key| (key, false))
            .chain(claimed.stale.into_iter().map(|key| (key, true)));
        for (key, refresh) in candidates {
            if self.in_flight.len() >= self.concurrency {
                break;
            }
            let id = RequestId(self.next);
            self.next += 1;
            let request = ApiRequest {
                id,
                call: ApiCall::Hydrate(key.clone()),
            };
            if self.api.request(request, &self.replies).is_err() {
                break;
            }
            if refresh {
                self.budget.spend();
            }
            self.in_flight.insert((id, key));
        }
        claimed.retry
    }

    /// When to look again: the end of a pause; with every slot taken, the idle check (only an
    /// answer frees a slot, and an answer wakes the scheduler); else the next `retry`, the
    /// bucket's next refresh when it is empty, or the idle check, whichever comes first.
    fn wake_at(&self, retry: Option<DateTime<Utc>>) -> Instant {
        if let Some(until) = self.paused_until.filter(|until| Instant::now() < *until) {
            return until;
        }
        let mut at = Instant::now() + self.idle_check;
        if self.in_flight.len() >= self.concurrency {
            return at;
        }
        let soonest = Instant::now() + Duration::from_millis(50);
        if let Some(retry) = retry {
            let wait = (retry - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            at = at.min((Instant::now() + wait).max(soonest));
        }
        if let Some(refill) = self.budget.next_at() {
            at = at.min(refill.max(soonest));
        }
        at
    }

    /// Takes one answer: frees its slot, pauses everything on a 429, returns the changed row.
    fn answered(&mut self, answer: ApiEvent) -> Option<ChatSummary> {
        self.in_flight.retain(|(id, _)| *id != answer.id);
        match answer.outcome {
            Ok(ApiReply::Chat(fresh)) => fresh.summary,
            Ok(ApiReply::Gone(_, summary)) => summary,
            Err(ApiError::RateLimited { retry_after, .. }) => {
                let pause = retry_after.unwrap_or(RATE_LIMIT_PAUSE);
                tracing::warn!(?pause, "rate limited: background fetches paused");
                self.paused_until = Some(Instant::now() + pause);
                None
            }
            _ => None,
        }
    }
}

/// Runs the fetching of waiting chats until `shutdown` turns true: due chats go to the API actor,
/// at most `settings.concurrency` at a time, and each row that changed is sent to `rows`. The
/// console uses a low concurrency so the user's own requests keep room under the actor's cap;
/// `balcao listen` gives it the whole cap. On shutdown it waits a little for fetches in flight.
pub fn spawn_scheduler(
    store: Arc<Store>,
    api: ApiHandle,
    accounts: Vec<String>,
    settings: HydrationSettings,
    wake: Arc<Notify>,
    rows: mpsc::Sender<ChatSummary>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (replies, mut answers) = mpsc::channel(64);
        let idle_check = if store.is_shared() {
            SHARED_IDLE_CHECK
        } else {
            IDLE_CHECK
        };
        let mut scheduler = Scheduler {
            store,
            api,
            accounts,
            concurrency: settings.concurrency.max(1),
            stale_after: chrono::Duration::from_std(settings.stale_after)
                .unwrap_or(chrono::Duration::MAX),
            budget: RefreshBudget::new(settings.refresh_per_minute, Instant::now()),
            budget_clock: BudgetClock::new(),
            owner: claimant(),
            idle_check,
            paused_until: None,
            in_flight: HashSet::new(),
            next: FIRST_ID,
            replies,
        };
        loop {
            let retry = scheduler.dispatch().await;
            let wake_at = scheduler.wake_at(retry);
            tokio::select! {
                Some(answer) = answers.recv() => {
                    if let Some(summary) = scheduler.answered(answer)
                        && rows.send(summary).await.is_err()
                    {
                        tracing::debug!("nobody takes fetched rows any more");
                    }
                }
                () = wake.notified() => {}
                () = tokio::time::sleep_until(wake_at) => {}
                _ = shutdown.changed() => break,
            }
        }
        let drain = async {
            while !scheduler.in_flight.is_empty() {
                let Some(answer) = answers.recv().await else {
                    break;
                };
                scheduler.in_flight.retain(|(id, _)| *id != answer.id);
            }
        };
        if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
            tracing::debug!("fetches still in flight at shutdown");
        }
    })
}

/// How much one dispatch asks the index for.
#[derive(Debug, Clone, Copy)]
struct Wanted {
    /// Fetches this scheduler may start now.
    room: usize,
    /// Refreshes its own bucket allows now (at most `room`).
    refreshes: usize,
    stale_after: chrono::Duration,
    per_minute: u32,
}

/// Claims, for `owner`, the due chats to fetch now and then, in the room left, the stale chats
/// the shared budget grants; with a slot still free, looks up when the next retry comes due.
/// `busy` are the chats this scheduler is fetching already: the index gives them back (they are
/// its own claims, renewed), and they are not sent twice.
fn claim(
    store: &Store,
    accounts: &[String],
    owner: &str,
    busy: &HashSet<ChatKey>,
    wanted: Wanted,
    budget_now: DateTime<Utc>,
) -> Claimed {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(FETCH_CLAIM_TTL).unwrap_or_default();
    let fresh = |keys: Vec<ChatKey>| -> Vec<ChatKey> {
        keys.into_iter().filter(|key| !busy.contains(key)).collect()
    };
    let due = match store.claim_due(accounts, owner, now, until, wanted.room + busy.len()) {
        Ok(keys) => fresh(keys),
        Err(error) => {
            tracing::warn!(%error, "could not claim the chats due for a fetch");
            return Claimed::default();
        }
    };
    let left = wanted.room.saturating_sub(due.len()).min(wanted.refreshes);
    let mut stale = Vec::new();
    let mut budget_short = false;
    if left > 0 {
        // A `stale_after` too long to subtract means nothing is ever stale.
        let before = now
            .checked_sub_signed(wanted.stale_after)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        match store.claim_stale(accounts, owner, before, now, until, left + busy.len()) {
            Ok(keys) => stale = fresh(keys),
            Err(error) => tracing::warn!(%error, "could not claim stale chats to refresh"),
        }
        stale.truncate(left);
    }
    if !stale.is_empty() {
        let granted = store
            .take_refresh_budget(stale.len(), wanted.per_minute, budget_now)
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not take from the shared refresh budget");
                0
            });
        // The claims on what was not granted lapse, or are renewed when the budget allows.
        budget_short = granted < stale.len();
        stale.truncate(granted);
    }
    // A retry due by now was claimed above or is in flight here, or it is another receiver's
    // (claimed by it, or of an account this one does not serve): waking for it would only find
    // the same again, every few milliseconds until it is fetched.
    let retry = if due.len() + stale.len() < wanted.room {
        store
            .next_retry_at()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not read when the next retry is due");
                None
            })
            .filter(|at| *at > now)
    } else {
        None
    };
    Claimed {
        due,
        stale,
        budget_short,
        retry,
    }
}
