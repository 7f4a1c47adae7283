//! The search's inputs as data, for the inspector's phone (`GET /m/search-index`): the texts of
//! every matter of the version (the same normalised fields the index is built from), the
//! vocabulary as the index holds it (synonym keys and their words, every name a law is found
//! by), the pinyin the ranking reads, the weights, and the per-frequency tables of the values
//! that need a logarithm. `mobile/search.js` builds the same index from it and ranks the same
//! way, so that a query gives the same matters in the same order offline as online.
//!
//! Why tables: Rust's `f32::ln` and JavaScript's `Math.log` may differ in the last bit, and a
//! last bit can swap two matters. Every such value depends only on a document frequency and the
//! number of matters, so it is computed here, once per frequency, with the very functions the
//! index uses; the phone only adds, multiplies and divides (emulated in f32 with
//! `Math.fround`, exact for those).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use pinyin::ToPinyin;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    ALSO_SHARE, ARTICLE_WEIGHT, CLEAR_MATCH, CUTOFF, EXTRA_WORD, FALLBACK_HITS, FALLBACK_MIN,
    FIELD_WEIGHT, ID_WEIGHT, IN_ORDER, KEY_INITIALS, LAW_WEIGHT, MAX_QUERY_CHARS, NGRAM_SHARE,
    NGRAM_UNEXPLAINED, ORDER_CHECK, STOP_CHARS, SearchIndex, UNIT_CODE_WEIGHT, fallback_weight,
    initials, ngram, normalize, rarity, single_char, specificity,
};
use crate::standards::StandardsSet;

/// The document's format: search.js refuses another.
pub const FORMAT: u32 = 1;

/// The document as served: its JSON text, the same gzipped, and its entity tag (a digest of
/// the text).
pub struct OfflineIndex {
    pub json: Arc<[u8]>,
    /// At the best level, once: a third smaller than the server's on-the-fly compression.
    pub gzip: Arc<[u8]>,
    pub etag: String,
}

