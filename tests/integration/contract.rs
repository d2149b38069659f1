//! The OpenAPI document as a contract: what the SDKs, the Postman collection
//! and schemathesis rely on, checked on the committed spec for every app.

use std::collections::{BTreeMap, BTreeSet};

use api_tests::TestApp;
use serde_json::Value;

fn spec() -> Value {
    serde_json::from_str(include_str!("../../spec/openapi.json")).expect("spec/openapi.json")
}

/// Every operation: (`METHOD path`, operation object).
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if op.get("responses").is_some() {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    out
}

/// The schema a media type points at, through `$ref`.
/// A JSON body's media object; a binary one (`image/jpeg`) has no JSON example to give.
fn json_media<'a>((kind, media): (&String, &'a Value)) -> Option<&'a Value> {
    kind.contains("json").then_some(media)
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(&r.replace("#/", "/")).unwrap_or(&Value::Null),
        None => schema,
    }
}

#[test]
fn every_operation_has_a_unique_id_a_summary_and_a_tag() {
    let spec = spec();
    let mut ids = BTreeSet::new();
    for (name, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{name}: no operationId"));
        assert!(ids.insert(id), "{name}: operationId {id} is used twice");
        assert!(!op["summary"].as_str().unwrap_or("").is_empty(), "{name}: no summary");
        assert_eq!(op["tags"].as_array().map(Vec::len), Some(1), "{name}: one tag, its app");
    }
}

#[test]
fn every_request_and_success_body_has_an_example() {
    let spec = spec();
    for (name, op) in operations(&spec) {
        let mut bodies: Vec<(&str, &Value)> = Vec::new();
        if let Some(content) = op.pointer("/requestBody/content").and_then(Value::as_object) {
            bodies.extend(content.iter().filter_map(json_media).map(|m| ("request", m)));
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            for media in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(json_media)
            {
                bodies.push((status, media));
            }
        }
        for (what, media) in bodies {
            let schema = &media["schema"];
            let schema = if schema["type"] == "array" { &schema["items"] } else { schema };
            let resolved = resolve(&spec, schema);
            assert!(
                media.get("example").is_some() || resolved.get("example").is_some(),
                "{name}: the {what} body has no example"
            );
        }
    }
}

#[test]
fn every_operation_documents_its_error_statuses() {
    let spec = spec();
    for (name, op) in operations(&spec) {
        let statuses: BTreeSet<&str> =
            op["responses"].as_object().expect("responses").keys().map(String::as_str).collect();
        let mut needed = Vec::new();
        if op.get("security").is_some() {
            needed.extend(["401", "429", "503"]);
        }
        // A body the server reads (an optional one, like /exchange's logout token, may be ignored).
        if op.pointer("/requestBody/required") == Some(&Value::Bool(true)) {
            needed.extend(["400", "413", "415", "422"]);
        }
        // A path names something that may not exist, unless the operation creates it there.
        let creates_at_path = name.ends_with('}') && op.pointer("/responses/201").is_some();
        if name.contains('{') && !creates_at_path {
            needed.push("404");
        }
        // A path parameter that must parse (an id) is 400 when it does not; a text one cannot fail.
        let parsed_path = op["parameters"].as_array().into_iter().flatten().any(|p| {
            p["in"] == "path" && p.pointer("/schema/type").and_then(Value::as_str) != Some("string")
        });
        if parsed_path {
            needed.push("400");
        }
        for status in needed {
            assert!(statuses.contains(status), "{name}: {status} is not documented");
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            if status.starts_with('4') || status.starts_with('5') {
                let content = response["content"].as_object().map(|c| c.keys().cloned().collect::<Vec<_>>());
                assert!(content.is_some_and(|c| !c.is_empty()), "{name}: {status} documents no body");
            }
        }
    }
}

#[test]
fn links_name_existing_operations_and_their_parameters() {
    let spec = spec();
    let ops: BTreeMap<&str, &Value> =
        operations(&spec).into_iter().filter_map(|(_, op)| Some((op["operationId"].as_str()?, op))).collect();
    let mut count = 0;
    for (name, op) in operations(&spec) {
        for response in op["responses"].as_object().expect("responses").values() {
            for (link_name, link) in response.get("links").and_then(Value::as_object).into_iter().flatten() {
                assert!(link.get("operation_id").is_none(), "{name} {link_name}: snake-case operation_id");
                let target = link["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name} {link_name}: no operationId"));
                let target =
                    ops.get(target).unwrap_or_else(|| panic!("{name} {link_name}: no operation {target}"));
                let params: BTreeSet<&str> = target["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                for param in link["parameters"].as_object().into_iter().flatten().map(|(k, _)| k.as_str()) {
                    assert!(
                        params.contains(param),
                        "{name} {link_name}: the target has no parameter {param}"
                    );
                }
                count += 1;
            }
        }
    }
    assert!(count >= 3, "the /todo task links are declared");
}

