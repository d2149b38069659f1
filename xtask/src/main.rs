//! `cargo xtask <task>`: the project's generators and checks.
//!
//! - `spec [--check]`: writes `spec/openapi.json` from the code (no server).
//! - `clients [--check]`: generates the Rust client in `clients/rust` from it.
//! - `schema [--check]`: `spec/schema.sql` from a freshly migrated database.
//! - `bench [scenario…]`: the benchmark (see `bench/mod.rs`).
//! - `replicas`: three servers behind nginx, checked through it (see `replicas.rs`).

mod bench;
mod codegen;
mod replicas;
mod rust_client;
mod schema;

use std::path::PathBuf;

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let mode = if check { codegen::Mode::Check } else { codegen::Mode::Write };
    match args.first().map(String::as_str) {
        Some("spec") => spec(mode),
        Some("clients") => rust_client::generate(mode),
        Some("schema") => schema::dump(mode),
        Some("bench") => bench::run(&args[1..]),
        Some("replicas") => replicas::run(),
        _ => bail!(
            "usage: cargo xtask <spec|clients|schema> [--check] | cargo xtask <bench [scenario…]|replicas>"
        ),
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

fn spec(mode: codegen::Mode) -> anyhow::Result<()> {
    let json = api::openapi().to_pretty_json()?;
    codegen::ensure_file_contents(&root().join("spec/openapi.json"), &format!("{json}\n"), mode)
}
