//! The actor's writes: a neutral change or creation goes to its provider's module, and what the
//! CRM answers is stored in the index before the console hears of it.

use chrono::Utc;

use crate::api::agilize::wire::Room;
use crate::api::call::{ActorConfig, ApiReply, Fresh};
use crate::api::change::{Change, NewConversation};
use crate::api::conversation::Conversation;
use crate::api::error::ApiError;
use crate::api::reads::{on_index, remember};
use crate::api::verify;
use crate::api::wegly::changes::Applied;
use crate::api::{agilize, wegly};
use crate::store::{ChatKey, Provider, Source};

/// Makes a change to a conversation through its CRM.
pub(crate) async fn change(
    config: &ActorConfig,
    key: ChatKey,
    change: &Change,
) -> Result<ApiReply, ApiError> {
    match key.provider {
        Provider::Wegly => {
            let client = config.wegly(&key.account)?;
            let applied = Box::pin(wegly::changes::apply(client, &key.chat_id, change)).await?;
            let (fetched, conflict) = match applied {
                Applied::Written(fetched) => (fetched, false),
                Applied::Conflict(fetched) => (fetched, true),
            };
            let chat = Conversation::Chat(Box::new(fetched.value));
            let fresh = remember(&config.store, &key, &fetched.raw, chat).await;
            Ok(if conflict {
                ApiReply::ResponsibleChanged(fresh)
            } else {
                ApiReply::Changed(fresh)
            })
        }
        Provider::Agilize => {
            let client = config.agilize(&key.account)?;
            let wanted = key.clone();
            let known = on_index(&config.store, "read a room", move |store| {
                store.detail(&wanted)
            })
            .await
            .flatten()
            .and_then(|raw| serde_json::from_str::<Room>(&raw).ok());
            let room = agilize::changes::apply(client, &key.chat_id, change, known).await?;
            let raw = serde_json::to_string(&room).unwrap_or_default();
            let conversation = Conversation::Room(Box::new(room));
            let columns = conversation.columns();
            let saved = key.clone();
            let summary = on_index(&config.store, "store a room", move |store| {
                // A change to a room is not a message: the last message keeps its own time.
                store.save_room(&saved, &raw, &columns, Utc::now())?;
                store.summary(&saved)
            })
            .await
            .flatten();
            Ok(ApiReply::Changed(Fresh {
                key,
                conversation,
                summary,
            }))
        }
    }
}

/// Opens a conversation with a template. Nothing can re-read a creation whose reply was lost,
/// so that outcome stays unknown.
pub(crate) async fn create(
    config: &ActorConfig,
    account: &str,
    new: &NewConversation,
) -> Result<ApiReply, ApiError> {
    let client = config.wegly(account)?;
    let request = wegly::changes::create_request(new);
    let created = verify::unverifiable(client.create_chat(&request).await)?;
    let key = ChatKey::wegly(account, created.value.id.as_deref().unwrap_or_default());
    let noted = key.clone();
    on_index(&config.store, "note a created chat", move |store| {
        store.note_chat(&noted, Source::Created, Utc::now())
    })
    .await;
    let is_new = created.status == 201;
    let chat = Conversation::Chat(Box::new(created.value));
    let fresh = remember(&config.store, &key, &created.raw, chat).await;
    Ok(ApiReply::Created(fresh, is_new))
}
