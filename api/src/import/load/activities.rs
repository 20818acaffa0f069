//! Organizations and activities, the shared facts that several plans may list.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::domain::partial_date::PartialDate;
use crate::domain::text::name_key;
use crate::graphql::store as named;
use crate::graphql::store::Rows;
use crate::graphql::store::city as place;
use crate::import::resolve::ResolvedSummary;
use entity::enums::ActivityKind;
use entity::{activity, activity_city, activity_organization, plan_activity};

/// Organizations named anywhere in the summary, by normalised name; returns name key → id.
pub(super) async fn organizations(
    w: &mut Rows<'_>,
    summary: &ResolvedSummary,
    cities: &HashMap<String, i64>,
) -> Result<HashMap<String, i64>, DbErr> {
    let parsed = &summary.parsed;
    let names = parsed
        .activities
        .iter()
        .flat_map(|a| &a.organizations)
        .chain(
            parsed
                .expected_results
                .iter()
                .flat_map(|r| &r.organizations),
        );
    let mut ids = HashMap::new();
    for name in names {
        let key = name_key(name);
        if key.is_empty() || ids.contains_key(&key) {
            continue;
        }
        // The organization's city: the plan city whose name it contains ("University of Bologna").
        let city_id = cities
            .iter()
            .filter(|(city_key, _)| !city_key.is_empty())
            .find(|(city_key, _)| format!(" {key} ").contains(&format!(" {city_key} ")))
            .map(|(_, id)| *id);
        let kind = named::organization_kind(name);
        let id = named::organization(w, name, kind, city_id).await?;
        ids.insert(key, id);
    }
    Ok(ids)
}

/// Words that carry meaning, for recognising the same activity or MoU told in other words.
pub(super) fn significant_words(s: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "the", "and", "of", "in", "on", "for", "with", "to", "a", "an", "at", "by",
    ];
    name_key(s)
        .split(' ')
        .filter(|t| t.len() > 1 && !STOP.contains(t))
        .map(str::to_owned)
        .collect()
}

