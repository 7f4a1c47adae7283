//! Coverage by what is enforced (issue 14): for each unit, its core laws and regulations, and
//! for every provision in them that sets a fine, either the matters that cover it or the reason
//! the set leaves it out (another level or agency enforces it, the police, nothing of the kind
//! in the district …). The input is `standards/coverage.toml`; the output `standards/COVERAGE.md`
//! is generated and checked. Pure: the provisions are read from the law texts by the caller.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Deserialize;

use super::StandardsSet;

/// `standards/coverage/<UNIT>.toml`: a unit, the laws it enforces day to day, and the
/// provisions of them the set leaves out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitCoverage {
    pub code: String,
    pub laws: Vec<String>,
    #[serde(default)]
    pub not_covered: Vec<Exclusion>,
}

/// A provision the set leaves out, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub law: String,
    pub article: u32,
    #[serde(default)]
    pub paragraph: Option<u32>,
    pub reason: Reason,
    /// Who enforces it instead, or what the district lacks, in Chinese.
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// 由设区的市以上或者省级部门执法 (the article names a higher authority).
    OtherLevel,
    /// 由公安机关执法.
    Police,
    /// 由本表各单位以外的机关执法 (海事、税务、金融监管 …).
    OtherAgency,
    /// 由本区另一执法单位执法 (the note names it; the coverage of its unit lists the law).
    OtherUnit,
    /// 本区没有该类对象或者活动.
    NotInDistrict,
    /// 本区少见：不单列事项，发生时依本条逐案裁量 (said openly rather than passed off as absent).
    Rare,
    /// 被其他条款或者法规取代，或者由另一事项的条款适用.
    Superseded,
    /// 针对国家工作人员的处分等，不属于对当事人的行政处罚.
    NotApplicable,
}

impl Reason {
    pub fn label(self) -> &'static str {
        match self {
            Reason::OtherLevel => "由上级部门执法",
            Reason::Police => "由公安机关执法",
            Reason::OtherAgency => "由其他机关执法",
            Reason::OtherUnit => "由本区其他执法单位执法",
            Reason::NotInDistrict => "本区无此类对象",
            Reason::Rare => "本区少见，发生时依本条逐案裁量",
            Reason::Superseded => "由其他条款适用",
            Reason::NotApplicable => "不属于对当事人的处罚",
        }
    }
}

/// A provision of a law that sets a fine, as the law texts give it.
#[derive(Debug, Clone)]
pub struct ProvisionRef {
    pub article: u32,
    pub paragraph: Option<u32>,
    /// The bands it states, for people: `1000–10000元`.
    pub bands: String,
}

/// The matters that cite (law, article, paragraph) as a penalty provision.
pub fn covering(
    set: &StandardsSet,
    law: &str,
    article: u32,
    paragraph: Option<u32>,
) -> Vec<String> {
    set.matters
        .iter()
        .filter(|m| {
            std::iter::once(&m.penalty).chain(&m.penalty_also).any(|c| {
                c.law == law
                    && c.article == article
                    && (paragraph.is_none() || c.paragraph.is_none() || c.paragraph == paragraph)
            })
        })
        .map(|m| m.id.clone())
        .collect()
}

