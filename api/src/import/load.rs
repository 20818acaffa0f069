//! Stores a resolved summary inside the caller's transaction. Every row is found by its natural key
//! and only written when something differs, so importing the same file twice changes nothing and an
//! edited file updates in place (versions bumped, no duplicates).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, ColumnTrait, DatabaseTransaction, DbErr,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QueryOrder, Value,
};
use sha2::{Digest, Sha256};

use super::gazetteer::CityEntry;
use super::model::{ParseIssue, Titled};
use super::resolve::{PlaceRef, ResolvedSummary};
use crate::domain::email::Email;
use crate::domain::partial_date::PartialDate;
use crate::domain::text::name_key;
use entity::enums::{
    ActivityKind, CityKind, CityNameKind, IssueEntity, MouStatus, OrganizationKind, PlanStatus,
    ResultKind, Severity, StatementKind,
};
use entity::{
    activity, activity_city, activity_organization, city, city_name, contact, data_issue,
    expected_result, expected_result_city, expected_result_organization, mou, mou_party,
    organization, plan, plan_activity, plan_mou, plan_partner_city, plan_sdg_goal, plan_sdg_target,
    plan_urban_agenda, source_document, statement, theme, urban_agenda_partnership,
};

/// Rows created, updated and deleted per table, and how many were already as published.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub created: BTreeMap<&'static str, u32>,
    pub updated: BTreeMap<&'static str, u32>,
    pub deleted: BTreeMap<&'static str, u32>,
    pub unchanged: u32,
}

impl Tally {
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.deleted.is_empty())
    }
}

/// What one import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub plan_slug: String,
    pub tally: Tally,
    /// Data issues recorded for the plan (new or kept).
    pub issues: Vec<(Severity, String)>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |m: &BTreeMap<&str, u32>| {
            m.iter()
                .map(|(t, n)| format!("{n} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "plan {}: ", self.plan_slug)?;
        if !self.tally.changed() {
            write!(
                f,
                "unchanged ({} rows already up to date)",
                self.tally.unchanged
            )?;
        } else {
            let parts: Vec<String> = [
                ("created", &self.tally.created),
                ("updated", &self.tally.updated),
                ("deleted", &self.tally.deleted),
            ]
            .into_iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(verb, m)| format!("{verb} {}", list(m)))
            .collect();
            write!(
                f,
                "{}; {} unchanged",
                parts.join("; "),
                self.tally.unchanged
            )?;
        }
        write!(f, "; {} data issue(s) flagged", self.issues.len())?;
        for (severity, message) in &self.issues {
            write!(f, "\n  {severity:?}: {message}")?;
        }
        Ok(())
    }
}

type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    now: DateTime<Utc>,
    tally: Tally,
}

