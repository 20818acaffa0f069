//! Shared records linked into and out of plans: an existing activity or MoU listed in a second
//! plan (at a position; an MoU fulfilling one of that plan's expected results), taken out again,
//! the last plan kept unless the caller asks for a delete; who may; and each link in the audit
//! log and the change feed like any change.

use serde_json::{Value, json};
use ucap_tests::error_code;

use super::writes::{Partners, audit_action_names, key, ok, partners};

/// The Guangzhou plan of the bundled sample.
const PLAN: &str = "UGxhbjox";
const BOLOGNA: &str = "Q2l0eToz";

const CREATE_ACTIVITY: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version } } }";
const LINK_ACTIVITY: &str = "mutation($id: ID!, $plan: ID!, $position: Int) { linkActivity(id: $id, plan: $plan, position: $position) { activity { id version plans { id } } } }";
const UNLINK_ACTIVITY: &str = "mutation($id: ID!, $plan: ID!, $delete: Boolean) { unlinkActivity(id: $id, plan: $plan, deleteIfLast: $delete) { activity { id plans { id } } deletedId } }";
const CREATE_MOU: &str =
    "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id version } } }";
const LINK_MOU: &str = "mutation($id: ID!, $plan: ID!, $fulfils: ID) { linkMou(id: $id, plan: $plan, fulfils: $fulfils) { mou { id plans { id } } } }";
const UNLINK_MOU: &str = "mutation($id: ID!, $plan: ID!, $delete: Boolean) { unlinkMou(id: $id, plan: $plan, deleteIfLast: $delete) { mou { id plans { id } } deletedId } }";
const ACTIVITY_PLANS: &str = "query($id: ID!) { activity(id: $id) { plans { id } } }";
const CHANGES: &str = "query($after: String) { changes(first: 100, after: $after) { pageInfo { endCursor } nodes { operation recordKind recordId fields } } }";

/// A second plan (Bologna's) in which partner A takes part too; its ID.
async fn second_plan(p: &Partners) -> Value {
    let create = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }";
    let input = json!({ "title": "U-CAP Bologna", "focalCity": BOLOGNA, "period": "2021-03" });
    let plan = ok(p, &p.admin, create, json!({ "input": input })).await["createPlan"]["plan"]["id"]
        .clone();
    let add = "mutation($p: ID!, $o: ID!) { addPlanParticipant(input: { plan: $p, organization: $o, role: PARTNER }) { plan { id } } }";
    ok(p, &p.admin, add, json!({ "p": plan, "o": p.org_a })).await;
    plan
}

async fn new_activity(p: &Partners, plan: &Value, title: &str) -> Value {
    let input = json!({ "plan": plan, "title": title, "date": "2021-03", "kind": "WORKSHOP" });
    ok(p, &p.editor_a, CREATE_ACTIVITY, json!({ "input": input })).await["createActivity"]
        ["activity"]["id"]
        .clone()
}

fn ids(list: &Value) -> Vec<Value> {
    let mut ids: Vec<Value> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|x| x["id"].clone())
        .collect();
    ids.sort_by_key(|id| id.to_string());
    ids
}

fn sorted(mut list: Vec<Value>) -> Vec<Value> {
    list.sort_by_key(|id| id.to_string());
    list
}

/// The plans listing activity `id`, as the admin reads them.
async fn plans_of(p: &Partners, id: &Value) -> Vec<Value> {
    ids(&ok(p, &p.admin, ACTIVITY_PLANS, json!({ "id": id })).await["activity"]["plans"])
}

