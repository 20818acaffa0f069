//! NUL and exotic Unicode in mutation inputs and in document literals: refused as BAD_USER_INPUT
//! naming the field, or stored and read back exactly and found by a literal match.

use serde_json::json;
use ucap::auth::Role;
use ucap_tests::spawn_app;

use super::injection::hostile_strings;
use super::{counts, graphql};

const CREATE: &str = "mutation($t: String!, $d: String, $p: String, $k: String) { createActivity(input: { plan: \"UGxhbjox\", title: $t, description: $d, place: $p, kind: WORKSHOP, idempotencyKey: $k }) { activity { id title description place } } }";
const CREATE_ORGANIZATION: &str = "mutation($n: String!, $w: String) { createOrganization(input: { name: $n, kind: OTHER, website: $w }) { organization { id name website } } }";
const CREATE_CITY: &str = "mutation($n: String!, $r: String, $c: String) { createCity(input: { name: $n, nativeName: $n, region: $r, kind: CITY, countryCode: $c }) { city { id name } } }";

#[tokio::test]
async fn nul_and_exotic_unicode_in_mutation_inputs_are_refused_or_stored_exactly() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let exotic = [
        "\u{202E}Right-to-left override",
        "Zero\u{200D}width\u{200C}joiners\u{200B}",
        "Family 👨\u{200D}👩\u{200D}👧 and 🏙️ skyline",
        "Combining e\u{301}\u{301}\u{308} marks",
        "Plane 16 \u{10FFFD} and \u{FFFD}",
        "Mixed 广州 Bologna مرحبا שלום",
    ];
    for text in exotic {
        let res = graphql(
            &app,
            Some(&admin),
            CREATE,
            json!({ "t": text, "d": text, "p": text }),
        )
        .await;
        assert_eq!(res.status, 200, "{text:?}: {}", res.body);
        let activity = &res.body["data"]["createActivity"]["activity"];
        assert!(res.body["errors"].is_null(), "{text:?}: {}", res.body);
        for field in ["title", "description", "place"] {
            assert_eq!(activity[field], text, "{field} of {text:?}");
        }
        let read = app
            .graphql_as(
                &admin,
                "query($id: ID!) { activity(id: $id) { title } }",
                json!({ "id": activity["id"] }),
            )
            .await;
        assert_eq!(read["data"]["activity"]["title"], text, "{read}");
        let hits = app
            .graphql_as(
                &admin,
                "query($s: String!) { activities(filter: { text: $s }) { nodes { id } } }",
                json!({ "s": text }),
            )
            .await;
        assert_eq!(
            hits["data"]["activities"]["nodes"],
            json!([{ "id": activity["id"] }]),
            "{text:?}: {hits}"
        );
    }

    let before = counts(&app, &admin).await;
    let refused = ["\0", "a\0b", "\u{1}bell", "tab\u{7F}del", "\u{1B}[31mred"];
    for bad in refused {
        let title_of = |field: &str| {
            let mut v = json!({ "t": "Fine title", "d": "fine", "p": "fine" });
            v[field] = json!(bad);
            v
        };
        for (field, variables) in [
            ("title", title_of("t")),
            ("description", title_of("d")),
            ("place", title_of("p")),
        ] {
            let res = graphql(&app, Some(&admin), CREATE, variables).await;
            assert_eq!(res.status, 200, "{field} {bad:?}: {}", res.body);
            assert_eq!(
                res.codes(),
                ["BAD_USER_INPUT"],
                "{field} {bad:?}: {}",
                res.body
            );
            assert_eq!(
                res.body["errors"][0]["extensions"]["field"], field,
                "{}",
                res.body
            );
        }
        let res = graphql(&app, Some(&admin), CREATE_ORGANIZATION, json!({ "n": bad })).await;
        assert_eq!(
            res.codes(),
            ["BAD_USER_INPUT"],
            "organization {bad:?}: {}",
            res.body
        );
        let res = graphql(
            &app,
            Some(&admin),
            CREATE_ORGANIZATION,
            json!({ "n": "Org", "w": format!("https://a.example/{bad}") }),
        )
        .await;
        assert_eq!(
            res.codes(),
            ["BAD_USER_INPUT"],
            "website {bad:?}: {}",
            res.body
        );
        let res = graphql(
            &app,
            Some(&admin),
            CREATE_CITY,
            json!({ "n": bad, "c": "IT" }),
        )
        .await;
        assert_eq!(
            res.codes(),
            ["BAD_USER_INPUT"],
            "city {bad:?}: {}",
            res.body
        );
    }
    // Every hostile string in every field of a create: refused field by field or stored.
    for (i, s) in hostile_strings().into_iter().enumerate() {
        for (document, variables) in [
            (CREATE, json!({ "t": s, "d": s, "p": s, "k": s })),
            (CREATE_ORGANIZATION, json!({ "n": s, "w": s })),
            (CREATE_CITY, json!({ "n": s, "r": s, "c": s })),
            (
                CREATE_CITY,
                json!({ "n": format!("City {i}"), "r": s, "c": "FR" }),
            ),
        ] {
            let res = graphql(&app, Some(&admin), document, variables).await;
            assert_eq!(res.status, 200, "{s:.40?}: {}", res.body);
            assert!(
                res.codes().iter().all(|c| *c == "BAD_USER_INPUT"),
                "{s:.40?}: {}",
                res.body
            );
        }
    }
    let after = counts(&app, &admin).await;
    assert_eq!(after["plans"], before["plans"]);
    assert_eq!(after["countries"], before["countries"]);
}

#[tokio::test]
async fn escapes_in_document_literals_are_parsed_or_refused_never_crash() {
    let app = spawn_app().await;
    for literal in [
        r#""\uD800""#,
        r#""\uDC00\uD800""#,
        r#""\uD83D\uDE00""#,
        r#""\u0000""#,
        r#""\u{0}""#,
        r#""\u{10FFFF}""#,
        r#""\u{110000}""#,
        r#""\u{D800}""#,
        r#""\x41""#,
        r#""\"""#,
        r#""""\u0000 block """"#,
        "\"\u{202E}\u{200D}\"",
    ] {
        for query in [
            format!("{{ cities(filter: {{ name: {literal} }}) {{ totalCount }} }}"),
            format!("{{ search(text: {literal}) {{ totalCount }} }}"),
            format!("{{ node(id: {literal}) {{ id }} }}"),
        ] {
            let res = graphql(&app, None, &query, json!({})).await;
            assert_eq!(res.status, 200, "{query}: {}", res.body);
            assert!(
                res.codes().iter().all(|c| matches!(
                    *c,
                    "BAD_USER_INPUT"
                        | "NOT_FOUND"
                        | "GRAPHQL_PARSE_FAILED"
                        | "GRAPHQL_VALIDATION_FAILED"
                )),
                "{query}: {}",
                res.body
            );
        }
    }
    // Unicode outside strings: a parse error, not a crash.
    for query in [
        "{ __typename\u{0} }",
        "{ \u{202E}cities { totalCount } }",
        "{ cit\u{301}ies { totalCount } }",
    ] {
        let res = graphql(&app, None, query, json!({})).await;
        assert_eq!(
            res.codes(),
            ["GRAPHQL_PARSE_FAILED"],
            "{query:?}: {}",
            res.body
        );
    }
}
