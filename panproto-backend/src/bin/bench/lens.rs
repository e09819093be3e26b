//! The lens benchmarks: a 5-step chain (rename, hoist, wrap, convert,
//! remove) over 13-field records, `get` and `get` + `put`, beside the same
//! steps applied one by one (each its own lens, so each takes its own copy
//! of the record, as a step that borrows its input must); then the same
//! chain committed as the lens of a version, and `migrate_data` of 100,000
//! records across it, through the store.

use std::sync::Arc;
use std::time::Instant;

use panproto_core::lens::{Chain, Lens, Step};
use panproto_core::{Format, FormatOptions, Protocol, Source, Value, ValueType};

use super::{BenchResult, Place, drain, emit, init, median, ms};

/// The records' schema, as a team would keep it: JSON Schema.
const RECORD_SCHEMA: &str = r#"{"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "status": {"type": "string"},
    "tag": {"type": "string"}, "legacy": {"type": "boolean"}, "score": {"type": "number"},
    "count": {"type": "integer"}, "lang": {"type": "string"}, "created": {"type": "integer"},
    "updated": {"type": "integer"}, "flags": {"type": "array", "items": {"type": "integer"}},
    "note": {"type": "string"},
    "meta": {"type": "object", "properties": {"author": {"type": "string"}, "rev": {"type": "integer"}}}
}}"#;

/// Records in the history.
const COMMITTED: usize = 100_000;

const RECORDS: usize = 200_000;

/// Record `i`: 13 fields, one of them an object of two.
fn record(i: usize) -> Value {
    let status = ["draft", "published", "archived"][i % 3];
    Value::from(serde_json::json!({
        "id": i, "name": format!("item {i}"), "status": status, "tag": "x",
        "legacy": i % 7 == 0, "score": i as f64 / 3.0, "count": i % 100,
        "lang": "en", "created": 1_700_000_000 + i, "updated": 1_700_000_500 + i,
        "flags": [1, 2], "note": "", "meta": {"author": format!("a{}", i % 50), "rev": 3},
    }))
}

fn steps() -> Vec<Step> {
    let pair = |a: &str, b: &str| (Value::Str(a.to_owned()), Value::Str(b.to_owned()));
    vec![
        Step::Rename {
            field: "name".into(),
            to: "title".into(),
        },
        Step::Hoist {
            host: "meta".into(),
            field: "author".into(),
        },
        Step::Wrap {
            field: "tag".into(),
        },
        Step::Convert {
            field: "status".into(),
            mapping: vec![
                pair("draft", "pending"),
                pair("published", "live"),
                pair("archived", "gone"),
            ],
            reverse: None,
        },
        Step::Remove {
            field: "legacy".into(),
            kind: ValueType::Boolean,
            default: Value::Bool(false),
        },
    ]
}

/// Records per second of `work` over `records`, median of 5.
fn rate(records: &[Value], mut work: impl FnMut(&Value)) -> f64 {
    let times = (0..5)
        .map(|_| {
            let t = Instant::now();
            for r in records {
                work(r);
            }
            t.elapsed().as_secs_f64()
        })
        .collect();
    records.len() as f64 / median(times)
}

/// Records per second of `work` given each record owned, as a decoded
/// chunk gives it (the copies are made before the clock starts), median of 5.
fn owned_rate(records: &[Value], mut work: impl FnMut(Value)) -> f64 {
    let times = (0..5)
        .map(|_| {
            let batch = records.to_vec();
            let t = Instant::now();
            for r in batch {
                work(r);
            }
            t.elapsed().as_secs_f64()
        })
        .collect();
    records.len() as f64 / median(times)
}

