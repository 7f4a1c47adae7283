//! Standards versions: what a legal office publishes, when each applies, and which one is in
//! force on a given day. Pure: the records come from the log database (`supervision::store`),
//! the sets are loaded from their files by the caller.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::StandardsSet;

/// A published version as stored: its metadata and its full content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    pub meta: VersionMeta,
    /// Path → text: `set.toml`, `units/*.toml`, `search_terms.toml` (if any).
    pub files: BTreeMap<String, String>,
}

/// What is known of a version besides its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VersionMeta {
    /// e.g. `2026.2`.
    pub version: String,
    /// 施行日期: from this day on, acts are judged by it (行政处罚法 第三十七条 aside).
    #[schema(value_type = String, example = "2027-01-01")]
    pub effective_date: NaiveDate,
    /// RFC 3339, UTC.
    pub published_at: String,
    pub published_by: String,
    /// 修订说明.
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Withdrawal {
    pub at: String,
    pub by: String,
    pub note: String,
}

/// Derived from the dates and a withdrawal, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Published, its effective date still ahead (公示).
    Scheduled,
    /// The version acts of today are judged by.
    InForce,
    /// Replaced by a later version; still applies to acts of its time.
    Superseded,
    /// Withdrawn: never applies again, stays readable.
    Withdrawn,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Scheduled => "待施行",
            Status::InForce => "现行有效",
            Status::Superseded => "已被替代",
            Status::Withdrawn => "已撤回",
        }
    }
}

/// One loaded version: its set and the matter search built on it (cheap to clone).
#[derive(Clone)]
pub struct Version {
    pub meta: VersionMeta,
    pub set: Arc<StandardsSet>,
    pub search: Arc<crate::search::SearchIndex>,
}

/// Every version, oldest effective date first.
#[derive(Default)]
pub struct Versions {
    all: Vec<Version>,
}

impl Versions {
    /// Orders the versions by effective date (then publication, then id).
    pub fn new(mut all: Vec<Version>) -> Versions {
        all.sort_by(|a, b| {
            (a.meta.effective_date, &a.meta.published_at, &a.meta.version).cmp(&(
                b.meta.effective_date,
                &b.meta.published_at,
                &b.meta.version,
            ))
        });
        Versions { all }
    }

    pub fn all(&self) -> &[Version] {
        &self.all
    }

    pub fn get(&self, version: &str) -> Option<&Version> {
        self.all.iter().find(|v| v.meta.version == version)
    }

    /// The version in force on `day`: the latest not withdrawn whose effective date is on or
    /// before it (none before the first version's effective date).
    pub fn in_force_on(&self, day: NaiveDate) -> Option<&Version> {
        self.all
            .iter()
            .rev()
            .find(|v| v.meta.withdrawal.is_none() && v.meta.effective_date <= day)
    }

    /// The version an act of `day` is judged by when none was in force yet on that day: the
    /// first one not withdrawn.
    pub fn earliest(&self) -> Option<&Version> {
        self.all.iter().find(|v| v.meta.withdrawal.is_none())
    }

    /// The versions as they stood at `instant` (RFC 3339, UTC, as the log writes it): those
    /// published by then, withdrawn only if withdrawn by then. What an answer of that time was
    /// computed with.
    pub fn as_of(&self, instant: &str) -> Versions {
        Versions::new(
            self.all
                .iter()
                .filter(|v| v.meta.published_at.as_str() <= instant)
                .map(|v| {
                    let mut v = v.clone();
                    if v.meta
                        .withdrawal
                        .as_ref()
                        .is_some_and(|w| w.at.as_str() > instant)
                    {
                        v.meta.withdrawal = None;
                    }
                    v
                })
                .collect(),
        )
    }

    /// The ids of the versions that may apply (not withdrawn): with the request and the day,
    /// what an answer depends on, so the log keeps them.
    pub fn applicable(&self) -> Vec<String> {
        self.all
            .iter()
            .filter(|v| v.meta.withdrawal.is_none())
            .map(|v| v.meta.version.clone())
            .collect()
    }

    /// The versions an answer was computed with: those of `ids`, as applicable then.
    pub fn only(&self, ids: &[String]) -> Versions {
        Versions::new(
            self.all
                .iter()
                .filter(|v| ids.contains(&v.meta.version))
                .map(|v| {
                    let mut v = v.clone();
                    v.meta.withdrawal = None;
                    v
                })
                .collect(),
        )
    }

    /// The status of `v` on `today`.
    pub fn status(&self, v: &Version, today: NaiveDate) -> Status {
        if v.meta.withdrawal.is_some() {
            Status::Withdrawn
        } else if v.meta.effective_date > today {
            Status::Scheduled
        } else if self
            .in_force_on(today)
            .is_some_and(|f| f.meta.version == v.meta.version)
        {
            Status::InForce
        } else {
            Status::Superseded
        }
    }
}

/// Why a publication is refused before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
}