/// The report and what is wrong with the coverage file: a provision neither covered nor left
/// out with a reason, a reason for a provision that does not exist or is covered, a unit or a
/// law unknown. `provisions` holds every listed law's provisions (a law missing from it is not
/// in the law texts).
pub fn report(
    units: &[UnitCoverage],
    set: &StandardsSet,
    provisions: &BTreeMap<String, Vec<ProvisionRef>>,
) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut md = String::from(HEADER);
    let (mut total, mut covered) = (0usize, 0usize);
    for unit in units {
        let Some(u) = set.unit(&unit.code) else {
            problems.push(format!("unit `{}` is not in the standards", unit.code));
            continue;
        };
        let file = unit;
        let mut used = vec![false; file.not_covered.len()];
        let _ = writeln!(md, "\n## {} {}\n", u.code, u.name);
        for law in &unit.laws {
            let Some(list) = provisions.get(law) else {
                problems.push(format!(
                    "{}: no law titled `{law}` in the law texts",
                    u.code
                ));
                continue;
            };
            let _ = writeln!(
                md,
                "### 《{law}》\n\n| 条款 | 罚款 | 本基准事项或者未纳入的理由 |\n|---|---|---|"
            );
            for p in list {
                total += 1;
                let matters = covering(set, law, p.article, p.paragraph);
                let excluded = file.not_covered.iter().position(|e| {
                    e.law == *law && e.article == p.article && e.paragraph == p.paragraph
                });
                if let Some(i) = excluded {
                    used[i] = true;
                }
                let place = place(p.article, p.paragraph);
                let cell = match (matters.is_empty(), excluded) {
                    (false, None) => {
                        covered += 1;
                        matters.join("、")
                    }
                    (true, Some(i)) => {
                        let e = &file.not_covered[i];
                        format!("未纳入：{}（{}）", e.reason.label(), e.note)
                    }
                    (false, Some(_)) => {
                        problems.push(format!(
                            "{}: 《{law}》{place}: covered by {} and listed as not covered",
                            u.code,
                            matters.join(", ")
                        ));
                        matters.join("、")
                    }
                    (true, None) => {
                        problems.push(format!(
                            "{}: 《{law}》{place}: neither covered by a matter nor listed with a reason",
                            u.code
                        ));
                        "（未说明）".to_string()
                    }
                };
                let _ = writeln!(md, "| {place} | {} | {cell} |", p.bands);
            }
            md.push('\n');
        }
        for (e, used) in file.not_covered.iter().zip(used) {
            if !used {
                problems.push(format!(
                    "{}: 《{}》{}: listed as not covered, but no listed law has such a provision",
                    u.code,
                    e.law,
                    place(e.article, e.paragraph)
                ));
            }
        }
    }
    let _ = writeln!(
        md,
        "\n共 {total} 个设定罚款的条款，{covered} 个由本基准事项覆盖，{} 个说明了未纳入的理由。",
        total - covered
    );
    (md, problems)
}

/// `第六十四条` / `第六十四条第二款`.
fn place(article: u32, paragraph: Option<u32>) -> String {
    let mut s = format!("第{}条", crate::numerals::to_chinese(article));
    if let Some(p) = paragraph {
        s.push_str(&format!("第{}款", crate::numerals::to_chinese(p)));
    }
    s
}

const HEADER: &str = "# 罚则覆盖情况\n\n\
本文件由 `penalty-standards coverage --laws ../shared/laws --write` 根据 `standards/coverage.toml` 和法律文本生成，请勿手工修改。\
对每个执法单位日常执法所依据的法律、法规和规章，列出其中设定罚款的每一个条款（款），\
以及覆盖它的裁量事项，或者本基准未纳入的理由。\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::FIXTURES;

    fn file(toml: &str) -> Vec<UnitCoverage> {
        vec![toml::from_str(toml).unwrap()]
    }

    fn provisions() -> BTreeMap<String, Vec<ProvisionRef>> {
        let p = |article, paragraph| ProvisionRef {
            article,
            paragraph,
            bands: "1–2元".into(),
        };
        BTreeMap::from([(
            "中华人民共和国大气污染防治法".to_string(),
            vec![p(99, None), p(100, None)],
        )])
    }

    #[test]
    fn every_provision_is_covered_or_left_out_with_a_reason() {
        let f = file(
            r#"
            code = "FIX"
            laws = ["中华人民共和国大气污染防治法"]
            "#,
        );
        let (md, problems) = report(&f, &FIXTURES, &provisions());
        assert_eq!(
            problems,
            [
                "FIX: 《中华人民共和国大气污染防治法》第一百条: neither covered by a matter nor listed with a reason"
            ]
        );
        assert!(md.contains("| 第九十九条 | 1–2元 | FIX-001 |"), "{md}");
        let f = file(
            r#"
            code = "FIX"
            laws = ["中华人民共和国大气污染防治法"]
            [[not_covered]]
            law = "中华人民共和国大气污染防治法"
            article = 100
            reason = "other_level"
            note = "由省级生态环境主管部门执法"
            "#,
        );
        let (md, problems) = report(&f, &FIXTURES, &provisions());
        assert!(problems.is_empty(), "{problems:?}");
        assert!(md.contains("未纳入：由上级部门执法（由省级生态环境主管部门执法）"));
    }

    #[test]
    fn a_stale_or_contradicting_reason_is_a_problem() {
        let f = file(
            r#"
            code = "FIX"
            laws = ["中华人民共和国大气污染防治法"]
            [[not_covered]]
            law = "中华人民共和国大气污染防治法"
            article = 99
            reason = "police"
            note = "x"
            [[not_covered]]
            law = "中华人民共和国大气污染防治法"
            article = 7
            reason = "police"
            note = "x"
            "#,
        );
        let (_, problems) = report(&f, &FIXTURES, &provisions());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("covered by FIX-001 and listed"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("第七条: listed as not covered"))
        );
    }
}
