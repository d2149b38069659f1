//! Item 7: invented methods and unmatched routes fold into one label value.

use api_tests::TestApp;
use reqwest::Method;

#[tokio::test]
async fn invented_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn().await;
    for i in 0..300 {
        let method = Method::from_bytes(format!("MFOO{i}").as_bytes()).unwrap();
        let status = app.http.request(method, app.url("/health")).send().await.unwrap().status();
        assert_eq!(status, 405);
        let unmatched = Method::from_bytes(format!("MBAR{i}").as_bytes()).unwrap();
        app.http.request(unmatched, app.url(&format!("/no/such/{i}"))).send().await.unwrap();
    }
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("MFOO") && !metrics.contains("MBAR"), "no invented method is a label");
    assert!(!metrics.contains("/no/such"), "no raw path is a label");
    assert!(metrics.contains(r#"method="(other)",route="/health",status="405""#), "folded into one value");
    assert!(metrics.contains(r#"method="(other)",route="(unmatched)",status="404""#));
}
