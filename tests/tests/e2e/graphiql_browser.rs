//! GraphiQL in a real browser (headless Chromium) against the real `ucap serve` in production: the
//! page loads without a token from ucap's own files (no CDN) under its Content-Security-Policy,
//! runs a public query, acts as the token typed into its header editor, and runs a subscription
//! over `/graphql/ws` with that token.

// Test steps: a failed one is the test's failure, with its error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::graphql::ids::NodeKind;
use ucap_tests::browser::Browser;
use ucap_tests::{TestApp, spawn_process};

/// Sets the text of the GraphiQL editor under `css` (a CodeMirror 5 instance).
async fn set_editor(b: &Browser, css: &str, text: &str) {
    b.find(&format!("{css} .CodeMirror")).await.unwrap();
    b.client
        .execute(
            "document.querySelector(arguments[0] + ' .CodeMirror').CodeMirror.setValue(arguments[1])",
            vec![json!(css), json!(text)],
        )
        .await
        .unwrap();
    // GraphiQL parses the document after an edit, debounced; a click sooner would run the text
    // against the previous parse (e.g. send a subscription over HTTP).
    tokio::time::sleep(Duration::from_millis(600)).await;
}

/// Runs the query in the editor and waits until the result pane holds `expected`.
async fn run(b: &Browser, expected: &str) -> String {
    b.click(".graphiql-execute-button").await.unwrap();
    let mut shown = String::new();
    for _ in 0..100 {
        let text = b
            .client
            .execute(
                "const r = document.querySelector('.result-window .CodeMirror'); \
                 return r ? r.CodeMirror.getValue() : ''",
                vec![],
            )
            .await
            .unwrap();
        shown = text.as_str().unwrap_or_default().to_owned();
        if shown.contains(expected) {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the result never showed {expected}: {shown}");
}

async fn refused(b: &Browser) -> Value {
    b.client
        .execute(
            "return window.ucapRefused || ['start.js did not run']",
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn graphiql_works_in_production_without_a_token_and_follows_the_token_in_its_headers() {
    let app: TestApp = spawn_process(&crate::server_binary(), &[("UCAP_ENV", "production")]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = Browser::launch().await.unwrap() else {
        return;
    };
    b.client
        .goto(&format!("{}/graphiql", app.address))
        .await
        .unwrap();
    b.find(".graphiql-container").await.unwrap();
    set_editor(&b, ".graphiql-query-editor", "{ plans { totalCount } }").await;
    run(&b, "\"totalCount\"").await;
    set_editor(&b, ".graphiql-query-editor", "{ me { role } }").await;
    let anonymous = run(&b, "\"me\"").await;
    assert!(!anonymous.contains("ADMIN"), "{anonymous}");

    // The token typed into the header editor is the caller, over HTTP …
    let headers = json!({ "Authorization": format!("Bearer {admin}") }).to_string();
    // The header editor is the tool shown (`defaultEditorToolsVisibility`).
    set_editor(
        &b,
        ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
        &headers,
    )
    .await;
    run(&b, "\"ADMIN\"").await;
    b.screenshot("graphiql").await.unwrap();

    // … and over the WebSocket: an activity added by the admin reaches the subscription.
    set_editor(
        &b,
        ".graphiql-query-editor",
        "subscription { activityAdded { title } }",
    )
    .await;
    b.click(".graphiql-execute-button").await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let created = app
        .graphql_as(
            &admin,
            "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
            json!({ "input": { "plan": NodeKind::Plan.id(1).0, "title": "Seen in GraphiQL",
                               "date": "2021-03", "kind": "WORKSHOP",
                               "cities": [NodeKind::City.id(3).0] } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let mut seen = String::new();
    for _ in 0..100 {
        let text = b
            .client
            .execute(
                "return document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()",
                vec![],
            )
            .await
            .unwrap();
        seen = text.as_str().unwrap_or_default().to_owned();
        if seen.contains("Seen in GraphiQL") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen.contains("Seen in GraphiQL"), "{seen}");
    assert_eq!(
        refused(&b).await,
        json!([]),
        "the page's policy refused something"
    );
}
