//! Tokens of a partner's own identity provider (a trusted OIDC issuer): a loopback provider in the
//! test publishes its discovery document and keys (RSA, P-256, Ed25519, made or fixed here); its
//! tokens get the scope of a ucap token of the organizations their claims name, and every way
//! such a token can be wrong is refused — without touching ucap's own tokens or other issuers.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::auth::keys::generate_ed25519_pem;
use ucap::settings::Settings;
use ucap_tests::{TestApp, error_code, partner_organizations, spawn_app_with};

use crate::live::Ws;
use crate::writes::key;

/// A 2048-bit RSA key (PKCS#1) made for these tests only (`openssl genpkey -algorithm RSA`): RSA
/// keys take too long to make in a debug build.
const RSA_PRIVATE: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA4413m83qB/5KffJx4oPn1hlXkRGPGLIrVxkxN+SBH+jxyzCh
miIhCZGcmvyOuUl0c9osdUcOBUoePmWNGy705D5zB8WBvLpJWU0eygNoE1S2GoKD
MrruSGWCCViUj/UNmN0c0oBJZhXJDJ4fUxwFeAUeb5inS0SF0nZiAS0sR0Zfdg8C
0oZ23yuJvz8asASSYdTrDdl/ygRuwK5aQLukFJqgRQrq0M9hcY/pw79nz+TlvZpi
UmMLczcSBiQOv1PRF28osRhiSo8GKIU3sKl9YC+Ic/cm/vWbVhN8CO1MPHvhd+Dc
1yajD9h+BNfxfrfollkN8AwiIJaNL6ItPSwO6wIDAQABAoIBAFPISJvDK0IaLM9G
rwvZyUiZOBafwnIzV6XQDsEnjytyl2Ra2YVov4VIacLe7qXmF8x4LhpYOR9VdOFA
fr3dgilvnObln6kfZdZNgOKccnt7mzkTiL7q+MULKt/KD5kZfxIjh3Mx7NR7fPT6
W0o8bP8N03D/Yclix2sAT4FjYoQzATI/sPpfzlXZJCEbQoOr7gsWhK8ncwqOFt/o
P0o2E+BwBnV5EMKVzFTcJh8xINWMBipF+uq5EpLnNgQREFtgmHZUNLGQhrdFnTC/
QwkUkE9vKLzmQ3cL1w+HVygsblXm3lYcQ2mfL/FBAdQb4Co2v7ohA+CTIMcT7uSy
3BHEqzECgYEA+A26pmZ+zLAkuBo6gLHI0ZDYbRW9ZJNJ1jWZYQXXk3I9eTGJZHCX
WtBzULyO+FOfXg913Gr0mNfLpNihFlheQcirGUl81KCxqW21BoXoWXUeYmPtbLcu
rftqkdwc9yYtNC1N4meYSBhrvRZGf1fLVbI0g2Mt89Y5DZIv3Izhet8CgYEA6tec
UiFgEwcJFuuIf8dLVJzpDvU+b4Oyfxo7BtOAFTuwZ3VJD23gqPbfE0DIrV9SErik
7Jf3+LqXfMJ+6cG+HilO7HtOfDPzVu7rvGCW/F390R/w8NGpXmmX4+u4WaVDnp53
H6IBzyzM3IvibwLCHcx58fkdDszZ0UG41kXk+XUCgYBvvx+a3wm4hJHGLmq0l2L0
peAaJHUR3hihW7whLVSUpB51fo96pA5LZyTL9mYiEOn2odhi1/wg7vZa6QyI2H59
/Dy4Q5bs4wemYDnxGlo2EsEBaisHku6AiobT9ulFnfk3TEGOAUVlFTtUD7jqnU6I
6KMnnYKSGqvRJU5SeVUK2QKBgQDWvy0yKVTqcV+NdvpOJlcrW4T+6aIbZSmfcsQR
POx9/iQUpzqVAlwTBhT9TRt09ppdhj1CIMFf0HjgXBaj+Ue52vpR43vktbjKgRZO
H2FSCz0js3qnLIIdVJ/Riub8CtTnwm6aHZJb+dKnxr7b1oDdsPK+I5e/xfFUmi3E
uwtkVQKBgQCn3WRVdcCH4AxDpyb+DO2f7tFGuxclWIVuCOarl6G+YehXcgnBkPVQ
nIUCRb2rjy3Sjee9+i3n2Pk1gONfodklv4N04JSLXDoZKLLqSARtr7A50mSLIJ3V
6S6ZBjvuwA0oz1v99mwbJNDpzPMjoYTehaN3AXG/ziYHXRQgMKl5sw==
-----END RSA PRIVATE KEY-----
";

