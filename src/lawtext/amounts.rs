//! Reads the fine bands a Chinese penalty provision states: 五千元以上五万元以下, 二十万元以下,
//! 违法所得一倍以上五倍以下, 百分之一以上百分之五以下, 处二百元罚款 …

use rust_decimal::Decimal;

use crate::numerals::{is_numeral_char, parse_numeral};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatedUnit {
    Yuan,
    Multiple,
    Percent,
}

/// A band as the text states it. `max` is `None` for "…元以上" with no upper figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatedBand {
    pub unit: StatedUnit,
    pub min: Decimal,
    pub max: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Lower,
    Upper,
    Exact,
}

/// One figure with its unit and its side, where it ends in the text.
#[derive(Debug, Clone, Copy)]
struct Figure {
    unit: StatedUnit,
    value: Decimal,
    side: Side,
    start: usize,
    end: usize,
}

fn starts_with(chars: &[char], at: usize, s: &str) -> bool {
    (at..).zip(s.chars()).all(|(i, c)| chars.get(i) == Some(&c))
}

fn side_after(chars: &[char], at: usize) -> Option<(Side, usize)> {
    if starts_with(chars, at, "以上") {
        Some((Side::Lower, at + 2))
    } else if starts_with(chars, at, "以下") {
        Some((Side::Upper, at + 2))
    } else if starts_with(chars, at, "罚款") || starts_with(chars, at, "的罚款") {
        Some((Side::Exact, at))
    } else {
        None
    }
}

/// The side of a figure: from what follows it (以上, 以下, 罚款, or 至 before the upper figure),
/// or, for the figure after 至, from what precedes it.
fn side_of(chars: &[char], start: usize, after: usize) -> Option<(Side, usize)> {
    if start > 0 && chars[start - 1] == '至' {
        return Some((Side::Upper, after));
    }
    side_after(chars, after)
        .or_else(|| (chars.get(after) == Some(&'至')).then_some((Side::Lower, after + 1)))
}

fn figures(chars: &[char]) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        i = if starts_with(chars, i, "等值") {
            equal_figure(chars, i, &mut out)
        } else if let Some(scale) = per_scale(chars, i) {
            percent_figure(chars, i, scale, &mut out)
        } else if is_numeral_char(chars[i]) && chars[i] != '.' && chars[i] != ',' {
            number_figure(chars, i, &mut out)
        } else {
            i + 1
        };
    }
    out
}

/// 货值金额等值以上三倍以下: 等值 at `i` is one time the base. Returns where to read on.
fn equal_figure(chars: &[char], i: usize, out: &mut Vec<Figure>) -> usize {
    if let Some((side, end)) = side_of(chars, i, i + 2) {
        out.push(Figure {
            unit: StatedUnit::Multiple,
            value: Decimal::ONE,
            side,
            start: i,
            end,
        });
    }
    i + 2
}

/// 百分之 or 千分之 at `i`: what its figure is multiplied by to be per cent.
fn per_scale(chars: &[char], i: usize) -> Option<Decimal> {
    if starts_with(chars, i, "百分之") {
        Some(Decimal::ONE)
    } else if starts_with(chars, i, "千分之") {
        Some(Decimal::new(1, 1))
    } else {
        None
    }
}

/// 百分之五 / 千分之五 at `i`. Returns where to read on.
fn percent_figure(chars: &[char], i: usize, scale: Decimal, out: &mut Vec<Figure>) -> usize {
    let start = i;
    let mut j = i + 3;
    while j < chars.len() && is_numeral_char(chars[j]) {
        j += 1;
    }
    let text: String = chars[i + 3..j].iter().collect();
    if let Some(v) = parse_numeral(&text) {
        let (side, end) = side_of(chars, start, j).unwrap_or((Side::Exact, j));
        out.push(Figure {
            unit: StatedUnit::Percent,
            value: v * scale,
            side,
            start,
            end,
        });
    }
    j.max(i + 1)
}

