//! 案卷评查: a reproducible random sample of logged decisions for file review (issue 17).
//!
//! The draw is a pure function of the population and the parameters, seed included: the same
//! log, parameters and seed give the same sample, and the draw is itself logged (seed,
//! parameters, chosen receipts) so that a sample cannot be redrawn quietly until it suits.
//! The population is one decision per case file (案件编号): the case's latest review if it
//! was reviewed, else its latest calculation; queries without a case number have no file to
//! check and are not drawn. Strata (by default the unit) get shares of the sample in
//! proportion to their size (largest remainder); within a stratum, cases are drawn without
//! replacement with probability proportional to their weight ([`WEIGHT_RULE`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The stated rule by which some cases are more likely to be drawn.
pub const WEIGHT_RULE: &str = "每个案件基础权重为1；法制审核结论为偏离裁量基准或违法的，权重加2；\
     同一案件有监察预警的，权重加2。同一层内按权重不放回抽取，权重越高被抽中的机会越大。";

/// The most cases one draw may take.
pub const MAX_SAMPLE: usize = 500;

/// How the population is divided before drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strata {
    /// One stratum per unit (执法单位).
    #[default]
    Unit,
    /// Calculations and reviews apart.
    Kind,
    /// One stratum.
    None,
}

/// What a supervisor asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit": "ZHZF", "from": "2026-10-01", "to": "2026-12-31", "size": 20, "strata": "unit", "seed": 20261205}))]
pub struct SampleRequest {
    /// One unit's decisions only; all units when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// First day (China time), inclusive.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day, inclusive; not before `from`.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Cases to draw, 1 to 500 (all when the population is smaller).
    #[schema(minimum = 1, maximum = 500)]
    pub size: usize,
    #[serde(default)]
    pub strata: Strata,
    /// The seed; a random one is chosen (and recorded) when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 9007199254740991_u64)]
    pub seed: Option<u64>,
}

/// One decision that may be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub seq: i64,
    pub receipt: String,
    pub unit: String,
    /// `calculation` or `review`.
    pub kind: String,
    pub case_ref: String,
    /// A review that found a deviation or an unlawful decision.
    pub departed: bool,
    /// Supervision alerts resting on the case.
    pub alerts: u32,
}

impl Candidate {
    /// [`WEIGHT_RULE`].
    pub fn weight(&self) -> u64 {
        1 + if self.departed { 2 } else { 0 } + if self.alerts > 0 { 2 } else { 0 }
    }

    fn stratum(&self, strata: Strata) -> String {
        match strata {
            Strata::Unit => self.unit.clone(),
            Strata::Kind => self.kind.clone(),
            Strata::None => "全部".to_string(),
        }
    }
}

/// One stratum of a draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StratumDraw {
    /// The unit code, the kind, or 全部.
    pub stratum: String,
    /// Case files in the stratum.
    pub population: usize,
    /// Receipts of the decisions drawn, in the order drawn.
    pub receipts: Vec<String>,
}

/// A spot-check conclusion on one case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// 符合裁量基准.
    Conforms,
    /// 偏离裁量基准 (with or without a sufficient reason in the file).
    Deviates,
    /// 违法.
    Unlawful,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Conforms => "conforms",
            Conclusion::Deviates => "deviates",
            Conclusion::Unlawful => "unlawful",
        }
    }

    pub fn label(code: &str) -> &'static str {
        match code {
            "conforms" => "符合",
            "deviates" => "偏离",
            "unlawful" => "违法",
            _ => "其他",
        }
    }
}

/// A finding as a reviewer records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"receipt": "12-3F0A", "conclusion": "deviates", "note": "案卷未写明从轻理由"}))]
pub struct FindingRequest {
    /// The drawn decision's receipt (one of the sample's).
    pub receipt: String,
    pub conclusion: Conclusion,
    /// 评查意见 (at most 2,000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// A finding as logged: with the sample and what identifies the case file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordedFinding {
    /// The draw's receipt.
    pub sample: String,
    pub receipt: String,
    pub matter_id: String,
    pub case_ref: String,
    pub conclusion: Conclusion,
    pub note: String,
}

/// One case file per case number: its latest review, else its latest calculation.
pub fn one_per_case(mut entries: Vec<Candidate>) -> Vec<Candidate> {
    let mut by_case: BTreeMap<String, Candidate> = BTreeMap::new();
    entries.sort_by_key(|c| c.seq);
    for c in entries {
        let keep_old = by_case
            .get(&c.case_ref)
            .is_some_and(|old| old.kind == "review" && c.kind != "review");
        if !keep_old {
            by_case.insert(c.case_ref.clone(), c);
        }
    }
    let mut cases: Vec<Candidate> = by_case.into_values().collect();
    cases.sort_by_key(|c| c.seq);
    cases
}

/// The draw: strata by name, each with its share of `size` drawn by weight.
pub fn draw(cases: &[Candidate], size: usize, strata: Strata, seed: u64) -> Vec<StratumDraw> {
    let mut groups: BTreeMap<String, Vec<&Candidate>> = BTreeMap::new();
    for c in cases {
        groups.entry(c.stratum(strata)).or_default().push(c);
    }
    let populations: Vec<usize> = groups.values().map(Vec::len).collect();
    let shares = allocate(&populations, size);
    let mut rng = SplitMix64(seed);
    groups
        .into_iter()
        .zip(shares)
        .map(|((stratum, members), share)| StratumDraw {
            stratum,
            population: members.len(),
            receipts: weighted_without_replacement(&members, share, &mut rng)
                .into_iter()
                .map(|i| members[i].receipt.clone())
                .collect(),
        })
        .collect()
}

