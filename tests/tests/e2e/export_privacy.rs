//! The exports date a plan (`lastUpdatedAt`, `updatedSince`) by what the caller may see: a change
//! to a draft, an internal note or a contact moves them only for those who read it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::writes::{Partners, partners};

const PLAN: &str = "UGxhbjox";
const BOLOGNA: &str = "Q2l0eToz";
const PLAN_VERSION: &str = "query($id: ID!) { plan(id: $id) { version } }";
const UPDATE_PLAN: &str = "mutation($id: ID!, $v: Int!, $input: UpdatePlanInput!) { updatePlan(id: $id, version: $v, input: $input) { plan { version } } }";
const ADD_CONTACT: &str = "mutation($plan: ID!, $email: String!) { addPlanContact(plan: $plan, email: $email) { plan { id } } }";
const CREATE_ACTIVITY: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version } } }";
const UPDATE_ACTIVITY: &str = "mutation($id: ID!, $v: Int!, $input: UpdateActivityInput!) { updateActivity(id: $id, version: $v, input: $input) { activity { version } } }";
const CREATE_MOU: &str =
    "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id version } } }";
const UPDATE_MOU: &str = "mutation($id: ID!, $v: Int!, $input: UpdateMouInput!) { updateMou(id: $id, version: $v, input: $input) { mou { version } } }";

/// Runs a GraphQL write or read as `token` and returns its `data`; fails on any error.
async fn gql(p: &Partners, token: &str, document: &str, variables: Value) -> Value {
    let r = p.app.graphql_as(token, document, variables).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}

