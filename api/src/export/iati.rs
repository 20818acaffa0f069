//! `iati.xml`: one IATI 2.03 `iati-activities` document with an `iati-activity` per plan.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::Publisher;
use super::bundle::{PlanBatch, PlanCursor, Selection};
use super::document as doc;

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
            plans: PlanCursor::open(conn, selection).await?,
            publisher,
            now,
            started: false,
            done: false,
        })
    }

    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            header(&mut out, self.now);
            return Ok(Some(out));
        }
        match self.plans.next(conn).await? {
            Some(batch) => {
                for plan in &batch.plans {
                    activity(&mut out, plan, &batch, &self.publisher, self.now);
                }
            }
            None => {
                out.extend_from_slice(b"</iati-activities>\n");
                self.done = true;
            }
        }
        Ok(Some(out))
    }
}

fn header(out: &mut Vec<u8>, now: DateTime<Utc>) {
    out.extend_from_slice(
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"{}\">\n",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
        .as_bytes(),
    );
}

/// One plan as an `iati-activity` (WIP: identifier and title only so far).
fn activity(
    out: &mut Vec<u8>,
    plan: &doc::Plan,
    _batch: &PlanBatch,
    publisher: &Publisher,
    _now: DateTime<Utc>,
) {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    out.extend_from_slice(
        format!(
            "<iati-activity><iati-identifier>{}-{}</iati-identifier><title><narrative>{}</narrative></title></iati-activity>\n",
            esc(&publisher.reference),
            esc(&plan.slug),
            esc(&plan.title)
        )
        .as_bytes(),
    );
}
