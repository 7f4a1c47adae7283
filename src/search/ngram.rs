//! The matter search's second opinion: BM25F over character n-grams of every text a matter
//! has, for queries nobody wrote the vocabulary for (a resident's complaint, an inspector's
//! own phrasing, a typo, words in another order).
//!
//! Terms are a matter text's 2-character grams, its single characters, and the 2-grams of its
//! characters' pinyin syllables (toneless, usual reading), so that a homophone typed by a
//! pinyin input method (`地勾油` for 地沟油, `过其` for 过期) still meets the word. Grams are
//! taken inside runs of word characters only, so the order of the query's words does not matter.
//! Each field counts with its weight and is normalised by its length (BM25F); a term's weight
//! is its inverse document frequency. Colloquial filler that says nothing about a matter
//! (`有人`, `我家`, `怎么办`) is cut out of the query before its grams are taken.

use foldhash::{HashMap, HashMapExt};

use pinyin::ToPinyin;

use super::{SearchTerms, is_word_char, normalize};
use crate::standards::{Matter, StandardsSet};

/// The texts of a matter, in [`FIELD_WEIGHT`]'s order: name, tier situations (适用情形),
/// category, fact labels and values, the statutory measures, the note, and the vocabulary's
/// phrases for it (the act in everyday words).
pub(super) const FIELDS: usize = 7;

/// Each field's weight: the name says what the matter is; the situations, category and facts
/// describe it, and so do the everyday phrases (weighed as the situations, chosen before any
/// measurement); the measures and the note only mention things.
const FIELD_WEIGHT: [f32; FIELDS] = [3.0, 1.0, 1.0, 0.8, 0.5, 0.6, 1.0];
/// BM25's usual saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// What a term counts beside a character 2-gram: a single character as much (spoken Chinese has
/// many one-character words: 砍, 吵, 偷; its lower document frequency already weighs it less),
/// a syllable 2-gram half (a guess at a typo), two characters one apart less (`搭了棚` meets 搭棚,
/// `私搭乱建` meets 搭建, but often by chance).
const UNIGRAM_WEIGHT: f32 = 1.0;
const SYLLABLE_WEIGHT: f32 = 0.5;
const SKIP_WEIGHT: f32 = 0.3;

/// Filler of spoken Chinese that names nothing a standard is about: the speaker and the people
/// and places around them (`我家`, `附近`), vague quantities and times, discourse markers and
/// the frames of a complaint. Chosen from general usage, not from any query:
/// pronouns and demonstratives, `有人`/`有个` (existential openers), degree and frequency adverbs,
/// hedges (`好像`, `听说`), question frames (`怎么办`, `管不管`). Longest first where one
/// contains another. A legal text rarely has these, and where it does (所有人) it is a
/// different word, so cutting them keeps a query's grams from meeting it by accident.
pub(super) const FILLER: &[&str] = &[
    "怎么办",
    "怎么回事",
    "管不管",
    "有没有人管",
    "有没有",
    "是不是",
    "能不能",
    "可不可以",
    "不知道",
    "也不知道",
    "我们家",
    "我家",
    "我们",
    "你们",
    "他们",
    "她们",
    "它们",
    "咱们",
    "大家",
    "自己",
    "有人",
    "有个",
    "有家",
    "有些",
    "有一个",
    "有一家",
    "这个",
    "那个",
    "这家",
    "那家",
    "这些",
    "那些",
    "这种",
    "那种",
    "这里",
    "那里",
    "这边",
    "那边",
    "附近",
    "旁边",
    "一直",
    "总是",
    "老是",
    "经常",
    "天天",
    "每天",
    "好像",
    "听说",
    "感觉",
    "觉得",
    "其实",
    "反正",
    "而且",
    "但是",
    "可是",
    "然后",
    "竟然",
    "居然",
    "简直",
    "根本",
    "非常",
    "真的",
    "一下",
    "一点",
    "一些",
    "好几",
    "好多",
    "很多",
    "一堆",
    "一大堆",
    "什么",
    "怎么",
    "为什么",
    "请问",
    "麻烦",
    "帮忙",
    "举报",
    "投诉",
    "反映",
    "现在",
    "已经",
    "还在",
    "就是",
    "还是",
    "只是",
    "是的",
    "啊",
    "呀",
    "吧",
    "呢",
    "吗",
    "嘛",
    "啦",
    "哦",
    "了",
    "的",
];

