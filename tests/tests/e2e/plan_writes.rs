//! Writes of plans and their parts: plans, themes, statements, expected results, cities and the
//! plan's links (SDGs, Urban Agenda partnerships, partner cities). Who may write, field-level
//! validation, stale versions, ordered positions, and the audit entry of each write.

use futures::future::join_all;
use serde_json::{Value, json};
use ucap_tests::error_code;

use super::writes::{Partners, key, partners};

/// The global IDs of cities, as audit details name them.
fn city_ids(ids: &[i64]) -> Value {
    ids.iter()
        .map(|&id| ucap::graphql::ids::NodeKind::City.id(id).0)
        .collect()
}

/// The Guangzhou plan of the bundled sample (focal city Guangzhou, five partner cities).
const PLAN: &str = "UGxhbjox";
const GUANGZHOU: &str = "Q2l0eTox";
const BOLOGNA: &str = "Q2l0eToz";
const MANNHEIM: &str = "Q2l0eTo4";

/// Runs `query` as `token` and returns `data`, failing on any error.
async fn ok(p: &Partners, token: &str, query: &str, variables: Value) -> Value {
    let r = p.app.graphql_as(token, query, variables).await;
    assert!(r["errors"].is_null(), "{query}: {r}");
    r["data"].clone()
}

/// Runs `query` as `token` and asserts the error code (and the input field, for bad input).
async fn refused(p: &Partners, token: &str, query: &str, variables: Value, code: &str) -> Value {
    let r = p.app.graphql_as(token, query, variables.clone()).await;
    assert_eq!(error_code(&r), Some(code), "{variables}: {r}");
    r
}

async fn bad_input(p: &Partners, token: &str, query: &str, variables: Value, field: &str) {
    let r = refused(p, token, query, variables.clone(), "BAD_USER_INPUT").await;
    assert_eq!(
        r["errors"][0]["extensions"]["field"], field,
        "{variables}: {r}"
    );
}

/// A stale version: CONFLICT naming the current version.
async fn stale(p: &Partners, token: &str, query: &str, variables: Value, current: i64) {
    let r = refused(p, token, query, variables, "CONFLICT").await;
    assert_eq!(
        r["errors"][0]["extensions"]["currentVersion"], current,
        "{r}"
    );
}

/// The audit entries of the writes of records of `kind` (`<KIND>_<OPERATION>`), newest first.
async fn audit(p: &Partners, kind: &str) -> Vec<Value> {
    let mut prefix = String::new();
    for (i, c) in kind.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            prefix.push('_');
        }
        prefix.push(c.to_ascii_uppercase());
    }
    prefix.push('_');
    let data = ok(
        p,
        &p.admin,
        "{ auditLog(first: 100) { nodes { action targetKind target detail } } }",
        json!({}),
    )
    .await;
    data["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{data}"))
        .iter()
        .filter(|e| {
            // The bundled sample's import at start-up is audited too; these tests look at writes.
            e["targetKind"] == kind
                && e["action"]
                    .as_str()
                    .is_some_and(|a| a.starts_with(&prefix) && a != "PLAN_IMPORTED")
        })
        .cloned()
        .collect()
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect()
}

/// The change of `field` in an audit entry: `(before, after)`.
fn change(entry: &Value, field: &str) -> Option<(Value, Value)> {
    entry["detail"]["changes"]
        .as_array()?
        .iter()
        .find(|c| c["field"] == field)
        .map(|c| (c["before"].clone(), c["after"].clone()))
}

async fn plan_count(p: &Partners) -> i64 {
    let data = ok(p, &p.admin, "{ plans { totalCount } }", json!({})).await;
    data["plans"]["totalCount"].as_i64().unwrap_or(-1)
}

/// A part list of the sample plan as seen by the admin.
async fn sample(p: &Partners, selection: &str) -> Value {
    let data = ok(
        p,
        &p.admin,
        &format!("{{ plan(id: \"{PLAN}\") {{ {selection} }} }}"),
        json!({}),
    )
    .await;
    data["plan"].clone()
}

const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id slug title status version period { text precision start end } focalCity { name } internalNote } } }";
const UPDATE_PLAN: &str = "mutation($id: ID!, $v: Int!, $input: UpdatePlanInput!) { updatePlan(id: $id, version: $v, input: $input) { plan { id title status version period { precision } } } }";
const DELETE_PLAN: &str =
    "mutation($id: ID!, $v: Int!) { deletePlan(id: $id, version: $v) { deletedId } }";

