//! One plan of the document as rows: its own records, its links, and the activities and MoUs it
//! lists (inserted once however many plans list them).

use std::collections::HashSet;

use super::{FeedEntry, Walk, inconsistent, repeated, unknown};
use crate::export::document as doc;
use crate::import::backup::RestoreError;
use entity::{
    contact, expected_result, expected_result_city, expected_result_organization, plan,
    plan_participant, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda,
    source_document, statement, theme,
};

impl Walk<'_> {
    pub(super) fn plan(&mut self, p: &doc::Plan) -> Result<(), RestoreError> {
        let rec = format!("plan \"{}\"", p.slug);
        self.fresh("plan", p.id, &rec)?;
        self.unique("slug", p.slug.clone(), &rec)?;
        let focal_city_id = self.city_ref(&rec, p.focal_city.id)?;
        if let Some(s) = &p.source_document {
            self.source_document(&rec, s)?;
        }
        self.t.plans.push(plan::Model {
            id: p.id,
            slug: p.slug.clone(),
            title: p.title.clone(),
            status: p.status,
            focal_city_id,
            period_text: p.period.text.clone(),
            period_precision: p.period.precision,
            period_start: p.period.start,
            period_end: p.period.end,
            period_context: p.period_context.clone(),
            source_document_id: p.source_document.as_ref().map(|s| s.id),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            internal_note: p.internal_note.clone(),
        });
        if let Some(c) = repeated(&p.partner_cities, |c| c.id) {
            return Err(RestoreError::Duplicate {
                record: format!("{rec} partner city {}", c.id),
            });
        }
        for (i, c) in p.partner_cities.iter().enumerate() {
            self.t.partners.push(plan_partner_city::Model {
                plan_id: p.id,
                city_id: self.city_ref(&format!("{rec} partner city"), c.id)?,
                position: i16::try_from(i + 1).unwrap_or(i16::MAX),
            });
        }
        if let Some(x) = repeated(&p.participants, |x| x.organization.id) {
            return Err(RestoreError::Duplicate {
                record: format!("{rec} participant {}", x.organization.id),
            });
        }
        for x in &p.participants {
            self.t.participants.push(plan_participant::Model {
                plan_id: p.id,
                organization_id: self
                    .organization_ref(&format!("{rec} participant"), x.organization.id)?,
                role: x.role,
                created_at: x.created_at,
                updated_at: x.updated_at,
                version: x.version,
            });
        }
        self.themes_and_links(&rec, p)?;
        for s in &p.statements {
            self.fresh("statement", s.id, &format!("{rec} statement {}", s.id))?;
            self.t.statements.push(statement::Model {
                id: s.id,
                plan_id: p.id,
                kind: s.kind,
                position: s.position,
                title: s.title.clone(),
                text: s.text.clone(),
                created_at: s.created_at,
                updated_at: s.updated_at,
                version: s.version,
            });
        }
        let results = self.expected_results(&rec, p)?;
        for c in &p.contacts {
            self.fresh("contact", c.id, &format!("{rec} contact {}", c.id))?;
            self.t.contacts.push(contact::Model {
                id: c.id,
                plan_id: p.id,
                email: c.email.clone(),
                label: c.label.clone(),
                created_at: c.created_at,
                updated_at: c.updated_at,
                version: c.version,
            });
        }
        for i in &p.data_issues {
            self.data_issue(Some(p.id), &format!("{rec} data issue {}", i.id), i)?;
        }
        let mut listed = HashSet::new();
        for a in &p.activities {
            let record = format!("{rec} activity {}", a.id);
            if !listed.insert(a.id) {
                return Err(RestoreError::Duplicate { record });
            }
            self.activity(p.id, &record, a)?;
        }
        let mut listed = HashSet::new();
        for m in &p.mous {
            let record = format!("{rec} MoU {}", m.id);
            if !listed.insert(m.id) {
                return Err(RestoreError::Duplicate { record });
            }
            if let Some(r) = m.expected_result_id
                && !results.contains(&r)
            {
                return Err(inconsistent(
                    &record,
                    &format!("expected result {r} is not one of this plan's"),
                ));
            }
            self.mou(p.id, &record, m)?;
        }
        self.feed_entry(p);
        Ok(())
    }

    /// A source document may back several plans; each must tell it the same.
    fn source_document(&mut self, rec: &str, s: &doc::SourceDocument) -> Result<(), RestoreError> {
        let record = format!("{rec} source document {}", s.id);
        if let Some(seen) = self.sources.get(&s.id) {
            return if seen == s {
                Ok(())
            } else {
                Err(inconsistent(
                    &record,
                    "differs from another plan's copy of it",
                ))
            };
        }
        self.unique("sha256", s.sha256.clone(), &record)?;
        self.sources.insert(s.id, s.clone());
        self.t.source_documents.push(source_document::Model {
            id: s.id,
            file_name: s.file_name.clone(),
            sha256: s.sha256.clone(),
            byte_size: s.byte_size,
            format: s.format.clone(),
            imported_at: s.imported_at,
        });
        Ok(())
    }

    /// Themes, then the SDG and Urban Agenda links that may name one of them.
    fn themes_and_links(&mut self, rec: &str, p: &doc::Plan) -> Result<(), RestoreError> {
        let mut themes = HashSet::new();
        for t in &p.themes {
            self.fresh("theme", t.id, &format!("{rec} theme {}", t.id))?;
            themes.insert(t.id);
            self.t.themes.push(theme::Model {
                id: t.id,
                plan_id: p.id,
                position: t.position,
                title: t.title.clone(),
                description: t.description.clone(),
                created_at: t.created_at,
                updated_at: t.updated_at,
                version: t.version,
            });
        }
        let own_theme = |record: &str, theme: Option<i64>| match theme {
            Some(t) if !themes.contains(&t) => Err(inconsistent(
                record,
                &format!("theme {t} is not one of this plan's"),
            )),
            _ => Ok(()),
        };
        for g in &p.sdg_goals {
            let record = format!("{rec} SDG goal {}", g.goal);
            if !self.codes.goals.contains(&g.goal) {
                return Err(unknown(rec, "SDG goal", g.goal));
            }
            own_theme(&record, g.theme_id)?;
            self.t.sdg_goals.push(plan_sdg_goal::Model {
                plan_id: p.id,
                goal_number: g.goal,
                theme_id: g.theme_id,
                published_text: g.published_text.clone(),
            });
        }
        for t in &p.sdg_targets {
            let record = format!("{rec} SDG target {}", t.target);
            if !self.codes.targets.contains(&t.target) {
                return Err(unknown(rec, "SDG target", &t.target));
            }
            own_theme(&record, t.theme_id)?;
            self.t.sdg_targets.push(plan_sdg_target::Model {
                plan_id: p.id,
                target_code: t.target.clone(),
                theme_id: t.theme_id,
                published_text: t.published_text.clone(),
            });
        }
        for u in &p.urban_agenda {
            let record = format!("{rec} Urban Agenda partnership {}", u.partnership);
            let Some(&partnership_id) = self.codes.partnerships.get(&u.partnership) else {
                return Err(unknown(rec, "Urban Agenda partnership", &u.partnership));
            };
            own_theme(&record, u.theme_id)?;
            self.t.urban_agenda.push(plan_urban_agenda::Model {
                plan_id: p.id,
                partnership_id,
                theme_id: u.theme_id,
                published_text: u.published_text.clone(),
            });
        }
        Ok(())
    }

    /// The plan's expected results; returns their ids (what its MoUs may fulfil).
    fn expected_results(&mut self, rec: &str, p: &doc::Plan) -> Result<HashSet<i64>, RestoreError> {
        let mut ids = HashSet::new();
        for r in &p.expected_results {
            let record = format!("{rec} expected result {}", r.id);
            self.fresh("expected result", r.id, &record)?;
            ids.insert(r.id);
            for c in &r.cities {
                self.city_ref(&record, c.id)?;
                self.t.result_cities.push(expected_result_city::Model {
                    expected_result_id: r.id,
                    city_id: c.id,
                });
            }
            for o in &r.organizations {
                self.organization_ref(&record, o.id)?;
                self.t
                    .result_organizations
                    .push(expected_result_organization::Model {
                        expected_result_id: r.id,
                        organization_id: o.id,
                    });
            }
            self.t.results.push(expected_result::Model {
                id: r.id,
                plan_id: p.id,
                position: r.position,
                kind: r.kind,
                description: r.description.clone(),
                created_at: r.created_at,
                updated_at: r.updated_at,
                version: r.version,
            });
        }
        Ok(ids)
    }

    /// The export derives `lastUpdatedAt` from the records and the plan's change-feed entries; a
    /// plan whose date is later than all its records keeps it through a feed entry of that date.
    fn feed_entry(&mut self, p: &doc::Plan) {
        let records = [p.updated_at]
            .into_iter()
            .chain(p.participants.iter().map(|x| x.updated_at))
            .chain(p.themes.iter().map(|x| x.updated_at))
            .chain(p.statements.iter().map(|x| x.updated_at))
            .chain(p.expected_results.iter().map(|x| x.updated_at))
            .chain(p.contacts.iter().map(|x| x.updated_at))
            .chain(p.data_issues.iter().map(|x| x.updated_at))
            .chain(p.activities.iter().map(|x| x.updated_at))
            .chain(p.mous.iter().map(|x| x.updated_at))
            .max();
        if records.is_some_and(|at| p.last_updated_at > at) {
            self.t.feed.push(FeedEntry {
                plan_id: p.id,
                public: crate::auth::policy::plan_is_public(p.status),
                at: p.last_updated_at,
            });
        }
    }
}
