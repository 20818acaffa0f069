//! Reads plans for an export in batches: a batch is a few dozen plans with every record they hold
//! and the cities and organizations those records name, loaded with one query per table. Memory is
//! bounded by the batch, never by the number of plans; the rows a caller may not read are filtered
//! by the same policy conditions the GraphQL resolvers use.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::document as doc;
use super::related::{Shared, related_plans};
use crate::auth::policy::{Guarded, Scope, activity_of_readable_plan, mou_of_readable_plan};
use entity::{
    activity, activity_city, activity_organization, change_event, change_event_plan, city,
    city_name, contact, data_issue, expected_result, expected_result_city,
    expected_result_organization, mou, mou_party, organization, plan, plan_activity, plan_mou,
    plan_participant, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda,
    sdg_goal, source_document, statement, theme, urban_agenda_partnership,
};

/// Plans per batch: enough to keep the number of queries low, few enough that a batch of plans with
/// a hundred activities each stays a few megabytes.
pub const BATCH: u64 = 40;

/// What an export holds: the caller's visibility and, optionally, only what changed since when.
#[derive(Debug, Clone)]
pub struct Selection {
    pub scope: Scope,
    pub since: Option<DateTime<Utc>>,
}

impl Selection {
    /// How the document names the visibility it was made with.
    pub fn visibility(&self) -> &'static str {
        match self.scope {
            Scope::All => "ALL",
            Scope::Public => "PUBLIC",
            Scope::Member(_) => "MEMBER",
        }
    }

    /// Plans this selection exports, as a condition on `plan`.
    pub fn plans(&self) -> Condition {
        let mut cond = Condition::all().add(plan::Entity::readable(&self.scope));
        if let Some(since) = self.since {
            cond = cond.add(changed_since(since));
        }
        cond
    }
}

