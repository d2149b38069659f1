//! The apps, one folder per prefix, and [`ALL`], the one list the rest of the
//! server reads them from. Apps never import each other.

/// Declares each app's module and lists its descriptor in [`ALL`], in the
/// order the document, the router and the admin panel show them.
macro_rules! apps {
    ($($app:ident),* $(,)?) => {
        $(pub mod $app;)*

        /// Every app. Adding an app is one name here (see docs/ARCHITECTURE.md).
        pub static ALL: &[&crate::registry::App] = &[$(&$app::APP),*];
    };
}

apps!(exchange, todo, dealer, shop, ar);
