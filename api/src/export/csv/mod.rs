//! The CSV tables (RFC 4180: UTF-8, a header row, CRLF, quotes where needed). Cities and
//! organizations are read straight from their tables; every other table is a view of the plans'
//! batches, one row per record a plan lists (an activity two plans share is a row of each). Lists in
//! a cell are `;`-separated ids; dates are ISO 8601 with the precision beside them. Each table's row
//! is a serde struct beside the record it lists ([`super::document`]); [`Table`] says which.

pub(crate) mod cell;
mod tables;

use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use super::bundle::{self, PlanCursor, Selection, flat};
use super::document as doc;
use cell::Neutralised;
pub use tables::Table;

/// One CSV table being written.
pub struct CsvExport {
    table: Table,
    selection: Selection,
    plans: Option<PlanCursor>,
    header_written: bool,
    after: i64,
    done: bool,
}

impl CsvExport {
    pub fn new(table: Table, selection: Selection) -> Self {
        Self {
            table,
            selection,
            plans: None,
            header_written: false,
            after: i64::MIN,
            done: false,
        }
    }

    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        let mut sheet = Sheet::new(!self.header_written);
        if !self.header_written {
            self.header_written = true;
            self.table.write(&[], &mut sheet)?;
            return sheet.finish().map(Some);
        }
        match self.table {
            Table::Cities => self.cities(conn, &mut sheet).await?,
            Table::Organizations => self.organizations(conn, &mut sheet).await?,
            _ => self.plan_rows(conn, &mut sheet).await?,
        }
        sheet.finish().map(Some)
    }

    /// The next batch of plans' rows; after the last plan, the findings of no plan.
    async fn plan_rows<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        sheet: &mut Sheet,
    ) -> Result<(), DbErr> {
        if self.plans.is_none() {
            self.plans = Some(PlanCursor::open(conn, self.selection.clone()).await?);
        }
        let Some(cursor) = self.plans.as_mut() else {
            return Ok(());
        };
        match cursor.next(conn).await? {
            Some(batch) => self.table.write(&batch.plans, sheet),
            None if self.table == Table::DataIssues => self.unattached_issues(conn, sheet).await,
            None => {
                self.done = true;
                Ok(())
            }
        }
    }

    async fn cities<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        sheet: &mut Sheet,
    ) -> Result<(), DbErr> {
        let cities = flat::cities_after(conn, self.after, self.selection.since).await?;
        let Some(last) = cities.last() else {
            self.done = true;
            return Ok(());
        };
        self.after = last.id;
        let mut names = bundle::city_names(conn, cities.iter().map(|c| c.id))
            .await?
            .into_iter()
            .peekable();
        let records: Vec<doc::City> = cities
            .into_iter()
            .map(|c| {
                let id = c.id;
                let own = std::iter::from_fn(|| names.next_if(|n| n.city_id == id)).collect();
                bundle::city_doc(c, own)
            })
            .collect();
        sheet.rows(records.iter().map(doc::CityRow::from))
    }

    async fn organizations<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        sheet: &mut Sheet,
    ) -> Result<(), DbErr> {
        let organizations =
            flat::organizations_after(conn, self.after, self.selection.since).await?;
        let Some(last) = organizations.last() else {
            self.done = true;
            return Ok(());
        };
        self.after = last.id;
        let records: Vec<doc::Organization> = organizations
            .into_iter()
            .map(bundle::organization_doc)
            .collect();
        sheet.rows(records.iter().map(doc::OrganizationRow::from))
    }

    /// Findings that belong to no plan, all at once (they are few: one per odd city record).
    async fn unattached_issues<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        sheet: &mut Sheet,
    ) -> Result<(), DbErr> {
        let query = flat::unattached_issues(&self.selection);
        self.done = true;
        let issues: Vec<doc::DataIssue> = query
            .all(conn)
            .await?
            .iter()
            .map(bundle::data_issue_doc)
            .collect();
        sheet.rows(issues.iter().map(|i| doc::IssueRow::new(None, i)))
    }
}

/// One chunk of a table: its header when due, then rows.
pub(super) struct Sheet {
    header_due: bool,
    writer: ::csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new(header_due: bool) -> Self {
        Self {
            header_due,
            writer: writer(false),
        }
    }

    /// Writes `rows`, each cell neutralised against formula injection except numbers.
    pub(super) fn rows<R: Serialize + Default>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), DbErr> {
        if std::mem::take(&mut self.header_due) {
            self.writer.write_record(&header::<R>()?).map_err(fail)?;
        }
        for row in rows {
            self.writer.serialize(Neutralised(&row)).map_err(fail)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<u8>, DbErr> {
        self.writer
            .into_inner()
            .map_err(|e| fail(e.into_error().into()))
    }
}

/// RFC 4180: CRLF after every record, quotes where needed.
fn writer(has_headers: bool) -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .has_headers(has_headers)
        .from_writer(Vec::new())
}

