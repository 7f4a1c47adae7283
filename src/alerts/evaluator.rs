//! The incremental evaluator: fed the log's entries in chain order, it keeps what the rules
//! need and no more — per case and matter, and per inspector and matter, the last few
//! calculations inside the horizon; per inspector and per unit a window of the sizes set —
//! and says what each entry raises or disposes. Fed the same entries it gives the same
//! effects, whether fed live (the evaluator thread) or all at once ([`super::recompute`]).

use std::collections::{HashMap, HashSet, VecDeque};

use super::event::{Calc, Disposed, Event, Review};
use super::rules::{self, Finding, Snapshot, Weight, Window};
use super::{Alert, AlertKind, Effect, RuleSettings};

/// Earlier calculations kept per case (and matter), and per inspector and matter.
const KEEP: usize = 8;
/// Every this many calculations, keys gone past their horizon are dropped (memory only: the
/// rules look at the horizon themselves, so when this runs changes nothing they say).
const PRUNE_EVERY: u64 = 4096;

#[derive(Debug, Default)]
pub struct Evaluator {
    settings: RuleSettings,
    /// Keys are digests of their parts ([`key`]): looked up without building strings.
    /// (case_ref, matter) → its last calculations.
    cases: HashMap<u64, VecDeque<Snapshot>>,
    /// (unit, inspector, matter) → their last calculations without a case number.
    recent: HashMap<u64, VecDeque<Snapshot>>,
    /// (unit, inspector) → their last calculations, lenient or not.
    inspectors: HashMap<u64, Window>,
    units: HashMap<u64, Window>,
    /// Inspectors whose share is over the margin now: the alert fires on crossing, not again
    /// on every calculation while it stays over.
    over: HashSet<u64>,
    calculations: u64,
}

/// Where an alert comes from: the entry that raised it.
struct Origin<'a> {
    seq: i64,
    day: &'a str,
    raised_at: &'a str,
    unit: &'a str,
    inspector: &'a str,
    matter_id: &'a str,
    case_ref: Option<&'a str>,
}

impl Origin<'_> {
    fn of(c: &Calc) -> Origin<'_> {
        Origin {
            seq: c.seq,
            day: &c.day,
            raised_at: &c.raised_at,
            unit: &c.unit,
            inspector: &c.inspector,
            matter_id: &c.matter_id,
            case_ref: c.case_ref.as_deref(),
        }
    }

    fn raise(&self, kind: AlertKind, f: Finding) -> Effect {
        Effect::Raised(Box::new(Alert {
            id: format!("{}-{}", self.seq, kind.as_str()),
            kind,
            title: kind.title().to_string(),
            severity: f.severity,
            seq: self.seq,
            unit: self.unit.to_string(),
            inspector: self.inspector.to_string(),
            matter_id: self.matter_id.to_string(),
            case_ref: self.case_ref.map(str::to_string),
            day: self.day.to_string(),
            raised_at: self.raised_at.to_string(),
            entries: f.entries,
            detail: f.detail,
            disposition: None,
        }))
    }
}

fn ms_of_minutes(m: u32) -> i64 {
    i64::from(m) * 60_000
}

fn ms_of_days(d: u32) -> i64 {
    i64::from(d) * 86_400_000
}

/// A key's snapshots inside the horizon (`since`, in ms).
fn inside(kept: Option<&VecDeque<Snapshot>>, since: i64) -> impl Iterator<Item = &Snapshot> {
    kept.into_iter().flatten().filter(move |s| s.at_ms >= since)
}