/// The public half of [`RSA_PRIVATE`], which an attacker has: the HS256 forgery signs with it.
const RSA_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4413m83qB/5KffJx4oPn
1hlXkRGPGLIrVxkxN+SBH+jxyzChmiIhCZGcmvyOuUl0c9osdUcOBUoePmWNGy70
5D5zB8WBvLpJWU0eygNoE1S2GoKDMrruSGWCCViUj/UNmN0c0oBJZhXJDJ4fUxwF
eAUeb5inS0SF0nZiAS0sR0Zfdg8C0oZ23yuJvz8asASSYdTrDdl/ygRuwK5aQLuk
FJqgRQrq0M9hcY/pw79nz+TlvZpiUmMLczcSBiQOv1PRF28osRhiSo8GKIU3sKl9
YC+Ic/cm/vWbVhN8CO1MPHvhd+Dc1yajD9h+BNfxfrfollkN8AwiIJaNL6ItPSwO
6wIDAQAB
-----END PUBLIC KEY-----
";

/// A P-256 key (PKCS#8) made for these tests only (`openssl genpkey -algorithm EC`).
const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBOhBnR/HZCJKoPVb
CaY95BwfDMpQLPD72Xn7yAIpdbihRANCAARP+2rHymdfZlu2yL9fGtdg0zMfGtKy
dpGnXASkotJosAc/5oORusc4SS8vt6lrkR4U4lH1DzZY+gwoG/em6tpq
-----END PRIVATE KEY-----
";

const AUDIENCE: &str = "ucap-partners";
/// The Guangzhou plan of the bundled sample, made a draft: only its organizations see it.
const PLAN: &str = "UGxhbjox";
const ME: &str =
    "{ me { tokenId issuer subject role organizations { name } } plans { totalCount } }";

/// A signing key of the provider, with the public JWK it publishes.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    /// The public JWK, when the library cannot derive it (an Ed25519 PKCS#8 v2 key).
    public: Option<Value>,
}

impl SigningKey {
    fn rsa(kid: &str) -> Self {
        Self::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_der(&der(RSA_PRIVATE)),
        )
    }

    fn ec(kid: &str) -> Self {
        Self::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_der(&der(EC_PRIVATE)),
        )
    }

    /// A new Ed25519 key.
    fn ed(kid: &str) -> Self {
        let (pem, public) = generate_ed25519_pem().unwrap_or_else(|e| panic!("{e}"));
        let spki = der(&public);
        // The SPKI of an Ed25519 key ends with the 32 bytes of the key itself.
        let x = base64_url_bytes(&spki[spki.len() - 32..]);
        let mut key = Self::new(kid, Algorithm::EdDSA, EncodingKey::from_ed_der(&der(&pem)));
        key.public = Some(json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "x": x }));
        key
    }

    fn new(kid: &str, alg: Algorithm, encoding: EncodingKey) -> Self {
        Self {
            kid: kid.to_owned(),
            alg,
            encoding,
            public: None,
        }
    }

    fn jwk(&self) -> Value {
        if let Some(public) = &self.public {
            let mut jwk = public.clone();
            jwk["kid"] = json!(self.kid);
            jwk["use"] = json!("sig");
            return jwk;
        }
        let jwk =
            Jwk::from_encoding_key(&self.encoding, self.alg).unwrap_or_else(|e| panic!("{e}"));
        let mut jwk = serde_json::to_value(jwk).unwrap_or_else(|e| panic!("{e}"));
        jwk["kid"] = json!(self.kid);
        jwk["use"] = json!("sig");
        jwk
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_naming(claims, Some(self.kid.clone()))
    }

    /// Signs with `kid` in the header, or none.
    fn sign_naming(&self, claims: &Value, kid: Option<String>) -> String {
        let mut header = Header::new(self.alg);
        header.kid = kid;
        header.typ = Some("JWT".to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_else(|e| panic!("{e}"))
    }
}

#[derive(Default)]
struct Published {
    keys: Vec<Value>,
    jwks_requests: usize,
}

/// A loopback OpenID provider: discovery document and JWKS, on port 0.
struct Provider {
    issuer: String,
    published: Arc<Mutex<Published>>,
}

