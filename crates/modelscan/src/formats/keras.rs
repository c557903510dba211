//! Keras model configs (`.keras` `config.json`, `.h5` `model_config`): the whole JSON tree is
//! walked (nested models, wrappers, initializers), not only top-level layers. `Lambda` layers are
//! KER001; `module`/`registered_name`/function references outside keras/tensorflow are KER002,
//! raised to malicious when the reference is on the pickle deny-list (`builtins.exec`).

use serde_json::Value;

use crate::blob::{read_at_most, Blob};
use crate::policy::{classify, Class};
use crate::report::Severity;
use crate::rules;

use super::Ctx;

/// Largest config parsed.
const MAX_CONFIG: u64 = 64 << 20;
/// Namespaces whose objects ship with the framework.
const TRUSTED: &[&str] = &[
    "keras",
    "tensorflow",
    "tf_keras",
    "keras_nlp",
    "keras_cv",
    "keras_hub",
];

fn trusted(module: &str) -> bool {
    TRUSTED
        .iter()
        .any(|t| module == *t || module.starts_with(&format!("{t}.")))
}

/// Check a parsed config tree.
pub(crate) fn check(ctx: &mut Ctx, v: &Value, offset: Option<u64>) {
    let mut stack = vec![(v, String::from("$"))];
    while let Some((v, path)) = stack.pop() {
        match v {
            Value::Object(m) => {
                let class = m.get("class_name").and_then(Value::as_str);
                if class == Some("Lambda") {
                    let name = m
                        .get("config")
                        .and_then(|c| c.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    ctx.report(
                        &rules::keras_lambda_layer::RULE,
                        format!("Lambda layer {name:?} at {path}"),
                        offset,
                    );
                }
                if let Some(module) = m.get("module").and_then(Value::as_str) {
                    if !trusted(module) {
                        let obj = match (class, m.get("config")) {
                            (Some("function"), Some(Value::String(f))) => f.as_str(),
                            _ => class.unwrap_or(""),
                        };
                        let sev = match classify(module, obj) {
                            Class::Dangerous | Class::Dunder => Severity::Malicious,
                            _ => Severity::Suspicious,
                        };
                        let f = crate::report::Finding::new(
                            &rules::keras_external_reference::RULE,
                            format!("{path} references `{module}.{obj}`"),
                            ctx.at(offset),
                        )
                        .with_import(module, obj)
                        .with_severity(sev);
                        ctx.out.push(f);
                    }
                }
                if let Some(Value::String(r)) = m.get("registered_name") {
                    if r.contains('>')
                        && m.get("module").and_then(Value::as_str).is_none_or(trusted)
                    {
                        ctx.report(
                            &rules::keras_external_reference::RULE,
                            format!("{path} uses the custom object {r:?}"),
                            offset,
                        );
                    }
                }
                for (k, c) in m {
                    stack.push((c, format!("{path}.{k}")));
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    stack.push((c, format!("{path}[{i}]")));
                }
            }
            _ => {}
        }
    }
}

/// Scan a `.keras` archive's `config.json`.
pub(crate) fn scan_config_blob(ctx: &mut Ctx, blob: &dyn Blob) {
    if blob.len() > MAX_CONFIG {
        ctx.report(
            &rules::archive_unscannable_member::RULE,
            format!("config of {} bytes exceeds {MAX_CONFIG}", blob.len()),
            None,
        );
        return;
    }
    let raw = match read_at_most(blob, 0, blob.len()) {
        Ok(r) => r,
        Err(e) => return ctx.malformed("keras config", e, None),
    };
    match serde_json::from_slice::<Value>(&raw) {
        Ok(v) => check(ctx, &v, None),
        Err(e) => ctx.malformed("keras config", e, None),
    }
}
