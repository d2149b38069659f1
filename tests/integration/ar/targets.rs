//! /ar image targets: app token or owner, real JPEGs only, size limits,
//! soft delete, and no way into another project's targets.

use api_tests::{TestApp, status_of, types};
use futures::TryStreamExt as _;
use serde_json::json;

use super::{b64, count, jpeg, setup, target};

/// The status of a refusal (the raw image's success type has no `Debug`).
fn refused<T, E: std::fmt::Debug>(result: Result<T, api_client::Error<E>>) -> u16 {
    result.err().map_or(200, |e| status_of(&e))
}

async fn raw_image(app: &TestApp, token: &str, project: i64, target: i64) -> Vec<u8> {
    let response =
        app.client_as(token).ar_get_target_image().id(project).target_id(target).send().await.expect("image");
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let chunks: Vec<_> = response.into_inner().into_inner().try_collect().await.expect("body");
    chunks.concat()
}

#[tokio::test]
async fn target_crud_round_trips_with_an_app_token() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let client = app.client_as(&s.app_token.token);
    let image = jpeg(32, 24);
    let created = client
        .ar_create_target()
        .id(s.project.id)
        .body(types::ArTargetIn::builder().image(b64(&image)).description("Entrance poster"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created = created.into_inner();
    assert_eq!(created.description, "Entrance poster");

    let listed = client.ar_list_targets().id(s.project.id).send().await.unwrap();
    let body: serde_json::Value = app
        .http
        .get(app.url(&format!("/ar/api/project/{}/imagetarget", s.project.id)))
        .bearer_auth(&s.app_token.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!([{"id": created.id, "description": "Entrance poster"}]), "lists carry no image");
    assert_eq!(listed.into_inner(), vec![created.clone()]);

    let one =
        client.ar_get_target().id(s.project.id).target_id(created.id).send().await.unwrap().into_inner();
    assert_eq!((one.id, one.image.as_str()), (created.id, b64(&image).as_str()));
    assert_eq!(raw_image(&app, &s.app_token.token, s.project.id, created.id).await, image);

    let new_image = jpeg(8, 8);
    let updated = client
        .ar_update_target()
        .id(s.project.id)
        .target_id(created.id)
        .body(types::ArTargetPatch::builder().description(Some("Exit poster".try_into().unwrap())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.description, "Exit poster");
    client
        .ar_update_target()
        .id(s.project.id)
        .target_id(created.id)
        .body(types::ArTargetPatch::builder().image(Some(b64(&new_image))))
        .send()
        .await
        .unwrap();
    assert_eq!(raw_image(&app, &s.user_token, s.project.id, created.id).await, new_image);

    let deleted = client.ar_delete_target().id(s.project.id).target_id(created.id).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    for status in [
        status_of(&client.ar_get_target().id(s.project.id).target_id(created.id).send().await.unwrap_err()),
        refused(client.ar_get_target_image().id(s.project.id).target_id(created.id).send().await),
        status_of(
            &client.ar_delete_target().id(s.project.id).target_id(created.id).send().await.unwrap_err(),
        ),
    ] {
        assert_eq!(status, 404);
    }
    assert!(client.ar_list_targets().id(s.project.id).send().await.unwrap().into_inner().is_empty());
    assert_eq!(count(&app, "ar_image_targets", "deleted_at IS NOT NULL").await, 1, "soft-deleted, kept");
}

#[tokio::test]
async fn the_owner_reaches_targets_with_a_user_token() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let t = target(&app, &s.user_token, s.project.id, "by the owner").await;
    let seen = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap();
    assert_eq!(seen.into_inner(), vec![t]);
}

#[tokio::test]
async fn an_app_token_cannot_reach_another_projects_targets() {
    let app = TestApp::spawn().await;
    let mine = setup(&app, "alice").await;
    let theirs = setup(&app, "bob").await;
    let t = target(&app, &theirs.app_token.token, theirs.project.id, "theirs").await;
    // The same owner's second project is just as out of reach.
    let sibling = super::project(&app, &mine.user_token, "alice's second").await;
    let client = app.client_as(&mine.app_token.token);
    for project in [theirs.project.id, sibling.id] {
        let body = types::ArTargetIn::builder().image(b64(&jpeg(8, 8))).description("intruder");
        let statuses = [
            status_of(&client.ar_list_targets().id(project).send().await.unwrap_err()),
            status_of(&client.ar_create_target().id(project).body(body).send().await.unwrap_err()),
            status_of(&client.ar_get_target().id(project).target_id(t.id).send().await.unwrap_err()),
            refused(client.ar_get_target_image().id(project).target_id(t.id).send().await),
            status_of(
                &client
                    .ar_update_target()
                    .id(project)
                    .target_id(t.id)
                    .body(types::ArTargetPatch::builder().description(Some("mine".try_into().unwrap())))
                    .send()
                    .await
                    .unwrap_err(),
            ),
            status_of(&client.ar_delete_target().id(project).target_id(t.id).send().await.unwrap_err()),
        ];
        assert_eq!(statuses, [404; 6]);
    }
    // A target id of another project under one's own project id is not found either.
    let cross = client.ar_get_target().id(mine.project.id).target_id(t.id).send().await.unwrap_err();
    assert_eq!(status_of(&cross), 404);
    assert_eq!(count(&app, "ar_image_targets", "description = 'theirs' AND deleted_at IS NULL").await, 1);
    assert_eq!(count(&app, "ar_image_targets", "true").await, 1);
}

#[tokio::test]
async fn images_that_are_not_whole_jpegs_are_422_and_store_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let good = jpeg(64, 64);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde".to_vec();
    let mut header_on_garbage = good[..good.len() / 3].to_vec();
    header_on_garbage.extend(std::iter::repeat_n(0x55, 500));
    let cases = [
        ("png", json!(b64(&png))),
        ("truncated jpeg", json!(b64(&good[..good.len() / 2]))),
        ("jpeg without its end", json!(b64(&good[..good.len() - 2]))),
        ("jpeg header on garbage", json!(b64(&header_on_garbage))),
        ("not base64", json!("this is *not* base64!")),
        ("empty", json!("")),
        ("a file name", json!("poster.jpeg")),
        ("a number", json!(42)),
    ];
    let url = app.url(&format!("/ar/api/project/{}/imagetarget", s.project.id));
    for (name, image) in cases {
        let body = json!({"image": image, "description": name});
        let response = app.http.post(&url).bearer_auth(&s.app_token.token).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{name}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let missing =
        app.http.post(&url).bearer_auth(&s.app_token.token).json(&json!({"image": b64(&good)})).send();
    assert_eq!(missing.await.unwrap().status(), 422, "a missing description");
    let not_json = app.http.post(&url).bearer_auth(&s.app_token.token).body("x").send().await.unwrap();
    assert_eq!(not_json.status(), 415);
    assert_eq!(count(&app, "ar_image_targets", "true").await, 0);
}

#[tokio::test]
async fn a_data_url_prefix_and_line_breaks_are_accepted() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let image = jpeg(40, 40);
    let wrapped: String = b64(&image)
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let client = app.client_as(&s.app_token.token);
    for encoded in [format!("data:image/jpeg;base64,{}", b64(&image)), wrapped] {
        let created = client
            .ar_create_target()
            .id(s.project.id)
            .body(types::ArTargetIn::builder().image(encoded).description("ok"))
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(raw_image(&app, &s.user_token, s.project.id, created.id).await, image);
    }
}

