//! What an amendment did to a cited provision: the citation read in the version it names and in
//! the newest version of the same law. `compare` is pure (two parsed texts in, a verdict out);
//! `matter_impacts` finds the two versions in the corpus for every citation of a matter.

use super::corpus::Corpus;
use super::{Article, LawText};
use crate::standards::{Citation, Matter};

/// The changed part of a text, in both versions, with a little context around it; the changed
/// characters between 【】. Never the whole article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub before: String,
    pub after: String,
}

/// What became of a cited provision in the newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The article reads exactly as before.
    Unchanged,
    /// The cited text (the article, or its cited 款/项) reads differently.
    Reworded(Difference),
    /// The cited 款/项 reads as before, but other parts of the article changed.
    OtherPartsChanged(Difference),
    /// The cited text is still in the article, under another 款/项.
    PartMoved {
        paragraph: Option<u32>,
        item: Option<u32>,
    },
    /// The article now has another number (and, if `reworded`, also another wording).
    Renumbered {
        article: u32,
        reworded: Option<Difference>,
    },
    /// The article is gone, or its number now holds an unrelated article.
    Removed,
    /// The cited 款/项 no longer exists in the article, and its text is nowhere in it.
    PartRemoved,
    /// The citation does not resolve in the version it names (`check --laws` says why).
    NotInCitedVersion,
}

/// The three things the legal office distinguishes after an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TextChanged,
    RenumberedOrRemoved,
    ParagraphOrItemChanged,
}

impl Change {
    /// `None` when there is nothing to revise (or nothing to compare).
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Change::Unchanged | Change::NotInCitedVersion => None,
            Change::Reworded(_) => Some(Kind::TextChanged),
            Change::Renumbered { .. } | Change::Removed | Change::PartRemoved => {
                Some(Kind::RenumberedOrRemoved)
            }
            Change::OtherPartsChanged(_) | Change::PartMoved { .. } => {
                Some(Kind::ParagraphOrItemChanged)
            }
        }
    }

    /// The change, said for the legal office.
    pub fn describe(&self) -> String {
        use crate::numerals::to_chinese;
        match self {
            Change::Unchanged => "条文未变".into(),
            Change::Reworded(_) => "条文内容已修改".into(),
            Change::OtherPartsChanged(_) => "所引款项未变，本条其他款项已修改".into(),
            Change::PartMoved { paragraph, item } => {
                let mut at = String::new();
                if let Some(p) = paragraph {
                    at.push_str(&format!("第{}款", to_chinese(*p)));
                }
                if let Some(i) = item {
                    at.push_str(&format!("第{}项", to_chinese(*i)));
                }
                format!("所引内容现为本条{at}（款项序号变化）")
            }
            Change::Renumbered { article, reworded } => format!(
                "条文已重新编号，现为第{}条{}",
                to_chinese(*article),
                if reworded.is_some() {
                    "，内容亦有修改"
                } else {
                    ""
                }
            ),
            Change::Removed => "最新版本中已无此条（已删除，或该条号现为另一条文）".into(),
            Change::PartRemoved => "所引款项在最新版本中已不存在".into(),
            Change::NotInCitedVersion => "所引版本中找不到该条文，无法比较".into(),
        }
    }

    pub fn difference(&self) -> Option<&Difference> {
        match self {
            Change::Reworded(d) | Change::OtherPartsChanged(d) => Some(d),
            Change::Renumbered { reworded, .. } => reworded.as_ref(),
            _ => None,
        }
    }
}

/// Whitespace is layout in these files, never wording, and some versions write `(一)` and `,`
/// where others write `（一）` and `，`: the same text.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ';' => '；',
            ':' => '：',
            _ => c,
        })
        .collect()
}

/// An item without its `（三）`: an item that only moved reads the same under another number.
fn item_body(item: &str) -> String {
    let text = normalized(item);
    if !text.starts_with('（') {
        return text;
    }
    match text.split_once('）') {
        Some((_, body)) => body.to_string(),
        None => text,
    }
}

/// The paragraph that holds the items when a citation names an item but no paragraph: the
/// first with items (`check --laws` insists there is only one).
fn items_paragraph(article: &Article) -> Option<usize> {
    article.paragraphs.iter().position(|p| !p.items.is_empty())
}

