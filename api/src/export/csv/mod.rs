//! The CSV tables (RFC 4180: UTF-8, a header row, CRLF, quotes where needed). Cities and
//! organizations are read straight from their tables; every other table is a view of the plans'
//! batches, one row per record a plan lists (an activity two plans share is a row of each). Lists in
//! a cell are `;`-separated ids; dates are ISO 8601 with the precision beside them.

mod rows;
mod tables;

use sea_orm::{ActiveEnum, ConnectionTrait, DbErr};

use super::bundle::{PlanCursor, Selection, flat};
use rows::{issue_row, num, opt, opt_id, ts};
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
        if !self.header_written {
            self.header_written = true;
            return write(self.table, true, Vec::new()).map(Some);
        }
        let rows = match self.table {
            Table::Cities => self.cities(conn).await?,
            Table::Organizations => self.organizations(conn).await?,
            _ => self.plan_rows(conn).await?,
        };
        write(self.table, false, rows).map(Some)
    }

    /// The next batch of plans' rows; after the last plan, the findings of no plan.
    async fn plan_rows<C: ConnectionTrait>(&mut self, conn: &C) -> Result<Vec<Vec<String>>, DbErr> {
        if self.plans.is_none() {
            self.plans = Some(PlanCursor::open(conn, self.selection.clone()).await?);
        }
        let Some(cursor) = self.plans.as_mut() else {
            return Ok(Vec::new());
        };
        match cursor.next(conn).await? {
            Some(batch) => Ok(batch
                .plans
                .iter()
                .flat_map(|p| self.table.plan_rows(p))
                .collect()),
            None if self.table == Table::DataIssues => self.unattached_issues(conn).await,
            None => {
                self.done = true;
                Ok(Vec::new())
            }
        }
    }

    async fn cities<C: ConnectionTrait>(&mut self, conn: &C) -> Result<Vec<Vec<String>>, DbErr> {
        let cities = flat::cities_after(conn, self.after, self.selection.since).await?;
        if cities.is_empty() {
            self.done = true;
            return Ok(Vec::new());
        }
        let names = super::bundle::city_names(conn, cities.iter().map(|c| c.id)).await?;
        Ok(cities
            .into_iter()
            .map(|c| {
                self.after = c.id;
                let others = names
                    .iter()
                    .filter(|n| n.city_id == c.id)
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(";");
                vec![
                    c.id.to_string(),
                    c.name,
                    opt(&c.native_name),
                    others,
                    c.kind.to_value(),
                    opt(&c.region),
                    opt(&c.country_code),
                    num(c.geonames_id),
                    num(c.latitude),
                    num(c.longitude),
                    num(c.population),
                    opt(&c.population_text),
                    num(c.population_year),
                    opt(&c.population_source),
                    num(c.area_km2),
                    opt(&c.area_text),
                    ts(&c.created_at),
                    ts(&c.updated_at),
                    c.version.to_string(),
                ]
            })
            .collect())
    }

    async fn organizations<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Vec<Vec<String>>, DbErr> {
        let organizations =
            flat::organizations_after(conn, self.after, self.selection.since).await?;
        if organizations.is_empty() {
            self.done = true;
        }
        Ok(organizations
            .into_iter()
            .map(|o| {
                self.after = o.id;
                vec![
                    o.id.to_string(),
                    o.name,
                    o.kind.to_value(),
                    opt_id(o.city_id),
                    opt(&o.website),
                    ts(&o.created_at),
                    ts(&o.updated_at),
                    o.version.to_string(),
                ]
            })
            .collect())
    }

    /// Findings that belong to no plan, all at once (they are few: one per odd city record).
    async fn unattached_issues<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Vec<Vec<String>>, DbErr> {
        let query = flat::unattached_issues(&self.selection);
        self.done = true;
        Ok(query
            .all(conn)
            .await?
            .iter()
            .map(|i| issue_row(None, &super::bundle::data_issue_doc(i)))
            .collect())
    }
}

/// Writes `rows` of `table` (its header first when `header`), every cell neutralised against
/// formula injection except the table's typed number columns.
fn write(table: Table, header: bool, rows: Vec<Vec<String>>) -> Result<Vec<u8>, DbErr> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| DbErr::Custom(format!("cannot write CSV: {e}"));
    if header {
        writer.write_record(table.header()).map_err(fail)?;
    }
    for row in rows {
        let cells = row.into_iter().zip(table.header()).map(|(cell, column)| {
            if table.is_typed_number(column) {
                cell
            } else {
                neutralised(cell)
            }
        });
        writer.write_record(cells).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| DbErr::Custom(format!("cannot write CSV: {e}")))
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, tab or
/// carriage return), prefixed with `'` so that it is read as text, as OWASP's "CSV Injection"
/// page recommends. Numbers we write from numeric fields are exempt (see
/// [`Table::is_typed_number`]); anything else, a person's text included, is not.
fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(neutralised(formula.to_owned()), format!("'{formula}"));
        }
        for plain in ["", "Guangzhou", "2021-03-01", "1.5", "'quoted", " =x"] {
            assert_eq!(neutralised(plain.to_owned()), plain);
        }
    }

    #[test]
    fn typed_numbers_keep_their_sign_and_text_does_not() -> Result<(), DbErr> {
        let mut row: Vec<String> = Table::Cities
            .header()
            .iter()
            .map(|_| String::new())
            .collect();
        let at = |column: &str| Table::Cities.header().iter().position(|c| *c == column);
        if let (Some(lon), Some(name)) = (at("longitude"), at("name")) {
            row[lon] = "-43.2".to_owned();
            row[name] = "-Rio".to_owned();
        }
        let text = String::from_utf8(write(Table::Cities, false, vec![row])?)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        assert!(text.contains(",-43.2,"), "{text}");
        assert!(text.contains(",'-Rio,"), "{text}");
        Ok(())
    }
}