/// A number at `start` with its unit (元, 倍, %, ‰, or the unit of the lower figure just
/// before it) and side; not an article reference (第十条). Returns where to read on.
fn number_figure(chars: &[char], start: usize, out: &mut Vec<Figure>) -> usize {
    let mut j = start;
    while j < chars.len() && is_numeral_char(chars[j]) {
        j += 1;
    }
    // 第十条, 第二款: article references are not amounts.
    let is_reference = start > 0 && chars[start - 1] == '第';
    let text: String = chars[start..j].iter().collect();
    let unit = match chars.get(j) {
        Some('元') => Some((StatedUnit::Yuan, j + 1)),
        Some('倍') => Some((StatedUnit::Multiple, j + 1)),
        Some('%') | Some('％') => Some((StatedUnit::Percent, j + 1)),
        Some('‰') => Some((StatedUnit::Percent, j + 1)),
        // 二千元以上二万以下: the upper figure sometimes drops its unit; it takes the
        // unit of the lower figure just before it.
        _ => out
            .last()
            .filter(|f: &&Figure| {
                f.side == Side::Lower
                    && start.saturating_sub(f.end) <= 2
                    && side_after(chars, j).is_some()
            })
            .map(|f| (f.unit, j)),
    };
    if !is_reference
        && let (Some((unit, after)), Some(value)) = (unit, parse_numeral(&text))
        && let Some((side, end)) = side_of(chars, start, after)
    {
        // 5‰ is 0.5 per cent.
        let value = if chars.get(j) == Some(&'‰') {
            value / Decimal::TEN
        } else {
            value
        };
        out.push(Figure {
            unit,
            value,
            side,
            start,
            end,
        });
    }
    j
}

/// Every band the text states, in order.
pub fn stated_bands(text: &str) -> Vec<StatedBand> {
    let chars: Vec<char> = text.chars().collect();
    let figs = figures(&chars);
    let mut out = Vec::new();
    let mut k = 0;
    while k < figs.len() {
        let f = figs[k];
        match f.side {
            Side::Lower => {
                // "…以上…以下": the upper figure follows closely.
                let pair = figs
                    .get(k + 1)
                    .filter(|g| g.side == Side::Upper && g.start.saturating_sub(f.end) <= 2);
                if let Some(g) = pair {
                    let band = if g.unit == f.unit {
                        Some(StatedBand {
                            unit: f.unit,
                            min: f.value,
                            max: Some(g.value),
                        })
                    } else if f.unit == StatedUnit::Percent && g.unit == StatedUnit::Multiple {
                        // 货值金额百分之五十以上三倍以下: multiples starting at a percentage.
                        Some(StatedBand {
                            unit: StatedUnit::Multiple,
                            min: f.value / Decimal::ONE_HUNDRED,
                            max: Some(g.value),
                        })
                    } else {
                        None
                    };
                    if let Some(b) = band {
                        out.push(b);
                        k += 2;
                        continue;
                    }
                }
                out.push(StatedBand {
                    unit: f.unit,
                    min: f.value,
                    max: None,
                });
            }
            Side::Upper => out.push(StatedBand {
                unit: f.unit,
                min: Decimal::ZERO,
                max: Some(f.value),
            }),
            Side::Exact => out.push(StatedBand {
                unit: f.unit,
                min: f.value,
                max: Some(f.value),
            }),
        }
        k += 1;
    }
    out
}

