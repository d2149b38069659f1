//! The collection generator, on the committed spec and stories and on small cases.

use super::*;

fn committed() -> anyhow::Result<(Value, BTreeMap<String, Story>)> {
    let root = crate::root();
    let spec = serde_json::from_str(&std::fs::read_to_string(root.join("spec/openapi.json"))?)?;
    Ok((spec, read_stories(&root.join("clients/postman/stories"))?))
}

#[test]
fn every_story_is_a_folder_whose_every_request_tests_status_and_shape() -> anyhow::Result<()> {
    let (spec, stories) = committed()?;
    let collection = collection(&spec, &stories)?;
    let folders = collection["item"].as_array().context("folders")?;
    assert_eq!(folders.len(), stories.len());
    for folder in folders {
        let app = folder["name"].as_str().context("folder name")?;
        let items = folder["item"].as_array().context("requests")?;
        assert_eq!(items.len(), stories[app].steps.len(), "{app}: one request per step");
        let first = items[0]["event"][0]["script"]["exec"].to_string();
        assert!(first.contains("runId"), "{app}: the first request draws the run id");
        for item in items {
            let test = item["event"].as_array().and_then(|e| e.iter().find(|e| e["listen"] == "test"));
            let exec = test.map(|t| t["script"]["exec"].to_string()).unwrap_or_default();
            assert!(exec.contains("pm.response.to.have.status"), "{app}/{}: no status test", item["name"]);
            assert!(exec.contains("answers "), "{app}/{}: no content test", item["name"]);
        }
    }
    Ok(())
}

#[test]
fn a_step_naming_an_unknown_operation_is_refused() -> anyhow::Result<()> {
    let (spec, _) = committed()?;
    let story: Story = serde_json::from_value(json!({
        "description": "d", "steps": [{"name": "x", "operation": "todo_no_such_thing"}]
    }))?;
    let err = collection(&spec, &BTreeMap::from([("todo".to_owned(), story)])).unwrap_err();
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
