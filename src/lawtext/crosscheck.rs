//! Cross-checks the standards against the law texts: the law exists under its exact title, the
//! newest version is cited, the article, paragraph and item exist, and the fine bands declared
//! in a matter are the bands its penalty provision states.

use rust_decimal::Decimal;

use super::Article;
use super::amounts::{StatedBand, StatedUnit, stated_bands, yuan_figures};
use super::corpus::{Corpus, Version};
use crate::standards::{Citation, FineKind, FineRule, Matter, Party, Problem};

/// The text a citation points at, or why it points at nothing.
pub fn resolve<'c>(corpus: &'c Corpus, c: &Citation) -> Result<(&'c Version, String), String> {
    let Some(versions) = corpus.versions(&c.law) else {
        let hint = corpus.similar(c.law.trim_start_matches("中华人民共和国"));
        return Err(if hint.is_empty() {
            format!("no law titled `{}` in the corpus", c.law)
        } else {
            format!(
                "no law titled `{}` in the corpus (titles nearby: {})",
                c.law,
                hint.join("、")
            )
        });
    };
    let version = cited_version(versions, c)?;
    let law = version.law();
    let article = law.articles.get(&c.article).ok_or_else(|| {
        format!(
            "{}: there is no such article (the law has {})",
            c.render(),
            law.articles.len()
        )
    })?;
    let text = match c.paragraph {
        Some(p) => paragraph_text(article, p, c)?,
        None => {
            if let Some(i) = c.item {
                check_item_without_paragraph(article, i, c)?;
            }
            article.full_text()
        }
    };
    Ok((version, text))
}

/// A citation of a version that came into force after its date says so (`in_force`), and
/// says it right.
fn in_force_stated(version: &Version, c: &Citation) -> Result<(), String> {
    // A citation without a version (the engine's own, or a law with one text) names no date
    // to compare with.
    if c.version.is_none() && c.in_force.is_none() {
        return Ok(());
    }
    let stated = super::in_force_after(version);
    if stated == c.in_force {
        return Ok(());
    }
    Err(match stated {
        Some(d) => format!(
            "{}: the {} version came into force on {d}; write `in_force = \"{d}\"`",
            c.render(),
            version.date
        ),
        None => format!(
            "{}: the {} version states no later day of coming into force; remove `in_force`",
            c.render(),
            version.date
        ),
    })
}

