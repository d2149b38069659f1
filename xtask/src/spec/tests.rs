//! The classifier on hand-made before/after pairs: one per kind of change,
//! each asserting the one change it expects and how it is classified.

use serde_json::{Value, json};

use super::{
    Version,
    diff::{Change, Severity, compare},
};

/// A small document: one app with a task resource, its schemas and a token scheme.
fn base() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {
            "/tasks": {
                "get": {
                    "operationId": "list_tasks",
                    "security": [{"auth": []}],
                    "parameters": [{"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "maximum": 1000}}],
                    "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}}}
                },
                "post": {
                    "operationId": "create_task",
                    "security": [{"auth": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskIn"}}}},
                    "responses": {
                        "201": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}},
                        "422": {"description": "", "content": {"application/problem+json": {"schema": {"type": "object"}}}}
                    }
                }
            },
            "/tasks/{id}": {
                "get": {
                    "operationId": "get_task",
                    "security": [{"auth": []}],
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}}}
                }
            },
            "/login": {
                "post": {
                    "operationId": "login",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": ""}}
                }
            }
        },
        "components": {"schemas": {
            "TaskIn": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string", "maxLength": 200},
                "description": {"type": ["string", "null"]},
                "priority": {"type": "string", "enum": ["low", "high"]}
            }},
            "Task": {"type": "object", "required": ["id", "title", "state"], "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "state": {"type": "string", "enum": ["open", "done"]},
                "note": {"oneOf": [{"type": "null"}, {"type": "string"}]},
                "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Task"}]}
            }}
        }}
    })
}

/// The changes that `edit` makes to the base document.
fn changes(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
    let old = base();
    let mut new = base();
    edit(&mut new);
    compare(&old, &new)
}

/// Exactly one change, of this severity, whose text holds `words`.
fn one(changes: &[Change], severity: Severity, location: &str, words: &str) {
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let change = &changes[0];
    assert_eq!(change.severity, severity, "{change:?}");
    assert_eq!(change.location, location, "{change:?}");
    assert!(change.what.contains(words), "`{}` does not say `{words}`", change.what);
}

/// The value at `pointer`, made (as null) when only its last part is missing.
fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or_else(|| panic!("{pointer} is not a pointer"));
    let key = last.replace("~1", "/").replace("~0", "~");
    let parent = doc.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent} in the base document"));
    match parent {
        Value::Object(map) => map.entry(key).or_insert(Value::Null),
        Value::Array(items) => {
            key.parse::<usize>().ok().and_then(|i| items.get_mut(i)).unwrap_or_else(|| panic!("no {pointer}"))
        }
        _ => panic!("{pointer}: its parent holds no fields"),
    }
}

const BREAKING: Severity = Severity::Breaking;
const COMPATIBLE: Severity = Severity::Compatible;
const TASK_IN: &str = "/components/schemas/TaskIn";
const TASK: &str = "/components/schemas/Task";

#[test]
fn the_same_document_has_no_change() {
    assert_eq!(changes(|_| {}), vec![]);
}

#[test]
fn a_removed_path_breaks() {
    let found = changes(|d| {
        at(d, "/paths").as_object_mut().map(|p| p.remove("/tasks/{id}"));
    });
    one(&found, BREAKING, "GET /tasks/{id}", "path removed");
}

#[test]
fn a_removed_operation_breaks() {
    let found = changes(|d| {
        at(d, "/paths/~1tasks").as_object_mut().map(|p| p.remove("post"));
    });
    one(&found, BREAKING, "POST /tasks", "operation removed");
}

#[test]
fn an_added_operation_is_compatible() {
    let found = changes(|d| {
        *at(d, "/paths/~1tasks~1{id}/delete") =
            json!({"operationId": "delete_task", "responses": {"204": {"description": ""}}});
    });
    one(&found, COMPATIBLE, "DELETE /tasks/{id}", "operation added");
}

#[test]
fn a_renamed_operation_id_breaks() {
    let found = changes(|d| *at(d, "/paths/~1tasks/get/operationId") = json!("tasks_list"));
    one(&found, BREAKING, "GET /tasks", "renamed `tasks_list`");
}

