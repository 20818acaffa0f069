//! The change feed tells a caller nothing of what it may not read: neither its `sequence` nor its
//! cursors count hidden entries, and changes of private fields (internal notes, contacts) are
//! named only to those who read them.

use serde_json::{Value, json};

use super::live::{CREATE, activity, nodes};
use super::writes::partners;

const UPDATE: &str = "mutation($id: ID!, $version: Int!, $input: UpdateActivityInput!) { updateActivity(id: $id, version: $version, input: $input) { activity { version } } }";
const CHANGES: &str = "query($after: String) { changes(first: 100, after: $after) { pageInfo { endCursor } nodes { sequence at recordId fields } } }";

/// The feed entries of record `id`, as `fields` lists.
fn fields_of(entries: &[Value], id: &Value) -> Vec<Value> {
    entries
        .iter()
        .filter(|n| &n["recordId"] == id)
        .map(|n| n["fields"].clone())
        .collect()
}

#[tokio::test]
async fn the_feed_sequence_is_the_commit_time_and_counts_no_hidden_entries() {
    let p = partners().await;
    for (title, draft) in [
        ("Public one", false),
        ("Hidden", true),
        ("Public two", false),
    ] {
        let r = p
            .app
            .graphql_as(&p.editor_a, CREATE, activity(title, draft))
            .await;
        assert!(r["errors"].is_null(), "{r}");
    }
    for token in [None, Some(&p.editor_b), Some(&p.editor_a)] {
        let r = match token {
            Some(token) => p.app.graphql_as(token, CHANGES, json!({})).await,
            None => p.app.graphql(CHANGES, json!({})).await,
        };
        let entries = nodes(&r);
        assert!(entries.len() >= 3, "{entries:?}");
        // A position carries the commit instant and nothing else: no count of other entries.
        for entry in &entries {
            let at = chrono::DateTime::parse_from_rfc3339(entry["at"].as_str().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(
                entry["sequence"].as_i64(),
                Some(at.timestamp_micros()),
                "{entry}"
            );
        }
        let sequences: Vec<i64> = entries
            .iter()
            .filter_map(|n| n["sequence"].as_i64())
            .collect();
        assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    }
    // Paging on from a cursor still works in feed order.
    let first = p.app.graphql(CHANGES, json!({})).await;
    let cursor = first["data"]["changes"]["pageInfo"]["endCursor"].clone();
    let r = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Public three", false))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let since = nodes(&p.app.graphql(CHANGES, json!({ "after": cursor })).await);
    assert_eq!(since.len(), 1, "{since:?}");
}

#[tokio::test]
async fn changes_of_private_fields_are_named_only_to_those_who_read_them() {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Webinar", false))
        .await;
    let id = created["data"]["createActivity"]["activity"]["id"].clone();
    assert!(id.is_string(), "{created}");
    let note_only = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "version": 1, "input": { "internalNote": "budget at risk" } }),
        )
        .await;
    assert!(note_only["errors"].is_null(), "{note_only}");
    let mixed = p
        .app
        .graphql_as(
            &p.editor_a,
            UPDATE,
            json!({ "id": id, "version": 2, "input": { "title": "Webinar II", "internalNote": "budget cut" } }),
        )
        .await;
    assert!(mixed["errors"].is_null(), "{mixed}");
    let contact = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation { addPlanContact(plan: \"UGxhbjox\", email: \"desk@example.org\") { plan { id } } }",
            json!({}),
        )
        .await;
    assert!(contact["errors"].is_null(), "{contact}");

    let created_fields = json!([
        "title",
        "kind",
        "date",
        "draft",
        "version",
        "cities",
        "organizations",
        "plan"
    ]);
    let outsiders = [
        p.app.graphql(CHANGES, json!({})).await,
        p.app.graphql_as(&p.editor_b, CHANGES, json!({})).await,
    ];
    for feed in &outsiders {
        let entries = nodes(feed);
        // The note-only update is not there at all; the mixed one names its public fields.
        assert_eq!(
            fields_of(&entries, &id),
            [created_fields.clone(), json!(["title", "version"])],
            "{entries:?}"
        );
        let plan = fields_of(&entries, &json!("UGxhbjox"));
        assert!(
            !plan.iter().any(|f| f.to_string().contains("contacts")),
            "{plan:?}"
        );
    }
    let member = nodes(&p.app.graphql_as(&p.editor_a, CHANGES, json!({})).await);
    assert_eq!(
        fields_of(&member, &id),
        [
            created_fields,
            json!(["internalNote", "version"]),
            json!(["title", "internalNote", "version"])
        ],
        "{member:?}"
    );
    let plan = fields_of(&member, &json!("UGxhbjox"));
    assert!(plan.contains(&json!(["contacts"])), "{plan:?}");
}
