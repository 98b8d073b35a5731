//! The office meeting's overview (DESIGN.md §1 rule 8): the period it covers and the one it
//! is compared with, how a complaint fared against its response term, who gets the
//! anonymised form, and the arithmetic that turns the database's counts into the figures —
//! pseudonyms, medians, recurrence. The counting itself happens in the database
//! (`store::overview`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use strum::VariantArray;
use utoipa::ToSchema;

use super::classification::{self, Category, Channel};
use super::complaint::{ComplaintKind, ComplaintStatus, ReportedBy};
use super::lifecycle::{Judgement, Resolution, SATISFACTION_SCORES};
use super::roles::Person;
use super::validation::{FieldError, check_days, ensure};

/// The calendar days an overview covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// At most this many days in one overview.
const LONGEST: i64 = 5 * 366;

impl Period {
    /// A period of the register's days (`validation::check_days`), at most five years
    /// long; errors name the fields `[from, to]`.
    pub fn check(
        [from_field, to_field]: [&str; 2],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Period, FieldError> {
        check_days((from_field, Some(from)), (to_field, Some(to)))?;
        ensure(
            (to - from).num_days() < LONGEST,
            to_field,
            "an overview covers at most five years",
        )?;
        Ok(Period { from, to })
    }

    /// The period an overview is asked for: up to `to` (default today), from `from`
    /// (default twelve months before `to`).
    pub fn requested(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Period, FieldError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| Period::last_year(to).from);
        Period::check(["from", "to"], from, to)
    }

    /// The default: the twelve months up to and including `today`.
    pub fn last_year(today: NaiveDate) -> Period {
        let from =
            today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today) + Duration::days(1);
        Period { from, to: today }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of equal length just before this one: what recurrence is measured against.
    pub fn previous(&self) -> Period {
        let to = self.from - Duration::days(1);
        Period { from: to - Duration::days(self.days() - 1), to }
    }

    /// Every month the period touches, as `YYYY-MM`, in order: a chart's axis.
    pub fn months(&self) -> Vec<String> {
        let mut months = Vec::new();
        let mut month = self.from.with_day(1).unwrap_or(self.from);
        while month <= self.to {
            months.push(month.format("%Y-%m").to_string());
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.to.succ_opt().unwrap_or(self.to));
        }
        months
    }
}

vocabulary! {
    /// How a complaint fared against its response term (the regulation: a reaction within
    /// one week).
    pub enum TermOutcome {
        AnsweredWithinTerm,
        AnsweredLate,
        /// No reaction yet, and the term has passed.
        OpenOverdue,
        /// No reaction yet, but still within the term.
        OpenWithinTerm,
        /// Raised by an employee: no client awaits a reaction.
        NotApplicable,
    }
}

/// The rule the overview's SQL counts by (`store::overview` holds its SQL form; the HTTP
/// tests hold the two to the same data set). A complaint withdrawn before any reaction no
/// longer awaits one. A reaction counts within the term only if it was also *recorded*
/// within it (`recorded_at`; none for reactions recorded before that was kept): one recorded
/// after the term counts late, whatever moment it claims.
pub fn term_outcome(
    response_due_at: Option<DateTime<Utc>>,
    (first_response_at, recorded_at): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    withdrawn: bool,
    now: DateTime<Utc>,
) -> TermOutcome {
    match (response_due_at, first_response_at) {
        (None, _) => TermOutcome::NotApplicable,
        (Some(_), None) if withdrawn => TermOutcome::NotApplicable,
        (Some(due), Some(answered))
            if answered <= due && recorded_at.unwrap_or(answered) <= due =>
        {
            TermOutcome::AnsweredWithinTerm
        }
        (Some(_), Some(_)) => TermOutcome::AnsweredLate,
        (Some(due), None) if now > due => TermOutcome::OpenOverdue,
        (Some(_), None) => TermOutcome::OpenWithinTerm,
    }
}

/// Where the median of `count` sorted values lies: the offset of the first middle value and
/// how many values to average (one for an odd count, two for an even one).
pub fn median_window(count: i64) -> Option<(i64, i64)> {
    match count {
        0 => None,
        n if n % 2 == 1 => Some((n / 2, 1)),
        n => Some((n / 2 - 1, 2)),
    }
}