/// The weights above, for the phone's copy of the ranking (`offline`).
pub(super) fn weights() -> serde_json::Value {
    serde_json::json!({
        "field": FIELD_WEIGHT,
        "k1": K1,
        "b": B,
        "unigram": UNIGRAM_WEIGHT,
        "syllables": SYLLABLE_WEIGHT,
        "skip": SKIP_WEIGHT,
    })
}

/// Kinds of terms, in the top bits of a term's key.
const BIGRAM: u64 = 0;
const UNIGRAM: u64 = 1 << 60;
const SYLLABLES: u64 = 2 << 60;
const SKIP: u64 = 3 << 60;

fn pair(a: u64, b: u64) -> u64 {
    (a << 24) | b
}

/// The n-gram index: term → (matter, its precomputed BM25F contribution).
pub(super) struct NgramIndex {
    postings: HashMap<u64, Vec<(u32, f32)>>,
    /// Toneless syllable → id.
    syllables: HashMap<&'static str, u64>,
    /// Filler, as character vectors, longest first.
    filler: Vec<Vec<char>>,
}

/// A matter's texts, normalised, in field order; `phrases` are the vocabulary's for it.
pub(super) fn fields(m: &Matter, phrases: &[String]) -> [String; FIELDS] {
    let join =
        |parts: &mut dyn Iterator<Item = &str>| normalize(&parts.collect::<Vec<_>>().join("\n"));
    [
        normalize(&m.name),
        join(&mut m.tiers.iter().map(|t| t.situation.as_str())),
        normalize(&m.category),
        join(&mut m.facts.iter().flat_map(|f| {
            std::iter::once(f.label.as_str()).chain(f.values.iter().map(|v| v.label.as_str()))
        })),
        join(&mut m.statutory.measures.iter().map(|x| x.name.as_str())),
        normalize(m.note.as_deref().unwrap_or("")),
        phrases.join("\n"),
    ]
}

/// The vocabulary's phrases for a matter (none if it has none).
pub(super) fn phrases_of<'a>(terms: &'a SearchTerms, m: &Matter) -> &'a [String] {
    terms.phrases.get(&m.id).map_or(&[], Vec::as_slice)
}

impl NgramIndex {
    pub(super) fn new(set: &StandardsSet, vocabulary: &SearchTerms) -> Self {
        let mut syllables = HashMap::new();
        let per_doc: Vec<Vec<HashMap<u64, f32>>> = set
            .matters
            .iter()
            .map(|m| {
                fields(m, phrases_of(vocabulary, m))
                    .iter()
                    .map(|text| {
                        let mut tf: HashMap<u64, f32> = HashMap::new();
                        let mut learn = |c: char| {
                            let p = syllable_of(c)?;
                            let next = syllables.len() as u64 + 1;
                            Some(*syllables.entry(p).or_insert(next))
                        };
                        for t in terms(&chars_of(text), &mut learn, &|_| true) {
                            *tf.entry(t).or_default() += 1.0;
                        }
                        tf
                    })
                    .collect()
            })
            .collect();
        let n = per_doc.len();
        // Field lengths in terms (at least 1) and their averages.
        let len = |tf: &HashMap<u64, f32>| tf.values().sum::<f32>().max(1.0);
        let mut avg = [0.0f32; FIELDS];
        for doc in &per_doc {
            for (f, tf) in doc.iter().enumerate() {
                avg[f] += len(tf) / n.max(1) as f32;
            }
        }
        let mut weighted: HashMap<u64, Vec<(u32, f32)>> = HashMap::new();
        for (d, doc) in per_doc.iter().enumerate() {
            let mut mine: HashMap<u64, f32> = HashMap::new();
            for (f, tf) in doc.iter().enumerate() {
                let norm = 1.0 - B + B * len(tf) / avg[f].max(1.0);
                for (t, c) in tf {
                    *mine.entry(*t).or_default() += FIELD_WEIGHT[f] * c / norm;
                }
            }
            for (t, w) in mine {
                weighted.entry(t).or_default().push((d as u32, w));
            }
        }
        let kind_weight = |t: u64| match t >> 60 {
            0 => 1.0,
            1 => UNIGRAM_WEIGHT,
            2 => SYLLABLE_WEIGHT,
            _ => SKIP_WEIGHT,
        };
        let postings = weighted
            .into_iter()
            .map(|(t, list)| {
                let idf = idf(list.len(), n) * kind_weight(t);
                let list = list
                    .into_iter()
                    .map(|(d, w)| (d, idf * w * (K1 + 1.0) / (K1 + w)))
                    .collect();
                (t, list)
            })
            .collect();
        let mut filler: Vec<Vec<char>> = FILLER.iter().map(|f| f.chars().collect()).collect();
        filler.sort_by_key(|f| std::cmp::Reverse(f.len()));
        NgramIndex {
            postings,
            syllables,
            filler,
        }
    }

