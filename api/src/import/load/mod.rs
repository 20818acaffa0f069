//! Stores a resolved summary inside the caller's transaction. Every row is found by its natural key
//! and only written when something differs, so importing the same file twice changes nothing and an
//! edited file updates in place (versions bumped, no duplicates).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use sha2::{Digest, Sha256};

use super::model::ParseIssue;
use super::resolve::{PlaceRef, ResolvedSummary};
use crate::audit::{self, Action, Actor, Target};
use crate::auth::policy;
use crate::domain::partial_date::PartialDate;
use crate::domain::text::name_key;
use crate::graphql::store::Rows;
pub use crate::graphql::store::Tally;
use crate::ids::NodeKind;
use crate::live::Operation;
use entity::enums::{PlanStatus, Severity};
use entity::{plan, source_document};

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

/// Stores one resolved summary. Runs inside the caller's transaction.
pub async fn store(
    txn: &DatabaseTransaction,
    summary: &ResolvedSummary,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, DbErr> {
    let mut w = Rows::new(txn);
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
    let existed = existing.is_some();
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
    activities(&mut w, plan.id, focal.id, summary, &org_ids).await?;
    results_and_mous(&mut w, plan.id, focal.id, summary, &org_ids).await?;
    let mut issues: Vec<ParseIssue> = parsed
        .issues
        .iter()
        .chain(&summary.issues)
        .cloned()
        .collect();
    contacts(&mut w, plan.id, &parsed.contact_emails, &mut issues).await?;
    let recorded = data_issues(&mut w, plan.id, focal.id, &issues).await?;
    if w.tally.changed() {
        // One feed entry for the plan (mirrors re-read it and its records) and one audit entry.
        let operation = if existed {
            Operation::Updated
        } else {
            Operation::Created
        };
        let detail = serde_json::json!({
            "file": file_name,
            "created": w.tally.created,
            "updated": w.tally.updated,
            "deleted": w.tally.deleted,
        });
        let audit = audit::record(
            txn,
            &Actor::Importer,
            Action::PlanImported,
            Target("Plan", Some(plan.id)),
            detail,
        )
        .await?;
        crate::live::append(
            txn,
            crate::live::NewChange {
                kind: NodeKind::Plan,
                id: plan.id,
                operation,
                record_public: policy::plan_is_public(plan.status),
                fields: vec!["import"],
                plans: vec![plan.id],
                audit_event_id: Some(audit),
                at: None,
            },
        )
        .await?;
    }

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

async fn source_document(w: &mut Rows<'_>, file_name: &str, bytes: &[u8]) -> Result<i64, DbErr> {
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

mod activities;
mod places;
mod plan_parts;
mod results;

use crate::graphql::store::city as place;
use activities::{activities, organizations};
use places::focal_city;
use plan_parts::{code_lists, contacts, data_issues, partners, statements, themes};
use results::results_and_mous;
