//! The matter search against what inspectors type: `tests/fixtures/search_queries.tsv` (query,
//! expected ids separated by `|`, kind). A query hits when any expected id is in the top 1 / 5.

use std::collections::BTreeMap;

use penalty_standards::search::{CLEAR_MATCH, SearchIndex};
use penalty_standards::sources::{load_search_terms, load_standards};

/// What the search reaches (rounded down): it may only improve. The held-out set measured
/// 63.7 % / 83.7 % (top-1 / top-5) on its first run, 68.6 % / 90.3 % after the n-gram ranking,
/// 81.4 % / 96.5 % after the everyday phrases and vocabulary written blind (issue 16's target:
/// top-5 ≥ 95 %).
const HELD_OUT_TOP5_FLOOR: f64 = 96.0;
const HELD_OUT_TOP1_FLOOR: f64 = 81.0;
const OWN_TOP5_FLOOR: f64 = 99.0;
const OWN_TOP1_FLOOR: f64 = 97.0;

#[derive(Default)]
struct Rate {
    queries: usize,
    top1: usize,
    top5: usize,
}

impl Rate {
    fn pct(n: usize, of: usize) -> f64 {
        100.0 * n as f64 / of.max(1) as f64
    }
}

/// Measures one query file: prints the table per kind and the misses; returns the overall
/// (queries, top-1 hits, top-5 hits).
fn measure(file: &str) -> (usize, usize, usize) {
    let set = load_standards(None).expect("the bundled standards validate");
    let terms = load_search_terms(None, &set).expect("the bundled search vocabulary validates");
    let index = SearchIndex::new(&set, &terms);
    let path = crate::support::fixture(file);
    println!("== {file}");
    let text = std::fs::read_to_string(&path).expect("the query file");
    let mut rates: BTreeMap<String, Rate> = BTreeMap::new();
    let mut all = Rate::default();
    let mut misses = Vec::new();
    let mut returned = 0;
    // How often the first hit is presented as a clear match, when it is right and when not.
    let (mut clear_right, mut clear_wrong, mut wrong) = (0, 0, 0);
    for (n, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "line {}: query, expected, kind", n + 1);
        let (query, kind) = (cols[0], cols[2]);
        let expected: Vec<&str> = cols[1].split('|').collect();
        for id in &expected {
            assert!(set.matter(id).is_some(), "line {}: unknown id {id}", n + 1);
        }
        let found: Vec<&str> = index
            .find(query)
            .into_iter()
            .map(|i| set.matters[i].id.as_str())
            .collect();
        returned += found.len();
        let rank = found.iter().position(|id| expected.contains(id));
        let clear = index
            .ranked_with_confidence(query)
            .first()
            .is_some_and(|h| h.2 >= CLEAR_MATCH);
        if rank == Some(0) {
            clear_right += usize::from(clear);
        } else {
            wrong += 1;
            clear_wrong += usize::from(clear);
        }
        let rate = rates.entry(kind.to_string()).or_default();
        for r in [&mut *rate, &mut all] {
            r.queries += 1;
            r.top1 += usize::from(rank == Some(0));
            r.top5 += usize::from(rank.is_some_and(|r| r < 5));
        }
        if rank != Some(0) {
            let top: Vec<String> = found
                .iter()
                .take(5)
                .map(|id| {
                    let name = &set.matter(id).unwrap().name;
                    format!("{id} {}", name.chars().take(18).collect::<String>())
                })
                .collect();
            misses.push(format!(
                "{kind:<10} {query} → expected {}, rank {}; got: {}",
                cols[1],
                rank.map_or("none".to_string(), |r| (r + 1).to_string()),
                top.join(" | ")
            ));
        }
    }
    println!(
        "{:<12} {:>7} {:>7} {:>7}",
        "kind", "queries", "top-1", "top-5"
    );
    for (kind, r) in rates.iter().chain([(&"overall".to_string(), &all)]) {
        println!(
            "{kind:<12} {:>7} {:>6.1}% {:>6.1}%",
            r.queries,
            Rate::pct(r.top1, r.queries),
            Rate::pct(r.top5, r.queries)
        );
    }
    println!(
        "on average {:.1} matters returned per query",
        returned as f64 / all.queries.max(1) as f64
    );
    println!(
        "first hit shown as a clear match: {:.1}% when right, {:.1}% when wrong",
        Rate::pct(clear_right, all.top1),
        Rate::pct(clear_wrong, wrong)
    );
    println!("not first ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    (all.queries, all.top1, all.top5)
}

/// The first set (242 queries, written with the search and tuned on): the bar it has held.
#[test]
fn search_quality_on_the_inspectors_queries() {
    let (n, top1, top5) = measure("search_queries.tsv");
    let (top1, top5) = (Rate::pct(top1, n), Rate::pct(top5, n));
    assert!(
        top5 >= OWN_TOP5_FLOOR,
        "top-5 hit rate {top5:.1}% < {OWN_TOP5_FLOOR}%"
    );
    assert!(
        top1 >= OWN_TOP1_FLOOR,
        "top-1 hit rate {top1:.1}% < {OWN_TOP1_FLOOR}%"
    );
}

/// The held-out set (issue 16: 424 queries written before any result was seen, from complaints,
/// inspectors' words, typos and word order, across all units). No word was ever chosen from it;
/// the n-gram ranking's few weights (BM25's, the term kinds', the share in the combined ranking)
/// were compared on both sets' overall figures, and standard values kept. The everyday
/// phrases and the per-unit vocabulary (`standards/search_terms.toml`) were written by readers
/// who never saw either set or a result, and measured once. The floor is what the search
/// reaches now, so that it does not get worse on it — see docs/PERFORMANCE.md.
#[test]
fn search_quality_on_the_held_out_queries() {
    let (n, top1, top5) = measure("search_queries_2.tsv");
    let (n1, a1, b1) = measure("search_queries.tsv");
    println!(
        "union: {} queries, top-1 {:.1}%, top-5 {:.1}%",
        n + n1,
        Rate::pct(top1 + a1, n + n1),
        Rate::pct(top5 + b1, n + n1)
    );
    let (top1, top5) = (Rate::pct(top1, n), Rate::pct(top5, n));
    assert!(
        top5 >= HELD_OUT_TOP5_FLOOR,
        "held-out top-5 {top5:.1}% fell below {HELD_OUT_TOP5_FLOOR}%"
    );
    assert!(
        top1 >= HELD_OUT_TOP1_FLOOR,
        "held-out top-1 {top1:.1}% fell below {HELD_OUT_TOP1_FLOOR}%"
    );
}
