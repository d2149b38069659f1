//! /ar's part of the purge job: app tokens that can never work again, and rows
//! soft-deleted longer ago than `SOFT_DELETE_RETENTION_DAYS`.

use chrono::Utc;
use diesel::{PgConnection, dsl::now, prelude::*};

use crate::{
    config::Config,
    schema::{ar_app_tokens, ar_image_targets, ar_projects},
};

/// Deletes expired and revoked app tokens, then targets and projects
/// soft-deleted before the retention cut-off (a project's remaining rows go
/// with it by cascade). Answers the counts, by kind.
pub fn purge(conn: &mut PgConnection, config: &Config) -> anyhow::Result<Vec<(&'static str, usize)>> {
    let cutoff = Utc::now() - chrono::Duration::days(i64::from(config.soft_delete_retention_days));
    let tokens = diesel::delete(
        ar_app_tokens::table
            .filter(ar_app_tokens::expires_at.le(now).or(ar_app_tokens::revoked_at.is_not_null())),
    )
    .execute(conn)?;
    let targets = diesel::delete(ar_image_targets::table.filter(ar_image_targets::deleted_at.lt(cutoff)))
        .execute(conn)?;
    let projects =
        diesel::delete(ar_projects::table.filter(ar_projects::deleted_at.lt(cutoff))).execute(conn)?;
    Ok(vec![("ar_app_tokens", tokens), ("ar_image_targets", targets), ("ar_projects", projects)])
}
