//! Classifies the changes between two OpenAPI 3.1 documents as breaking or
//! compatible for a client written against the older one.
//!
//! Operation level here (operations, ids, security, parameters, bodies,
//! statuses); schema level in `schema_diff.rs`. A change is breaking when a
//! client that worked before can fail now: something it calls or reads is
//! gone, something it must send is new, something it may send is refused, or
//! something it reads can take a value it did not expect.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::schema_diff::{Direction, SchemaDiff};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Breaking,
    Compatible,
}

/// One change: where (`POST /todo/tasks`, empty for the document) and what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub severity: Severity,
    pub location: String,
    pub what: String,
}

/// Collects changes for one location.
pub struct Report<'a> {
    pub changes: &'a mut Vec<Change>,
    pub location: String,
}

impl Report<'_> {
    pub fn breaking(&mut self, what: impl Into<String>) {
        self.push(Severity::Breaking, what.into());
    }

    pub fn compatible(&mut self, what: impl Into<String>) {
        self.push(Severity::Compatible, what.into());
    }

    fn push(&mut self, severity: Severity, what: String) {
        self.changes.push(Change { severity, location: self.location.clone(), what });
    }
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every change from `old` to `new`, breaking ones first, then by place.
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let (old_ops, new_ops) = (operations(old), operations(new));
    for (key, old_op) in &old_ops {
        let mut report =
            Report { changes: &mut changes, location: format!("{} {}", key.1.to_uppercase(), key.0) };
        match new_ops.get(key) {
            None if !new_ops.keys().any(|k| k.0 == key.0) => report.breaking("path removed"),
            None => report.breaking("operation removed"),
            Some(new_op) => operation(old, new, old_op, new_op, &mut report),
        }
    }
    for key in new_ops.keys().filter(|k| !old_ops.contains_key(*k)) {
        let what = if old_ops.keys().any(|k| k.0 == key.0) { "operation added" } else { "path added" };
        Report { changes: &mut changes, location: format!("{} {}", key.1.to_uppercase(), key.0) }
            .compatible(what);
    }
    changes.sort();
    changes.dedup();
    changes
}

/// Operations by (path, method).
fn operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.insert((path.clone(), (*method).to_owned()), op);
            }
        }
    }
    out
}

fn operation(old_doc: &Value, new_doc: &Value, old: &Value, new: &Value, report: &mut Report) {
    if let (Some(a), Some(b)) = (old["operationId"].as_str(), new["operationId"].as_str())
        && a != b
    {
        report.breaking(format!(
            "operationId `{a}` renamed `{b}` (generated clients name their methods after it)"
        ));
    }
    security(old_doc, new_doc, old, new, report);
    let diff = SchemaDiff { old: old_doc, new: new_doc };
    parameters(&diff, old, new, report);
    request_body(&diff, old, new, report);
    responses(&diff, old, new, report);
}

/// The alternatives of an operation's security, each a set of scheme names
/// (empty: no token needed).
fn alternatives(doc: &Value, op: &Value) -> BTreeSet<BTreeSet<String>> {
    let list = op.get("security").or_else(|| doc.get("security"));
    let mut out: BTreeSet<BTreeSet<String>> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|req| req.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default())
        .collect();
    if out.is_empty() {
        out.insert(BTreeSet::new());
    }
    out
}

fn security(old_doc: &Value, new_doc: &Value, old: &Value, new: &Value, report: &mut Report) {
    let (before, after) = (alternatives(old_doc, old), alternatives(new_doc, new));
    let open = BTreeSet::new();
    if before.contains(&open) && !after.contains(&open) {
        report.breaking("security added: a token is now required");
        return;
    }
    for lost in before.difference(&after).filter(|a| !a.is_empty()) {
        let names: Vec<&str> = lost.iter().map(String::as_str).collect();
        report.breaking(format!("security `{}` no longer accepted", names.join(" + ")));
    }
    for gained in after.difference(&before) {
        let names: Vec<&str> = gained.iter().map(String::as_str).collect();
        if gained.is_empty() {
            report.compatible("security removed: no token needed");
        } else {
            report.compatible(format!("security `{}` also accepted", names.join(" + ")));
        }
    }
}

