//! A plan and batch for the IATI writer's unit tests: a bare plan, and one with every part the
//! export writes.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::enums::{
    ActivityKind, CityKind, DatePrecision, MouStatus, OrganizationKind, ParticipantRole,
    PlanStatus, ResultKind, StatementKind,
};
use entity::{city, organization};

use crate::export::Publisher;
use crate::export::bundle::PlanBatch;
use crate::export::document as doc;

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("a valid test instant")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

pub fn partial(text: &str, precision: DatePrecision, start: &str, end: &str) -> doc::PartialDate {
    doc::PartialDate {
        text: Some(text.to_owned()),
        precision: Some(precision),
        start: Some(day(start)),
        end: Some(day(end)),
    }
}

fn r(id: i64, name: &str) -> doc::Ref {
    doc::Ref {
        id,
        name: name.to_owned(),
    }
}

/// A published plan with nothing but its focal city, recorded on 2020-02-01.
pub fn plan() -> doc::Plan {
    doc::Plan {
        id: 7,
        slug: "guangzhou".into(),
        title: "Guangzhou".into(),
        status: PlanStatus::Published,
        focal_city: r(1, "Guangzhou"),
        period: doc::PartialDate {
            text: None,
            precision: None,
            start: None,
            end: None,
        },
        period_context: None,
        last_updated_at: at(2024, 3, 1),
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
        internal_note: None,
        source_document: None,
        partner_cities: vec![],
        participants: vec![],
        themes: vec![],
        statements: vec![],
        sdg_goals: vec![],
        sdg_targets: vec![],
        urban_agenda: vec![],
        expected_results: vec![],
        activities: vec![],
        mous: vec![],
        contacts: vec![],
        data_issues: vec![],
    }
}

pub fn dated_activity(id: i64, date: doc::PartialDate) -> doc::Activity {
    doc::Activity {
        id,
        position: id as i16,
        title: format!("activity {id}"),
        description: None,
        kind: ActivityKind::Mission,
        date,
        fingerprint: format!("f{id}"),
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
        ..Default::default()
    }
}

fn statement(
    kind: StatementKind,
    position: i16,
    title: Option<&str>,
    text: &str,
) -> doc::Statement {
    doc::Statement {
        id: position.into(),
        kind,
        position,
        title: title.map(str::to_owned),
        text: text.to_owned(),
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
    }
}

fn city(
    id: i64,
    name: &str,
    country: &str,
    geonames: Option<i64>,
    pos: Option<(f64, f64)>,
) -> city::Model {
    city::Model {
        id,
        name: name.into(),
        native_name: None,
        name_key: name.to_lowercase(),
        kind: CityKind::City,
        region: None,
        country_code: Some(country.into()),
        geonames_id: geonames,
        latitude: pos.map(|p| p.0),
        longitude: pos.map(|p| p.1),
        population: None,
        population_text: None,
        population_year: None,
        population_source: None,
        area_km2: None,
        area_text: None,
        created_at: at(2020, 1, 1),
        updated_at: at(2020, 1, 1),
        version: 1,
    }
}

pub fn publisher() -> Publisher {
    Publisher {
        reference: "XI-IATI-EC_FPI".into(),
        name: "EC & FPI".into(),
        kind: "15".into(),
    }
}

/// A plan with every part the export writes, and the batch around it.
pub fn full() -> (doc::Plan, PlanBatch) {
    let mut p = plan();
    p.slug = "guang zhou".into();
    p.title = "Guangzhou & <friends>\u{1}".into();
    p.period = partial("May 2017", DatePrecision::Month, "2017-05-01", "2017-05-31");
    p.period_context = Some("a follow-up".into());
    p.partner_cities = vec![r(2, "Bologna"), r(3, "Nowhere")];
    p.statements = vec![
        statement(StatementKind::Objective, 1, None, "Launch projects"),
        statement(StatementKind::Focus, 2, None, "Second focus"),
        statement(StatementKind::Focus, 1, Some("Design"), "A platform"),
        statement(StatementKind::Challenge, 1, None, "Market entry"),
    ];
    let participant = |id, name, role| doc::Participant {
        organization: r(id, name),
        role,
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
    };
    p.participants = vec![
        participant(10, "Guangzhou municipality", ParticipantRole::Focal),
        participant(11, "IUC team", ParticipantRole::ProgrammeTeam),
    ];
    p.contacts = vec![doc::Contact {
        id: 1,
        email: "a@b.eu".into(),
        label: None,
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
    }];
    p.sdg_goals = vec![doc::SdgGoalLink {
        goal: 9,
        title: "Industry".into(),
        theme_id: None,
        published_text: None,
    }];
    p.sdg_targets = vec![doc::SdgTargetLink {
        target: "11.a".into(),
        theme_id: None,
        published_text: None,
    }];
    p.activities = vec![dated_activity(
        1,
        partial(
            "March 2020",
            DatePrecision::Month,
            "2020-03-01",
            "2020-03-31",
        ),
    )];
    p.mous = vec![doc::Mou {
        id: 1,
        subject: "Health".into(),
        status: MouStatus::Signed,
        signed_on: Some(day("2019-09-10")),
        document_url: Some("https://x.eu/mou.pdf".into()),
        parties: vec![],
        expected_result_id: None,
        draft: false,
        internal_note: None,
        fingerprint: "m1".into(),
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
    }];
    p.expected_results = vec![doc::ExpectedResult {
        id: 1,
        position: 1,
        kind: ResultKind::JointProject,
        description: "Hydrogen R&D".into(),
        cities: vec![],
        organizations: vec![],
        created_at: at(2020, 2, 1),
        updated_at: at(2020, 2, 1),
        version: 1,
    }];
    let org = |id, name: &str, kind| organization::Model {
        id,
        name: name.into(),
        name_key: name.to_lowercase(),
        kind,
        city_id: None,
        website: None,
        created_at: at(2020, 1, 1),
        updated_at: at(2020, 1, 1),
        version: 1,
    };
    let batch = PlanBatch {
        plans: vec![],
        cities: HashMap::from([
            (
                1,
                city(
                    1,
                    "Guangzhou",
                    "cn",
                    Some(1809858),
                    Some((23.11667, 113.25)),
                ),
            ),
            (
                2,
                city(2, "Bologna", "IT", None, Some((44.49381, 11.33875))),
            ),
            (3, city(3, "Nowhere", "XX", None, None)),
        ]),
        organizations: HashMap::from([
            (
                10,
                org(10, "Guangzhou municipality", OrganizationKind::Municipality),
            ),
            (11, org(11, "IUC team", OrganizationKind::Other)),
        ]),
        related: HashMap::from([(7, vec!["bologna".to_owned()])]),
    };
    (p, batch)
}
