//! The rows of one batch of plans, one query per table.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::lists::{fixed_lists, rows_in};
use crate::auth::policy::{Guarded, Scope, activity_of_readable_plan, mou_of_readable_plan};
use crate::export::document as doc;
use entity::{
    activity, activity_city, activity_organization, change_event, change_event_plan, city, contact,
    data_issue, expected_result, expected_result_city, expected_result_organization, mou,
    mou_party, organization, plan, plan_activity, plan_mou, plan_participant, plan_partner_city,
    plan_sdg_goal, plan_sdg_target, plan_urban_agenda, source_document, statement, theme,
};

/// Every row of one batch, table by table, before assembly.
pub(super) struct Parts {
    pub(super) partners: Vec<plan_partner_city::Model>,
    pub(super) participants: Vec<plan_participant::Model>,
    pub(super) themes: Vec<theme::Model>,
    pub(super) statements: Vec<statement::Model>,
    pub(super) goals: Vec<plan_sdg_goal::Model>,
    pub(super) targets: Vec<plan_sdg_target::Model>,
    pub(super) agenda: Vec<plan_urban_agenda::Model>,
    pub(super) results: Vec<expected_result::Model>,
    /// Expected result id → its cities' ids, in id order (and so for the other links).
    pub(super) result_cities: HashMap<i64, Vec<i64>>,
    pub(super) result_organizations: HashMap<i64, Vec<i64>>,
    pub(super) contacts: Vec<contact::Model>,
    pub(super) issues: Vec<data_issue::Model>,
    pub(super) sources: HashMap<i64, source_document::Model>,
    pub(super) plan_activities: Vec<plan_activity::Model>,
    pub(super) activities: HashMap<i64, activity::Model>,
    /// Every plan that lists each activity (not only this batch's): who reads its private note.
    pub(super) activity_plans: HashMap<i64, Vec<i64>>,
    pub(super) activity_cities: HashMap<i64, Vec<i64>>,
    pub(super) activity_organizations: HashMap<i64, Vec<i64>>,
    pub(super) plan_mous: Vec<plan_mou::Model>,
    pub(super) mous: HashMap<i64, mou::Model>,
    pub(super) mou_plans: HashMap<i64, Vec<i64>>,
    /// MoU id → its parties in order.
    pub(super) parties: HashMap<i64, Vec<mou_party::Model>>,
    /// The latest change-feed entry of each plan that the caller may read.
    pub(super) last_events: HashMap<i64, DateTime<Utc>>,
    pub(super) cities: HashMap<i64, city::Model>,
    pub(super) organizations: HashMap<i64, organization::Model>,
}

