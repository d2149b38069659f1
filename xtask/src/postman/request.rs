//! One request of the collection from a step: method, URL, body, auth, and its
//! test script (status, content type, the body against the response schema, the
//! story's expectations), and the variables it saves.

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use super::{Operation, RUN_ID, Step, schema};
use schema::js_str;

pub(super) fn request(spec: &Value, op: &Operation, step: &Step, first: bool) -> anyhow::Result<Value> {
    let status = match step.status {
        Some(s) => s,
        None => op.op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, _)| k.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
            .context("the operation documents no 2xx")?,
    };
    let response = op.op.pointer(&format!("/responses/{status}")).with_context(|| {
        format!("{} does not document a {status}: document it, or expect another status", step.operation)
    })?;
    let mut req = Map::new();
    req.insert("method".into(), json!(op.method.to_uppercase()));
    let mut headers: Vec<Value> = step
        .headers
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v.as_str().unwrap_or_default()}))
        .collect();
    if let Some(body) = request_body(spec, op.op, step)? {
        headers.push(json!({"key": "Content-Type", "value": "application/json"}));
        req.insert(
            "body".into(),
            json!({"mode": "raw", "raw": body, "options": {"raw": {"language": "json"}}}),
        );
    }
    req.insert("header".into(), Value::Array(headers));
    if let Some(var) = &step.auth {
        let token = format!("{{{{{var}}}}}");
        req.insert(
            "auth".into(),
            json!({"type": "bearer", "bearer": [{"key": "token", "value": token, "type": "string"}]}),
        );
    }
    req.insert("url".into(), url(op, step)?);
    let summary = op.op["summary"].as_str().unwrap_or_default();
    let about = [Some(summary), op.op["description"].as_str(), step.description.as_deref()];
    req.insert("description".into(), json!(about.into_iter().flatten().collect::<Vec<_>>().join("\n\n")));
    let mut prerequest = step.prerequest.clone();
    if first {
        prerequest.insert(0, RUN_ID.to_owned());
    }
    let mut events = Vec::new();
    if !prerequest.is_empty() {
        events
            .push(json!({"listen": "prerequest", "script": {"type": "text/javascript", "exec": prerequest}}));
    }
    events.push(json!({"listen": "test", "script": {"type": "text/javascript", "exec": tests(spec, response, status, step)?}}));
    Ok(json!({"name": step.name, "event": events, "request": req}))
}

fn request_body(spec: &Value, op: &Value, step: &Step) -> anyhow::Result<Option<String>> {
    let documented = op.pointer("/requestBody/content/application~1json");
    let body = match (&step.body, documented) {
        (Some(body), _) => body.clone(),
        (None, None) => return Ok(None),
        (None, Some(media)) => {
            let schema = media.get("schema").and_then(|s| s.get("$ref")).and_then(Value::as_str);
            let by_ref =
                schema.and_then(|r| spec.pointer(&format!("/components/schemas/{}", r.rsplit('/').next()?)));
            media.get("example").or_else(|| by_ref.and_then(|s| s.get("example"))).cloned().context(
                "the operation takes a body and neither the story nor the spec gives one (add `body` to the step)",
            )?
        }
    };
    let text = serde_json::to_string_pretty(&body)?;
    Ok(Some(unquote_raw(&text)))
}

/// `"{{#var}}"` → `{{var}}`: a saved number sent as a JSON number.
pub(super) fn unquote_raw(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\"{{#") {
        let Some(end) = rest[start..].find("}}\"") else { break };
        out.push_str(&rest[..start]);
        out.push_str("{{");
        out.push_str(&rest[start + 4..start + end]);
        out.push_str("}}");
        rest = &rest[start + end + 3..];
    }
    out.push_str(rest);
    out
}