/// The text a citation points at inside its article, normalized.
fn cited_part(article: &Article, c: &Citation) -> Option<String> {
    let paragraph = match c.paragraph {
        Some(p) => Some(article.paragraphs.get((p as usize).checked_sub(1)?)?),
        None if c.item.is_some() => Some(&article.paragraphs[items_paragraph(article)?]),
        None => None,
    };
    match (paragraph, c.item) {
        (Some(p), Some(i)) => p
            .items
            .get((i as usize).checked_sub(1)?)
            .map(|t| item_body(t)),
        (Some(p), None) => Some(normalized(&p.full_text())),
        (None, _) => Some(normalized(&article.full_text())),
    }
}

/// Where the cited text sits now in the same article, if it moved to another 款/项.
fn moved_part(article: &Article, c: &Citation, cited: &str) -> Option<(Option<u32>, Option<u32>)> {
    let numbered = |i: usize| Some(i as u32 + 1);
    for (pi, p) in article.paragraphs.iter().enumerate() {
        let paragraph = c.paragraph.and(numbered(pi));
        if c.item.is_none() {
            if normalized(&p.full_text()) == cited {
                return Some((paragraph, None));
            }
            continue;
        }
        if let Some(ii) = p.items.iter().position(|t| item_body(t) == cited) {
            return Some((paragraph, numbered(ii)));
        }
    }
    None
}

/// Dice coefficient of the two texts' character pairs: 1 for the same text, near 0 for
/// unrelated ones. Enough to tell an amended article from a different one.
fn similarity(a: &str, b: &str) -> f64 {
    let pairs = |s: &str| {
        let chars: Vec<char> = s.chars().collect();
        let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    };
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() || y.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Below this an article at the same number is taken for a different article.
const SAME_ARTICLE: f64 = 0.4;
/// At least this similar for an article elsewhere to count as the cited one renumbered.
const RENUMBERED: f64 = 0.6;

/// One step of walking two texts side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Same(char),
    Dropped(char),
    Added(char),
}

/// Past this many cells of the alignment table the middle is taken as one change: an excerpt
/// does not need the finest alignment of two very different long texts.
const MAX_ALIGNMENT_CELLS: usize = 4_000_000;

