//! Writes through the API: who may write what, validation with field-level errors, optimistic
//! versions under concurrency, idempotent creates, rollback of half-done writes, and the audit
//! entry of each write.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::join_all;
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap_tests::{TestApp, error_code, partner_organizations, spawn_app};

/// The Guangzhou plan of the bundled sample.
const PLAN: &str = "UGxhbjox";

/// The integer key of a global ID.
pub fn key(id: &Value) -> i64 {
    let raw = URL_SAFE_NO_PAD
        .decode(id.as_str().unwrap_or_else(|| panic!("not an ID: {id}")))
        .unwrap_or_else(|e| panic!("{e}"));
    let raw = String::from_utf8(raw).unwrap_or_else(|e| panic!("{e}"));
    raw.split_once(':')
        .and_then(|(_, k)| k.parse().ok())
        .unwrap_or_else(|| panic!("not an integer ID: {raw}"))
}

/// A server with two partner organizations: `a` takes part in the Guangzhou plan, `b` does not.
pub struct Partners {
    pub app: TestApp,
    pub admin: String,
    pub editor_a: String,
    pub editor_b: String,
    pub viewer_a: String,
    pub org_a: Value,
}

pub async fn partners() -> Partners {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let orgs =
        partner_organizations(&app, &admin, &["Partner University A", "Partner Agency B"]).await;
    let (editor_a, _) = app.issue_token(Role::Editor, &[key(&orgs[0])]).await;
    let (editor_b, _) = app.issue_token(Role::Editor, &[key(&orgs[1])]).await;
    let (viewer_a, _) = app.issue_token(Role::Viewer, &[key(&orgs[0])]).await;
    Partners {
        app,
        admin,
        editor_a,
        editor_b,
        viewer_a,
        org_a: orgs[0].clone(),
    }
}

/// The same partners' tokens against another instance on the same database.
pub fn partners_on(app: TestApp, like: &Partners) -> Partners {
    Partners {
        app,
        admin: like.admin.clone(),
        editor_a: like.editor_a.clone(),
        editor_b: like.editor_b.clone(),
        viewer_a: like.viewer_a.clone(),
        org_a: like.org_a.clone(),
    }
}

/// Runs `query` as `token`; its data, failing on any error.
pub async fn ok(p: &Partners, token: &str, query: &str, variables: Value) -> Value {
    let r = p.app.graphql_as(token, query, variables).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}

/// The actions of the newest 100 audit entries, newest first.
pub async fn audit_action_names(p: &Partners) -> Vec<String> {
    let r = ok(
        p,
        &p.admin,
        "{ auditLog(first: 100) { nodes { action } } }",
        json!({}),
    )
    .await;
    r["auditLog"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["action"].as_str().map(str::to_owned))
        .collect()
}

const CREATE: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version title kind date { text precision start end } organizations { id } plans { id } cities { name } draft } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: UpdateActivityInput!) { updateActivity(id: $id, version: $v, input: $input) { activity { id version title date { precision } } } }";
const DELETE: &str =
    "mutation($id: ID!, $v: Int!) { deleteActivity(id: $id, version: $v) { deletedId } }";

fn workshop() -> Value {
    json!({ "plan": PLAN, "title": "Joint workshop", "date": "2021-03", "kind": "WORKSHOP" })
}

