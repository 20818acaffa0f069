//! Full-text search over HTTP: names in any script, case and accents, ranking, literal query syntax,
//! stable pages, and an index that follows imports.

use std::collections::HashSet;

use sea_orm::Database;
use serde_json::{Value, json};
use ucap::import::{SAMPLE, import_bytes};
use ucap_tests::{TestApp, error_code, spawn_app};

const CURITIBA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/curitiba.txt");
const NAGOYA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/nagoya.txt");

const SEARCH: &str = r#"
query Search($text: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor
      node {
        kind score snippet
        record {
          __typename
          ... on Plan { id title }
          ... on Theme { id title }
          ... on Activity { id title place }
          ... on Mou { id subject }
          ... on Organization { id name }
          ... on City { id name }
        }
      }
    }
  }
}"#;

/// A hit as the tests look at it.
#[derive(Debug, Clone, PartialEq)]
struct Hit {
    kind: String,
    id: String,
    /// The record's name, title or subject.
    label: String,
    snippet: String,
}

async fn search_response(app: &TestApp, variables: Value) -> Value {
    app.graphql(SEARCH, variables).await
}

/// All hits of one page, and the response for its connection fields.
async fn search_page(app: &TestApp, variables: Value) -> (Vec<Hit>, Value) {
    let res = search_response(app, variables.clone()).await;
    assert!(res["errors"].is_null(), "{variables}: {res}");
    let conn = res["data"]["search"].clone();
    let hits = conn["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|edge| {
            let node = &edge["node"];
            let record = &node["record"];
            let label = ["name", "title", "subject"]
                .iter()
                .find_map(|f| record[*f].as_str())
                .unwrap_or_default();
            assert_eq!(
                record["__typename"].as_str().map(str::to_uppercase),
                node["kind"].as_str().map(str::to_owned),
                "{node}"
            );
            Hit {
                kind: node["kind"].as_str().unwrap_or_default().to_owned(),
                id: record["id"].as_str().unwrap_or_default().to_owned(),
                label: label.to_owned(),
                snippet: node["snippet"].as_str().unwrap_or_default().to_owned(),
            }
        })
        .collect();
    (hits, conn)
}

async fn search(app: &TestApp, text: &str) -> Vec<Hit> {
    search_page(app, json!({ "text": text, "first": 100 }))
        .await
        .0
}

fn first_of_kind<'a>(hits: &'a [Hit], kind: &str) -> Option<&'a Hit> {
    hits.iter().find(|h| h.kind == kind)
}

async fn import(app: &TestApp, name: &str, bytes: &[u8]) {
    let db = Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    import_bytes(&db, name, bytes)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    db.close().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn guangzhou_in_chinese_or_latin_letters_finds_the_city_first_among_cities() {
    let app = spawn_app().await;
    for text in [
        "广州",
        "guangzhou",
        "Guangzhou",
        "GUANGZHOU",
        " guangzhou  ",
    ] {
        let hits = search(&app, text).await;
        let city = first_of_kind(&hits, "CITY").unwrap_or_else(|| panic!("{text}: {hits:?}"));
        assert_eq!(city.label, "Guangzhou", "{text}: {hits:?}");
        assert!(
            city.snippet.contains("[广州]") || city.snippet.contains("[Guangzhou]"),
            "{text}: {city:?}"
        );
    }
    // Traditional characters and an old romanisation are aliases of the same city.
    let hits = search(&app, "廣州 canton").await;
    assert_eq!(
        first_of_kind(&hits, "CITY").map(|h| h.label.as_str()),
        Some("Guangzhou")
    );
}

#[tokio::test]
async fn a_word_of_a_theme_description_finds_the_theme() {
    let app = spawn_app().await;
    let hits = search(&app, "hydrogen").await;
    let theme = first_of_kind(&hits, "THEME").unwrap_or_else(|| panic!("{hits:?}"));
    assert_eq!(theme.label, "Circular Economy & Energy Transition");
    assert!(theme.snippet.contains("[hydrogen]"), "{theme:?}");
    assert!(theme.snippet.chars().count() <= 200);
}

#[tokio::test]
async fn a_place_finds_the_activity_held_there() {
    let app = spawn_app().await;
    let res = search_response(&app, json!({ "text": "Brussels", "kinds": ["ACTIVITY"] })).await;
    let edges = res["data"]["search"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!edges.is_empty(), "{res}");
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["record"]["place"] == "Brussels"),
        "{res}"
    );
}

