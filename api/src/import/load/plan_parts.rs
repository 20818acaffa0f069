//! The plan's own parts: partner links, themes, statements, code-list links, contacts, data issues.

use std::collections::{HashMap, HashSet};

use sea_orm::{ActiveValue, ColumnTrait, DbErr, EntityTrait, ModelTrait, QueryFilter};

use crate::domain::email::Email;
use crate::graphql::store::Rows;
use crate::import::model::{ParseIssue, ParsedSummary, Titled};
use crate::import::resolve::ResolvedSummary;
use entity::enums::{IssueEntity, Severity, StatementKind};
use entity::{
    contact, data_issue, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda,
    statement, theme, urban_agenda_partnership,
};

pub(super) async fn partners(w: &mut Rows<'_>, plan_id: i64, ids: &[i64]) -> Result<(), DbErr> {
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

pub(super) async fn themes(w: &mut Rows<'_>, plan_id: i64, items: &[Titled]) -> Result<(), DbErr> {
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

pub(super) async fn statements(
    w: &mut Rows<'_>,
    plan_id: i64,
    parsed: &ParsedSummary,
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
pub(super) async fn code_lists(
    w: &mut Rows<'_>,
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

/// Functional mailboxes are stored; a personal address is personal data: not stored, flagged.
pub(super) async fn contacts(
    w: &mut Rows<'_>,
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
pub(super) async fn data_issues(
    w: &mut Rows<'_>,
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
