//! Changes to many chats at once: what a batch would do (`plan`), running it through the API
//! actor under a cap (`run`, driven by the console's reducer or by `drive`), and taking a change
//! or a batch back (`revert` says how each change is undone, `undo` plans it).
//!
//! Every change made through balcão belongs to a batch (a single change is a batch of one), and
//! each of its audit entries says how it is taken back, so `undo` works the same on one change
//! or fifty, from the console or the shell, after a restart.

pub mod drive;
pub mod plan;
pub mod revert;
pub mod run;
pub mod undo;

pub use plan::{Intent, Left, Plan, Planned, Reason, Warning, plan};
pub use revert::{Expect, Irreversible, Revert, UndoNote, may_be_there};
pub use run::{Finished, Item, ItemState, Outcome, Progress, Run, Send, Skip};
pub use undo::{NotUndone, UndoPlan, last_batch, plan_undo};

/// Requests a batch keeps in flight at once unless told otherwise: the actor's own cap, so a
/// batch fills it without queueing behind itself.
pub const DEFAULT_CONCURRENCY: usize = crate::api::actor::DEFAULT_MAX_IN_FLIGHT;

/// A new batch id.
pub fn new_batch_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The id of the `n`th batch of the console (or process) whose id is `origin`: unique for each
/// `n` (an odd multiplier is a bijection), unrelated between origins, and decided without
/// randomness, so the console's reducer stays pure. The short forms differ from one `n` to the
/// next.
pub fn batch_id_for(origin: &str, n: u64) -> String {
    const SPREAD: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835;
    let base = uuid::Uuid::parse_str(origin).map_or_else(
        // Not a uuid: its bytes, folded, still tell origins apart.
        |_| {
            origin
                .bytes()
                .fold(0u128, |h, b| h.wrapping_mul(31).wrapping_add(u128::from(b)))
        },
        |id| id.as_u128(),
    );
    uuid::Uuid::from_u128(base ^ u128::from(n).wrapping_mul(SPREAD)).to_string()
}

/// The short form of a batch id people read and type (its first eight characters).
pub fn short_id(batch: &str) -> &str {
    batch.get(..8).unwrap_or(batch)
}
