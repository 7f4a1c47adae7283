//! Load+validate of the bundled standards, and one calculation.
//! Run: `cargo bench --bench engine` (figures in docs/PERFORMANCE.md).

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use penalty_standards::engine::{CalcRequest, calculate};
use penalty_standards::sources::load_standards;
use serde_json::json;

fn benches(c: &mut Criterion) {
    c.bench_function("load_and_validate_bundled_standards", |b| {
        b.iter(|| black_box(load_standards(None).unwrap()))
    });

    let set = load_standards(None).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let req = CalcRequest::from_json(&json!({
        "matter_id": "ZHZF-001",
        "party": "organisation",
        "facts": {"construction_cost": "1234567.89", "illegal_area": "85"},
        "circumstances": ["confessed"],
        "act_date": "2026-06-01",
        "discovered_date": "2026-07-01",
        "decision_date": "2026-11-20"
    }))
    .unwrap();
    c.bench_function("calculate_one", |b| {
        b.iter(|| black_box(calculate(&set, black_box(&req), today).unwrap()))
    });
    let body = serde_json::to_vec(&req).unwrap();
    c.bench_function("parse_calculate_serialize", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&body)).unwrap();
            let r = CalcRequest::from_json(&v).unwrap();
            black_box(serde_json::to_vec(&calculate(&set, &r, today).unwrap()).unwrap())
        })
    });
}

criterion_group!(engine, benches);
criterion_main!(engine);
