//! Injection strings, NUL and exotic Unicode in every string argument of the query API (each
//! `String` or `ID` argument and filter field of schema.graphql): a clear BAD_USER_INPUT, an empty
//! answer or a literal match, never a 5xx or an INTERNAL error, and nothing stored changes.
//! Text filters match `%`, `_` and `\` literally.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::{StreamExt, stream};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap_tests::{TestApp, spawn_app};

use super::{codes, counts, graphql};

/// What hostile clients put in strings.
pub fn hostile_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "' OR 1=1 --",
        "' OR '1'='1",
        "\"; DROP TABLE plan; --",
        "'; DROP TABLE plan; --",
        "1; SELECT pg_sleep(10)",
        "' UNION SELECT token_hash FROM access_token --",
        "%",
        "_",
        "\\",
        "%_%",
        "\\%",
        "%%",
        "a%b_c\\d",
        ".*",
        "^$",
        "[a-z]+",
        "(?i)x|y",
        "a{1,100000}",
        "$1\\1",
        "*",
        "\"",
        "'",
        "`",
        "${7*7}{{7*7}}",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "\0",
        "a\0b",
        "\u{202E}gnp.exe",
        "\u{200D}\u{200C}\u{FEFF}",
        "👩\u{200D}💻🏙️",
        "e\u{301}\u{301}\u{301}\u{308}",
        "\u{FFFF}\u{10FFFF}",
        "\u{1}\u{1F}\u{7F}",
        "",
        "   ",
    ]
    .map(str::to_owned)
    .to_vec();
    strings.push("x".repeat(10_000));
    strings.push("%".repeat(200));
    strings
}

/// Global IDs whose key is hostile: the prefix is right, what follows is not a key.
fn hostile_ids() -> Vec<String> {
    let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let mut ids: Vec<String> = [
        "Plan:1 OR 1=1",
        "Plan:-1",
        "Plan:99999999999999999999",
        "Plan:1e3",
        "Plan:\0",
        "City:' OR 1=1 --",
        "Country:' OR 1=1 --",
        "Country:%",
        "Country:\0",
        "Country:",
        "Organization:1;DROP TABLE plan",
        "AccessToken:1 OR 1=1",
        ":",
        "Nope:1",
    ]
    .iter()
    .map(|s| b64(s))
    .collect();
    ids.push(b64("Plan:1") + "==");
    ids
}

/// How an argument is matched: exact equality (an injection string matches nothing) or a
/// substring (checked against the stored text separately).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    Exact,
    Text,
}

