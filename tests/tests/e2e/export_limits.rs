//! Exports hold a database connection while they stream: one caller streams a bounded number at
//! once, and an export whose client stops reading is cut off, freeing its slot and connection.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use ucap::auth::Role;
use ucap_tests::{TestApp, error_code, spawn_app_with};

/// Enough cities that `cities.csv` (about 6 MB) cannot sit in the socket buffers of both ends:
/// a client that does not read blocks the export.
async fn many_cities(app: &TestApp) {
    let db = Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let padding = "x".repeat(600);
    db.execute_unprepared(&format!(
        "INSERT INTO city (name, name_key, kind, region) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
         SELECT 'Stall City ' || i, 'stall-city-' || i, 'CITY', '{padding}' FROM n"
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    db.close().await.unwrap_or_else(|e| panic!("{e}"));
}

/// GETs `path` anonymously over a connection with a receive buffer of a few KiB that reads the
/// response head and then nothing more.
async fn stalled_export(app: &TestApp, path: &str) -> TcpStream {
    let address: SocketAddr = app
        .address
        .trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let socket = TcpSocket::new_v4().unwrap_or_else(|e| panic!("{e}"));
    socket
        .set_recv_buffer_size(4096)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stream = socket
        .connect(address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut head = [0_u8; 256];
    let read = stream
        .read(&mut head)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = String::from_utf8_lossy(&head[..read]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    stream
}

async fn export(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/export/plans.json", app.address));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

async fn assert_rate_limited(res: reqwest::Response) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = res.headers()[RETRY_AFTER]
        .to_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or(0);
    assert!(retry_after >= 1, "Retry-After: {retry_after}");
    let error: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error_code(&error), Some("RATE_LIMITED"), "{error}");
}

#[tokio::test]
async fn a_caller_streams_one_export_at_a_time_while_other_callers_still_export() {
    let app = spawn_app_with(|s| {
        s.max_exports_per_caller = 1;
        s.export_idle_timeout = Duration::from_secs(120);
    })
    .await;
    many_cities(&app).await;
    let _stalled = stalled_export(&app, "/export/cities.csv").await;

    assert_rate_limited(export(&app, None).await).await;
    let (token, _) = app.issue_token(Role::Viewer, &[1]).await;
    let other = export(&app, Some(&token)).await;
    assert_eq!(other.status(), StatusCode::OK);
    let doc: Value = other.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["plans"].as_array().map(Vec::len), Some(1), "{doc}");
}

#[tokio::test]
async fn an_export_whose_client_stops_reading_is_cut_off_and_frees_its_slot() {
    let idle = Duration::from_secs(2);
    let app = spawn_app_with(|s| {
        s.max_exports_per_caller = 1;
        s.export_idle_timeout = idle;
    })
    .await;
    many_cities(&app).await;
    let started = Instant::now();
    let mut stalled = stalled_export(&app, "/export/cities.csv").await;
    assert_rate_limited(export(&app, None).await).await;

    // The slot comes back once the idle timeout has cut the stalled export off.
    let freed = loop {
        let res = export(&app, None).await;
        if res.status() == StatusCode::OK {
            let doc: Value = res.json().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(doc["plans"].as_array().map(Vec::len), Some(1), "{doc}");
            break started.elapsed();
        }
        assert_rate_limited(res).await;
        assert!(
            started.elapsed() < idle * 6,
            "the stalled export still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(freed >= idle, "freed after {freed:?}");

    // Its connection was ended without the final chunk: what is left is truncated.
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), stalled.read_to_end(&mut rest)).await;
    let Ok(outcome) = ended else {
        panic!("the stalled connection is still open");
    };
    let complete = outcome.is_ok() && rest.ends_with(b"\r\n0\r\n\r\n");
    assert!(!complete, "the cut-off export ended like a complete one");
}