fn parameters(diff: &SchemaDiff, old: &Value, new: &Value, report: &mut Report) {
    let index = |op: &Value| -> BTreeMap<(String, String), Value> {
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some(((p["in"].as_str()?.to_owned(), p["name"].as_str()?.to_owned()), p.clone())))
            .collect()
    };
    let (before, after) = (index(old), index(new));
    for ((place, name), param) in &before {
        let required = |p: &Value| p["required"].as_bool().unwrap_or(false);
        match after.get(&(place.clone(), name.clone())) {
            // A path parameter's name is not sent: the path's change speaks for it.
            None if place == "path" => {}
            None => {
                report.breaking(format!("{place} parameter `{name}` removed (the server no longer reads it)"))
            }
            Some(now) => {
                if !required(param) && required(now) {
                    report.breaking(format!("{place} parameter `{name}` is now required"));
                } else if required(param) && !required(now) {
                    report.compatible(format!("{place} parameter `{name}` is now optional"));
                }
                let at = format!("{place} parameter `{name}`");
                diff.compare(&param["schema"], &now["schema"], Direction::Request, &at, report);
            }
        }
    }
    for ((place, name), param) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
        if place == "path" {
            continue;
        }
        if param["required"].as_bool().unwrap_or(false) {
            report.breaking(format!("new required {place} parameter `{name}`"));
        } else {
            report.compatible(format!("new optional {place} parameter `{name}`"));
        }
    }
}

fn request_body(diff: &SchemaDiff, old: &Value, new: &Value, report: &mut Report) {
    let required = |b: &Value| b["required"].as_bool().unwrap_or(false);
    match (old.get("requestBody"), new.get("requestBody")) {
        (None, None) => {}
        (None, Some(body)) if required(body) => report.breaking("a request body is now required"),
        (None, Some(_)) => report.compatible("an optional request body added"),
        (Some(_), None) => report.breaking("the request body removed (the server no longer reads it)"),
        (Some(before), Some(after)) => {
            if !required(before) && required(after) {
                report.breaking("the request body is now required");
            }
            let (a, b) = (media(before), media(after));
            for (kind, schema) in &a {
                match b.get(kind) {
                    None => report.breaking(format!("request body `{kind}` no longer accepted")),
                    Some(now) => diff.compare(schema, now, Direction::Request, "request body", report),
                }
            }
            for kind in b.keys().filter(|k| !a.contains_key(*k)) {
                report.compatible(format!("request body `{kind}` also accepted"));
            }
        }
    }
}

/// `application/json` and the `+json` types: what a client parses as JSON.
fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or(media_type).trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn media(holder: &Value) -> BTreeMap<String, Value> {
    holder["content"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.get("schema").cloned().unwrap_or(Value::Null)))
        .collect()
}

fn responses(diff: &SchemaDiff, old: &Value, new: &Value, report: &mut Report) {
    let statuses = |op: &Value| -> BTreeMap<String, Value> {
        op["responses"]
            .as_object()
            .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (before, after) = (statuses(old), statuses(new));
    let success = |s: &str| s.starts_with('2');
    let old_success: Vec<&String> = before.keys().filter(|s| success(s)).collect();
    let new_success: Vec<&String> = after.keys().filter(|s| success(s)).collect();
    for status in &old_success {
        if !after.contains_key(*status) {
            let now: Vec<&str> = new_success.iter().map(|s| s.as_str()).collect();
            report.breaking(format!("success status {status} no longer answered (now {})", now.join(", ")));
        }
    }
    for (status, response) in &after {
        match before.get(status) {
            None if success(status) => report.compatible(format!("success status {status} added")),
            None => report.compatible(format!("status {status} documented")),
            Some(was) => {
                let (a, b) = (media(was), media(response));
                for (kind, schema) in &a {
                    match b.get(kind) {
                        None => report.breaking(format!("{status} answer no longer `{kind}`")),
                        // A non-JSON answer (a JPEG) is bytes a client keeps as
                        // they come: its schema documents them, it is no
                        // structure a client parses, so a new one breaks no one.
                        Some(now) if !is_json(kind) => {
                            if schema != now {
                                report.compatible(format!(
                                    "{status} answer `{kind}`: its bytes documented anew"
                                ));
                            }
                        }
                        Some(now) => {
                            diff.compare(
                                schema,
                                now,
                                Direction::Response,
                                &format!("{status} answer"),
                                report,
                            );
                        }
                    }
                }
                if a.is_empty() && !b.is_empty() {
                    report.compatible(format!("{status} answer now has a body"));
                }
            }
        }
    }
    for status in before.keys().filter(|s| !success(s) && !after.contains_key(*s)) {
        report.compatible(format!("status {status} no longer documented"));
    }
}
