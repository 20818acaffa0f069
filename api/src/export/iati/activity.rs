//! One plan as an `iati-activity`, its children in the order the 2.03 schema's sequence requires
//! (`iati-activities-schema.xsd`, element `iati-activity`): identifier, reporting-org, title,
//! description, participating-org, activity-status, activity-date, contact-info,
//! recipient-country, location, sector, tag, document-link, related-activity, result.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::enums::{ResultKind, StatementKind};

use super::codes;
use super::dates::{ActivityDate, dates};
use super::xml::Xml;
use crate::export::Publisher;
use crate::export::bundle::PlanBatch;
use crate::export::document as doc;

/// The identifier of a plan: the reporting org's ref, `-`, the plan's slug.
pub fn identifier(publisher: &Publisher, slug: &str) -> String {
    format!("{}-{}", publisher.reference, codes::identifier_part(slug))
}

pub fn activity(
    x: &mut Xml,
    plan: &doc::Plan,
    batch: &PlanBatch,
    publisher: &Publisher,
    now: DateTime<Utc>,
) {
    let updated = plan
        .last_updated_at
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let attrs = [
        ("last-updated-datetime", updated.as_str()),
        ("xml:lang", "en"),
    ];
    x.elem("iati-activity", &attrs, |x| {
        x.text("iati-identifier", &[], &identifier(publisher, &plan.slug));
        x.elem(
            "reporting-org",
            &[("ref", &publisher.reference), ("type", &publisher.kind)],
            |x| narrative(x, &publisher.name),
        );
        x.elem("title", &[], |x| narrative(x, &plan.title));
        descriptions(x, plan);
        participating_orgs(x, plan, batch, publisher);
        let dates = dates(plan, now.date_naive());
        x.empty("activity-status", &[("code", dates.status)]);
        activity_date(x, &dates.start);
        if let Some(end) = &dates.end {
            activity_date(x, end);
        }
        for c in &plan.contacts {
            x.elem("contact-info", &[("type", codes::CONTACT_GENERAL)], |x| {
                x.text("email", &[], &c.email);
            });
        }
        let country = (batch.cities.get(&plan.focal_city.id))
            .and_then(|c| c.country_code.as_deref())
            .map(str::trim)
            .filter(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()));
        if let Some(country) = country {
            let code = country.to_ascii_uppercase();
            x.empty(
                "recipient-country",
                &[("code", &code), ("percentage", "100")],
            );
        }
        locations(x, plan, batch);
        let sector = [
            ("vocabulary", codes::SECTOR_VOCABULARY_DAC),
            ("code", codes::SECTOR_URBAN_DEVELOPMENT),
            ("percentage", "100"),
        ];
        x.empty("sector", &sector);
        for g in &plan.sdg_goals {
            let code = g.goal.to_string();
            let attrs = [("vocabulary", codes::TAG_SDG_GOAL), ("code", code.as_str())];
            x.elem("tag", &attrs, |x| {
                if !g.title.trim().is_empty() {
                    narrative(x, &g.title);
                }
            });
        }
        for t in &plan.sdg_targets {
            x.empty(
                "tag",
                &[("vocabulary", codes::TAG_SDG_TARGET), ("code", &t.target)],
            );
        }
        document_links(x, plan);
        for slug in batch.related.get(&plan.id).into_iter().flatten() {
            let other = identifier(publisher, slug);
            x.empty(
                "related-activity",
                &[("ref", &other), ("type", codes::RELATED_SIBLING)],
            );
        }
        results(x, plan);
    });
    x.newline();
}

fn narrative(x: &mut Xml, text: &str) {
    x.text("narrative", &[], text);
}

/// One description per statement list the plan has, its statements as paragraphs; the period's
/// context goes with "other". A plan with none of these still needs one (the schema requires it):
/// what it is, between which cities.
fn descriptions(x: &mut Xml, plan: &doc::Plan) {
    let mut wrote = false;
    for kind in [
        StatementKind::Focus,
        StatementKind::Objective,
        StatementKind::Challenge,
    ] {
        let mut statements: Vec<&doc::Statement> =
            plan.statements.iter().filter(|s| s.kind == kind).collect();
        statements.sort_by_key(|s| s.position);
        let mut paragraphs: Vec<String> = statements
            .into_iter()
            .map(|s| match s.title.as_deref().map(str::trim) {
                Some(title) if !title.is_empty() => format!("{title}: {}", s.text),
                _ => s.text.clone(),
            })
            .collect();
        if kind == StatementKind::Challenge
            && let Some(context) = plan.period_context.as_deref().map(str::trim)
            && !context.is_empty()
        {
            paragraphs.push(match plan.period.text.as_deref() {
                Some(text) => format!("Period of cooperation: {text} ({context})"),
                None => format!("Period of cooperation: {context}"),
            });
        }
        if !paragraphs.is_empty() {
            let kind = codes::description_type(kind);
            x.elem("description", &[("type", kind)], |x| {
                narrative(x, &paragraphs.join("\n\n"))
            });
            wrote = true;
        }
    }
    if !wrote {
        let mut text = format!("Urban Cooperation Action Plan of {}", plan.focal_city.name);
        let partners: Vec<&str> = plan
            .partner_cities
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        if !partners.is_empty() {
            text.push_str(&format!(" with {}", partners.join(", ")));
        }
        text.push('.');
        x.elem(
            "description",
            &[("type", codes::DESCRIPTION_GENERAL)],
            |x| narrative(x, &text),
        );
    }
}

