//! Rough throughput of purchases and webhooks against an in-process debug
//! server (client and server share the machine's cores). Ignored by default:
//! `cargo test -p api-tests -- --ignored --nocapture shop::bench`
//! (`SHOP_BENCH_N` requests of each kind, `SHOP_BENCH_CONCURRENCY` in flight).

use std::time::Instant;

use api_tests::{App, TestApp, User, types};
use futures::{StreamExt, stream};
use serde_json::json;

use super::{ADMIN, admin, count, create_product, credit, post_webhook, stored_balance, webhook_body};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, not a check: run it by name"]
async fn throughput_of_purchases_and_webhooks() {
    let (n, concurrency) = (env_or("SHOP_BENCH_N", 2000), env_or("SHOP_BENCH_CONCURRENCY", 32));
    let app =
        TestApp::spawn_with(&[("ADMIN_LOGIN", ADMIN.0), ("ADMIN_PASSWORD", ADMIN.1), ("DB_POOL_SIZE", "16")])
            .await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Penny sweet", "0.01").await;
    let User { token, id: me, .. } = app.user(App::Shop, "bench").await;
    credit(&app, 1, me, 1, "1000000").await;
    let client = app.client_as(&token);

    let started = Instant::now();
    let ok = stream::iter(0..n)
        .map(|_| client.shop_buy_product().id(product.id).body(types::ShopBuyIn::builder().bill_id(1)).send())
        .buffer_unordered(concurrency)
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    let purchases = started.elapsed();
    assert_eq!(ok, n);

    let started = Instant::now();
    let server = &app;
    let ok =
        stream::iter(0..n)
            .map(|i| async move {
                post_webhook(server, &webhook_body(10 + i as i64, me, 1, json!("0.01"))).await.0
            })
            .buffer_unordered(concurrency)
            .filter(|status| std::future::ready(*status == 200))
            .count()
            .await;
    let webhooks = started.elapsed();
    assert_eq!(ok, n);
    assert_eq!(
        stored_balance(&app, 1).await.as_deref(),
        Some("1000000.00"),
        "n debits of 0.01, n credits of 0.01"
    );
    assert_eq!(count(&app, "shop_purchases").await, n as i64);

    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!(
        "shop throughput (debug, in-process, {n} requests each, {concurrency} in flight): \
         purchases {:.0}/s ({purchases:.2?}), webhooks {:.0}/s ({webhooks:.2?})",
        rate(purchases),
        rate(webhooks)
    );
}