/// Every yuan figure in the text (for thresholds such as 不足一万元的).
pub fn yuan_figures(text: &str) -> Vec<Decimal> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_numeral_char(chars[i]) && chars[i] != '.' && chars[i] != ',' {
            let start = i;
            while i < chars.len() && is_numeral_char(chars[i]) {
                i += 1;
            }
            if chars.get(i) == Some(&'元')
                && let Some(v) = parse_numeral(&chars[start..i].iter().collect::<String>())
            {
                out.push(v);
            }
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn yuan(min: &str, max: &str) -> StatedBand {
        StatedBand {
            unit: StatedUnit::Yuan,
            min: d(min),
            max: Some(d(max)),
        }
    }

    #[test]
    fn reads_real_phrasings() {
        let cases: Vec<(&str, Vec<StatedBand>)> = vec![
            // 大气污染防治法 第九十九条
            (
                "责令改正或者限制生产、停产整治，并处十万元以上一百万元以下的罚款；情节严重的，报经有批准权的人民政府批准，责令停业、关闭：",
                vec![yuan("100000", "1000000")],
            ),
            // 城乡规划法 第六十四条: two percent bands
            (
                "限期改正，处建设工程造价百分之五以上百分之十以下的罚款；无法采取改正措施消除影响的，限期拆除，不能拆除的，没收实物或者违法收入，可以并处建设工程造价百分之十以下的罚款。",
                vec![
                    StatedBand {
                        unit: StatedUnit::Percent,
                        min: d("5"),
                        max: Some(d("10")),
                    },
                    StatedBand {
                        unit: StatedUnit::Percent,
                        min: d("0"),
                        max: Some(d("10")),
                    },
                ],
            ),
            // 温州市市容和环境卫生管理条例 第四十四条: unit and individual bands
            (
                "责令限期改正，对单位处五百元以上五千元以下罚款，对个人处五十元以上二百元以下罚款。",
                vec![yuan("500", "5000"), yuan("50", "200")],
            ),
            ("拒不改正的，处五十元以下罚款。", vec![yuan("0", "50")]),
            (
                "没收违法所得，并处违法所得一倍以上五倍以下的罚款；没有违法所得或者违法所得不足一万元的，处五万元以上十万元以下的罚款。",
                vec![
                    StatedBand {
                        unit: StatedUnit::Multiple,
                        min: d("1"),
                        max: Some(d("5")),
                    },
                    yuan("50000", "100000"),
                ],
            ),
            ("处二百元罚款", vec![yuan("200", "200")]),
            ("处2000元以上2万元以下罚款", vec![yuan("2000", "20000")]),
            (
                "处二万元以上二十万元以下的罚款；拒不改正的，责令停产整治",
                vec![yuan("20000", "200000")],
            ),
            (
                "处货值金额十倍以上二十倍以下罚款",
                vec![StatedBand {
                    unit: StatedUnit::Multiple,
                    min: d("10"),
                    max: Some(d("20")),
                }],
            ),
            (
                "处以项目总投资额千分之五以上千分之十以下的罚款",
                vec![StatedBand {
                    unit: StatedUnit::Percent,
                    min: d("0.5"),
                    max: Some(d("1")),
                }],
            ),
            (
                "处一万元以上罚款",
                vec![StatedBand {
                    unit: StatedUnit::Yuan,
                    min: d("10000"),
                    max: None,
                }],
            ),
            (
                "处违法所得五倍以下的罚款",
                vec![StatedBand {
                    unit: StatedUnit::Multiple,
                    min: d("0"),
                    max: Some(d("5")),
                }],
            ),
            (
                "处一千五百元以上一万五千元以下罚款",
                vec![yuan("1500", "15000")],
            ),
            (
                "可以处每平方米二十元以上五十元以下的罚款",
                vec![yuan("20", "50")],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(stated_bands(text), expected, "{text}");
        }
    }

    #[test]
    fn ignores_article_references_and_counts() {
        assert_eq!(
            stated_bands("违反本法第十九条规定，有下列行为之一的，责令改正"),
            vec![]
        );
        assert_eq!(
            stated_bands("违反本条例第二十一条第一款规定，从事揽工的，处五十元以下罚款"),
            vec![yuan("0", "50")]
        );
    }

    #[test]
    fn finds_thresholds() {
        assert_eq!(
            yuan_figures("违法所得不足一万元的，处五万元以上十万元以下的罚款"),
            vec![d("10000"), d("50000"), d("100000")]
        );
    }
}
