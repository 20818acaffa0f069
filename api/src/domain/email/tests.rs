//! Unit tests of `Email`: the sample contact, accepted and refused addresses with their messages,
//! addresses found in text and the functional-mailbox heuristic. Kept apart so that `mod.rs` is the
//! parser and the heuristic alone.

use super::*;

#[test]
fn parses_the_sample_contact() {
    let email = Email::parse("  IUC-ASIA_office@iuc-asia.eu ").unwrap();
    assert_eq!(email.as_str(), "IUC-ASIA_office@iuc-asia.eu");
    assert_eq!(email.local_part(), "IUC-ASIA_office");
    assert_eq!(email.domain(), "iuc-asia.eu");
    assert!(email.is_functional());
    assert_eq!(email.to_string(), "IUC-ASIA_office@iuc-asia.eu");
}

#[test]
fn lower_cases_the_domain_only() {
    let email = Email::parse("Info@IUC-Asia.EU").unwrap();
    assert_eq!(email.as_str(), "Info@iuc-asia.eu");
    assert_eq!(email, "Info@iuc-asia.eu".parse().unwrap());
}

#[test]
fn accepts_usual_addresses() {
    for text in [
        "office@example.org",
        "first.last+tag@sub.example.co.uk",
        "a@b.cn",
        "o'brien@example.ie",
        "bureau@ville-lyon.fr",
        "info@münchen.de",
        "x_1-2%3@a-b.c-d.com",
    ] {
        assert!(Email::parse(text).is_ok(), "{text:?}");
    }
}

#[test]
fn rejects_what_is_no_address() {
    assert_eq!(Email::parse(" "), Err(EmailError::Empty));
    let kind = |e: &EmailError| match e {
        EmailError::Empty => "empty",
        EmailError::TooLong { .. } => "too long",
        EmailError::Whitespace { .. } => "whitespace",
        EmailError::MissingAt { .. } => "missing @",
        EmailError::SeveralAts { .. } => "several @",
        EmailError::EmptyLocalPart { .. } => "empty local part",
        EmailError::LocalPartTooLong { .. } => "local part too long",
        EmailError::InvalidLocalPart { .. } => "invalid local part",
        EmailError::InvalidDomain { .. } => "invalid domain",
    };
    for (text, expected) in [
        ("office.example.org", "missing @"),
        ("a@b@c.org", "several @"),
        ("@example.org", "empty local part"),
        ("first last@example.org", "whitespace"),
        ("office@exa\0mple.org", "whitespace"),
        (".office@example.org", "invalid local part"),
        ("office.@example.org", "invalid local part"),
        ("of..fice@example.org", "invalid local part"),
        ("<office>@example.org", "invalid local part"),
        ("office@localhost", "invalid domain"),
        ("office@-example.org", "invalid domain"),
        ("office@example..org", "invalid domain"),
        ("office@10.0.0.1", "invalid domain"),
    ] {
        let err = Email::parse(text).unwrap_err();
        assert_eq!(kind(&err), expected, "{text:?}: {err:?}");
    }
}

#[test]
fn enforces_length_limits() {
    let long_local = format!("{}@example.org", "a".repeat(65));
    assert!(matches!(
        Email::parse(&long_local),
        Err(EmailError::LocalPartTooLong { .. })
    ));
    let long_label = format!("office@{}.org", "a".repeat(64));
    assert!(matches!(
        Email::parse(&long_label),
        Err(EmailError::InvalidDomain { .. })
    ));
    let long = format!("office@{}.org", vec!["a".repeat(60); 5].join("."));
    assert!(matches!(
        Email::parse(&long),
        Err(EmailError::TooLong { .. })
    ));
    let max = format!("office@{}.org", vec!["a".repeat(60); 4].join("."));
    assert!(max.len() <= MAX_LEN && Email::parse(&max).is_ok());
}

#[test]
fn error_messages_speak_to_people() {
    assert_eq!(
        Email::parse("office.example.org").unwrap_err().to_string(),
        "\"office.example.org\" has no \"@\"; an e-mail address looks like office@example.org"
    );
    assert_eq!(
        Email::parse("office@localhost").unwrap_err().to_string(),
        "\"office@localhost\": \"localhost\" is not a domain name such as example.org"
    );
}

#[test]
fn finds_addresses_in_text() {
    let text = "For further information (including access to the full U-CAP), please contact:\n\n\
                IUC-ASIA_office@iuc-asia.eu\n";
    assert_eq!(
        find_all(text),
        [Email::parse("IUC-ASIA_office@iuc-asia.eu").unwrap()]
    );

    let text = "Write to <a href=\"mailto:Info@Example.org\">info@example.org</a> or to \
                jane.doe@city.gov.cn. Not: @handle, a@b, x@y.";
    let found = find_all(text);
    let found: Vec<&str> = found.iter().map(Email::as_str).collect();
    assert_eq!(found, ["Info@example.org", "jane.doe@city.gov.cn"]);

    assert_eq!(
        find_all("(office@example.org)"),
        [Email::parse("office@example.org").unwrap()]
    );
    assert_eq!(
        find_all("mail: office@example.org; office@example.org"),
        [Email::parse("office@example.org").unwrap()]
    );
    assert!(find_all("no address here").is_empty());
}

#[test]
fn tells_functional_mailboxes_from_personal_ones() {
    for text in [
        "IUC-ASIA_office@iuc-asia.eu",
        "office@example.org",
        "info@example.org",
        "contact@example.org",
        "secretariat@example.org",
        "team@example.org",
        "iuc-team@example.org",
        "asia-office@example.org",
        "urban.cooperation.office@example.org",
        "international.cooperation@example.org",
        "no-reply@example.org",
    ] {
        assert!(Email::parse(text).unwrap().is_functional(), "{text:?}");
    }
    for text in [
        "firstname.lastname@example.org",
        "jane.doe@example.org",
        "j.doe@example.org",
        "jdoe@example.org",
        "steam.engineer@example.org",
        "informatics.lab.wang@example.org",
    ] {
        assert!(!Email::parse(text).unwrap().is_functional(), "{text:?}");
    }
}
