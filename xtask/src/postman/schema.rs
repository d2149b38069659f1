//! JSON Schemas for Postman's `pm.response.to.have.jsonSchema` (ajv 6 inside
//! the sandbox, which reads draft-07): a response schema of the document with
//! every component schema it uses copied under `definitions`, so each request's
//! test carries all it checks against and imports into Postman as it is.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// The formats ajv 6 knows; the document's others (`int64`, `byte`, ...) only
/// annotate, and ajv would refuse to compile a schema naming them.
const AJV_FORMATS: &[&str] = &[
    "date",
    "time",
    "date-time",
    "uri",
    "uri-reference",
    "uri-template",
    "url",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "regex",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
];

/// Keywords that may stand beside a `$ref` without changing what it means.
const ANNOTATIONS: &[&str] = &["description", "summary", "title", "example", "examples"];

const COMPONENTS: &str = "#/components/schemas/";

/// `schema` (a response's) as one self-contained draft-07 schema.
pub fn bundle(spec: &Value, schema: &Value) -> anyhow::Result<Value> {
    let mut wanted = BTreeSet::new();
    let root = rewrite(schema, &mut wanted)?;
    let mut definitions = BTreeMap::new();
    while let Some(name) = wanted.iter().find(|n| !definitions.contains_key(*n)).cloned() {
        let component = spec
            .pointer(&format!("/components/schemas/{name}"))
            .with_context(|| format!("no component schema `{name}`"))?;
        definitions.insert(name, rewrite(component, &mut wanted)?);
    }
    if definitions.is_empty() {
        return Ok(root);
    }
    // Draft-07 ignores the siblings of a `$ref`, `definitions` included.
    let mut out = match root {
        Value::Object(map) if !map.contains_key("$ref") => map,
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    out.insert("definitions".into(), json!(definitions));
    Ok(Value::Object(out))
}

/// Component references point into `definitions` (collected in `wanted`),
/// unknown formats go, and a `$ref` with constraints beside it (OpenAPI 3.1
/// applies both) becomes an `allOf` that draft-07 applies both of too.
fn rewrite(value: &Value, wanted: &mut BTreeSet<String>) -> anyhow::Result<Value> {
    Ok(match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => {
                        let Some(name) = target.strip_prefix(COMPONENTS) else {
                            bail!("only component schema references are bundled, not `{target}`");
                        };
                        wanted.insert(name.to_owned());
                        out.insert(key.clone(), json!(format!("#/definitions/{name}")));
                    }
                    ("format", Value::String(format)) if !AJV_FORMATS.contains(&format.as_str()) => {}
                    // Property names and examples are data, not schemas.
                    ("properties", Value::Object(props)) => {
                        let props: anyhow::Result<Map<String, Value>> =
                            props.iter().map(|(k, v)| Ok((k.clone(), rewrite(v, wanted)?))).collect();
                        out.insert(key.clone(), Value::Object(props?));
                    }
                    ("example" | "examples" | "enum" | "const" | "default", _) => {
                        out.insert(key.clone(), item.clone());
                    }
                    _ => {
                        out.insert(key.clone(), rewrite(item, wanted)?);
                    }
                }
            }
            if out.contains_key("$ref")
                && out.keys().any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str()))
            {
                let reference = out.remove("$ref").unwrap_or_default();
                out.insert("allOf".into(), json!([{"$ref": reference}]));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| rewrite(v, wanted)).collect::<anyhow::Result<_>>()?)
        }
        other => other.clone(),
    })
}

/// A readable name of a schema, for test titles (`TodoTaskOut`, `an array of TodoTaskOut`).
pub fn name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or_default().to_owned();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!("an array of {}", name(schema.get("items").unwrap_or(&Value::Null))),
        Some(t) => t.to_owned(),
        None => "JSON".to_owned(),
    }
}

/// A JavaScript string literal (JSON's is one).
pub fn js_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referenced_schema_comes_with_what_it_references() -> anyhow::Result<()> {
        let spec = json!({"components": {"schemas": {
            "List": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Item": {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}, "at": {"type": "string", "format": "date-time"}}},
            "Unused": {"type": "string"}
        }}});
        let bundled = bundle(&spec, &json!({"$ref": "#/components/schemas/List"}))?;
        assert_eq!(bundled["allOf"], json!([{"$ref": "#/definitions/List"}]));
        assert_eq!(
            bundled["definitions"]["List"]["properties"]["items"]["items"],
            json!({"$ref": "#/definitions/Item"})
        );
        let item = &bundled["definitions"]["Item"]["properties"];
        assert_eq!(item["id"], json!({"type": "integer"}), "int64 is not an ajv format");
        assert_eq!(item["at"]["format"], "date-time");
        assert!(bundled["definitions"].get("Unused").is_none());
        Ok(())
    }

    #[test]
    fn a_ref_with_constraints_beside_it_keeps_both() -> anyhow::Result<()> {
        let spec = json!({"components": {"schemas": {"Money": {"type": "string"}}}});
        let bundled = bundle(
            &spec,
            &json!({"type": "object", "properties": {"m": {"$ref": "#/components/schemas/Money", "maxLength": 3, "description": "d"}}}),
        )?;
        assert_eq!(
            bundled["properties"]["m"],
            json!({"allOf": [{"$ref": "#/definitions/Money"}], "maxLength": 3, "description": "d"})
        );
        Ok(())
    }

    #[test]
    fn a_property_named_like_a_keyword_is_data() -> anyhow::Result<()> {
        let spec = json!({});
        let bundled = bundle(
            &spec,
            &json!({"type": "object", "properties": {"format": {"type": "string", "format": "byte"}}}),
        )?;
        assert_eq!(bundled["properties"]["format"], json!({"type": "string"}));
        Ok(())
    }

    #[test]
    fn a_reference_outside_the_components_is_refused() {
        let err = bundle(&json!({}), &json!({"$ref": "other.json#/X"})).unwrap_err();
        assert!(err.to_string().contains("other.json"), "{err}");
    }
}
