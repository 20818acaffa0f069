//! Unit tests of the JWT codec, most of them attacks that must be refused: `alg` confusion, tampered
//! or foreign signatures, missing or mistyped claims, clock skew, oversized tokens, `typ` and `kid`.
//! Kept apart so that `mod.rs` is the codec alone.

use super::*;
use crate::auth::keys::generate_ed25519_pem;
use crate::settings::{JwtAlgorithm, Settings};
use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;
use jsonwebtoken::EncodingKey;
use serde_json::{Value, json};

const SECRET: &str = "an HS256 secret of at least 32 bytes!";

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

/// EdDSA keys with the public key PEM of their pair.
fn eddsa() -> (Keys, String) {
    let (private, public) = generate_ed25519_pem().unwrap();
    let keys = Keys::from_settings(&Settings {
        jwt_private_key: Some(private),
        ..Settings::default()
    })
    .unwrap();
    (keys, public)
}

fn hs256() -> Keys {
    Keys::from_settings(&Settings {
        jwt_algorithm: JwtAlgorithm::Hs256,
        jwt_secret: Some(SECRET.to_owned()),
        ..Settings::default()
    })
    .unwrap()
}

fn claims() -> Claims {
    let now = now();
    Claims {
        iss: "ucap".to_owned(),
        aud: "ucap-api".to_owned(),
        sub: "42".to_owned(),
        exp: now + 600,
        iat: now,
        nbf: None,
        jti: "0b7e6a52-5d55-4c55-9d0b-3f0f7f1f2a10".to_owned(),
        role: Role::Viewer,
        org: vec![1, 7],
    }
}

fn payload() -> Value {
    serde_json::to_value(claims()).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn good_header(keys: &Keys) -> Value {
    json!({ "alg": keys.algorithm(), "typ": "at+jwt", "kid": keys.kid() })
}

/// Any header and payload, signed with `key` under `alg`.
fn sign_with(key: &EncodingKey, alg: Algorithm, header: &Value, payload: &Value) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

/// A correctly signed token with the right header around `payload`.
fn signed(keys: &Keys, payload: &Value) -> String {
    sign_with(
        keys.encoding_key(),
        keys.algorithm(),
        &good_header(keys),
        payload,
    )
}

fn with(mut payload: Value, field: &str, value: Value) -> Value {
    payload[field] = value;
    payload
}

#[test]
fn eddsa_round_trip() {
    let (keys, _) = eddsa();
    let mut claims = claims();
    claims.nbf = Some(claims.iat);
    let token = encode(&keys, &claims).unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), Some(keys.kid()));
    assert_eq!(decode(&keys, &token).unwrap(), claims);
}

#[test]
fn hs256_round_trip() {
    let keys = hs256();
    let mut claims = claims();
    claims.role = Role::Admin;
    claims.org = Vec::new();
    let token = encode(&keys, &claims).unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().alg,
        Algorithm::HS256
    );
    assert_eq!(decode(&keys, &token).unwrap(), claims);
}

#[test]
fn the_media_type_spelling_of_typ_is_accepted() {
    let (keys, _) = eddsa();
    for typ in ["application/at+jwt", "Application/AT+JWT", "AT+JWT"] {
        let header = json!({ "alg": "EdDSA", "typ": typ, "kid": keys.kid() });
        let token = sign_with(keys.encoding_key(), Algorithm::EdDSA, &header, &payload());
        assert!(decode(&keys, &token).is_ok(), "{typ}");
    }
}

#[test]
fn alg_none_is_refused_in_every_spelling() {
    let (ed, _) = eddsa();
    let hs = hs256();
    for keys in [&ed, &hs] {
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = json!({ "alg": alg, "typ": "at+jwt", "kid": keys.kid() });
            let unsigned = format!("{}.{}", b64(&header), b64(&payload()));
            for token in [format!("{unsigned}."), format!("{unsigned}.c2lnbmF0dXJl")] {
                assert_eq!(decode(keys, &token), Err(TokenError::Algorithm), "{alg}");
            }
        }
    }
}

