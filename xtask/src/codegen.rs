//! Generated files are rewritten in write mode and compared in check mode, so
//! CI fails on drift (after rust-analyzer's `ensure_file_contents`).

use std::{fs, path::Path};

use anyhow::{Context, bail};

#[derive(Clone, Copy, PartialEq, Eq)]
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
