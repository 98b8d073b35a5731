//! The overview as one self-contained HTML page for the office meeting (`GET
//! /overview/report`): no external assets, printable on A4, with the figures as inline SVG
//! charts. Every value goes through maud, which escapes it for HTML.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use strum::VariantArray;

use crate::domain::classification::Category;
use crate::domain::overview::{Attributed, Figure, Median, Overview, Shown, TermOutcome};

const COLOURS: [&str; 4] = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#9c4f96"];

const STYLE: &str = "
@page { size: A4; margin: 15mm; }
body { font-family: 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 180mm; font-size: 10.5pt; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 1px solid #ccc; padding-bottom: 1mm; }
p.meta { color: #555; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
th, td { text-align: left; padding: 1mm 2mm; border-bottom: 1px solid #e5e5e5; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: flex; gap: 6mm; } .cols > div { flex: 1; }
section { break-inside: avoid; page-break-inside: avoid; }
svg { width: 100%; height: auto; }
svg text { font-family: inherit; font-size: 11px; fill: #333; }
footer { margin-top: 8mm; color: #777; font-size: 9pt; }
";

fn category_name(category: Category) -> String {
    let label = category.label();
    format!("{} {}", label.code, label.short)
}

fn term_name(outcome: TermOutcome) -> &'static str {
    match outcome {
        TermOutcome::AnsweredWithinTerm => "Binnen termijn gereageerd",
        TermOutcome::AnsweredLate => "Te laat gereageerd",
        TermOutcome::OpenOverdue => "Nog geen reactie, termijn verstreken",
        TermOutcome::OpenWithinTerm => "Nog geen reactie, binnen termijn",
        TermOutcome::NotApplicable => "Geen termijn (intern gemeld)",
    }
}

/// A figure's length in a chart: a hidden figure (`< 5`) draws no bar, only its label.
fn length(figure: Figure) -> i64 {
    figure.value().unwrap_or(0)
}

/// A figure of a map, `0` where it is missing.
fn of(map: &std::collections::BTreeMap<String, Figure>, key: &str) -> Figure {
    map.get(key).copied().unwrap_or_default()
}

/// The sum of two figures: hidden when either is, so that it gives neither away.
fn sum(a: Figure, b: Figure) -> Figure {
    match (a, b) {
        (Shown::Value(a), Shown::Value(b)) => Shown::Value(a + b),
        (Shown::FewerThan(m), _) | (_, Shown::FewerThan(m)) => Shown::FewerThan(m),
    }
}

/// Grouped bars: for each month, one bar per category.
fn category_chart(o: &Overview) -> Markup {
    let (width, height, left, bottom, top) = (680.0, 250.0, 34.0, 40.0, 10.0);
    let max = o
        .per_month
        .iter()
        .flat_map(|m| m.by_category.values())
        .map(|f| length(*f))
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_height = height - bottom - top;
    let slot = (width - left) / o.per_month.len().max(1) as f64;
    let bar = (slot * 0.8 / 4.0).max(1.0);
    let y = |count: i64| top + plot_height - plot_height * count as f64 / max as f64;
    let ticks: Vec<i64> = (0..=4).map(|i| (max * i + 3) / 4).collect();
    html! {
        svg viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="Klachten per categorie per maand" {
            @for tick in &ticks {
                line x1=(left) x2=(width) y1=(y(*tick)) y2=(y(*tick)) stroke="#e2e2e2" {}
                text x=(left - 4.0) y=(y(*tick) + 4.0) text-anchor="end" { (tick) }
            }
            @for (i, month) in o.per_month.iter().enumerate() {
                @let x0 = left + slot * i as f64 + slot * 0.1;
                @for (j, category) in Category::VARIANTS.iter().enumerate() {
                    @let figure = of(&month.by_category, category.as_str());
                    @let count = length(figure);
                    rect x=(x0 + bar * j as f64) y=(y(count)) width=(bar) height=(y(0) - y(count)) fill=(COLOURS[j]) {
                        title { (category_name(*category)) ", " (month.month) ": " (figure) }
                    }
                }
                text x=(x0 + bar * 2.0) y=(height - bottom + 14.0) text-anchor="middle" { (month.month) }
            }
            @for (j, category) in Category::VARIANTS.iter().enumerate() {
                rect x=(left + 160.0 * j as f64) y=(height - 16.0) width="10" height="10" fill=(COLOURS[j]) {}
                text x=(left + 160.0 * j as f64 + 14.0) y=(height - 7.0) { (category_name(*category)) }
            }
        }
    }
}

/// One horizontal bar per response-term outcome, with its count and share.
fn term_chart(o: &Overview) -> Markup {
    let outcomes = TermOutcome::VARIANTS;
    let (width, row, label) = (680.0, 26.0, 250.0);
    let height = row * outcomes.len() as f64 + 6.0;
    let total = o.response_term.values().copied().fold(Shown::Value(0), sum);
    let max = o.response_term.values().map(|f| length(*f)).max().unwrap_or(0).max(1);
    let colours = ["#3a9d5d", "#e0a21f", "#c8453a", "#1b6ca8", "#9a9a9a"];
    html! {
        svg viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="Reactietermijn" {
            @for (i, outcome) in outcomes.iter().enumerate() {
                @let figure = of(&o.response_term, outcome.as_str());
                @let y = row * i as f64 + 4.0;
                @let length = (width - label - 90.0) * length(figure) as f64 / max as f64;
                text x="0" y=(y + 14.0) { (term_name(*outcome)) }
                rect x=(label) y=(y) width=(length) height=(row - 8.0) fill=(colours[i]) {}
                text x=(label + length + 6.0) y=(y + 14.0) {
                    (figure)
                    @if let (Shown::Value(count), Shown::Value(total)) = (figure, total) {
                        @if total > 0 { " (" (count * 100 / total) "%)" }
                    }
                }
            }
        }
    }
}

fn counts<T: std::fmt::Display>(title: &str, rows: Vec<(String, T)>) -> Markup {
    html! {
        table {
            thead { tr { th { (title) } th.n { "Aantal" } } }
            tbody { @for (name, count) in rows { tr { td { (name) } td.n { (count) } } } }
        }
    }
}

fn attributed(title: &str, rows: &[Attributed]) -> Markup {
    counts(title, rows.iter().map(|a| (a.name.clone(), a.count)).collect())
}

fn median(value: Option<Median>, unit: &str) -> String {
    match value {
        None => "—".to_owned(),
        Some(Shown::Value(v)) => format!("{v} {unit}"),
        Some(hidden) => format!("({hidden} klachten)"),
    }
}

/// The page.
pub fn render(o: &Overview, organisation: &str) -> Markup {
    let kind = |key: &str| of(&o.by_kind, key);
    let within = of(&o.response_term, "answered_within_term");
    let answered = sum(within, of(&o.response_term, "answered_late"));
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                title { "Klachtenoverzicht " (organisation) " " (o.period.from) " t/m " (o.period.to) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Overzicht klachten, fouten en verbetermogelijkheden" }
                    p.meta {
                        (organisation) " · periode " (o.period.from) " t/m " (o.period.to)
                        " · vergeleken met " (o.previous_period.from) " t/m " (o.previous_period.to)
                        @if o.anonymised { " · geanonimiseerd" }
                    }
                }
                section {
                    h2 { "Kerncijfers" }
                    table {
                        tbody {
                            tr { td { "Totaal geregistreerd" } td.n { (o.total) } }
                            tr { td { "Klachten · fouten · verbetermogelijkheden" } td.n { (kind("complaint")) " · " (kind("error")) " · " (kind("improvement")) } }
                            tr { td { "Binnen de termijn gereageerd" } td.n { (within) " van " (answered) } }
                            tr { td { "Mediane tijd tot eerste reactie" } td.n { (median(o.median_hours_to_first_response, "uur")) } }
                            tr { td { "Mediane doorlooptijd tot afsluiting" } td.n { (median(o.median_days_to_closure, "dagen")) } }
                            tr { td { "Opgelost · niet opgelost · nog geen besluit" } td.n {
                                (of(&o.outcome, "resolved")) " · "
                                (of(&o.outcome, "unresolved")) " · "
                                (of(&o.outcome, "undecided"))
                            } }
                            tr { td { "Gegrond · deels gegrond · ongegrond · zonder oordeel" } td.n {
                                (of(&o.by_judgement, "well_founded")) " · "
                                (of(&o.by_judgement, "partly_well_founded")) " · "
                                (of(&o.by_judgement, "unfounded")) " · "
                                (of(&o.by_judgement, "not_judged"))
                            } }
                            tr { td { "Tevredenheid cliënt (1–5): gemiddeld, over aantal" } td.n {
                                (median(o.satisfaction.average, "van 5")) " · " (o.satisfaction.given)
                            } }
                            tr { td { "Verbeteracties open · te laat · afgerond" } td.n { (o.actions.open) " · " (o.actions.overdue) " · " (o.actions.done) } }
                            tr { td { "Geanonimiseerd te bespreken" } td.n { (o.discussed_anonymously) } }
                        }
                    }
                }
                section {
                    h2 { "Klachten per categorie per maand" }
                    (category_chart(o))
                }
                section {
                    h2 { "Reactietermijn" }
                    (term_chart(o))
                }
                section {
                    h2 { "Categorieën: herhaling ten opzichte van de vorige periode" }
                    table {
                        thead { tr { th { "Categorie" } th.n { "Deze periode" } th.n { "Vorige periode" } th.n { "Verschil" } } }
                        tbody {
                            @for r in &o.recurrence {
                                tr { td { (category_name(r.category)) } td.n { (r.current) } td.n { (r.previous) } td.n { (match r.change { Shown::Value(change) => format!("{change:+}"), hidden => hidden.to_string() }) } }
                            }
                        }
                    }
                }
                section.cols {
                    div { (counts("Status", o.by_status.iter().map(|(k, v)| (k.replace('_', " "), *v)).collect())) }
                    div { (counts("Wijze van indiening", o.by_channel.iter().map(|(k, v)| (k.clone(), *v)).collect())) }
                    div { (counts("Gemeld door", o.by_reporter.iter().map(|(k, v)| (k.clone(), *v)).collect())) }
                }
                @if !o.anonymised {
                    section.cols {
                        div { (attributed("Per medewerker (behandelaar)", &o.by_handler)) }
                        div { (attributed("Per cliënt", &o.by_client)) }
                    }
                } @else {
                    p.meta { "Geanonimiseerd: geen aantallen per persoon; een aantal van minder klachten dan het minimum staat als „< n”." }
                }
                footer { "Opgesteld " (o.generated_at.format("%Y-%m-%d %H:%M UTC")) " door klachtenregister." }
            }
        }
    }
}
