//! Chinese numerals, both ways: rendering article numbers (`99` → `九十九`) and reading the
//! numbers written in law texts (`二十万`, `一百五十`, `2万`, `0.5`).

use rust_decimal::Decimal;

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Renders a positive integer the way Chinese statutes number articles:
/// 10 → 十, 15 → 十五, 110 → 一百一十, 105 → 一百零五, 1000 → 一千.
pub fn to_chinese(n: u32) -> String {
    if n == 0 {
        return "零".to_string();
    }
    if n >= 10_000 {
        let high = to_chinese(n / 10_000);
        let low = n % 10_000;
        return match low {
            0 => format!("{high}万"),
            l if l < 1000 => format!("{high}万零{}", below_10k(l, true)),
            l => format!("{high}万{}", below_10k(l, true)),
        };
    }
    below_10k(n, false)
}

/// `inner` is true when the number follows a higher section (then 10..19 keeps its 一: 一万零一十).
fn below_10k(n: u32, inner: bool) -> String {
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut pending_zero = false;
    for (value, name) in units {
        let d = rest / value;
        rest %= value;
        if d == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 十五 not 一十五, unless it continues a larger number (一百一十).
        if !(value == 10 && d == 1 && out.is_empty() && !inner) {
            out.push(DIGITS[d as usize]);
        }
        out.push(name);
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

fn digit_value(c: char) -> Option<u64> {
    match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

fn small_unit(c: char) -> Option<u64> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

/// True for every character that can be part of a number in a law text.
pub fn is_numeral_char(c: char) -> bool {
    c.is_ascii_digit()
        || c == '.'
        || c == ','
        || digit_value(c).is_some()
        || small_unit(c).is_some()
        || c == '万'
        || c == '亿'
        || c == '点'
}

/// Reads a whole numeral: Chinese (`一百五十万`, `十`), Arabic (`5000`, `2.5`), or mixed (`2万`, `1.5亿`).
/// Returns `None` if the text is not a numeral.
pub fn parse_numeral(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Decimal::ZERO; // completed 亿 sections
    let mut section = Decimal::ZERO; // completed 万 sections inside the current 亿 section
    let mut group = Decimal::ZERO; // below 10 000
    let mut current: Option<Decimal> = None; // the digit (or Arabic number) waiting for its unit
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',')
            {
                i += 1;
            }
            let s: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            current = Some(s.parse().ok()?);
            continue;
        }
        if let Some(d) = digit_value(c) {
            // 一点五 → 1.5
            if i + 2 < chars.len() + 1 && chars.get(i + 1) == Some(&'点') {
                let mut s = d.to_string();
                s.push('.');
                let mut j = i + 2;
                while let Some(fd) = chars.get(j).and_then(|c| digit_value(*c)) {
                    s.push_str(&fd.to_string());
                    j += 1;
                }
                current = Some(s.parse().ok()?);
                i = j;
                continue;
            }
            current = Some(Decimal::from(d));
        } else if let Some(u) = small_unit(c) {
            let d = current.take().unwrap_or(Decimal::ONE);
            group += d * Decimal::from(u);
        } else if c == '万' {
            let g = group + current.take().unwrap_or(Decimal::ZERO);
            section += if g.is_zero() { Decimal::ONE } else { g } * Decimal::from(10_000);
            group = Decimal::ZERO;
        } else if c == '亿' {
            let g = section + group + current.take().unwrap_or(Decimal::ZERO);
            total += if g.is_zero() { Decimal::ONE } else { g } * Decimal::from(100_000_000u64);
            section = Decimal::ZERO;
            group = Decimal::ZERO;
        } else {
            return None;
        }
        i += 1;
    }
    Some(total + section + group + current.unwrap_or(Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn renders_article_numbers() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (15, "十五"),
            (20, "二十"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (119, "一百一十九"),
            (120, "一百二十"),
            (1000, "一千"),
            (1005, "一千零五"),
            (1010, "一千零一十"),
            (10_000, "一万"),
        ];
        for (n, s) in cases {
            assert_eq!(to_chinese(n), s, "{n}");
        }
    }

    #[test]
    fn reads_numerals_from_law_texts() {
        let cases = [
            ("十", "10"),
            ("十五", "15"),
            ("二十", "20"),
            ("五十", "50"),
            ("二百", "200"),
            ("五百", "500"),
            ("一千", "1000"),
            ("五千", "5000"),
            ("一万", "10000"),
            ("五万", "50000"),
            ("十万", "100000"),
            ("二十万", "200000"),
            ("一百万", "1000000"),
            ("一百五十万", "1500000"),
            ("两千", "2000"),
            ("二千万", "20000000"),
            ("一亿", "100000000"),
            ("一万五千", "15000"),
            ("一千零五十", "1050"),
            ("2万", "20000"),
            ("5000", "5000"),
            ("0.5", "0.5"),
            ("1.5万", "15000"),
            ("10,000", "10000"),
            ("一点五", "1.5"),
            ("三十", "30"),
        ];
        for (s, v) in cases {
            assert_eq!(parse_numeral(s), Some(d(v)), "{s}");
        }
        assert_eq!(parse_numeral("罚款"), None);
        assert_eq!(parse_numeral(""), None);
    }

    #[test]
    fn round_trips_article_numbers() {
        for n in 1..=400 {
            assert_eq!(parse_numeral(&to_chinese(n)), Some(Decimal::from(n)), "{n}");
        }
    }
}
