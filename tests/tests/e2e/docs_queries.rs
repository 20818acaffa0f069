//! The example operations of `docs/queries/` — what the frontend teams copy — run against the real
//! server with the bundled Guangzhou U-CAP: none may fail, and each answers what its screen shows.
//! A new file there fails this test until its answers are checked here too.

use serde_json::Value;
// Shared with `ucap-bench`, which sends the same operations.
use ucap_bench::queries;
use ucap_tests::spawn_app;

#[tokio::test]
async fn every_example_operation_runs_against_the_sample_and_answers_as_documented() {
    let app = spawn_app().await;
    let ops = queries::load_all(&queries::dir()).unwrap_or_else(|e| panic!("{e:#}"));
    let names: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
    for expected in [
        "plan-explorer",
        "city-profile",
        "activity-timeline",
        "dashboard-stats",
        "plan-detail",
        "node",
    ] {
        assert!(
            names.contains(&expected),
            "docs/queries/{expected}.graphql is missing: {names:?}"
        );
    }
    for op in &ops {
        let variables = queries::resolve(&op.variables, |query, vars| {
            let app = &app;
            async move { Ok(app.graphql(query, vars).await) }
        })
        .await
        .unwrap_or_else(|e| panic!("{}: variables: {e:#}", op.name));
        let res = app.graphql(&op.document, variables).await;
        assert!(res["errors"].is_null(), "{}: {res}", op.name);
        check(&op.name, &res["data"]);
    }
}

/// What each screen must show for the sample.
fn check(name: &str, data: &Value) {
    match name {
        "plan-explorer" => plan_explorer(data),
        "city-profile" => city_profile(data),
        "activity-timeline" => activity_timeline(data),
        "dashboard-stats" => dashboard_stats(data),
        "plan-detail" => plan_detail(data),
        "node" => node(data),
        "search" => search(data),
        other => panic!(
            "docs/queries/{other}.graphql has no checks: add them to {}",
            file!()
        ),
    }
}

fn texts<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.pointer(field).and_then(Value::as_str))
        .collect()
}

fn plan_explorer(data: &Value) {
    let plans = &data["plans"];
    assert_eq!(plans["totalCount"], 1, "{data}");
    assert_eq!(plans["pageInfo"]["hasNextPage"], false, "{data}");
    let plan = &plans["nodes"][0];
    assert_eq!(plan["focalCity"]["name"], "Guangzhou", "{data}");
    assert_eq!(plan["focalCity"]["country"]["code"], "CN", "{data}");
    let mut partners = texts(&plan["partnerCities"], "/name");
    partners.sort_unstable();
    assert_eq!(
        partners,
        ["Barcelona", "Bologna", "Granada", "Rome", "Stuttgart"]
    );
    assert_eq!(plan["themes"].as_array().map(Vec::len), Some(4), "{data}");
    let activities = &plan["activities"];
    assert_eq!(activities["totalCount"], 5, "{data}");
    assert_eq!(
        texts(&activities["nodes"], "/date/text"),
        [
            "May 2020",
            "March 2020",
            "January 2020",
            "September 2019",
            "April 2019"
        ],
        "the five latest activities, newest first"
    );
}

fn city_profile(data: &Value) {
    let city = &data["city"];
    assert_eq!(city["name"], "Guangzhou", "{data}");
    assert_eq!(city["nativeName"], "广州", "{data}");
    assert_eq!(city["country"]["code"], "CN", "{data}");
    assert_eq!(city["population"], 15_300_000, "{data}");
    assert_eq!(
        city["focalPlans"].as_array().map(Vec::len),
        Some(1),
        "{data}"
    );
    assert_eq!(
        city["partnerPlans"].as_array().map(Vec::len),
        Some(0),
        "{data}"
    );
    // The focal city takes part in every activity of its plan, the Brussels mission included.
    let activities = &city["activities"];
    assert_eq!(activities["totalCount"], 5, "{data}");
    assert_eq!(
        texts(&activities["nodes"], "/date/text"),
        [
            "May 2020",
            "March 2020",
            "January 2020",
            "September 2019",
            "April 2019"
        ],
        "the latest activities, newest first"
    );
}

