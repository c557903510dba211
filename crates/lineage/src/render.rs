//! Text and JSON renderings of a [`Lineage`].
//!
//! Text is for people: the roots, then what is upstream and downstream one line per node, then
//! the ledger events behind the edges in ledger order (so `datagate log prove SEQ` can prove any
//! of them). JSON carries the same with every digest and attribute, nodes referred to by
//! `kind:id` keys.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::graph::{Graph, Lineage, Node, NodeKind};

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// One line about a node, without its kind and name.
pub fn node_summary(g: &Graph, n: &Node) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = n.sha256() {
        parts.push(format!("sha256:{}", short(s)));
    }
    let a = |k: &str| n.attr_str(k).map(str::to_string);
    match n.kind {
        NodeKind::Source => {
            if let Some(t) = a("tier") {
                parts.push(format!("tier {t}"));
            }
        }
        NodeKind::Drop => {
            parts.extend(a("status"));
            if let Some(s) = a("source") {
                parts.push(format!("from {s}"));
            }
            if let Some(f) = a("file") {
                parts.push(format!("({f})"));
            }
        }
        NodeKind::Report => {
            parts.extend(a("verdict"));
            if let Some(checks) = n.attrs.get("checks").and_then(Value::as_array) {
                let list: Vec<String> = checks
                    .iter()
                    .map(|c| {
                        let name = c.get("check").and_then(Value::as_str).unwrap_or("?");
                        let v = c.get("verdict").and_then(Value::as_str).unwrap_or("?");
                        match c.get("findings").and_then(Value::as_u64) {
                            Some(f) if f > 0 => format!("{name} {v} ({f} findings)"),
                            _ => format!("{name} {v}"),
                        }
                    })
                    .collect();
                if !list.is_empty() {
                    parts.push(format!("checks: {}", list.join(", ")));
                }
            }
        }
        NodeKind::Approval => {
            parts.extend(a("decision"));
            if let Some(d) = a("drop") {
                parts.push(format!("of {d}"));
            }
            if let Some(r) = a("reason") {
                parts.push(format!("reason: {r}"));
            }
        }
        NodeKind::Version => {
            parts.extend(a("status"));
            if let (Some(ds), Some(v)) = (a("dataset"), a("version")) {
                if g.datasets().get(&ds).and_then(|s| s.current.as_deref()) == Some(v.as_str()) {
                    parts.push("current".into());
                }
            }
            if let Some(ap) = n.attrs.get("approvers").and_then(Value::as_array) {
                // Key ids, shown as the approvers' names when an approval recorded them.
                let names: Vec<String> = ap
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|k| {
                        n.attr_str("drop")
                            .and_then(|d| g.node(NodeKind::Drop, d))
                            .and_then(|d| {
                                g.incoming(d).map(|e| &g.nodes()[e.from]).find(|a| {
                                    a.kind == NodeKind::Approval && a.attr_str("key_id") == Some(k)
                                })
                            })
                            .map(|a| a.name.clone())
                            .unwrap_or_else(|| short(k).to_string())
                    })
                    .collect();
                if !names.is_empty() {
                    parts.push(format!("approved by {}", names.join(", ")));
                }
            }
        }
        NodeKind::Model => {
            if let Some(s) = a("model_scan") {
                parts.push(format!("scan {s}"));
            }
        }
        NodeKind::File => {
            if let Some(c) = a("column") {
                parts.push(format!("erased by {c}"));
            }
        }
    }
    parts.join("  ")
}

fn node_line(out: &mut String, g: &Graph, i: usize) {
    let n = &g.nodes()[i];
    let _ = writeln!(
        out,
        "    {:<9} {:<28} {}",
        n.kind.as_str(),
        n.name,
        node_summary(g, n)
    );
}