impl Provider {
    async fn start(keys: &[&SigningKey]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let issuer = format!("http://127.0.0.1:{port}/realms/partners");
        let published = Arc::new(Mutex::new(Published {
            keys: keys.iter().map(|k| k.jwk()).collect(),
            jwks_requests: 0,
        }));
        let (state, iss) = (published.clone(), issuer.clone());
        let server = HttpServer::new(move || {
            let (state, iss) = (state.clone(), iss.clone());
            App::new()
                .route(
                    "/realms/partners/.well-known/openid-configuration",
                    web::get().to({
                        let iss = iss.clone();
                        move || {
                            let body = json!({ "issuer": iss, "jwks_uri": format!("{iss}/certs") });
                            async move { HttpResponse::Ok().json(body) }
                        }
                    }),
                )
                .route(
                    "/realms/partners/certs",
                    web::get().to(move || {
                        let body = {
                            let mut p = state.lock().unwrap_or_else(|e| panic!("{e}"));
                            p.jwks_requests += 1;
                            json!({ "keys": p.keys })
                        };
                        async move { HttpResponse::Ok().json(body) }
                    }),
                )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap_or_else(|e| panic!("{e}"))
        .run();
        tokio::spawn(server);
        Self { issuer, published }
    }

    fn publish(&self, keys: &[&SigningKey]) {
        self.published.lock().unwrap_or_else(|e| panic!("{e}")).keys =
            keys.iter().map(|k| k.jwk()).collect();
    }

    fn jwks_requests(&self) -> usize {
        self.published
            .lock()
            .unwrap_or_else(|e| panic!("{e}"))
            .jwks_requests
    }

    /// Claims of a token of this provider valid for ten minutes.
    fn claims(&self, subject: &str, extra: Value) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": self.issuer, "aud": AUDIENCE, "sub": subject,
            "iat": now, "nbf": now, "exp": now + 600,
        });
        if let (Some(c), Some(e)) = (claims.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        claims
    }
}

/// The provider's entry of the trusted issuers file, as an operator writes it (Keycloak style:
/// a role claim, an organizations claim, and a group that grants two organizations).
fn issuer_entry(provider: &Provider, algorithms: &[&str]) -> Value {
    json!({
        "issuer": provider.issuer,
        "audience": AUDIENCE,
        "algorithms": algorithms,
        "role_claim": "ucap_role",
        "organizations_claim": "ucap_organizations",
        "map": [{
            "claim": "groups", "value": "/ucap/both-partners",
            "organizations": ["Partner University A", "Partner Agency B"], "role": "viewer"
        }]
    })
}

/// Writes `issuers` to a trusted issuers file and reads it the way the server does at start.
fn trust(settings: &mut Settings, issuers: Vec<Value>) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("issuers.json");
    std::fs::write(&path, json!({ "issuer": issuers }).to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    settings.trusted_issuers =
        ucap::settings::issuers::load(&path).unwrap_or_else(|e| panic!("{e}"));
    settings.trusted_issuers_file = Some(path);
}

/// A server trusting `issuers`, with two organizations ("Partner University A" takes part in the
/// Guangzhou plan, made a draft; "Partner Agency B" does not) and an admin token of ucap.
async fn app_trusting(issuers: Vec<Value>, refresh: Duration) -> (TestApp, String) {
    let app = spawn_app_with(|s| {
        trust(s, issuers);
        s.trusted_issuers_refresh_interval = refresh;
    })
    .await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    partner_organizations(&app, &admin, &["Partner University A", "Partner Agency B"]).await;
    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.execute_unprepared("UPDATE plan SET status = 'DRAFT'")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (app, admin)
}

/// The usual set-up: a provider with one RSA key (`rsa-1`) that the server trusts for RS256, the
/// server, and an admin token of ucap.
async fn trusting_one_rsa_key() -> (SigningKey, Provider, TestApp, String) {
    let rsa = SigningKey::rsa("rsa-1");
    let provider = Provider::start(&[&rsa]).await;
    let (app, admin) = app_trusting(
        vec![issuer_entry(&provider, &["RS256"])],
        Duration::from_secs(60),
    )
    .await;
    (rsa, provider, app, admin)
}

