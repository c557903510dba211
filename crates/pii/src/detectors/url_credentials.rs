//! URLs with credentials.
//!
//! **What it finds:** `scheme://user:password@host…` URLs for the common
//! schemes (http(s), ftp(s), sftp, ssh, git, databases, redis, amqp, kafka,
//! ldap, mail, s3, `jdbc:*`; listing them gives the automaton a literal prefix)
//! (`postgres://app:s3cr3t@db.internal:5432/prod`, `https://bob:pw@example.com/`).
//!
//! **Validation:** the password part is non-empty and not a placeholder
//! (`password`, `****`, `${PASS}`, `<password>`); trailing sentence punctuation is
//! not part of the URL. The whole URL is reported so a transform removes the
//! credential together with the host it opens.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The URL-with-credentials detector.
pub const DETECTOR: Detector = Detector {
    name: "url_credentials",
    entity: Entity::UrlCredentials,
    patterns: &[
        r#"(?-u:\b)(?i-u:https?|ftps?|sftp|ssh|git|svn|postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|mongodb(?:\+srv)?|redis|rediss|amqps?|kafka|nats|ldaps?|smtps?|imaps?|pop3s?|s3|jdbc:[a-z]+)://[^\s:/@'"<>]+:[^\s/@'"<>]+@[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[^\s'"<>]*)?"#,
    ],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c
        .as_str()
        .trim_end_matches(['.', ',', ';', ')', ']', '!', '?']);
    let after_scheme = &s[s.find("://")? + 3..];
    let userinfo = &after_scheme[..after_scheme.find('@')?];
    let (_, pass) = userinfo.split_once(':')?;
    let lower = pass.to_ascii_lowercase();
    if pass.is_empty()
        || [
            "password", "pass", "pwd", "****", "xxx", "${", "<", "{{", "secret",
        ]
        .iter()
        .any(|p| lower == *p || (p.len() > 3 && lower.contains(p)) || lower.starts_with(p))
    {
        return None;
    }
    Some(Hit {
        start: c.start,
        end: c.start + s.len(),
        score: 0.95,
        validation: "url-userinfo",
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::UrlCredentials as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "DATABASE_URL=postgres://app:s3cr3tPw@db.internal:5432/prod.",
            &["postgres://app:s3cr3tPw@db.internal:5432/prod"],
        );
        assert_found(
            E,
            "see https://bob:hunter2@example.com/x",
            &["https://bob:hunter2@example.com/x"],
        );
    }

    #[test]
    fn near_misses() {
        assert_found(E, "https://example.com/path", &[]);
        assert_found(E, "https://user@example.com/", &[]);
        assert_found(E, "redis://default:${REDIS_PASS}@cache:6379", &[]);
        assert_found(E, "ftp://anon:****@ftp.example.org", &[]);
    }
}
