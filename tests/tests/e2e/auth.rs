//! Tokens at the edge and the visibility policy on every path: hostile tokens are 401 (never
//! anonymous), admins manage tokens, revocation is immediate here and within seconds elsewhere,
//! and what a caller may not read is absent from lists, `node`, search and counts alike.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::auth::jwt::{Claims, encode};
use ucap::auth::keys::{Keys, generate_ed25519_pem};
use ucap_tests::{TestApp, error_code, spawn_app, spawn_app_with};

async fn db(app: &TestApp) -> DatabaseConnection {
    Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn sql(app: &TestApp, statement: &str) {
    db(app)
        .await
        .execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn claims(app: &TestApp, role: Role) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        iss: app.settings.jwt_issuer.clone(),
        aud: app.settings.jwt_audience.clone(),
        sub: "1".to_owned(),
        exp: now + 600,
        iat: now,
        nbf: None,
        jti: "no-such-record".to_owned(),
        role,
        org: Vec::new(),
    }
}

/// Asserts a 401 with the bearer challenge and UNAUTHENTICATED, and no data.
async fn refused(app: &TestApp, authorization: &str) {
    let (status, challenge, body) = app
        .graphql_with_header(authorization, "{ plans { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 401, "{authorization:.60}: {body}");
    assert_eq!(
        challenge.as_deref(),
        Some(r#"Bearer error="invalid_token""#),
        "{authorization:.60}"
    );
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    assert!(body["data"].is_null(), "{body}");
}

#[tokio::test]
async fn hostile_and_invalid_tokens_are_refused_with_401_never_served_anonymously() {
    let app = spawn_app().await;
    let (valid, _) = app.issue_token(Role::Viewer, &[1]).await;
    let parts: Vec<&str> = valid.split('.').collect();
    let header = |json: Value| URL_SAFE_NO_PAD.encode(json.to_string());
    let mut payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{}.",
            header(json!({ "alg": alg, "typ": "at+jwt" })),
            parts[1]
        );
        refused(&app, &format!("Bearer {unsigned}")).await;
    }
    payload["role"] = json!("ADMIN");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    refused(&app, &format!("Bearer {tampered}")).await;

    // A token signed by another key, and an expired one signed by ours.
    let (foreign_pem, _) = generate_ed25519_pem().unwrap_or_else(|e| panic!("{e}"));
    let mut foreign_settings = app.settings.clone();
    foreign_settings.jwt_private_key = Some(foreign_pem);
    let foreign = Keys::from_settings(&foreign_settings).unwrap_or_else(|e| panic!("{e}"));
    let forged = encode(&foreign, &claims(&app, Role::Admin)).unwrap_or_else(|e| panic!("{e}"));
    refused(&app, &format!("Bearer {forged}")).await;
    let ours = Keys::from_settings(&app.settings).unwrap_or_else(|e| panic!("{e}"));
    let mut expired = claims(&app, Role::Admin);
    expired.exp -= 3600;
    expired.iat -= 7200;
    let expired = encode(&ours, &expired).unwrap_or_else(|e| panic!("{e}"));
    refused(&app, &format!("Bearer {expired}")).await;
    // Well signed, but no record issued it.
    let unissued = encode(&ours, &claims(&app, Role::Admin)).unwrap_or_else(|e| panic!("{e}"));
    refused(&app, &format!("Bearer {unissued}")).await;

    for garbage in [
        "Bearer",
        "Bearer ",
        "Bearer abc",
        "Bearer a.b.c",
        "Basic dXNlcjpwYXNz",
        &format!("Bearer {}", "a".repeat(5000)),
        &format!("Token {valid}"),
    ] {
        refused(&app, garbage).await;
    }
    // Nothing is written with a refused token, nor by a non-admin.
    let create = "mutation { createOrganization(input: { name: \"Intruder\", kind: OTHER }) { organization { id } } }";
    let (status, _, _) = app
        .graphql_with_header(&format!("Bearer {tampered}"), create, json!({}))
        .await;
    assert_eq!(status, 401);
    let denied = app.graphql_as(&valid, create, json!({})).await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    // Writing is never public: without a token it is forbidden too (with a hint to authenticate).
    let anonymous = app.graphql(create, json!({})).await;
    assert_eq!(error_code(&anonymous), Some("FORBIDDEN"), "{anonymous}");
    let found = app
        .graphql("{ search(text: \"Intruder\") { totalCount } }", json!({}))
        .await;
    assert_eq!(found["data"]["search"]["totalCount"], 0, "{found}");

    // The valid token itself works, with both spellings of the scheme.
    for scheme in ["Bearer", "bearer"] {
        let (status, _, body) = app
            .graphql_with_header(&format!("{scheme} {valid}"), "{ me { role } }", json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["me"]["role"], "VIEWER", "{body}");
    }
}