/// Shares of `total` in proportion to the populations (largest remainder, ties to the earlier
/// stratum), none above its population.
fn allocate(populations: &[usize], total: usize) -> Vec<usize> {
    let n: usize = populations.iter().sum();
    if total >= n {
        return populations.to_vec();
    }
    let mut shares: Vec<usize> = populations.iter().map(|p| p * total / n).collect();
    let mut order: Vec<usize> = (0..populations.len()).collect();
    // The remainder of p·total/n, compared as p·total mod n.
    order.sort_by_key(|&i| std::cmp::Reverse(populations[i] * total % n));
    let mut left = total - shares.iter().sum::<usize>();
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        if shares[i] < populations[i] {
            shares[i] += 1;
            left -= 1;
        }
    }
    shares
}

/// `k` indexes drawn without replacement, each with probability proportional to its weight
/// among those left (integer arithmetic only, so every machine draws the same).
fn weighted_without_replacement(
    members: &[&Candidate],
    k: usize,
    rng: &mut SplitMix64,
) -> Vec<usize> {
    let mut left: Vec<(usize, u64)> = members
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.weight()))
        .collect();
    let mut chosen = Vec::with_capacity(k);
    for _ in 0..k.min(left.len()) {
        let total: u64 = left.iter().map(|(_, w)| w).sum();
        let mut r = rng.below(total);
        let at = left
            .iter()
            .position(|(_, w)| {
                let hit = r < *w;
                r = r.saturating_sub(*w);
                hit
            })
            .expect("r < total");
        chosen.push(left.remove(at).0);
    }
    chosen
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same on every machine — the
/// seed recorded with a draw must reproduce it years later, whatever library version.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform below `n` (> 0), without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next();
            if x < zone {
                return x % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(seq: i64, unit: &str, kind: &str, case_ref: &str, departed: bool) -> Candidate {
        Candidate {
            seq,
            receipt: format!("{seq}-0000"),
            unit: unit.into(),
            kind: kind.into(),
            case_ref: case_ref.into(),
            departed,
            alerts: 0,
        }
    }

    fn population() -> Vec<Candidate> {
        (0..300)
            .map(|i| {
                let unit = ["ZHZF", "SCJG", "STHJ"][(i % 10).min(2) as usize];
                case(i, unit, "calculation", &format!("案{i}"), false)
            })
            .collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
        let p = population();
        let a = draw(&p, 30, Strata::Unit, 7);
        assert_eq!(a, draw(&p, 30, Strata::Unit, 7));
        assert_ne!(a, draw(&p, 30, Strata::Unit, 8));
        let drawn: usize = a.iter().map(|s| s.receipts.len()).sum();
        assert_eq!(drawn, 30);
        let mut all: Vec<&String> = a.iter().flat_map(|s| &s.receipts).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 30, "without replacement");
    }

    #[test]
    fn strata_get_shares_in_proportion_to_their_size() {
        // 30 ZHZF, 30 SCJG, 240 STHJ of 300: 10 % each way.
        let a = draw(&population(), 30, Strata::Unit, 1);
        let sizes: Vec<(&str, usize, usize)> = a
            .iter()
            .map(|s| (s.stratum.as_str(), s.population, s.receipts.len()))
            .collect();
        assert_eq!(sizes, [("SCJG", 30, 3), ("STHJ", 240, 24), ("ZHZF", 30, 3)]);
        assert_eq!(allocate(&[1, 1, 1], 2), [1, 1, 0]);
        assert_eq!(allocate(&[5, 2], 10), [5, 2]);
        assert_eq!(allocate(&[7, 3, 0], 5), [4, 1, 0]);
    }

    #[test]
    fn departures_are_drawn_about_three_times_as_often() {
        // 100 departed, 100 not; draw 10 under 200 seeds: departed ≈ 3/4 of the draws.
        let p: Vec<Candidate> = (0..200)
            .map(|i| case(i, "ZHZF", "review", &format!("案{i}"), i % 2 == 0))
            .collect();
        let (mut departed, mut all) = (0, 0);
        for seed in 0..200 {
            for r in &draw(&p, 10, Strata::None, seed)[0].receipts {
                let seq: i64 = r.split('-').next().unwrap().parse().unwrap();
                departed += usize::from(seq % 2 == 0);
                all += 1;
            }
        }
        let share = departed as f64 / all as f64;
        assert!((0.70..0.80).contains(&share), "{share}");
    }

    #[test]
    fn one_file_per_case_its_review_before_its_calculations() {
        let p = vec![
            case(1, "ZHZF", "calculation", "案1", false),
            case(2, "ZHZF", "review", "案1", true),
            case(3, "ZHZF", "calculation", "案1", false),
            case(4, "ZHZF", "calculation", "案2", false),
            case(5, "ZHZF", "calculation", "案2", false),
        ];
        let cases = one_per_case(p);
        assert_eq!(
            cases.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [2, 5],
            "the review of 案1, the latest query of 案2"
        );
    }

    #[test]
    fn a_population_smaller_than_the_size_is_taken_whole() {
        let p: Vec<Candidate> = population().into_iter().take(4).collect();
        let a = draw(&p, 50, Strata::None, 3);
        assert_eq!(a[0].receipts.len(), 4);
    }
}
