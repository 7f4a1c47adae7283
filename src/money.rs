//! Rounding of computed amounts. The rule (published with the standards in `set.toml`): every
//! computed amount is rounded to the fen (0.01 yuan), half away from zero. One monotone rounding
//! for every figure keeps order: an amount that lies inside a band before rounding still does
//! after it.

use rust_decimal::{Decimal, RoundingStrategy};

pub fn fixed(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// For output: always two decimals, `"5000.00"`.
pub fn yuan(x: Decimal) -> Decimal {
    let mut v = fixed(x);
    v.rescale(2);
    v
}

/// `5000` → `5000元`, `12345.6` → `12345.60元`, for Chinese explanations.
pub fn render(x: Decimal) -> String {
    let v = fixed(x);
    if v.fract().is_zero() {
        format!("{}元", v.trunc())
    } else {
        format!("{}元", yuan(v))
    }
}

/// As published tables write amounts: whole hundreds from 10,000 up in 万元 (`2万元`,
/// `1.5万元`, `17.25万元`), everything else in 元 (`5000元`, `12345元`, `12.50元`). One rule for
/// every page and export, so that a band reads `5000元至2万元`, `15万元至17万元`.
pub fn render_published(x: Decimal) -> String {
    let v = fixed(x);
    let hundred = Decimal::from(100);
    let ten_thousand = Decimal::from(10_000);
    if v >= ten_thousand && (v % hundred).is_zero() {
        format!("{}万元", (v / ten_thousand).normalize())
    } else {
        render(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn published_amounts_use_wan_for_whole_hundreds_from_ten_thousand() {
        for (x, text) in [
            ("10000", "1万元"),
            ("15000", "1.5万元"),
            ("150000", "15万元"),
            ("172500", "17.25万元"),
            ("1000000", "100万元"),
            ("12345", "12345元"),
            ("9900", "9900元"),
            ("5000", "5000元"),
            ("12.5", "12.50元"),
            ("10000.50", "10000.50元"),
            ("0", "0元"),
        ] {
            assert_eq!(render_published(d(x)), text, "{x}");
        }
    }

    #[test]
    fn amounts_round_to_the_fen_half_away_from_zero() {
        assert_eq!(fixed(d("1234.561")), d("1234.56"));
        assert_eq!(fixed(d("1234.565")), d("1234.57"));
        assert_eq!(fixed(d("1234.569")), d("1234.57"));
        assert_eq!(fixed(d("0.125")), d("0.13"));
        assert_eq!(fixed(d("0.124")), d("0.12"));
        assert_eq!(yuan(d("5000")).to_string(), "5000.00");
        assert_eq!(render(d("5000")), "5000元");
        assert_eq!(render(d("12345.6")), "12345.60元");
    }
}
