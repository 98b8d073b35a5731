//! Classification: the regulation's catalogue, and only a coordinator classifies.

use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, TestApp, complaint_body};

on_both_databases!(
    the_catalogue_uses_the_regulations_words,
    a_coordinator_classifies_and_lists_filter_by_it
);

async fn the_catalogue_uses_the_regulations_words(app: TestApp) {
    let catalogue = app.get("/api/v1/classifications", EVA).await;
    assert_eq!(
        catalogue.json["channels"][0],
        json!({"value": "oral", "code": "A", "label_nl": "mondeling", "label_en": "oral"})
    );
    assert_eq!(catalogue.json["channels"][1]["code"], "B");
    let categories = catalogue.json["categories"].as_array().unwrap();
    let codes: Vec<&str> = categories.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["I", "II", "III", "IV"]);
    assert_eq!(categories[1]["value"], "legal");
    assert_eq!(
        categories[1]["label_nl"],
        "Klachten over juridisch-inhoudelijke aspecten van de dienstverlening"
    );
    assert_eq!(categories[3]["label_nl"], "Klachten over de praktijkvoering in het algemeen");
}

async fn a_coordinator_classifies_and_lists_filter_by_it(app: TestApp) {
    let first = app.register(DANA, &complaint_body()).await;
    let second = app.register(DANA, &complaint_body()).await;
    let path = |c: &serde_json::Value| format!("/api/v1/complaints/{}/classification", c["id"]);

    let empty = app.get(&path(&first), DANA).await;
    assert_eq!(
        empty.json,
        json!({"channel": null, "categories": [], "classified_at": null, "classified_by": null})
    );
    assert_eq!(empty.header("etag"), Some("\"1\""));

    app.put(&path(&first), DANA, &json!({"channel": "oral", "categories": ["legal"]}))
        .await
        .assert_problem(403, "coordinator_role_required");
    for (body, field) in [
        (json!({"channel": "oral", "categories": []}), "categories"),
        (json!({"channel": "oral", "categories": ["legal", "legal"]}), "categories"),
        (json!({"channel": "oral", "categories": ["juridisch"]}), "categories[0]"),
        (json!({"channel": "fax", "categories": ["legal"]}), "channel"),
        (json!({"categories": ["legal"]}), "channel"),
    ] {
        let refused = app.put(&path(&first), KEES, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }

    let set = app
        .put(&path(&first), KEES, &json!({"channel": "oral", "categories": ["financial", "legal"]}))
        .await;
    assert_eq!(set.json["categories"], json!(["legal", "financial"]));
    assert_eq!(set.header("etag"), Some("\"2\""));
    let changed = app
        .put(&path(&first), KEES, &json!({"channel": "written", "categories": ["conduct"]}))
        .await;
    assert_eq!(changed.json["channel"], "written");
    app.put(&path(&second), KEES, &json!({"channel": "oral", "categories": ["legal"]})).await;

    let read = app.get(&format!("/api/v1/complaints/{}", first["id"]), DANA).await;
    assert_eq!(read.json["classification"]["categories"], json!(["conduct"]));
    let timeline = app.get(&format!("/api/v1/complaints/{}/timeline", first["id"]), DANA).await;
    let classified: Vec<&serde_json::Value> = timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "complaint.classified")
        .collect();
    assert_eq!(classified.len(), 2, "every change is kept");
    assert_eq!(
        classified[1]["data"]["before"],
        json!({"channel": "oral", "categories": ["legal", "financial"]})
    );

    let ids = |query: &'static str| {
        let app = &app;
        async move {
            let list = app.get(&format!("/api/v1/complaints?{query}"), KEES).await;
            list.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("category=legal").await, [second["id"].clone()]);
    assert_eq!(ids("category=conduct&channel=written").await, [first["id"].clone()]);
    assert_eq!(ids("channel=oral").await, [second["id"].clone()]);
    assert!(ids("category=practice").await.is_empty());
    app.get("/api/v1/complaints?category=juridisch", KEES)
        .await
        .assert_problem(400, "invalid_parameter");
}
