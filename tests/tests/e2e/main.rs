//! End-to-end tests: the real server on port 0, a fresh database per test, HTTP only.

mod auth;
mod console;
mod console_browser;
mod docs_queries;
mod export;
mod export_iati;
mod export_limits;
mod export_privacy;
mod export_roundtrip;
mod faults;
mod feed_privacy;
mod foundation;
mod gate;
mod graphiql_browser;
mod hostile;
mod http;
mod import;
mod import_roundtrip;
mod instances;
mod limits;
mod links;
mod live;
mod merges;
mod mou_writes;
mod oidc;
mod operability;
mod plan_writes;
mod queries;
mod scale_out;
mod search;
mod shared_limits;
mod slow_refusals;
mod throttle;
mod transactions;
mod webhooks;
mod writes;

/// The `ucap` binary that browser tests run as a process: this test build's, or the build
/// `UCAP_SERVER_BINARY` names (CI passes its release build, as shipped).
pub fn server_binary() -> String {
    std::env::var("UCAP_SERVER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_ucap-server").to_owned())
}
