//! Finding matters from what people type: words of the name, an id, a law and article
//! (`大气污染防治法 99条`, `第九十九条`). Every whitespace-separated term must match.

use crate::standards::{Citation, StandardsSet};

/// One lower-cased haystack per matter, built once when the set loads.
pub struct SearchIndex {
    haystacks: Vec<String>,
}

fn citation_forms(c: &Citation, out: &mut String) {
    let short = c.law.trim_start_matches("中华人民共和国");
    out.push_str(&format!(
        " {} {} {}第{}条 {}{}条 第{}条",
        c.render(),
        short,
        short,
        c.article,
        short,
        c.article,
        c.article
    ));
}

impl SearchIndex {
    pub fn new(set: &StandardsSet) -> Self {
        let haystacks = set
            .matters
            .iter()
            .map(|m| {
                let unit = set.unit(&m.unit).map(|u| u.name.as_str()).unwrap_or("");
                let mut s = format!("{} {} {} {} {}", m.id, m.name, m.category, m.unit, unit);
                citation_forms(&m.violated, &mut s);
                citation_forms(&m.penalty, &mut s);
                s.to_lowercase()
            })
            .collect();
        SearchIndex { haystacks }
    }

    /// Indices of the matters that match every term of `q`, in set order.
    pub fn find(&self, q: &str) -> Vec<usize> {
        let q = q.to_lowercase();
        let terms: Vec<&str> = q.split_whitespace().collect();
        self.haystacks
            .iter()
            .enumerate()
            .filter(|(_, h)| terms.iter().all(|t| h.contains(t)))
            .map(|(i, _)| i)
            .collect()
    }
}
