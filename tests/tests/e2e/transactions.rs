//! `transaction`: several writes all or nothing. Committed together with their audit and feed
//! entries; a failing operation in the middle (bad input, stale version, a plan the caller does
//! not edit) leaves nothing written and names itself; idempotency keys hold for a retried batch.

use serde_json::{Value, json};
use ucap_tests::error_code;

use super::writes::{Partners, partners};

/// The Guangzhou plan of the bundled sample.
const PLAN: &str = "UGxhbjox";

const TRANSACTION: &str = "mutation($ops: [WriteOperation!]!) { transaction(operations: $ops) { results { __typename ... on ActivityPayload { activity { id version title } } ... on ThemePayload { theme { id title } } ... on DeletePayload { deletedId } } } }";
const CREATE_ACTIVITY: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version } } }";
const COUNTS: &str = "{ activities { totalCount } themes { totalCount } changes(first: 1) { totalCount } auditLog(first: 1) { totalCount } }";

fn activity(title: &str) -> Value {
    json!({ "createActivity": { "plan": PLAN, "title": title, "date": "2022-05", "kind": "WORKSHOP" } })
}

/// Activities, themes, feed entries and audit entries, as the admin counts them.
async fn counts(p: &Partners) -> Value {
    let r = p.app.graphql_as(&p.admin, COUNTS, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}

async fn existing_activity(p: &Partners) -> (Value, i64) {
    let input = json!({ "plan": PLAN, "title": "Existing", "kind": "MEETING" });
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE_ACTIVITY, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let a = &r["data"]["createActivity"]["activity"];
    (a["id"].clone(), a["version"].as_i64().unwrap_or_default())
}

#[tokio::test]
async fn the_operations_of_a_transaction_are_written_together_each_audited_and_in_the_feed() {
    let p = partners().await;
    let (existing, version) = existing_activity(&p).await;
    let before = counts(&p).await;
    let ops = json!([
        activity("Kick-off in Guangzhou"),
        activity("Study visit to Bologna"),
        { "createTheme": { "plan": PLAN, "title": "Hydrogen mobility" } },
        { "updateActivity": { "id": existing, "version": version, "input": { "title": "Existing, renamed" } } },
    ]);
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let results = r["data"]["transaction"]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds: Vec<&str> = results
        .iter()
        .filter_map(|x| x["__typename"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "ActivityPayload",
            "ActivityPayload",
            "ThemePayload",
            "ActivityPayload"
        ]
    );
    assert_eq!(results[0]["activity"]["title"], "Kick-off in Guangzhou");
    assert_eq!(results[3]["activity"]["title"], "Existing, renamed");

    let after = counts(&p).await;
    let n = |v: &Value, path: &[&str]| {
        path.iter()
            .fold(v, |v, k| &v[*k])
            .as_i64()
            .unwrap_or_default()
    };
    let activities = ["activities", "totalCount"];
    assert_eq!(n(&after, &activities), n(&before, &activities) + 2);
    let themes = ["themes", "totalCount"];
    assert_eq!(n(&after, &themes), n(&before, &themes) + 1);
    // One feed entry and one audit entry per operation.
    let feed = ["changes", "totalCount"];
    assert_eq!(n(&after, &feed), n(&before, &feed) + 4);
    let audit = ["auditLog", "totalCount"];
    assert_eq!(n(&after, &audit), n(&before, &audit) + 4);
}

#[tokio::test]
async fn a_failing_operation_in_the_middle_leaves_nothing_written_and_names_itself() {
    let p = partners().await;
    let (existing, version) = existing_activity(&p).await;
    let before = counts(&p).await;

    // Bad input in operation 1: its field, under its index.
    let ops = json!([activity("First"), activity(""), activity("Third")]);
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["operation"], 1);
    assert_eq!(r["errors"][0]["extensions"]["field"], "operations[1].title");
    assert_eq!(counts(&p).await, before);

    // A stale version in the middle.
    let ops = json!([
        activity("First"),
        { "updateActivity": { "id": existing, "version": version + 5, "input": { "title": "Too late" } } },
        activity("Third"),
    ]);
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["operation"], 1);
    assert_eq!(counts(&p).await, before);

    // An editor of another organization: refused at its first write, nothing written.
    let ops = json!([activity("First"), activity("Second")]);
    let r = p
        .app
        .graphql_as(&p.editor_b, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["operation"], 0);
    // The last plan of an activity in the middle: LAST_PLAN, and the first create is undone.
    let ops = json!([
        activity("First"),
        { "unlinkActivity": { "id": existing, "plan": PLAN } },
    ]);
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert_eq!(error_code(&r), Some("LAST_PLAN"), "{r}");
    assert_eq!(counts(&p).await, before);

    // Empty, too long, and an operation naming two mutations are refused before anything runs.
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": [] }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "operations", "{r}");
    let many: Vec<Value> = (0..201).map(|i| activity(&format!("Item {i}"))).collect();
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": many }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "operations", "{r}");
    let two = json!([{
        "createActivity": { "plan": PLAN, "title": "A", "kind": "MEETING" },
        "deleteActivity": { "id": existing, "version": version },
    }]);
    let r = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": two }))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(counts(&p).await, before);
}

#[tokio::test]
async fn a_retried_transaction_with_idempotency_keys_creates_nothing_twice() {
    let p = partners().await;
    let keyed = |title: &str, key: &str| {
        let mut op = activity(title);
        op["createActivity"]["idempotencyKey"] = json!(key);
        op
    };
    let ops = json!([
        keyed("Keyed one", "batch-7-1"),
        keyed("Keyed two", "batch-7-2")
    ]);
    let first = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert!(first["errors"].is_null(), "{first}");
    let before = counts(&p).await;
    let again = p
        .app
        .graphql_as(&p.editor_a, TRANSACTION, json!({ "ops": ops }))
        .await;
    assert!(again["errors"].is_null(), "{again}");
    let ids = |r: &Value| {
        r["data"]["transaction"]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x["activity"]["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(counts(&p).await, before);
}
