//! The batch state machine under any order of replies and any mix of outcomes: every chat ends
//! exactly once, the cap is never passed, a write is sent again only after a reply that proves
//! it wrote nothing, a chat re-read as changed is never written, and cancelling sends nothing
//! more.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use balcao::api::agilize::wire::Room;
use balcao::api::call::{ApiCall, ApiReply, Fresh};
use balcao::api::{ApiError, Change, Conversation, Scope, ServerReply};
use balcao::batch::{Expect, ItemState, Outcome, Planned, Run, UndoNote};
use balcao::i18n::Lang;
use balcao::store::ChatKey;
use proptest::prelude::*;

const HOLDER: &str = "holder";
const TARGET: &str = "target";

fn planned(n: usize, checked: bool) -> Planned {
    let key = if checked {
        ChatKey::agilize("desk", &format!("room-{n}"))
    } else {
        ChatKey::wegly("desk", &format!("00000000-0000-4000-8000-{n:012}"))
    };
    let change = Change::Reassign {
        to: TARGET.to_owned(),
        expected: Some(HOLDER.to_owned()),
        scope: Scope::CHAT,
    };
    Planned {
        key,
        contact: format!("contact {n}"),
        from: Some(HOLDER.to_owned()),
        from_name: Some("Holder".to_owned()),
        undo: UndoNote::of(&change, None, Some(HOLDER)),
        change,
        check: checked.then(|| Expect::Responsible(Some(HOLDER.to_owned()))),
        warnings: Vec::new(),
    }
}

fn fresh(key: &ChatKey, responsible: &str) -> Fresh {
    Fresh {
        key: key.clone(),
        conversation: Conversation::Room(Box::new(Room {
            user: Some(responsible.to_owned()),
            ..Room::default()
        })),
        summary: None,
    }
}

fn reply(status: u16) -> ServerReply {
    ServerReply {
        status,
        url: "http://sandbox/".to_owned(),
        code: None,
        message: None,
        fields: BTreeMap::new(),
    }
}

/// One way a call can be answered, chosen by the test.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Fine,
    Moved,
    RateLimited,
    Unknown,
    Refused,
    Timeout,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => Just(Answer::Fine),
        1 => Just(Answer::Moved),
        1 => Just(Answer::RateLimited),
        1 => Just(Answer::Unknown),
        1 => Just(Answer::Refused),
        1 => Just(Answer::Timeout),
    ]
}

fn respond(call: &ApiCall, answer: Answer) -> Result<ApiReply, ApiError> {
    let key = match call {
        ApiCall::GetChat(key) | ApiCall::Change { key, .. } => key,
        other => panic!("a batch sends no {other:?}"),
    };
    let read = matches!(call, ApiCall::GetChat(_));
    match answer {
        Answer::Fine if read => Ok(ApiReply::Chat(fresh(key, HOLDER))),
        Answer::Fine => Ok(ApiReply::Changed(fresh(key, TARGET))),
        Answer::Moved if read => Ok(ApiReply::Chat(fresh(key, "someone else"))),
        Answer::Moved => Ok(ApiReply::ResponsibleChanged(fresh(key, "someone else"))),
        Answer::RateLimited => Err(ApiError::RateLimited {
            reply: reply(429),
            retry_after: None,
        }),
        Answer::Unknown if read => Err(ApiError::Server(reply(503))),
        Answer::Unknown => Err(ApiError::OutcomeUnknown {
            chat: Some(key.chat_id.clone()),
            lost: Box::new(ApiError::Server(reply(502))),
            reread: None,
        }),
        Answer::Refused => Err(ApiError::Refused(reply(422))),
        Answer::Timeout => Err(ApiError::Timeout {
            url: "http://sandbox/".to_owned(),
            after: Duration::from_secs(5),
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_chat_ends_once_within_the_cap_and_nothing_is_written_twice(
        checked in proptest::collection::vec(any::<bool>(), 1..24),
        cap in 1usize..6,
        answers in proptest::collection::vec(answer(), 200),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 200),
        cancel_at in proptest::option::of(0usize..60),
    ) {
        let items: Vec<Planned> = checked.iter().enumerate().map(|(n, c)| planned(n, *c)).collect();
        let total = items.len();
        let mut run = Run::new("b".to_owned(), "Ana".to_owned(), items, cap);
        let now = chrono::Utc::now();
        let mut in_flight: Vec<(usize, ApiCall)> = Vec::new();
        let mut writes: HashMap<usize, usize> = HashMap::new();
        let mut not_applied: HashMap<usize, usize> = HashMap::new();
        let mut moved_on_read: Vec<usize> = Vec::new();
        let mut ended: HashMap<usize, usize> = HashMap::new();
        let mut step = 0;
        loop {
            if cancel_at == Some(step) {
                for finished in run.cancel(now) {
                    *ended.entry(finished.item).or_default() += 1;
                }
            }
            let sends = run.next_sends();
            prop_assert!(!run.cancelled() || sends.is_empty(), "a cancelled batch sent more");
            for send in sends {
                if matches!(send.call, ApiCall::Change { .. }) {
                    *writes.entry(send.item).or_default() += 1;
                    prop_assert!(!moved_on_read.contains(&send.item), "wrote a chat read as changed");
                }
                in_flight.push((send.item, send.call));
            }
            prop_assert!(in_flight.len() <= cap, "{} in flight over a cap of {cap}", in_flight.len());
            prop_assert_eq!(run.progress().in_flight, in_flight.len());
            if in_flight.is_empty() {
                break;
            }
            let at = picks[step % picks.len()].index(in_flight.len());
            let (item, call) = in_flight.swap_remove(at);
            let answer = answers[step % answers.len()];
            let read = matches!(call, ApiCall::GetChat(_));
            match answer {
                // A 429 wrote nothing; a bare timeout from a change is its compare-and-set read
                // failing (the actor settles the write's own lost replies into a verdict).
                Answer::RateLimited | Answer::Timeout if !read => {
                    *not_applied.entry(item).or_default() += 1;
                }
                Answer::Moved if read => moved_on_read.push(item),
                _ => {}
            }
            if let Some(finished) = run.on_reply(item, respond(&call, answer), now, Lang::En) {
                *ended.entry(finished.item).or_default() += 1;
                prop_assert_eq!(finished.entry.batch.as_deref(), Some("b"));
                let word = finished.entry.outcome.as_str();
                prop_assert!(
                    finished.entry.undo.is_some() == matches!(word, "confirmed" | "unknown"),
                    "only a change that may be there says how to undo it ({word})"
                );
            }
            step += 1;
            prop_assert!(step < 10_000, "the batch never ends");
        }
        prop_assert!(run.is_finished());
        let progress = run.progress();
        prop_assert_eq!(progress.ended(), total);
        prop_assert!(ended.len() == total && ended.values().all(|n| *n == 1), "{:?}", ended);
        for (item, sent) in &writes {
            // A write goes again only after a reply that proves it wrote nothing.
            let allowed = 1 + not_applied.get(item).copied().unwrap_or(0);
            prop_assert!(*sent <= allowed, "item {item} written {sent} times, {allowed} allowed");
        }
        for item in &run.items {
            if let ItemState::Finished(Outcome::NotSent) = item.state {
                prop_assert!(cancel_at.is_some());
            }
        }
    }
}