/// A plan changed at or after `since`: the plan row, any record it holds, any activity or MoU it
/// lists, or a change-feed entry of it (which is how a deleted record or link shows).
pub fn changed_since(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(plan::Column::UpdatedAt.gte(since))
        .add(own_part::<theme::Entity>(
            theme::Column::PlanId,
            theme::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<statement::Entity>(
            statement::Column::PlanId,
            statement::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<expected_result::Entity>(
            expected_result::Column::PlanId,
            expected_result::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<contact::Entity>(
            contact::Column::PlanId,
            contact::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<plan_participant::Entity>(
            plan_participant::Column::PlanId,
            plan_participant::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<data_issue::Entity>(
            data_issue::Column::PlanId,
            data_issue::Column::UpdatedAt,
            since,
        ))
        .add(listed_part::<plan_activity::Entity, activity::Entity>(
            (
                plan_activity::Column::PlanId,
                plan_activity::Column::ActivityId,
            ),
            (activity::Column::Id, activity::Column::UpdatedAt),
            since,
        ))
        .add(listed_part::<plan_mou::Entity, mou::Entity>(
            (plan_mou::Column::PlanId, plan_mou::Column::MouId),
            (mou::Column::Id, mou::Column::UpdatedAt),
            since,
        ))
        .add(
            listed_part::<change_event_plan::Entity, change_event::Entity>(
                (
                    change_event_plan::Column::PlanId,
                    change_event_plan::Column::ChangeEventId,
                ),
                (change_event::Column::Id, change_event::Column::At),
                since,
            ),
        )
}

/// A row of `E` that belongs to the plan and changed since `since`.
fn own_part<E: EntityTrait>(plan_id: E::Column, updated: E::Column, since: DateTime<Utc>) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(E::default())
            .and_where(Expr::col((E::default(), plan_id)).equals((plan::Entity, plan::Column::Id)))
            .and_where(Expr::col((E::default(), updated)).gte(since))
            .to_owned(),
    )
}

/// A record of `R`, listed by the plan through link table `L`, that changed since `since`.
fn listed_part<L: EntityTrait, R: EntityTrait>(
    (link_plan, link_record): (L::Column, L::Column),
    (record_id, updated): (R::Column, R::Column),
    since: DateTime<Utc>,
) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(L::default())
            .inner_join(
                R::default(),
                Expr::col((R::default(), record_id)).equals((L::default(), link_record)),
            )
            .and_where(
                Expr::col((L::default(), link_plan)).equals((plan::Entity, plan::Column::Id)),
            )
            .and_where(Expr::col((R::default(), updated)).gte(since))
            .to_owned(),
    )
}

/// Plans of one batch, ready to write, with the cities and organizations their records name.
pub struct PlanBatch {
    pub plans: Vec<doc::Plan>,
    pub cities: HashMap<i64, city::Model>,
    pub organizations: HashMap<i64, organization::Model>,
    /// Plan id → slugs of the other plans the caller reads that share an activity or MoU with it
    /// (loaded only by a cursor opened [`PlanCursor::with_related_plans`], else empty).
    pub related: HashMap<i64, Vec<String>>,
}

/// Code lists the plans link to, read once per export.
struct Codes {
    goal_titles: HashMap<i16, String>,
    /// Urban Agenda partnership id → (key, name).
    partnerships: HashMap<i64, (String, String)>,
}

/// Walks the selected plans in id order, a batch at a time.
pub struct PlanCursor {
    selection: Selection,
    codes: Codes,
    after: Option<i64>,
    related: bool,
}

impl PlanCursor {
    pub async fn open<C: ConnectionTrait>(conn: &C, selection: Selection) -> Result<Self, DbErr> {
        let goal_titles = sdg_goal::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|g| (g.number, g.title))
            .collect();
        let partnerships = urban_agenda_partnership::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.key, p.name)))
            .collect();
        Ok(Self {
            selection,
            codes: Codes {
                goal_titles,
                partnerships,
            },
            after: None,
            related: false,
        })
    }

    /// Also loads each plan's related plans into [`PlanBatch::related`] (one more query a batch,
    /// which only the IATI export needs).
    pub fn with_related_plans(mut self) -> Self {
        self.related = true;
        self
    }

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The next batch, or `None` after the last plan.
    pub async fn next<C: ConnectionTrait>(&mut self, conn: &C) -> Result<Option<PlanBatch>, DbErr> {
        let mut query = plan::Entity::find()
            .filter(self.selection.plans())
            .order_by_asc(plan::Column::Id)
            .limit(BATCH);
        if let Some(after) = self.after {
            query = query.filter(plan::Column::Id.gt(after));
        }
        let plans = query.all(conn).await?;
        let Some(last) = plans.last() else {
            return Ok(None);
        };
        self.after = Some(last.id);
        let scope = &self.selection.scope;
        let parts = Parts::load(conn, scope, &plans).await?;
        let related = if self.related {
            let activities: Vec<(i64, i64)> = (parts.plan_activities.iter())
                .map(|l| (l.plan_id, l.activity_id))
                .collect();
            let mous: Vec<(i64, i64)> = (parts.plan_mous.iter())
                .map(|l| (l.plan_id, l.mou_id))
                .collect();
            let shared = [
                Shared {
                    listed: &activities,
                    listed_by: &parts.activity_plans,
                },
                Shared {
                    listed: &mous,
                    listed_by: &parts.mou_plans,
                },
            ];
            related_plans(conn, scope, &shared).await?
        } else {
            HashMap::new()
        };
        let mut batch = parts.assemble(scope, &self.codes, plans);
        batch.related = related;
        Ok(Some(batch))
    }
}

