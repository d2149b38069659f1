//! /admin pages of /exchange, /dealer and /ar: what they list and search,
//! that link codes and tokens never appear, the image thumbnails, and the
//! app token Revoke that goes through /ar's own rules (CSRF and session too).

use api_tests::{App, TestApp, status_of, types};
use diesel::{OptionalExtension, QueryDsl, RunQueryDsl};
use reqwest::{StatusCode, header};

use super::{ADMIN, ADMIN_PASSWORD, Browser, location, spawn};
use crate::ar;

async fn exchange_item(app: &TestApp, token: &str, name: &str) -> i64 {
    let body = types::ExchangeItemIn::builder().name(name);
    app.client_as(token).exchange_create_item().body(body).send().await.expect("item").into_inner().id
}

async fn revoked_at(app: &TestApp, id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    app.query(move |c| {
        use api::schema::ar_app_tokens as t;
        t::table.find(id).select(t::revoked_at).first(c).optional().unwrap().flatten()
    })
    .await
}

/// `<value><label>` of a dashboard tile, as maud writes it.
fn tile(value: i64, label: &str) -> String {
    format!(r#"<span class="value">{value}</span><span class="label">{label}</span>"#)
}

#[tokio::test]
async fn revoking_an_app_token_in_the_panel_refuses_it_in_the_api_at_once() {
    let app = spawn().await;
    let owner = app.user(App::Ar, "maker").await.token;
    let project = ar::project(&app, &owner, "Museum").await;
    let token = ar::app_token(&app, &owner, project.id).await;
    app.client_as(&token.token).ar_list_targets().id(project.id).send().await.expect("the app token works");
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let dashboard = browser.get("/admin").await.text().await.unwrap();
    assert!(dashboard.contains(&tile(1, "live app tokens")), "{dashboard}");

    let action = format!("/admin/ar/tokens/{}/revoke", token.id);
    let page = browser.get(&format!("/admin/ar/tokens?q=project:{}", project.id)).await.text().await.unwrap();
    assert!(page.contains("Museum") && page.contains(&action), "a Revoke button for the token");
    assert!(!page.contains(&token.token), "the panel never shows a token");
    let csrf = browser.csrf("/admin/ar/tokens").await;
    let res = browser.post(&action, &[("_csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/ar/tokens");

    let refused = app.client_as(&token.token).ar_list_targets().id(project.id).send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401, "the API refuses the revoked token");
    let listed = app.client_as(&owner).ar_list_tokens().id(project.id).send().await.unwrap().into_inner();
    assert!(listed.is_empty(), "the owner no longer sees it either");
    assert!(revoked_at(&app, token.id).await.is_some());
    let page = browser.get("/admin/ar/tokens").await.text().await.unwrap();
    assert!(page.contains("revoked: the API refuses it from now on"), "the notice");
    assert!(!page.contains(&action), "no Revoke button on a revoked token");
    let dashboard = browser.get("/admin").await.text().await.unwrap();
    assert!(dashboard.contains(&tile(0, "live app tokens")));

    let again = browser.post(&action, &[("_csrf", &csrf)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("already revoked"));
    let unknown = browser.post("/admin/ar/tokens/999999/revoke", &[("_csrf", &csrf)]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn revoking_without_the_csrf_token_or_a_session_changes_nothing() {
    let app = spawn().await;
    let owner = app.user(App::Ar, "maker").await.token;
    let project = ar::project(&app, &owner, "Museum").await;
    let token = ar::app_token(&app, &owner, project.id).await;
    let action = format!("/admin/ar/tokens/{}/revoke", token.id);
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let missing = browser.post(&action, &[]).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("security token"));
    let wrong = browser.post(&action, &[("_csrf", &"0".repeat(64))]).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    // A session's token is worthless without the session cookie.
    let csrf = browser.csrf("/admin/ar/tokens").await;
    let mut stranger = Browser::new(&app);
    let anonymous = stranger.post(&action, &[("_csrf", &csrf)]).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&anonymous), "/admin/login");

    assert!(revoked_at(&app, token.id).await.is_none());
    app.client_as(&token.token).ar_list_targets().id(project.id).send().await.expect("the token still works");
}

#[tokio::test]
async fn the_exchange_dealer_and_ar_pages_list_and_search_their_rows_and_never_show_link_codes() {
    let app = spawn().await;
    let alice = app.user(App::Exchange, "alice").await.token;
    let bob = app.user(App::Exchange, "bob").await.token;
    let lamp = exchange_item(&app, &alice, "Brass lamp").await;
    exchange_item(&app, &alice, "Oak chair").await;
    let send = types::ExchangeSendIn::builder().item_id(lamp).recipient("bob");
    let link = app.client_as(&alice).exchange_send_item().body(send).send().await.unwrap().into_inner().link;
    let code = link.split_once("?transfer=").unwrap().1.to_owned();
    let seller = app.user(App::Dealer, "seller").await.token;
    let auto =
        types::DealerAutoIn::builder().max_speed(180).distance(400).handler("Auto Motors").stock("Germany");
    app.client_as(&seller).dealer_create_auto().mark("Polo").body(auto).send().await.unwrap();
    let owner = app.user(App::Ar, "maker").await.token;
    let project = ar::project(&app, &owner, "Museum").await;
    ar::target(&app, &owner, project.id, "Mona Lisa").await;

    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let pages: [(&str, &[&str]); 9] = [
        ("/admin/exchange/users", &["alice", "bob"]),
        ("/admin/exchange/items", &["Brass lamp", "Oak chair", "alice"]),
        ("/admin/exchange/transfers", &["Brass lamp", "alice", "bob"]),
        ("/admin/dealer/users", &["seller"]),
        ("/admin/dealer/autos", &["Polo", "Auto Motors", "Germany", "180"]),
        ("/admin/ar/users", &["maker"]),
        ("/admin/ar/projects", &["Museum", "maker"]),
        ("/admin/ar/targets", &["Mona Lisa", "Museum"]),
        ("/admin/ar/tokens", &["Nothing here."]),
    ];
    for (path, expected) in pages {
        let res = browser.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        for text in expected {
            assert!(html.contains(text), "{path} shows {text}");
        }
        assert!(!html.contains(&code), "{path} never shows a link code");
    }
    let chairs = browser.get("/admin/exchange/items?q=chair").await.text().await.unwrap();
    assert!(chairs.contains("Oak chair") && !chairs.contains("Brass lamp"), "search narrows the list");
    let none = browser.get("/admin/dealer/autos?q=Tesla").await.text().await.unwrap();
    assert!(none.contains("Nothing here."));
    let dashboard = browser.get("/admin").await.text().await.unwrap();
    for (value, label) in
        [(2, "items"), (1, "pending transfers"), (1, "autos"), (1, "projects"), (1, "image targets")]
    {
        assert!(dashboard.contains(&tile(value, label)), "{value} {label}");
    }

    // A followed link is no longer pending.
    app.client_as(&bob).exchange_follow_link().transfer(code).send().await.expect("follow");
    let pending = browser.get("/admin/exchange/transfers").await.text().await.unwrap();
    assert!(!pending.contains("Brass lamp") && pending.contains("Nothing here."));
    assert!(browser.get("/admin").await.text().await.unwrap().contains(&tile(0, "pending transfers")));
}

#[tokio::test]
async fn image_targets_have_small_jpeg_thumbnails_behind_the_session() {
    let app = spawn().await;
    let owner = app.user(App::Ar, "maker").await.token;
    let project = ar::project(&app, &owner, "Museum").await;
    let original = ar::jpeg(640, 480);
    let body = types::ArTargetIn::builder().image(ar::b64(&original)).description("Starry night");
    let target =
        app.client_as(&owner).ar_create_target().id(project.id).body(body).send().await.unwrap().into_inner();
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let page = browser.get("/admin/ar/targets").await.text().await.unwrap();
    assert!(page.contains(&format!("/admin/ar/targets/{}/thumbnail?v=", target.id)), "{page}");

    let thumb = browser.get(&format!("/admin/ar/targets/{}/thumbnail", target.id)).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(thumb.headers()[header::CONTENT_TYPE], "image/jpeg");
    let small = thumb.bytes().await.unwrap();
    assert!(small.len() < original.len(), "{} < {}", small.len(), original.len());
    let mut decoder = jpeg_decoder::Decoder::new(&small[..]);
    decoder.decode().expect("a JPEG");
    let info = decoder.info().unwrap();
    assert_eq!((info.width, info.height), (160, 120));
    let full = browser.get(&format!("/admin/ar/targets/{}/image", target.id)).await;
    assert_eq!(full.bytes().await.unwrap(), original, "the stored image as uploaded");
    let unknown = browser.get("/admin/ar/targets/999999/thumbnail").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    app.client_as(&owner).ar_delete_target().id(project.id).target_id(target.id).send().await.unwrap();
    let page = browser.get("/admin/ar/targets").await.text().await.unwrap();
    assert!(page.contains(r#"<span class="badge off">deleted</span>"#), "marked deleted until the purge");
    let anonymous = Browser::new(&app).get(&format!("/admin/ar/targets/{}/thumbnail", target.id)).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "no session, no image");
}

#[tokio::test]
async fn a_thumbnail_is_refused_503_while_the_image_memory_budget_is_spent() {
    let app = spawn().await;
    let owner = app.user(App::Ar, "maker").await.token;
    let project = ar::project(&app, &owner, "Museum").await;
    let body = types::ArTargetIn::builder().image(ar::b64(&ar::jpeg(640, 480))).description("Night");
    let target =
        app.client_as(&owner).ar_create_target().id(project.id).body(body).send().await.unwrap().into_inner();
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let path = format!("/admin/ar/targets/{}/thumbnail", target.id);
    let held = app.state.images.try_reserve(app.state.images.available()).unwrap();
    let refused = browser.get(&path).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    assert_eq!(browser.get(&path).await.status(), StatusCode::OK);
    assert_eq!(app.state.images.available(), app.state.images.total(), "every reservation given back");
}