/// Every string argument of the query API: a document using `$s`, the connection (if any) whose
/// `totalCount` the answer has, and how it matches.
fn arguments() -> Vec<(&'static str, &'static str, Match)> {
    use Match::{Exact, Text};
    let plans = |field: &'static str| -> &'static str {
        Box::leak(
            format!(
                "query($s: String!) {{ c: plans(filter: {{ {field}: $s }}) {{ totalCount }} }}"
            )
            .into_boxed_str(),
        )
    };
    let plan_ids = |field: &'static str| -> &'static str {
        Box::leak(
            format!("query($s: ID!) {{ c: plans(filter: {{ {field}: $s }}) {{ totalCount }} }}")
                .into_boxed_str(),
        )
    };
    vec![
        ("plans.country", plans("country"), Exact),
        ("plans.focalCountry", plans("focalCountry"), Exact),
        ("plans.worldRegion", plans("worldRegion"), Exact),
        ("plans.sdgTarget", plans("sdgTarget"), Exact),
        (
            "plans.urbanAgendaPartnership",
            plans("urbanAgendaPartnership"),
            Exact,
        ),
        ("plans.themeText", plans("themeText"), Text),
        ("plans.focalCity", plan_ids("focalCity"), Exact),
        ("plans.partnerCity", plan_ids("partnerCity"), Exact),
        ("plans.city", plan_ids("city"), Exact),
        (
            "plans.not.or",
            "query($s: String!) { c: plans(filter: { not: { or: [{ country: $s }, { worldRegion: $s }] } }) { totalCount } }",
            Text,
        ),
        (
            "stats",
            "query($s: String!) { stats(filter: { worldRegion: $s, themeText: $s }) { __typename } }",
            Exact,
        ),
        (
            "cities.country",
            "query($s: String!) { c: cities(filter: { country: $s }) { totalCount } }",
            Exact,
        ),
        (
            "cities.name",
            "query($s: String!) { c: cities(filter: { name: $s }) { totalCount } }",
            Text,
        ),
        (
            "activities.country",
            "query($s: String!) { c: activities(filter: { country: $s }) { totalCount } }",
            Exact,
        ),
        (
            "activities.text",
            "query($s: String!) { c: activities(filter: { text: $s }) { totalCount } }",
            Text,
        ),
        (
            "activities.plan",
            "query($s: ID!) { c: activities(filter: { plan: $s }) { totalCount } }",
            Exact,
        ),
        (
            "activities.city",
            "query($s: ID!) { c: activities(filter: { city: $s }) { totalCount } }",
            Exact,
        ),
        (
            "activities.organization",
            "query($s: ID!) { c: activities(filter: { organization: $s }) { totalCount } }",
            Exact,
        ),
        (
            "mous.plan",
            "query($s: ID!) { c: mous(filter: { plan: $s }) { totalCount } }",
            Exact,
        ),
        (
            "mous.party",
            "query($s: ID!) { c: mous(filter: { party: $s }) { totalCount } }",
            Exact,
        ),
        (
            "auditLog.action",
            "query($s: String!) { c: auditLog(filter: { action: $s }) { totalCount } }",
            Exact,
        ),
        (
            "auditLog.targetKind",
            "query($s: String!) { c: auditLog(filter: { targetKind: $s }) { totalCount } }",
            Exact,
        ),
        (
            "auditLog.actorToken",
            "query($s: ID!) { c: auditLog(filter: { actorToken: $s }) { totalCount } }",
            Exact,
        ),
        (
            "auditLog.target",
            "query($s: ID!) { c: auditLog(filter: { target: $s }) { totalCount } }",
            Exact,
        ),
        (
            "tokens.organization",
            "query($s: ID!) { c: tokens(filter: { organization: $s }) { totalCount } }",
            Exact,
        ),
        (
            "search.text",
            "query($s: String!) { c: search(text: $s) { totalCount } }",
            Text,
        ),
        (
            "country",
            "query($s: String!) { country(code: $s) { name } }",
            Exact,
        ),
        ("plan", "query($s: ID!) { plan(id: $s) { id } }", Exact),
        ("city", "query($s: ID!) { city(id: $s) { id } }", Exact),
        (
            "organization",
            "query($s: ID!) { organization(id: $s) { id } }",
            Exact,
        ),
        (
            "activity",
            "query($s: ID!) { activity(id: $s) { id } }",
            Exact,
        ),
        ("mou", "query($s: ID!) { mou(id: $s) { id } }", Exact),
        ("node", "query($s: ID!) { node(id: $s) { id } }", Exact),
        (
            "nodes",
            "query($s: ID!) { nodes(ids: [$s, $s]) { id } }",
            Exact,
        ),
        (
            "plans.after",
            "query($s: String!) { c: plans(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "plans.before",
            "query($s: String!) { c: plans(last: 5, before: $s) { totalCount } }",
            Exact,
        ),
        (
            "cities.after",
            "query($s: String!) { c: cities(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "countries.after",
            "query($s: String!) { c: countries(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "organizations.after",
            "query($s: String!) { c: organizations(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "activities.after",
            "query($s: String!) { c: activities(after: $s, orderBy: DATE_ASC) { totalCount } }",
            Exact,
        ),
        (
            "mous.before",
            "query($s: String!) { c: mous(last: 2, before: $s) { totalCount } }",
            Exact,
        ),
        (
            "expectedResults.after",
            "query($s: String!) { c: expectedResults(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "themes.after",
            "query($s: String!) { c: themes(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "tokens.after",
            "query($s: String!) { c: tokens(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "auditLog.after",
            "query($s: String!) { c: auditLog(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "changes.after",
            "query($s: String!) { c: changes(after: $s) { totalCount } }",
            Exact,
        ),
        (
            "search.after",
            "query($s: String!) { c: search(text: \"guangzhou\", after: $s) { totalCount } }",
            Exact,
        ),
        (
            "plan.activities.after",
            "query($s: String!) { plans(first: 1) { nodes { activities(after: $s) { totalCount } } } }",
            Exact,
        ),
        (
            "city.activities.before",
            "query($s: String!) { cities(first: 3) { nodes { activities(last: 1, before: $s) { totalCount } } } }",
            Exact,
        ),
        (
            "organization.activities.after",
            "query($s: String!) { organizations(first: 3) { nodes { activities(after: $s) { totalCount } } } }",
            Exact,
        ),
    ]
}

/// Checks one answer: HTTP 200, only BAD_USER_INPUT or NOT_FOUND, and for an exact match of a
/// value that is no key, nothing found.
fn check(
    what: &str,
    value: &str,
    matching: Match,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let fail = || Err(format!("{what} = {value:.40?}: {status} {body}"));
    if status != 200 {
        return fail();
    }
    let codes = codes(body);
    if !codes
        .iter()
        .all(|c| matches!(*c, "BAD_USER_INPUT" | "NOT_FOUND"))
    {
        return fail();
    }
    if codes.is_empty() && matching == Match::Exact {
        let count = &body["data"]["c"]["totalCount"];
        let nodes = body["data"]["nodes"].as_array().into_iter().flatten();
        if !(count.is_null() || count == 0)
            || !body["data"]["country"].is_null()
            || !nodes.into_iter().all(Value::is_null)
        {
            return fail();
        }
    }
    Ok(())
}

