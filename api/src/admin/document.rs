//! The HTML document every page shares (its head), and the page that needs
//! no session: the error page, which `error.rs` renders below the sessions.

use axum::{http::StatusCode, response::Html};
use maud::{DOCTYPE, Markup, html};

pub fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=r#"{"includeIndicatorStyles":false}"#;
            title { (title) " · Admin" }
            link rel="stylesheet" href="/admin/assets/admin.css";
            script src="/admin/assets/htmx.min.js" defer {}
        }
    }
}

/// A refusal or failure, with a way back.
pub fn error_page(status: StatusCode, detail: &str) -> Html<String> {
    let markup = html! {
        // Before `<html>`: anything ahead of the doctype puts browsers in quirks mode.
        (DOCTYPE)
        html lang="en" {
            (head(status.canonical_reason().unwrap_or("Error")))
            body.centered {
                div.card {
                    h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
                    p { (detail) }
                    p { a href="/admin" { "Back to the dashboard" } }
                }
            }
        }
    };
    Html(markup.into_string())
}
