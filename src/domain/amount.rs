//! The amount of a declaration, from the barème (règlement intérieur, art. 224). Pure: no
//! database, no clock, so that every rule is pinned by a unit test.
//!
//! Rounding: each amount is computed exactly in integers (cents × basis points, or cents ×
//! hundredths of a head) and rounded **once**, half up, to the cent. A reduction is applied in
//! the same single rounding as the category rate, so 83 ter (70 %) with a first-year reduction
//! of 50 % is `salarié × 0.70 × 0.50` rounded once, never a rounded amount rounded again.

use std::fmt;

/// Basis points in 100 %.
pub const FULL_BP: i64 = 10_000;

/// The barème of one region for one campaign year. Amounts in cents, rates in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scale {
    /// Fixed amount of an expert-comptable indépendant.
    pub pp_independant_cents: i64,
    /// Fixed amount of an expert-comptable salarié; the base of 83 ter and 83 quater.
    pub pp_salarie_cents: i64,
    /// Share of the salarié amount paid by 83 ter staff (7000 = 70 %).
    pub pp_83ter_rate_bp: i64,
    /// Share of the salarié amount paid by 83 quater staff (5000 = 50 %).
    pub pp_83quater_rate_bp: i64,
    /// Reduction in the first campaign year of registration.
    pub new_member_year1_reduction_bp: i64,
    /// Reduction in the second campaign year of registration.
    pub new_member_year2_reduction_bp: i64,
    /// Fixed amount of each bureau.
    pub bureau_fixed_cents: i64,
    /// Fixed amount of each legal person.
    pub pm_fixed_cents: i64,
    /// Amount per head of the firm's average headcount of the previous year.
    pub pm_per_head_cents: i64,
}

/// The category a natural person (PP) is declared under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PpCategory {
    /// Expert-comptable indépendant: the full fixed amount.
    Independant,
    /// Expert-comptable salarié.
    Salarie,
    /// Salarié d'AGC, article 83 ter: 70 % of the salarié amount by the rule.
    Agc83Ter,
    /// Salarié d'AGC, article 83 quater: 50 % of the salarié amount by the rule.
    Agc83Quater,
    /// Expert-comptable honoraire: exempt.
    Honoraire,
}

impl PpCategory {
    /// Every category, in the order forms list them.
    pub const ALL: [PpCategory; 5] = [
        Self::Independant,
        Self::Salarie,
        Self::Agc83Ter,
        Self::Agc83Quater,
        Self::Honoraire,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Independant => "independant",
            Self::Salarie => "salarie",
            Self::Agc83Ter => "agc_83ter",
            Self::Agc83Quater => "agc_83quater",
            Self::Honoraire => "honoraire",
        }
    }

    /// The French label of documents.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Independant => "Expert-comptable indépendant",
            Self::Salarie => "Expert-comptable salarié",
            Self::Agc83Ter => "Salarié d'AGC (83 ter)",
            Self::Agc83Quater => "Salarié d'AGC (83 quater)",
            Self::Honoraire => "Expert-comptable honoraire (exonéré)",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// First or second campaign year since registration: the new-member reductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewMemberYear {
    /// The campaign year is the year of registration.
    First,
    /// The campaign year follows the year of registration.
    Second,
}

impl NewMemberYear {
    /// 1 or 2, as stored.
    pub fn number(self) -> i32 {
        match self {
            Self::First => 1,
            Self::Second => 2,
        }
    }

    /// From 1 or 2.
    pub fn from_number(n: i32) -> Option<Self> {
        match n {
            1 => Some(Self::First),
            2 => Some(Self::Second),
            _ => None,
        }
    }

    /// The year a member registered in `registration_year` is in for `campaign_year`, if new.
    pub fn of(registration_year: i32, campaign_year: i32) -> Option<Self> {
        match campaign_year - registration_year {
            0 => Some(Self::First),
            1 => Some(Self::Second),
            _ => None,
        }
    }
}