/// Every row of one batch, table by table, before assembly.
struct Parts {
    partners: Vec<plan_partner_city::Model>,
    participants: Vec<plan_participant::Model>,
    themes: Vec<theme::Model>,
    statements: Vec<statement::Model>,
    goals: Vec<plan_sdg_goal::Model>,
    targets: Vec<plan_sdg_target::Model>,
    agenda: Vec<plan_urban_agenda::Model>,
    results: Vec<expected_result::Model>,
    result_cities: Vec<expected_result_city::Model>,
    result_organizations: Vec<expected_result_organization::Model>,
    contacts: Vec<contact::Model>,
    issues: Vec<data_issue::Model>,
    sources: HashMap<i64, source_document::Model>,
    plan_activities: Vec<plan_activity::Model>,
    activities: HashMap<i64, activity::Model>,
    /// Every plan that lists each activity (not only this batch's): who reads its private note.
    activity_plans: HashMap<i64, Vec<i64>>,
    activity_cities: Vec<activity_city::Model>,
    activity_organizations: Vec<activity_organization::Model>,
    plan_mous: Vec<plan_mou::Model>,
    mous: HashMap<i64, mou::Model>,
    mou_plans: HashMap<i64, Vec<i64>>,
    parties: Vec<mou_party::Model>,
    /// The latest change-feed entry of each plan.
    last_events: HashMap<i64, DateTime<Utc>>,
    cities: HashMap<i64, city::Model>,
    organizations: HashMap<i64, organization::Model>,
}

