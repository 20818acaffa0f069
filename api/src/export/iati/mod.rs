//! `iati.xml`: one IATI 2.03 `iati-activities` document with an `iati-activity` per plan, for the
//! systems that exchange cooperation activities in that standard. A selection without plans gives
//! a document without activities, which the schema rejects (it wants at least one): there is no
//! honest activity to put in it.

mod activity;
mod codes;
mod dates;
#[cfg(test)]
#[allow(clippy::expect_used)]
pub(crate) mod fixtures;
#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests;
mod xml;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::Publisher;
use super::bundle::{PlanCursor, Selection};
pub use activity::identifier;
use xml::Xml;

pub struct IatiExport {
    plans: PlanCursor,
    publisher: Publisher,
    now: DateTime<Utc>,
    started: bool,
    done: bool,
}

impl IatiExport {
    pub async fn open<C: ConnectionTrait>(
        conn: &C,
        selection: Selection,
        publisher: Publisher,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        Ok(Self {
            plans: PlanCursor::open(conn, selection)
                .await?
                .with_related_plans(),
            publisher,
            now,
            started: false,
            done: false,
        })
    }

    /// The XML declaration and the opening tag first, then one batch of activities a chunk, then
    /// the closing tag.
    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            return Ok(Some(header(self.now).into_bytes()));
        }
        let mut x = Xml::new();
        match self.plans.next(conn).await? {
            Some(batch) => {
                for plan in &batch.plans {
                    activity::activity(&mut x, plan, &batch, &self.publisher, self.now);
                }
            }
            None => {
                self.done = true;
                return Ok(Some(b"</iati-activities>\n".to_vec()));
            }
        }
        Ok(Some(x.into_string().into_bytes()))
    }
}

fn header(now: DateTime<Utc>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"{}\">\n",
        now.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}
