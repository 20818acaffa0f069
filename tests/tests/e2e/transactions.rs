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

const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id title partnerCities { name } themes { title } focusAreas { description } objectiveStatements { description } sdgGoals { number } sdgTargets { code } urbanAgendaPartnerships { name } participants { organization { id } role } expectedResults { description } activities(first: 10) { totalCount nodes { title } } mous { subject } } } }";
const PLAN_COUNT: &str = "{ plans { totalCount } activities { totalCount } themes { totalCount } }";

#[tokio::test]
async fn a_plan_is_created_with_its_parts_in_one_call_or_not_at_all() {
    let p = partners().await;
    let (existing, _) = existing_activity(&p).await;
    let bologna = "Q2l0eToz";
    let input = json!({
        "title": "U-CAP Bologna", "focalCity": bologna, "period": "2021-03", "status": "PUBLISHED",
        "themes": [{ "title": "Mobility" }, { "title": "Energy", "description": "Renewables" }],
        "statements": [
            { "kind": "FOCUS", "text": "Clean buses" },
            { "kind": "OBJECTIVE", "text": "Halve emissions" },
        ],
        "partnerCities": [
            { "id": "Q2l0eTox" },
            { "place": { "name": "Roma", "country": "Italy" } },
            { "place": { "name": "Lyon", "country": "FR" } },
        ],
        "sdgs": [{ "goal": 11, "target": "11.2" }, { "goal": 7 }],
        "urbanAgendaPartnerships": ["energy-transition"],
        "participants": [{ "organization": { "id": p.org_a }, "role": "FOCAL" }],
        "expectedResults": [{ "kind": "MOU", "description": "An MoU on e-buses" }],
        "activities": [
            { "new": { "title": "Kick-off", "kind": "MEETING", "date": "2021-04" } },
            { "existing": existing },
        ],
        "mous": [{ "new": { "subject": "E-bus cooperation", "parties": [{ "organization": { "id": p.org_a } }, { "city": { "id": bologna } }] } }],
    });
    let before = p.app.graphql_as(&p.admin, PLAN_COUNT, json!({})).await;

    // A bad part in the middle: named by its path, and nothing of the plan is written.
    let mut bad = input.clone();
    bad["themes"][1]["title"] = json!("");
    let r = p
        .app
        .graphql_as(&p.admin, CREATE_PLAN, json!({ "input": bad }))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"], "themes[1].title",
        "{r}"
    );
    let mut bad = input.clone();
    bad["mous"][0]["new"]["parties"][1]["city"] = json!({ "id": "Q2l0eTo5OTk5" });
    let r = p
        .app
        .graphql_as(&p.admin, CREATE_PLAN, json!({ "input": bad }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["item"], "mous[0]", "{r}");
    let many: Vec<Value> = (0..201)
        .map(|i| json!({ "title": format!("T{i}") }))
        .collect();
    let mut bad = input.clone();
    bad["themes"] = json!(many);
    let r = p
        .app
        .graphql_as(&p.admin, CREATE_PLAN, json!({ "input": bad }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "themes", "{r}");
    assert_eq!(
        p.app.graphql_as(&p.admin, PLAN_COUNT, json!({})).await,
        before
    );

    let r = p
        .app
        .graphql_as(&p.admin, CREATE_PLAN, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let plan = &r["data"]["createPlan"]["plan"];
    let texts = |list: &Value, key: &str| {
        list.as_array()
            .into_iter()
            .flatten()
            .map(|x| x[key].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(&plan["themes"], "title"),
        [json!("Mobility"), json!("Energy")]
    );
    assert_eq!(
        texts(&plan["focusAreas"], "description"),
        [json!("Clean buses")]
    );
    assert_eq!(
        texts(&plan["objectiveStatements"], "description"),
        [json!("Halve emissions")]
    );
    // By ID, by another name of a city there (Roma: Rome), by name of a city made from the
    // gazetteer.
    assert_eq!(
        texts(&plan["partnerCities"], "name"),
        [json!("Guangzhou"), json!("Rome"), json!("Lyon")]
    );
    assert_eq!(plan["sdgTargets"], json!([{ "code": "11.2" }]));
    assert_eq!(plan["sdgGoals"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        texts(&plan["urbanAgendaPartnerships"], "name"),
        [json!("Energy Transition")]
    );
    assert_eq!(plan["participants"][0]["role"], "FOCAL");
    assert_eq!(
        plan["expectedResults"][0]["description"],
        "An MoU on e-buses"
    );
    assert_eq!(plan["activities"]["totalCount"], 2);
    assert_eq!(
        texts(&plan["mous"], "subject"),
        [json!("E-bus cooperation")]
    );
}

/// Everything of a plan that its parts make, without its own ID and slug.
const PLAN_CONTENT: &str = "query($id: ID!) { plan(id: $id) { title status period { text } periodContext focalCity { id } partnerCities { id } themes { title description } focusAreas { title description } challengeStatements { title description } objectiveStatements { title description } sdgGoals { number } sdgTargets { code } urbanAgendaPartnerships { key } expectedResults { kind description cities { id } } activities(first: 100, orderBy: CREATED) { nodes { title description kind date { text precision } place placeCity { id } cities { id } } } mous { subject documentUrl parties { city { id } organization { id } } } } }";

#[tokio::test]
async fn the_documented_nested_create_plan_rebuilds_the_guangzhou_plan() {
    let p = partners().await;
    let document = include_str!("../../../docs/examples/create-plan-guangzhou.graphql");
    let variables: Value = serde_json::from_str(include_str!(
        "../../../docs/examples/create-plan-guangzhou.json"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let r = p.app.graphql_as(&p.admin, document, variables).await;
    assert!(r["errors"].is_null(), "{r}");
    let rebuilt = r["data"]["createPlan"]["plan"]["id"].clone();
    assert_eq!(
        r["data"]["createPlan"]["plan"]["slug"],
        "guangzhou-cn-rebuilt"
    );
    let content = |id: Value| {
        let app = &p.app;
        let admin = &p.admin;
        async move {
            let r = app
                .graphql_as(admin, PLAN_CONTENT, json!({ "id": id }))
                .await;
            assert!(r["errors"].is_null(), "{r}");
            r["data"]["plan"].clone()
        }
    };
    let original = content(json!(PLAN)).await;
    assert!(
        original["activities"]["nodes"].as_array().map(Vec::len) > Some(0),
        "{original}"
    );
    assert_eq!(content(rebuilt).await, original);
}

const UPDATE_PLAN: &str = "mutation($id: ID!, $v: Int!, $input: UpdatePlanInput!) { updatePlan(id: $id, version: $v, input: $input) { plan { version title themes { id title version } focusAreas { id description } partnerCities { id } } } }";
const PLAN_LISTS: &str = "query($id: ID!) { plan(id: $id) { version title themes { id title version } focusAreas { id description version } partnerCities { id } } }";

#[tokio::test]
async fn update_plan_replaces_or_patches_its_lists_with_its_fields_all_or_nothing() {
    let p = partners().await;
    let read = async |p: &Partners| {
        let r = p
            .app
            .graphql_as(&p.admin, PLAN_LISTS, json!({ "id": PLAN }))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        r["data"]["plan"].clone()
    };
    let before = read(&p).await;
    let version = before["version"].clone();
    let focus = before["focusAreas"][0].clone();
    let other = partners_plan_theme(&p).await;

    // A bad item, a theme of another plan, a stale version: nothing changes.
    let bad_inputs = [
        json!({ "title": "Renamed", "replaceThemes": [{ "title": "Mobility" }, { "title": "" }] }),
        json!({ "updateThemes": [{ "id": other.0, "version": other.1, "input": { "title": "Hijacked" } }] }),
    ];
    for input in bad_inputs {
        let r = p
            .app
            .graphql_as(
                &p.editor_a,
                UPDATE_PLAN,
                json!({ "id": PLAN, "v": version, "input": input }),
            )
            .await;
        assert!(r["errors"][0]["extensions"]["item"].is_string(), "{r}");
        assert_eq!(read(&p).await, before);
    }
    let stale = json!({ "replaceThemes": [{ "title": "Mobility" }] });
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE_PLAN,
            json!({ "id": PLAN, "v": 99, "input": stale }),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(read(&p).await, before);

    let input = json!({
        "title": "U-CAP Guangzhou (revised)",
        "replaceThemes": [{ "title": "Mobility" }, { "title": "Energy" }],
        "updateStatements": [{ "id": focus["id"], "version": focus["version"], "input": { "text": "Start-ups first" } }],
        "replacePartnerCities": [{ "id": "Q2l0eToz" }, { "place": { "name": "Barcelona", "country": "ES" } }],
    });
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE_PLAN,
            json!({ "id": PLAN, "v": version, "input": input }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let after = read(&p).await;
    assert_eq!(after["title"], "U-CAP Guangzhou (revised)");
    let titles: Vec<&Value> = after["themes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["title"])
        .collect();
    assert_eq!(titles, [&json!("Mobility"), &json!("Energy")]);
    assert_eq!(after["focusAreas"][0]["description"], "Start-ups first");
    assert_eq!(
        after["partnerCities"],
        json!([{ "id": "Q2l0eToz" }, { "id": "Q2l0eToy" }])
    );
}

/// A theme of a second plan (Bologna's, created by the admin): its ID and version.
async fn partners_plan_theme(p: &Partners) -> (Value, Value) {
    let input = json!({ "title": "U-CAP Bologna", "focalCity": "Q2l0eToz", "themes": [{ "title": "Other plan's theme" }] });
    let r = p
        .app
        .graphql_as(
            &p.admin,
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { themes { id version } } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let theme = &r["data"]["createPlan"]["plan"]["themes"][0];
    (theme["id"].clone(), theme["version"].clone())
}
