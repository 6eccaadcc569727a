//! Verified outcomes: after a write whose reply was lost (a timeout, a connection broken after
//! sending, a 5xx, a 2xx that cannot be read), the chat is re-read and the write reported as
//! applied, not applied, or still unknown — never guessed, and never sent again.

use uuid::Uuid;

use crate::api::error::ApiError;
use crate::api::wegly::wire::{Chat, UpdateResponsibleRequest};
use crate::api::wegly::{Fetched, WeglyClient};

/// What a re-read chat says of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The change is there.
    Applied,
    /// The change is not there.
    NotApplied,
    /// The chat does not show this change (leads and deals are not part of a chat).
    CannotTell,
}

/// A write that ended well.
#[derive(Debug, Clone)]
pub enum Settled<T> {
    /// The server's own reply.
    Replied(Fetched<T>),
    /// The reply was lost, and the re-read chat shows the change applied.
    Confirmed(Box<Fetched<Chat>>),
}

/// What a reassignment looks like in the chat afterwards. Only `update_chat` shows there.
pub fn responsible_is(request: &UpdateResponsibleRequest) -> impl Fn(&Chat) -> Seen + use<> {
    let user = request.user_id.clone();
    let shows = request.update_chat;
    move |chat: &Chat| match (shows, chat.responsible_user_id()) {
        (false, _) => Seen::CannotTell,
        (true, Some(now)) if now.eq_ignore_ascii_case(&user) => Seen::Applied,
        (true, _) => Seen::NotApplied,
    }
}

/// What a removal looks like in the chat afterwards: the user is among the participants no more.
pub fn participant_gone(user: Uuid) -> impl Fn(&Chat) -> Seen {
    let user = user.to_string();
    move |chat: &Chat| {
        let still = chat.participants.iter().flatten().any(|participant| {
            participant
                .user
                .as_ref()
                .and_then(|u| u.id.as_deref())
                .is_some_and(|id| id.eq_ignore_ascii_case(&user))
        });
        if still {
            Seen::NotApplied
        } else {
            Seen::Applied
        }
    }
}

/// Settles a write to `chat`: a reply is taken as it is; a refusal stays an error; a lost reply
/// is verified by one re-read (itself retried as reads are), whose verdict decides.
pub async fn settle<T>(
    client: &WeglyClient,
    chat: Uuid,
    written: Result<Fetched<T>, ApiError>,
    seen: impl Fn(&Chat) -> Seen,
) -> Result<Settled<T>, ApiError> {
    let lost = match written {
        Ok(reply) => return Ok(Settled::Replied(reply)),
        Err(error) if error.outcome_unknown() => error,
        Err(error) => return Err(error),
    };
    tracing::info!(%chat, error = %lost, "write reply lost; re-reading the chat");
    match client.get_chat(chat).await {
        Ok(reread) => match seen(&reread.value) {
            Seen::Applied => Ok(Settled::Confirmed(Box::new(reread))),
            Seen::NotApplied => Err(ApiError::NotApplied {
                chat: chat.to_string(),
                lost: Box::new(lost),
            }),
            Seen::CannotTell => Err(ApiError::OutcomeUnknown {
                chat: Some(chat.to_string()),
                lost: Box::new(lost),
                reread: None,
            }),
        },
        Err(reread) => Err(ApiError::OutcomeUnknown {
            chat: Some(chat.to_string()),
            lost: Box::new(lost),
            reread: Some(Box::new(reread)),
        }),
    }
}

/// A write with no chat to re-read (creating one): a lost reply stays unknown.
pub fn unverifiable<T>(written: Result<Fetched<T>, ApiError>) -> Result<Fetched<T>, ApiError> {
    written.map_err(|error| {
        if error.outcome_unknown() {
            ApiError::OutcomeUnknown {
                chat: None,
                lost: Box::new(error),
                reread: None,
            }
        } else {
            error
        }
    })
}
