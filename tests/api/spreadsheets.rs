//! Spreadsheets read and written by independent programs: Python's `csv` module and
//! `openpyxl` (from PyPI; `.ci/run` installs it), run as `python3`.

use std::io::Write;
use std::process::Command;

use serde_json::Value;

use crate::support::{Person, TestApp};

/// Runs `script` with `python3`, the path of `file` (named with `suffix`: openpyxl goes by
/// the name) as its argument, and reads its output as JSON.
fn python(script: &str, file: &[u8], suffix: &str) -> Value {
    let mut input = tempfile::Builder::new().suffix(suffix).tempfile().unwrap();
    input.write_all(file).unwrap();
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(input.path())
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "python3 failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("python3 prints JSON")
}

/// The rows of a CSV as Python's `csv.reader` reads them, header row first.
pub fn read_csv(file: &[u8]) -> Vec<Vec<String>> {
    let script = "import csv, json, sys\n\
        with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
        \x20   print(json.dumps(list(csv.reader(f))))";
    serde_json::from_value(python(script, file, ".csv")).unwrap()
}

/// The first sheet of an XLSX as openpyxl reads it: `rows` (each cell as
/// `{"value", "type"}`, dates in ISO form with type `d`), `freeze` and `filter`.
pub fn read_xlsx(file: &[u8]) -> Value {
    let script = r#"
import datetime, json, sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
def cell(c):
    value = c.value.isoformat() if isinstance(c.value, datetime.datetime) else c.value
    return {"value": value, "type": "d" if c.is_date else c.data_type}
print(json.dumps({
    "rows": [[cell(c) for c in row] for row in sheet.iter_rows()],
    "freeze": sheet.freeze_panes,
    "filter": sheet.auto_filter.ref,
}))
"#;
    python(script, file, ".xlsx")
}

/// The body of a `GET` as `person` with these headers, as bytes, asserting success.
pub async fn download(
    app: &TestApp,
    path: &str,
    person: Person,
    headers: &[(&str, &str)],
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = app.client.get(app.url(path)).bearer_auth(app.token(person));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the service answers");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.expect("the body arrives").to_vec();
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
    (headers, body)
}
