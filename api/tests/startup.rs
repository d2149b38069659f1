//! The binary refuses to start on a weak start-up admin password, with one
//! line naming the variable (and never the password), before touching any
//! service.

use std::process::Command;

#[test]
fn a_weak_admin_password_stops_the_server_with_one_line_naming_it() {
    let dir = std::env::temp_dir();
    for password in ["x", "seven77"] {
        let out = Command::new(env!("CARGO_BIN_EXE_api"))
            .current_dir(&dir)
            .env_clear()
            .env("ADMIN_LOGIN", "root")
            .env("ADMIN_PASSWORD", password)
            // Unreachable on purpose: the refusal comes before any connection.
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .output()
            .expect("run the api binary");
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("ADMIN_PASSWORD") && stderr.contains("8 to 128"), "{stderr}");
        assert!(!stderr.contains(&format!(" {password}")), "the password is not echoed: {stderr}");
    }
}
