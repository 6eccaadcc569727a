//! `x-wegly-signature`: HMAC-SHA256 of the raw body keyed with the subscription secret.
//!
//! Wegly does not document the encoding; we send lowercase hex and accept hex (any case) or
//! base64 (standard or URL-safe, padded or not), compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header carrying the event key.
pub const EVENT_HEADER: &str = "x-wegly-event";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-wegly-signature";

/// The raw HMAC-SHA256 of `body` under `secret`.
///
/// `None` only if the MAC refused the key, which HMAC never does (it takes keys of any length);
/// callers then sign nothing and verify nothing rather than panic.
pub fn mac(secret: &[u8], body: &[u8]) -> Option<[u8; 32]> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).ok()?;
    mac.update(body);
    Some(mac.finalize().into_bytes().into())
}

/// SHA-256 of `bytes` in lowercase hex, to recognise a delivery without keeping it; `None` for
/// no bytes at all (nothing arrived to recognise).
pub fn digest_hex(bytes: &[u8]) -> Option<String> {
    use sha2::Digest;
    (!bytes.is_empty()).then(|| hex::encode(Sha256::digest(bytes)))
}

/// The signature as the sandbox sends it: lowercase hex.
pub fn sign_hex(secret: &[u8], body: &[u8]) -> String {
    mac(secret, body).map(hex::encode).unwrap_or_default()
}

/// Whether `signature` (hex or base64, optionally prefixed `sha256=`) matches `body`.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Some(expected) = mac(secret, body) else {
        return false;
    };
    let text = signature.trim();
    let text = text.strip_prefix("sha256=").unwrap_or(text);
    decode_hex(text)
        .or_else(|| decode_base64(text))
        .is_some_and(|given| constant_time_eq(&given, &expected))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    (text.len() == 64).then(|| hex::decode(text).ok()).flatten()
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(32);
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0_u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2.
    const KEY: &[u8] = b"Jefe";
    const DATA: &[u8] = b"what do ya want for nothing?";
    const HEX: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn matches_the_rfc_vector() {
        assert_eq!(sign_hex(KEY, DATA), HEX);
    }

    #[test]
    fn accepts_hex_and_base64_forms() {
        assert!(verify(KEY, DATA, HEX));
        assert!(verify(KEY, DATA, &HEX.to_uppercase()));
        assert!(verify(KEY, DATA, &format!("sha256={HEX}")));
        assert!(verify(
            KEY,
            DATA,
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        ));
        assert!(verify(
            KEY,
            DATA,
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM"
        ));
    }

    #[test]
    fn refuses_altered_bodies_and_wrong_secrets() {
        assert!(!verify(KEY, b"what do ya want for nothing!", HEX));
        assert!(!verify(b"other", DATA, HEX));
        assert!(!verify(KEY, DATA, ""));
        assert!(!verify(KEY, DATA, "not a signature"));
    }
}
