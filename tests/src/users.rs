//! One builder for every app's accounts, in the manner of crates.io's
//! `TestApp::init().with_user()`: `app.user(App::Shop, "alice").await` is a
//! registered (on /shop also activated), logged-in user, made through the
//! generated client like any outside user. Each app names its fields and
//! answers differently; this is the one place that knows how. Tests about
//! registration and login themselves still call those routes explicitly.

use base64::Engine as _;

use crate::{TestApp, types};

/// The password of every account the builder makes.
pub const PASSWORD: &str = "correct horse";

/// The apps that have accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    Exchange,
    Todo,
    Dealer,
    Shop,
    Ar,
}

/// A logged-in user of one app.
#[derive(Clone, Debug)]
pub struct User {
    pub login: String,
    /// The user's id: every app's token carries it as `sub` (checked
    /// against the registration's answer where the app returns one).
    pub id: i64,
    /// The bearer token the app's login answered.
    pub token: String,
}

impl TestApp {
    /// A registered (and on /shop activated), logged-in user of `app` with [`PASSWORD`].
    pub async fn user(&self, app: App, login: &str) -> User {
        let answered_id = self.register(app, login).await;
        let token = self.log_in(app, login, PASSWORD).await;
        let id = sub_of(&token);
        if let Some(answered) = answered_id {
            assert_eq!(answered, id, "{app:?}: the registration's id is the token's subject");
        }
        User { login: login.to_owned(), id, token }
    }

    /// Registers `login` with [`PASSWORD`] (on /shop also activates it,
    /// as a user who followed the link), without logging in: the id where
    /// the app answers one.
    pub async fn register(&self, app: App, login: &str) -> Option<i64> {
        let client = self.client();
        match app {
            App::Exchange => {
                let body = types::ExchangeCredentials::builder().login(login).password(PASSWORD);
                let response = client.exchange_register().body(body).send().await.expect("register");
                assert_eq!(response.status(), 201, "register {login}");
                None
            }
            App::Todo => {
                let body = types::TodoCredentials::builder().username(login).password(PASSWORD);
                Some(client.todo_register().body(body).send().await.expect("register").into_inner().id)
            }
            App::Dealer => {
                let body = types::DealerCredentials::builder().username(login).password(PASSWORD);
                let response = client.dealer_register().body(body).send().await.expect("register");
                assert_eq!(response.status(), 201, "register {login}");
                None
            }
            App::Shop => {
                let body = types::ShopCredentials::builder().login(login).password(PASSWORD);
                let link = client.shop_register().body(body).send().await.expect("register").into_inner();
                let code = link.activation_link.rsplit('/').next().unwrap_or_default().to_owned();
                client.shop_activate().code(code).send().await.expect("activate");
                None
            }
            App::Ar => {
                let body = types::ArCredentials::builder().login(login).password(PASSWORD);
                Some(client.ar_create_user().body(body).send().await.expect("sign up").into_inner().id)
            }
        }
    }

    /// Logs an existing account in (a /shop admin too): its token.
    pub async fn log_in(&self, app: App, login: &str, password: &str) -> String {
        let client = self.client();
        match app {
            App::Exchange => {
                let body = types::ExchangeCredentials::builder().login(login).password(password);
                client.exchange_login().body(body).send().await.expect("log in").into_inner().token
            }
            App::Todo => {
                let body = types::TodoCredentials::builder().username(login).password(password);
                client.todo_login().body(body).send().await.expect("log in").into_inner().access_token
            }
            App::Dealer => {
                let body = types::DealerCredentials::builder().username(login).password(password);
                client.dealer_auth().body(body).send().await.expect("log in").into_inner().access_token
            }
            App::Shop => {
                let body = types::ShopCredentials::builder().login(login).password(password);
                client.shop_login().body(body).send().await.expect("log in").into_inner().access_token
            }
            App::Ar => {
                let body = types::ArCredentials::builder().login(login).password(password);
                client.ar_login().body(body).send().await.expect("log in").into_inner().access_token
            }
        }
    }
}

/// The `sub` claim of a token (every app's user id).
pub fn sub_of(token: &str) -> i64 {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url claims");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["sub"].as_str().and_then(|s| s.parse().ok()).expect("a numeric sub")
}