/// Activity keys of plan `plan` in its order, and their positions, from the admin's JSON export.
async fn listed(p: &Partners, plan: &Value) -> Vec<(i64, i64)> {
    let res = p
        .app
        .client
        .get(format!("{}/export/plans.json", p.app.address))
        .bearer_auth(&p.admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let doc: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
    let plans = doc["plans"].as_array().cloned().unwrap_or_default();
    let plan = plans
        .iter()
        .find(|x| x["id"] == json!(key(plan)))
        .unwrap_or_else(|| panic!("plan {plan} not exported"));
    plan["activities"]
        .as_array()
        .unwrap_or_else(|| panic!("{plan}"))
        .iter()
        .map(|a| {
            let id = a["id"].as_i64().unwrap_or_default();
            (id, a["position"].as_i64().unwrap_or_default())
        })
        .collect()
}

/// The change feed's entries after `after`, and the new cursor.
async fn changes_after(p: &Partners, after: &Value) -> (Vec<Value>, Value) {
    let data = ok(p, &p.admin, CHANGES, json!({ "after": after })).await;
    let page = &data["changes"];
    let nodes = page["nodes"].as_array().cloned().unwrap_or_default();
    let cursor = match &page["pageInfo"]["endCursor"] {
        Value::Null => after.clone(),
        c => c.clone(),
    };
    (nodes, cursor)
}

#[tokio::test]
async fn an_activity_is_linked_into_a_second_plan_at_a_position_and_out_again() {
    let p = partners().await;
    let bologna = second_plan(&p).await;
    let first = new_activity(&p, &bologna, "Bologna kick-off").await;
    let second = new_activity(&p, &bologna, "Bologna site visit").await;
    let shared = new_activity(&p, &json!(PLAN), "Joint mission to Brussels").await;
    let (_, cursor) = changes_after(&p, &Value::Null).await;
    let before_guangzhou = listed(&p, &json!(PLAN)).await;

    // Linked at the head of Bologna's list: the others move down by one.
    let linked = ok(
        &p,
        &p.editor_a,
        LINK_ACTIVITY,
        json!({ "id": shared, "plan": bologna, "position": 1 }),
    )
    .await;
    let activity = &linked["linkActivity"]["activity"];
    assert_eq!(
        ids(&activity["plans"]),
        sorted(vec![json!(PLAN), bologna.clone()])
    );
    assert_eq!(
        listed(&p, &bologna).await,
        [(key(&shared), 1), (key(&first), 2), (key(&second), 3)]
    );
    assert_eq!(listed(&p, &json!(PLAN)).await, before_guangzhou);

    // The feed and the audit log have it like any change.
    let (entries, cursor) = changes_after(&p, &cursor).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["operation"], "UPDATED");
    assert_eq!(entries[0]["recordKind"], "Activity");
    assert_eq!(entries[0]["fields"], json!(["plans"]));
    assert!(
        audit_action_names(&p)
            .await
            .contains(&"ACTIVITY_LINKED".to_owned())
    );

    // Twice is refused, and a position past the end too.
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            LINK_ACTIVITY,
            json!({ "id": shared, "plan": bologna }),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "plan");
    let other = new_activity(&p, &json!(PLAN), "Study tour").await;
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            LINK_ACTIVITY,
            json!({ "id": other, "plan": bologna, "position": 9 }),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "position", "{r}");
    assert_eq!(plans_of(&p, &other).await, [json!(PLAN)]);

    // Out of Bologna's list again: the gap closes.
    let unlinked = ok(
        &p,
        &p.editor_a,
        UNLINK_ACTIVITY,
        json!({ "id": shared, "plan": bologna }),
    )
    .await;
    assert_eq!(unlinked["unlinkActivity"]["deletedId"], Value::Null);
    assert_eq!(
        ids(&unlinked["unlinkActivity"]["activity"]["plans"]),
        [json!(PLAN)]
    );
    assert_eq!(
        listed(&p, &bologna).await,
        [(key(&first), 1), (key(&second), 2)]
    );
    let (entries, _) = changes_after(&p, &cursor).await;
    let unlink = entries.last().unwrap_or_else(|| panic!("no entry"));
    assert_eq!(unlink["fields"], json!(["plans"]));
    assert!(
        audit_action_names(&p)
            .await
            .contains(&"ACTIVITY_UNLINKED".to_owned())
    );

    // Its last plan keeps it, unless the caller asks for the delete.
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UNLINK_ACTIVITY,
            json!({ "id": shared, "plan": PLAN }),
        )
        .await;
    assert_eq!(error_code(&r), Some("LAST_PLAN"), "{r}");
    assert_eq!(plans_of(&p, &shared).await, [json!(PLAN)]);
    let deleted = ok(
        &p,
        &p.editor_a,
        UNLINK_ACTIVITY,
        json!({ "id": shared, "plan": PLAN, "delete": true }),
    )
    .await;
    assert_eq!(deleted["unlinkActivity"]["deletedId"], shared);
    assert_eq!(deleted["unlinkActivity"]["activity"], Value::Null);
    let gone = p
        .app
        .graphql_as(&p.admin, ACTIVITY_PLANS, json!({ "id": shared }))
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
}

