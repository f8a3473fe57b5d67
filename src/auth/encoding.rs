//! Binary values that clients send as text (keys, signatures): base64 in whichever alphabet
//! their platform produces, so that a mobile or desktop team does not trip over padding.

use base64::{
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
    Engine,
};

/// Longest encoded value accepted: a 8192-bit RSA signature is 1366 characters.
const MAX_ENCODED_LEN: usize = 4096;

/// Decodes base64url or standard base64, padded or not; `None` for anything else (never panics).
pub fn decode_base64(encoded: &str) -> Option<Vec<u8>> {
    let encoded = encoded.trim();
    if encoded.is_empty() || encoded.len() > MAX_ENCODED_LEN {
        return None;
    }
    let url_safe = encoded.contains(['-', '_']);
    let padded = encoded.ends_with('=');
    let engine = match (url_safe, padded) {
        (true, true) => &URL_SAFE,
        (true, false) => &URL_SAFE_NO_PAD,
        (false, true) => &STANDARD,
        (false, false) => &STANDARD_NO_PAD,
    };
    engine.decode(encoded).ok()
}

/// The canonical text form of binary values in our answers: base64url without padding.
pub fn encode_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_base64_form_decodes() {
        let bytes = [0xfb, 0xff, 0x00, 0x10, 0x3e];
        for form in [
            URL_SAFE_NO_PAD.encode(bytes),
            URL_SAFE.encode(bytes),
            STANDARD.encode(bytes),
            STANDARD_NO_PAD.encode(bytes),
        ] {
            assert_eq!(decode_base64(&form).as_deref(), Some(&bytes[..]), "{form}");
        }
    }

    #[test]
    fn junk_is_refused_without_panicking() {
        for junk in ["", "   ", "not base64!", "a", "é", &"A".repeat(5000)] {
            assert_eq!(decode_base64(junk), None, "{junk}");
        }
    }
}
