//! `cargo xtask layers`: the `api` crate's module graph, checked.
//!
//! Every `use` and every path that starts at `crate`, `super` or `self` is an
//! edge from the file it is written in to the deepest module file it names
//! (`crate::db::fault::classify` is an edge to `db::fault`, not to `db`).
//! Test modules (`#[cfg(test)]`) are left out, and so are edges between a
//! folder's `mod.rs` and its own files (one module with a facade). The rules:
//!
//! - no cycle through a core module (anything outside `apps/`);
//! - `router` is imported by nobody but the crate root;
//! - an app never imports another app, and core imports nothing of an app:
//!   only the composition modules ([`COMPOSITION`]) may name `apps`, and only
//!   its list of apps, `apps::ALL`;
//! - the composition modules do not even mention an app by name (code or
//!   comment): what they do, they do for every app of the list.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use anyhow::{Context, bail};
use syn::visit::Visit;

/// The modules that put the apps together: the only ones that see the list.
pub const COMPOSITION: &[&str] = &["router", "openapi", "jobs", "server", "admin"];

/// A module, as its path below the crate root (`db::fault`); the root is "".
type Module = String;

pub fn run() -> anyhow::Result<()> {
    let src = crate::root().join("api/src");
    let graph = Graph::read(&src)?;
    let mut problems = graph.problems();
    problems.extend(named_apps(&src)?);
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("layers: {problem}");
        }
        bail!("{} layering problem(s) in api/src", problems.len());
    }
    println!(
        "layers: {} modules, {} edges; no cycle through core, router imported by the root only, apps reached only through apps::ALL",
        graph.edges.len(),
        graph.edges.values().map(BTreeSet::len).sum::<usize>()
    );
    Ok(())
}

/// Each module's imports, and the paths below `apps` that each names.
pub struct Graph {
    pub edges: BTreeMap<Module, BTreeSet<Module>>,
    /// `(from, path)` for every path into `apps` written outside `apps/`.
    app_paths: Vec<(Module, String)>,
    /// Edges that go through the crate root's re-exports (`crate::app`).
    via_root: BTreeSet<(Module, Module)>,
}

impl Graph {
    pub fn read(src: &Path) -> anyhow::Result<Self> {
        let mut files = Vec::new();
        collect(src, src, &mut files)?;
        let modules: BTreeSet<Module> = files.iter().map(|(module, _)| module.clone()).collect();
        let mut graph = Graph { edges: BTreeMap::new(), app_paths: Vec::new(), via_root: BTreeSet::new() };
        // The crate root first: `crate::app` is `router::app` through its `pub use`.
        files.sort_by_key(|(module, _)| !module.is_empty());
        let mut reexports: BTreeMap<String, Module> = BTreeMap::new();
        for (module, file) in &files {
            let text =
                std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let ast = syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
            let mut visitor = Paths { paths: Vec::new(), prefix: Vec::new(), scope: Vec::new() };
            visitor.visit_file(&ast);
            let targets = graph.edges.entry(module.clone()).or_default();
            for (scope, path) in visitor.paths {
                // Written inside an inline `mod x { ... }`: relative to it.
                let here = std::iter::once(module.as_str())
                    .chain(scope.iter().map(String::as_str))
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("::");
                let Some(absolute) = absolute(&here, &path).or_else(|| child(&modules, module, &path)) else {
                    continue;
                };
                if absolute.first().map(String::as_str) == Some("apps") && !module.starts_with("apps") {
                    graph.app_paths.push((module.clone(), absolute.join("::")));
                }
                let Some(mut target) = deepest(&modules, &absolute) else { continue };
                if module.is_empty() {
                    if let Some(item) = absolute.last() {
                        reexports.insert(item.clone(), target.clone());
                    }
                } else if target.is_empty()
                    && let Some(origin) = absolute.first().and_then(|item| reexports.get(item))
                {
                    // Through the root's re-export: the crate's public face, not an import of `router`.
                    graph.via_root.insert((module.clone(), origin.clone()));
                    target = origin.clone();
                }
                if !related(module, &target) {
                    targets.insert(target);
                }
            }
        }
        Ok(graph)
    }