#[tokio::test]
async fn injection_strings_nul_and_exotic_unicode_in_every_query_argument_are_inert() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let before = counts(&app, &admin).await;
    let mut cases = Vec::new();
    for (what, document, matching) in arguments() {
        let values = if document.contains("$s: ID!") {
            hostile_strings().into_iter().chain(hostile_ids()).collect()
        } else {
            hostile_strings()
        };
        for value in values {
            cases.push((what, document, matching, value));
        }
    }
    let (app, admin) = (&app, admin.as_str());
    let failures: Vec<String> = stream::iter(cases)
        .map(|(what, document, matching, value)| async move {
            let res = graphql(app, Some(admin), document, json!({ "s": value })).await;
            check(what, &value, matching, res.status, &res.body).err()
        })
        .buffer_unordered(8)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(counts(app, admin).await, before);
    // Still serving, with every table in place.
    let res = graphql(app, None, "{ plans { nodes { title } } }", json!({})).await;
    assert!(res.body["errors"].is_null(), "{}", res.body);
}

/// Every node of a list query, walked page by page as `token`.
async fn all(app: &TestApp, token: &str, field: &str, selection: &str) -> Vec<Value> {
    let query = format!(
        "query($after: String) {{ c: {field}(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
    );
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app
            .graphql_as(token, &query, json!({ "after": after }))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        out.extend(
            r["data"]["c"]["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        if r["data"]["c"]["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = r["data"]["c"]["pageInfo"]["endCursor"].clone();
    }
}

/// IDs found by `field(filter: { name: needle })`.
async fn found(
    app: &TestApp,
    token: &str,
    field: &str,
    filter: &str,
    needle: &str,
) -> BTreeSet<String> {
    let query = format!(
        "query($s: String!) {{ c: {field}(first: 100, filter: {{ {filter}: $s }}) {{ nodes {{ id }} }} }}"
    );
    let r = app.graphql_as(token, &query, json!({ "s": needle })).await;
    assert!(r["errors"].is_null(), "{field}.{filter} = {needle:?}: {r}");
    ids(r["data"]["c"]["nodes"].as_array().into_iter().flatten())
}

fn ids<'a>(nodes: impl Iterator<Item = &'a Value>) -> BTreeSet<String> {
    nodes
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect()
}

/// Whether any of the texts contains `needle`, ignoring case as the filters do.
fn contains(texts: &[&Value], needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    texts
        .iter()
        .filter_map(|t| t.as_str())
        .any(|t| t.to_lowercase().contains(&needle))
}

