//! The reference folder of an app: one request per operation of its tag, so an
//! imported collection holds every operation, each runnable as it stands.
//!
//! What a request sends comes from the document where the document says it:
//! the body is the operation's example, an id comes through the operation's
//! OpenAPI links from an earlier request of the folder that created the thing,
//! and an optional query parameter is listed, disabled. The token is the
//! variable the app's story fills (its `token`, or an `operation_tokens` one for
//! the paths it names). Where that is not enough (an example login would clash
//! on a second run, a link the document cannot express), the story's
//! `reference` entry for the operation says what to send instead, and `why`.
//!
//! The folder's order makes the links usable: sign-ups, other public calls,
//! creations (a link's source before its target), reads, changes, deletions
//! (the deepest first) and the logout last.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Operation, Step, Story};

/// What a story's `reference` entry changes in an operation's reference request.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Why the document alone does not do (shown in the request's description).
    pub why: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default)]
    pub path: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub headers: Map<String, Value>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub save: Map<String, Value>,
    #[serde(default)]
    pub expect: Map<String, Value>,
    #[serde(default)]
    pub prerequest: Vec<String>,
    #[serde(default)]
    pub tests: Vec<String>,
}

/// The folder's name for an app (the check of operation ids reads it back).
pub fn folder_name(app: &str) -> String {
    format!("{app} reference")
}

/// A request's name: the operation id first (the check of operation ids reads it back).
pub fn request_name(id: &str, summary: &str) -> String {
    if summary.is_empty() { id.to_owned() } else { format!("{id}: {summary}") }
}

/// The operation id a reference request's name starts with.
pub fn operation_of(name: &str) -> &str {
    name.split(':').next().unwrap_or_default()
}

/// The reference steps of `app`, in order; they become requests like a story's.
pub fn steps(
    app: &str,
    story: Option<&Story>,
    operations: &BTreeMap<&str, Operation>,
) -> anyhow::Result<Vec<Step>> {
    let mine: Vec<&Operation> = operations.values().filter(|o| o.tags().any(|t| t == app)).collect();
    let empty = BTreeMap::new();
    let overrides = story.map_or(&empty, |s| &s.reference);
    if let Some(stray) = overrides.keys().find(|id| !mine.iter().any(|o| o.id == id.as_str())) {
        bail!("stories/{app}.json: `reference` names `{stray}`, no operation of the tag");
    }
    let incoming = links(&mine);
    let depth = depths(&mine, &incoming);
    let mut order: Vec<&Operation> = mine.clone();
    order.sort_by_key(|o| rank(o, depth[o.id]));

    // Where each parameter's value comes from, in order, so a link can use the
    // value its source sent (`$request.path.id`) or saves (`$response.body#/id`).
    let mut sent: HashMap<&str, Map<String, Value>> = HashMap::new();
    let mut saves: HashMap<&str, Map<String, Value>> = HashMap::new();
    let mut plans = Vec::new();
    for (i, op) in order.iter().enumerate() {
        let ov = overrides.get(op.id);
        let earlier: Vec<&str> = order[..i].iter().map(|o| o.id).collect();
        let mut path = Map::new();
        let mut query = Map::new();
        let mut optional = Vec::new();
        // A whole URL (a link an earlier answer gave) carries its own parameters.
        let params = op.op["parameters"].as_array().filter(|_| ov.is_none_or(|o| o.url.is_none()));
        for param in params.into_iter().flatten() {
            let name = param["name"].as_str().unwrap_or_default();
            let place = param["in"].as_str().unwrap_or_default();
            let given = match place {
                "path" => ov.and_then(|o| o.path.get(name)),
                _ => ov.and_then(|o| o.query.get(name)),
            };
            let mut linked = || {
                incoming.get(op.id).into_iter().flatten().find_map(|link| {
                    let expr =
                        link.params.get(name).or_else(|| link.params.get(&format!("{place}.{name}")))?;
                    if !earlier.contains(&link.source) {
                        return None;
                    }
                    Some(link_value(link.source, expr, &sent, &mut saves))
                })
            };
            let value = match given {
                Some(v) => Some(Ok(v.clone())),
                None => linked(),
            }
            .transpose()?
            .or_else(|| param.get("example").or_else(|| param.pointer("/schema/example")).cloned());
            let required = param["required"].as_bool().unwrap_or(false);
            match (place, value) {
                ("path", Some(v)) => {
                    path.insert(name.to_owned(), v);
                }
                ("path", None) => bail!(
                    "{}: no value for the path parameter `{name}`: give the parameter an example, \
                     link an earlier operation to it, or add it to stories/{app}.json `reference`",
                    op.id
                ),
                ("query", Some(v)) if required || given.is_some() => {
                    query.insert(name.to_owned(), v);
                }
                ("query", None) if required => {
                    bail!("{}: no value for the required query parameter `{name}`", op.id)
                }
                ("query", v) => optional.push((name.to_owned(), v.map(|v| text(&v)).unwrap_or_default())),
                _ => {}
            }
        }
        sent.insert(op.id, path.clone());
        plans.push((op, path, query, optional));
    }

    let mut steps = Vec::new();
    for (op, path, query, optional) in plans {
        let ov = overrides.get(op.id);
        let summary = op.op["summary"].as_str().unwrap_or_default();
        let mut save = saves.remove(op.id).unwrap_or_default();
        let mut description = "The operation as the document gives it.".to_owned();
        if let Some(ov) = ov {
            save.extend(ov.save.clone());
            description = format!("Changed from the document's example: {}", ov.why);
        }
        steps.push(Step {
            name: request_name(op.id, summary),
            operation: op.id.to_owned(),
            description: Some(description),
            status: ov.and_then(|o| o.status),
            auth: ov.and_then(|o| o.auth.clone()).or_else(|| default_auth(op, story)),
            path,
            query,
            headers: ov.map(|o| o.headers.clone()).unwrap_or_default(),
            body: ov.and_then(|o| o.body.clone()),
            url: ov.and_then(|o| o.url.clone()),
            save,
            expect: ov.map(|o| o.expect.clone()).unwrap_or_default(),
            prerequest: ov.map(|o| o.prerequest.clone()).unwrap_or_default(),
            tests: ov.map(|o| o.tests.clone()).unwrap_or_default(),
            optional_query: optional,
        });
    }
    Ok(steps)
}

