//! 案卷评查: a reproducible random sample of logged decisions for file review (issue 17).
//!
//! The draw is a pure function of the population and the parameters, seed included, and is
//! itself logged (parameters, seed, the last entry read, the weight rule's version, the chosen
//! receipts) so that a sample cannot be redrawn quietly until it suits. A new draw's seed is
//! the server's (random): a seed chosen by the drawer could be tried offline against an
//! exported log until the sample suits. The same parameters with a recorded seed redraw that
//! sample exactly — over the log as it stood then (`through_seq`) — and that replay is logged
//! too. The population is one decision per case file (unit and 案件编号): the case's latest
//! review if it was reviewed, else its latest calculation; queries without a case number have
//! no file to check and are not drawn. Strata (by default the unit) get shares of the sample
//! in proportion to their size (largest remainder); within a stratum, cases are drawn without
//! replacement with probability proportional to their weight ([`WEIGHT_RULE`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::request::{CalcError, Fields};

/// The weight rule's version: a draw records it, and only a draw of the current version can
/// be replayed (an older one would be drawn by other weights).
pub const RULE_VERSION: u32 = 2;

/// The stated rule by which some cases are more likely to be drawn ([`Candidate::weight`]).
pub const WEIGHT_RULE: &str = "每个案件基础权重为1；法制审核结论为偏离裁量基准或违法的，权重加2；\
     本案件有监察预警的（抽取时已读至的记录所引发），权重加2。\
     同一层内按权重不放回抽取，权重越高被抽中的机会越大。";

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"unit": "ZHZF", "from": "2026-10-01", "to": "2026-12-31", "size": 20, "strata": "unit"}))]
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
    /// Left out for a new draw (the server chooses the seed and records it). Given, it must be
    /// the recorded seed of an earlier draw with the same parameters, which is then redrawn
    /// over the log as it stood then (a replay, logged as such); another seed is a 422.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 9007199254740991_u64)]
    pub seed: Option<u64>,
}

/// Seeds stay below 2^53, so that every JSON reader gets a seed back exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The days a draw or a report may cover: the service's dates (from 1990) to 2100, at most
/// ten years at once.
pub fn period_error(from: NaiveDate, to: NaiveDate) -> Option<(&'static str, &'static str)> {
    let first = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date");
    let last = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date");
    if from < first || to > last {
        Some(("日期应在1990年至2100年之间", "dates are 1990 to 2100"))
    } else if from > to {
        Some(("起始日期不能晚于截止日期", "`from` is after `to`"))
    } else if (to - from).num_days() > 3660 {
        Some(("期间不能超过十年", "the period is at most ten years"))
    } else {
        None
    }
}

impl SampleRequest {
    /// Reads a request field by field, each refusal naming its field.
    pub fn from_json(v: &Value) -> Result<SampleRequest, CalcError> {
        let f = Fields::new(v, "", &["unit", "from", "to", "size", "strata", "seed"])?;
        let from = f.required("from", f.date("from")?)?;
        let to = f.required("to", f.date("to")?)?;
        if let Some((zh, en)) = period_error(from, to) {
            return Err(CalcError::invalid(
                "invalid_period",
                "to",
                zh.into(),
                en.into(),
            ));
        }
        let size = f.required("size", integer(&f, "size", 1, MAX_SAMPLE as u64)?)? as usize;
        let strata = match f.text("strata", 10)?.as_deref() {
            None | Some("unit") => Strata::Unit,
            Some("kind") => Strata::Kind,
            Some("none") => Strata::None,
            Some(_) => {
                return Err(f.wrong(
                    "strata",
                    "unit（按单位）、kind（按类型）或 none（不分层）",
                    "unit, kind or none",
                ));
            }
        };
        Ok(SampleRequest {
            unit: f.text("unit", 20)?.map(|u| u.trim().to_uppercase()),
            from,
            to,
            size,
            strata,
            seed: integer(&f, "seed", 0, MAX_SEED)?,
        })
    }
}

/// A whole number within bounds, or the field's refusal.
fn integer(f: &Fields, key: &str, min: u64, max: u64) -> Result<Option<u64>, CalcError> {
    match f.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| (min..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                f.wrong(
                    key,
                    &format!("{min}至{max}的整数"),
                    &format!("a whole number {min} to {max}"),
                )
            }),
    }
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
    /// Alerts raised on the case (by the entries read).
    pub alerted: bool,
}

impl Candidate {
    /// [`WEIGHT_RULE`].
    pub fn weight(&self) -> u64 {
        1 + if self.departed { 2 } else { 0 } + if self.alerted { 2 } else { 0 }
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

    /// 符合, 偏离, 违法.
    pub fn label(self) -> &'static str {
        Conclusion::label_of(self.as_str())
    }

