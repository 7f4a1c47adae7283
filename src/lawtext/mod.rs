//! The law texts of `../shared/laws` as data: articles, paragraphs (款) and items (项), and the
//! fine bands their Chinese text states. Used by `check --laws` and `provisions`; never at serve time.

pub mod amounts;
pub mod corpus;
pub mod crosscheck;
pub mod impact;

use std::collections::BTreeMap;

use crate::numerals::parse_numeral;

/// One 款 and the items (项) that belong to it.
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    pub text: String,
    pub items: Vec<String>,
}

impl Paragraph {
    /// The paragraph with its items, as one text.
    pub fn full_text(&self) -> String {
        let mut s = self.text.clone();
        for i in &self.items {
            s.push('\n');
            s.push_str(i);
        }
        s
    }
}

#[derive(Debug, Clone, Default)]
pub struct Article {
    pub paragraphs: Vec<Paragraph>,
}

impl Article {
    pub fn full_text(&self) -> String {
        self.paragraphs
            .iter()
            .map(Paragraph::full_text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A parsed law file.
#[derive(Debug, Clone)]
pub struct LawText {
    pub title: String,
    pub articles: BTreeMap<u32, Article>,
}

fn article_start(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let number = parse_numeral(&rest[..end])?;
    let after = &rest[end + '条'.len_utf8()..];
    // `第十条之一` and similar inserted articles are not numbered articles of their own here.
    if after.starts_with('之') {
        return None;
    }
    let n: u32 = number.try_into().ok()?;
    Some((n, after.trim_start()))
}

/// `（一）…`, and `(一)…` in the few texts that use half-width brackets.
fn is_item(line: &str) -> bool {
    (line.starts_with('（') || line.starts_with('('))
        && line
            .chars()
            .nth(1)
            .is_some_and(crate::numerals::is_numeral_char)
}

/// Parses the markdown layout described in `../shared/laws/SOURCE.md`.
pub fn parse_law(markdown: &str) -> LawText {
    let mut lines = markdown.lines();
    let title = lines
        .next()
        .unwrap_or("")
        .trim_start_matches('#')
        .trim()
        .to_string();
    let mut articles: BTreeMap<u32, Article> = BTreeMap::new();
    let mut current: Option<u32> = None;
    let mut in_body = !markdown.contains("<!-- INFO END -->");
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("<!-- INFO END") {
            in_body = true;
            continue;
        }
        if !in_body || line.starts_with('#') {
            continue;
        }
        if let Some((n, text)) = article_start(line) {
            // Keep the first article of a number (appendices sometimes restart numbering).
            if articles.contains_key(&n) {
                current = None;
                continue;
            }
            articles.insert(
                n,
                Article {
                    paragraphs: vec![Paragraph {
                        text: text.to_string(),
                        items: vec![],
                    }],
                },
            );
            current = Some(n);
            continue;
        }
        let Some(n) = current else { continue };
        let article = articles.get_mut(&n).expect("current article exists");
        if is_item(line) {
            article
                .paragraphs
                .last_mut()
                .expect("an article has a paragraph")
                .items
                .push(line.to_string());
        } else {
            article.paragraphs.push(Paragraph {
                text: line.to_string(),
                items: vec![],
            });
        }
    }
    LawText { title, articles }
}

/// The day a version came into force where its last article names one after the version's
/// date ("本法自2025年7月1日起施行" in a revision of 2024-11-08); an amendment that keeps the
/// original article (its date earlier) came into force on its own date.
pub fn in_force_after(version: &corpus::Version) -> Option<chrono::NaiveDate> {
    let dated = chrono::NaiveDate::parse_from_str(&version.date, "%Y-%m-%d").ok()?;
    let last = version.law().articles.values().last()?.full_text();
    let stated = coming_into_force(&last)?;
    (stated > dated).then_some(stated)
}

/// `自2025年7月1日起施行` / `自二〇二五年七月一日起施行` in a text: the last such day.
fn coming_into_force(text: &str) -> Option<chrono::NaiveDate> {
    let end = text.rfind("起施行")?;
    let start = text[..end].rfind('自')? + '自'.len_utf8();
    let date = &text[start..end];
    let (year, rest) = date.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    let year: String = year
        .chars()
        .map(|c| match c {
            '〇' | '零' => '0',
            c => crate::numerals::parse_numeral(&c.to_string())
                .and_then(|d| char::from_digit(d.try_into().ok()?, 10))
                .unwrap_or(c),
        })
        .collect();
    let number = |s: &str| -> Option<u32> { parse_numeral(s)?.try_into().ok() };
    chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, number(month)?, number(day)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_of_coming_into_force_is_read_in_either_script() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            coming_into_force("本法自2025年7月1日起施行。"),
            day("2025-07-01")
        );
        assert_eq!(
            coming_into_force("本条例自二〇二一年九月一日起施行。"),
            day("2021-09-01")
        );
        assert_eq!(coming_into_force("本法自公布之日起施行。"), None);
    }

