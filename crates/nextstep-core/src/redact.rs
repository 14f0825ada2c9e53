//! Passwords out of database URLs: the one redaction every message that names a database
//! uses — the store's open errors, the command line's and the server's messages.

/// `url` with any password replaced by `***`, fit for error messages and logs.
///
/// Covers the user-info form (`postgres://user:secret@host/db`) and a `password=` query
/// parameter (`postgres://host/db?password=secret`).
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = url.find("://") {
        let rest_start = scheme_end + 3;
        let rest = &url[rest_start..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                let end = rest_start + at;
                out.replace_range(start..end, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", redacted.join("&"));
    }
    out
}

/// The passwords written in `url` (user-info and `password=`), to scrub from driver messages.
pub fn url_secrets(url: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some((_, pw)) = authority
            .rfind('@')
            .and_then(|at| authority[..at].split_once(':'))
        {
            secrets.push(pw.to_string());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case("password") => secrets.push(v.to_string()),
                _ => {}
            }
        }
    }
    secrets.retain(|s| !s.is_empty());
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_shown() {
        let cases = [
            (
                "postgres://alice:s3cret@db.example:5432/crm",
                "postgres://alice:***@db.example:5432/crm",
            ),
            (
                "postgresql://alice:p%40ss@host/db?sslmode=require",
                "postgresql://alice:***@host/db?sslmode=require",
            ),
            (
                "postgres://host/db?user=bob&password=hunter2&sslmode=disable",
                "postgres://host/db?user=bob&password=***&sslmode=disable",
            ),
            (
                "postgres://u:a@h/db?sslmode=disable&password=b",
                "postgres://u:***@h/db?sslmode=disable&password=***",
            ),
            ("postgres://bob@host/db", "postgres://bob@host/db"),
            (
                "/home/u/.local/share/nextstep/nextstep.db",
                "/home/u/.local/share/nextstep/nextstep.db",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn secrets_are_found_for_scrubbing() {
        assert_eq!(
            url_secrets("postgres://u:a@h/db?sslmode=disable&password=b"),
            ["a", "b"]
        );
        assert!(url_secrets("postgres://u@h/db?password=").is_empty());
    }
}
