//! Generated files are rewritten in write mode and compared in check mode, so
//! CI fails on drift (after rust-analyzer's `ensure_file_contents`).

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

pub fn ensure_file_contents(path: &Path, contents: &str, mode: Mode) -> anyhow::Result<()> {
    let current = fs::read_to_string(path).unwrap_or_default();
    if current == contents {
        return Ok(());
    }
    let shown = path.strip_prefix(crate::root()).unwrap_or(path).display();
    match mode {
        Mode::Check => {
            bail!("{shown} is out of date: run `cargo xtask` without --check and commit the result")
        }
        Mode::Write => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(path, contents).with_context(|| format!("cannot write {shown}"))?;
            eprintln!("updated {shown}");
            Ok(())
        }
    }
}

/// A generated folder: every file as given, nothing else (names are relative
/// to `dir`; folders named in `keep` are neither compared nor removed).
pub fn ensure_dir_contents(
    dir: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    keep: &[&str],
    mode: Mode,
) -> anyhow::Result<()> {
    let current = read_tree(dir, keep)?;
    if &current == files {
        return Ok(());
    }
    let shown = dir.strip_prefix(crate::root()).unwrap_or(dir).display();
    if mode == Mode::Check {
        let differ: Vec<String> = files
            .keys()
            .chain(current.keys())
            .filter(|p| files.get(*p) != current.get(*p))
            .map(|p| p.display().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        bail!(
            "{shown} is out of date ({}): run `cargo xtask` without --check and commit the result",
            differ.join(", ")
        );
    }
    for stale in current.keys().filter(|p| !files.contains_key(*p)) {
        fs::remove_file(dir.join(stale))?;
    }
    for (path, contents) in files.iter().filter(|(p, c)| current.get(*p) != Some(*c)) {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&full, contents).with_context(|| format!("cannot write {}", full.display()))?;
    }
    eprintln!("updated {shown}");
    Ok(())
}

/// Every file under `dir`, by relative path (skipping the folders named in `skip`).
pub fn read_tree(dir: &Path, skip: &[&str]) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    fn walk(
        base: &Path,
        dir: &Path,
        skip: &[&str],
        out: &mut BTreeMap<PathBuf, Vec<u8>>,
    ) -> anyhow::Result<()> {
        let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
        for entry in entries {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if skip.iter().any(|s| name == *s || (s.starts_with('*') && name.ends_with(&s[1..]))) {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, skip, out)?;
            } else {
                let rel = path.strip_prefix(base)?.to_path_buf();
                out.insert(rel, fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, skip, &mut out)?;
    Ok(out)
}
