//! The query API: filters, orderings, nested pagination, node lookups, dashboard counts, and the
//! N+1 guarantee (statement counts depend on the query's shape, not on the rows returned).

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use ucap::import::import_bytes;
use ucap_tests::{TestApp, error_code, spawn_app};

const NAGOYA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/nagoya.txt");
const CURITIBA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/curitiba.txt");

/// The sample plus two more summaries, so filters have something to tell apart.
async fn app_with_three_plans() -> TestApp {
    with_two_more_plans(spawn_app().await).await
}

async fn with_two_more_plans(app: TestApp) -> TestApp {
    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in [("nagoya.txt", NAGOYA), ("curitiba.txt", CURITIBA)] {
        import_bytes(&db, name, bytes)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    app
}

fn names(v: &Value, path: &str) -> Vec<String> {
    v.pointer(path)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| {
            n.as_str()
                .map(str::to_owned)
                .or_else(|| n["focalCity"]["name"].as_str().map(str::to_owned))
        })
        .collect()
}

async fn sql_statements(app: &TestApp) -> u64 {
    let (_, body) = app.metrics().await;
    body.lines()
        .find_map(|l| l.strip_prefix("ucap_sql_statements_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no statement counter in {body}"))
}

#[tokio::test]
async fn statement_count_depends_on_query_shape_not_page_size() {
    // Without the response cache: repeated requests must run their queries to be counted.
    let app =
        with_two_more_plans(ucap_tests::spawn_app_with(|s| s.response_cache = false).await).await;
    // Each loader is reached by one path per level: two paths to the same loader at the same depth
    // may or may not share a batch (DataLoader batches by time), which would make counts flap by one.
    let q = "query($n: Int!) { plans(first: $n) { totalCount nodes { title focalCity { name } \
             partnerCities { name country { code } } themes { title } sdgGoals { number } \
             activities(first: $n, orderBy: DATE_DESC) { totalCount nodes { title date { text } cities { name } organizations { name } } } \
             expectedResults { kind cities { name } } mous { subject parties { name } } } } }";
    let mut counts = Vec::new();
    for n in [5, 50, 5, 50] {
        let before = sql_statements(&app).await;
        let res = app.graphql(q, json!({ "n": n })).await;
        assert!(res["errors"].is_null(), "{res}");
        counts.push(sql_statements(&app).await - before);
    }
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "statements at first:5 vs first:50: {counts:?}"
    );
    assert!(counts[0] < 40, "{counts:?}");
}

