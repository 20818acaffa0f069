//! The `ucap` command line, built by this package so that end-to-end tests can run the real server
//! as a child process (signals, kills, restarts) through `CARGO_BIN_EXE_ucap-server`, always current.

use std::process::ExitCode;

fn main() -> ExitCode {
    ucap::main()
}
