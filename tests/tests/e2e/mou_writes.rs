//! Writing MoUs through the API: create/update/delete with their parties, the status path and who
//! may sign, validation with field-level errors, versions under concurrency, idempotent creates,
//! rollback of half-done writes, and the audit entry of each write.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::join_all;
use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use ucap_tests::error_code;

use super::writes::{Partners, partners};

/// The Guangzhou plan of the bundled sample.
const PLAN: &str = "UGxhbjox";
/// Bologna, a city of the bundled gazetteer.
const BOLOGNA: &str = "Q2l0eToz";

const CREATE: &str = "mutation($input: CreateMouInput!) { createMou(input: $input) { mou { id version subject status signedOn documentUrl draft internalNote plans { id } parties { name city { id } organization { id } } } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: UpdateMouInput!) { updateMou(id: $id, version: $v, input: $input) { mou { id version subject status documentUrl draft internalNote parties { city { id } organization { id } } } } }";
const STATUS: &str = "mutation($id: ID!, $v: Int!, $s: MouStatus!, $on: NaiveDate) { changeMouStatus(id: $id, version: $v, status: $s, signedOn: $on) { mou { id version status signedOn } } }";
const DELETE: &str =
    "mutation($id: ID!, $v: Int!) { deleteMou(id: $id, version: $v) { deletedId } }";
const READ: &str = "query($id: ID!) { mou(id: $id) { version subject status signedOn documentUrl parties { city { id } organization { id } } } }";

/// An MoU between partner A and Bologna in the Guangzhou plan.
fn agreement(p: &Partners) -> Value {
    json!({
        "plan": PLAN,
        "subject": "Cooperation on hydrogen buses",
        "parties": [{ "organization": p.org_a }, { "city": BOLOGNA }],
    })
}

