//! The law corpus on disk (`../shared/laws`): an index of titles and versions, files parsed on
//! first use. The only I/O of the `lawtext` module.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{LawText, parse_law};

#[derive(Debug)]
pub struct Version {
    /// `YYYY-MM-DD` from the file name, or empty where the file has none.
    pub date: String,
    pub path: PathBuf,
    text: OnceLock<LawText>,
}

impl Version {
    pub fn law(&self) -> &LawText {
        self.text
            .get_or_init(|| parse_law(&fs::read_to_string(&self.path).unwrap_or_default()))
    }
}

/// Every law in the corpus by its title heading, versions oldest first.
#[derive(Debug, Default)]
pub struct Corpus {
    pub laws: HashMap<String, Vec<Version>>,
}

fn date_of(path: &Path) -> String {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    match (name.rfind('('), name.rfind(')')) {
        (Some(a), Some(b)) if b > a => name[a + 1..b].to_string(),
        _ => String::new(),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

impl Corpus {
    /// Indexes a corpus directory by reading the first line of every file.
    pub fn open(dir: &Path) -> std::io::Result<Corpus> {
        let mut files = Vec::new();
        walk(dir, &mut files)?;
        let mut laws: HashMap<String, Vec<Version>> = HashMap::new();
        for path in files {
            let mut first = String::new();
            BufReader::new(fs::File::open(&path)?).read_line(&mut first)?;
            let Some(title) = first.trim().strip_prefix("# ") else {
                continue;
            };
            let date = date_of(&path);
            let versions = laws.entry(title.trim().to_string()).or_default();
            // The same version is sometimes stored under two categories.
            if !versions.iter().any(|v| v.date == date) {
                versions.push(Version {
                    date,
                    path,
                    text: OnceLock::new(),
                });
            }
        }
        for versions in laws.values_mut() {
            versions.sort_by(|a, b| a.date.cmp(&b.date));
        }
        Ok(Corpus { laws })
    }

    pub fn versions(&self, title: &str) -> Option<&[Version]> {
        self.laws.get(title).map(Vec::as_slice)
    }

    /// Titles that contain `fragment`, for "did you mean" hints.
    pub fn similar(&self, fragment: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .laws
            .keys()
            .filter(|t| t.contains(fragment) || fragment.contains(t.as_str()))
            .map(String::as_str)
            .collect();
        v.sort();
        v.truncate(3);
        v
    }
}
