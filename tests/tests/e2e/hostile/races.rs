//! Concurrent conflicting writes on every versioned kind of record (activities and MoUs have their
//! own tests in writes.rs and mou_writes.rs): of N updates at one version exactly one wins, the
//! others are CONFLICT naming the new version, and the record moves by exactly one version.

use futures::future::join_all;
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap_tests::{TestApp, error_code, spawn_app};

const WRITERS: usize = 16;

const READ: &str = "query($id: ID!) { node(id: $id) { ... on Plan { version } ... on Theme { version } ... on Statement { version } ... on ExpectedResult { version } ... on City { version } ... on Organization { version } } }";

/// The first record of a list query: its ID and version.
async fn first(app: &TestApp, admin: &str, query: &str, pointer: &str) -> (Value, i64) {
    let r = app.graphql_as(admin, query, json!({})).await;
    let node = r["data"].pointer(pointer).unwrap_or(&Value::Null);
    let version = node["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{query}: {r}"));
    (node["id"].clone(), version)
}

/// Runs `WRITERS` updates at `version` at once and checks that exactly one won.
/// `update` takes `$id`, `$v` and `$t`, the text that writer `i` writes.
async fn race(
    app: &TestApp,
    admin: &str,
    what: &str,
    update: &str,
    (id, version): (Value, i64),
    text: impl Fn(usize) -> String,
) {
    let writes = (0..WRITERS).map(|i| {
        let variables = json!({ "id": id, "v": version, "t": text(i) });
        app.graphql_as(admin, update, variables)
    });
    let results = join_all(writes).await;
    let won = results.iter().filter(|r| r["errors"].is_null()).count();
    let conflicts: Vec<&Value> = results
        .iter()
        .filter(|r| error_code(r) == Some("CONFLICT"))
        .collect();
    assert_eq!(
        (won, conflicts.len()),
        (1, WRITERS - 1),
        "{what}: {results:?}"
    );
    for r in conflicts {
        assert_eq!(
            r["errors"][0]["extensions"]["currentVersion"],
            version + 1,
            "{what}: {r}"
        );
    }
    let now = app.graphql_as(admin, READ, json!({ "id": id })).await;
    assert_eq!(now["data"]["node"]["version"], version + 1, "{what}: {now}");
}

#[tokio::test]
async fn concurrent_updates_at_one_version_of_every_kind_of_record_let_exactly_one_win() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;

    let (id, v) = first(
        &app,
        &admin,
        "{ plans(first: 1) { nodes { id version } } }",
        "/plans/nodes/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updatePlan(id: $id, version: $v, input: { periodContext: $t }) { plan { version } } }";
    race(&app, &admin, "plan", update, (id, v), |i| {
        format!("Context {i}")
    })
    .await;

    let (id, v) = first(
        &app,
        &admin,
        "{ themes(first: 1) { nodes { id version } } }",
        "/themes/nodes/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateTheme(id: $id, version: $v, input: { title: $t }) { theme { version } } }";
    race(&app, &admin, "theme", update, (id, v), |i| {
        format!("Theme {i}")
    })
    .await;

    let (id, v) = first(
        &app,
        &admin,
        "{ plans(first: 1) { nodes { focusAreas { id version } } } }",
        "/plans/nodes/0/focusAreas/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateStatement(id: $id, version: $v, input: { text: $t }) { statement { version } } }";
    race(&app, &admin, "statement", update, (id, v), |i| {
        format!("Focus {i}")
    })
    .await;

    let (id, v) = first(
        &app,
        &admin,
        "{ expectedResults(first: 1) { nodes { id version } } }",
        "/expectedResults/nodes/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateExpectedResult(id: $id, version: $v, input: { description: $t }) { expectedResult { version } } }";
    race(&app, &admin, "expected result", update, (id, v), |i| {
        format!("Result {i}")
    })
    .await;

    let (id, v) = first(
        &app,
        &admin,
        "{ cities(first: 1) { nodes { id version } } }",
        "/cities/nodes/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateCity(id: $id, version: $v, input: { region: $t }) { city { version } } }";
    race(&app, &admin, "city", update, (id, v), |i| {
        format!("Region {i}")
    })
    .await;

    let (id, v) = first(
        &app,
        &admin,
        "{ organizations(first: 1) { nodes { id version } } }",
        "/organizations/nodes/0",
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateOrganization(version: $v, input: { id: $id, website: $t }) { organization { version } } }";
    race(&app, &admin, "organization", update, (id, v), |i| {
        format!("https://e{i}.example")
    })
    .await;
}

#[tokio::test]
async fn concurrent_updates_and_deletes_at_one_version_let_exactly_one_win() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let create = "mutation { createActivity(input: { plan: \"UGxhbjox\", title: \"Contested\", kind: WORKSHOP }) { activity { id version } } }";
    let r = app.graphql_as(&admin, create, json!({})).await;
    let id = r["data"]["createActivity"]["activity"]["id"].clone();
    let update = "mutation($id: ID!, $t: String!) { updateActivity(id: $id, version: 1, input: { title: $t }) { activity { version } } }";
    let delete = "mutation($id: ID!) { deleteActivity(id: $id, version: 1) { deletedId } }";
    let writes = (0..WRITERS).map(|i| {
        let (document, variables) = if i % 2 == 0 {
            (update, json!({ "id": id, "t": format!("Title {i}") }))
        } else {
            (delete, json!({ "id": id }))
        };
        app.graphql_as(&admin, document, variables)
    });
    let results = join_all(writes).await;
    let won: Vec<&Value> = results.iter().filter(|r| r["errors"].is_null()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    let losers = results
        .iter()
        .filter(|r| !r["errors"].is_null())
        .map(|r| error_code(r).unwrap_or("-"));
    let read = app
        .graphql_as(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Activity { version } } }",
            json!({ "id": id }),
        )
        .await;
    if won[0]["data"]["deleteActivity"].is_object() {
        // After the delete, the others find nothing or a stale version.
        assert!(
            losers
                .into_iter()
                .all(|c| matches!(c, "CONFLICT" | "NOT_FOUND"))
        );
        assert!(read["errors"].is_null(), "{read}");
        assert!(read["data"]["node"].is_null(), "{read}");
    } else {
        assert!(losers.into_iter().all(|c| c == "CONFLICT"));
        assert_eq!(read["data"]["node"]["version"], 2, "{read}");
    }
}