#[tokio::test]
async fn plans_filter_by_country_region_sdg_partnership_and_combinations() {
    let app = app_with_three_plans().await;
    let q =
        "query($f: PlanFilter) { plans(filter: $f) { totalCount nodes { focalCity { name } } } }";
    let run = |f: Value| {
        let app = &app;
        async move { app.graphql(q, json!({ "f": f })).await }
    };
    let res = run(json!({ "focalCountry": "CN" })).await;
    assert_eq!(names(&res, "/data/plans/nodes"), ["Guangzhou"], "{res}");
    let res = run(json!({ "country": "ES" })).await;
    assert!(
        names(&res, "/data/plans/nodes").contains(&"Guangzhou".to_owned()),
        "{res}"
    );
    let res = run(json!({ "worldRegion": "Eastern Asia" })).await;
    let mut got = names(&res, "/data/plans/nodes");
    got.sort();
    assert_eq!(got, ["Guangzhou", "Nagoya"], "{res}");
    let res = run(json!({ "sdgGoal": 9 })).await;
    assert!(
        names(&res, "/data/plans/nodes").contains(&"Guangzhou".to_owned()),
        "{res}"
    );
    let res = run(json!({ "urbanAgendaPartnership": "energy-transition" })).await;
    assert!(
        names(&res, "/data/plans/nodes").contains(&"Guangzhou".to_owned()),
        "{res}"
    );
    let res = run(json!({ "themeText": "HYDROGEN" })).await;
    assert_eq!(names(&res, "/data/plans/nodes"), ["Guangzhou"], "{res}");
    let res = run(json!({ "or": [{ "focalCountry": "CN" }, { "focalCountry": "BR" }] })).await;
    assert_eq!(res["data"]["plans"]["totalCount"], 2, "{res}");
    let res = run(json!({ "not": { "focalCountry": "CN" } })).await;
    assert_eq!(res["data"]["plans"]["totalCount"], 2, "{res}");
    let res = run(json!({ "themeText": "100%_\\" })).await;
    assert_eq!(
        res["data"]["plans"]["totalCount"], 0,
        "literal wildcards must not match everything: {res}"
    );
    let res = run(json!({ "periodFrom": "2017-05-15", "periodTo": "2017-05-16" })).await;
    assert!(
        names(&res, "/data/plans/nodes").contains(&"Guangzhou".to_owned()),
        "May 2017 overlaps mid-May: {res}"
    );
    let res = run(json!({ "sdgGoal": 18 })).await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
    let res = run(json!({ "country": "China" })).await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
    let deep = (0..10).fold(json!({ "focalCountry": "CN" }), |f, _| json!({ "not": f }));
    assert_eq!(error_code(&run(deep).await), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn activities_filter_by_date_overlap_kind_and_country_and_sort_by_date() {
    let app = spawn_app().await;
    let q = "query($f: ActivityFilter, $o: ActivityOrder) { activities(filter: $f, orderBy: $o) { totalCount nodes { date { text } kind } } }";
    let res = app
        .graphql(
            q,
            json!({ "f": { "dateFrom": "2019-01-01", "dateTo": "2019-12-31" } }),
        )
        .await;
    let dates: Vec<&str> = res["data"]["activities"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["date"]["text"].as_str())
        .collect();
    assert_eq!(dates, ["April 2019", "September 2019"], "{res}");
    let res = app
        .graphql(
            q,
            json!({ "f": { "kind": ["ONLINE_MEETING"] }, "o": "DATE_DESC" }),
        )
        .await;
    let dates: Vec<&str> = res["data"]["activities"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["date"]["text"].as_str())
        .collect();
    assert_eq!(dates, ["May 2020", "March 2020"], "{res}");
    let res = app.graphql(q, json!({ "f": { "country": "IT" } })).await;
    assert_eq!(
        res["data"]["activities"]["totalCount"], 1,
        "the Bologna meeting: {res}"
    );
    let res = app
        .graphql(
            q,
            json!({ "f": { "dateFrom": "2020-01-01", "dateTo": "2019-01-01" } }),
        )
        .await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
}

#[tokio::test]
async fn nested_activity_pages_walk_forward_and_backward() {
    let app = spawn_app().await;
    let q = "query($a: String, $b: String, $f: Int, $l: Int) { plans { nodes { activities(first: $f, after: $a, last: $l, before: $b) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { date { text } } } } } }";
    let page = |v: Value| v["data"]["plans"]["nodes"][0]["activities"].clone();
    let p1 = page(app.graphql(q, json!({ "f": 2 })).await);
    assert_eq!(p1["totalCount"], 5);
    assert_eq!(p1["pageInfo"]["hasNextPage"], true);
    let p2 = page(
        app.graphql(q, json!({ "f": 2, "a": p1["pageInfo"]["endCursor"] }))
            .await,
    );
    let texts = |p: &Value| {
        p["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["date"]["text"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&p2), ["January 2020", "March 2020"], "{p2}");
    let back = page(
        app.graphql(q, json!({ "l": 2, "b": p2["pageInfo"]["startCursor"] }))
            .await,
    );
    assert_eq!(texts(&back), texts(&p1), "{back}");
    let res = app
        .graphql(q, json!({ "f": 2, "a": "bm90LWEtY3Vyc29y" }))
        .await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
}

#[tokio::test]
async fn node_and_nodes_resolve_any_record_by_global_id() {
    let app = spawn_app().await;
    let res = app
        .graphql(
            "{ plans { nodes { id focalCity { id } mous { id } } } }",
            json!({}),
        )
        .await;
    let plan = &res["data"]["plans"]["nodes"][0];
    let ids = json!([
        plan["id"],
        plan["focalCity"]["id"],
        plan["mous"][0]["id"],
        "UGxhbjo5OTk5OTk"
    ]);
    let res = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on City { name } } }",
            json!({ "ids": ids }),
        )
        .await;
    let nodes = res["data"]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), 4, "{res}");
    assert_eq!(nodes[0]["__typename"], "Plan");
    assert_eq!(nodes[1]["name"], "Guangzhou");
    assert_eq!(nodes[2]["__typename"], "Mou");
    assert!(nodes[3].is_null());
    let res = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": plan["id"] }),
        )
        .await;
    assert_eq!(res["data"]["node"]["id"], plan["id"]);
    let res = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "UGxhbjo5OTk5OTk" }),
        )
        .await;
    assert!(res["errors"].is_null(), "{res}");
    assert!(res["data"]["node"].is_null(), "{res}");
}

