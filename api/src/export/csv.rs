//! The CSV tables (RFC 4180: UTF-8, a header row, CRLF, quotes where needed). Cities and
//! organizations are read straight from their tables; every other table is a view of the plans'
//! batches, one row per record a plan lists (an activity two plans share is a row of each). Lists in
//! a cell are `;`-separated ids; dates are ISO 8601 with the precision beside them.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::bundle::{PlanCursor, Selection};
use super::document as doc;
use entity::{city, city_name, organization};
use sea_orm::ActiveEnum;

/// Rows of the flat tables per chunk.
const ROWS: u64 = 500;

/// One CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Plans,
    PlanCities,
    Participants,
    Cities,
    Organizations,
    Themes,
    Statements,
    SdgLinks,
    UrbanAgendaLinks,
    ExpectedResults,
    Activities,
    Mous,
    Contacts,
    DataIssues,
}

impl Table {
    pub const ALL: &'static [Table] = &[
        Table::Plans,
        Table::PlanCities,
        Table::Participants,
        Table::Cities,
        Table::Organizations,
        Table::Themes,
        Table::Statements,
        Table::SdgLinks,
        Table::UrbanAgendaLinks,
        Table::ExpectedResults,
        Table::Activities,
        Table::Mous,
        Table::Contacts,
        Table::DataIssues,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Table::Plans => "plans.csv",
            Table::PlanCities => "plan-cities.csv",
            Table::Participants => "participants.csv",
            Table::Cities => "cities.csv",
            Table::Organizations => "organizations.csv",
            Table::Themes => "themes.csv",
            Table::Statements => "statements.csv",
            Table::SdgLinks => "sdg-links.csv",
            Table::UrbanAgendaLinks => "urban-agenda-links.csv",
            Table::ExpectedResults => "expected-results.csv",
            Table::Activities => "activities.csv",
            Table::Mous => "mous.csv",
            Table::Contacts => "contacts.csv",
            Table::DataIssues => "data-issues.csv",
        }
    }

    pub fn header(self) -> &'static [&'static str] {
        match self {
            Table::Plans => &[
                "plan_id",
                "slug",
                "title",
                "status",
                "focal_city_id",
                "focal_city",
                "period_text",
                "period_precision",
                "period_start",
                "period_end",
                "period_context",
                "partner_city_ids",
                "source_file",
                "source_sha256",
                "last_updated_at",
                "created_at",
                "updated_at",
                "version",
                "internal_note",
            ],
            Table::PlanCities => &["plan_id", "city_id", "city", "role", "position"],
            Table::Participants => &[
                "plan_id",
                "organization_id",
                "organization",
                "role",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Cities => &[
                "city_id",
                "name",
                "native_name",
                "other_names",
                "kind",
                "region",
                "country_code",
                "geonames_id",
                "latitude",
                "longitude",
                "population",
                "population_text",
                "population_year",
                "population_source",
                "area_km2",
                "area_text",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Organizations => &[
                "organization_id",
                "name",
                "kind",
                "city_id",
                "website",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Themes => &[
                "plan_id",
                "theme_id",
                "position",
                "title",
                "description",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Statements => &[
                "plan_id",
                "statement_id",
                "kind",
                "position",
                "title",
                "text",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::SdgLinks => &[
                "plan_id",
                "plan_slug",
                "goal",
                "goal_title",
                "target",
                "theme_id",
                "published_text",
            ],
            Table::UrbanAgendaLinks => &[
                "plan_id",
                "plan_slug",
                "partnership",
                "partnership_name",
                "theme_id",
                "published_text",
            ],
            Table::ExpectedResults => &[
                "plan_id",
                "result_id",
                "position",
                "kind",
                "description",
                "city_ids",
                "organization_ids",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Activities => &[
                "plan_id",
                "activity_id",
                "position",
                "title",
                "kind",
                "date_text",
                "date_precision",
                "date_start",
                "date_end",
                "place_text",
                "place_city_id",
                "city_ids",
                "organization_ids",
                "description",
                "draft",
                "internal_note",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Mous => &[
                "plan_id",
                "mou_id",
                "subject",
                "status",
                "signed_on",
                "document_url",
                "party_city_ids",
                "party_organization_ids",
                "expected_result_id",
                "draft",
                "internal_note",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::Contacts => &[
                "plan_id",
                "contact_id",
                "email",
                "label",
                "created_at",
                "updated_at",
                "version",
            ],
            Table::DataIssues => &[
                "plan_id",
                "issue_id",
                "entity",
                "entity_id",
                "field",
                "severity",
                "code",
                "message",
                "published_value",
                "internal",
                "created_at",
                "updated_at",
                "version",
            ],
        }
    }

    /// The rows of one plan in this table (empty for the flat tables).
    fn plan_rows(self, p: &doc::Plan) -> Vec<Vec<String>> {
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

fn issue_row(plan: Option<i64>, i: &doc::DataIssue) -> Vec<String> {
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

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn opt_id(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn date(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn ts(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn ids(values: impl Iterator<Item = i64>) -> String {
    values.map(|v| v.to_string()).collect::<Vec<_>>().join(";")
}

fn num<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One CSV table being written.
pub struct CsvExport {
    table: Table,
    selection: Selection,
    plans: Option<PlanCursor>,
    header_written: bool,
    after: i64,
    done: bool,
}

impl CsvExport {
    pub fn new(table: Table, selection: Selection) -> Self {
        Self {
            table,
            selection,
            plans: None,
            header_written: false,
            after: i64::MIN,
            done: false,
        }
    }

    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        if !self.header_written {
            self.header_written = true;
            return write(Some(self.table.header()), &[]).map(Some);
        }
        let rows = match self.table {
            Table::Cities => self.cities(conn).await?,
            Table::Organizations => self.organizations(conn).await?,
            _ => self.plan_rows(conn).await?,
        };
        write(None, &rows).map(Some)
    }

    /// The next batch of plans' rows; after the last plan, the findings of no plan.
    async fn plan_rows<C: ConnectionTrait>(&mut self, conn: &C) -> Result<Vec<Vec<String>>, DbErr> {
        if self.plans.is_none() {
            self.plans = Some(PlanCursor::open(conn, self.selection.clone()).await?);
        }
        let Some(cursor) = self.plans.as_mut() else {
            return Ok(Vec::new());
        };
        match cursor.next(conn).await? {
            Some(batch) => Ok(batch
                .plans
                .iter()
                .flat_map(|p| self.table.plan_rows(p))
                .collect()),
            None if self.table == Table::DataIssues => self.unattached_issues(conn).await,
            None => {
                self.done = true;
                Ok(Vec::new())
            }
        }
    }

    async fn cities<C: ConnectionTrait>(&mut self, conn: &C) -> Result<Vec<Vec<String>>, DbErr> {
        let mut query = city::Entity::find()
            .filter(city::Column::Id.gt(self.after))
            .order_by_asc(city::Column::Id)
            .limit(ROWS);
        if let Some(since) = self.selection.since {
            query = query.filter(city::Column::UpdatedAt.gte(since));
        }
        let cities = query.all(conn).await?;
        if cities.is_empty() {
            self.done = true;
            return Ok(Vec::new());
        }
        let ids_: Vec<i64> = cities.iter().map(|c| c.id).collect();
        let names = city_name::Entity::find()
            .filter(city_name::Column::CityId.is_in(ids_))
            .order_by_asc(city_name::Column::CityId)
            .order_by_asc(city_name::Column::Id)
            .all(conn)
            .await?;
        Ok(cities
            .into_iter()
            .map(|c| {
                self.after = c.id;
                let others = names
                    .iter()
                    .filter(|n| n.city_id == c.id)
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(";");
                vec![
                    c.id.to_string(),
                    c.name,
                    opt(&c.native_name),
                    others,
                    c.kind.to_value(),
                    opt(&c.region),
                    opt(&c.country_code),
                    num(c.geonames_id),
                    num(c.latitude),
                    num(c.longitude),
                    num(c.population),
                    opt(&c.population_text),
                    num(c.population_year),
                    opt(&c.population_source),
                    num(c.area_km2),
                    opt(&c.area_text),
                    ts(&c.created_at),
                    ts(&c.updated_at),
                    c.version.to_string(),
                ]
            })
            .collect())
    }

    async fn organizations<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Vec<Vec<String>>, DbErr> {
        let mut query = organization::Entity::find()
            .filter(organization::Column::Id.gt(self.after))
            .order_by_asc(organization::Column::Id)
            .limit(ROWS);
        if let Some(since) = self.selection.since {
            query = query.filter(organization::Column::UpdatedAt.gte(since));
        }
        let organizations = query.all(conn).await?;
        if organizations.is_empty() {
            self.done = true;
        }
        Ok(organizations
            .into_iter()
            .map(|o| {
                self.after = o.id;
                vec![
                    o.id.to_string(),
                    o.name,
                    o.kind.to_value(),
                    opt_id(o.city_id),
                    opt(&o.website),
                    ts(&o.created_at),
                    ts(&o.updated_at),
                    o.version.to_string(),
                ]
            })
            .collect())
    }

    /// Findings that belong to no plan, all at once (they are few: one per odd city record).
    async fn unattached_issues<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Vec<Vec<String>>, DbErr> {
        use crate::auth::policy::Guarded;
        use entity::data_issue;
        let mut query = data_issue::Entity::find()
            .filter(data_issue::Column::PlanId.is_null())
            .filter(data_issue::Entity::readable(&self.selection.scope))
            .order_by_asc(data_issue::Column::Id);
        if let Some(since) = self.selection.since {
            query = query.filter(data_issue::Column::UpdatedAt.gte(since));
        }
        self.done = true;
        Ok(query
            .all(conn)
            .await?
            .iter()
            .map(|i| issue_row(None, &super::bundle::data_issue_doc(i)))
            .collect())
    }
}

/// RFC 4180 text of `rows` (after `header`, when given).
fn write(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Vec<u8>, DbErr> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| DbErr::Custom(format!("cannot write CSV: {e}"));
    if let Some(header) = header {
        writer.write_record(header).map_err(fail)?;
    }
    for row in rows {
        writer.write_record(row).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| DbErr::Custom(format!("cannot write CSV: {e}")))
}
