//! End-to-end tests: the real server on port 0, a fresh database per test, HTTP only.

mod foundation;
mod import;
