//! The real binary with a misspelt flag: exit code 2, a message naming the
//! flag, and no generated file touched.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
    time::SystemTime,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

/// Every file under the generated folders, with its modification time.
fn snapshot() -> BTreeMap<PathBuf, SystemTime> {
    let mut files = BTreeMap::new();
    let mut dirs =
        vec![root().join("spec"), root().join("clients/postman"), root().join("api/src/schema.rs")];
    while let Some(path) = dirs.pop() {
        if path.is_dir() {
            dirs.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(meta) = path.metadata() {
            files.insert(path, meta.modified().unwrap());
        }
    }
    files
}

#[test]
fn a_misspelt_flag_exits_2_and_writes_nothing() {
    let before = snapshot();
    assert!(!before.is_empty());
    for line in
        [&["spec", "--chek"][..], &["postman", "--chek"], &["schema", "--chek"], &["spec", "--check", "x"]]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(line).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{line:?}: {stderr}");
        let arg = line[line.len() - 1];
        assert!(stderr.contains(&format!("does not take `{arg}`")), "{line:?}: {stderr}");
        assert!(stderr.contains("usage:"), "{line:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{line:?}");
    }
    assert_eq!(snapshot(), before, "a refused command line changed a generated file");
}
