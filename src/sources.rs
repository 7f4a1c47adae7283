//! Where standards files come from: the copy compiled into the binary, or a directory.

use std::fs;
use std::path::Path;

use crate::search::{SearchTerms, TERMS_FILE};
use crate::standards::{Problem, Problems, SourceFile, StandardsSet, load};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }
}

/// The bundled standards' files.
pub fn bundled_files() -> (SourceFile, Vec<SourceFile>) {
    (
        file("set.toml", bundled::SET_FILE),
        bundled::UNIT_FILES
            .iter()
            .map(|(p, t)| file(p, t))
            .collect(),
    )
}

fn io(path: &Path, e: std::io::Error) -> Problems {
    Problems(vec![Problem {
        file: path.display().to_string(),
        line: 1,
        matter: None,
        message: e.to_string(),
    }])
}

/// The files of a standards directory: `set.toml` and `units/*.toml`.
pub fn dir_files(dir: &Path) -> Result<(SourceFile, Vec<SourceFile>), Problems> {
    let set_path = dir.join("set.toml");
    let set = fs::read_to_string(&set_path).map_err(|e| io(&set_path, e))?;
    let units_dir = dir.join("units");
    let mut paths: Vec<_> = fs::read_dir(&units_dir)
        .map_err(|e| io(&units_dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut units = Vec::new();
    for p in paths {
        let text = fs::read_to_string(&p).map_err(|e| io(&p, e))?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        units.push(file(&format!("units/{name}"), &text));
    }
    Ok((file("set.toml", &set), units))
}

/// Loads and validates the bundled standards, or those of `dir`.
pub fn load_standards(dir: Option<&Path>) -> Result<StandardsSet, Problems> {
    let (set, units) = match dir {
        Some(d) => dir_files(d)?,
        None => bundled_files(),
    };
    load(&set, &units)
}

/// The search vocabulary (`search_terms.toml`): the bundled copy, or the one in `dir` (none if
/// the directory has no such file), checked against `set`.
pub fn load_search_terms(dir: Option<&Path>, set: &StandardsSet) -> Result<SearchTerms, Problems> {
    let text = match dir {
        None => bundled::SEARCH_TERMS_FILE.map(str::to_string),
        Some(d) => {
            let path = d.join(TERMS_FILE);
            match fs::read_to_string(&path) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(io(&path, e)),
            }
        }
    };
    match text {
        Some(t) => SearchTerms::parse(TERMS_FILE, &t, set),
        None => Ok(SearchTerms::default()),
    }
}