#[tokio::test]
async fn admins_create_and_delete_plans_and_the_plan_s_editors_change_its_texts() {
    let p = partners().await;
    let before = plan_count(&p).await;
    let input = json!({
        "title": "U-CAP Bologna", "focalCity": BOLOGNA, "period": "2021-03",
        "internalNote": "kick-off pending", "idempotencyKey": "plan-bologna"
    });
    for token in [&p.editor_a, &p.editor_b, &p.viewer_a] {
        refused(
            &p,
            token,
            CREATE_PLAN,
            json!({ "input": input }),
            "FORBIDDEN",
        )
        .await;
    }
    assert_eq!(plan_count(&p).await, before);

    let created = ok(&p, &p.admin, CREATE_PLAN, json!({ "input": input })).await;
    let plan = &created["createPlan"]["plan"];
    assert_eq!(plan["slug"], "u-cap-bologna");
    assert_eq!(plan["status"], "DRAFT");
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["focalCity"]["name"], "Bologna");
    assert_eq!(
        plan["period"],
        json!({ "text": "2021-03", "precision": "MONTH", "start": "2021-03-01", "end": "2021-03-31" })
    );
    let id = plan["id"].clone();
    // A retry with the same key answers with the same plan and writes nothing more.
    let again = ok(&p, &p.admin, CREATE_PLAN, json!({ "input": input })).await;
    assert_eq!(again["createPlan"]["plan"]["id"], id);
    assert_eq!(plan_count(&p).await, before + 1);
    // Without a key, a second plan of the same title gets the next free slug.
    let mut second = input.clone();
    second["idempotencyKey"] = Value::Null;
    let second = ok(&p, &p.admin, CREATE_PLAN, json!({ "input": second })).await;
    assert_eq!(second["createPlan"]["plan"]["slug"], "u-cap-bologna-2");

    let cases = [
        (json!({ "period": "2021-02-30" }), "period"),
        (json!({ "period": "soon" }), "period"),
        (json!({ "title": "  " }), "title"),
        (json!({ "title": "nul\u{0}byte" }), "title"),
        (json!({ "title": "x".repeat(501) }), "title"),
        (json!({ "slug": "Not A Slug" }), "slug"),
        (json!({ "focalCity": "garbage" }), "focalCity"),
        (json!({ "focalCity": PLAN }), "focalCity"),
        (json!({ "internalNote": "a\u{0}b" }), "internalNote"),
    ];
    for (change, field) in cases {
        let mut bad = json!({ "title": "U-CAP Nowhere", "focalCity": BOLOGNA });
        for (k, v) in change.as_object().into_iter().flatten() {
            bad[k] = v.clone();
        }
        bad_input(&p, &p.admin, CREATE_PLAN, json!({ "input": bad }), field).await;
    }
    let taken = json!({ "title": "Again", "slug": "guangzhou-cn", "focalCity": BOLOGNA });
    refused(
        &p,
        &p.admin,
        CREATE_PLAN,
        json!({ "input": taken }),
        "CONFLICT",
    )
    .await;
    assert_eq!(plan_count(&p).await, before + 2);

    // Editors of the sample plan change its texts, not its status; others change nothing.
    let retitle = json!({ "id": PLAN, "v": 1, "input": { "title": "U-CAP Guangzhou 2.0", "period": "2017–2019" } });
    for token in [&p.editor_b, &p.viewer_a] {
        refused(&p, token, UPDATE_PLAN, retitle.clone(), "FORBIDDEN").await;
    }
    let updated = ok(&p, &p.editor_a, UPDATE_PLAN, retitle.clone()).await;
    assert_eq!(
        updated["updatePlan"]["plan"],
        json!({ "id": PLAN, "title": "U-CAP Guangzhou 2.0", "status": "PUBLISHED", "version": 2, "period": { "precision": "YEAR" } })
    );
    stale(&p, &p.editor_a, UPDATE_PLAN, retitle, 2).await;
    let unpublish = json!({ "id": PLAN, "v": 2, "input": { "status": "DRAFT" } });
    refused(&p, &p.editor_a, UPDATE_PLAN, unpublish, "FORBIDDEN").await;
    bad_input(
        &p,
        &p.editor_a,
        UPDATE_PLAN,
        json!({ "id": PLAN, "v": 2, "input": { "period": "2021-02-30" } }),
        "period",
    )
    .await;
    // The admin publishes the new plan.
    let published = ok(
        &p,
        &p.admin,
        UPDATE_PLAN,
        json!({ "id": id, "v": 1, "input": { "status": "PUBLISHED" } }),
    )
    .await;
    assert_eq!(published["updatePlan"]["plan"]["status"], "PUBLISHED");

    // Deleting: admins only, never a plan that still lists activities, at the version read.
    refused(
        &p,
        &p.editor_a,
        DELETE_PLAN,
        json!({ "id": PLAN, "v": 2 }),
        "FORBIDDEN",
    )
    .await;
    let r = refused(
        &p,
        &p.admin,
        DELETE_PLAN,
        json!({ "id": PLAN, "v": 2 }),
        "CONFLICT",
    )
    .await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("activities")),
        "{r}"
    );
    stale(&p, &p.admin, DELETE_PLAN, json!({ "id": id, "v": 1 }), 2).await;
    // Its own parts go with it, each with its entry.
    let theme = json!({ "plan": id, "title": "Mobility" });
    let theme = ok(&p, &p.admin, CREATE_THEME, json!({ "input": theme })).await;
    let theme = theme["createTheme"]["theme"]["id"].clone();
    let deleted = ok(&p, &p.admin, DELETE_PLAN, json!({ "id": id, "v": 2 })).await;
    assert_eq!(deleted["deletePlan"]["deletedId"], id);
    assert_eq!(plan_count(&p).await, before + 1);

    let log = audit(&p, "Plan").await;
    assert_eq!(
        actions(&log),
        [
            "PLAN_DELETED",
            "PLAN_UPDATED",
            "PLAN_UPDATED",
            "PLAN_CREATED",
            "PLAN_CREATED"
        ],
        "{log:?}"
    );
    assert_eq!(log[0]["target"], id);
    assert_eq!(
        change(&log[1], "status"),
        Some((json!("DRAFT"), json!("PUBLISHED")))
    );
    assert_eq!(
        change(&log[2], "title"),
        Some((json!("U-CAP Guangzhou"), json!("U-CAP Guangzhou 2.0")))
    );
    assert_eq!(log[2]["target"], PLAN);
    assert_eq!(
        change(&log[4], "period"),
        Some((Value::Null, json!("2021-03")))
    );
    let themes = audit(&p, "Theme").await;
    assert_eq!(actions(&themes), ["THEME_DELETED", "THEME_CREATED"]);
    assert_eq!(themes[0]["target"], theme);
    assert_eq!(themes[0]["detail"]["plans"], json!([id]));
}

