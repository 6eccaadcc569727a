//! A batch running: a state machine that says which call to send next (at most `cap` at once),
//! takes each reply, and ends every chat done, skipped, failed or unknown (never guessed), or not
//! sent when cancelled. It sends nothing itself, so the console's reducer and the command line's
//! driver run the same machine, and tests drive it reply by reply.

use chrono::{DateTime, Utc};

use crate::api::call::{ApiCall, ApiReply, Fresh};
use crate::api::providers::describe;
use crate::api::{ApiError, Change, ErrorKind};
use crate::batch::plan::{Planned, Reason};
use crate::batch::revert::may_be_there;
use crate::i18n::Lang;
use crate::store::AuditEntry;
use crate::tr;

/// How many times a chat is tried again after a refusal that wrote nothing and may pass later
/// (429, or a write verified as not applied).
const RETRIES: u8 = 2;

/// Why a chat was skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// It changed since the plan: what it shows now, in words.
    Changed(String),
    /// The CRM no longer has it.
    Gone,
}

/// How one chat ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Changed, and verified.
    Done,
    /// Left alone, with the reason.
    Skipped(Skip),
    /// Not changed: the CRM refused, or the request failed before it was written.
    Failed(ApiError),
    /// The reply was lost and re-reading could not tell whether it was written.
    Unknown(ApiError),
    /// Never sent: the batch was cancelled first.
    NotSent,
}

impl Outcome {
    /// The audit log's word.
    pub fn audit_word(&self) -> &'static str {
        match self {
            Self::Done => "confirmed",
            Self::Skipped(Skip::Changed(_)) => "conflict",
            Self::Skipped(Skip::Gone) => "gone",
            // The same word as a single change that failed, from the console or the shell.
            Self::Failed(error) => crate::present::audit_outcome(error),
            Self::Unknown(_) => "unknown",
            Self::NotSent => "cancelled",
        }
    }

    /// How it ended, in one word for people (a report's column).
    pub fn word(&self, lang: Lang) -> &'static str {
        match self {
            Self::Done => lang.pick("feita", "done"),
            Self::Skipped(_) => lang.pick("pulada", "skipped"),
            Self::Failed(_) => lang.pick("falhou", "failed"),
            Self::Unknown(_) => lang.pick("incerta", "unknown"),
            Self::NotSent => lang.pick("não enviada", "not sent"),
        }
    }

    /// The reason, in words (empty when done).
    pub fn reason(&self, lang: Lang) -> String {
        match self {
            Self::Done => String::new(),
            Self::Skipped(Skip::Changed(now)) => {
                tr!(
                    lang,
                    "mudou desde a prévia: {now}",
                    "changed since the preview: {now}"
                )
            }
            Self::Skipped(Skip::Gone) => Reason::Gone.words(lang),
            Self::Failed(error) | Self::Unknown(error) => error.user_message(lang),
            Self::NotSent => lang
                .pick(
                    "não enviada: o lote foi cancelado",
                    "not sent: the batch was cancelled",
                )
                .to_owned(),
        }
    }
}

/// Where one chat stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemState {
    /// Not started.
    Queued,
    /// Being re-read before the change.
    Checking,
    /// The change is in flight.
    Writing,
    /// Ended.
    Finished(Outcome),
}

/// One chat of the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// What was planned.
    pub planned: Planned,
    /// Where it stands.
    pub state: ItemState,
    /// Tries after a refusal that wrote nothing.
    retries: u8,
}

/// A call to send for item `item`.
#[derive(Debug, Clone, PartialEq)]
pub struct Send {
    /// The item's index.
    pub item: usize,
    /// The call.
    pub call: ApiCall,
}

/// An item that has just ended: its audit entry, and the conversation as the CRM now returns it
/// (to show), when a reply brought one.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// The item's index.
    pub item: usize,
    /// Its audit entry, under the batch's id.
    pub entry: AuditEntry,
    /// The conversation now.
    pub fresh: Option<Fresh>,
}

/// The counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Chats in the batch.
    pub total: usize,
    /// Done.
    pub done: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Unknown.
    pub unknown: usize,
    /// Not sent (cancelled).
    pub not_sent: usize,
    /// In flight.
    pub in_flight: usize,
}

impl Progress {
    /// Chats ended.
    pub fn ended(&self) -> usize {
        self.done + self.skipped + self.failed + self.unknown + self.not_sent
    }

