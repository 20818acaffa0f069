//! Checks an IATI activity file two ways: against the official 2.03 schema (with `xmllint`, the
//! schema files copied under `tests/fixtures/iati/`), and against the standard's rules no schema
//! expresses (dates, identifier prefixes, references), by reading the XML.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use chrono::NaiveDate;

/// The activity schema; it includes `iati-common.xsd` and imports `xml.xsd` from its directory.
pub fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/iati/iati-activities-schema.xsd")
}

/// Whether the schema was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaCheck {
    Valid,
    /// `xmllint` is not installed (and `UCAP_REQUIRE_XMLLINT` is unset).
    Skipped,
}

/// Validates `xml` against the schema with `xmllint`. Without `xmllint` this fails when
/// `UCAP_REQUIRE_XMLLINT` is set (CI installs it), and otherwise says loudly that it skipped.
pub fn check_schema(xml: &str) -> anyhow::Result<SchemaCheck> {
    let schema = schema_path();
    let spawned = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var_os("UCAP_REQUIRE_XMLLINT").is_some() {
                bail!("xmllint is not installed and UCAP_REQUIRE_XMLLINT is set");
            }
            eprintln!(
                "\n!!!!! IATI SCHEMA VALIDATION SKIPPED: xmllint is not installed \
                 (Debian: libxml2-utils); only the IATI rules were checked !!!!!\n"
            );
            return Ok(SchemaCheck::Skipped);
        }
        Err(e) => return Err(e).context("cannot run xmllint"),
    };
    // Written from a thread: xmllint may report (and fill its stderr pipe) before reading all.
    let mut stdin = child.stdin.take().context("xmllint has no stdin")?;
    let input = xml.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().context("xmllint did not finish")?;
    match writer.join() {
        Ok(written) => written.context("cannot write to xmllint")?,
        Err(_) => bail!("the thread writing to xmllint panicked"),
    }
    if !output.status.success() {
        bail!(
            "the document does not validate against {}:\n{}",
            schema.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(SchemaCheck::Valid)
}

/// Every breach of the IATI rules the schema cannot check, one message each: every activity has a
/// start date (planned or actual) no later than its end dates; no actual date (start or end) and
/// no last update after `today`; every `iati-identifier` is the reporting org's ref, `-`,
/// something, and unique in the file; every `related-activity/@ref` is an activity of the file or
/// carries the reporting org's prefix.
pub fn rule_violations(xml: &str, today: NaiveDate) -> anyhow::Result<Vec<String>> {
    let doc = roxmltree::Document::parse(xml).context("the document is not well-formed XML")?;
    let root = doc.root_element();
    if !root.has_tag_name("iati-activities") {
        bail!("the root element is <{}>", root.tag_name().name());
    }
    let activities: Vec<_> = root
        .children()
        .filter(|c| c.has_tag_name("iati-activity"))
        .collect();
    let identifiers: HashSet<&str> = activities
        .iter()
        .filter_map(|a| child(*a, "iati-identifier")?.text())
        .map(str::trim)
        .collect();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, a) in activities.iter().enumerate() {
        let id = child(*a, "iati-identifier")
            .and_then(|n| n.text())
            .map(str::trim)
            .unwrap_or_default();
        let name = if id.is_empty() {
            format!("activity #{}", i + 1)
        } else {
            id.to_owned()
        };
        let prefix = child(*a, "reporting-org")
            .and_then(|n| n.attribute("ref"))
            .map(|r| format!("{}-", r.trim()));
        match &prefix {
            None => problems.push(format!("{name}: no reporting-org/@ref")),
            Some(p) if !(id.starts_with(p.as_str()) && id.len() > p.len()) => {
                problems.push(format!("{name}: the identifier does not start with {p}"))
            }
            Some(_) => {}
        }
        if !seen.insert(id) {
            problems.push(format!("{name}: the identifier is used twice"));
        }
        if let Some(updated) = a.attribute("last-updated-datetime") {
            match chrono::DateTime::parse_from_rfc3339(updated) {
                Ok(at) if at.date_naive() > today => {
                    problems.push(format!("{name}: last updated in the future ({updated})"))
                }
                Ok(_) => {}
                Err(e) => problems.push(format!("{name}: last-updated-datetime {updated}: {e}")),
            }
        }
        let (mut starts, mut ends) = (Vec::new(), Vec::new());
        for d in a.children().filter(|c| c.has_tag_name("activity-date")) {
            let kind = d.attribute("type").unwrap_or_default();
            let iso = d.attribute("iso-date").unwrap_or_default();
            let Ok(date) = iso.parse::<NaiveDate>() else {
                problems.push(format!(
                    "{name}: activity-date type {kind} has iso-date {iso:?}"
                ));
                continue;
            };
            if matches!(kind, "2" | "4") && date > today {
                problems.push(format!(
                    "{name}: actual date (type {kind}) {date} is in the future"
                ));
            }
            match kind {
                "1" | "2" => starts.push((kind, date)),
                "3" | "4" => ends.push((kind, date)),
                _ => problems.push(format!("{name}: unknown activity-date type {kind:?}")),
            }
        }
        if starts.is_empty() {
            problems.push(format!("{name}: no start date (activity-date type 1 or 2)"));
        }
        for (sk, start) in &starts {
            for (ek, end) in &ends {
                if start > end {
                    problems.push(format!(
                        "{name}: start (type {sk}) {start} is after end (type {ek}) {end}"
                    ));
                }
            }
        }
        for r in a.children().filter(|c| c.has_tag_name("related-activity")) {
            let target = r.attribute("ref").unwrap_or_default();
            let prefixed = prefix.as_deref().is_some_and(|p| target.starts_with(p));
            if !identifiers.contains(target) && !prefixed {
                problems.push(format!("{name}: related activity {target:?} is unknown"));
            }
        }
    }
    Ok(problems)
}

/// The first child element of `node` named `name`.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|c| c.has_tag_name(name))
}

/// The schema and the rules; an error lists every problem found.
pub fn validate(xml: &str, today: NaiveDate) -> anyhow::Result<SchemaCheck> {
    let schema = check_schema(xml)?;
    let problems = rule_violations(xml, today)?;
    if !problems.is_empty() {
        bail!("the document breaks IATI rules:\n{}", problems.join("\n"));
    }
    Ok(schema)
}
