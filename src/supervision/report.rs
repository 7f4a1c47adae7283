//! 回头看: the look-back report of one period against the previous period of the same length
//! (issue 17), per unit: the tier distribution per matter, the departures with their reasons
//! (grouped), the spot-check findings, and the change in the counts. Pure: it reads log
//! entries already fetched.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::StoredEntry;

/// A period of days, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
}

impl Period {
    /// The period of the same length ending the day before this one starts.
    pub fn previous(self) -> Period {
        let days = (self.to - self.from).num_days();
        let to = self.from.pred_opt().unwrap_or(self.from);
        Period {
            from: to
                .checked_sub_signed(chrono::Duration::days(days))
                .unwrap_or(NaiveDate::MIN),
            to,
        }
    }

    fn holds(self, day: &str) -> bool {
        day.parse::<NaiveDate>()
            .is_ok_and(|d| self.from <= d && d <= self.to)
    }
}

/// A count this period, the previous period, and the difference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Change {
    pub current: i64,
    pub previous: i64,
    pub change: i64,
}

/// How often each tier of a matter was the standard in the period's calculations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MatterTiers {
    pub matter_id: String,
    pub tiers: Vec<TierTally>,
}

/// Calculations that gave one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct TierTally {
    /// The tier's level; 0 for no penalty or time-barred.
    pub tier: usize,
    pub count: i64,
}

/// Departures (reviews that deviate or are unlawful) that gave the same reason.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReasonGroup {
    /// The reason written in the case, or 未说明理由.
    pub reason: String,
    pub deviates: i64,
    pub unlawful: i64,
    /// The first few receipts, to open the entries.
    pub receipts: Vec<String>,
}

/// Alerts of one kind that stand at one disposition (未处理 when none yet).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AlertTally {
    /// The alert's kind (`repeated_case`, …).
    pub kind: String,
    /// Its Chinese title.
    pub title: String,
    /// `open`, `explained`, `referred` or `dismissed`.
    pub status: String,
    pub count: i64,
}

/// One unit's look back.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitReport {
    pub unit: String,
    pub calculations: Change,
    pub no_penalty: Change,
    pub reviews: Change,
    pub departures: Change,
    /// Supervision alerts raised in the period.
    pub alerts: Change,
    /// This period's alerts by kind and disposition.
    pub alerts_by_kind: Vec<AlertTally>,
    pub tiers: Vec<MatterTiers>,
    pub reasons: Vec<ReasonGroup>,
    /// Spot-check findings recorded this period (the latest per case file of a sample):
    /// conclusion → count.
    pub findings: BTreeMap<String, i64>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LookBack {
    pub period: Period,
    pub previous: Period,
    pub units: Vec<UnitReport>,
}

/// Reasons kept per group.
const RECEIPTS_PER_REASON: usize = 5;

/// The unit an entry counts for: a review's first act's unit (the matter's), a finding's
/// case file's unit, else the caller's.
pub fn unit_of(e: &StoredEntry) -> String {
    e.result["acts"][0]["unit"]
        .as_str()
        .or_else(|| {
            e.request["unit"]
                .as_str()
                .filter(|_| e.kind == "sample_finding")
        })
        .unwrap_or(&e.caller.unit)
        .to_string()
}

/// Reason groups kept per unit; the rest are counted under 其他理由.
const MAX_REASONS: usize = 50;

#[derive(Default)]
struct Tally {
    calculations: [i64; 2],
    no_penalty: [i64; 2],
    reviews: [i64; 2],
    departures: [i64; 2],
    alerts: [i64; 2],
    alerts_by_kind: BTreeMap<(String, String), (String, i64)>,
    tiers: BTreeMap<String, BTreeMap<usize, i64>>,
    reasons: BTreeMap<String, ReasonGroup>,
    /// The latest conclusion per (sample, receipt): a finding replaced does not count.
    findings: BTreeMap<(String, String), String>,
}