impl Writer<'_> {
    /// Inserts (when `existing` is None) or updates a versioned row; `fill` sets the wanted values
    /// with `set_if_not_equals`, so an update happens only when a value really differs.
    async fn upsert<A>(
        &mut self,
        table: &'static str,
        existing: Option<ModelOf<A>>,
        fill: impl FnOnce(&mut A),
    ) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Clone,
    {
        let col = |name: &str| {
            <<A::Entity as EntityTrait>::Column as FromStr>::from_str(name)
                .map_err(|_| DbErr::Custom(format!("{table} has no column {name}")))
        };
        match existing {
            None => {
                let mut am = A::default();
                fill(&mut am);
                am.set(col("created_at")?, self.now.into());
                am.set(col("updated_at")?, self.now.into());
                am.set(col("version")?, Value::Int(Some(1)));
                *self.tally.created.entry(table).or_default() += 1;
                am.insert(self.txn).await
            }
            Some(model) => {
                let mut am = model.clone().into_active_model();
                fill(&mut am);
                if !am.is_changed() {
                    self.tally.unchanged += 1;
                    return Ok(model);
                }
                let version = match am.get(col("version")?) {
                    ActiveValue::Set(Value::Int(Some(v)))
                    | ActiveValue::Unchanged(Value::Int(Some(v))) => v,
                    _ => 1,
                };
                am.set(col("version")?, Value::Int(Some(version + 1)));
                am.set(col("updated_at")?, self.now.into());
                *self.tally.updated.entry(table).or_default() += 1;
                am.update(self.txn).await
            }
        }
    }

    /// Makes the link rows of one parent exactly `wanted` (insert missing, update changed, delete
    /// extra); link tables carry no version.
    async fn sync_links<A, K>(
        &mut self,
        table: &'static str,
        existing: Vec<ModelOf<A>>,
        key: impl Fn(&ModelOf<A>) -> K,
        wanted: Vec<(K, A)>,
    ) -> Result<(), DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Clone,
        K: Eq + std::hash::Hash,
    {
        let mut current: HashMap<K, ModelOf<A>> =
            existing.into_iter().map(|m| (key(&m), m)).collect();
        for (k, am) in wanted {
            match current.remove(&k) {
                None => {
                    *self.tally.created.entry(table).or_default() += 1;
                    am.insert(self.txn).await?;
                }
                Some(model) => {
                    let mut update = model.into_active_model();
                    let mut changed = false;
                    for c in <<A::Entity as EntityTrait>::Column as sea_orm::Iterable>::iter() {
                        if let ActiveValue::Set(v) = am.get(c)
                            && update.get(c).into_value().as_ref() != Some(&v)
                        {
                            update.set(c, v);
                            changed = true;
                        }
                    }
                    if changed {
                        *self.tally.updated.entry(table).or_default() += 1;
                        update.update(self.txn).await?;
                    } else {
                        self.tally.unchanged += 1;
                    }
                }
            }
        }
        for (_, stale) in current {
            *self.tally.deleted.entry(table).or_default() += 1;
            stale.delete(self.txn).await?;
        }
        Ok(())
    }
}

