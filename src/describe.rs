//! One-line descriptions of wire objects, shared by the command line and the console.

use crate::api::wegly::wire::{Address, Call};
use crate::i18n::Lang;

/// Street, number, complement, district, city, state and CEP, the empty parts left out.
pub fn address_line(address: &Address) -> String {
    [
        &address.street,
        &address.number,
        &address.complement,
        &address.district,
        &address.city,
        &address.state,
        &address.postal_code,
    ]
    .iter()
    .filter_map(|part| part.as_deref())
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// `📞 INBOUND · COMPLETED · 6:42 · recorded`.
pub fn call_line(call: &Call, lang: Lang) -> String {
    let secs = call.duration_ms.unwrap_or(0) / 1000;
    let recording = if call.has_recording == Some(true) {
        lang.pick(" · gravada", " · recorded")
    } else {
        ""
    };
    format!(
        "📞 {} · {} · {}:{:02}{recording}",
        call.direction.as_deref().unwrap_or("—"),
        call.status.as_deref().unwrap_or("—"),
        secs / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_addresses_and_calls() {
        let address = Address {
            street: Some("Rua Augusta".to_owned()),
            number: Some("968".to_owned()),
            complement: Some(String::new()),
            city: Some("São Paulo".to_owned()),
            ..Address::default()
        };
        assert_eq!(address_line(&address), "Rua Augusta, 968, São Paulo");
        let call = Call {
            direction: Some("INBOUND".to_owned()),
            status: Some("COMPLETED".to_owned()),
            duration_ms: Some(402_000),
            has_recording: Some(true),
            ..Call::default()
        };
        assert_eq!(
            call_line(&call, Lang::PtBr),
            "📞 INBOUND · COMPLETED · 6:42 · gravada"
        );
    }
}