/// The digest of a key's parts (a fixed hasher: the same in every run of one build; a
/// collision of 64 bits among a few thousand keys is not a practical concern).
fn key(parts: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

fn keep(list: &mut VecDeque<Snapshot>, s: Snapshot) {
    list.push_back(s);
    if list.len() > KEEP {
        list.pop_front();
    }
}

impl Evaluator {
    /// The settings in force after the entries fed so far.
    pub fn settings(&self) -> &RuleSettings {
        &self.settings
    }

    /// What one entry raises or disposes.
    pub fn feed(&mut self, event: &Event) -> Vec<Effect> {
        match event {
            Event::Calculation(c) => self.calculation(c),
            Event::Review(r) => self.review(r).into_iter().collect(),
            Event::Rules(s) => {
                self.settings = (**s).clone();
                self.resize();
                Vec::new()
            }
            Event::Disposition(d) => {
                let Disposed {
                    alert_id,
                    disposition,
                } = &**d;
                vec![Effect::Disposed {
                    alert_id: alert_id.clone(),
                    disposition: disposition.clone(),
                }]
            }
            Event::Other => Vec::new(),
        }
    }

    fn calculation(&mut self, c: &Calc) -> Vec<Effect> {
        let origin = Origin::of(c);
        let s = self.settings.clone();
        let mut found: Vec<(AlertKind, Finding)> = Vec::new();
        let repeated = self.repeated(c);
        if s.repeated_case.enabled {
            found.extend(repeated.map(|f| (AlertKind::RepeatedCase, f)));
        }
        let lenient = self.lenient(c);
        if s.lenient_share.enabled {
            found.extend(lenient.map(|f| (AlertKind::LenientShare, f)));
        }
        if s.time_limit.enabled {
            found.extend(rules::time_limit(c, &s.time_limit).map(|f| (AlertKind::TimeLimit, f)));
        }
        if s.late_sync.enabled {
            found.extend(rules::late_sync(c, &s.late_sync).map(|f| (AlertKind::LateSync, f)));
        }
        self.calculations += 1;
        if self.calculations.is_multiple_of(PRUNE_EVERY) {
            self.prune(c.recorded_at.timestamp_millis());
        }
        found
            .into_iter()
            .map(|(kind, f)| origin.raise(kind, f))
            .collect()
    }

    /// Compares with the case's earlier calculations of the same matter (a case of several
    /// acts calculates each matter on its own facts: no sign), or without a case number with
    /// the same inspector's of the same matter in the short window; then keeps this one.
    fn repeated(&mut self, c: &Calc) -> Option<Finding> {
        let s = &self.settings.repeated_case;
        let at = c.recorded_at.timestamp_millis();
        let now = Snapshot {
            seq: c.seq,
            receipt: c.receipt.clone(),
            at_ms: at,
            facts: c.facts,
            weight: Weight::of(c),
        };
        let (kept, k, since, by_case) = match c.case_ref.as_deref().filter(|r| !r.trim().is_empty())
        {
            Some(case) => (
                &mut self.cases,
                // A case number is a unit's own: another unit's 2026-001 is another case.
                key(&[&c.unit, case, &c.matter_id]),
                at - ms_of_days(s.case_days),
                true,
            ),
            None => (
                &mut self.recent,
                key(&[&c.unit, &c.inspector, &c.matter_id]),
                at - ms_of_minutes(s.window_minutes),
                false,
            ),
        };
        let found = rules::repeated_case(inside(kept.get(&k), since), &now, by_case);
        keep(kept.entry(k).or_default(), now);
        found
    }

    /// Adds the calculation to its inspector's and unit's windows; a finding only when the
    /// inspector crosses the margin.
    fn lenient(&mut self, c: &Calc) -> Option<Finding> {
        let s = &self.settings.lenient_share;
        let l = rules::lenient(c);
        let k = key(&[&c.unit, &c.inspector]);
        let mine = self.inspectors.entry(k).or_default();
        mine.push(Some(c.receipt.clone()), l, s.window as usize);
        let unit = self.units.entry(key(&[&c.unit])).or_default();
        unit.push(None, l, s.unit_window as usize);
        match rules::lenient_share(mine, unit, s) {
            Some(f) => self.over.insert(k).then_some(f),
            None => {
                self.over.remove(&k);
                None
            }
        }
    }

    fn review(&self, r: &Review) -> Option<Effect> {
        if !self.settings.review_departure.enabled {
            return None;
        }
        let f = rules::review_departure(r)?;
        // Filed under the first departing act's matter and unit (a reviewer's unit may be the
        // legal office's).
        let act = r
            .acts
            .iter()
            .find(|a| a.verdict == "unlawful" || (a.verdict == "deviates" && a.reason_missing));
        let origin = Origin {
            seq: r.seq,
            day: &r.day,
            raised_at: &r.raised_at,
            unit: act.map_or(&r.reviewer_unit, |a| &a.unit),
            inspector: &r.inspector,
            matter_id: act.map_or("", |a| &a.matter_id),
            case_ref: r.case_ref.as_deref(),
        };
        Some(origin.raise(AlertKind::ReviewDeparture, f))
    }

    /// Windows made smaller by new settings are cut to size at once.
    fn resize(&mut self) {
        let l = &self.settings.lenient_share;
        for w in self.inspectors.values_mut() {
            w.shrink(l.window as usize);
        }
        for w in self.units.values_mut() {
            w.shrink(l.unit_window as usize);
        }
    }

    /// Drops what is past every horizon as of `now_ms`.
    fn prune(&mut self, now_ms: i64) {
        let s = &self.settings.repeated_case;
        let case_since = now_ms - ms_of_days(s.case_days);
        let recent_since = now_ms - ms_of_minutes(s.window_minutes);
        let last = |v: &VecDeque<Snapshot>| v.back().map_or(i64::MIN, |s| s.at_ms);
        self.cases.retain(|_, v| last(v) >= case_since);
        self.recent.retain(|_, v| last(v) >= recent_since);
    }

    /// How many keys are kept (for the bounded-state test and the figures).
    pub fn kept(&self) -> usize {
        self.cases.len() + self.recent.len() + self.inspectors.len() + self.units.len()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::alerts::event::Calc;
    use crate::alerts::{Severity, recompute};
    use crate::auth::Role;
    use crate::supervision::{Caller, Client, EntryKind, GENESIS, NewEntry, Row, raw};

    fn calc(seq: i64, at: &str, area: &str, case_ref: Option<&str>) -> Calc {
        let recorded_at: DateTime<Utc> = at.parse().unwrap();
        Calc {
            seq,
            receipt: format!("{seq}-AAAA"),
            recorded_at,
            raised_at: at.into(),
            day: "2026-11-20".into(),
            inspector: "张三".into(),
            unit: "ZHZF".into(),
            matter_id: "ZHZF-019".into(),
            case_ref: case_ref.map(str::to_string),
            facts: area.len() as u64 * 31 + area.bytes().map(u64::from).sum::<u64>(),
            outcome: "penalty".into(),
            tier: Some(if area == "0.5" { 1 } else { 2 }),
            reduced: false,
            no_penalty_possible: false,
            today: None,
            limit_ends: None,
            discovered: false,
            offline_at: None,
        }
    }

    fn feed(ev: &mut Evaluator, c: Calc) -> Vec<AlertKind> {
        ev.feed(&Event::Calculation(Box::new(c)))
            .into_iter()
            .filter_map(|e| match e {
                Effect::Raised(a) => Some(a.kind),
                Effect::Disposed { .. } => None,
            })
            .collect()
    }

    /// Without a case number the window is inclusive: 30 minutes on is still a candidate,
    /// 30 minutes and a second is not.
    #[test]
    fn the_short_window_holds_at_its_end_and_not_after() {
        let mut ev = Evaluator::default();
        assert!(feed(&mut ev, calc(1, "2026-11-20T02:00:00Z", "1.5", None)).is_empty());
        let at_end = feed(&mut ev, calc(2, "2026-11-20T02:30:00Z", "0.5", None));
        assert_eq!(at_end, [AlertKind::RepeatedCase]);
        let mut ev = Evaluator::default();
        feed(&mut ev, calc(1, "2026-11-20T02:00:00Z", "1.5", None));
        let after = feed(&mut ev, calc(2, "2026-11-20T02:30:01Z", "0.5", None));
        assert!(after.is_empty());
    }

    /// A case of several acts calculates each matter on its own: another matter under the
    /// same case number is no repeat.
    #[test]
    fn a_case_compares_within_one_matter() {
        let mut ev = Evaluator::default();
        feed(&mut ev, calc(1, "2026-11-20T02:00:00Z", "1.5", Some("案1")));
        let mut other = calc(2, "2026-11-20T02:01:00Z", "0.5", Some("案1"));
        other.matter_id = "ZHZF-001".into();
        assert!(feed(&mut ev, other).is_empty());
        // Months later, still inside the case's 180 days.
        let later = feed(&mut ev, calc(3, "2027-04-20T02:00:00Z", "0.5", Some("案1")));
        assert_eq!(later, [AlertKind::RepeatedCase]);
    }

    #[test]
    fn the_lenient_alert_fires_on_crossing_not_on_every_calculation_over() {
        let mut ev = Evaluator::default();
        ev.feed(&Event::Rules(Box::new({
            let mut s = RuleSettings::default();
            s.lenient_share.window = 2;
            s.lenient_share.min_count = 2;
            s.repeated_case.enabled = false;
            s
        })));
        let mut other = calc(1, "2026-11-20T02:00:00Z", "1.5", None);
        other.inspector = "李四".into();
        feed(&mut ev, other.clone());
        feed(&mut ev, other);
        let lenient = |seq| {
            let mut c = calc(seq, "2026-11-20T03:00:00Z", "0.5", None);
            c.outcome = "no_penalty".into();
            c
        };
        assert!(
            feed(&mut ev, lenient(3)).is_empty(),
            "one is below the minimum"
        );
        assert_eq!(feed(&mut ev, lenient(4)), [AlertKind::LenientShare]);
        assert!(
            feed(&mut ev, lenient(5)).is_empty(),
            "still over: no second alert"
        );
    }

    fn row(seq: i64, prev: &str, kind: EntryKind, request: serde_json::Value) -> Row {
        let e = NewEntry {
            kind,
            caller: Caller {
                token_id: "t".into(),
                name: "张三".into(),
                unit: "ZHZF".into(),
                role: Role::Inspector,
            },
            client: Client::Rest,
            matter_id: "ZHZF-019".into(),
            standards_version: "2026.1".into(),
            outcome: crate::supervision::EntryOutcome::Calculation(crate::engine::Outcome::Penalty),
            tier: Some(if seq % 2 == 0 { 1 } else { 2 }),
            case_ref: Some(format!("案{}", seq % 7)),
            request: raw(&request),
            result: raw(&serde_json::json!({})),
            offline: false,
            review_acts: Vec::new(),
        };
        let at = format!("2026-11-20T02:{:02}:00.000Z", seq % 60);
        Row::seal(&e.prepare(), seq, &at, "2026-11-20", prev)
    }

    /// Fed one at a time or recomputed at once, the same alerts; a disposition of an alert
    /// lands on it.
    #[test]
    fn recomputing_equals_feeding_and_dispositions_apply() {
        let mut rows = Vec::new();
        let mut prev = GENESIS.to_string();
        for seq in 1..=40 {
            let r = row(
                seq,
                &prev,
                EntryKind::Calculation,
                serde_json::json!({"party": "individual", "facts": {"stall_area": (seq % 3).to_string()}}),
            );
            prev = r.hash.clone();
            rows.push(r);
        }
        let all = recompute(rows.clone());
        assert!(all.len() > 5);
        let first = all.keys().next().unwrap().clone();
        let d = row(
            41,
            &prev,
            EntryKind::AlertDisposition,
            serde_json::json!({"alert": first, "status": "referred", "text": "移送"}),
        );
        rows.push(d);
        let mut ev = Evaluator::default();
        let mut fed = std::collections::BTreeMap::new();
        for r in &rows {
            for e in ev.feed(&Event::of(r)) {
                crate::alerts::apply(&mut fed, e);
            }
        }
        assert_eq!(fed, recompute(rows));
        assert_eq!(fed[&first].status(), "referred");
        assert!(fed.values().all(|a| a.severity >= Severity::Low));
    }

    /// The state stays bounded: a day of distinct cases is pruned once past the horizon.
    #[test]
    fn state_is_pruned_past_the_horizon() {
        let mut ev = Evaluator::default();
        for i in 0..(2 * PRUNE_EVERY as i64) {
            let at = chrono::DateTime::<Utc>::from_timestamp(1_790_000_000 + i * 3600, 0).unwrap();
            let mut c = calc(
                i + 1,
                "2026-11-20T02:00:00Z",
                "1.5",
                Some(&format!("案{i}")),
            );
            c.recorded_at = at;
            feed(&mut ev, c);
        }
        // 8,192 hourly cases: only those of the last 180 days are kept (≈ 4,320) plus at most
        // one pruning period's worth.
        assert!(
            ev.cases.len() < 180 * 24 + PRUNE_EVERY as usize,
            "{}",
            ev.cases.len()
        );
    }
}
