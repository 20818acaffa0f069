//! Who sees a change: whether a record is public, and which fields of a change the change feed
//! names to whom. Every writer (the API, the importer, a restore) asks here.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::ids::NodeKind;
use entity::enums::PlanStatus;
use entity::plan;

/// Whether anonymous readers see a plan of this status (and, with it, its parts).
pub fn plan_is_public(status: PlanStatus) -> bool {
    status == PlanStatus::Published
}

/// Whether records of `kind` are reference data of no plan in particular, public to everybody
/// (cities, organizations).
pub fn is_reference_data(kind: NodeKind) -> bool {
    matches!(kind, NodeKind::City | NodeKind::Organization)
}

/// Whether anonymous readers see a record of `kind` listed by `plans` (a plan: itself), `draft`
/// saying whether it is a draft: reference data (cities, organizations) always; anything else when
/// it is no draft and one of its plans is published. A write asks about the record before and
/// after its change (a record that stops being public reaches public mirrors as a tombstone).
pub async fn record_is_public(
    conn: &impl ConnectionTrait,
    kind: NodeKind,
    plans: &[i64],
    draft: bool,
) -> Result<bool, DbErr> {
    if is_reference_data(kind) {
        return Ok(true);
    }
    if draft || plans.is_empty() {
        return Ok(false);
    }
    Ok(plan::Entity::find()
        .filter(plan::Column::Id.is_in(plans.iter().copied()))
        .filter(plan::Column::Status.eq(PlanStatus::Published))
        .one(conn)
        .await?
        .is_some())
}

/// Fields of a record that only callers reading its plans' private data see (plan contacts and
/// internal notes). The change feed names them to those callers only.
fn private_fields(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Plan => &["internalNote", "contacts"],
        NodeKind::Activity | NodeKind::Mou => &["internalNote"],
        _ => &[],
    }
}

/// Fields every update moves: they say something only beside another field.
const BOOKKEEPING: &[&str] = &["version"];

/// The fields of a change of a `kind` record that a caller who does not read its plans' private
/// data may see: none of the private ones, and no bookkeeping when nothing else is left (an
/// update of private fields only shows no field at all).
pub fn public_fields<S: AsRef<str>>(kind: NodeKind, fields: &[S]) -> Vec<&str> {
    let private = private_fields(kind);
    let shown: Vec<&str> = fields
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| !private.contains(f))
        .collect();
    if shown.iter().all(|f| BOOKKEEPING.contains(f)) && shown.len() < fields.len() {
        return Vec::new();
    }
    shown
}

/// Whether a change-feed entry is shown to callers who do not read its plans' private data: its
/// record is public, and it is not an update of private fields only (which would tell them that
/// a private value changed, and when).
pub fn change_is_public<S: AsRef<str>>(
    kind: NodeKind,
    update: bool,
    record_public: bool,
    fields: &[S],
) -> bool {
    record_public && !(update && !fields.is_empty() && public_fields(kind, fields).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_fields_are_left_out_and_a_change_of_nothing_else_is_not_public() {
        let mixed = ["title", "internalNote", "version"];
        assert_eq!(
            public_fields(NodeKind::Activity, &mixed),
            ["title", "version"]
        );
        let private = ["internalNote", "version"];
        assert!(public_fields(NodeKind::Plan, &private).is_empty());
        assert!(!change_is_public(NodeKind::Plan, true, true, &private));
        assert!(change_is_public(NodeKind::Plan, true, true, &mixed));
        assert!(change_is_public(NodeKind::Plan, false, true, &private));
        assert!(!change_is_public(NodeKind::Plan, true, false, &mixed));
        assert_eq!(public_fields(NodeKind::City, &["version"]), ["version"]);
    }
}
