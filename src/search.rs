//! Finding matters from what an inspector types on a phone at the scene, best match first:
//! words of the name in any order, with or without spaces (`危险废物 贮存`, `危险废物贮存`);
//! colloquial phrases through the synonym table (`路边摆摊`, `没批就建`); pinyin initials of a
//! run of the name (`zdjy`); a matter id in any case and padding (`zhzf-12`); a citation with
//! the law's short name, full or partial title and the article, optionally 款/项
//! (`大气法 99条`, `食安法124条第一款第五项`, `第九十九条`).
//!
//! Scoring. The query is cut into parts: an id, a citation or a law, a unit code, pinyin
//! initials, synonym keys (longest key first) and the literal text between them. Literal text
//! is matched by its 2-character grams, so its words may be scattered over the name; each gram
//! counts by the field it is found in (name > tier situations > category > fact labels > unit)
//! and by its rarity among the matters, and a character found only on its own in the name
//! counts a little. A synonym key counts as found if one of its words is (a rare word more than
//! a common one, several words a little more). Pinyin counts more for a run that starts and
//! ends on word boundaries. The parts' values are summed and scaled by the share of the query
//! that matched; ties go to the name that has more of the query for its length, repeats its
//! words, or has them in the query's order. A law or a citation narrows the answer to the
//! matters citing it (in 违法依据 or 处罚依据; `penalty_also` ranks lower). Matters scoring far
//! below the best are left out.
//!
//! A second ranking (`ngram`) reads every text of a matter (name, tier situations, category,
//! facts, measures, note) as character 2-grams, single characters, characters one apart and,
//! for a pair of characters no matter has, their pinyin syllables (a homophone typo), weighted
//! by BM25F; colloquial filler is cut from the query first. The two rankings are combined, each
//! scaled by its best score (the vocabulary's words for a key found, or found with a typo,
//! join the n-gram query): the more of the query the exact parts leave unexplained, the more
//! the n-gram ranking counts (a sentence of a complaint is ranked mostly by it, `zhzf-12` or
//! `大气法 99条` not at all). The confidence stays the share the exact parts matched.
//!
//! The inspector's phone runs this same ranking offline: `offline` gives its inputs as data,
//! `web/search.js` ports it (a test holds the two to the same answers on every query set).

use std::collections::BTreeMap;

// Fast hashing for maps of the index's own keys (a query only looks keys up).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use pinyin::ToPinyinMulti;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use toml::Spanned;

mod ngram;
mod offline;

pub use offline::OfflineIndex;

use crate::numerals::parse_numeral;
use crate::standards::{Matter, Problem, Problems, StandardsSet};

/// The vocabulary file's name in a standards directory.
pub const TERMS_FILE: &str = "search_terms.toml";

/// The search vocabulary the legal office maintains beside the standards
/// (`standards/search_terms.toml`). Keys are lower-cased.
#[derive(Debug, Clone, Default)]
pub struct SearchTerms {
    /// Short name an inspector types → the law title as cited in the standards.
    pub law_abbreviations: Vec<(String, String)>,
    /// Colloquial word → words that occur in matter names, categories or tier situations.
    pub synonyms: Vec<(String, Vec<String>)>,
    /// Matter id → what the act looks like in everyday words (a complaint, an inspector's
    /// note, a short search): read by the n-gram ranking as one more text of the matter.
    pub phrases: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerms {
    #[serde(default)]
    law_abbreviations: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    synonyms: BTreeMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    phrases: BTreeMap<String, Spanned<Vec<String>>>,
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl SearchTerms {
    /// Parses `search_terms.toml` and checks it against `set`: every abbreviation names a law the
    /// set cites, every synonym target occurs in some matter's name, category or tier situation.
    pub fn parse(file: &str, text: &str, set: &StandardsSet) -> Result<Self, Problems> {
        let raw: RawTerms = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
            Problems(vec![terms_problem(file, line, e.message().to_string())])
        })?;
        let mut check = TermsCheck {
            file,
            text,
            problems: Vec::new(),
            seen: HashSet::new(),
        };
        let out = SearchTerms {
            law_abbreviations: check.abbreviations(&raw.law_abbreviations, &cited_laws(set)),
            synonyms: check.synonyms(&raw.synonyms, &matter_texts(set)),
            phrases: check.phrases(&raw.phrases, set),
        };
        let mut problems = check.problems;
        problems.sort_by_key(|p| p.line);
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(Problems(problems))
        }
    }
}

fn terms_problem(file: &str, line: usize, message: String) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        matter: None,
        message,
    }
}

/// The titles of the laws the set cites (违法依据, 处罚依据 and `penalty_also`).
fn cited_laws(set: &StandardsSet) -> HashSet<&str> {
    set.matters
        .iter()
        .flat_map(|m| {
            [&m.violated, &m.penalty]
                .into_iter()
                .chain(&m.penalty_also)
                .map(|c| c.law.as_str())
        })
        .collect()
}

/// Per matter, its name, category and tier situations, normalised: where synonym targets
/// must occur.
fn matter_texts(set: &StandardsSet) -> Vec<String> {
    set.matters
        .iter()
        .map(|m| {
            let mut s = format!("{}\n{}", m.name, m.category);
            for t in &m.tiers {
                s.push('\n');
                s.push_str(&t.situation);
            }
            normalize(&s)
        })
        .collect()
}

/// The vocabulary file's checks, with the problems found so far.
struct TermsCheck<'a> {
    file: &'a str,
    text: &'a str,
    problems: Vec<Problem>,
    /// (table, normalised key) already given.
    seen: HashSet<(String, String)>,
}

impl TermsCheck<'_> {
    fn report(&mut self, line: usize, message: String) {
        self.problems.push(terms_problem(self.file, line, message));
    }

    /// A key, normalised; reported if it is shorter than two characters, has a space, or is
    /// given twice in its table.
    fn key(&mut self, key: &str, table: &str, line: usize) -> String {
        let k = normalize(key);
        if k.chars().count() < 2 || k.chars().any(char::is_whitespace) {
            self.report(
                line,
                format!("{table}.\"{key}\": a key has two or more characters and no spaces"),
            );
        } else if !self.seen.insert((table.to_string(), k.clone())) {
            self.report(
                line,
                format!("{table}.\"{key}\": the key is given twice (keys ignore case)"),
            );
        }
        k
    }

    /// The abbreviations whose law the set cites.
    fn abbreviations(
        &mut self,
        raw: &BTreeMap<String, Spanned<String>>,
        laws: &HashSet<&str>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, target) in raw {
            let line = line_at(self.text, target.span().start);
            let k = self.key(key, "law_abbreviations", line);
            let t = target.get_ref();
            if laws.contains(t.as_str()) {
                out.push((k, t.clone()));
            } else {
                self.report(
                    line,
                    format!(
                        "law_abbreviations.\"{key}\": `{t}` is not a law cited in the standards"
                    ),
                );
            }
        }
        out
    }

    /// Every synonym key with those of its words that occur in some matter's `texts`.
    fn synonyms(
        &mut self,
        raw: &BTreeMap<String, Spanned<Vec<String>>>,
        texts: &[String],
    ) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for (key, targets) in raw {
            let line = line_at(self.text, targets.span().start);
            let k = self.key(key, "synonyms", line);
            if targets.get_ref().is_empty() {
                self.report(line, format!("synonyms.\"{key}\": no words given"));
            }
            let mut ts = Vec::new();
            for t in targets.get_ref() {
                let nt = normalize(t.trim());
                if nt.is_empty() || !texts.iter().any(|x| x.contains(&nt)) {
                    self.report(
                        line,
                        format!(
                            "synonyms.\"{key}\": `{t}` occurs in no matter's name, category or tier situation"
                        ),
                    );
                } else {
                    ts.push(nt);
                }
            }
            out.push((k, ts));
        }
        out
    }
}

