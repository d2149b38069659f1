//! Compares two schemas of the same place (a parameter, a body, an answer).
//!
//! A request schema may widen (accept more) but not narrow; an answer's may
//! narrow (say less) but not widen, lose a field, or make one optional. Each
//! document's `$ref`s are followed in that document, once per pair of schemas.

use std::{cell::RefCell, collections::BTreeSet};

use serde_json::{Map, Value};

use super::diff::Report;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The client sends it: narrowing breaks.
    Request,
    /// The client reads it: widening breaks.
    Response,
}

pub struct SchemaDiff<'a> {
    pub old: &'a Value,
    pub new: &'a Value,
}

/// The numeric bounds of a schema and whether a larger value narrows (`max*`).
const BOUNDS: &[(&str, bool)] = &[
    ("maxLength", true),
    ("maximum", true),
    ("exclusiveMaximum", true),
    ("maxItems", true),
    ("minLength", false),
    ("minimum", false),
    ("exclusiveMinimum", false),
    ("minItems", false),
];

thread_local! {
    /// Pairs of references being compared (a recursive schema stops there).
    static SEEN: RefCell<BTreeSet<(String, String)>> = const { RefCell::new(BTreeSet::new()) };
}

impl SchemaDiff<'_> {
    pub fn compare(&self, old: &Value, new: &Value, dir: Direction, at: &str, report: &mut Report) {
        let (old, new) = (Shape::of(self.old, old), Shape::of(self.new, new));
        // Inside a comparison of the same two components: a recursive schema.
        let pair = (old.refs.join(","), new.refs.join(","));
        let named = !pair.0.is_empty() || !pair.1.is_empty();
        if named && !SEEN.with(|s| s.borrow_mut().insert(pair.clone())) {
            return;
        }
        self.shapes(&old, &new, dir, at, report);
        if named {
            SEEN.with(|s| s.borrow_mut().remove(&pair));
        }
    }

    fn shapes(&self, old: &Shape, new: &Shape, dir: Direction, at: &str, report: &mut Report) {
        let (before, after) = (&old.types, &new.types);
        if !before.is_empty() && !after.is_empty() && before != after {
            let (wider, narrower) = (widens(before, after), widens(after, before));
            let what = format!("{at}: type {} → {}", list(before), list(after));
            match (dir, wider, narrower) {
                (Direction::Request, true, _) | (Direction::Response, _, true) => report.compatible(what),
                (Direction::Request, _, true) => report.breaking(format!("{what} (narrowed)")),
                (Direction::Response, true, _) => report.breaking(format!("{what} (widened)")),
                _ => report.breaking(format!("{what} (changed)")),
            }
        }
        if old.nullable != new.nullable {
            let what =
                format!("{at}: null {}", if new.nullable { "now allowed" } else { "no longer allowed" });
            if (dir == Direction::Request) == new.nullable {
                report.compatible(what)
            } else {
                report.breaking(what)
            }
        }
        self.values(old, new, dir, at, report);
        if dir == Direction::Request {
            bounds(old, new, at, report);
        }
        self.properties(old, new, dir, at, report);
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.compare(a, b, dir, &format!("{at}[]"), report);
        }
    }

    /// `enum` and `const`: the values allowed.
    fn values(&self, old: &Shape, new: &Shape, dir: Direction, at: &str, report: &mut Report) {
        let (before, after) = (old.allowed(), new.allowed());
        if before == after {
            return;
        }
        let show = |v: &Option<BTreeSet<String>>| v.as_ref().map_or("any value".to_owned(), list);
        let what = format!("{at}: values {} → {}", show(&before), show(&after));
        let narrowed = match (&before, &after) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => !a.is_subset(b),
            (None, None) => false,
        };
        let widened = match (&before, &after) {
            (Some(_), None) => true,
            (Some(a), Some(b)) => !b.is_subset(a),
            _ => false,
        };
        let breaks = match dir {
            Direction::Request => narrowed,
            Direction::Response => widened,
        };
        if breaks {
            let how = if dir == Direction::Request { "narrowed" } else { "widened" };
            report.breaking(format!("{what} ({how})"));
        } else {
            report.compatible(what);
        }
    }

    fn properties(&self, old: &Shape, new: &Shape, dir: Direction, at: &str, report: &mut Report) {
        let (before, after) = (&old.properties, &new.properties);
        let field = |name: &str| format!("{at}: field `{name}`");
        for (name, schema) in before {
            let (was_required, is_required) = (old.required.contains(name), new.required.contains(name));
            let Some(now) = after.get(name) else {
                let renamed = after
                    .iter()
                    .find(|(k, v)| {
                        !before.contains_key(*k)
                            && Shape::of(self.new, v).types == Shape::of(self.old, schema).types
                    })
                    .map(|(k, _)| format!(" (renamed `{k}`?)"))
                    .unwrap_or_default();
                match dir {
                    Direction::Response => report.breaking(format!("{} removed{renamed}", field(name))),
                    Direction::Request => report.breaking(format!(
                        "{} removed{renamed} (the server no longer reads it)",
                        field(name)
                    )),
                }
                continue;
            };
            match (dir, was_required, is_required) {
                (Direction::Request, false, true) => {
                    report.breaking(format!("{} is now required", field(name)))
                }
                (Direction::Response, true, false) => {
                    report.breaking(format!("{} may now be absent", field(name)))
                }
                (_, false, true) | (_, true, false) => report.compatible(format!(
                    "{} is now {}",
                    field(name),
                    if is_required { "required" } else { "optional" }
                )),
                _ => {}
            }
            self.compare(schema, now, dir, &field(name), report);
        }
        for (name, _) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            match (dir, new.required.contains(name)) {
                (Direction::Request, true) => report.breaking(format!("{at}: new required field `{name}`")),
                _ => report.compatible(format!("{} added", field(name))),
            }
        }
    }
}