/// Creates `input` as `token`; returns the new MoU's ID.
async fn create(p: &Partners, token: &str, input: Value) -> Value {
    let r = p
        .app
        .graphql_as(token, CREATE, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["createMou"]["mou"]["id"].clone()
}

/// Moves MoU `id` from version `v` to `status` (signed on `on`); returns the response.
async fn change(p: &Partners, token: &str, id: &Value, v: i64, status: &str, on: Value) -> Value {
    p.app
        .graphql_as(
            token,
            STATUS,
            json!({ "id": id, "v": v, "s": status, "on": on }),
        )
        .await
}

/// MoU `id` as the admin reads it.
async fn read(p: &Partners, id: &Value) -> Value {
    let r = p.app.graphql_as(&p.admin, READ, json!({ "id": id })).await;
    r["data"]["mou"].clone()
}

/// Rows of the MoU tables and MoU audit and change-feed entries, straight from the database.
async fn rows(p: &Partners) -> [u64; 5] {
    use entity::{audit_event, change_event, mou, mou_party, plan_mou};
    let db = Database::connect(&p.app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let counts = [
        mou::Entity::find().count(&db).await,
        mou_party::Entity::find().count(&db).await,
        plan_mou::Entity::find().count(&db).await,
        audit_event::Entity::find()
            .filter(audit_event::Column::TargetKind.eq("Mou"))
            .count(&db)
            .await,
        change_event::Entity::find()
            .filter(change_event::Column::RecordKind.eq("Mou"))
            .count(&db)
            .await,
    ]
    .map(|c| c.unwrap_or_else(|e| panic!("{e}")));
    db.close().await.unwrap_or_else(|e| panic!("{e}"));
    counts
}

/// The audit entries of MoUs, newest first.
async fn mou_audit(p: &Partners) -> Vec<Value> {
    let r = p
        .app
        .graphql_as(
            &p.admin,
            "{ auditLog(first: 100) { nodes { action targetKind target detail } } }",
            json!({}),
        )
        .await;
    r["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter(|e| e["targetKind"] == "Mou")
        .cloned()
        .collect()
}

/// Whether audit entry `entry` records `field` going from `before` to `after`.
fn records(entry: &Value, field: &str, before: Value, after: Value) -> bool {
    entry["detail"]["changes"]
        .as_array()
        .is_some_and(|c| c.contains(&json!({ "field": field, "before": before, "after": after })))
}

fn assert_invalid(r: &Value, field: &str, context: &str) {
    assert_eq!(error_code(r), Some("BAD_USER_INPUT"), "{context}: {r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"], field,
        "{context}: {r}"
    );
}

#[tokio::test]
async fn a_plan_editor_creates_updates_and_deletes_an_mou_and_each_write_is_audited() {
    let p = partners().await;
    let before = rows(&p).await;
    let mut input = agreement(&p);
    input["draft"] = json!(true);
    input["documentUrl"] = json!("https://example.org/mou.pdf");
    input["internalNote"] = json!("Waiting for the city council");
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    let mou = &r["data"]["createMou"]["mou"];
    assert_eq!(
        mou["parties"],
        json!([
            { "name": "Partner University A", "city": null, "organization": { "id": p.org_a } },
            { "name": "Bologna", "city": { "id": BOLOGNA }, "organization": null },
        ]),
        "{r}"
    );
    assert_eq!(
        (
            &mou["version"],
            &mou["status"],
            &mou["signedOn"],
            &mou["draft"],
            &mou["plans"]
        ),
        (
            &json!(1),
            &json!("PLANNED"),
            &Value::Null,
            &json!(true),
            &json!([{ "id": PLAN }])
        ),
        "{r}"
    );
    assert_eq!(mou["internalNote"], "Waiting for the city council");
    let id = mou["id"].clone();
    // A draft is not seen by anonymous readers.
    let hidden = p.app.graphql(READ, json!({ "id": id })).await;
    assert_eq!(error_code(&hidden), Some("NOT_FOUND"), "{hidden}");

    let updated = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": {
                "subject": "Hydrogen buses",
                "documentUrl": null,
                "draft": false,
                "parties": [{ "city": BOLOGNA }, { "organization": p.org_a }],
            } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateMou"]["mou"],
        json!({
            "id": id, "version": 2, "subject": "Hydrogen buses", "status": "PLANNED",
            "documentUrl": null, "draft": false, "internalNote": "Waiting for the city council",
            "parties": [
                { "city": { "id": BOLOGNA }, "organization": null },
                { "city": null, "organization": { "id": p.org_a } },
            ],
        }),
        "{updated}"
    );
    // Now public.
    let public = p.app.graphql(READ, json!({ "id": id })).await;
    assert_eq!(public["data"]["mou"]["version"], 2, "{public}");
    // A stale version is a conflict that tells the current version; nothing changes.
    let stale = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "subject": "Overwritten?" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);
    assert_eq!(read(&p, &id).await["subject"], "Hydrogen buses");
    // An update that changes nothing keeps the version.
    let same = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 2, "input": {
                "subject": "Hydrogen buses",
                "parties": [{ "city": BOLOGNA }, { "organization": p.org_a }],
            } }),
        )
        .await;
    assert_eq!(same["data"]["updateMou"]["mou"]["version"], 2, "{same}");
    // The status changes on its own mutation, with the version too.
    let stale_status = change(&p, &p.editor_a, &id, 1, "NEGOTIATING", Value::Null).await;
    assert_eq!(
        stale_status["errors"][0]["extensions"]["currentVersion"], 2,
        "{stale_status}"
    );
    let negotiating = change(&p, &p.editor_a, &id, 2, "NEGOTIATING", Value::Null).await;
    assert_eq!(
        negotiating["data"]["changeMouStatus"]["mou"],
        json!({ "id": id, "version": 3, "status": "NEGOTIATING", "signedOn": null }),
        "{negotiating}"
    );

    let stale_delete = p
        .app
        .graphql_as(&p.editor_a, DELETE, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(
        error_code(&stale_delete),
        Some("CONFLICT"),
        "{stale_delete}"
    );
    assert_eq!(stale_delete["errors"][0]["extensions"]["currentVersion"], 3);
    let deleted = p
        .app
        .graphql_as(&p.editor_a, DELETE, json!({ "id": id, "v": 3 }))
        .await;
    assert_eq!(deleted["data"]["deleteMou"]["deletedId"], id, "{deleted}");
    let gone = p.app.graphql_as(&p.admin, READ, json!({ "id": id })).await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    // Its parties and its link to the plan went with it.
    assert_eq!(rows(&p).await[..3], before[..3]);

    let log = mou_audit(&p).await;
    let actions: Vec<&str> = log.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "MOU_DELETED",
            "MOU_STATUS_CHANGED",
            "MOU_UPDATED",
            "MOU_CREATED"
        ],
        "{log:?}"
    );
    assert!(log.iter().all(|e| e["target"] == id), "{log:?}");
    // Audit details name records by global ID.
    let org_a = p.org_a.clone();
    let city = ucap::graphql::ids::NodeKind::City.id(3).0;
    let (deleted, status, update, created) = (&log[0], &log[1], &log[2], &log[3]);
    assert!(
        records(
            created,
            "subject",
            Value::Null,
            json!("Cooperation on hydrogen buses")
        ),
        "{created}"
    );
    assert!(
        records(
            created,
            "parties",
            Value::Null,
            json!([{ "organization": org_a }, { "city": city }])
        ),
        "{created}"
    );
    assert!(
        records(created, "status", Value::Null, json!("PLANNED")),
        "{created}"
    );
    assert_eq!(created["detail"]["plans"], json!([PLAN]));
    assert!(
        records(
            update,
            "subject",
            json!("Cooperation on hydrogen buses"),
            json!("Hydrogen buses")
        ),
        "{update}"
    );
    assert!(
        records(
            update,
            "parties",
            json!([{ "organization": org_a }, { "city": city }]),
            json!([{ "city": city }, { "organization": org_a }])
        ),
        "{update}"
    );
    assert!(
        records(
            update,
            "documentUrl",
            json!("https://example.org/mou.pdf"),
            Value::Null
        ),
        "{update}"
    );
    assert!(
        records(update, "draft", json!(true), json!(false)),
        "{update}"
    );
    assert!(records(update, "version", json!(1), json!(2)), "{update}");
    assert!(
        records(status, "status", json!("PLANNED"), json!("NEGOTIATING")),
        "{status}"
    );
    assert!(records(status, "version", json!(2), json!(3)), "{status}");
    assert!(
        records(deleted, "subject", json!("Hydrogen buses"), Value::Null),
        "{deleted}"
    );
    assert!(
        records(
            deleted,
            "parties",
            json!([{ "city": city }, { "organization": org_a }]),
            json!([])
        ),
        "{deleted}"
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_returns_the_first_mou() {
    let p = partners().await;
    let before = rows(&p).await;
    let mut input = agreement(&p);
    input["idempotencyKey"] = json!("mou-7");
    let first = create(&p, &p.editor_a, input.clone()).await;
    let again = create(&p, &p.editor_a, input.clone()).await;
    assert_eq!(first, again);
    assert_eq!(rows(&p).await[0], before[0] + 1);
    assert_eq!(rows(&p).await[3], before[3] + 1);
    // The same key for another request is refused, not answered with the first MoU.
    input["subject"] = json!("Another MoU");
    let reused = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_invalid(&reused, "idempotencyKey", "reused key");
    assert_eq!(rows(&p).await[0], before[0] + 1);
}

#[tokio::test]
async fn the_status_moves_only_along_its_path() {
    let p = partners().await;
    let id = create(&p, &p.editor_a, agreement(&p)).await;
    let refused = |r: &Value, from: &str, next: &str| {
        assert_invalid(r, "status", from);
        let message = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(from) && message.contains(next),
            "{message}"
        );
    };
    // No jumping straight to SIGNED.
    let r = change(&p, &p.editor_a, &id, 1, "SIGNED", json!("2021-05-04")).await;
    refused(&r, "PLANNED", "NEGOTIATING, CANCELLED");
    let r = change(&p, &p.editor_a, &id, 1, "PLANNED", Value::Null).await;
    refused(&r, "PLANNED", "NEGOTIATING, CANCELLED");
    let r = change(&p, &p.editor_a, &id, 1, "NEGOTIATING", Value::Null).await;
    assert_eq!(r["data"]["changeMouStatus"]["mou"]["version"], 2, "{r}");
    // Signing takes the day of signature, one that has come.
    let r = change(&p, &p.editor_a, &id, 2, "SIGNED", Value::Null).await;
    assert_invalid(&r, "signedOn", "no signedOn");
    let r = change(&p, &p.editor_a, &id, 2, "SIGNED", json!("2999-01-01")).await;
    assert_invalid(&r, "signedOn", "future signedOn");
    let r = change(&p, &p.editor_a, &id, 2, "SIGNED", json!("2021-05-04")).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"],
        json!({ "id": id, "version": 3, "status": "SIGNED", "signedOn": "2021-05-04" }),
        "{r}"
    );
    let r = change(&p, &p.editor_a, &id, 3, "NEGOTIATING", Value::Null).await;
    refused(&r, "SIGNED", "EXPIRED, TERMINATED");
    let r = change(&p, &p.editor_a, &id, 3, "CANCELLED", Value::Null).await;
    refused(&r, "SIGNED", "EXPIRED, TERMINATED");
    // A day of signature belongs to signing only.
    let r = change(&p, &p.editor_a, &id, 3, "TERMINATED", json!("2021-05-04")).await;
    assert_invalid(&r, "signedOn", "signedOn when terminating");
    let r = change(&p, &p.editor_a, &id, 3, "TERMINATED", Value::Null).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"],
        json!({ "id": id, "version": 4, "status": "TERMINATED", "signedOn": "2021-05-04" }),
        "{r}"
    );
    for next in ["EXPIRED", "SIGNED", "PLANNED"] {
        let r = change(&p, &p.admin, &id, 4, next, json!("2021-05-04")).await;
        refused(&r, "TERMINATED", "none");
    }
    assert_eq!(read(&p, &id).await["version"], 4);

    // Cancelled while negotiating, and from then on nothing.
    let other = create(&p, &p.editor_a, agreement(&p)).await;
    let r = change(&p, &p.editor_a, &other, 1, "NEGOTIATING", Value::Null).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = change(&p, &p.editor_a, &other, 2, "CANCELLED", Value::Null).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"]["status"], "CANCELLED",
        "{r}"
    );
    for next in [
        "PLANNED",
        "NEGOTIATING",
        "SIGNED",
        "EXPIRED",
        "TERMINATED",
        "CANCELLED",
    ] {
        let on = if next == "SIGNED" {
            json!("2021-05-04")
        } else {
            Value::Null
        };
        let r = change(&p, &p.admin, &other, 3, next, on).await;
        refused(&r, "CANCELLED", "none");
    }
    // Cancelled while only planned.
    let third = create(&p, &p.editor_a, agreement(&p)).await;
    let r = change(&p, &p.editor_a, &third, 1, "CANCELLED", Value::Null).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"]["status"], "CANCELLED",
        "{r}"
    );
    // A signed MoU expires too.
    let fourth = create(&p, &p.admin, agreement(&p)).await;
    for (v, next, on) in [
        (1, "NEGOTIATING", Value::Null),
        (2, "SIGNED", json!("2020-01-31")),
        (3, "EXPIRED", Value::Null),
    ] {
        let r = change(&p, &p.admin, &fourth, v, next, on).await;
        assert_eq!(r["data"]["changeMouStatus"]["mou"]["status"], next, "{r}");
    }

    // Each change is audited with the status and the day of signature before and after.
    let log = mou_audit(&p).await;
    let signing = log
        .iter()
        .find(|e| {
            e["target"] == id
                && e["action"] == "MOU_STATUS_CHANGED"
                && records(e, "status", json!("NEGOTIATING"), json!("SIGNED"))
        })
        .unwrap_or_else(|| panic!("{log:?}"));
    assert!(
        records(signing, "signedOn", Value::Null, json!("2021-05-04")),
        "{signing}"
    );
    let changes = log
        .iter()
        .filter(|e| e["target"] == id && e["action"] == "MOU_STATUS_CHANGED")
        .count();
    assert_eq!(changes, 3, "{log:?}");
}

