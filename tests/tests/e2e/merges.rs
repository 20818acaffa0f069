//! Merging duplicates (admins): two organizations or two cities an import made from two spellings
//! become one — every reference moves to the kept record, links both had stay one, the removed
//! name is an alias the next import resolves to the kept record; one audit entry, and the feed
//! says the removed record was deleted and the kept one updated. Conflicting merges are refused
//! and write nothing.

use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::import::{SAMPLE, import_bytes};
use ucap_tests::{error_code, partner_organizations, spawn_app_with};

use super::writes::{Partners, audit_action_names, key, ok, partners};

/// The usual partners, on a server that lets webhook endpoints point at loopback.
async fn partners_with_hooks() -> Partners {
    let app = spawn_app_with(|settings| {
        settings.webhook_allowed_hosts = vec!["127.0.0.1".to_owned()];
    })
    .await;
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

/// The Guangzhou plan of the bundled sample, and its partner city Bologna.
const PLAN: &str = "UGxhbjox";
const BOLOGNA: &str = "Q2l0eToz";

const MERGE_ORGS: &str = "mutation($keep: ID!, $remove: ID!) { mergeOrganizations(keep: $keep, remove: $remove) { organization { id name version } } }";
const MERGE_CITIES: &str = "mutation($keep: ID!, $remove: ID!) { mergeCities(keep: $keep, remove: $remove) { city { id name version } } }";
const CREATE_CITY: &str =
    "mutation($input: CreateCityInput!) { createCity(input: $input) { city { id } } }";
const CHANGES: &str = "query($after: String) { changes(first: 100, after: $after) { pageInfo { endCursor } nodes { operation recordKind recordId } } }";

/// The ID of the organization named `name`.
async fn organization_named(p: &Partners, name: &str) -> Value {
    let all = ok(
        p,
        &p.admin,
        "{ organizations(first: 100) { nodes { id name } } }",
        json!({}),
    )
    .await;
    all["organizations"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["name"] == name)
        .map(|o| o["id"].clone())
        .unwrap_or_else(|| panic!("no organization named {name}: {all}"))
}

/// IDs of a list of records, sorted.
fn ids(list: &Value) -> Vec<Value> {
    let mut ids: Vec<Value> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|x| x["id"].clone())
        .collect();
    ids.sort_by_key(|id| id.to_string());
    ids.dedup();
    ids
}

async fn counts(p: &Partners) -> Value {
    ok(
        p,
        &p.admin,
        "{ cities(first: 1) { totalCount } organizations(first: 1) { totalCount } }",
        json!({}),
    )
    .await
}

/// The feed's cursor now.
async fn feed_end(p: &Partners) -> Value {
    let mut after = Value::Null;
    loop {
        let page = ok(p, &p.admin, CHANGES, json!({ "after": after })).await;
        match &page["changes"]["pageInfo"]["endCursor"] {
            Value::Null => return after,
            c => after = c.clone(),
        }
    }
}

/// The feed entries after `after`, as (operation, kind, ID).
async fn changes_after(p: &Partners, after: &Value) -> Vec<(String, String, Value)> {
    let page = ok(p, &p.admin, CHANGES, json!({ "after": after })).await;
    page["changes"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["operation"].as_str().unwrap_or_default().to_owned(),
                n["recordKind"].as_str().unwrap_or_default().to_owned(),
                n["recordId"].clone(),
            )
        })
        .collect()
}

/// The audit entries with `action`: their target, detail and changes.
async fn audited(p: &Partners, action: &str) -> Vec<Value> {
    let log = "{ auditLog(first: 100) { nodes { action target detail changes { field before after } } } }";
    let r = ok(p, &p.admin, log, json!({})).await;
    r["auditLog"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["action"] == action)
        .cloned()
        .collect()
}

/// The positions of the Guangzhou plan's partner cities, in order, read from the database.
async fn partner_positions(p: &Partners) -> Vec<i16> {
    use entity::plan_partner_city;
    let db = Database::connect(&p.app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::PlanId.eq(key(&json!(PLAN))))
        .order_by_asc(plan_partner_city::Column::Position)
        .all(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|l| l.position)
        .collect()
}

