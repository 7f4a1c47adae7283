//! What the engine refuses before any rule applies: an unknown matter, a party the provision
//! does not punish, facts the matter does not declare, circumstances unknown, unfit for the
//! party or contradictory, and dates out of order. What passes is a [`Case`].

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::CalcRequest;
use super::context::Case;
use crate::circumstances::{self, penalty_law};
use crate::request::{CalcError, parse_facts};
use crate::standards::{Matter, Party, StandardsSet};

/// Checks a request in the order its refusals are reported, and types it.
pub(super) fn admit<'a>(
    set: &'a StandardsSet,
    req: &CalcRequest,
    today: NaiveDate,
) -> Result<Case<'a>, CalcError> {
    let matter = find_matter(set, &req.matter_id)?;
    check_party(matter, req.party)?;
    let facts = parse_facts(matter, &req.facts)?;
    let defaulted = defaulted_facts(&facts, &req.facts);
    let circumstances = read_circumstances(&req.circumstances, req.party)?;
    let decision_date = check_dates(req, today)?;
    check_law_in_force(matter, req.act_time())?;
    let case = Case {
        set,
        matter,
        party: req.party,
        facts,
        defaulted,
        circumstances,
        act_date: req.act_date,
        act_end_date: req.act_end_date,
        discovered_date: req.discovered_date,
        decision_date,
    };
    match super::time_limit::discovery_needed(&super::time_limit::dates(&case)) {
        Some(e) => Err(e),
        None => Ok(case),
    }
}

/// The typed facts the request did not give (or gave as null): their values are the matter's
/// declared defaults, and the answer says so.
pub(super) fn defaulted_facts(
    typed: &HashMap<String, crate::standards::FactValue>,
    given: &serde_json::Map<String, serde_json::Value>,
) -> BTreeSet<String> {
    typed
        .keys()
        .filter(|k| given.get(*k).is_none_or(serde_json::Value::is_null))
        .cloned()
        .collect()
}

/// 第三十七条: an act is judged by the law in force when it was committed. A matter whose
/// penalty provision came into force after the act cannot judge it; the set holds no earlier
/// text of it, so the request is refused, naming the version and its day.
fn check_law_in_force(matter: &Matter, act: NaiveDate) -> Result<(), CalcError> {
    let cited = std::iter::once(&matter.penalty).chain(&matter.penalty_also);
    for c in cited {
        if let Some(from) = c.effective()
            && act < from
        {
            let version = c.version.as_deref().unwrap_or("");
            return Err(CalcError::invalid(
                "law_not_in_force_at_act_date",
                "act_date",
                format!(
                    "违法行为发生于{act}，事项 {} 所依据的{}（{version}版）自{from}起施行；行为时适用修订前的规定，本基准未收录，应依行为时的法律裁量（{}）",
                    matter.id,
                    c.render(),
                    penalty_law(37, None, None).render()
                ),
                format!(
                    "the act of {act} predates {} ({version} version, in force from {from}), on which matter {} rests; it is judged by the law of its time, which the set does not hold",
                    c.render(),
                    matter.id
                ),
            ));
        }
    }
    Ok(())
}

fn find_matter<'a>(set: &'a StandardsSet, id: &str) -> Result<&'a Matter, CalcError> {
    set.matter(id).ok_or_else(|| CalcError {
        code: "unknown_matter",
        field: Some("matter_id".into()),
        message: format!("没有编号为 {id} 的裁量事项"),
        message_en: format!("no matter with id `{id}`"),
        not_found: true,
    })
}

/// A provision that punishes only organisations (or only individuals) gives no standard for
/// the other.
fn check_party(matter: &Matter, party: Party) -> Result<(), CalcError> {
    if matter.statutory.concerns(party) {
        return Ok(());
    }
    let labels: Vec<_> = matter.statutory.parties.iter().map(|p| p.label()).collect();
    Err(CalcError::invalid(
        "party_not_applicable",
        "party",
        format!("事项 {} 的处罚依据只处罚{}", matter.id, labels.join("、")),
        format!(
            "matter {} only applies to {:?}",
            matter.id, matter.statutory.parties
        ),
    ))
}