/// Relay's `node` is nullable: an unknown ID is null without error, a malformed one null with an
/// error at `["node"]`; in `nodes` a malformed ID nulls its own place only. The rest of the
/// answer stands either way.
#[tokio::test]
async fn a_malformed_or_unknown_id_nulls_only_its_own_node() {
    let app = spawn_app().await;
    let q = "query($id: ID!) { plans { totalCount } node(id: $id) { id } }";
    let unknown = app.graphql(q, json!({ "id": "UGxhbjo5OTk5OTk" })).await;
    assert!(unknown["errors"].is_null(), "{unknown}");
    assert!(
        unknown["data"]["plans"]["totalCount"].is_number(),
        "{unknown}"
    );
    assert_eq!(unknown["data"]["node"], Value::Null, "{unknown}");
    assert!(
        unknown["data"]
            .as_object()
            .is_some_and(|d| d.contains_key("node")),
        "{unknown}"
    );
    for malformed in ["not an id", "Tm9LaW5kOjE"] {
        let res = app.graphql(q, json!({ "id": malformed })).await;
        assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
        assert_eq!(res["errors"][0]["path"], json!(["node"]), "{res}");
        assert!(res["data"]["plans"]["totalCount"].is_number(), "{res}");
        assert!(
            res["data"]
                .as_object()
                .is_some_and(|d| d.contains_key("node")),
            "{res}"
        );
        assert_eq!(res["data"]["node"], Value::Null, "{res}");
    }

    let plan = app.graphql("{ plans { nodes { id } } }", json!({})).await["data"]["plans"]["nodes"]
        [0]["id"]
        .clone();
    let res = app
        .graphql(
            "query($ids: [ID!]!) { plans { totalCount } nodes(ids: $ids) { id } }",
            json!({ "ids": [plan, "not an id", "UGxhbjo5OTk5OTk"] }),
        )
        .await;
    assert!(res["data"]["plans"]["totalCount"].is_number(), "{res}");
    assert_eq!(
        res["data"]["nodes"],
        json!([{ "id": plan }, null, null]),
        "{res}"
    );
    let errors = res["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{res}");
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
    assert_eq!(errors[0]["path"], json!(["nodes", 1]), "{res}");
}

