//! The rule settings a supervisor can change (`PUT /api/v1/supervision/rules`). A change is a
//! log entry (`alert_rules`): from that entry on, the rules use the new settings, so that the
//! alerts recompute exactly. Every window is bounded, which bounds the evaluator's state.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepeatedCaseSettings {
    pub enabled: bool,
    /// How long a case's earlier calculations count (days, 1–3650).
    #[schema(example = 180, minimum = 1, maximum = 3650)]
    pub case_days: u32,
    /// Without a case number: the same inspector and matter within this many minutes (1–1440).
    #[schema(example = 30, minimum = 1, maximum = 1440)]
    pub window_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LenientShareSettings {
    pub enabled: bool,
    /// The inspector's last N calculations (1–500).
    #[schema(example = 20, minimum = 1, maximum = 500)]
    pub window: u32,
    /// No alert before the inspector has this many calculations in the window (1–window).
    #[schema(example = 10, minimum = 1, maximum = 500)]
    pub min_count: u32,
    /// By how much the inspector's share must exceed the unit's (0.01–1, a decimal string).
    #[schema(value_type = String, example = "0.25")]
    pub margin: Decimal,
    /// The unit's share is over its last this many calculations (window–5000).
    #[schema(example = 200, minimum = 1, maximum = 5000)]
    pub unit_window: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDepartureSettings {
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimitSettings {
    pub enabled: bool,
    /// Alert when the 第三十六条 period ends within this many days of the query (1–365).
    #[schema(example = 30, minimum = 1, maximum = 365)]
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LateSyncSettings {
    pub enabled: bool,
    /// Alert when an offline calculation reaches the log this many hours or more after it was
    /// made (1–720).
    #[schema(example = 24, minimum = 1, maximum = 720)]
    pub hours: u32,
}

/// Every rule's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    pub repeated_case: RepeatedCaseSettings,
    pub lenient_share: LenientShareSettings,
    pub review_departure: ReviewDepartureSettings,
    pub time_limit: TimeLimitSettings,
    pub late_sync: LateSyncSettings,
}

impl Default for RuleSettings {
    /// What applies until a supervisor changes it.
    fn default() -> Self {
        RuleSettings {
            repeated_case: RepeatedCaseSettings {
                enabled: true,
                case_days: 180,
                window_minutes: 30,
            },
            lenient_share: LenientShareSettings {
                enabled: true,
                window: 20,
                min_count: 10,
                margin: Decimal::new(25, 2),
                unit_window: 200,
            },
            review_departure: ReviewDepartureSettings { enabled: true },
            time_limit: TimeLimitSettings {
                enabled: true,
                days: 30,
            },
            late_sync: LateSyncSettings {
                enabled: true,
                hours: 24,
            },
        }
    }
}

/// A setting out of its range: the field's path and the Chinese and English messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRefused {
    pub field: &'static str,
    pub message: String,
    pub message_en: String,
}

/// A setting as a supervisor reads it on the rules page.
pub fn label(field: &str) -> &'static str {
    match field {
        "repeated_case.case_days" => "同案反复查询：同一案件比较的天数",
        "repeated_case.window_minutes" => "同案反复查询：无案件编号时的时间窗（分钟）",
        "lenient_share.window" => "宽缓比例异常：执法人员最近查询次数",
        "lenient_share.min_count" => "宽缓比例异常：起算的最少查询次数",
        "lenient_share.unit_window" => "宽缓比例异常：本单位最近查询次数",
        "lenient_share.margin" => "宽缓比例异常：高出本单位比例的幅度",
        "time_limit.days" => "时效将届满：届满前提醒的天数",
        "late_sync.hours" => "离线补录迟延：补录晚于制作的小时数",
        _ => "预警规则设置",
    }
}

fn range(field: &'static str, v: u32, lo: u32, hi: u32) -> Result<(), SettingRefused> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    Err(SettingRefused {
        field,
        message: format!("{}应在{lo}至{hi}之间", label(field)),
        message_en: format!("`{field}` must be between {lo} and {hi}"),
    })
}

impl RuleSettings {
    /// Every value inside its range (what keeps the evaluator's state bounded).
    pub fn validate(&self) -> Result<(), SettingRefused> {
        let l = &self.lenient_share;
        range(
            "repeated_case.case_days",
            self.repeated_case.case_days,
            1,
            3650,
        )?;
        range(
            "repeated_case.window_minutes",
            self.repeated_case.window_minutes,
            1,
            1440,
        )?;
        range("lenient_share.window", l.window, 1, 500)?;
        range("lenient_share.min_count", l.min_count, 1, l.window)?;
        range("lenient_share.unit_window", l.unit_window, l.window, 5000)?;
        if l.margin < Decimal::new(1, 2) || l.margin > Decimal::ONE {
            return Err(SettingRefused {
                field: "lenient_share.margin",
                message: format!("{}应在0.01至1之间", label("lenient_share.margin")),
                message_en: "`lenient_share.margin` must be between 0.01 and 1".into(),
            });
        }
        range("time_limit.days", self.time_limit.days, 1, 365)?;
        range("late_sync.hours", self.late_sync.hours, 1, 720)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_each_range_is_checked_naming_its_field() {
        assert_eq!(RuleSettings::default().validate(), Ok(()));
        let mut s = RuleSettings::default();
        s.lenient_share.min_count = 21;
        assert_eq!(s.validate().unwrap_err().field, "lenient_share.min_count");
        let mut s = RuleSettings::default();
        s.lenient_share.margin = Decimal::new(5, 3);
        assert_eq!(s.validate().unwrap_err().field, "lenient_share.margin");
        let mut s = RuleSettings::default();
        s.late_sync.hours = 0;
        assert_eq!(s.validate().unwrap_err().field, "late_sync.hours");
    }

    #[test]
    fn settings_travel_as_json_with_the_margin_a_decimal_string() {
        let v = serde_json::to_value(RuleSettings::default()).unwrap();
        assert_eq!(v["lenient_share"]["margin"], "0.25");
        let back: RuleSettings = serde_json::from_value(v).unwrap();
        assert_eq!(back, RuleSettings::default());
    }
}