/// The circumstances as a set: known, fitting the party (age and mental capacity are only a
/// natural person's), not contradicting each other; a repeated code counts once.
fn read_circumstances(codes: &[String], party: Party) -> Result<BTreeSet<&'static str>, CalcError> {
    let mut set = BTreeSet::new();
    for (i, code) in codes.iter().enumerate() {
        let c = circumstances::find_by_code_or_label(code).ok_or_else(|| {
            CalcError::invalid(
                "unknown_circumstance",
                format!("circumstances[{i}]"),
                format!("未知的裁量情节代码 {code}（见 GET /api/v1/circumstances）"),
                format!("unknown circumstance `{code}` (see GET /api/v1/circumstances)"),
            )
        })?;
        if c.individual_only && party.side() == Party::Organisation {
            return Err(CalcError::invalid(
                "circumstance_not_applicable",
                format!("circumstances[{i}]"),
                format!("情节「{}」只适用于公民", c.label),
                format!("`{code}` applies only to individuals"),
            ));
        }
        set.insert(c.code);
    }
    for (a, b) in circumstances::CONFLICTS {
        if set.contains(a) && set.contains(b) {
            return Err(CalcError::invalid(
                "conflicting_circumstances",
                "circumstances",
                format!("情节 {a} 与 {b} 不能同时成立"),
                format!("`{a}` and `{b}` cannot both hold"),
            ));
        }
    }
    Ok(set)
}

