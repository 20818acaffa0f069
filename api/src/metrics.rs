//! Process metrics in the Prometheus text format. For now: SQL statements executed, which the
//! N+1 test and the benchmark read around single requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

/// Counters shared by the handlers and the database callback.
#[derive(Debug, Default)]
pub struct Metrics {
    sql_statements: AtomicU64,
}

impl Metrics {
    /// Counts every statement the pool executes.
    pub fn instrument(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let me = Arc::clone(self);
        db.set_metric_callback(move |_info| {
            me.sql_statements.fetch_add(1, Ordering::Relaxed);
        });
    }

    fn render(&self) -> String {
        format!(
            "# HELP ucap_sql_statements_total SQL statements executed.\n\
             # TYPE ucap_sql_statements_total counter\n\
             ucap_sql_statements_total {}\n",
            self.sql_statements.load(Ordering::Relaxed)
        )
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

async fn metrics(metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
