//! The rules, one small function each: given what the evaluator kept, whether an alert fires,
//! how serious it is and which entries it rests on. No state of their own, no I/O.

use std::collections::VecDeque;

use rust_decimal::Decimal;

use super::Severity;
use super::event::{Calc, Review};
use super::settings::{LateSyncSettings, LenientShareSettings, TimeLimitSettings};

/// A rule's verdict on one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Receipts, oldest first; the entry evaluated last.
    pub entries: Vec<String>,
    pub detail: String,
}

/// What the repeated-case rule keeps of an earlier calculation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub seq: i64,
    pub receipt: String,
    pub at_ms: i64,
    pub facts: u64,
    pub weight: Weight,
}

/// How heavy an answer is, compared field by field: no penalty (or time-barred) is lighter
/// than a penalty; then the tier (1 is the lightest); then 减轻 is lighter than none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Weight {
    pub penalty: bool,
    pub tier: i64,
    pub not_reduced: bool,
}

impl Weight {
    pub fn of(c: &Calc) -> Weight {
        Weight {
            penalty: c.outcome == "penalty",
            tier: c.tier.unwrap_or_default(),
            not_reduced: !c.reduced,
        }
    }
}

/// 同案反复查询: `earlier` are the case's (or, without a case number, the same inspector's
/// calculations of the same matter in the short window) earlier calculations still inside
/// their horizon. It fires when one of them was asked on other facts or circumstances — the
/// same facts asked again is no sign of anything. A later answer lighter than the heaviest of
/// those is what fact shopping looks like, so it is flagged a step higher than a heavier one;
/// without a case number the match is only a candidate (the same matter may be another case),
/// so a step lower.
pub fn repeated_case<'a>(
    earlier: impl IntoIterator<Item = &'a Snapshot>,
    now: &Snapshot,
    by_case: bool,
) -> Option<Finding> {
    let differing: Vec<&Snapshot> = earlier
        .into_iter()
        .filter(|s| s.facts != now.facts)
        .collect();
    let heaviest = differing.iter().map(|s| s.weight).max()?;
    let lighter = now.weight < heaviest;
    let severity = match (by_case, lighter) {
        (true, true) => Severity::High,
        (true, false) | (false, true) => Severity::Medium,
        (false, false) => Severity::Low,
    };
    let mut entries: Vec<String> = differing.iter().map(|s| s.receipt.clone()).collect();
    entries.push(now.receipt.clone());
    let scope = if by_case {
        "同一案件"
    } else {
        "同一执法人员在短时间内对同一事项"
    };
    let direction = if lighter {
        "，本次结果比此前更轻（疑似调整事实以求从轻）"
    } else {
        "，本次结果不轻于此前"
    };
    Some(Finding {
        severity,
        detail: format!(
            "{scope}以不同的事实或情节查询{}次{direction}",
            differing.len() + 1
        ),
        entries,
    })
}

/// An inspector's or a unit's last calculations: whether the outcome was lenient, and (for an
/// inspector, whose alert names them) the receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    items: VecDeque<(Option<String>, bool)>,
    lenient: usize,
}

impl Window {
    /// Adds the newest, dropping the oldest beyond `size`.
    pub fn push(&mut self, receipt: Option<String>, lenient: bool, size: usize) {
        self.items.push_back((receipt, lenient));
        self.lenient += usize::from(lenient);
        self.shrink(size);
    }

