//! The GAT engine: theories from the seed's spec form (dependent sorts,
//! equations whose variables' sorts are inferred), every way a theory is
//! ill-formed named, colimits (gluing, clashes), morphisms (arities,
//! signatures, equations), and each protocol's schema and instance
//! theories.

use panproto_core::builtin_protocols;
use panproto_core::gat::{self, GatError, Morphism, Theory};
use serde_json::json;

fn theory(spec: serde_json::Value) -> Result<Theory, GatError> {
    Theory::from_json(&spec.to_string())
}

fn graph_spec() -> serde_json::Value {
    json!({
        "name": "ThGraph",
        "sorts": [{"name": "Vertex", "params": []}, {"name": "Edge", "params": []}],
        "ops": [
            {"name": "src", "inputs": [["e", "Edge"]], "output": "Vertex"},
            {"name": "tgt", "inputs": [["e", "Edge"]], "output": "Vertex"}
        ],
        "eqs": []
    })
}

fn category() -> Theory {
    theory(json!({
        "name": "ThCategory",
        "sorts": [{"name": "Ob"}, {"name": "Hom", "params": [["a", "Ob"], ["b", "Ob"]]}],
        "ops": [
            {"name": "id", "inputs": [["x", "Ob"]], "output": "Hom(x, x)"},
            {"name": "dom", "inputs": [["f", "Hom(a, b)"]], "output": "Ob"},
            {"name": "cod", "inputs": [["f", "Hom(a, b)"]], "output": "Ob"},
            {"name": "compose", "inputs": [["f", "Hom(a, b)"], ["g", "Hom(b, c)"]], "output": "Hom(a, c)"}
        ],
        "eqs": [
            {"name": "left_id", "lhs": "compose(id(dom(f)), f)", "rhs": "f"},
            {"name": "right_id", "lhs": "compose(f, id(cod(f)))", "rhs": "f"},
            {"name": "assoc", "lhs": "compose(compose(f, g), h)", "rhs": "compose(f, compose(g, h))"},
            {"name": "dom_id", "lhs": "dom(id(x))", "rhs": "x"}
        ]
    }))
    .unwrap()
}

fn monoid(name: &str, extra_ops: serde_json::Value, extra_eqs: serde_json::Value) -> Theory {
    let mut ops = vec![
        json!({"name": "e", "inputs": [], "output": "M"}),
        json!({"name": "mul", "inputs": [["x", "M"], ["y", "M"]], "output": "M"}),
    ];
    ops.extend(extra_ops.as_array().unwrap().iter().cloned());
    let mut eqs = vec![
        json!({"name": "unit_left", "lhs": "mul(e, x)", "rhs": "x"}),
        json!({"name": "unit_right", "lhs": "mul(x, e())", "rhs": "x"}),
        json!({"name": "assoc", "lhs": "mul(mul(x, y), z)", "rhs": "mul(x, mul(y, z))"}),
    ];
    eqs.extend(extra_eqs.as_array().unwrap().iter().cloned());
    theory(json!({"name": name, "sorts": [{"name": "M"}], "ops": ops, "eqs": eqs})).unwrap()
}

fn problems(result: Result<impl std::fmt::Debug, GatError>) -> Vec<String> {
    match result {
        Err(e) => e.problems,
        Ok(v) => panic!("expected a GatError, got {v:?}"),
    }
}

#[test]
fn the_seeds_spec_reads_and_round_trips() {
    let g = theory(graph_spec()).unwrap();
    assert_eq!(g.sorts.len(), 2);
    assert_eq!(g.op("src").unwrap().output, "Vertex");
    assert_eq!(Theory::from_json(&g.to_json()).unwrap(), g);
    assert_eq!(g, gat::graph(), "the built-in ThGraph is the seed's");
    let c = category();
    assert_eq!(c.sort("Hom").unwrap().params.len(), 2);
    assert_eq!(c.eqs.len(), 4);
}

