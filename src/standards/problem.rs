//! What is wrong with a standards file, located as file:line: matter. Loading and validation
//! both report through these, so neither needs the other to say what it found.

use std::fmt;

/// One thing wrong with the standards, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub matter: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(m) = &self.matter {
            write!(f, "{m}: ")?;
        }
        f.write_str(&self.message)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the standards do not validate ({} problem(s)):\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct Problems(pub Vec<Problem>);

/// Collects problems for one matter.
pub(crate) struct Reporter<'a> {
    pub file: &'a str,
    pub line: usize,
    pub matter: Option<&'a str>,
    pub problems: &'a mut Vec<Problem>,
}

impl Reporter<'_> {
    pub fn report(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line: self.line,
            matter: self.matter.map(str::to_string),
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_problem_names_file_line_and_matter() {
        let mut problems = Vec::new();
        let mut rep = Reporter {
            file: "units/FIX.toml",
            line: 12,
            matter: Some("FIX-001"),
            problems: &mut problems,
        };
        rep.report("tier 2 overlaps tier 3");
        assert_eq!(
            problems[0].to_string(),
            "units/FIX.toml:12: FIX-001: tier 2 overlaps tier 3"
        );
        let set_wide = Problem {
            matter: None,
            ..problems[0].clone()
        };
        assert_eq!(
            set_wide.to_string(),
            "units/FIX.toml:12: tier 2 overlaps tier 3"
        );
    }
}
