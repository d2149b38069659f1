//! The panel's HTML: one layout (a sidebar of every app's pages, a header
//! with the admin and sign-out, the flash notice), the sign-in and error
//! pages, and the small pieces every table page shares (search, pager, CSRF
//! field, action buttons). Server-rendered with maud: no JavaScript needed;
//! htmx only makes search live.

use axum::response::Html;
use maud::{DOCTYPE, Markup, html};

use super::{document::head, session::Admin};
use crate::{apps::ALL, registry};

/// The sidebar: the dashboard, then each app's pages under its prefix.
fn nav() -> impl Iterator<Item = (String, &'static [(&'static str, &'static str)])> {
    const OVERVIEW: &[(&str, &str)] = &[("Dashboard", "/admin")];
    std::iter::once(("Overview".to_owned(), OVERVIEW))
        .chain(ALL.iter().map(|app| (registry::mount(app), app.admin.nav)))
}

/// A page of the signed-in panel; `path` marks the current sidebar entry;
/// a `notice` starting with `!` is shown as an error.
pub fn page(admin: &Admin, path: &str, title: &str, notice: Option<&str>, body: Markup) -> Html<String> {
    let markup = html! {
        // Before `<html>`: anything ahead of the doctype puts browsers in quirks mode.
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                aside.sidebar {
                    a.brand href="/admin" { "Five apps " span { "admin" } }
                    nav {
                        @for (section, links) in nav() {
                            h2 { (section) }
                            @for (label, href) in links.iter() {
                                a href=(href) class=[(*href == path).then_some("active")] { (label) }
                            }
                        }
                    }
                }
                div.main {
                    header.topbar {
                        h1 { (title) }
                        div.who {
                            span { "Signed in as " strong { (admin.login) } }
                            form method="post" action="/admin/logout" {
                                (csrf(admin))
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                    @if let Some(notice) = notice {
                        @if let Some(error) = notice.strip_prefix('!') { p.error role="alert" { (error) } }
                        @else { p.notice role="status" { (notice) } }
                    }
                    main { (body) }
                }
            }
        }
    };
    Html(markup.into_string())
}

/// The sign-in page; `message` explains a refusal.
pub fn login_page(csrf: &str, login: &str, message: Option<&str>) -> Html<String> {
    let markup = html! {
        // Before `<html>`: anything ahead of the doctype puts browsers in quirks mode.
        (DOCTYPE)
        html lang="en" {
            (head("Sign in"))
            body.centered {
                form.card.login method="post" action="/admin/login" {
                    h1 { "Admin sign-in" }
                    @if let Some(message) = message { p.error role="alert" { (message) } }
                    input type="hidden" name="_csrf" value=(csrf);
                    label { "Login" input type="text" name="login" value=(login) autocomplete="username" required autofocus; }
                    label { "Password" input type="password" name="password" autocomplete="current-password" required; }
                    button.primary type="submit" { "Sign in" }
                }
            }
        }
    };
    Html(markup.into_string())
}

/// The hidden CSRF field every form carries.
pub fn csrf(admin: &Admin) -> Markup {
    html! { input type="hidden" name="_csrf" value=(admin.csrf); }
}

/// A one-button form posting to `action` (disable, revoke, delete, ...).
pub fn action_button(admin: &Admin, action: &str, label: &str, danger: bool) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(admin))
            button type="submit" class=(if danger { "danger" } else { "secondary" }) { (label) }
        }
    }
}

/// A table page's body: the search box over the table and its pager. The
/// table carries the `#rows` id that live search swaps.
pub fn listing(
    path: &str,
    q: &str,
    placeholder: &str,
    headers: &[&str],
    rows: Vec<Markup>,
    page: i64,
    more: bool,
) -> Markup {
    html! {
        (search(path, q, placeholder))
        div #rows { (plain_table(headers, rows)) (pager(path, q, page, more)) }
    }
}

/// The search box of a table page: a plain GET form, live with htmx.
fn search(path: &str, q: &str, placeholder: &str) -> Markup {
    html! {
        form.search method="get" action=(path) {
            input type="search" name="q" value=(q) placeholder=(placeholder)
                hx-get=(path) hx-trigger="input changed delay:300ms, search" hx-target="#rows"
                hx-select="#rows" hx-swap="outerHTML" hx-push-url="true";
            button.secondary type="submit" { "Search" }
        }
    }
}

/// A table with its header; `rows` are `tr`s.
pub fn plain_table(headers: &[&str], rows: Vec<Markup>) -> Markup {
    html! {
        @if rows.is_empty() {
            p.empty { "Nothing here." }
        } @else {
            table {
                thead { tr { @for h in headers { th { (h) } } } }
                tbody { @for row in rows { (row) } }
            }
        }
    }
}

/// "Previous / Next" links keeping the search; `has_next` when a row follows this page.
fn pager(path: &str, q: &str, page: i64, has_next: bool) -> Markup {
    let link = |p: i64| {
        let query = serde_urlencoded::to_string([("q", q), ("page", &p.to_string())]).unwrap_or_default();
        format!("{path}?{query}")
    };
    html! {
        nav.pager {
            @if page > 1 { a href=(link(page - 1)) { "← Previous" } }
            span { "Page " (page) }
            @if has_next { a href=(link(page + 1)) { "Next →" } }
        }
    }
}

/// A yes/no cell.
pub fn badge(on: bool, yes: &str, no: &str) -> Markup {
    html! { span class=(if on { "badge on" } else { "badge off" }) { (if on { yes } else { no }) } }
}

/// A timestamp, to the minute, UTC.
pub fn time(t: chrono::DateTime<chrono::Utc>) -> Markup {
    html! { time datetime=(t.to_rfc3339()) { (t.format("%Y-%m-%d %H:%M")) } }
}

/// Money with exactly two decimals (`0.00`, `12.50`).
pub fn money(value: &bigdecimal::BigDecimal) -> String {
    format!("{:.2}", value.with_scale_round(2, bigdecimal::RoundingMode::HalfEven))
}
