//! Expression indexes for date orderings: activities and plans sort by `COALESCE(date, sentinel)`
//! (undated last), and keyset pages compare against the same expressions, so page 500 is an index
//! range scan like page 1. The SQL is the same on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 4] = [
    (
        "idx_activity_sort_date_asc",
        "activity ((COALESCE(date_start, '9999-12-31')), (COALESCE(date_precision, '')), id)",
    ),
    (
        "idx_activity_sort_date_desc",
        "activity ((COALESCE(date_start, '0001-01-01')), (COALESCE(date_precision, '')), id)",
    ),
    (
        "idx_plan_sort_period_asc",
        "plan ((COALESCE(period_start, '9999-12-31')), id)",
    ),
    (
        "idx_plan_sort_period_desc",
        "plan ((COALESCE(period_start, '0001-01-01')), id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, on) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {on}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
