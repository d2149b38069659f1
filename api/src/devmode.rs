//! Development mode: what a bare `cargo run` lacks to make every app usable.
//!
//! Only when `Config::app_env` is development (`APP_ENV=development`, or
//! `APP_ENV` unset and `BIND_ADDR` on loopback, see `config.rs`), and only for
//! values left unset: a `JWT_SECRET` (so tokens survive a restart), a /shop
//! admin and a `PAYMENT_PRIVATE_KEY`. They are made once at random and kept in
//! `DEV_SECRETS_FILE` (default `.dev-secrets`, gitignored, mode 0600) so a
//! restart keeps them; the start-up banner prints them with the URLs to try.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;

use crate::config::{AdminSeed, AppEnv, Config};

/// Where the development secrets live unless `DEV_SECRETS_FILE` says otherwise.
pub const DEFAULT_FILE: &str = ".dev-secrets";

/// The admin login development mode seeds when `ADMIN_LOGIN` is unset.
pub const ADMIN_LOGIN: &str = "admin";

/// What development mode filled in, for the banner.
#[derive(Debug, Clone)]
pub struct DevDefaults {
    pub file: PathBuf,
    /// `APP_ENV` was set to `development` (else inferred from a loopback `BIND_ADDR`).
    pub explicit: bool,
    pub admin_login: String,
    /// `None` when `ADMIN_PASSWORD` came from the environment.
    pub admin_password: Option<String>,
    /// `None` when `PAYMENT_PRIVATE_KEY` came from the environment.
    pub payment_key: Option<String>,
}

/// The secrets file named by `DEV_SECRETS_FILE`, else [`DEFAULT_FILE`].
pub fn secrets_file() -> PathBuf {
    std::env::var_os("DEV_SECRETS_FILE").filter(|v| !v.is_empty()).map_or(DEFAULT_FILE.into(), PathBuf::from)
}

/// Fills in the unset secrets of a development server from `file` (made on
/// first use). `None` in production: nothing is changed there.
pub fn apply(config: &mut Config, file: &Path) -> anyhow::Result<Option<DevDefaults>> {
    if config.app_env != AppEnv::Development {
        return Ok(None);
    }
    let mut kept = read(file)?;
    let before = kept.clone();
    let mut take = |key: &str, make: fn() -> String| kept.entry(key.to_owned()).or_insert_with(make).clone();
    if config.jwt_secret.is_none() {
        config.jwt_secret = Some(take("JWT_SECRET", || random_hex(32)));
    }
    let payment_key = match config.payment_private_key {
        Some(_) => None,
        None => {
            let key = take("PAYMENT_PRIVATE_KEY", || random_hex(16));
            config.payment_private_key = Some(key.clone());
            Some(key)
        }
    };
    let (admin_login, admin_password) = match &config.admin {
        Some(seed) => (seed.login.clone(), None),
        None => {
            let password = take("ADMIN_PASSWORD", || random_hex(8));
            let login = take("ADMIN_LOGIN", || ADMIN_LOGIN.to_owned());
            config.admin = Some(AdminSeed { login: login.clone(), password: password.clone() });
            (login, Some(password))
        }
    };
    if kept != before {
        write(file, &kept)?;
    }
    Ok(Some(DevDefaults {
        file: file.to_owned(),
        explicit: config.app_env_explicit,
        admin_login,
        admin_password,
        payment_key,
    }))
}

/// The start-up banner of a development server: printed once, before the
/// first request, so a new user sees where to go and how to sign in.
pub fn banner(dev: &DevDefaults, public_url: &str) -> String {
    let why = if dev.explicit { "APP_ENV=development" } else { "APP_ENV is unset and BIND_ADDR is loopback" };
    let password = dev.admin_password.as_deref().unwrap_or("(ADMIN_PASSWORD)");
    let payment = dev.payment_key.as_deref().unwrap_or("(PAYMENT_PRIVATE_KEY)");
    let file = dev.file.display();
    let rule = "=".repeat(78);
    format!(
        "{rule}\n\
         DEVELOPMENT MODE ({why}): never run it like this in production (set APP_ENV=production)\n\
         \n  Swagger UI    {public_url}/docs\
         \n  admin panel   {public_url}/admin     login `{login}`  password `{password}`\
         \n  metrics       {public_url}/metrics\
         \n  payment key   {payment}   (PAYMENT_PRIVATE_KEY: signs POST /shop/payment/webhook)\n\
         \n  Secrets unset in the environment come from {file} (delete it for new ones).\n\
         {rule}",
        login = dev.admin_login,
    )
}