impl TermsCheck<'_> {
    /// Every matter's phrases, normalised: the id is a matter of the set, each phrase has
    /// words and at most [`MAX_PHRASE_CHARS`] characters.
    fn phrases(
        &mut self,
        raw: &BTreeMap<String, Spanned<Vec<String>>>,
        set: &StandardsSet,
    ) -> HashMap<String, Vec<String>> {
        let mut out = HashMap::new();
        for (id, phrases) in raw {
            let line = line_at(self.text, phrases.span().start);
            if set.matter(id).is_none() {
                self.report(line, format!("phrases.\"{id}\": no such matter in the set"));
                continue;
            }
            if phrases.get_ref().is_empty() {
                self.report(line, format!("phrases.\"{id}\": no phrases given"));
            }
            let mut kept = Vec::new();
            for p in phrases.get_ref() {
                let n = normalize(p.trim());
                let chars = n.chars().count();
                if !n.chars().any(is_word_char) || chars > MAX_PHRASE_CHARS {
                    self.report(
                        line,
                        format!(
                            "phrases.\"{id}\": `{p}` must have words and at most {MAX_PHRASE_CHARS} characters"
                        ),
                    );
                } else {
                    kept.push(n);
                }
            }
            out.insert(id.clone(), kept);
        }
        out
    }
}

/// A phrase is a sentence someone would say or type, not a text.
const MAX_PHRASE_CHARS: usize = 60;

