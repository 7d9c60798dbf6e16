//! Response and error bodies: the bytes decoded as every core response type (pages, lists,
//! objects, the OIDC userinfo), failures turned into `trivoreid::Error` through progenitor's
//! `InvalidResponsePayload`; the same bytes as the body of an error response
//! (`ErrorResponse`, `UnexpectedResponse`), behind a transport trailer, and as the text of
//! `InvalidRequest` / `Custom`. Never panics; the status, operation and raw body are kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trivoreid_fuzz::checks::responses;

fuzz_target!(|data: &[u8]| {
    responses::check_body(data);

    // The first three bytes pick a status and an operation; the rest is the body.
    let (status, operation, body) = match data {
        [a, b, c, rest @ ..] => (u16::from_le_bytes([*a, *b]), usize::from(*c), rest),
        _ => (0, 0, data),
    };
    responses::check_error_body(status, body, operation);
    let text = String::from_utf8_lossy(body);
    responses::check_error_message(status, &text, operation);
    responses::check_text_errors(&text);

    // An operation id as the trailer carries it: `[a-z0-9_]+`, from the first bytes.
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let operation: String = data
        .iter()
        .take(1 + operation % 24)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    let operation = if operation.is_empty() {
        "user_get".to_owned()
    } else {
        operation
    };
    responses::check_trailer(body, status, &operation);
});
