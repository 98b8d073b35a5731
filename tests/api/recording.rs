//! What the Wft and the Bar's model regulation ask the register to record besides the
//! procedure (issue 13 item 4): the complainant's postal address, the decision's judgement,
//! the organisation's external dispute body and the client's satisfaction at closure.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, TestApp, complaint_body};

on_both_databases!(
    the_complainant_address_is_normalised_and_read_back,
    a_wrong_address_is_refused_naming_its_parts,
    the_client_satisfaction_is_recorded_with_the_decision,
);

async fn the_complainant_address_is_normalised_and_read_back(app: TestApp) {
    let mut body = complaint_body();
    body["complainant"]["address"] =
        json!({"street": " Keizersgracht 123-2 ", "postal_code": "1015cj", "city": "Amsterdam"});
    let created = app.register(DANA, &body).await;
    let expected = json!({
        "street": "Keizersgracht 123-2", "postal_code": "1015 CJ", "city": "Amsterdam", "country": "NL"
    });
    assert_eq!(created["complainant"]["address"], expected);
    let path = format!("/api/v1/complaints/{}", created["id"]);
    assert_eq!(app.get(&path, DANA).await.json["complainant"]["address"], expected);

    // The complainant is replaced as a whole: an address abroad keeps its own postal code.
    let moved = json!({"name": "J. de Vries", "address": {
        "street": "Rue Neuve 1", "postal_code": "b-1000", "city": "Brussel", "country": "be"
    }});
    let edited = app.patch(&path, DANA, &json!({"complainant": moved})).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(
        edited.json["complainant"]["address"],
        json!({"street": "Rue Neuve 1", "postal_code": "B-1000", "city": "Brussel", "country": "BE"})
    );

    // Without an address, none is shown.
    let edited = app.patch(&path, DANA, &json!({"complainant": {"name": "J. de Vries"}})).await;
    assert_eq!(edited.json["complainant"]["address"], json!(null), "{}", edited.text);
}

async fn a_wrong_address_is_refused_naming_its_parts(app: TestApp) {
    let mut body = complaint_body();
    body["complainant"]["address"] =
        json!({"street": "", "postal_code": "0123 AB", "city": "Amsterdam", "country": "XX"});
    let refused = app.post("/api/v1/complaints", DANA, &body).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        refused.error_fields(),
        ["complainant.address.street", "complainant.address.country"]
    );
    body["complainant"]["address"] =
        json!({"street": "Dam 1", "postal_code": "1012 J", "city": "Amsterdam"});
    let refused = app.post("/api/v1/complaints", DANA, &body).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["complainant.address.postal_code"]);
    body["complainant"]["address"] = json!({"street": "Dam 1", "city": "Amsterdam"});
    let refused = app.post("/api/v1/complaints", DANA, &body).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
}

async fn the_client_satisfaction_is_recorded_with_the_decision(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let satisfied = json!({"score": 4, "remark": "  Snel opgelost.  "});
    app.post(&path("/satisfaction"), DANA, &satisfied)
        .await
        .assert_problem(409, "decision_required");

    let decision =
        json!({"summary": "Creditnota", "resolution": "unresolved", "judgement": "unfounded"});
    assert_eq!(app.post(&path("/decision"), DANA, &decision).await.status, StatusCode::OK);
    for (score, field) in [(json!(0), "score"), (json!(6), "score")] {
        let refused = app.post(&path("/satisfaction"), DANA, &json!({"score": score})).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field]);
    }
    // Someone who has no part in the complaint does not learn it exists.
    app.post(&path("/satisfaction"), EVA, &satisfied).await.assert_problem(404, "not_found");

    let recorded = app.post(&path("/satisfaction"), DANA, &satisfied).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text);
    let satisfaction = &recorded.json["satisfaction"];
    assert_eq!(
        (satisfaction["score"].as_i64(), satisfaction["remark"].as_str()),
        (Some(4), Some("Snel opgelost."))
    );
    assert_eq!(satisfaction["recorded_by"]["id"], "dana");

    // At closure the coordinator may record what the client said, replacing it.
    app.put(&path("/classification"), KEES, &json!({"channel": "oral", "categories": ["legal"]}))
        .await;
    app.post(&path("/written-confirmation"), DANA, &json!({"channel": "letter"})).await;
    let closed = app.post(&path("/closure"), KEES, &json!({})).await;
    assert_eq!(closed.json["status"], "closed", "{}", closed.text);
    let replaced = app.post(&path("/satisfaction"), KEES, &json!({"score": 2})).await;
    assert_eq!(replaced.json["satisfaction"]["score"], 2, "{}", replaced.text);
    assert_eq!(replaced.json["satisfaction"]["remark"], json!(null));
    assert_eq!(replaced.json["status"], "closed");

    let timeline = app.get(&path("/timeline"), KEES).await;
    let recorded_events = timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "complaint.satisfaction_recorded")
        .count();
    assert_eq!(recorded_events, 2);

    // A reopened complaint is decided afresh, and the client asked again.
    let reopened = app.post(&path("/reopening"), KEES, &json!({"reason": "Nieuwe feiten"})).await;
    assert_eq!(reopened.json["satisfaction"], json!(null), "{}", reopened.text);
}
