//! Open-data exports over HTTP: RFC 4180 tables and the nested JSON document hold what GraphQL
//! serves, only what the caller may read, narrowed by `updatedSince`, revalidated by ETag and
//! Last-Modified.

use reqwest::StatusCode;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use serde_json::{Value, json};
use ucap_tests::{TestApp, spawn_app, spawn_app_with};

use crate::writes::partners;

/// Every CSV table the service exports.
const TABLES: [&str; 14] = [
    "plans.csv",
    "plan-cities.csv",
    "participants.csv",
    "cities.csv",
    "organizations.csv",
    "themes.csv",
    "statements.csv",
    "sdg-links.csv",
    "urban-agenda-links.csv",
    "expected-results.csv",
    "activities.csv",
    "mous.csv",
    "contacts.csv",
    "data-issues.csv",
];

async fn fetch(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    headers: &[(reqwest::header::HeaderName, String)],
) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn body(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let res = fetch(app, path, token, &[]).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.text().await.unwrap_or_else(|e| panic!("{e}"))
}

/// A CSV table as header and rows; fails on ragged rows or a line not ended by CRLF.
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(
        text.ends_with("\r\n"),
        "a CSV file ends with CRLF: {text:?}"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("ragged or malformed CSV: {e}")))
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    // Every record ends with CRLF (newlines inside quoted cells aside).
    let unquoted_lf = text
        .split('"')
        .step_by(2)
        .flat_map(|outside| outside.match_indices('\n'))
        .count();
    let crlf = text
        .split('"')
        .step_by(2)
        .map(|outside| outside.matches("\r\n").count())
        .sum::<usize>();
    assert_eq!(unquoted_lf, crlf, "a bare LF ends a record");
    assert_eq!(crlf, rows.len() + 1, "one CRLF per record");
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn is_iso_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

#[tokio::test]
async fn every_csv_table_is_rfc_4180_with_iso_dates_and_their_precision() {
    let app = spawn_app().await;
    let index: Value =
        serde_json::from_str(&body(&app, "/export", None).await).unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<&str> = index["exports"]
        .as_array()
        .unwrap_or_else(|| panic!("{index}"))
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    for file in TABLES.iter().chain(&["plans.json", "iati.xml"]) {
        assert!(listed.contains(file), "{file} not listed in {index}");
    }
    for file in TABLES {
        let res = fetch(&app, &format!("/export/{file}"), None, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{file}");
        let content_type = res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/csv; charset=utf-8"),
            "{file}: {content_type}"
        );
        let text = res.text().await.unwrap_or_else(|e| panic!("{e}"));
        let (header, _) = table(&text);
        assert!(!header.is_empty(), "{file} has a header row");
    }

    let (header, plans) = table(&body(&app, "/export/plans.csv", None).await);
    assert_eq!(plans.len(), 1);
    let plan = &plans[0];
    assert_eq!(plan[column(&header, "slug")], "guangzhou-cn");
    assert_eq!(plan[column(&header, "period_text")], "May 2017");
    assert_eq!(plan[column(&header, "period_precision")], "MONTH");
    assert_eq!(plan[column(&header, "period_start")], "2017-05-01");
    assert_eq!(plan[column(&header, "period_end")], "2017-05-31");

    let (header, activities) = table(&body(&app, "/export/activities.csv", None).await);
    assert!(activities.len() >= 4, "{activities:?}");
    let (precision, start, end) = (
        column(&header, "date_precision"),
        column(&header, "date_start"),
        column(&header, "date_end"),
    );
    for row in &activities {
        assert!(
            ["YEAR", "QUARTER", "MONTH", "DAY", ""].contains(&row[precision].as_str()),
            "{row:?}"
        );
        if !row[precision].is_empty() {
            assert!(
                is_iso_date(&row[start]) && is_iso_date(&row[end]),
                "{row:?}"
            );
            assert!(row[start] <= row[end], "{row:?}");
        }
    }
    let april = activities
        .iter()
        .find(|r| r[column(&header, "date_text")] == "April 2019")
        .unwrap_or_else(|| panic!("{activities:?}"));
    assert_eq!(
        [&april[precision], &april[start], &april[end]],
        ["MONTH", "2019-04-01", "2019-04-30"]
    );

    let (header, sdg) = table(&body(&app, "/export/sdg-links.csv", None).await);
    let goals: Vec<&str> = sdg
        .iter()
        .map(|r| r[column(&header, "goal")].as_str())
        .collect();
    for goal in ["3", "4", "7", "9"] {
        assert!(goals.contains(&goal), "SDG {goal} in {goals:?}");
    }
    let (header, agenda) = table(&body(&app, "/export/urban-agenda-links.csv", None).await);
    assert!(
        agenda
            .iter()
            .any(|r| r[column(&header, "partnership_name")].contains("Energy Transition")),
        "{agenda:?}"
    );
    let (header, cities) = table(&body(&app, "/export/cities.csv", None).await);
    let guangzhou = cities
        .iter()
        .find(|r| r[column(&header, "name")] == "Guangzhou")
        .unwrap_or_else(|| panic!("{cities:?}"));
    assert_eq!(guangzhou[column(&header, "native_name")], "广州");
    assert_eq!(guangzhou[column(&header, "country_code")], "CN");
}