    const SAMPLE: &str = "# 中华人民共和国示例法\n\n2018年10月26日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了示例，制定本法。\n\n第九十九条 违反本法规定，有下列行为之一的，处十万元以上一百万元以下的罚款：\n\n（一）未取得许可的；\n\n（二）超过标准的；\n\n有前款第二项行为的，还可以责令停业。\n\n第一百条 其他。\n";

    #[test]
    fn splits_articles_paragraphs_and_items() {
        let law = parse_law(SAMPLE);
        assert_eq!(law.title, "中华人民共和国示例法");
        assert_eq!(law.articles.len(), 3);
        let a = &law.articles[&99];
        assert_eq!(a.paragraphs.len(), 2);
        assert_eq!(a.paragraphs[0].items.len(), 2);
        assert!(a.paragraphs[0].text.starts_with("违反本法规定"));
        assert!(a.paragraphs[1].text.starts_with("有前款第二项"));
        assert!(law.articles.contains_key(&100));
    }
}

/// A provision that sets a fine, with the bands its text states.
#[derive(Debug, Clone)]
pub struct Provision {
    pub article: u32,
    /// The 款 when the article has several and this one states the bands.
    pub paragraph: Option<u32>,
    /// Items (项) listed under it.
    pub items: usize,
    pub bands: Vec<amounts::StatedBand>,
    /// The start of its text.
    pub excerpt: String,
}

/// Every provision of a law that states a fine band: per 款 where an article has several 款 with
/// their own amounts, else per article.
pub fn penalty_provisions(law: &LawText) -> Vec<Provision> {
    let mut out = Vec::new();
    for (&n, article) in &law.articles {
        let text = article.full_text();
        if !text.contains("罚款") {
            continue;
        }
        let per_paragraph: Vec<(usize, Vec<amounts::StatedBand>)> = article
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| (i, amounts::stated_bands(&p.full_text())))
            .filter(|(_, b)| !b.is_empty())
            .collect();
        let excerpt = |t: &str| t.chars().take(40).collect::<String>();
        if article.paragraphs.len() > 1 && !per_paragraph.is_empty() {
            for (i, bands) in per_paragraph {
                let p = &article.paragraphs[i];
                out.push(Provision {
                    article: n,
                    paragraph: Some(i as u32 + 1),
                    items: p.items.len(),
                    bands,
                    excerpt: excerpt(&p.text),
                });
            }
        } else {
            let bands = amounts::stated_bands(&text);
            if !bands.is_empty() {
                let items = article.paragraphs.iter().map(|p| p.items.len()).sum();
                out.push(Provision {
                    article: n,
                    paragraph: None,
                    items,
                    bands,
                    excerpt: excerpt(&article.paragraphs[0].text),
                });
            }
        }
    }
    out
}