/// An average headcount with two decimals, held as an integer of hundredths (12.50 → 1250).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Headcount(i64);

/// The largest headcount accepted (a million heads).
pub const MAX_HEADCOUNT_HUNDREDTHS: i64 = 100_000_000;

impl Headcount {
    /// From hundredths; `None` when negative or above the maximum.
    pub fn from_hundredths(hundredths: i64) -> Option<Self> {
        (0..=MAX_HEADCOUNT_HUNDREDTHS)
            .contains(&hundredths)
            .then_some(Self(hundredths))
    }

    /// Parses `"12"`, `"12.5"`, `"12.50"` or `"12,50"`: digits, at most two decimals, no sign.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (whole, fraction) = match text.split_once(['.', ',']) {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 9 || fraction.len() > 2 || !digits(whole) {
            return None;
        }
        if !digits(fraction) || (text.len() > whole.len() && fraction.is_empty()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().ok()? * 10,
            _ => fraction.parse().ok()?,
        };
        Self::from_hundredths(whole.checked_mul(100)?.checked_add(fraction)?)
    }

    /// Hundredths of a head.
    pub fn hundredths(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Headcount {
    /// Always two decimals with a dot: `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// What is declared for one attached person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// A natural person (PP, a member).
    Natural {
        category: PpCategory,
        /// `Some` when a new-member reduction applies.
        new_member: Option<NewMemberYear>,
    },
    /// A legal person (PM, a firm): the variable part follows its average headcount.
    Legal { headcount: Headcount },
}

/// `value × numerator / denominator`, rounded half up (values are never negative here), computed
/// in 128 bits and saturated at `i64::MAX` (above any amount accepted: callers compare the result
/// with [`crate::domain::money::MAX_PAYMENT_CENTS`]).
fn mul_div_half_up(value: i64, numerator: i128, denominator: i128) -> i64 {
    let product = i128::from(value) * numerator;
    let rounded = (2 * product + denominator) / (2 * denominator);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// The amount of a declaration, in cents.
///
/// - PP: indépendant and salarié pay their fixed amount; 83 ter and 83 quater pay their rate of
///   the salarié amount; honoraires pay nothing; a new member's reduction of the year is taken
///   off the category's amount. `base × rate × (1 − reduction)`, rounded once.
/// - PM: the fixed PM amount plus the per-head amount times the average headcount of the
///   previous year, the variable part rounded to the cent.
pub fn declaration_amount(scale: &Scale, declared: &Declared) -> i64 {
    match *declared {
        Declared::Natural {
            category,
            new_member,
        } => {
            let (base, rate_bp) = match category {
                PpCategory::Independant => (scale.pp_independant_cents, FULL_BP),
                PpCategory::Salarie => (scale.pp_salarie_cents, FULL_BP),
                PpCategory::Agc83Ter => (scale.pp_salarie_cents, scale.pp_83ter_rate_bp),
                PpCategory::Agc83Quater => (scale.pp_salarie_cents, scale.pp_83quater_rate_bp),
                PpCategory::Honoraire => return 0,
            };
            let reduction_bp = match new_member {
                None => 0,
                Some(NewMemberYear::First) => scale.new_member_year1_reduction_bp,
                Some(NewMemberYear::Second) => scale.new_member_year2_reduction_bp,
            };
            mul_div_half_up(
                base,
                i128::from(rate_bp) * i128::from(FULL_BP - reduction_bp),
                i128::from(FULL_BP) * i128::from(FULL_BP),
            )
        }
        Declared::Legal { headcount } => scale.pm_fixed_cents.saturating_add(mul_div_half_up(
            scale.pm_per_head_cents,
            i128::from(headcount.hundredths()),
            100,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        Scale {
            pp_independant_cents: 45_000,
            pp_salarie_cents: 38_001,
            pp_83ter_rate_bp: 7_000,
            pp_83quater_rate_bp: 5_000,
            new_member_year1_reduction_bp: 5_000,
            new_member_year2_reduction_bp: 2_500,
            bureau_fixed_cents: 30_000,
            pm_fixed_cents: 20_000,
            pm_per_head_cents: 12_345,
        }
    }

    fn pp(category: PpCategory, new_member: Option<NewMemberYear>) -> i64 {
        declaration_amount(
            &scale(),
            &Declared::Natural {
                category,
                new_member,
            },
        )
    }

    fn pm(headcount: &str) -> i64 {
        declaration_amount(
            &scale(),
            &Declared::Legal {
                headcount: Headcount::parse(headcount).expect("headcount"),
            },
        )
    }

    #[test]
    fn independants_and_salaries_pay_their_fixed_amount() {
        assert_eq!(pp(PpCategory::Independant, None), 45_000);
        assert_eq!(pp(PpCategory::Salarie, None), 38_001);
    }

    #[test]
    fn article_83_ter_pays_70_percent_and_83_quater_50_percent_rounded_half_up() {
        // 38 001 × 0.70 = 26 600.7 → 26 601; 38 001 × 0.50 = 19 000.5 → 19 001.
        assert_eq!(pp(PpCategory::Agc83Ter, None), 26_601);
        assert_eq!(pp(PpCategory::Agc83Quater, None), 19_001);
    }

    #[test]
    fn honoraires_pay_nothing_even_as_new_members() {
        assert_eq!(pp(PpCategory::Honoraire, None), 0);
        assert_eq!(pp(PpCategory::Honoraire, Some(NewMemberYear::First)), 0);
    }

    #[test]
    fn new_member_reductions_apply_to_the_category_amount_with_one_rounding() {
        assert_eq!(
            pp(PpCategory::Independant, Some(NewMemberYear::First)),
            22_500
        );
        assert_eq!(
            pp(PpCategory::Independant, Some(NewMemberYear::Second)),
            33_750
        );
        // 38 001 × 0.70 × 0.50 = 13 300.35 → 13 300 (not round(26 601 × 0.5) = 13 301).
        assert_eq!(pp(PpCategory::Agc83Ter, Some(NewMemberYear::First)), 13_300);
    }

    #[test]
    fn a_legal_person_pays_the_fixed_part_plus_the_headcount_part() {
        assert_eq!(pm("0"), 20_000);
        assert_eq!(pm("1"), 32_345);
        // 12 345 × 12.5 = 154 312.5 → 154 313.
        assert_eq!(pm("12.5"), 20_000 + 154_313);
        // 12 345 × 3.07 = 37 899.15 → 37 899.
        assert_eq!(pm("3,07"), 20_000 + 37_899);
    }

    #[test]
    fn headcounts_have_at_most_two_decimals_and_no_sign() {
        assert_eq!(
            Headcount::parse("12.50").map(Headcount::hundredths),
            Some(1250)
        );
        assert_eq!(
            Headcount::parse("12,5").map(Headcount::hundredths),
            Some(1250)
        );
        assert_eq!(
            Headcount::parse(" 7 ").map(Headcount::hundredths),
            Some(700)
        );
        for bad in [
            "", "-1", "1.234", "1.", ".5", "1e3", "abc", "1.5.2", "2000000",
        ] {
            assert_eq!(Headcount::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            Headcount::from_hundredths(1205).map(|h| h.to_string()),
            Some("12.05".into())
        );
    }

    #[test]
    fn the_new_member_year_follows_the_registration_year() {
        assert_eq!(NewMemberYear::of(2026, 2026), Some(NewMemberYear::First));
        assert_eq!(NewMemberYear::of(2025, 2026), Some(NewMemberYear::Second));
        assert_eq!(NewMemberYear::of(2024, 2026), None);
        assert_eq!(NewMemberYear::of(2027, 2026), None);
    }

    #[test]
    fn categories_round_trip_through_their_names() {
        for category in PpCategory::ALL {
            assert_eq!(PpCategory::parse(category.as_str()), Some(category));
        }
        assert_eq!(PpCategory::parse("stagiaire"), None);
    }
}