const THEMES: &str = "themes { id position title version }";
const CREATE_THEME: &str = "mutation($input: CreateThemeInput!) { createTheme(input: $input) { theme { id position title description version plan { id } } } }";
const UPDATE_THEME: &str = "mutation($id: ID!, $v: Int!, $input: UpdateThemeInput!) { updateTheme(id: $id, version: $v, input: $input) { theme { id position title version } } }";
const DELETE_THEME: &str =
    "mutation($id: ID!, $v: Int!) { deleteTheme(id: $id, version: $v) { deletedId } }";

fn titles(list: &Value) -> Vec<(i64, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|t| {
            (
                t["position"].as_i64().unwrap_or(-1),
                t["title"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(12)
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn editors_of_the_plan_add_move_and_remove_themes_and_positions_stay_in_order() {
    let p = partners().await;
    let themes = sample(&p, THEMES).await["themes"].clone();
    assert_eq!(themes.as_array().map(Vec::len), Some(4));
    let input =
        json!({ "plan": PLAN, "title": "Water and Resilience", "description": "Flood risk" });
    for token in [&p.editor_b, &p.viewer_a] {
        refused(
            &p,
            token,
            CREATE_THEME,
            json!({ "input": input }),
            "FORBIDDEN",
        )
        .await;
    }
    for (change, field) in [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "a\u{0}b" }), "title"),
        (json!({ "description": "x".repeat(20_001) }), "description"),
        (json!({ "position": 0 }), "position"),
        (json!({ "position": 6 }), "position"),
        (json!({ "plan": "UGxhbjo5OTk5" }), "plan"),
    ] {
        let mut bad = input.clone();
        for (k, v) in change.as_object().into_iter().flatten() {
            bad[k] = v.clone();
        }
        bad_input(
            &p,
            &p.editor_a,
            CREATE_THEME,
            json!({ "input": bad }),
            field,
        )
        .await;
    }
    assert_eq!(
        sample(&p, THEMES).await["themes"],
        themes,
        "nothing written"
    );

    // Appended after the last, then one put first: the others move down.
    let water = ok(&p, &p.editor_a, CREATE_THEME, json!({ "input": input })).await;
    let water = &water["createTheme"]["theme"];
    assert_eq!(
        (&water["position"], &water["version"], &water["plan"]["id"]),
        (&json!(5), &json!(1), &json!(PLAN))
    );
    let mut first = input.clone();
    first["title"] = json!("Governance");
    first["position"] = json!(1);
    let governance = ok(&p, &p.admin, CREATE_THEME, json!({ "input": first })).await;
    let governance = governance["createTheme"]["theme"]["id"].clone();
    assert_eq!(
        titles(&sample(&p, THEMES).await["themes"]),
        [
            (1, "Governance".into()),
            (2, "Smart City &".into()),
            (3, "Health Care ".into()),
            (4, "Culture, Tou".into()),
            (5, "Circular Eco".into()),
            (6, "Water and Re".into()),
        ]
    );

    // Moving the last theme to second place; a stale version changes nothing.
    let water_id = water["id"].clone();
    let moved = ok(
        &p,
        &p.editor_a,
        UPDATE_THEME,
        json!({ "id": water_id, "v": 1, "input": { "position": 2, "title": "Water" } }),
    )
    .await;
    assert_eq!(
        moved["updateTheme"]["theme"],
        json!({ "id": water_id, "position": 2, "title": "Water", "version": 2 })
    );
    stale(
        &p,
        &p.editor_a,
        UPDATE_THEME,
        json!({ "id": water_id, "v": 1, "input": { "title": "Stale" } }),
        2,
    )
    .await;
    bad_input(
        &p,
        &p.editor_a,
        UPDATE_THEME,
        json!({ "id": water_id, "v": 2, "input": { "position": 7 } }),
        "position",
    )
    .await;
    for token in [&p.editor_b, &p.viewer_a] {
        let update = json!({ "id": water_id, "v": 2, "input": { "title": "Hijacked" } });
        refused(&p, token, UPDATE_THEME, update, "FORBIDDEN").await;
        let delete = json!({ "id": water_id, "v": 2 });
        refused(&p, token, DELETE_THEME, delete, "FORBIDDEN").await;
    }
    // Deleting the first theme closes the gap.
    ok(
        &p,
        &p.editor_a,
        DELETE_THEME,
        json!({ "id": governance, "v": 1 }),
    )
    .await;
    assert_eq!(
        titles(&sample(&p, THEMES).await["themes"]),
        [
            (1, "Water".into()),
            (2, "Smart City &".into()),
            (3, "Health Care ".into()),
            (4, "Culture, Tou".into()),
            (5, "Circular Eco".into()),
        ]
    );
    stale(
        &p,
        &p.editor_a,
        DELETE_THEME,
        json!({ "id": water_id, "v": 1 }),
        2,
    )
    .await;

    let log = audit(&p, "Theme").await;
    assert_eq!(
        actions(&log),
        [
            "THEME_DELETED",
            "THEME_UPDATED",
            "THEME_CREATED",
            "THEME_CREATED"
        ]
    );
    let log_before = log.clone();
    assert_eq!(log[1]["target"], water_id);
    assert_eq!(change(&log[1], "position"), Some((json!(6), json!(2))));
    assert_eq!(
        change(&log[1], "title"),
        Some((json!("Water and Resilience"), json!("Water")))
    );
    assert_eq!(log[1]["detail"]["plans"], json!(["UGxhbjox"]));
    assert_eq!(
        change(&log[0], "title"),
        Some((json!("Governance"), Value::Null))
    );

    // Concurrent appends queue on the plan: each gets its own place at the end.
    let creates = (0..8).map(|i| {
        let input = json!({ "plan": PLAN, "title": format!("Concurrent {i}") });
        p.app
            .graphql_as(&p.editor_a, CREATE_THEME, json!({ "input": input }))
    });
    let results = join_all(creates).await;
    assert!(results.iter().all(|r| r["errors"].is_null()), "{results:?}");
    let mut positions: Vec<i64> = results
        .iter()
        .filter_map(|r| r["data"]["createTheme"]["theme"]["position"].as_i64())
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (6..=13).collect::<Vec<i64>>());
    assert_eq!(audit(&p, "Theme").await.len(), log_before.len() + 8);
}

