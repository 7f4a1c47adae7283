//! The time limit (追责时效, 行政处罚法 第三十六条第一款): an act not discovered within two years
//! is no longer punished; five years where it endangered life, health or financial security
//! with consequences. The period runs from the act, or from the end of a continuing act
//! (`act_end_date`, 第三十六条第二款).

use chrono::{Months, NaiveDate};

use super::context::{Case, Draft};
use super::{BasisRole, Dates};
use crate::circumstances::penalty_law;
use crate::request::CalcError;

/// The circumstance that lengthens the period to five years.
pub const FIVE_YEARS: &str = "endangers_life_health_finance";

/// The last day on which discovery keeps an act punishable: two years (five with
/// [`FIVE_YEARS`]) from `start`, the act's date or its end (第三十六条第二款). The supervision
/// alerts (`alerts::rules::time_limit`) compute it from a logged request with this same function.
pub fn limit_ends(start: NaiveDate, five_years: bool) -> NaiveDate {
    let years = if five_years { 5 } else { 2 };
    start
        .checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// The case's dates and the last day on which discovery keeps the act punishable.
pub(super) fn dates(case: &Case) -> Dates {
    let five = case.has(FIVE_YEARS);
    let years = if five { 5 } else { 2 };
    let time_limit_ends = limit_ends(case.limit_start(), five);
    Dates {
        act_date: case.act_date,
        act_end_date: case.act_end_date,
        discovered_date: case.discovered_date,
        decision_date: case.decision_date,
        time_limit_years: years,
        time_limit_ends,
    }
}

/// Discovered after the last day of the period.
pub(super) fn expired(dates: &Dates) -> bool {
    dates
        .discovered_date
        .is_some_and(|d| d > dates.time_limit_ends)
}

/// Without the discovery date, the limit is settled only when even the decision falls inside
/// it; otherwise the date is asked for, never assumed.
pub(super) fn discovery_needed(dates: &Dates) -> Option<CalcError> {
    (dates.discovered_date.is_none() && dates.decision_date > dates.time_limit_ends).then(|| {
        CalcError::invalid(
            "discovered_date_required",
            "discovered_date",
            format!(
                "追责期限截至{}，决定日期在其后：是否超过时效取决于发现日期，请填写 discovered_date（{}）",
                dates.time_limit_ends,
                penalty_law(36, Some(1), None).render()
            ),
            format!(
                "the time limit ended on {} before the decision date: whether the act may still be punished depends on `discovered_date`, which is required here",
                dates.time_limit_ends
            ),
        )
    })
}

pub(super) fn explain_expiry(dates: &Dates, draft: &mut Draft) {
    draft.cite(BasisRole::Discretion, penalty_law(36, Some(1), None));
    if dates.act_end_date.is_some() {
        draft.cite(BasisRole::Discretion, penalty_law(36, Some(2), None));
    }
    let from = match dates.act_end_date {
        Some(end) => format!("违法行为有连续或者继续状态，终了于{end}"),
        None => format!("违法行为发生于{}", dates.act_date),
    };
    let discovered = dates
        .discovered_date
        .map_or(String::new(), |d| d.to_string());
    draft.explanation.push(format!(
        "{from}，至{discovered}才被发现，已超过{}年追责期限（截至{}），依法不再给予行政处罚。",
        dates.time_limit_years, dates.time_limit_ends
    ));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{case, cited, day, draft};
    use crate::standards::Party;

    fn limit(act: &str, discovered: &str, circumstances: &[&str]) -> Dates {
        let mut c = case(
            "FIX-002",
            Party::Organisation,
            json!({"area": "12"}),
            circumstances,
        );
        c.act_date = day(act);
        c.discovered_date = Some(day(discovered));
        c.decision_date = day(discovered);
        dates(&c)
    }

    #[test]
    fn two_years_with_the_last_day_still_in_time() {
        let d = limit("2024-03-01", "2026-03-01", &[]);
        assert_eq!(
            (d.time_limit_years, d.time_limit_ends),
            (2, day("2026-03-01"))
        );
        assert!(!expired(&d));
        assert!(expired(&limit("2024-03-01", "2026-03-02", &[])));
    }

    #[test]
    fn five_years_where_life_health_or_finance_was_endangered() {
        let d = limit(
            "2021-03-01",
            "2026-03-01",
            &["endangers_life_health_finance"],
        );
        assert_eq!(
            (d.time_limit_years, d.time_limit_ends),
            (5, day("2026-03-01"))
        );
        assert!(!expired(&d));
        // Other aggravating circumstances do not lengthen the period.
        assert!(expired(&limit(
            "2021-03-01",
            "2026-03-01",
            &["repeat_offense"]
        )));
    }

    #[test]
    fn a_period_from_29_february_ends_on_28_february() {
        let d = limit("2024-02-29", "2026-02-28", &[]);
        assert_eq!(d.time_limit_ends, day("2026-02-28"));
        assert!(!expired(&d));
    }

    #[test]
    fn expiry_cites_article_36_and_says_when_the_period_ended() {
        let c = case("FIX-002", Party::Organisation, json!({"area": "12"}), &[]);
        let d = limit("2024-03-01", "2026-03-02", &[]);
        let mut draft = draft(&c);
        explain_expiry(&d, &mut draft);
        assert_eq!(
            cited(&draft),
            ["《中华人民共和国行政处罚法》第三十六条第一款"]
        );
        assert!(draft.explanation[0].contains("已超过2年追责期限（截至2026-03-01）"));
    }

    /// 第三十六条第二款: 违法行为有连续或者继续状态的，从行为终了之日起计算.
    #[test]
    fn a_continuing_act_runs_from_its_end() {
        let mut c = case("FIX-002", Party::Organisation, json!({"area": "12"}), &[]);
        c.act_date = day("2023-01-01");
        c.act_end_date = Some(day("2025-06-30"));
        c.discovered_date = Some(day("2026-11-01"));
        c.decision_date = day("2026-11-20");
        let d = dates(&c);
        assert_eq!(d.time_limit_ends, day("2027-06-30"));
        assert!(!expired(&d));
    }

    /// The discovery date is asked for where it decides the limit, and never invented.
    #[test]
    fn an_unknown_discovery_date_is_asked_for_only_where_it_decides() {
        let mut c = case("FIX-002", Party::Organisation, json!({"area": "12"}), &[]);
        c.act_date = day("2024-01-01");
        c.discovered_date = None;
        c.decision_date = day("2025-06-01");
        assert!(discovery_needed(&dates(&c)).is_none());
        c.decision_date = day("2026-11-20");
        let e = discovery_needed(&dates(&c)).expect("asked for");
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("discovered_date_required", Some("discovered_date"))
        );
        assert!(!expired(&dates(&c)));
    }
}