async fn get(p: &Partners, path: &str, token: Option<&str>) -> String {
    let mut request = p.app.client.get(format!("{}{path}", p.app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(res.status(), reqwest::StatusCode::OK, "GET {path}");
    res.text().await.unwrap_or_else(|e| panic!("{e}"))
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

/// What one export says of the Guangzhou plan: its `lastUpdatedAt` from `plans.json` and from
/// `plans.csv`, and how many plans each selects with `updatedSince` = `since`.
#[derive(Debug, PartialEq)]
struct Seen {
    json_last: DateTime<Utc>,
    csv_last: DateTime<Utc>,
    json_since: usize,
    csv_since: usize,
}

async fn seen(p: &Partners, token: Option<&str>, since: DateTime<Utc>) -> Seen {
    let document: Value = serde_json::from_str(&get(p, "/export/plans.json", token).await)
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = document["plans"]
        .as_array()
        .and_then(|plans| plans.iter().find(|plan| plan["id"] == 1))
        .unwrap_or_else(|| panic!("no plan 1 in {document}"));
    let json_last = instant(plan["lastUpdatedAt"].as_str().unwrap_or_default());

    let csv = get(p, "/export/plans.csv", token).await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap_or_else(|e| panic!("{e}")).clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    let (id, last) = (at("plan_id"), at("last_updated_at"));
    let row = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .find(|r| &r[id] == "1")
        .unwrap_or_else(|| panic!("no plan 1 in {csv}"));
    let csv_last = instant(&row[last]);

    let since = since
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B");
    let document: Value = serde_json::from_str(
        &get(
            p,
            &format!("/export/plans.json?updatedSince={since}"),
            token,
        )
        .await,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let json_since = document["plans"].as_array().map_or(0, Vec::len);
    let csv = get(p, &format!("/export/plans.csv?updatedSince={since}"), token).await;
    let csv_since = csv::Reader::from_reader(csv.as_bytes()).records().count();
    Seen {
        json_last,
        csv_last,
        json_since,
        csv_since,
    }
}

/// A public activity and a public MoU of the plan, made before the edits a test looks at.
async fn public_records(p: &Partners) -> (Value, Value) {
    let activity = gql(
        p,
        &p.editor_a,
        CREATE_ACTIVITY,
        json!({ "input": { "plan": PLAN, "title": "Open workshop", "kind": "WORKSHOP", "date": "2022" } }),
    )
    .await["createActivity"]["activity"]
        .clone();
    let mou = gql(
        p,
        &p.editor_a,
        CREATE_MOU,
        json!({ "input": { "plan": PLAN, "subject": "Open MoU", "parties": [{ "organization": p.org_a }, { "city": BOLOGNA }] } }),
    )
    .await["createMou"]["mou"]
        .clone();
    (activity, mou)
}

/// Edits only what the plan's organizations read: the plan's internal note and contacts, a draft
/// activity and a draft MoU (created, then edited), and the internal notes of public ones.
async fn private_edits(p: &Partners, activity: &Value, mou: &Value) {
    let token = p.editor_a.as_str();
    let version =
        gql(p, token, PLAN_VERSION, json!({ "id": PLAN })).await["plan"]["version"].clone();
    gql(
        p,
        token,
        UPDATE_PLAN,
        json!({ "id": PLAN, "v": version, "input": { "internalNote": "Budget still unclear" } }),
    )
    .await;
    gql(
        p,
        token,
        ADD_CONTACT,
        json!({ "plan": PLAN, "email": "desk@example.org" }),
    )
    .await;
    let draft = gql(
        p,
        token,
        CREATE_ACTIVITY,
        json!({ "input": { "plan": PLAN, "title": "Unannounced visit", "kind": "MEETING", "date": "2023", "draft": true } }),
    )
    .await["createActivity"]["activity"]
        .clone();
    gql(
        p,
        token,
        UPDATE_ACTIVITY,
        json!({ "id": draft["id"], "v": draft["version"], "input": { "title": "Unannounced visit, moved" } }),
    )
    .await;
    gql(
        p,
        token,
        UPDATE_ACTIVITY,
        json!({ "id": activity["id"], "v": activity["version"], "input": { "internalNote": "Speaker not confirmed" } }),
    )
    .await;
    let draft_mou = gql(
        p,
        token,
        CREATE_MOU,
        json!({ "input": { "plan": PLAN, "subject": "Draft MoU", "draft": true, "parties": [{ "organization": p.org_a }, { "city": BOLOGNA }] } }),
    )
    .await["createMou"]["mou"]
        .clone();
    gql(
        p,
        token,
        UPDATE_MOU,
        json!({ "id": draft_mou["id"], "v": draft_mou["version"], "input": { "subject": "Draft MoU, reworded" } }),
    )
    .await;
    gql(
        p,
        token,
        UPDATE_MOU,
        json!({ "id": mou["id"], "v": mou["version"], "input": { "internalNote": "Legal review pending" } }),
    )
    .await;
}

#[tokio::test]
async fn private_edits_move_neither_last_updated_at_nor_updated_since_for_outsiders() {
    let p = partners().await;
    let (activity, mou) = public_records(&p).await;
    let mark = Utc::now();
    let anonymous = seen(&p, None, mark).await;
    let outsider = seen(&p, Some(&p.editor_b), mark).await;
    assert_eq!((anonymous.json_since, anonymous.csv_since), (0, 0));
    assert_eq!(anonymous.json_last, anonymous.csv_last);

    private_edits(&p, &activity, &mou).await;

    assert_eq!(seen(&p, None, mark).await, anonymous);
    assert_eq!(seen(&p, Some(&p.editor_b), mark).await, outsider);
}

#[tokio::test]
async fn a_public_edit_moves_last_updated_at_and_updated_since_for_everyone() {
    let p = partners().await;
    let (activity, _) = public_records(&p).await;
    let mark = Utc::now();
    let before = seen(&p, None, mark).await;
    gql(
        &p,
        &p.editor_a,
        UPDATE_ACTIVITY,
        json!({ "id": activity["id"], "v": activity["version"], "input": { "title": "Open workshop, new date" } }),
    )
    .await;
    for token in [None, Some(p.editor_b.as_str()), Some(p.viewer_a.as_str())] {
        let after = seen(&p, token, mark).await;
        assert!(after.json_last > before.json_last, "{token:?}: {after:?}");
        assert!(after.json_last >= mark, "{token:?}: {after:?}");
        assert_eq!(after.csv_last, after.json_last, "{token:?}");
        assert_eq!((after.json_since, after.csv_since), (1, 1), "{token:?}");
    }
}

#[tokio::test]
async fn the_plans_organizations_and_admins_see_private_edits_move_the_export() {
    let p = partners().await;
    let (activity, mou) = public_records(&p).await;
    let mark = Utc::now();
    let member = seen(&p, Some(&p.viewer_a), mark).await;
    assert_eq!((member.json_since, member.csv_since), (0, 0));

    private_edits(&p, &activity, &mou).await;

    for token in [&p.viewer_a, &p.admin] {
        let after = seen(&p, Some(token), mark).await;
        assert!(after.json_last > member.json_last, "{after:?}");
        assert!(after.json_last >= mark, "{after:?}");
        assert_eq!(after.csv_last, after.json_last);
        assert_eq!((after.json_since, after.csv_since), (1, 1));
    }
}