pub(super) fn run(_: &Arc<Protocol>) -> BenchResult<()> {
    let records: Vec<Value> = (0..RECORDS).map(record).collect();
    let fused: Lens = Chain(steps()).compile()?;
    let singles: Vec<Lens> = steps()
        .into_iter()
        .map(|s| Chain(vec![s]).compile())
        .collect::<Result<_, _>>()?;
    // Every view must round-trip, or the rates mean nothing.
    for r in records.iter().take(1000) {
        let (view, c) = fused.get(r.clone())?;
        if fused.put(view, &c)? != *r {
            return Err("the benchmark chain does not round-trip".into());
        }
    }
    let get = owned_rate(&records, |r| {
        std::hint::black_box(fused.get(r).ok());
    });
    let get_borrowed = rate(&records, |r| {
        std::hint::black_box(fused.get(r.clone()).ok());
    });
    let get_put = owned_rate(&records, |r| {
        if let Ok((view, c)) = fused.get(r) {
            std::hint::black_box(fused.put(view, &c).ok());
        }
    });
    // Each step its own lens, each borrowing its input (so copying it),
    // against the fused chain on the same borrowed records.
    let one_by_one = rate(&records, |r| {
        let mut value = r.clone();
        for lens in &singles {
            let Ok((view, c)) = lens.get(value.clone()) else {
                return;
            };
            std::hint::black_box(&c);
            value = view;
        }
        std::hint::black_box(value);
    });
    // What copying the input costs alone, so the chain's own share shows.
    let copy = rate(&records, |r| {
        std::hint::black_box(r.clone());
    });
    let per_s = |x: f64| format!("{:.0}", x);
    emit(
        "lens_get_5_steps",
        get,
        "records/s",
        "> 1,000,000 records/s (13-field records, one core; each record given owned, as a decoded chunk gives it)",
    );
    emit(
        "lens_get_5_steps_borrowed",
        get_borrowed,
        "records/s",
        &format!(
            "info: get of a copy of each record (copying alone runs at {} records/s)",
            per_s(copy)
        ),
    );
    emit(
        "lens_get_put_5_steps",
        get_put,
        "records/s",
        "> 400,000 records/s (each record given owned)",
    );
    emit(
        "lens_get_one_by_one",
        one_by_one,
        "records/s",
        &format!(
            "info: the same steps each its own lens, each copying its input; the chain on copies is {:.1}x faster (target 3x); chain {} vs {}",
            get_borrowed / one_by_one,
            per_s(get_borrowed),
            per_s(one_by_one)
        ),
    );
    history()
}

/// 100,000 records committed, the chain committed as the next version's
/// lens (`evolve`: it carries them forward), and `migrate_data` across it
/// both ways, median of 5.
fn history() -> BenchResult<()> {
    let schema = Format::JsonSchema.parse(
        &Source::from_text("record.json", RECORD_SCHEMA),
        &FormatOptions::default(),
    )?;
    let place = Place::new("lens")?;
    let mut repo = init(&place, schema.protocol())?;
    repo.add(schema)?;
    repo.add_data("items", (0..COMMITTED).map(record), None)?;
    let c1 = repo.commit("v1", "bench", None)?.to_hex();
    repo.evolve(Chain(steps()), None)?;
    let t = Instant::now();
    let c2 = repo.commit("the lens", "bench", None)?.to_hex();
    let carried = t.elapsed();
    let (mut forward, mut back, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let k = drain(repo.data_at(&c1, "items")?)?;
        reads.push(k as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let n = drain(repo.migrate_data("items", &c1, &c2)?)?;
        forward.push(n as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let m = drain(repo.migrate_data("items", &c2, &c1)?)?;
        back.push(m as f64 / t.elapsed().as_secs_f64());
        if n != COMMITTED || m != COMMITTED || k != COMMITTED {
            return Err(format!("read {n}, {m} and {k} records, expected {COMMITTED}").into());
        }
    }
    emit(
        "lens_commit_carry_100k",
        ms(carried),
        "ms",
        "info (a commit whose lens carries 100,000 records forward, keeping complements)",
    );
    emit(
        "lens_migrate_data_100k",
        median(forward),
        "records/s",
        &format!(
            ">= 300,000 records/s (across the committed 5-step lens, median of 5; reading the records alone: {:.0} records/s)",
            median(reads)
        ),
    );
    emit(
        "lens_migrate_data_100k_back",
        median(back),
        "records/s",
        "info (back across the lens with the kept complements, median of 5)",
    );
    Ok(())
}
