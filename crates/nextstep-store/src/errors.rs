//! Driver and migration errors as the store's typed [`StoreError`]s, with no password
//! shown (URLs are scrubbed with nextstep-core's `redact`).

use nextstep_core::redact::{redact_url, url_secrets};
pub(crate) use nextstep_core::text::corrupt;

use crate::StoreError;

/// A driver error as a [`StoreError::Query`].
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Query(e.to_string())
}

/// A migration error as a [`StoreError::Migrate`].
pub(crate) fn migrate_err(e: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Migrate(e.to_string())
}

/// A [`StoreError::Open`] for `url` that shows no password, neither in the URL nor in
/// the driver's message.
pub(crate) fn open_err(url: &str, reason: impl ToString) -> StoreError {
    let mut reason = reason.to_string();
    for secret in url_secrets(url) {
        reason = reason.replace(&secret, "***");
    }
    StoreError::Open {
        url: redact_url(url),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_errors_show_no_password() {
        let err = open_err(
            "postgres://alice:s3cret@h/db",
            "password authentication failed: s3cret",
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
