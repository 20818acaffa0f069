//! Plans: round the focal cities, each with a month-precision start in 2016–2023, 2–6 partners
//! (larger cities more often), 3–6 themes with their focus statements, the SDGs, SDG targets and Urban
//! Agenda partnerships those themes imply, a challenge, objectives and a contact mailbox.

use chrono::NaiveDate;
use entity::enums::{DatePrecision, PlanStatus, StatementKind};
use entity::{contact, plan, plan_partner_city, plan_sdg_goal, plan_sdg_target};
use entity::{plan_urban_agenda, statement, theme};
use ucap::domain::text::name_key;

use super::{Codes, Place, Sketch, Tables, last_of_month, stamp};
use crate::catalogue::{CHALLENGES, MONTHS, OBJECTIVES, PLAN_CYCLES, THEMES, ThemeSpec};
use crate::rng::Rng;

/// Plans go round the focal cities (largest first), so every focal city has about the same number.
pub(super) fn add_plans(
    t: &mut Tables,
    rng: &mut Rng,
    places: &[Place],
    n_focal: usize,
    n_plans: usize,
    codes: &Codes,
) -> Vec<Sketch> {
    let n_focal = n_focal.min(places.len());
    let n_partners = places.len() - n_focal;
    let mut sketches = Vec::with_capacity(n_plans);
    for i in 0..n_plans {
        let id = i as i64 + 1;
        let focal = i % n_focal;
        let round = i / n_focal;
        let place = &places[focal];
        let country = t.cities[focal].country_code.clone().unwrap_or_default();
        let base = format!(
            "{}-{}",
            name_key(&place.name).replace(' ', "-"),
            country.to_lowercase()
        );
        let slug = match round {
            0 => base,
            n => format!("{base}-{}", n + 1),
        };
        let year = 2016 + rng.below(8) as i32;
        let month = 1 + rng.below(12) as u32;
        let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
        let cycle = rng.pick(PLAN_CYCLES).copied().unwrap_or("IURC");
        t.plans.push(plan::Model {
            id,
            slug: slug.clone(),
            title: format!("U-CAP {} ({cycle} {year})", place.name),
            status: if rng.chance(92) {
                PlanStatus::Published
            } else {
                PlanStatus::Draft
            },
            focal_city_id: place.id,
            period_text: Some(format!("{} {year}", MONTHS[month as usize - 1])),
            period_precision: Some(DatePrecision::Month),
            period_start: Some(start),
            period_end: Some(last_of_month(start)),
            period_context: None,
            source_document_id: None,
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
            internal_note: None,
        });
        // Bigger partners (earlier in the list) are chosen more often, as in the programme.
        let mut partners: Vec<usize> = Vec::new();
        let wanted = rng.between(2, 6).min(n_partners);
        while partners.len() < wanted {
            let p = n_focal + rng.below(n_partners).min(rng.below(n_partners));
            if !partners.contains(&p) {
                partners.push(p);
            }
        }
        for (pos, p) in partners.iter().enumerate() {
            t.partners.push(plan_partner_city::Model {
                plan_id: id,
                city_id: places[*p].id,
                position: pos as i16 + 1,
            });
        }
        let picked = rng.between(3, 6);
        let themes: Vec<&'static ThemeSpec> = rng
            .distinct(THEMES.len(), picked)
            .into_iter()
            .filter_map(|k| THEMES.get(k))
            .collect();
        add_plan_parts(t, rng, id, &themes, codes);
        t.contacts.push(contact::Model {
            id,
            plan_id: id,
            email: format!("ucap-{slug}@iurc-programme.eu"),
            label: Some("IURC programme office".to_owned()),
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
        });
        sketches.push(Sketch {
            id,
            focal,
            partners,
            start,
            themes,
        });
    }
    sketches
}

/// Themes, statements, SDGs and Urban Agenda partnerships of one plan.
fn add_plan_parts(
    t: &mut Tables,
    rng: &mut Rng,
    plan_id: i64,
    themes: &[&ThemeSpec],
    codes: &Codes,
) {
    let mut goals: Vec<i16> = Vec::new();
    let mut partnerships: Vec<i64> = Vec::new();
    for (pos, spec) in themes.iter().enumerate() {
        let theme_id = t.themes.len() as i64 + 1;
        t.themes.push(theme::Model {
            id: theme_id,
            plan_id,
            position: pos as i16 + 1,
            title: spec.title.to_owned(),
            description: Some(spec.description.to_owned()),
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
        });
        if pos < 3 {
            let focus = Statement {
                kind: StatementKind::Focus,
                pos,
                title: Some(spec.title),
                text: spec.description,
            };
            focus.push(t, plan_id);
        }
        for goal in spec.sdgs {
            if goals.contains(goal) {
                continue;
            }
            goals.push(*goal);
            t.sdg_goals.push(plan_sdg_goal::Model {
                plan_id,
                goal_number: *goal,
                theme_id: Some(theme_id),
                published_text: Some(format!("SDG {goal}")),
            });
            let target = codes.targets.get(goal).and_then(|ts| rng.pick(ts));
            if let Some(code) = target.filter(|_| rng.chance(40)) {
                t.sdg_targets.push(plan_sdg_target::Model {
                    plan_id,
                    target_code: code.clone(),
                    theme_id: Some(theme_id),
                    published_text: Some(format!("SDG {code}")),
                });
            }
        }
        let partnership = spec.partnership.and_then(|k| codes.partnerships.get(k));
        if let Some(pid) = partnership.filter(|p| !partnerships.contains(p)) {
            partnerships.push(*pid);
            t.partnerships.push(plan_urban_agenda::Model {
                plan_id,
                partnership_id: *pid,
                theme_id: Some(theme_id),
                published_text: spec
                    .partnership
                    .map(|k| format!("EU Urban Partnership {k}")),
            });
        }
    }
    let challenge = Statement {
        kind: StatementKind::Challenge,
        pos: 0,
        title: None,
        text: rng.pick(CHALLENGES).copied().unwrap_or_default(),
    };
    challenge.push(t, plan_id);
    let picked = rng.between(1, 2);
    for (pos, k) in rng
        .distinct(OBJECTIVES.len(), picked)
        .into_iter()
        .enumerate()
    {
        let objective = Statement {
            kind: StatementKind::Objective,
            pos,
            title: None,
            text: OBJECTIVES.get(k).copied().unwrap_or_default(),
        };
        objective.push(t, plan_id);
    }
}

struct Statement<'a> {
    kind: StatementKind,
    pos: usize,
    title: Option<&'a str>,
    text: &'a str,
}

impl Statement<'_> {
    fn push(self, t: &mut Tables, plan_id: i64) {
        t.statements.push(statement::Model {
            id: t.statements.len() as i64 + 1,
            plan_id,
            kind: self.kind,
            position: self.pos as i16 + 1,
            title: self.title.map(str::to_owned),
            text: self.text.to_owned(),
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
        });
    }
}