impl OfflineIndex {
    pub fn new(set: &StandardsSet, index: &SearchIndex) -> Self {
        let json = document(set, index).to_string().into_bytes();
        let digest = Sha256::digest(&json);
        let etag = format!("\"{}-{}\"", set.version, hex16(&digest));
        OfflineIndex {
            gzip: gzip(&json).into(),
            json: json.into(),
            etag,
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut z = GzEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    z.write_all(bytes).expect("gzip into memory");
    z.finish().expect("gzip into memory")
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One matter as the phone indexes it.
#[derive(Serialize)]
struct MatterData<'a> {
    id: &'a str,
    /// As published (the hits show it), when it is not the searched name (`fields[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    unit: &'a str,
    /// `ngram::fields`: name, tier situations, category, facts, measures, note, the everyday
    /// phrases (normalised).
    /// The exact ranking's fields are the first four and the unit's name.
    fields: [String; ngram::FIELDS],
    /// (law, article, 款 or 0, 项 or 0, 1 for 违法/处罚依据 and 0 for `penalty_also`).
    cites: Vec<[u32; 5]>,
}

/// The whole document (see the module's comment).
fn document(set: &StandardsSet, index: &SearchIndex) -> Value {
    let n = set.matters.len();
    let matters: Vec<MatterData> = set
        .matters
        .iter()
        .zip(&index.docs)
        .zip(&index.phrases)
        .map(|((m, doc), phrases)| MatterData {
            id: &m.id,
            name: (doc.name != m.name).then_some(m.name.as_str()),
            unit: &m.unit,
            fields: ngram::fields(m, phrases),
            cites: doc
                .cites
                .iter()
                .map(|c| {
                    let law = u32::try_from(c.law).unwrap_or(u32::MAX);
                    let (p, i) = (c.paragraph.unwrap_or(0), c.item.unwrap_or(0));
                    [law, c.article, p, i, u32::from(c.main)]
                })
                .collect(),
        })
        .collect();
    let units: BTreeMap<&str, &str> = set
        .units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let unit_names: BTreeMap<&str, String> = set
        .units
        .iter()
        .map(|u| (u.code.as_str(), normalize(&u.name)))
        .collect();
    let synonyms: Vec<(String, &[String])> = index
        .synonyms
        .iter()
        .map(|s| (s.key.iter().collect(), s.targets.as_slice()))
        .collect();
    let mut unit_codes: Vec<&String> = index.unit_codes.iter().collect();
    unit_codes.sort();
    let (syllables, sounds) = sound_table();
    json!({
        "format": FORMAT,
        "version": set.version,
        "matters": matters,
        "units": units,
        "unit_names": unit_names,
        "unit_codes": unit_codes,
        "laws": index.laws.iter().map(|l| normalize(l)).collect::<Vec<_>>(),
        "law_names": index.law_names.iter().collect::<BTreeMap<_, _>>(),
        "synonyms": synonyms,
        "initials": initials_table(index),
        "syllables": syllables,
        "sounds": sounds,
        "tables": tables(n),
        "weights": weights(),
        "stop_chars": STOP_CHARS,
        "filler": ngram::FILLER,
    })
}

/// Per document frequency 0..=n, the values that need a logarithm (see the module's comment).
fn tables(n: usize) -> Value {
    let per_df = |f: &dyn Fn(usize) -> f32| (0..=n).map(f).collect::<Vec<f32>>();
    json!({
        "rarity": per_df(&|df| rarity(df, n)),
        "specificity": per_df(&|df| specificity(df, n)),
        "single_char": per_df(&|df| single_char(df, n)),
        "fallback": per_df(&|df| fallback_weight(df as u32, n as f32)),
        "idf": per_df(&|df| ngram::idf(df, n)),
    })
}

/// The ranking's constants, so that the phone's copy follows a change here.
fn weights() -> Value {
    json!({
        "field": FIELD_WEIGHT,
        "id": ID_WEIGHT,
        "article": ARTICLE_WEIGHT,
        "law": LAW_WEIGHT,
        "unit_code": UNIT_CODE_WEIGHT,
        "key_initials": KEY_INITIALS,
        "also_share": ALSO_SHARE,
        "extra_word": EXTRA_WORD,
        "order_check": ORDER_CHECK,
        "in_order": IN_ORDER,
        "max_query_chars": MAX_QUERY_CHARS,
        "ngram_share": NGRAM_SHARE,
        "ngram_unexplained": NGRAM_UNEXPLAINED,
        "cutoff": CUTOFF,
        "clear_match": CLEAR_MATCH,
        "fallback_min": FALLBACK_MIN,
        "fallback_hits": FALLBACK_HITS,
        "ngram": ngram::weights(),
    })
}

/// The initials of every character of a matter's name and of a synonym key (the only places
/// the ranking reads them): character → [usual reading's, all readings'] as letter bits.
fn initials_table(index: &SearchIndex) -> BTreeMap<char, [u32; 2]> {
    let names = index.docs.iter().flat_map(|d| d.name.chars());
    let keys = index.synonyms.iter().flat_map(|s| s.key.iter().copied());
    names
        .chain(keys)
        .filter(|c| !c.is_ascii_lowercase())
        .map(|c| {
            let (first, all) = initials(c);
            (c, [first, all])
        })
        .filter(|(_, [_, all])| *all != 0)
        .collect()
}

/// How far apart two characters with a reading may be to stay in one run of the sound table.
const SOUND_GAP: u32 = 16;
/// The digits of a syllable's number in the sound table, two per character (0: no reading).
const SOUND_DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Every character's usual reading, toneless, as any character typed may be a sound-alike:
/// the syllables, and runs `[first code point, two digits per character]` numbering them from 1.
fn sound_table() -> (Vec<&'static str>, Vec<(u32, String)>) {
    let mut syllables: Vec<&'static str> = Vec::new();
    let mut number: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut runs: Vec<(u32, String)> = Vec::new();
    let mut last = 0u32;
    for code in 0..=u32::from(char::MAX) {
        let Some(s) = char::from_u32(code)
            .and_then(|c| c.to_pinyin())
            .map(|p| p.plain())
        else {
            continue;
        };
        let k = *number.entry(s).or_insert_with(|| {
            syllables.push(s);
            syllables.len()
        });
        match runs.last_mut() {
            Some((_, text)) if code - last <= SOUND_GAP => {
                for _ in last + 1..code {
                    text.push_str("00");
                }
                push_digits(text, k);
            }
            _ => {
                let mut text = String::new();
                push_digits(&mut text, k);
                runs.push((code, text));
            }
        }
        last = code;
    }
    (syllables, runs)
}

fn push_digits(text: &mut String, k: usize) {
    text.push(char::from(SOUND_DIGITS[k / 64]));
    text.push(char::from(SOUND_DIGITS[k % 64]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{load_search_terms, load_standards};

    /// The exact ranking's fields are the n-gram ranking's first four and the unit's name: the
    /// document ships the texts once.
    #[test]
    fn the_two_rankings_read_the_same_texts() {
        let set = load_standards(None).unwrap();
        for m in &set.matters {
            let exact = super::super::matter_fields(&set, m);
            let ngram = ngram::fields(m, &[]);
            assert_eq!(exact[..4], ngram[..4], "{}", m.id);
            let unit = set
                .unit(&m.unit)
                .map_or(String::new(), |u| normalize(&u.name));
            assert_eq!(exact[4], unit);
        }
        let terms = load_search_terms(None, &set).unwrap();
        let index = SearchIndex::new(&set, &terms);
        let doc = OfflineIndex::new(&set, &index);
        assert!(doc.json.len() > 100_000, "{}", doc.json.len());
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&doc.gzip[..]), &mut plain)
            .unwrap();
        assert_eq!(plain.as_bytes(), &doc.json[..]);
    }
}
