//! A postal address, as the Wft asks a complaint register to record the complainant's
//! (Bgfo art. 41: name and address). The register is kept by Dutch firms, so a missing
//! country means the Netherlands and a Dutch postal code is held in its one written form,
//! `1234 AB`, whatever way it was typed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{AllValid, FieldError, Text, ValidationErrors};

pub const STREET_MAX: usize = 200;
pub const CITY_MAX: usize = 100;
/// The longest postal code any country writes (with its separators) is well under this.
pub const POSTAL_CODE_MAX: usize = 12;
pub const DEFAULT_COUNTRY: &str = "NL";

/// A postal address. `street` holds the street and house number (and any addition), as
/// written on an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    #[schema(example = "Keizersgracht 123-2", max_length = 200)]
    pub street: String,
    /// For an address in the Netherlands four digits and two letters, stored as `1234 AB`.
    #[schema(example = "1015 CJ", max_length = 12)]
    pub postal_code: String,
    #[schema(example = "Amsterdam", max_length = 100)]
    pub city: String,
    /// ISO 3166-1 alpha-2 code, upper case; `NL` when not given.
    #[schema(example = "NL", min_length = 2, max_length = 2)]
    #[serde(default = "default_country")]
    pub country: String,
}

fn default_country() -> String {
    DEFAULT_COUNTRY.to_owned()
}

impl PostalAddress {
    /// The address as written on an envelope: the street, the postal code and the city (two
    /// spaces between, as PostNL asks), and the country when it is not the Netherlands.
    pub fn lines(&self) -> Vec<String> {
        let country = Some(self.country.clone()).filter(|c| c != DEFAULT_COUNTRY);
        [self.street.clone(), format!("{}  {}", self.postal_code, self.city)]
            .into_iter()
            .chain(country)
            .collect()
    }

    /// Checks every part, reporting fields under `prefix` (`complainant.address`): texts
    /// trimmed and bounded, the country an assigned ISO 3166-1 code, and a Dutch postal code
    /// in its written form.
    pub fn check(&self, prefix: &str) -> Result<PostalAddress, ValidationErrors> {
        let field = |name: &str| format!("{prefix}.{name}");
        let country = country(&field("country"), &self.country);
        let postal_code = match &country {
            Ok(c) if c == DEFAULT_COUNTRY => {
                dutch_postal_code(&field("postal_code"), &self.postal_code)
            }
            _ => other_postal_code(&field("postal_code"), &self.postal_code),
        };
        let (street, postal_code, city, country) = (
            Text::parse(&field("street"), &self.street, STREET_MAX),
            postal_code,
            Text::parse(&field("city"), &self.city, CITY_MAX),
            country,
        )
            .all_valid()?;
        Ok(PostalAddress {
            street: street.into_string(),
            postal_code,
            city: city.into_string(),
            country,
        })
    }
}

/// An assigned ISO 3166-1 alpha-2 code, in either case.
fn country(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    let assigned = code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && ISO_3166_ALPHA_2.split(' ').any(|c| c == code);
    if assigned {
        Ok(code)
    } else {
        Err(FieldError::new(field, "must be an ISO 3166-1 alpha-2 country code such as NL or BE"))
    }
}

/// A Dutch postal code: four digits, the first not 0, and two letters, with or without a
/// space between; written as `1234 AB`.
fn dutch_postal_code(field: &str, value: &str) -> Result<String, FieldError> {
    let compact: String = value.chars().filter(|c| *c != ' ').collect();
    // Split only what is ASCII: a byte index into other text may fall inside a character.
    let (digits, letters) =
        if compact.is_ascii() { compact.split_at(compact.len().min(4)) } else { ("", "") };
    let well_formed = digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
        && letters.len() == 2
        && letters.bytes().all(|b| b.is_ascii_alphabetic());
    if well_formed {
        Ok(format!("{digits} {}", letters.to_ascii_uppercase()))
    } else {
        Err(FieldError::new(field, "must be a Dutch postal code such as 1234 AB"))
    }
}

/// A postal code of another country: letters, digits, spaces and hyphens, as that country
/// writes it.
fn other_postal_code(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim();
    let well_formed = !code.is_empty()
        && code.chars().count() <= POSTAL_CODE_MAX
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if well_formed {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(FieldError::new(
            field,
            format!("must be 1 to {POSTAL_CODE_MAX} letters, digits, spaces or hyphens"),
        ))
    }
}

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA_2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
YE YT \
ZA ZM ZW";

#[cfg(test)]
mod tests {
    use super::*;

    fn address(postal_code: &str, country: &str) -> PostalAddress {
        PostalAddress {
            street: " Keizersgracht 123 ".into(),
            postal_code: postal_code.into(),
            city: "Amsterdam".into(),
            country: country.into(),
        }
    }

    fn fields(err: ValidationErrors) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_assigned_code_is_listed_once() {
        let codes: Vec<&str> = ISO_3166_ALPHA_2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, codes, "sorted and without repeats");
    }

    #[test]
    fn a_dutch_postal_code_is_written_one_way() {
        for typed in ["1015cj", "1015 CJ", " 1015 cj ", "1015CJ"] {
            let checked = address(typed, "nl").check("a").unwrap();
            assert_eq!((checked.postal_code.as_str(), checked.country.as_str()), ("1015 CJ", "NL"));
            assert_eq!(checked.street, "Keizersgracht 123");
        }
        for wrong in
            ["0123 AB", "101 CJ", "10155 CJ", "1015 C", "1015 C1", "", "1015 ÄB", "ÄÄ15 AB"]
        {
            assert_eq!(fields(address(wrong, "NL").check("a").unwrap_err()), ["a.postal_code"]);
        }
    }

    #[test]
    fn other_countries_keep_their_own_postal_codes() {
        assert_eq!(address("b-1000", "be").check("a").unwrap().postal_code, "B-1000");
        assert_eq!(address("SW1A 1AA", "GB").check("a").unwrap().country, "GB");
        assert_eq!(fields(address("<b>", "DE").check("a").unwrap_err()), ["a.postal_code"]);
    }

    #[test]
    fn an_address_is_written_as_on_an_envelope() {
        let home = address("1015 CJ", "NL").check("a").unwrap();
        assert_eq!(home.lines(), ["Keizersgracht 123", "1015 CJ  Amsterdam"]);
        let abroad = PostalAddress { city: "Brussel".into(), ..address("1000", "BE") };
        assert_eq!(
            abroad.check("a").unwrap().lines(),
            ["Keizersgracht 123", "1000  Brussel", "BE"]
        );
    }

    #[test]
    fn the_country_is_an_assigned_code_and_every_part_is_checked() {
        let wrong =
            PostalAddress { street: " ".into(), city: "".into(), ..address("1015 CJ", "XX") };
        assert_eq!(
            fields(wrong.check("complainant.address").unwrap_err()),
            [
                "complainant.address.street",
                "complainant.address.city",
                "complainant.address.country"
            ]
        );
        assert_eq!(default_country(), "NL");
    }
}