#[test]
fn other_algorithms_are_refused() {
    let (keys, _) = eddsa();
    for alg in [
        "RS256", "ES256", "HS512", "PS256", "eddsa", "EDDSA", "", "Ed25519",
    ] {
        let header = json!({ "alg": alg, "typ": "at+jwt", "kid": keys.kid() });
        let token = format!("{}.{}.AAAA", b64(&header), b64(&payload()));
        assert_eq!(decode(&keys, &token), Err(TokenError::Algorithm), "{alg}");
    }
    // An HS256 token under HS256 keys is refused when EdDSA is configured, and vice versa.
    let hs = hs256();
    let token = encode(&hs, &claims()).unwrap();
    assert_eq!(decode(&keys, &token), Err(TokenError::Algorithm));
    let token = encode(&keys, &claims()).unwrap();
    assert_eq!(decode(&hs, &token), Err(TokenError::Algorithm));
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let (keys, public_pem) = eddsa();
    let raw = VerifyingKey::from_public_key_pem(&public_pem)
        .unwrap()
        .to_bytes();
    let x = URL_SAFE_NO_PAD
        .decode(keys.jwks()["keys"][0]["x"].as_str().unwrap())
        .unwrap();
    assert_eq!(x, raw);
    let header = json!({ "alg": "HS256", "typ": "at+jwt", "kid": keys.kid() });
    for secret in [&raw[..], public_pem.as_bytes(), keys.kid().as_bytes()] {
        let key = EncodingKey::from_secret(secret).unwrap();
        let token = sign_with(&key, Algorithm::HS256, &header, &payload());
        assert_eq!(decode(&keys, &token), Err(TokenError::Algorithm));
    }
}

#[test]
fn a_tampered_payload_is_refused() {
    for keys in [eddsa().0, hs256()] {
        let token = encode(&keys, &claims()).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let forged = b64(&with(payload(), "role", json!("ADMIN")));
        let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert_eq!(decode(&keys, &tampered), Err(TokenError::Signature));
    }
}

#[test]
fn a_foreign_key_is_refused() {
    let (keys, _) = eddsa();
    let (foreign, _) = eddsa();
    // Signed and labelled by the other key.
    let token = encode(&foreign, &claims()).unwrap();
    assert_eq!(decode(&keys, &token), Err(TokenError::KeyId));
    // Signed by the other key but claiming ours.
    let token = sign_with(
        foreign.encoding_key(),
        Algorithm::EdDSA,
        &good_header(&keys),
        &payload(),
    );
    assert_eq!(decode(&keys, &token), Err(TokenError::Signature));
    // HS256 with another secret, same kid.
    let hs = hs256();
    let other = EncodingKey::from_secret(b"another HS256 secret of 32 bytes!!").unwrap();
    let token = sign_with(&other, Algorithm::HS256, &good_header(&hs), &payload());
    assert_eq!(decode(&hs, &token), Err(TokenError::Signature));
}

#[test]
fn expiry_is_enforced_with_leeway() {
    let (keys, _) = eddsa();
    let now = now();
    let old = with(payload(), "iat", json!(now - 3600));
    let expired = signed(&keys, &with(old.clone(), "exp", json!(now - 60)));
    assert_eq!(decode(&keys, &expired), Err(TokenError::Expired));
    let just_expired = signed(&keys, &with(old, "exp", json!(now - 10)));
    assert!(decode(&keys, &just_expired).is_ok());
}

#[test]
fn nbf_and_iat_in_the_future_are_refused_beyond_leeway() {
    let (keys, _) = eddsa();
    let now = now();
    let early = signed(&keys, &with(payload(), "nbf", json!(now + 120)));
    assert_eq!(decode(&keys, &early), Err(TokenError::NotYetValid));
    let nearly = signed(&keys, &with(payload(), "nbf", json!(now + 10)));
    assert!(decode(&keys, &nearly).is_ok());
    let future = signed(&keys, &with(payload(), "iat", json!(now + 120)));
    assert_eq!(decode(&keys, &future), Err(TokenError::IssuedInFuture));
    let skewed = signed(&keys, &with(payload(), "iat", json!(now + 10)));
    assert!(decode(&keys, &skewed).is_ok());
}

#[test]
fn each_required_claim_must_be_present() {
    let (keys, _) = eddsa();
    for claim in ["iss", "aud", "sub", "exp", "iat", "jti", "role", "org"] {
        let mut payload = payload();
        payload.as_object_mut().unwrap().remove(claim);
        let token = signed(&keys, &payload);
        assert_eq!(decode(&keys, &token), Err(TokenError::Claims), "{claim}");
    }
}

#[test]
fn claims_of_the_wrong_type_are_refused() {
    let (keys, _) = eddsa();
    let far = json!((now() + 600).to_string());
    let cases = [
        ("exp", far.clone()),
        ("exp", json!(9_999_999_999.5)),
        ("exp", json!(-1)),
        ("iat", json!(now().to_string())),
        ("nbf", far),
        ("org", json!("1")),
        ("org", json!(["1"])),
        ("role", json!(5)),
        ("sub", json!(42)),
        ("jti", json!(null)),
        ("aud", json!(["ucap-api"])),
        ("iss", json!(["ucap"])),
    ];
    for (claim, value) in cases {
        let token = signed(&keys, &with(payload(), claim, value.clone()));
        assert_eq!(
            decode(&keys, &token),
            Err(TokenError::Claims),
            "{claim}: {value}"
        );
    }
}

