//! `cargo xtask <task>`: the project's generators and checks.
//!
//! - `spec [--check]`: writes `spec/openapi.json` (and `.yaml`) from the code (no server).
//! - `clients [--check]`: generates every client under `clients/` from it: Rust
//!   (progenitor), TypeScript (openapi-typescript) and Python (openapi-python-client).
//! - `postman [--check]`: `clients/postman/collection.json` from the spec and the stories.
//! - `schema [--check]`: `spec/schema.sql` from a freshly migrated database.
//! - `tools`: installs the pinned Node and Python tools and prints where they are.
//! - `bench [scenario…]`: the benchmark (see `bench/mod.rs`).
//! - `replicas`: three servers behind nginx, checked through it (see `replicas.rs`).
//! - `chaos`: faults under load on a private PostgreSQL and Redis (see `chaos.rs`).

mod bench;
mod chaos;
mod codegen;
mod local_api;
mod postman;
mod replicas;
mod rust_client;
mod schema;
mod sdk;
mod tools;

use std::path::PathBuf;

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let mode = if check { codegen::Mode::Check } else { codegen::Mode::Write };
    match args.first().map(String::as_str) {
        Some("spec") => spec(mode),
        Some("clients") => rust_client::generate(mode).and_then(|()| sdk::generate(mode)),
        Some("postman") => postman::generate(mode),
        Some("schema") => schema::dump(mode),
        Some("tools") => tools::print(),
        Some("bench") => bench::run(&args[1..]),
        Some("replicas") => replicas::run(),
        Some("chaos") => chaos::run(&args[1..]),
        _ => bail!(
            "usage: cargo xtask <spec|clients|postman|schema> [--check] | cargo xtask <tools|bench [scenario…]|replicas|chaos>"
        ),
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

/// The document as JSON (what the tools read) and YAML (for readers).
fn spec(mode: codegen::Mode) -> anyhow::Result<()> {
    let json = api::openapi().to_pretty_json()?;
    codegen::ensure_file_contents(&root().join("spec/openapi.json"), &format!("{json}\n"), mode)?;
    let value: serde_json::Value = serde_json::from_str(&json)?;
    let yaml = serde_norway::to_string(&value)?;
    codegen::ensure_file_contents(&root().join("spec/openapi.yaml"), &yaml, mode)
}
