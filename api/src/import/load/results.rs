//! Expected results and the MoUs they announce.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, ModelTrait, QueryFilter,
};

use crate::domain::text::name_key;
use crate::graphql::store::Rows;
use crate::graphql::store::city as place;
use crate::import::resolve::ResolvedSummary;
use entity::enums::{MouStatus, ResultKind};
use entity::{
    expected_result, expected_result_city, expected_result_organization, mou, mou_party, plan_mou,
};

/// Expected results (by position) with the cities/organizations they name, and the MoUs that
/// results of kind MoU announce: when the text names the parties together ("between X and Y"),
/// one MoU between the cities named; otherwise one MoU per partner named, between the focal city
/// and that city.
pub(super) async fn results_and_mous(
    w: &mut Rows<'_>,
    plan_id: i64,
    focal_id: i64,
    summary: &ResolvedSummary,
    orgs: &HashMap<String, i64>,
) -> Result<(), DbErr> {
    let mut existing: HashMap<i16, expected_result::Model> = expected_result::Entity::find()
        .filter(expected_result::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|r| (r.position, r))
        .collect();
    let mut mou_links: Vec<(i64, plan_mou::ActiveModel)> = Vec::new();
    for (i, r) in summary.parsed.expected_results.iter().enumerate() {
        let position = i as i16 + 1;
        let row = w
            .upsert::<expected_result::ActiveModel>(
                "expected results",
                existing.remove(&position),
                |m| {
                    m.plan_id.set_if_not_equals(plan_id);
                    m.position.set_if_not_equals(position);
                    m.kind.set_if_not_equals(r.kind);
                    m.description.set_if_not_equals(r.description.clone());
                },
            )
            .await?;
        let mut city_ids = Vec::new();
        for p in summary.result_cities.get(i).into_iter().flatten() {
            let id = place(w, p).await?;
            if !city_ids.contains(&id) {
                city_ids.push(id);
            }
        }
        let org_ids: Vec<i64> = r
            .organizations
            .iter()
            .filter_map(|n| orgs.get(&name_key(n)).copied())
            .collect();
        let existing_cities = expected_result_city::Entity::find()
            .filter(expected_result_city::Column::ExpectedResultId.eq(row.id))
            .all(w.txn)
            .await?;
        let wanted = city_ids
            .iter()
            .map(|&c| {
                let am = expected_result_city::ActiveModel {
                    expected_result_id: ActiveValue::Set(row.id),
                    city_id: ActiveValue::Set(c),
                };
                (c, am)
            })
            .collect();
        w.sync_links("result cities", existing_cities, |m| m.city_id, wanted)
            .await?;
        let existing_orgs = expected_result_organization::Entity::find()
            .filter(expected_result_organization::Column::ExpectedResultId.eq(row.id))
            .all(w.txn)
            .await?;
        let wanted = org_ids
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|&o| {
                let am = expected_result_organization::ActiveModel {
                    expected_result_id: ActiveValue::Set(row.id),
                    organization_id: ActiveValue::Set(o),
                };
                (o, am)
            })
            .collect();
        w.sync_links(
            "result organizations",
            existing_orgs,
            |m| m.organization_id,
            wanted,
        )
        .await?;

        if r.kind == ResultKind::Mou {
            let subject = r
                .mou_subject
                .clone()
                .unwrap_or_else(|| r.description.clone());
            let counterparts: Vec<i64> = city_ids
                .iter()
                .copied()
                .filter(|&c| c != focal_id)
                .collect();
            let parties: Vec<Vec<Party>> = if r.mou_parties_named && city_ids.len() >= 2 {
                // "An MoU between Guangzhou and Granada": those two, whoever's plan says so.
                vec![city_ids.iter().map(|&c| Party::City(c)).collect()]
            } else if counterparts.is_empty() {
                vec![
                    std::iter::once(Party::City(focal_id))
                        .chain(org_ids.iter().map(|&o| Party::Org(o)))
                        .collect(),
                ]
            } else {
                counterparts
                    .iter()
                    .map(|&c| vec![Party::City(focal_id), Party::City(c)])
                    .collect()
            };
            for parties in parties {
                let id = mou_row(w, &subject, &parties).await?;
                if !mou_links.iter().any(|(m, _)| *m == id) {
                    let am = plan_mou::ActiveModel {
                        plan_id: ActiveValue::Set(plan_id),
                        mou_id: ActiveValue::Set(id),
                        expected_result_id: ActiveValue::Set(Some(row.id)),
                    };
                    mou_links.push((id, am));
                }
            }
        }
    }
    for (_, stale) in existing {
        *w.tally.deleted.entry("expected results").or_default() += 1;
        stale.delete(w.txn).await?;
    }
    let existing = plan_mou::Entity::find()
        .filter(plan_mou::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?;
    let old: Vec<i64> = existing.iter().map(|l| l.mou_id).collect();
    let keep: HashSet<i64> = mou_links.iter().map(|(id, _)| *id).collect();
    w.sync_links("MoU links", existing, |m| m.mou_id, mou_links)
        .await?;
    for id in old.into_iter().filter(|id| !keep.contains(id)) {
        let linked = plan_mou::Entity::find()
            .filter(plan_mou::Column::MouId.eq(id))
            .one(w.txn)
            .await?
            .is_some();
        if !linked {
            *w.tally.deleted.entry("MoUs").or_default() += 1;
            mou::Entity::delete_by_id(id).exec(w.txn).await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Party {
    City(i64),
    Org(i64),
}

/// Finds or creates the MoU between `parties` on `subject` (the same MoU may be listed by the
/// summaries of every party).
pub(super) async fn mou_row(
    w: &mut Rows<'_>,
    subject: &str,
    parties: &[Party],
) -> Result<i64, DbErr> {
    let mut sorted = parties.to_vec();
    sorted.sort();
    let party_key: Vec<String> = sorted
        .iter()
        .map(|p| match p {
            Party::City(id) => format!("c{id}"),
            Party::Org(id) => format!("o{id}"),
        })
        .collect();
    let mut subject_key = name_key(subject);
    subject_key.truncate(160);
    let fingerprint = format!("{}|{subject_key}", party_key.join(","));
    let existing = mou::Entity::find()
        .filter(mou::Column::Fingerprint.eq(&fingerprint))
        .one(w.txn)
        .await?;
    if let Some(m) = existing {
        w.tally.unchanged += 1;
        return Ok(m.id);
    }
    let row = w
        .upsert::<mou::ActiveModel>("MoUs", None, |m| {
            m.subject = ActiveValue::Set(subject.to_owned());
            m.status = ActiveValue::Set(MouStatus::Planned);
            m.fingerprint = ActiveValue::Set(fingerprint);
        })
        .await?;
    for (i, party) in parties.iter().enumerate() {
        let (city_id, organization_id) = match party {
            Party::City(id) => (Some(*id), None),
            Party::Org(id) => (None, Some(*id)),
        };
        let am = mou_party::ActiveModel {
            mou_id: ActiveValue::Set(row.id),
            position: ActiveValue::Set(i as i16 + 1),
            city_id: ActiveValue::Set(city_id),
            organization_id: ActiveValue::Set(organization_id),
            ..Default::default()
        };
        *w.tally.created.entry("MoU parties").or_default() += 1;
        am.insert(w.txn).await?;
    }
    Ok(row.id)
}