impl Tally {
    fn add(&mut self, e: &StoredEntry, now: bool) {
        let at = usize::from(!now);
        match e.kind.as_str() {
            "calculation" => {
                self.calculations[at] += 1;
                if e.outcome != "penalty" {
                    self.no_penalty[at] += 1;
                }
                if now {
                    let level = if e.outcome == "penalty" {
                        e.tier.unwrap_or(0)
                    } else {
                        0
                    };
                    *self
                        .tiers
                        .entry(e.matter_id.clone())
                        .or_default()
                        .entry(level)
                        .or_default() += 1;
                }
            }
            "review" => {
                self.reviews[at] += 1;
                if matches!(e.outcome.as_str(), "deviates" | "unlawful") {
                    self.departures[at] += 1;
                    if now {
                        self.reason(e);
                    }
                }
            }
            "sample_finding" if now => {
                let key = (
                    e.request["sample"].as_str().unwrap_or("").to_string(),
                    e.request["receipt"].as_str().unwrap_or("").to_string(),
                );
                self.findings.insert(key, e.outcome.clone());
            }
            _ => {}
        }
    }

    fn reason(&mut self, e: &StoredEntry) {
        // The case's reason, else the first act's own.
        let written = [&e.request["reason"], &e.request["acts"][0]["reason"]]
            .into_iter()
            .filter_map(|r| r.as_str().map(str::trim))
            .find(|r| !r.is_empty())
            .unwrap_or("");
        let reason = match written {
            "" => "未说明理由",
            r if self.reasons.len() >= MAX_REASONS && !self.reasons.contains_key(r) => "其他理由",
            r => r,
        };
        let g = self
            .reasons
            .entry(reason.to_string())
            .or_insert_with(|| ReasonGroup {
                reason: reason.to_string(),
                deviates: 0,
                unlawful: 0,
                receipts: Vec::new(),
            });
        if e.outcome == "unlawful" {
            g.unlawful += 1;
        } else {
            g.deviates += 1;
        }
        if g.receipts.len() < RECEIPTS_PER_REASON {
            g.receipts.push(e.receipt.clone());
        }
    }

    fn report(self, unit: String) -> UnitReport {
        let change = |c: [i64; 2]| Change {
            current: c[0],
            previous: c[1],
            change: c[0] - c[1],
        };
        let mut reasons: Vec<ReasonGroup> = self.reasons.into_values().collect();
        reasons.sort_by_key(|g| std::cmp::Reverse(g.deviates + g.unlawful));
        UnitReport {
            unit,
            calculations: change(self.calculations),
            no_penalty: change(self.no_penalty),
            reviews: change(self.reviews),
            departures: change(self.departures),
            alerts: change(self.alerts),
            alerts_by_kind: self
                .alerts_by_kind
                .into_iter()
                .map(|((kind, status), (title, count))| AlertTally {
                    kind,
                    title,
                    status,
                    count,
                })
                .collect(),
            tiers: self
                .tiers
                .into_iter()
                .map(|(matter_id, t)| MatterTiers {
                    matter_id,
                    tiers: t
                        .into_iter()
                        .map(|(tier, count)| TierTally { tier, count })
                        .collect(),
                })
                .collect(),
            reasons,
            findings: self
                .findings
                .into_values()
                .fold(BTreeMap::new(), |mut m, c| {
                    *m.entry(c).or_default() += 1;
                    m
                }),
        }
    }
}

/// The report, built entry by entry (a year of the log need not be held at once).
pub struct LookBackBuilder {
    period: Period,
    previous: Period,
    unit: Option<String>,
    units: BTreeMap<String, Tally>,
}

impl LookBackBuilder {
    /// For `period`, of one unit or (without) of every unit.
    pub fn new(period: Period, unit: Option<String>) -> Self {
        LookBackBuilder {
            period,
            previous: period.previous(),
            unit,
            units: BTreeMap::new(),
        }
    }

    /// Counts an entry of either period (others are ignored).
    pub fn add(&mut self, e: &StoredEntry) {
        let now = self.period.holds(&e.day);
        if !now && !self.previous.holds(&e.day) {
            return;
        }
        let unit = unit_of(e);
        if self.unit.as_ref().is_none_or(|u| *u == unit) {
            self.units.entry(unit).or_default().add(e, now);
        }
    }