impl Parts {
    async fn load<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        plans: &[plan::Model],
    ) -> Result<Self, DbErr> {
        let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        macro_rules! of_plans {
            ($e:ident $(, $order:ident)*) => {
                $e::Entity::find()
                    .filter($e::Column::PlanId.is_in(ids.clone()))
                    .order_by_asc($e::Column::PlanId)
                    $(.order_by_asc($e::Column::$order))*
                    .all(conn)
                    .await?
            };
        }
        let partners = of_plans!(plan_partner_city, Position);
        let participants = of_plans!(plan_participant, OrganizationId);
        let themes = of_plans!(theme, Position);
        let statements = of_plans!(statement, Kind, Position);
        let goals = of_plans!(plan_sdg_goal, GoalNumber);
        let targets = of_plans!(plan_sdg_target, TargetCode);
        let agenda = of_plans!(plan_urban_agenda, PartnershipId);
        let results = of_plans!(expected_result, Position);
        let result_ids: Vec<i64> = results.iter().map(|r| r.id).collect();
        let result_cities = expected_result_city::Entity::find()
            .filter(expected_result_city::Column::ExpectedResultId.is_in(result_ids.clone()))
            .order_by_asc(expected_result_city::Column::ExpectedResultId)
            .order_by_asc(expected_result_city::Column::CityId)
            .all(conn)
            .await?;
        let result_organizations = expected_result_organization::Entity::find()
            .filter(expected_result_organization::Column::ExpectedResultId.is_in(result_ids))
            .order_by_asc(expected_result_organization::Column::ExpectedResultId)
            .order_by_asc(expected_result_organization::Column::OrganizationId)
            .all(conn)
            .await?;
        let contacts = contact::Entity::find()
            .filter(contact::Column::PlanId.is_in(ids.clone()))
            .filter(contact::Entity::readable(scope))
            .order_by_asc(contact::Column::PlanId)
            .order_by_asc(contact::Column::Id)
            .all(conn)
            .await?;
        let issues = data_issue::Entity::find()
            .filter(data_issue::Column::PlanId.is_in(ids.clone()))
            .filter(data_issue::Entity::readable(scope))
            .order_by_asc(data_issue::Column::PlanId)
            .order_by_asc(data_issue::Column::Id)
            .all(conn)
            .await?;
        let source_ids: BTreeSet<i64> = plans.iter().filter_map(|p| p.source_document_id).collect();
        let sources = source_document::Entity::find()
            .filter(source_document::Column::Id.is_in(source_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();

        let plan_activities = of_plans!(plan_activity, Position, ActivityId);
        let listed: BTreeSet<i64> = plan_activities.iter().map(|l| l.activity_id).collect();
        let activities: HashMap<i64, activity::Model> = activity::Entity::find()
            .filter(activity::Column::Id.is_in(listed))
            .filter(activity_of_readable_plan(scope))
            .all(conn)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let activity_ids: Vec<i64> = activities.keys().copied().collect();
        let mut activity_plans: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in plan_activity::Entity::find()
            .filter(plan_activity::Column::ActivityId.is_in(activity_ids.clone()))
            .all(conn)
            .await?
        {
            activity_plans
                .entry(link.activity_id)
                .or_default()
                .push(link.plan_id);
        }
        let activity_cities = activity_city::Entity::find()
            .filter(activity_city::Column::ActivityId.is_in(activity_ids.clone()))
            .order_by_asc(activity_city::Column::ActivityId)
            .order_by_asc(activity_city::Column::CityId)
            .all(conn)
            .await?;
        let activity_organizations = activity_organization::Entity::find()
            .filter(activity_organization::Column::ActivityId.is_in(activity_ids))
            .order_by_asc(activity_organization::Column::ActivityId)
            .order_by_asc(activity_organization::Column::OrganizationId)
            .all(conn)
            .await?;

        let plan_mous = of_plans!(plan_mou, MouId);
        let listed: BTreeSet<i64> = plan_mous.iter().map(|l| l.mou_id).collect();
        let mous: HashMap<i64, mou::Model> = mou::Entity::find()
            .filter(mou::Column::Id.is_in(listed))
            .filter(mou_of_readable_plan(scope))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mou_ids: Vec<i64> = mous.keys().copied().collect();
        let mut mou_plans: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in plan_mou::Entity::find()
            .filter(plan_mou::Column::MouId.is_in(mou_ids.clone()))
            .all(conn)
            .await?
        {
            mou_plans.entry(link.mou_id).or_default().push(link.plan_id);
        }
        let parties = mou_party::Entity::find()
            .filter(mou_party::Column::MouId.is_in(mou_ids))
            .order_by_asc(mou_party::Column::MouId)
            .order_by_asc(mou_party::Column::Position)
            .all(conn)
            .await?;

        let last_events = change_event_plan::Entity::find()
            .select_only()
            .column(change_event_plan::Column::PlanId)
            .expr(Expr::col((change_event::Entity, change_event::Column::At)).max())
            .inner_join(change_event::Entity)
            .filter(change_event_plan::Column::PlanId.is_in(ids.clone()))
            .group_by(change_event_plan::Column::PlanId)
            .into_tuple::<(i64, Option<DateTime<Utc>>)>()
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|(plan, at)| Some((plan, at?)))
            .collect();

        let mut city_ids: BTreeSet<i64> = plans.iter().map(|p| p.focal_city_id).collect();
        city_ids.extend(partners.iter().map(|p| p.city_id));
        city_ids.extend(result_cities.iter().map(|r| r.city_id));
        city_ids.extend(activities.values().filter_map(|a| a.place_city_id));
        city_ids.extend(activity_cities.iter().map(|a| a.city_id));
        city_ids.extend(parties.iter().filter_map(|p| p.city_id));
        let mut organization_ids: BTreeSet<i64> =
            participants.iter().map(|p| p.organization_id).collect();
        organization_ids.extend(result_organizations.iter().map(|r| r.organization_id));
        organization_ids.extend(activity_organizations.iter().map(|a| a.organization_id));
        organization_ids.extend(parties.iter().filter_map(|p| p.organization_id));
        let organizations: HashMap<i64, organization::Model> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(organization_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        city_ids.extend(organizations.values().filter_map(|o| o.city_id));
        let cities = city::Entity::find()
            .filter(city::Column::Id.is_in(city_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();

        Ok(Self {
            partners,
            participants,
            themes,
            statements,
            goals,
            targets,
            agenda,
            results,
            result_cities,
            result_organizations,
            contacts,
            issues,
            sources,
            plan_activities,
            activities,
            activity_plans,
            activity_cities,
            activity_organizations,
            plan_mous,
            mous,
            mou_plans,
            parties,
            last_events,
            cities,
            organizations,
        })
    }

    fn city(&self, id: i64) -> doc::Ref {
        doc::Ref {
            id,
            name: self
                .cities
                .get(&id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        }
    }

    fn organization(&self, id: i64) -> doc::Ref {
        doc::Ref {
            id,
            name: self
                .organizations
                .get(&id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        }
    }

    fn assemble(self, scope: &Scope, codes: &Codes, plans: Vec<plan::Model>) -> PlanBatch {
        let group = |keys: Vec<i64>| -> BTreeMap<i64, Vec<usize>> {
            let mut map: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
            for (i, k) in keys.into_iter().enumerate() {
                map.entry(k).or_default().push(i);
            }
            map
        };
        let result_cities = group(
            self.result_cities
                .iter()
                .map(|r| r.expected_result_id)
                .collect(),
        );
        let result_orgs = group(
            self.result_organizations
                .iter()
                .map(|r| r.expected_result_id)
                .collect(),
        );
        let activity_cities = group(self.activity_cities.iter().map(|a| a.activity_id).collect());
        let activity_orgs = group(
            self.activity_organizations
                .iter()
                .map(|a| a.activity_id)
                .collect(),
        );
        let parties = group(self.parties.iter().map(|p| p.mou_id).collect());
        let mut out = Vec::with_capacity(plans.len());
        for p in plans {
            let pid = p.id;
            let private = scope.reads_private_of(pid);
            let mut last = p.updated_at;
            let mut bump = |at: DateTime<Utc>| last = Ord::max(last, at);
            let themes: Vec<doc::Theme> = self
                .themes
                .iter()
                .filter(|t| t.plan_id == pid)
                .map(|t| {
                    bump(t.updated_at);
                    doc::Theme {
                        id: t.id,
                        position: t.position,
                        title: t.title.clone(),
                        description: t.description.clone(),
                        created_at: t.created_at,
                        updated_at: t.updated_at,
                        version: t.version,
                    }
                })
                .collect();
            let statements: Vec<doc::Statement> = self
                .statements
                .iter()
                .filter(|s| s.plan_id == pid)
                .map(|s| {
                    bump(s.updated_at);
                    doc::Statement {
                        id: s.id,
                        kind: s.kind,
                        position: s.position,
                        title: s.title.clone(),
                        text: s.text.clone(),
                        created_at: s.created_at,
                        updated_at: s.updated_at,
                        version: s.version,
                    }
                })
                .collect();
            let participants: Vec<doc::Participant> = self
                .participants
                .iter()
                .filter(|x| x.plan_id == pid)
                .map(|x| {
                    bump(x.updated_at);
                    doc::Participant {
                        organization: self.organization(x.organization_id),
                        role: x.role,
                        created_at: x.created_at,
                        updated_at: x.updated_at,
                        version: x.version,
                    }
                })
                .collect();
            let expected_results: Vec<doc::ExpectedResult> = self
                .results
                .iter()
                .filter(|r| r.plan_id == pid)
                .map(|r| {
                    bump(r.updated_at);
                    doc::ExpectedResult {
                        id: r.id,
                        position: r.position,
                        kind: r.kind,
                        description: r.description.clone(),
                        cities: result_cities
                            .get(&r.id)
                            .into_iter()
                            .flatten()
                            .map(|&i| self.city(self.result_cities[i].city_id))
                            .collect(),
                        organizations: result_orgs
                            .get(&r.id)
                            .into_iter()
                            .flatten()
                            .map(|&i| {
                                self.organization(self.result_organizations[i].organization_id)
                            })
                            .collect(),
                        created_at: r.created_at,
                        updated_at: r.updated_at,
                        version: r.version,
                    }
                })
                .collect();
            let contacts: Vec<doc::Contact> = self
                .contacts
                .iter()
                .filter(|c| c.plan_id == pid)
                .map(|c| {
                    bump(c.updated_at);
                    doc::Contact {
                        id: c.id,
                        email: c.email.clone(),
                        label: c.label.clone(),
                        created_at: c.created_at,
                        updated_at: c.updated_at,
                        version: c.version,
                    }
                })
                .collect();
            let data_issues: Vec<doc::DataIssue> = self
                .issues
                .iter()
                .filter(|i| i.plan_id == Some(pid))
                .map(|i| {
                    bump(i.updated_at);
                    data_issue_doc(i)
                })
                .collect();
            let activities: Vec<doc::Activity> = self
                .plan_activities
                .iter()
                .filter(|l| l.plan_id == pid)
                .filter_map(|l| Some((l.position, self.activities.get(&l.activity_id)?)))
                .map(|(position, a)| {
                    bump(a.updated_at);
                    let plans = self.activity_plans.get(&a.id).cloned().unwrap_or_default();
                    doc::Activity {
                        id: a.id,
                        position,
                        title: a.title.clone(),
                        description: a.description.clone(),
                        kind: a.kind,
                        date: doc::PartialDate {
                            text: a.date_text.clone(),
                            precision: a.date_precision,
                            start: a.date_start,
                            end: a.date_end,
                        },
                        place_text: a.place_text.clone(),
                        place_city: a.place_city_id.map(|c| self.city(c)),
                        cities: activity_cities
                            .get(&a.id)
                            .into_iter()
                            .flatten()
                            .map(|&i| self.city(self.activity_cities[i].city_id))
                            .collect(),
                        organizations: activity_orgs
                            .get(&a.id)
                            .into_iter()
                            .flatten()
                            .map(|&i| {
                                self.organization(self.activity_organizations[i].organization_id)
                            })
                            .collect(),
                        draft: a.draft,
                        internal_note: scope
                            .private(a.internal_note.as_deref(), plans)
                            .map(str::to_owned),
                        fingerprint: a.fingerprint.clone(),
                        created_at: a.created_at,
                        updated_at: a.updated_at,
                        version: a.version,
                    }
                })
                .collect();
            let mous: Vec<doc::Mou> = self
                .plan_mous
                .iter()
                .filter(|l| l.plan_id == pid)
                .filter_map(|l| Some((l.expected_result_id, self.mous.get(&l.mou_id)?)))
                .map(|(expected_result_id, m)| {
                    bump(m.updated_at);
                    let plans = self.mou_plans.get(&m.id).cloned().unwrap_or_default();
                    doc::Mou {
                        id: m.id,
                        subject: m.subject.clone(),
                        status: m.status,
                        signed_on: m.signed_on,
                        document_url: m.document_url.clone(),
                        parties: parties
                            .get(&m.id)
                            .into_iter()
                            .flatten()
                            .map(|&i| {
                                let party = &self.parties[i];
                                doc::MouParty {
                                    position: party.position,
                                    city: party.city_id.map(|c| self.city(c)),
                                    organization: party
                                        .organization_id
                                        .map(|o| self.organization(o)),
                                }
                            })
                            .collect(),
                        expected_result_id,
                        draft: m.draft,
                        internal_note: scope
                            .private(m.internal_note.as_deref(), plans)
                            .map(str::to_owned),
                        fingerprint: m.fingerprint.clone(),
                        created_at: m.created_at,
                        updated_at: m.updated_at,
                        version: m.version,
                    }
                })
                .collect();
            if let Some(&at) = self.last_events.get(&pid) {
                bump(at);
            }
            out.push(doc::Plan {
                id: pid,
                slug: p.slug,
                title: p.title,
                status: p.status,
                focal_city: self.city(p.focal_city_id),
                period: doc::PartialDate {
                    text: p.period_text,
                    precision: p.period_precision,
                    start: p.period_start,
                    end: p.period_end,
                },
                period_context: p.period_context,
                last_updated_at: last,
                created_at: p.created_at,
                updated_at: p.updated_at,
                version: p.version,
                internal_note: p.internal_note.filter(|_| private),
                source_document: p
                    .source_document_id
                    .and_then(|id| self.sources.get(&id))
                    .map(|s| doc::SourceDocument {
                        id: s.id,
                        file_name: s.file_name.clone(),
                        sha256: s.sha256.clone(),
                        byte_size: s.byte_size,
                        format: s.format.clone(),
                        imported_at: s.imported_at,
                    }),
                partner_cities: self
                    .partners
                    .iter()
                    .filter(|x| x.plan_id == pid)
                    .map(|x| self.city(x.city_id))
                    .collect(),
                participants,
                themes,
                statements,
                sdg_goals: self
                    .goals
                    .iter()
                    .filter(|g| g.plan_id == pid)
                    .map(|g| doc::SdgGoalLink {
                        goal: g.goal_number,
                        title: codes
                            .goal_titles
                            .get(&g.goal_number)
                            .cloned()
                            .unwrap_or_default(),
                        theme_id: g.theme_id,
                        published_text: g.published_text.clone(),
                    })
                    .collect(),
                sdg_targets: self
                    .targets
                    .iter()
                    .filter(|t| t.plan_id == pid)
                    .map(|t| doc::SdgTargetLink {
                        target: t.target_code.clone(),
                        theme_id: t.theme_id,
                        published_text: t.published_text.clone(),
                    })
                    .collect(),
                urban_agenda: self
                    .agenda
                    .iter()
                    .filter(|u| u.plan_id == pid)
                    .map(|u| {
                        let (key, name) = codes
                            .partnerships
                            .get(&u.partnership_id)
                            .cloned()
                            .unwrap_or_default();
                        doc::UrbanAgendaLink {
                            partnership: key,
                            name,
                            theme_id: u.theme_id,
                            published_text: u.published_text.clone(),
                        }
                    })
                    .collect(),
                expected_results,
                activities,
                mous,
                contacts,
                data_issues,
            });
        }
        PlanBatch {
            plans: out,
            cities: self.cities,
            organizations: self.organizations,
            related: HashMap::new(),
        }
    }
}

pub fn data_issue_doc(i: &data_issue::Model) -> doc::DataIssue {
    doc::DataIssue {
        id: i.id,
        entity: i.entity,
        entity_id: i.entity_id,
        field: i.field.clone(),
        severity: i.severity,
        code: i.code.clone(),
        message: i.message.clone(),
        published_value: i.published_value.clone(),
        internal: i.internal,
        created_at: i.created_at,
        updated_at: i.updated_at,
        version: i.version,
    }
}

/// A city with its other names, as the document lists it.
pub fn city_doc(c: city::Model, names: Vec<city_name::Model>) -> doc::City {
    doc::City {
        id: c.id,
        name: c.name,
        native_name: c.native_name,
        kind: c.kind,
        region: c.region,
        country_code: c.country_code,
        geonames_id: c.geonames_id,
        latitude: c.latitude,
        longitude: c.longitude,
        population: c.population,
        population_text: c.population_text,
        population_year: c.population_year,
        population_source: c.population_source,
        area_km2: c.area_km2,
        area_text: c.area_text,
        names: names
            .into_iter()
            .map(|n| doc::CityName {
                name: n.name,
                script: n.script,
                kind: n.kind,
            })
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        version: c.version,
    }
}

pub fn organization_doc(o: organization::Model) -> doc::Organization {
    doc::Organization {
        id: o.id,
        name: o.name,
        kind: o.kind,
        city_id: o.city_id,
        website: o.website,
        created_at: o.created_at,
        updated_at: o.updated_at,
        version: o.version,
    }
}