/// The version a citation names, which must be the newest; without one, the law's only version.
fn cited_version<'c>(versions: &'c [Version], c: &Citation) -> Result<&'c Version, String> {
    let newest = versions.last().expect("a law has a version");
    let dates = || {
        versions
            .iter()
            .map(|x| x.date.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &c.version {
        Some(v) => {
            let found = versions
                .iter()
                .find(|x| &x.date == v)
                .ok_or_else(|| format!("{} has no version {v} (versions: {})", c.law, dates()))?;
            if found.date != newest.date {
                return Err(format!(
                    "cites the {v} version of {}, but the newest in force is {}",
                    c.law, newest.date
                ));
            }
            Ok(found)
        }
        None if versions.len() > 1 => Err(format!(
            "{} exists in several versions ({}); say which with `version = \"{}\"`",
            c.law,
            dates(),
            newest.date
        )),
        None => Ok(newest),
    }
}

/// The text of paragraph `p` (its item checked, if the citation names one).
fn paragraph_text(article: &Article, p: u32, c: &Citation) -> Result<String, String> {
    let para = article.paragraphs.get(p as usize - 1).ok_or_else(|| {
        format!(
            "{}: the article has {} paragraph(s)",
            c.render(),
            article.paragraphs.len()
        )
    })?;
    if let Some(i) = c.item
        && para.items.len() < i as usize
    {
        return Err(format!(
            "{}: the paragraph has {} item(s)",
            c.render(),
            para.items.len()
        ));
    }
    // Some articles list the acts in one paragraph and set the amounts in the next
    // ("有前款第一项、第八项行为之一的，处…"): then the whole article is the text.
    let text = para.full_text();
    Ok(if super::amounts::stated_bands(&text).is_empty() {
        article.full_text()
    } else {
        text
    })
}

/// An item cited without its paragraph: only one paragraph may have items, and it must have
/// item `i`.
fn check_item_without_paragraph(article: &Article, i: u32, c: &Citation) -> Result<(), String> {
    let items = article
        .paragraphs
        .first()
        .map(|p| p.items.len())
        .unwrap_or(0);
    if article.paragraphs.len() > 1
        && article
            .paragraphs
            .iter()
            .filter(|p| !p.items.is_empty())
            .count()
            > 1
    {
        return Err(format!(
            "{}: the article has several paragraphs with items; name the paragraph",
            c.render()
        ));
    }
    let items = article
        .paragraphs
        .iter()
        .map(|p| p.items.len())
        .max()
        .unwrap_or(items);
    if items < i as usize {
        return Err(format!("{}: the article has {items} item(s)", c.render()));
    }
    Ok(())
}

fn show(b: &StatedBand) -> String {
    let unit = match b.unit {
        StatedUnit::Yuan => "元",
        StatedUnit::Multiple => "倍",
        StatedUnit::Percent => "%",
    };
    match b.max {
        Some(max) => format!("{}–{}{unit}", b.min.normalize(), max.normalize()),
        None => format!("≥{}{unit}", b.min.normalize()),
    }
}

/// A `tranches` fine: each rate and the cap are figures the provision states.
fn tranche_problems(rule: &FineRule, text: &str) -> Vec<String> {
    let figures = yuan_figures(text);
    let mut out = Vec::new();
    for t in &rule.tranches {
        if !figures.contains(&t.rate) {
            out.push(format!(
                "the rate {}元 is not a figure the provision states",
                t.rate.normalize()
            ));
        }
    }
    if let Some(cap) = rule.cap
        && !figures.contains(&cap)
    {
        out.push(format!(
            "the cap {}元 is not a figure the provision states",
            cap.normalize()
        ));
    }
    out
}

fn rule_problems(rule: &FineRule, text: &str) -> Vec<String> {
    if rule.kind == FineKind::Tranches {
        return tranche_problems(rule, text);
    }
    let bands = stated_bands(text);
    let mut out = Vec::new();
    let unit = match rule.kind {
        FineKind::Range | FineKind::PerUnit | FineKind::Tranches => StatedUnit::Yuan,
        FineKind::Multiple => StatedUnit::Multiple,
        FineKind::Percent => StatedUnit::Percent,
    };
    let has = |unit: StatedUnit, min: Decimal, max: Decimal| {
        bands
            .iter()
            .any(|b| b.unit == unit && b.min == min && b.max == Some(max))
    };
    if !has(unit, rule.min, rule.max) {
        let wanted = show(&StatedBand {
            unit,
            min: rule.min,
            max: Some(rule.max),
        });
        let stated: Vec<String> = bands.iter().map(show).collect();
        out.push(if stated.is_empty() {
            format!("declares {wanted}, but the provision states no fine band")
        } else {
            format!(
                "declares {wanted}, but the provision states {}",
                stated.join(", ")
            )
        });
    }
    if let Some(sb) = &rule.serious
        && !has(StatedUnit::Yuan, sb.min, sb.max)
    {
        out.push(format!(
            "the band 「{}」 {}–{}元 is not a band the provision states",
            sb.condition,
            sb.min.normalize(),
            sb.max.normalize()
        ));
    }
    let figures = yuan_figures(text);
    if let Some(fb) = &rule.fallback {
        if !has(StatedUnit::Yuan, fb.min, fb.max) {
            out.push(format!(
                "fallback {}–{}元 is not a band the provision states",
                fb.min.normalize(),
                fb.max.normalize()
            ));
        }
        if let Some(below) = fb.below
            && !figures.contains(&below)
        {
            out.push(format!(
                "fallback threshold {}元 does not appear in the provision",
                below.normalize()
            ));
        }
    }
    for (what, x) in [
        ("floor", rule.floor),
        ("cap", rule.cap),
        ("base_floor", rule.base_floor),
    ] {
        if let Some(x) = x
            && !figures.contains(&x)
        {
            out.push(format!(
                "{what} {}元 does not appear in the provision",
                x.normalize()
            ));
        }
    }
    out
}

fn problem(m: &Matter, message: String) -> Problem {
    Problem {
        file: m.source.file.clone(),
        line: m.source.line,
        matter: Some(m.id.clone()),
        message,
    }
}

/// Every problem of one matter against the corpus.
pub fn check_matter(m: &Matter, corpus: &Corpus) -> Vec<Problem> {
    let mut out = Vec::new();
    // The penalty provisions decide which acts the matter may judge (第三十七条).
    for (role, c) in std::iter::once(("penalty", &m.penalty))
        .chain(m.penalty_also.iter().map(|c| ("penalty_also", c)))
    {
        if let Err(e) = resolve(corpus, c).and_then(|(v, _)| in_force_stated(v, c))
            && e.contains("in_force")
        {
            out.push(problem(m, format!("{role}: {e}")));
        }
    }
    if let Err(e) = resolve(corpus, &m.violated) {
        out.push(problem(m, format!("violated: {e}")));
    }
    let mut also = String::new();
    for c in &m.penalty_also {
        match resolve(corpus, c) {
            Ok((_, t)) => {
                also.push('\n');
                also.push_str(&t);
            }
            Err(e) => out.push(problem(m, format!("penalty_also: {e}"))),
        }
    }
    match resolve(corpus, &m.penalty) {
        Err(e) => out.push(problem(m, format!("penalty: {e}"))),
        Ok((_, text)) => {
            // The bands may be stated by any of the penalty provisions.
            let text = text + &also;
            let mut rules: Vec<(&str, &FineRule)> = Vec::new();
            for p in Party::SIDES {
                if let Some(r) = m.statutory.fine_of_side(p)
                    && !rules.iter().any(|(_, x)| *x == r)
                {
                    rules.push((p.label(), r));
                }
            }
            let others = [
                ("农户", &m.statutory.fine_farmer),
                (
                    "直接负责的主管人员和其他直接责任人员",
                    &m.statutory.fine_persons,
                ),
            ];
            for (who, r) in others {
                if let Some(r) = r {
                    rules.push((who, r));
                }
            }
            if !rules.is_empty() && !text.contains("罚款") {
                out.push(problem(
                    m,
                    format!(
                        "penalty: {} sets no fine (no 罚款 in its text)",
                        m.penalty.render()
                    ),
                ));
            }
            for (who, rule) in rules {
                for e in rule_problems(rule, &text) {
                    out.push(problem(
                        m,
                        format!("penalty {} ({who}): {e}", m.penalty_text()),
                    ));
                }
            }
        }
    }
    out
}

/// Checks citations that are not tied to a matter (the engine's own articles).
pub fn check_citations(citations: &[Citation], corpus: &Corpus, file: &str) -> Vec<Problem> {
    citations
        .iter()
        .filter_map(|c| {
            resolve(corpus, c)
                .and_then(|(v, _)| in_force_stated(v, c))
                .err()
        })
        .map(|e| Problem {
            file: file.to_string(),
            line: 1,
            matter: None,
            message: e,
        })
        .collect()
}
