//! Seeds `urban_agenda_partnership` and its `urban_agenda_alias` rows from
//! `data/codelists/urban_agenda_partnerships.tsv` (aliases `|`-separated); `down` deletes exactly the
//! seeded partnerships and their aliases.

use crate::tsv::Tsv;
use sea_orm_migration::prelude::*;
use std::collections::HashMap;

const FILE: &str = "data/codelists/urban_agenda_partnerships.tsv";
const PARTNERSHIPS: &str = include_str!("../../data/codelists/urban_agenda_partnerships.tsv");

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tsv = partnerships()?;
        let mut insert = Query::insert();
        insert.into_table(UrbanAgendaPartnership::Table).columns([
            UrbanAgendaPartnership::Key,
            UrbanAgendaPartnership::Name,
            UrbanAgendaPartnership::LaunchedYear,
        ]);
        for record in tsv.records() {
            let launched_year: i16 = tsv.parse_field(record, "launched_year")?;
            insert
                .values([
                    tsv.require(record, "key")?.into(),
                    tsv.require(record, "name")?.into(),
                    launched_year.into(),
                ])
                .map_err(|e| tsv.error(record, &e.to_string()))?;
        }
        manager.execute(insert).await?;

        // The aliases need the generated ids: read them back by key (portable, unlike RETURNING on a
        // multi-row insert everywhere).
        let rows = manager
            .get_connection()
            .query_all(
                &Query::select()
                    .columns([UrbanAgendaPartnership::Id, UrbanAgendaPartnership::Key])
                    .from(UrbanAgendaPartnership::Table)
                    .to_owned(),
            )
            .await?;
        let mut ids = HashMap::new();
        for row in rows {
            ids.insert(
                row.try_get::<String>("", "key")?,
                row.try_get::<i64>("", "id")?,
            );
        }

        let mut insert = Query::insert();
        insert
            .into_table(UrbanAgendaAlias::Table)
            .columns([UrbanAgendaAlias::PartnershipId, UrbanAgendaAlias::Alias]);
        let mut any = false;
        for record in tsv.records() {
            let key = tsv.require(record, "key")?;
            let id = *ids.get(key).ok_or_else(|| {
                tsv.error(record, &format!("partnership {key:?} was not inserted"))
            })?;
            let mut seen = Vec::new();
            for alias in tsv.get(record, "aliases").split('|').map(str::trim) {
                if alias.is_empty() || seen.contains(&alias) {
                    continue;
                }
                seen.push(alias);
                insert
                    .values([id.into(), alias.into()])
                    .map_err(|e| tsv.error(record, &e.to_string()))?;
                any = true;
            }
        }
        if any {
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tsv = partnerships()?;
        let keys: Vec<&str> = tsv
            .records()
            .iter()
            .map(|record| tsv.get(record, "key"))
            .collect();
        manager
            .execute(
                Query::delete()
                    .from_table(UrbanAgendaAlias::Table)
                    .and_where(
                        Expr::col(UrbanAgendaAlias::PartnershipId).in_subquery(
                            Query::select()
                                .column(UrbanAgendaPartnership::Id)
                                .from(UrbanAgendaPartnership::Table)
                                .and_where(
                                    Expr::col(UrbanAgendaPartnership::Key)
                                        .is_in(keys.iter().copied()),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .execute(
                Query::delete()
                    .from_table(UrbanAgendaPartnership::Table)
                    .and_where(Expr::col(UrbanAgendaPartnership::Key).is_in(keys))
                    .to_owned(),
            )
            .await
    }
}

fn partnerships() -> Result<Tsv<'static>, DbErr> {
    Tsv::parse(
        FILE,
        PARTNERSHIPS,
        &["key", "name", "launched_year", "aliases"],
    )
}

#[derive(DeriveIden)]
enum UrbanAgendaPartnership {
    Table,
    Id,
    Key,
    Name,
    LaunchedYear,
}

#[derive(DeriveIden)]
enum UrbanAgendaAlias {
    Table,
    PartnershipId,
    Alias,
}
