//! Which standards version judges an act: the one in force when the act was committed, unless
//! the one in force at the decision is lighter for it (从旧兼从轻, 行政处罚法 第三十七条, applied
//! to the standards as provincial rules on 裁量基准 apply it).

use chrono::NaiveDate;

use crate::circumstances::penalty_law;
use crate::engine::{
    self, BasisRole, CalcRequest, CalcResult, ComparedVersion, LegalBasis, VersionChoice,
    VersionRule,
};
use crate::request::CalcError;
use crate::review::lighter;
use crate::standards::StandardsSet;
use crate::standards::versions::{Version, Versions};

/// The standard penalty under the version that applies to this act, with the choice explained
/// when more than one version exists.
pub fn calculate(
    versions: &Versions,
    request: &CalcRequest,
    today: NaiveDate,
) -> Result<CalcResult, CalcError> {
    let (at_act, at_decision, before_first) = versions_for(versions, request, today)?;
    if at_act.meta.version == at_decision.meta.version {
        let mut result = engine::calculate(&at_act.set, request, today)?;
        if versions.applicable().len() > 1 {
            let rule = if before_first {
                VersionRule::BeforeFirstVersion
            } else {
                act_rule(request)
            };
            choose(&mut result, rule, None);
        }
        return Ok(result);
    }
    let old = engine::calculate(&at_act.set, request, today);
    let new = engine::calculate(&at_decision.set, request, today);
    match (old, new) {
        (Ok(old), Ok(new)) if lighter(&new, &old) => Ok(chosen(new, VersionRule::LighterNew, &old)),
        (Ok(old), Ok(new)) => Ok(chosen(old, act_rule(request), &new)),
        // The later version cannot judge this act (the matter is gone, or it asks for facts the
        // act's version did not): it is not lighter, the act's version applies.
        (Ok(mut old), Err(e)) => {
            choose(&mut old, act_rule(request), None);
            let why = if e.not_found {
                "已不含该事项".to_string()
            } else {
                format!("不能据本请求裁量（{}）", e.message)
            };
            old.explanation.push(format!(
                "作出决定时施行的{}版{why}，该行为仍按违法行为发生时施行的{}版裁量。",
                at_decision.meta.version, at_act.meta.version
            ));
            Ok(old)
        }
        (Err(e), Ok(_)) if e.not_found => Err(not_in_force(request, at_decision, at_act)),
        (Err(e), _) => Err(e),
    }
}

/// The versions by date, as a case review asks for them per act: the one in force on the act
/// date (the first, before any) and, if another, the one in force on the decision date.
pub struct ByDate<'v>(pub &'v Versions);

impl crate::review::Standards for ByDate<'_> {
    fn for_act(
        &self,
        act_date: NaiveDate,
        decision_date: NaiveDate,
    ) -> (&StandardsSet, Option<&StandardsSet>) {
        // Never empty: start-up imports a first version, an emptied table is not followed and
        // the last version that applies cannot be withdrawn.
        let earliest = self
            .0
            .earliest()
            .or_else(|| self.0.all().first())
            .expect("at least one standards version");
        let at_act = self.0.in_force_on(act_date).unwrap_or(earliest);
        let at_decision = self.0.in_force_on(decision_date).unwrap_or(earliest);
        let other = (at_decision.meta.version != at_act.meta.version).then(|| &*at_decision.set);
        (&at_act.set, other)
    }
}

/// The versions in force on the act date and on the decision date (today when absent); an act
/// before the first version is judged by the first.
fn versions_for<'v>(
    versions: &'v Versions,
    request: &CalcRequest,
    today: NaiveDate,
) -> Result<(&'v Version, &'v Version, bool), CalcError> {
    let earliest = versions.earliest().ok_or_else(no_version)?;
    let decided = request.decision_date.unwrap_or(today);
    let at_decision = versions.in_force_on(decided).unwrap_or(earliest);
    Ok(match versions.in_force_on(request.act_time()) {
        Some(v) => (v, at_decision, false),
        None => (earliest, at_decision, true),
    })
}