#[tokio::test]
async fn text_filters_match_wildcards_quotes_and_regex_metacharacters_literally() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let texts = [
        "Discount of 50% for members",
        "snake_case naming workshop",
        "Back\\slash and 100%_sure",
        "O'Brien said \"OR 1=1\" -- twice",
        "Regex .* [a-z]+ (?i) ^$ | {2}",
        "Plain title without specials",
    ];
    let create_activity = "mutation($t: String!) { createActivity(input: { plan: \"UGxhbjox\", title: $t, kind: WORKSHOP }) { activity { id } } }";
    let create_city = "mutation($t: String!) { createCity(input: { name: $t, kind: CITY, countryCode: \"IT\" }) { city { id } } }";
    let create_plan = "mutation($t: String!, $c: ID!) { createPlan(input: { title: $t, focalCity: $c }) { plan { id } } }";
    let create_theme = "mutation($p: ID!, $t: String!) { createTheme(input: { plan: $p, title: $t }) { theme { id } } }";
    let cities = all(&app, &admin, "cities", "id").await;
    for (i, text) in texts.iter().enumerate() {
        let r = app
            .graphql_as(&admin, create_activity, json!({ "t": text }))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = app
            .graphql_as(&admin, create_city, json!({ "t": text }))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        // A plan of its own for each text, so that a theme filter tells them apart.
        let city = &cities[i % cities.len()]["id"];
        let r = app
            .graphql_as(
                &admin,
                create_plan,
                json!({ "t": format!("Plan {i}"), "c": city }),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let plan = &r["data"]["createPlan"]["plan"]["id"];
        let r = app
            .graphql_as(&admin, create_theme, json!({ "p": plan, "t": text }))
            .await;
        assert!(r["errors"].is_null(), "{r}");
    }
    let activities = all(&app, &admin, "activities", "id title description").await;
    let cities = all(&app, &admin, "cities", "id name nativeName").await;
    let plans = all(&app, &admin, "plans", "id themes { title description }").await;
    // Literally none of the texts holds these; as wildcards or SQL they would match many.
    let matching_nothing = [
        "D_scount",
        "s%",
        "m_mb_rs",
        "w%t",
        "%_%",
        "' OR 1=1 --",
        "' OR '1'='1",
    ];
    let matching_some = [
        "%",
        "_",
        "\\",
        "50%",
        "0%_",
        "\\s",
        "'",
        "\"",
        "\"OR 1=1\" --",
        ".*",
        "[a-z]+",
        "(?i)",
        "^$",
        "|",
        "{2}",
        "e_c",
    ];
    for needle in matching_some.into_iter().chain(matching_nothing) {
        let expected = ids(activities
            .iter()
            .filter(|a| contains(&[&a["title"], &a["description"]], needle)));
        assert_eq!(
            found(&app, &admin, "activities", "text", needle).await,
            expected,
            "activities {needle:?}"
        );
        let expected = ids(cities
            .iter()
            .filter(|c| contains(&[&c["name"], &c["nativeName"]], needle)));
        assert_eq!(
            found(&app, &admin, "cities", "name", needle).await,
            expected,
            "cities {needle:?}"
        );
        let expected = ids(plans.iter().filter(|p| {
            p["themes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| contains(&[&t["title"], &t["description"]], needle))
        }));
        assert_eq!(
            found(&app, &admin, "plans", "themeText", needle).await,
            expected,
            "plans {needle:?}"
        );
        assert_eq!(
            expected.is_empty(),
            matching_nothing.contains(&needle),
            "{needle:?}"
        );
    }
}

/// NUL in a string input of a mutation is BAD_USER_INPUT naming the input, on both engines
/// (PostgreSQL cannot store it: unchecked, its statement fails as INTERNAL), and nothing is
/// written. As a variable and as a document literal.
#[tokio::test]
async fn nul_in_any_string_input_of_a_mutation_is_bad_user_input_and_writes_nothing() {
    let app = spawn_app().await;
    let (admin, admin_id) = app.issue_token(Role::Admin, &[]).await;
    let token = ucap::graphql::ids::NodeKind::AccessToken.id(admin_id).0;
    let audited = async || {
        app.graphql_as(&admin, "{ auditLog { totalCount } }", json!({}))
            .await["data"]["auditLog"]["totalCount"]
            .clone()
    };
    let before = (counts(&app, &admin).await, audited().await);
    let nul = "a\u{0}b";
    let cases = [
        (
            "linkPlanSdg",
            "mutation($s: String) { linkPlanSdg(plan: \"UGxhbjox\", goal: 11, target: $s) { plan { id } } }",
            json!({ "s": nul }),
            "target",
        ),
        (
            "linkPlanUrbanAgendaPartnership",
            "mutation($s: String!) { linkPlanUrbanAgendaPartnership(plan: \"UGxhbjox\", partnership: $s) { plan { id } } }",
            json!({ "s": nul }),
            "partnership",
        ),
        (
            "removePlanContact",
            "mutation($s: String!) { removePlanContact(plan: \"UGxhbjox\", email: $s) { plan { id } } }",
            json!({ "s": nul }),
            "email",
        ),
        (
            "issueToken",
            "mutation($s: String!) { issueToken(input: { role: ADMIN, label: $s, expiresIn: 60 }) { token } }",
            json!({ "s": nul }),
            "label",
        ),
        (
            "registerPersistedOperation (name)",
            "mutation($s: String!) { registerPersistedOperation(input: { name: $s, document: \"{ plans { totalCount } }\" }) { __typename } }",
            json!({ "s": nul }),
            "name",
        ),
        (
            "registerPersistedOperation (document)",
            "mutation($s: String!) { registerPersistedOperation(input: { name: \"n\", document: $s }) { __typename } }",
            json!({ "s": "{ plans { totalCount } }\u{0}" }),
            "document",
        ),
        (
            "setTokenOperations",
            "mutation($id: ID!, $s: [String!]!) { setTokenOperations(id: $id, operations: $s) { __typename } }",
            json!({ "id": token, "s": [nul] }),
            "operations",
        ),
        (
            "issueToken (literal)",
            "mutation { issueToken(input: { role: ADMIN, label: \"a\\u0000b\", expiresIn: 60 }) { token } }",
            json!({}),
            "label",
        ),
    ];
    for (what, document, variables, field) in cases {
        let res = graphql(&app, Some(&admin), document, variables).await;
        assert_eq!(res.status, 200, "{what}: {}", res.body);
        assert_eq!(
            res.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{what}: {}",
            res.body
        );
        assert_eq!(codes(&res.body), ["BAD_USER_INPUT"], "{what}: {}", res.body);
        assert_eq!(
            res.body["errors"][0]["extensions"]["field"], field,
            "{what}: {}",
            res.body
        );
    }
    assert_eq!((counts(&app, &admin).await, audited().await), before);
}
