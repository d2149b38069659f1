//! /todo: tasks of a user, with JWT logout and the contract's rate limit
//! (seed 001). Every task route takes the user's bearer token (`aud: todo`).

mod json;
mod models;
mod panel;
mod reads;
mod tasks;
mod users;

use utoipa::openapi::security::{Flow, OAuth2, Password, Scopes, SecurityScheme};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::Audience,
    config::Config,
    registry::{AdminSection, App},
    state::AppState,
};

pub const TAG: &str = "todo";

/// What the rest of the server knows of /todo.
pub const APP: App = App {
    prefix: TAG,
    description: "`/todo`: tasks of a user, JWT logout, 100 requests/min (seed 001)",
    schemes,
    routes: router,
    unlimited: None,
    shape_errors: None,
    audiences: &[Todo::AUD],
    unkeyed: &["todo_login", "todo_logout"],
    body_limit: None,
    production_gap: None,
    on_startup: None,
    purge: None,
    admin: AdminSection { nav: panel::NAV, routes: panel::routes, tiles: panel::tiles, accounts: None },
};

/// OAuth2's password flow, so Swagger UI's Authorize button logs in with the form.
fn schemes(_: &Config) -> Vec<(&'static str, SecurityScheme)> {
    vec![(
        "todo_auth",
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::Password(Password::new("/todo/login", Scopes::new()))],
            "A /todo token from `POST /todo/login` (the Authorize button logs in with the password form)",
        )),
    )]
}

/// Marks /todo's tokens.
pub struct Todo;

impl Audience for Todo {
    const AUD: &'static str = "todo";
}

pub type TodoUser = crate::auth::Authed<Todo>;

fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::login))
        .routes(routes!(users::logout))
        .routes(routes!(tasks::create_task, tasks::list_tasks))
        .routes(routes!(tasks::get_task, tasks::update_task, tasks::delete_task))
}
