//! The query of every table page: `q` (search) and `page` (1-based, 50 rows).
//! Lenient on purpose: a garbled `page` shows the first page, not an error.

use serde::Deserialize;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

impl ListQuery {
    /// The search text, trimmed, without NUL (PostgreSQL refuses it).
    pub fn q(&self) -> String {
        self.q.as_deref().unwrap_or("").trim().replace('\0', "")
    }

    pub fn page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .filter(|p| (1..=1_000_000).contains(p))
            .unwrap_or(1)
    }

    pub fn offset(&self) -> i64 {
        (self.page() - 1) * PAGE_SIZE
    }

    /// One row more than a page, to know whether a next page exists.
    pub fn fetch(&self) -> i64 {
        PAGE_SIZE + 1
    }

    /// An `ILIKE` pattern matching the search text anywhere, wildcards escaped.
    pub fn pattern(&self) -> String {
        let escaped = self.q().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    }

    /// The search as an id, when it is one (search by id or by text).
    pub fn id(&self) -> Option<i64> {
        self.q().parse().ok()
    }

    /// The id of a `key:ID` search (`user:12`, `project:3`): rows of one parent.
    pub fn scoped(&self, key: &str) -> Option<i64> {
        self.q().strip_prefix(key)?.strip_prefix(':')?.trim().parse().ok()
    }
}

/// Cuts the extra row off; true when there was one (a next page exists).
pub fn split_page<T>(rows: &mut Vec<T>) -> bool {
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    more
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_escapes_like_wildcards_and_page_is_lenient() {
        let q = ListQuery { q: Some(" 50%_off\\ ".into()), page: Some("x".into()) };
        assert_eq!(q.pattern(), "%50\\%\\_off\\\\%");
        assert_eq!(q.page(), 1);
        let q = ListQuery { q: None, page: Some("3".into()) };
        assert_eq!(q.offset(), 100);
        let q = ListQuery { q: Some(" project: 7 ".into()), page: None };
        assert_eq!((q.scoped("project"), q.scoped("user"), q.id()), (Some(7), None, None));
    }
}