    /// The label of a conclusion's code (其他 for none).
    pub fn label_of(code: &str) -> &'static str {
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

impl FindingRequest {
    /// Reads a finding field by field, each refusal naming its field.
    pub fn from_json(v: &Value) -> Result<FindingRequest, CalcError> {
        let f = Fields::new(v, "", &["receipt", "conclusion", "note"])?;
        let receipt = f.required("receipt", f.text("receipt", 30)?)?;
        let conclusion = match f
            .required("conclusion", f.text("conclusion", 20)?)?
            .as_str()
        {
            "conforms" => Conclusion::Conforms,
            "deviates" => Conclusion::Deviates,
            "unlawful" => Conclusion::Unlawful,
            _ => {
                return Err(f.wrong(
                    "conclusion",
                    "conforms（符合）、deviates（偏离）或 unlawful（违法）",
                    "conforms, deviates or unlawful",
                ));
            }
        };
        Ok(FindingRequest {
            receipt,
            conclusion,
            note: f.text("note", 2000)?.unwrap_or_default().trim().to_string(),
        })
    }
}

/// A finding as logged: with the sample and what identifies the case file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordedFinding {
    /// The draw's receipt.
    pub sample: String,
    pub receipt: String,
    /// The unit of the case file checked (its findings count there).
    pub unit: String,
    pub matter_id: String,
    pub case_ref: String,
    pub conclusion: Conclusion,
    pub note: String,
}

/// The case files of a period, gathered entry by entry in chain order: one per unit and case
/// number, its latest review, else its latest calculation.
#[derive(Default)]
pub struct CaseFiles(BTreeMap<(String, String), Candidate>);

impl CaseFiles {
    pub fn add(&mut self, c: Candidate) {
        let key = (c.unit.clone(), c.case_ref.trim().to_string());
        let keep_old = self
            .0
            .get(&key)
            .is_some_and(|old| old.kind == "review" && c.kind != "review");
        if !keep_old {
            self.0.insert(key, c);
        }
    }

    /// Marks the case files with an alert (by unit and case number).
    pub fn mark_alerted(&mut self, unit: &str, case_ref: &str) {
        if let Some(c) = self
            .0
            .get_mut(&(unit.to_string(), case_ref.trim().to_string()))
        {
            c.alerted = true;
        }
    }

    /// The case files in the order their chosen entries were logged.
    pub fn into_cases(self) -> Vec<Candidate> {
        let mut cases: Vec<Candidate> = self.0.into_values().collect();
        cases.sort_by_key(|c| c.seq);
        cases
    }
}

/// What a draw's entry records besides its parameters: enough to redraw it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DrawRecord {
    /// The last log entry the population was read from.
    pub through_seq: i64,
    pub rule_version: u32,
    /// [`WEIGHT_RULE`] as it was.
    pub rule: String,
    /// The draw this one replays, if it is a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
    pub strata: Vec<StratumDraw>,
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
            alerted: false,
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
            // The same case number in another unit is another case file.
            case(6, "STHJ", "calculation", "案2", false),
        ];
        let mut files = CaseFiles::default();
        p.into_iter().for_each(|c| files.add(c));
        let cases = files.into_cases();
        assert_eq!(
            cases.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [2, 5, 6],
            "the review of 案1, the latest query of 案2, STHJ's 案2"
        );
    }

    #[test]
    fn requests_are_read_field_by_field() {
        let ok = SampleRequest::from_json(&serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": 5, "unit": "zhzf"})).unwrap();
        assert_eq!(
            (ok.unit.as_deref(), ok.size, ok.strata, ok.seed),
            (Some("ZHZF"), 5, Strata::Unit, None)
        );
        for (body, field) in [
            (
                serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": -1}),
                "size",
            ),
            (
                serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": 501}),
                "size",
            ),
            (
                serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": 5, "strata": "x"}),
                "strata",
            ),
            (
                serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": 5, "seed": 9007199254740992_u64}),
                "seed",
            ),
            (
                serde_json::json!({"from": "-262143-01-02", "to": "2026-03-31", "size": 5}),
                "from",
            ),
            (
                serde_json::json!({"from": "2026-01-01", "to": "2101-01-01", "size": 5}),
                "to",
            ),
            (
                serde_json::json!({"from": "2026-04-01", "to": "2026-03-31", "size": 5}),
                "to",
            ),
            (serde_json::json!({"to": "2026-03-31", "size": 5}), "from"),
            (
                serde_json::json!({"from": "2026-01-01", "to": "2026-03-31", "size": 5, "x": 1}),
                "x",
            ),
        ] {
            let e = SampleRequest::from_json(&body).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
            assert!(
                !e.message.contains("invalid") && !e.message.contains('`'),
                "{}",
                e.message
            );
        }
        let e = FindingRequest::from_json(
            &serde_json::json!({"receipt": "1-ABCD", "conclusion": "fine"}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("conclusion"));
    }

    #[test]
    fn departures_and_alerted_cases_weigh_more() {
        let plain = case(1, "ZHZF", "calculation", "案1", false);
        let departed = case(2, "ZHZF", "review", "案2", true);
        let mut files = CaseFiles::default();
        files.add(plain.clone());
        files.add(departed.clone());
        files.mark_alerted("ZHZF", " 案2 ");
        files.mark_alerted("STHJ", "案1");
        let cases = files.into_cases();
        let weights: Vec<u64> = cases.iter().map(Candidate::weight).collect();
        assert_eq!(weights, [1, 5], "another unit's 案1 is another case");
        assert!(WEIGHT_RULE.contains("预警") && WEIGHT_RULE.contains("偏离"));
    }

    #[test]
    fn a_population_smaller_than_the_size_is_taken_whole() {
        let p: Vec<Candidate> = population().into_iter().take(4).collect();
        let a = draw(&p, 50, Strata::None, 3);
        assert_eq!(a[0].receipts.len(), 4);
    }
}
