//! The one login flow every app runs: find the user by login, check the
//! password on the hashing queue (an unknown login is checked against the
//! dummy hash, so it takes as long as a wrong password), let the app refuse
//! an account it does not admit, then issue the app's token.
//!
//! Each app says only what differs (its table, its wording, its admission
//! rule) by implementing [`Login`]; the handler maps [`LoggedIn`] to its own
//! wire shape.

use std::time::Duration;

use diesel::{PgConnection, QueryResult};

use super::Audience;
use crate::{error::ApiError, state::AppState};

/// What the shared login flow needs from an app.
pub trait Login: Audience {
    /// The 401 detail for a wrong login or password, in the app's words.
    const WRONG_CREDENTIALS: &'static str;
    /// The row the lookup finds.
    type User: Send + 'static;
    /// The user with this login, with its stored password hash.
    fn find(conn: &mut PgConnection, login: &str) -> QueryResult<Option<(Self::User, String)>>;
    /// The user's id once the password matched, or the app's refusal (an
    /// account not activated, or disabled).
    fn admit(user: Self::User) -> Result<i64, ApiError>;
}

/// A successful login: the token and how long it lives.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub ttl: Duration,
}

/// Logs a user of app `A` in. The hashing queue's share is the app's
/// audience, so one app's login flood cannot take another's turns.
pub async fn login<A: Login>(
    state: &AppState,
    login: String,
    password: String,
) -> Result<LoggedIn, ApiError> {
    let found = state.db(move |conn| Ok(A::find(conn, &login)?)).await?;
    let user = state
        .passwords
        .check(A::AUD, found, password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized(A::WRONG_CREDENTIALS.into()))?;
    let user_id = A::admit(user)?;
    let ttl = state.config.access_token_ttl;
    let issued = state.tokens.issue(A::AUD, user_id, ttl, None)?;
    Ok(LoggedIn { token: issued.token, ttl })
}
