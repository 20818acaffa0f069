//! The JSON export as backup and migration format: a database enriched through the API, exported
//! with every record, restored into a new empty database and exported again gives the same
//! document; a server on the restored database answers the same and accepts new records.

use sea_orm::{ConnectOptions, Database};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::import::backup;
use ucap::settings::Settings;
use ucap::startup::Application;
use ucap_tests::TestDb;

use super::writes::{Partners, key, partners};

/// The Guangzhou plan of the bundled sample.
const PLAN: &str = "UGxhbjox";
/// Bologna, a city of the bundled gazetteer.
const BOLOGNA: &str = "Q2l0eToz";

/// `plans.json` as an admin downloads it from the server at `address`.
pub async fn json_export(address: &str, admin: &str) -> String {
    let res = reqwest::Client::new()
        .get(format!("{address}/export/plans.json"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    res.text().await.unwrap_or_else(|e| panic!("{e}"))
}

/// The document as a value, without the one field that must differ between two exports.
fn comparable(document: &str) -> Value {
    let mut v: Value = serde_json::from_str(document).unwrap_or_else(|e| panic!("{e}"));
    if let Some(o) = v.as_object_mut() {
        o.remove("exportedAt");
    }
    v
}

async fn write(p: &Partners, token: &str, query: &str, variables: Value) -> Value {
    let r = p.app.graphql_as(token, query, variables).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}

/// The sample plus what the API adds: a participant organization, activities (one a draft with
/// an internal note), an MoU with parties and a deleted theme (a change only the feed remembers).
async fn enriched() -> Partners {
    let p = partners().await;
    let activity = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }";
    write(
        &p,
        &p.editor_a,
        activity,
        json!({ "input": { "plan": PLAN, "title": "Hydrogen bus study visit", "kind": "STUDY_VISIT",
            "date": "2021-03", "place": "Bologna", "placeCity": BOLOGNA, "cities": [BOLOGNA] } }),
    )
    .await;
    write(
        &p,
        &p.admin,
        activity,
        json!({ "input": { "plan": PLAN, "title": "Draft workshop", "kind": "WORKSHOP",
            "draft": true, "internalNote": "budget not yet approved" } }),
    )
    .await;
    write(
        &p,
        &p.admin,
        "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id } } }",
        json!({ "input": { "plan": PLAN, "subject": "Cooperation on hydrogen buses",
            "parties": [{ "organization": p.org_a }, { "city": BOLOGNA }],
            "internalNote": "signing planned for the autumn" } }),
    )
    .await;
    let theme = write(
        &p,
        &p.admin,
        "mutation($input: CreateThemeInput!) { createTheme(input: $input) { theme { id version } } }",
        json!({ "input": { "plan": PLAN, "title": "Short-lived theme" } }),
    )
    .await;
    let theme = &theme["createTheme"]["theme"];
    write(
        &p,
        &p.admin,
        "mutation($id: ID!, $v: Int!) { deleteTheme(id: $id, version: $v) { deletedId } }",
        json!({ "id": theme["id"], "v": theme["version"] }),
    )
    .await;
    p
}

/// A server on an existing database, and an admin token for it.
struct Restored {
    address: String,
    admin: String,
    client: reqwest::Client,
}

impl Restored {
    async fn start(like: &Settings, database_url: &str) -> Self {
        let settings = Settings {
            database_url: database_url.to_owned(),
            ..like.clone()
        };
        let app = Application::build(settings.clone())
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let (admin, _) = ucap_tests::issue_token(&settings, Role::Admin, &[]).await;
        Self {
            address,
            admin,
            client: reqwest::Client::new(),
        }
    }

    async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(&self.admin)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

const PLAN_QUERY: &str = "query($id: ID!) { plan(id: $id) { id slug title status version updatedAt
    internalNote focalCity { id name } partnerCities { id name } participants { role organization { id name } }
    themes { id title position } sdgGoals { number } sdgTargets { code } urbanAgendaPartnerships { key }
    expectedResults { id description }
    activities(first: 100) { totalCount nodes { id title kind draft internalNote version date { text }
      cities { id } organizations { id } } }
    mous { id subject status internalNote parties { name } } } }";

const SEARCH: &str = "query($text: String!) { search(text: $text, first: 20) { totalCount
    edges { node { kind record { ... on Plan { id } ... on Activity { id } ... on Mou { id } ... on City { id } } } } } }";

#[tokio::test]
async fn an_export_restored_into_an_empty_database_exports_the_same_and_serves_the_same() {
    let p = enriched().await;
    let before = json_export(&p.app.address, &p.admin).await;

    let (_restored_db, restored_url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e:#}"));
    let mut opts = ConnectOptions::new(restored_url.clone());
    opts.sqlx_logging(false);
    let db = Database::connect(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ucap::db::migrate(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let document = backup::read(before.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let counts = backup::restore(&db, &document)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The sample's five activities and three MoUs, and the two activities and the MoU added.
    assert_eq!(
        (
            counts.get("activity"),
            counts.get("mou"),
            counts.get("plan")
        ),
        (7, 4, 1),
        "{counts}"
    );
    // A second restore into what is now a database with data is refused.
    assert!(matches!(
        backup::restore(&db, &document).await,
        Err(backup::RestoreError::NotEmpty(_))
    ));
    db.close().await.unwrap_or_else(|e| panic!("{e}"));

    let restored = Restored::start(&p.app.settings, &restored_url).await;
    let after = json_export(&restored.address, &restored.admin).await;
    assert_eq!(comparable(&before), comparable(&after));
    let plan = json!({ "id": PLAN });
    let original = p.app.graphql_as(&p.admin, PLAN_QUERY, plan.clone()).await;
    assert!(original["errors"].is_null(), "{original}");
    assert_eq!(restored.graphql(PLAN_QUERY, plan).await, original);
    for text in ["hydrogen", "Guangzhou", "广州", "Bologna"] {
        let vars = json!({ "text": text });
        let original = p.app.graphql_as(&p.admin, SEARCH, vars.clone()).await;
        assert!(
            original["data"]["search"]["totalCount"].as_i64() > Some(0),
            "{text}: {original}"
        );
        assert_eq!(restored.graphql(SEARCH, vars).await, original, "{text}");
    }

    // The id sequences are past the restored rows: a new activity and MoU get fresh ids.
    let created = restored
        .graphql(
            "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
            json!({ "input": { "plan": PLAN, "title": "After the restore", "kind": "MEETING" } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let new_id = key(&created["data"]["createActivity"]["activity"]["id"]);
    let highest = document
        .plans
        .iter()
        .flat_map(|p| &p.activities)
        .map(|a| a.id)
        .max()
        .unwrap_or_default();
    assert!(new_id > highest, "{new_id} ≤ {highest}");
    let mou = restored
        .graphql(
            "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id } } }",
            json!({ "input": { "plan": PLAN, "subject": "Second MoU", "parties": [{ "city": BOLOGNA }] } }),
        )
        .await;
    assert!(mou["errors"].is_null(), "{mou}");
}