/// The publisher as funder, then every participant in its role.
fn participating_orgs(x: &mut Xml, plan: &doc::Plan, batch: &PlanBatch, publisher: &Publisher) {
    let attrs = [
        ("ref", publisher.reference.as_str()),
        ("type", publisher.kind.as_str()),
        ("role", codes::ROLE_FUNDING),
    ];
    x.elem("participating-org", &attrs, |x| {
        narrative(x, &publisher.name)
    });
    for p in &plan.participants {
        let kind = batch
            .organizations
            .get(&p.organization.id)
            .map(|o| codes::organisation_type(o.kind));
        let mut attrs = vec![("role", codes::role(p.role))];
        if let Some(kind) = kind {
            attrs.insert(0, ("type", kind));
        }
        x.elem("participating-org", &attrs, |x| {
            narrative(x, &p.organization.name)
        });
    }
}

fn activity_date(x: &mut Xml, date: &ActivityDate) {
    let iso = date.date.format("%Y-%m-%d").to_string();
    x.elem(
        "activity-date",
        &[("type", date.kind), ("iso-date", &iso)],
        |x| {
            if let Some(text) = &date.narrative {
                narrative(x, text);
            }
        },
    );
}

/// The focal city, then each partner city (each once).
fn locations(x: &mut Xml, plan: &doc::Plan, batch: &PlanBatch) {
    let mut seen = Vec::new();
    for city in std::iter::once(&plan.focal_city).chain(&plan.partner_cities) {
        if seen.contains(&city.id) {
            continue;
        }
        seen.push(city.id);
        let model = batch.cities.get(&city.id);
        x.elem("location", &[], |x| {
            x.empty(
                "location-reach",
                &[("code", codes::LOCATION_REACH_ACTIVITY)],
            );
            if let Some(id) = model.and_then(|c| c.geonames_id) {
                let code = id.to_string();
                x.empty(
                    "location-id",
                    &[("vocabulary", codes::LOCATION_GEONAMES), ("code", &code)],
                );
            }
            x.elem("name", &[], |x| narrative(x, &city.name));
            let point = model
                .and_then(|c| Some((c.latitude?, c.longitude?)))
                .filter(|(lat, lon)| lat.is_finite() && lon.is_finite());
            if let Some((lat, lon)) = point {
                x.elem("point", &[("srsName", codes::SRS_WGS84)], |x| {
                    x.text("pos", &[], &format!("{lat} {lon}"));
                });
                x.empty("exactness", &[("code", codes::EXACTNESS_EXACT)]);
            }
            x.empty(
                "location-class",
                &[("code", codes::LOCATION_CLASS_POPULATED_PLACE)],
            );
        });
    }
}

/// Each MoU with a document online.
fn document_links(x: &mut Xml, plan: &doc::Plan) {
    for m in &plan.mous {
        let Some(url) = m
            .document_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            continue;
        };
        let attrs = [("format", codes::document_format(url)), ("url", url)];
        x.elem("document-link", &attrs, |x| {
            x.elem("title", &[], |x| narrative(x, &m.subject));
            x.empty("category", &[("code", codes::DOCUMENT_MOU)]);
            if let Some(signed) = m.signed_on {
                let iso = signed.format("%Y-%m-%d").to_string();
                x.empty("document-date", &[("iso-date", &iso)]);
            }
        });
    }
}

/// Each expected result as an output. The schema requires an indicator; a plan states no
/// measure, so it is a qualitative one that restates the result (delivered or not).
fn results(x: &mut Xml, plan: &doc::Plan) {
    for r in &plan.expected_results {
        x.elem("result", &[("type", codes::RESULT_OUTPUT)], |x| {
            x.elem("title", &[], |x| narrative(x, &r.description));
            x.elem("description", &[], |x| narrative(x, result_kind(r.kind)));
            x.elem(
                "indicator",
                &[("measure", codes::MEASURE_QUALITATIVE)],
                |x| {
                    x.elem("title", &[], |x| narrative(x, &r.description));
                },
            );
        });
    }
}

fn result_kind(kind: ResultKind) -> &'static str {
    match kind {
        ResultKind::Mou => "Memorandum of understanding",
        ResultKind::JointProject => "Joint project",
        ResultKind::VirtualLab => "Virtual lab",
        ResultKind::Cluster => "Cluster",
        ResultKind::JointRdCentre => "Joint R&D centre",
        ResultKind::Publication => "Publication",
        ResultKind::Other => "Other",
    }
}
