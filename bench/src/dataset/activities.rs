//! Activities: ~`total / plans` a plan (varying ±50 %), dated between the plan's start and six years
//! later (capped at 2025) with the precision mix of the summaries, in chronological published order;
//! one in ten is also reported by a second plan of the same focal city (a shared mission or forum).

use chrono::{Datelike, Duration, NaiveDate};
use entity::enums::{ActivityKind, DatePrecision};
use entity::{activity, activity_city, activity_organization, plan_activity};

use super::{Place, Sketch, Tables, last_of_month, stamp};
use crate::catalogue::{ACTIVITY_KINDS, DATE_PRECISIONS, MONTHS};
use crate::rng::Rng;

/// A published date with what it covers.
pub(super) struct GenDate {
    pub text: String,
    pub precision: DatePrecision,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A day between `from` and six years later (not after 2025), published with a drawn precision;
/// `None` for the few undated activities.
pub(super) fn draw_date(rng: &mut Rng, from: NaiveDate) -> Option<GenDate> {
    let weights: Vec<u32> = DATE_PRECISIONS.iter().map(|(_, w)| *w).collect();
    let precision = DATE_PRECISIONS.get(rng.weighted(&weights))?.0?;
    Some(published(precision, draw_day(rng, from)))
}

pub(super) fn draw_day(rng: &mut Rng, from: NaiveDate) -> NaiveDate {
    let cap = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or(from);
    let until = (from + Duration::days(6 * 365)).min(cap).max(from);
    from + Duration::days(rng.below((until - from).num_days() as usize + 1) as i64)
}

/// The text a summary would publish for `day` at `precision`, and the days it covers.
pub(super) fn published(precision: DatePrecision, day: NaiveDate) -> GenDate {
    let (y, m) = (day.year(), day.month());
    let month_name = MONTHS[m as usize - 1];
    let first_of = |month: u32| NaiveDate::from_ymd_opt(y, month, 1).unwrap_or(day);
    let (text, start, end) = match precision {
        DatePrecision::Day => (format!("{} {month_name} {y}", day.day()), day, day),
        DatePrecision::Month => (
            format!("{month_name} {y}"),
            first_of(m),
            last_of_month(first_of(m)),
        ),
        DatePrecision::Quarter => {
            let q = (m - 1) / 3 + 1;
            let first = first_of(3 * q - 2);
            (format!("Q{q} {y}"), first, last_of_month(first_of(3 * q)))
        }
        DatePrecision::Year => (y.to_string(), first_of(1), last_of_month(first_of(12))),
    };
    GenDate {
        text,
        precision,
        start,
        end,
    }
}

struct Draft {
    kind: ActivityKind,
    date: Option<GenDate>,
    title: String,
    description: Option<String>,
    place: Option<usize>,
    cities: Vec<usize>,
    orgs: Vec<i64>,
}

pub(super) fn add(t: &mut Tables, rng: &mut Rng, places: &[Place], plans: &[Sketch], total: usize) {
    let counts = split(rng, total, plans.len());
    let mut next_position = vec![0i16; plans.len()];
    let mut owner = Vec::with_capacity(total);
    for (p, sketch) in plans.iter().enumerate() {
        let mut drafts: Vec<Draft> = (0..counts[p]).map(|_| draft(rng, places, sketch)).collect();
        drafts.sort_by_key(|d| {
            d.date
                .as_ref()
                .map_or((NaiveDate::MAX, DatePrecision::Year), |g| {
                    (g.start, g.precision)
                })
        });
        for d in drafts {
            let id = t.activities.len() as i64 + 1;
            next_position[p] += 1;
            t.plan_activities.push(plan_activity::Model {
                plan_id: sketch.id,
                activity_id: id,
                position: next_position[p],
            });
            push(t, places, id, d);
            owner.push(p);
        }
    }
    // Plans of the same focal city report each other's joint activities.
    let mut by_focal: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    for (p, sketch) in plans.iter().enumerate() {
        by_focal.entry(sketch.focal).or_default().push(p);
    }
    for (i, p) in owner.into_iter().enumerate() {
        if !rng.chance(10) {
            continue;
        }
        let siblings = by_focal
            .get(&plans[p].focal)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let other = match rng.pick(siblings) {
            Some(q) if *q != p => *q,
            _ => rng.below(plans.len()),
        };
        if other == p {
            continue;
        }
        next_position[other] += 1;
        t.plan_activities.push(plan_activity::Model {
            plan_id: plans[other].id,
            activity_id: i as i64 + 1,
            position: next_position[other],
        });
    }
}

/// `total` spread over `n` plans: equal shares, then moved between neighbours by up to half a share.
fn split(rng: &mut Rng, total: usize, n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let base = total / n;
    let mut counts: Vec<usize> = (0..n).map(|i| base + usize::from(i < total % n)).collect();
    for i in (0..n.saturating_sub(1)).step_by(2) {
        let d = rng.below(base / 2 + 1).min(counts[i + 1]);
        counts[i] += d;
        counts[i + 1] -= d;
    }
    counts
}

fn draft(rng: &mut Rng, places: &[Place], plan: &Sketch) -> Draft {
    let weights: Vec<u32> = ACTIVITY_KINDS.iter().map(|(_, w)| *w).collect();
    let kind = ACTIVITY_KINDS
        .get(rng.weighted(&weights))
        .map_or(ActivityKind::Other, |k| k.0);
    let partner = rng.pick(&plan.partners).copied().unwrap_or(plan.focal);
    let theme = rng
        .pick(&plan.themes)
        .map_or("urban cooperation", |t| t.title);
    let (focal_name, partner_name) = (&places[plan.focal].name, &places[partner].name);
    let abroad = rng.chance(50);
    let place = match kind {
        ActivityKind::OnlineMeeting => None,
        ActivityKind::Mission | ActivityKind::StudyVisit if rng.chance(70) => Some(partner),
        _ if abroad => Some(partner),
        _ => Some(plan.focal),
    };
    let where_ = place.map_or("online", |p| places[p].name.as_str());
    let title = match kind {
        ActivityKind::Mission => {
            format!("Mission of the {focal_name} delegation to {partner_name}")
        }
        ActivityKind::StudyVisit => format!("Study visit to {where_} on {theme}"),
        ActivityKind::Meeting => format!("Coordination meeting on {theme} in {where_}"),
        ActivityKind::OnlineMeeting => {
            format!("Online meeting of {focal_name} and {partner_name} on {theme}")
        }
        ActivityKind::Forum => format!("{theme} forum in {where_}"),
        ActivityKind::Conference => format!("Conference on {theme}, {where_}"),
        ActivityKind::Workshop => format!("Workshop on {theme} with {partner_name}"),
        ActivityKind::Training => format!("Training on {theme} for {focal_name} officials"),
        ActivityKind::Pilot => format!("Pilot project on {theme} in {where_}"),
        ActivityKind::Matchmaking => format!("Business matchmaking on {theme} in {where_}"),
        ActivityKind::MouSigning => {
            format!("Signing of an MoU between {focal_name} and {partner_name}")
        }
        ActivityKind::Other => format!("Exchange on {theme}"),
    };
    let description = rng.chance(60).then(|| {
        format!("{title}, with experts and officials from {focal_name} and {partner_name}, as part of the U-CAP theme {theme}.")
    });
    let mut cities = vec![plan.focal, partner];
    if let Some(extra) = rng.pick(&plan.partners).filter(|c| !cities.contains(c))
        && rng.chance(30)
    {
        cities.push(*extra);
    }
    let mut orgs = Vec::new();
    if rng.chance(70) {
        orgs.extend(places[plan.focal].orgs.first());
    }
    if orgs.is_empty() || rng.chance(50) {
        orgs.extend(rng.pick(&places[partner].orgs));
    }
    cities.sort_unstable();
    cities.dedup();
    orgs.sort_unstable();
    orgs.dedup();
    Draft {
        kind,
        date: draw_date(rng, plan.start),
        title,
        description,
        place,
        cities,
        orgs,
    }
}

fn push(t: &mut Tables, places: &[Place], id: i64, d: Draft) {
    let (date_text, precision, start, end) = match d.date {
        Some(g) => (Some(g.text), Some(g.precision), Some(g.start), Some(g.end)),
        None => (None, None, None, None),
    };
    t.activities.push(activity::Model {
        id,
        title: d.title,
        description: d.description,
        kind: d.kind,
        date_text,
        date_precision: precision,
        date_start: start,
        date_end: end,
        place_text: Some(
            d.place
                .map_or_else(|| "online".to_owned(), |p| places[p].name.clone()),
        ),
        place_city_id: d.place.map(|p| places[p].id),
        fingerprint: format!("bench-activity-{id}"),
        created_at: stamp(),
        updated_at: stamp(),
        version: 1,
        ..Default::default()
    });
    for c in d.cities {
        t.activity_cities.push(activity_city::Model {
            activity_id: id,
            city_id: places[c].id,
        });
    }
    for o in d.orgs {
        t.activity_organizations.push(activity_organization::Model {
            activity_id: id,
            organization_id: o,
        });
    }
}
