//! Seeds `sdg_goal` and `sdg_target` from `data/codelists/sdg_goals.tsv` and `sdg_targets.tsv`; `down`
//! deletes exactly the seeded rows.

use crate::tsv::Tsv;
use sea_orm_migration::prelude::*;

const GOALS_FILE: &str = "data/codelists/sdg_goals.tsv";
const GOALS: &str = include_str!("../../data/codelists/sdg_goals.tsv");
const TARGETS_FILE: &str = "data/codelists/sdg_targets.tsv";
const TARGETS: &str = include_str!("../../data/codelists/sdg_targets.tsv");
/// Rows a statement: far below the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 100;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let goals = goals()?;
        let mut insert = Query::insert();
        insert
            .into_table(SdgGoal::Table)
            .columns([SdgGoal::Number, SdgGoal::Title]);
        for record in goals.records() {
            let number: i16 = goals.parse_field(record, "number")?;
            if !(1..=17).contains(&number) {
                return Err(goals.error(record, &format!("goal number {number} is not in 1..=17")));
            }
            insert
                .values([number.into(), goals.require(record, "title")?.into()])
                .map_err(|e| goals.error(record, &e.to_string()))?;
        }
        manager.execute(insert).await?;

        let targets = targets()?;
        for chunk in targets.records().chunks(BATCH) {
            let mut insert = Query::insert();
            insert.into_table(SdgTarget::Table).columns([
                SdgTarget::Code,
                SdgTarget::GoalNumber,
                SdgTarget::Position,
            ]);
            for record in chunk {
                let code = targets.require(record, "code")?;
                let goal_number: i16 = targets.parse_field(record, "goal_number")?;
                let position: i16 = targets.parse_field(record, "position")?;
                if code.split_once('.').map(|(goal, _)| goal)
                    != Some(goal_number.to_string().as_str())
                {
                    return Err(targets.error(
                        record,
                        &format!("target {code:?} is not under goal {goal_number}"),
                    ));
                }
                insert
                    .values([code.into(), goal_number.into(), position.into()])
                    .map_err(|e| targets.error(record, &e.to_string()))?;
            }
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let targets = targets()?;
        let codes: Vec<&str> = targets
            .records()
            .iter()
            .map(|record| targets.get(record, "code"))
            .collect();
        for chunk in codes.chunks(BATCH) {
            manager
                .execute(
                    Query::delete()
                        .from_table(SdgTarget::Table)
                        .and_where(Expr::col(SdgTarget::Code).is_in(chunk.iter().copied()))
                        .to_owned(),
                )
                .await?;
        }
        let goals = goals()?;
        let numbers = goals
            .records()
            .iter()
            .map(|record| goals.parse_field::<i16>(record, "number"))
            .collect::<Result<Vec<_>, _>>()?;
        manager
            .execute(
                Query::delete()
                    .from_table(SdgGoal::Table)
                    .and_where(Expr::col(SdgGoal::Number).is_in(numbers))
                    .to_owned(),
            )
            .await
    }
}

fn goals() -> Result<Tsv<'static>, DbErr> {
    Tsv::parse(GOALS_FILE, GOALS, &["number", "title"])
}

fn targets() -> Result<Tsv<'static>, DbErr> {
    Tsv::parse(TARGETS_FILE, TARGETS, &["code", "goal_number", "position"])
}

#[derive(DeriveIden)]
enum SdgGoal {
    Table,
    Number,
    Title,
}

#[derive(DeriveIden)]
enum SdgTarget {
    Table,
    Code,
    GoalNumber,
    Position,
}
