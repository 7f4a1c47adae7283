//! Log bodies kept compact on disk (issue 12: an entry in at most about 600 bytes). A body is
//! stored as LZ4 against a fixed dictionary of what every body repeats (keys, roles, parties,
//! common measures), behind a one-byte encoding id. The chain hashes the body's text, never the
//! stored bytes, so the encoding is storage only: a body read back is the text that was hashed.
//! A dictionary, once used, never changes: a new one gets a new id and the old stays readable.

/// Encoding 1's dictionary. Never edit it: bodies written with it depend on every byte.
const DICTIONARY_1: &str = concat!(
    r#"{"kind":"review","case_ref":"","inspector":"","party":"individual","acts":[{"act":1,"unit":"","matter_id":"","governing":null,"#,
    r#""verdict":"conforms","direction":"heavier","fine_deviation":{"amount":"","percent":""},"reason_required":false,"#,
    r#""standards_version":"2026.1","tier":{"level":1,"name":"较轻"},"standard_fine":{"min":"","max":""},"#,
    r#""proposed":{"fine":"","measures":[],"no_penalty":false,"first_offense_waiver":false},"findings":["fine_above_standard","reason_required"]}],"#,
    r#""verdict":"deviates","direction":"lighter","verdict":"unlawful","direction":"mixed","reason":"","proposed":{"fine":"0"},"#,
    r#""role":"reviewer","role":"supervisor","client":"mobile","offline":true,"offline_at":"2026-","#,
    r#""party":"sole_trader","party":"farmer","party":"state_organ","outcome":"no_penalty","outcome":"time_barred","#,
    r#""kind":"heavier","kind":"reduced","kind":"offset","circumstances":["first_offense","corrected_promptly","no_harm","minor_harm","#,
    r#""minor_act","mitigated_harm","coerced","meritorious","repeat_offense","other_mitigating"],"#,
    r#""measures":["警告","没收违法所得","没收非法财物","责令停止违法行为","责令限期改正","责令停产停业","暂扣许可证件","吊销许可证件","通报批评"],"#,
    r#""act_end_date":"2026-","decision_date":"2026-","no_penalty_possible":true,"persons_fine":{"min":"","max":""},"#,
    r#"{"v":2,"token_id":"","role":"inspector","client":"rest","standards_version":"2026.1","request":{"party":"organisation","facts":{},"#,
    r#""circumstances":["confessed"],"act_date":"2026-","discovered_date":"2026-","today":"2026-","versions":["2026.1"]},"#,
    r#""result":{"fine":{"min":"","max":""},"adjustments":[{"kind":"lighter","circumstances":["confessed"]}],"#,
    r#""measures":["责令改正","责令停止建设","限期改正"],"answer_sha256":""}}"#,
);

/// The stored bytes of a body: the encoding id, then the LZ4 block (its size first).
pub fn encode(body: &str) -> Vec<u8> {
    let packed =
        lz4_flex::block::compress_prepend_size_with_dict(body.as_bytes(), DICTIONARY_1.as_bytes());
    let mut out = Vec::with_capacity(packed.len() + 1);
    out.push(1);
    out.extend_from_slice(&packed);
    out
}

/// The body's text from its stored bytes; an error names what is wrong (a tamper report).
pub fn decode(stored: &[u8]) -> Result<String, String> {
    match stored.split_first() {
        Some((1, packed)) => {
            let bytes = lz4_flex::block::decompress_size_prepended_with_dict(
                packed,
                DICTIONARY_1.as_bytes(),
            )
            .map_err(|e| format!("stored body does not decode: {e}"))?;
            String::from_utf8(bytes).map_err(|e| format!("stored body is not UTF-8: {e}"))
        }
        Some((id, _)) => Err(format!("stored body has an unknown encoding {id}")),
        None => Err("stored body is empty".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALCULATION: &str = r#"{"v":2,"token_id":"3649915d6311","role":"inspector","client":"rest","standards_version":"2026.1","request":{"party":"organisation","facts":{"construction_cost":"1234567.89","illegal_area":"85"},"circumstances":["confessed"],"act_date":"2026-06-01","discovered_date":"2026-07-01","today":"2026-12-05","versions":["2026.1"]},"result":{"fine":{"min":"61728.39","max":"61728.39"},"adjustments":[{"kind":"lighter","circumstances":["confessed"]}],"measures":["责令改正","责令停止建设","限期改正"],"answer_sha256":"188b43f15d683a1b3a87204d3cc1ad188b14204cde482d3aab8d474671ac45ee"}}"#;

    #[test]
    fn a_body_comes_back_as_the_text_that_was_hashed() {
        for body in [CALCULATION, "", "{}", "无字典的文字 ☃ \u{0001}"] {
            assert_eq!(decode(&encode(body)).unwrap(), body);
        }
    }

    #[test]
    fn a_calculation_body_is_stored_in_well_under_half() {
        let stored = encode(CALCULATION).len();
        assert!(
            stored * 2 < CALCULATION.len(),
            "{stored} of {}",
            CALCULATION.len()
        );
    }

    #[test]
    fn damaged_or_unknown_bytes_are_errors_not_panics() {
        let mut b = encode(CALCULATION);
        b[0] = 9;
        assert!(decode(&b).unwrap_err().contains("unknown encoding"));
        assert!(decode(&[]).is_err());
        let mut b = encode(CALCULATION);
        b.truncate(b.len() / 2);
        assert!(decode(&b).is_err());
        let mut b = encode(CALCULATION);
        let n = b.len();
        b[n - 3] ^= 0xff;
        let _ = decode(&b); // may decode to other text (the hash then differs) or fail; never panics
    }
}
