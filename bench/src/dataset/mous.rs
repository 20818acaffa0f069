//! Expected results (3–6 a plan, naming the focal city and a partner) and MoUs: two parties each (a
//! city or one of its organizations on both sides), a status mix in which about half are signed, a
//! signing date for those that were, and one in twelve reported by a second plan of the same city.

use std::collections::HashMap;

use entity::enums::{MouStatus, ResultKind};
use entity::{expected_result, expected_result_city, mou, mou_party, plan_mou};

use super::activities::draw_day;
use super::{Place, Sketch, Tables, stamp};
use crate::catalogue::{MOU_STATUSES, RESULT_KINDS};
use crate::rng::Rng;

pub(super) fn add_results(t: &mut Tables, rng: &mut Rng, places: &[Place], plans: &[Sketch]) {
    let weights: Vec<u32> = RESULT_KINDS.iter().map(|(_, w)| *w).collect();
    for plan in plans {
        for pos in 0..rng.between(3, 6) {
            let id = t.results.len() as i64 + 1;
            let kind = RESULT_KINDS
                .get(rng.weighted(&weights))
                .map_or(ResultKind::Other, |k| k.0);
            let partner = rng.pick(&plan.partners).copied().unwrap_or(plan.focal);
            let theme = rng
                .pick(&plan.themes)
                .map_or("urban cooperation", |t| t.title);
            let (focal, other) = (&places[plan.focal].name, &places[partner].name);
            let description = match kind {
                ResultKind::Mou => format!("MoU between {focal} and {other} on {theme}"),
                ResultKind::JointProject => {
                    format!("Joint project of {focal} and {other} on {theme}")
                }
                ResultKind::VirtualLab => {
                    format!("Virtual lab on {theme} linking {focal} and {other}")
                }
                ResultKind::Cluster => {
                    format!("{theme} cluster cooperation between {focal} and {other}")
                }
                ResultKind::JointRdCentre => format!("Joint R&D centre on {theme} in {focal}"),
                ResultKind::Publication => format!("Publication of good practice in {theme}"),
                ResultKind::Other => format!("Follow-up cooperation on {theme}"),
            };
            t.results.push(expected_result::Model {
                id,
                plan_id: plan.id,
                position: pos as i16 + 1,
                kind,
                description,
                created_at: stamp(),
                updated_at: stamp(),
                version: 1,
            });
            let mut cities = vec![places[plan.focal].id, places[partner].id];
            cities.dedup();
            for city_id in cities {
                t.result_cities.push(expected_result_city::Model {
                    expected_result_id: id,
                    city_id,
                });
            }
        }
    }
}

pub(super) fn add_mous(
    t: &mut Tables,
    rng: &mut Rng,
    places: &[Place],
    plans: &[Sketch],
    total: usize,
) {
    if plans.is_empty() {
        return;
    }
    let weights: Vec<u32> = MOU_STATUSES.iter().map(|(_, w)| *w).collect();
    let mut by_focal: HashMap<usize, Vec<usize>> = HashMap::new();
    for (p, sketch) in plans.iter().enumerate() {
        by_focal.entry(sketch.focal).or_default().push(p);
    }
    for i in 0..total {
        let id = i as i64 + 1;
        let p = rng.below(plans.len());
        let plan = &plans[p];
        let partner = rng.pick(&plan.partners).copied().unwrap_or(plan.focal);
        let theme = rng
            .pick(&plan.themes)
            .map_or("urban cooperation", |t| t.title);
        let status = MOU_STATUSES
            .get(rng.weighted(&weights))
            .map_or(MouStatus::Planned, |s| s.0);
        let signed = matches!(
            status,
            MouStatus::Signed | MouStatus::Expired | MouStatus::Terminated
        );
        t.mous.push(mou::Model {
            id,
            subject: format!(
                "Cooperation on {theme} between {} and {}",
                places[plan.focal].name, places[partner].name
            ),
            status,
            signed_on: signed.then(|| draw_day(rng, plan.start)),
            document_url: (signed && rng.chance(50))
                .then(|| format!("https://iurc-programme.eu/documents/mou-{id}.pdf")),
            fingerprint: format!("bench-mou-{id}"),
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
            internal_note: None,
            draft: false,
        });
        for (pos, city) in [plan.focal, partner].into_iter().enumerate() {
            // Half the parties are the city itself, half one of its organizations.
            let org = rng
                .chance(50)
                .then(|| rng.pick(&places[city].orgs).copied())
                .flatten();
            t.mou_parties.push(mou_party::Model {
                id: t.mou_parties.len() as i64 + 1,
                mou_id: id,
                position: pos as i16 + 1,
                city_id: org.is_none().then_some(places[city].id),
                organization_id: org,
            });
        }
        t.plan_mous.push(plan_mou::Model {
            plan_id: plan.id,
            mou_id: id,
            expected_result_id: None,
        });
        let siblings = by_focal
            .get(&plan.focal)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(q) = rng.pick(siblings).filter(|q| **q != p && rng.chance(8)) {
            t.plan_mous.push(plan_mou::Model {
                plan_id: plans[*q].id,
                mou_id: id,
                expected_result_id: None,
            });
        }
    }
}