/// The links' runtime expression holds on the live server: the id a create
/// answers is the one the linked operations take.
#[tokio::test]
async fn a_created_task_id_feeds_the_linked_operations() {
    let app = TestApp::spawn().await;
    let body = serde_json::json!({"username": "linker", "password": "correct horse"});
    app.http.post(app.url("/todo/register")).json(&body).send().await.unwrap();
    let login: Value =
        app.http.post(app.url("/todo/login")).json(&body).send().await.unwrap().json().await.unwrap();
    let token = login["access_token"].as_str().unwrap();
    let created: Value = app
        .http
        .post(app.url("/todo/tasks"))
        .bearer_auth(token)
        .json(&serde_json::json!({"title": "linked"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = &spec()["paths"]["/todo/tasks"]["post"]["responses"]["201"]["links"]["GetTask"];
    let pointer = link["parameters"]["task_id"].as_str().unwrap().trim_start_matches("$response.body#");
    let task_id = created.pointer(pointer).unwrap_or_else(|| panic!("no {pointer} in {created}"));
    let read =
        app.http.get(app.url(&format!("/todo/tasks/{task_id}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.unwrap()["title"], "linked");
}

#[test]
fn the_raw_image_is_documented_as_a_binary_jpeg() {
    let spec = spec();
    let ok = &spec["paths"]["/ar/api/project/{id}/imagetarget/{target_id}/image"]["get"]["responses"]["200"];
    let content = ok["content"].as_object().expect("content");
    assert_eq!(content.keys().collect::<Vec<_>>(), ["image/jpeg"], "only image/jpeg");
    assert_eq!(
        content["image/jpeg"]["schema"],
        serde_json::json!({"type": "string", "format": "binary", "contentMediaType": "image/jpeg"}),
        "binary, not an array of integers"
    );
}

/// The registry is the document's table of contents: every operation's tag is
/// declared, every declared tag has operations, and each app in `apps::ALL`
/// is one tag, mounted under its prefix. `.ci/contract.sh` fuzzes one
/// schemathesis run per declared tag, so an app cannot escape the fuzzing.
#[test]
fn every_tag_is_declared_has_operations_and_is_an_app_or_the_platform() {
    let spec = spec();
    let declared: Vec<&str> = spec["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("tag name"))
        .collect();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, op) in operations(&spec) {
        for tag in op["tags"].as_array().expect("tags").iter().map(|t| t.as_str().expect("tag")) {
            assert!(declared.contains(&tag), "{name}: tag {tag} is not declared");
            *used.entry(tag).or_default() += 1;
        }
    }
    let apps: Vec<&str> = api::apps::ALL.iter().map(|app| app.prefix).collect();
    let expected: Vec<&str> = std::iter::once("platform").chain(apps.iter().copied()).collect();
    assert_eq!(declared, expected, "the declared tags are the platform's and the apps', in order");
    for tag in &declared {
        assert!(used.get(tag).is_some_and(|n| *n > 0), "tag {tag} has no operation");
    }
    for (name, op) in operations(&spec) {
        let tag = op["tags"][0].as_str().expect("tag");
        let path = name.split_once(' ').expect("METHOD path").1;
        if tag != "platform" {
            assert!(path.starts_with(&format!("/{tag}/")), "{name}: tagged {tag} but not under /{tag}");
        }
    }
}

/// Every security scheme an operation names is declared, and every declared
/// scheme is used (a scheme comes with its app's descriptor).
#[test]
fn every_security_scheme_is_declared_and_used() {
    let spec = spec();
    let declared: BTreeSet<&str> = spec["components"]["securitySchemes"]
        .as_object()
        .expect("schemes")
        .keys()
        .map(String::as_str)
        .collect();
    let mut used = BTreeSet::new();
    for (name, op) in operations(&spec) {
        for requirement in op["security"].as_array().into_iter().flatten() {
            for scheme in requirement.as_object().expect("requirement").keys() {
                assert!(declared.contains(scheme.as_str()), "{name}: scheme {scheme} is not declared");
                used.insert(scheme.as_str());
            }
        }
    }
    assert_eq!(used, declared, "every declared scheme is used by an operation");
}

/// `.ci/contract.sh` takes its schemathesis runs from the document's tags, not
/// from a list of its own that a new app could be missing from.
#[test]
fn the_contract_script_fuzzes_every_declared_tag() {
    let script = include_str!("../../.ci/contract.sh");
    assert!(script.contains(r#"for tag in spec["tags"]:"#), "contract.sh reads the tags from the document");
    assert!(script.contains(r#"--include-tag "$tag""#), "one schemathesis run per tag");
    for app in api::apps::ALL {
        let hard_coded = format!("--include-tag {}", app.prefix);
        assert!(!script.contains(&hard_coded), "contract.sh names the tag {} itself", app.prefix);
    }
}

/// A server serves the document of its own configuration: the /ar app token's
/// lifetime is the configured one (the committed spec says the default).
#[tokio::test]
async fn the_served_document_says_the_configured_app_token_lifetime() {
    let spec = spec();
    let committed = spec["components"]["securitySchemes"]["ar_app"]["description"].as_str().expect("ar_app");
    assert!(committed.contains("Lives 14 days unless"), "{committed}");
    let app = TestApp::spawn_with(&[("AR_TOKEN_TTL_SECONDS", "7200")]).await;
    let served: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let description =
        served["components"]["securitySchemes"]["ar_app"]["description"].as_str().expect("ar_app");
    assert!(description.contains("Lives 2 hours unless"), "{description}");
}
