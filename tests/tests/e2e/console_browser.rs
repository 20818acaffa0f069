//! The admin console in a real browser (headless Chromium): an admin signs in, creates an
//! organization, adds it to a plan, issues a VIEWER token for it (shown once), the token works
//! against `/graphql`, the admin revokes it in the console and `/graphql` refuses it; a hostile
//! organization name renders as text; a VIEWER gets the read-only view; a refused action shows the
//! API's message next to its field; a token restricted to a persisted operation keeps its
//! restriction through a rotation. Every screen is checked with axe-core and photographed.

// Test steps: a failed one is the test's failure, with its error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;
use ucap::auth::Role;
use ucap_tests::browser::Browser;
use ucap_tests::{TestApp, error_code, spawn_process};

const XSS: &str = "<img src=x onerror=alert(1)>";

/// The server the browser drives: the real `ucap serve` process on a fresh database, as an
/// operator runs it (default settings; see [`crate::server_binary`]).
async fn serve() -> TestApp {
    spawn_process(&crate::server_binary(), &[]).await
}

async fn launch() -> Option<Browser> {
    match Browser::launch().await {
        Ok(b) => b,
        Err(e) => panic!("cannot start the browser: {e:#}"),
    }
}

/// Signs in with `token` and waits until the console shows the caller's role.
async fn sign_in(b: &Browser, app: &TestApp, token: &str, role: &str) {
    b.client
        .goto(&format!("{}/admin", app.address))
        .await
        .unwrap();
    b.find("#token-input")
        .await
        .unwrap()
        .send_keys(token)
        .await
        .unwrap();
    b.click("[data-testid=sign-in-submit]").await.unwrap();
    let who = b.text("[data-testid=who]").await.unwrap();
    assert!(who.contains(role), "signed in as {who}");
}

/// No serious or critical accessibility violation on the screen, and a screenshot of it.
async fn check_screen(b: &Browser, name: &str) {
    let violations = b.accessibility_violations().await.unwrap();
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    b.screenshot(&format!("console-{name}")).await.unwrap();
}

async fn click(b: &Browser, css: &str) {
    b.click(css).await.unwrap();
}

async fn open(b: &Browser, section: &str, ready: &str) {
    click(b, &format!("[data-testid=nav-{section}]")).await;
    b.find(ready).await.unwrap();
}

/// Picks the option labelled `label` in the select `css`, once it is there (options load after
/// their form opens; 10 s at most).
async fn choose(b: &Browser, css: &str, label: &str) {
    for _ in 0..100 {
        let there = b
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0] + ' option')]\
                 .some((o) => o.text === arguments[1])",
                vec![json!(css), json!(label)],
            )
            .await
            .unwrap();
        if there == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.find(css)
        .await
        .unwrap()
        .select_by_label(label)
        .await
        .unwrap();
}

/// The element at `xpath`, once it is there (10 s at most).
async fn wait_for(b: &Browser, xpath: &str) -> fantoccini::elements::Element {
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap()
}

