//! Classification (DESIGN.md §1 rule 4): how a complaint was lodged (A oral, B written) and
//! its nature (I–IV), in the regulation's own words.

use std::collections::BTreeSet;

use super::validation::FieldError;

vocabulary! {
    /// Wijze van indiening.
    pub enum Channel {
        /// A. mondeling
        Oral,
        /// B. schriftelijk
        Written,
    }
}

vocabulary! {
    /// Aard van de klacht; a complaint may be in several classes.
    pub enum Category {
        /// I. werkwijze van/bejegening door de dienstverlener
        Conduct,
        /// II. juridisch-inhoudelijke aspecten
        Legal,
        /// III. financiële aspecten
        Financial,
        /// IV. praktijkvoering in het algemeen
        Practice,
    }
}

/// One entry of the catalogue: the regulation's code, its Dutch and English labels, and a
/// short Dutch name for tables and charts.
pub struct Label {
    pub code: &'static str,
    pub nl: &'static str,
    pub en: &'static str,
    pub short: &'static str,
}

impl Channel {
    pub fn label(self) -> Label {
        match self {
            Channel::Oral => Label { code: "A", nl: "mondeling", en: "oral", short: "Mondeling" },
            Channel::Written => {
                Label { code: "B", nl: "schriftelijk", en: "in writing", short: "Schriftelijk" }
            }
        }
    }
}

impl Category {
    pub fn label(self) -> Label {
        match self {
            Category::Conduct => Label {
                code: "I",
                nl: "Klachten over werkwijze van/bejegening door de dienstverlener",
                en: "Complaints about the dienstverlener's way of working or conduct",
                short: "Werkwijze/bejegening",
            },
            Category::Legal => Label {
                code: "II",
                nl: "Klachten over juridisch-inhoudelijke aspecten van de dienstverlening",
                en: "Complaints about the legal substance of the service",
                short: "Juridisch-inhoudelijk",
            },
            Category::Financial => Label {
                code: "III",
                nl: "Klachten over financiële aspecten van de dienstverlening",
                en: "Complaints about the financial aspects of the service",
                short: "Financieel",
            },
            Category::Practice => Label {
                code: "IV",
                nl: "Klachten over de praktijkvoering in het algemeen",
                en: "Complaints about the practice in general",
                short: "Praktijkvoering",
            },
        }
    }
}

impl Category {
    /// The category's bit in a complaint's category set, as stored.
    pub fn bit(self) -> i32 {
        match self {
            Category::Conduct => 1,
            Category::Legal => 2,
            Category::Financial => 4,
            Category::Practice => 8,
        }
    }
}

/// The stored form of a set of categories.
pub fn mask(categories: &BTreeSet<Category>) -> i32 {
    categories.iter().map(|c| c.bit()).sum()
}

/// The categories of a stored set, in the regulation's order (I–IV).
pub fn from_mask(mask: i32) -> Vec<Category> {
    <Category as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .filter(|c| mask & c.bit() != 0)
        .collect()
}

/// One or more categories, each at most once.
pub fn check_categories(categories: &[Category]) -> Result<BTreeSet<Category>, FieldError> {
    let set: BTreeSet<Category> = categories.iter().copied().collect();
    if set.is_empty() {
        return Err(FieldError::new("categories", "name at least one category (I–IV)"));
    }
    if set.len() != categories.len() {
        return Err(FieldError::new("categories", "names a category more than once"));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_uses_the_regulations_codes() {
        assert_eq!(Channel::Oral.label().code, "A");
        assert_eq!(Channel::Written.label().nl, "schriftelijk");
        let codes: Vec<&str> =
            <Category as strum::VariantArray>::VARIANTS.iter().map(|c| c.label().code).collect();
        assert_eq!(codes, ["I", "II", "III", "IV"]);
    }

    #[test]
    fn category_sets_are_stored_as_bits() {
        let set: BTreeSet<Category> = [Category::Practice, Category::Legal].into();
        assert_eq!(mask(&set), 10);
        assert_eq!(from_mask(10), [Category::Legal, Category::Practice]);
        assert_eq!(from_mask(0), []);
        assert_eq!(from_mask(15).len(), 4);
    }

    #[test]
    fn categories_are_one_or_more_and_distinct() {
        let both = check_categories(&[Category::Financial, Category::Legal]).unwrap();
        assert_eq!(both.into_iter().collect::<Vec<_>>(), [Category::Legal, Category::Financial]);
        assert!(check_categories(&[]).is_err());
        assert!(check_categories(&[Category::Legal, Category::Legal]).is_err());
    }
}
