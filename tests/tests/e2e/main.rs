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
mod hostile;
mod http;
mod import;
mod limits;
mod live;
mod mou_writes;
mod operability;
mod plan_writes;
mod queries;
mod search;
mod slow_refusals;
mod throttle;
mod writes;
