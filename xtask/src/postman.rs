//! `clients/postman/collection.json`: a Postman collection generated from
//! `spec/openapi.json` and the checked-in stories (`clients/postman/stories/<app>.json`).
//!
//! Per app (in the spec's tag order) two folders: its story, requests in story
//! order with login steps saving their token into a collection variable; and
//! its reference folder, every operation of the tag (see `reference.rs`). A
//! `{{baseUrl}}` variable, and a test on every request: the status expected,
//! the content type, and the body validated against the operation's response
//! schema by the sandbox's JSON Schema validator. Adding an app is adding its
//! story file; `--check` also proves every operation of the spec is in the
//! committed collection and nothing else is.

mod reference;
mod request;
mod schema;

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use request::request;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::codegen::{Mode, ensure_file_contents};

/// One app's story: what a user does with it, in order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Story {
    /// The folder's description.
    description: String,
    /// Collection variables the story needs, with their default values (e.g. `paymentKey`).
    #[serde(default)]
    variables: Map<String, Value>,
    /// The variable holding a user token once the story has logged in; the CI
    /// contract step runs the steps up to it to get a token for schemathesis,
    /// and the reference folder sends it where an operation needs a token.
    #[serde(default)]
    token: Option<String>,
    /// Further tokens the story saves, each with a regex of the paths whose
    /// operations need it instead of `token` (`{"shopAdminToken": "^/shop/admin/"}`);
    /// the CI contract step gives schemathesis each for its paths.
    #[serde(default)]
    operation_tokens: Map<String, Value>,
    steps: Vec<Step>,
    /// What the reference folder sends instead of the document's examples, by
    /// operation id (see `reference.rs`).
    #[serde(default)]
    reference: BTreeMap<String, reference::Override>,
}

/// One request of a story.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    name: String,
    /// The spec's `operationId`: gives the method, the path and the documented answers.
    operation: String,
    #[serde(default)]
    description: Option<String>,
    /// Expected status; the operation's first documented 2xx by default.
    #[serde(default)]
    status: Option<u16>,
    /// The variable whose token is sent as `Authorization: Bearer`.
    #[serde(default)]
    auth: Option<String>,
    /// Path parameters (`{"task_id": "{{taskId}}"}`).
    #[serde(default)]
    path: Map<String, Value>,
    #[serde(default)]
    query: Map<String, Value>,
    #[serde(default)]
    headers: Map<String, Value>,
    /// The JSON body; a string `"{{#var}}"` is sent unquoted (a number saved earlier).
    /// Without it, the spec's example of the request body.
    #[serde(default)]
    body: Option<Value>,
    /// A whole URL instead of the operation's path (a link an earlier answer gave).
    #[serde(default)]
    url: Option<String>,
    /// Variables to set from the answer: name → dotted path in the body (`items.0.id`).
    #[serde(default)]
    save: Map<String, Value>,
    /// Values the answer must hold: dotted path → value.
    #[serde(default)]
    expect: Map<String, Value>,
    /// Pre-request script lines (e.g. computing the /shop webhook signature).
    #[serde(default)]
    prerequest: Vec<String>,
    /// More test script lines.
    #[serde(default)]
    tests: Vec<String>,
    /// Optional query parameters listed but disabled (reference requests): name, example.
    #[serde(skip)]
    optional_query: Vec<(String, String)>,
}

const SCHEMA_URL: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
/// Every folder's first request draws a fresh run id, so the collection can run again.
const RUN_ID: &str = "pm.collectionVariables.set(\"runId\", Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36));";

pub fn generate(mode: Mode) -> anyhow::Result<()> {
    let root = crate::root();
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("spec/openapi.json")).context("run `cargo xtask spec` first")?,
    )?;
    let stories = read_stories(&root.join("clients/postman/stories"))?;
    let collection = collection(&spec, &stories)?;
    let text = format!("{}\n", serde_json::to_string_pretty(&collection)?);
    let path = root.join("clients/postman/collection.json");
    ensure_file_contents(&path, &text, mode)?;
    // The committed file, whatever wrote it: every operation, and only those.
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let (missing, stray) = coverage(&spec, &committed);
    if !missing.is_empty() || !stray.is_empty() {
        bail!(
            "the collection's reference folders lack {missing:?} and hold {stray:?}, which the spec has not"
        );
    }
    let requests: usize = committed["item"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["item"].as_array().map_or(0, Vec::len))
        .sum();
    eprintln!(
        "postman: {} operations of the spec, all in the reference folders; {requests} requests in all",
        operations(&spec).len()
    );
    Ok(())
}