/// Full-width ASCII to half-width, ideographic space to space.
fn widen(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// [`widen`], in lower case.
fn normalize(s: &str) -> String {
    widen(s).to_lowercase()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// A character that can be part of a word (not punctuation, space or a line break).
fn is_word_char(c: char) -> bool {
    is_han(c) || c.is_alphanumeric()
}

// Fields of a matter, heaviest first: name, tier situations, category, fact labels and
// values, the unit's name.
const NAME: usize = 0;
const FIELDS: usize = 5;
const FIELD_WEIGHT: [f32; FIELDS] = [1.0, 0.6, 0.5, 0.4, 0.3];

// What each kind of part is worth (a literal or synonym part is worth its length in characters).
const ID_WEIGHT: f32 = 100.0;
const ARTICLE_WEIGHT: f32 = 30.0;
const LAW_WEIGHT: f32 = 3.0;
const UNIT_CODE_WEIGHT: f32 = 2.0;
/// Pinyin initials of a whole synonym key count this share of the key's value.
const KEY_INITIALS: f32 = 0.9;
/// A citation in `penalty_also` counts this share of a 违法/处罚依据 citation.
const ALSO_SHARE: f32 = 0.5;
/// Each further word of a synonym that a matter has adds this share of its value.
const EXTRA_WORD: f32 = 0.15;
/// A query character found only on its own in the name (no 2-character gram): this much, times
/// its rarity.
const SINGLE_CHAR: f32 = 0.3;
/// How many of the best matters are checked for words in the query's order, and what it adds.
const ORDER_CHECK: usize = 10;
const IN_ORDER: f32 = 0.1;
/// Longer queries are cut (nobody types more on a phone; the work grows with the length).
const MAX_QUERY_CHARS: usize = 64;
/// The n-gram ranking's share in the combined one: this much always, and this much more times
/// the share of the query the exact ranking's best matter leaves unexplained (a query the
/// exact parts explain keeps their order; a sentence they explain a little of is ranked mostly
/// by its n-grams).
const NGRAM_SHARE: f32 = 0.1;
const NGRAM_UNEXPLAINED: f32 = 0.6;
/// Matters scoring below this share of the best are left out.
const CUTOFF: f32 = 0.25;

/// Weight of a word or gram found in `df` of `n` matters: 1 when unique, 0.4 when everywhere.
fn rarity(df: usize, n: usize) -> f32 {
    if n <= 1 || df == 0 {
        return 1.0;
    }
    let df = df.min(n) as f32;
    let n = n as f32;
    0.4 + 0.6 * (n / df).ln() / n.ln()
}

/// How telling a synonym's word found in `df` of `n` matters is: 1 when unique, less when
/// common (0.2 at least).
fn specificity(df: usize, n: usize) -> f32 {
    if n <= 1 || df == 0 {
        return 1.0;
    }
    ((n as f32 / df as f32).ln() / (n as f32).ln()).max(0.2)
}

/// What a query character found only on its own in the names of `df` of `n` matters counts.
fn single_char(df: usize, n: usize) -> f32 {
    SINGLE_CHAR * (n as f32 / df as f32).ln() / (n as f32).ln().max(1.0)
}

/// A character's weight in the fallback when `df` of `n` matters have it (0 when none does).
fn fallback_weight(df: u32, n: f32) -> f32 {
    let df = df as f32;
    if df == 0.0 { 0.0 } else { (n / df).ln() + 0.1 }
}

/// The best field weight among the fields in `mask`.
fn best_field(mask: u8) -> f32 {
    (0..FIELDS)
        .find(|f| mask & (1 << f) != 0)
        .map_or(0.0, |f| FIELD_WEIGHT[f])
}

fn gram(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Bits of the first letters of a character's readings: (its usual reading, all readings).
fn initials(c: char) -> (u32, u32) {
    if c.is_ascii_lowercase() {
        let b = 1 << (c as u32 - 'a' as u32);
        return (b, b);
    }
    let Some(readings) = c.to_pinyin_multi() else {
        return (0, 0);
    };
    let (mut first, mut all) = (0, 0);
    for (i, p) in readings.into_iter().enumerate() {
        let Some(l) = p.plain().chars().next().filter(char::is_ascii_lowercase) else {
            continue;
        };
        let b = 1 << (l as u32 - 'a' as u32);
        all |= b;
        if i == 0 {
            first = b;
        }
    }
    (first, all)
}

#[derive(Clone, Copy)]
struct Cite {
    law: usize,
    article: u32,
    paragraph: Option<u32>,
    item: Option<u32>,
    /// 违法依据 or 处罚依据 (else `penalty_also`).
    main: bool,
}

struct Doc {
    /// Normalised.
    name: String,
    id_prefix: String,
    id_number: u32,
    unit: String,
    name_len: usize,
    /// Per name character: the initial of its usual reading, and of all its readings.
    first_initial: Vec<u32>,
    any_initial: Vec<u32>,
    /// Per name position (one more than characters): a word boundary (punctuation, either end).
    boundary: Vec<bool>,
    cites: Vec<Cite>,
}

/// A synonym key with, per matter that has one of its words, the best value found.
struct Synonym {
    /// (matter, value, characters of the name matched).
    hits: Vec<(u32, f32, u16)>,
    targets: Vec<String>,
    /// Initials of the key's characters (all readings).
    initials: Vec<u32>,
    /// The key's characters and their syllables (for a key typed with a typo).
    key: Vec<char>,
    sounds: Vec<Option<&'static str>>,
}

/// 2-character gram → (matter, bit set of the fields having it, times in the name).
type Grams = HashMap<u64, Vec<(u32, u8, u8)>>;

/// The matter search, built once when the standards load.
pub struct SearchIndex {
    docs: Vec<Doc>,
    grams: Grams,
    /// Character → matters whose name has it (a tie-breaker only).
    name_chars: HashMap<char, Vec<u32>>,
    laws: Vec<String>,
    /// Lower-cased full titles, titles without 中华人民共和国, and abbreviations → law.
    law_names: HashMap<String, usize>,
    synonyms: Vec<Synonym>,
    synonym_keys: HashMap<String, usize>,
    longest_key: usize,
    /// Which keys a query could hold with a typo (see [`TypoCandidates`]).
    typo_candidates: TypoCandidates,
    unit_codes: HashSet<String>,
    /// Per matter, the distinct characters of its name, situations, category and facts (and
    /// the note), sorted: what the fallback compares a query's characters with.
    doc_chars: Vec<Vec<char>>,
    /// Character → in how many matters' texts it occurs (for its weight in the fallback).
    char_df: HashMap<char, u32>,
    /// BM25F over the n-grams of every text of a matter.
    ngram: ngram::NgramIndex,
    /// Per matter (in the set's order), the vocabulary's everyday phrases for it.
    phrases: Vec<Vec<String>>,
    /// The search's inputs for the phone, built on the first request for them.
    offline: std::sync::OnceLock<OfflineIndex>,
}

/// Characters too common to say anything about a matter.
const STOP_CHARS: &str = "的了在是有我你他她它们个这那就都也还和与及或被把给让很太不没吗呢啊吧着过到去来上下里对等说要会能可以为之其而又一些么什怎样里面外边";

/// The fallback's least character overlap (weighted share of the query's characters), and how
/// many matters it shows.
const FALLBACK_MIN: f32 = 0.34;
const FALLBACK_HITS: usize = 5;

/// Below this confidence no matter clearly matches: the page and the API say so.
pub const CLEAR_MATCH: f32 = 0.5;

/// What one piece of the query asks for.
enum Need {
    Id(usize),
    UnitCode(String),
    Citation {
        laws: Option<Vec<usize>>,
        article: Option<u32>,
        paragraph: Option<u32>,
        item: Option<u32>,
        /// Only matters with this citation answer (else it only ranks them).
        narrow: bool,
    },
    /// Initials of a run of the name, or of a whole synonym key (these keys).
    Pinyin(Vec<u32>, Vec<usize>),
    Synonym(usize),
    Text(Vec<char>),
}

struct Part {
    need: Need,
    weight: f32,
}

/// Per-matter results of one query.
struct Tally {
    score: Vec<f32>,
    /// Tie-breakers: single characters of the query in the name, repeated words.
    weak: Vec<f32>,
    /// Characters of the query each matter matched.
    matched: Vec<f32>,
    /// Characters of the name matched (for the short-name bonus).
    name_hits: Vec<f32>,
    /// Matters a 条 citation matched (when the query has one).
    cited: Option<Vec<bool>>,
}

fn numeral_char(c: char) -> bool {
    c.is_ascii_digit() || "零〇一二两三四五六七八九十百千".contains(c)
}

fn numeral(chars: &[char]) -> Option<u32> {
    let s: String = chars.iter().collect();
    parse_numeral(&s)
        .filter(|d| d.fract().is_zero())
        .and_then(|d| d.to_u32())
        .filter(|n| *n > 0)
}

/// `第?N款` / `第?N项` at `*at`; advances past it.
fn sub_number(s: &[char], at: &mut usize, unit: char) -> Option<u32> {
    let mut i = *at;
    if s.get(i) == Some(&'第') {
        i += 1;
    }
    let b = i;
    while i < s.len() && numeral_char(s[i]) {
        i += 1;
    }
    if i > b && s.get(i) == Some(&unit) {
        let n = numeral(&s[b..i])?;
        *at = i + 1;
        Some(n)
    } else {
        None
    }
}

struct ArticleRef {
    /// Span in the query's characters (from 第 or the number, to after 款/项).
    start: usize,
    end: usize,
    /// Written with 第 or Arabic digits (else `一条` could be ordinary words).
    explicit: bool,
    article: u32,
    paragraph: Option<u32>,
    item: Option<u32>,
}

fn find_article(s: &[char]) -> Option<ArticleRef> {
    (0..s.len()).filter(|&j| s[j] == '条').find_map(|j| {
        let mut a = j;
        while a > 0 && numeral_char(s[a - 1]) {
            a -= 1;
        }
        let article = numeral(&s[a..j])?;
        let start = if a > 0 && s[a - 1] == '第' { a - 1 } else { a };
        let mut end = j + 1;
        let paragraph = sub_number(s, &mut end, '款');
        let item = sub_number(s, &mut end, '项');
        Some(ArticleRef {
            start,
            end,
            explicit: start < a || s[a].is_ascii_digit(),
            article,
            paragraph,
            item,
        })
    })
}

/// The index of `title` in `laws`, added at the end if it is new.
fn law_of(title: &str, laws: &mut Vec<String>) -> usize {
    if let Some(i) = laws.iter().position(|l| l == title) {
        return i;
    }
    laws.push(title.to_string());
    laws.len() - 1
}

/// A matter's name, id, unit, pinyin initials, word boundaries and citations, as searched;
/// the laws it cites are added to `laws`.
fn matter_doc(m: &Matter, laws: &mut Vec<String>) -> Doc {
    let mut cites = Vec::new();
    for (c, main) in [(&m.violated, true), (&m.penalty, true)]
        .into_iter()
        .chain(m.penalty_also.iter().map(|c| (c, false)))
    {
        let law = law_of(&c.law, laws);
        cites.push(Cite {
            law,
            article: c.article,
            paragraph: c.paragraph,
            item: c.item,
            main,
        });
    }
    let name = normalize(&m.name);
    let chars: Vec<char> = name.chars().collect();
    let (first_initial, any_initial) = chars.iter().map(|&c| initials(c)).unzip();
    let boundary = (0..=chars.len())
        .map(|i| {
            i == 0 || i == chars.len() || !is_word_char(chars[i - 1]) || !is_word_char(chars[i])
        })
        .collect();
    let (prefix, number) = m.id.rsplit_once('-').unwrap_or((&m.id, ""));
    Doc {
        name,
        id_prefix: prefix.to_lowercase(),
        id_number: number.parse().unwrap_or(0),
        unit: m.unit.to_lowercase(),
        name_len: chars.len(),
        first_initial,
        any_initial,
        boundary,
        cites,
    }
}

/// A matter's searched fields, normalised, heaviest first (see [`FIELD_WEIGHT`]).
fn matter_fields(set: &StandardsSet, m: &Matter) -> [String; FIELDS] {
    let join =
        |parts: &mut dyn Iterator<Item = &str>| normalize(&parts.collect::<Vec<_>>().join("\n"));
    let details = join(&mut m.facts.iter().flat_map(|f| {
        std::iter::once(f.label.as_str()).chain(f.values.iter().map(|v| v.label.as_str()))
    }));
    let unit_name = set.unit(&m.unit).map_or("", |u| u.name.as_str());
    [
        normalize(&m.name),
        join(&mut m.tiers.iter().map(|t| t.situation.as_str())),
        normalize(&m.category),
        details,
        normalize(unit_name),
    ]
}

/// Every name a law is found by: its full title, the title without 中华人民共和国 (unless
/// another law's full title is that), and the vocabulary's abbreviations.
fn law_names(laws: &[String], terms: &SearchTerms) -> HashMap<String, usize> {
    let mut law_names: HashMap<String, usize> = HashMap::new();
    for (i, title) in laws.iter().enumerate() {
        let t = normalize(title);
        if let Some(short) = t.strip_prefix("中华人民共和国") {
            law_names.entry(short.to_string()).or_insert(i);
        }
        law_names.insert(t, i);
    }
    for (short, title) in &terms.law_abbreviations {
        if let Some(i) = laws.iter().position(|l| l == title) {
            law_names.insert(short.clone(), i);
        }
    }
    law_names
}

/// 2-character gram → (matter, fields having it, times in the name), sorted by matter; and
/// each name character → the matters whose name has it.
/// Per matter its distinct characters (fields and note), sorted; and each character's
/// document frequency.
fn char_index(
    set: &StandardsSet,
    fields_of: &[[String; FIELDS]],
) -> (Vec<Vec<char>>, HashMap<char, u32>) {
    let mut df: HashMap<char, u32> = HashMap::new();
    let docs: Vec<Vec<char>> = fields_of
        .iter()
        .zip(&set.matters)
        .map(|(fields, m)| {
            let note = normalize(m.note.as_deref().unwrap_or(""));
            let mut cs: Vec<char> = fields
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(note.as_str()))
                .flat_map(str::chars)
                .filter(|c| is_cjk(*c))
                .collect();
            cs.sort_unstable();
            cs.dedup();
            for c in &cs {
                *df.entry(*c).or_default() += 1;
            }
            cs
        })
        .collect();
    (docs, df)
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn gram_index(fields_of: &[[String; FIELDS]]) -> (Grams, HashMap<char, Vec<u32>>) {
    let mut grams: Grams = HashMap::new();
    let mut name_chars: HashMap<char, Vec<u32>> = HashMap::new();
    for (d, fields) in fields_of.iter().enumerate() {
        let mut mine: HashMap<u64, (u8, u8)> = HashMap::new();
        for (f, text) in fields.iter().enumerate() {
            let cs: Vec<char> = text.chars().collect();
            for w in cs.windows(2) {
                if is_word_char(w[0]) && is_word_char(w[1]) {
                    let e = mine.entry(gram(w[0], w[1])).or_default();
                    e.0 |= 1 << f;
                    if f == NAME {
                        e.1 = e.1.saturating_add(1);
                    }
                }
            }
        }
        for (g, (mask, times)) in mine {
            grams.entry(g).or_default().push((d as u32, mask, times));
        }
        let mut seen = HashSet::new();
        for c in fields[NAME].chars().filter(|c| is_word_char(*c)) {
            if seen.insert(c) {
                name_chars.entry(c).or_default().push(d as u32);
            }
        }
    }
    for list in grams.values_mut() {
        list.sort_unstable_by_key(|p| p.0);
    }
    (grams, name_chars)
}

/// The vocabulary's synonym keys, each with its value per matter; the keys' index; the longest
/// key's length in characters.
fn synonym_index(
    terms: &SearchTerms,
    fields_of: &[[String; FIELDS]],
) -> (Vec<Synonym>, HashMap<String, usize>, usize) {
    let mut synonyms = Vec::new();
    let mut synonym_keys = HashMap::new();
    let mut longest_key = 0;
    for (key, targets) in &terms.synonyms {
        longest_key = longest_key.max(key.chars().count());
        synonym_keys.insert(key.clone(), synonyms.len());
        synonyms.push(Synonym {
            hits: synonym_hits(targets, fields_of),
            targets: targets.clone(),
            initials: key.chars().map(|c| initials(c).1).collect(),
            key: key.chars().collect(),
            sounds: key.chars().map(ngram::syllable_of).collect(),
        });
    }
    (synonyms, synonym_keys, longest_key)
}

/// A synonym key's value per matter: the best of its words that the matter has, and a little of
/// each further word's value (a word inside another word found, like 异味 in 异味废气, is not a
/// further word). A rare word is worth more than a common one. Sorted by matter.
fn synonym_hits(targets: &[String], fields_of: &[[String; FIELDS]]) -> Vec<(u32, f32, u16)> {
    let n = fields_of.len();
    let mut found: HashMap<u32, Vec<(usize, f32, u16)>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        let holders: Vec<(usize, usize)> = fields_of
            .iter()
            .enumerate()
            .filter_map(|(d, fs)| {
                fs.iter()
                    .position(|f| f.contains(t.as_str()))
                    .map(|f| (d, f))
            })
            .collect();
        let value = specificity(holders.len(), n);
        let len = t.chars().count() as u16;
        for (d, f) in holders {
            let in_name = if f == NAME { len } else { 0 };
            found
                .entry(d as u32)
                .or_default()
                .push((i, FIELD_WEIGHT[f] * value, in_name));
        }
    }
    let mut hits: Vec<(u32, f32, u16)> = found
        .into_iter()
        .map(|(d, mut words)| {
            words.sort_by(|a, b| b.1.total_cmp(&a.1));
            let in_name = words.iter().map(|w| w.2).max().unwrap_or(0);
            let extra: f32 = words
                .iter()
                .skip(1)
                .filter(|(i, ..)| {
                    !words
                        .iter()
                        .any(|(o, ..)| o != i && targets[*o].contains(targets[*i].as_str()))
                })
                .take(3)
                .map(|w| EXTRA_WORD * w.1)
                .sum();
            (d, words[0].1 + extra, in_name)
        })
        .collect();
    hits.sort_unstable_by_key(|h| h.0);
    hits
}

impl SearchIndex {
    pub fn new(set: &StandardsSet, terms: &SearchTerms) -> Self {
        let mut laws: Vec<String> = Vec::new();
        let mut docs = Vec::with_capacity(set.matters.len());
        let mut fields_of = Vec::with_capacity(set.matters.len());
        for m in &set.matters {
            docs.push(matter_doc(m, &mut laws));
            fields_of.push(matter_fields(set, m));
        }
        let law_names = law_names(&laws, terms);
        let (grams, name_chars) = gram_index(&fields_of);
        let (synonyms, synonym_keys, longest_key) = synonym_index(terms, &fields_of);
        let typo_candidates = TypoCandidates::new(&synonyms);
        let unit_codes = set.units.iter().map(|u| u.code.to_lowercase()).collect();
        let (doc_chars, char_df) = char_index(set, &fields_of);
        SearchIndex {
            docs,
            grams,
            name_chars,
            laws,
            law_names,
            synonyms,
            synonym_keys,
            longest_key,
            typo_candidates,
            unit_codes,
            doc_chars,
            char_df,
            ngram: ngram::NgramIndex::new(set, terms),
            phrases: set
                .matters
                .iter()
                .map(|m| ngram::phrases_of(terms, m).to_vec())
                .collect(),
            offline: std::sync::OnceLock::new(),
        }
    }

    /// The search's inputs as data for the phone's copy of this ranking (`GET /m/search-index`),
    /// built once; `set` is the set this index was built on.
    pub fn offline_index(&self, set: &StandardsSet) -> &OfflineIndex {
        self.offline.get_or_init(|| OfflineIndex::new(set, self))
    }

    /// Like [`ranked`](Self::ranked), with each hit's confidence in 0..1: the share of the
    /// query's weight that the matter matched. When the ranking finds nothing, the fallback's
    /// nearest matters by character overlap, at half their overlap (never a clear match).
    pub fn ranked_with_confidence(&self, q: &str) -> Vec<(usize, f32, f32)> {
        let (ranked, share) = self.ranked_and_shares(q);
        if !ranked.is_empty() {
            return ranked
                .into_iter()
                .map(|(d, s)| (d, s, share.get(d).copied().unwrap_or(0.0)))
                .collect();
        }
        self.nearest_by_characters(q)
            .into_iter()
            .map(|(d, overlap)| (d, overlap, overlap / 2.0))
            .collect()
    }

    /// The fallback for a query the ranking finds nothing for: matters whose texts share the
    /// most of the query's meaningful characters, weighted by how rare each is.
    fn nearest_by_characters(&self, q: &str) -> Vec<(usize, f32)> {
        let mut chars: Vec<char> = normalize(q)
            .chars()
            .filter(|c| is_cjk(*c) && !STOP_CHARS.contains(*c))
            .collect();
        chars.sort_unstable();
        chars.dedup();
        if chars.len() < 2 {
            return Vec::new();
        }
        let n = self.doc_chars.len() as f32;
        let weight = |c: &char| fallback_weight(self.char_df.get(c).copied().unwrap_or(0), n);
        let total: f32 = chars.iter().map(weight).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut out: Vec<(usize, f32)> = self
            .doc_chars
            .iter()
            .enumerate()
            .map(|(d, have)| {
                let got: f32 = chars
                    .iter()
                    .filter(|c| have.binary_search(c).is_ok())
                    .map(weight)
                    .sum();
                (d, got / total)
            })
            .filter(|&(_, s)| s >= FALLBACK_MIN)
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(FALLBACK_HITS);
        out
    }

    /// Indices into `set.matters` of the matters that answer `q`, best first.
    pub fn find(&self, q: &str) -> Vec<usize> {
        self.ranked(q).into_iter().map(|(i, _)| i).collect()
    }

    /// Like [`find`](Self::find), with each matter's score.
    pub fn ranked(&self, q: &str) -> Vec<(usize, f32)> {
        let (ranked, _) = self.ranked_and_shares(q);
        if ranked.is_empty() {
            return self.nearest_by_characters(q);
        }
        ranked
    }

    /// The ranking, and per matter the share of the query's weight it matched.
    fn ranked_and_shares(&self, q: &str) -> (Vec<(usize, f32)>, Vec<f32>) {
        let (parts, words) = self.parse(q);
        if parts.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let n = self.docs.len();
        let mut t = Tally {
            score: vec![0.0; n],
            weak: vec![0.0; n],
            matched: vec![0.0; n],
            name_hits: vec![0.0; n],
            cited: None,
        };
        for p in &parts {
            self.score_part(p, &mut t);
        }
        let total: f32 = parts.iter().map(|p| p.weight).sum();
        let mut out: Vec<(usize, f32)> = (0..n)
            .filter(|&d| t.score[d] > 0.0 && t.cited.as_ref().is_none_or(|c| c[d]))
            .map(|d| {
                let share = (t.matched[d] / total).min(1.0);
                let name = self.docs[d].name_len.max(1) as f32;
                let s = t.score[d] * (0.6 + 0.4 * share)
                    + t.weak[d]
                    + 0.3 * (t.name_hits[d] / name).min(1.0);
                (d, s)
            })
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Among the leaders, a name that has the query's words in the query's order wins a tie.
        if parts.len() > 1 {
            for (d, s) in out.iter_mut().take(ORDER_CHECK) {
                if self.in_order(&parts, &self.docs[*d]) {
                    *s += IN_ORDER;
                }
            }
            out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        if !words.trim().is_empty() {
            // The vocabulary's words for a colloquial key found count as the query's own, and
            // so do those of a key typed with a typo (see `near_key`).
            let found: HashSet<usize> = parts
                .iter()
                .filter_map(|p| match p.need {
                    Need::Synonym(k) => Some(k),
                    _ => None,
                })
                .collect();
            let typed: Vec<char> = normalize(&words).chars().collect();
            let sounds: Vec<Option<&str>> = typed.iter().map(|&c| ngram::syllable_of(c)).collect();
            let mut words = words;
            let candidates = self.typo_candidates.of(&typed, &sounds);
            for (k, syn) in self.synonyms.iter().enumerate() {
                if found.contains(&k) || (candidates.contains(&k) && near_key(&typed, &sounds, syn))
                {
                    for w in &syn.targets {
                        words.push(' ');
                        words.push_str(w);
                    }
                }
            }
            let covered = out
                .first()
                .map_or(0.0, |&(d, _)| (t.matched[d] / total).min(1.0));
            out = self.fuse(out, &words, t.cited.as_deref(), covered);
        }
        if let Some(&(_, top)) = out.first() {
            out.retain(|&(_, s)| s >= CUTOFF * top);
        }
        let shares = t.matched.iter().map(|m| (m / total).min(1.0)).collect();
        (out, shares)
    }

    /// The exact ranking `exact` combined with the n-gram ranking of the query's words, each
    /// scaled by its best score; `cited`: the matters a citation narrowed the answer to.
    fn fuse(
        &self,
        exact: Vec<(usize, f32)>,
        words: &str,
        cited: Option<&[bool]>,
        covered: f32,
    ) -> Vec<(usize, f32)> {
        let n = self.docs.len();
        let mut bm = vec![0.0f32; n];
        self.ngram.score(words, &mut bm);
        let bm_top = bm.iter().copied().fold(0.0, f32::max);
        if bm_top <= 0.0 {
            return exact;
        }
        let alpha = (NGRAM_SHARE + NGRAM_UNEXPLAINED * (1.0 - covered)).clamp(0.0, 1.0);
        let exact_top = exact.first().map_or(0.0, |e| e.1);
        let mut fused = vec![0.0f32; n];
        if exact_top > 0.0 {
            for &(d, s) in &exact {
                fused[d] = (1.0 - alpha) * s / exact_top;
            }
        }
        for d in 0..n {
            if bm[d] > 0.0 && cited.is_none_or(|c| c[d]) {
                fused[d] += alpha * bm[d] / bm_top;
            }
        }
        // Only what the caller keeps (at least `CUTOFF` of the best) is sorted: a query's single
        // characters give nearly every matter some score.
        let floor = CUTOFF * fused.iter().copied().fold(0.0, f32::max);
        let mut out: Vec<(usize, f32)> = (0..n)
            .filter(|&d| fused[d] > 0.0 && fused[d] >= floor)
            .map(|d| (d, fused[d]))
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Whether two or more text or synonym parts are found in the name, one after the other
    /// in the query's order.
    fn in_order(&self, parts: &[Part], doc: &Doc) -> bool {
        let (mut from, mut placed) = (0, 0);
        for p in parts {
            if self.name_position(p, doc, 0).is_none() {
                continue;
            }
            match self.name_position(p, doc, from) {
                Some(at) => {
                    from = at;
                    placed += 1;
                }
                None => return false,
            }
        }
        placed > 1
    }

    /// Where in the name, at byte `from` or later, a text or synonym part first matches.
    fn name_position(&self, part: &Part, doc: &Doc, from: usize) -> Option<usize> {
        let name = doc.name.get(from..)?;
        let at = match &part.need {
            Need::Text(chars) => chars
                .windows(2)
                .filter_map(|w| name.find(&w.iter().collect::<String>()))
                .min(),
            Need::Synonym(s) => self.synonyms[*s]
                .targets
                .iter()
                .filter_map(|t| name.find(t.as_str()))
                .min(),
            _ => None,
        };
        at.map(|a| a + from)
    }

    fn law_named(&self, text: &str) -> Option<Vec<usize>> {
        let t: String = normalize(text)
            .chars()
            .filter(|c| !matches!(c, '《' | '》' | '〈' | '〉' | '"' | '“' | '”'))
            .collect();
        if t.chars().count() < 2 {
            return None;
        }
        if let Some(&i) = self.law_names.get(&t) {
            return Some(vec![i]);
        }
        // A partial title: a piece of one or more titles that ends like a title.
        let title_like = ["法", "条例", "规定", "办法", "细则"]
            .iter()
            .any(|e| t.ends_with(e));
        if !title_like || t.chars().count() < 3 {
            return None;
        }
        let hits: Vec<usize> = (0..self.laws.len())
            .filter(|&i| normalize(&self.laws[i]).contains(&t))
            .collect();
        (!hits.is_empty()).then_some(hits)
    }

    fn parse(&self, q: &str) -> (Vec<Part>, String) {
        let q: String = widen(q).chars().take(MAX_QUERY_CHARS).collect();
        let chars: Vec<char> = q.chars().collect();
        let mut parts = Vec::new();
        let mut rest: Vec<char> = chars.clone();
        // A citation: the law is the word just before the article (a space may separate them).
        let dense: Vec<usize> = (0..chars.len())
            .filter(|&i| !chars[i].is_whitespace())
            .collect();
        let dense_chars: Vec<char> = dense.iter().map(|&i| chars[i]).collect();
        if let Some(a) = find_article(&dense_chars) {
            let (start, end) = (dense[a.start], dense[a.end - 1] + 1);
            let mut law_end = start;
            while law_end > 0 && chars[law_end - 1].is_whitespace() {
                law_end -= 1;
            }
            let mut law_start = law_end;
            while law_start > 0 && !chars[law_start - 1].is_whitespace() {
                law_start -= 1;
            }
            let law_text: String = chars[law_start..law_end].iter().collect();
            let laws = self.law_named(&law_text);
            // Words before the article that name no law stay words, and the article then only
            // ranks (`执业医师法39条`: 医师 matters first, those citing some 第三十九条 before).
            let narrow = laws.is_some() || law_text.is_empty();
            if laws.is_some() || a.explicit {
                let cut_from = if laws.is_some() { law_start } else { start };
                rest = chars[..cut_from]
                    .iter()
                    .chain(std::iter::once(&' '))
                    .chain(&chars[end..])
                    .copied()
                    .collect();
                parts.push(Part {
                    need: Need::Citation {
                        laws,
                        article: Some(a.article),
                        paragraph: a.paragraph,
                        item: a.item,
                        narrow,
                    },
                    weight: if narrow { ARTICLE_WEIGHT } else { LAW_WEIGHT },
                });
            }
        }
        let rest: String = rest.into_iter().collect();
        let terms = rest.split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；' | '/' | '+' | '。')
        });
        let mut words = String::new();
        for term in terms.filter(|t| !t.is_empty()) {
            if self.parse_term(term, &mut parts) {
                words.push_str(term);
                words.push(' ');
            }
        }
        (parts, words)
    }

    /// One whitespace-separated term (not lower-cased: pinyin is typed in lower case only):
    /// a matter id, a law, a unit code, pinyin initials, or else synonym keys and literal text.
    /// Whether the term was words (synonym keys and literal text).
    fn parse_term(&self, typed: &str, parts: &mut Vec<Part>) -> bool {
        let lower = typed.to_lowercase();
        let term = lower.as_str();
        let whole = self
            .id_part(term)
            .or_else(|| self.law_part(term))
            .or_else(|| self.unit_code_part(term))
            .or_else(|| self.pinyin_part(typed, term));
        match whole {
            Some(part) => {
                parts.push(part);
                false
            }
            None => {
                self.parse_words(term, parts);
                true
            }
        }
    }

    /// A matter id: letters, an optional hyphen, digits (`zhzf-12`, `ZHZF085`).
    fn id_part(&self, term: &str) -> Option<Part> {
        let letters: String = term.chars().take_while(char::is_ascii_lowercase).collect();
        let digits = term[letters.len()..].trim_start_matches('-');
        if letters.is_empty() || digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let number: u32 = digits.parse().unwrap_or(0);
        let d = self
            .docs
            .iter()
            .position(|d| d.id_prefix == letters && d.id_number == number)?;
        Some(Part {
            need: Need::Id(d),
            weight: ID_WEIGHT,
        })
    }

    /// A law by name, without an article: only the matters citing it answer.
    fn law_part(&self, term: &str) -> Option<Part> {
        let laws = self.law_named(term)?;
        Some(Part {
            need: Need::Citation {
                laws: Some(laws),
                article: None,
                paragraph: None,
                item: None,
                narrow: true,
            },
            weight: LAW_WEIGHT,
        })
    }

    fn unit_code_part(&self, term: &str) -> Option<Part> {
        self.unit_codes.contains(term).then(|| Part {
            need: Need::UnitCode(term.to_string()),
            weight: UNIT_CODE_WEIGHT,
        })
    }

    /// Two or more lower-case letters that are not a synonym key: pinyin initials, of a run of
    /// a name or (three or more) of a whole synonym key.
    fn pinyin_part(&self, typed: &str, term: &str) -> Option<Part> {
        let chars: Vec<char> = term.chars().collect();
        if chars.len() < 2
            || !typed.chars().all(|c| c.is_ascii_lowercase())
            || self.synonym_keys.contains_key(term)
        {
            return None;
        }
        let bits: Vec<u32> = chars
            .iter()
            .map(|&c| 1 << (c as u32 - 'a' as u32))
            .collect();
        let keys = if bits.len() >= 3 {
            (0..self.synonyms.len())
                .filter(|&s| {
                    let ini = &self.synonyms[s].initials;
                    ini.len() == bits.len() && ini.iter().zip(&bits).all(|(i, b)| i & b != 0)
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Part {
            need: Need::Pinyin(bits, keys),
            weight: chars.len() as f32,
        })
    }

    /// Synonym keys, longest first from the left; literal text between them.
    fn parse_words(&self, term: &str, parts: &mut Vec<Part>) {
        let chars: Vec<char> = term.chars().collect();
        let mut literal: Vec<char> = Vec::new();
        let flush = |literal: &mut Vec<char>, parts: &mut Vec<Part>| {
            if !literal.is_empty() {
                parts.push(Part {
                    weight: literal.len() as f32,
                    need: Need::Text(std::mem::take(literal)),
                });
            }
        };
        let mut i = 0;
        while i < chars.len() {
            let longest = (2..=self.longest_key.min(chars.len() - i))
                .rev()
                .find_map(|len| {
                    let k: String = chars[i..i + len].iter().collect();
                    self.synonym_keys.get(&k).map(|&s| (s, len))
                });
            match longest {
                Some((s, len)) => {
                    flush(&mut literal, parts);
                    parts.push(Part {
                        need: Need::Synonym(s),
                        weight: len as f32,
                    });
                    i += len;
                }
                None => {
                    literal.push(chars[i]);
                    i += 1;
                }
            }
        }
        flush(&mut literal, parts);
    }

    fn score_part(&self, part: &Part, t: &mut Tally) {
        let w = part.weight;
        let credit = |d: usize, quality: f32, name_chars: f32, t: &mut Tally| {
            if quality > 0.0 {
                t.score[d] += w * quality;
                t.matched[d] += w;
                t.name_hits[d] += name_chars;
            }
        };
        match &part.need {
            Need::Id(d) => credit(*d, 1.0, 0.0, t),
            Need::UnitCode(code) => {
                for (d, doc) in self.docs.iter().enumerate() {
                    if &doc.unit == code {
                        credit(d, 1.0, 0.0, t);
                    }
                }
            }
            Need::Citation {
                laws,
                article,
                paragraph,
                item,
                narrow,
            } => {
                let mut cited = vec![false; self.docs.len()];
                for (d, doc) in self.docs.iter().enumerate() {
                    let fits = |c: &Cite| {
                        laws.as_ref().is_none_or(|l| l.contains(&c.law))
                            && article.is_none_or(|a| a == c.article)
                            && paragraph.is_none_or(|p| c.paragraph == Some(p))
                            && item.is_none_or(|i| c.item == Some(i))
                    };
                    let q = doc
                        .cites
                        .iter()
                        .filter(|c| fits(c))
                        .map(|c| if c.main { 1.0 } else { ALSO_SHARE })
                        .fold(0.0, f32::max);
                    if q > 0.0 {
                        cited[d] = true;
                        credit(d, q, 0.0, t);
                    }
                }
                if *narrow {
                    let both = match t.cited.take() {
                        Some(prev) => prev.iter().zip(&cited).map(|(a, b)| *a && *b).collect(),
                        None => cited,
                    };
                    t.cited = Some(both);
                }
            }
            Need::Pinyin(bits, keys) => {
                // A whole key's initials count a little less than a run of the name.
                let mut by_key = vec![(0.0f32, 0u16); self.docs.len()];
                for &s in keys {
                    for &(d, v, in_name) in &self.synonyms[s].hits {
                        let e = &mut by_key[d as usize];
                        *e = (e.0.max(KEY_INITIALS * v), e.1.max(in_name));
                    }
                }
                for (d, doc) in self.docs.iter().enumerate() {
                    let run = pinyin_quality(doc, bits).unwrap_or(0.0);
                    if run >= by_key[d].0 {
                        credit(d, run, bits.len() as f32, t);
                    } else {
                        credit(d, by_key[d].0, f32::from(by_key[d].1), t);
                    }
                }
            }
            Need::Synonym(s) => {
                for &(d, v, in_name) in &self.synonyms[*s].hits {
                    credit(d as usize, v, f32::from(in_name), t);
                }
            }
            Need::Text(chars) => self.score_text(chars, t),
        }
    }

    /// Literal text: each character counts by the best field and rarity of a 2-character gram
    /// of the query that covers it and that the matter has; a character found only on its own
    /// in the name counts a little (as a tie-breaker), and so do grams repeated in the name.
    fn score_text(&self, chars: &[char], t: &mut Tally) {
        let n = self.docs.len();
        let l = chars.len();
        let mut best = vec![0.0f32; n * l];
        let mut single = vec![0.0f32; n * l];
        let mut in_name = vec![0u64; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut seen = vec![false; n];
        let mut touch = |d: u32, touched: &mut Vec<u32>| {
            if !seen[d as usize] {
                seen[d as usize] = true;
                touched.push(d);
            }
        };
        for (k, c) in chars.iter().enumerate() {
            let Some(list) = self.name_chars.get(c) else {
                continue;
            };
            let r = single_char(list.len(), n);
            for &d in list {
                touch(d, &mut touched);
                single[d as usize * l + k] = r;
            }
        }
        for k in 0..l.saturating_sub(1) {
            let Some(list) = self.grams.get(&gram(chars[k], chars[k + 1])) else {
                continue;
            };
            let r = rarity(list.len(), n);
            for &(d, mask, times) in list {
                let du = d as usize;
                touch(d, &mut touched);
                let v = best_field(mask) * r;
                let row = &mut best[du * l..du * l + l];
                row[k] = row[k].max(v);
                row[k + 1] = row[k + 1].max(v);
                if times > 0 && k < 64 {
                    in_name[du] |= 1 << k;
                    t.weak[du] += 0.05 * f32::from(times.min(3) - 1);
                }
            }
        }
        for d in touched {
            let du = d as usize;
            let (row, one) = (&best[du * l..du * l + l], &single[du * l..du * l + l]);
            let strong: f32 = row.iter().sum();
            let covered = row.iter().filter(|v| **v > 0.0).count() as f32;
            let alone = row.iter().zip(one).filter(|(b, o)| **b == 0.0 && **o > 0.0);
            let (weak, alone_n) = alone.fold((0.0, 0.0), |(w, c), (_, o)| (w + o, c + 1.0));
            let bits = in_name[du];
            t.score[du] += strong;
            t.weak[du] += weak;
            t.matched[du] += covered + 0.5 * alone_n;
            t.name_hits[du] += (bits | (bits << 1)).count_ones() as f32;
        }
    }
}

/// A character of a key, or its sound.
#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum Mark {
    Char(char),
    Sound(&'static str),
}

/// The vocabulary's keys by what their first character is or sounds like, and (keys of four or
/// more characters, which may have one character wrong) their second: a key typed with a typo
/// has its first character or its sound in the query, or the second when the first is the one
/// wrong. Only these keys need [`near_key`]'s full comparison — a few among 1,800.
#[derive(Default)]
struct TypoCandidates {
    first: HashMap<Mark, Vec<usize>>,
    second: HashMap<Mark, Vec<usize>>,
}

impl TypoCandidates {
    fn new(synonyms: &[Synonym]) -> Self {
        let mut out = TypoCandidates::default();
        for (k, syn) in synonyms.iter().enumerate() {
            let l = syn.key.len();
            for (pos, map) in [(0, &mut out.first), (1, &mut out.second)] {
                if pos == 1 && l < 4 || pos >= l {
                    continue;
                }
                map.entry(Mark::Char(syn.key[pos])).or_default().push(k);
                if let Some(s) = syn.sounds[pos] {
                    map.entry(Mark::Sound(s)).or_default().push(k);
                }
            }
        }
        out
    }

    /// The keys that the query's characters `q` (with their `sounds`) could hold with a typo.
    fn of(&self, q: &[char], sounds: &[Option<&'static str>]) -> HashSet<usize> {
        let mut out = HashSet::new();
        for (c, s) in q.iter().zip(sounds) {
            let marks = std::iter::once(Mark::Char(*c)).chain(s.map(Mark::Sound));
            for m in marks {
                for map in [&self.first, &self.second] {
                    out.extend(map.get(&m).into_iter().flatten().copied());
                }
            }
        }
        out
    }
}

/// Whether the query has the vocabulary key `syn` with a typo: somewhere the key's length of
/// characters that differ from it only by characters of the same sound (a pinyin input method's
/// slip: `地勾油`), or, for a key of four or more characters, by one character (`缺斤少两`).
fn near_key(q: &[char], sounds: &[Option<&str>], syn: &Synonym) -> bool {
    let l = syn.key.len();
    if l < 2 || q.len() < l {
        return false;
    }
    (0..=q.len() - l).any(|s| {
        // `other`: characters neither the key's nor of its sound; one is allowed in a long key.
        let (mut same, mut other) = (0, 0);
        for j in 0..l {
            if q[s + j] == syn.key[j] {
                same += 1;
            } else if sounds[s + j].is_none() || sounds[s + j] != syn.sounds[j] {
                other += 1;
                if other > usize::from(l >= 4) {
                    return false;
                }
            }
        }
        (other == 0 && same < l) || (l >= 4 && same == l - 1)
    })
}

/// How well pinyin initials match a contiguous run of the name: 0.7 for a run, up to 1 when the
/// run starts and ends at word boundaries and uses each character's usual reading.
fn pinyin_quality(doc: &Doc, bits: &[u32]) -> Option<f32> {
    let (m, n) = (bits.len(), doc.any_initial.len());
    if m > n {
        return None;
    }
    (0..=n - m)
        .filter(|&s| (0..m).all(|j| doc.any_initial[s + j] & bits[j] != 0))
        .map(|s| {
            let usual = (0..m).all(|j| doc.first_initial[s + j] & bits[j] != 0);
            0.7 + if doc.boundary[s] { 0.12 } else { 0.0 }
                + if doc.boundary[s + m] { 0.12 } else { 0.0 }
                + if usual { 0.06 } else { 0.0 }
        })
        .reduce(f32::max)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use super::*;
    use crate::sources::{load_search_terms, load_standards};

    fn bundled() -> &'static (StandardsSet, SearchIndex) {
        static INDEX: OnceLock<(StandardsSet, SearchIndex)> = OnceLock::new();
        INDEX.get_or_init(|| {
            let set = load_standards(None).expect("bundled standards");
            let terms = load_search_terms(None, &set).expect("bundled vocabulary");
            let index = SearchIndex::new(&set, &terms);
            (set, index)
        })
    }

    fn index() -> &'static SearchIndex {
        &bundled().1
    }

    /// The ids found for `q`, best first.
    fn ids(q: &str) -> Vec<&'static str> {
        let (set, index) = bundled();
        index
            .find(q)
            .into_iter()
            .map(|i| set.matters[i].id.as_str())
            .collect()
    }

    fn rank(q: &str, id: &str) -> usize {
        ids(q)
            .iter()
            .position(|x| *x == id)
            .unwrap_or_else(|| panic!("{q}: {id} not found in {:?}", ids(q)))
    }

    #[test]
    fn words_in_any_order_with_or_without_spaces() {
        // Both matters have both words; the one about storing hazardous waste comes first.
        for q in [
            "危险废物 贮存",
            "贮存 危险废物",
            "危险废物贮存",
            "贮存危险废物",
        ] {
            assert_eq!(ids(q)[0], "STHJ-057", "{q}");
            assert!(rank(q, "STHJ-057") < rank(q, "STHJ-060"), "{q}");
        }
        // Not contiguous in the name: 使用登记 … 特种设备 in either order.
        assert_eq!(ids("特种设备 使用登记")[0], "SCJG-074");
        assert_eq!(ids("使用登记特种设备")[0], "SCJG-074");
        // Part of a name.
        assert!(ids("占道").contains(&"XFJY-015"));
        assert_eq!(ids("网吧 身份证件 登记")[0], "WGLT-027");
        // Nonsense finds nothing clear: at most a near hit below a clear match.
        assert!(
            index()
                .ranked_with_confidence("量子隧穿")
                .iter()
                .all(|h| h.2 < CLEAR_MATCH)
        );
    }

    #[test]
    fn colloquial_phrases_through_the_synonyms() {
        assert_eq!(ids("人行道上摆地摊")[0], "ZHZF-019");
        let top2 = &ids("没批就建")[..2];
        assert!(
            top2.contains(&"ZHZF-001") && top2.contains(&"ZHZF-003"),
            "{top2:?}"
        );
        // The planning permit ranks above a matter that only has the generic 未经批准.
        assert!(rank("没批就建", "ZHZF-001") < rank("没批就建", "ZJJ-010"));
        assert_eq!(ids("乱倒垃圾")[0], "ZHZF-036");
        // The longest key wins: 无证排污, not 无证 (which maps to 未取得 everywhere).
        assert_eq!(ids("无证排污")[0], "STHJ-077");
        assert_eq!(ids("货车超宽超高")[0], "JTJ-043");
        // Several of a key's words in the name beat one.
        assert_eq!(ids("偷采河沙")[0], "SLJ-032");
    }

    #[test]
    fn pinyin_initials_prefer_runs_on_word_boundaries() {
        // xgg: 小广告 ends the name; 械广告 and 训广告 run across words.
        assert_eq!(ids("xgg")[0], "ZHZF-026");
        assert!(rank("xgg", "ZHZF-026") < rank("xgg", "SCJG-110"));
        // shy: “三合一” is a word of its own; 售含有, 施和应, 损害业 are not.
        assert_eq!(ids("shy")[0], "XFJY-018");
        assert_eq!(ids("hwb")[0], "WGLT-020");
        // Any reading of a polyphone: 行 xíng in 非医师行医.
        assert_eq!(ids("fysxy")[0], "WSJK-010");
        // The initials of a colloquial key: zdjy = 占道经营.
        assert!(["ZHZF-019", "ZHZF-020", "JTJ-025"].contains(&ids("zdjy")[0]));
        // Upper case is not pinyin (an abbreviation or a unit code).
        assert!(ids("XGG").is_empty());
    }

    #[test]
    fn ids_in_any_case_and_padding() {
        assert_eq!(ids("zhzf-12"), ["ZHZF-012"]);
        assert_eq!(ids("ZHZF-012"), ["ZHZF-012"]);
        assert_eq!(ids("ZHZF085"), ["ZHZF-085"]);
        assert_eq!(ids("scjg-2"), ["SCJG-002"]);
        // A unit code alone lists the unit's matters.
        assert!(ids("zjj").iter().all(|id| id.starts_with("ZJJ-")));
    }

    #[test]
    fn citations_as_inspectors_write_them() {
        assert_eq!(ids("大气法 99条"), ["STHJ-004"]);
        assert_eq!(
            ids("大气法99条"),
            ids("中华人民共和国大气污染防治法第九十九条")
        );
        assert_eq!(
            ids("大气污染防治法第一百零八条"),
            ["STHJ-015", "STHJ-016", "STHJ-017", "STHJ-018"]
        );
        // 款/项 narrow to the citations that have them.
        assert_eq!(ids("食安法124条").len(), 6);
        assert_eq!(ids("食安法124条第一款第五项"), ["SCJG-013"]);
        assert_eq!(ids("食安法 第124条 第1款 第5项"), ["SCJG-013"]);
        let mut fire = ids("消防法60条第二款");
        fire.sort_unstable();
        assert_eq!(fire, ["XFJY-012", "XFJY-013", "XFJY-014", "XFJY-015"]);
        // A partial title, and the province-qualified abbreviation.
        assert_eq!(ids("城乡规划法64条"), ["ZHZF-001", "ZHZF-002"]);
        assert_eq!(
            ids("浙江省市容环卫条例32条"),
            ["ZHZF-034", "ZHZF-035", "ZHZF-036"]
        );
        // An article alone: any law; a law alone: all its matters.
        assert!(ids("第九十九条").contains(&"STHJ-004"));
        // The law alone: every matter citing it, whatever its unit (综合执法 and 住建 enforce
        // parts of it too).
        let air = ids("大气法");
        assert!(air.iter().any(|id| id.starts_with("STHJ-")));
        assert!(air.iter().all(|id| {
            let m = crate::sources::load_standards(None).unwrap();
            let m = m.matter(id).unwrap();
            std::iter::once(&m.violated)
                .chain(std::iter::once(&m.penalty))
                .chain(&m.penalty_also)
                .any(|c| c.law.contains("大气污染防治"))
        }));
        // A law narrows, the words rank.
        let dust = ids("大气法 扬尘");
        assert!(["STHJ-019", "STHJ-020"].contains(&dust[0]), "{dust:?}");
        // Construction-site dust is 住建's (ZJJ-063), under the same law.
        assert!(dust.contains(&"ZJJ-063"), "{dust:?}");
        // Words that name no law stay words; the article only ranks.
        assert!(ids("排污 99条")[0] == "STHJ-004");
        // Words and a citation together: the citation narrows, the words rank.
        assert_eq!(ids("消火栓 消防法60条第二款")[0], "XFJY-014");
        assert_eq!(ids("消火栓 消防法60条第二款").len(), 4);
    }

    #[test]
    fn the_vocabulary_is_checked_against_the_standards() {
        let (set, _) = bundled();
        let bad = "[law_abbreviations]\n\"大气法\" = \"中华人民共和国大气污染防治法\"\n\"假法\" = \"不存在的法\"\n\n[synonyms]\n\"摆摊\" = [\"设摊经营\", \"不在任何事项里的词\"]\n";
        let err = SearchTerms::parse(TERMS_FILE, bad, set).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.0.len(), 2, "{text}");
        assert!(
            text.contains("search_terms.toml:3: law_abbreviations.\"假法\""),
            "{text}"
        );
        assert!(
            text.contains("search_terms.toml:6: synonyms.\"摆摊\""),
            "{text}"
        );
        assert!(text.contains("不在任何事项里的词"), "{text}");
        let err = SearchTerms::parse(TERMS_FILE, "[synonyms]\n\"x\" = [", set).unwrap_err();
        assert_eq!(err.0[0].line, 2, "{err}");
        let err = SearchTerms::parse(TERMS_FILE, "[other]\n", set).unwrap_err();
        assert!(err.to_string().contains("other"), "{err}");
    }

    /// Issue 16: a matter's everyday phrases must belong to a matter of the set and be
    /// sentences, not texts; they reach the n-gram ranking only (a matter whose texts share
    /// no character with a query is found through them).
    #[test]
    fn phrases_are_checked_and_read_by_the_ngram_ranking() {
        let (set, _) = bundled();
        let too_long = "长".repeat(MAX_PHRASE_CHARS + 1);
        let bad = format!(
            "[phrases]\n\"ZHZF-001\" = [\"没批就盖房\"]\n\"ZHZF-999\" = [\"没有这个事项\"]\n\"STHJ-001\" = [\"{too_long}\", \"。\"]\n\"STHJ-002\" = []\n"
        );
        let err = SearchTerms::parse(TERMS_FILE, &bad, set).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.0.len(), 4, "{text}");
        assert!(
            text.contains("search_terms.toml:5: phrases.\"STHJ-002\": no phrases given"),
            "{text}"
        );
        assert!(
            text.contains("search_terms.toml:3: phrases.\"ZHZF-999\": no such matter"),
            "{text}"
        );
        assert!(
            text.contains("search_terms.toml:4: phrases.\"STHJ-001\""),
            "{text}"
        );
        // A made-up word no text of the standards has, given as one matter's phrase.
        let word = "呜啦啦嘀嗒";
        let without = SearchIndex::new(set, &SearchTerms::default());
        assert!(!without.find(word).contains(&2), "{:?}", without.find(word));
        let terms = SearchTerms::parse(
            TERMS_FILE,
            &format!("[phrases]\n\"{}\" = [\"{word}\"]\n", set.matters[2].id),
            set,
        )
        .unwrap();
        let with = SearchIndex::new(set, &terms);
        assert_eq!(with.find(word).first(), Some(&2), "{:?}", with.find(word));
    }

    #[test]
    fn a_standards_directory_without_vocabulary_searches_without_it() {
        let dir = Path::new("tests/fixtures/standards");
        let set = load_standards(Some(dir)).expect("fixtures");
        let terms = load_search_terms(Some(dir), &set).expect("no file is no vocabulary");
        assert!(terms.law_abbreviations.is_empty() && terms.synonyms.is_empty());
        let index = SearchIndex::new(&set, &terms);
        let first = &set.matters[0];
        assert_eq!(index.find(&first.id.to_lowercase()), [0]);
        assert_eq!(index.find(&first.name)[0], 0);
    }

    /// Issue 16: a vocabulary key typed through a pinyin input method with the wrong character
    /// of the same sound, or (four characters or more) with one character changed, still
    /// counts; the exact key is the parser's, another sound is not the key.
    #[test]
    fn vocabulary_keys_typed_with_a_typo() {
        let near = |q: &str, key: &str| {
            let syn = Synonym {
                hits: Vec::new(),
                targets: Vec::new(),
                initials: Vec::new(),
                key: key.chars().collect(),
                sounds: key.chars().map(ngram::syllable_of).collect(),
            };
            let q: Vec<char> = q.chars().collect();
            let sounds: Vec<_> = q.iter().map(|&c| ngram::syllable_of(c)).collect();
            near_key(&q, &sounds, &syn)
        };
        assert!(near("早餐店用地勾油炸油条", "地沟油"));
        assert!(near("菜市场缺斤少两", "缺斤短两"));
        assert!(!near("地沟油", "地沟油"));
        assert!(!near("天沟油", "地沟油"));
        assert!(!near("缺两", "缺斤短两"));
        // End to end: the key's words reach the n-gram ranking.
        assert!(ids("路边早餐店用地勾油炸油条")[..5].contains(&"SCJG-004"));
    }

    /// The typo check runs only on the keys `TypoCandidates` picks: it must pick every key the
    /// full check would find, for any query (here: every key of the vocabulary with each of
    /// its characters in turn replaced by another of the same sound and by an unrelated one).
    #[test]
    fn typo_candidates_never_miss_a_key() {
        let index = index();
        let mut checked = 0;
        for syn in &index.synonyms {
            for j in 0..syn.key.len() {
                for other in ['鑫', '地', syn.key[(j + 1) % syn.key.len()]] {
                    let mut q = vec!['我', '看'];
                    q.extend(&syn.key);
                    q[2 + j] = other;
                    let sounds: Vec<_> = q.iter().map(|&c| ngram::syllable_of(c)).collect();
                    let candidates = index.typo_candidates.of(&q, &sounds);
                    for (k, any) in index.synonyms.iter().enumerate() {
                        if near_key(&q, &sounds, any) {
                            checked += 1;
                            assert!(candidates.contains(&k), "{q:?}: {:?}", any.key);
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Issue 16: a query with meaningful words never answers nothing; the fallback's hits are
    /// never presented as clear matches, and a clear query is.
    #[test]
    fn meaningful_words_always_find_something_and_confidence_says_how_clearly() {
        for q in ["烧秸秆", "卖假烟", "没批就盖房", "工地晚上施工噪音"] {
            assert!(!ids(q).is_empty(), "{q}");
        }
        let clear = index().ranked_with_confidence("路边摆摊");
        assert!(clear[0].2 >= CLEAR_MATCH, "{clear:?}");
        let near = index().nearest_by_characters("门前堆放杂物影响通行");
        assert!(!near.is_empty());
    }
}
