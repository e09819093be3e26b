use std::sync::Arc;
use std::time::Instant;
use panproto_core::*;

fn wide(protocol: &Arc<Protocol>, props: usize) -> Schema {
    let mut b = Schema::builder(Arc::clone(protocol)).vertex("root", "object", None);
    for i in 0..props {
        let id = format!("p{i}");
        b = b.vertex(id.clone(), "string", None).edge("root", id.clone(), "prop", Some(id));
    }
    b.build().unwrap()
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let protocol = builtin_protocol("json-schema").unwrap();
    let t = Instant::now();
    match what.as_str() {
        "build" => for _ in 0..n { std::hint::black_box(wide(&protocol, 9999)); },
        f => {
            let (format, path) = match f {
                "avro" => (Format::Avro, "../shared/corpus/avro/cpp_large_schema.avsc"),
                "graphql" => (Format::Graphql, "../shared/corpus/graphql/graphql-java_extra-large-schema-1.graphqls"),
                "atproto" => (Format::Atproto, "../shared/corpus/atproto"),
                "sdl" => (Format::Graphql, "/tmp/big.graphql"),
                _ => panic!("what"),
            };
            let source = Source::read(std::path::Path::new(path), |p| !p.ends_with(".md")).unwrap();
            for _ in 0..n { std::hint::black_box(format.parse(&source, &FormatOptions::default()).unwrap()); }
        }
    }
    eprintln!("{:.2} ms each", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
}