async fn activity_count(p: &Partners) -> i64 {
    let r = p
        .app
        .graphql_as(&p.admin, "{ activities { totalCount } }", json!({}))
        .await;
    r["data"]["activities"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{r}"))
}

async fn audit_actions(p: &Partners) -> Vec<Value> {
    let r = p
        .app
        .graphql_as(
            &p.admin,
            "{ auditLog(first: 100) { nodes { action targetKind target detail actorToken } } }",
            json!({}),
        )
        .await;
    r["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .clone()
}

#[tokio::test]
async fn a_partner_editor_creates_updates_and_deletes_an_activity_of_its_plan_and_each_write_is_audited()
 {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": workshop() }))
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let activity = &created["data"]["createActivity"]["activity"];
    assert_eq!(activity["version"], 1);
    assert_eq!(activity["kind"], "WORKSHOP");
    assert_eq!(
        activity["date"],
        json!({ "text": "2021-03", "precision": "MONTH", "start": "2021-03-01", "end": "2021-03-31" })
    );
    assert_eq!(activity["plans"], json!([{ "id": PLAN }]));
    // The organization comes from the token.
    assert_eq!(activity["organizations"], json!([{ "id": p.org_a }]));
    let id = activity["id"].clone();

    let renamed = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "Joint workshop on hydrogen" } }),
        )
        .await;
    assert_eq!(
        renamed["data"]["updateActivity"]["activity"],
        json!({ "id": id, "version": 2, "title": "Joint workshop on hydrogen", "date": { "precision": "MONTH" } }),
        "{renamed}"
    );
    // A stale version is a conflict that tells the current version; nothing changes.
    let stale = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "Overwritten?" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);
    // An update that changes nothing keeps the version.
    let same = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 2, "input": { "title": "Joint workshop on hydrogen" } }),
        )
        .await;
    assert_eq!(
        same["data"]["updateActivity"]["activity"]["version"], 2,
        "{same}"
    );

    let stale_delete = p
        .app
        .graphql_as(&p.editor_a, DELETE, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        error_code(&stale_delete),
        Some("CONFLICT"),
        "{stale_delete}"
    );
    let deleted = p
        .app
        .graphql_as(&p.editor_a, DELETE, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(
        deleted["data"]["deleteActivity"]["deletedId"], id,
        "{deleted}"
    );
    let gone = p
        .app
        .graphql_as(
            &p.admin,
            "query($id: ID!) { activity(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");

    let log = audit_actions(&p).await;
    let mine: Vec<&Value> = log
        .iter()
        .filter(|e| e["targetKind"] == "Activity")
        .collect();
    let actions: Vec<&str> = mine.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["ACTIVITY_DELETED", "ACTIVITY_UPDATED", "ACTIVITY_CREATED"],
        "{log:?}"
    );
    let update = &mine[1]["detail"]["changes"];
    assert!(
        update.as_array().is_some_and(|c| c.contains(&json!({
            "field": "title", "before": "Joint workshop", "after": "Joint workshop on hydrogen"
        }))),
        "{update}"
    );
    assert!(
        mine.iter()
            .all(|e| e["target"] == id && !e["actorToken"].is_null())
    );
}

