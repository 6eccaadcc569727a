//! A sandbox seed of many chats alike, for the batch tests and benchmark: the bundled seed's first
//! chat over and over, each copy with ids and a contact of its own, open, held by the first user
//! (its only participant) and with a single plain message.

use balcao::sandbox::SandboxConfig;
use uuid::Uuid;

/// Makes the seed `n` copies of its first chat.
pub fn seed_copies_of_first_chat(config: &mut SandboxConfig, n: usize) {
    let template = config.seed.chats[0].clone();
    config.seed.chats = (0..n)
        .map(|n| {
            let mut chat = template.clone();
            chat.id = Uuid::new_v4();
            chat.wa_contact_id = format!("5511900{n:06}");
            chat.contact_name = Some(format!("Cliente {n}"));
            "OPEN".clone_into(&mut chat.status);
            chat.archived_minutes_ago = None;
            chat.responsible = Some(0);
            chat.participants = vec![0];
            chat.messages.truncate(1);
            for message in &mut chat.messages {
                message.id = Uuid::new_v4();
                message.event_id = Uuid::new_v4();
                message.quotes = None;
                message.reactions.clear();
                message.by = None;
            }
            chat
        })
        .collect();
}
