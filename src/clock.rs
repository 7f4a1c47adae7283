//! "Today" for the service: the date in China Standard Time (UTC+8), whatever the host's time
//! zone. A decision dated today by an inspector in Wenzhou at 01:00 must not be "in the future"
//! on a server that keeps UTC.

use chrono::{Duration, NaiveDate, Utc};

pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}