    /// The query's text without its filler: each filler occurrence becomes a break.
    fn without_filler(&self, q: &[char]) -> Vec<char> {
        let mut out = Vec::with_capacity(q.len());
        let mut i = 0;
        while i < q.len() {
            match self.filler.iter().find(|f| q[i..].starts_with(f)) {
                Some(f) => {
                    out.push(' ');
                    i += f.len();
                }
                None => {
                    out.push(q[i]);
                    i += 1;
                }
            }
        }
        out
    }

    /// Each matter's score for the literal text `q`, added to `score`.
    pub(super) fn score(&self, q: &str, score: &mut [f32]) {
        let chars = self.without_filler(&chars_of(&normalize(q)));
        // A sound-alike only stands in for a pair of characters no matter has (a typo).
        let unknown = |t: u64| !self.postings.contains_key(&t);
        let mut qs = terms(
            &chars,
            &mut |c| syllable_of(c).and_then(|p| self.syllables.get(p).copied()),
            &unknown,
        );
        qs.sort_unstable();
        qs.dedup();
        for t in qs {
            for &(d, v) in self.postings.get(&t).map_or(&[][..], Vec::as_slice) {
                score[d as usize] += v;
            }
        }
    }
}

/// BM25's inverse document frequency of a term `df` of `n` matters have (before its kind's
/// weight).
pub(super) fn idf(df: usize, n: usize) -> f32 {
    let df = df as f32;
    (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln()
}

fn chars_of(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// A character's usual reading, toneless.
pub(super) fn syllable_of(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// The terms of a text: per run of word characters, its character 2-grams, its single Han
/// characters and its syllable 2-grams (`syllable`: a character's syllable id, if known).
fn terms(
    chars: &[char],
    syllable: &mut dyn FnMut(char) -> Option<u64>,
    sound_alike: &dyn Fn(u64) -> bool,
) -> Vec<u64> {
    let mut out = Vec::new();
    for run in chars.split(|c| !is_word_char(*c)) {
        let sy: Vec<Option<u64>> = run.iter().map(|&c| syllable(c)).collect();
        for (i, &c) in run.iter().enumerate() {
            if super::is_han(c) {
                out.push(UNIGRAM | u64::from(c));
            }
            if i + 2 < run.len() {
                out.push(SKIP | pair(u64::from(c), u64::from(run[i + 2])));
            }
            if i + 1 < run.len() {
                let bigram = BIGRAM | pair(u64::from(c), u64::from(run[i + 1]));
                out.push(bigram);
                if let (Some(a), Some(b), true) = (sy[i], sy[i + 1], sound_alike(bigram)) {
                    out.push(SYLLABLES | pair(a, b));
                }
            }
        }
    }
    out
}
