//! Reading a case from JSON, with the request reader's per-field errors. A case with several
//! acts gives each act its own proposal (分别裁量，合并处罚); a case with one act may give it
//! at the top.

use serde_json::Value;

use super::{AlsoViolates, MAX_ACTS, MAX_ALSO, Proposal, ReviewAct, ReviewCase};
use crate::money;
use crate::request::{CalcError, Fields};

impl ReviewCase {
    /// Reads a case from JSON with precise, per-field errors.
    pub fn from_json(v: &Value) -> Result<ReviewCase, CalcError> {
        let f = Fields::new(
            v,
            "",
            &[
                "case_ref",
                "party",
                "inspector",
                "act_date",
                "discovered_date",
                "decision_date",
                "circumstances",
                "acts",
                "proposed",
                "reason",
            ],
        )?;
        let case_ref = f.required("case_ref", f.text("case_ref", 100)?)?;
        if case_ref.trim().is_empty() {
            return Err(CalcError::invalid(
                "missing_field",
                "case_ref",
                "案件编号 case_ref 不能为空".into(),
                "`case_ref` must not be empty".into(),
            ));
        }
        let party = f.party("party")?;
        let acts = read_acts(&f)?;
        let proposed = f
            .get("proposed")
            .map(|p| read_proposal(p, "proposed"))
            .transpose()?;
        check_one_proposal_per_act(&acts, proposed.as_ref())?;
        let act_date = match f.date("act_date")? {
            Some(d) => d,
            // Without a case date, the earliest act's.
            None => acts
                .iter()
                .filter_map(|a| a.act_date)
                .min()
                .ok_or_else(|| {
                    CalcError::invalid(
                        "missing_field",
                        "act_date",
                        "缺少违法行为发生日期 act_date".into(),
                        "`act_date` is required".into(),
                    )
                })?,
        };
        Ok(ReviewCase {
            case_ref,
            party,
            inspector: f.text("inspector", 50)?.filter(|s| !s.trim().is_empty()),
            act_date,
            discovered_date: f.date("discovered_date")?,
            decision_date: f.date("decision_date")?,
            circumstances: f.strings("circumstances")?,
            acts,
            proposed,
            reason: f.text("reason", 2000)?,
        })
    }
}

fn read_acts(f: &Fields) -> Result<Vec<ReviewAct>, CalcError> {
    let raw_acts = f
        .required("acts", f.get("acts").map(|_| ()))
        .and_then(|_| f.array("acts"))?;
    if raw_acts.is_empty() || raw_acts.len() > MAX_ACTS {
        return Err(CalcError::invalid(
            "invalid_acts",
            "acts",
            format!("acts 应列出1至{MAX_ACTS}个违法行为"),
            format!("`acts` must list 1 to {MAX_ACTS} acts"),
        ));
    }
    raw_acts
        .iter()
        .enumerate()
        .map(|(i, a)| read_act(a, &format!("acts[{i}]")))
        .collect()
}

fn read_act(a: &Value, path: &str) -> Result<ReviewAct, CalcError> {
    let af = Fields::new(
        a,
        path,
        &[
            "matter_id",
            "facts",
            "also_violates",
            "act_date",
            "act_end_date",
            "proposed",
            "reason",
        ],
    )?;
    let also_violates = read_also_violates(&af)?;
    Ok(ReviewAct {
        matter_id: af.required("matter_id", af.text("matter_id", 40)?)?,
        facts: af.object("facts")?,
        also_violates,
        act_date: af.date("act_date")?,
        act_end_date: af.date("act_end_date")?,
        proposed: af
            .get("proposed")
            .map(|p| read_proposal(p, &af.at("proposed")))
            .transpose()?,
        reason: af.text("reason", 2000)?,
    })
}

/// The further provisions one act violates (第二十九条).
fn read_also_violates(af: &Fields) -> Result<Vec<AlsoViolates>, CalcError> {
    let also_raw = af.array("also_violates")?;
    if also_raw.len() > MAX_ALSO {
        return Err(CalcError::invalid(
            "invalid_acts",
            af.at("also_violates"),
            format!("一个违法行为最多列{MAX_ALSO}个同时违反的事项"),
            format!("at most {MAX_ALSO} further provisions per act"),
        ));
    }
    let mut also_violates = Vec::new();
    for (j, o) in also_raw.iter().enumerate() {
        let of = Fields::new(
            o,
            &format!("{}[{j}]", af.at("also_violates")),
            &["matter_id", "facts"],
        )?;
        also_violates.push(AlsoViolates {
            matter_id: of.required("matter_id", of.text("matter_id", 40)?)?,
            facts: of.object("facts")?,
        });
    }
    Ok(also_violates)
}

/// Each act has exactly one proposal: its own, or (with one act only) the case's.
fn check_one_proposal_per_act(
    acts: &[ReviewAct],
    proposed: Option<&Proposal>,
) -> Result<(), CalcError> {
    if acts.len() > 1 && proposed.is_some() {
        return Err(CalcError::invalid(
            "proposal_per_act",
            "proposed",
            "本案有多个违法行为，应在每个 acts[i].proposed 中分别填写拟作出的处罚（分别裁量，合并处罚）".into(),
            "the case has several acts: give each act its own `acts[i].proposed`".into(),
        ));
    }
    for (i, a) in acts.iter().enumerate() {
        if a.proposed.is_none() && proposed.is_none() {
            let field = if acts.len() == 1 {
                "proposed".to_string()
            } else {
                format!("acts[{i}].proposed")
            };
            return Err(CalcError::invalid(
                "missing_field",
                field.clone(),
                format!("缺少拟作出的处罚决定 {field}"),
                format!("`{field}` is required"),
            ));
        }
        if a.proposed.is_some() && proposed.is_some() {
            return Err(CalcError::invalid(
                "contradictory_proposal",
                "proposed",
                "拟作出的处罚决定只能在 proposed 或 acts[0].proposed 中填写一处".into(),
                "give the proposal either in `proposed` or in `acts[0].proposed`".into(),
            ));
        }
    }
    Ok(())
}

