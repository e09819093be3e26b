//! The engine benchmarks: lifting records, the get/put round
//! trip, diff + classify of large schemas, and `add` deriving a migration.
//!
//! Lifting, get/put and diff do not touch the store, so both backend builds
//! measure the same code; `add` runs against this build's store.

use std::sync::Arc;
use std::time::Instant;

use panproto_core::{CompiledMigration, Protocol, Schema, Value, classify, derive_migration, diff};
use serde_json::json;

use super::{BenchResult, Place, emit, init, median, ms};

/// 13 fields: 12 scalars and one nested object of 3.
fn record_schema(protocol: &Arc<Protocol>, renamed: bool) -> BenchResult<Schema> {
    let mut b = Schema::builder(Arc::clone(protocol))
        .vertex("root", "object", None)
        .vertex("nest", "object", None)
        .edge("root", "nest", "prop", Some("nest".into()));
    for i in 0..12 {
        // The target renames f0 and drops f11.
        if renamed && i == 11 {
            continue;
        }
        let kind = if i % 3 == 2 { "integer" } else { "string" };
        let name = if renamed && i == 0 {
            "title".to_owned()
        } else {
            format!("f{i}")
        };
        b = b
            .vertex(format!("f{i}"), kind, None)
            .edge("root", format!("f{i}"), "prop", Some(name));
    }
    for j in 0..3 {
        b = b.vertex(format!("n{j}"), "integer", None).edge(
            "nest",
            format!("n{j}"),
            "prop",
            Some(format!("n{j}")),
        );
    }
    Ok(b.build()?)
}

fn record(i: i64) -> serde_json::Value {
    json!({
        "f0": format!("record number {i}"), "f1": "alpha", "f2": i, "f3": "gamma", "f4": "delta",
        "f5": i * 2, "f6": "zeta", "f7": "eta", "f8": i * 3, "f9": "iota", "f10": "kappa",
        "f11": i * 4, "nest": {"n0": i, "n1": i + 1, "n2": i + 2}
    })
}

fn lifting(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let src = record_schema(protocol, false)?;
    let tgt = record_schema(protocol, true)?;
    let spec = derive_migration(&src, &tgt);
    let m = CompiledMigration::compile(src, tgt, spec)?;
    let rooted = m.rooted(None)?;
    const N: usize = 300_000;
    let json_records: Vec<serde_json::Value> = (0..N as i64).map(record).collect();

    let mut rates = Vec::new();
    for _ in 0..3 {
        let records: Vec<Value> = json_records.iter().cloned().map(Value::from).collect();
        let t = Instant::now();
        let out: Vec<Value> = records.into_iter().map(|r| rooted.lift(r)).collect();
        rates.push(N as f64 / t.elapsed().as_secs_f64());
        drop(out);
    }
    emit(
        "lift_13_fields",
        median(rates),
        "records/s",
        ">= 1,000,000 (one core)",
    );

    let text: Vec<String> = json_records.iter().map(ToString::to_string).collect();
    let t = Instant::now();
    let mut bytes = 0;
    for line in &text {
        let v: Value = serde_json::from_str(line)?;
        bytes += serde_json::to_string(&rooted.lift(v))?.len();
    }
    emit(
        "lift_13_fields_from_json_text",
        N as f64 / t.elapsed().as_secs_f64(),
        "records/s",
        "info (parse + lift + serialise)",
    );
    assert!(bytes > 0);

    let mut rates = Vec::new();
    for _ in 0..3 {
        let records: Vec<Value> = json_records
            .iter()
            .take(100_000)
            .cloned()
            .map(Value::from)
            .collect();
        let t = Instant::now();
        for r in records {
            let (view, complement) = rooted.get(r);
            let back = m.put(view, &complement)?;
            drop(back);
        }
        rates.push(100_000.0 / t.elapsed().as_secs_f64());
    }
    emit(
        "get_put_round_trip",
        median(rates),
        "round trips/s",
        ">= 300,000",
    );
    Ok(())
}

