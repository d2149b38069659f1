//! /ar rows and queries (no HTTP types here). Every read of a project or a
//! target filters out soft-deleted rows, so a deleted one is simply not found.

use chrono::{DateTime, Utc};
use diesel::{dsl::now, prelude::*};

use crate::schema::{ar_app_tokens, ar_image_targets, ar_projects, ar_users};

pub const LOGIN_TAKEN: &str = "ar_users_login_key";
pub const NAME_TAKEN: &str = "ar_projects_name_key";

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ar_users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ar_projects, check_for_backend(diesel::pg::Pg))]
pub struct Project {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ar_app_tokens, check_for_backend(diesel::pg::Pg))]
pub struct AppToken {
    pub id: i64,
    pub jti: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A target without its image, for lists.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ar_image_targets, check_for_backend(diesel::pg::Pg))]
pub struct TargetSummary {
    pub id: i64,
    pub description: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ar_image_targets, check_for_backend(diesel::pg::Pg))]
pub struct Target {
    pub id: i64,
    pub description: String,
    pub image: Vec<u8>,
}

// --- users ---

pub fn insert_user(conn: &mut PgConnection, login: &str, password_hash: &str) -> QueryResult<i64> {
    diesel::insert_into(ar_users::table)
        .values((ar_users::login.eq(login), ar_users::password_hash.eq(password_hash)))
        .returning(ar_users::id)
        .get_result(conn)
}

pub fn find_user_by_login(conn: &mut PgConnection, login: &str) -> QueryResult<Option<User>> {
    ar_users::table.filter(ar_users::login.eq(login)).select(User::as_select()).first(conn).optional()
}

pub fn user_login(conn: &mut PgConnection, id: i64) -> QueryResult<Option<String>> {
    ar_users::table.find(id).select(ar_users::login).first(conn).optional()
}

/// Whether the user is still there (built here for both connection kinds).
#[diesel::dsl::auto_type(no_type_alias)]
pub(super) fn user_row_exists(id: i64) -> _ {
    diesel::dsl::select(diesel::dsl::exists(ar_users::table.find(id)))
}

/// Changes what is given; `None` when the user no longer exists.
pub fn update_user(
    conn: &mut PgConnection,
    id: i64,
    login: Option<&str>,
    password_hash: Option<&str>,
) -> QueryResult<Option<String>> {
    if login.is_none() && password_hash.is_none() {
        return user_login(conn, id);
    }
    let changes =
        (login.map(|l| ar_users::login.eq(l)), password_hash.map(|h| ar_users::password_hash.eq(h)));
    diesel::update(ar_users::table.find(id))
        .set(changes)
        .returning(ar_users::login)
        .get_result(conn)
        .optional()
}

/// Deletes the user; their projects, targets and app tokens go with them (cascade).
pub fn delete_user(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    diesel::delete(ar_users::table.find(id)).execute(conn).map(|n| n > 0)
}

// --- projects ---

pub fn insert_project(conn: &mut PgConnection, owner: i64, name: &str) -> QueryResult<Project> {
    diesel::insert_into(ar_projects::table)
        .values((ar_projects::owner_id.eq(owner), ar_projects::name.eq(name)))
        .returning(Project::as_returning())
        .get_result(conn)
}

pub fn find_project(conn: &mut PgConnection, owner: i64, id: i64) -> QueryResult<Option<Project>> {
    ar_projects::table
        .filter(
            ar_projects::id
                .eq(id)
                .and(ar_projects::owner_id.eq(owner))
                .and(ar_projects::deleted_at.is_null()),
        )
        .select(Project::as_select())
        .first(conn)
        .optional()
}

pub fn rename_project(
    conn: &mut PgConnection,
    owner: i64,
    id: i64,
    name: &str,
) -> QueryResult<Option<Project>> {
    diesel::update(ar_projects::table.filter(
        ar_projects::id.eq(id).and(ar_projects::owner_id.eq(owner)).and(ar_projects::deleted_at.is_null()),
    ))
    .set((ar_projects::name.eq(name), ar_projects::updated_at.eq(now)))
    .returning(Project::as_returning())
    .get_result(conn)
    .optional()
}

/// Soft-deletes the project with its targets (same instant) and revokes its
/// app tokens. Run it in a transaction.
pub fn soft_delete_project(conn: &mut PgConnection, owner: i64, id: i64) -> QueryResult<bool> {
    let deleted_at: Option<DateTime<Utc>> = diesel::update(ar_projects::table.filter(
        ar_projects::id.eq(id).and(ar_projects::owner_id.eq(owner)).and(ar_projects::deleted_at.is_null()),
    ))
    .set(ar_projects::deleted_at.eq(now))
    .returning(ar_projects::deleted_at)
    .get_result(conn)
    .optional()?
    .flatten();
    let Some(at) = deleted_at else { return Ok(false) };
    diesel::update(
        ar_image_targets::table
            .filter(ar_image_targets::project_id.eq(id).and(ar_image_targets::deleted_at.is_null())),
    )
    .set(ar_image_targets::deleted_at.eq(at))
    .execute(conn)?;
    diesel::update(
        ar_app_tokens::table
            .filter(ar_app_tokens::project_id.eq(id).and(ar_app_tokens::revoked_at.is_null())),
    )
    .set(ar_app_tokens::revoked_at.eq(at))
    .execute(conn)?;
    Ok(true)
}

// --- app tokens ---

