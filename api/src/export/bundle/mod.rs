//! Reads plans for an export in batches: a batch is a few dozen plans with every record they hold
//! and the cities and organizations those records name, loaded with one query per table. Memory is
//! bounded by the batch, never by the number of plans; the rows a caller may not read are filtered
//! by the same policy conditions the GraphQL resolvers use.

mod assemble;
pub mod flat;
pub(crate) mod lists;
mod parts;
mod records;
mod since;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::document as doc;
use super::related::{Shared, related_plans};
use crate::auth::policy::{Guarded, Scope};
use entity::{city, city_name, organization, plan, sdg_goal, urban_agenda_partnership};
use parts::Parts;
pub use records::{city_doc, data_issue_doc, organization_doc};
pub use since::changed_since;

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
            cond = cond.add(changed_since(&self.scope, since));
        }
        cond
    }
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

/// The other names of these cities, city by city in id order.
pub async fn city_names<C: ConnectionTrait>(
    conn: &C,
    cities: impl IntoIterator<Item = i64>,
) -> Result<Vec<city_name::Model>, DbErr> {
    let query = city_name::Entity::find()
        .order_by_asc(city_name::Column::CityId)
        .order_by_asc(city_name::Column::Id);
    lists::rows_in(conn, query, city_name::Column::CityId, cities).await
}
