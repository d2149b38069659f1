//! `cargo xtask spec`: the document, its releases, its changelog and the
//! breaking-change gate.
//!
//! - `spec [--check]`: `spec/openapi.json` (and `.yaml`) from the code, and
//!   `spec/CHANGELOG.md` from `spec/releases/` and the current document.
//! - `spec --release`: copies the current document to
//!   `spec/releases/<info.version>.json` (a new version only) and updates the changelog.
//! - `spec --breaking [<git-ref>]`: lists every change from the document at
//!   `<git-ref>` (default: the newest release in `spec/releases/`) to the
//!   current one, classified, and fails on a breaking one unless the major
//!   part of `info.version` went up.
//!
//! Releases are committed copies rather than git tags: a shallow CI clone has
//! the file without fetching tags, the changelog is built from them offline,
//! and a release is reviewed in the merge request that makes it.

mod changelog;
pub mod diff;
mod schema_diff;
#[cfg(test)]
mod tests;

use std::{path::PathBuf, process::Command};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::codegen::{Mode, ensure_file_contents};
use diff::Severity;

/// `spec [--check] [--release]` (the command line is read by `cli.rs`).
pub fn run(mode: Mode, release_it: bool) -> anyhow::Result<()> {
    let text = api::openapi().to_pretty_json()?;
    let current: Value = serde_json::from_str(&text)?;
    write(&text, &current, mode)?;
    if release_it {
        release(&current)?;
    }
    let text = changelog::render(&releases()?, &current)?;
    ensure_file_contents(&crate::root().join("spec/CHANGELOG.md"), &text, mode)
}

/// The document as the code describes it now.
fn current() -> anyhow::Result<Value> {
    Ok(serde_json::from_str(&api::openapi().to_pretty_json()?)?)
}

/// The document as JSON (what the tools read; in utoipa's order) and YAML (for readers).
fn write(json: &str, doc: &Value, mode: Mode) -> anyhow::Result<()> {
    let root = crate::root();
    ensure_file_contents(&root.join("spec/openapi.json"), &format!("{json}\n"), mode)?;
    ensure_file_contents(&root.join("spec/openapi.yaml"), &serde_norway::to_string(doc)?, mode)
}

fn releases_dir() -> PathBuf {
    crate::root().join("spec/releases")
}

/// The released documents, oldest first.
pub fn releases() -> anyhow::Result<Vec<(Version, Value)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(releases_dir()).context("spec/releases/ is missing")? {
        let path = entry?.path();
        let Some(stem) =
            path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension() == Some("json".as_ref()))
        else {
            continue;
        };
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let version = Version::parse(stem)?;
        if version_of(&doc)? != version {
            bail!("{} holds info.version {}", path.display(), version_of(&doc)?);
        }
        out.push((version, doc));
    }
    out.sort_by_key(|(v, _)| *v);
    Ok(out)
}

fn release(current: &Value) -> anyhow::Result<()> {
    let version = version_of(current)?;
    if let Some((latest, _)) = releases()?.last()
        && *latest >= version
    {
        bail!("{latest} is already released: raise the workspace version (info.version) first");
    }
    let path = releases_dir().join(format!("{version}.json"));
    std::fs::write(&path, format!("{}\n", serde_json::to_string_pretty(current)?))?;
    eprintln!("released {}", path.display());
    Ok(())
}

/// `--breaking`: the gate CI runs.
pub fn breaking(base: Option<&str>) -> anyhow::Result<()> {
    let (name, old) = match base {
        Some(git_ref) => (format!("{git_ref}:spec/openapi.json"), at_git_ref(git_ref)?),
        None => {
            let (version, doc) = releases()?.pop().context("no release in spec/releases/")?;
            (format!("spec/releases/{version}.json"), doc)
        }
    };
    let new = current()?;
    let (was, is) = (version_of(&old)?, version_of(&new)?);
    println!("changes from {name} ({was}) to the current document ({is}):");
    let changes = diff::compare(&old, &new);
    for change in &changes {
        let kind = if change.severity == Severity::Breaking { "breaking  " } else { "compatible" };
        println!("  {kind}  {}: {}", change.location, change.what);
    }
    let broken = changes.iter().filter(|c| c.severity == Severity::Breaking).count();
    println!("{broken} breaking, {} compatible", changes.len() - broken);
    if is < was {
        bail!("info.version went down from {was} to {is}");
    }
    if broken > 0 && is.major <= was.major {
        bail!(
            "{broken} breaking change(s) since {was}: keep the contract, or raise the major version \
             (the workspace version in Cargo.toml, which is info.version) and say why in the release"
        );
    }
    if broken > 0 {
        println!("allowed: the major version went from {} to {}", was.major, is.major);
    }
    Ok(())
}

fn at_git_ref(git_ref: &str) -> anyhow::Result<Value> {
    let out = Command::new("git")
        .args(["show", &format!("{git_ref}:spec/openapi.json")])
        .current_dir(crate::root())
        .output()
        .context("git is needed")?;
    if !out.status.success() {
        bail!("git show {git_ref}:spec/openapi.json failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// A `major.minor.patch` version (a pre-release or build suffix is not compared).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let core = text.split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<u64> = core
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("`{text}` is not a version"))?;
        let [major, minor, patch] = parts[..] else { bail!("`{text}` is not major.minor.patch") };
        Ok(Self { major, minor, patch })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

pub fn version_of(doc: &Value) -> anyhow::Result<Version> {
    Version::parse(
        doc.pointer("/info/version").and_then(Value::as_str).context("the document has no info.version")?,
    )
}