/// The two texts aligned character by character (a longest common subsequence), after their
/// common start and end.
fn align(before: &[char], after: &[char]) -> Vec<Step> {
    let prefix = before.iter().zip(after).take_while(|(x, y)| x == y).count();
    let suffix = before[prefix..]
        .iter()
        .rev()
        .zip(after[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (b, a) = (
        &before[prefix..before.len() - suffix],
        &after[prefix..after.len() - suffix],
    );
    let mut steps: Vec<Step> = before[..prefix].iter().map(|&c| Step::Same(c)).collect();
    if (b.len() + 1) * (a.len() + 1) > MAX_ALIGNMENT_CELLS {
        steps.extend(b.iter().map(|&c| Step::Dropped(c)));
        steps.extend(a.iter().map(|&c| Step::Added(c)));
    } else {
        steps.extend(align_middle(b, a));
    }
    steps.extend(
        before[before.len() - suffix..]
            .iter()
            .map(|&c| Step::Same(c)),
    );
    steps
}

/// The textbook longest-common-subsequence table, walked from the start.
fn align_middle(b: &[char], a: &[char]) -> Vec<Step> {
    let width = a.len() + 1;
    // lcs[i * width + j]: the longest common subsequence of b[i..] and a[j..].
    let mut lcs = vec![0u32; (b.len() + 1) * width];
    for i in (0..b.len()).rev() {
        for j in (0..a.len()).rev() {
            lcs[i * width + j] = if b[i] == a[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j, mut steps) = (0, 0, Vec::new());
    while i < b.len() || j < a.len() {
        if i < b.len() && j < a.len() && b[i] == a[j] {
            steps.push(Step::Same(b[i]));
            (i, j) = (i + 1, j + 1);
        } else if j == a.len()
            || (i < b.len() && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
        {
            steps.push(Step::Dropped(b[i]));
            i += 1;
        } else {
            steps.push(Step::Added(a[j]));
            j += 1;
        }
    }
    steps
}

/// Characters shown either side of a change.
const CONTEXT: usize = 8;
/// Steps an excerpt covers at most from its first change.
const EXCERPT_STEPS: usize = 60;

/// Which steps an excerpt shows ([start, end)), around the first change and those near it.
fn excerpt_window(steps: &[Step]) -> (usize, usize) {
    let changed = |s: &Step| !matches!(s, Step::Same(_));
    let Some(first) = steps.iter().position(changed) else {
        return (0, 0);
    };
    let mut last = first;
    for (i, step) in steps.iter().enumerate().skip(first) {
        if i - first > EXCERPT_STEPS || i - last > 2 * CONTEXT {
            break;
        }
        if changed(step) {
            last = i;
        }
    }
    (
        first.saturating_sub(CONTEXT),
        (last + 1 + CONTEXT).min(steps.len()),
    )
}

/// Steps to show between 【】: the changes, and runs of fewer than three unchanged characters
/// between two changes (an excerpt reads better than one that matches every stray 的).
fn marked(steps: &[Step]) -> Vec<bool> {
    let mut marks: Vec<bool> = steps.iter().map(|s| !matches!(s, Step::Same(_))).collect();
    let mut i = 0;
    while i < steps.len() {
        let run = marks[i..].iter().take_while(|m| !**m).count();
        if run > 0 && run < 3 && i > 0 && i + run < steps.len() {
            marks[i..i + run].iter_mut().for_each(|m| *m = true);
        }
        i += run.max(1);
    }
    marks
}

/// One side of the excerpt: `before` shows the dropped characters, else the added ones.
fn render_side(
    steps: &[Step],
    marks: &[bool],
    (start, end): (usize, usize),
    before: bool,
) -> String {
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    let mut open = false;
    for (step, &mark) in steps[start..end].iter().zip(&marks[start..end]) {
        if mark != open {
            s.push(if mark { '【' } else { '】' });
            open = mark;
        }
        match *step {
            Step::Same(c) => s.push(c),
            Step::Dropped(c) if before => s.push(c),
            Step::Added(c) if !before => s.push(c),
            _ => {}
        }
    }
    if open {
        s.push('】');
    }
    if end < steps.len() {
        s.push('…');
    }
    s
}

/// Where `before` and `after` differ first (and nearby), with context: an excerpt, never the
/// whole text.
pub fn difference(before: &str, after: &str) -> Difference {
    let b: Vec<char> = normalized(before).chars().collect();
    let a: Vec<char> = normalized(after).chars().collect();
    let steps = align(&b, &a);
    let marks = marked(&steps);
    let window = excerpt_window(&steps);
    Difference {
        before: render_side(&steps, &marks, window, true),
        after: render_side(&steps, &marks, window, false),
    }
}

/// The article of `newest` most like `old_text`, with how alike.
fn most_similar(newest: &LawText, old_text: &str) -> Option<(u32, f64)> {
    newest
        .articles
        .iter()
        .map(|(&n, a)| (n, similarity(old_text, &normalized(&a.full_text()))))
        .max_by(|x, y| x.1.total_cmp(&y.1))
}

/// What became of citation `c` (read in `cited`) in `newest`.
pub fn compare(c: &Citation, cited: &LawText, newest: &LawText) -> Change {
    let Some(old_article) = cited.articles.get(&c.article) else {
        return Change::NotInCitedVersion;
    };
    let Some(old_part) = cited_part(old_article, c) else {
        return Change::NotInCitedVersion;
    };
    let old_text = normalized(&old_article.full_text());
    let same_number = newest.articles.get(&c.article);
    let same_number_text = same_number.map(|a| normalized(&a.full_text()));
    if same_number_text.as_deref() == Some(old_text.as_str()) {
        return Change::Unchanged;
    }
    let same_number_similarity = same_number_text.map_or(0.0, |t| similarity(&old_text, &t));
    // An article inserted before the cited one shifts it: the best match elsewhere wins over a
    // weaker match at the old number.
    if let Some((n, s)) = most_similar(newest, &old_text)
        && n != c.article
        && s >= RENUMBERED
        && s > same_number_similarity
    {
        let new_text = normalized(&newest.articles[&n].full_text());
        return Change::Renumbered {
            article: n,
            reworded: (new_text != old_text).then(|| difference(&old_text, &new_text)),
        };
    }
    match same_number {
        Some(article) if same_number_similarity >= SAME_ARTICLE => {
            changed_in_place(c, article, &old_text, &old_part)
        }
        _ => Change::Removed,
    }
}

/// The cited article is still at its number but reads differently: how, for the cited part.
fn changed_in_place(c: &Citation, article: &Article, old_text: &str, old_part: &str) -> Change {
    let new_text = normalized(&article.full_text());
    let new_part = cited_part(article, c);
    // A citation of the whole article never gets here with the same text: that is Unchanged.
    if new_part.as_deref() == Some(old_part) {
        return Change::OtherPartsChanged(difference(old_text, &new_text));
    }
    if (c.paragraph.is_some() || c.item.is_some())
        && let Some((paragraph, item)) = moved_part(article, c, old_part)
    {
        return Change::PartMoved { paragraph, item };
    }
    match new_part {
        Some(new_part) => Change::Reworded(difference(old_part, &new_part)),
        None => Change::PartRemoved,
    }
}

/// One citation of a matter that names an older version than the newest in the corpus.
#[derive(Debug, Clone)]
pub struct CitationImpact<'m> {
    /// 违法依据 or 处罚依据.
    pub role: &'static str,
    pub citation: &'m Citation,
    pub cited_date: String,
    pub newest_date: String,
    pub change: Change,
}

/// The matter's citations (违法依据, 处罚依据 and the further 处罚依据) that name a version of
/// their law older than the newest in the corpus, each with what changed. Citations that do
/// not resolve to a version (unknown law or date, no date where several exist) are left to
/// `check --laws`.
pub fn matter_impacts<'m>(m: &'m Matter, corpus: &Corpus) -> Vec<CitationImpact<'m>> {
    let cited = std::iter::once(("违法依据", &m.violated))
        .chain(std::iter::once(("处罚依据", &m.penalty)))
        .chain(m.penalty_also.iter().map(|c| ("处罚依据", c)));
    cited
        .filter_map(|(role, c)| {
            let versions = corpus.versions(&c.law)?;
            let newest = versions.last()?;
            let version = versions
                .iter()
                .find(|v| Some(&v.date) == c.version.as_ref())?;
            (version.date != newest.date).then(|| CitationImpact {
                role,
                citation: c,
                cited_date: version.date.clone(),
                newest_date: newest.date.clone(),
                change: compare(c, version.law(), newest.law()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lawtext::parse_law;

    const HEAD: &str = "# 示例管理法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n";

    /// The 2020 text: a purpose article, a fine with two items and a follow-up 款, a reporting duty.
    fn v2020() -> LawText {
        parse_law(&format!(
            "{HEAD}第一条 为了示例，制定本法。\n\n\
             第二条 违反本法规定，有下列行为之一的，处一万元以上五万元以下的罚款：\n\n\
             （一）未取得许可从事经营的；\n\n（二）排放超过标准的。\n\n\
             有前款第二项行为，情节严重的，还可以责令停业整顿。\n\n\
             第三条 未按照规定报告经营情况的，处五千元以下的罚款。\n"
        ))
    }

    /// The 2024 amendment: article 1 as before; article 2 with higher amounts and an item
    /// inserted before the old second item; a new article 3, the old one now article 4.
    fn v2024() -> LawText {
        parse_law(&format!(
            "{HEAD}第一条 为了示例，制定本法。\n\n\
             第二条 违反本法规定，有下列行为之一的，处二万元以上十万元以下的罚款：\n\n\
             （一）未取得许可从事经营的；\n\n（二）伪造监测记录的；\n\n（三）排放超过标准的。\n\n\
             有前款第三项行为，情节严重的，还可以责令停业整顿。\n\n\
             第三条 在禁止区域内燃放烟花爆竹的，处二百元罚款。\n\n\
             第四条 未按照规定报告经营情况的，处五千元以下的罚款。\n"
        ))
    }

    /// A later text that drops the reporting duty and the follow-up 款 of article 2.
    fn v2025() -> LawText {
        parse_law(&format!(
            "{HEAD}第一条 为了示例，制定本法。\n\n\
             第二条 违反本法规定，有下列行为之一的，处一万元以上五万元以下的罚款：\n\n\
             （一）未取得许可从事经营的；\n\n（二）排放超过标准的。\n"
        ))
    }

    fn cite(article: u32, paragraph: Option<u32>, item: Option<u32>) -> Citation {
        Citation::new("示例管理法", article, paragraph, item)
    }

    #[test]
    fn an_article_that_reads_the_same_is_unchanged() {
        assert_eq!(
            compare(&cite(1, None, None), &v2020(), &v2024()),
            Change::Unchanged
        );
        assert_eq!(Change::Unchanged.kind(), None);
    }

    #[test]
    fn changed_wording_is_shown_around_the_change() {
        let change = compare(&cite(2, Some(1), None), &v2020(), &v2024());
        let Change::Reworded(d) = &change else {
            panic!("{change:?}")
        };
        assert!(
            d.before.contains("【一") && d.before.contains("五】"),
            "{d:?}"
        );
        assert!(
            d.after.contains("【二") && d.after.contains("十】"),
            "{d:?}"
        );
        assert_eq!(change.kind(), Some(Kind::TextChanged));
    }

    #[test]
    fn a_renumbered_article_is_found_under_its_new_number() {
        // Article 3 of 2024 is a new, unrelated article; the old one is article 4.
        let change = compare(&cite(3, None, None), &v2020(), &v2024());
        assert_eq!(
            change,
            Change::Renumbered {
                article: 4,
                reworded: None
            }
        );
        assert_eq!(change.kind(), Some(Kind::RenumberedOrRemoved));
        assert!(change.describe().contains("第四条"));
    }

    #[test]
    fn a_removed_article_is_not_found() {
        let change = compare(&cite(3, None, None), &v2020(), &v2025());
        assert_eq!(change, Change::Removed);
        assert_eq!(change.kind(), Some(Kind::RenumberedOrRemoved));
    }

    #[test]
    fn an_item_that_moved_is_found_under_its_new_number() {
        let change = compare(&cite(2, Some(1), Some(2)), &v2020(), &v2024());
        assert_eq!(
            change,
            Change::PartMoved {
                paragraph: Some(1),
                item: Some(3)
            }
        );
        assert_eq!(change.kind(), Some(Kind::ParagraphOrItemChanged));
        assert!(change.describe().contains("第一款第三项"));
    }

    #[test]
    fn an_unchanged_item_in_a_changed_article_is_a_paragraph_level_change() {
        // Item 1 reads the same; the amounts of its paragraph changed.
        let change = compare(&cite(2, None, Some(1)), &v2020(), &v2024());
        assert!(matches!(change, Change::OtherPartsChanged(_)), "{change:?}");
        assert_eq!(change.kind(), Some(Kind::ParagraphOrItemChanged));
    }

    #[test]
    fn a_changed_paragraph_is_reworded_and_a_dropped_one_is_removed() {
        let change = compare(&cite(2, Some(2), None), &v2020(), &v2024());
        let Change::Reworded(d) = &change else {
            panic!("{change:?}")
        };
        assert!(
            d.before.contains("【二】") && d.after.contains("【三】"),
            "{d:?}"
        );
        assert_eq!(
            compare(&cite(2, Some(2), None), &v2020(), &v2025()),
            Change::PartRemoved
        );
    }

    #[test]
    fn a_citation_that_does_not_resolve_in_its_version_is_not_compared() {
        let change = compare(&cite(9, None, None), &v2020(), &v2024());
        assert_eq!(change, Change::NotInCitedVersion);
        assert_eq!(change.kind(), None);
    }

    #[test]
    fn the_difference_of_a_long_article_is_an_excerpt() {
        let long = "违反本法规定的，".repeat(40);
        let d = difference(
            &format!("{long}处一万元罚款{long}"),
            &format!("{long}处二万元罚款{long}"),
        );
        assert!(d.before.chars().count() < 40, "{d:?}");
        assert!(d.before.starts_with('…') && d.before.ends_with('…'));
        assert!(d.before.contains("【一】") && d.after.contains("【二】"));
    }
}