    /// Every broken rule, in words.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for component in self.cycles() {
            if component.iter().any(|m| !is_app(m)) {
                problems.push(format!(
                    "cycle among {} modules, e.g. {}",
                    component.len(),
                    self.shortest_cycle(&component).join(" → ")
                ));
            }
        }
        for (from, targets) in &self.edges {
            if targets.contains("router")
                && !from.is_empty()
                && !self.via_root.contains(&(from.clone(), "router".into()))
            {
                problems.push(format!("{from} imports router (only the crate root may)"));
            }
            if let Some(app) = app_of(from) {
                for target in targets {
                    if let Some(other) = app_of(target)
                        && other != app
                    {
                        problems.push(format!("app {app} imports app {other} ({from} → {target})"));
                    }
                }
            }
        }
        for (from, path) in &self.app_paths {
            let top = from.split("::").next().unwrap_or_default();
            if from.is_empty() {
                continue;
            }
            if !COMPOSITION.contains(&top) {
                problems.push(format!("core module {from} names {path} (core never imports an app)"));
            } else if path != "apps::ALL" {
                problems.push(format!(
                    "{from} names {path}: composition reaches the apps only through apps::ALL"
                ));
            }
        }
        problems
    }

    /// A shortest cycle through the component's first module (breadth first).
    fn shortest_cycle(&self, component: &[Module]) -> Vec<Module> {
        let inside: BTreeSet<&str> = component.iter().map(String::as_str).collect();
        let start = component[0].as_str();
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(at) = queue.pop_front() {
            for next in self.edges.get(at).into_iter().flatten().map(String::as_str) {
                if !inside.contains(next) {
                    continue;
                }
                if next == start {
                    let mut path = vec![start.to_owned()];
                    let mut step = at;
                    while step != start {
                        path.push(step.to_owned());
                        step = came_from[step];
                    }
                    path.push(start.to_owned());
                    path.reverse();
                    return path;
                }
                if next != start && !came_from.contains_key(next) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        component.to_vec()
    }

    /// The strongly connected components with more than one module (Tarjan).
    pub fn cycles(&self) -> Vec<Vec<Module>> {
        struct State<'a> {
            graph: &'a BTreeMap<Module, BTreeSet<Module>>,
            index: BTreeMap<&'a str, usize>,
            low: BTreeMap<&'a str, usize>,
            stack: Vec<&'a str>,
            on_stack: BTreeSet<&'a str>,
            found: Vec<Vec<Module>>,
        }
        fn connect<'a>(s: &mut State<'a>, v: &'a str) {
            let n = s.index.len();
            s.index.insert(v, n);
            s.low.insert(v, n);
            s.stack.push(v);
            s.on_stack.insert(v);
            let graph = s.graph;
            for w in graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    connect(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
            if s.low[v] == s.index[v] {
                let mut component = Vec::new();
                while let Some(w) = s.stack.pop() {
                    s.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.reverse();
                    s.found.push(component);
                }
            }
        }
        let mut state = State {
            graph: &self.edges,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            found: Vec::new(),
        };
        for v in self.edges.keys() {
            if !state.index.contains_key(v.as_str()) {
                connect(&mut state, v);
            }
        }
        state.found
    }
}

/// Each mention of an app (its folder's name as a word) in a composition module.
fn named_apps(src: &Path) -> anyhow::Result<Vec<String>> {
    let mut apps = Vec::new();
    for entry in std::fs::read_dir(src.join("apps"))? {
        let path = entry?.path();
        if path.is_dir()
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            apps.push(name.to_owned());
        }
    }
    let pattern = regex::Regex::new(&format!(r"\b({})\b", apps.join("|")))?;
    let mut files = Vec::new();
    collect(src, src, &mut files)?;
    let mut found = Vec::new();
    for (module, file) in files {
        let top = module.split("::").next().unwrap_or_default();
        if module.is_empty() || !COMPOSITION.contains(&top) {
            continue;
        }
        let text = std::fs::read_to_string(&file)?;
        for (n, line) in text.lines().enumerate() {
            if let Some(m) = pattern.find(line) {
                found.push(format!("{}:{}: names the app {}", module, n + 1, m.as_str()));
            }
        }
    }
    Ok(found)
}

fn is_app(module: &str) -> bool {
    module.starts_with("apps::")
}

/// A module and its own submodules (a folder's `mod.rs` and its files) may
/// use each other: the folder is one module with a facade. The root is
/// nobody's folder in this sense.
fn related(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| !outer.is_empty() && inner.starts_with(&format!("{outer}::"));
    a == b || within(a, b) || within(b, a)
}

/// `todo` for `apps::todo::tasks`.
fn app_of(module: &str) -> Option<&str> {
    module.strip_prefix("apps::").map(|rest| rest.split("::").next().unwrap_or(rest))
}

/// Every `.rs` file below `dir` with its module path (`main.rs` is its own crate: left out).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(Module, std::path::PathBuf)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(root)?.with_extension("");
        let mut parts: Vec<String> =
            relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        match parts.last().map(String::as_str) {
            Some("main") if parts.len() == 1 => continue,
            Some("lib") if parts.len() == 1 => parts.clear(),
            Some("mod") => {
                parts.pop();
            }
            _ => {}
        }
        out.push((parts.join("::"), path));
    }
    Ok(())
}