/// Asserts a 401 UNAUTHENTICATED without data.
async fn refused(app: &TestApp, token: &str, why: &str) {
    let (status, _, body) = app
        .graphql_with_header(&format!("Bearer {token}"), ME, json!({}))
        .await;
    assert_eq!(status, 401, "{why}: {body}");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{why}: {body}");
    assert!(body["data"].is_null(), "{why}: {body}");
}

/// Asserts the answer of a token that is served.
async fn served(app: &TestApp, token: &str, why: &str) -> Value {
    let (status, _, body) = app
        .graphql_with_header(&format!("Bearer {token}"), ME, json!({}))
        .await;
    assert_eq!(status, 200, "{why}: {body}");
    assert!(body["errors"].is_null(), "{why}: {body}");
    body["data"].clone()
}

#[tokio::test]
async fn a_trusted_issuers_token_gets_the_scope_of_a_ucap_token_of_its_organizations() {
    let (rsa, ec, ed) = (
        SigningKey::rsa("rsa-1"),
        SigningKey::ec("ec-1"),
        SigningKey::ed("ed-1"),
    );
    let provider = Provider::start(&[&rsa, &ec, &ed]).await;
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["RS256", "ES256", "EdDSA"])],
        Duration::from_secs(60),
    )
    .await;
    let anonymous = app.graphql("{ plans { totalCount } }", json!({})).await;
    let public_plans = anonymous["data"]["plans"]["totalCount"].as_i64();

    for key in [&rsa, &ec, &ed] {
        let member = key.sign(&provider.claims(
            "alice",
            json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
        ));
        let data = served(&app, &member, &key.kid).await;
        assert_eq!(data["me"]["role"], "VIEWER", "{data}");
        assert_eq!(data["me"]["issuer"], json!(provider.issuer), "{data}");
        assert_eq!(data["me"]["subject"], "alice", "{data}");
        assert!(data["me"]["tokenId"].is_null(), "{data}");
        assert_eq!(
            data["me"]["organizations"],
            json!([{ "name": "Partner University A" }])
        );
        // The draft plan of its organization is visible, as to a ucap token of it.
        assert_eq!(
            data["plans"]["totalCount"].as_i64(),
            public_plans.map(|n| n + 1),
            "{}: {data}",
            key.kid
        );
    }
    // An organization outside the plan sees what the public sees.
    let outsider = rsa.sign(&provider.claims(
        "bob",
        json!({ "ucap_role": "editor", "ucap_organizations": ["partner agency b"] }),
    ));
    let data = served(&app, &outsider, "outsider").await;
    assert_eq!(data["me"]["role"], "EDITOR");
    assert_eq!(data["plans"]["totalCount"].as_i64(), public_plans);
    // The keys were fetched once, through discovery.
    assert_eq!(provider.jwks_requests(), 1);
}

#[tokio::test]
async fn a_group_mapped_to_two_organizations_acts_for_both() {
    let (rsa, provider, app, _) = trusting_one_rsa_key().await;
    let token = rsa.sign(&provider.claims(
        "carol",
        json!({ "groups": ["/other", "/ucap/both-partners"] }),
    ));
    let data = served(&app, &token, "group").await;
    assert_eq!(data["me"]["role"], "VIEWER", "{data}");
    let mut names: Vec<&str> = data["me"]["organizations"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["name"].as_str()).collect())
        .unwrap_or_default();
    names.sort_unstable();
    assert_eq!(names, ["Partner Agency B", "Partner University A"]);
    // A role claim asking for more than the group grants gets the least of the two.
    let both = rsa.sign(&provider.claims(
        "carol",
        json!({ "groups": ["/ucap/both-partners"], "ucap_role": "ADMIN" }),
    ));
    assert_eq!(served(&app, &both, "least").await["me"]["role"], "VIEWER");
}