fn read_stories(dir: &std::path::Path) -> anyhow::Result<BTreeMap<String, Story>> {
    let mut stories = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let Some(app) =
            path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension() == Some("json".as_ref()))
        else {
            continue;
        };
        let story = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("{} is not a valid story", path.display()))?;
        stories.insert(app.to_owned(), story);
    }
    Ok(stories)
}

fn collection(spec: &Value, stories: &BTreeMap<String, Story>) -> anyhow::Result<Value> {
    let operations = operations(spec);
    let tags: Vec<&str> =
        spec["tags"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect();
    if let Some(stray) = stories.keys().find(|app| !tags.contains(&app.as_str())) {
        bail!("stories/{stray}.json names no tag of the spec");
    }
    let mut variables = vec![
        json!({"key": "baseUrl", "value": "http://127.0.0.1:8080", "type": "string"}),
        json!({"key": "runId", "value": "", "type": "string"}),
    ];
    let mut folders = Vec::new();
    for app in &tags {
        let story = stories.get(*app);
        if let Some(story) = story {
            for (key, value) in &story.variables {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                variables.push(json!({"key": key, "value": value, "type": "string"}));
            }
            let items = requests(spec, &operations, &story.steps, true, &mut variables)
                .with_context(|| format!("stories/{app}.json"))?;
            folders.push(json!({"name": app, "description": story.description, "item": items}));
        }
        let steps = reference::steps(app, story, &operations)?;
        let items = requests(spec, &operations, &steps, false, &mut variables)
            .with_context(|| format!("the {app} reference folder"))?;
        let about = match story {
            Some(_) => format!(
                "Every `{app}` operation, with the document's examples. Run the `{app}` story folder first: \
                 its logins fill the token variables these requests send."
            ),
            None => format!("Every `{app}` operation, with the document's examples."),
        };
        folders.push(json!({"name": reference::folder_name(app), "description": about, "item": items}));
    }
    let mut seen = std::collections::HashSet::new();
    variables.retain(|v| seen.insert(v["key"].to_string()));
    Ok(json!({
        "info": {
            "_postman_id": "7d0c5a52-6a1f-4e8e-9a59-5f2b3c1d9e00",
            "name": spec.pointer("/info/title").cloned().unwrap_or(json!("API")),
            "description": "Generated by `cargo xtask postman` from spec/openapi.json and clients/postman/stories/. \
                Do not edit: change a story and regenerate.\n\nSet `baseUrl` (default `http://127.0.0.1:8080`) and run \
                the whole collection, or an app's story folder and then its reference folder (every operation \
                of the app, with the document's examples). Every request tests its status and validates its \
                body against the operation's response schema.",
            "schema": SCHEMA_URL,
        },
        "item": folders,
        "variable": variables,
    }))
}

/// The requests of one folder; the variables their steps save are declared.
fn requests(
    spec: &Value,
    operations: &BTreeMap<&str, Operation>,
    steps: &[Step],
    story: bool,
    variables: &mut Vec<Value>,
) -> anyhow::Result<Vec<Value>> {
    let mut items = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let op = operations
            .get(step.operation.as_str())
            .with_context(|| format!("no operation `{}` in the spec", step.operation))?;
        for name in step.save.keys() {
            variables.push(json!({"key": name, "value": "", "type": "string"}));
        }
        items.push(request(spec, op, step, story && i == 0).with_context(|| step.name.clone())?);
    }
    Ok(items)
}

/// An operation of the spec: its id, method, path and the operation object.
struct Operation<'a> {
    id: &'a str,
    method: &'a str,
    path: &'a str,
    op: &'a Value,
}

impl Operation<'_> {
    fn tags(&self) -> impl Iterator<Item = &str> {
        self.op["tags"].as_array().into_iter().flatten().filter_map(Value::as_str)
    }
}

fn operations(spec: &Value) -> BTreeMap<&str, Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op["operationId"].as_str() {
                out.insert(id, Operation { id, method, path, op });
            }
        }
    }
    out
}

/// The operation ids of the spec that the collection's reference folders lack
/// (first) and those they hold that the spec does not (second).
fn coverage(spec: &Value, collection: &Value) -> (Vec<String>, Vec<String>) {
    let in_spec: std::collections::BTreeSet<&str> = operations(spec).into_keys().collect();
    let in_collection: std::collections::BTreeSet<&str> = collection["item"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["name"].as_str().is_some_and(|n| n.ends_with(" reference")))
        .flat_map(|f| f["item"].as_array().into_iter().flatten())
        .filter_map(|r| r["name"].as_str().map(reference::operation_of))
        .collect();
    let missing = in_spec.difference(&in_collection).map(|s| (*s).to_owned()).collect();
    let stray = in_collection.difference(&in_spec).map(|s| (*s).to_owned()).collect();
    (missing, stray)
}

#[cfg(test)]
mod tests;
