//! A plan's links to the SDGs and to Urban Agenda partnerships, and their rows in `sdg-links.csv`
//! and `urban-agenda-links.csv`.

use serde::{Deserialize, Serialize};

use super::Plan;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SdgGoalLink {
    pub goal: i16,
    pub title: String,
    /// The theme the goal is linked through, when not the whole plan.
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SdgTargetLink {
    pub target: String,
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UrbanAgendaLink {
    /// The partnership's stable key (`energy-transition`); its name follows for readers.
    pub partnership: String,
    pub name: String,
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

/// A row of `sdg-links.csv`: a goal (no target), or a target with the goal it belongs to.
#[derive(Debug, Default, Serialize)]
pub struct SdgLinkRow<'a> {
    plan_id: i64,
    plan_slug: &'a str,
    goal: String,
    goal_title: &'a str,
    target: Option<&'a str>,
    theme_id: Option<i64>,
    published_text: Option<&'a str>,
}

impl<'a> SdgLinkRow<'a> {
    /// The rows of `plan`'s goals, then of its targets.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        let goals = plan.sdg_goals.iter().map(|g| Self {
            plan_id: plan.id,
            plan_slug: &plan.slug,
            goal: g.goal.to_string(),
            goal_title: &g.title,
            target: None,
            theme_id: g.theme_id,
            published_text: g.published_text.as_deref(),
        });
        let targets = plan.sdg_targets.iter().map(|t| {
            let goal = t.target.split('.').next().unwrap_or_default().to_owned();
            let title = (plan.sdg_goals.iter())
                .find(|g| g.goal.to_string() == goal)
                .map(|g| g.title.as_str());
            Self {
                plan_id: plan.id,
                plan_slug: &plan.slug,
                goal,
                goal_title: title.unwrap_or_default(),
                target: Some(&t.target),
                theme_id: t.theme_id,
                published_text: t.published_text.as_deref(),
            }
        });
        goals.chain(targets)
    }
}

/// A row of `urban-agenda-links.csv`.
#[derive(Debug, Default, Serialize)]
pub struct UrbanAgendaRow<'a> {
    plan_id: i64,
    plan_slug: &'a str,
    partnership: &'a str,
    partnership_name: &'a str,
    theme_id: Option<i64>,
    published_text: Option<&'a str>,
}

impl<'a> UrbanAgendaRow<'a> {
    /// The rows of `plan`'s partnerships.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.urban_agenda.iter().map(|u| Self {
            plan_id: plan.id,
            plan_slug: &plan.slug,
            partnership: &u.partnership,
            partnership_name: &u.name,
            theme_id: u.theme_id,
            published_text: u.published_text.as_deref(),
        })
    }
}