#[tokio::test]
async fn the_json_document_nests_what_graphql_serves() {
    let app = spawn_app().await;
    let doc: Value = serde_json::from_str(&body(&app, "/export/plans.json", None).await)
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(doc["format"], "ucap-export");
    assert_eq!(doc["visibility"], "PUBLIC");
    let query = "{ plans(first: 10) { nodes { slug title period { text precision start end }
        focalCity { name } partnerCities { name } themes { title } sdgGoals { number }
        activities(first: 100) { totalCount nodes { title date { text precision } } }
        mous { subject status } expectedResults { description kind } } } }";
    let gql = app.graphql(query, json!({})).await;
    let nodes = gql["data"]["plans"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{gql}"));
    let plans = doc["plans"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(plans.len(), nodes.len());
    for (p, g) in plans.iter().zip(nodes) {
        assert_eq!(p["slug"], g["slug"]);
        assert_eq!(p["title"], g["title"]);
        assert_eq!(p["period"]["text"], g["period"]["text"]);
        assert_eq!(p["period"]["precision"], g["period"]["precision"]);
        assert_eq!(p["period"]["start"], g["period"]["start"]);
        assert_eq!(p["focalCity"]["name"], g["focalCity"]["name"]);
        let names = |v: &Value, key: &str| -> Vec<Value> {
            v.as_array()
                .map(|a| a.iter().map(|x| x[key].clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            names(&p["partnerCities"], "name"),
            names(&g["partnerCities"], "name")
        );
        assert_eq!(names(&p["themes"], "title"), names(&g["themes"], "title"));
        assert_eq!(
            names(&p["sdgGoals"], "goal"),
            names(&g["sdgGoals"], "number")
        );
        assert_eq!(
            names(&p["mous"], "subject").len(),
            names(&g["mous"], "subject").len()
        );
        assert_eq!(
            names(&p["expectedResults"], "description"),
            names(&g["expectedResults"], "description")
        );
        let mut exported = names(&p["activities"], "title");
        let mut served = names(&g["activities"]["nodes"], "title");
        exported.sort_by_key(Value::to_string);
        served.sort_by_key(Value::to_string);
        assert_eq!(exported, served);
        // Every city named in the plan is listed once at the top.
        let listed: Vec<&Value> = doc["cities"]
            .as_array()
            .map(|c| c.iter().map(|c| &c["id"]).collect())
            .unwrap_or_default();
        assert!(listed.contains(&&p["focalCity"]["id"]));
    }
}

const DRAFT_ACTIVITY: &str =
    "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }";

#[tokio::test]
async fn anonymous_callers_get_the_public_subset_and_members_their_plans_drafts() {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(
            &p.editor_a,
            DRAFT_ACTIVITY,
            json!({ "input": { "plan": "UGxhbjox", "title": "Confidential scoping visit",
                "date": "2031-02", "kind": "MISSION", "draft": true,
                "internalNote": "budget not yet approved" } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let note = p
        .app
        .graphql_as(
            &p.admin,
            "mutation { updatePlan(id: \"UGxhbjox\", version: 1, input: { internalNote: \"steering group only\" }) { plan { version } } }",
            json!({}),
        )
        .await;
    assert!(note["errors"].is_null(), "{note}");

    for file in ["plans.json", "activities.csv", "plans.csv", "iati.xml"] {
        let path = format!("/export/{file}");
        let public = body(&p.app, &path, None).await;
        let outsider = body(&p.app, &path, Some(&p.editor_b)).await;
        for text in [&public, &outsider] {
            assert!(
                !text.contains("Confidential scoping visit"),
                "{file}: {text}"
            );
            assert!(!text.contains("budget not yet approved"), "{file}");
            assert!(!text.contains("steering group only"), "{file}");
        }
        if file != "iati.xml" {
            let member = body(&p.app, &path, Some(&p.viewer_a)).await;
            let admin = body(&p.app, &path, Some(&p.admin)).await;
            for text in [&member, &admin] {
                let expected = if file == "plans.csv" {
                    "steering group only"
                } else {
                    "Confidential scoping visit"
                };
                assert!(text.contains(expected), "{file}: {text}");
            }
        }
    }
    let contacts = body(&p.app, "/export/contacts.csv", None).await;
    assert_eq!(
        table(&contacts).1.len(),
        0,
        "contacts are not public: {contacts}"
    );
    let contacts = body(&p.app, "/export/contacts.csv", Some(&p.viewer_a)).await;
    assert!(
        !table(&contacts).1.is_empty(),
        "the plan's contact for its members"
    );
}

#[tokio::test]
async fn updated_since_narrows_the_export_to_what_changed() {
    let p = partners().await;
    let all = table(&body(&p.app, "/export/plans.csv", None).await).1;
    assert_eq!(all.len(), 1);
    let future = table(&body(&p.app, "/export/plans.csv?updatedSince=2999-01-01", None).await).1;
    assert!(future.is_empty(), "{future:?}");
    let old = table(
        &body(
            &p.app,
            "/export/plans.csv?updatedSince=2000-01-01T00:00:00Z",
            None,
        )
        .await,
    )
    .1;
    assert_eq!(old.len(), 1);

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let path = format!(
        "/export/plans.json?updatedSince={}",
        mark.replace('+', "%2B")
    );
    let doc: Value =
        serde_json::from_str(&body(&p.app, &path, None).await).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["plans"].as_array().map(Vec::len), Some(0), "{doc}");
    assert_eq!(
        doc["updatedSince"]
            .as_str()
            .map(|s| s.starts_with(&mark[..19])),
        Some(true)
    );
    // A change to one of the plan's records brings the plan back.
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            DRAFT_ACTIVITY,
            json!({ "input": { "plan": "UGxhbjox", "title": "Follow-up webinar", "date": "2021-06", "kind": "ONLINE_MEETING" } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let doc: Value =
        serde_json::from_str(&body(&p.app, &path, None).await).unwrap_or_else(|e| panic!("{e}"));
    let plans = doc["plans"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(plans.len(), 1, "{doc}");
    assert!(
        plans[0]["lastUpdatedAt"].as_str() >= Some(mark.as_str()),
        "{doc}"
    );
    assert!(doc["plans"].to_string().contains("Follow-up webinar"));
}

#[tokio::test]
async fn etag_and_last_modified_spare_unchanged_downloads() {
    let p = partners().await;
    let first = fetch(&p.app, "/export/plans.csv", None, &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()[ETAG]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let modified = first.headers()[LAST_MODIFIED]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = fetch(
        &p.app,
        "/export/plans.csv",
        None,
        &[(IF_NONE_MATCH, etag.clone())],
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG].to_str().unwrap_or_default(), etag);
    assert!(again.text().await.unwrap_or_default().is_empty());
    let by_date = fetch(
        &p.app,
        "/export/plans.csv",
        None,
        &[(IF_MODIFIED_SINCE, modified.clone())],
    )
    .await;
    assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED);
    // Another file, or another caller, is another representation.
    let other = fetch(
        &p.app,
        "/export/activities.csv",
        None,
        &[(IF_NONE_MATCH, etag.clone())],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    let member = fetch(
        &p.app,
        "/export/plans.csv",
        Some(&p.viewer_a),
        &[(IF_NONE_MATCH, etag.clone())],
    )
    .await;
    assert_eq!(member.status(), StatusCode::OK);

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            DRAFT_ACTIVITY,
            json!({ "input": { "plan": "UGxhbjox", "title": "Site visit", "date": "2021-06", "kind": "STUDY_VISIT" } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let changed = fetch(
        &p.app,
        "/export/plans.csv",
        None,
        &[(IF_NONE_MATCH, etag.clone())],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG].to_str().unwrap_or_default(), etag);
    let changed = fetch(
        &p.app,
        "/export/plans.csv",
        None,
        &[(IF_MODIFIED_SINCE, modified)],
    )
    .await;
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "Last-Modified moved with the write"
    );
}

#[tokio::test]
async fn bad_requests_for_exports_get_clear_errors() {
    let app = spawn_app().await;
    for (path, status, code) in [
        (
            "/export/plans.csv?updatedSince=yesterday",
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/export/plans.csv?updatedsince=2020-01-01",
            400,
            "BAD_USER_INPUT",
        ),
        ("/export/secrets.csv", 404, "NOT_FOUND"),
        ("/export/..%2Fucap.db", 404, "NOT_FOUND"),
    ] {
        let res = fetch(&app, path, None, &[]).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        let error: Value = res.json().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            error["errors"][0]["extensions"]["code"], code,
            "{path}: {error}"
        );
        assert!(error["errors"][0]["extensions"]["requestId"].is_string());
    }
    let res = fetch(&app, "/export/plans.csv?updatedSince=yesterday", None, &[]).await;
    let error: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error["errors"][0]["extensions"]["field"], "updatedSince");
    let forged = fetch(
        &app,
        "/export/plans.json",
        Some("eyJhbGciOiJub25lIn0.e30."),
        &[],
    )
    .await;
    assert_eq!(
        forged.status(),
        StatusCode::UNAUTHORIZED,
        "a bad token is never anonymous"
    );
    assert!(
        forged
            .headers()
            .contains_key(reqwest::header::WWW_AUTHENTICATE)
    );
}

#[tokio::test]
async fn exports_beyond_the_concurrency_bound_are_told_to_retry() {
    let app = spawn_app_with(|s| s.max_concurrent_exports = 0).await;
    let res = fetch(&app, "/export/plans.json", None, &[]).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[RETRY_AFTER].to_str().unwrap_or_default(), "1");
    let error: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        error["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
}

/// A cell a spreadsheet would run as a formula is prefixed with `'` (OWASP, CSV injection); the
/// numbers of numeric columns keep their sign.
#[tokio::test]
async fn csv_cells_that_start_a_formula_are_neutralised() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(ucap::auth::Role::Admin, &[]).await;
    let titles = ["=HYPERLINK(\"http://x\")", "@SUM(1)", "-2+3"];
    for title in titles {
        let created = app
            .graphql_as(
                &admin,
                "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
                json!({ "input": { "plan": "UGxhbjox", "title": title, "date": "2021-03",
                                   "kind": "WORKSHOP", "cities": ["Q2l0eToz"] } }),
            )
            .await;
        assert!(created["errors"].is_null(), "{created}");
    }
    let (header, activities) = table(&body(&app, "/export/activities.csv", None).await);
    let written: Vec<&str> = activities
        .iter()
        .map(|row| row[column(&header, "title")].as_str())
        .collect();
    for title in titles {
        assert!(
            written.contains(&format!("'{title}").as_str()),
            "{title} in {written:?}"
        );
        assert!(!written.contains(&title), "{title} in {written:?}");
    }

    let (header, cities) = table(&body(&app, "/export/cities.csv", None).await);
    let longitudes: Vec<&str> = cities
        .iter()
        .map(|row| row[column(&header, "longitude")].as_str())
        .collect();
    assert!(
        longitudes.iter().any(|l| l.starts_with('-')),
        "{longitudes:?}"
    );
    assert!(
        !longitudes.iter().any(|l| l.starts_with('\'')),
        "{longitudes:?}"
    );
}
