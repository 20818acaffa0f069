//! Activities and MoUs: a plan lists them through a link row; one listed by several plans appears
//! under each, and is inserted once, after checking that every copy tells it the same way.

use std::collections::HashMap;

use sea_orm::ActiveValue;

use super::{Walk, inconsistent, repeated};
use crate::export::document as doc;
use crate::import::backup::RestoreError;
use entity::{activity_city, activity_organization, mou, mou_party, plan_activity, plan_mou};

impl Walk<'_> {
    pub(super) fn activity(
        &mut self,
        plan_id: i64,
        record: &str,
        a: &doc::Activity,
    ) -> Result<(), RestoreError> {
        self.t.plan_activities.push(plan_activity::Model {
            plan_id,
            activity_id: a.id,
            position: a.position,
        });
        // Shared by several plans: the same everywhere but for its place in each plan's list.
        let shared = doc::Activity {
            position: 0,
            ..a.clone()
        };
        if !first_copy(&mut self.activities, a.id, shared, record)? {
            return Ok(());
        }
        self.unique("activity fingerprint", a.fingerprint.clone(), record)?;
        if let Some(c) = &a.place_city {
            self.city_ref(record, c.id)?;
        }
        for c in &a.cities {
            self.city_ref(record, c.id)?;
            self.t.activity_cities.push(activity_city::Model {
                activity_id: a.id,
                city_id: c.id,
            });
        }
        for o in &a.organizations {
            self.organization_ref(record, o.id)?;
            self.t
                .activity_organizations
                .push(activity_organization::Model {
                    activity_id: a.id,
                    organization_id: o.id,
                });
        }
        self.t.activities.push(a.to_row());
        Ok(())
    }

    pub(super) fn mou(
        &mut self,
        plan_id: i64,
        record: &str,
        m: &doc::Mou,
    ) -> Result<(), RestoreError> {
        self.t.plan_mous.push(plan_mou::Model {
            plan_id,
            mou_id: m.id,
            expected_result_id: m.expected_result_id,
        });
        // Shared by several plans: the same everywhere but for the expected result it fulfils.
        let shared = doc::Mou {
            expected_result_id: None,
            ..m.clone()
        };
        if !first_copy(&mut self.mous, m.id, shared, record)? {
            return Ok(());
        }
        self.unique("MoU fingerprint", m.fingerprint.clone(), record)?;
        if let Some(x) = repeated(&m.parties, |x| x.position) {
            return Err(RestoreError::Duplicate {
                record: format!("{record} party {}", x.position),
            });
        }
        for x in &m.parties {
            let party = format!("{record} party {}", x.position);
            if let Some(c) = &x.city {
                self.city_ref(&party, c.id)?;
            }
            if let Some(o) = &x.organization {
                self.organization_ref(&party, o.id)?;
            }
            self.t.mou_parties.push(mou_party::ActiveModel {
                id: ActiveValue::NotSet,
                mou_id: ActiveValue::Set(m.id),
                position: ActiveValue::Set(x.position),
                city_id: ActiveValue::Set(x.city.as_ref().map(|c| c.id)),
                organization_id: ActiveValue::Set(x.organization.as_ref().map(|o| o.id)),
            });
        }
        self.t.mous.push(mou::Model {
            id: m.id,
            subject: m.subject.clone(),
            status: m.status,
            signed_on: m.signed_on,
            document_url: m.document_url.clone(),
            fingerprint: m.fingerprint.clone(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
            internal_note: m.internal_note.clone(),
            draft: m.draft,
        });
        Ok(())
    }
}

/// Whether `copy` is the first copy of a shared record met (then kept); a later copy must equal it.
fn first_copy<T: PartialEq>(
    seen: &mut HashMap<i64, T>,
    id: i64,
    copy: T,
    record: &str,
) -> Result<bool, RestoreError> {
    match seen.get(&id) {
        Some(first) if *first == copy => Ok(false),
        Some(_) => Err(inconsistent(
            record,
            "differs from another plan's copy of it",
        )),
        None => {
            seen.insert(id, copy);
            Ok(true)
        }
    }
}
