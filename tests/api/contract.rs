//! The contract: the committed OpenAPI document is what the code generates and what the
//! service serves, and every operation documents its summary, roles, errors and an example.

use reqwest::StatusCode;
use serde_json::Value;

use crate::on_both_databases;
use crate::support::TestApp;

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json is committed"))
        .unwrap()
}

fn generated() -> Value {
    serde_json::to_value(klachtenregister::api::openapi()).unwrap()
}

#[test]
fn the_committed_document_matches_the_code() {
    let generated = klachtenregister::api::openapi().to_pretty_json().unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code: run `cargo run -- openapi` and commit it"
    );
}

fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    all
}

/// Does this schema (following `$ref`s into the components) carry an example anywhere?
fn has_example(document: &Value, schema: &Value, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    if schema.get("example").is_some() || schema.get("examples").is_some() {
        return true;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return has_example(document, &document["components"]["schemas"][name], depth + 1);
    }
    let nested = ["items", "properties", "allOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k))
        .flat_map(|v| match v {
            Value::Object(map) if v.get("type").is_none() && v.get("$ref").is_none() => {
                map.values().cloned().collect::<Vec<_>>()
            }
            Value::Array(list) => list.clone(),
            other => vec![other.clone()],
        });
    nested.into_iter().any(|s| has_example(document, &s, depth + 1))
}

#[test]
fn every_operation_documents_summary_roles_errors_and_an_example() {
    let document = generated();
    let all = operations(&document);
    assert!(all.len() >= 7, "{} operations", all.len());
    for (method, path, operation) in all {
        let name = format!("{method} {path}");
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{name}: summary");
        assert!(operation["x-roles"].is_array(), "{name}: x-roles");
        assert!(
            operation["description"].as_str().unwrap().contains("**Roles:**"),
            "{name}: roles in description"
        );
        let responses = operation["responses"].as_object().unwrap();
        let errors: Vec<&String> =
            responses.keys().filter(|s| s.starts_with('4') || s.starts_with('5')).collect();
        let public = operation["security"] == serde_json::json!([{}]);
        if !public {
            for status in ["400", "401", "403", "503"] {
                assert!(responses.contains_key(status), "{name}: documents {status}");
            }
        }
        for status in errors {
            let reference = responses[status]["$ref"].as_str().unwrap_or("");
            let problem =
                &document["components"]["responses"][reference.rsplit('/').next().unwrap()];
            assert_eq!(
                problem["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{name} {status}: every error is a problem document"
            );
        }
        assert_eq!(responses.contains_key("401"), !public, "{name}: 401 iff authenticated");
        let success =
            responses.iter().find(|(s, _)| s.starts_with('2')).expect("a success response").1;
        let media = |content: &Value| -> Vec<Value> {
            content.as_object().map(|m| m.values().cloned().collect()).unwrap_or_default()
        };
        let examples = media(&success["content"])
            .into_iter()
            .chain(media(&operation["requestBody"]["content"]))
            .any(|m| m.get("example").is_some() || has_example(&document, &m["schema"], 0));
        let has_content =
            success.get("content").is_some() || operation.get("requestBody").is_some();
        assert!(examples || !has_content, "{name}: an example");
    }
}

#[test]
fn operation_ids_and_parameters_are_unique_and_described() {
    let document = generated();
    let mut ids = std::collections::BTreeSet::new();
    for (method, path, operation) in operations(&document) {
        let name = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{name}: operationId"));
        assert!(ids.insert(id.to_owned()), "{name}: operationId {id} is used twice");
        let mut seen = std::collections::BTreeSet::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let key = (
                parameter["in"].as_str().unwrap().to_owned(),
                parameter["name"].as_str().unwrap().to_owned(),
            );
            assert!(parameter["description"].is_string(), "{name}: {key:?} has no description");
            assert!(seen.insert(key.clone()), "{name}: {key:?} listed twice");
        }
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let parameter = segment.trim_matches(|c| c == '{' || c == '}');
            assert!(
                seen.contains(&("path".to_owned(), parameter.to_owned())),
                "{name}: {parameter} undocumented"
            );
        }
    }
}

/// DESIGN.md §5: every creating POST honours `Idempotency-Key`, and says so.
#[test]
fn every_creating_post_takes_an_idempotency_key() {
    let document = generated();
    let mut creating = 0;
    for (method, path, operation) in operations(&document) {
        if method != "POST" || operation["responses"].get("201").is_none() {
            continue;
        }
        creating += 1;
        let takes_key = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
        assert!(takes_key, "POST {path} creates without Idempotency-Key");
    }
    assert!(creating >= 6, "found only {creating} creating operations");
}

on_both_databases!(the_service_serves_its_contract_and_swagger_ui);

async fn the_service_serves_its_contract_and_swagger_ui(app: TestApp) {
    let served: Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, committed());
    let ui = app.client.get(app.url("/swagger-ui/")).send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger-ui"));
    for path in ["/health/live", "/health/ready"] {
        let reply = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(reply.status(), StatusCode::OK, "{path}");
        assert!(reply.headers().get("x-request-id").is_some());
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("klachtenregister_http_requests_total"), "{metrics}");
}
