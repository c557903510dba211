//! The kinds of personal data and secrets datagate recognises.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of personal data or secret. Names follow Presidio's entity names where
/// Presidio has the same kind (`EMAIL_ADDRESS`, `CREDIT_CARD`, …), so reports and
/// policies read the same to users coming from Presidio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Entity {
    /// An e-mail address.
    EmailAddress,
    /// A telephone number (validated against libphonenumber metadata).
    PhoneNumber,
    /// A payment card number (IIN range + Luhn).
    CreditCard,
    /// An international bank account number (country length + mod-97).
    IbanCode,
    /// A US social security number (area/group/serial rules).
    UsSsn,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A MAC (hardware) address.
    MacAddress,
    /// A URL that carries a user name and password.
    UrlCredentials,
    /// An AWS access key id (`AKIA…`).
    AwsAccessKey,
    /// An AWS secret access key (40 characters next to an AWS key name).
    AwsSecretKey,
    /// A GitHub token (`ghp_…`, `github_pat_…`).
    GithubToken,
    /// A GitLab token (`glpat-…`).
    GitlabToken,
    /// A Slack token or webhook URL.
    SlackToken,
    /// A Stripe secret or restricted key.
    StripeKey,
    /// An OpenAI-style API key (`sk-…T3BlbkFJ…`).
    OpenaiKey,
    /// A PEM private key block.
    PrivateKey,
    /// A JSON Web Token.
    Jwt,
    /// A high-entropy value in a secret-looking context (`password=…`, `api_key: …`).
    GenericSecret,
    /// A date next to words saying it is a date of birth.
    DateOfBirth,
}

impl Entity {
    /// Every entity, in report order.
    pub const ALL: [Entity; 19] = [
        Entity::EmailAddress,
        Entity::PhoneNumber,
        Entity::CreditCard,
        Entity::IbanCode,
        Entity::UsSsn,
        Entity::IpAddress,
        Entity::MacAddress,
        Entity::UrlCredentials,
        Entity::AwsAccessKey,
        Entity::AwsSecretKey,
        Entity::GithubToken,
        Entity::GitlabToken,
        Entity::SlackToken,
        Entity::StripeKey,
        Entity::OpenaiKey,
        Entity::PrivateKey,
        Entity::Jwt,
        Entity::GenericSecret,
        Entity::DateOfBirth,
    ];

    /// The stable upper-case name used in reports and policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::EmailAddress => "EMAIL_ADDRESS",
            Entity::PhoneNumber => "PHONE_NUMBER",
            Entity::CreditCard => "CREDIT_CARD",
            Entity::IbanCode => "IBAN_CODE",
            Entity::UsSsn => "US_SSN",
            Entity::IpAddress => "IP_ADDRESS",
            Entity::MacAddress => "MAC_ADDRESS",
            Entity::UrlCredentials => "URL_CREDENTIALS",
            Entity::AwsAccessKey => "AWS_ACCESS_KEY",
            Entity::AwsSecretKey => "AWS_SECRET_KEY",
            Entity::GithubToken => "GITHUB_TOKEN",
            Entity::GitlabToken => "GITLAB_TOKEN",
            Entity::SlackToken => "SLACK_TOKEN",
            Entity::StripeKey => "STRIPE_KEY",
            Entity::OpenaiKey => "OPENAI_KEY",
            Entity::PrivateKey => "PRIVATE_KEY",
            Entity::Jwt => "JWT",
            Entity::GenericSecret => "GENERIC_SECRET",
            Entity::DateOfBirth => "DATE_OF_BIRTH",
        }
    }

    /// True for credentials and keys (as opposed to data about a person).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            Entity::UrlCredentials
                | Entity::AwsAccessKey
                | Entity::AwsSecretKey
                | Entity::GithubToken
                | Entity::GitlabToken
                | Entity::SlackToken
                | Entity::StripeKey
                | Entity::OpenaiKey
                | Entity::PrivateKey
                | Entity::Jwt
                | Entity::GenericSecret
        )
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an entity name that datagate does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown PII type `{0}` (known: {known})", known = known_names())]
pub struct UnknownEntity(pub String);

fn known_names() -> String {
    Entity::ALL
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Entity {
    type Err = UnknownEntity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase().replace('-', "_");
        // A few Presidio aliases so Presidio users' policies load.
        let wanted = match wanted.as_str() {
            "EMAIL" => "EMAIL_ADDRESS",
            "PHONE" => "PHONE_NUMBER",
            "IBAN" => "IBAN_CODE",
            "SSN" => "US_SSN",
            "IP" => "IP_ADDRESS",
            "MAC" => "MAC_ADDRESS",
            "DOB" => "DATE_OF_BIRTH",
            other => other,
        };
        Entity::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == wanted)
            .ok_or_else(|| UnknownEntity(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Entity::ALL {
            assert_eq!(e.as_str().parse::<Entity>(), Ok(e));
        }
        assert_eq!("email".parse::<Entity>(), Ok(Entity::EmailAddress));
        assert!("PASSPORT_NUMBER".parse::<Entity>().is_err());
    }
}