/// The median of `values` as the database's pick gives it (the one or two middle values of
/// the sorted values, averaged, in ascending order), without sorting them all: the values
/// are reordered. `None` when there are none.
pub fn median_of(values: &mut [f64]) -> Option<f64> {
    let (offset, take) = median_window(values.len() as i64)?;
    let upper = (offset + take - 1) as usize;
    let (below, at, _) = values.select_nth_unstable_by(upper, f64::total_cmp);
    let middle: Vec<f64> = if take == 2 {
        // The lower middle value is the greatest of those below the upper one.
        vec![below.iter().copied().max_by(f64::total_cmp)?, *at]
    } else {
        vec![*at]
    };
    Some(middle.iter().sum::<f64>() / middle.len() as f64)
}

/// The smallest number of complaints a figure of the anonymised overview may describe,
/// unless the setting says otherwise (`KLACHTEN_OVERVIEW_MIN_CELL`).
pub const DEFAULT_MINIMUM_CELL: i64 = 5;

/// A figure as an overview shows it: the count itself, or — in the anonymised form, where
/// it would describe fewer complaints than the minimum — only that it is below it. In JSON
/// a number, or the string `"< 5"` (the minimum in force); CSV and the report show the same
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<T> {
    Value(T),
    FewerThan(i64),
}

/// A count of complaints as the overview shows it.
pub type Figure = Shown<i64>;
/// A median (hours or days) as the overview shows it: `FewerThan` when it would be taken
/// over fewer complaints than the minimum.
pub type Median = Shown<f64>;

impl<T: Copy> Shown<T> {
    /// The value, if it is shown.
    pub fn value(&self) -> Option<T> {
        match self {
            Shown::Value(v) => Some(*v),
            Shown::FewerThan(_) => None,
        }
    }

    pub fn is_shown(&self) -> bool {
        matches!(self, Shown::Value(_))
    }
}

impl<T: Default> Default for Shown<T> {
    fn default() -> Self {
        Shown::Value(T::default())
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Value(v) => v.fmt(f),
            Shown::FewerThan(minimum) => write!(f, "< {minimum}"),
        }
    }
}

impl<T: Serialize> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Value(v) => v.serialize(serializer),
            Shown::FewerThan(minimum) => serializer.collect_str(&format_args!("< {minimum}")),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shown<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Value(T),
            Text(String),
        }
        match Raw::<T>::deserialize(deserializer)? {
            Raw::Value(v) => Ok(Shown::Value(v)),
            Raw::Text(text) => text
                .strip_prefix("< ")
                .and_then(|n| n.parse().ok())
                .map(Shown::FewerThan)
                .ok_or_else(|| serde::de::Error::custom("expected a number or \"< n\"")),
        }
    }
}

/// The schema of a [`Shown`] figure: a number, or `"< n"`.
fn shown_schema(
    number: utoipa::openapi::Type,
    name: &str,
    example: serde_json::Value,
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(number))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^< [0-9]+$"))
                .description(Some("fewer complaints than the minimum")),
        )
        .description(Some(format!(
            "{name}. In the anonymised overview a figure that would describe fewer complaints \
             than the minimum (`KLACHTEN_OVERVIEW_MIN_CELL`, default 5; zero included) is \
             the string `\"< 5\"` instead of the number."
        )))
        .examples([example, serde_json::json!("< 5")])
        .into()
}

impl utoipa::PartialSchema for Figure {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        shown_schema(utoipa::openapi::Type::Integer, "A number of complaints", 12.into())
    }
}

impl utoipa::ToSchema for Figure {
    fn name() -> std::borrow::Cow<'static, str> {
        "Figure".into()
    }
}

impl utoipa::PartialSchema for Median {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        shown_schema(
            utoipa::openapi::Type::Number,
            "A median, null when there is nothing to take it of",
            20.5.into(),
        )
    }
}

impl utoipa::ToSchema for Median {
    fn name() -> std::borrow::Cow<'static, str> {
        "Median".into()
    }
}

/// The rule for small cells: with a `minimum` (the anonymised form), a count below it is
/// not shown; `None` (the named form) or a minimum of 1 shows every count.
fn cell(count: i64, minimum: Option<i64>) -> Figure {
    match minimum {
        Some(m) if m > 1 && count < m => Shown::FewerThan(m),
        _ => Shown::Value(count),
    }
}

/// Cells that add up to a shown figure: where just one is hidden, the smallest shown one
/// is hidden too, so that the hidden one cannot be worked out by subtraction.
fn hide_complement(cells: &mut [&mut Figure], minimum: Option<i64>) {
    let Some(m) = minimum.filter(|m| *m > 1) else { return };
    if cells.iter().filter(|c| !c.is_shown()).count() != 1 {
        return;
    }
    let smallest = cells
        .iter_mut()
        .filter_map(|c| c.value().map(|v| (v, c)))
        .min_by_key(|(v, _)| *v)
        .map(|(_, c)| c);
    if let Some(c) = smallest {
        **c = Shown::FewerThan(m);
    }
}

