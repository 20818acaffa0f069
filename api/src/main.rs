//! The `ucap` binary: an allocator and the command line of the library.

use std::process::ExitCode;

/// Responses are built from many small allocations (one a resolved field); mimalloc serves them
/// from per-thread pages instead of glibc's contended arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ucap::main()
}