pub fn insert_token(
    conn: &mut PgConnection,
    project_id: i64,
    jti: &str,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<AppToken> {
    diesel::insert_into(ar_app_tokens::table)
        .values((
            ar_app_tokens::project_id.eq(project_id),
            ar_app_tokens::jti.eq(jti),
            ar_app_tokens::issued_at.eq(issued_at),
            ar_app_tokens::expires_at.eq(expires_at),
        ))
        .returning(AppToken::as_returning())
        .get_result(conn)
}

/// The project's tokens not revoked (expired ones stay until the purge removes them).
pub fn list_tokens(
    conn: &mut PgConnection,
    project_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<AppToken>> {
    ar_app_tokens::table
        .filter(ar_app_tokens::project_id.eq(project_id).and(ar_app_tokens::revoked_at.is_null()))
        .order(ar_app_tokens::id)
        .limit(limit)
        .offset(offset)
        .select(AppToken::as_select())
        .load(conn)
}

/// Gives the token a new `jti` and lifetime: its old JWT stops working.
pub fn reissue_token(
    conn: &mut PgConnection,
    project_id: i64,
    id: i64,
    jti: &str,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<Option<AppToken>> {
    diesel::update(
        ar_app_tokens::table.filter(
            ar_app_tokens::id
                .eq(id)
                .and(ar_app_tokens::project_id.eq(project_id))
                .and(ar_app_tokens::revoked_at.is_null()),
        ),
    )
    .set((
        ar_app_tokens::jti.eq(jti),
        ar_app_tokens::issued_at.eq(issued_at),
        ar_app_tokens::expires_at.eq(expires_at),
    ))
    .returning(AppToken::as_returning())
    .get_result(conn)
    .optional()
}

pub fn revoke_token(conn: &mut PgConnection, project_id: i64, id: i64) -> QueryResult<bool> {
    diesel::update(
        ar_app_tokens::table.filter(
            ar_app_tokens::id
                .eq(id)
                .and(ar_app_tokens::project_id.eq(project_id))
                .and(ar_app_tokens::revoked_at.is_null()),
        ),
    )
    .set(ar_app_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

pub fn revoke_token_by_jti(conn: &mut PgConnection, jti: &str) -> QueryResult<bool> {
    diesel::update(
        ar_app_tokens::table.filter(ar_app_tokens::jti.eq(jti).and(ar_app_tokens::revoked_at.is_null())),
    )
    .set(ar_app_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

/// The project of a token that still stands: not revoked, not expired, its
/// project not deleted. One lookup by the unique `jti` index.
pub fn live_token_project(conn: &mut PgConnection, jti: &str) -> QueryResult<Option<i64>> {
    ar_app_tokens::table
        .inner_join(ar_projects::table)
        .filter(
            ar_app_tokens::jti
                .eq(jti)
                .and(ar_app_tokens::revoked_at.is_null())
                .and(ar_app_tokens::expires_at.gt(now))
                .and(ar_projects::deleted_at.is_null()),
        )
        .select(ar_app_tokens::project_id)
        .first(conn)
        .optional()
}

// --- image targets ---

fn live_target(project_id: i64, id: i64) -> ar_image_targets::BoxedQuery<'static, diesel::pg::Pg> {
    ar_image_targets::table
        .filter(
            ar_image_targets::id
                .eq(id)
                .and(ar_image_targets::project_id.eq(project_id))
                .and(ar_image_targets::deleted_at.is_null()),
        )
        .into_boxed()
}

pub fn list_targets(
    conn: &mut PgConnection,
    project_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<TargetSummary>> {
    ar_image_targets::table
        .filter(ar_image_targets::project_id.eq(project_id).and(ar_image_targets::deleted_at.is_null()))
        .order(ar_image_targets::id)
        .limit(limit)
        .offset(offset)
        .select(TargetSummary::as_select())
        .load(conn)
}

pub fn insert_target(
    conn: &mut PgConnection,
    project_id: i64,
    description: &str,
    image: &[u8],
) -> QueryResult<TargetSummary> {
    diesel::insert_into(ar_image_targets::table)
        .values((
            ar_image_targets::project_id.eq(project_id),
            ar_image_targets::description.eq(description),
            ar_image_targets::image.eq(image),
        ))
        .returning(TargetSummary::as_returning())
        .get_result(conn)
}

pub fn find_target(conn: &mut PgConnection, project_id: i64, id: i64) -> QueryResult<Option<Target>> {
    live_target(project_id, id).select(Target::as_select()).first(conn).optional()
}

pub fn target_image(conn: &mut PgConnection, project_id: i64, id: i64) -> QueryResult<Option<Vec<u8>>> {
    live_target(project_id, id).select(ar_image_targets::image).first(conn).optional()
}

/// Changes what is given; `None` when there is no such live target.
pub fn update_target(
    conn: &mut PgConnection,
    project_id: i64,
    id: i64,
    description: Option<&str>,
    image: Option<&[u8]>,
) -> QueryResult<Option<TargetSummary>> {
    diesel::update(
        ar_image_targets::table.filter(
            ar_image_targets::id
                .eq(id)
                .and(ar_image_targets::project_id.eq(project_id))
                .and(ar_image_targets::deleted_at.is_null()),
        ),
    )
    .set((
        description.map(|d| ar_image_targets::description.eq(d)),
        image.map(|i| ar_image_targets::image.eq(i)),
        ar_image_targets::updated_at.eq(now),
    ))
    .returning(TargetSummary::as_returning())
    .get_result(conn)
    .optional()
}

pub fn soft_delete_target(conn: &mut PgConnection, project_id: i64, id: i64) -> QueryResult<bool> {
    diesel::update(
        ar_image_targets::table.filter(
            ar_image_targets::id
                .eq(id)
                .and(ar_image_targets::project_id.eq(project_id))
                .and(ar_image_targets::deleted_at.is_null()),
        ),
    )
    .set(ar_image_targets::deleted_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}
