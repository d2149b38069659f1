//! Postman test lines that check a JSON body against a response schema of the
//! spec: its type, its required keys, and the types of its fields (two levels).

use serde_json::Value;

/// How deep nested objects and arrays are checked.
const MAX_DEPTH: usize = 3;

/// Resolves `$ref`s to `#/components/schemas/..`.
pub struct Schemas<'a>(pub &'a Value);

impl Schemas<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                self.0.pointer(&format!("/components/schemas/{name}")).unwrap_or(&Value::Null)
            }
            None => schema,
        }
    }

    /// A readable name of a schema, for test titles (`TodoTaskOut`, `an array of TodoTaskOut`).
    pub fn name(&self, schema: &Value) -> String {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return r.rsplit('/').next().unwrap_or_default().to_owned();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                format!("an array of {}", self.name(schema.get("items").unwrap_or(&Value::Null)))
            }
            Some(t) => t.to_owned(),
            None => "JSON".to_owned(),
        }
    }

    /// Chai assertions that `expr` has the shape of `schema`.
    pub fn lines(&self, schema: &Value, expr: &str, depth: usize) -> Vec<String> {
        let schema = self.resolve(schema);
        let (nullable, inner) = non_null(schema);
        let Some(inner) = inner else { return vec![] };
        let inner = self.resolve(inner);
        let mut out = Vec::new();
        match kind(inner) {
            Some("object") => {
                out.push(format!("pm.expect({expr}, {}).to.be.an(\"object\");", js_str(expr)));
                let required: Vec<&str> = inner
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if !required.is_empty() {
                    let keys: Vec<String> = required.iter().map(|k| js_str(k)).collect();
                    out.push(format!("pm.expect({expr}).to.include.all.keys({});", keys.join(", ")));
                }
                if depth < MAX_DEPTH
                    && let Some(props) = inner.get("properties").and_then(Value::as_object)
                {
                    for (key, prop) in props {
                        let field = format!("{expr}[{}]", js_str(key));
                        let lines = self.lines(prop, &field, depth + 1);
                        out.extend(guard(
                            &format!("{field} !== undefined"),
                            lines,
                            !required.contains(&key.as_str()),
                        ));
                    }
                }
            }
            Some("array") => {
                out.push(format!("pm.expect({expr}, {}).to.be.an(\"array\");", js_str(expr)));
                if depth < MAX_DEPTH {
                    let item = format!("item{depth}");
                    let lines = self.lines(inner.get("items").unwrap_or(&Value::Null), &item, depth + 1);
                    if !lines.is_empty() {
                        out.push(format!("{expr}.forEach(({item}) => {{"));
                        out.extend(lines.into_iter().map(|l| format!("  {l}")));
                        out.push("});".into());
                    }
                }
            }
            Some(t @ ("string" | "boolean")) => out.push(format!("pm.expect({expr}).to.be.a(\"{t}\");")),
            Some("integer" | "number") => out.push(format!("pm.expect({expr}).to.be.a(\"number\");")),
            _ => {}
        }
        guard(&format!("{expr} !== null"), out, nullable)
    }
}

/// Wraps lines in `if (cond) { .. }` when `wrap`.
fn guard(cond: &str, lines: Vec<String>, wrap: bool) -> Vec<String> {
    if !wrap || lines.is_empty() {
        return lines;
    }
    let mut out = vec![format!("if ({cond}) {{")];
    out.extend(lines.into_iter().map(|l| format!("  {l}")));
    out.push("}".into());
    out
}

/// Whether the schema admits null, and the schema of its non-null values.
fn non_null(schema: &Value) -> (bool, Option<&Value>) {
    for key in ["oneOf", "anyOf"] {
        if let Some(variants) = schema.get(key).and_then(Value::as_array) {
            let is_null = |v: &&Value| v.get("type").and_then(Value::as_str) == Some("null");
            let rest: Vec<&Value> = variants.iter().filter(|v| !is_null(v)).collect();
            let nullable = rest.len() < variants.len();
            return (nullable, if rest.len() == 1 { Some(rest[0]) } else { None });
        }
    }
    let nullable =
        schema.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|t| t == "null"));
    (nullable, Some(schema))
}

/// The JSON type of a schema (`["string", "null"]` counts as `string`).
fn kind(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// A JavaScript string literal (JSON's is one).
pub fn js_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn objects_check_required_keys_and_field_types() {
        let spec = json!({"components": {"schemas": {"T": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"},
            "note": {"type": ["string", "null"]}
        }}}}});
        let lines = Schemas(&spec).lines(&json!({"$ref": "#/components/schemas/T"}), "body", 0);
        assert_eq!(
            lines,
            vec![
                r#"pm.expect(body, "body").to.be.an("object");"#,
                r#"pm.expect(body).to.include.all.keys("id");"#,
                r#"pm.expect(body["id"]).to.be.a("number");"#,
                r#"if (body["note"] !== undefined) {"#,
                r#"  if (body["note"] !== null) {"#,
                r#"    pm.expect(body["note"]).to.be.a("string");"#,
                r#"  }"#,
                r#"}"#,
            ]
        );
    }

    #[test]
    fn arrays_check_each_item() {
        let spec = json!({});
        let lines = Schemas(&spec).lines(&json!({"type": "array", "items": {"type": "string"}}), "body", 0);
        assert_eq!(lines[1], "body.forEach((item0) => {");
        assert_eq!(lines[2], r#"  pm.expect(item0).to.be.a("string");"#);
    }
}