fn activity_timeline(data: &Value) {
    let activities = &data["activities"];
    assert_eq!(activities["totalCount"], 2, "{data}");
    assert_eq!(
        texts(&activities["nodes"], "/date/text"),
        ["April 2019", "September 2019"],
        "the plan's activities of 2019, in date order"
    );
    for activity in activities["nodes"].as_array().into_iter().flatten() {
        assert!(
            texts(&activity["plans"], "/title")
                .iter()
                .any(|t| t.contains("Guangzhou")),
            "{activity}"
        );
    }
}

/// The count of `key` in a list of buckets.
fn bucket(buckets: &Value, key: &str) -> Option<i64> {
    buckets
        .as_array()?
        .iter()
        .find(|b| b["key"] == key)
        .and_then(|b| b["count"].as_i64())
}

fn dashboard_stats(data: &Value) {
    let stats = &data["stats"];
    let plans = &stats["plans"];
    assert_eq!(plans["total"], 1, "{data}");
    assert_eq!(bucket(&plans["byCountry"], "CN"), Some(1), "{data}");
    assert_eq!(bucket(&plans["byStatus"], "PUBLISHED"), Some(1), "{data}");
    assert_eq!(bucket(&plans["bySdgGoal"], "9"), Some(1), "{data}");
    assert_eq!(
        bucket(&plans["byUrbanAgendaPartnership"], "energy-transition"),
        Some(1),
        "{data}"
    );
    assert_eq!(bucket(&plans["byYear"], "2017"), Some(1), "{data}");
    assert_eq!(stats["activities"]["total"], 5, "{data}");
    assert_eq!(
        bucket(&stats["activities"]["byYear"], "2019"),
        Some(2),
        "{data}"
    );
    assert_eq!(
        bucket(&stats["activities"]["byYear"], "2020"),
        Some(3),
        "{data}"
    );
    assert_eq!(stats["mous"]["total"], 3, "{data}");
    assert_eq!(
        bucket(&stats["mous"]["byStatus"], "PLANNED"),
        Some(3),
        "{data}"
    );
}

fn plan_detail(data: &Value) {
    let plan = &data["plan"];
    assert_eq!(plan["focalCity"]["name"], "Guangzhou", "{data}");
    assert_eq!(plan["focalCity"]["nativeName"], "广州", "{data}");
    assert_eq!(
        plan["partnerCities"].as_array().map(Vec::len),
        Some(5),
        "{data}"
    );
    assert_eq!(plan["period"]["text"], "May 2017", "{data}");
    assert_eq!(plan["period"]["precision"], "MONTH", "{data}");
    assert_eq!(
        plan["themes"][0]["title"], "Smart City & Digital Transition",
        "{data}"
    );
    assert_eq!(
        plan["urbanAgendaPartnerships"][0]["key"], "energy-transition",
        "{data}"
    );
    assert_eq!(plan["activities"]["totalCount"], 5, "{data}");
    assert_eq!(
        plan["activities"]["nodes"][0]["date"]["text"], "April 2019",
        "{data}"
    );
    assert_eq!(
        plan["expectedResults"].as_array().map(Vec::len),
        Some(5),
        "{data}"
    );
    assert_eq!(plan["mous"].as_array().map(Vec::len), Some(3), "{data}");
    // Contact mailboxes are for the plan's own organizations: anonymous callers get null.
    assert!(plan["contactEmail"].is_null(), "{data}");
    assert!(
        texts(&plan["dataIssues"], "/field").contains(&"area_km2"),
        "the implausible area is flagged: {data}"
    );
}

fn node(data: &Value) {
    let nodes = &data["nodes"];
    assert_eq!(nodes[0]["__typename"], "Plan", "{data}");
    assert_eq!(nodes[0]["focalCity"]["name"], "Guangzhou", "{data}");
    assert_eq!(nodes[1]["__typename"], "City", "{data}");
    assert_eq!(nodes[1]["name"], "Barcelona", "{data}");
    assert_eq!(nodes[1]["country"]["code"], "ES", "{data}");
}

fn search(data: &Value) {
    let hits = data["search"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        hits.iter()
            .any(|h| h["record"]["__typename"] == "City" && h["record"]["name"] == "Barcelona"),
        "{data}"
    );
    assert!(
        hits.iter()
            .all(|h| h["snippet"].as_str().is_some_and(|s| s.contains('['))),
        "every snippet marks its match: {data}"
    );
}
