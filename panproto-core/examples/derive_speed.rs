use std::time::Instant;
use panproto_core::*;
fn nested(p: &std::sync::Arc<Protocol>, rename: bool) -> Schema {
    let mut b = Schema::builder(p.clone()).vertex("root", "object", None);
    for k in 0..99 {
        let o = format!("o{k}");
        b = b.vertex(o.clone(), "object", None).edge("root", o.clone(), "prop", Some(o.clone()));
        for i in 0..100 {
            let name = if rename && k < 50 && i == 0 { "renamed".to_string() } else { format!("p{i}") };
            let id = format!("{o}.{name}");
            b = b.vertex(id.clone(), "string", None).edge(o.clone(), id, "prop", Some(name));
        }
    }
    b.build().unwrap()
}
fn main() {
    let p = builtin_protocol("json-schema").unwrap();
    let old = nested(&p, false); let new = nested(&p, true);
    for _ in 0..3 {
        let t = Instant::now(); let d = diff(&old, &new); let t1 = t.elapsed();
        let t = Instant::now(); let spec = derive_migration(&old, &new); let t2 = t.elapsed();
        let t = Instant::now(); let r = check_existence(&old, &new, &spec); let t3 = t.elapsed();
        let t = Instant::now(); let c = classify(&d, &p); let t4 = t.elapsed();
        println!("diff {t1:?} derive(incl analyse) {t2:?} analyse {t3:?} classify {t4:?} mapped {} issues {}", spec.vertex_map.len(), r.issues.len() + c.breaking.len()*0);
    }
}