    pub fn shrink(&mut self, size: usize) {
        while self.items.len() > size {
            if let Some((_, l)) = self.items.pop_front() {
                self.lenient -= usize::from(l);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The lenient share, exact (a decimal, never a float: the threshold is compared exactly).
    pub fn share(&self) -> Decimal {
        if self.items.is_empty() {
            return Decimal::ZERO;
        }
        Decimal::from(self.lenient as u64) / Decimal::from(self.items.len() as u64)
    }

    fn lenient_receipts(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|(_, l)| *l)
            .filter_map(|(r, _)| r.clone())
            .collect()
    }
}

/// A lenient outcome: no penalty (不予处罚), 首违不罚 open (第三十三条第一款: the answer says the
/// act may go unpunished), or 减轻.
pub fn lenient(c: &Calc) -> bool {
    c.outcome == "no_penalty" || c.no_penalty_possible || c.reduced
}

/// 宽缓比例异常: the inspector's share of lenient outcomes over their last calculations
/// exceeds their unit's by at least the margin. Below `min_count` calculations a share says
/// little (two of three is 67 %), so nothing fires. Twice the margin is high.
pub fn lenient_share(mine: &Window, unit: &Window, s: &LenientShareSettings) -> Option<Finding> {
    if mine.len() < s.min_count as usize {
        return None;
    }
    let (share, unit_share) = (mine.share(), unit.share());
    let excess = share - unit_share;
    if excess < s.margin {
        return None;
    }
    let pct = |d: Decimal| (d * Decimal::ONE_HUNDRED).round_dp(1);
    Some(Finding {
        severity: if excess >= s.margin * Decimal::TWO {
            Severity::High
        } else {
            Severity::Medium
        },
        entries: mine.lenient_receipts(),
        detail: format!(
            "近{}次查询中不予处罚、减轻的占{}%，本单位近{}次为{}%，高出{}个百分点（设定{}）",
            mine.len(),
            pct(share),
            unit.len(),
            pct(unit_share),
            pct(excess),
            pct(s.margin)
        ),
    })
}

/// 偏离未说明: a review found an act unlawful (high), or deviating from the standard without
/// the written reason a departure needs (medium). One alert per review, naming the acts.
pub fn review_departure(r: &Review) -> Option<Finding> {
    let unlawful: Vec<i64> = r
        .acts
        .iter()
        .filter(|a| a.verdict == "unlawful")
        .map(|a| a.act)
        .collect();
    let unexplained: Vec<i64> = r
        .acts
        .iter()
        .filter(|a| a.verdict == "deviates" && a.reason_missing)
        .map(|a| a.act)
        .collect();
    let list = |v: &[i64]| {
        v.iter()
            .map(|a| format!("行为{a}"))
            .collect::<Vec<_>>()
            .join("、")
    };
    let (severity, detail) = match (unlawful.is_empty(), unexplained.is_empty()) {
        (true, true) => return None,
        (false, _) => (
            Severity::High,
            format!("法制审核认定{}违法", list(&unlawful)),
        ),
        (true, false) => (
            Severity::Medium,
            format!("法制审核认定{}偏离裁量基准且未说明理由", list(&unexplained)),
        ),
    };
    Some(Finding {
        severity,
        entries: vec![r.receipt.clone()],
        detail,
    })
}

/// 时效将届满: the 第三十六条 period of the act ends within `days` of the day the query was
/// answered and no discovery date is recorded: the article bars a penalty only for an act not
/// discovered within the period, so a case whose discovery is not yet on file can be lost by
/// waiting. A discovery date on file (within the period, or the engine would have answered
/// time-barred) settles it: no alert. An answer already time-barred is not an alert either
/// (the engine said so).
pub fn time_limit(c: &Calc, s: &TimeLimitSettings) -> Option<Finding> {
    let (ends, today) = (c.limit_ends?, c.today?);
    if c.outcome == "time_barred" || c.discovered {
        return None;
    }
    let left = (ends - today).num_days();
    if !(0..=i64::from(s.days)).contains(&left) {
        return None;
    }
    Some(Finding {
        severity: Severity::High,
        entries: vec![c.receipt.clone()],
        detail: format!("追责期限截至{ends}，查询时（{today}）仅余{left}天，且未记录发现日期"),
    })
}

/// 离线补录迟延: an offline calculation reached the log `hours` or more after the device made
/// it; three times that is high (the phone keeps its queue 30 days at most).
pub fn late_sync(c: &Calc, s: &LateSyncSettings) -> Option<Finding> {
    let made = c.offline_at?;
    let late = c.recorded_at - made;
    let limit = chrono::Duration::hours(i64::from(s.hours));
    if late < limit {
        return None;
    }
    Some(Finding {
        severity: if late >= limit * 3 {
            Severity::High
        } else {
            Severity::Medium
        },
        entries: vec![c.receipt.clone()],
        detail: format!(
            "离线查询于{}在设备上作出，{}小时后才补录到日志（设定{}小时）",
            made.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            late.num_hours(),
            s.hours
        ),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::*;
    use crate::alerts::event::ActVerdict;

    fn snap(seq: i64, facts: u64, penalty: bool, tier: i64) -> Snapshot {
        Snapshot {
            seq,
            receipt: format!("{seq}-AAAA"),
            at_ms: seq * 1000,
            facts,
            weight: Weight {
                penalty,
                tier,
                not_reduced: true,
            },
        }
    }

    pub(crate) fn calc(seq: i64) -> Calc {
        Calc {
            seq,
            receipt: format!("{seq}-BBBB"),
            recorded_at: "2026-11-20T02:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            raised_at: "2026-11-20T02:00:00.000Z".into(),
            day: "2026-11-20".into(),
            inspector: "张三".into(),
            unit: "ZHZF".into(),
            matter_id: "ZHZF-019".into(),
            case_ref: None,
            facts: 1,
            outcome: "penalty".into(),
            tier: Some(2),
            reduced: false,
            no_penalty_possible: false,
            today: Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            limit_ends: None,
            discovered: false,
            offline_at: None,
        }
    }

    #[test]
    fn lenient_outcomes_are_no_penalty_first_offence_waivers_and_reductions() {
        let mut c = calc(1);
        assert!(!lenient(&c), "a penalty at the standard");
        c.no_penalty_possible = true;
        assert!(lenient(&c), "首违不罚 open (第三十三条第一款)");
        c.no_penalty_possible = false;
        c.reduced = true;
        assert!(lenient(&c), "减轻");
        c.reduced = false;
        c.outcome = "no_penalty".into();
        assert!(lenient(&c), "不予处罚");
    }

    #[test]
    fn repeated_case_needs_other_facts_and_ranks_a_lighter_answer_higher() {
        // The same facts asked twice: a repeat, not a sign.
        assert_eq!(
            repeated_case(&[snap(1, 7, true, 3)], &snap(2, 7, true, 3), true),
            None
        );
        let lighter = repeated_case(&[snap(1, 7, true, 3)], &snap(2, 8, true, 1), true).unwrap();
        let heavier = repeated_case(&[snap(1, 7, true, 1)], &snap(2, 8, true, 3), true).unwrap();
        assert_eq!(
            (lighter.severity, heavier.severity),
            (Severity::High, Severity::Medium)
        );
        assert_eq!(lighter.entries, ["1-AAAA", "2-AAAA"]);
        // No penalty after a penalty is lighter whatever the tiers.
        let none = repeated_case(&[snap(1, 7, true, 1)], &snap(2, 8, false, 3), true).unwrap();
        assert_eq!(none.severity, Severity::High);
        // Without a case number, a step lower.
        let candidate = repeated_case(&[snap(1, 7, true, 3)], &snap(2, 8, true, 1), false);
        assert_eq!(candidate.unwrap().severity, Severity::Medium);
        let candidate = repeated_case(&[snap(1, 7, true, 1)], &snap(2, 8, true, 3), false);
        assert_eq!(candidate.unwrap().severity, Severity::Low);
    }

    fn settings(window: u32, min_count: u32, margin: &str) -> LenientShareSettings {
        LenientShareSettings {
            enabled: true,
            window,
            min_count,
            margin: margin.parse().unwrap(),
            unit_window: 100,
        }
    }

    fn window(flags: &[bool]) -> Window {
        let mut w = Window::default();
        for (i, l) in flags.iter().enumerate() {
            w.push(Some(format!("{i}-CCCC")), *l, 100);
        }
        w
    }

    #[test]
    fn lenient_share_fires_at_the_margin_and_not_below_it_nor_below_the_minimum_count() {
        let s = settings(4, 4, "0.25");
        let unit = window(&[true, false, false, false]); // 25 %
        // 50 % against 25 %: exactly the margin.
        let at = lenient_share(&window(&[true, true, false, false]), &unit, &s).unwrap();
        assert_eq!(at.severity, Severity::Medium);
        assert_eq!(at.entries, ["0-CCCC", "1-CCCC"]);
        // 25 % against 25 %: nothing.
        assert_eq!(
            lenient_share(&window(&[true, false, false, false]), &unit, &s),
            None
        );
        // Three calculations, all lenient: too few to say anything.
        assert_eq!(lenient_share(&window(&[true, true, true]), &unit, &s), None);
        // 100 % against 25 %: three times the margin.
        let high = lenient_share(&window(&[true; 4]), &unit, &s).unwrap();
        assert_eq!(high.severity, Severity::High);
    }

    #[test]
    fn a_window_keeps_its_size_and_its_count() {
        let mut w = Window::default();
        for i in 0..10 {
            w.push(Some(i.to_string()), i % 2 == 0, 4);
        }
        assert_eq!((w.len(), w.share()), (4, Decimal::new(5, 1)));
        w.shrink(1);
        assert_eq!((w.len(), w.share()), (1, Decimal::ZERO));
    }

    fn review(verdicts: &[(&str, bool)]) -> Review {
        Review {
            seq: 9,
            receipt: "9-DDDD".into(),
            recorded_at: DateTime::default(),
            raised_at: String::new(),
            day: "2026-11-20".into(),
            inspector: "李四".into(),
            reviewer_unit: "ZHZF".into(),
            case_ref: Some("案1".into()),
            acts: verdicts
                .iter()
                .enumerate()
                .map(|(i, (v, missing))| ActVerdict {
                    act: i as i64 + 1,
                    unit: "ZHZF".into(),
                    matter_id: "ZHZF-001".into(),
                    verdict: v.to_string(),
                    reason_missing: *missing,
                })
                .collect(),
        }
    }

    #[test]
    fn review_departure_fires_on_unlawful_or_an_unexplained_departure_only() {
        assert_eq!(review_departure(&review(&[("conforms", false)])), None);
        // A departure with its reason given is what the standard allows.
        assert_eq!(review_departure(&review(&[("deviates", false)])), None);
        let f = review_departure(&review(&[("deviates", true)])).unwrap();
        assert_eq!(f.severity, Severity::Medium);
        let f = review_departure(&review(&[("deviates", true), ("unlawful", false)])).unwrap();
        assert_eq!(
            (f.severity, f.detail.as_str()),
            (Severity::High, "法制审核认定行为2违法")
        );
    }

    #[test]
    fn time_limit_fires_within_the_days_set_and_not_a_day_earlier() {
        let s = TimeLimitSettings {
            enabled: true,
            days: 30,
        };
        let mut c = calc(1);
        c.limit_ends = Some(NaiveDate::from_ymd_opt(2026, 12, 20).unwrap()); // 30 days on
        assert_eq!(time_limit(&c, &s).unwrap().severity, Severity::High);
        c.discovered = true;
        assert_eq!(
            time_limit(&c, &s),
            None,
            "discovered in time: 第三十六条 no longer bars"
        );
        c.discovered = false;
        c.limit_ends = Some(NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()); // 31 days on
        assert_eq!(time_limit(&c, &s), None);
        c.limit_ends = Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        c.outcome = "time_barred".into();
        assert_eq!(time_limit(&c, &s), None);
    }

    #[test]
    fn late_sync_fires_from_the_hours_set() {
        let s = LateSyncSettings {
            enabled: true,
            hours: 24,
        };
        let mut c = calc(1);
        assert_eq!(late_sync(&c, &s), None, "not offline");
        c.offline_at = Some(c.recorded_at - chrono::Duration::hours(24));
        assert_eq!(late_sync(&c, &s).unwrap().severity, Severity::Medium);
        c.offline_at =
            Some(c.recorded_at - chrono::Duration::hours(24) + chrono::Duration::seconds(1));
        assert_eq!(late_sync(&c, &s), None);
        c.offline_at = Some(c.recorded_at - chrono::Duration::hours(72));
        assert_eq!(late_sync(&c, &s).unwrap().severity, Severity::High);
    }
}
