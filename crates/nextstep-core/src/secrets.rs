//! Secrets and passwords, the same for the command line and the server: argon2id
//! password hashes, random tokens stored only as digests, and issuing an API token.
//! Pure computation (plus the system's random source): no HTTP, no SQL.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::TeamStore;

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// argon2 refused (never for sane inputs).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// `bytes` random bytes as lower-case hex: 16 bytes give the 128-bit tokens links use.
pub fn random_hex(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(hex::encode(buf))
}

/// SHA-256 hex of a secret: what the database keeps instead of the secret, so a copy of
/// the database opens no session, token or link.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Why an API token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No randomness for the secret.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The store refused it.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// A new API token for `user_id`: 256 random bits, of which only the digest is stored.
/// Returns the token (to show once) and its record. Shared by `POST /api/v1/tokens` and
/// `nextstep token create`.
pub async fn issue_api_token(
    db: &impl TeamStore,
    user_id: i64,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(String, crate::ApiToken), TokenError> {
    let token = random_hex(32)?;
    let record = db
        .create_api_token(&crate::NewApiToken {
            user_id,
            name: name.to_string(),
            token_hash: digest(&token),
            expires_at,
        })
        .await?;
    Ok((token, record))
}

/// An argon2id PHC string for `password` (random salt, the crate's default cost).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Compares secrets without an early exit on the first differing byte.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    constant_time_eq_bytes(a.as_bytes(), b.as_bytes())
}

/// [`constant_time_eq`] for bytes.
pub fn constant_time_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct hors", &phc));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_digests_fixed() {
        let a = random_hex(16).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_hex(16).unwrap());
        assert_eq!(digest("abc").len(), 64);
        assert_eq!(digest("abc"), digest("abc"));
    }
}