/// The version of the act's own time: when it was committed, or when a continuing act ended.
fn act_rule(request: &CalcRequest) -> VersionRule {
    if request.act_end_date.is_some() {
        VersionRule::Continuing
    } else {
        VersionRule::ActDate
    }
}

fn chosen(mut result: CalcResult, rule: VersionRule, other: &CalcResult) -> CalcResult {
    let compared = ComparedVersion {
        version: other.standards_version.clone(),
        outcome: other.outcome,
        fine: other.fine,
        measures: other.measures.clone(),
    };
    choose(&mut result, rule, Some(compared));
    result
}

/// Records the choice, its sentence in the explanation and its article.
fn choose(result: &mut CalcResult, rule: VersionRule, compared: Option<ComparedVersion>) {
    let applied = &result.standards_version;
    let sentence = match (rule, &compared) {
        (VersionRule::LighterNew, Some(old)) => format!(
            "违法行为发生时施行的是裁量基准{}版；作出处罚决定时施行的{applied}版对本案处理较轻，依照《中华人民共和国行政处罚法》第三十七条适用{applied}版。",
            old.version
        ),
        (VersionRule::ActDate, Some(new)) => format!(
            "违法行为发生时施行的是裁量基准{applied}版；作出处罚决定时施行的{}版对本案处理不轻于前者，依照《中华人民共和国行政处罚法》第三十七条适用违法行为发生时的{applied}版。",
            new.version
        ),
        (VersionRule::Continuing, Some(new)) => format!(
            "违法行为有连续或者继续状态，终了时施行的是裁量基准{applied}版；作出处罚决定时施行的{}版对本案处理不轻于前者，依照《中华人民共和国行政处罚法》第三十七条适用{applied}版。",
            new.version
        ),
        (VersionRule::Continuing, None) => {
            format!("违法行为有连续或者继续状态，适用其终了时施行的裁量基准{applied}版。")
        }
        (VersionRule::BeforeFirstVersion, _) => {
            format!("违法行为发生时尚无施行的裁量基准，适用最早施行的{applied}版。")
        }
        _ => format!("适用违法行为发生时施行的裁量基准{applied}版。"),
    };
    result.explanation.push(sentence);
    let citation = penalty_law(37, None, None);
    if !result.legal_basis.iter().any(|b| b.citation == citation) {
        result.legal_basis.push(LegalBasis {
            role: BasisRole::Discretion,
            text: citation.render(),
            citation,
        });
    }
    result.version_choice = Some(VersionChoice { rule, compared });
}

pub(super) fn no_version() -> CalcError {
    CalcError {
        code: "no_standards_version",
        field: None,
        message: "尚无施行的裁量基准版本".into(),
        message_en: "no standards version is in force".into(),
        not_found: false,
    }
}