/// A 10,000-vertex schema: `root` with 99 objects `o{k}` of 100 string
/// properties `o{k}p{i}` each. `change` may rename, drop or add properties.
fn nested_schema(
    protocol: &Arc<Protocol>,
    change: impl Fn(usize, usize) -> Option<String>,
    added: &[(usize, &str)],
) -> BenchResult<Schema> {
    let mut b = Schema::builder(Arc::clone(protocol)).vertex("root", "object", None);
    for k in 0..99 {
        let object = format!("o{k}");
        b = b.vertex(object.clone(), "object", None).edge(
            "root",
            object.clone(),
            "prop",
            Some(object.clone()),
        );
        for i in 0..100 {
            let Some(name) = change(k, i) else { continue };
            let id = format!("{object}.{name}");
            b = b
                .vertex(id.clone(), "string", None)
                .edge(object.clone(), id, "prop", Some(name));
        }
        for (_, name) in added.iter().filter(|(at, _)| *at == k) {
            let id = format!("{object}.{name}");
            b = b.vertex(id.clone(), "integer", None).edge(
                object.clone(),
                id,
                "prop",
                Some((*name).to_owned()),
            );
        }
    }
    Ok(b.build()?)
}

fn large_schemas(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let old = nested_schema(protocol, |_, i| Some(format!("p{i}")), &[])?;
    // 1% changed: 50 properties renamed (id and key), 25 removed, 25 added.
    let added: Vec<(usize, &str)> = (74..99).map(|k| (k, "added")).collect();
    let changed = nested_schema(
        protocol,
        |k, i| match (k, i) {
            (0..50, 0) => Some("renamed".to_owned()),
            (50..75, 1) => None,
            _ => Some(format!("p{i}")),
        },
        &added,
    )?;
    let renamed = nested_schema(
        protocol,
        |k, i| {
            if (k, i) == (42, 7) {
                Some("renamed".to_owned())
            } else {
                Some(format!("p{i}"))
            }
        },
        &[],
    )?;
    assert_eq!(
        (old.vertices().len(), changed.vertices().len()),
        (10_000, 10_000)
    );
    let mut times = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        let changes = diff(&old, &changed);
        let c = classify(&changes, protocol);
        times.push(ms(t.elapsed()));
        assert!(c.breaking_count() > 0);
    }
    emit(
        "diff_classify_10k",
        median(times),
        "ms",
        "< 10 ms (median of 11)",
    );

    for (bench, new) in [
        ("add_derive_1pct_10k", &changed),
        ("add_derive_one_rename_10k", &renamed),
    ] {
        let place = Place::new("derive")?;
        let mut repo = init(&place, protocol)?;
        repo.add(old.clone())?;
        repo.commit("10k", "bench", None)?;
        let mut times = Vec::new();
        let mut mapped = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let staged = repo.add(new.clone())?;
            times.push(ms(t.elapsed()));
            mapped = staged
                .migration
                .as_ref()
                .map_or(0, |(_, spec)| spec.images(&old, new).len());
        }
        emit(
            bench,
            median(times),
            "ms",
            "< 100 ms (median of 5, renames detected)",
        );
        // Every surviving or renamed vertex is mapped: only the 25 removed ones are not.
        let expected = if bench == "add_derive_1pct_10k" {
            10_000 - 25
        } else {
            10_000
        };
        assert_eq!(
            mapped, expected,
            "{bench}: derived mapping covers {mapped} vertices"
        );
    }
    let spec = derive_migration(&old, &renamed);
    assert_eq!(
        spec.vertex_map.get("o42.p7").map(String::as_str),
        Some("o42.renamed")
    );
    Ok(())
}

/// Runs the engine benchmarks.
pub(crate) fn run(protocol: &Arc<Protocol>) -> BenchResult<()> {
    lifting(protocol)?;
    large_schemas(protocol)?;
    Ok(())
}
