//! Unit tests of the page arguments and cursors, and of the keyset SQL both backends are given.
//! Kept apart so that `mod.rs` is the pagination alone.

use sea_orm::QueryTrait;

use super::*;

#[test]
fn pages_are_capped_and_cursors_checked() {
    let w = |a: PageArgs| a.window("id");
    assert!(w(PageArgs::new(Some(101), None, None, None)).is_err());
    assert!(w(PageArgs::new(Some(-1), None, None, None)).is_err());
    assert!(w(PageArgs::new(Some(1), None, Some(1), None)).is_err());
    assert!(w(PageArgs::new(Some(1), Some("nope".into()), None, None)).is_err());
    let cursor = encode_cursor("id", vec![CursorValue::Int(7)]);
    let got = w(PageArgs::new(None, Some(cursor.clone()), None, None))
        .ok()
        .and_then(|w| w.after);
    assert_eq!(got, Some(vec![CursorValue::Int(7)]));
    assert!(
        PageArgs::new(None, Some(cursor), None, None)
            .window("date-asc")
            .is_err()
    );
}

#[test]
fn date_keys_inline_their_sentinel_and_lead_with_a_range_bound() {
    let order = crate::graphql::activity::ActivityOrder::DateAsc;
    let after = vec![
        CursorValue::Text("2019-09-01".into()),
        CursorValue::Text("MONTH".into()),
        CursorValue::Int(2),
    ];
    let w = Window {
        size: 2,
        backward: false,
        after: Some(after),
        before: None,
    };
    let (cond, _) =
        window_sql::<entity::activity::Entity, _>(order, &w).unwrap_or_else(|e| panic!("{e:?}"));
    for backend in [sea_orm::DbBackend::Sqlite, sea_orm::DbBackend::Postgres] {
        let sql = entity::activity::Entity::find()
            .filter(cond.clone())
            .build(backend)
            .to_string();
        assert!(
            sql.contains(r#"COALESCE("activity"."date_start", '9999-12-31') >= '2019-09-01'"#),
            "{sql}"
        );
    }
}