#[tokio::test]
async fn admins_issue_list_rotate_and_revoke_tokens_and_every_action_is_audited() {
    let app = spawn_app().await;
    let (admin, admin_id) = app.issue_token(Role::Admin, &[]).await;
    let org = app
        .graphql(
            "{ organizations(first: 1) { nodes { id name } } }",
            json!({}),
        )
        .await["data"]["organizations"]["nodes"][0]
        .clone();
    let issue = "mutation($org: ID, $role: Role!, $in: Int!) { issueToken(input: { organization: $org, role: $role, label: \"bologna integration\", expiresIn: $in }) { token record { id label role active organizations { name } } } }";
    let issued = app
        .graphql_as(
            &admin,
            issue,
            json!({ "org": org["id"], "role": "EDITOR", "in": 3600 }),
        )
        .await;
    assert!(issued["errors"].is_null(), "{issued}");
    let token = issued["data"]["issueToken"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let record = &issued["data"]["issueToken"]["record"];
    assert_eq!(record["role"], "EDITOR");
    assert_eq!(record["active"], true);
    assert_eq!(record["organizations"][0]["name"], org["name"]);

    let me = app
        .graphql_as(&token, "{ me { role organizations { name } } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["role"], "EDITOR", "{me}");
    let anonymous = app.graphql("{ me { role } }", json!({})).await;
    assert!(anonymous["data"]["me"].is_null(), "{anonymous}");

    // Limits: beyond the maximum lifetime, no organization for an editor.
    let too_long = app
        .graphql_as(
            &admin,
            issue,
            json!({ "org": org["id"], "role": "EDITOR", "in": 91 * 24 * 3600 }),
        )
        .await;
    assert_eq!(error_code(&too_long), Some("BAD_USER_INPUT"), "{too_long}");
    let no_org = app
        .graphql_as(
            &admin,
            issue,
            json!({ "org": null, "role": "VIEWER", "in": 60 }),
        )
        .await;
    assert_eq!(error_code(&no_org), Some("BAD_USER_INPUT"), "{no_org}");

    // Non-admins cannot manage tokens; anonymous callers are asked to authenticate.
    let list = "{ tokens { totalCount nodes { id label revokedAt } } }";
    assert_eq!(
        error_code(&app.graphql_as(&token, list, json!({})).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.graphql(list, json!({})).await),
        Some("UNAUTHENTICATED")
    );
    let listed = app.graphql_as(&admin, list, json!({})).await;
    assert_eq!(listed["data"]["tokens"]["totalCount"], 2, "{listed}");
    assert!(
        !listed.to_string().contains(&token),
        "a listing never shows a token"
    );

    // Rotation: the successor works at once, the old token until the grace period ends.
    let rotated = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { rotateToken(id: $id, grace: 60) { token record { id } } }",
            json!({ "id": record["id"] }),
        )
        .await;
    assert!(rotated["errors"].is_null(), "{rotated}");
    let successor = rotated["data"]["rotateToken"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for t in [&token, &successor] {
        let me = app.graphql_as(t, "{ me { role } }", json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "EDITOR", "{me}");
    }

    // Revocation takes effect before the mutation returns.
    let revoked = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { revokeToken(id: $id) { record { revokedAt } } }",
            json!({ "id": record["id"] }),
        )
        .await;
    assert!(
        revoked["data"]["revokeToken"]["record"]["revokedAt"].is_string(),
        "{revoked}"
    );
    refused(&app, &format!("Bearer {token}")).await;

    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 10) { nodes { action actor actorToken } } }",
            json!({}),
        )
        .await;
    let actions = each(&audit["data"]["auditLog"]["nodes"], "action");
    for action in ["TOKEN_ISSUED", "TOKEN_ROTATED", "TOKEN_REVOKED"] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    assert_eq!(
        audit["data"]["auditLog"]["nodes"][0]["actor"],
        format!("token {admin_id}"),
        "{audit}"
    );
}

