//! `plans.json`: the nested document ([`super::document`]), one record a line, sections in the
//! order an importer needs them (cities and organizations before the plans that name them).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, QueryFilter, QuerySelect};
use serde::Serialize;

use super::bundle::{self, PlanCursor, Selection, flat};
use super::document as doc;
use entity::data_issue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Header,
    Cities,
    Organizations,
    Plans,
    Issues,
    Done,
}

pub struct JsonExport {
    phase: Phase,
    header: doc::Header,
    plans: PlanCursor,
    /// Last id written of the current flat section.
    after: i64,
    /// Whether the current section has a record yet (separators).
    first: bool,
}

impl JsonExport {
    pub async fn open<C: ConnectionTrait>(
        conn: &C,
        selection: Selection,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let header = doc::Header {
            format: doc::FORMAT.to_owned(),
            format_version: doc::FORMAT_VERSION,
            exported_at: now,
            visibility: selection.visibility().to_owned(),
            updated_since: selection.since,
        };
        Ok(Self {
            phase: Phase::Header,
            header,
            plans: PlanCursor::open(conn, selection).await?,
            after: i64::MIN,
            first: true,
        })
    }

    fn since(&self) -> Option<DateTime<Utc>> {
        self.plans.selection().since
    }

    fn record(&mut self, out: &mut Vec<u8>, value: &impl Serialize) -> Result<(), DbErr> {
        out.extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        serde_json::to_writer(&mut *out, value).map_err(|e| DbErr::Custom(e.to_string()))
    }

    /// Closes the current section and opens `next` (`None`: closes the document).
    fn section(&mut self, out: &mut Vec<u8>, next: Option<(&str, Phase)>) {
        out.extend_from_slice(if self.first { b"]" } else { b"\n]" });
        match next {
            Some((name, phase)) => {
                out.extend_from_slice(format!(",\"{name}\":[").as_bytes());
                self.phase = phase;
            }
            None => {
                out.extend_from_slice(b"}\n");
                self.phase = Phase::Done;
            }
        }
        self.after = i64::MIN;
        self.first = true;
    }

    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Header => {
                let mut header =
                    serde_json::to_vec(&self.header).map_err(|e| DbErr::Custom(e.to_string()))?;
                header.pop(); // the closing brace: the sections follow
                out.extend_from_slice(&header);
                out.extend_from_slice(b",\"cities\":[");
                self.phase = Phase::Cities;
            }
            Phase::Cities => {
                let cities = flat::cities_after(conn, self.after, self.since()).await?;
                if cities.is_empty() {
                    self.section(&mut out, Some(("organizations", Phase::Organizations)));
                } else {
                    let mut names = bundle::city_names(conn, cities.iter().map(|c| c.id))
                        .await?
                        .into_iter()
                        .peekable();
                    for c in cities {
                        self.after = c.id;
                        let mut own = Vec::new();
                        while let Some(n) = names.next_if(|n| n.city_id == c.id) {
                            own.push(n);
                        }
                        let record = bundle::city_doc(c, own);
                        self.record(&mut out, &record)?;
                    }
                }
            }
            Phase::Organizations => {
                let organizations =
                    flat::organizations_after(conn, self.after, self.since()).await?;
                if organizations.is_empty() {
                    self.section(&mut out, Some(("plans", Phase::Plans)));
                } else {
                    for o in organizations {
                        self.after = o.id;
                        let record = bundle::organization_doc(o);
                        self.record(&mut out, &record)?;
                    }
                }
            }
            Phase::Plans => match self.plans.next(conn).await? {
                Some(batch) => {
                    for plan in &batch.plans {
                        self.record(&mut out, plan)?;
                    }
                }
                None => self.section(&mut out, Some(("dataIssues", Phase::Issues))),
            },
            Phase::Issues => {
                let issues = flat::unattached_issues(self.plans.selection())
                    .filter(data_issue::Column::Id.gt(self.after))
                    .limit(flat::ROWS)
                    .all(conn)
                    .await?;
                if issues.is_empty() {
                    self.section(&mut out, None);
                } else {
                    for i in &issues {
                        self.after = i.id;
                        self.record(&mut out, &bundle::data_issue_doc(i))?;
                    }
                }
            }
            Phase::Done => return Ok(None),
        }
        Ok(Some(out))
    }
}