#[tokio::test]
async fn expired_early_foreign_audience_and_forged_tokens_are_refused_with_401() {
    let (rsa, provider, app, _) = trusting_one_rsa_key().await;
    let grant = json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] });
    let now = chrono::Utc::now().timestamp();
    let with = |changes: Value| {
        let mut claims = provider.claims("dave", grant.clone());
        if let (Some(c), Some(e)) = (claims.as_object_mut(), changes.as_object()) {
            c.extend(e.clone());
        }
        claims
    };
    served(&app, &rsa.sign(&with(json!({}))), "valid").await;
    // Within the leeway of 30 s an expired token still counts; beyond it, not.
    served(&app, &rsa.sign(&with(json!({ "exp": now - 5 }))), "leeway").await;
    refused(
        &app,
        &rsa.sign(&with(
            json!({ "exp": now - 120, "iat": now - 900, "nbf": now - 900 }),
        )),
        "expired",
    )
    .await;
    refused(
        &app,
        &rsa.sign(&with(json!({ "nbf": now + 600 }))),
        "not yet valid",
    )
    .await;
    refused(
        &app,
        &rsa.sign(&with(json!({ "aud": "another-api" }))),
        "audience",
    )
    .await;
    refused(
        &app,
        &rsa.sign(&with(json!({ "aud": ["another-api", "x"] }))),
        "audiences",
    )
    .await;
    refused(
        &app,
        &rsa.sign(&with(json!({ "sub": "" }))),
        "empty subject",
    )
    .await;
    let mut no_exp = with(json!({}));
    no_exp.as_object_mut().map(|c| c.remove("exp"));
    refused(&app, &rsa.sign(&no_exp), "no exp").await;
    // An issuer spelled differently is not the trusted one (nor ucap).
    let other_iss = with(json!({ "iss": format!("{}/", provider.issuer) }));
    refused(&app, &rsa.sign(&other_iss), "issuer").await;
    // Signed by a key the provider does not publish, under a kid it does.
    let (pem, _) = generate_ed25519_pem().unwrap_or_else(|e| panic!("{e}"));
    let impostor = SigningKey::new(
        "rsa-1",
        Algorithm::EdDSA,
        EncodingKey::from_ed_der(&der(&pem)),
    );
    refused(&app, &impostor.sign(&with(json!({}))), "foreign key").await;
    let mut tampered: Vec<String> = rsa
        .sign(&with(json!({})))
        .split('.')
        .map(str::to_owned)
        .collect();
    let escalated = with(json!({ "ucap_role": "ADMIN" }));
    tampered[1] = base64_url(&escalated.to_string());
    refused(&app, &tampered.join("."), "tampered").await;
    // ucap's own tokens are unaffected.
    let (ucap_token, _) = app.issue_token(Role::Admin, &[]).await;
    served(&app, &ucap_token, "ucap token").await;
}

/// The DER bytes of a PEM text (the library reads keys as DER).
fn der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn base64_url_bytes(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn algorithms_not_trusted_are_refused_including_hs256_signed_with_the_public_key() {
    let (rsa, ec) = (SigningKey::rsa("rsa-1"), SigningKey::ec("ec-1"));
    let provider = Provider::start(&[&rsa, &ec]).await;
    // This issuer is trusted with ES256 only, though it publishes an RSA key too.
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["ES256"])],
        Duration::from_secs(60),
    )
    .await;
    let claims = provider.claims(
        "eve",
        json!({ "ucap_role": "ADMIN", "ucap_organizations": ["Partner University A"] }),
    );
    served(&app, &ec.sign(&claims), "ES256").await;
    refused(&app, &rsa.sign(&claims), "RS256 not trusted").await;
    // Without a kid, a set of two keys names none: refused, whichever key signed.
    refused(&app, &ec.sign_naming(&claims, None), "no kid, two keys").await;
    // The classic confusion: HMAC keyed with the published public key, under the RSA key's kid.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("rsa-1".to_owned());
    for secret in [RSA_PUBLIC.as_bytes(), provider_jwk_text(&rsa).as_bytes()] {
        let forged = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(secret).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        refused(&app, &forged, "HS256").await;
    }
    // ES256 claimed over the RSA key's kid: the key does not fit the algorithm.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("rsa-1".to_owned());
    let mismatched =
        jsonwebtoken::encode(&header, &claims, &ec.encoding).unwrap_or_else(|e| panic!("{e}"));
    refused(&app, &mismatched, "key of another type").await;
    // Unsigned.
    let signed = ec.sign(&claims);
    let payload = signed.split('.').nth(1).unwrap_or_default();
    for alg in ["none", "None"] {
        let unsigned = format!(
            "{}.{payload}.",
            base64_url(&json!({ "alg": alg, "kid": "ec-1" }).to_string()),
        );
        refused(&app, &unsigned, "none").await;
    }
    // The configuration refuses HMAC and `none` outright, naming the field.
    for alg in ["HS256", "none"] {
        let text = json!({ "issuer": [issuer_entry(&provider, &[alg])] }).to_string();
        let err = ucap::settings::issuers::parse(&text, true)
            .err()
            .unwrap_or_default();
        assert!(err.contains("issuer[0].algorithms"), "{alg}: {err}");
    }
}