/// What a development server that could not start tells its user besides the
/// error: how to get PostgreSQL and Redis when it could not reach them.
pub fn start_hint(error: &str) -> Option<&'static str> {
    (error.contains("DATABASE_URL") || error.contains("REDIS_URL")).then_some(
        "hint: are PostgreSQL and Redis running? `bash .ci/services.sh` installs and starts both \
         (`cargo xtask doctor` lists what is missing)",
    )
}

/// `KEY=value` lines; a missing file is empty.
fn read(file: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    };
    Ok(text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect())
}

/// Written readable by its owner only: it holds an admin password.
fn write(file: &Path, values: &BTreeMap<String, String>) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut text = String::from(
        "# Development secrets made by `cargo run` (APP_ENV development). Never used in production.\n",
    );
    for (key, value) in values {
        text.push_str(&format!("{key}={value}\n"));
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("cannot write the development secrets to {}", file.display()))?;
    out.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", file.display()))
}

fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned()).unwrap()
    }

    fn temp_file() -> PathBuf {
        std::env::temp_dir().join(format!("dev-secrets-{}", uuid::Uuid::new_v4().simple()))
    }

    #[test]
    fn an_unreachable_service_gets_a_hint_and_other_errors_do_not() {
        let pg =
            "cannot connect to DATABASE_URL (nor to its server's `postgres` database): connection refused";
        assert!(start_hint(pg).is_some_and(|h| h.contains("bash .ci/services.sh")));
        assert!(start_hint("cannot connect to REDIS_URL: Connection refused (os error 111)").is_some());
        assert_eq!(start_hint("cannot listen on BIND_ADDR 127.0.0.1:8080: address in use"), None);
    }

    #[test]
    fn a_restart_keeps_the_same_secrets() {
        let file = temp_file();
        let mut first = config(&[]);
        let dev = apply(&mut first, &file).unwrap().expect("loopback without APP_ENV is development");
        let mut second = config(&[]);
        apply(&mut second, &file).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert!(first.jwt_secret.as_ref().is_some_and(|s| s.len() >= 32));
        assert_eq!(first.payment_private_key, second.payment_private_key);
        assert_eq!(dev.payment_key, first.payment_private_key);
        let (a, b) = (first.admin.unwrap(), second.admin.unwrap());
        assert_eq!((a.login.as_str(), &a.password), (ADMIN_LOGIN, &b.password));
        assert!(crate::validate::password(&a.password).is_ok(), "the seed obeys the account rules");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn production_gets_nothing_and_writes_nothing() {
        for pairs in [&[("APP_ENV", "production")][..], &[("BIND_ADDR", "0.0.0.0:8080")][..]] {
            let file = temp_file();
            let mut c = config(pairs);
            assert!(apply(&mut c, &file).unwrap().is_none(), "{pairs:?}");
            assert!(c.jwt_secret.is_none() && c.payment_private_key.is_none() && c.admin.is_none());
            assert!(!file.exists());
        }
    }

    #[test]
    fn values_from_the_environment_win_and_are_not_printed() {
        let file = temp_file();
        let mut c = config(&[
            ("PAYMENT_PRIVATE_KEY", "from-env"),
            ("ADMIN_LOGIN", "boss"),
            ("ADMIN_PASSWORD", "secret from env"),
        ]);
        let dev = apply(&mut c, &file).unwrap().unwrap();
        assert_eq!(c.payment_private_key.as_deref(), Some("from-env"));
        assert_eq!(c.admin.as_ref().unwrap().password, "secret from env");
        let text = banner(&dev, "http://127.0.0.1:8080");
        assert!(!text.contains("from-env") && !text.contains("secret from env"), "{text}");
        assert!(text.contains("login `boss`"), "{text}");
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn the_banner_names_the_urls_the_credentials_and_the_mode() {
        let file = temp_file();
        let mut c = config(&[]);
        let dev = apply(&mut c, &file).unwrap().unwrap();
        let text = banner(&dev, &c.public_url);
        let admin = c.admin.unwrap();
        for expected in [
            "DEVELOPMENT MODE (APP_ENV is unset and BIND_ADDR is loopback)",
            "APP_ENV=production",
            "http://127.0.0.1:8080/docs",
            "http://127.0.0.1:8080/admin",
            "http://127.0.0.1:8080/metrics",
            &format!("login `{}`  password `{}`", admin.login, admin.password),
            c.payment_private_key.as_deref().unwrap(),
        ] {
            assert!(text.contains(expected), "{expected:?} in\n{text}");
        }
        std::fs::remove_file(file).unwrap();
    }
}