/// Imports the bundled sample again, as the next import would.
async fn import_sample(p: &Partners) {
    let db = Database::connect(&p.app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    import_bytes(&db, "guangzhou.txt", SAMPLE)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn merging_organizations_moves_every_reference_and_the_next_import_finds_the_kept_one() {
    let p = partners_with_hooks().await;
    let keep = organization_named(&p, "University of Bologna").await;
    let remove = organization_named(&p, "Bologna University").await;
    // Both take part in the plan (one row stays), the duplicate has a token and an endpoint.
    let add = "mutation($o: ID!) { addPlanParticipant(input: { plan: \"UGxhbjox\", organization: $o, role: PARTNER }) { plan { id } } }";
    ok(&p, &p.admin, add, json!({ "o": keep })).await;
    ok(&p, &p.admin, add, json!({ "o": remove })).await;
    let (token, _) = p.app.issue_token(Role::Editor, &[key(&remove)]).await;
    let me = "{ me { organizations { id } } }";
    let used = ok(&p, &token, me, json!({})).await;
    assert_eq!(used["me"]["organizations"][0]["id"], remove, "{used}");
    let hook = "mutation($o: ID!) { createWebhookEndpoint(input: { organization: $o, url: \"http://127.0.0.1:9/hooks\" }) { endpoint { id } } }";
    ok(&p, &p.admin, hook, json!({ "o": remove })).await;
    let read = "query($id: ID!) { organization(id: $id) { name activities(first: 100) { nodes { id } } participations { plan { id } role } } }";
    let before_keep = ok(&p, &p.admin, read, json!({ "id": keep })).await;
    let before_remove = ok(&p, &p.admin, read, json!({ "id": remove })).await;
    let mut activities = ids(&before_keep["organization"]["activities"]["nodes"]);
    activities.extend(ids(&before_remove["organization"]["activities"]["nodes"]));
    activities.sort_by_key(|id| id.to_string());
    activities.dedup();
    let before = counts(&p).await;
    let cursor = feed_end(&p).await;

    let merged = ok(
        &p,
        &p.admin,
        MERGE_ORGS,
        json!({ "keep": keep, "remove": remove }),
    )
    .await;
    let org = &merged["mergeOrganizations"]["organization"];
    assert_eq!(org["id"], keep, "{merged}");
    assert_eq!(org["name"], "University of Bologna", "{merged}");
    assert_eq!(org["version"], 2, "{merged}");

    let gone = p
        .app
        .graphql_as(&p.admin, read, json!({ "id": remove }))
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    let after = ok(&p, &p.admin, read, json!({ "id": keep })).await;
    assert_eq!(
        ids(&after["organization"]["activities"]["nodes"]),
        activities,
        "{after}"
    );
    let participations = after["organization"]["participations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(participations.len(), 1, "one row per plan: {after}");
    assert_eq!(participations[0]["plan"]["id"], PLAN, "{after}");
    let hooks = "query($o: ID!) { webhookEndpoints(organization: $o) { totalCount } }";
    let moved = ok(&p, &p.admin, hooks, json!({ "o": keep })).await;
    assert_eq!(moved["webhookEndpoints"]["totalCount"], 1, "{moved}");
    // The duplicate's token is listed for the kept organization; its signed claims still name the
    // removed one, so it no longer authenticates (a new token is needed).
    let listed = "{ tokens(first: 100) { nodes { organizations { id } } } }";
    let listed = ok(&p, &p.admin, listed, json!({})).await;
    let for_keep = listed["tokens"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["organizations"][0]["id"] == keep)
        .count();
    assert_eq!(for_keep, 1, "{listed}");
    let me = p.app.graphql_as(&token, me, json!({})).await;
    assert_eq!(error_code(&me), Some("UNAUTHENTICATED"), "{me}");

    // One audit entry naming both and what moved; the feed: kept updated, removed deleted.
    let actions = audit_action_names(&p).await;
    assert_eq!(actions[0], "ORGANIZATION_MERGED", "{actions:?}");
    assert!(
        !actions
            .iter()
            .any(|a| a == "ORGANIZATION_UPDATED" || a == "ORGANIZATION_DELETED"),
        "{actions:?}"
    );
    let entries = audited(&p, "ORGANIZATION_MERGED").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["target"], keep, "{entries:?}");
    assert_eq!(
        entries[0]["changes"],
        json!([{ "field": "version", "before": 1, "after": 2 }])
    );
    let details: Vec<Value> = entries.iter().map(|e| e["detail"].clone()).collect();
    assert_eq!(details[0]["kept"], keep, "{details:?}");
    assert_eq!(details[0]["removed"], remove, "{details:?}");
    assert_eq!(details[0]["moved"]["plan participation"], 1, "{details:?}");
    assert_eq!(details[0]["moved"]["expected result"], 1, "{details:?}");
    assert_eq!(details[0]["moved"]["access token"], 1, "{details:?}");
    assert_eq!(details[0]["moved"]["webhook endpoint"], 1, "{details:?}");
    let feed = changes_after(&p, &cursor).await;
    assert_eq!(
        feed,
        [
            (
                "UPDATED".to_owned(),
                "Organization".to_owned(),
                keep.clone()
            ),
            (
                "DELETED".to_owned(),
                "Organization".to_owned(),
                remove.clone()
            ),
        ],
        "{feed:?}"
    );

    // The next import names "Bologna University": it is the kept organization, unrenamed.
    import_sample(&p).await;
    let now = counts(&p).await;
    assert_eq!(
        now["organizations"]["totalCount"].as_i64(),
        before["organizations"]["totalCount"]
            .as_i64()
            .map(|n| n - 1),
        "{before} {now}"
    );
    let names = ok(
        &p,
        &p.admin,
        "{ organizations(first: 100) { nodes { name } } }",
        json!({}),
    )
    .await;
    assert!(!names.to_string().contains("Bologna University"), "{names}");
    let after = ok(&p, &p.admin, read, json!({ "id": keep })).await;
    assert_eq!(after["organization"]["name"], "University of Bologna");
    assert_eq!(
        ids(&after["organization"]["activities"]["nodes"]),
        activities,
        "{after}"
    );
}

#[tokio::test]
async fn merging_cities_moves_every_reference_and_the_next_import_finds_the_kept_one() {
    let p = partners().await;
    let input =
        json!({ "name": "Bologna Metropolitan City", "kind": "REGION", "countryCode": "IT" });
    let keep = ok(&p, &p.admin, CREATE_CITY, json!({ "input": input })).await["createCity"]["city"]
        ["id"]
        .clone();
    let read = "query($id: ID!) { city(id: $id) { name partnerPlans { id } activities(first: 100) { nodes { id } } } }";
    let before_remove = ok(&p, &p.admin, read, json!({ "id": BOLOGNA })).await;
    let activities = ids(&before_remove["city"]["activities"]["nodes"]);
    assert!(!activities.is_empty(), "{before_remove}");
    assert_eq!(
        ids(&before_remove["city"]["partnerPlans"]),
        [json!(PLAN)],
        "{before_remove}"
    );
    // Both partners of the plan: one row stays, and the positions after the other close up.
    let partner =
        "mutation($c: ID!) { addPartnerCity(plan: \"UGxhbjox\", city: $c) { plan { id } } }";
    ok(&p, &p.admin, partner, json!({ "c": keep })).await;
    let partners_before = partner_positions(&p).await.len();
    let university = organization_named(&p, "University of Bologna").await;
    let before = counts(&p).await;
    let cursor = feed_end(&p).await;

    let merged = ok(
        &p,
        &p.admin,
        MERGE_CITIES,
        json!({ "keep": keep, "remove": BOLOGNA }),
    )
    .await;
    assert_eq!(merged["mergeCities"]["city"]["id"], keep, "{merged}");
    assert_eq!(merged["mergeCities"]["city"]["version"], 2, "{merged}");

    let gone = p
        .app
        .graphql_as(&p.admin, read, json!({ "id": BOLOGNA }))
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    let kept = ok(&p, &p.admin, read, json!({ "id": keep })).await;
    assert_eq!(ids(&kept["city"]["partnerPlans"]), [json!(PLAN)], "{kept}");
    assert_eq!(
        ids(&kept["city"]["activities"]["nodes"]),
        activities,
        "{kept}"
    );
    let positions = partner_positions(&p).await;
    let gap_free: Vec<i16> = (1..=positions.len() as i16).collect();
    assert_eq!(positions, gap_free);
    assert_eq!(positions.len(), partners_before - 1);
    let city_of = "query($id: ID!) { organization(id: $id) { city { id } } }";
    let org = ok(&p, &p.admin, city_of, json!({ "id": university })).await;
    assert_eq!(org["organization"]["city"]["id"], keep, "{org}");

    let actions = audit_action_names(&p).await;
    assert_eq!(actions[0], "CITY_MERGED", "{actions:?}");
    let entries = audited(&p, "CITY_MERGED").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["target"], keep, "{entries:?}");
    let details: Vec<Value> = entries.iter().map(|e| e["detail"].clone()).collect();
    assert_eq!(details[0]["kept"], keep, "{details:?}");
    assert_eq!(details[0]["removed"], BOLOGNA, "{details:?}");
    assert_eq!(details[0]["moved"]["plan (partner city)"], 1, "{details:?}");
    let feed = changes_after(&p, &cursor).await;
    assert_eq!(
        feed,
        [
            ("UPDATED".to_owned(), "City".to_owned(), keep.clone()),
            ("DELETED".to_owned(), "City".to_owned(), json!(BOLOGNA)),
        ],
        "{feed:?}"
    );

    // The next import names Bologna: it is the kept city; no new city appears.
    import_sample(&p).await;
    let now = counts(&p).await;
    assert_eq!(
        now["cities"]["totalCount"].as_i64(),
        before["cities"]["totalCount"].as_i64().map(|n| n - 1),
        "{before} {now}"
    );
    let kept = ok(&p, &p.admin, read, json!({ "id": keep })).await;
    assert_eq!(kept["city"]["name"], "Bologna Metropolitan City", "{kept}");
    assert_eq!(ids(&kept["city"]["partnerPlans"]), [json!(PLAN)], "{kept}");
}

#[tokio::test]
async fn conflicting_or_unauthorized_merges_are_refused_and_write_nothing() {
    let p = partners().await;
    let keep = organization_named(&p, "University of Bologna").await;
    let remove = organization_named(&p, "Bologna University").await;
    let orgs = json!({ "keep": keep, "remove": remove });

    // Only admins merge.
    for token in [&p.editor_a, &p.viewer_a] {
        let r = p.app.graphql_as(token, MERGE_ORGS, orgs.clone()).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
    let r = p.app.graphql(MERGE_ORGS, orgs.clone()).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            MERGE_CITIES,
            json!({ "keep": BOLOGNA, "remove": "Q2l0eTox" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    // A record merged into itself.
    let same = json!({ "keep": keep, "remove": keep });
    let r = p.app.graphql_as(&p.admin, MERGE_ORGS, same).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    let same = json!({ "keep": BOLOGNA, "remove": BOLOGNA });
    let r = p.app.graphql_as(&p.admin, MERGE_CITIES, same).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");

    // A record that does not exist.
    let missing = json!({ "keep": "T3JnYW5pemF0aW9uOjk5OTk", "remove": remove });
    let r = p.app.graphql_as(&p.admin, MERGE_ORGS, missing).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "keep", "{r}");

    // Both parties of one MoU.
    let mou = json!({ "plan": PLAN, "subject": "Joint lab", "parties": [{ "organization": keep }, { "organization": remove }] });
    let create_mou =
        "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id } } }";
    ok(&p, &p.admin, create_mou, json!({ "input": mou })).await;
    let r = p.app.graphql_as(&p.admin, MERGE_ORGS, orgs.clone()).await;
    assert_eq!(error_code(&r), Some("MERGE_CONFLICT"), "{r}");

    let bologna_too = json!({ "name": "Bologna (duplicate)", "kind": "CITY", "countryCode": "IT" });
    let twin =
        ok(&p, &p.admin, CREATE_CITY, json!({ "input": bologna_too })).await["createCity"]["city"]
            ["id"]
            .clone();
    let cities = json!({ "keep": BOLOGNA, "remove": twin });
    let mou = json!({ "plan": PLAN, "subject": "Twin towns", "parties": [{ "city": BOLOGNA }, { "city": twin }] });
    let made = ok(&p, &p.admin, create_mou, json!({ "input": mou })).await;
    let r = p
        .app
        .graphql_as(&p.admin, MERGE_CITIES, cities.clone())
        .await;
    assert_eq!(error_code(&r), Some("MERGE_CONFLICT"), "{r}");
    let delete = "mutation($id: ID!) { deleteMou(id: $id, version: 1) { deletedId } }";
    ok(
        &p,
        &p.admin,
        delete,
        json!({ "id": made["createMou"]["mou"]["id"] }),
    )
    .await;

    // A plan whose focal city is one and a partner the other.
    let plan = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }";
    let input = json!({ "title": "U-CAP Bologna", "focalCity": BOLOGNA, "period": "2021-03" });
    let bologna_plan =
        ok(&p, &p.admin, plan, json!({ "input": input })).await["createPlan"]["plan"]["id"].clone();
    let partner =
        "mutation($p: ID!, $c: ID!) { addPartnerCity(plan: $p, city: $c) { plan { id } } }";
    ok(
        &p,
        &p.admin,
        partner,
        json!({ "p": bologna_plan, "c": twin }),
    )
    .await;
    let r = p
        .app
        .graphql_as(&p.admin, MERGE_CITIES, cities.clone())
        .await;
    assert_eq!(error_code(&r), Some("MERGE_CONFLICT"), "{r}");
    let reversed = json!({ "keep": twin, "remove": BOLOGNA });
    let r = p.app.graphql_as(&p.admin, MERGE_CITIES, reversed).await;
    assert_eq!(error_code(&r), Some("MERGE_CONFLICT"), "{r}");

    // Cities of two countries.
    let r = p
        .app
        .graphql_as(
            &p.admin,
            MERGE_CITIES,
            json!({ "keep": BOLOGNA, "remove": "Q2l0eTox" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("MERGE_CONFLICT"), "{r}");

    // Nothing was written: no merge audited, every record still there.
    let actions = audit_action_names(&p).await;
    assert!(
        !actions.iter().any(|a| a.ends_with("_MERGED")),
        "{actions:?}"
    );
    let read = "query($a: ID!, $b: ID!, $c: ID!) { a: organization(id: $a) { id } b: organization(id: $b) { id } c: city(id: $c) { id } }";
    let still = ok(
        &p,
        &p.admin,
        read,
        json!({ "a": keep, "b": remove, "c": twin }),
    )
    .await;
    assert!(
        !still["a"].is_null() && !still["b"].is_null() && !still["c"].is_null(),
        "{still}"
    );
}
