//! Recomputing logged answers: the engine and the review are deterministic, so a calculation
//! or review entry (the request as understood, the day it was answered, the standards versions)
//! must give again the answer whose digest it keeps. `log verify --recompute` runs this over the
//! whole log: an answer that no longer matches means the standards, the engine or the review
//! changed under the same version name.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::engine::CalcRequest;
use crate::review::ReviewCase;
use crate::standards::versions::Versions;
use crate::supervision::{StoredEntry, hex};

/// What recomputing one entry showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recheck {
    /// The same answer, byte for byte.
    Matches,
    /// A different answer (or none) from the same request, day and version.
    Differs(String),
    /// Not recomputable here, and why (a supervisor's act, another standards version, an entry
    /// written before answers were digested).
    Skipped(&'static str),
}

/// The standards versions an entry's answer used: a calculation's, or each act's of a review
/// (the acts of one case may fall under different versions by their dates).
fn used_versions(entry: &StoredEntry) -> impl Iterator<Item = &str> {
    let acts = entry.result.get("acts").and_then(Value::as_array);
    std::iter::once(entry.standards_version.as_str()).chain(
        acts.into_iter()
            .flatten()
            .filter_map(|a| a.get("standards_version").and_then(Value::as_str)),
    )
}

/// Recomputes a calculation or review entry with the versions as they stood when it was
/// answered and compares the digest of the answer.
pub fn recheck(versions: &Versions, entry: &StoredEntry) -> Recheck {
    let review = match entry.kind.as_str() {
        "calculation" => false,
        "review" => true,
        _ => return Recheck::Skipped("not a calculation or a review"),
    };
    // The versions the answer was computed from, as its entry names them (entries from before
    // they were named: those published and not withdrawn at the time it was recorded).
    let versions = match entry.request.get("versions").and_then(Value::as_array) {
        Some(ids) => versions.only(
            &ids.iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect::<Vec<_>>(),
        ),
        None => versions.as_of(&entry.recorded_at),
    };
    if used_versions(entry).any(|v| versions.get(v).is_none()) {
        return Recheck::Skipped("another standards version");
    }
    let (Some(digest), Some(today)) = (
        entry.result.get("answer_sha256").and_then(Value::as_str),
        entry.request.get("today").and_then(Value::as_str),
    ) else {
        return Recheck::Skipped("written before answers were digested");
    };
    let Ok(today) = today.parse() else {
        return Recheck::Differs(format!("the logged day `{today}` is not a date"));
    };
    let mut request = entry.request.clone();
    if let Some(fields) = request.as_object_mut() {
        fields.remove("today");
        fields.remove("versions");
        fields.remove("offline_at");
        // A calculation's matter and case number are columns; a review's case keeps its own.
        if !review {
            fields.insert("matter_id".into(), json!(entry.matter_id));
            if let Some(case_ref) = &entry.case_ref {
                fields.insert("case_ref".into(), json!(case_ref));
            }
        }
    }
    let answer = if review {
        ReviewCase::from_json(&request)
            .and_then(|case| {
                crate::review::review(&super::version::ByDate(&versions), &case, today)
            })
            .map(|r| serde_json::to_vec(&r).expect("reviews encode"))
    } else {
        CalcRequest::from_json(&request)
            .and_then(|r| super::version::calculate(&versions, &r, today))
            .map(|result| serde_json::to_vec(&result).expect("results encode"))
    };
    match answer {
        Ok(bytes) if hex(&Sha256::digest(&bytes)) == digest => Recheck::Matches,
        Ok(_) => Recheck::Differs("the answer differs from the one given".into()),
        Err(e) => Recheck::Differs(format!("the request is now refused: {}", e.message_en)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_used_the_version_of_every_act() {
        let entry: StoredEntry = serde_json::from_value(json!({
            "seq": 2, "receipt": "2-0000", "recorded_at": "2026-12-01T00:00:00Z",
            "day": "2026-12-01", "kind": "review",
            "caller": {"token_id": "t", "name": "n", "unit": "ZHZF", "role": "reviewer"},
            "client": "rest", "matter_id": "ZHZF-019", "standards_version": "2026.1",
            "outcome": "conforms", "tier": 2, "case_ref": "1号", "request": {},
            "result": {"acts": [{"standards_version": "2026.1"}, {"standards_version": "2026.2"}]},
            "offline": false, "prev_hash": "0", "hash": "0"
        }))
        .unwrap();
        let used: Vec<&str> = used_versions(&entry).collect();
        assert_eq!(used, ["2026.1", "2026.1", "2026.2"]);
    }
}