/// A matter introduced after the act: the act cannot be judged by it.
fn not_in_force(request: &CalcRequest, introduced: &Version, at_act: &Version) -> CalcError {
    CalcError {
        code: "matter_not_in_force",
        field: Some("matter_id".into()),
        message: format!(
            "裁量事项 {} 自 {} 版（{}施行）起才有，违法行为发生时施行的 {} 版没有该事项，不能据此裁量",
            request.matter_id,
            introduced.meta.version,
            introduced.meta.effective_date,
            at_act.meta.version
        ),
        message_en: format!(
            "matter {} exists only from version {} (in force from {}); the version in force on the act date, {}, has no such matter",
            request.matter_id,
            introduced.meta.version,
            introduced.meta.effective_date,
            at_act.meta.version
        ),
        not_found: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::versions::Withdrawal;

    const TIER_2: &str =
        "when = { stall_area = { gte = 1, lt = 2 }, in_bridge_or_underpass = false }\nfine = 20";

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn version(id: &str, effective: &str, edit: impl Fn(&mut String, &mut String)) -> Version {
        crate::sources::edited_bundled_version(id, Some(day(effective)), edit)
    }

    fn zhzf_019_tier_2(fine: u32) -> impl Fn(&mut String, &mut String) {
        move |_, unit| {
            let changed = unit.replacen(TIER_2, &TIER_2.replace("= 20", &format!("= {fine}")), 1);
            assert_ne!(*unit, changed);
            *unit = changed;
        }
    }

    /// Removes matter `id`'s block from a unit file.
    fn without(id: &'static str) -> impl Fn(&mut String, &mut String) {
        move |_, unit| {
            let start = unit.find(&format!("id = \"{id}\"")).unwrap();
            let block = unit[..start].rfind("[[matter]]").unwrap();
            let end = unit[start..]
                .find("[[matter]]")
                .map_or(unit.len(), |e| start + e);
            unit.replace_range(block..end, "");
        }
    }

    fn stall(act: &str, decided: &str) -> CalcRequest {
        CalcRequest::from_json(&serde_json::json!({
            "matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
            "act_date": act, "decision_date": decided}))
        .unwrap()
    }

    fn fine(r: &CalcResult) -> String {
        r.fine.as_ref().unwrap().max.to_string()
    }

    fn two(new_fine: u32) -> Versions {
        Versions::new(vec![
            version("2026.1", "2026-12-01", |_, _| {}),
            version("2026.2", "2027-01-01", zhzf_019_tier_2(new_fine)),
        ])
    }

    #[test]
    fn an_act_is_judged_by_the_version_in_force_when_it_was_committed() {
        let v = two(25);
        let today = day("2027-02-01");
        let r = calculate(&v, &stall("2026-12-15", "2026-12-20"), today).unwrap();
        assert_eq!(
            (r.standards_version.as_str(), fine(&r).as_str()),
            ("2026.1", "20.00")
        );
        assert_eq!(
            r.version_choice.as_ref().unwrap().rule,
            VersionRule::ActDate
        );
        assert!(r.version_choice.as_ref().unwrap().compared.is_none());
        for act in ["2027-01-01", "2027-01-02"] {
            let r = calculate(&v, &stall(act, "2027-01-20"), today).unwrap();
            assert_eq!(
                (r.standards_version.as_str(), fine(&r).as_str()),
                ("2026.2", "25.00"),
                "{act}"
            );
        }
    }

    /// A continuing act begun under 2026.1 and ended under 2026.2 is judged by 2026.2, the
    /// version in force when it ended, even where that one is heavier.
    #[test]
    fn a_continuing_act_is_judged_by_the_version_in_force_when_it_ended() {
        let v = two(25);
        let mut req = stall("2026-12-15", "2027-01-20");
        req.act_end_date = Some(day("2027-01-05"));
        let r = calculate(&v, &req, day("2027-02-01")).unwrap();
        assert_eq!(
            (r.standards_version.as_str(), fine(&r).as_str()),
            ("2026.2", "25.00")
        );
        assert_eq!(
            r.version_choice.as_ref().unwrap().rule,
            VersionRule::Continuing
        );
    }

    /// 第三十七条: the new version applies to an old act only where it is lighter.
    #[test]
    fn a_heavier_new_version_does_not_reach_back_and_a_lighter_one_does() {
        let today = day("2027-02-01");
        let heavier = calculate(&two(25), &stall("2026-12-15", "2027-01-20"), today).unwrap();
        assert_eq!(
            (heavier.standards_version.as_str(), fine(&heavier).as_str()),
            ("2026.1", "20.00")
        );
        let choice = heavier.version_choice.as_ref().unwrap();
        assert_eq!(choice.rule, VersionRule::ActDate);
        let compared = choice.compared.as_ref().unwrap();
        assert_eq!(compared.version, "2026.2");
        assert_eq!(compared.fine.as_ref().unwrap().max.to_string(), "25.00");
        assert!(
            heavier
                .legal_basis
                .iter()
                .any(|b| b.text.contains("第三十七条"))
        );

        let lighter = calculate(&two(15), &stall("2026-12-15", "2027-01-20"), today).unwrap();
        assert_eq!(
            (lighter.standards_version.as_str(), fine(&lighter).as_str()),
            ("2026.2", "15.00")
        );
        let choice = lighter.version_choice.as_ref().unwrap();
        assert_eq!(choice.rule, VersionRule::LighterNew);
        assert_eq!(choice.compared.as_ref().unwrap().version, "2026.1");
        assert!(lighter.explanation.last().unwrap().contains("较轻"));
    }

    #[test]
    fn a_withdrawn_version_never_applies_and_the_one_before_applies_again() {
        let mut newer = version("2026.2", "2027-01-01", zhzf_019_tier_2(15));
        newer.meta.withdrawal = Some(Withdrawal {
            at: "2027-01-05T00:00:00Z".into(),
            by: "法制科".into(),
            note: "撤回".into(),
        });
        let v = Versions::new(vec![version("2026.1", "2026-12-01", |_, _| {}), newer]);
        let r = calculate(&v, &stall("2027-01-10", "2027-01-20"), day("2027-02-01")).unwrap();
        assert_eq!(
            (r.standards_version.as_str(), fine(&r).as_str()),
            ("2026.1", "20.00")
        );
    }

    #[test]
    fn a_matter_new_in_a_later_version_cannot_judge_an_earlier_act_and_a_dropped_one_still_does() {
        let today = day("2027-02-01");
        let added = Versions::new(vec![
            version("2026.1", "2026-12-01", without("ZHZF-019")),
            version("2026.2", "2027-01-01", |_, _| {}),
        ]);
        let e = calculate(&added, &stall("2026-12-15", "2027-01-20"), today).unwrap_err();
        assert_eq!(e.code, "matter_not_in_force");
        assert!(e.message.contains("2026.2"), "{}", e.message);
        let dropped = Versions::new(vec![
            version("2026.1", "2026-12-01", |_, _| {}),
            version("2026.2", "2027-01-01", without("ZHZF-019")),
        ]);
        let r = calculate(&dropped, &stall("2026-12-15", "2027-01-20"), today).unwrap();
        assert_eq!(r.standards_version, "2026.1");
        assert!(r.explanation.last().unwrap().contains("已不含该事项"));
    }

    #[test]
    fn with_one_version_the_answer_carries_no_choice() {
        let v = Versions::new(vec![version("2026.1", "2026-12-01", |_, _| {})]);
        let r = calculate(&v, &stall("2026-06-01", "2026-11-20"), day("2026-12-05")).unwrap();
        assert!(r.version_choice.is_none());
        assert!(!r.legal_basis.iter().any(|b| b.text.contains("第三十七条")));
    }

    fn reviewed(versions: &Versions) -> crate::review::CaseReview {
        let case = crate::review::ReviewCase::from_json(&serde_json::json!({
            "case_ref": "龙综执罚〔2027〕3号", "party": "individual",
            "act_date": "2026-12-15", "decision_date": "2027-01-20",
            "acts": [{"matter_id": "ZHZF-019", "facts": {"stall_area": "1.5"}}],
            "proposed": {"fine": "20"}}))
        .unwrap();
        crate::review::review(&ByDate(versions), &case, day("2027-02-01")).unwrap()
    }

    /// A case review weighs each act the same way: a 20-yuan decision for an act of 2026 is
    /// the standard under 2026.1, and heavier than the standard once a lighter 2026.2 applies.
    #[test]
    fn a_review_judges_each_act_by_the_version_that_applies_to_it() {
        let r = reviewed(&two(25));
        assert_eq!(r.acts[0].standards_version, "2026.1");
        assert_eq!(r.verdict, crate::review::Verdict::Conforms);
        let r = reviewed(&two(15));
        assert_eq!(r.acts[0].standards_version, "2026.2");
        assert_eq!(
            r.acts[0].standard.fine.as_ref().unwrap().max.to_string(),
            "15.00"
        );
        assert_eq!(r.verdict, crate::review::Verdict::Deviates);
    }
}
