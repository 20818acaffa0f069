//! The IATI export: the bundled sample and a generated dataset validate against the official 2.03
//! schema and the standard's rules, the checker itself rejects broken documents, and an anonymous
//! export names no draft plan. Every document is downloaded from `/export/iati.xml`.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;
use ucap::auth::Role;
use ucap::auth::policy::Scope;
use ucap::export::Publisher;
use ucap_bench::dataset::{self, Sizes, write};
use ucap_tests::iati::{SchemaCheck, check_schema, rule_violations, validate};
use ucap_tests::{TestApp, settings_for, spawn_app, spawn_app_with};

/// `iati.xml` as a caller of `scope` downloads it: an admin for [`Scope::All`], else anonymous.
async fn iati_export(app: &TestApp, scope: Scope) -> String {
    let mut request = app.client.get(format!("{}/export/iati.xml", app.address));
    if scope == Scope::All {
        let (admin, _) = app.issue_token(Role::Admin, &[]).await;
        request = request.bearer_auth(admin);
    }
    let res = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    res.text()
        .await
        .unwrap_or_else(|e| panic!("the export is not UTF-8: {e}"))
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn valid(xml: &str) {
    if let Err(e) = validate(xml, today()) {
        panic!("{e:#}\n--- document ---\n{xml}");
    }
}

fn count(xml: &str, piece: &str) -> usize {
    xml.matches(piece).count()
}

#[tokio::test]
async fn the_sample_exports_as_valid_iati() {
    let app = spawn_app().await;
    // The sample names no participant: add a university as a partner of the plan.
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let created = app
        .graphql_as(
            &admin,
            "mutation { createOrganization(input: { name: \"Sun Yat-sen University\", kind: UNIVERSITY }) { organization { id } } }",
            json!({}),
        )
        .await;
    let organization = &created["data"]["createOrganization"]["organization"]["id"];
    assert!(organization.is_string(), "{created}");
    let added = app
        .graphql_as(
            &admin,
            "mutation($o: ID!) { addPlanParticipant(input: { plan: \"UGxhbjox\", organization: $o, role: PARTNER }) { plan { id } } }",
            json!({ "o": organization }),
        )
        .await;
    assert!(added["errors"].is_null(), "{added}");

    let xml = iati_export(&app, Scope::Public).await;
    valid(&xml);
    assert_eq!(count(&xml, "<iati-activity "), 1, "{xml}");
    for piece in [
        "<iati-activities version=\"2.03\" generated-datetime=",
        "<iati-identifier>XI-IATI-EC_FPI-",
        "<reporting-org ref=\"XI-IATI-EC_FPI\" type=\"15\">",
        "<description type=\"1\">",
        "<description type=\"2\">",
        "<description type=\"4\">",
        "<participating-org ref=\"XI-IATI-EC_FPI\" type=\"15\" role=\"1\">",
        "<activity-status code=\"2\"/>",
        "<activity-date type=\"2\" iso-date=\"2017-05-01\"><narrative>May 2017</narrative>",
        "<recipient-country code=\"CN\" percentage=\"100\"/>",
        "<sector vocabulary=\"1\" code=\"43030\" percentage=\"100\"/>",
        "<tag vocabulary=\"2\" code=\"9\">",
        "<result type=\"1\">",
        "<participating-org type=\"80\" role=\"4\"><narrative>Sun Yat-sen University</narrative>",
    ] {
        assert!(xml.contains(piece), "missing {piece} in\n{xml}");
    }
    // Guangzhou and its five partners, each with coordinates.
    assert_eq!(count(&xml, "<location>"), 6, "{xml}");
    assert_eq!(count(&xml, "<pos>"), 6, "{xml}");
    // Contacts are for the plan's organizations and admins only.
    assert_eq!(count(&xml, "<contact-info"), 0, "{xml}");
    let all = iati_export(&app, Scope::All).await;
    valid(&all);
    assert!(count(&all, "<contact-info type=\"1\"><email>") > 0, "{all}");
}

/// A server without the sample, with `plans` generated plans in its database.
async fn generated(plans: usize) -> (TestApp, DatabaseConnection) {
    let app = spawn_app_with(|s| s.seed_sample = false).await;
    let db = write::connect_and_migrate(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let codes = write::codes(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let gazetteer = ucap_bench::gazetteer::read(&repo.join("data/gazetteer/cities.tsv"))
        .unwrap_or_else(|e| panic!("{e}"));
    let sizes = Sizes {
        plans,
        activities: plans * 12,
        mous: plans * 2,
        cities: 60,
    };
    let tables = dataset::build(&sizes, 2017, &gazetteer, &codes);
    write::insert(&db, tables)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (app, db)
}

#[tokio::test]
async fn a_generated_dataset_exports_as_valid_iati() {
    let (app, _db) = generated(40).await;
    let xml = iati_export(&app, Scope::All).await;
    valid(&xml);
    assert_eq!(count(&xml, "<iati-activity "), 40);
    for piece in [
        "<related-activity ",
        "<document-link ",
        "<contact-info ",
        "<tag vocabulary=\"3\"",
    ] {
        assert!(xml.contains(piece), "no {piece} in the generated export");
    }
    valid(&iati_export(&app, Scope::Public).await);
}

/// Two published plans that list the same activity.
async fn sharing_plans(db: &DatabaseConnection) -> (i64, i64) {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        "SELECT a.plan_id AS one, b.plan_id AS other FROM plan_activity a \
         JOIN plan_activity b ON b.activity_id = a.activity_id AND b.plan_id > a.plan_id \
         JOIN plan p ON p.id = a.plan_id JOIN plan q ON q.id = b.plan_id \
         WHERE p.status = 'PUBLISHED' AND q.status = 'PUBLISHED' ORDER BY a.plan_id, b.plan_id",
    );
    let row = db
        .query_one_raw(stmt)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no two published plans share an activity"));
    let one: i64 = row.try_get("", "one").unwrap_or_else(|e| panic!("{e}"));
    let other: i64 = row.try_get("", "other").unwrap_or_else(|e| panic!("{e}"));
    (one, other)
}

async fn identifier_of(db: &DatabaseConnection, plan: i64) -> String {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        format!("SELECT slug FROM plan WHERE id = {plan}"),
    );
    let row = db
        .query_one_raw(stmt)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no plan {plan}"));
    let slug: String = row.try_get("", "slug").unwrap_or_else(|e| panic!("{e}"));
    let publisher = Publisher::from_settings(&settings_for(""));
    ucap::export::iati::identifier(&publisher, &slug)
}

#[tokio::test]
async fn an_anonymous_export_never_names_a_draft_plan() {
    let (app, db) = generated(40).await;
    let (draft, sibling) = sharing_plans(&db).await;
    let (draft_id, sibling_id) = (
        identifier_of(&db, draft).await,
        identifier_of(&db, sibling).await,
    );
    db.execute_unprepared(&format!(
        "UPDATE plan SET status = 'DRAFT' WHERE id = {draft}"
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // Identifiers are letters, digits, `-`, `.` and `_` after the publisher's ref: no escaping.
    let tagged = |id: &str| format!("<iati-identifier>{id}</iati-identifier>");
    let related = |id: &str| format!("<related-activity ref=\"{id}\"");

    let admin = iati_export(&app, Scope::All).await;
    valid(&admin);
    assert!(
        admin.contains(&tagged(&draft_id)),
        "the admin export lacks {draft_id}"
    );
    assert!(
        admin.contains(&related(&draft_id)),
        "no related-activity names {draft_id}"
    );
    assert!(
        admin.contains(&related(&sibling_id)),
        "no related-activity names {sibling_id}"
    );

    let public = iati_export(&app, Scope::Public).await;
    valid(&public);
    assert!(
        public.contains(&tagged(&sibling_id)),
        "the sibling {sibling_id} is published"
    );
    assert!(
        !public.contains(&tagged(&draft_id)) && !public.contains(&related(&draft_id)),
        "the anonymous export names the draft plan {draft_id}"
    );
}

/// The smallest activity file the schema and the rules accept, with `activity` inserted after
/// the mandatory elements.
fn minimal(identifier: &str, dates: &str, related: &str) -> String {
    format!(
        "<iati-activities version=\"2.03\"><iati-activity xml:lang=\"en\">\
         <iati-identifier>{identifier}</iati-identifier>\
         <reporting-org ref=\"XI-X\" type=\"15\"><narrative>X</narrative></reporting-org>\
         <title><narrative>t</narrative></title><description><narrative>d</narrative></description>\
         <participating-org role=\"1\"/><activity-status code=\"2\"/>{dates}{related}\
         </iati-activity></iati-activities>"
    )
}

const START: &str = "<activity-date type=\"2\" iso-date=\"2020-01-01\"/>";

fn violations(xml: &str) -> Vec<String> {
    rule_violations(xml, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_checker_accepts_a_minimal_valid_document() {
    let xml = minimal(
        "XI-X-a",
        START,
        "<related-activity ref=\"XI-X-b\" type=\"3\"/>",
    );
    assert_eq!(violations(&xml), Vec::<String>::new());
    let schema = check_schema(&xml).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(matches!(schema, SchemaCheck::Valid | SchemaCheck::Skipped));
}

#[test]
fn the_checker_rejects_what_iati_forbids() {
    let future = "<activity-date type=\"2\" iso-date=\"2030-01-01\"/>";
    let cases = [
        (minimal("XI-X-a", future, ""), "is in the future"),
        (minimal("XI-Y-a", START, ""), "does not start with XI-X-"),
        (minimal("XI-X", START, ""), "does not start with XI-X-"),
        (
            minimal(
                "XI-X-a",
                "<activity-date type=\"3\" iso-date=\"2020-01-01\"/>",
                "",
            ),
            "no start date",
        ),
        (
            minimal(
                "XI-X-a",
                &format!("{START}<activity-date type=\"3\" iso-date=\"2019-12-31\"/>"),
                "",
            ),
            "is after end",
        ),
        (
            minimal(
                "XI-X-a",
                START,
                "<related-activity ref=\"OTHER-b\" type=\"3\"/>",
            ),
            "is unknown",
        ),
    ];
    for (xml, expected) in cases {
        let found = violations(&xml);
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "expected a violation containing {expected:?}, got {found:?} for {xml}"
        );
    }
}

#[test]
fn the_schema_check_rejects_elements_out_of_order() {
    // activity-status before participating-org: well-formed, but not the schema's sequence.
    let xml = minimal("XI-X-a", START, "").replace(
        "<participating-org role=\"1\"/><activity-status code=\"2\"/>",
        "<activity-status code=\"2\"/><participating-org role=\"1\"/>",
    );
    match check_schema(&xml) {
        Ok(SchemaCheck::Skipped) => {}
        Ok(SchemaCheck::Valid) => panic!("xmllint accepted elements out of order"),
        Err(e) => assert!(format!("{e:#}").contains("participating-org"), "{e:#}"),
    }
}