#[tokio::test]
async fn images_over_max_image_bytes_are_413() {
    let app = TestApp::spawn_with(&[("MAX_IMAGE_BYTES", "4000")]).await;
    let s = setup(&app, "alice").await;
    let small = jpeg(16, 16);
    let large = jpeg(256, 256);
    assert!(small.len() < 4000 && large.len() > 4000, "{} {}", small.len(), large.len());
    let client = app.client_as(&s.app_token.token);
    let send = |image: &[u8]| {
        client
            .ar_create_target()
            .id(s.project.id)
            .body(types::ArTargetIn::builder().image(b64(image)).description("size"))
            .send()
    };
    assert_eq!(send(&small).await.unwrap().status(), 201);
    assert_eq!(status_of(&send(&large).await.unwrap_err()), 413);
    // A body far past the image limit is refused before it is parsed.
    let huge = json!({"image": "A".repeat(1_000_000), "description": "huge"});
    let url = app.url(&format!("/ar/api/project/{}/imagetarget", s.project.id));
    let response = app.http.post(&url).bearer_auth(&s.app_token.token).json(&huge).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert_eq!(count(&app, "ar_image_targets", "true").await, 1);
}

#[tokio::test]
async fn an_image_far_above_the_global_body_limit_is_accepted() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    // Noise compresses badly: a JPEG of several hundred KiB.
    let (w, h) = (512u16, 512u16);
    let mut seed = 0x1234_5678u32;
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        })
        .collect();
    let mut image = Vec::new();
    jpeg_encoder::Encoder::new(&mut image, 100).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    assert!(image.len() > 256 * 1024, "{}", image.len());
    let created = app
        .client_as(&s.app_token.token)
        .ar_create_target()
        .id(s.project.id)
        .body(types::ArTargetIn::builder().image(b64(&image)).description("noise"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(raw_image(&app, &s.app_token.token, s.project.id, created.id).await, image);
}