pub(super) fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (significant_words(a), significant_words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

pub(super) fn activity_fingerprint(
    date: Option<&PartialDate>,
    kind: ActivityKind,
    title: &str,
) -> String {
    let date = date
        .map(|d| format!("{}..{}", d.start(), d.end()))
        .unwrap_or_default();
    let mut key = name_key(title);
    key.truncate(160);
    format!("{date}|{kind:?}|{key}")
}

/// Activities are shared facts: the plan's own activity at the same position is updated in place;
/// otherwise an existing activity with the same dates, kind and a similar text (another plan's) is
/// linked; otherwise a new one is created.
pub(super) async fn activities(
    w: &mut Rows<'_>,
    plan_id: i64,
    focal_id: i64,
    summary: &ResolvedSummary,
    orgs: &HashMap<String, i64>,
) -> Result<(), DbErr> {
    let links = plan_activity::Entity::find()
        .filter(plan_activity::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_activity::Column::Position)
        .all(w.txn)
        .await?;
    let own_ids: Vec<i64> = links.iter().map(|l| l.activity_id).collect();
    let mut own: HashMap<i64, activity::Model> = activity::Entity::find()
        .filter(activity::Column::Id.is_in(own_ids.clone()))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut wanted_links = Vec::new();
    for (i, a) in summary.parsed.activities.iter().enumerate() {
        let date = a.date.as_ref();
        let same_dates = |m: &activity::Model| {
            m.date_start == date.map(PartialDate::start) && m.date_end == date.map(PartialDate::end)
        };
        let existing = match own_ids.get(i).and_then(|id| own.get(id)) {
            Some(m)
                if same_dates(m)
                    || similarity(&m.description.clone().unwrap_or_default(), &a.description)
                        >= 0.5 =>
            {
                own.remove(&own_ids[i])
            }
            _ => shared_activity(w, a.kind, date, &a.description).await?,
        };
        let place_city = match summary.activity_places.get(i).and_then(Option::as_ref) {
            Some(p) => Some(place(w, p).await?),
            None => None,
        };
        let fingerprint = activity_fingerprint(date, a.kind, &a.title);
        let row = w
            .upsert::<activity::ActiveModel>("activities", existing, |m| {
                m.title.set_if_not_equals(a.title.clone());
                m.description.set_if_not_equals(Some(a.description.clone()));
                m.kind.set_if_not_equals(a.kind);
                m.date_text
                    .set_if_not_equals(date.map(|d| d.text().to_owned()));
                m.date_precision
                    .set_if_not_equals(date.map(PartialDate::precision));
                m.date_start.set_if_not_equals(date.map(PartialDate::start));
                m.date_end.set_if_not_equals(date.map(PartialDate::end));
                m.place_text.set_if_not_equals(a.place.clone());
                m.place_city_id.set_if_not_equals(place_city);
                m.fingerprint.set_if_not_equals(fingerprint);
            })
            .await?;
        // The focal city takes part in every activity of its own plan, named or not.
        let mut city_ids = vec![focal_id];
        for p in summary.activity_cities.get(i).into_iter().flatten() {
            city_ids.push(place(w, p).await?);
        }
        let org_ids: Vec<i64> = a
            .organizations
            .iter()
            .filter_map(|n| orgs.get(&name_key(n)).copied())
            .collect();
        participants(w, row.id, &city_ids, &org_ids).await?;
        if !wanted_links.iter().any(|(id, _)| *id == row.id) {
            let link = plan_activity::ActiveModel {
                plan_id: ActiveValue::Set(plan_id),
                activity_id: ActiveValue::Set(row.id),
                position: ActiveValue::Set(wanted_links.len() as i16 + 1),
            };
            wanted_links.push((row.id, link));
        }
    }
    let keep: HashSet<i64> = wanted_links.iter().map(|(id, _)| *id).collect();
    w.sync_links("activity links", links, |m| m.activity_id, wanted_links)
        .await?;
    // Activities this plan alone listed, and no longer lists, are gone from the record.
    for id in own_ids.into_iter().filter(|id| !keep.contains(id)) {
        let still_linked = plan_activity::Entity::find()
            .filter(plan_activity::Column::ActivityId.eq(id))
            .one(w.txn)
            .await?
            .is_some();
        if !still_linked {
            *w.tally.deleted.entry("activities").or_default() += 1;
            activity::Entity::delete_by_id(id).exec(w.txn).await?;
        }
    }
    Ok(())
}

/// Another plan's record of the same activity: same days, same kind, similar text.
pub(super) async fn shared_activity(
    w: &Rows<'_>,
    kind: ActivityKind,
    date: Option<&PartialDate>,
    description: &str,
) -> Result<Option<activity::Model>, DbErr> {
    let Some(date) = date else { return Ok(None) };
    let candidates = activity::Entity::find()
        .filter(activity::Column::DateStart.eq(date.start()))
        .filter(activity::Column::DateEnd.eq(date.end()))
        .filter(activity::Column::Kind.eq(kind))
        .all(w.txn)
        .await?;
    Ok(candidates
        .into_iter()
        .map(|c| {
            (
                similarity(c.description.as_deref().unwrap_or(&c.title), description),
                c,
            )
        })
        .filter(|(s, _)| *s >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c))
}

/// Adds the cities and organizations an activity names (never removes another plan's).
pub(super) async fn participants(
    w: &mut Rows<'_>,
    activity_id: i64,
    cities: &[i64],
    orgs: &[i64],
) -> Result<(), DbErr> {
    let have: HashSet<i64> = activity_city::Entity::find()
        .filter(activity_city::Column::ActivityId.eq(activity_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|l| l.city_id)
        .collect();
    for &city_id in cities.iter().collect::<HashSet<_>>() {
        if have.contains(&city_id) {
            w.tally.unchanged += 1;
            continue;
        }
        let am = activity_city::ActiveModel {
            activity_id: ActiveValue::Set(activity_id),
            city_id: ActiveValue::Set(city_id),
        };
        *w.tally.created.entry("activity cities").or_default() += 1;
        am.insert(w.txn).await?;
    }
    let have: HashSet<i64> = activity_organization::Entity::find()
        .filter(activity_organization::Column::ActivityId.eq(activity_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|l| l.organization_id)
        .collect();
    for &org_id in orgs.iter().collect::<HashSet<_>>() {
        if have.contains(&org_id) {
            w.tally.unchanged += 1;
            continue;
        }
        let am = activity_organization::ActiveModel {
            activity_id: ActiveValue::Set(activity_id),
            organization_id: ActiveValue::Set(org_id),
        };
        *w.tally.created.entry("activity organizations").or_default() += 1;
        am.insert(w.txn).await?;
    }
    Ok(())
}