const STATEMENTS: &str = "focusAreas { id position title description kind version } objectiveStatements { id position description }";
const CREATE_STATEMENT: &str = "mutation($input: CreateStatementInput!) { createStatement(input: $input) { statement { id kind position title description version } } }";
const UPDATE_STATEMENT: &str = "mutation($id: ID!, $v: Int!, $input: UpdateStatementInput!) { updateStatement(id: $id, version: $v, input: $input) { statement { id kind position title description version } } }";
const DELETE_STATEMENT: &str =
    "mutation($id: ID!, $v: Int!) { deleteStatement(id: $id, version: $v) { deletedId } }";

#[tokio::test]
async fn statements_are_written_in_their_own_list_and_move_between_lists() {
    let p = partners().await;
    let before = sample(&p, STATEMENTS).await;
    assert_eq!(before["focusAreas"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        before["objectiveStatements"].as_array().map(Vec::len),
        Some(1)
    );
    let input =
        json!({ "plan": PLAN, "kind": "FOCUS", "title": "Hydrogen", "text": "Fuel cell buses" });
    for token in [&p.editor_b, &p.viewer_a] {
        refused(
            &p,
            token,
            CREATE_STATEMENT,
            json!({ "input": input }),
            "FORBIDDEN",
        )
        .await;
    }
    for (change, field) in [
        (json!({ "text": " " }), "text"),
        (json!({ "text": "a\u{0}b" }), "text"),
        (json!({ "title": "a\u{0}b" }), "title"),
        (json!({ "position": 5 }), "position"),
    ] {
        let mut bad = input.clone();
        for (k, v) in change.as_object().into_iter().flatten() {
            bad[k] = v.clone();
        }
        bad_input(
            &p,
            &p.editor_a,
            CREATE_STATEMENT,
            json!({ "input": bad }),
            field,
        )
        .await;
    }
    assert_eq!(sample(&p, STATEMENTS).await, before, "nothing written");

    let created = ok(&p, &p.editor_a, CREATE_STATEMENT, json!({ "input": input })).await;
    let statement = &created["createStatement"]["statement"];
    assert_eq!(
        (
            &statement["kind"],
            &statement["position"],
            &statement["version"]
        ),
        (&json!("FOCUS"), &json!(4), &json!(1))
    );
    let id = statement["id"].clone();
    assert!(key(&id) > 0);
    // The node interface finds it by its ID.
    let node = ok(
        &p,
        &p.viewer_a,
        "query($id: ID!) { node(id: $id) { ... on Statement { title } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(node["node"]["title"], "Hydrogen");

    // To the objectives, first: the focus list closes up, the objective moves down.
    let moved = ok(
        &p,
        &p.editor_a,
        UPDATE_STATEMENT,
        json!({ "id": id, "v": 1, "input": { "kind": "OBJECTIVE", "position": 1, "title": null } }),
    )
    .await;
    assert_eq!(
        moved["updateStatement"]["statement"],
        json!({ "id": id, "kind": "OBJECTIVE", "position": 1, "title": null, "description": "Fuel cell buses", "version": 2 })
    );
    let now = sample(&p, STATEMENTS).await;
    assert_eq!(now["focusAreas"], before["focusAreas"]);
    let objectives: Vec<(i64, &str)> = now["objectiveStatements"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["position"].as_i64().unwrap_or(-1),
                s["description"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(objectives.len(), 2);
    assert_eq!(objectives[0], (1, "Fuel cell buses"));
    assert_eq!(objectives[1].0, 2);
    stale(
        &p,
        &p.editor_a,
        UPDATE_STATEMENT,
        json!({ "id": id, "v": 1, "input": { "text": "Stale" } }),
        2,
    )
    .await;
    for token in [&p.editor_b, &p.viewer_a] {
        let update = json!({ "id": id, "v": 2, "input": { "text": "Hijacked" } });
        refused(&p, token, UPDATE_STATEMENT, update, "FORBIDDEN").await;
        refused(
            &p,
            token,
            DELETE_STATEMENT,
            json!({ "id": id, "v": 2 }),
            "FORBIDDEN",
        )
        .await;
    }
    ok(
        &p,
        &p.editor_a,
        DELETE_STATEMENT,
        json!({ "id": id, "v": 2 }),
    )
    .await;
    assert_eq!(sample(&p, STATEMENTS).await, before);

    let log = audit(&p, "Statement").await;
    assert_eq!(
        actions(&log),
        [
            "STATEMENT_DELETED",
            "STATEMENT_UPDATED",
            "STATEMENT_CREATED"
        ]
    );
    assert!(log.iter().all(|e| e["target"] == id), "{log:?}");
    assert_eq!(
        change(&log[1], "kind"),
        Some((json!("FOCUS"), json!("OBJECTIVE")))
    );
    assert_eq!(
        change(&log[1], "title"),
        Some((json!("Hydrogen"), Value::Null))
    );
}

const RESULTS: &str = "expectedResults { id position kind description cities { name } version }";
const CREATE_RESULT: &str = "mutation($input: CreateExpectedResultInput!) { createExpectedResult(input: $input) { expectedResult { id position kind description cities { name } version } } }";
const UPDATE_RESULT: &str = "mutation($id: ID!, $v: Int!, $input: UpdateExpectedResultInput!) { updateExpectedResult(id: $id, version: $v, input: $input) { expectedResult { id position kind cities { name } version } } }";
const DELETE_RESULT: &str =
    "mutation($id: ID!, $v: Int!) { deleteExpectedResult(id: $id, version: $v) { deletedId } }";

#[tokio::test]
async fn editors_of_the_plan_write_expected_results_with_their_cities() {
    let p = partners().await;
    let before = sample(&p, RESULTS).await;
    let input = json!({ "plan": PLAN, "kind": "JOINT_PROJECT", "description": "Joint e-bus pilot", "cities": [BOLOGNA], "idempotencyKey": "result-1" });
    for token in [&p.editor_b, &p.viewer_a] {
        refused(
            &p,
            token,
            CREATE_RESULT,
            json!({ "input": input }),
            "FORBIDDEN",
        )
        .await;
    }
    for (change, field) in [
        (json!({ "description": "" }), "description"),
        (json!({ "description": "a\u{0}b" }), "description"),
        (json!({ "cities": [BOLOGNA, "garbage"] }), "cities"),
        (json!({ "cities": ["Q2l0eTo5OTk5"] }), "cities"),
    ] {
        let mut bad = input.clone();
        bad["idempotencyKey"] = Value::Null;
        for (k, v) in change.as_object().into_iter().flatten() {
            bad[k] = v.clone();
        }
        bad_input(
            &p,
            &p.editor_a,
            CREATE_RESULT,
            json!({ "input": bad }),
            field,
        )
        .await;
    }
    assert_eq!(sample(&p, RESULTS).await, before, "nothing written");

    let created = ok(&p, &p.editor_a, CREATE_RESULT, json!({ "input": input })).await;
    let result = &created["createExpectedResult"]["expectedResult"];
    assert_eq!(result["position"], 6);
    assert_eq!(result["cities"], json!([{ "name": "Bologna" }]));
    let id = result["id"].clone();
    let again = ok(&p, &p.editor_a, CREATE_RESULT, json!({ "input": input })).await;
    assert_eq!(again["createExpectedResult"]["expectedResult"]["id"], id);

    let updated = ok(
        &p,
        &p.editor_a,
        UPDATE_RESULT,
        json!({ "id": id, "v": 1, "input": { "kind": "VIRTUAL_LAB", "cities": [MANNHEIM, BOLOGNA], "position": 1 } }),
    )
    .await;
    assert_eq!(
        updated["updateExpectedResult"]["expectedResult"],
        json!({ "id": id, "position": 1, "kind": "VIRTUAL_LAB", "cities": [{ "name": "Bologna" }, { "name": "Mannheim" }], "version": 2 })
    );
    let positions: Vec<i64> = sample(&p, RESULTS).await["expectedResults"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["position"].as_i64())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6]);
    stale(
        &p,
        &p.editor_a,
        UPDATE_RESULT,
        json!({ "id": id, "v": 1, "input": { "description": "Stale" } }),
        2,
    )
    .await;
    for token in [&p.editor_b, &p.viewer_a] {
        let update = json!({ "id": id, "v": 2, "input": { "description": "Hijacked" } });
        refused(&p, token, UPDATE_RESULT, update, "FORBIDDEN").await;
        refused(
            &p,
            token,
            DELETE_RESULT,
            json!({ "id": id, "v": 2 }),
            "FORBIDDEN",
        )
        .await;
    }
    ok(&p, &p.admin, DELETE_RESULT, json!({ "id": id, "v": 2 })).await;
    assert_eq!(sample(&p, RESULTS).await, before);

    let log = audit(&p, "ExpectedResult").await;
    assert_eq!(
        actions(&log),
        [
            "EXPECTED_RESULT_DELETED",
            "EXPECTED_RESULT_UPDATED",
            "EXPECTED_RESULT_CREATED"
        ]
    );
    assert_eq!(
        change(&log[1], "cities"),
        Some((city_ids(&[3]), city_ids(&[3, 8])))
    );
    assert_eq!(
        change(&log[1], "kind"),
        Some((json!("JOINT_PROJECT"), json!("VIRTUAL_LAB")))
    );
}

const CREATE_CITY: &str = "mutation($input: CreateCityInput!) { createCity(input: $input) { city { id name kind country { code } latitude longitude population version } } }";
const UPDATE_CITY: &str = "mutation($id: ID!, $v: Int!, $input: UpdateCityInput!) { updateCity(id: $id, version: $v, input: $input) { city { id name population version } } }";
const DELETE_CITY: &str =
    "mutation($id: ID!, $v: Int!) { deleteCity(id: $id, version: $v) { deletedId } }";
const ADD_PARTNER: &str = "mutation($plan: ID!, $city: ID!) { addPartnerCity(plan: $plan, city: $city) { plan { partnerCities { name } } } }";
const REMOVE_PARTNER: &str = "mutation($plan: ID!, $city: ID!) { removePartnerCity(plan: $plan, city: $city) { plan { partnerCities { name } } } }";

async fn city_count(p: &Partners) -> i64 {
    let data = ok(p, &p.admin, "{ cities { totalCount } }", json!({})).await;
    data["cities"]["totalCount"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn admins_write_cities_and_a_referenced_city_is_not_deleted() {
    let p = partners().await;
    let before = city_count(&p).await;
    let input = json!({ "name": "Freiburg im Breisgau", "kind": "CITY", "countryCode": "de", "latitude": 47.99, "longitude": 7.85, "population": 231195 });
    for token in [&p.editor_a, &p.viewer_a] {
        refused(
            &p,
            token,
            CREATE_CITY,
            json!({ "input": input }),
            "FORBIDDEN",
        )
        .await;
    }
    for (change, field) in [
        (json!({ "countryCode": "XX" }), "countryCode"),
        (json!({ "countryCode": "Germany" }), "countryCode"),
        (json!({ "latitude": 91 }), "latitude"),
        (json!({ "longitude": -180.5 }), "longitude"),
        (json!({ "longitude": null }), "longitude"),
        (json!({ "population": -1 }), "population"),
        (json!({ "name": " " }), "name"),
        (json!({ "name": "a\u{0}b" }), "name"),
    ] {
        let mut bad = input.clone();
        for (k, v) in change.as_object().into_iter().flatten() {
            bad[k] = v.clone();
        }
        bad_input(&p, &p.admin, CREATE_CITY, json!({ "input": bad }), field).await;
    }
    let duplicate = json!({ "name": "bologna", "kind": "CITY", "countryCode": "IT" });
    refused(
        &p,
        &p.admin,
        CREATE_CITY,
        json!({ "input": duplicate }),
        "CONFLICT",
    )
    .await;
    assert_eq!(city_count(&p).await, before);

    let created = ok(&p, &p.admin, CREATE_CITY, json!({ "input": input })).await;
    let city = &created["createCity"]["city"];
    assert_eq!(city["country"]["code"], "DE");
    assert_eq!(
        (&city["latitude"], &city["population"], &city["version"]),
        (&json!(47.99), &json!(231195), &json!(1))
    );
    let id = city["id"].clone();
    for token in [&p.editor_a, &p.viewer_a] {
        let update = json!({ "id": id, "v": 1, "input": { "name": "Freiburg" } });
        refused(&p, token, UPDATE_CITY, update, "FORBIDDEN").await;
        refused(
            &p,
            token,
            DELETE_CITY,
            json!({ "id": id, "v": 1 }),
            "FORBIDDEN",
        )
        .await;
    }
    let updated = ok(
        &p,
        &p.admin,
        UPDATE_CITY,
        json!({ "id": id, "v": 1, "input": { "name": "Freiburg", "population": 236140 } }),
    )
    .await;
    assert_eq!(
        updated["updateCity"]["city"],
        json!({ "id": id, "name": "Freiburg", "population": 236140, "version": 2 })
    );
    stale(
        &p,
        &p.admin,
        UPDATE_CITY,
        json!({ "id": id, "v": 1, "input": { "population": 1 } }),
        2,
    )
    .await;
    bad_input(
        &p,
        &p.admin,
        UPDATE_CITY,
        json!({ "id": id, "v": 2, "input": { "latitude": 91 } }),
        "latitude",
    )
    .await;

    // Referenced cities stay: the sample's focal city, and the new one while it is a partner.
    let focal = ok(
        &p,
        &p.admin,
        "query($id: ID!) { city(id: $id) { version } }",
        json!({ "id": GUANGZHOU }),
    )
    .await;
    let v = focal["city"]["version"].clone();
    let r = refused(
        &p,
        &p.admin,
        DELETE_CITY,
        json!({ "id": GUANGZHOU, "v": v }),
        "CONFLICT",
    )
    .await;
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("focal city"), "{r}");
    ok(
        &p,
        &p.admin,
        ADD_PARTNER,
        json!({ "plan": PLAN, "city": id }),
    )
    .await;
    let r = refused(
        &p,
        &p.admin,
        DELETE_CITY,
        json!({ "id": id, "v": 2 }),
        "CONFLICT",
    )
    .await;
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("partner city"), "{r}");
    ok(
        &p,
        &p.admin,
        REMOVE_PARTNER,
        json!({ "plan": PLAN, "city": id }),
    )
    .await;
    stale(&p, &p.admin, DELETE_CITY, json!({ "id": id, "v": 1 }), 2).await;
    let deleted = ok(&p, &p.admin, DELETE_CITY, json!({ "id": id, "v": 2 })).await;
    assert_eq!(deleted["deleteCity"]["deletedId"], id);
    assert_eq!(city_count(&p).await, before);

    let log = audit(&p, "City").await;
    assert_eq!(
        actions(&log),
        ["CITY_DELETED", "CITY_UPDATED", "CITY_CREATED"]
    );
    assert!(log.iter().all(|e| e["target"] == id), "{log:?}");
    assert_eq!(
        change(&log[1], "population"),
        Some((json!(231195), json!(236140)))
    );
    assert_eq!(
        change(&log[2], "countryCode"),
        Some((Value::Null, json!("DE")))
    );
}

const LINK_SDG: &str = "mutation($plan: ID!, $goal: Int!, $target: String) { linkPlanSdg(plan: $plan, goal: $goal, target: $target) { plan { sdgGoals { number } sdgTargets { code } } } }";
const UNLINK_SDG: &str = "mutation($plan: ID!, $goal: Int!, $target: String) { unlinkPlanSdg(plan: $plan, goal: $goal, target: $target) { plan { sdgGoals { number } sdgTargets { code } } } }";
const LINK_UA: &str = "mutation($plan: ID!, $p: String!) { linkPlanUrbanAgendaPartnership(plan: $plan, partnership: $p) { plan { urbanAgendaPartnerships { key } } } }";
const UNLINK_UA: &str = "mutation($plan: ID!, $p: String!) { unlinkPlanUrbanAgendaPartnership(plan: $plan, partnership: $p) { plan { urbanAgendaPartnerships { key } } } }";

fn numbers(plan: &Value) -> Vec<i64> {
    plan["sdgGoals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["number"].as_i64())
        .collect()
}

#[tokio::test]
async fn editors_of_the_plan_link_sdgs_partnerships_and_partner_cities() {
    let p = partners().await;
    let before = sample(
        &p,
        "sdgGoals { number } sdgTargets { code } urbanAgendaPartnerships { key } partnerCities { name }",
    )
    .await;
    assert_eq!(numbers(&before), [3, 4, 7, 9]);
    let link = json!({ "plan": PLAN, "goal": 11, "target": "11.2" });
    for token in [&p.editor_b, &p.viewer_a] {
        refused(&p, token, LINK_SDG, link.clone(), "FORBIDDEN").await;
        refused(
            &p,
            token,
            UNLINK_SDG,
            json!({ "plan": PLAN, "goal": 3 }),
            "FORBIDDEN",
        )
        .await;
        let ua = json!({ "plan": PLAN, "p": "housing" });
        refused(&p, token, LINK_UA, ua.clone(), "FORBIDDEN").await;
        refused(&p, token, UNLINK_UA, ua, "FORBIDDEN").await;
        let city = json!({ "plan": PLAN, "city": MANNHEIM });
        refused(&p, token, ADD_PARTNER, city.clone(), "FORBIDDEN").await;
        refused(&p, token, REMOVE_PARTNER, city, "FORBIDDEN").await;
    }
    for (vars, field) in [
        (
            json!({ "plan": PLAN, "goal": 3, "target": "11.2" }),
            "target",
        ),
        (
            json!({ "plan": PLAN, "goal": 11, "target": "11.z" }),
            "target",
        ),
        (json!({ "plan": PLAN, "goal": 18 }), "goal"),
        (json!({ "plan": PLAN, "goal": 0 }), "goal"),
        (json!({ "plan": "garbage", "goal": 11 }), "plan"),
    ] {
        bad_input(&p, &p.editor_a, LINK_SDG, vars, field).await;
    }
    bad_input(
        &p,
        &p.editor_a,
        LINK_UA,
        json!({ "plan": PLAN, "p": "no-such-partnership" }),
        "partnership",
    )
    .await;
    bad_input(
        &p,
        &p.editor_a,
        ADD_PARTNER,
        json!({ "plan": PLAN, "city": GUANGZHOU }),
        "city",
    )
    .await;
    assert!(audit(&p, "Plan").await.is_empty(), "nothing written");

    // SDGs: a goal with a target; linking again changes nothing; unlinking the goal takes its
    // targets along.
    let linked = ok(&p, &p.editor_a, LINK_SDG, link.clone()).await;
    let plan = &linked["linkPlanSdg"]["plan"];
    assert_eq!(numbers(plan), [3, 4, 7, 9, 11]);
    assert_eq!(plan["sdgTargets"], json!([{ "code": "11.2" }]));
    ok(&p, &p.editor_a, LINK_SDG, link).await;
    let unlinked = ok(
        &p,
        &p.editor_a,
        UNLINK_SDG,
        json!({ "plan": PLAN, "goal": 11 }),
    )
    .await;
    assert_eq!(numbers(&unlinked["unlinkPlanSdg"]["plan"]), [3, 4, 7, 9]);
    assert_eq!(unlinked["unlinkPlanSdg"]["plan"]["sdgTargets"], json!([]));

    // Urban Agenda partnerships, by key.
    let ua = json!({ "plan": PLAN, "p": "housing" });
    let linked = ok(&p, &p.editor_a, LINK_UA, ua.clone()).await;
    let mut keys: Vec<&str> =
        linked["linkPlanUrbanAgendaPartnership"]["plan"]["urbanAgendaPartnerships"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k["key"].as_str())
            .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["energy-transition", "housing"]);
    let unlinked = ok(&p, &p.editor_a, UNLINK_UA, ua).await;
    assert_eq!(
        unlinked["unlinkPlanUrbanAgendaPartnership"]["plan"]["urbanAgendaPartnerships"],
        json!([{ "key": "energy-transition" }])
    );

    // Partner cities: appended, and a removal closes up the order.
    let added = ok(
        &p,
        &p.editor_a,
        ADD_PARTNER,
        json!({ "plan": PLAN, "city": MANNHEIM }),
    )
    .await;
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        names(&added["addPartnerCity"]["plan"]["partnerCities"]),
        [
            "Barcelona",
            "Bologna",
            "Granada",
            "Stuttgart",
            "Rome",
            "Mannheim"
        ]
    );
    let removed = ok(
        &p,
        &p.editor_a,
        REMOVE_PARTNER,
        json!({ "plan": PLAN, "city": BOLOGNA }),
    )
    .await;
    assert_eq!(
        names(&removed["removePartnerCity"]["plan"]["partnerCities"]),
        ["Barcelona", "Granada", "Stuttgart", "Rome", "Mannheim"]
    );
    let again = ok(
        &p,
        &p.editor_a,
        ADD_PARTNER,
        json!({ "plan": PLAN, "city": BOLOGNA }),
    )
    .await;
    assert_eq!(
        names(&again["addPartnerCity"]["plan"]["partnerCities"]),
        [
            "Barcelona",
            "Granada",
            "Stuttgart",
            "Rome",
            "Mannheim",
            "Bologna"
        ]
    );

    // Each change is an update of the plan naming the link; the repeated link wrote nothing.
    let log = audit(&p, "Plan").await;
    assert_eq!(actions(&log), ["PLAN_UPDATED"; 7]);
    assert!(log.iter().all(|e| e["target"] == PLAN), "{log:?}");
    assert_eq!(
        change(&log[6], "sdgGoals"),
        Some((json!([3, 4, 7, 9]), json!([3, 4, 7, 9, 11])))
    );
    assert_eq!(
        change(&log[6], "sdgTargets"),
        Some((json!([]), json!(["11.2"])))
    );
    assert_eq!(
        change(&log[5], "sdgTargets"),
        Some((json!(["11.2"]), json!([])))
    );
    assert_eq!(
        change(&log[4], "urbanAgendaPartnerships"),
        Some((
            json!(["energy-transition"]),
            json!(["energy-transition", "housing"])
        ))
    );
    assert_eq!(
        change(&log[1], "partnerCities"),
        Some((city_ids(&[2, 3, 4, 5, 6, 8]), city_ids(&[2, 4, 5, 6, 8])))
    );
    // The plan's own version is left alone by links.
    assert_eq!(sample(&p, "version").await["version"], 1);
}

#[tokio::test]
async fn editors_of_the_plan_manage_its_contact_mailboxes_and_bad_addresses_are_refused() {
    let p = partners().await;
    let add = "mutation($e: String!, $l: String) { addPlanContact(plan: \"UGxhbjox\", email: $e, label: $l) { plan { id } } }";
    let remove = "mutation($e: String!) { removePlanContact(plan: \"UGxhbjox\", email: $e) { plan { id } } }";
    for bad in ["not-an-address", "a@b", "x\u{0}@example.org", ""] {
        bad_input(&p, &p.editor_a, add, json!({ "e": bad }), "email").await;
    }
    for token in [&p.editor_b, &p.viewer_a] {
        refused(
            &p,
            token,
            add,
            json!({ "e": "iuc@example.org" }),
            "FORBIDDEN",
        )
        .await;
    }
    assert!(audit(&p, "Plan").await.is_empty());
    ok(
        &p,
        &p.editor_a,
        add,
        json!({ "e": "iuc@example.org", "l": "Programme office" }),
    )
    .await;
    // The same address again changes nothing and writes no entry.
    ok(
        &p,
        &p.editor_a,
        add,
        json!({ "e": "iuc@example.org", "l": "Programme office" }),
    )
    .await;
    let entries = audit(&p, "Plan").await;
    assert_eq!(actions(&entries), ["PLAN_UPDATED"], "{entries:?}");
    let (before, after) = change(&entries[0], "contacts").unwrap_or_else(|| panic!("{entries:?}"));
    assert!(
        after
            .as_array()
            .is_some_and(|a| a.len() == before.as_array().map_or(0, Vec::len) + 1),
        "{before} {after}"
    );
    ok(&p, &p.editor_a, remove, json!({ "e": "iuc@example.org" })).await;
    assert_eq!(
        actions(&audit(&p, "Plan").await),
        ["PLAN_UPDATED", "PLAN_UPDATED"]
    );
}