fn provider_jwk_text(key: &SigningKey) -> String {
    key.jwk().to_string()
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_keys_again_so_a_rotated_key_is_accepted() {
    let (old, new) = (SigningKey::ed("2026-11"), SigningKey::ed("2026-12"));
    let provider = Provider::start(&[&old]).await;
    let (app, _) = app_trusting(vec![issuer_entry(&provider, &["EdDSA"])], Duration::ZERO).await;
    let claims = provider.claims(
        "frank",
        json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
    );
    served(&app, &old.sign(&claims), "old key").await;
    assert_eq!(provider.jwks_requests(), 1);
    // Signed with a key not published yet: fetched again, still unknown.
    refused(&app, &new.sign(&claims), "not yet published").await;
    assert_eq!(provider.jwks_requests(), 2);
    // The provider rotates: the new key is published, the old one withdrawn.
    provider.publish(&[&new]);
    served(&app, &new.sign(&claims), "rotated key").await;
    assert_eq!(provider.jwks_requests(), 3);
    served(&app, &new.sign(&claims), "cached").await;
    assert_eq!(provider.jwks_requests(), 3, "a known kid needs no fetch");
    refused(&app, &old.sign(&claims), "withdrawn key").await;
}

#[tokio::test]
async fn unknown_kids_fetch_the_keys_at_most_once_a_minute() {
    let (known, unknown) = (SigningKey::ed("known"), SigningKey::ed("unknown"));
    let provider = Provider::start(&[&known]).await;
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["EdDSA"])],
        Duration::from_secs(60),
    )
    .await;
    let claims = provider.claims(
        "grace",
        json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
    );
    served(&app, &known.sign(&claims), "known").await;
    for _ in 0..5 {
        refused(&app, &unknown.sign(&claims), "unknown kid").await;
    }
    assert_eq!(
        provider.jwks_requests(),
        1,
        "made-up kids do not hammer the provider"
    );
    served(&app, &known.sign(&claims), "known, still").await;
}

#[tokio::test]
async fn unknown_organizations_and_roles_are_refused_with_403_saying_which() {
    let (rsa, provider, app, _) = trusting_one_rsa_key().await;
    for (grant, names) in [
        (
            json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A", "Atlantis"] }),
            "Atlantis",
        ),
        (
            json!({ "ucap_role": "OWNER", "ucap_organizations": ["Partner University A"] }),
            "OWNER",
        ),
        (json!({ "ucap_role": "VIEWER" }), "no ucap organization"),
        (
            json!({ "ucap_organizations": ["Partner University A"] }),
            "no ucap role",
        ),
    ] {
        let token = rsa.sign(&provider.claims("heidi", grant));
        let (status, challenge, body) = app
            .graphql_with_header(&format!("Bearer {token}"), ME, json!({}))
            .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
        assert_eq!(
            challenge.as_deref(),
            Some(r#"Bearer error="insufficient_scope""#)
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(names), "{message}");
        assert!(body["data"].is_null(), "{body}");
        // The export gate answers alike.
        let export = app
            .client
            .get(format!("{}/export/plans.json", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(export.status().as_u16(), 403);
    }
}

#[tokio::test]
async fn an_issuer_whose_keys_cannot_be_fetched_fails_closed_alone() {
    let rsa = SigningKey::rsa("rsa-1");
    let provider = Provider::start(&[&rsa]).await;
    // A second issuer whose keys are on a port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = closed.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
    drop(closed);
    let unreachable = format!("http://127.0.0.1:{port}/realms/gone");
    let mut gone = issuer_entry(&provider, &["RS256"]);
    gone["issuer"] = json!(unreachable);
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["RS256"]), gone],
        Duration::from_secs(60),
    )
    .await;
    let grant = json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] });
    let mut claims = provider.claims("ivan", grant.clone());
    claims["iss"] = json!(unreachable);
    refused(&app, &rsa.sign(&claims), "unreachable issuer").await;
    refused(&app, &rsa.sign(&claims), "unreachable issuer, again").await;
    served(
        &app,
        &rsa.sign(&provider.claims("ivan", grant)),
        "other issuer",
    )
    .await;
    let (ucap_token, _) = app.issue_token(Role::Admin, &[]).await;
    served(&app, &ucap_token, "ucap token").await;
    assert_eq!(
        app.graphql("{ plans { totalCount } }", json!({})).await["errors"],
        Value::Null
    );
}

