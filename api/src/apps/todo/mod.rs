//! /todo: tasks of a user, with JWT logout and the contract's rate limit
//! (seed 001). Every task route takes the user's bearer token (`aud: todo`).

mod json;
mod models;
mod tasks;
mod users;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{auth::Audience, state::AppState};

pub const TAG: &str = "todo";

/// Marks /todo's tokens.
pub struct Todo;

impl Audience for Todo {
    const AUD: &'static str = "todo";
}

pub type TodoUser = crate::auth::Authed<Todo>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::login))
        .routes(routes!(users::logout))
        .routes(routes!(tasks::create_task, tasks::list_tasks))
        .routes(routes!(tasks::get_task, tasks::update_task, tasks::delete_task))
}
