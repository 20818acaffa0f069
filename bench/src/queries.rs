//! The example operations of `docs/queries/`: `NAME.graphql` with its variables in `NAME.json` (none
//! when the file is missing). IDs are opaque and differ between databases, so a variables file names
//! records instead: any JSON string `"$city:NAME"` stands for the ID of the city called NAME, and
//! `"$plan:NAME"` for the ID of the first plan whose focal city is called NAME. `resolve` looks them up
//! through the API itself. Shared by `ucap-bench` and the `docs_queries` end-to-end test (through
//! this crate's library).

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

/// One example operation.
pub struct Operation {
    /// The file name without `.graphql` ("plan-explorer").
    pub name: String,
    pub document: String,
    /// As written in the `.json` file, placeholders unresolved.
    pub variables: Value,
}

/// `docs/queries` of this checkout.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/queries")
}

/// Every operation of `dir`, by name.
pub fn load_all(dir: &Path) -> anyhow::Result<Vec<Operation>> {
    let mut ops = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "graphql") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("a file name that is not UTF-8")?
            .to_owned();
        let document = std::fs::read_to_string(&path)?;
        let vars_path = path.with_extension("json");
        let variables = if vars_path.exists() {
            let text = std::fs::read_to_string(&vars_path)?;
            serde_json::from_str(&text).with_context(|| format!("{}", vars_path.display()))?
        } else {
            Value::Object(Default::default())
        };
        ops.push(Operation {
            name,
            document,
            variables,
        });
    }
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ops)
}

const CITY_BY_NAME: &str =
    "query($name: String!) { cities(first: 100, filter: { name: $name }) { nodes { id name } } }";
const PLAN_BY_FOCAL_CITY: &str =
    "query($city: ID!) { plans(first: 1, filter: { focalCity: $city }) { nodes { id } } }";

/// `variables` with every placeholder replaced by an ID, looked up with `graphql(query, variables)`.
pub async fn resolve<F, Fut>(variables: &Value, mut graphql: F) -> anyhow::Result<Value>
where
    F: FnMut(&'static str, Value) -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    let mut found = BTreeMap::new();
    collect(variables, &mut found);
    for (placeholder, id) in found.iter_mut() {
        let (kind, name) = placeholder
            .strip_prefix('$')
            .and_then(|p| p.split_once(':'))
            .with_context(|| format!("{placeholder}: expected $city:NAME or $plan:NAME"))?;
        let vars = serde_json::json!({ "name": name });
        let res = graphql(CITY_BY_NAME, vars).await?;
        let city = res["data"]["cities"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name)
            .and_then(|c| c["id"].as_str())
            .with_context(|| format!("{placeholder}: no city named {name}: {res}"))?
            .to_owned();
        *id = match kind {
            "city" => city,
            "plan" => {
                let res = graphql(PLAN_BY_FOCAL_CITY, serde_json::json!({ "city": city })).await?;
                res["data"]["plans"]["nodes"][0]["id"]
                    .as_str()
                    .with_context(|| format!("{placeholder}: no plan of {name}: {res}"))?
                    .to_owned()
            }
            other => anyhow::bail!("{placeholder}: unknown kind {other}; use city or plan"),
        };
    }
    Ok(substitute(variables, &found))
}

fn collect(value: &Value, found: &mut BTreeMap<String, String>) {
    match value {
        Value::String(s) if s.starts_with('$') => {
            found.insert(s.clone(), String::new());
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, found)),
        Value::Object(map) => map.values().for_each(|v| collect(v, found)),
        _ => {}
    }
}

fn substitute(value: &Value, ids: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => ids
            .get(s)
            .map_or_else(|| value.clone(), |id| Value::String(id.clone())),
        Value::Array(items) => items.iter().map(|v| substitute(v, ids)).collect(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}