fn url(op: &Operation, step: &Step) -> anyhow::Result<Value> {
    if let Some(raw) = &step.url {
        return Ok(json!(raw));
    }
    let mut path = op.path.to_owned();
    for (name, value) in &step.path {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    if let Some(missing) = path.split('/').find(|s| s.starts_with('{') && !s.starts_with("{{")) {
        bail!("no value for the path parameter {missing}");
    }
    let mut query: Vec<Value> = step
        .query
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v.as_str().map_or_else(|| v.to_string(), str::to_owned)}))
        .collect();
    let qs: Vec<String> = query
        .iter()
        .map(|q| format!("{}={}", q["key"].as_str().unwrap_or(""), q["value"].as_str().unwrap_or("")))
        .collect();
    let raw = if qs.is_empty() {
        format!("{{{{baseUrl}}}}{path}")
    } else {
        format!("{{{{baseUrl}}}}{path}?{}", qs.join("&"))
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // Listed after `raw` is built: Postman leaves disabled parameters out of the URL it sends.
    query.extend(step.optional_query.iter().map(|(k, v)| json!({"key": k, "value": v, "disabled": true})));
    let mut url = json!({"raw": raw, "host": ["{{baseUrl}}"], "path": segments});
    if !query.is_empty() {
        url["query"] = Value::Array(query);
    }
    Ok(url)
}

/// An expected value in JavaScript: variables in strings are resolved at run
/// time, and `"{{#var}}"` is the number a variable holds.
pub(super) fn expected(value: &Value) -> String {
    match value.as_str() {
        Some(s) if s.starts_with("{{#") && s.ends_with("}}") => {
            format!("Number(pm.variables.get({}))", js_str(&s[3..s.len() - 2]))
        }
        Some(s) if s.contains("{{") => format!("pm.variables.replaceIn({})", js_str(s)),
        _ => value.to_string(),
    }
}

/// A JavaScript accessor of a dotted path: `items.0.id` → `body["items"][0]["id"]`.
pub(super) fn accessor(path: &str) -> String {
    path.split('.').fold("body".to_owned(), |acc, part| match part.parse::<usize>() {
        Ok(i) => format!("{acc}[{i}]"),
        Err(_) => format!("{acc}[{}]", js_str(part)),
    })
}

fn tests(spec: &Value, response: &Value, status: u16, step: &Step) -> anyhow::Result<Vec<String>> {
    let mut lines = vec![format!(
        "pm.test(\"answers {status}\", function () {{ pm.response.to.have.status({status}); }});"
    )];
    let content = response.get("content").and_then(Value::as_object).and_then(|c| c.iter().next());
    match content {
        None => lines.push(
            "pm.test(\"answers no body\", function () { pm.expect(pm.response.text()).to.equal(\"\"); });"
                .into(),
        ),
        Some((media_type, media)) => {
            lines.push(format!(
                "pm.test(\"answers {media_type}\", function () {{ pm.expect(pm.response.headers.get(\"Content-Type\")).to.include({}); }});",
                js_str(media_type)
            ));
            if media_type.ends_with("json") {
                let documented = media.get("schema").unwrap_or(&Value::Null);
                let bundled = schema::bundle(spec, documented)?;
                lines.push(format!("const schema = {};", serde_json::to_string(&bundled)?));
                lines.push(format!(
                    "pm.test({}, function () {{ pm.response.to.have.jsonSchema(schema); }});",
                    js_str(&format!("the body matches {}", schema::name(documented)))
                ));
            }
        }
    }
    if !step.expect.is_empty() {
        lines.push("pm.test(\"the body holds what the story expects\", function () {".into());
        lines.push("  const body = pm.response.json();".into());
        for (path, value) in &step.expect {
            lines.push(format!("  pm.expect({}).to.eql({});", accessor(path), expected(value)));
        }
        lines.push("});".into());
    }
    if !step.save.is_empty() {
        lines.push(format!("if (pm.response.code === {status}) {{"));
        lines.push("  const body = pm.response.json();".into());
        for (name, path) in &step.save {
            let path = path.as_str().unwrap_or_default();
            lines.push(format!("  pm.collectionVariables.set({}, {});", js_str(name), accessor(path)));
        }
        lines.push("}".into());
    }
    lines.extend(step.tests.iter().cloned());
    Ok(lines)
}