/// A link of the document: from `source`'s answer to an operation's parameters.
struct Link<'a> {
    source: &'a str,
    params: &'a Map<String, Value>,
}

/// Links by target operation (success answers only: the others create nothing).
fn links<'a>(ops: &[&'a Operation<'a>]) -> HashMap<&'a str, Vec<Link<'a>>> {
    let mut incoming: HashMap<&str, Vec<Link>> = HashMap::new();
    for op in ops {
        for (status, response) in op.op["responses"].as_object().into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            for link in response["links"].as_object().into_iter().flatten().map(|(_, l)| l) {
                if let (Some(target), Some(params)) =
                    (link["operationId"].as_str(), link["parameters"].as_object())
                {
                    incoming.entry(target).or_default().push(Link { source: op.id, params });
                }
            }
        }
    }
    incoming
}

/// How many links lead to each operation through the longest chain (0: none).
fn depths<'a>(ops: &[&'a Operation<'a>], incoming: &HashMap<&str, Vec<Link>>) -> HashMap<&'a str, usize> {
    let mut depth: HashMap<&str, usize> = ops.iter().map(|o| (o.id, 0)).collect();
    // The longest chain is shorter than the number of operations (a cycle stops there).
    for _ in 0..ops.len() {
        let mut changed = false;
        for op in ops {
            let deepest = incoming
                .get(op.id)
                .into_iter()
                .flatten()
                .filter(|l| l.source != op.id)
                .map(|l| depth.get(l.source).copied().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            if deepest > depth[op.id] {
                depth.insert(op.id, deepest);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}

/// The sort key of the folder's order (see the module's doc); ties keep the document's order.
fn rank(op: &Operation, depth: usize) -> (u8, isize) {
    let public = op.op["security"].as_array().is_none_or(Vec::is_empty);
    let creates = op.op["responses"].get("201").is_some();
    let depth = isize::try_from(depth).unwrap_or(isize::MAX);
    match op.method {
        _ if op.path.ends_with("/logout") => (7, 0),
        "post" if public && creates => (0, 0),
        _ if public => (1, 0),
        "post" if creates => (2, depth),
        "get" => (3, depth),
        "delete" => (6, -depth),
        _ => (4, depth),
    }
}

/// The value a link expression gives: the source's own parameter, or a field
/// of its answer (saved into a variable by the source's request).
fn link_value<'a>(
    source: &'a str,
    expr: &Value,
    sent: &HashMap<&str, Map<String, Value>>,
    saves: &mut HashMap<&'a str, Map<String, Value>>,
) -> anyhow::Result<Value> {
    let expr = expr.as_str().context("a link parameter that is not a runtime expression")?;
    if let Some(name) = expr.strip_prefix("$request.path.") {
        return sent.get(source).and_then(|p| p.get(name)).cloned().with_context(|| {
            format!("the link from {source} reads its path parameter `{name}`, which it has not")
        });
    }
    if let Some(pointer) = expr.strip_prefix("$response.body#/") {
        let variable = format!("ref_{source}_{}", pointer.replace('/', "_"));
        let dotted = pointer.replace('/', ".");
        saves.entry(source).or_default().insert(variable.clone(), Value::String(dotted));
        return Ok(Value::String(format!("{{{{{variable}}}}}")));
    }
    bail!("the link expression `{expr}` (from {source}) is not one the collection can follow")
}

/// The token variable of an operation: none for a public one; the story's
/// `operation_tokens` one whose path pattern matches; else the story's `token`.
fn default_auth(op: &Operation, story: Option<&Story>) -> Option<String> {
    let public = op.op["security"].as_array().is_none_or(Vec::is_empty);
    let story = story.filter(|_| !public)?;
    for (variable, pattern) in &story.operation_tokens {
        let pattern = pattern.as_str()?;
        if regex::Regex::new(pattern).is_ok_and(|re| re.is_match(op.path)) {
            return Some(variable.clone());
        }
    }
    story.token.clone()
}

/// A parameter value as the URL carries it.
fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}
