//! The complaint list: filters and keyset pagination.

use chrono::Duration;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, TestApp, complaint_body};

on_both_databases!(pages_follow_the_cursor_without_gaps_or_repeats, filters_combine);

fn references(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap().to_owned())
        .collect()
}

async fn pages_follow_the_cursor_without_gaps_or_repeats(app: TestApp) {
    for _ in 0..5 {
        app.register(DANA, &complaint_body()).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/complaints?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&path, KEES).await;
        pages += 1;
        seen.extend(references(&page.json));
        match page.json["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/complaints?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["KL-2026-0005", "KL-2026-0004", "KL-2026-0003", "KL-2026-0002", "KL-2026-0001"]
    );
}

async fn filters_combine(app: TestApp) {
    let mut early = complaint_body();
    early["received_at"] = json!("2026-10-15T10:00:00Z");
    app.register(DANA, &early).await; // 0001: received in October, long overdue
    app.register(DANA, &complaint_body()).await; // 0002: received 2 November
    let mut for_eva = complaint_body();
    for_eva["handler_id"] = json!("eva");
    app.register(KEES, &for_eva).await; // 0003: Eva handles it
    app.register(EVA, &json!({"kind": "improvement", "reported_by": "employee", "description": "Sjabloon aanpassen"}))
        .await; // 0004: an improvement, no term

    let list = |query: &'static str| {
        let app = &app;
        async move { references(&app.get(&format!("/api/v1/complaints?{query}"), KEES).await.json) }
    };
    assert_eq!(list("kind=improvement").await, ["KL-2026-0004"]);
    assert_eq!(list("kind=complaint&handler=eva").await, ["KL-2026-0003"]);
    assert_eq!(list("handler=nobody-known").await, Vec::<String>::new());
    assert_eq!(list("received_to=2026-10-31").await, ["KL-2026-0001"]);
    assert_eq!(
        list("received_from=2026-11-02&received_to=2026-11-02&handler=dana").await,
        ["KL-2026-0002"]
    );
    assert_eq!(list("status=registered&limit=200").await.len(), 4);
    assert_eq!(list("status=closed").await, Vec::<String>::new());
    assert_eq!(list("overdue=true").await, ["KL-2026-0001"]);

    // A week and a day later every complaint from outside is overdue; the improvement is not.
    app.clock.advance(Duration::days(8));
    assert_eq!(list("overdue=true").await, ["KL-2026-0003", "KL-2026-0002", "KL-2026-0001"]);
    assert_eq!(list("overdue=false").await, ["KL-2026-0004"]);
    let one = app.get("/api/v1/complaints?overdue=true&limit=1", KEES).await;
    assert_eq!(one.json["items"][0]["overdue"], true);
}