#[tokio::test]
async fn only_editors_of_the_plan_and_admins_write_and_a_refused_write_writes_nothing() {
    let p = partners().await;
    let before = activity_count(&p).await;
    for token in [&p.editor_b, &p.viewer_a] {
        let r = p
            .app
            .graphql_as(token, CREATE, json!({ "input": workshop() }))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
    let anonymous = p.app.graphql(CREATE, json!({ "input": workshop() })).await;
    assert!(
        matches!(error_code(&anonymous), Some("FORBIDDEN")),
        "{anonymous}"
    );
    assert_eq!(activity_count(&p).await, before);

    // Another organization's activity: B may neither change nor delete it.
    let created = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": workshop() }))
        .await;
    let id = created["data"]["createActivity"]["activity"]["id"].clone();
    let update = json!({ "id": id, "v": 1, "input": { "title": "Hijacked" } });
    for token in [&p.editor_b, &p.viewer_a] {
        let r = p.app.graphql_as(token, UPDATE, update.clone()).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = p
            .app
            .graphql_as(token, DELETE, json!({ "id": id, "v": 1 }))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
    // Admins write everything.
    let r = p.app.graphql_as(&p.admin, UPDATE, update).await;
    assert_eq!(
        r["data"]["updateActivity"]["activity"]["title"], "Hijacked",
        "{r}"
    );
    assert_eq!(activity_count(&p).await, before + 1);
}

#[tokio::test]
async fn invalid_input_is_refused_field_by_field_and_nothing_is_written() {
    let p = partners().await;
    let before = activity_count(&p).await;
    let cases = [
        (json!({ "date": "2021-02-30" }), "date"),
        (json!({ "date": "2021-13" }), "date"),
        (json!({ "date": "soon" }), "date"),
        (json!({ "title": "   " }), "title"),
        (json!({ "title": "nul\u{0}byte" }), "title"),
        (json!({ "title": "x".repeat(501) }), "title"),
        (json!({ "placeCity": "garbage" }), "placeCity"),
        (json!({ "placeCity": PLAN }), "placeCity"),
        (json!({ "plan": "UGxhbjo5OTk5" }), "plan"),
        (json!({ "idempotencyKey": "" }), "idempotencyKey"),
    ];
    for (change, field) in cases {
        let mut input = workshop();
        for (k, v) in change.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        let r = p
            .app
            .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{change}: {r}");
        assert_eq!(
            r["errors"][0]["extensions"]["field"], field,
            "{change}: {r}"
        );
    }
    assert_eq!(activity_count(&p).await, before);
    assert!(
        audit_actions(&p)
            .await
            .iter()
            .all(|e| e["targetKind"] != "Activity")
    );
}

#[tokio::test]
async fn an_error_half_way_through_a_create_leaves_nothing_behind() {
    let p = partners().await;
    let before = activity_count(&p).await;
    // The activity row is written before its cities are checked; the bad second city undoes it.
    let mut input = workshop();
    input["cities"] = json!(["Q2l0eToz", "Q2l0eTo5OTk5OTk"]);
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "cities");
    assert_eq!(activity_count(&p).await, before);
    assert!(
        audit_actions(&p)
            .await
            .iter()
            .all(|e| e["targetKind"] != "Activity")
    );
    input["cities"] = json!(["Q2l0eToz"]);
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(
        r["data"]["createActivity"]["activity"]["cities"],
        json!([{ "name": "Bologna" }]),
        "{r}"
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_returns_the_first_record() {
    let p = partners().await;
    let before = activity_count(&p).await;
    let mut input = workshop();
    input["idempotencyKey"] = json!("partner-42");
    let first = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    let again = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    let id = &first["data"]["createActivity"]["activity"]["id"];
    assert!(id.is_string(), "{first}");
    assert_eq!(
        &again["data"]["createActivity"]["activity"]["id"], id,
        "{again}"
    );
    assert_eq!(activity_count(&p).await, before + 1);
    // The same key for another request is refused, not silently answered with the first record.
    input["title"] = json!("Another workshop");
    let reused = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&reused), Some("BAD_USER_INPUT"), "{reused}");
    assert_eq!(reused["errors"][0]["extensions"]["field"], "idempotencyKey");
    // Keys belong to a token: another token's same key is a new request.
    let mut other = workshop();
    other["idempotencyKey"] = json!("partner-42");
    let r = p
        .app
        .graphql_as(&p.admin, CREATE, json!({ "input": other }))
        .await;
    assert_ne!(&r["data"]["createActivity"]["activity"]["id"], id, "{r}");
    assert_eq!(activity_count(&p).await, before + 2);
}

#[tokio::test]
async fn of_fifty_concurrent_updates_at_one_version_exactly_one_wins() {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": workshop() }))
        .await;
    let id = created["data"]["createActivity"]["activity"]["id"].clone();
    let updates = (0..50).map(|i| {
        p.app.graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": format!("Title {i}") } }),
        )
    });
    let results = join_all(updates).await;
    let ok = results.iter().filter(|r| r["errors"].is_null()).count();
    let conflicts: Vec<&Value> = results
        .iter()
        .filter(|r| error_code(r) == Some("CONFLICT"))
        .collect();
    let others: Vec<&Value> = results
        .iter()
        .filter(|r| !r["errors"].is_null() && error_code(r) != Some("CONFLICT"))
        .collect();
    assert!(others.is_empty(), "{others:?}");
    assert_eq!((ok, conflicts.len()), (1, 49));
    assert!(
        conflicts
            .iter()
            .all(|r| r["errors"][0]["extensions"]["currentVersion"] == 2)
    );
    let now = p
        .app
        .graphql_as(
            &p.admin,
            "query($id: ID!) { activity(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["data"]["activity"]["version"], 2, "{now}");
}

#[tokio::test]
async fn admins_delete_an_unreferenced_organization_and_a_referenced_one_is_a_conflict() {
    let p = partners().await;
    let create = "mutation { createOrganization(input: { name: \"Short-lived Institute\", kind: OTHER }) { organization { id version } } }";
    let created = p.app.graphql_as(&p.admin, create, json!({})).await;
    let org = &created["data"]["createOrganization"]["organization"];
    assert_eq!(org["version"], 1, "{created}");
    let delete =
        "mutation($id: ID!, $v: Int!) { deleteOrganization(id: $id, version: $v) { deletedId } }";
    let r = p
        .app
        .graphql_as(&p.editor_a, delete, json!({ "id": org["id"], "v": 1 }))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = p
        .app
        .graphql_as(&p.admin, delete, json!({ "id": org["id"], "v": 3 }))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["currentVersion"], 1);
    // A participant of a plan with tokens is still referenced.
    let r = p
        .app
        .graphql_as(&p.admin, delete, json!({ "id": p.org_a, "v": 1 }))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 plan participation,") && m.contains("2 access tokens")),
        "{r}"
    );
    let r = p
        .app
        .graphql_as(&p.admin, delete, json!({ "id": org["id"], "v": 1 }))
        .await;
    assert_eq!(
        r["data"]["deleteOrganization"]["deletedId"], org["id"],
        "{r}"
    );
    let gone = p
        .app
        .graphql_as(
            &p.admin,
            "query($id: ID!) { organization(id: $id) { id } }",
            json!({ "id": org["id"] }),
        )
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    let log = audit_actions(&p).await;
    assert_eq!(log[0]["action"], "ORGANIZATION_DELETED", "{log:?}");
}
