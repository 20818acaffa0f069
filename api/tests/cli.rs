//! The `ucap` binary as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn ucap(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ucap"))
        .args(args)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .env("RUST_LOG", "warn")
        .env_remove("UCAP_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run ucap: {e}"))
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/summaries/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn import_prints_a_summary_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let first = ucap(&db, &["import", &fixture("guangzhou.txt")]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        out.contains("plan guangzhou-cn") && out.contains("created"),
        "{out}"
    );
    assert!(out.contains("data issue"), "{out}");
    let second = ucap(&db, &["import", &fixture("guangzhou.txt")]);
    assert!(second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("unchanged"),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
}

#[test]
fn import_refuses_a_file_without_a_city_row_naming_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("no-city.txt");
    std::fs::write(&file, "Country:\tChina\tSpain\nPopulation:\t1 mio\tN/A\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = ucap(
        &dir.path().join("ucap.db"),
        &["import", file.to_str().unwrap_or_default()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("City"), "{err}");
}

#[test]
fn import_refuses_binary_data_and_an_empty_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bin = dir.path().join("image.png");
    std::fs::write(&bin, [0x89, b'P', b'N', b'G', 0, 0, 1, 2]).unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap_or_else(|e| panic!("{e}"));
    for file in [&bin, &empty] {
        let out = ucap(
            &dir.path().join("ucap.db"),
            &["import", file.to_str().unwrap_or_default()],
        );
        assert!(!out.status.success(), "{} accepted", file.display());
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn schema_prints_the_committed_sdl() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = ucap(&dir.path().join("ucap.db"), &["schema"]);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(format!("{}/../schema.graphql", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = ucap(&dir.path().join("ucap.db"), &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "import", "schema"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn migrate_up_down_and_up_again() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    assert!(ucap(&db, &["migrate"]).status.success());
    assert!(
        ucap(&db, &["migrate", "down", "--steps", "100"])
            .status
            .success()
    );
    assert!(ucap(&db, &["migrate", "up"]).status.success());
}