    /// Whether every chat was done.
    pub fn all_done(&self) -> bool {
        self.done == self.total
    }
}

/// A batch running.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its id (every audit entry carries it).
    pub id: String,
    /// Who runs it.
    pub by: String,
    /// Its chats, in plan order.
    pub items: Vec<Item>,
    /// Items to start, in order (retries go to the back).
    queue: std::collections::VecDeque<usize>,
    /// Calls in flight at most.
    cap: usize,
    in_flight: usize,
    cancelled: bool,
}

impl Run {
    /// A batch of `items` under id `id`, by `by`, with at most `cap` calls in flight.
    pub fn new(id: String, by: String, items: Vec<Planned>, cap: usize) -> Self {
        let queue = (0..items.len()).collect();
        Self {
            id,
            by,
            items: items
                .into_iter()
                .map(|planned| Item {
                    planned,
                    state: ItemState::Queued,
                    retries: 0,
                })
                .collect(),
            queue,
            cap: cap.max(1),
            in_flight: 0,
            cancelled: false,
        }
    }

    /// The calls to send now: as many as the cap allows.
    pub fn next_sends(&mut self) -> Vec<Send> {
        let mut sends = Vec::new();
        while !self.cancelled && self.in_flight < self.cap {
            let Some(item) = self.queue.pop_front() else {
                break;
            };
            sends.push(self.start(item));
        }
        sends
    }

    fn start(&mut self, item: usize) -> Send {
        self.in_flight += 1;
        let entry = &mut self.items[item];
        let key = entry.planned.key.clone();
        let call = if entry.planned.check.is_some() {
            entry.state = ItemState::Checking;
            ApiCall::GetChat(key)
        } else {
            entry.state = ItemState::Writing;
            ApiCall::Change {
                key,
                change: entry.planned.change.clone(),
            }
        };
        Send { item, call }
    }