/// The header of rows of type `R`: their field names, as the `csv` crate writes them before a
/// first row (here a default one, then read back).
fn header<R: Serialize + Default>() -> Result<::csv::StringRecord, DbErr> {
    let mut sample = writer(true);
    sample.serialize(Neutralised(&R::default())).map_err(fail)?;
    let bytes = sample
        .into_inner()
        .map_err(|e| fail(e.into_error().into()))?;
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    reader.headers().cloned().map_err(fail)
}

fn fail(e: ::csv::Error) -> DbErr {
    DbErr::Custom(format!("cannot write CSV: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_decimal::Decimal;

    use super::cell::neutralised;
    use super::*;
    use crate::export::iati::fixtures;

    fn text(table: Table, plans: &[doc::Plan]) -> String {
        let mut sheet = Sheet::new(true);
        table.write(plans, &mut sheet).unwrap();
        String::from_utf8(sheet.finish().unwrap()).unwrap()
    }

    #[test]
    fn formula_triggers_are_prefixed_and_other_cells_left_alone() {
        for formula in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for plain in ["", "Guangzhou", "2021-03-01", "1.5", "'quoted", " =x"] {
            assert_eq!(neutralised(plain), plain);
        }
    }

    #[test]
    fn numbers_keep_their_sign_and_text_does_not() {
        let city = doc::City {
            id: 3,
            name: "-Rio".into(),
            native_name: None,
            kind: entity::enums::CityKind::City,
            region: Some("=cmd".into()),
            country_code: Some("BR".into()),
            geonames_id: Some(3451190),
            latitude: Some(-23.0),
            longitude: Some(-43.2),
            population: None,
            population_text: None,
            population_year: Some(2020),
            population_source: None,
            area_km2: Some(Decimal::new(-12055, 1)),
            area_text: None,
            names: vec![],
            created_at: fixtures::at(2020, 1, 1),
            updated_at: fixtures::at(2020, 1, 1),
            version: 1,
        };
        let mut sheet = Sheet::new(true);
        sheet.rows([doc::CityRow::from(&city)]).unwrap();
        let bytes = sheet.finish().unwrap();
        let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let cell = |column: &str| row.get(header.iter().position(|c| c == column).unwrap());
        assert_eq!(cell("latitude"), Some("-23"));
        assert_eq!(cell("longitude"), Some("-43.2"));
        assert_eq!(cell("area_km2"), Some("-1205.5"));
        assert_eq!(cell("population_year"), Some("2020"));
        assert_eq!(cell("name"), Some("'-Rio"));
        assert_eq!(cell("region"), Some("'=cmd"));
        assert_eq!(cell("created_at"), Some("2020-01-01T12:00:00Z"));
    }

    #[test]
    fn a_table_without_plans_is_its_header_and_every_header_names_distinct_columns() {
        for &table in Table::ALL {
            let text = text(table, &[]);
            assert!(
                text.ends_with("\r\n") && text.matches("\r\n").count() == 1,
                "{text}"
            );
            let columns: Vec<&str> = text.trim_end().split(',').collect();
            let distinct: std::collections::BTreeSet<&str> = columns.iter().copied().collect();
            assert_eq!(distinct.len(), columns.len(), "{text}");
            assert!(
                columns.iter().all(|c| !c.is_empty() && !c.contains('"')),
                "{text}"
            );
        }
    }

    #[test]
    fn sdg_targets_are_rows_beside_the_goal_they_belong_to() {
        let mut plan = fixtures::plan();
        plan.sdg_goals = vec![doc::SdgGoalLink {
            goal: 11,
            title: "Sustainable Cities, Communities".into(),
            theme_id: None,
            published_text: Some("SDG 11".into()),
        }];
        plan.sdg_targets = ["11.2", "17.1"]
            .into_iter()
            .map(|t| doc::SdgTargetLink {
                target: t.into(),
                theme_id: Some(3),
                published_text: None,
            })
            .collect();
        let text = text(Table::SdgLinks, &[plan]);
        assert_eq!(
            text.split_once("\r\n").map(|(_, rows)| rows),
            Some(
                "7,guangzhou,11,\"Sustainable Cities, Communities\",,,SDG 11\r\n\
                 7,guangzhou,11,\"Sustainable Cities, Communities\",11.2,3,\r\n\
                 7,guangzhou,17,,17.1,3,\r\n"
            )
        );
    }
}
