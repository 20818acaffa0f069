//! A small two-plan document (one activity shared by both), broken one way per test.

use entity::{audit_event, city, plan, theme};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use super::{RestoreError, read, restore, scratch_database};
use crate::export::document::Document;

const AT: &str = "2024-05-01T10:00:00Z";

fn stamps() -> Value {
    json!({ "createdAt": AT, "updatedAt": AT, "version": 1 })
}

/// `fields` with the timestamps and version every versioned record carries.
fn versioned(fields: Value) -> Value {
    let mut v = fields;
    if let (Some(o), Some(s)) = (v.as_object_mut(), stamps().as_object()) {
        o.extend(s.clone());
    }
    v
}

fn no_date() -> Value {
    json!({ "text": null, "precision": null, "start": null, "end": null })
}

fn activity(id: i64, position: i64) -> Value {
    versioned(json!({
        "id": id, "position": position, "title": "Study visit to Bologna", "description": null,
        "kind": "STUDY_VISIT", "date": no_date(), "placeText": "Bologna",
        "placeCity": { "id": 2, "name": "Bologna" }, "cities": [{ "id": 2, "name": "Bologna" }],
        "organizations": [{ "id": 1, "name": "University of Bologna" }], "draft": false,
        "internalNote": null, "fingerprint": format!("visit-{id}"),
    }))
}

fn plan(id: i64, slug: &str, focal: i64) -> Value {
    versioned(json!({
        "id": id, "slug": slug, "title": format!("U-CAP {slug}"), "status": "PUBLISHED",
        "focalCity": { "id": focal, "name": "" }, "period": no_date(), "periodContext": null,
        "lastUpdatedAt": AT, "internalNote": null, "sourceDocument": null,
        "partnerCities": [], "participants": [],
        "themes": [versioned(json!({ "id": id * 10, "position": 1, "title": "Mobility", "description": null }))],
        "statements": [],
        "sdgGoals": [{ "goal": 11, "title": "", "themeId": id * 10, "publishedText": null }],
        "sdgTargets": [{ "target": "11.2", "themeId": null, "publishedText": null }],
        "urbanAgenda": [{ "partnership": "air-quality", "name": "", "themeId": null, "publishedText": null }],
        "expectedResults": [], "activities": [activity(12, 1)], "mous": [], "contacts": [],
        "dataIssues": [],
    }))
}

fn sample() -> Value {
    let city = |id: i64, name: &str, cc: &str| {
        versioned(json!({
            "id": id, "name": name, "nativeName": null, "kind": "CITY", "region": null,
            "countryCode": cc, "geonamesId": null, "latitude": null, "longitude": null,
            "population": null, "populationText": null, "populationYear": null,
            "populationSource": null, "areaKm2": null, "areaText": null,
            "names": [{ "name": name, "script": null, "kind": "ROMANISED" }],
        }))
    };
    json!({
        "format": "ucap-export", "formatVersion": 1, "exportedAt": AT, "visibility": "ALL",
        "updatedSince": null,
        "cities": [city(1, "Guangzhou", "CN"), city(2, "Bologna", "IT")],
        "organizations": [versioned(json!({
            "id": 1, "name": "University of Bologna", "kind": "UNIVERSITY", "cityId": 2, "website": null,
        }))],
        "plans": [plan(1, "guangzhou-cn", 1), plan(2, "bologna-it", 2)],
        "dataIssues": [],
    })
}

/// Reads `v` as a file would be read (pretty-printed: errors have lines to name).
fn doc(v: &Value) -> Result<Document, RestoreError> {
    read(&serde_json::to_vec_pretty(v).unwrap_or_default())
}

async fn restore_into_scratch(v: &Value) -> Result<super::Counts, RestoreError> {
    let db = scratch_database().await?;
    restore(&db, &doc(v)?).await
}

#[tokio::test]
async fn the_sample_restores_with_its_shared_activity_once() {
    let counts = restore_into_scratch(&sample())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.get("plan"), 2);
    assert_eq!(counts.get("activity"), 1);
    assert_eq!(counts.get("plan_activity"), 2);
    assert_eq!(counts.get("city_name"), 2);
    assert_eq!(counts.get("plan_urban_agenda"), 2);
}

