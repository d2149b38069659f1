//! Items 5 and 12: image uploads within a memory budget, frames refused from
//! their header, and scans that must decode from the file's own bits.

use api_tests::TestApp;
use serde_json::{Value, json};

use crate::ar::{b64, count, jpeg, setup};

async fn upload(app: &TestApp, token: &str, project: i64, image: &[u8]) -> reqwest::Response {
    let url = app.url(&format!("/ar/api/project/{project}/imagetarget"));
    let body = json!({"image": b64(image), "description": "flood"});
    app.http.post(url).bearer_auth(token).json(&body).send().await.unwrap()
}

/// `image` with its frame header's size changed (a small file declaring a huge image).
fn declaring(mut image: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let sof = image.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
    image[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    image[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    image
}

fn cmyk(width: u16, height: u16) -> Vec<u8> {
    let pixels = vec![90u8; usize::from(width) * usize::from(height) * 4];
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Cmyk)
        .expect("encode a CMYK JPEG");
    out
}

async fn detail(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    body["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn huge_or_four_component_frames_are_refused_from_their_header() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let huge = declaring(jpeg(16, 16), 60_000, 60_000);
    let why = detail(upload(&app, &s.app_token.token, s.project.id, &huge).await, 422).await;
    assert!(why.contains("pixels"), "{why}");
    let why = detail(upload(&app, &s.app_token.token, s.project.id, &cmyk(64, 64)).await, 422).await;
    assert!(why.contains("colour components"), "{why}");
    assert_eq!(count(&app, "ar_image_targets", "true").await, 0);
    assert_eq!(app.state.images.available(), app.state.images.total());
}

#[tokio::test]
async fn a_cut_scan_or_a_missing_scan_is_refused_even_with_an_end_marker() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let whole = jpeg(320, 240);
    let sos = whole.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let data = sos + 2 + usize::from(u16::from_be_bytes([whole[sos + 2], whole[sos + 3]]));
    let mut cut = whole[..data + (whole.len() - data) * 3 / 10].to_vec();
    cut.extend_from_slice(&[0xFF, 0xD9]);
    let mut no_scan = whole[..sos].to_vec();
    no_scan.extend_from_slice(&[0xFF, 0xD9]);
    for (name, image) in [("cut scan", cut), ("no scan", no_scan)] {
        let why = detail(upload(&app, &s.app_token.token, s.project.id, &image).await, 422).await;
        assert!(why.contains("not a valid JPEG"), "{name}: {why}");
    }
    assert_eq!(count(&app, "ar_image_targets", "true").await, 0);
    assert_eq!(upload(&app, &s.app_token.token, s.project.id, &whole).await.status(), 201);
}

#[tokio::test]
async fn an_upload_past_the_memory_budget_is_503_with_retry_after_and_stores_nothing() {
    let app = TestApp::spawn_with(&[("IMAGE_MEMORY_BUDGET_BYTES", "16777216")]).await;
    let s = setup(&app, "alice").await;
    let image = jpeg(512, 512);
    let held = app.state.images.try_reserve(app.state.images.available() - 64 * 1024).unwrap();
    let refused = upload(&app, &s.app_token.token, s.project.id, &image).await;
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let why = detail(refused, 503).await;
    assert!(why.contains("try again"), "{why}");
    assert_eq!(count(&app, "ar_image_targets", "true").await, 0);
    drop(held);
    assert_eq!(upload(&app, &s.app_token.token, s.project.id, &image).await.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_uploads_answers_201_or_503_and_gives_the_budget_back() {
    let app = TestApp::spawn_with(&[("IMAGE_MEMORY_BUDGET_BYTES", "16777216")]).await;
    let s = setup(&app, "alice").await;
    let image = std::sync::Arc::new(jpeg(1024, 1024));
    let uploads: Vec<_> = (0..40)
        .map(|_| {
            let (http, url, token, image) = (
                app.http.clone(),
                app.url(&format!("/ar/api/project/{}/imagetarget", s.project.id)),
                s.app_token.token.clone(),
                image.clone(),
            );
            tokio::spawn(async move {
                let body = json!({"image": b64(&image), "description": "flood"});
                let response = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                let status = response.status().as_u16();
                if status == 503 {
                    assert_eq!(response.headers()["retry-after"], "1");
                }
                status
            })
        })
        .collect();
    let mut created = 0;
    for upload in uploads {
        match upload.await.unwrap() {
            201 => created += 1,
            503 => {}
            other => panic!("an upload answered {other}"),
        }
    }
    assert_eq!(count(&app, "ar_image_targets", "true").await, created);
    assert_eq!(app.state.images.available(), app.state.images.total(), "every reservation given back");
}
