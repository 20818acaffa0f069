//! The importer against a live server's database: idempotent, updates in place, refuses bad input
//! without touching what is stored.

use sea_orm::{Database, DatabaseConnection};
use serde_json::{Value, json};
use ucap::import::{SAMPLE, import_bytes};
use ucap_tests::{TestApp, spawn_app};

use super::foundation::ISSUE_QUERY;

const NAGOYA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/nagoya.txt");
const CURITIBA: &[u8] = include_bytes!("../../../api/tests/fixtures/summaries/curitiba.txt");

async fn connect(app: &TestApp) -> DatabaseConnection {
    Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Everything the API shows of every plan, for before/after comparisons.
async fn snapshot(app: &TestApp) -> Value {
    let res = app
        .graphql(
            &ISSUE_QUERY.replace("id title status", "id title status version updatedAt"),
            json!({}),
        )
        .await;
    assert!(res["errors"].is_null(), "{res}");
    let extra = app
        .graphql("{ cities(first: 100) { totalCount } organizations(first: 100) { totalCount } activities(first: 100) { totalCount } mous(first: 100) { totalCount } }", json!({}))
        .await;
    json!({ "plans": res["data"], "counts": extra["data"] })
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = spawn_app().await;
    let db = connect(&app).await;
    let before = snapshot(&app).await;
    let report = import_bytes(&db, "guangzhou.txt", SAMPLE)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.tally.changed(), "{report}");
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn an_edited_file_updates_in_place_without_duplicates() {
    let app = spawn_app().await;
    let db = connect(&app).await;
    let sample = String::from_utf8_lossy(SAMPLE).into_owned();
    let edited = sample
        .replace(
            "joint R&D project on hydrogen energy",
            "joint R&D project on green hydrogen energy",
        )
        .replace(
            "<p>→</p>",
            "<p>→ <u>June 2020</u>: Online workshop Rome – Guangzhou on health technology</p>",
        );
    assert_ne!(edited, sample, "the edit must change the sample");
    let report = import_bytes(&db, "guangzhou.txt", edited.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.tally.changed(), "{report}");

    let res = app.graphql("{ plans { totalCount nodes { version themes { title description version } activities { totalCount nodes { title } } } } }", json!({})).await;
    let plan = &res["data"]["plans"]["nodes"][0];
    assert_eq!(res["data"]["plans"]["totalCount"], 1, "{res}");
    let themes = plan["themes"].as_array().cloned().unwrap_or_default();
    assert_eq!(themes.len(), 4);
    let edited_theme = themes.iter().find(|t| {
        t["description"]
            .as_str()
            .is_some_and(|d| d.contains("green hydrogen"))
    });
    assert_eq!(
        edited_theme.map(|t| t["version"].clone()),
        Some(json!(2)),
        "{themes:?}"
    );
    assert!(themes.iter().filter(|t| t["version"] == 1).count() == 3);
    assert_eq!(plan["activities"]["totalCount"], 6, "{res}");
}

#[tokio::test]
async fn other_summaries_import_with_their_own_cities_dates_and_numbers() {
    let app = spawn_app().await;
    let db = connect(&app).await;
    for (name, bytes) in [("nagoya.txt", NAGOYA), ("curitiba.txt", CURITIBA)] {
        import_bytes(&db, name, bytes)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let res = app
        .graphql(
            "{ plans { totalCount nodes { slug focalCity { name population country { code } } partnerCities { name country { code } } activities { nodes { date { precision } } } dataIssues { code } } } }",
            json!({}),
        )
        .await;
    assert!(res["errors"].is_null(), "{res}");
    assert_eq!(res["data"]["plans"]["totalCount"], 3, "{res}");
    let nodes = res["data"]["plans"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let nagoya = nodes
        .iter()
        .find(|p| p["focalCity"]["name"] == "Nagoya")
        .unwrap_or_else(|| panic!("{res}"));
    assert_eq!(nagoya["focalCity"]["country"]["code"], "JP");
    assert!(
        nagoya["activities"]["nodes"]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n["date"]["precision"] == "DAY")),
        "{nagoya}"
    );
    let curitiba = nodes
        .iter()
        .find(|p| p["focalCity"]["name"] == "Curitiba")
        .unwrap_or_else(|| panic!("{res}"));
    assert_eq!(curitiba["focalCity"]["country"]["code"], "BR");
    assert_eq!(curitiba["focalCity"]["population"], 1_963_726);
    for plan in [nagoya, curitiba] {
        for partner in plan["partnerCities"].as_array().into_iter().flatten() {
            let unknown = partner["country"].is_null();
            let flagged = plan["dataIssues"]
                .as_array()
                .is_some_and(|i| i.iter().any(|d| d["code"] == "unknown-city"));
            assert!(
                !unknown || flagged,
                "partner without country and without a data issue: {partner}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_files_are_refused_and_nothing_stored_changes() {
    let app = spawn_app().await;
    let db = connect(&app).await;
    let before = snapshot(&app).await;
    let huge = format!(
        "City:\tGuangzhou\tBarcelona\nCooperation Themes:\t<p>{}</p>\t\n",
        "x".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("blank", b"  \n\t\n".to_vec()),
        (
            "no City row",
            b"Country:\tChina\tSpain\nPopulation:\t1 mio\tN/A\n".to_vec(),
        ),
        (
            "binary",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe],
        ),
        ("huge cell", huge.into_bytes()),
    ];
    for (name, bytes) in cases {
        let result = import_bytes(&db, name, &bytes).await;
        assert!(result.is_err(), "{name} was accepted");
    }
    assert_eq!(snapshot(&app).await, before);
}

/// "An MoU between Rome and Granada" in Guangzhou's summary is an MoU of Rome and Granada, not two
/// of Guangzhou's; "MoUs with …" still makes one MoU per partner of the plan's city.
#[tokio::test]
async fn an_mou_between_two_named_cities_has_those_cities_as_its_parties() {
    let app = spawn_app().await;
    let db = connect(&app).await;
    let q = "{ plans { nodes { mous { subject parties { name } } } } }";
    let parties = |res: &Value| -> Vec<Vec<String>> {
        let mut all: Vec<Vec<String>> = res["data"]["plans"]["nodes"][0]["mous"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let mut names: Vec<String> = m["parties"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                names.sort();
                names
            })
            .collect();
        all.sort();
        all
    };
    let before = app.graphql(q, json!({})).await;
    assert_eq!(
        parties(&before),
        [
            ["Barcelona", "Guangzhou"],
            ["Granada", "Guangzhou"],
            ["Guangzhou", "Rome"]
        ],
        "{before}"
    );

    let sample = String::from_utf8_lossy(SAMPLE).into_owned();
    let edited = sample.replace(
        "MoUs with Granada, Rome and Barcelona on cooperation",
        "MoU between Rome and Granada on cooperation",
    );
    assert_ne!(edited, sample, "the edit must change the sample");
    import_bytes(&db, "guangzhou.txt", edited.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after = app.graphql(q, json!({})).await;
    assert_eq!(parties(&after), [["Granada", "Rome"]], "{after}");
}
