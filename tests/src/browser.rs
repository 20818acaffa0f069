//! A real browser for the tests of web pages: headless Debian Chromium driven over WebDriver
//! (chromedriver, through the `fantoccini` client), with screenshots and axe-core accessibility
//! checks. Pages are tested as a user meets them, never only by reading their HTML.
//!
//! Without `chromedriver` the browser tests say loudly that they skipped, unless
//! `UCAP_REQUIRE_BROWSER` is set (CI installs Chromium and sets it): then they fail.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A headless Chromium session, with the chromedriver that runs it (stopped on drop).
pub struct Browser {
    pub client: Client,
    _driver: Child,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session, 1280×900. `None`
    /// when chromedriver is not installed and `UCAP_REQUIRE_BROWSER` is unset.
    pub async fn launch() -> anyhow::Result<Option<Self>> {
        let driver = std::env::var("UCAP_CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into());
        let chromium = std::env::var("UCAP_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
        if !std::path::Path::new(&driver).exists() {
            if std::env::var_os("UCAP_REQUIRE_BROWSER").is_some() {
                bail!("{driver} is not installed and UCAP_REQUIRE_BROWSER is set");
            }
            eprintln!(
                "SKIPPED: no {driver}; install chromium and chromium-driver to run this test"
            );
            return Ok(None);
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {driver}"))?;
        // chromedriver speaks plain HTTP, but the client's TLS stack wants one crypto provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = format!("http://127.0.0.1:{port}");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"],
            }),
        );
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Some(Self {
                        client,
                        _driver: child,
                    }));
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver did not answer: {last:?}")
    }

    /// Waits (up to 10 s) for the element `css` and returns it.
    pub async fn find(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css}"))
    }

    /// Clicks the element `css` once it is there (see [`Self::click_on`]).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.click_on(Locator::Css(css)).await
    }

    /// Clicks the element at `locator` once it is there (up to 10 s). A page that re-renders
    /// between finding and clicking (a list redrawn after a write) leaves a stale element: it is
    /// found again.
    pub async fn click_on(&self, locator: Locator<'_>) -> anyhow::Result<()> {
        for _ in 0..20 {
            let element = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(locator)
                .await
                .with_context(|| format!("no element {locator:?}"))?;
            match element.click().await {
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                other => return other.with_context(|| format!("cannot click {locator:?}")),
            }
        }
        bail!("{locator:?} went stale at every try")
    }

    /// The text of the element `css`, once it has some (up to 10 s).
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        for _ in 0..100 {
            let text = self.find(css).await?.text().await?;
            if !text.trim().is_empty() {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{css} stayed empty")
    }

    /// Saves what the browser shows as `<name>.png` in the screenshot folder
    /// (`UCAP_SCREENSHOTS`, or `target/screenshots`) and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = std::env::var_os("UCAP_SCREENSHOTS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots"),
            PathBuf::from,
        );
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// The serious and critical accessibility violations axe-core finds on the page, as
    /// `"rule-id: help (n nodes)"`. axe-core comes from `scripts/axe` (`npm ci` there; CI does it)
    /// or `UCAP_AXE` (the path of `axe.min.js`).
    pub async fn accessibility_violations(&self) -> anyhow::Result<Vec<String>> {
        let path = std::env::var_os("UCAP_AXE").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../scripts/axe/node_modules/axe-core/axe.min.js")
            },
            PathBuf::from,
        );
        let axe = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: run `npm ci` in scripts/axe",
                path.display()
            )
        })?;
        // WebDriver scripts run outside the page's Content-Security-Policy.
        self.client.execute(&axe, Vec::new()).await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, { resultTypes: ['violations'] })\
                    .then(r => done(r.violations), e => done({ error: String(e) }));",
                Vec::new(),
            )
            .await?;
        if let Some(error) = result.get("error") {
            bail!("axe-core failed: {error}");
        }
        let violations = result.as_array().cloned().unwrap_or_default();
        Ok(violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let nodes = v["nodes"].as_array().map_or(0, Vec::len);
                format!(
                    "{}: {} ({nodes} nodes)",
                    str_of(&v["id"]),
                    str_of(&v["help"])
                )
            })
            .collect())
    }
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}
