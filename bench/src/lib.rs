//! `ucap-bench`'s parts: the synthetic dataset and its database, the server under test, the load
//! generator, the example operations it sends, the report, and the hostile load test. A library of
//! its own (the binary is `main.rs`) because the end-to-end tests of `tests/` use some of it too:
//! the dataset, the operations of `docs/queries/` and the hostile documents.

pub mod attacks;
pub mod catalogue;
pub mod cpu;
pub mod dataset;
pub mod export;
pub mod gazetteer;
pub mod hostile;
pub mod load;
pub mod queries;
pub mod report;
pub mod rng;
pub mod server;
pub mod ws_attacks;
