//! The foundation: the bundled sample is served, the issue's query works, health endpoints answer.

use serde_json::json;
use ucap::auth::Role;
use ucap_tests::{error_code, spawn_app};

pub const ISSUE_QUERY: &str = r#"{
  plans(first: 10) {
    totalCount
    nodes {
      id title status
      focalCity { name nativeName region population areaKm2 country { code name } }
      partnerCities { name country { code name } }
      period { text precision start end }
      themes { title description }
      sdgGoals { number title }
      urbanAgendaPartnerships { name }
      focusAreas { title description }
      challenges objectives
      activities(first: 20) { totalCount nodes { date { text precision start end } kind title description } }
      expectedResults { position kind description }
      mous { subject status parties { name } }
      contactEmail
      dataIssues { field severity message }
    }
  }
}"#;

#[tokio::test]
async fn a_new_server_serves_the_bundled_guangzhou_plan_to_the_issue_query() {
    let app = spawn_app().await;
    let res = app.graphql(ISSUE_QUERY, json!({})).await;
    assert!(res["errors"].is_null(), "{res}");
    let plans = &res["data"]["plans"];
    assert_eq!(plans["totalCount"], 1);
    let plan = &plans["nodes"][0];
    assert_eq!(plan["status"], "PUBLISHED");

    let focal = &plan["focalCity"];
    assert_eq!(focal["name"], "Guangzhou");
    assert_eq!(focal["nativeName"], "广州");
    assert_eq!(focal["region"], "Guangdong");
    assert_eq!(focal["population"], 15_300_000);
    assert_eq!(focal["country"]["code"], "CN");

    let partners: Vec<(String, String)> = plan["partnerCities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["country"]["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("Barcelona", "ES"),
        ("Bologna", "IT"),
        ("Granada", "ES"),
        ("Stuttgart", "DE"),
        ("Rome", "IT"),
    ];
    assert_eq!(partners.len(), 5, "{partners:?}");
    for (name, cc) in expected {
        assert!(
            partners.iter().any(|(n, c)| n == name && c == cc),
            "{name} → {cc} missing in {partners:?}"
        );
    }

    assert_eq!(plan["period"]["text"], "May 2017");
    assert_eq!(plan["period"]["precision"], "MONTH");
    assert_eq!(plan["period"]["start"], "2017-05-01");
    assert_eq!(plan["period"]["end"], "2017-05-31");

    assert_eq!(plan["themes"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        plan["themes"][0]["title"],
        "Smart City & Digital Transition"
    );
    let goals: Vec<i64> = plan["sdgGoals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["number"].as_i64())
        .collect();
    let mut sorted = goals.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [3, 4, 7, 9]);
    assert_eq!(
        plan["urbanAgendaPartnerships"][0]["name"],
        "Energy Transition"
    );
    assert_eq!(plan["focusAreas"].as_array().map(Vec::len), Some(3));
    assert_eq!(plan["challenges"].as_array().map(Vec::len), Some(1));
    assert_eq!(plan["objectives"].as_array().map(Vec::len), Some(1));

    let activities = &plan["activities"];
    assert_eq!(activities["totalCount"], 5);
    let dates: Vec<&str> = activities["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["date"]["text"].as_str())
        .collect();
    assert_eq!(
        dates,
        [
            "April 2019",
            "September 2019",
            "January 2020",
            "March 2020",
            "May 2020"
        ]
    );

    let results = plan["expectedResults"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["kind"], "MOU");

    let mou_partners: Vec<String> = plan["mous"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["parties"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    for city in ["Granada", "Rome", "Barcelona"] {
        assert!(
            mou_partners.iter().any(|p| p == city),
            "no MoU with {city}: {mou_partners:?}"
        );
    }
    assert_eq!(plan["mous"].as_array().map(Vec::len), Some(3));
    assert_eq!(plan["mous"][0]["status"], "PLANNED");
    // The contact mailbox is non-public: null for anonymous callers, there for an admin.
    assert!(plan["contactEmail"].is_null(), "{res}");
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let as_admin = app
        .graphql_as(&admin, "{ plans { nodes { contactEmail } } }", json!({}))
        .await;
    assert_eq!(
        as_admin["data"]["plans"]["nodes"][0]["contactEmail"], "IUC-ASIA_office@iuc-asia.eu",
        "{as_admin}"
    );

    let issues = plan["dataIssues"].as_array().cloned().unwrap_or_default();
    assert!(
        issues
            .iter()
            .any(|i| i["field"] == "area_km2" && i["severity"] == "WARNING"),
        "{issues:?}"
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn graphiql_is_served_in_development() {
    let app = spawn_app().await;
    let (status, body) = app.get("/graphiql").await;
    assert_eq!(status, 200);
    assert!(body.contains("graphiql"), "{body}");
}

#[tokio::test]
async fn queries_also_work_over_get() {
    let app = spawn_app().await;
    let (status, body) = app.get("/graphql?query=%7Bplans%7BtotalCount%7D%7D").await;
    assert_eq!(status, 200);
    assert!(body.contains("\"totalCount\":1"), "{body}");
}

#[tokio::test]
async fn a_page_larger_than_100_is_refused_with_bad_user_input() {
    let app = spawn_app().await;
    let res = app
        .graphql("{ cities(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
}

#[tokio::test]
async fn cursors_walk_every_city_exactly_once() {
    let app = spawn_app().await;
    let q = "query($after: String) { cities(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
    let mut after = serde_json::Value::Null;
    let mut seen = Vec::new();
    let mut total;
    loop {
        let res = app.graphql(q, json!({ "after": after })).await;
        let page = &res["data"]["cities"];
        total = page["totalCount"].as_u64().unwrap_or_default();
        seen.extend(page["nodes"].as_array().cloned().unwrap_or_default());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(seen.len() < 1000, "pagination does not end");
    }
    assert!(total >= 6, "{total}");
    assert_eq!(seen.len() as u64, total);
    let mut ids: Vec<String> = seen
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect();
    ids.dedup();
    assert_eq!(ids.len() as u64, total);
}

#[tokio::test]
async fn an_unknown_id_is_not_found_and_a_malformed_one_bad_input() {
    let app = spawn_app().await;
    let res = app
        .graphql(
            "query($id: ID!) { plan(id: $id) { title } }",
            json!({ "id": "UGxhbjo5OTk5" }),
        )
        .await;
    assert_eq!(error_code(&res), Some("NOT_FOUND"), "{res}");
    let res = app
        .graphql(
            "query($id: ID!) { plan(id: $id) { title } }",
            json!({ "id": "%%%" }),
        )
        .await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
}

#[tokio::test]
async fn code_lists_are_seeded() {
    let app = spawn_app().await;
    let res = app
        .graphql("{ sdgGoals { number title targets { code } } urbanAgendaPartnerships { key name } countries(first: 1) { totalCount } }", json!({}))
        .await;
    let goals = res["data"]["sdgGoals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(goals.len(), 17, "{res}");
    let targets: usize = goals
        .iter()
        .map(|g| g["targets"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(targets, 169);
    assert!(
        res["data"]["urbanAgendaPartnerships"]
            .as_array()
            .map_or(0, Vec::len)
            >= 20
    );
    assert!(
        res["data"]["countries"]["totalCount"]
            .as_u64()
            .unwrap_or_default()
            >= 240
    );
}

#[tokio::test]
async fn the_committed_schema_matches_the_code() {
    let committed = include_str!("../../../schema.graphql");
    assert!(
        committed == ucap::graphql::sdl(),
        "schema.graphql is out of date: run `cargo run -p ucap -- schema > schema.graphql`"
    );
}