#[test]
fn empty_sub_or_jti_is_refused() {
    let (keys, _) = eddsa();
    for claim in ["sub", "jti"] {
        let token = signed(&keys, &with(payload(), claim, json!("")));
        assert_eq!(decode(&keys, &token), Err(TokenError::Claims), "{claim}");
    }
}

#[test]
fn unknown_roles_are_refused() {
    let (keys, _) = eddsa();
    for role in ["ROOT", "admin", "Admin", ""] {
        let token = signed(&keys, &with(payload(), "role", json!(role)));
        assert_eq!(decode(&keys, &token), Err(TokenError::Claims), "{role}");
    }
}

#[test]
fn wrong_issuer_or_audience_is_refused() {
    let (keys, _) = eddsa();
    let token = signed(&keys, &with(payload(), "iss", json!("someone-else")));
    assert_eq!(decode(&keys, &token), Err(TokenError::Issuer));
    let token = signed(&keys, &with(payload(), "aud", json!("another-api")));
    assert_eq!(decode(&keys, &token), Err(TokenError::Audience));
}

#[test]
fn garbage_is_refused() {
    let (keys, _) = eddsa();
    let long = "a".repeat(5000);
    let header = b64(&good_header(&keys));
    for token in [
        "",
        "abc",
        "a.b.c",
        "a.b",
        "a.b.c.d",
        "..",
        "Bearer x",
        &long,
        &format!("{header}.{header}.{header}"),
        &format!("{header}.!!!.AAAA"),
        &format!("{}.e30.AAAA", b64(&json!(["EdDSA"]))),
        &format!("{}.e30.AAAA", URL_SAFE_NO_PAD.encode("not json")),
    ] {
        assert!(decode(&keys, token).is_err(), "{token}");
    }
    assert_eq!(decode(&keys, &long), Err(TokenError::TooLarge));
}

#[test]
fn duplicate_header_members_are_refused() {
    let (keys, _) = eddsa();
    let header = format!(
        r#"{{"alg":"EdDSA","alg":"none","typ":"at+jwt","kid":"{}"}}"#,
        keys.kid()
    );
    let message = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), b64(&payload()));
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), keys.encoding_key(), Algorithm::EdDSA)
            .unwrap();
    assert_eq!(
        decode(&keys, &format!("{message}.{signature}")),
        Err(TokenError::Malformed)
    );
}

#[test]
fn oversized_tokens_are_refused_unparsed_and_never_issued() {
    let (keys, _) = eddsa();
    let mut big = claims();
    big.org = (0..1000).collect();
    let token = signed(&keys, &serde_json::to_value(&big).unwrap());
    assert!(token.len() > MAX_TOKEN_BYTES);
    assert_eq!(decode(&keys, &token), Err(TokenError::TooLarge));
    assert_eq!(encode(&keys, &big), Err(TokenError::TooLarge));
}

#[test]
fn wrong_typ_is_refused() {
    let (keys, _) = eddsa();
    for typ in [json!("JWT"), json!("jwt"), json!("at+jwt "), json!(null)] {
        let header = json!({ "alg": "EdDSA", "typ": typ, "kid": keys.kid() });
        let token = sign_with(keys.encoding_key(), Algorithm::EdDSA, &header, &payload());
        assert_eq!(decode(&keys, &token), Err(TokenError::Type), "{typ}");
    }
    let header = json!({ "alg": "EdDSA", "kid": keys.kid() });
    let token = sign_with(keys.encoding_key(), Algorithm::EdDSA, &header, &payload());
    assert_eq!(decode(&keys, &token), Err(TokenError::Type));
}

#[test]
fn missing_or_wrong_kid_is_refused() {
    for keys in [eddsa().0, hs256()] {
        let alg = keys.algorithm();
        let missing = json!({ "alg": alg, "typ": "at+jwt" });
        let token = sign_with(keys.encoding_key(), alg, &missing, &payload());
        assert_eq!(decode(&keys, &token), Err(TokenError::KeyId));
        for kid in [json!("other"), json!(""), json!(null)] {
            let header = json!({ "alg": alg, "typ": "at+jwt", "kid": kid });
            let token = sign_with(keys.encoding_key(), alg, &header, &payload());
            assert_eq!(decode(&keys, &token), Err(TokenError::KeyId), "{kid}");
        }
    }
}