/// A map of counts, each a cell, with its complement hidden.
fn cells(map: BTreeMap<String, i64>, minimum: Option<i64>) -> BTreeMap<String, Figure> {
    let mut shown: BTreeMap<String, Figure> =
        map.into_iter().map(|(k, v)| (k, cell(v, minimum))).collect();
    hide_complement(&mut shown.values_mut().collect::<Vec<_>>(), minimum);
    shown
}

/// A median taken over `of` complaints.
fn median(value: Option<f64>, of: i64, minimum: Option<i64>) -> Option<Median> {
    match (cell(of, minimum), value) {
        (Shown::FewerThan(m), _) => Some(Shown::FewerThan(m)),
        (Shown::Value(_), value) => value.map(Shown::Value),
    }
}

/// Whether an overview is anonymised: always for a dienstverlener (DESIGN.md §3: they see the
/// anonymised form only); for a coordinator as asked, or else as the form's default.
pub fn anonymised(coordinator: bool, requested: Option<bool>, default: bool) -> bool {
    !coordinator || requested.unwrap_or(default)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PeriodView {
    #[schema(example = "2026-07-01")]
    pub from: NaiveDate,
    #[schema(example = "2026-12-31")]
    pub to: NaiveDate,
}

impl From<Period> for PeriodView {
    fn from(p: Period) -> Self {
        PeriodView { from: p.from, to: p.to }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionFigures {
    /// Open now.
    pub open: i64,
    /// Open now and past their due day.
    pub overdue: i64,
    /// Completed within the period.
    pub done: i64,
}

/// A category's count in this period against the period of equal length before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recurrence {
    pub category: Category,
    pub current: Figure,
    pub previous: Figure,
    /// Hidden when either count is.
    pub change: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonthFigures {
    #[schema(example = "2026-11")]
    pub month: String,
    pub total: Figure,
    /// Per category, every category present.
    pub by_category: BTreeMap<String, Figure>,
}

/// The clients' satisfaction with the decisions on the period's complaints, as they gave it
/// at closure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SatisfactionFigures {
    /// Complaints whose client gave a score.
    pub given: Figure,
    /// The mean score (1–5), to two decimals; null when none was given.
    pub average: Option<Median>,
    /// Keys: the scores `1` to `5`.
    pub by_score: BTreeMap<String, Figure>,
}

/// A handler or client and their number of complaints (the named form only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attributed {
    #[schema(example = "Medewerker A")]
    pub name: String,
    pub id: Option<String>,
    pub count: i64,
}

/// The overview of a period's complaints, errors and improvement opportunities, with the
/// improvement actions, for the office meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    /// Complaints received in this period (both days included) are counted.
    pub period: PeriodView,
    /// The period of equal length before it, for recurrence.
    pub previous_period: PeriodView,
    /// Names no client and no staff member, has no rows per person, and shows no figure of
    /// fewer complaints than the minimum (those are `"< 5"`, see `Figure`).
    pub anonymised: bool,
    pub generated_at: DateTime<Utc>,
    pub total: Figure,
    /// Keys: `complaint`, `error`, `improvement`.
    pub by_kind: BTreeMap<String, Figure>,
    /// Keys: the complaint statuses.
    pub by_status: BTreeMap<String, Figure>,
    /// Keys: `oral` (A), `written` (B), `unclassified`.
    pub by_channel: BTreeMap<String, Figure>,
    /// Keys: `conduct` (I), `legal` (II), `financial` (III), `practice` (IV); a complaint
    /// counts in each of its categories.
    pub by_category: BTreeMap<String, Figure>,
    /// Keys: `client`, `representative`, `contact`, `employee`.
    pub by_reporter: BTreeMap<String, Figure>,
    /// Response-term compliance. Keys: `answered_within_term`, `answered_late`,
    /// `open_overdue`, `open_within_term`, `not_applicable`.
    pub response_term: BTreeMap<String, Figure>,
    /// Keys: `resolved`, `unresolved`, `undecided`.
    pub outcome: BTreeMap<String, Figure>,
    /// Whether the decided complaints were well-founded. Keys: `well_founded`,
    /// `partly_well_founded`, `unfounded`, `not_judged` (no decision yet, or one without a
    /// judgement). Absent from evaluations' snapshots taken before it was counted.
    #[schema(required = false)]
    pub by_judgement: BTreeMap<String, Figure>,
    /// Absent from evaluations' snapshots taken before it was counted.
    #[schema(required = false)]
    pub satisfaction: SatisfactionFigures,
    /// Over the complaints with a first response.
    pub median_hours_to_first_response: Option<Median>,
    /// Over the closed complaints.
    pub median_days_to_closure: Option<Median>,
    pub actions: ActionFigures,
    pub recurrence: Vec<Recurrence>,
    pub per_month: Vec<MonthFigures>,
    /// Complaints per handler, most first; those to be discussed anonymously are left out.
    /// Empty in the anonymised form: it has no rows per person.
    pub by_handler: Vec<Attributed>,
    /// The clients with the most complaints (at most 20); likewise.
    pub by_client: Vec<Attributed>,
    /// Complaints marked to be discussed anonymously (`anonymize_in_meeting`).
    pub discussed_anonymously: Figure,
}