#[tokio::test]
async fn only_an_editor_of_a_party_or_an_admin_signs() {
    let p = partners().await;
    let me = p
        .app
        .graphql_as(&p.editor_b, "{ me { organizations { id } } }", json!({}))
        .await;
    let org_b = me["data"]["me"]["organizations"][0]["id"].clone();
    assert!(org_b.is_string(), "{me}");
    let negotiating = |parties: Value| {
        let p = &p;
        async move {
            let mut input = agreement(p);
            input["parties"] = parties;
            let id = create(p, &p.editor_a, input).await;
            let r = change(p, &p.editor_a, &id, 1, "NEGOTIATING", Value::Null).await;
            assert!(r["errors"].is_null(), "{r}");
            id
        }
    };
    let on = json!("2021-05-04");

    // Partner A edits the plan, but is no party: it may not sign.
    let city_only = negotiating(json!([{ "city": BOLOGNA }])).await;
    let r = change(&p, &p.editor_a, &city_only, 2, "SIGNED", on.clone()).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let now = read(&p, &city_only).await;
    assert_eq!(
        (&now["status"], &now["version"]),
        (&json!("NEGOTIATING"), &json!(2))
    );
    // An admin may.
    let r = change(&p, &p.admin, &city_only, 2, "SIGNED", on.clone()).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"]["status"], "SIGNED",
        "{r}"
    );

    // Partner A as a party signs.
    let with_a = negotiating(agreement(&p)["parties"].clone()).await;
    let r = change(&p, &p.editor_b, &with_a, 2, "SIGNED", on.clone()).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = change(&p, &p.editor_a, &with_a, 2, "SIGNED", Value::Null).await;
    assert_invalid(&r, "signedOn", "no signedOn");
    let r = change(&p, &p.editor_a, &with_a, 2, "SIGNED", on.clone()).await;
    assert_eq!(
        r["data"]["changeMouStatus"]["mou"]["status"], "SIGNED",
        "{r}"
    );

    // Partner B, a party outside the plan, signs too, but may change nothing else.
    let with_b = negotiating(json!([{ "organization": org_b }, { "city": BOLOGNA }])).await;
    let r = change(&p, &p.editor_b, &with_b, 2, "SIGNED", on.clone()).await;
    assert_eq!(r["data"]["changeMouStatus"]["mou"]["version"], 3, "{r}");
    let r = change(&p, &p.editor_b, &with_b, 3, "TERMINATED", Value::Null).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = p
        .app
        .graphql_as(
            &p.editor_b,
            UPDATE,
            json!({ "id": with_b, "v": 3, "input": { "subject": "Changed by B" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    // The viewer of a party signs nothing.
    let r = change(&p, &p.viewer_a, &city_only, 3, "EXPIRED", Value::Null).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
}

#[tokio::test]
async fn editors_of_other_organizations_and_viewers_write_nothing() {
    let p = partners().await;
    let before = rows(&p).await;
    for token in [&p.editor_b, &p.viewer_a] {
        let r = p
            .app
            .graphql_as(token, CREATE, json!({ "input": agreement(&p) }))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
    let anonymous = p
        .app
        .graphql(CREATE, json!({ "input": agreement(&p) }))
        .await;
    assert!(
        matches!(error_code(&anonymous), Some("FORBIDDEN")),
        "{anonymous}"
    );
    assert_eq!(rows(&p).await, before);

    let id = create(&p, &p.editor_a, agreement(&p)).await;
    let written = rows(&p).await;
    for token in [&p.editor_b, &p.viewer_a] {
        let attempts = [
            p.app
                .graphql_as(
                    token,
                    UPDATE,
                    json!({ "id": id, "v": 1, "input": { "subject": "Hijacked" } }),
                )
                .await,
            change(&p, token, &id, 1, "NEGOTIATING", Value::Null).await,
            change(&p, token, &id, 1, "CANCELLED", Value::Null).await,
            change(&p, token, &id, 1, "SIGNED", json!("2021-05-04")).await,
            p.app
                .graphql_as(token, DELETE, json!({ "id": id, "v": 1 }))
                .await,
        ];
        for r in attempts {
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        }
    }
    assert_eq!(rows(&p).await, written);
    let now = read(&p, &id).await;
    assert_eq!(
        (&now["version"], &now["subject"], &now["status"]),
        (
            &json!(1),
            &json!("Cooperation on hydrogen buses"),
            &json!("PLANNED")
        )
    );

    // A draft of plan A does not exist for B.
    let mut input = agreement(&p);
    input["draft"] = json!(true);
    let draft = create(&p, &p.editor_a, input).await;
    let r = p
        .app
        .graphql_as(
            &p.editor_b,
            UPDATE,
            json!({ "id": draft, "v": 1, "input": { "subject": "Hijacked" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = p
        .app
        .graphql_as(&p.editor_b, DELETE, json!({ "id": draft, "v": 1 }))
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    // Admins write everything.
    let r = p
        .app
        .graphql_as(
            &p.admin,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "subject": "Changed by the admin" } }),
        )
        .await;
    assert_eq!(r["data"]["updateMou"]["mou"]["version"], 2, "{r}");
}

#[tokio::test]
async fn invalid_input_is_refused_field_by_field_and_nothing_is_written() {
    let p = partners().await;
    let before = rows(&p).await;
    let both = json!([{ "city": BOLOGNA, "organization": p.org_a }]);
    let many: Vec<Value> = (1..=21)
        .map(|i| json!({ "city": URL_SAFE_NO_PAD.encode(format!("City:{i}")) }))
        .collect();
    let cases = [
        (json!({ "subject": "" }), "subject"),
        (json!({ "subject": "   " }), "subject"),
        (json!({ "subject": "nul\u{0}byte" }), "subject"),
        (json!({ "subject": "x".repeat(501) }), "subject"),
        (
            json!({ "documentUrl": "javascript:alert(1)" }),
            "documentUrl",
        ),
        (
            json!({ "documentUrl": "ftp://example.org/mou.pdf" }),
            "documentUrl",
        ),
        (json!({ "parties": both }), "parties"),
        (json!({ "parties": [] }), "parties"),
        (json!({ "parties": [{}] }), "parties"),
        (
            json!({ "parties": [{ "city": BOLOGNA }, { "city": BOLOGNA }] }),
            "parties",
        ),
        (json!({ "parties": [{ "city": PLAN }] }), "parties"),
        (
            json!({ "parties": [{ "organization": BOLOGNA }] }),
            "parties",
        ),
        (json!({ "parties": [{ "city": "garbage" }] }), "parties"),
        (json!({ "parties": many }), "parties"),
        (json!({ "internalNote": "x".repeat(5_001) }), "internalNote"),
        (json!({ "plan": "UGxhbjo5OTk5" }), "plan"),
        (json!({ "idempotencyKey": "" }), "idempotencyKey"),
    ];
    for (change, field) in &cases {
        let mut input = agreement(&p);
        for (k, v) in change.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        let r = p
            .app
            .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
            .await;
        assert_invalid(&r, field, &change.to_string());
    }
    assert_eq!(rows(&p).await, before);

    // The same rules hold for updates.
    let id = create(&p, &p.editor_a, agreement(&p)).await;
    let written = rows(&p).await;
    for (change, field) in cases
        .iter()
        .filter(|(_, f)| !matches!(*f, "plan" | "idempotencyKey"))
    {
        let r = p
            .app
            .graphql_as(
                &p.editor_a,
                UPDATE,
                json!({ "id": id, "v": 1, "input": change }),
            )
            .await;
        assert_invalid(&r, field, &change.to_string());
    }
    assert_eq!(rows(&p).await, written);
    assert_eq!(read(&p, &id).await["version"], 1);
    // The status is not an input of create or update.
    let mut input = agreement(&p);
    input["status"] = json!("SIGNED");
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert!(!r["errors"].is_null(), "{r}");
    assert_eq!(rows(&p).await, written);
}

#[tokio::test]
async fn an_error_half_way_through_a_write_leaves_nothing_behind() {
    let p = partners().await;
    let before = rows(&p).await;
    // The MoU row and its first party are written before the second party is checked; the bad
    // second party undoes them.
    let mut input = agreement(&p);
    input["parties"] = json!([{ "organization": p.org_a }, { "city": "Q2l0eTo5OTk5OTk" }]);
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_invalid(&r, "parties", "a city that does not exist");
    input["parties"] = json!([{ "city": BOLOGNA }, { "organization": "T3JnYW5pemF0aW9uOjk5OTk5" }]);
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, json!({ "input": input }))
        .await;
    assert_invalid(&r, "parties", "an organization that does not exist");
    // No MoU, no party, no link to the plan, no audit entry, no change-feed entry.
    assert_eq!(rows(&p).await, before);
    assert!(mou_audit(&p).await.is_empty());

    // An update that replaces the parties is undone whole as well.
    let id = create(&p, &p.editor_a, agreement(&p)).await;
    let written = rows(&p).await;
    let was = read(&p, &id).await;
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": {
                "subject": "Renamed",
                "parties": [{ "city": BOLOGNA }, { "city": "Q2l0eTo5OTk5OTk" }],
            } }),
        )
        .await;
    assert_invalid(&r, "parties", "update with a city that does not exist");
    assert_eq!(rows(&p).await, written);
    assert_eq!(read(&p, &id).await, was);
}

#[tokio::test]
async fn of_fifty_concurrent_updates_at_one_version_exactly_one_wins() {
    let p = partners().await;
    let id = create(&p, &p.editor_a, agreement(&p)).await;
    let updates = (0..50).map(|i| {
        p.app.graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "subject": format!("Subject {i}") } }),
        )
    });
    let results = join_all(updates).await;
    let ok = results.iter().filter(|r| r["errors"].is_null()).count();
    let conflicts: Vec<&Value> = results
        .iter()
        .filter(|r| error_code(r) == Some("CONFLICT"))
        .collect();
    let others: Vec<&Value> = results
        .iter()
        .filter(|r| !r["errors"].is_null() && error_code(r) != Some("CONFLICT"))
        .collect();
    assert!(others.is_empty(), "{others:?}");
    assert_eq!((ok, conflicts.len()), (1, 49));
    assert!(
        conflicts
            .iter()
            .all(|r| r["errors"][0]["extensions"]["currentVersion"] == 2)
    );
    assert_eq!(read(&p, &id).await["version"], 2);
    let updates = mou_audit(&p)
        .await
        .iter()
        .filter(|e| e["action"] == "MOU_UPDATED")
        .count();
    assert_eq!(updates, 1);
}
