//! Seeds `country` from the bundled gazetteer (`data/gazetteer/countries.tsv`); `down` deletes exactly
//! the seeded codes.

use crate::tsv::Tsv;
use sea_orm_migration::prelude::*;

const FILE: &str = "data/gazetteer/countries.tsv";
const COUNTRIES: &str = include_str!("../../data/gazetteer/countries.tsv");
/// Rows a statement: far below the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 100;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tsv = countries()?;
        for chunk in tsv.records().chunks(BATCH) {
            let mut insert = Query::insert();
            insert.into_table(Country::Table).columns([
                Country::Code,
                Country::Alpha3,
                Country::Numeric,
                Country::Name,
                Country::OfficialName,
                Country::Region,
                Country::Continent,
            ]);
            for record in chunk {
                let code = tsv.require(record, "code")?;
                let alpha3 = tsv.require(record, "alpha3")?;
                let numeric = tsv.optional(record, "numeric");
                if !is_code(code, 2, |c| c.is_ascii_uppercase())
                    || !is_code(alpha3, 3, |c| c.is_ascii_uppercase())
                    || !numeric.is_none_or(|numeric| is_code(numeric, 3, |c| c.is_ascii_digit()))
                {
                    let got = format!("{code:?} {alpha3:?} {numeric:?}");
                    let message =
                        format!("expected ISO 3166-1 codes (AA, AAA, 000 or empty), got {got}");
                    return Err(tsv.error(record, &message));
                }
                insert
                    .values([
                        code.into(),
                        alpha3.into(),
                        numeric.into(),
                        tsv.require(record, "name")?.into(),
                        tsv.optional(record, "official_name").into(),
                        tsv.optional(record, "region").into(),
                        tsv.optional(record, "continent").into(),
                    ])
                    .map_err(|e| tsv.error(record, &e.to_string()))?;
            }
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tsv = countries()?;
        let codes: Vec<&str> = tsv
            .records()
            .iter()
            .map(|record| tsv.get(record, "code"))
            .collect();
        for chunk in codes.chunks(BATCH) {
            manager
                .execute(
                    Query::delete()
                        .from_table(Country::Table)
                        .and_where(Expr::col(Country::Code).is_in(chunk.iter().copied()))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

fn countries() -> Result<Tsv<'static>, DbErr> {
    Tsv::parse(
        FILE,
        COUNTRIES,
        &[
            "code",
            "alpha3",
            "numeric",
            "name",
            "official_name",
            "region",
            "continent",
        ],
    )
}

fn is_code(value: &str, len: usize, allowed: impl Fn(char) -> bool) -> bool {
    value.len() == len && value.chars().all(allowed)
}

#[derive(DeriveIden)]
enum Country {
    Table,
    Code,
    Alpha3,
    Numeric,
    Name,
    OfficialName,
    Region,
    Continent,
}