#[tokio::test]
async fn only_editors_of_the_target_plan_who_read_the_record_link_it_and_a_refusal_writes_nothing()
{
    let p = partners().await;
    let bologna = second_plan(&p).await;
    let activity = new_activity(&p, &json!(PLAN), "Joint mission to Brussels").await;
    let (_, cursor) = changes_after(&p, &Value::Null).await;
    let link = json!({ "id": activity, "plan": bologna });

    // A's viewer writes nothing, anonymous callers neither; for B the draft plan is not there.
    let r = p
        .app
        .graphql_as(&p.viewer_a, LINK_ACTIVITY, link.clone())
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = p
        .app
        .graphql_as(&p.editor_b, LINK_ACTIVITY, link.clone())
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "plan");
    let r = p.app.graphql(LINK_ACTIVITY, link.clone()).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    // A draft of partner A's plan does not exist for B, even as a link target's record.
    let draft =
        json!({ "plan": PLAN, "title": "Private prep meeting", "kind": "MEETING", "draft": true });
    let draft = ok(&p, &p.editor_a, CREATE_ACTIVITY, json!({ "input": draft })).await
        ["createActivity"]["activity"]["id"]
        .clone();
    let r = p
        .app
        .graphql_as(
            &p.editor_b,
            LINK_ACTIVITY,
            json!({ "id": draft, "plan": PLAN }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");

    // Unlinking from a plan the caller does not edit: refused; the activity stays.
    ok(&p, &p.editor_a, LINK_ACTIVITY, link.clone()).await;
    let (_, cursor_after_link) = changes_after(&p, &cursor).await;
    let r = p
        .app
        .graphql_as(
            &p.editor_b,
            UNLINK_ACTIVITY,
            json!({ "id": activity, "plan": PLAN }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UNLINK_ACTIVITY,
            json!({ "id": activity, "plan": "UGxhbjo5OTk=" }),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "plan", "{r}");
    assert_eq!(
        plans_of(&p, &activity).await,
        sorted(vec![json!(PLAN), bologna.clone()])
    );
    let (entries, _) = changes_after(&p, &cursor_after_link).await;
    assert!(entries.is_empty(), "refusals wrote {entries:?}");
}

#[tokio::test]
async fn an_mou_is_linked_as_fulfilling_an_expected_result_of_the_second_plan() {
    let p = partners().await;
    let bologna = second_plan(&p).await;
    let result = "mutation($input: CreateExpectedResultInput!) { createExpectedResult(input: $input) { expectedResult { id } } }";
    let in_bologna = json!({ "plan": bologna, "kind": "MOU", "description": "An MoU on e-buses" });
    let in_bologna = ok(&p, &p.editor_a, result, json!({ "input": in_bologna })).await
        ["createExpectedResult"]["expectedResult"]["id"]
        .clone();
    let in_guangzhou = json!({ "plan": PLAN, "kind": "MOU", "description": "Another MoU" });
    let in_guangzhou =
        ok(&p, &p.editor_a, result, json!({ "input": in_guangzhou })).await["createExpectedResult"]
            ["expectedResult"]["id"]
            .clone();
    let input = json!({
        "plan": PLAN,
        "subject": "Cooperation on hydrogen buses",
        "parties": [{ "organization": p.org_a }, { "city": BOLOGNA }],
    });
    let mou = ok(&p, &p.editor_a, CREATE_MOU, json!({ "input": input })).await["createMou"]["mou"]
        ["id"]
        .clone();

    // An expected result of another plan is not one it can fulfil there.
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            LINK_MOU,
            json!({ "id": mou, "plan": bologna, "fulfils": in_guangzhou }),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "fulfils", "{r}");

    let linked = ok(
        &p,
        &p.editor_a,
        LINK_MOU,
        json!({ "id": mou, "plan": bologna, "fulfils": in_bologna }),
    )
    .await;
    assert_eq!(
        ids(&linked["linkMou"]["mou"]["plans"]),
        sorted(vec![json!(PLAN), bologna.clone()])
    );
    let res = p
        .app
        .client
        .get(format!("{}/export/plans.json", p.app.address))
        .bearer_auth(&p.admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let doc: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
    let exported = doc["plans"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["id"] == json!(key(&bologna)))
        .map(|x| x["mous"].clone())
        .unwrap_or_default();
    assert_eq!(exported[0]["id"], json!(key(&mou)), "{exported}");
    assert_eq!(exported[0]["expectedResultId"], json!(key(&in_bologna)));
    assert!(
        audit_action_names(&p)
            .await
            .contains(&"MOU_LINKED".to_owned())
    );

    let unlinked = ok(
        &p,
        &p.editor_a,
        UNLINK_MOU,
        json!({ "id": mou, "plan": PLAN }),
    )
    .await;
    assert_eq!(
        ids(&unlinked["unlinkMou"]["mou"]["plans"]),
        std::slice::from_ref(&bologna)
    );
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UNLINK_MOU,
            json!({ "id": mou, "plan": bologna }),
        )
        .await;
    assert_eq!(error_code(&r), Some("LAST_PLAN"), "{r}");
}
