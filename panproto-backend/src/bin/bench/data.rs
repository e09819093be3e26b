//! The data benchmarks: staging and committing 100,000 records,
//! and `migrate_data` of them across three versions, through the store.

use std::sync::Arc;
use std::time::Instant;

use panproto_core::{Map, Protocol, Repository, Schema, SchemaBuilder, Value};

use super::{BenchResult, Place, drain, emit, init, median, ms};

const RECORDS: usize = 100_000;

/// A person with `props` more string properties `p0`, `p1`, ... than the
/// three the versions change: `name`, `age`, `score`.
fn person(protocol: &Arc<Protocol>, name: &str, age: bool) -> SchemaBuilder {
    let mut b = Schema::builder(Arc::clone(protocol))
        .vertex("person", "object", None)
        .vertex(name, "string", None)
        .vertex("score", "number", None)
        .edge("person", name, "prop", Some(name.to_owned()))
        .edge("person", "score", "prop", Some("score".to_owned()));
    if age {
        b = b
            .vertex("age", "integer", None)
            .edge("person", "age", "prop", Some("age".to_owned()));
    }
    for i in 0..4 {
        let id = format!("p{i}");
        b = b
            .vertex(id.clone(), "string", None)
            .edge("person", id.clone(), "prop", Some(id));
    }
    b
}

fn record(i: usize) -> Value {
    let mut fields = vec![
        ("name".to_owned(), Value::Str(format!("person {i}"))),
        ("age".to_owned(), Value::Int((i % 90) as i64)),
        ("score".to_owned(), Value::Float(i as f64 / 7.0)),
    ];
    for p in 0..4 {
        fields.push((format!("p{p}"), Value::Str(format!("value {p} of {i}"))));
    }
    Value::Object(fields.into_iter().collect::<Map>())
}

/// `add_data` + `commit` of 100,000 records, the commits that carry them
/// forward through two breaking changes, and `migrate_data` v1 → v3 and back.
pub fn run(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let v1 = person(protocol, "name", true).build()?;
    let v2 = person(protocol, "name", false).build()?; // age removed
    let v3 = person(protocol, "full_name", false).build()?; // name renamed
    let records: Vec<Value> = (0..RECORDS).map(record).collect();

    let place = Place::new("data")?;
    let mut repo: Repository<_> = init(&place, protocol)?;
    repo.add(v1)?;
    let t = Instant::now();
    repo.add_data("people", records, None)?;
    let added = t.elapsed();
    let c1 = repo.commit("v1", "bench", None)?.to_hex();
    let total = t.elapsed();
    emit(
        "add_data_commit_100k",
        RECORDS as f64 / total.as_secs_f64(),
        "records/s",
        "info (add_data + commit of 100,000 records)",
    );
    emit("add_data_100k", ms(added), "ms", "info (validate + encode)");

    repo.add(v2)?;
    let t = Instant::now();
    repo.commit("drop age", "bench", None)?;
    let carried = t.elapsed();
    repo.add(v3)?;
    let c3 = repo.commit("rename name", "bench", None)?.to_hex();
    emit(
        "carry_forward_100k",
        ms(carried),
        "ms",
        "info (a schema commit that lifts 100,000 records and keeps complements)",
    );

    let mut forward = Vec::new();
    let mut backward = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let n = drain(repo.migrate_data("people", &c1, &c3)?)?;
        forward.push(n as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let m = drain(repo.migrate_data("people", &c3, &c1)?)?;
        backward.push(m as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let k = drain(repo.data_at(&c1, "people")?)?;
        reads.push(k as f64 / t.elapsed().as_secs_f64());
        if n != RECORDS || m != RECORDS || k != RECORDS {
            return Err(format!("read {n}, {m} and {k} records, expected {RECORDS}").into());
        }
    }
    emit(
        "migrate_data_100k",
        median(forward),
        "records/s",
        ">= 200000 records/s (v1 -> v3, median of 5)",
    );
    emit(
        "migrate_data_100k_back",
        median(backward),
        "records/s",
        "info (v3 -> v1 with the kept complements, median of 5)",
    );
    emit(
        "data_at_100k",
        median(reads),
        "records/s",
        "info (read and decode, median of 5)",
    );
    Ok(())
}
