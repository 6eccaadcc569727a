//! Limits the Wegly API sets on what it accepts, checked by the client before a request is sent
//! and enforced by the sandbox the same way.

use chrono::Duration;

/// The `WhatsApp` customer-service window: the company may send free text for 24 h after the
/// customer's last message; outside it only templates.
pub const SESSION_WINDOW: Duration = Duration::hours(24);
/// `wa_contact_id` limit (seed 001).
pub const MAX_CONTACT_ID_CHARS: usize = 50;
/// `remote_profile_name` limit (seed 001).
pub const MAX_PROFILE_NAME_CHARS: usize = 255;
/// Longest text message accepted (`WhatsApp`'s limit).
pub const MAX_TEXT_CHARS: usize = 4096;
/// Timeline events the client asks for per page (`limit`), and the sandbox gives when a request
/// names a `page` and no `limit`. The docs show no paging parameters: these are balcão's choice
/// (see ARCHITECTURE.md), and a server that ignores them and sends everything still works.
pub const TIMELINE_PAGE_SIZE: usize = 50;
/// The largest `limit` the sandbox accepts for a timeline page.
pub const MAX_TIMELINE_PAGE_SIZE: usize = 500;
