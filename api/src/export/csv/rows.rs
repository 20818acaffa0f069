//! A plan's rows in each table, and how values are written in cells.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;

use super::Table;
use crate::export::document as doc;

impl Table {
    /// The rows of one plan in this table (empty for the flat tables).
    pub(super) fn plan_rows(self, p: &doc::Plan) -> Vec<Vec<String>> {
        let id = p.id.to_string();
        let stamp = |c: &DateTime<Utc>, u: &DateTime<Utc>, v: i32| [ts(c), ts(u), v.to_string()];
        match self {
            Table::Plans => vec![
                [
                    id,
                    p.slug.clone(),
                    p.title.clone(),
                    p.status.to_value(),
                    p.focal_city.id.to_string(),
                    p.focal_city.name.clone(),
                    opt(&p.period.text),
                    p.period.precision.map(|x| x.to_value()).unwrap_or_default(),
                    date(p.period.start),
                    date(p.period.end),
                    opt(&p.period_context),
                    ids(p.partner_cities.iter().map(|c| c.id)),
                    p.source_document
                        .as_ref()
                        .map(|s| s.file_name.clone())
                        .unwrap_or_default(),
                    p.source_document
                        .as_ref()
                        .map(|s| s.sha256.clone())
                        .unwrap_or_default(),
                    ts(&p.last_updated_at),
                ]
                .into_iter()
                .chain(stamp(&p.created_at, &p.updated_at, p.version))
                .chain([opt(&p.internal_note)])
                .collect(),
            ],
            Table::PlanCities => std::iter::once(vec![
                id.clone(),
                p.focal_city.id.to_string(),
                p.focal_city.name.clone(),
                "FOCAL".to_owned(),
                "0".to_owned(),
            ])
            .chain(p.partner_cities.iter().enumerate().map(|(i, c)| {
                vec![
                    id.clone(),
                    c.id.to_string(),
                    c.name.clone(),
                    "PARTNER".to_owned(),
                    (i + 1).to_string(),
                ]
            }))
            .collect(),
            Table::Participants => p
                .participants
                .iter()
                .map(|x| {
                    [
                        id.clone(),
                        x.organization.id.to_string(),
                        x.organization.name.clone(),
                        x.role.to_value(),
                    ]
                    .into_iter()
                    .chain(stamp(&x.created_at, &x.updated_at, x.version))
                    .collect()
                })
                .collect(),
            Table::Themes => p
                .themes
                .iter()
                .map(|t| {
                    [
                        id.clone(),
                        t.id.to_string(),
                        t.position.to_string(),
                        t.title.clone(),
                        opt(&t.description),
                    ]
                    .into_iter()
                    .chain(stamp(&t.created_at, &t.updated_at, t.version))
                    .collect()
                })
                .collect(),
            Table::Statements => p
                .statements
                .iter()
                .map(|s| {
                    [
                        id.clone(),
                        s.id.to_string(),
                        s.kind.to_value(),
                        s.position.to_string(),
                        opt(&s.title),
                        s.text.clone(),
                    ]
                    .into_iter()
                    .chain(stamp(&s.created_at, &s.updated_at, s.version))
                    .collect()
                })
                .collect(),
            Table::SdgLinks => {
                let goals = p.sdg_goals.iter().map(|g| {
                    vec![
                        id.clone(),
                        p.slug.clone(),
                        g.goal.to_string(),
                        g.title.clone(),
                        String::new(),
                        opt_id(g.theme_id),
                        opt(&g.published_text),
                    ]
                });
                let targets = p.sdg_targets.iter().map(|t| {
                    let goal = t.target.split('.').next().unwrap_or_default().to_owned();
                    let title = p
                        .sdg_goals
                        .iter()
                        .find(|g| g.goal.to_string() == goal)
                        .map(|g| g.title.clone())
                        .unwrap_or_default();
                    vec![
                        id.clone(),
                        p.slug.clone(),
                        goal,
                        title,
                        t.target.clone(),
                        opt_id(t.theme_id),
                        opt(&t.published_text),
                    ]
                });
                goals.chain(targets).collect()
            }
            Table::UrbanAgendaLinks => p
                .urban_agenda
                .iter()
                .map(|u| {
                    vec![
                        id.clone(),
                        p.slug.clone(),
                        u.partnership.clone(),
                        u.name.clone(),
                        opt_id(u.theme_id),
                        opt(&u.published_text),
                    ]
                })
                .collect(),
            Table::ExpectedResults => p
                .expected_results
                .iter()
                .map(|r| {
                    [
                        id.clone(),
                        r.id.to_string(),
                        r.position.to_string(),
                        r.kind.to_value(),
                        r.description.clone(),
                        ids(r.cities.iter().map(|c| c.id)),
                        ids(r.organizations.iter().map(|o| o.id)),
                    ]
                    .into_iter()
                    .chain(stamp(&r.created_at, &r.updated_at, r.version))
                    .collect()
                })
                .collect(),
            Table::Activities => p
                .activities
                .iter()
                .map(|a| {
                    [
                        id.clone(),
                        a.id.to_string(),
                        a.position.to_string(),
                        a.title.clone(),
                        a.kind.to_value(),
                        opt(&a.date.text),
                        a.date.precision.map(|x| x.to_value()).unwrap_or_default(),
                        date(a.date.start),
                        date(a.date.end),
                        opt(&a.place_text),
                        a.place_city
                            .as_ref()
                            .map(|c| c.id.to_string())
                            .unwrap_or_default(),
                        ids(a.cities.iter().map(|c| c.id)),
                        ids(a.organizations.iter().map(|o| o.id)),
                        opt(&a.description),
                        a.draft.to_string(),
                        opt(&a.internal_note),
                    ]
                    .into_iter()
                    .chain(stamp(&a.created_at, &a.updated_at, a.version))
                    .collect()
                })
                .collect(),
            Table::Mous => p
                .mous
                .iter()
                .map(|m| {
                    [
                        id.clone(),
                        m.id.to_string(),
                        m.subject.clone(),
                        m.status.to_value(),
                        date(m.signed_on),
                        opt(&m.document_url),
                        ids(m
                            .parties
                            .iter()
                            .filter_map(|x| x.city.as_ref().map(|c| c.id))),
                        ids(m
                            .parties
                            .iter()
                            .filter_map(|x| x.organization.as_ref().map(|o| o.id))),
                        opt_id(m.expected_result_id),
                        m.draft.to_string(),
                        opt(&m.internal_note),
                    ]
                    .into_iter()
                    .chain(stamp(&m.created_at, &m.updated_at, m.version))
                    .collect()
                })
                .collect(),
            Table::Contacts => p
                .contacts
                .iter()
                .map(|c| {
                    [id.clone(), c.id.to_string(), c.email.clone(), opt(&c.label)]
                        .into_iter()
                        .chain(stamp(&c.created_at, &c.updated_at, c.version))
                        .collect()
                })
                .collect(),
            Table::DataIssues => p
                .data_issues
                .iter()
                .map(|i| issue_row(Some(p.id), i))
                .collect(),
            Table::Cities | Table::Organizations => Vec::new(),
        }
    }
}

pub(super) fn issue_row(plan: Option<i64>, i: &doc::DataIssue) -> Vec<String> {
    vec![
        opt_id(plan),
        i.id.to_string(),
        i.entity.to_value(),
        opt_id(i.entity_id),
        i.field.clone(),
        i.severity.to_value(),
        i.code.clone(),
        i.message.clone(),
        opt(&i.published_value),
        i.internal.to_string(),
        ts(&i.created_at),
        ts(&i.updated_at),
        i.version.to_string(),
    ]
}

pub(super) fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

pub(super) fn opt_id(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn date(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub(super) fn ts(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub(super) fn ids(values: impl Iterator<Item = i64>) -> String {
    values.map(|v| v.to_string()).collect::<Vec<_>>().join(";")
}

pub(super) fn num<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