/// A schema with its `$ref`s, `allOf`s and nullable unions resolved.
struct Shape {
    types: BTreeSet<String>,
    nullable: bool,
    schema: Map<String, Value>,
    properties: Map<String, Value>,
    required: BTreeSet<String>,
    /// The component schemas it is made of.
    refs: Vec<String>,
}

impl Shape {
    fn of(doc: &Value, schema: &Value) -> Self {
        let mut shape = Shape {
            types: BTreeSet::new(),
            nullable: false,
            schema: Map::new(),
            properties: Map::new(),
            required: BTreeSet::new(),
            refs: Vec::new(),
        };
        shape.absorb(doc, schema, 0);
        if shape.types.is_empty() && !shape.properties.is_empty() {
            shape.types.insert("object".into());
        }
        shape
    }

    fn absorb(&mut self, doc: &Value, schema: &Value, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            self.refs.push(name.to_owned());
        }
        let schema = resolve(doc, schema);
        let Some(map) = schema.as_object() else { return };
        for (key, value) in map {
            match key.as_str() {
                "type" => {
                    for t in value.as_array().map_or_else(|| vec![value.clone()], Clone::clone) {
                        match t.as_str() {
                            Some("null") => self.nullable = true,
                            Some(t) => {
                                self.types.insert(t.to_owned());
                            }
                            None => {}
                        }
                    }
                }
                "allOf" => {
                    value.as_array().into_iter().flatten().for_each(|s| self.absorb(doc, s, depth + 1))
                }
                "oneOf" | "anyOf" => {
                    for variant in value.as_array().into_iter().flatten() {
                        if resolve(doc, variant)["type"] == "null" {
                            self.nullable = true;
                        } else {
                            self.absorb(doc, variant, depth + 1);
                        }
                    }
                }
                "properties" => {
                    for (k, v) in value.as_object().into_iter().flatten() {
                        self.properties.insert(k.clone(), v.clone());
                    }
                }
                "required" => {
                    self.required.extend(
                        value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned),
                    );
                }
                _ => {
                    self.schema.insert(key.clone(), value.clone());
                }
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.schema.get(key)
    }

    /// The values `enum`/`const` allow, as JSON text (`None`: any).
    fn allowed(&self) -> Option<BTreeSet<String>> {
        if let Some(c) = self.schema.get("const") {
            return Some(BTreeSet::from([c.to_string()]));
        }
        self.schema.get("enum").and_then(Value::as_array).map(|v| v.iter().map(Value::to_string).collect())
    }
}

/// Request bounds: a tighter or new bound narrows, a looser or dropped one widens.
fn bounds(old: &Shape, new: &Shape, at: &str, report: &mut Report) {
    for (key, upper) in BOUNDS {
        let (a, b) = (old.get(key).and_then(Value::as_f64), new.get(key).and_then(Value::as_f64));
        let show = |v: Option<f64>| v.map_or("none".to_owned(), |v| v.to_string());
        let what = format!("{at}: {key} {} → {}", show(a), show(b));
        let narrowed = match (a, b) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => {
                if *upper {
                    b < a
                } else {
                    b > a
                }
            }
            _ => false,
        };
        if a != b {
            if narrowed { report.breaking(format!("{what} (narrowed)")) } else { report.compatible(what) }
        }
    }
    for key in ["pattern", "multipleOf", "format"] {
        if old.get(key) != new.get(key) {
            let what = format!("{at}: {key} changed");
            match new.get(key) {
                Some(_) => report.breaking(format!("{what} (may refuse what it accepted)")),
                None => report.compatible(format!("{what} (dropped)")),
            }
        }
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => current = doc.pointer(pointer).unwrap_or(&Value::Null),
            None => break,
        }
    }
    current
}

/// Whether `to` accepts every value `from` does (`number` holds `integer`).
fn widens(from: &BTreeSet<String>, to: &BTreeSet<String>) -> bool {
    from.iter().all(|t| to.contains(t) || (t == "integer" && to.contains("number")))
}

fn list(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("|")
}