#[test]
fn an_unknown_enum_value_is_named_by_its_json_path_and_line() {
    let mut v = sample();
    v["plans"][1]["activities"][0]["kind"] = json!("MISION");
    let err = doc(&v).map(|_| ()).unwrap_err_or_panic();
    let message = err.to_string();
    assert!(matches!(err, RestoreError::Syntax(_)), "{message}");
    assert!(
        message.starts_with("plans[1].activities[0].kind: unknown value `MISION`: expected one of"),
        "{message}"
    );
    assert!(
        message.contains("STUDY_VISIT") && message.contains(" line "),
        "{message}"
    );
}

#[test]
fn an_unknown_field_is_refused_by_its_path() {
    let mut v = sample();
    v["cities"][0]["mayor"] = json!("someone");
    let message = doc(&v).map(|_| ()).unwrap_err_or_panic().to_string();
    assert!(
        message.starts_with("cities[0].mayor: unknown field `mayor`"),
        "{message}"
    );
}

#[tokio::test]
async fn a_dangling_city_ref_names_the_record() {
    let mut v = sample();
    v["plans"][0]["activities"][0]["cities"] = json!([{ "id": 99, "name": "Atlantis" }]);
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "plan \"guangzhou-cn\" activity 12: city 99 is not in the document"
    );
}

#[tokio::test]
async fn a_shared_activity_told_differently_by_two_plans_is_refused() {
    let mut v = sample();
    v["plans"][1]["activities"][0]["title"] = json!("Another title");
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "plan \"bologna-it\" activity 12: differs from another plan's copy of it"
    );
    // Its position in each plan's list may differ.
    let mut v = sample();
    v["plans"][1]["activities"][0]["position"] = json!(7);
    assert!(restore_into_scratch(&v).await.is_ok());
}

#[tokio::test]
async fn links_must_name_this_plans_theme_and_seeded_codes() {
    let mut v = sample();
    v["plans"][1]["sdgGoals"][0]["themeId"] = json!(10);
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "plan \"bologna-it\" SDG goal 11: theme 10 is not one of this plan's"
    );
    let mut v = sample();
    v["plans"][0]["sdgTargets"][0]["target"] = json!("11.99");
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "plan \"guangzhou-cn\": unknown SDG target \"11.99\""
    );
    let mut v = sample();
    v["plans"][0]["urbanAgenda"][0]["partnership"] = json!("moon-base");
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert!(matches!(err, RestoreError::UnknownCode { .. }), "{err}");
}

#[tokio::test]
async fn duplicate_ids_and_incremental_exports_are_refused() {
    let mut v = sample();
    v["plans"][1]["themes"][0]["id"] = json!(10);
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "plan \"bologna-it\" theme 10 is listed twice"
    );
    let mut v = sample();
    v["updatedSince"] = json!(AT);
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert!(matches!(err, RestoreError::Incremental(_)), "{err}");
    let mut v = sample();
    v["formatVersion"] = json!(2);
    let err = restore_into_scratch(&v)
        .await
        .map(|_| ())
        .unwrap_err_or_panic();
    assert!(matches!(err, RestoreError::Version(2)), "{err}");
}

#[tokio::test]
async fn a_database_with_data_is_refused_and_left_as_it_was() {
    let db = scratch_database().await.unwrap_or_else(|e| panic!("{e}"));
    let sample = doc(&sample()).unwrap_or_else(|e| panic!("{e}"));
    restore(&db, &sample)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = async || -> [u64; 4] {
        [
            plan::Entity::find().count(&db).await.unwrap_or_default(),
            city::Entity::find().count(&db).await.unwrap_or_default(),
            theme::Entity::find().count(&db).await.unwrap_or_default(),
            audit_event::Entity::find()
                .count(&db)
                .await
                .unwrap_or_default(),
        ]
    };
    let before = rows().await;
    assert_eq!(before, [2, 2, 2, 1]);
    let mut other = sample.clone();
    other.plans.truncate(0);
    let err = restore(&db, &other).await.map(|_| ()).unwrap_err_or_panic();
    assert_eq!(
        err.to_string(),
        "the database already holds data (2 plan, 2 city, 1 organization, 1 activity): \
         a document is only restored into an empty one"
    );
    assert_eq!(rows().await, before);
}

/// `unwrap_err` without the lint: the test fails when there is no error.
trait ErrOrPanic<E> {
    fn unwrap_err_or_panic(self) -> E;
}

impl<E> ErrOrPanic<E> for Result<(), E> {
    fn unwrap_err_or_panic(self) -> E {
        match self {
            Ok(()) => panic!("expected an error"),
            Err(e) => e,
        }
    }
}
