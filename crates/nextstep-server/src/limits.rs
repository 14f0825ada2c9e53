//! How long each piece of text a client sends may be, and what it may contain: every
//! field the server stores or shows is checked here before it reaches the store, so no
//! client can make every later response carry megabytes (a 1.9 MB next-step action was
//! once accepted and sent in every pipeline page) or put control characters into a page.

use crate::error::ApiError;

/// A next step's action (characters): a sentence or a short paragraph.
pub const MAX_ACTION_CHARS: usize = 1000;
/// An uploaded file's name (characters).
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// A login email (characters; RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// A password (bytes): long passphrases are welcome, megabytes to hash are not.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// An API token's label (characters).
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// An `Idempotency-Key` header (bytes of visible ASCII).
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 255;
/// A filter in a query string (an owner's name, a flag) (characters).
pub const MAX_FILTER_CHARS: usize = 200;
/// A prospect's correction on the confirmation page (characters; several lines allowed).
pub const MAX_CORRECTION_CHARS: usize = 2000;
/// A speaker's name in an upload's `sellers` or a side flip (characters).
pub const MAX_SPEAKER_CHARS: usize = 100;
/// How many sellers an upload may name.
pub const MAX_SELLERS: usize = 20;

/// The longest expiry an API token may be given (days).
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// Checks one line of text: at most `max` characters, no control characters. The error
/// names the field and the limit.
pub fn line(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(ApiError::bad_request(format!(
            "field `{field}` has {chars} characters; the limit is {max}"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "field `{field}` contains control characters"
        )));
    }
    Ok(())
}

/// An `Idempotency-Key`: 1 to [`MAX_IDEMPOTENCY_KEY_BYTES`] bytes of visible ASCII.
pub fn idempotency_key(value: &str) -> Result<(), ApiError> {
    if value.is_empty()
        || value.len() > MAX_IDEMPOTENCY_KEY_BYTES
        || !value.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::bad_request(format!(
            "header `Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY_BYTES} visible ASCII characters"
        )));
    }
    Ok(())
}

/// An upload's `sellers`: names separated by commas (or by semicolons when a name
/// itself holds a comma, as in "Raman, Priya; Tom Hale"), blanks dropped; at most
/// [`MAX_SELLERS`] names of at most [`MAX_SPEAKER_CHARS`] characters each.
pub fn sellers(raw: &str) -> Result<Vec<String>, ApiError> {
    let sep = if raw.contains(';') { ';' } else { ',' };
    let names: Vec<String> = raw
        .split(sep)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    if names.len() > MAX_SELLERS {
        return Err(ApiError::bad_request(format!(
            "field `sellers` names {} speakers; the limit is {MAX_SELLERS}",
            names.len()
        )));
    }
    for name in &names {
        line("sellers", name, MAX_SPEAKER_CHARS)?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_the_field_and_refuse_control_characters() {
        assert!(line("action", "Send the proposal", MAX_ACTION_CHARS).is_ok());
        let long = "é".repeat(MAX_ACTION_CHARS + 1);
        let e = line("action", &long, MAX_ACTION_CHARS).unwrap_err();
        assert!(
            e.message.contains("`action`") && e.message.contains("1000"),
            "{e}"
        );
        assert!(line("action", &"é".repeat(MAX_ACTION_CHARS), MAX_ACTION_CHARS).is_ok());
        assert!(line("file_name", "a\nb", 10).is_err());
        assert!(line("file_name", "a\u{7}b", 10).is_err());
        assert!(idempotency_key("upload-7f3a").is_ok());
        for bad in ["", "with space", "é", &"k".repeat(256)] {
            assert!(idempotency_key(bad).is_err(), "{bad:?}");
        }
    }
}