/// `me.role` with `token` at `/graphql`, or the error code.
async fn role_of(app: &TestApp, token: &str) -> String {
    let r = app.graphql_as(token, "{ me { role } }", json!({})).await;
    match error_code(&r) {
        Some(code) => code.to_owned(),
        None => r["data"]["me"]["role"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
    }
}

#[tokio::test]
async fn an_admin_issues_a_partner_token_in_the_console_and_revokes_it() {
    let app = serve().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = launch().await else { return };
    sign_in(&b, &app, &admin, "ADMIN").await;

    // A new organization, named to break an HTML page: its name shows as text, nothing runs.
    open(&b, "organizations", "[data-testid=org-create]").await;
    check_screen(&b, "organizations").await;
    click(&b, "[data-testid=org-create]").await;
    b.find("[data-testid=org-form] [data-testid=field-name]")
        .await
        .unwrap()
        .send_keys(XSS)
        .await
        .unwrap();
    click(&b, "[data-testid=org-save]").await;
    // The console opens the new organization: its name is the heading, as typed.
    let heading = b.text("[data-testid=org-detail] h1").await.unwrap();
    assert_eq!(heading, XSS);
    let hash = b
        .client
        .execute("return location.hash", vec![])
        .await
        .unwrap();
    let org_id = hash
        .as_str()
        .and_then(|h| h.strip_prefix("#/organization/"))
        .map(|id| id.replace("%3D", "="))
        .unwrap_or_else(|| panic!("not on the organization's page: {hash}"));
    let images = b
        .client
        .execute(
            "return document.querySelectorAll('main img').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(images, json!(0), "the name became markup");
    assert!(b.client.get_alert_text().await.is_err(), "a script ran");
    check_screen(&b, "organization-created").await;

    // It takes part in the first plan, as a partner.
    open(&b, "plans", "[data-testid=plan-row]").await;
    let form = "[data-testid=plan-row] [data-testid=participant-form]";
    choose(&b, &format!("{form} [data-testid=field-organization]"), XSS).await;
    click(&b, &format!("{form} [data-testid=participant-add]")).await;
    b.find(&format!(
        "[data-testid=plan-row] [data-testid=participant-row][data-id='{org_id}']"
    ))
    .await
    .unwrap();
    check_screen(&b, "plans").await;

    // Its page lists the plan; the link opens that plan alone.
    b.client
        .goto(&format!("{}/admin#/organization/{org_id}", app.address))
        .await
        .unwrap();
    click(&b, "[data-testid=org-plans] a").await;
    b.find(&format!(
        "[data-testid=plan-row] [data-testid=participant-row][data-id='{org_id}']"
    ))
    .await
    .unwrap();
    let cards = b
        .client
        .execute(
            "return document.querySelectorAll('[data-testid=plan-row]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(cards, json!(1));

    // A VIEWER token for it, shown once.
    open(&b, "tokens", "[data-testid=issue-token]").await;
    check_screen(&b, "tokens").await;
    click(&b, "[data-testid=issue-token]").await;
    let issue = "[data-testid=issue-form]";
    choose(&b, &format!("{issue} [data-testid=field-role]"), "VIEWER").await;
    choose(
        &b,
        &format!("{issue} [data-testid=field-organizations]"),
        XSS,
    )
    .await;
    b.find(&format!("{issue} [data-testid=field-label]"))
        .await
        .unwrap()
        .send_keys("partner system")
        .await
        .unwrap();
    click(&b, "[data-testid=issue-submit]").await;
    let token = b.text("[data-testid=token-secret]").await.unwrap();
    check_screen(&b, "token-shown-once").await;
    click(&b, "[data-testid=token-once-close]").await;
    assert_eq!(role_of(&app, token.trim()).await, "VIEWER");
    let secret_left = b
        .client
        .execute(
            "return document.body.innerText.includes(arguments[0])",
            vec![json!(token.trim())],
        )
        .await
        .unwrap();
    assert_eq!(secret_left, json!(false), "the token is still on the page");

    // Revoked in the console: the API refuses it.
    b.click_on(Locator::XPath(
        "//tr[@data-testid='token-row'][td[text()='partner system']]//*[@data-testid='token-revoke']",
    ))
    .await
    .unwrap();
    click(&b, "[data-testid=confirm-yes]").await;
    let mut refused = String::new();
    for _ in 0..50 {
        refused = role_of(&app, token.trim()).await;
        if refused != "VIEWER" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(refused, "UNAUTHENTICATED");

    // The revoked filter (kept in the URL) lists it.
    click(&b, "[data-testid=token-filter-revoked]").await;
    wait_for(
        &b,
        "//tr[@data-testid='token-row'][@data-status='revoked'][td[text()='partner system']]",
    )
    .await;
    let url = b.client.current_url().await.unwrap();
    assert!(url.as_str().ends_with("#/tokens?status=revoked"), "{url}");
    check_screen(&b, "tokens-revoked").await;
    open(&b, "audit", "[data-testid=audit-row]").await;
    check_screen(&b, "audit").await;
}

#[tokio::test]
async fn a_viewer_gets_a_read_only_view() {
    let app = serve().await;
    let (viewer, _) = app.issue_token(Role::Viewer, &[1]).await;
    let Some(b) = launch().await else { return };
    sign_in(&b, &app, &viewer, "VIEWER").await;
    b.find("[data-testid=me-view]").await.unwrap();
    let writes = b
        .client
        .execute(
            "return document.querySelectorAll('[data-testid=issue-token], [data-testid=org-create], \
             [data-testid=participant-add], [data-testid=token-revoke]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(writes, json!(0));
    check_screen(&b, "viewer").await;
}

#[tokio::test]
async fn a_refused_action_shows_the_apis_message_next_to_its_field() {
    let app = serve().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = launch().await else { return };
    sign_in(&b, &app, &admin, "ADMIN").await;
    open(&b, "organizations", "[data-testid=org-create]").await;
    click(&b, "[data-testid=org-create]").await;
    let form = "[data-testid=org-form]";
    b.find(&format!("{form} [data-testid=field-name]"))
        .await
        .unwrap()
        .send_keys("Bologna transport office")
        .await
        .unwrap();
    b.find(&format!("{form} [data-testid=field-website]"))
        .await
        .unwrap()
        .send_keys("not a url")
        .await
        .unwrap();
    click(&b, "[data-testid=org-save]").await;
    let error = b
        .text(&format!("{form} .field-error[data-for=website]"))
        .await
        .unwrap();
    assert!(error.contains("BAD_USER_INPUT"), "{error}");
    check_screen(&b, "refused").await;
}

#[tokio::test]
async fn the_console_works_by_keyboard_alone_and_at_375_pixels_wide() {
    let app = serve().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = launch().await else { return };
    b.client.set_window_size(375, 800).await.unwrap();
    b.client
        .goto(&format!("{}/admin", app.address))
        .await
        .unwrap();
    // Type the token and press Enter: no pointer needed.
    let input = b.find("#token-input").await.unwrap();
    input.send_keys(&format!("{admin}\u{E007}")).await.unwrap();
    assert!(b.text("[data-testid=who]").await.unwrap().contains("ADMIN"));
    // Tab reaches the sections, Enter opens one.
    let mut reached = None;
    for _ in 0..20 {
        b.client
            .active_element()
            .await
            .unwrap()
            .send_keys("\u{E004}")
            .await
            .unwrap();
        let focused = b.client.active_element().await.unwrap();
        if focused.attr("data-testid").await.unwrap().as_deref() == Some("nav-organizations") {
            reached = Some(focused);
            break;
        }
    }
    let link = reached.expect("Tab never reached the Organizations link");
    link.send_keys("\u{E007}").await.unwrap();
    b.find("[data-testid=org-create]").await.unwrap();
    for screen in ["organizations", "tokens", "plans", "audit"] {
        b.client
            .goto(&format!("{}/admin#/{screen}", app.address))
            .await
            .unwrap();
        b.find("h1").await.unwrap();
        let overflow = b
            .client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().is_some_and(|px| px <= 0),
            "{screen} is wider than the screen by {overflow} px"
        );
        check_screen(&b, &format!("narrow-{screen}")).await;
    }
}

/// Sets `value` in the field `name` of `form`, replacing what it held.
async fn type_into(b: &Browser, form: &str, name: &str, value: &str) {
    let input = b
        .find(&format!("{form} [data-testid=field-{name}]"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// `query` with `token` at `/graphql`: its data, or the error code.
async fn run_as(app: &TestApp, token: &str, query: &str) -> serde_json::Value {
    let r = app.graphql_as(token, query, json!({})).await;
    match error_code(&r) {
        Some(code) => json!(code),
        None => r["data"].clone(),
    }
}

#[tokio::test]
async fn an_admin_restricts_a_token_to_a_persisted_operation_and_rotates_it() {
    let app = serve().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = launch().await else { return };
    sign_in(&b, &app, &admin, "ADMIN").await;
    let document = "query PlanCount { plans { totalCount } }";
    let other = "query OrganizationCount { organizations { totalCount } }";

    // Registered in the console.
    open(&b, "operations", "[data-testid=operation-form]").await;
    click(&b, "details.register summary").await;
    let form = "[data-testid=operation-form]";
    type_into(&b, form, "name", "plan count").await;
    type_into(&b, form, "document", document).await;
    click(&b, "[data-testid=operation-register]").await;
    b.find("[data-testid=operation-row]").await.unwrap();
    check_screen(&b, "operations").await;

    // More organizations than one page of the API: the picker offers every one.
    for i in 0..105 {
        let made = app
            .graphql_as(
                &admin,
                "mutation($name: String!) { createOrganization(input: { name: $name, kind: OTHER }) { organization { id } } }",
                json!({ "name": format!("Partner institute {i:03}") }),
            )
            .await;
        assert!(made["errors"].is_null(), "{made}");
    }

    // A VIEWER token restricted to it, issued in one step.
    open(&b, "tokens", "[data-testid=issue-token]").await;
    click(&b, "[data-testid=issue-token]").await;
    let issue = "[data-testid=issue-form]";
    choose(&b, &format!("{issue} [data-testid=field-role]"), "VIEWER").await;
    // The organizations load after the dialog opens.
    b.find(&format!("{issue} [data-testid=field-organizations] option"))
        .await
        .unwrap();
    wait_for(
        &b,
        "//*[@data-testid='field-organizations']/option[text()='Partner institute 104']",
    )
    .await;
    choose(
        &b,
        &format!("{issue} [data-testid=field-organizations]"),
        "Partner institute 104",
    )
    .await;
    b.find(&format!("{issue} [data-testid=field-operations] option"))
        .await
        .unwrap();
    choose(
        &b,
        &format!("{issue} [data-testid=field-operations]"),
        "plan count",
    )
    .await;
    type_into(&b, issue, "label", "restricted partner").await;
    click(&b, "[data-testid=issue-submit]").await;
    let token = b.text("[data-testid=token-secret]").await.unwrap();
    let token = token.trim().to_owned();
    click(&b, "[data-testid=token-once-close]").await;
    assert!(run_as(&app, &token, document).await["plans"]["totalCount"].is_number());
    assert_eq!(run_as(&app, &token, other).await, json!("FORBIDDEN"));

    // The operation lists the token; removing it is refused with the API's reason.
    open(&b, "operations", "[data-testid=operation-row]").await;
    wait_for(
        &b,
        "//*[@data-testid='operation-row'][contains(., 'restricted partner')]",
    )
    .await;
    click(&b, "[data-testid=operation-remove]").await;
    click(&b, "[data-testid=confirm-yes]").await;
    let refusal = b.text("[data-testid=remove-refused]").await.unwrap();
    assert!(
        refusal.contains("CONFLICT") && refusal.contains("restricted partner"),
        "{refusal}"
    );
    check_screen(&b, "operation-remove-refused").await;
    click(&b, "[data-testid=remove-refused] button").await;

    // Rotated with a 90-minute grace: the successor keeps the restriction; the old token is shown
    // beside it, accepted until the instant the server set.
    open(&b, "tokens", "[data-testid=token-row]").await;
    b.click_on(Locator::XPath(
        "//tr[@data-testid='token-row'][td[text()='restricted partner']]//*[@data-testid='token-rotate']",
    ))
    .await
    .unwrap();
    let grace = b.find("[data-testid=rotate-grace]").await.unwrap();
    grace.clear().await.unwrap();
    grace.send_keys("90").await.unwrap();
    click(&b, "[data-testid=rotate-submit]").await;
    let successor = b.text("[data-testid=token-secret]").await.unwrap();
    let successor = successor.trim().to_owned();
    let until = b
        .find("[data-testid=rotation] time")
        .await
        .unwrap()
        .attr("datetime")
        .await
        .unwrap()
        .unwrap_or_default();
    check_screen(&b, "token-rotated").await;
    click(&b, "[data-testid=token-once-close]").await;
    let listed = app
        .graphql_as(
            &admin,
            "{ tokens(first: 10, filter: { role: VIEWER }) { nodes { label revokedAt replacedBy } } }",
            json!({}),
        )
        .await;
    let old = listed["data"]["tokens"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| !t["replacedBy"].is_null())
        .cloned()
        .unwrap_or_else(|| panic!("no replaced token: {listed}"));
    assert_eq!(old["revokedAt"], json!(until), "{listed}");
    let revoked_at = chrono::DateTime::parse_from_rfc3339(&until).unwrap();
    let minutes = (revoked_at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!(
        (88..=90).contains(&minutes),
        "grace ends in {minutes} minutes"
    );
    for t in [&token, &successor] {
        assert!(run_as(&app, t, document).await["plans"]["totalCount"].is_number());
        assert_eq!(run_as(&app, t, other).await, json!("FORBIDDEN"));
    }
}

#[tokio::test]
async fn an_admin_registers_a_webhook_endpoint_and_follows_its_deliveries() {
    let app = spawn_process(
        &crate::server_binary(),
        &[("UCAP_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")],
    )
    .await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let Some(b) = launch().await else { return };
    sign_in(&b, &app, &admin, "ADMIN").await;
    open(&b, "webhooks", "[data-testid=webhook-create]").await;
    check_screen(&b, "webhooks-empty").await;

    // A private address is refused next to the URL field, with the API's code.
    click(&b, "[data-testid=webhook-create]").await;
    let form = "[data-testid=webhook-form]";
    b.find(&format!("{form} [data-testid=field-organization] option"))
        .await
        .unwrap();
    type_into(&b, form, "url", "http://10.0.0.7/hook").await;
    click(&b, "[data-testid=webhook-submit]").await;
    let refused = b
        .text(&format!("{form} .field-error[data-for=url]"))
        .await
        .unwrap();
    assert!(refused.contains("BAD_USER_INPUT"), "{refused}");

    // Nothing listens on port 9: deliveries are queued and their failures logged.
    type_into(&b, form, "url", "http://127.0.0.1:9/hook").await;
    choose(
        &b,
        &format!("{form} [data-testid=field-eventTypes]"),
        "activity.created",
    )
    .await;
    click(&b, "[data-testid=webhook-submit]").await;
    let secret = b.text("[data-testid=webhook-secret]").await.unwrap();
    assert!(secret.trim().starts_with("whsec_"), "{secret}");
    check_screen(&b, "webhook-secret-shown-once").await;
    click(&b, "[data-testid=webhook-once-close]").await;
    wait_for(&b, "//*[@data-testid='webhook-row'][@data-enabled='true']").await;

    let created = app
        .graphql_as(
            &admin,
            "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
            json!({ "input": { "plan": ucap::graphql::ids::NodeKind::Plan.id(1).0,
                               "title": "Hooked workshop", "date": "2021-03", "kind": "WORKSHOP",
                               "cities": [ucap::graphql::ids::NodeKind::City.id(3).0] } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    click(&b, "[data-testid=webhook-deliveries]").await;
    wait_for(&b, "//*[@data-testid='delivery-row']").await;
    check_screen(&b, "webhook-deliveries").await;

    // Disabled with a reason, enabled again; the secret rotated with a one-hour overlap.
    click(&b, "[data-testid=webhook-disable]").await;
    type_into(
        &b,
        "[data-testid=ask-form]",
        "reason",
        "partner maintenance",
    )
    .await;
    click(&b, "[data-testid=ask-submit]").await;
    wait_for(&b, "//*[@data-testid='webhook-row'][@data-enabled='false']").await;
    let state = b.text("[data-testid=webhook-state]").await.unwrap();
    assert!(state.contains("partner maintenance"), "{state}");
    click(&b, "[data-testid=webhook-enable]").await;
    wait_for(&b, "//*[@data-testid='webhook-row'][@data-enabled='true']").await;
    click(&b, "[data-testid=webhook-rotate]").await;
    type_into(&b, "[data-testid=ask-form]", "reason", "1").await;
    click(&b, "[data-testid=ask-submit]").await;
    let rotated = b.text("[data-testid=webhook-secret]").await.unwrap();
    assert!(rotated.trim().starts_with("whsec_") && rotated != secret);
    click(&b, "[data-testid=webhook-once-close]").await;
    let state = wait_for(
        &b,
        "//*[@data-testid='webhook-state'][contains(., 'previous secret')]",
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(state.contains("Enabled"), "{state}");
}
