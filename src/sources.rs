//! Where standards files come from: the copy compiled into the binary, or a directory.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use crate::search::{SearchIndex, SearchTerms, TERMS_FILE};
use crate::standards::versions::{Version, VersionMeta, VersionRecord, Versions};
use crate::standards::{Problem, Problems, SourceFile, StandardsSet, load};
use crate::supervision::store::{Store, now_strings};

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

/// The files of a version as stored: `set.toml`, `units/*.toml` and, if there is one,
/// `search_terms.toml` — from the bundled copy or a directory.
pub fn version_files(dir: Option<&Path>) -> Result<BTreeMap<String, String>, Problems> {
    let (set, units) = match dir {
        Some(d) => dir_files(d)?,
        None => bundled_files(),
    };
    let mut files: BTreeMap<String, String> = std::iter::once(set)
        .chain(units)
        .map(|f| (f.path, f.text))
        .collect();
    let terms = match dir {
        None => bundled::SEARCH_TERMS_FILE.map(str::to_string),
        Some(d) => match fs::read_to_string(d.join(TERMS_FILE)) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&d.join(TERMS_FILE), e)),
        },
    };
    if let Some(t) = terms {
        files.insert(TERMS_FILE.to_string(), t);
    }
    Ok(files)
}

/// Loads and validates a version's files (the same checks as start-up and `check`) into its
/// set and search. The record's effective date is the one that counts.
pub fn load_version(record: &VersionRecord) -> Result<Version, Problems> {
    version_of(record, set_of(&record.files)?)
}

/// A record's version from its already validated set: the id checked, the record's date, the
/// search built.
fn version_of(record: &VersionRecord, mut set: StandardsSet) -> Result<Version, Problems> {
    if set.version != record.meta.version {
        return Err(Problems(vec![Problem {
            file: "set.toml".into(),
            line: 1,
            matter: None,
            message: format!(
                "set.toml 的版本号 {} 与发布的版本号 {} 不一致 / set.toml says version {}, published as {}",
                set.version, record.meta.version, set.version, record.meta.version
            ),
        }]));
    }
    set.effective_date = record.meta.effective_date;
    let terms = match record.files.get(TERMS_FILE) {
        Some(t) => SearchTerms::parse(TERMS_FILE, t, &set)?,
        None => SearchTerms::default(),
    };
    let search = SearchIndex::new(&set, &terms);
    Ok(Version {
        meta: record.meta.clone(),
        set: Arc::new(set),
        search: Arc::new(search),
    })
}

/// The set of a version's files (`set.toml` and `units/*.toml`), loaded and validated.
fn set_of(files: &BTreeMap<String, String>) -> Result<StandardsSet, Problems> {
    let set_text = files.get("set.toml").ok_or_else(|| {
        Problems(vec![Problem {
            file: "set.toml".into(),
            line: 1,
            matter: None,
            message: "版本缺少 set.toml / the version has no set.toml".into(),
        }])
    })?;
    let units: Vec<SourceFile> = files
        .iter()
        .filter(|(p, _)| p.starts_with("units/") && p.ends_with(".toml"))
        .map(|(p, t)| file(p, t))
        .collect();
    load(&file("set.toml", set_text), &units)
}

/// A new version record for `files`, its id from their `set.toml`, and the version loaded from
/// it (validated once, as the service would load it).
pub fn new_version(
    files: BTreeMap<String, String>,
    effective_date: Option<chrono::NaiveDate>,
    published_by: &str,
    note: &str,
) -> Result<(VersionRecord, Version), Problems> {
    let set = set_of(&files)?;
    let record = VersionRecord {
        meta: VersionMeta {
            version: set.version.clone(),
            effective_date: effective_date.unwrap_or(set.effective_date),
            published_at: now_strings().0,
            published_by: published_by.to_string(),
            note: note.to_string(),
            withdrawal: None,
        },
        files,
    };
    let version = version_of(&record, set)?;
    Ok((record, version))
}

/// The versions of the log database, loaded. On a database without any, the standards of
/// `import` (the bundled ones by default) become the first version; on one that has versions,
/// `import` is refused: a version is published (`penalty-standards publish`), never replaced
/// by a start-up option.
pub fn open_versions(store: &mut dyn Store, import: Option<&Path>) -> Result<Versions, String> {
    let mut records = store.versions().map_err(|e| e.to_string())?;
    if records.is_empty() {
        let files = version_files(import).map_err(|p| p.to_string())?;
        let (record, version) = new_version(files, None, "初始导入", "首次启动时导入的版本")
            .map_err(|p| p.to_string())?;
        match store.insert_version(&record) {
            Ok(()) => return Ok(Versions::new(vec![version])),
            // Another instance starting on the same new database imported first: use its.
            Err(e) => {
                records = store.versions().map_err(|e| e.to_string())?;
                if records.is_empty() {
                    return Err(e.to_string());
                }
            }
        }
    } else if let Some(dir) = import {
        return Err(format!(
            "the log database already holds standards versions; --standards {} is only read on a database without any. Publish it as a new version instead: penalty-standards publish {} --effective YYYY-MM-DD --note …",
            dir.display(),
            dir.display()
        ));
    }
    load_all(&records)
}

/// Loads every record; a version that no longer passes the checks stops the service rather
/// than being judged by an unchecked set.
pub fn load_all(records: &[VersionRecord]) -> Result<Versions, String> {
    let mut all = Vec::with_capacity(records.len());
    for r in records {
        all.push(
            load_version(r).map_err(|p| format!("standards version {}: {p}", r.meta.version))?,
        );
    }
    Ok(Versions::new(all))
}

/// The bundled standards as version `id` (effective on `effective`, else as set.toml says),
/// their `set.toml` and `units/ZHZF.toml` edited by `edit`, loaded as a published version is:
/// for the tests of versions and of their differences.
#[cfg(test)]
pub(crate) fn edited_bundled_version(
    id: &str,
    effective: Option<chrono::NaiveDate>,
    edit: impl Fn(&mut String, &mut String),
) -> Version {
    let mut files = version_files(None).unwrap();
    // The search vocabulary names matters; an edit that removes one would fail its check.
    files.remove(TERMS_FILE);
    let mut set = files["set.toml"].replace("version = \"2026.1\"", &format!("version = \"{id}\""));
    let mut unit = files["units/ZHZF.toml"].clone();
    edit(&mut set, &mut unit);
    files.insert("set.toml".into(), set);
    files.insert("units/ZHZF.toml".into(), unit);
    let (_, mut version) = new_version(files, effective, "测试", "").unwrap();
    if let Some(day) = effective {
        version.meta.published_at = format!("{day}T00:00:00.000Z");
    }
    version
}
