//! The pinned Node and Python tools of the contract pipeline, and Diesel's CLI,
//! installed once per pin set into `$HOME/.cache/api-contract-tools` (or
//! `CONTRACT_TOOLS_DIR`; CI points it inside the project to cache it).
//!
//! The pins live in `clients/tools/` (`package-lock.json`, `requirements.txt`);
//! the cache folder is named by a hash of them, so a changed pin installs anew
//! and regeneration stays byte-identical run to run and machine to machine.
//! Diesel's CLI is the version of the `diesel` crate in `Cargo.lock`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};

/// Where installed tool sets live.
fn cache_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CONTRACT_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
    PathBuf::from(home).join(".cache/api-contract-tools")
}

fn pins_dir() -> PathBuf {
    crate::root().join("clients/tools")
}

/// FNV-1a: a cache key that is stable across Rust versions (unlike `DefaultHasher`).
fn fingerprint(files: &[&Path]) -> anyhow::Result<String> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        for b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(format!("{hash:016x}"))
}

/// The folder holding `node_modules/` of the pinned Node tools, installed with `npm ci`.
pub fn node() -> anyhow::Result<PathBuf> {
    let (package, lock) = (pins_dir().join("package.json"), pins_dir().join("package-lock.json"));
    let dir = cache_dir().join(format!("node-{}", fingerprint(&[&package, &lock])?));
    if !dir.join(".installed").exists() {
        eprintln!("installing the pinned Node tools into {}", dir.display());
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(&package, dir.join("package.json"))?;
        std::fs::copy(&lock, dir.join("package-lock.json"))?;
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"])
            .current_dir(&dir))?;
        std::fs::write(dir.join(".installed"), "")?;
    }
    Ok(dir)
}

/// A binary of the pinned Node tools (`openapi-typescript`, `newman`, ...).
pub fn node_bin(name: &str) -> anyhow::Result<PathBuf> {
    Ok(node()?.join("node_modules/.bin").join(name))
}

/// The venv of the pinned Python tools (openapi-python-client, schemathesis).
pub fn python() -> anyhow::Result<PathBuf> {
    let requirements = pins_dir().join("requirements.txt");
    let dir = cache_dir().join(format!("py-{}", fingerprint(&[&requirements])?));
    if !dir.join(".installed").exists() {
        eprintln!("installing the pinned Python tools into {}", dir.display());
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(python).args(["-m", "venv", "--clear"]).arg(&dir))?;
        run(Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements))?;
        std::fs::write(dir.join(".installed"), "")?;
    }
    Ok(dir)
}

/// Diesel's CLI (PostgreSQL only) of the same version as the `diesel` crate the
/// server is built with, so `print-schema` writes what that version reads.
pub fn diesel() -> anyhow::Result<PathBuf> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock"))?;
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"diesel\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"')))
        .context("no diesel in Cargo.lock")?
        .to_owned();
    let dir = cache_dir().join(format!("diesel-{version}"));
    let bin = dir.join("bin/diesel");
    if !bin.exists() {
        eprintln!("installing diesel_cli {version} into {}", dir.display());
        run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["install", "diesel_cli", "--locked", "--no-default-features", "--features", "postgres"])
            .args(["--version", &version, "--root"])
            .arg(&dir)
            // Its own build folder: the workspace's target holds other feature sets.
            .env_remove("CARGO_TARGET_DIR"))?;
    }
    Ok(bin)
}

pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

/// `cargo xtask tools`: installs both tool sets and prints where they are, for `.ci/contract.sh`.
pub fn print() -> anyhow::Result<()> {
    println!("NODE_TOOLS={}", node()?.display());
    println!("PY_TOOLS={}", python()?.display());
    Ok(())
}
