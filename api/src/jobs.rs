//! Background work: the purge job, run by tokio-cron-scheduler in every server
//! and once by `api purge`. The job bodies live with the rows they remove (the
//! apps' `purge` steps in `apps::ALL`); an advisory lock keeps replicas from
//! running it together.

use std::collections::BTreeMap;

use anyhow::Context;
use diesel::{PgConnection, prelude::*};
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::{config::Config, db, schema::purge_runs, state::AppState};

/// Rows removed by one purge run, by kind.
pub type PurgeReport = BTreeMap<&'static str, usize>;

/// One purge pass over every app; `None` when another replica is running it.
pub fn purge_once(conn: &mut PgConnection, config: &Config) -> anyhow::Result<Option<PurgeReport>> {
    db::try_with_advisory_lock(conn, db::locks::PURGE, |conn| {
        let started_at = chrono::Utc::now();
        let mut report = PurgeReport::new();
        report.insert("revoked_tokens", crate::auth::revocations::purge(conn)?);
        report.insert("idempotency_keys", crate::idempotency::store::purge(conn)?);
        for step in crate::apps::ALL.iter().filter_map(|app| app.purge) {
            report.extend(step(conn, config)?);
        }
        diesel::insert_into(purge_runs::table)
            .values((
                purge_runs::started_at.eq(started_at),
                purge_runs::removed.eq(serde_json::to_value(&report)?),
            ))
            .execute(conn)?;
        Ok(report)
    })
}

/// Runs the purge job on `PURGE_SCHEDULE` until the process ends.
pub async fn start_scheduler(state: AppState) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await.context("cannot start the scheduler")?;
    let schedule = state.config.purge_schedule.clone();
    let job = Job::new_async(schedule.as_str(), move |_id, _scheduler| {
        let state = state.clone();
        Box::pin(async move { run_logged(&state).await })
    })
    .with_context(|| format!("invalid PURGE_SCHEDULE `{schedule}`"))?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}

/// One purge run, with its outcome logged.
pub async fn run_logged(state: &AppState) {
    let config = state.config.clone();
    // A purge may delete many rows: the requests' statement timeout is lifted.
    let result = state
        .db(move |conn| {
            db::without_statement_timeout(conn, &config.timeouts, |conn| purge_once(conn, &config))
                .map_err(crate::error::ApiError::Internal)
        })
        .await;
    let outcome = match result {
        Ok(Some(report)) => {
            tracing::info!(removed = ?report, "purge finished");
            "done"
        }
        Ok(None) => {
            tracing::info!("purge skipped: another replica holds the lock");
            "skipped"
        }
        Err(e) => {
            tracing::error!(error = %e, "purge failed");
            "failed"
        }
    };
    crate::metrics::purge_run(outcome);
}