#[tokio::test]
async fn writes_of_a_trusted_issuers_editor_are_audited_under_its_subject() {
    let (rsa, provider, app, admin) = trusting_one_rsa_key().await;
    let editor = rsa.sign(&provider.claims(
        "judy@partner.example",
        json!({ "ucap_role": "EDITOR", "ucap_organizations": ["Partner University A"] }),
    ));
    let create = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id title } } }";
    let input = json!({ "plan": PLAN, "title": "Workshop of a partner", "date": "2021-03", "kind": "WORKSHOP" });
    let r = app
        .graphql_as(&editor, create, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let id = &r["data"]["createActivity"]["activity"]["id"];
    assert!(key(id) > 0);
    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 1) { nodes { action actor actorToken } } }",
            json!({}),
        )
        .await;
    let entry = &audit["data"]["auditLog"]["nodes"][0];
    assert_eq!(entry["action"], "ACTIVITY_CREATED", "{audit}");
    assert_eq!(
        entry["actor"],
        json!(format!(
            "subject judy@partner.example of {}",
            provider.issuer
        )),
        "{audit}"
    );
    assert!(entry["actorToken"].is_null(), "{audit}");
    // Idempotency keys are kept per subject: a retry with the same key (even with a new token of
    // the same subject) returns the first record; another subject's same key is its own.
    let mut keyed = input.clone();
    keyed["idempotencyKey"] = json!("retry-1");
    let first = app
        .graphql_as(&editor, create, json!({ "input": keyed }))
        .await;
    assert!(first["errors"].is_null(), "{first}");
    let again = rsa.sign(&provider.claims(
        "judy@partner.example",
        json!({ "ucap_role": "EDITOR", "ucap_organizations": ["Partner University A"], "jti": "another" }),
    ));
    assert_ne!(again, editor);
    let retried = app
        .graphql_as(&again, create, json!({ "input": keyed }))
        .await;
    assert_eq!(
        retried["data"]["createActivity"]["activity"]["id"],
        first["data"]["createActivity"]["activity"]["id"],
        "{retried}"
    );
    let other = rsa.sign(&provider.claims(
        "ivan@partner.example",
        json!({ "ucap_role": "EDITOR", "ucap_organizations": ["Partner University A"] }),
    ));
    let theirs = app
        .graphql_as(&other, create, json!({ "input": keyed }))
        .await;
    assert!(theirs["errors"].is_null(), "{theirs}");
    assert_ne!(
        theirs["data"]["createActivity"]["activity"]["id"],
        first["data"]["createActivity"]["activity"]["id"]
    );
    // A viewer of the same issuer may not write.
    let viewer = rsa.sign(&provider.claims(
        "mallory",
        json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
    ));
    let r = app
        .graphql_as(&viewer, create, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
}

#[tokio::test]
async fn a_websocket_of_a_trusted_issuers_token_closes_when_the_token_expires() {
    let ed = SigningKey::ed("ed-1");
    let provider = Provider::start(&[&ed]).await;
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["EdDSA"])],
        Duration::from_secs(60),
    )
    .await;
    let mut claims = provider.claims(
        "ken",
        json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
    );
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 2);
    let token = ed.sign(&claims);
    let mut ws = Ws::connect(&app, Some(&token))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ws.close_code(Duration::from_secs(10)).await, Some(4401));
}

#[tokio::test]
async fn a_token_without_a_kid_is_verified_by_the_sole_key_of_its_issuer() {
    let ed = SigningKey::ed("ed-1");
    let provider = Provider::start(&[&ed]).await;
    let (app, _) = app_trusting(
        vec![issuer_entry(&provider, &["EdDSA"])],
        Duration::from_secs(60),
    )
    .await;
    let claims = provider.claims(
        "kim",
        json!({ "ucap_role": "VIEWER", "ucap_organizations": ["Partner University A"] }),
    );
    let data = served(&app, &ed.sign_naming(&claims, None), "no kid, one key").await;
    assert_eq!(data["me"]["subject"], "kim", "{data}");
    // The sole key verifies only what it signed.
    let stranger = SigningKey::ed("ed-1");
    refused(
        &app,
        &stranger.sign_naming(&claims, None),
        "another key, no kid",
    )
    .await;
}
