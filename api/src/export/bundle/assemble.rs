//! One batch's rows put together as the document's plans.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::parts::Parts;
use super::{Codes, PlanBatch, data_issue_doc};
use crate::auth::policy::Scope;
use crate::export::document as doc;
use entity::plan;

impl Parts {
    pub(super) fn assemble(
        self,
        scope: &Scope,
        codes: &Codes,
        plans: Vec<plan::Model>,
    ) -> PlanBatch {
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
            // A caller who does not read the plan's private data dates it by what it sees (see
            // `since`): `updated_at` of the plan, its activities and MoUs moves with private edits,
            // their `created_at` and the feed entries it reads do not.
            let mut last = if private { p.updated_at } else { p.created_at };
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
                    bump(if private { a.updated_at } else { a.created_at });
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
                    bump(if private { m.updated_at } else { m.created_at });
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