#[tokio::test]
async fn bologna_finds_the_city_first_then_the_university() {
    let app = spawn_app().await;
    let hits = search(&app, "Bologna").await;
    assert_eq!(
        hits.first().map(|h| (h.kind.as_str(), h.label.as_str())),
        Some(("CITY", "Bologna")),
        "the record named as searched comes first: {hits:?}"
    );
    assert!(
        hits.iter()
            .any(|h| h.kind == "ORGANIZATION" && h.label == "University of Bologna"),
        "{hits:?}"
    );
    let scores: Vec<f64> = search_page(&app, json!({ "text": "Bologna" })).await.1["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["score"].as_f64())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[tokio::test]
async fn case_and_accents_do_not_matter() {
    let app = spawn_app().await;
    import(&app, "curitiba.txt", CURITIBA).await;
    let ids = |hits: Vec<Hit>| hits.into_iter().map(|h| h.id).collect::<Vec<_>>();
    let expected = ids(search(&app, "Württemberg").await);
    assert!(!expected.is_empty());
    for text in ["wurttemberg", "WÜRTTEMBERG", "Wurttemberg", "württem"] {
        assert_eq!(ids(search(&app, text).await), expected, "{text}");
    }
    let stuttgart = search(&app, "wurttemberg").await;
    assert!(
        stuttgart.iter().any(|h| h.label == "Stuttgart"),
        "{stuttgart:?}"
    );
    assert!(
        stuttgart
            .iter()
            .all(|h| h.snippet.contains("[Württemberg]")),
        "the snippet shows the text as written: {stuttgart:?}"
    );
    // Curitiba's state is published as "Paraná".
    for text in ["Paraná", "parana", "PARANA"] {
        let hits = search(&app, text).await;
        assert_eq!(
            first_of_kind(&hits, "CITY").map(|h| h.label.as_str()),
            Some("Curitiba"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn query_syntax_and_sql_in_the_text_are_matched_literally() {
    let app = spawn_app().await;
    for text in [
        "%",
        "_",
        "\"",
        "*",
        "\\",
        "NEAR(",
        "'; DROP TABLE plan; --",
        "\"Bologna",
        "Bologna\"*",
    ] {
        let res = search_response(&app, json!({ "text": text })).await;
        assert!(res["errors"].is_null(), "{text}: {res}");
    }
    for text in ["%", "_", "\"", "*", "%%", "_%_", "'; DROP TABLE plan; --"] {
        assert_eq!(search(&app, text).await, [], "{text}");
    }
    // No operators: OR is a word (finding "organize", "or"), not a union.
    assert!(!search(&app, "Brussels").await.is_empty());
    assert!(!search(&app, "Bologna").await.is_empty());
    assert_eq!(search(&app, "Brussels OR Bologna").await, []);
    assert_eq!(
        search(&app, "Bologna NEAR(Guangzhou)").await,
        search(&app, "Bologna NEAR Guangzhou").await
    );
    // LIKE wildcards around unspaced text are not wildcards.
    assert_eq!(search(&app, "%广州%").await, search(&app, "广州").await);
    assert_eq!(search(&app, "广_州").await, search(&app, "广 州").await);
    let plans = app.graphql("{ plans { totalCount } }", json!({})).await;
    assert_eq!(plans["data"]["plans"]["totalCount"], 1, "{plans}");
}

#[tokio::test]
async fn blank_or_overlong_text_is_bad_user_input() {
    let app = spawn_app().await;
    for text in [
        String::new(),
        "   ".to_owned(),
        "\n\t".to_owned(),
        "a".repeat(201),
        "广".repeat(201),
    ] {
        let res = search_response(&app, json!({ "text": text })).await;
        assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{text:?}: {res}");
    }
    let res = search_response(&app, json!({ "text": "a".repeat(200) })).await;
    assert!(res["errors"].is_null(), "{res}");
    for variables in [
        json!({ "text": "guangzhou", "first": 101 }),
        json!({ "text": "guangzhou", "first": -1 }),
        json!({ "text": "guangzhou", "after": "not-a-cursor" }),
    ] {
        let res = search_response(&app, variables.clone()).await;
        assert_eq!(
            error_code(&res),
            Some("BAD_USER_INPUT"),
            "{variables}: {res}"
        );
    }
}

#[tokio::test]
async fn pages_of_hits_are_stable_and_add_up_to_the_total() {
    let app = spawn_app().await;
    let (all, conn) = search_page(&app, json!({ "text": "guangzhou", "first": 100 })).await;
    assert!(all.len() > 3, "{all:?}");
    assert_eq!(conn["totalCount"], all.len());
    assert_eq!(conn["pageInfo"]["hasNextPage"], false);

    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, conn) = search_page(
            &app,
            json!({ "text": "guangzhou", "first": 3, "after": after }),
        )
        .await;
        assert_eq!(conn["totalCount"], all.len());
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], after.is_some());
        walked.extend(page);
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        assert!(walked.len() < all.len(), "more pages than hits: {walked:?}");
    }
    assert_eq!(walked, all, "the pages, in order, are the whole ranking");
    let distinct: HashSet<(String, String)> = walked
        .iter()
        .map(|h| (h.kind.clone(), h.id.clone()))
        .collect();
    assert_eq!(distinct.len(), walked.len());

    // Past the end and empty pages still count every hit.
    let (beyond, conn) = search_page(
        &app,
        json!({ "text": "guangzhou", "first": 5, "after": after }),
    )
    .await;
    assert_eq!(beyond, []);
    assert_eq!(conn["totalCount"], all.len());
    let (none, conn) = search_page(&app, json!({ "text": "guangzhou", "first": 0 })).await;
    assert_eq!(none, []);
    assert_eq!(conn["totalCount"], all.len());
}

#[tokio::test]
async fn unknown_text_finds_nothing() {
    let app = spawn_app().await;
    let (hits, conn) = search_page(&app, json!({ "text": "zzyzx quixotic" })).await;
    assert_eq!(hits, []);
    assert_eq!(conn["totalCount"], 0);
    assert_eq!(conn["pageInfo"]["hasNextPage"], false);
    assert_eq!(search(&app, "鼹鼠").await, []);
}

#[tokio::test]
async fn kinds_restrict_the_hits() {
    let app = spawn_app().await;
    let (hits, conn) = search_page(
        &app,
        json!({ "text": "Bologna", "kinds": ["ORGANIZATION", "CITY"] }),
    )
    .await;
    assert!(
        hits.iter()
            .all(|h| h.kind == "ORGANIZATION" || h.kind == "CITY"),
        "{hits:?}"
    );
    assert_eq!(conn["totalCount"], hits.len());
    assert_eq!(
        hits.len(),
        3,
        "the city and two spellings of the university: {hits:?}"
    );
    let (hits, conn) = search_page(&app, json!({ "text": "Bologna", "kinds": [] })).await;
    assert_eq!((hits.len(), conn["totalCount"].clone()), (0, json!(0)));
}

#[tokio::test]
async fn the_index_follows_imports() {
    let app = spawn_app().await;
    let edited = String::from_utf8_lossy(SAMPLE).replace("hydrogen energy", "ammonia energy");
    import(&app, "guangzhou.txt", edited.as_bytes()).await;
    let themes = |hits: Vec<Hit>| hits.into_iter().filter(|h| h.kind == "THEME").count();
    assert_eq!(themes(search(&app, "ammonia").await), 1);
    assert_eq!(themes(search(&app, "hydrogen").await), 0);

    import(&app, "nagoya.txt", NAGOYA).await;
    for text in ["名古屋", "nagoya", "なごやし"] {
        let hits = search(&app, text).await;
        assert_eq!(
            first_of_kind(&hits, "CITY").map(|h| h.label.as_str()),
            Some("Nagoya"),
            "{text}"
        );
    }
    let plans = search(&app, "名古屋").await;
    assert!(
        plans
            .iter()
            .any(|h| h.kind == "PLAN" && h.label == "U-CAP Nagoya"),
        "{plans:?}"
    );
}