/// One string field of every node of a list.
fn each(nodes: &Value, field: &str) -> Vec<String> {
    nodes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n[field].as_str().map(str::to_owned))
        .collect()
}

fn kinds(data: &Value) -> Vec<String> {
    each(&data["search"]["nodes"], "kind")
}

/// The sample plan turned into a draft with a draft activity, an internal note and an internal
/// finding; organization 1 takes part in it.
async fn app_with_a_draft_plan() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    let database = db(&app).await;
    for statement in [
        "UPDATE plan SET status = 'DRAFT', internal_note = 'budget not approved'",
        "UPDATE activity SET draft = TRUE, internal_note = 'tentative' WHERE id = 1",
        "UPDATE data_issue SET internal = TRUE WHERE field = 'area_km2'",
    ] {
        database
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let other = 2;
    (app, 1, other)
}

const EVERYTHING: &str = "query($plan: ID!, $activity: ID!) {
  plans { totalCount nodes { internalNote contactEmail dataIssues { field } activities { totalCount } } }
  activities { totalCount }
  mous { totalCount }
  themes { totalCount }
  expectedResults { totalCount }
  plan: node(id: $plan) { id }
  activity: node(id: $activity) { id ... on Activity { draft internalNote } }
  search(text: \"Guangzhou\", first: 100) { totalCount nodes { kind } }
  stats { plans { total } activities { total } mous { total } }
  city: cities(filter: { name: \"Guangzhou\" }) { nodes { focalPlans { id } activities { totalCount } } }
}";

#[tokio::test]
async fn a_draft_plan_exists_only_for_its_own_organizations_and_admins_on_every_path() {
    let (app, own, other) = app_with_a_draft_plan().await;
    let vars = json!({ "plan": "UGxhbjox", "activity": "QWN0aXZpdHk6MQ" });
    let (own_viewer, _) = app.issue_token(Role::Viewer, &[own]).await;
    let (own_editor, _) = app.issue_token(Role::Editor, &[own]).await;
    let (other_viewer, _) = app.issue_token(Role::Viewer, &[other]).await;
    let (other_editor, _) = app.issue_token(Role::Editor, &[other]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    app.graphql_as(
        &admin,
        "mutation($p: ID!, $o: ID!) { addPlanParticipant(input: { plan: $p, organization: $o, role: PARTNER }) { plan { id } } }",
        json!({ "p": "UGxhbjox", "o": ucap::graphql::ids::NodeKind::Organization.id(own).0 }),
    )
    .await;

    for (who, body) in [
        ("anonymous", app.graphql(EVERYTHING, vars.clone()).await),
        (
            "other viewer",
            app.graphql_as(&other_viewer, EVERYTHING, vars.clone())
                .await,
        ),
        (
            "other editor",
            app.graphql_as(&other_editor, EVERYTHING, vars.clone())
                .await,
        ),
    ] {
        let d = &body["data"];
        assert_eq!(d["plans"]["totalCount"], 0, "{who}: {body}");
        assert_eq!(d["activities"]["totalCount"], 0, "{who}: {body}");
        assert_eq!(d["mous"]["totalCount"], 0, "{who}: {body}");
        assert_eq!(d["themes"]["totalCount"], 0, "{who}: {body}");
        assert_eq!(d["expectedResults"]["totalCount"], 0, "{who}: {body}");
        assert!(
            kinds(d).iter().all(|k| k == "CITY" || k == "ORGANIZATION"),
            "{who}: {body}"
        );
        assert_eq!(d["stats"]["plans"]["total"], 0, "{who}: {body}");
        assert_eq!(d["stats"]["activities"]["total"], 0, "{who}: {body}");
        assert_eq!(d["stats"]["mous"]["total"], 0, "{who}: {body}");
        assert_eq!(
            d["city"]["nodes"][0]["focalPlans"],
            json!([]),
            "{who}: {body}"
        );
        assert_eq!(
            d["city"]["nodes"][0]["activities"]["totalCount"], 0,
            "{who}: {body}"
        );
        // Absent, not forbidden: no existence oracle.
        assert!(body["errors"].is_null(), "{who}: {body}");
        assert!(
            d["plan"].is_null() && d["activity"].is_null(),
            "{who}: {body}"
        );
    }

    for (who, body) in [
        (
            "own viewer",
            app.graphql_as(&own_viewer, EVERYTHING, vars.clone()).await,
        ),
        (
            "own editor",
            app.graphql_as(&own_editor, EVERYTHING, vars.clone()).await,
        ),
        (
            "admin",
            app.graphql_as(&admin, EVERYTHING, vars.clone()).await,
        ),
    ] {
        assert!(body["errors"].is_null(), "{who}: {body}");
        let d = &body["data"];
        let plan = &d["plans"]["nodes"][0];
        assert_eq!(d["plans"]["totalCount"], 1, "{who}: {body}");
        assert_eq!(plan["internalNote"], "budget not approved", "{who}: {body}");
        assert_eq!(plan["contactEmail"], "IUC-ASIA_office@iuc-asia.eu", "{who}");
        assert_eq!(plan["activities"]["totalCount"], 5, "{who}: {body}");
        assert_eq!(
            plan["dataIssues"].as_array().map(Vec::len),
            Some(2),
            "{who}"
        );
        assert_eq!(d["activity"]["draft"], true, "{who}: {body}");
        assert_eq!(d["activity"]["internalNote"], "tentative", "{who}: {body}");
        assert_eq!(d["stats"]["activities"]["total"], 5, "{who}: {body}");
        for kind in ["PLAN", "THEME", "ACTIVITY", "CITY"] {
            assert!(kinds(d).iter().any(|k| k == kind), "{who}: {kind}: {body}");
        }
    }
}

#[tokio::test]
async fn anonymous_callers_see_published_plans_without_drafts_notes_contacts_or_internal_findings()
{
    let app = spawn_app().await;
    sql(
        &app,
        "UPDATE activity SET draft = TRUE, internal_note = 'x' WHERE id = 1",
    )
    .await;
    sql(
        &app,
        "UPDATE plan SET internal_note = 'budget not approved'",
    )
    .await;
    sql(
        &app,
        "UPDATE data_issue SET internal = TRUE WHERE field = 'area_km2'",
    )
    .await;
    let vars = json!({ "plan": "UGxhbjox", "activity": "QWN0aXZpdHk6MQ" });
    let body = app.graphql(EVERYTHING, vars).await;
    let d = &body["data"];
    let plan = &d["plans"]["nodes"][0];
    assert_eq!(d["plans"]["totalCount"], 1, "{body}");
    assert!(plan["internalNote"].is_null(), "{body}");
    assert!(plan["contactEmail"].is_null(), "{body}");
    assert_eq!(
        plan["dataIssues"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    assert_eq!(plan["activities"]["totalCount"], 4, "{body}");
    assert_eq!(d["activities"]["totalCount"], 4, "{body}");
    assert_eq!(d["stats"]["activities"]["total"], 4, "{body}");
    assert_eq!(
        d["city"]["nodes"][0]["activities"]["totalCount"], 4,
        "{body}"
    );
    // The draft activity does not exist for them: `node` is null (Relay), without an error.
    assert!(d["activity"].is_null(), "the draft activity: {body}");
    assert_eq!(error_code(&body), None, "{body}");
}

/// Two instances on one database: a token revoked through one is refused by the other within
/// seconds. On SQLite nothing tells the other (one process serves a file), and its cached record
/// lives `token_cache_ttl` (2 s); on PostgreSQL the revocation is pushed (see `instances`).
#[tokio::test]
async fn a_token_revoked_through_one_instance_is_refused_by_another_within_five_seconds() {
    let first = spawn_app().await;
    let url = first.database_url.clone();
    let second = spawn_app_with(|s| s.database_url = url).await;
    let (admin, _) = first.issue_token(Role::Admin, &[]).await;
    let (viewer, viewer_id) = first.issue_token(Role::Viewer, &[1]).await;
    let me = "{ me { role } }";
    assert_eq!(
        second.graphql_as(&viewer, me, json!({})).await["data"]["me"]["role"],
        "VIEWER"
    );
    let revoked = first
        .graphql_as(
            &admin,
            "mutation($id: ID!) { revokeToken(id: $id) { record { id } } }",
            json!({ "id": ucap::graphql::ids::NodeKind::AccessToken.id(viewer_id).0 }),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    let start = Instant::now();
    loop {
        let (status, _, _) = second
            .graphql_with_header(&format!("Bearer {viewer}"), me, json!({}))
            .await;
        if status == 401 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still accepted after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The record's expiry is exact: the JWT clock leeway (30 s) is for other clocks, not for our own
/// record, which `tokens(filter: {active: true})` already reads exactly.
#[tokio::test]
async fn a_token_is_refused_as_soon_as_its_record_expires() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let issued = app
        .graphql_as(
            &admin,
            "mutation { issueToken(input: { role: ADMIN, label: \"short\", expiresIn: 1 }) { token record { expiresAt } } }",
            json!({}),
        )
        .await;
    assert!(issued["errors"].is_null(), "{issued}");
    let token = issued["data"]["issueToken"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let expires_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(issued["data"]["issueToken"]["record"]["expiresAt"].clone())
            .unwrap_or_else(|e| panic!("{e}: {issued}"));
    // Waiting on the clock is what is tested: the wait ends just after the record's expiry.
    let left = (expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(100)).await;
    refused(&app, &format!("Bearer {token}")).await;
    let active = app
        .graphql_as(
            &admin,
            "{ tokens(filter: { active: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(active["data"]["tokens"]["totalCount"], 1, "{active}");
}

#[tokio::test]
async fn the_public_key_is_published_as_jwks() {
    let app = spawn_app().await;
    let (status, body) = app.get("/.well-known/jwks.json").await;
    assert_eq!(status, 200);
    let jwks: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    assert!(!body.contains("PRIVATE"), "{body}");
}

#[tokio::test]
async fn admins_manage_organizations_and_their_part_in_plans() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let create = "mutation($name: String!) { createOrganization(input: { name: $name, kind: UNIVERSITY, city: \"Q2l0eToz\", website: \"https://www.unibo.it\" }) { organization { id name kind city { name } website } } }";
    let created = app
        .graphql_as(&admin, create, json!({ "name": "Alma Mater Studiorum" }))
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let org = &created["data"]["createOrganization"]["organization"];
    assert_eq!(org["kind"], "UNIVERSITY");
    assert_eq!(org["city"]["name"], "Bologna", "{created}");
    let again = app
        .graphql_as(&admin, create, json!({ "name": "  alma mater STUDIORUM " }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    let update = "mutation($id: ID!, $v: Int) { updateOrganization(input: { id: $id, website: null, expectedVersion: $v }) { organization { website } } }";
    let stale = app
        .graphql_as(&admin, update, json!({ "id": org["id"], "v": 7 }))
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let updated = app
        .graphql_as(&admin, update, json!({ "id": org["id"], "v": 1 }))
        .await;
    assert!(
        updated["data"]["updateOrganization"]["organization"]["website"].is_null(),
        "{updated}"
    );
    // The version is required: as the `version` argument (or its deprecated input spelling).
    let renamed = "mutation($id: ID!, $v: Int) { updateOrganization(input: { id: $id, website: \"https://www.unibo.it/en\" }, version: $v) { organization { website version } } }";
    let missing = app
        .graphql_as(&admin, renamed, json!({ "id": org["id"] }))
        .await;
    assert_eq!(error_code(&missing), Some("BAD_USER_INPUT"), "{missing}");
    assert_eq!(missing["errors"][0]["extensions"]["field"], "version");
    let renamed = app
        .graphql_as(&admin, renamed, json!({ "id": org["id"], "v": 2 }))
        .await;
    assert_eq!(
        renamed["data"]["updateOrganization"]["organization"]["version"], 3,
        "{renamed}"
    );

    let add = "mutation($o: ID!) { addPlanParticipant(input: { plan: \"UGxhbjox\", organization: $o, role: PARTNER }) { plan { participants { role organization { name } } } } }";
    let added = app.graphql_as(&admin, add, json!({ "o": org["id"] })).await;
    assert_eq!(
        added["data"]["addPlanParticipant"]["plan"]["participants"],
        json!([{ "role": "PARTNER", "organization": { "name": "Alma Mater Studiorum" } }]),
        "{added}"
    );
    let remove = "mutation($o: ID!) { removePlanParticipant(plan: \"UGxhbjox\", organization: $o) { plan { participants { role } } } }";
    let removed = app
        .graphql_as(&admin, remove, json!({ "o": org["id"] }))
        .await;
    assert_eq!(
        removed["data"]["removePlanParticipant"]["plan"]["participants"],
        json!([]),
        "{removed}"
    );
    let twice = app
        .graphql_as(&admin, remove, json!({ "o": org["id"] }))
        .await;
    assert_eq!(error_code(&twice), Some("NOT_FOUND"), "{twice}");

    let audit = app
        .graphql_as(&admin, "{ auditLog { nodes { action } } }", json!({}))
        .await;
    let actions = each(&audit["data"]["auditLog"]["nodes"], "action");
    assert_eq!(
        actions,
        [
            "PARTICIPANT_REMOVED",
            "PARTICIPANT_ADDED",
            "ORGANIZATION_UPDATED",
            "ORGANIZATION_UPDATED",
            "ORGANIZATION_CREATED",
            "TOKEN_ISSUED",
            // The bundled sample, loaded at start-up.
            "PLAN_IMPORTED"
        ],
        "{audit}"
    );
}

/// Audit details name records by their global IDs, as clients know them, never by database id.
#[tokio::test]
async fn audit_details_name_records_by_global_id() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let org = app
        .graphql("{ organizations(first: 1) { nodes { id } } }", json!({}))
        .await["data"]["organizations"]["nodes"][0]["id"]
        .clone();
    let issued = app
        .graphql_as(
            &admin,
            "mutation($org: ID) { issueToken(input: { organization: $org, role: VIEWER, label: \"audited\", expiresIn: 600 }) { record { id } } }",
            json!({ "org": org }),
        )
        .await;
    assert!(issued["errors"].is_null(), "{issued}");
    let (plan, city) = ("UGxhbjox", "Q2l0eToz");
    let created = app
        .graphql_as(
            &admin,
            "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
            json!({ "input": { "plan": plan, "title": "Audited workshop", "date": "2021-03",
                               "kind": "WORKSHOP", "cities": [city] } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");

    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 10) { nodes { action detail } } }",
            json!({}),
        )
        .await;
    let entries = audit["data"]["auditLog"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let detail = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["detail"].clone())
            .unwrap_or_else(|| panic!("no {action} in {audit}"))
    };
    let token = detail("TOKEN_ISSUED");
    assert_eq!(token["organizations"], json!([org]), "{token}");
    let activity = detail("ACTIVITY_CREATED");
    assert_eq!(activity["plans"], json!([plan]), "{activity}");
    let after = |field: &str| {
        activity["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["field"] == field)
            .map(|c| c["after"].clone())
            .unwrap_or_default()
    };
    assert_eq!(after("plan"), json!(plan), "{activity}");
    assert_eq!(after("cities"), json!([city]), "{activity}");
}

#[tokio::test]
async fn admins_list_tokens_by_status() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let issue = "mutation($label: String!, $in: Int!) { issueToken(input: { role: VIEWER, \
                 organization: \"T3JnYW5pemF0aW9uOjE\", label: $label, expiresIn: $in }) { record { id } } }";
    let mut ids = std::collections::HashMap::new();
    for (label, seconds) in [
        ("lasting", 60 * 86400),
        ("ending", 3 * 86400),
        ("revoked", 86400),
        ("short", 1),
    ] {
        let r = app
            .graphql_as(&admin, issue, json!({ "label": label, "in": seconds }))
            .await;
        let id = r["data"]["issueToken"]["record"]["id"]
            .as_str()
            .map(str::to_owned);
        ids.insert(label, id.unwrap_or_else(|| panic!("{r}")));
    }
    let revoke = "mutation($id: ID!) { revokeToken(id: $id) { record { id } } }";
    let r = app
        .graphql_as(&admin, revoke, json!({ "id": ids["revoked"] }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let list = "query($status: TokenStatus!) { tokens(first: 50, filter: { status: $status }) { nodes { label } } }";
    for (status, expected) in [
        ("ACTIVE", vec!["test Admin", "lasting", "ending"]),
        ("EXPIRING", vec!["test Admin", "ending"]),
        ("EXPIRED", vec!["short"]),
        ("REVOKED", vec!["revoked"]),
    ] {
        let r = app
            .graphql_as(&admin, list, json!({ "status": status }))
            .await;
        let labels: Vec<&str> = r["data"]["tokens"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .filter_map(|n| n["label"].as_str())
            .collect();
        assert_eq!(labels, expected, "{status}");
    }
}