/// Whether `version`, effective on `effective`, may be published beside `versions` on `today`:
/// a new id (a version is never replaced), a date today or later and not before the version in
/// force (the past is not rewritten).
pub fn admissible(
    versions: &Versions,
    version: &str,
    effective: NaiveDate,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if versions.get(version).is_some() {
        return Err(Refusal {
            code: "version_exists",
            message: format!(
                "版本 {version} 已经存在，版本不能被替换，请在 set.toml 中使用新的版本号"
            ),
            message_en: format!(
                "version {version} exists already and is never replaced: give the new one another number in set.toml"
            ),
        });
    }
    if effective < today {
        return Err(Refusal {
            code: "effective_date_in_past",
            message: format!("施行日期 {effective} 早于今天 {today}：已经过去的不能改写"),
            message_en: format!(
                "the effective date {effective} is in the past (today is {today}): the past is not rewritten"
            ),
        });
    }
    if let Some(current) = versions.in_force_on(today)
        && effective < current.meta.effective_date
    {
        return Err(Refusal {
            code: "effective_date_in_past",
            message: format!(
                "施行日期 {effective} 早于现行 {} 版的施行日期 {}",
                current.meta.version, current.meta.effective_date
            ),
            message_en: format!(
                "{effective} is before {}, the effective date of {} in force: the past is not rewritten",
                current.meta.effective_date, current.meta.version
            ),
        });
    }
    Ok(())
}

/// The refusal to withdraw the last version in force.
pub fn last_version(version: &str) -> Refusal {
    Refusal {
        code: "last_version",
        message: format!("撤回 {version} 后将没有现行有效的版本，不能撤回：请先发布替代它的版本"),
        message_en: format!(
            "withdrawing {version} would leave no version in force: publish its replacement first"
        ),
    }
}

/// Whether `version` may be withdrawn: it exists, is not withdrawn already, and is not the last
/// version that applies (an act must always have a version to be judged by).
pub fn withdrawable(versions: &Versions, version: &str, today: NaiveDate) -> Result<(), Refusal> {
    // After the withdrawal a version must still be in force today: else a scheduled one would
    // judge today's acts before its date.
    let in_force_after = versions.all().iter().any(|v| {
        v.meta.version != version && v.meta.withdrawal.is_none() && v.meta.effective_date <= today
    });
    match versions.get(version) {
        Some(v) if v.meta.withdrawal.is_none() && in_force_after => Ok(()),
        Some(v) if v.meta.withdrawal.is_none() => Err(last_version(version)),
        _ => Err(Refusal {
            code: "not_found",
            message: format!("没有未撤回的版本 {version}"),
            message_en: format!("no version {version} that is not withdrawn already"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn version(id: &str, effective: &str, withdrawn: bool) -> Version {
        let set = crate::sources::load_standards(None).unwrap();
        Version {
            meta: VersionMeta {
                version: id.into(),
                effective_date: day(effective),
                published_at: "2026-11-01T00:00:00Z".into(),
                published_by: "法制科".into(),
                note: String::new(),
                withdrawal: withdrawn.then(|| Withdrawal {
                    at: "2026-12-02T00:00:00Z".into(),
                    by: "法制科".into(),
                    note: "撤回".into(),
                }),
            },
            search: Arc::new(crate::search::SearchIndex::new(&set, &Default::default())),
            set: Arc::new(set),
        }
    }

    #[test]
    fn the_version_in_force_changes_on_its_effective_date_and_withdrawn_ones_never_apply() {
        let v = Versions::new(vec![
            version("2027.1", "2027-01-01", false),
            version("2026.1", "2026-12-01", false),
            version("2026.2", "2026-12-15", true),
        ]);
        let on = |d: &str| v.in_force_on(day(d)).map(|x| x.meta.version.as_str());
        assert_eq!(on("2026-11-30"), None, "before the first version");
        assert_eq!(on("2026-12-01"), Some("2026.1"), "on its effective date");
        assert_eq!(on("2026-12-20"), Some("2026.1"), "2026.2 was withdrawn");
        assert_eq!(on("2026-12-31"), Some("2026.1"));
        assert_eq!(on("2027-01-01"), Some("2027.1"));
        assert_eq!(v.earliest().unwrap().meta.version, "2026.1");
        let status = |id: &str, today: &str| v.status(v.get(id).unwrap(), day(today));
        assert_eq!(status("2026.1", "2026-12-05"), Status::InForce);
        assert_eq!(status("2027.1", "2026-12-05"), Status::Scheduled);
        assert_eq!(status("2026.2", "2026-12-05"), Status::Withdrawn);
        assert_eq!(status("2026.1", "2027-01-01"), Status::Superseded);
        assert_eq!(status("2027.1", "2027-01-01"), Status::InForce);
    }

    /// A withdrawal may not leave today without a version in force, even with one scheduled.
    #[test]
    fn the_version_in_force_cannot_be_withdrawn_while_only_a_scheduled_one_remains() {
        let v = Versions::new(vec![
            version("2026.1", "2026-12-01", false),
            version("2027.1", "2027-01-01", false),
        ]);
        let today = day("2026-12-05");
        assert_eq!(
            withdrawable(&v, "2026.1", today).unwrap_err().code,
            "last_version"
        );
        assert_eq!(withdrawable(&v, "2027.1", today), Ok(()));
        assert_eq!(withdrawable(&v, "2026.1", day("2027-01-02")), Ok(()));
        assert_eq!(
            withdrawable(&v, "0000.0", today).unwrap_err().code,
            "not_found"
        );
    }
}
