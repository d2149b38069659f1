//! Who may use the panel: /shop users with `is_admin` who are active (the
//! contract's admins, the one made from `ADMIN_LOGIN` among them). Read
//! through the shop's own queries, so the rule lives in one place.

use diesel::PgConnection;

use crate::{
    apps::shop::models,
    error::ApiError,
    registry::{Accounts, Candidate},
};

/// The panel signs in /shop's admins.
pub const ACCOUNTS: Accounts = Accounts { find_by_login, may_sign_in: is_admin };

fn find_by_login(conn: &mut PgConnection, login: &str) -> Result<Option<Candidate>, ApiError> {
    Ok(models::find_user_by_login(conn, login)?.map(|u| Candidate {
        id: u.id,
        login: u.login,
        password_hash: u.password_hash,
        allowed: u.is_admin && u.is_active,
    }))
}

/// True while this user is an active admin (checked on every request).
fn is_admin(conn: &mut PgConnection, id: i64) -> Result<bool, ApiError> {
    Ok(models::find_user(conn, id)?.is_some_and(|u| u.is_admin && u.is_active))
}
