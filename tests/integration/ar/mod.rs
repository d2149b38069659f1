//! /ar: every contract row, through the real server, Postgres and Redis.
//! Shared set-up here; one submodule per resource.

mod projects;
mod targets;
mod tokens;
mod users;

use api_tests::{App, PASSWORD, TestApp, User, types};
use base64::Engine as _;

/// A real JPEG of `width` x `height` (a gradient, so it is not trivially small).
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let pixels: Vec<u8> = (0..u32::from(width) * u32::from(height))
        .flat_map(|i| {
            let (x, y) = (i % u32::from(width), i / u32::from(width));
            [(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8]
        })
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encode a JPEG");
    out
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn credentials(login: &str) -> types::builder::ArCredentials {
    types::ArCredentials::builder().login(login).password(PASSWORD)
}

pub async fn project(app: &TestApp, token: &str, name: &str) -> types::ArProjectOut {
    app.client_as(token)
        .ar_create_project()
        .body(types::ArProjectIn::builder().name(name))
        .send()
        .await
        .expect("create project")
        .into_inner()
}

pub async fn app_token(app: &TestApp, token: &str, project_id: i64) -> types::ArAppTokenOut {
    app.client_as(token).ar_create_token().id(project_id).send().await.expect("create app token").into_inner()
}

pub async fn target(
    app: &TestApp,
    token: &str,
    project_id: i64,
    description: &str,
) -> types::ArTargetSummary {
    app.client_as(token)
        .ar_create_target()
        .id(project_id)
        .body(types::ArTargetIn::builder().image(b64(&jpeg(16, 16))).description(description))
        .send()
        .await
        .expect("create target")
        .into_inner()
}

/// A user with one project and an app token for it.
pub struct Setup {
    pub user: User,
    pub user_token: String,
    pub project: types::ArProjectOut,
    pub app_token: types::ArAppTokenOut,
}

pub async fn setup(app: &TestApp, login: &str) -> Setup {
    let user = app.user(App::Ar, login).await;
    let user_token = user.token.clone();
    let project = project(app, &user_token, &format!("{login}'s project")).await;
    let app_token = app_token(app, &user_token, project.id).await;
    Setup { user, user_token, project, app_token }
}

/// Counts rows of an /ar table matching a SQL condition.
pub async fn count(app: &TestApp, table: &'static str, condition: impl Into<String>) -> i64 {
    let condition = condition.into();
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.query(move |c| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table} WHERE {condition}"))
            .get_result::<Count>(c)
            .expect("count")
            .n
    })
    .await
}

/// Runs SQL statements on the test database (to reach what the API cannot).
pub async fn exec(app: &TestApp, sql: String) {
    app.query(move |c| diesel::connection::SimpleConnection::batch_execute(c, &sql).expect("exec")).await
}
