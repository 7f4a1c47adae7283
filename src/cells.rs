//! Text put into a spreadsheet cell (CSV or xlsx) never opens as a formula: a value starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, as OWASP
//! advises against CSV injection (`=HYPERLINK(...)`, `+cmd|...`), keeping the value readable.

use std::borrow::Cow;

pub fn neutralised(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_other_text_kept() {
        for f in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1)",
            "-2+3",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralised(f), format!("'{f}"));
        }
        for ok in ["龙综执罚〔2026〕7号", "2026-11-01", "5000.00", ""] {
            assert_eq!(neutralised(ok), ok);
        }
    }
}