/// Stores one resolved summary. Runs inside the caller's transaction.
pub async fn store(
    txn: &DatabaseTransaction,
    summary: &ResolvedSummary,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, DbErr> {
    let mut w = Writer {
        txn,
        now: Utc::now(),
        tally: Tally::default(),
    };
    let parsed = &summary.parsed;

    let source = source_document(&mut w, file_name, bytes).await?;
    let focal = focal_city(&mut w, summary).await?;
    let mut cities_by_name: HashMap<String, i64> = HashMap::new();
    cities_by_name.insert(name_key(&summary.focal.name), focal.id);
    let mut partner_ids = Vec::new();
    for partner in &summary.partners {
        let id = place(&mut w, partner).await?;
        cities_by_name.insert(name_key(&partner.name), id);
        if id != focal.id && !partner_ids.contains(&id) {
            partner_ids.push(id);
        }
    }

    let slug = plan_slug(&summary.focal);
    let existing = plan::Entity::find()
        .filter(plan::Column::Slug.eq(&slug))
        .one(txn)
        .await?;
    let title = format!("U-CAP {}", summary.focal.name);
    let period = parsed.period.as_ref();
    let plan = w
        .upsert::<plan::ActiveModel>("plans", existing, |p| {
            p.slug.set_if_not_equals(slug.clone());
            p.title.set_if_not_equals(title);
            p.focal_city_id.set_if_not_equals(focal.id);
            p.period_text.set_if_not_equals(
                parsed
                    .period_text
                    .clone()
                    .or(period.map(|d| d.text().to_owned())),
            );
            p.period_precision
                .set_if_not_equals(period.map(PartialDate::precision));
            p.period_start
                .set_if_not_equals(period.map(PartialDate::start));
            p.period_end.set_if_not_equals(period.map(PartialDate::end));
            p.period_context
                .set_if_not_equals(parsed.period_context.clone());
            p.source_document_id.set_if_not_equals(Some(source));
            if p.status.is_not_set() {
                // Imported summaries are published documents; an admin's later status stays.
                p.status = ActiveValue::Set(PlanStatus::Published);
            }
        })
        .await?;

    partners(&mut w, plan.id, &partner_ids).await?;
    themes(&mut w, plan.id, &parsed.themes).await?;
    statements(&mut w, plan.id, parsed).await?;
    code_lists(&mut w, plan.id, summary).await?;
    let org_ids = organizations(&mut w, summary, &cities_by_name).await?;
    activities(&mut w, plan.id, summary, &org_ids).await?;
    results_and_mous(&mut w, plan.id, focal.id, summary, &org_ids).await?;
    let mut issues: Vec<ParseIssue> = parsed
        .issues
        .iter()
        .chain(&summary.issues)
        .cloned()
        .collect();
    contacts(&mut w, plan.id, &parsed.contact_emails, &mut issues).await?;
    let recorded = data_issues(&mut w, plan.id, focal.id, &issues).await?;

    Ok(ImportReport {
        plan_slug: slug,
        tally: w.tally,
        issues: recorded,
    })
}

/// "guangzhou-cn": stable across re-imports of the same city's summary.
fn plan_slug(focal: &PlaceRef) -> String {
    let name = name_key(&focal.name).replace(' ', "-");
    match &focal.country_code {
        Some(cc) => format!("{name}-{}", cc.to_ascii_lowercase()),
        None => name,
    }
}

async fn source_document(w: &mut Writer<'_>, file_name: &str, bytes: &[u8]) -> Result<i64, DbErr> {
    let sha = format!("{:x}", Sha256::digest(bytes));
    let existing = source_document::Entity::find()
        .filter(source_document::Column::Sha256.eq(&sha))
        .one(w.txn)
        .await?;
    if let Some(doc) = existing {
        return Ok(doc.id);
    }
    let doc = source_document::ActiveModel {
        file_name: ActiveValue::Set(file_name.to_owned()),
        sha256: ActiveValue::Set(sha),
        byte_size: ActiveValue::Set(bytes.len() as i64),
        format: ActiveValue::Set("ucap-summary-text".to_owned()),
        imported_at: ActiveValue::Set(w.now),
        ..Default::default()
    };
    *w.tally.created.entry("source documents").or_default() += 1;
    Ok(doc.insert(w.txn).await?.id)
}

/// Finds the city row of a place: by GeoNames id when the gazetteer knows it, else by name and country.
async fn find_city(w: &Writer<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
    if let Some(entry) = &p.entry {
        let hit = city::Entity::find()
            .filter(city::Column::GeonamesId.eq(entry.geonames_id))
            .one(w.txn)
            .await?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    let mut q = city::Entity::find().filter(city::Column::NameKey.eq(name_key(&display_name(p))));
    q = match &p.country_code {
        Some(cc) => q.filter(city::Column::CountryCode.eq(cc.as_str())),
        None => q.filter(city::Column::CountryCode.is_null()),
    };
    q.one(w.txn).await
}

/// The gazetteer's name when matched ("Rome" for "Roma"), else the published one.
fn display_name(p: &PlaceRef) -> String {
    p.entry
        .as_ref()
        .map(|e| e.name.clone())
        .unwrap_or_else(|| p.name.clone())
}

fn guess_kind(name: &str) -> CityKind {
    let key = name_key(name);
    let has = |w: &str| key.split(' ').any(|t| t == w);
    if has("region") || has("metropolitan") || has("province") {
        CityKind::Region
    } else if has("district") || has("ddg") {
        CityKind::District
    } else if has("zone") || (has("new") && has("area")) {
        CityKind::DevelopmentZone
    } else if has("association") || has("union") {
        CityKind::Association
    } else {
        CityKind::City
    }
}

/// Upserts a place from the gazetteer (or as published when unknown); returns its id.
async fn place(w: &mut Writer<'_>, p: &PlaceRef) -> Result<i64, DbErr> {
    let existing = find_city(w, p).await?;
    let name = display_name(p);
    let entry: Option<&CityEntry> = p.entry.as_ref();
    let is_new = existing.is_none();
    let row = w
        .upsert::<city::ActiveModel>("cities", existing, |c| {
            c.name.set_if_not_equals(name.clone());
            c.name_key.set_if_not_equals(name_key(&name));
            c.country_code.set_if_not_equals(p.country_code.clone());
            if let Some(e) = entry {
                c.native_name.set_if_not_equals(e.native_name.clone());
                c.geonames_id.set_if_not_equals(Some(e.geonames_id));
                c.latitude.set_if_not_equals(Some(e.latitude));
                c.longitude.set_if_not_equals(Some(e.longitude));
            }
            if c.kind.is_not_set() {
                c.kind = ActiveValue::Set(if entry.is_some() {
                    CityKind::City
                } else {
                    guess_kind(&p.name)
                });
            }
            if c.region.is_not_set() || matches!(&c.region, ActiveValue::Unchanged(None)) {
                c.region
                    .set_if_not_equals(p.region.clone().or(entry.and_then(|e| e.region.clone())));
            }
            // A population already recorded (from a summary, with its source) wins over GeoNames.
            if let Some(pop) = entry.and_then(|e| e.population)
                && (c.population.is_not_set()
                    || matches!(&c.population, ActiveValue::Unchanged(None)))
            {
                c.population = ActiveValue::Set(Some(pop));
                c.population_source = ActiveValue::Set(Some("GeoNames".to_owned()));
            }
        })
        .await?;
    if is_new {
        city_names(w, &row, p).await?;
    }
    Ok(row.id)
}

/// The names a new city is known by (native script, romanised, the published spelling).
async fn city_names(w: &mut Writer<'_>, row: &city::Model, p: &PlaceRef) -> Result<(), DbErr> {
    let mut names: Vec<(String, CityNameKind)> = Vec::new();
    if let Some(native) = &row.native_name {
        names.push((native.clone(), CityNameKind::Native));
    }
    names.push((row.name.clone(), CityNameKind::Romanised));
    names.push((p.name.clone(), CityNameKind::Alias));
    if let Some(e) = &p.entry {
        names.extend(e.aliases.iter().map(|a| (a.clone(), CityNameKind::Alias)));
    }
    let mut seen = HashSet::new();
    for (name, kind) in names {
        if name.is_empty() || !seen.insert(name.clone()) {
            continue;
        }
        let am = city_name::ActiveModel {
            city_id: ActiveValue::Set(row.id),
            name: ActiveValue::Set(name),
            kind: ActiveValue::Set(kind),
            ..Default::default()
        };
        *w.tally.created.entry("city names").or_default() += 1;
        am.insert(w.txn).await?;
    }
    Ok(())
}

/// The focal city, with the summary's own figures (published text beside the parsed value).
async fn focal_city(w: &mut Writer<'_>, summary: &ResolvedSummary) -> Result<city::Model, DbErr> {
    let id = place(w, &summary.focal).await?;
    let existing = city::Entity::find_by_id(id).one(w.txn).await?;
    let f = &summary.parsed.focal;
    w.upsert::<city::ActiveModel>("cities", existing, |c| {
        if let Some(region) = &f.region {
            c.region.set_if_not_equals(Some(region.clone()));
        }
        if let Some(pop) = &f.population {
            c.population.set_if_not_equals(pop.as_i64());
            c.population_text
                .set_if_not_equals(Some(pop.text().to_owned()));
            c.population_source
                .set_if_not_equals(Some("U-CAP summary".to_owned()));
        }
        if let Some(area) = &f.area_km2 {
            c.area_km2.set_if_not_equals(area.area_km2());
            c.area_text.set_if_not_equals(Some(area.text().to_owned()));
        }
    })
    .await
}

async fn partners(w: &mut Writer<'_>, plan_id: i64, ids: &[i64]) -> Result<(), DbErr> {
    let existing = plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?;
    let wanted = ids
        .iter()
        .enumerate()
        .map(|(i, &city_id)| {
            let am = plan_partner_city::ActiveModel {
                plan_id: ActiveValue::Set(plan_id),
                city_id: ActiveValue::Set(city_id),
                position: ActiveValue::Set(i as i16 + 1),
            };
            (city_id, am)
        })
        .collect();
    w.sync_links("partner links", existing, |m| m.city_id, wanted)
        .await
}

async fn themes(w: &mut Writer<'_>, plan_id: i64, items: &[Titled]) -> Result<(), DbErr> {
    let mut existing: HashMap<i16, theme::Model> = theme::Entity::find()
        .filter(theme::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|t| (t.position, t))
        .collect();
    for (i, item) in items.iter().enumerate() {
        let position = i as i16 + 1;
        let (title, description) = match &item.title {
            Some(t) => (t.clone(), Some(item.text.clone())),
            None => (item.text.clone(), None),
        };
        w.upsert::<theme::ActiveModel>("themes", existing.remove(&position), |t| {
            t.plan_id.set_if_not_equals(plan_id);
            t.position.set_if_not_equals(position);
            t.title.set_if_not_equals(title);
            t.description.set_if_not_equals(description);
        })
        .await?;
    }
    for (_, stale) in existing {
        *w.tally.deleted.entry("themes").or_default() += 1;
        stale.delete(w.txn).await?;
    }
    Ok(())
}

async fn statements(
    w: &mut Writer<'_>,
    plan_id: i64,
    parsed: &super::model::ParsedSummary,
) -> Result<(), DbErr> {
    let mut existing: HashMap<(StatementKind, i16), statement::Model> = statement::Entity::find()
        .filter(statement::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|s| ((s.kind, s.position), s))
        .collect();
    let lists = [
        (StatementKind::Focus, &parsed.focus),
        (StatementKind::Challenge, &parsed.challenges),
        (StatementKind::Objective, &parsed.objectives),
    ];
    for (kind, items) in lists {
        for (i, item) in items.iter().enumerate() {
            let position = i as i16 + 1;
            w.upsert::<statement::ActiveModel>(
                "statements",
                existing.remove(&(kind, position)),
                |s| {
                    s.plan_id.set_if_not_equals(plan_id);
                    s.kind.set_if_not_equals(kind);
                    s.position.set_if_not_equals(position);
                    s.title.set_if_not_equals(item.title.clone());
                    s.text.set_if_not_equals(item.text.clone());
                },
            )
            .await?;
        }
    }
    for (_, stale) in existing {
        *w.tally.deleted.entry("statements").or_default() += 1;
        stale.delete(w.txn).await?;
    }
    Ok(())
}

/// SDG goals/targets and Urban Agenda partnerships named by the summary.
async fn code_lists(
    w: &mut Writer<'_>,
    plan_id: i64,
    summary: &ResolvedSummary,
) -> Result<(), DbErr> {
    let parsed = &summary.parsed;
    let mut goals: Vec<(i16, plan_sdg_goal::ActiveModel)> = Vec::new();
    let mut targets: Vec<(String, plan_sdg_target::ActiveModel)> = Vec::new();
    for m in &parsed.sdgs {
        let goal = i16::from(m.sdg.goal().number());
        if !goals.iter().any(|(g, _)| *g == goal) {
            goals.push((
                goal,
                plan_sdg_goal::ActiveModel {
                    plan_id: ActiveValue::Set(plan_id),
                    goal_number: ActiveValue::Set(goal),
                    theme_id: ActiveValue::Set(None),
                    published_text: ActiveValue::Set(Some(m.text.clone())),
                },
            ));
        }
        if let Some(target) = m.sdg.target() {
            let code = target.code().to_owned();
            if !targets.iter().any(|(c, _)| *c == code) {
                targets.push((
                    code.clone(),
                    plan_sdg_target::ActiveModel {
                        plan_id: ActiveValue::Set(plan_id),
                        target_code: ActiveValue::Set(code),
                        theme_id: ActiveValue::Set(None),
                        published_text: ActiveValue::Set(Some(m.text.clone())),
                    },
                ));
            }
        }
    }
    let existing = plan_sdg_goal::Entity::find()
        .filter(plan_sdg_goal::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?;
    w.sync_links("SDG goal links", existing, |m| m.goal_number, goals)
        .await?;
    let existing = plan_sdg_target::Entity::find()
        .filter(plan_sdg_target::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?;
    w.sync_links(
        "SDG target links",
        existing,
        |m| m.target_code.clone(),
        targets,
    )
    .await?;

    let keys: Vec<&str> = parsed.urban_agenda.iter().map(|u| u.key.as_str()).collect();
    let partnerships: HashMap<String, i64> = urban_agenda_partnership::Entity::find()
        .filter(urban_agenda_partnership::Column::Key.is_in(keys))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|p| (p.key, p.id))
        .collect();
    let mut links: Vec<(i64, plan_urban_agenda::ActiveModel)> = Vec::new();
    for m in &parsed.urban_agenda {
        if let Some(&id) = partnerships.get(&m.key)
            && !links.iter().any(|(p, _)| *p == id)
        {
            links.push((
                id,
                plan_urban_agenda::ActiveModel {
                    plan_id: ActiveValue::Set(plan_id),
                    partnership_id: ActiveValue::Set(id),
                    theme_id: ActiveValue::Set(None),
                    published_text: ActiveValue::Set(Some(m.text.clone())),
                },
            ));
        }
    }
    let existing = plan_urban_agenda::Entity::find()
        .filter(plan_urban_agenda::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?;
    w.sync_links("Urban Agenda links", existing, |m| m.partnership_id, links)
        .await
}

fn organization_kind(name: &str) -> OrganizationKind {
    let key = name_key(name);
    let has = |w: &str| key.split(' ').any(|t| t == w);
    if has("university")
        || has("universita")
        || has("universidad")
        || has("institute")
        || has("academy")
    {
        OrganizationKind::University
    } else if has("hospital") || has("clinic") {
        OrganizationKind::Hospital
    } else if has("district") || has("ddg") || has("zone") {
        OrganizationKind::District
    } else if has("municipality")
        || has("municipal")
        || has("government")
        || has("city") && has("council")
    {
        OrganizationKind::Municipality
    } else if has("iuc") || has("iurc") || has("agency") || has("office") || has("commission") {
        OrganizationKind::Agency
    } else if has("network") || has("cluster") || has("association") || has("chamber") {
        OrganizationKind::Network
    } else if has("company")
        || has("ltd")
        || has("gmbh")
        || has("inc")
        || has("spa")
        || has("group")
    {
        OrganizationKind::Company
    } else {
        OrganizationKind::Other
    }
}

/// Organizations named anywhere in the summary, by normalised name; returns name key → id.
async fn organizations(
    w: &mut Writer<'_>,
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
        let existing = organization::Entity::find()
            .filter(organization::Column::NameKey.eq(&key))
            .one(w.txn)
            .await?;
        // The organization's city: the plan city whose name it contains ("University of Bologna").
        let city_id = cities
            .iter()
            .filter(|(city_key, _)| !city_key.is_empty())
            .find(|(city_key, _)| format!(" {key} ").contains(&format!(" {city_key} ")))
            .map(|(_, id)| *id);
        let row = w
            .upsert::<organization::ActiveModel>("organizations", existing, |o| {
                o.name.set_if_not_equals(name.to_string());
                o.name_key.set_if_not_equals(key.clone());
                if o.kind.is_not_set() {
                    o.kind = ActiveValue::Set(organization_kind(name));
                }
                if o.city_id.is_not_set() || matches!(&o.city_id, ActiveValue::Unchanged(None)) {
                    o.city_id.set_if_not_equals(city_id);
                }
            })
            .await?;
        ids.insert(key, row.id);
    }
    Ok(ids)
}

/// Words that carry meaning, for recognising the same activity or MoU told in other words.
fn significant_words(s: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "the", "and", "of", "in", "on", "for", "with", "to", "a", "an", "at", "by",
    ];
    name_key(s)
        .split(' ')
        .filter(|t| t.len() > 1 && !STOP.contains(t))
        .map(str::to_owned)
        .collect()
}

fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (significant_words(a), significant_words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

fn activity_fingerprint(date: Option<&PartialDate>, kind: ActivityKind, title: &str) -> String {
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
async fn activities(
    w: &mut Writer<'_>,
    plan_id: i64,
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
        let mut city_ids = Vec::new();
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
async fn shared_activity(
    w: &Writer<'_>,
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
async fn participants(
    w: &mut Writer<'_>,
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

/// Expected results (by position) with the cities/organizations they name, and the MoUs that
/// results of kind MoU announce: one MoU per partner named, between the focal city and that city.
async fn results_and_mous(
    w: &mut Writer<'_>,
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
            let parties: Vec<Vec<Party>> = if counterparts.is_empty() {
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
enum Party {
    City(i64),
    Org(i64),
}

/// Finds or creates the MoU between `parties` on `subject` (the same MoU may be listed by the
/// summaries of every party).
async fn mou_row(w: &mut Writer<'_>, subject: &str, parties: &[Party]) -> Result<i64, DbErr> {
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

/// Functional mailboxes are stored; a personal address is personal data: not stored, flagged.
async fn contacts(
    w: &mut Writer<'_>,
    plan_id: i64,
    emails: &[String],
    issues: &mut Vec<ParseIssue>,
) -> Result<(), DbErr> {
    let mut existing: HashMap<String, contact::Model> = contact::Entity::find()
        .filter(contact::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|c| (c.email.clone(), c))
        .collect();
    for raw in emails {
        let Ok(email) = Email::parse(raw) else {
            continue;
        };
        if !email.is_functional() {
            issues.push(ParseIssue {
                entity: IssueEntity::Plan,
                field: "contact_email".to_owned(),
                severity: Severity::Info,
                code: "personal-email-not-stored".to_owned(),
                message: "a personal e-mail address was not stored (personal data)".to_owned(),
                published_value: None,
            });
            continue;
        }
        let address = email.as_str().to_owned();
        w.upsert::<contact::ActiveModel>("contacts", existing.remove(&address), |c| {
            c.plan_id.set_if_not_equals(plan_id);
            c.email.set_if_not_equals(address.clone());
        })
        .await?;
    }
    for (_, stale) in existing {
        *w.tally.deleted.entry("contacts").or_default() += 1;
        stale.delete(w.txn).await?;
    }
    Ok(())
}

/// Makes the plan's data issues exactly those of this import.
async fn data_issues(
    w: &mut Writer<'_>,
    plan_id: i64,
    focal_id: i64,
    issues: &[ParseIssue],
) -> Result<Vec<(Severity, String)>, DbErr> {
    type Key = (IssueEntity, Option<i64>, String, String, Option<String>);
    let key_of = |m: &data_issue::Model| -> Key {
        (
            m.entity,
            m.entity_id,
            m.field.clone(),
            m.code.clone(),
            m.published_value.clone(),
        )
    };
    let mut existing: HashMap<Key, data_issue::Model> = data_issue::Entity::find()
        .filter(data_issue::Column::PlanId.eq(plan_id))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|m| (key_of(&m), m))
        .collect();
    let mut recorded = Vec::new();
    let mut seen = HashSet::new();
    for issue in issues {
        let entity_id = match issue.entity {
            IssueEntity::City if issue.field != "partner_cities" => Some(focal_id),
            IssueEntity::Plan => Some(plan_id),
            _ => None,
        };
        let key: Key = (
            issue.entity,
            entity_id,
            issue.field.clone(),
            issue.code.clone(),
            issue.published_value.clone(),
        );
        if !seen.insert(key.clone()) {
            continue;
        }
        w.upsert::<data_issue::ActiveModel>("data issues", existing.remove(&key), |m| {
            m.plan_id.set_if_not_equals(Some(plan_id));
            m.entity.set_if_not_equals(issue.entity);
            m.entity_id.set_if_not_equals(entity_id);
            m.field.set_if_not_equals(issue.field.clone());
            m.severity.set_if_not_equals(issue.severity);
            m.code.set_if_not_equals(issue.code.clone());
            m.message.set_if_not_equals(issue.message.clone());
            m.published_value
                .set_if_not_equals(issue.published_value.clone());
            if m.internal.is_not_set() {
                m.internal = ActiveValue::Set(false);
            }
        })
        .await?;
        recorded.push((issue.severity, issue.message.clone()));
    }
    for (_, stale) in existing {
        *w.tally.deleted.entry("data issues").or_default() += 1;
        stale.delete(w.txn).await?;
    }
    Ok(recorded)
}