/// The text rendering.
pub fn text(g: &Graph, lin: &Lineage) -> String {
    let mut out = String::new();
    for &r in &lin.roots {
        let n = &g.nodes()[r];
        let _ = writeln!(
            out,
            "{} ({})  {}",
            n.name,
            n.kind.as_str(),
            node_summary(g, n)
        );
    }
    let section = |title: &str, set: &std::collections::BTreeSet<usize>, out: &mut String| {
        let mut v: Vec<usize> = set.iter().copied().collect();
        v.sort_by_key(|&i| (g.nodes()[i].kind, g.nodes()[i].seq));
        if v.is_empty() {
            let _ = writeln!(out, "  {title}: nothing recorded");
        } else {
            let _ = writeln!(out, "  {title}:");
            for i in v {
                node_line(out, g, i);
            }
        }
    };
    if lin.direction != crate::Direction::Downstream {
        section("upstream", &lin.upstream, &mut out);
    }
    if lin.direction != crate::Direction::Upstream {
        section("downstream", &lin.downstream, &mut out);
    }
    if !lin.edges.is_empty() {
        let _ = writeln!(out, "ledger events:");
        let mut edges: Vec<usize> = lin.edges.iter().copied().collect();
        edges.sort_by_key(|&e| (g.edges()[e].seq, e));
        for e in edges {
            let e = &g.edges()[e];
            let _ = writeln!(
                out,
                "  #{:<5} {}  {:<20} {:<12} {} -> {}",
                e.seq,
                e.time,
                e.actor,
                e.kind.as_str(),
                g.nodes()[e.from].name,
                g.nodes()[e.to].name
            );
        }
    }
    out
}

/// A node as JSON (with its `key`).
pub fn node_json(n: &Node) -> Value {
    json!({
        "key": n.key(),
        "kind": n.kind,
        "id": n.id,
        "name": n.name,
        "digest": n.digest,
        "attrs": n.attrs,
        "seq": n.seq,
    })
}

/// The JSON rendering.
pub fn json(g: &Graph, query: &str, lin: &Lineage) -> Value {
    let nodes = |set: &mut dyn Iterator<Item = usize>| -> Vec<Value> {
        set.map(|i| node_json(&g.nodes()[i])).collect()
    };
    let mut edges: Vec<usize> = lin.edges.iter().copied().collect();
    edges.sort_by_key(|&e| (g.edges()[e].seq, e));
    json!({
        "query": query,
        "direction": lin.direction,
        "ledger": {"origin": g.origin(), "size": g.ledger_size()},
        "roots": nodes(&mut lin.roots.iter().copied()),
        "upstream": nodes(&mut lin.upstream.iter().copied()),
        "downstream": nodes(&mut lin.downstream.iter().copied()),
        "edges": edges.iter().map(|&i| {
            let e = &g.edges()[i];
            json!({
                "kind": e.kind,
                "from": g.nodes()[e.from].key(),
                "to": g.nodes()[e.to].key(),
                "seq": e.seq,
                "time": e.time,
                "actor": e.actor,
                "action": e.action,
                "digests": e.digests,
            })
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::sample;
    use crate::Direction;

    #[test]
    fn text_names_every_step_and_the_events() {
        let g = Graph::from_entries(sample());
        let lin = g.walk(&g.resolve("train/v1").unwrap(), Direction::Both);
        let t = text(&g, &lin);
        assert!(t.starts_with("train/v1 (version)"), "{t}");
        assert!(
            t.contains("current"),
            "v1 is current after the rollback: {t}"
        );
        assert!(t.contains("checks: suite pass, poisoning pass"), "{t}");
        assert!(t.contains("approved by alice"), "{t}");
        assert!(t.contains("fraud-model") && t.contains("scan safe"), "{t}");
        assert!(t.contains("#5 ") && t.contains("promote"), "{t}");
        let j = json(&g, "train/v1", &lin);
        assert_eq!(j["roots"][0]["key"], "version:train/v1");
        assert!(j["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "trained-on" && e["to"] == "model:fraud-model@333333333333"));
    }
}