#[test]
fn each_ill_formed_part_is_named() {
    let p = problems(theory(json!({
        "name": "ThBad",
        "sorts": [{"name": "Ob"}, {"name": "Ob"}, {"name": "Hom", "params": [["a", "Ob"], ["b", "Obj"]]}],
        "ops": [
            {"name": "id", "inputs": [["x", "Ob"]], "output": "Hom(x)"},
            {"name": "src", "inputs": [["e", "Edge"]], "output": "Ob"},
            {"name": "pair", "inputs": [["x", "Ob"], ["x", "Ob"]], "output": "Ob"}
        ],
        "eqs": [
            {"name": "mixed", "lhs": "id(x)", "rhs": "x"},
            {"name": "unknown", "lhs": "inv(x)", "rhs": "x"},
            {"name": "broken", "lhs": "id(x", "rhs": "x"},
            {"name": "loose", "lhs": "x", "rhs": "y"}
        ]
    })));
    let expect = [
        "sort Ob is declared twice",
        "sort Hom: parameter b has sort Obj, which is not a sort of the theory",
        "operation id: output: sort Hom takes 2 arguments, not 1",
        "operation src: input e has sort Edge, which is not a sort of the theory",
        "operation pair: input x is declared twice",
        "equation mixed: variable x stands where a Ob goes and where a Hom goes",
        "equation unknown: inv is not an operation of the theory",
        "equation broken: left side: column 5",
        "equation loose: no position fixes",
    ];
    for e in expect {
        assert!(p.iter().any(|x| x.contains(e)), "{e:?} not in {p:#?}");
    }
    let p = problems(theory(json!({
        "name": "ThTwice", "sorts": [{"name": "A"}, {"name": "B"}],
        "ops": [{"name": "f", "inputs": [["a", "A"]], "output": "B"}, {"name": "g", "inputs": [["b", "B"]], "output": "B"}],
        "eqs": [{"name": "both", "lhs": "f(x)", "rhs": "g(x)"}]
    })));
    assert!(
        p[0].contains("variable x stands where a A goes and where a B goes"),
        "{p:?}"
    );
    let bad_json = Theory::from_json("{\"name\": \"T\",\n \"sorts\": 3}").unwrap_err();
    assert!(
        bad_json.problems[0].starts_with("line 2, column"),
        "{bad_json}"
    );
}

#[test]
fn a_colimit_glues_over_the_shared_theory_and_names_clashes() {
    let g = gat::graph();
    let constraint = theory(json!({
        "name": "ThConstraint",
        "sorts": [{"name": "Vertex"}, {"name": "Constraint"}],
        "ops": [{"name": "on", "inputs": [["c", "Constraint"]], "output": "Vertex"}]
    }))
    .unwrap();
    let vertex = theory(json!({"name": "ThVertex", "sorts": [{"name": "Vertex"}]})).unwrap();
    let glued = gat::colimit(&g, &constraint, &vertex, None).unwrap();
    assert_eq!(glued.name, "ThGraph+ThConstraint");
    let sorts: Vec<&str> = glued.sorts.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sorts, ["Vertex", "Edge", "Constraint"]);
    assert_eq!(glued.ops.len(), 3);

    // Without sharing Vertex, the two Vertex sorts clash.
    let nothing = theory(json!({"name": "ThEmpty"})).unwrap();
    let p = problems(gat::colimit(&g, &constraint, &nothing, None));
    assert!(
        p[0].contains("sort Vertex is in both ThGraph and ThConstraint but not in ThEmpty"),
        "{p:?}"
    );
    // A shared part one side lacks.
    let p = problems(gat::colimit(&constraint, &vertex, &g, Some("X")));
    assert!(
        p.iter()
            .any(|x| x.contains("sort Edge of ThGraph is not in ThConstraint")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|x| x.contains("operation src of ThGraph is not in ThVertex")),
        "{p:?}"
    );
}