/// Which overview is assembled: its period, whether it is anonymised, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    pub period: Period,
    pub anonymised: bool,
    pub now: DateTime<Utc>,
    /// The anonymised form shows no figure of fewer complaints than this.
    pub minimum_cell: i64,
}

/// One combination of a complaint's attributes and how many of the period's complaints have
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub kind: String,
    pub status: String,
    pub reported_by: String,
    /// `unclassified` when no channel is set.
    pub channel: String,
    /// A [`TermOutcome`] value.
    pub term: String,
    /// `resolved`, `unresolved` or `undecided`.
    pub outcome: String,
    /// A [`Judgement`] value, or `not_judged`.
    pub judgement: String,
    /// The client's satisfaction score, when they gave one.
    pub satisfaction: Option<i32>,
    /// To be discussed anonymously (`anonymize_in_meeting`).
    pub anonymised: bool,
    pub handler_id: i64,
    pub count: i64,
}

/// How many of the period's complaints have one value of one attribute the overview counts
/// by: what `assemble` reads, and what the database keeps per day of receipt
/// (`overview_tallies`), so that an overview sums days instead of grouping complaints.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tally {
    /// `kind`, `status`, `reported_by`, `channel`, `term`, `outcome`, `judgement`,
    /// `satisfaction`, `handler` (the staff row id; complaints discussed anonymously left
    /// out) or `anonymised` (value empty).
    pub attribute: String,
    pub value: String,
    pub count: i64,
}

/// The tallies of grouped complaints, one per attribute value, in order and without zeros:
/// the same as the database keeps (the SQL form is in the `overview_tallies` migration).
pub fn tallies(profiles: &[Profile]) -> Vec<Tally> {
    let mut counts: BTreeMap<(&'static str, String), i64> = BTreeMap::new();
    for p in profiles {
        let mut add = |attribute: &'static str, value: String| {
            *counts.entry((attribute, value)).or_default() += p.count;
        };
        add("kind", p.kind.clone());
        add("status", p.status.clone());
        add("reported_by", p.reported_by.clone());
        add("channel", p.channel.clone());
        add("term", p.term.clone());
        add("outcome", p.outcome.clone());
        add("judgement", p.judgement.clone());
        if let Some(score) = p.satisfaction {
            add("satisfaction", score.to_string());
        }
        if p.anonymised {
            add("anonymised", String::new());
        } else {
            add("handler", p.handler_id.to_string());
        }
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count != 0)
        .map(|((attribute, value), count)| Tally { attribute: attribute.to_owned(), value, count })
        .collect()
}

/// Complaints of one month of receipt with one set of categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    /// In the period itself (`true`) or in the one before it.
    pub current: bool,
    /// `YYYY-MM` of receipt.
    pub month: String,
    /// The categories (`classification::from_mask`).
    pub categories: i32,
    pub count: i64,
}

/// The median seconds from receipt to the first reaction and to closure, and how many
/// complaints each is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Medians {
    pub to_first_response: Option<f64>,
    pub to_closure: Option<f64>,
    pub responded: i64,
    pub closed: i64,
}

/// The organisation's actions: open and overdue now, done within the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActionCounts {
    pub open: i64,
    pub overdue: i64,
    pub done: i64,
}

/// A client (by the practice-management system's id) and their number of complaints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub key: String,
    pub name: Option<String>,
    pub count: i64,
}

/// What the database counts for an overview.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts {
    pub tallies: Vec<Tally>,
    /// The handlers the tallies name, by staff row id.
    pub people: HashMap<i64, Person>,
    pub months: Vec<MonthCount>,
    pub medians: Medians,
    pub actions: ActionCounts,
    /// The clients with the most complaints, most first.
    pub clients: Vec<Attribution>,
}

/// A count per value of a vocabulary, every value present.
fn zeros(keys: impl IntoIterator<Item = impl ToString>) -> BTreeMap<String, i64> {
    keys.into_iter().map(|k| (k.to_string(), 0)).collect()
}