    /// Counts an alert raised in either period.
    pub fn add_alert(&mut self, a: &crate::alerts::Alert) {
        let now = self.period.holds(&a.day);
        if !now && !self.previous.holds(&a.day) {
            return;
        }
        if self.unit.as_ref().is_some_and(|u| *u != a.unit) {
            return;
        }
        let t = self.units.entry(a.unit.clone()).or_default();
        t.alerts[usize::from(!now)] += 1;
        if now {
            let status = a.disposition.as_ref().map_or("open", |d| d.status.as_str());
            let key = (a.kind.as_str().to_string(), status.to_string());
            t.alerts_by_kind
                .entry(key)
                .or_insert_with(|| (a.kind.title().to_string(), 0))
                .1 += 1;
        }
    }

    pub fn finish(self) -> LookBack {
        LookBack {
            period: self.period,
            previous: self.previous,
            units: self.units.into_iter().map(|(u, t)| t.report(u)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::supervision::Caller;
    use serde_json::json;

    fn entry(
        seq: i64,
        day: &str,
        kind: &str,
        outcome: &str,
        tier: usize,
        reason: &str,
    ) -> StoredEntry {
        StoredEntry {
            seq,
            receipt: format!("{seq}-0000"),
            recorded_at: format!("{day}T01:00:00Z"),
            day: day.into(),
            kind: kind.into(),
            caller: Caller {
                token_id: "t".into(),
                name: "张三".into(),
                unit: "ZHZF".into(),
                role: Role::Inspector,
            },
            client: "rest".into(),
            matter_id: "ZHZF-019".into(),
            standards_version: "2026.1".into(),
            outcome: outcome.into(),
            tier: Some(tier),
            case_ref: Some(format!("案{seq}")),
            request: json!({"reason": reason}),
            result: json!({}),
            offline: false,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn november() -> Period {
        Period {
            from: "2026-11-01".parse().unwrap(),
            to: "2026-11-30".parse().unwrap(),
        }
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let p = november().previous();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2026-10-02".into(), "2026-10-31".into())
        );
    }

    #[test]
    fn counts_against_the_previous_period_and_reasons_grouped() {
        let entries = vec![
            entry(1, "2026-10-15", "calculation", "penalty", 2, ""),
            entry(2, "2026-11-02", "calculation", "penalty", 2, ""),
            entry(3, "2026-11-03", "calculation", "penalty", 3, ""),
            entry(4, "2026-11-04", "calculation", "no_penalty", 1, ""),
            entry(5, "2026-11-05", "review", "deviates", 2, "当事人系残疾人"),
            entry(6, "2026-11-06", "review", "deviates", 2, " 当事人系残疾人 "),
            entry(7, "2026-11-07", "review", "unlawful", 2, ""),
            entry(8, "2026-11-08", "review", "conforms", 2, ""),
            entry(9, "2026-11-09", "sample_finding", "deviates", 2, ""),
            entry(10, "2026-12-01", "calculation", "penalty", 2, ""),
        ];
        let mut b = LookBackBuilder::new(november(), None);
        entries.iter().for_each(|e| b.add(e));
        let r = b.finish();
        let u = &r.units[0];
        assert_eq!(
            u.calculations,
            Change {
                current: 3,
                previous: 1,
                change: 2
            }
        );
        assert_eq!(u.no_penalty.current, 1);
        assert_eq!(
            u.departures,
            Change {
                current: 3,
                previous: 0,
                change: 3
            }
        );
        let tiers: Vec<(usize, i64)> = u.tiers[0].tiers.iter().map(|t| (t.tier, t.count)).collect();
        assert_eq!(tiers, [(0, 1), (2, 1), (3, 1)]);
        assert_eq!(u.reasons[0].reason, "当事人系残疾人");
        assert_eq!((u.reasons[0].deviates, u.reasons[1].unlawful), (2, 1));
        assert_eq!(u.reasons[1].reason, "未说明理由");
        assert_eq!(u.findings["deviates"], 1);
    }
}
