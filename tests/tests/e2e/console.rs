//! The admin console and the landing page: served from the binary, with the security headers
//! that keep its pages from running anything but their own files.

use reqwest::header::{self, HeaderMap};
use reqwest::redirect::Policy;
use ucap_tests::{TestApp, spawn_app};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Status, headers and body of a GET that does not follow redirects.
async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (u16, HeaderMap, String) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut request = client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let res = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path} failed: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap_or_default())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn assert_secured(path: &str, headers: &HeaderMap) {
    assert_eq!(header(headers, "content-security-policy"), CSP, "{path}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{path}");
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{path}"
    );
}

#[tokio::test]
async fn the_console_and_its_files_are_served_with_their_types_and_the_security_headers() {
    let app = spawn_app().await;
    for (path, content_type) in [
        ("/admin", "text/html"),
        ("/admin/", "text/html"),
        ("/admin/assets/app.js", "javascript"),
        ("/admin/assets/tokens.js", "javascript"),
        ("/admin/assets/style.css", "text/css"),
    ] {
        let (status, headers, body) = get(&app, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            header(&headers, "content-type").contains(content_type),
            "{path}: {headers:?}"
        );
        assert!(!body.is_empty(), "{path}");
        assert_secured(path, &headers);
    }
}

#[tokio::test]
async fn the_console_page_loads_its_script_and_style_from_files_only() {
    let app = spawn_app().await;
    let (_, _, page) = get(&app, "/admin", &[]).await;
    assert!(page.contains(r#"<script type="module" src="/admin/assets/app.js"></script>"#));
    assert!(page.contains(r#"href="/admin/assets/style.css""#));
    // The policy forbids inline code: a script element with a body, a style element or a
    // `style=` or `on…=` attribute would be blocked (or be a hole).
    assert!(!page.contains("<style"));
    assert!(!page.contains("style="));
    assert!(!page.contains(" onclick=") && !page.contains(" onload="));
    assert_eq!(page.matches("<script").count(), 1);
}

#[tokio::test]
async fn an_unchanged_console_file_is_revalidated_by_its_etag() {
    let app = spawn_app().await;
    let (_, headers, _) = get(&app, "/admin/assets/app.js", &[]).await;
    let etag = header(&headers, "etag").to_owned();
    assert!(!etag.is_empty());
    let (status, headers, body) = get(
        &app,
        "/admin/assets/app.js",
        &[(header::IF_NONE_MATCH.as_str(), etag.as_str())],
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_secured("/admin/assets/app.js (304)", &headers);
}

#[tokio::test]
async fn an_unknown_console_file_is_not_found() {
    let app = spawn_app().await;
    for path in [
        "/admin/assets/nope.js",
        "/admin/assets/..%2FCargo.toml",
        "/admin/assets/%2E%2E%2Fsrc%2Fmain.rs",
    ] {
        let (status, headers, _) = get(&app, path, &[]).await;
        assert_eq!(status, 404, "{path}");
        assert_secured(path, &headers);
    }
}

#[tokio::test]
async fn the_front_page_links_the_console_and_graphiql() {
    let app = spawn_app().await;
    let (status, headers, body) = get(&app, "/", &[]).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_secured("/", &headers);
    assert!(body.contains(r#"href="/admin""#), "{body}");
    assert!(body.contains(r#"href="/graphiql""#), "{body}");
    let (status, headers, _) = get(&app, "/console", &[]).await;
    assert_eq!(status, 308);
    assert_eq!(header(&headers, "location"), "/admin");
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for path in ["/", "/admin", "/admin/assets/app.js"] {
        let (_, got, _) = get(&app, path, &[]).await;
        let res = client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("HEAD {path} failed: {e}"));
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let headers = res.headers().clone();
        assert_secured(path, &headers);
        assert_eq!(
            header(&headers, "content-type"),
            header(&got, "content-type"),
            "{path}"
        );
        assert!(
            res.bytes().await.unwrap_or_default().is_empty(),
            "{path}: a body"
        );
    }
}