#[test]
fn a_morphism_keeps_arities_signatures_and_equations() {
    let m = monoid("ThMonoid", json!([]), json!([]));
    let group = monoid(
        "ThGroup",
        json!([{"name": "inv", "inputs": [["x", "M"]], "output": "M"}]),
        json!([{"name": "inv_left", "lhs": "mul(inv(x), x)", "rhs": "e"}]),
    );
    let inclusion = Morphism::default().check(&m, &group).unwrap();
    assert_eq!(inclusion.equations["assoc"], "assoc");
    assert_eq!(inclusion.sorts["M"], "M");
    // Not every group equation holds in a monoid: inv is not even there.
    let p = problems(Morphism::default().check(&group, &m));
    assert!(
        p[0].contains("operation inv goes to inv, which is not an operation of ThMonoid"),
        "{p:?}"
    );
    // Sending mul to a binary operation with no unit law breaks the unit laws.
    let magma = theory(json!({
        "name": "ThMagma", "sorts": [{"name": "S"}],
        "ops": [{"name": "one", "inputs": [], "output": "S"}, {"name": "op", "inputs": [["a", "S"], ["b", "S"]], "output": "S"}],
        "eqs": [{"name": "assoc", "lhs": "op(a, op(b, c))", "rhs": "op(op(a, b), c)"}]
    }))
    .unwrap();
    let to_magma = Morphism {
        sorts: [("M".to_owned(), "S".to_owned())].into(),
        ops: [
            ("e".to_owned(), "one".to_owned()),
            ("mul".to_owned(), "op".to_owned()),
        ]
        .into(),
    };
    let p = problems(to_magma.check(&m, &magma));
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("equation unit_left is not preserved: op(one(), x) = x"),
        "{p:?}"
    );
    // Associativity is found though written the other way round and with other variables.
    let mut lawful = magma.clone();
    lawful.eqs.push(gat::Equation {
        name: "l".into(),
        lhs: "op(one, a)".into(),
        rhs: "a".into(),
        vars: vec![],
    });
    lawful.eqs.push(gat::Equation {
        name: "r".into(),
        lhs: "a".into(),
        rhs: "op(a, one)".into(),
        vars: vec![],
    });
    let lawful = lawful.checked().unwrap();
    let checked = to_magma.check(&m, &lawful).unwrap();
    assert_eq!(checked.equations["assoc"], "assoc");
    assert_eq!(checked.equations["unit_right"], "r");

    // Arity: Edge has no parameters, Hom two.
    let to_category = Morphism {
        sorts: [
            ("Vertex".to_owned(), "Ob".to_owned()),
            ("Edge".to_owned(), "Hom".to_owned()),
        ]
        .into(),
        ops: [
            ("src".to_owned(), "dom".to_owned()),
            ("tgt".to_owned(), "cod".to_owned()),
        ]
        .into(),
    };
    let p = problems(to_category.check(&gat::graph(), &category()));
    assert!(
        p[0].contains("sort Edge takes 0 parameters, its image Hom 2"),
        "{p:?}"
    );
    let stray = Morphism {
        sorts: [("Nope".to_owned(), "Ob".to_owned())].into(),
        ops: Default::default(),
    };
    let p = problems(stray.check(&gat::graph(), &gat::graph()));
    assert!(
        p[0].contains("the map sends sort Nope, which ThGraph does not have"),
        "{p:?}"
    );
}

#[test]
fn every_protocol_has_its_schema_and_instance_theory() {
    for protocol in builtin_protocols() {
        let schema = gat::schema_theory(protocol).unwrap();
        assert_eq!(schema.name, protocol.schema_theory);
        let checked = schema.clone().checked().unwrap();
        assert_eq!(checked, schema);
        for kind in &protocol.object_kinds {
            assert!(
                schema.op(&format!("kind.{kind}")).is_some(),
                "{}: kind {kind}",
                protocol.name
            );
        }
        for edge in protocol.edge_rules.keys() {
            assert!(
                schema.op(&format!("edge.{edge}")).is_some(),
                "{}: edge {edge}",
                protocol.name
            );
        }
        assert_eq!(
            schema.sort("Constraint").is_some(),
            !protocol.constraint_sorts.is_empty(),
            "{}",
            protocol.name
        );
        let instance = gat::instance_theory(protocol).unwrap();
        assert_eq!(instance.name, protocol.instance_theory);
        assert!(instance.eq("arc_source").is_some() && instance.sort("Node").is_some());
        // The graph maps into both, and the schema theory into the instance one.
        Morphism::default().check(&gat::graph(), &schema).unwrap();
        Morphism::default().check(&schema, &instance).unwrap();
    }
}
