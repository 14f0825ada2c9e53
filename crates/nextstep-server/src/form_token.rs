//! Anti-forgery tokens for the two forms that have no session: the login form and the
//! prospect's confirmation form. They are double-submit tokens (a cookie and a hidden
//! field that must be equal), and — so that equality alone proves nothing — *signed*:
//! `expiry.nonce.mac`, the MAC an HMAC-SHA-256 under the servers' shared form key over
//! the form's purpose, the expiry and the nonce. A pair an attacker made up, a token
//! for another form (another confirmation link) and an expired one are all refused.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use nextstep_core::secrets::{AuthError, random_hex};

/// The name of the key in the store's `server_keys`.
pub const KEY_NAME: &str = "form";
/// The key's length (bytes).
pub const KEY_BYTES: usize = 32;

/// Issues and checks the signed form tokens of one key.
#[derive(Clone)]
pub struct FormTokens {
    key: Vec<u8>,
}

impl std::fmt::Debug for FormTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormTokens(..)")
    }
}

impl FormTokens {
    /// Tokens signed with `key` (the store's shared form key).
    pub fn new(key: Vec<u8>) -> Self {
        FormTokens { key }
    }

    /// A fresh random key, as the first server stores it.
    pub fn random_key() -> Result<Vec<u8>, AuthError> {
        let mut key = vec![0u8; KEY_BYTES];
        getrandom::fill(&mut key).map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(key)
    }

    fn mac(&self, purpose: &str, expiry: i64, nonce: &str) -> Hmac<Sha256> {
        // Any key length is valid for HMAC.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(expiry.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(nonce.as_bytes());
        mac
    }

    /// A token for the form `purpose`, good until `expires` (Unix seconds).
    pub fn issue(&self, purpose: &str, expires: i64) -> Result<String, AuthError> {
        let nonce = random_hex(16)?;
        let tag = hex::encode(self.mac(purpose, expires, &nonce).finalize().into_bytes());
        Ok(format!("{expires}.{nonce}.{tag}"))
    }

    /// Whether `token` is one this key issued for `purpose` and it is still good at `now`
    /// (Unix seconds). The MAC is compared in constant time.
    pub fn check(&self, purpose: &str, token: &str, now: i64) -> bool {
        let mut parts = token.splitn(3, '.');
        let (Some(expiry), Some(nonce), Some(tag)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let (Ok(expiry), Ok(tag)) = (expiry.parse::<i64>(), hex::decode(tag)) else {
            return false;
        };
        expiry > now && self.mac(purpose, expiry, nonce).verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_issued_unexpired_tokens_for_the_same_purpose_pass() {
        let tokens = FormTokens::new(vec![7u8; KEY_BYTES]);
        let t = tokens.issue("login", 1_000).unwrap();
        assert!(tokens.check("login", &t, 999));
        assert!(!tokens.check("login", &t, 1_000), "expired");
        assert!(
            !tokens.check("confirm:abc", &t, 999),
            "another form's token"
        );
        let other = FormTokens::new(vec![8u8; KEY_BYTES]);
        assert!(!other.check("login", &t, 999), "another key");
        let later = t.replacen("1000.", "9999.", 1);
        assert!(!tokens.check("login", &later, 999), "a changed expiry");
        for forged in ["", "abc", "1000.abc", "1000.abc.def", "x.y.z", "2000.00.00"] {
            assert!(!tokens.check("login", forged, 999), "{forged:?}");
        }
        assert_ne!(
            t,
            tokens.issue("login", 1_000).unwrap(),
            "a fresh nonce each time"
        );
    }
}