impl Parts {
    pub(super) async fn load<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        plans: &[plan::Model],
    ) -> Result<Self, DbErr> {
        let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        macro_rules! of_plans {
            ($e:ident $(, $order:ident)*) => {
                rows_in(
                    conn,
                    $e::Entity::find()
                        .order_by_asc($e::Column::PlanId)
                        $(.order_by_asc($e::Column::$order))*,
                    $e::Column::PlanId,
                    ids.iter().copied(),
                )
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
        let result_cities = rows_in(
            conn,
            expected_result_city::Entity::find()
                .order_by_asc(expected_result_city::Column::ExpectedResultId)
                .order_by_asc(expected_result_city::Column::CityId),
            expected_result_city::Column::ExpectedResultId,
            result_ids.iter().copied(),
        )
        .await?;
        let result_organizations = rows_in(
            conn,
            expected_result_organization::Entity::find()
                .order_by_asc(expected_result_organization::Column::ExpectedResultId)
                .order_by_asc(expected_result_organization::Column::OrganizationId),
            expected_result_organization::Column::ExpectedResultId,
            result_ids.iter().copied(),
        )
        .await?;
        let contacts = rows_in(
            conn,
            contact::Entity::find()
                .filter(contact::Entity::readable(scope))
                .order_by_asc(contact::Column::PlanId)
                .order_by_asc(contact::Column::Id),
            contact::Column::PlanId,
            ids.iter().copied(),
        )
        .await?;
        let issues = rows_in(
            conn,
            data_issue::Entity::find()
                .filter(data_issue::Entity::readable(scope))
                .order_by_asc(data_issue::Column::PlanId)
                .order_by_asc(data_issue::Column::Id),
            data_issue::Column::PlanId,
            ids.iter().copied(),
        )
        .await?;
        let source_ids: BTreeSet<i64> = plans.iter().filter_map(|p| p.source_document_id).collect();
        let sources = rows_in(
            conn,
            source_document::Entity::find(),
            source_document::Column::Id,
            source_ids.iter().copied(),
        )
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();

        let plan_activities = of_plans!(plan_activity, Position, ActivityId);
        let listed: BTreeSet<i64> = plan_activities.iter().map(|l| l.activity_id).collect();
        let activities: HashMap<i64, activity::Model> = rows_in(
            conn,
            activity::Entity::find().filter(activity_of_readable_plan(scope)),
            activity::Column::Id,
            listed.iter().copied(),
        )
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
        let activity_ids: Vec<i64> = activities.keys().copied().collect();
        let mut activity_plans: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in rows_in(
            conn,
            plan_activity::Entity::find(),
            plan_activity::Column::ActivityId,
            activity_ids.iter().copied(),
        )
        .await?
        {
            activity_plans
                .entry(link.activity_id)
                .or_default()
                .push(link.plan_id);
        }
        let activity_cities = rows_in(
            conn,
            activity_city::Entity::find()
                .order_by_asc(activity_city::Column::ActivityId)
                .order_by_asc(activity_city::Column::CityId),
            activity_city::Column::ActivityId,
            activity_ids.iter().copied(),
        )
        .await?;
        let activity_organizations = rows_in(
            conn,
            activity_organization::Entity::find()
                .order_by_asc(activity_organization::Column::ActivityId)
                .order_by_asc(activity_organization::Column::OrganizationId),
            activity_organization::Column::ActivityId,
            activity_ids.iter().copied(),
        )
        .await?;

        let plan_mous = of_plans!(plan_mou, MouId);
        let listed: BTreeSet<i64> = plan_mous.iter().map(|l| l.mou_id).collect();
        let mous: HashMap<i64, mou::Model> = rows_in(
            conn,
            mou::Entity::find().filter(mou_of_readable_plan(scope)),
            mou::Column::Id,
            listed.iter().copied(),
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
        let mou_ids: Vec<i64> = mous.keys().copied().collect();
        let mut mou_plans: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in rows_in(
            conn,
            plan_mou::Entity::find(),
            plan_mou::Column::MouId,
            mou_ids.iter().copied(),
        )
        .await?
        {
            mou_plans.entry(link.mou_id).or_default().push(link.plan_id);
        }
        let parties = rows_in(
            conn,
            mou_party::Entity::find()
                .order_by_asc(mou_party::Column::MouId)
                .order_by_asc(mou_party::Column::Position),
            mou_party::Column::MouId,
            mou_ids.iter().copied(),
        )
        .await?;

        let mut last_events = HashMap::new();
        for list in fixed_lists(ids.iter().copied()) {
            let latest = change_event_plan::Entity::find()
                .select_only()
                .column(change_event_plan::Column::PlanId)
                .expr(Expr::col((change_event::Entity, change_event::Column::At)).max())
                .inner_join(change_event::Entity)
                .filter(change_event_plan::Column::PlanId.is_in(list))
                .filter(change_event::Entity::readable(scope))
                .group_by(change_event_plan::Column::PlanId)
                .into_tuple::<(i64, Option<DateTime<Utc>>)>()
                .all(conn)
                .await?;
            last_events.extend(
                latest
                    .into_iter()
                    .filter_map(|(plan, at)| Some((plan, at?))),
            );
        }

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
        let organizations: HashMap<i64, organization::Model> = rows_in(
            conn,
            organization::Entity::find(),
            organization::Column::Id,
            organization_ids.iter().copied(),
        )
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
        city_ids.extend(organizations.values().filter_map(|o| o.city_id));
        let cities = rows_in(
            conn,
            city::Entity::find(),
            city::Column::Id,
            city_ids.iter().copied(),
        )
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
            result_cities: grouped(result_cities, |r| (r.expected_result_id, r.city_id)),
            result_organizations: grouped(result_organizations, |r| {
                (r.expected_result_id, r.organization_id)
            }),
            contacts,
            issues,
            sources,
            plan_activities,
            activities,
            activity_plans,
            activity_cities: grouped(activity_cities, |a| (a.activity_id, a.city_id)),
            activity_organizations: grouped(activity_organizations, |a| {
                (a.activity_id, a.organization_id)
            }),
            plan_mous,
            mous,
            mou_plans,
            parties: grouped(parties, |p| (p.mou_id, p)),
            last_events,
            cities,
            organizations,
        })
    }

    pub(super) fn city(&self, id: i64) -> doc::Ref {
        doc::Ref {
            id,
            name: self
                .cities
                .get(&id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        }
    }

    pub(super) fn organization(&self, id: i64) -> doc::Ref {
        doc::Ref {
            id,
            name: self
                .organizations
                .get(&id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        }
    }
}

/// `rows` as key → values, each list in the order the rows came.
fn grouped<R, T>(rows: Vec<R>, pair: impl Fn(R) -> (i64, T)) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        let (key, value) = pair(row);
        map.entry(key).or_default().push(value);
    }
    map
}