#[tokio::test]
async fn stats_count_plans_activities_and_mous_honouring_the_filter() {
    let app = app_with_three_plans().await;
    let q = "query($f: PlanFilter) { stats(filter: $f) { plans { total byCountry { key label count } bySdgGoal { key count } byUrbanAgendaPartnership { key count } byStatus { key count } byYear { key count } byTheme { key count } } activities { total byYear { key count } byKind { key count } byCountry { key count } } mous { total byStatus { key count } byCountry { key count } } } }";
    let all = app.graphql(q, json!({})).await;
    assert!(all["errors"].is_null(), "{all}");
    assert_eq!(all["data"]["stats"]["plans"]["total"], 3, "{all}");
    let cn = app
        .graphql(q, json!({ "f": { "focalCountry": "CN" } }))
        .await;
    let s = &cn["data"]["stats"];
    assert_eq!(s["plans"]["total"], 1, "{cn}");
    assert_eq!(
        s["plans"]["byCountry"],
        json!([{ "key": "CN", "label": "China", "count": 1 }])
    );
    assert_eq!(s["activities"]["total"], 5);
    let years: Vec<(String, i64)> = s["activities"]["byYear"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            (
                b["key"].as_str().unwrap_or_default().to_owned(),
                b["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(years, [("2019".to_owned(), 2), ("2020".to_owned(), 3)]);
    assert_eq!(s["mous"]["total"], 3);
    assert_eq!(
        s["mous"]["byStatus"],
        json!([{ "key": "PLANNED", "count": 3 }])
    );
    let goals: Vec<&str> = s["plans"]["bySdgGoal"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["key"].as_str())
        .collect();
    assert_eq!(goals.len(), 4, "{goals:?}");
}

/// Counts are cached, and a write by anyone — the importer in another process, plain SQL — shows in
/// the next answer; an unchanged database is answered from the cache with one statement.
#[tokio::test]
async fn stats_follow_every_write_and_are_cached_in_between() {
    let app = spawn_app().await;
    let q =
        "{ stats { plans { total } activities { total byKind { key count } } mous { total } } }";
    let before = app.graphql(q, json!({})).await;
    assert!(before["errors"].is_null(), "{before}");
    assert_eq!(before["data"]["stats"]["plans"]["total"], 1, "{before}");
    let activities = before["data"]["stats"]["activities"]["total"]
        .as_i64()
        .unwrap_or_default();

    let start = sql_statements(&app).await;
    let again = app.graphql(q, json!({})).await;
    assert_eq!(again, before);
    assert_eq!(
        sql_statements(&app).await - start,
        1,
        "only the data version is read"
    );

    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    import_bytes(&db, "nagoya.txt", NAGOYA)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after = app.graphql(q, json!({})).await;
    assert_eq!(after["data"]["stats"]["plans"]["total"], 2, "{after}");
    assert!(
        after["data"]["stats"]["activities"]["total"]
            .as_i64()
            .unwrap_or_default()
            > activities,
        "{after}"
    );

    let cn = "{ stats(filter: { focalCountry: \"CN\" }) { mous { total } } }";
    let listed = app.graphql(cn, json!({})).await;
    assert_eq!(listed["data"]["stats"]["mous"]["total"], 3, "{listed}");
    db.execute_unprepared("DELETE FROM plan_mou")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unlisted = app.graphql(cn, json!({})).await;
    assert_eq!(unlisted["data"]["stats"]["mous"]["total"], 0, "{unlisted}");
}

#[tokio::test]
async fn activities_sort_by_partial_date_across_plans_whatever_their_insertion_order() {
    let app = app_with_three_plans().await;
    for order in ["DATE_ASC", "DATE_DESC"] {
        let mut starts: Vec<Option<String>> = Vec::new();
        let mut after = Value::Null;
        loop {
            let res = app
                .graphql(
                    "query($o: ActivityOrder, $a: String) { activities(first: 3, after: $a, orderBy: $o) { pageInfo { hasNextPage endCursor } nodes { date { start } } } }",
                    json!({ "o": order, "a": after }),
                )
                .await;
            let page = &res["data"]["activities"];
            assert!(res["errors"].is_null(), "{res}");
            starts.extend(
                page["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| n["date"]["start"].as_str().map(str::to_owned)),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        let dated: Vec<&String> = starts.iter().flatten().collect();
        let mut sorted = dated.clone();
        sorted.sort();
        if order == "DATE_DESC" {
            sorted.reverse();
        }
        assert_eq!(dated, sorted, "{order}: {starts:?}");
        let first_undated = starts
            .iter()
            .position(Option::is_none)
            .unwrap_or(starts.len());
        assert!(
            starts[first_undated..].iter().all(Option::is_none),
            "undated activities come last: {starts:?}"
        );
        assert!(dated.len() >= 8, "{starts:?}");
    }
}

/// Anonymous readers asking the same query share one answer until the next write; without the
/// cache (or with a token) every request runs its query.
#[tokio::test]
async fn repeated_anonymous_queries_are_served_from_the_cache_until_the_next_write() {
    let app = spawn_app().await;
    let q = "{ plans { nodes { title activities(first: 2) { nodes { title } } } } }";
    let first = app.graphql(q, json!({})).await;
    assert!(first["errors"].is_null(), "{first}");
    let start = sql_statements(&app).await;
    assert_eq!(app.graphql(q, json!({})).await, first);
    assert_eq!(
        sql_statements(&app).await - start,
        1,
        "the data version only"
    );

    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.execute_unprepared("UPDATE plan SET title = 'U-CAP Guangzhou (revised)'")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after = app.graphql(q, json!({})).await;
    assert_eq!(
        after["data"]["plans"]["nodes"][0]["title"], "U-CAP Guangzhou (revised)",
        "{after}"
    );

    let (token, _) = app.issue_token(ucap::auth::Role::Viewer, &[1]).await;
    app.graphql_as(&token, q, json!({})).await;
    let start = sql_statements(&app).await;
    app.graphql_as(&token, q, json!({})).await;
    assert!(
        sql_statements(&app).await - start > 1,
        "a token's query runs"
    );

    let uncached = ucap_tests::spawn_app_with(|s| s.response_cache = false).await;
    uncached.graphql(q, json!({})).await;
    let start = sql_statements(&uncached).await;
    uncached.graphql(q, json!({})).await;
    assert!(
        sql_statements(&uncached).await - start > 1,
        "no cache: the query runs"
    );
}