/// A proposal: a fine of "0" is no fine; the fine goes in `fine`, not among the measures; a
/// first-offence waiver is a no-penalty proposal, and no-penalty excludes a fine.
fn read_proposal(v: &Value, path: &str) -> Result<Proposal, CalcError> {
    let f = Fields::new(
        v,
        path,
        &["fine", "measures", "no_penalty", "first_offense_waiver"],
    )?;
    let fine = f.amount("fine")?.filter(|x| !x.is_zero()).map(money::yuan);
    let measures = f.strings("measures")?;
    if let Some(i) = measures.iter().position(|m| m.trim() == "罚款") {
        let field = format!("{}[{i}]", f.at("measures"));
        return Err(CalcError::invalid(
            "fine_in_measures",
            field.clone(),
            format!("{field}：罚款数额请填在 fine 字段"),
            format!("`{field}`: put the fine in `fine`"),
        ));
    }
    let first_offense_waiver = f.flag("first_offense_waiver")?;
    let no_penalty = f.flag("no_penalty")? || first_offense_waiver;
    if no_penalty && fine.is_some() {
        return Err(CalcError::invalid(
            "contradictory_proposal",
            f.at("fine"),
            format!("拟不予处罚时不能同时拟处罚款（{}）", f.at("fine")),
            format!("`{}` given with a no-penalty proposal", f.at("fine")),
        ));
    }
    Ok(Proposal {
        fine,
        measures,
        no_penalty,
        first_offense_waiver,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(v: Value) -> (&'static str, Option<String>) {
        let e = ReviewCase::from_json(&v).expect_err("must be refused");
        (e.code, e.field)
    }

    fn two_acts(a: Value, b: Value, proposed: Option<Value>) -> Value {
        let mut v = json!({
            "case_ref": "测试〔2026〕1号",
            "party": "organisation",
            "acts": [a, b],
        });
        if let Some(p) = proposed {
            v["proposed"] = p;
        }
        v
    }

    #[test]
    fn several_acts_each_carry_their_own_proposal() {
        let act =
            |d: &str| json!({"matter_id": "FIX-002", "act_date": d, "proposed": {"fine": "2000"}});
        assert_eq!(
            refused(two_acts(
                act("2026-09-01"),
                act("2026-09-02"),
                Some(json!({"fine": "1"}))
            )),
            ("proposal_per_act", Some("proposed".into()))
        );
        assert_eq!(
            refused(two_acts(
                act("2026-09-01"),
                json!({"matter_id": "FIX-001"}),
                None
            )),
            ("missing_field", Some("acts[1].proposed".into()))
        );
        // Without a case date, the earliest act's.
        let case = ReviewCase::from_json(&two_acts(act("2026-09-05"), act("2026-09-02"), None))
            .expect("parses");
        assert_eq!(case.act_date.to_string(), "2026-09-02");
    }

    #[test]
    fn a_proposal_keeps_the_fine_apart_and_no_penalty_without_a_fine() {
        let one = |proposed: Value| {
            json!({"case_ref": "测试", "party": "individual", "act_date": "2026-09-01",
                   "acts": [{"matter_id": "FIX-002"}], "proposed": proposed})
        };
        assert_eq!(
            refused(one(json!({"measures": ["警告", "罚款"]}))),
            ("fine_in_measures", Some("proposed.measures[1]".into()))
        );
        assert_eq!(
            refused(one(json!({"fine": "100", "first_offense_waiver": true}))),
            ("contradictory_proposal", Some("proposed.fine".into()))
        );
        let case = ReviewCase::from_json(&one(json!({"fine": "0", "first_offense_waiver": true})))
            .expect("a zero fine is no fine");
        let p = case.proposed.expect("given");
        assert_eq!((p.fine, p.no_penalty), (None, true));
        let case = ReviewCase::from_json(&one(json!({"fine": 50.5}))).expect("parses");
        assert_eq!(case.proposed.unwrap().fine.unwrap().to_string(), "50.50");
    }

    #[test]
    fn the_case_and_its_acts_are_bounded() {
        let mut v = json!({"case_ref": " ", "party": "individual", "act_date": "2026-09-01",
                           "acts": [{"matter_id": "FIX-002"}], "proposed": {}});
        assert_eq!(
            refused(v.clone()),
            ("missing_field", Some("case_ref".into()))
        );
        v["case_ref"] = json!("测试");
        v["acts"] = json!([]);
        assert_eq!(refused(v.clone()), ("invalid_acts", Some("acts".into())));
        let also: Vec<Value> = (0..=MAX_ALSO)
            .map(|i| json!({"matter_id": format!("FIX-00{i}")}))
            .collect();
        v["acts"] = json!([{"matter_id": "FIX-002", "also_violates": also}]);
        assert_eq!(
            refused(v),
            ("invalid_acts", Some("acts[0].also_violates".into()))
        );
    }
}
