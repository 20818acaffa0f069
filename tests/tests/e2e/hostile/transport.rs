//! Hostile requests refused before any resolver runs: malformed JSON, content-type abuse, wrong
//! methods, oversized and malformed headers, malformed tokens.

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use ucap::auth::Role;
use ucap_tests::{TestApp, spawn_app};

use super::{ANSWER_WITHIN, counts, graphql, post, send};

const TYPENAME: &str = r#"{"query":"{ __typename }"}"#;

#[tokio::test]
async fn malformed_json_bodies_are_refused_with_400_and_never_reach_the_schema() {
    let app = spawn_app().await;
    let deep_array = format!(
        r#"{{"query":"query($v: [Int]) {{ __typename }}","variables":{{"v":{}1{}}}}}"#,
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let deep_object = format!(
        r#"{{"query":"{{ __typename }}","extensions":{}{}}}"#,
        r#"{"a":"#.repeat(20_000),
        "}".repeat(20_000)
    );
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b"  \n ".to_vec()),
        ("truncated", br#"{"query":"{ __typ"#.to_vec()),
        ("truncated after a key", br#"{"query""#.to_vec()),
        (
            "trailing garbage",
            br#"{"query":"{ __typename }"} x"#.to_vec(),
        ),
        (
            "two objects",
            br#"{"query":"{ __typename }"}{"query":"{ __typename }"}"#.to_vec(),
        ),
        ("a bare string", br#""{ __typename }""#.to_vec()),
        ("null", b"null".to_vec()),
        ("a number", b"42".to_vec()),
        ("single quotes", b"{'query':'{ __typename }'}".to_vec()),
        ("a comment", br#"{/* */"query":"{ __typename }"}"#.to_vec()),
        (
            "invalid UTF-8",
            b"{\"query\":\"{ __typename \xff\xfe }\"}".to_vec(),
        ),
        (
            "a lone surrogate escape",
            br#"{"query":"{ __typename }","variables":{"s":"\ud800"}}"#.to_vec(),
        ),
        (
            "a reversed surrogate pair",
            br#"{"query":"{ __typename }","variables":{"s":"\udc00\ud800"}}"#.to_vec(),
        ),
        (
            "an out-of-range number",
            br#"{"query":"{ __typename }","variables":{"n":1e400}}"#.to_vec(),
        ),
        (
            "query of the wrong type",
            br#"{"query":{"text":"{ __typename }"}}"#.to_vec(),
        ),
        (
            "query as a list",
            br#"{"query":["{ __typename }"]}"#.to_vec(),
        ),
        (
            "variables as a list",
            br#"{"query":"{ __typename }","variables":[1,2]}"#.to_vec(),
        ),
        (
            "variables as a number",
            br#"{"query":"{ __typename }","variables":7}"#.to_vec(),
        ),
        (
            "operationName as a number",
            br#"{"query":"{ __typename }","operationName":1}"#.to_vec(),
        ),
        (
            "extensions as a string",
            br#"{"query":"{ __typename }","extensions":"x"}"#.to_vec(),
        ),
        ("no query", br#"{"variables":{}}"#.to_vec()),
        ("deeply nested arrays in variables", deep_array.into_bytes()),
        (
            "deeply nested objects in extensions",
            deep_object.into_bytes(),
        ),
    ];
    for (what, body) in bodies {
        let res = send(post(&app, Some("application/json"), body)).await;
        assert_eq!(res.status, 400, "{what}: {}", res.body);
        assert_eq!(res.codes(), ["BAD_REQUEST"], "{what}: {}", res.body);
    }
    // Still serving.
    let res = send(post(&app, Some("application/json"), TYPENAME.into())).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn well_formed_json_with_values_the_schema_cannot_take_is_a_graphql_error() {
    let app = spawn_app().await;
    let page = "query($n: Int) { cities(first: $n) { totalCount } }";
    // Values that are no Int at all, or beyond 32 bits, fail validation (BAD_USER_INPUT).
    for (n, code) in [
        (
            json!(99_999_999_999_999_999_999.0_f64),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (json!(1.5), "GRAPHQL_VALIDATION_FAILED"),
        (json!(-1e300), "GRAPHQL_VALIDATION_FAILED"),
        (json!("ten"), "GRAPHQL_VALIDATION_FAILED"),
        (json!([1]), "GRAPHQL_VALIDATION_FAILED"),
        (json!({ "n": 1 }), "GRAPHQL_VALIDATION_FAILED"),
        (json!(i64::MAX), "GRAPHQL_VALIDATION_FAILED"),
        (json!(u64::MAX), "GRAPHQL_VALIDATION_FAILED"),
        (json!(2_147_483_648_i64), "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let res = graphql(&app, None, page, json!({ "n": n })).await;
        assert_eq!(res.status, 200, "{n}: {}", res.body);
        assert_eq!(res.codes(), [code], "{n}: {}", res.body);
        assert!(res.body["data"].is_null(), "{n}: {}", res.body);
    }
    // A nested list where an Int is expected, below serde's recursion limit.
    let nested = (0..100).fold(json!(1), |v, _| json!([v]));
    let res = graphql(&app, None, page, json!({ "n": nested })).await;
    assert_eq!(res.codes(), ["GRAPHQL_VALIDATION_FAILED"], "{}", res.body);
    // Out-of-range literals in the document: the same.
    for (literal, code) in [
        ("1e400", "GRAPHQL_PARSE_FAILED"),
        ("99999999999999999999", "GRAPHQL_VALIDATION_FAILED"),
        ("2147483648", "GRAPHQL_VALIDATION_FAILED"),
        ("-2622694455149", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let query = format!("{{ cities(last: {literal}) {{ totalCount }} }}");
        let res = graphql(&app, None, &query, json!({})).await;
        assert_eq!(res.status, 200, "{literal}: {}", res.body);
        assert_eq!(res.codes(), [code], "{literal}: {}", res.body);
    }
}

#[tokio::test]
async fn bodies_that_are_not_plain_json_are_refused_with_415() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let before = counts(&app, &admin).await;
    let create = r#"{"query":"mutation { createOrganization(input: { name: \"Smuggled\", kind: OTHER }) { organization { id } } }"}"#;
    let multipart = format!(
        "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{create}\r\n--b--\r\n"
    );
    let form = format!("query={}", "mutation%20%7B%20__typename%20%7D");
    for (content_type, body) in [
        (None, create.to_owned()),
        (Some("text/plain"), create.to_owned()),
        (Some("text/plain;charset=UTF-8"), create.to_owned()),
        (Some("multipart/form-data; boundary=b"), multipart),
        (Some("application/x-www-form-urlencoded"), form),
        (Some("application/graphql"), "{ __typename }".to_owned()),
        (Some("application/json; charset=latin1"), create.to_owned()),
        (
            Some("application/json; charset=iso-8859-1"),
            create.to_owned(),
        ),
        (Some("application/jsonx"), create.to_owned()),
        (Some("json"), create.to_owned()),
        (Some(""), create.to_owned()),
        (Some(";;;"), create.to_owned()),
    ] {
        let request = post(&app, content_type, body.into_bytes()).bearer_auth(&admin);
        let res = send(request).await;
        assert_eq!(res.status, 415, "{content_type:?}: {}", res.body);
        assert_eq!(
            res.codes(),
            ["BAD_REQUEST"],
            "{content_type:?}: {}",
            res.body
        );
    }
    for coding in ["gzip", "deflate", "br", "gzip, identity"] {
        let request = post(&app, Some("application/json"), create.into())
            .bearer_auth(&admin)
            .header(reqwest::header::CONTENT_ENCODING, coding);
        let res = send(request).await;
        assert_eq!(res.status, 415, "{coding}: {}", res.body);
        assert_eq!(res.codes(), ["BAD_REQUEST"], "{coding}: {}", res.body);
    }
    assert_eq!(counts(&app, &admin).await, before);
}

#[tokio::test]
async fn mutations_over_get_and_other_methods_are_refused_with_405_and_write_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let before = counts(&app, &admin).await;
    let create = "mutation { createOrganization(input: { name: \"Via GET\", kind: OTHER }) { organization { id } } }";
    let url = format!("{}/graphql", app.address);
    let res = send(
        app.client
            .get(&url)
            .query(&[("query", create)])
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(res.status, 405, "{}", res.body);
    // An anonymous operation after a named query: GET selects the only anonymous one.
    let smuggled = format!("{create} query Q {{ __typename }}");
    let res = send(
        app.client
            .get(&url)
            .query(&[("query", smuggled.as_str())])
            .bearer_auth(&admin),
    )
    .await;
    assert!(
        (400..500).contains(&res.status) || res.status == 200 && res.body["data"].is_null(),
        "{}: {}",
        res.status,
        res.body
    );
    for method in ["PUT", "PATCH", "DELETE"] {
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let request = app
            .client
            .request(method.clone(), &url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .bearer_auth(&admin)
            .body(json!({ "query": create }).to_string());
        let res = send(request).await;
        assert_eq!(res.status, 405, "{method}: {}", res.body);
    }
    assert_eq!(counts(&app, &admin).await, before);
}

/// Sends raw bytes over a new connection and returns the status of the answer; fails when there
/// is none within [`ANSWER_WITHIN`] (a closed connection without an answer is `None`).
async fn raw_status(app: &TestApp, request: &[u8]) -> Option<u16> {
    let host = app.address.trim_start_matches("http://");
    let exchange = async {
        let mut stream = TcpStream::connect(host).await.ok()?;
        // The server may answer and close before reading everything we send.
        let _ = stream.write_all(request).await;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(2).any(|w| w == b"\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let line = String::from_utf8_lossy(&head).into_owned();
        line.split(' ').nth(1).and_then(|s| s.parse().ok())
    };
    tokio::time::timeout(ANSWER_WITHIN, exchange)
        .await
        .unwrap_or_else(|_| panic!("no answer within {ANSWER_WITHIN:?}"))
}

fn raw_post(headers: &str) -> Vec<u8> {
    format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{TYPENAME}",
        TYPENAME.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn oversized_and_malformed_headers_are_answered_with_4xx_never_5xx_or_a_hang() {
    let app = spawn_app().await;
    let many: String = (0..200).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let huge_cookie = format!("Cookie: c={}\r\n", "x".repeat(256 * 1024));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("200 headers", raw_post(&many)),
        ("a 256 KiB header", raw_post(&huge_cookie)),
        ("a header without a colon", raw_post("X-Broken header\r\n")),
        ("a space in a header name", raw_post("X Broken: 1\r\n")),
        ("NUL in a header value", raw_post("X-Nul: a\0b\r\n")),
        ("NUL in the token", raw_post("Authorization: Bearer a\0b\r\n")),
        ("a bare CR", raw_post("X-Cr: a\rb\r\n")),
        ("conflicting lengths", raw_post("Content-Length: 3\r\n")),
        ("a negative length", b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec()),
        ("a bad chunk", b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec()),
        ("not HTTP", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec()),
        ("a garbage request line", b"GET\x00/graphql HTTP/1.1\r\n\r\n".to_vec()),
    ];
    for (what, request) in cases {
        if let Some(status) = raw_status(&app, &request).await {
            assert!((400..500).contains(&status), "{what}: {status}");
        }
    }
    // Headers reqwest sends: non-ASCII bytes, a 20 KiB token, one header repeated.
    let url = format!("{}/graphql", app.address);
    let latin1 = reqwest::header::HeaderValue::from_bytes(b"Bearer \xe9t\xe9\xff")
        .unwrap_or_else(|e| panic!("{e}"));
    let res =
        send(post(&app, Some("application/json"), TYPENAME.into()).header("authorization", latin1))
            .await;
    assert_eq!(res.status, 401, "{}", res.body);
    assert_eq!(res.codes(), ["UNAUTHENTICATED"], "{}", res.body);
    let latin1_type = reqwest::header::HeaderValue::from_bytes(b"application/json; charset=\xe9")
        .unwrap_or_else(|e| panic!("{e}"));
    let res = send(
        app.client
            .post(&url)
            .header("content-type", latin1_type)
            .body(TYPENAME),
    )
    .await;
    assert_eq!(res.status, 415, "{}", res.body);
    let other = reqwest::header::HeaderValue::from_bytes(b"\xf0\x9f\x92\xa3 \xc3\x28")
        .unwrap_or_else(|e| panic!("{e}"));
    let res =
        send(post(&app, Some("application/json"), TYPENAME.into()).header("x-note", other)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let big = format!("Bearer {}", "A".repeat(20 * 1024));
    let res =
        send(post(&app, Some("application/json"), TYPENAME.into()).header("authorization", big))
            .await;
    assert_eq!(res.status, 401, "{}", res.body);
    assert_eq!(res.codes(), ["UNAUTHENTICATED"], "{}", res.body);
    let res = send(
        post(&app, Some("application/json"), TYPENAME.into())
            .header("authorization", "Bearer garbage")
            .header("authorization", "Bearer more-garbage"),
    )
    .await;
    assert_eq!(res.status, 401, "{}", res.body);
    // And the server still serves.
    let res = send(post(&app, Some("application/json"), TYPENAME.into())).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn malformed_tokens_are_refused_with_401_over_post_and_get() {
    let app = spawn_app().await;
    let (valid, _) = app.issue_token(Role::Admin, &[]).await;
    let parts: Vec<&str> = valid.split('.').collect();
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let nested_header = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let tokens = [
        // Structure.
        format!("{}.{}", parts[0], parts[1]),
        format!("{valid}.{}", parts[2]),
        format!("{valid}."),
        format!(".{valid}"),
        "..".to_owned(),
        format!("{} {}", parts[0], parts[1]),
        // Headers that are not what we sign with.
        format!("{}.{}.{}", b64("{"), parts[1], parts[2]),
        format!("{}.{}.{}", b64("null"), parts[1], parts[2]),
        format!("{}.{}.{}", b64(&nested_header), parts[1], parts[2]),
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            parts[1],
            parts[2]
        ),
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"EdDSA","kid":"../../../../etc/passwd"}"#),
            parts[1],
            parts[2]
        ),
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"EdDSA","jku":"http://127.0.0.1:1/jwks"}"#),
            parts[1],
            parts[2]
        ),
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"EdDSA","crit":["exp"]}"#),
            parts[1],
            parts[2]
        ),
        // Payloads and signatures that are not base64url or not ours.
        format!("{}.{}.{}", parts[0], "!!!!", parts[2]),
        format!("{}.{}.{}", parts[0], b64("' OR 1=1 --"), parts[2]),
        format!("{}.{}.{}", parts[0], parts[1], "A".repeat(parts[2].len())),
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            &parts[2][..parts[2].len() / 2]
        ),
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        // Standard base64 (`+`) where base64url is required. Not `replace(['-', '_'], "+")`: a
        // signature without either character (one in fifteen) stayed valid, and the test failed.
        format!("{}.{}.+{}", parts[0], parts[1], &parts[2][1..]),
        valid.to_uppercase(),
        format!("{valid}\u{200b}"),
        "' OR 1=1 --".to_owned(),
        "${jndi:ldap://127.0.0.1/a}".to_owned(),
    ];
    let url = format!("{}/graphql", app.address);
    for token in &tokens {
        let authorization = format!("Bearer {token}");
        let res = send(
            post(&app, Some("application/json"), TYPENAME.into())
                .header("authorization", &authorization),
        )
        .await;
        assert_eq!(res.status, 401, "{token:.80}: {}", res.body);
        assert_eq!(
            res.codes(),
            ["UNAUTHENTICATED"],
            "{token:.80}: {}",
            res.body
        );
        let res = send(
            app.client
                .get(&url)
                .query(&[("query", "{ __typename }")])
                .header("authorization", &authorization),
        )
        .await;
        assert_eq!(res.status, 401, "GET {token:.80}: {}", res.body);
    }
    for authorization in [
        format!("Bearer\t{valid}"),
        format!("Bearer{valid}"),
        format!("Bearer {valid} {valid}"),
        format!("Bearer {valid},Bearer {valid}"),
        format!("Bearer Bearer {valid}"),
    ] {
        let res = send(
            post(&app, Some("application/json"), TYPENAME.into())
                .header("authorization", &authorization),
        )
        .await;
        assert_eq!(res.status, 401, "{authorization:.80}: {}", res.body);
    }
}