fn vocabulary<T: VariantArray + Copy + Into<&'static str>>() -> BTreeMap<String, i64> {
    zeros(T::VARIANTS.iter().map(|v| -> &'static str { (*v).into() }))
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// What `by_judgement` counts a complaint without a judgement as.
const NOT_JUDGED: &str = "not_judged";

/// The satisfaction figures from the number of complaints per score: the mean, like a
/// median, hidden where it would be taken over fewer complaints than the minimum.
fn satisfaction(by_score: BTreeMap<String, i64>, minimum: Option<i64>) -> SatisfactionFigures {
    let given: i64 = by_score.values().sum();
    let total: i64 = by_score.iter().map(|(score, n)| score.parse::<i64>().unwrap_or(0) * n).sum();
    let average = (given > 0).then(|| round(total as f64 / given as f64, 2));
    SatisfactionFigures {
        given: cell(given, minimum),
        average: median(average, given, minimum),
        by_score: cells(by_score, minimum),
    }
}

/// The overview from the database's counts. The anonymised form names nobody, has no rows
/// per person, and shows no figure of fewer than `form.minimum_cell` complaints.
pub fn assemble(form: Form, parts: Counts) -> Overview {
    let Form { period, anonymised, now, minimum_cell } = form;
    let minimum = anonymised.then_some(minimum_cell);
    let mut by_kind = vocabulary::<ComplaintKind>();
    let mut by_status = vocabulary::<ComplaintStatus>();
    let mut by_channel = vocabulary::<Channel>();
    by_channel.insert("unclassified".into(), 0);
    let mut by_reporter = vocabulary::<ReportedBy>();
    let mut response_term = vocabulary::<TermOutcome>();
    let mut outcome = vocabulary::<Resolution>();
    outcome.insert("undecided".into(), 0);
    let mut by_judgement = vocabulary::<Judgement>();
    by_judgement.insert(NOT_JUDGED.into(), 0);
    let mut by_score = zeros(SATISFACTION_SCORES);
    let mut per_handler: BTreeMap<i64, i64> = BTreeMap::new();
    let (mut total, mut discussed_anonymously) = (0, 0);
    for t in parts.tallies {
        let map = match t.attribute.as_str() {
            // Every complaint has exactly one kind.
            "kind" => {
                total += t.count;
                &mut by_kind
            }
            "status" => &mut by_status,
            "channel" => &mut by_channel,
            "reported_by" => &mut by_reporter,
            "term" => &mut response_term,
            "outcome" => &mut outcome,
            "judgement" => &mut by_judgement,
            "satisfaction" => &mut by_score,
            "anonymised" => {
                discussed_anonymously += t.count;
                continue;
            }
            "handler" => {
                if let Ok(id) = t.value.parse::<i64>() {
                    *per_handler.entry(id).or_default() += t.count;
                }
                continue;
            }
            _ => continue,
        };
        *map.entry(t.value).or_default() += t.count;
    }

    let mut by_category = vocabulary::<Category>();
    let mut previous = vocabulary::<Category>();
    let mut months: Vec<(String, i64, BTreeMap<String, i64>)> =
        period.months().into_iter().map(|month| (month, 0, vocabulary::<Category>())).collect();
    for row in parts.months {
        let categories = classification::from_mask(row.categories);
        if !row.current {
            for c in categories {
                *previous.entry(c.as_str().to_owned()).or_default() += row.count;
            }
            continue;
        }
        if let Some((_, month_total, month_categories)) =
            months.iter_mut().find(|m| m.0 == row.month)
        {
            *month_total += row.count;
            for c in &categories {
                *month_categories.entry(c.as_str().to_owned()).or_default() += row.count;
            }
        }
        for c in categories {
            *by_category.entry(c.as_str().to_owned()).or_default() += row.count;
        }
    }
    let recurrence = Category::VARIANTS
        .iter()
        .map(|c| {
            let (current, previous) = (by_category[c.as_str()], previous[c.as_str()]);
            let (shown_current, shown_previous) = (cell(current, minimum), cell(previous, minimum));
            let change = match (shown_current, shown_previous) {
                (Shown::Value(_), Shown::Value(_)) => Shown::Value(current - previous),
                (Shown::FewerThan(m), _) | (_, Shown::FewerThan(m)) => Shown::FewerThan(m),
            };
            Recurrence { category: *c, current: shown_current, previous: shown_previous, change }
        })
        .collect();
    let mut per_month: Vec<MonthFigures> = months
        .into_iter()
        .map(|(month, month_total, month_categories)| MonthFigures {
            month,
            total: cell(month_total, minimum),
            by_category: cells(month_categories, minimum),
        })
        .collect();
    hide_complement(&mut per_month.iter_mut().map(|m| &mut m.total).collect::<Vec<_>>(), minimum);

    // The named form only: the anonymised form has no rows per person. Most complaints
    // first; ties in a fixed order.
    let (by_handler, by_client) = if anonymised {
        (Vec::new(), Vec::new())
    } else {
        let mut handlers: Vec<(i64, i64)> = per_handler.into_iter().collect();
        handlers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let by_handler = handlers
            .into_iter()
            .take(20)
            .map(|(id, count)| match parts.people.get(&id) {
                Some(p) => Attributed {
                    name: p.name.clone().unwrap_or_else(|| p.subject.clone()),
                    id: Some(p.subject.clone()),
                    count,
                },
                None => Attributed { name: format!("#{id}"), id: None, count },
            })
            .collect();
        let by_client = parts
            .clients
            .into_iter()
            .map(|c| Attributed {
                name: c.name.unwrap_or_else(|| c.key.clone()),
                id: Some(c.key),
                count: c.count,
            })
            .collect();
        (by_handler, by_client)
    };

    Overview {
        period: period.into(),
        previous_period: period.previous().into(),
        anonymised,
        generated_at: now,
        total: cell(total, minimum),
        by_kind: cells(by_kind, minimum),
        by_status: cells(by_status, minimum),
        by_channel: cells(by_channel, minimum),
        by_category: cells(by_category, minimum),
        by_reporter: cells(by_reporter, minimum),
        response_term: cells(response_term, minimum),
        outcome: cells(outcome, minimum),
        by_judgement: cells(by_judgement, minimum),
        satisfaction: satisfaction(by_score, minimum),
        median_hours_to_first_response: median(
            parts.medians.to_first_response.map(|s| round(s / 3600.0, 1)),
            parts.medians.responded,
            minimum,
        ),
        median_days_to_closure: median(
            parts.medians.to_closure.map(|s| round(s / 86_400.0, 1)),
            parts.medians.closed,
            minimum,
        ),
        actions: ActionFigures {
            open: parts.actions.open,
            overdue: parts.actions.overdue,
            done: parts.actions.done,
        },
        recurrence,
        per_month,
        by_handler,
        by_client,
        discussed_anonymously: cell(discussed_anonymously, minimum),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_is_compared_with_the_one_before_it() {
        let check = |from, to| Period::check(["from", "to"], from, to);
        let q4 = check(day(2026, 10, 1), day(2026, 12, 31)).unwrap();
        assert_eq!(q4.days(), 92);
        assert_eq!(q4.previous(), Period { from: day(2026, 7, 1), to: day(2026, 9, 30) });
        assert_eq!(q4.months(), ["2026-10", "2026-11", "2026-12"]);
        let one_day = check(day(2026, 11, 2), day(2026, 11, 2)).unwrap();
        assert_eq!(one_day.previous(), Period { from: day(2026, 11, 1), to: day(2026, 11, 1) });
        assert_eq!(
            Period::last_year(day(2026, 11, 24)),
            Period { from: day(2025, 11, 25), to: day(2026, 11, 24) }
        );
        assert_eq!(check(day(2026, 2, 1), day(2026, 1, 1)).unwrap_err().field, "to");
        assert_eq!(check(day(2020, 1, 1), day(2026, 1, 1)).unwrap_err().field, "to");
        assert_eq!(check(day(1980, 1, 1), day(1980, 2, 1)).unwrap_err().field, "from");
        let evaluated =
            Period::check(["period_from", "period_to"], day(2026, 2, 1), day(2026, 1, 1));
        assert_eq!(evaluated.unwrap_err().field, "period_to");
        let today = day(2026, 11, 24);
        assert_eq!(Period::requested(None, None, today), Ok(Period::last_year(today)));
        assert_eq!(
            Period::requested(Some(day(2026, 1, 1)), None, today),
            Ok(Period { from: day(2026, 1, 1), to: today })
        );
    }

    #[test]
    fn the_term_outcome_follows_the_first_reaction() {
        let due = Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap();
        let before = due - Duration::hours(1);
        let after = due + Duration::hours(1);
        assert_eq!(
            term_outcome(Some(due), (Some(due), None), false, after),
            TermOutcome::AnsweredWithinTerm
        );
        assert_eq!(
            term_outcome(Some(due), (Some(after), None), false, after),
            TermOutcome::AnsweredLate
        );
        assert_eq!(term_outcome(Some(due), (None, None), false, after), TermOutcome::OpenOverdue);
        assert_eq!(
            term_outcome(Some(due), (None, None), false, before),
            TermOutcome::OpenWithinTerm
        );
        assert_eq!(term_outcome(None, (None, None), false, after), TermOutcome::NotApplicable);
        assert_eq!(term_outcome(Some(due), (None, None), true, after), TermOutcome::NotApplicable);
        assert_eq!(
            term_outcome(Some(due), (Some(after), None), true, after),
            TermOutcome::AnsweredLate
        );
        // Recorded after the term, claiming a moment within it: late.
        assert_eq!(
            term_outcome(Some(due), (Some(before), Some(after)), false, after),
            TermOutcome::AnsweredLate
        );
        assert_eq!(
            term_outcome(Some(due), (Some(before), Some(due)), false, after),
            TermOutcome::AnsweredWithinTerm
        );
    }

    #[test]
    fn a_dienstverlener_always_gets_the_anonymised_form() {
        assert!(anonymised(false, Some(false), false));
        assert!(anonymised(false, None, false));
        assert!(!anonymised(true, None, false));
        assert!(anonymised(true, None, true));
        assert!(!anonymised(true, Some(false), true));
    }

    fn profile(kind: &str, handler_id: i64, anonymised: bool, count: i64) -> Profile {
        Profile {
            kind: kind.into(),
            status: "registered".into(),
            reported_by: "client".into(),
            channel: "oral".into(),
            term: "open_within_term".into(),
            outcome: "undecided".into(),
            judgement: NOT_JUDGED.into(),
            satisfaction: None,
            anonymised,
            handler_id,
            count,
        }
    }

    fn counts() -> Counts {
        let person = |name: &str| Person { subject: name.to_lowercase(), name: Some(name.into()) };
        Counts {
            tallies: tallies(&[
                profile("complaint", 1, false, 3),
                profile("error", 2, false, 5),
                profile("complaint", 1, true, 2),
            ]),
            people: HashMap::from([(1, person("Dana")), (2, person("Eva"))]),
            months: vec![
                MonthCount { current: true, month: "2026-11".into(), categories: 2 | 4, count: 4 },
                MonthCount { current: false, month: "2026-08".into(), categories: 2, count: 1 },
            ],
            medians: Medians {
                to_first_response: Some(73_800.0),
                to_closure: None,
                responded: 3,
                closed: 0,
            },
            actions: ActionCounts { open: 2, overdue: 1, done: 3 },
            clients: vec![Attribution {
                key: "REL-1".into(),
                name: Some("De Vries".into()),
                count: 4,
            }],
        }
    }

    fn form(anonymised: bool) -> Form {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let period = Period { from: day(2026, 10, 1), to: day(2026, 11, 30) };
        Form { period, anonymised, now, minimum_cell: DEFAULT_MINIMUM_CELL }
    }

    fn n(v: i64) -> Figure {
        Shown::Value(v)
    }

    const HIDDEN: Figure = Shown::FewerThan(DEFAULT_MINIMUM_CELL);

    #[test]
    fn judgements_and_satisfaction_are_counted_and_averaged() {
        let judged = |judgement: &str, satisfaction: Option<i32>, count| Profile {
            status: "closed".into(),
            outcome: "resolved".into(),
            judgement: judgement.into(),
            satisfaction,
            ..profile("complaint", 1, false, count)
        };
        let mut parts = counts();
        parts.tallies.extend(tallies(&[
            judged("well_founded", Some(4), 3),
            judged("unfounded", Some(1), 1),
            judged("partly_well_founded", None, 2),
        ]));
        let named = assemble(form(false), parts.clone());
        assert_eq!(named.by_judgement["well_founded"], n(3));
        assert_eq!(named.by_judgement["partly_well_founded"], n(2));
        assert_eq!(named.by_judgement["not_judged"], n(10));
        assert_eq!(named.satisfaction.given, n(4));
        assert_eq!(named.satisfaction.average, Some(Shown::Value(3.25)));
        assert_eq!(
            (named.satisfaction.by_score["4"], named.satisfaction.by_score["5"]),
            (n(3), n(0))
        );
        // Anonymised, a mean over fewer than five answers is not shown.
        let anonymised = assemble(form(true), parts);
        assert_eq!(anonymised.satisfaction.average, Some(Shown::FewerThan(DEFAULT_MINIMUM_CELL)));
        assert_eq!(anonymised.by_judgement["not_judged"], n(10));
        let none = assemble(form(false), counts());
        assert_eq!((none.satisfaction.given, none.satisfaction.average), (n(0), None));
    }

    #[test]
    fn the_figures_add_up() {
        let named = assemble(form(false), counts());
        assert_eq!((named.total, named.discussed_anonymously), (n(10), n(2)));
        assert_eq!(named.by_kind["complaint"], n(5));
        assert_eq!(named.by_kind["improvement"], n(0), "every value of a vocabulary is present");
        assert_eq!(named.by_channel["unclassified"], n(0));
        assert_eq!(named.median_hours_to_first_response, Some(Shown::Value(20.5)));
        assert_eq!(named.by_category["legal"], n(4));
        let legal = named.recurrence.iter().find(|r| r.category == Category::Legal).unwrap();
        assert_eq!((legal.current, legal.previous, legal.change), (n(4), n(1), n(3)));
        assert_eq!(named.per_month.len(), 2);
        assert_eq!(named.previous_period.to, day(2026, 9, 30));
        // Most complaints first; those discussed anonymously are not attributed.
        let handlers: Vec<_> =
            named.by_handler.iter().map(|a| (a.name.as_str(), a.count)).collect();
        assert_eq!(handlers, [("Eva", 5), ("Dana", 3)]);
        assert_eq!(named.by_client[0].id.as_deref(), Some("REL-1"));
    }

    #[test]
    fn the_anonymised_form_has_no_small_cells_and_no_rows_per_person() {
        let anonymous = assemble(form(true), counts());
        assert!(anonymous.by_handler.is_empty() && anonymous.by_client.is_empty());
        assert_eq!(anonymous.total, n(10));
        // 5 errors are shown; 5 complaints too; the improvements' 0 is below the minimum.
        assert_eq!(anonymous.by_kind["error"], n(5));
        assert_eq!(anonymous.by_kind["improvement"], HIDDEN);
        // With one cell hidden, the smallest shown one is hidden too: 10 - 5 - 5 would
        // otherwise give the hidden one away.
        assert_eq!(anonymous.by_kind["complaint"], HIDDEN);
        assert_eq!(anonymous.discussed_anonymously, HIDDEN);
        assert_eq!(anonymous.by_channel["oral"], n(10));
        assert!(anonymous.by_status.values().all(|v| *v == n(10) || *v == HIDDEN));
        // A median over fewer complaints than the minimum is hidden too.
        assert_eq!(anonymous.median_hours_to_first_response, Some(Shown::FewerThan(5)));
        let legal = anonymous.recurrence.iter().find(|r| r.category == Category::Legal).unwrap();
        assert_eq!((legal.current, legal.previous, legal.change), (HIDDEN, HIDDEN, HIDDEN));
        assert!(anonymous.per_month.iter().all(|m| m.total == HIDDEN));
        // Actions are no complaints: their counts stay.
        assert_eq!(anonymous.actions.overdue, 1);

        let text = serde_json::to_value(&anonymous).unwrap();
        assert_eq!(text["by_kind"]["improvement"], "< 5");
        assert_eq!(text["total"], 10);
        let back: Overview = serde_json::from_value(text).unwrap();
        assert_eq!(back, anonymous);
        assert_eq!(HIDDEN.to_string(), "< 5");

        // A minimum of 1 shows every figure; the named form always does.
        let every = assemble(Form { minimum_cell: 1, ..form(true) }, counts());
        assert_eq!(every.by_kind["improvement"], n(0));
    }

    #[test]
    fn medians() {
        assert_eq!(median_window(0), None);
        assert_eq!(median_window(1), Some((0, 1)));
        assert_eq!(median_window(5), Some((2, 1)));
        assert_eq!(median_window(4), Some((1, 2)));
        assert_eq!(median(Some(2.0), 4, Some(5)), Some(Shown::FewerThan(5)));
        assert_eq!(median(None, 0, Some(5)), Some(Shown::FewerThan(5)));
        assert_eq!(median(Some(2.0), 5, Some(5)), Some(Shown::Value(2.0)));
        assert_eq!(median(None, 0, None), None);
    }

    /// The pick without sorting equals the database's pick from the sorted values (what
    /// `store::overview::medians` did on SQLite before), on random values with repeats.
    #[test]
    fn the_median_is_the_middle_of_the_sorted_values() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(15);
        assert_eq!(median_of(&mut []), None);
        for len in (1..200).chain([1_000, 1_001]) {
            let mut values: Vec<f64> =
                (0..len).map(|_| f64::from(rng.random_range(0..50_i32)) * 3_600.5).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let (offset, take) = median_window(len).unwrap();
            let middle = &sorted[offset as usize..(offset + take) as usize];
            let expected = middle.iter().sum::<f64>() / middle.len() as f64;
            assert_eq!(median_of(&mut values), Some(expected), "{len} values");
        }
    }
}