/// `path` (starting at `crate`, `super` or `self`, as written in `module`) from the root.
fn absolute(module: &str, path: &[String]) -> Option<Vec<String>> {
    let mut here: Vec<String> =
        if module.is_empty() { Vec::new() } else { module.split("::").map(str::to_owned).collect() };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            here.clear();
            rest = &rest[1..];
        }
        Some("super" | "self") => {
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        here.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    here.extend(rest.iter().cloned());
    Some(here)
}

/// `path` when it starts at a child module of `module` (`use extract::Audience`
/// in `auth/mod.rs`), from the root.
fn child(modules: &BTreeSet<Module>, module: &str, path: &[String]) -> Option<Vec<String>> {
    let first = path.first()?;
    let child = if module.is_empty() { first.clone() } else { format!("{module}::{first}") };
    modules
        .contains(&child)
        .then(|| child.split("::").map(str::to_owned).chain(path[1..].iter().cloned()).collect())
}

/// The deepest module file that `path` names (the module itself or one of its items).
fn deepest(modules: &BTreeSet<Module>, path: &[String]) -> Option<Module> {
    (0..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| modules.contains(m))
}

/// Collects every `use` path and every other path, with the inline modules
/// it is written in; test modules left out.
struct Paths {
    paths: Vec<(Vec<String>, Vec<String>)>,
    prefix: Vec<String>,
    scope: Vec<String>,
}

impl Paths {
    fn use_tree(&mut self, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                self.prefix.push(p.ident.to_string());
                self.use_tree(&p.tree);
                self.prefix.pop();
            }
            syn::UseTree::Name(n) => self.push_use(Some(n.ident.to_string())),
            syn::UseTree::Rename(r) => self.push_use(Some(r.ident.to_string())),
            syn::UseTree::Glob(_) => self.push_use(None),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(t)),
        }
    }

    fn push_use(&mut self, last: Option<String>) {
        let mut path = self.prefix.clone();
        // `use crate::db::{self, Work}`: `self` names the module itself.
        if let Some(last) = last.filter(|l| l != "self") {
            path.push(last);
        }
        self.paths.push((self.scope.clone(), path));
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        let is_test = module.attrs.iter().any(|a| {
            a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string() == "test")
        });
        if !is_test {
            self.scope.push(module.ident.to_string());
            syn::visit::visit_item_mod(self, module);
            self.scope.pop();
        }
    }

    /// `pub(crate)`, `pub(super)`: a visibility, not a dependency.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.paths.push((self.scope.clone(), path.segments.iter().map(|s| s.ident.to_string()).collect()));
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> Graph {
        Graph {
            edges: edges
                .iter()
                .map(|(from, to)| (from.to_string(), to.iter().map(|t| t.to_string()).collect()))
                .collect(),
            app_paths: Vec::new(),
            via_root: BTreeSet::new(),
        }
    }

    #[test]
    fn a_cycle_through_core_is_found_and_one_inside_an_app_is_not() {
        let g = graph(&[
            ("error", &["metrics"]),
            ("metrics", &["state"]),
            ("state", &["error"]),
            ("apps::todo", &["apps::todo::tasks"]),
            ("apps::todo::tasks", &["apps::todo"]),
        ]);
        assert_eq!(g.problems(), ["cycle among 3 modules, e.g. error → metrics → state → error"]);
    }

    #[test]
    fn router_and_foreign_apps_are_refused() {
        let g = graph(&[("apps::todo::tasks", &["router", "apps::shop::money"]), ("", &["router"])]);
        assert_eq!(
            g.problems(),
            [
                "apps::todo::tasks imports router (only the crate root may)",
                "app todo imports app shop (apps::todo::tasks → apps::shop::money)"
            ]
        );
    }

    #[test]
    fn paths_resolve_to_the_deepest_module_from_where_they_are_written() {
        let modules: BTreeSet<Module> =
            ["", "db", "db::fault", "auth", "auth::token"].map(String::from).into();
        let path = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
        let abs = absolute("auth::token", &path("super::super::db::fault::classify")).unwrap();
        assert_eq!(deepest(&modules, &abs).as_deref(), Some("db::fault"));
        let abs = absolute("auth", &path("crate::db::Work")).unwrap();
        assert_eq!(deepest(&modules, &abs).as_deref(), Some("db"));
        assert_eq!(absolute("auth", &path("std::sync::Arc")), None);
    }
}
