//! What the alert evaluator costs per logged entry: reading a stored row as an event and
//! feeding it to the evaluator (all five rules), over a stream of realistic calculation
//! entries (50 inspectors in 5 units, a case number on most, repeats and lenient outcomes
//! among them). Run: `cargo bench --bench alerts` (figures in docs/PERFORMANCE.md).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use penalty_standards::alerts::{Evaluator, Event};
use penalty_standards::auth::Role;
use penalty_standards::engine::Outcome;
use penalty_standards::supervision::{
    Caller, Client, EntryKind, EntryOutcome, GENESIS, NewEntry, Row, raw,
};
use serde_json::json;

/// Entry `i` of the stream, as the writer stores it.
fn row(i: i64, prev: &str) -> Row {
    let inspector = i % 50;
    let lenient = i % 7 == 0;
    let entry = NewEntry {
        kind: EntryKind::Calculation,
        caller: Caller {
            token_id: format!("t{inspector}"),
            name: format!("执法人员{inspector}"),
            unit: format!("U{}", inspector % 5),
            role: Role::Inspector,
        },
        client: if i % 3 == 0 {
            Client::Mobile
        } else {
            Client::Rest
        },
        matter_id: format!("ZHZF-{:03}", i % 40),
        standards_version: "2026.1".into(),
        outcome: EntryOutcome::Calculation(if lenient {
            Outcome::NoPenalty
        } else {
            Outcome::Penalty
        }),
        tier: Some((i % 4 + 1) as usize),
        case_ref: (i % 4 != 0).then(|| format!("龙综执罚〔2026〕{}号", i / 3)),
        request: raw(&json!({"party": "organisation",
            "facts": {"construction_cost": (1_000_000 + i % 5 * 1000).to_string(), "illegal_area": "45"},
            "circumstances": if lenient { json!(["no_harm", "corrected_promptly"]) } else { json!(["confessed"]) },
            "act_date": "2025-06-01", "discovered_date": "2026-07-01", "today": "2026-11-20",
            "versions": ["2026.1"]})),
        result: raw(
            &json!({"fine": {"min": "12345.68", "max": "12345.68"}, "measures": ["责令改正"],
            "answer_sha256": "9f3a0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f"}),
        ),
        offline: false,
        review_acts: Vec::new(),
    };
    let at = format!(
        "2026-11-20T{:02}:{:02}:{:02}.000Z",
        i / 3600 % 24,
        i / 60 % 60,
        i % 60
    );
    Row::seal(&entry.prepare(), i, &at, "2026-11-20", prev)
}

fn evaluator(c: &mut Criterion) {
    let mut prev = GENESIS.to_string();
    let rows: Vec<Row> = (1..=10_000)
        .map(|i| {
            let r = row(i, &prev);
            prev = r.hash.clone();
            r
        })
        .collect();
    let mut group = c.benchmark_group("alerts");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("evaluate_10000_entries", |b| {
        b.iter(|| {
            let mut ev = Evaluator::default();
            let mut raised = 0;
            for r in &rows {
                raised += ev.feed(&Event::of(black_box(r))).len();
            }
            black_box(raised)
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("read_one_row_as_event", |b| {
        b.iter(|| black_box(Event::of(black_box(&rows[4321]))))
    });
    group.finish();
}

criterion_group!(alerts, evaluator);
criterion_main!(alerts);