/// The decision date, defaulted to today; no date in the future, and act ≤ act end ≤
/// decision, act ≤ discovery ≤ decision. The discovery date is never assumed.
fn check_dates(req: &CalcRequest, today: NaiveDate) -> Result<NaiveDate, CalcError> {
    let decision_date = req.decision_date.unwrap_or(today);
    let discovered_date = req.discovered_date.unwrap_or(decision_date);
    let act_end = req.act_end_date.unwrap_or(req.act_date);
    for (field, d) in [
        ("act_date", req.act_date),
        ("act_end_date", act_end),
        ("discovered_date", discovered_date),
        ("decision_date", decision_date),
    ] {
        if d > today {
            return Err(CalcError::invalid(
                "date_in_future",
                field,
                format!("{field} 不能晚于今天（{today}）"),
                format!("`{field}` is after today ({today})"),
            ));
        }
    }
    let out_of_order = |code: &'static str, field: &str, zh: &str, en: &str| {
        Err(CalcError::invalid(code, field, zh.into(), en.into()))
    };
    if req.act_date > decision_date {
        return out_of_order(
            "act_after_decision",
            "act_date",
            "违法行为发生日期不能晚于决定日期",
            "`act_date` is after `decision_date`",
        );
    }
    if act_end < req.act_date {
        return out_of_order(
            "act_end_before_act",
            "act_end_date",
            "违法行为终了日期不能早于发生日期",
            "`act_end_date` is before `act_date`",
        );
    }
    if act_end > decision_date {
        return out_of_order(
            "act_end_after_decision",
            "act_end_date",
            "违法行为终了日期不能晚于决定日期",
            "`act_end_date` is after `decision_date`",
        );
    }
    if discovered_date < req.act_date {
        return out_of_order(
            "discovered_before_act",
            "discovered_date",
            "发现日期不能早于违法行为发生日期",
            "`discovered_date` is before `act_date`",
        );
    }
    if discovered_date > decision_date {
        return out_of_order(
            "discovered_after_decision",
            "discovered_date",
            "发现日期不能晚于决定日期",
            "`discovered_date` is after `decision_date`",
        );
    }
    Ok(decision_date)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{FIXTURES, day};

    fn request(party: &str, circumstances: &[&str], dates: [Option<&str>; 3]) -> CalcRequest {
        let mut v = json!({
            "matter_id": "FIX-002",
            "party": party,
            "facts": {"area": "12"},
            "circumstances": circumstances,
        });
        for (key, d) in ["act_date", "discovered_date", "decision_date"]
            .iter()
            .zip(dates)
        {
            if let Some(d) = d {
                v[*key] = json!(d);
            }
        }
        CalcRequest::from_json(&v).expect("request parses")
    }

    fn refusal(req: &CalcRequest) -> (&'static str, Option<String>) {
        let e = admit(&FIXTURES, req, day("2026-11-22"))
            .err()
            .expect("must be refused");
        (e.code, e.field)
    }

    #[test]
    fn an_unknown_matter_is_not_found_and_an_unpunished_party_refused() {
        let mut req = request("organisation", &[], [Some("2026-09-01"), None, None]);
        req.matter_id = "FIX-404".into();
        let e = admit(&FIXTURES, &req, day("2026-11-22")).err().unwrap();
        assert!(e.not_found);
        assert_eq!(e.code, "unknown_matter");
        // FIX-006 fines organisations only.
        req.matter_id = "FIX-006".into();
        req.party = Party::Individual;
        assert_eq!(
            refusal(&req),
            ("party_not_applicable", Some("party".into()))
        );
    }

    #[test]
    fn circumstances_are_known_fit_the_party_and_do_not_contradict() {
        let at = [Some("2026-09-01"), None, None];
        let req = request("organisation", &["confessed", "confesed"], at);
        assert_eq!(
            refusal(&req),
            ("unknown_circumstance", Some("circumstances[1]".into()))
        );
        let req = request("organisation", &["age_14_to_18"], at);
        assert_eq!(
            refusal(&req),
            (
                "circumstance_not_applicable",
                Some("circumstances[0]".into())
            )
        );
        let req = request("individual", &["no_harm", "minor_harm"], at);
        assert_eq!(
            refusal(&req),
            ("conflicting_circumstances", Some("circumstances".into()))
        );
        let req = request(
            "individual",
            &["confessed", "age_14_to_18", "confessed"],
            at,
        );
        let case = admit(&FIXTURES, &req, day("2026-11-22")).expect("admitted");
        assert_eq!(
            case.circumstances.iter().copied().collect::<Vec<_>>(),
            ["age_14_to_18", "confessed"]
        );
    }

    #[test]
    fn the_decision_defaults_to_today_and_discovery_is_never_assumed() {
        let req = request("organisation", &[], [Some("2026-09-01"), None, None]);
        let case = admit(&FIXTURES, &req, day("2026-11-22")).expect("admitted");
        assert_eq!(case.decision_date, day("2026-11-22"));
        assert_eq!(case.discovered_date, None);
        let req = request(
            "organisation",
            &[],
            [Some("2026-09-01"), None, Some("2026-10-01")],
        );
        let case = admit(&FIXTURES, &req, day("2026-11-22")).expect("admitted");
        assert_eq!(
            (case.decision_date, case.discovered_date),
            (day("2026-10-01"), None)
        );
    }

    #[test]
    fn dates_are_not_in_the_future_and_run_act_discovery_decision() {
        let refused = |dates| refusal(&request("organisation", &[], dates));
        assert_eq!(
            refused([Some("2026-11-23"), None, None]),
            ("date_in_future", Some("act_date".into()))
        );
        assert_eq!(
            refused([Some("2026-09-01"), None, Some("2026-08-31")]),
            ("act_after_decision", Some("act_date".into()))
        );
        assert_eq!(
            refused([Some("2026-09-01"), Some("2026-08-31"), Some("2026-11-01")]),
            ("discovered_before_act", Some("discovered_date".into()))
        );
        assert_eq!(
            refused([Some("2026-09-01"), Some("2026-11-02"), Some("2026-11-01")]),
            ("discovered_after_decision", Some("discovered_date".into()))
        );
    }

    /// 第三十七条 for the laws: FIX-011's provision (2026-01-15) is in force from 2026-07-01.
    #[test]
    fn an_act_before_the_cited_law_came_into_force_is_refused_naming_it() {
        let at = |act: &str| {
            let req = CalcRequest::from_json(&json!({
                "matter_id": "FIX-011", "party": "organisation", "facts": {"forms": "2"},
                "act_date": act, "decision_date": "2026-11-20"}))
            .unwrap();
            admit(&FIXTURES, &req, day("2026-11-22")).err()
        };
        let e = at("2026-06-30").expect("refused");
        assert_eq!(e.code, "law_not_in_force_at_act_date");
        assert!(
            e.message.contains("2026-01-15版") && e.message.contains("2026-07-01"),
            "{}",
            e.message
        );
        assert!(at("2026-07-01").is_none());
    }
}