#[test]
fn a_removed_response_field_breaks() {
    let found = changes(|d| {
        at(d, &format!("{TASK}/properties")).as_object_mut().map(|p| p.remove("note"));
    });
    assert!(
        found.iter().all(|c| c.severity == BREAKING && c.what.contains("field `note` removed")),
        "{found:#?}"
    );
    // Read through three operations' answers.
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn a_renamed_response_field_breaks_and_says_so() {
    let found = changes(|d| {
        let props = at(d, &format!("{TASK}/properties")).as_object_mut().expect("properties");
        let title = props.remove("title").expect("title");
        props.insert("name".into(), title);
        *at(d, &format!("{TASK}/required")) = json!(["id", "name", "state"]);
    });
    let get = found.iter().filter(|c| c.location == "GET /tasks/{id}").collect::<Vec<_>>();
    assert_eq!(get.len(), 2, "{found:#?}");
    assert_eq!(get[0].severity, BREAKING);
    assert!(get[0].what.contains("field `title` removed (renamed `name`?)"), "{}", get[0].what);
    assert_eq!(get[1].severity, COMPATIBLE, "a new field in an answer: {}", get[1].what);
}

#[test]
fn a_response_field_that_may_be_absent_breaks() {
    let found = changes(|d| *at(d, &format!("{TASK}/required")) = json!(["id", "title"]));
    assert!(
        found.iter().all(|c| c.severity == BREAKING && c.what.contains("field `state` may now be absent")),
        "{found:#?}"
    );
}

#[test]
fn a_response_field_that_may_be_null_breaks() {
    let found = changes(|d| *at(d, &format!("{TASK}/properties/title/type")) = json!(["string", "null"]));
    assert!(
        !found.is_empty()
            && found.iter().all(|c| c.severity == BREAKING && c.what.contains("null now allowed")),
        "{found:#?}"
    );
}

#[test]
fn an_added_response_field_is_compatible() {
    let found = changes(|d| *at(d, &format!("{TASK}/properties/tags")) = json!({"type": "array"}));
    assert!(!found.is_empty() && found.iter().all(|c| c.severity == COMPATIBLE), "{found:#?}");
}

#[test]
fn a_widened_response_enum_breaks() {
    let found =
        changes(|d| *at(d, &format!("{TASK}/properties/state/enum")) = json!(["open", "done", "archived"]));
    assert!(
        !found.is_empty() && found.iter().all(|c| c.severity == BREAKING && c.what.contains("widened")),
        "{found:#?}"
    );
}

#[test]
fn a_new_required_request_field_breaks() {
    let found = changes(|d| {
        *at(d, &format!("{TASK_IN}/properties/due")) = json!({"type": "string"});
        *at(d, &format!("{TASK_IN}/required")) = json!(["title", "due"]);
    });
    one(&found, BREAKING, "POST /tasks", "request body: new required field `due`");
}

#[test]
fn a_new_optional_request_field_is_compatible() {
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/due")) = json!({"type": "string"}));
    one(&found, COMPATIBLE, "POST /tasks", "field `due` added");
}

#[test]
fn an_optional_request_field_made_required_breaks() {
    let found = changes(|d| *at(d, &format!("{TASK_IN}/required")) = json!(["title", "priority"]));
    one(&found, BREAKING, "POST /tasks", "field `priority` is now required");
}

#[test]
fn a_new_required_parameter_breaks() {
    let found = changes(|d| {
        at(d, "/paths/~1tasks/get/parameters")
            .as_array_mut()
            .expect("parameters")
            .push(json!({"name": "state", "in": "query", "required": true, "schema": {"type": "string"}}));
    });
    one(&found, BREAKING, "GET /tasks", "new required query parameter `state`");
}

#[test]
fn a_new_optional_parameter_is_compatible() {
    let found = changes(|d| {
        at(d, "/paths/~1tasks/get/parameters")
            .as_array_mut()
            .expect("parameters")
            .push(json!({"name": "state", "in": "query", "schema": {"type": "string"}}));
    });
    one(&found, COMPATIBLE, "GET /tasks", "new optional query parameter `state`");
}

#[test]
fn a_parameter_made_required_breaks() {
    let found = changes(|d| *at(d, "/paths/~1tasks/get/parameters/0/required") = json!(true));
    one(&found, BREAKING, "GET /tasks", "`limit` is now required");
}

#[test]
fn a_removed_query_parameter_breaks() {
    let found = changes(|d| *at(d, "/paths/~1tasks/get/parameters") = json!([]));
    one(&found, BREAKING, "GET /tasks", "query parameter `limit` removed");
}

#[test]
fn a_narrowed_request_type_breaks() {
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/description/type")) = json!("string"));
    one(&found, BREAKING, "POST /tasks", "null no longer allowed");
    let found = changes(|d| *at(d, "/paths/~1tasks/get/parameters/0/schema/type") = json!("string"));
    one(&found, BREAKING, "GET /tasks", "type integer → string (changed)");
}

#[test]
fn a_widened_request_type_is_compatible() {
    let found = changes(|d| *at(d, "/paths/~1tasks/get/parameters/0/schema/type") = json!("number"));
    one(&found, COMPATIBLE, "GET /tasks", "type integer → number");
}

#[test]
fn a_narrowed_request_enum_breaks_and_a_widened_one_does_not() {
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/priority/enum")) = json!(["high"]));
    one(&found, BREAKING, "POST /tasks", "narrowed");
    let found =
        changes(|d| *at(d, &format!("{TASK_IN}/properties/priority/enum")) = json!(["low", "mid", "high"]));
    one(&found, COMPATIBLE, "POST /tasks", "values");
}

#[test]
fn a_tighter_request_bound_breaks_and_a_looser_one_does_not() {
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/title/maxLength")) = json!(100));
    one(&found, BREAKING, "POST /tasks", "maxLength 200 → 100 (narrowed)");
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/title/maxLength")) = json!(500));
    one(&found, COMPATIBLE, "POST /tasks", "maxLength 200 → 500");
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/title/minLength")) = json!(1));
    one(&found, BREAKING, "POST /tasks", "minLength none → 1 (narrowed)");
    let found = changes(|d| *at(d, &format!("{TASK_IN}/properties/title/pattern")) = json!("^[a-z]+$"));
    one(&found, BREAKING, "POST /tasks", "pattern changed (may refuse what it accepted)");
}

#[test]
fn a_changed_success_status_breaks() {
    let found = changes(|d| {
        let responses = at(d, "/paths/~1tasks/post/responses").as_object_mut().expect("responses");
        let created = responses.remove("201").expect("201");
        responses.insert("200".into(), created);
    });
    let breaking: Vec<_> = found.iter().filter(|c| c.severity == BREAKING).collect();
    assert_eq!(breaking.len(), 1, "{found:#?}");
    assert!(
        breaking[0].what.contains("success status 201 no longer answered (now 200)"),
        "{}",
        breaking[0].what
    );
}

#[test]
fn a_newly_documented_error_status_is_compatible() {
    let found = changes(|d| *at(d, "/paths/~1tasks~1{id}/get/responses/404") = json!({"description": ""}));
    one(&found, COMPATIBLE, "GET /tasks/{id}", "status 404 documented");
}

#[test]
fn added_security_breaks() {
    let found = changes(|d| *at(d, "/paths/~1login/post/security") = json!([{"auth": []}]));
    one(&found, BREAKING, "POST /login", "security added");
}

#[test]
fn a_replaced_security_scheme_breaks_and_an_extra_one_does_not() {
    let found = changes(|d| *at(d, "/paths/~1tasks/get/security") = json!([{"other": []}]));
    assert!(
        found.iter().any(|c| c.severity == BREAKING && c.what.contains("`auth` no longer accepted")),
        "{found:#?}"
    );
    let found = changes(|d| *at(d, "/paths/~1tasks/get/security") = json!([{"auth": []}, {"other": []}]));
    one(&found, COMPATIBLE, "GET /tasks", "`other` also accepted");
}

#[test]
fn a_removed_request_media_type_breaks() {
    let found = changes(|d| {
        let content = at(d, "/paths/~1tasks/post/requestBody/content");
        *content = json!({"application/x-www-form-urlencoded": content["application/json"].clone()});
    });
    assert!(
        found
            .iter()
            .any(|c| c.severity == BREAKING && c.what.contains("`application/json` no longer accepted")),
        "{found:#?}"
    );
}

#[test]
fn a_required_request_body_where_there_was_none_breaks() {
    let found = changes(|d| {
        *at(d, "/paths/~1tasks~1{id}/get/requestBody") =
            json!({"required": true, "content": {"application/json": {"schema": {}}}});
    });
    one(&found, BREAKING, "GET /tasks/{id}", "a request body is now required");
}

#[test]
fn a_recursive_schema_is_compared_once() {
    // Task.parent is a Task: the comparison must end, and report the change once per place.
    let found = changes(|d| *at(d, &format!("{TASK}/properties/id/type")) = json!("string"));
    assert!(found.iter().all(|c| c.severity == BREAKING), "{found:#?}");
    assert_eq!(found.iter().filter(|c| c.location == "GET /tasks/{id}").count(), 1, "{found:#?}");
}

#[test]
fn versions_order_by_number_not_text() -> anyhow::Result<()> {
    assert!(Version::parse("0.10.0")? > Version::parse("0.9.3")?);
    assert_eq!(Version::parse("2.0.0-rc.1")?.major, 2);
    assert!(Version::parse("1.0").is_err());
    Ok(())
}

#[test]
fn a_binary_answers_schema_documented_anew_is_compatible_but_a_json_ones_type_breaks() {
    let image = |schema: Value| {
        move |d: &mut Value| {
            *at(d, "/paths/~1tasks~1{id}/get/responses/200/content") =
                json!({"image/jpeg": {"schema": schema}});
        }
    };
    let old = {
        let mut d = base();
        image(json!({"type": "array", "items": {"type": "integer"}}))(&mut d);
        d
    };
    let mut new = old.clone();
    image(json!({"type": "string", "format": "binary"}))(&mut new);
    one(&compare(&old, &new), COMPATIBLE, "GET /tasks/{id}", "`image/jpeg`: its bytes documented anew");
    let found = changes(|d| {
        *at(d, "/paths/~1tasks~1{id}/get/responses/200/content/application~1json/schema") =
            json!({"type": "string"});
    });
    assert!(found.iter().any(|c| c.severity == BREAKING), "{found:#?}");
}
