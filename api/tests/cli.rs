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
        .env("UCAP_JWT_PRIVATE_KEY_FILE", db.with_file_name("jwt.pem"))
        .env_remove("UCAP_JWT_PRIVATE_KEY")
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
fn health_fails_naming_the_url_when_nothing_answers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://127.0.0.1:{port}/readyz");
    let out = ucap(&dir.path().join("ucap.db"), &["health", "--url", &url]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&url), "{}", stderr(&out));
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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temp dir with a signing key made by `ucap keys generate` where the `ucap()` helper looks.
fn dir_with_key() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let key = db.with_file_name("jwt.pem");
    let out = ucap(
        &db,
        &[
            "keys",
            "generate",
            "--out",
            key.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, db)
}

/// The `token list` row (split on tabs) whose label is `label`.
fn token_row(db: &Path, label: &str) -> Vec<String> {
    let out = ucap(db, &["token", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&out);
    list.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .find(|cols| cols.get(3).map(String::as_str) == Some(label))
        .unwrap_or_else(|| panic!("no token labelled {label} in:\n{list}"))
}

fn assert_is_a_jwt(token: &str) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    for part in parts {
        assert!(
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{token}"
        );
    }
}

#[test]
fn keys_generate_writes_a_private_key_and_prints_its_public_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let key = dir.path().join("k.pem");
    let key_arg = key.to_str().unwrap_or_default();
    let out = ucap(&db, &["keys", "generate", "--out", key_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("-----BEGIN PUBLIC KEY-----"),
        "{}",
        stdout(&out)
    );
    let pem = std::fs::read_to_string(&key).unwrap_or_else(|e| panic!("{e}"));
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key)
            .unwrap_or_else(|e| panic!("{e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[test]
fn keys_generate_keeps_an_existing_key_unless_forced() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let key = dir.path().join("k.pem");
    let key_arg = key.to_str().unwrap_or_default();
    assert!(
        ucap(&db, &["keys", "generate", "--out", key_arg])
            .status
            .success()
    );
    let before = std::fs::read_to_string(&key).unwrap_or_else(|e| panic!("{e}"));
    let again = ucap(&db, &["keys", "generate", "--out", key_arg]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(stderr(&again).contains("k.pem"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&key).unwrap_or_else(|e| panic!("{e}")),
        before
    );
    let forced = ucap(&db, &["keys", "generate", "--out", key_arg, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_ne!(
        std::fs::read_to_string(&key).unwrap_or_else(|e| panic!("{e}")),
        before
    );
}

#[test]
fn token_issue_prints_a_token_that_list_shows_and_revoke_revokes() {
    let (_dir, db) = dir_with_key();
    let out = ucap(
        &db,
        &["token", "issue", "--role", "ADMIN", "--label", "ops"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let token = printed.lines().last().unwrap_or_default();
    assert_is_a_jwt(token);
    let row = token_row(&db, "ops");
    assert_eq!(row.get(1).map(String::as_str), Some("ADMIN"), "{row:?}");
    assert_eq!(row.get(7).map(String::as_str), Some("-"), "{row:?}");
    let id = row.first().cloned().unwrap_or_default();
    assert!(stderr(&out).contains(&id), "{}", stderr(&out));
    let revoked = ucap(&db, &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let row = token_row(&db, "ops");
    let when = row.get(7).cloned().unwrap_or_default();
    assert!(when != "-" && !when.is_empty(), "{row:?}");
}

#[test]
fn token_issue_refuses_an_unknown_role_naming_it() {
    let (_dir, db) = dir_with_key();
    let out = ucap(&db, &["token", "issue", "--role", "root", "--label", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("root"), "{}", stderr(&out));
}

#[test]
fn token_issue_requires_an_organization_for_a_viewer() {
    let (_dir, db) = dir_with_key();
    let out = ucap(&db, &["token", "issue", "--role", "VIEWER", "--label", "x"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("organization"), "{}", stderr(&out));
}

#[test]
fn token_issue_refuses_an_unknown_organization_naming_it() {
    let (_dir, db) = dir_with_key();
    let out = ucap(
        &db,
        &[
            "token",
            "issue",
            "--role",
            "VIEWER",
            "--label",
            "x",
            "--organization",
            "No Such Org",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("No Such Org"), "{}", stderr(&out));
}

#[test]
fn token_issue_accepts_an_imported_organization_by_name() {
    let (_dir, db) = dir_with_key();
    let import = ucap(&db, &["import", &fixture("guangzhou.txt")]);
    assert!(import.status.success(), "{}", stderr(&import));
    let out = ucap(
        &db,
        &[
            "token",
            "issue",
            "--role",
            "VIEWER",
            "--label",
            "bologna",
            "--organization",
            "University of Bologna",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_is_a_jwt(stdout(&out).lines().last().unwrap_or_default());
    let row = token_row(&db, "bologna");
    assert_eq!(row.get(1).map(String::as_str), Some("VIEWER"), "{row:?}");
    assert_ne!(row.get(2).map(String::as_str), Some("-"), "{row:?}");
}

/// A JSON export holding one city and nothing else, with `city` as that city's fields.
fn one_city_export(city: &str) -> String {
    format!(
        r#"{{"format":"ucap-export","formatVersion":1,"exportedAt":"2024-05-01T10:00:00Z","visibility":"ALL","updatedSince":null,"cities":[
{city}
],"organizations":[],"plans":[],"dataIssues":[]}}
"#
    )
}

const BOLOGNA: &str = r#"{"id":3,"name":"Bologna","nativeName":null,"kind":"CITY","region":null,"countryCode":"IT","geonamesId":null,"latitude":null,"longitude":null,"population":null,"populationText":null,"populationYear":null,"populationSource":null,"areaKm2":null,"areaText":null,"names":[{"name":"Bologna","script":null,"kind":"ROMANISED"}],"createdAt":"2024-05-01T10:00:00Z","updatedAt":"2024-05-01T10:00:00Z","version":2}"#;

#[test]
fn import_json_names_the_path_and_line_of_a_bad_field() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("plans.json");
    std::fs::write(
        &file,
        one_city_export(&BOLOGNA.replace(r#""kind":"CITY""#, r#""kind":"TOWN""#)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let out = ucap(
        &db,
        &[
            "import",
            "--format",
            "json",
            file.to_str().unwrap_or_default(),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cities[0].kind: unknown value `TOWN`: expected one of CITY, REGION")
            && err.contains("at line 2 column"),
        "{err}"
    );
}

#[test]
fn import_json_dry_run_writes_nothing_then_restores_once_into_an_empty_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("plans.json");
    std::fs::write(&file, one_city_export(BOLOGNA)).unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_str().unwrap_or_default();
    let db = dir.path().join("ucap.db");
    let dry = ucap(&db, &["import", "--format", "json", "--dry-run", file]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("would restore 1 city, 1 city_name (dry run)"),
        "{}",
        stdout(&dry)
    );
    assert!(!db.exists(), "a dry run opened the database");
    let first = ucap(&db, &["import", "--format", "json", file]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("restored 1 city, 1 city_name"),
        "{}",
        stdout(&first)
    );
    let again = ucap(&db, &["import", "--format", "json", file]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("the database already holds data (1 city)"),
        "{}",
        stderr(&again)
    );
}

/// Reads an exported file.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn export_writes_every_format_and_its_json_restores_into_another_database_unchanged() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let imported = ucap(&db, &["import", &fixture("guangzhou.txt")]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let out = dir.path().join("out");
    let out_arg = out.to_str().unwrap_or_default();
    for format in ["csv", "json", "iati"] {
        let run = ucap(&db, &["export", "--format", format, "--out", out_arg]);
        assert!(run.status.success(), "{format}: {}", stderr(&run));
        assert!(stdout(&run).contains(" bytes"), "{}", stdout(&run));
    }
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    files.sort();
    assert_eq!(files.len(), 16, "{files:?}");
    assert!(!files.iter().any(|f| f.ends_with(".partial")), "{files:?}");
    let plans = read(&out.join("plans.csv"));
    assert!(plans.starts_with("plan_id,slug,title,status,"), "{plans}");
    assert!(
        plans.contains(",May 2017,MONTH,2017-05-01,2017-05-31,"),
        "{plans}"
    );
    let iati = read(&out.join("iati.xml"));
    assert!(
        iati.contains("<iati-identifier>XI-IATI-EC_FPI-guangzhou-cn</iati-identifier>"),
        "{iati}"
    );
    // The public export has no contact; the backup (--all) has everything.
    assert_eq!(read(&out.join("contacts.csv")).lines().count(), 1);
    let backup = dir.path().join("backup");
    let backup_arg = backup.to_str().unwrap_or_default();
    let run = ucap(
        &db,
        &["export", "--format", "json", "--all", "--out", backup_arg],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let document = backup.join("plans.json");
    let restored_db = dir.path().join("restored.db");
    let restore = ucap(
        &restored_db,
        &[
            "import",
            "--format",
            "json",
            document.to_str().unwrap_or_default(),
        ],
    );
    assert!(restore.status.success(), "{}", stderr(&restore));
    let again = dir.path().join("again");
    let again_arg = again.to_str().unwrap_or_default();
    let run = ucap(
        &restored_db,
        &["export", "--format", "json", "--all", "--out", again_arg],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let comparable = |path: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{e}"));
        v.as_object_mut().map(|o| o.remove("exportedAt"));
        v
    };
    let (before, after) = (comparable(&document), comparable(&again.join("plans.json")));
    assert_eq!(before["visibility"], "ALL");
    assert!(
        before["plans"][0]["contacts"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(before, after);
}

#[test]
fn export_refuses_an_unknown_format_and_an_unreadable_date() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("ucap.db");
    let out = ucap(&db, &["export", "--format", "xml", "--out", "x"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid value 'xml' for '--format"),
        "{}",
        stderr(&out)
    );
    let out = ucap(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--out",
            "x",
            "--updated-since",
            "yesterday",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`yesterday` is not an RFC 3339 instant"),
        "{}",
        stderr(&out)
    );
}
