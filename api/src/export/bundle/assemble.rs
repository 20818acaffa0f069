//! One batch's rows put together as the document's plans: a function per record that names other
//! records (cities and organizations by name, the caller's view of private fields); the records
//! that stand alone are in [`super::records`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::parts::Parts;
use super::records::{
    contact, data_issue_doc, sdg_goal, sdg_target, source_document, statement, theme, urban_agenda,
};
use super::{Codes, PlanBatch};
use crate::auth::policy::Scope;
use crate::export::document as doc;
use entity::{expected_result, plan, plan_activity, plan_mou, plan_participant};

impl Parts {
    pub(super) fn assemble(
        self,
        scope: &Scope,
        codes: &Codes,
        plans: Vec<plan::Model>,
    ) -> PlanBatch {
        let plans = (plans.into_iter())
            .map(|p| self.plan(scope, codes, p))
            .collect();
        PlanBatch {
            plans,
            cities: self.cities,
            organizations: self.organizations,
            related: HashMap::new(),
        }
    }

    fn plan(&self, scope: &Scope, codes: &Codes, p: plan::Model) -> doc::Plan {
        let id = p.id;
        let private = scope.reads_private_of(id);
        let mut plan = doc::Plan {
            id,
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
            // Dated below, once its records are in.
            last_updated_at: p.updated_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            internal_note: p.internal_note.filter(|_| private),
            source_document: (p.source_document_id)
                .and_then(|s| self.sources.get(&s))
                .map(source_document),
            partner_cities: (self.partners.iter().filter(|x| x.plan_id == id))
                .map(|x| self.city(x.city_id))
                .collect(),
            participants: (self.participants.iter().filter(|x| x.plan_id == id))
                .map(|x| self.participant(x))
                .collect(),
            themes: (self.themes.iter().filter(|t| t.plan_id == id))
                .map(theme)
                .collect(),
            statements: (self.statements.iter().filter(|s| s.plan_id == id))
                .map(statement)
                .collect(),
            sdg_goals: (self.goals.iter().filter(|g| g.plan_id == id))
                .map(|g| sdg_goal(codes, g))
                .collect(),
            sdg_targets: (self.targets.iter().filter(|t| t.plan_id == id))
                .map(sdg_target)
                .collect(),
            urban_agenda: (self.agenda.iter().filter(|u| u.plan_id == id))
                .map(|u| urban_agenda(codes, u))
                .collect(),
            expected_results: (self.results.iter().filter(|r| r.plan_id == id))
                .map(|r| self.expected_result(r))
                .collect(),
            activities: (self.plan_activities.iter().filter(|l| l.plan_id == id))
                .filter_map(|l| self.activity(scope, l))
                .collect(),
            mous: (self.plan_mous.iter().filter(|l| l.plan_id == id))
                .filter_map(|l| self.mou(scope, l))
                .collect(),
            contacts: (self.contacts.iter().filter(|c| c.plan_id == id))
                .map(contact)
                .collect(),
            data_issues: (self.issues.iter().filter(|i| i.plan_id == Some(id)))
                .map(data_issue_doc)
                .collect(),
        };
        plan.last_updated_at = last_updated(&plan, private, self.last_events.get(&id).copied());
        plan
    }

    fn participant(&self, x: &plan_participant::Model) -> doc::Participant {
        doc::Participant {
            organization: self.organization(x.organization_id),
            role: x.role,
            created_at: x.created_at,
            updated_at: x.updated_at,
            version: x.version,
        }
    }

    fn expected_result(&self, r: &expected_result::Model) -> doc::ExpectedResult {
        doc::ExpectedResult {
            id: r.id,
            position: r.position,
            kind: r.kind,
            description: r.description.clone(),
            cities: self.cities_of(&self.result_cities, r.id),
            organizations: self.organizations_of(&self.result_organizations, r.id),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }

    /// The activity `link` lists, as its plan lists it (`None`: one the caller may not read).
    fn activity(&self, scope: &Scope, link: &plan_activity::Model) -> Option<doc::Activity> {
        let a = self.activities.get(&link.activity_id)?;
        let plans = self
            .activity_plans
            .get(&a.id)
            .into_iter()
            .flatten()
            .copied();
        let listing = doc::Listing {
            position: link.position,
            place_city: a.place_city_id.map(|c| self.city(c)),
            cities: self.cities_of(&self.activity_cities, a.id),
            organizations: self.organizations_of(&self.activity_organizations, a.id),
            reads_private: scope.reads_private_of_any(plans),
        };
        Some(doc::Activity::from_row(a, listing))
    }

    /// The MoU `link` lists, as its plan lists it (`None`: one the caller may not read).
    fn mou(&self, scope: &Scope, link: &plan_mou::Model) -> Option<doc::Mou> {
        let m = self.mous.get(&link.mou_id)?;
        let plans = self.mou_plans.get(&m.id).into_iter().flatten().copied();
        Some(doc::Mou {
            id: m.id,
            subject: m.subject.clone(),
            status: m.status,
            signed_on: m.signed_on,
            document_url: m.document_url.clone(),
            parties: (self.parties.get(&m.id).into_iter().flatten())
                .map(|party| doc::MouParty {
                    position: party.position,
                    city: party.city_id.map(|c| self.city(c)),
                    organization: party.organization_id.map(|o| self.organization(o)),
                })
                .collect(),
            expected_result_id: link.expected_result_id,
            draft: m.draft,
            internal_note: (scope.private(m.internal_note.as_deref(), plans)).map(str::to_owned),
            fingerprint: m.fingerprint.clone(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }

    /// The cities `links` holds for record `id`.
    fn cities_of(&self, links: &HashMap<i64, Vec<i64>>, id: i64) -> Vec<doc::Ref> {
        let ids = links.get(&id).into_iter().flatten();
        ids.map(|&c| self.city(c)).collect()
    }

    /// The organizations `links` holds for record `id`.
    fn organizations_of(&self, links: &HashMap<i64, Vec<i64>>, id: i64) -> Vec<doc::Ref> {
        let ids = links.get(&id).into_iter().flatten();
        ids.map(|&o| self.organization(o)).collect()
    }
}

/// The latest change to `plan` or its records that its reader sees, the plan's latest change-feed
/// entry (`event`) included. A caller who does not read the plan's private data dates it by what it
/// sees (see `since`): `updated_at` of the plan, its activities and MoUs moves with private edits,
/// their `created_at` does not.
fn last_updated(plan: &doc::Plan, private: bool, event: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let seen = |created, updated| if private { updated } else { created };
    let p = plan;
    (p.themes.iter().map(|t| t.updated_at))
        .chain(p.statements.iter().map(|s| s.updated_at))
        .chain(p.participants.iter().map(|x| x.updated_at))
        .chain(p.expected_results.iter().map(|r| r.updated_at))
        .chain(p.contacts.iter().map(|c| c.updated_at))
        .chain(p.data_issues.iter().map(|i| i.updated_at))
        .chain(
            p.activities
                .iter()
                .map(|a| seen(a.created_at, a.updated_at)),
        )
        .chain(p.mous.iter().map(|m| seen(m.created_at, m.updated_at)))
        .chain(event)
        .fold(seen(p.created_at, p.updated_at), Ord::max)
}