    /// Stops sending: every chat not started ends "not sent". Calls in flight finish and are
    /// reported; a chat being re-read is not written. Returns the chats just ended.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Vec<Finished> {
        self.cancelled = true;
        let queued: Vec<usize> = self.queue.drain(..).collect();
        queued
            .into_iter()
            .map(|item| self.finish(item, Outcome::NotSent, None, now))
            .collect()
    }

    /// Whether it was cancelled.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }

    /// Item `item`'s call could not be handed to the actor (its queue was full): it was not
    /// sent, and it is tried again with the next calls.
    pub fn not_taken(&mut self, item: usize) {
        if matches!(
            self.items[item].state,
            ItemState::Checking | ItemState::Writing
        ) {
            self.in_flight -= 1;
            self.items[item].state = ItemState::Queued;
            self.queue.push_front(item);
        }
    }

    /// Takes the reply to item `item`'s call. Returns the chat's end, when it ended.
    pub fn on_reply(
        &mut self,
        item: usize,
        reply: Result<ApiReply, ApiError>,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Option<Finished> {
        let state = self.items.get(item)?.state.clone();
        match state {
            ItemState::Checking => {
                self.in_flight -= 1;
                self.on_check(item, reply, now, lang)
            }
            ItemState::Writing => {
                self.in_flight -= 1;
                self.on_write(item, reply, now)
            }
            // A reply nobody waits for (a duplicate) changes nothing.
            ItemState::Queued | ItemState::Finished(_) => None,
        }
    }

    fn on_check(
        &mut self,
        item: usize,
        reply: Result<ApiReply, ApiError>,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Option<Finished> {
        match reply {
            Ok(ApiReply::Chat(fresh)) => {
                let expect = self.items[item].planned.check.clone();
                match expect {
                    Some(expect) if !expect.holds(&fresh.conversation) => {
                        let now_words = expect.what_is_there(&fresh.conversation, lang);
                        let outcome = Outcome::Skipped(Skip::Changed(now_words));
                        Some(self.finish(item, outcome, Some(fresh), now))
                    }
                    _ if self.cancelled => Some(self.finish(item, Outcome::NotSent, None, now)),
                    _ => {
                        self.items[item].state = ItemState::Queued;
                        // Straight to the write: the check's answer is fresh.
                        self.queue.push_front(item);
                        self.items[item].planned.check = None;
                        None
                    }
                }
            }
            Ok(ApiReply::Gone(..)) => {
                Some(self.finish(item, Outcome::Skipped(Skip::Gone), None, now))
            }
            Ok(other) => Some(self.finish(item, unexpected(&other), None, now)),
            Err(error) if error.is_transient() && self.retry(item) => None,
            // Nothing was written: a failed read is a failure, never an unknown.
            Err(error) => Some(self.finish(item, Outcome::Failed(error), None, now)),
        }
    }

    fn on_write(
        &mut self,
        item: usize,
        reply: Result<ApiReply, ApiError>,
        now: DateTime<Utc>,
    ) -> Option<Finished> {
        let outcome = match reply {
            Ok(ApiReply::Changed(fresh)) => {
                return Some(self.finish(item, Outcome::Done, Some(fresh), now));
            }
            Ok(ApiReply::ResponsibleChanged(fresh)) => {
                let who = fresh
                    .conversation
                    .responsible_name()
                    .unwrap_or("-")
                    .to_owned();
                let outcome = Outcome::Skipped(Skip::Changed(who));
                return Some(self.finish(item, outcome, Some(fresh), now));
            }
            Ok(ApiReply::Gone(..)) => Outcome::Skipped(Skip::Gone),
            Ok(other) => unexpected(&other),
            // The actor settles every write whose reply was lost (api/verify.rs): what it could
            // not settle comes back as `OutcomeUnknown`, and only that may have been written.
            Err(error) if error.kind() == ErrorKind::OutcomeUnknown => Outcome::Unknown(error),
            // Refusals that wrote nothing and may pass on a later try; an error that is not a
            // write's verdict (a 5xx, a timeout, an unreadable reply) came from the read a change
            // makes before it writes (Wegly's compare-and-set), so nothing was written either.
            Err(error)
                if (matches!(error.kind(), ErrorKind::RateLimited | ErrorKind::NotApplied)
                    || error.outcome_unknown())
                    && self.retry(item) =>
            {
                return None;
            }
            Err(error) => Outcome::Failed(error),
        };
        Some(self.finish(item, outcome, None, now))
    }

    /// Puts `item` back at the end of the queue, if it has tries left.
    fn retry(&mut self, item: usize) -> bool {
        let entry = &mut self.items[item];
        if self.cancelled || entry.retries >= RETRIES {
            return false;
        }
        entry.retries += 1;
        entry.state = ItemState::Queued;
        self.queue.push_back(item);
        true
    }

    fn finish(
        &mut self,
        item: usize,
        outcome: Outcome,
        fresh: Option<Fresh>,
        now: DateTime<Utc>,
    ) -> Finished {
        let entry = self.entry(item, &outcome, fresh.as_ref(), now);
        self.items[item].state = ItemState::Finished(outcome);
        Finished { item, entry, fresh }
    }

    /// The audit entry of item `item` ending with `outcome`.
    fn entry(
        &self,
        item: usize,
        outcome: &Outcome,
        fresh: Option<&Fresh>,
        now: DateTime<Utc>,
    ) -> AuditEntry {
        let planned = &self.items[item].planned;
        let reassign = matches!(planned.change, Change::Reassign { .. });
        let before = if reassign {
            planned.holder().map(str::to_owned)
        } else if let Change::RemoveParticipant { user_id } = &planned.change {
            Some(user_id.clone())
        } else {
            None
        };
        let after = fresh
            .filter(|_| reassign)
            .and_then(|fresh| fresh.conversation.responsible_name().map(str::to_owned));
        // Only a change that may be there can be taken back.
        let undo = may_be_there(outcome.audit_word()).then(|| planned.undo.to_text());
        let status = match outcome {
            Outcome::Done => Some(200),
            Outcome::Failed(error) | Outcome::Unknown(error) => error.status(),
            _ => None,
        };
        AuditEntry {
            at: now,
            key: planned.key.clone(),
            action: planned.change.audit_action().to_owned(),
            request: Some(describe(planned.key.provider, &planned.change, None)),
            before,
            after,
            outcome: outcome.audit_word().to_owned(),
            http_status: status,
            by: Some(self.by.clone()),
            batch: Some(self.id.clone()),
            undo,
        }
    }

    /// Whether every chat has ended.
    pub fn is_finished(&self) -> bool {
        self.items
            .iter()
            .all(|item| matches!(item.state, ItemState::Finished(_)))
    }

    /// The counts so far.
    pub fn progress(&self) -> Progress {
        let mut progress = Progress {
            total: self.items.len(),
            in_flight: self.in_flight,
            ..Progress::default()
        };
        for item in &self.items {
            if let ItemState::Finished(outcome) = &item.state {
                match outcome {
                    Outcome::Done => progress.done += 1,
                    Outcome::Skipped(_) => progress.skipped += 1,
                    Outcome::Failed(_) => progress.failed += 1,
                    Outcome::Unknown(_) => progress.unknown += 1,
                    Outcome::NotSent => progress.not_sent += 1,
                }
            }
        }
        progress
    }
}

/// A reply the call cannot produce: the chat is reported failed, and nothing is assumed.
fn unexpected(reply: &ApiReply) -> Outcome {
    Outcome::Failed(ApiError::Unexpected {
        status: 0,
        url: String::new(),
        detail: format!("unexpected reply to a batch step: {reply:?}"),
        excerpt: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Scope, ServerReply};
    use crate::batch::revert::UndoNote;
    use crate::store::ChatKey;

    /// A Wegly reassignment: no check of the batch's own, the change compares for itself.
    fn one_reassignment() -> Run {
        let change = Change::Reassign {
            to: "b".to_owned(),
            expected: Some("a".to_owned()),
            scope: Scope::CHAT,
        };
        let planned = Planned {
            key: ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23"),
            contact: "Mariana".to_owned(),
            from: Some("a".to_owned()),
            from_name: None,
            undo: UndoNote::of(&change, None, Some("a")),
            change,
            check: None,
            warnings: Vec::new(),
        };
        let mut run = Run::new("batch".to_owned(), "Ana".to_owned(), vec![planned], 1);
        assert_eq!(run.next_sends().len(), 1);
        run
    }

    fn server_error() -> ApiError {
        ApiError::Server(ServerReply {
            status: 503,
            url: "http://sandbox/chats/x".to_owned(),
            code: None,
            message: None,
            fields: std::collections::BTreeMap::new(),
        })
    }

    #[test]
    fn a_write_whose_outcome_stayed_unknown_is_unknown_and_may_be_undone() {
        let mut run = one_reassignment();
        let lost = ApiError::OutcomeUnknown {
            chat: None,
            lost: Box::new(server_error()),
            reread: Some(Box::new(server_error())),
        };
        let finished = run.on_reply(0, Err(lost), Utc::now(), Lang::En).unwrap();
        assert!(
            matches!(run.items[0].state, ItemState::Finished(Outcome::Unknown(_))),
            "{:?}",
            run.items[0].state
        );
        assert_eq!(finished.entry.outcome, "unknown");
        assert!(finished.entry.undo.is_some());
    }

    #[test]
    fn a_refused_write_is_refused_in_the_audit_log_like_a_single_change() {
        let mut run = one_reassignment();
        let refused = ApiError::Refused(ServerReply {
            status: 422,
            url: "http://sandbox/chats/x".to_owned(),
            code: None,
            message: None,
            fields: std::collections::BTreeMap::new(),
        });
        let word = crate::present::audit_outcome(&refused);
        let finished = run.on_reply(0, Err(refused), Utc::now(), Lang::En).unwrap();
        assert_eq!(finished.entry.outcome, "refused");
        assert_eq!(finished.entry.outcome, word);
        assert!(finished.entry.undo.is_none());
    }

    #[test]
    fn a_read_that_failed_before_the_write_wrote_nothing_and_is_tried_again_then_failed() {
        // The change re-reads the chat before writing: a 5xx or an unreadable reply there comes
        // back as it is, and means nothing was written.
        let mut run = one_reassignment();
        for _ in 0..RETRIES {
            assert!(
                run.on_reply(0, Err(server_error()), Utc::now(), Lang::En)
                    .is_none()
            );
            assert_eq!(run.next_sends().len(), 1, "tried again");
        }
        let unreadable = ApiError::Unexpected {
            status: 200,
            url: String::new(),
            detail: "EOF while parsing".to_owned(),
            excerpt: String::new(),
        };
        let finished = run
            .on_reply(0, Err(unreadable), Utc::now(), Lang::En)
            .unwrap();
        assert!(
            matches!(run.items[0].state, ItemState::Finished(Outcome::Failed(_))),
            "{:?}",
            run.items[0].state
        );
        assert_eq!(finished.entry.outcome, "failed");
        assert!(finished.entry.undo.is_none());
    }
}
