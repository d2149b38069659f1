//! The collection generator, on the committed spec and stories and on small cases.

use super::{
    request::{accessor, expected, unquote_raw},
    *,
};

fn committed() -> anyhow::Result<(Value, BTreeMap<String, Story>)> {
    let root = crate::root();
    let spec = serde_json::from_str(&std::fs::read_to_string(root.join("spec/openapi.json"))?)?;
    Ok((spec, read_stories(&root.join("clients/postman/stories"))?))
}

/// The test script of a request, as one string.
fn test_script(item: &Value) -> String {
    let test = item["event"].as_array().and_then(|e| e.iter().find(|e| e["listen"] == "test"));
    test.map(|t| t["script"]["exec"].to_string()).unwrap_or_default()
}

#[test]
fn every_story_is_a_folder_whose_every_request_tests_status_and_body() -> anyhow::Result<()> {
    let (spec, stories) = committed()?;
    let collection = collection(&spec, &stories)?;
    let folders = collection["item"].as_array().context("folders")?;
    for (app, story) in &stories {
        let folder = folders.iter().find(|f| f["name"] == app.as_str()).context("a folder per story")?;
        let items = folder["item"].as_array().context("requests")?;
        assert_eq!(items.len(), story.steps.len(), "{app}: one request per step");
        let first = items[0]["event"][0]["script"]["exec"].to_string();
        assert!(first.contains("runId"), "{app}: the first request draws the run id");
    }
    for item in folders.iter().flat_map(|f| f["item"].as_array().into_iter().flatten()) {
        let exec = test_script(item);
        assert!(exec.contains("pm.response.to.have.status"), "{}: no status test", item["name"]);
        assert!(exec.contains("answers "), "{}: no content test", item["name"]);
    }
    Ok(())
}

#[test]
fn the_reference_folders_hold_every_operation_once_with_a_schema_check_on_json() -> anyhow::Result<()> {
    let (spec, stories) = committed()?;
    let collection = collection(&spec, &stories)?;
    assert_eq!(coverage(&spec, &collection), (vec![], vec![]));
    let ops = operations(&spec);
    let mut seen = std::collections::BTreeSet::new();
    for folder in collection["item"].as_array().context("folders")? {
        if !folder["name"].as_str().unwrap_or_default().ends_with(" reference") {
            continue;
        }
        for item in folder["item"].as_array().context("requests")? {
            let id = reference::operation_of(item["name"].as_str().context("name")?);
            assert!(seen.insert(id.to_owned()), "{id} twice");
            let answers_json = ops[id].op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .find(|(s, _)| s.starts_with('2'))
                .is_some_and(|(_, r)| {
                    r["content"].as_object().is_some_and(|c| c.keys().any(|k| k.ends_with("json")))
                });
            assert_eq!(test_script(item).contains("jsonSchema(schema)"), answers_json, "{id}: schema check");
        }
    }
    assert_eq!(seen.len(), ops.len());
    Ok(())
}

#[test]
fn a_collection_missing_an_operation_or_holding_a_stray_one_is_caught() -> anyhow::Result<()> {
    let (spec, stories) = committed()?;
    let mut collection = collection(&spec, &stories)?;
    let folder = collection["item"]
        .as_array_mut()
        .and_then(|f| f.iter_mut().find(|f| f["name"] == "todo reference"))
        .context("the todo reference folder")?;
    let items = folder["item"].as_array_mut().context("requests")?;
    let removed = items.remove(0);
    items.push(json!({"name": "todo_archive_task: not in the spec"}));
    let (missing, stray) = coverage(&spec, &collection);
    assert_eq!(
        missing,
        vec![reference::operation_of(removed["name"].as_str().unwrap_or_default()).to_owned()]
    );
    assert_eq!(stray, vec!["todo_archive_task".to_owned()]);
    Ok(())
}

#[test]
fn reference_requests_follow_links_from_earlier_creations() -> anyhow::Result<()> {
    let (spec, stories) = committed()?;
    let steps = reference::steps("todo", stories.get("todo"), &operations(&spec))?;
    let position = |id: &str| steps.iter().position(|s| s.operation == id).unwrap_or(usize::MAX);
    let create = &steps[position("todo_create_task")];
    assert_eq!(create.save.get("ref_todo_create_task_id"), Some(&json!("id")));
    for id in ["todo_get_task", "todo_update_task", "todo_delete_task"] {
        assert!(position("todo_create_task") < position(id), "{id} after the creation");
        assert_eq!(steps[position(id)].path["task_id"], json!("{{ref_todo_create_task_id}}"), "{id}");
    }
    assert!(position("todo_get_task") < position("todo_delete_task"));
    assert_eq!(steps.last().map(|s| s.operation.as_str()), Some("todo_logout"), "logout last");
    assert_eq!(create.auth.as_deref(), Some("todoToken"), "the story's token");
    Ok(())
}

#[test]
fn a_reference_entry_for_an_operation_of_another_tag_is_refused() -> anyhow::Result<()> {
    let (spec, mut stories) = committed()?;
    let story = stories.get_mut("todo").context("todo")?;
    story.reference.insert("shop_login".into(), serde_json::from_value(json!({"why": "w"}))?);
    let err = collection(&spec, &stories).unwrap_err();
    assert!(format!("{err:#}").contains("names `shop_login`"), "{err:#}");
    Ok(())
}

#[test]
fn a_path_parameter_without_a_value_is_refused() -> anyhow::Result<()> {
    let (spec, mut stories) = committed()?;
    stories.get_mut("dealer").context("dealer")?.reference.remove("dealer_create_auto");
    let err = collection(&spec, &stories).unwrap_err();
    assert!(format!("{err:#}").contains("no value for the path parameter `mark`"), "{err:#}");
    Ok(())
}

#[test]
fn a_step_naming_an_unknown_operation_is_refused() -> anyhow::Result<()> {
    let (spec, mut stories) = committed()?;
    let story: Story = serde_json::from_value(json!({
        "description": "d", "steps": [{"name": "x", "operation": "todo_no_such_thing"}]
    }))?;
    stories.insert("todo".to_owned(), story);
    let err = collection(&spec, &stories).unwrap_err();
    assert!(format!("{err:#}").contains("no operation `todo_no_such_thing`"), "{err:#}");
    Ok(())
}

#[test]
fn raw_markers_become_unquoted_variables() {
    assert_eq!(
        unquote_raw(r#"{"item_id": "{{#itemId}}", "n": "{{x}}"}"#),
        r#"{"item_id": {{itemId}}, "n": "{{x}}"}"#
    );
}

#[test]
fn dotted_paths_become_accessors() {
    assert_eq!(accessor("items.0.id"), r#"body["items"][0]["id"]"#);
    assert_eq!(accessor("access_token"), r#"body["access_token"]"#);
}

#[test]
fn expected_values_resolve_variables_at_run_time() {
    assert_eq!(expected(&json!("{{#taskId}}")), r#"Number(pm.variables.get("taskId"))"#);
    assert_eq!(expected(&json!("todo-{{runId}}")), r#"pm.variables.replaceIn("todo-{{runId}}")"#);
    assert_eq!(expected(&json!(null)), "null");
}
