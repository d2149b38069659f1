//! Floods stay bounded (issue #14, items 3-7 and 12): the password hashing
//! queue, the image memory budget and strict JPEG check, connection limits,
//! and the metrics' labels. The admin sign-in throttle's flood is in `admin.rs`.

mod connections;
mod hashing;
mod images;
mod metrics;

use api_tests::TestApp;

/// Occupies the server's one hashing thread (start it with `HASH_THREADS=1`)
/// until the returned sender is dropped; the task ends with the held job.
pub async fn hold_hashing(
    app: &TestApp,
) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<Result<(), api::error::ApiError>>) {
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let (started, running) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let holder = tokio::spawn(async move {
        state
            .passwords
            .queue()
            .run("test", move || {
                let _ = started.send(());
                let _ = hold.recv();
            })
            .await
    });
    tokio::task::spawn_blocking(move || running.recv()).await.unwrap().expect("the held job runs");
    (release, holder)
}
