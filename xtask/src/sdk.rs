//! The TypeScript and Python SDKs, generated from `spec/openapi.json` by the
//! pinned tools (openapi-typescript, openapi-python-client; see `tools.rs`).
//! Every SDK package carries the document's `info.version`: the Python one
//! through its generator, the TypeScript one written into its `package.json`
//! here, the Rust one as the workspace version the document is made from.
//!
//! Both read 3.1 directly. One thing is adjusted first: where a request body
//! offers several content types (`POST /todo/login` also takes the OAuth2
//! form), the SDKs get the JSON one only, as openapi-python-client emits code
//! that cannot import for a body with two types of the same schema.

use std::{path::PathBuf, process::Command};

use anyhow::Context;
use serde_json::Value;

use crate::{
    codegen::{Mode, ensure_dir_contents, ensure_file_contents, read_tree},
    tools,
};

/// What the Python generator owns in `clients/python`; the rest is skipped
/// (`retry.py`: the hand-written retry layer beside the generated package).
const PYTHON_SKIP: &[&str] = &["__pycache__", ".ruff_cache", "*.egg-info", "build", "dist", "retry.py"];

pub fn generate(mode: Mode) -> anyhow::Result<()> {
    let root = crate::root();
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("spec/openapi.json")).context("run `cargo xtask spec` first")?,
    )?;
    let version =
        spec.pointer("/info/version").and_then(Value::as_str).context("no info.version")?.to_owned();
    package_version(&version, mode)?;
    let scratch = Scratch::new()?;
    let input = scratch.0.join("openapi.json");
    std::fs::write(&input, serde_json::to_string_pretty(&json_request_bodies_only(spec))?)?;
    typescript(&input, &scratch, mode)?;
    python(&input, &scratch, mode)
}

/// `clients/typescript/package.json` (written by hand but for its `version`).
fn package_version(version: &str, mode: Mode) -> anyhow::Result<()> {
    let path = crate::root().join("clients/typescript/package.json");
    let text = std::fs::read_to_string(&path)?;
    ensure_file_contents(&path, &with_version(&text, version)?, mode)
}

/// `text` (a package.json) with its top-level `"version"` set, nothing else touched.
fn with_version(text: &str, version: &str) -> anyhow::Result<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with("  \"version\":"))
        .context("package.json has no top-level \"version\" line")?;
    Ok(text.replacen(line, &format!("  \"version\": \"{version}\","), 1))
}

/// `clients/typescript/schema.d.ts`; the package around it is written by hand.
fn typescript(input: &std::path::Path, scratch: &Scratch, mode: Mode) -> anyhow::Result<()> {
    let out = scratch.0.join("schema.d.ts");
    tools::run(Command::new(tools::node_bin("openapi-typescript")?).arg(input).arg("-o").arg(&out))?;
    let code = std::fs::read_to_string(&out)?;
    ensure_file_contents(&crate::root().join("clients/typescript/schema.d.ts"), &code, mode)
}

/// The whole `clients/python` folder (its README from `clients/tools/python-templates`).
fn python(input: &std::path::Path, scratch: &Scratch, mode: Mode) -> anyhow::Result<()> {
    let venv = tools::python()?;
    let pins = crate::root().join("clients/tools");
    let out = scratch.0.join("python");
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    tools::run(
        Command::new(venv.join("bin/openapi-python-client"))
            .args(["generate", "--meta", "setup", "--overwrite", "--path"])
            .arg(input)
            .arg("--config")
            .arg(pins.join("openapi-python-client.yaml"))
            .arg("--custom-template-path")
            .arg(pins.join("python-templates"))
            .arg("--output-path")
            .arg(&out)
            .env("PATH", path)
            .env("RUFF_NO_CACHE", "true")
            .current_dir(&scratch.0),
    )?;
    let files = read_tree(&out, PYTHON_SKIP)?;
    ensure_dir_contents(&crate::root().join("clients/python"), &files, PYTHON_SKIP, mode)
}

/// Keeps only `application/json` where a request body offers a choice.
pub fn json_request_bodies_only(mut spec: Value) -> Value {
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut() {
                if let Some(content) = op.pointer_mut("/requestBody/content").and_then(Value::as_object_mut)
                    && content.len() > 1
                    && content.contains_key("application/json")
                {
                    content.retain(|k, _| k == "application/json");
                }
            }
        }
    }
    spec
}

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Self> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-sdk-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn a_body_with_a_choice_of_types_keeps_json_only() {
        let spec =
            json_request_bodies_only(json!({"paths": {"/login": {"post": {"requestBody": {"content": {
                "application/json": {"schema": {}},
                "application/x-www-form-urlencoded": {"schema": {}}
            }}}}}}));
        let content = &spec["paths"]["/login"]["post"]["requestBody"]["content"];
        assert_eq!(content.as_object().map(|c| c.len()), Some(1));
        assert!(content.get("application/json").is_some());
    }

    #[test]
    fn the_package_version_line_is_replaced_and_nothing_else() -> anyhow::Result<()> {
        let text = "{\n  \"name\": \"x\",\n  \"version\": \"0.1.0\",\n  \"dependencies\": {\"a\": {\"version\": \"1\"}}\n}\n";
        let out = with_version(text, "2.0.0")?;
        assert_eq!(out, text.replace("\"0.1.0\"", "\"2.0.0\""));
        Ok(())
    }

    /// The three SDK packages say the document's version (the Python one once generated).
    #[test]
    fn every_sdk_package_carries_info_version() -> anyhow::Result<()> {
        let root = crate::root();
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(root.join("spec/openapi.json"))?)?;
        let version = spec["info"]["version"].as_str().context("info.version")?;
        let package: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("clients/typescript/package.json"))?)?;
        assert_eq!(package["version"], version, "clients/typescript/package.json");
        let setup = std::fs::read_to_string(root.join("clients/python/setup.py"))?;
        assert!(setup.contains(&format!("version=\"{version}\"")), "clients/python/setup.py");
        let cargo = std::fs::read_to_string(root.join("clients/rust/Cargo.toml"))?;
        assert!(cargo.contains("version.workspace = true"), "clients/rust/Cargo.toml");
        assert_eq!(env!("CARGO_PKG_VERSION"), version, "the workspace version");
        Ok(())
    }

    #[test]
    fn a_tree_read_skips_the_named_folders() -> anyhow::Result<()> {
        let scratch = Scratch::new()?;
        std::fs::create_dir_all(scratch.0.join("pkg/__pycache__"))?;
        std::fs::write(scratch.0.join("pkg/a.py"), "a")?;
        std::fs::write(scratch.0.join("pkg/__pycache__/a.pyc"), "x")?;
        let files: BTreeMap<_, _> = read_tree(&scratch.0, PYTHON_SKIP)?;
        assert_eq!(files.keys().collect::<Vec<_>>(), vec![&PathBuf::from("pkg/a.py")]);
        Ok(())
    }
}
