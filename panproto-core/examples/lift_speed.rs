use panproto_core::*;
use serde_json::json;
use std::time::Instant;
fn main() {
    let p = builtin_protocol("json-schema").unwrap();
    let mut b = Schema::builder(p.clone())
        .vertex("root", "object", None)
        .vertex("nest", "object", None)
        .edge("root", "nest", "prop", Some("nest".into()));
    for i in 0..10 {
        b = b.vertex(format!("f{i}"), "string", None).edge(
            "root",
            format!("f{i}"),
            "prop",
            Some(format!("f{i}")),
        );
    }
    for i in 0..3 {
        b = b.vertex(format!("n{i}"), "integer", None).edge(
            "nest",
            format!("n{i}"),
            "prop",
            Some(format!("n{i}")),
        );
    }
    let src = b.build().unwrap();
    // target: rename f0 -> g0, drop f9, keep rest
    let mut t = Schema::builder(p)
        .vertex("root", "object", None)
        .vertex("nest", "object", None)
        .edge("root", "nest", "prop", Some("nest".into()));
    for i in 0..9 {
        let name = if i == 0 {
            "g0".to_string()
        } else {
            format!("f{i}")
        };
        t = t.vertex(format!("f{i}"), "string", None).edge(
            "root",
            format!("f{i}"),
            "prop",
            Some(name),
        );
    }
    for i in 0..3 {
        t = t.vertex(format!("n{i}"), "integer", None).edge(
            "nest",
            format!("n{i}"),
            "prop",
            Some(format!("n{i}")),
        );
    }
    let tgt = t.build().unwrap();
    let spec = derive_migration(&src, &tgt);
    let m = CompiledMigration::compile(src, tgt, spec).unwrap();
    let rec = Value::from(
        json!({"f0":"hello world","f1":"a","f2":"b","f3":"c","f4":"d","f5":"e","f6":"f","f7":"g","f8":"h","f9":"i","nest":{"n0":1,"n1":2,"n2":3}}),
    );
    let n = 1_000_000;
    let records: Vec<Value> = (0..n).map(|_| rec.clone()).collect();
    let rooted = m.rooted(None).unwrap();
    let t0 = Instant::now();
    let out: Vec<Value> = records.into_iter().map(|r| rooted.lift(r)).collect();
    let dt = t0.elapsed().as_secs_f64();
    println!("lift: {:.0} rec/s ({})", n as f64 / dt, out.len());
    let records: Vec<Value> = (0..200_000).map(|_| rec.clone()).collect();
    let t0 = Instant::now();
    let mut k = 0;
    for r in records {
        let (v, c) = rooted.get(r);
        let back = m.put(v, &c).unwrap();
        if let Value::Object(o) = back {
            k += o.len();
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    println!("get+put: {:.0} /s ({k})", 200_000.0 / dt);
}
