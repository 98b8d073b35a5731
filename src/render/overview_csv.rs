//! The overview as CSV rows `section,key,value` (`GET /overview` with `Accept: text/csv`):
//! the same figures as the JSON, flattened; every cell neutralised against formulas
//! (`csv_cells`).

use super::csv_cells::SafeWriter;
use crate::domain::overview::{Median, Overview};

/// The overview as CSV rows `section,key,value`: the same figures as the JSON, flattened.
pub fn to_csv(o: &Overview) -> Result<Vec<u8>, csv::Error> {
    let mut rows: Vec<(String, String, String)> = vec![
        ("period".into(), "from".into(), o.period.from.to_string()),
        ("period".into(), "to".into(), o.period.to.to_string()),
        ("previous_period".into(), "from".into(), o.previous_period.from.to_string()),
        ("previous_period".into(), "to".into(), o.previous_period.to.to_string()),
        ("anonymised".into(), String::new(), o.anonymised.to_string()),
        ("total".into(), String::new(), o.total.to_string()),
    ];
    for (section, map) in [
        ("by_kind", &o.by_kind),
        ("by_status", &o.by_status),
        ("by_channel", &o.by_channel),
        ("by_category", &o.by_category),
        ("by_reporter", &o.by_reporter),
        ("response_term", &o.response_term),
        ("outcome", &o.outcome),
        ("by_judgement", &o.by_judgement),
        ("satisfaction.by_score", &o.satisfaction.by_score),
    ] {
        rows.extend(map.iter().map(|(k, v)| (section.to_owned(), k.clone(), v.to_string())));
    }
    let optional = |v: Option<Median>| v.map(|v| v.to_string()).unwrap_or_default();
    rows.push((
        "median".into(),
        "hours_to_first_response".into(),
        optional(o.median_hours_to_first_response),
    ));
    rows.push(("median".into(), "days_to_closure".into(), optional(o.median_days_to_closure)));
    rows.push(("satisfaction".into(), "given".into(), o.satisfaction.given.to_string()));
    rows.push(("satisfaction".into(), "average".into(), optional(o.satisfaction.average)));
    for (key, value) in
        [("open", o.actions.open), ("overdue", o.actions.overdue), ("done", o.actions.done)]
    {
        rows.push(("actions".into(), key.into(), value.to_string()));
    }
    for r in &o.recurrence {
        for (part, value) in
            [("current", r.current), ("previous", r.previous), ("change", r.change)]
        {
            rows.push((
                format!("recurrence.{part}"),
                r.category.as_str().into(),
                value.to_string(),
            ));
        }
    }
    for m in &o.per_month {
        rows.push(("per_month.total".into(), m.month.clone(), m.total.to_string()));
        for (category, count) in &m.by_category {
            rows.push((format!("per_month.{category}"), m.month.clone(), count.to_string()));
        }
    }
    for (section, list) in [("by_handler", &o.by_handler), ("by_client", &o.by_client)] {
        rows.extend(list.iter().map(|a| (section.to_owned(), a.name.clone(), a.count.to_string())));
    }
    rows.push(("discussed_anonymously".into(), String::new(), o.discussed_anonymously.to_string()));

    let mut writer = SafeWriter::new();
    writer.write(["section", "key", "value"])?;
    for (section, key, value) in rows {
        writer.write([section, key, value])?;
    }
    writer.finish()
}
