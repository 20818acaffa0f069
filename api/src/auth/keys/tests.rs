//! Unit tests of the signing keys: kid thumbprints, the published JWKS, the HS256 secret rule and
//! how a key file is found, created or refused per environment. Kept apart so that `mod.rs` is the
//! loading code alone.

use super::*;
use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;

fn eddsa_settings(pem: &str) -> Settings {
    Settings {
        jwt_private_key: Some(pem.to_owned()),
        ..Settings::default()
    }
}

#[test]
fn kid_is_the_rfc8037_thumbprint() {
    // RFC 8037 appendix A.1–A.3: this key's x and its RFC 7638 thumbprint.
    let d: [u8; 32] = URL_SAFE_NO_PAD
        .decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
        .unwrap()
        .try_into()
        .unwrap();
    let pem = SigningKey::from_bytes(&d)
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    let keys = Keys::from_settings(&eddsa_settings(&pem)).unwrap();
    assert_eq!(keys.algorithm(), Algorithm::EdDSA);
    assert_eq!(keys.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    assert_eq!(
        keys.jwks()["keys"][0]["x"],
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    );
}

#[test]
fn jwks_publishes_the_public_key_under_its_kid() {
    let (private, public) = generate_ed25519_pem().unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    let keys = Keys::from_settings(&eddsa_settings(&private)).unwrap();
    let jwks = keys.jwks();
    let all = jwks["keys"].as_array().unwrap();
    assert_eq!(all.len(), 1);
    let jwk = all[0].as_object().unwrap();
    let mut fields: Vec<_> = jwk.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["alg", "crv", "kid", "kty", "use", "x"]);
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["alg"], "EdDSA");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["kid"], keys.kid());
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    let expected = VerifyingKey::from_public_key_pem(&public).unwrap();
    assert_eq!(x, expected.to_bytes());
    // RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        jwk["x"].as_str().unwrap()
    );
    let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    assert_eq!(keys.kid(), thumbprint);
}

#[test]
fn hs256_needs_a_secret_of_32_bytes_and_publishes_nothing() {
    let mut settings = Settings {
        jwt_algorithm: JwtAlgorithm::Hs256,
        ..Settings::default()
    };
    let err = Keys::from_settings(&settings).unwrap_err();
    assert!(err.to_string().contains("jwt_secret"), "{err}");

    settings.jwt_secret = Some("x".repeat(31));
    let err = Keys::from_settings(&settings).unwrap_err();
    assert!(matches!(err, KeyError::ShortSecret(31)));
    assert!(err.to_string().contains("jwt_secret"), "{err}");

    let secret = "correct horse battery staple 0123456789";
    settings.jwt_secret = Some(secret.to_owned());
    let keys = Keys::from_settings(&settings).unwrap();
    assert_eq!(keys.algorithm(), Algorithm::HS256);
    assert_eq!(keys.jwks(), &json!({ "keys": [] }));
    assert!(!keys.kid().is_empty() && keys.kid().len() <= 16);
    assert!(!keys.kid().contains("horse"));
    assert!(!format!("{keys:?}").contains("horse"));
    // Stable across loads, different for another secret.
    assert_eq!(Keys::from_settings(&settings).unwrap().kid(), keys.kid());
    settings.jwt_secret = Some(format!("{secret}!"));
    assert_ne!(Keys::from_settings(&settings).unwrap().kid(), keys.kid());
}

#[test]
fn production_refuses_a_missing_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.pem");
    let settings = Settings {
        env: Environment::Production,
        jwt_private_key_file: path.clone(),
        ..Settings::default()
    };
    let err = Keys::from_settings(&settings).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("jwt_private_key_file"), "{message}");
    assert!(message.contains("ucap keys generate"), "{message}");
    assert!(!path.exists());
}

#[test]
fn development_creates_a_missing_key_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys").join("dev.pem");
    let settings = Settings {
        env: Environment::Development,
        jwt_private_key_file: path.clone(),
        ..Settings::default()
    };
    let first = Keys::from_settings(&settings).unwrap();
    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The next start reads the same key back.
    let second = Keys::from_settings(&settings).unwrap();
    assert_eq!(first.kid(), second.kid());
    // And production accepts the file now that it exists.
    let production = Settings {
        env: Environment::Production,
        ..settings
    };
    assert_eq!(Keys::from_settings(&production).unwrap().kid(), first.kid());
}

#[test]
fn pem_text_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.pem");
    let (file_pem, _) = generate_ed25519_pem().unwrap();
    std::fs::write(&path, &file_pem).unwrap();
    let (text_pem, _) = generate_ed25519_pem().unwrap();
    let from_file = Keys::from_settings(&Settings {
        jwt_private_key_file: path.clone(),
        ..Settings::default()
    })
    .unwrap();
    let from_text = Keys::from_settings(&Settings {
        jwt_private_key: Some(text_pem.clone()),
        jwt_private_key_file: path,
        ..Settings::default()
    })
    .unwrap();
    let text_only = Keys::from_settings(&eddsa_settings(&text_pem)).unwrap();
    assert_ne!(from_text.kid(), from_file.kid());
    assert_eq!(from_text.kid(), text_only.kid());
}

#[test]
fn bad_pem_names_its_origin() {
    let err = Keys::from_settings(&eddsa_settings("not a key")).unwrap_err();
    assert!(err.to_string().starts_with("jwt_private_key "), "{err}");

    let (_, public) = generate_ed25519_pem().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("public.pem");
    std::fs::write(&path, public).unwrap();
    let err = Keys::from_settings(&Settings {
        env: Environment::Production,
        jwt_private_key_file: path,
        ..Settings::default()
    })
    .unwrap_err();
    assert!(
        err.to_string().starts_with("jwt_private_key_file "),
        "{err}"
    );
}
