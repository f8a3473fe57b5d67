//! The rows of each extract, validated with the domain's parsers. A row that passes here is
//! well-formed; whether its region, qualité, firm or member exists is checked by the import.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{
    csv_file::RegisterFile,
    fields::{code, date, integer, reason, reference, text, this_year},
};
use crate::{
    domain::{email::Email, person, supra::SupraNumber},
    error::FieldIssue,
};

/// `regions.csv`: the regional councils (the 2020 merger is loaded this way, not coded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    /// Stable code used in portal paths (`paris-ile-de-france`).
    pub code: String,
    /// Official name.
    pub name: String,
    /// Rank in lists.
    pub position: i32,
}

/// A raw line of `regions.csv`.
#[derive(Debug, Deserialize)]
pub struct RegionRecord {
    code: String,
    name: String,
    position: String,
}

impl RegisterFile for RegionRow {
    const FILE: &'static str = "regions.csv";
    const COLUMNS: &'static [&'static str] = &["code", "name", "position"];
    type Record = RegionRecord;
    type Key = String;

    fn validate(r: RegionRecord) -> Result<Self, String> {
        Ok(Self {
            code: code(&r.code, "code")?,
            name: text(&r.name, "name", 100)?,
            position: integer(&r.position, "position", 1..=10_000)?,
        })
    }

    fn key(&self) -> String {
        self.code.clone()
    }
}

/// `members.csv`: the register of members, keyed by SUPRA number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// Registration number at the Ordre (natural key).
    pub supra_number: String,
    /// `M` or `MME`.
    pub civility: &'static str,
    /// Last name as the register writes it.
    pub last_name: String,
    /// First name as the register writes it.
    pub first_name: String,
    /// Date of birth (the second factor of a match by SUPRA number).
    pub birth_date: NaiveDate,
    /// Year of inscription on the register.
    pub registration_year: i32,
    /// Qualité code; must be a register qualité.
    pub quality_code: String,
    /// Region code.
    pub region_code: String,
    /// The address on file, where registration emails go.
    pub email: String,
}

/// A raw line of `members.csv`.
#[derive(Debug, Deserialize)]
pub struct MemberRecord {
    supra_number: String,
    civility: String,
    last_name: String,
    first_name: String,
    birth_date: String,
    registration_year: String,
    quality_code: String,
    region_code: String,
    email: String,
}

impl RegisterFile for MemberRow {
    const FILE: &'static str = "members.csv";
    const COLUMNS: &'static [&'static str] = &[
        "supra_number",
        "civility",
        "last_name",
        "first_name",
        "birth_date",
        "registration_year",
        "quality_code",
        "region_code",
        "email",
    ];
    type Record = MemberRecord;
    type Key = String;

    fn validate(r: MemberRecord) -> Result<Self, String> {
        let birth_date = date(&r.birth_date, "birth_date")?;
        person::parse_birth_year(birth_date.year()).map_err(|issue| {
            reason(FieldIssue {
                field: "birth_date".into(),
                ..issue
            })
        })?;
        Ok(Self {
            supra_number: SupraNumber::parse(&r.supra_number)
                .map_err(reason)?
                .as_str()
                .to_owned(),
            civility: person::parse_civility(&r.civility).map_err(reason)?,
            last_name: text(&r.last_name, "last_name", 100)?,
            first_name: text(&r.first_name, "first_name", 100)?,
            birth_date,
            registration_year: integer(
                &r.registration_year,
                "registration_year",
                1945..=this_year(),
            )?,
            quality_code: code(&r.quality_code, "quality_code")?,
            region_code: code(&r.region_code, "region_code")?,
            email: Email::parse(&r.email, "email")
                .map_err(reason)?
                .into_inner(),
        })
    }

    fn key(&self) -> String {
        self.supra_number.clone()
    }
}

/// `firms.csv`: the firms (sociétés d'expertise comptable), keyed by reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmRow {
    /// The firm's reference (natural key).
    pub firm_ref: String,
    /// Company name.
    pub name: String,
}

/// A raw line of `firms.csv`.
#[derive(Debug, Deserialize)]
pub struct FirmRecord {
    firm_ref: String,
    name: String,
}

impl RegisterFile for FirmRow {
    const FILE: &'static str = "firms.csv";
    const COLUMNS: &'static [&'static str] = &["firm_ref", "name"];
    type Record = FirmRecord;
    type Key = String;

    fn validate(r: FirmRecord) -> Result<Self, String> {
        Ok(Self {
            firm_ref: reference(&r.firm_ref, "firm_ref")?,
            name: text(&r.name, "name", 200)?,
        })
    }

    fn key(&self) -> String {
        self.firm_ref.clone()
    }
}

/// `bureaux.csv`: the firms' offices, keyed by "Ref établissement".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BureauRow {
    /// "Ref établissement" (natural key).
    pub bureau_ref: String,
    /// The firm it belongs to.
    pub firm_ref: String,
    /// Its region.
    pub region_code: String,
    /// `PRINCIPAL` or `SECONDAIRE`.
    pub inscription_type: &'static str,
    /// Street address.
    pub address_line: String,
    /// 5-digit postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
}

/// A raw line of `bureaux.csv`.
#[derive(Debug, Deserialize)]
pub struct BureauRecord {
    bureau_ref: String,
    firm_ref: String,
    region_code: String,
    inscription_type: String,
    address_line: String,
    postal_code: String,
    city: String,
}

impl RegisterFile for BureauRow {
    const FILE: &'static str = "bureaux.csv";
    const COLUMNS: &'static [&'static str] = &[
        "bureau_ref",
        "firm_ref",
        "region_code",
        "inscription_type",
        "address_line",
        "postal_code",
        "city",
    ];
    type Record = BureauRecord;
    type Key = String;

    fn validate(r: BureauRecord) -> Result<Self, String> {
        let inscription_type = match r.inscription_type.to_ascii_uppercase().as_str() {
            "PRINCIPAL" => "PRINCIPAL",
            "SECONDAIRE" => "SECONDAIRE",
            _ => return Err("inscription_type: PRINCIPAL or SECONDAIRE".to_owned()),
        };
        Ok(Self {
            bureau_ref: reference(&r.bureau_ref, "bureau_ref")?,
            firm_ref: reference(&r.firm_ref, "firm_ref")?,
            region_code: code(&r.region_code, "region_code")?,
            inscription_type,
            address_line: text(&r.address_line, "address_line", 200)?,
            postal_code: person::parse_postal_code(&r.postal_code, "postal_code")
                .map_err(reason)?,
            city: text(&r.city, "city", 100)?,
        })
    }

    fn key(&self) -> String {
        self.bureau_ref.clone()
    }
}

/// `personal_files.csv`: a member's file in a region, keyed by (SUPRA number, region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalFileRow {
    /// The member's SUPRA number.
    pub supra_number: String,
    /// The region holding the file.
    pub region_code: String,
    /// The address the regional council knows (may differ from the register's).
    pub email: String,
}

/// A raw line of `personal_files.csv`.
#[derive(Debug, Deserialize)]
pub struct PersonalFileRecord {
    supra_number: String,
    region_code: String,
    email: String,
}

impl RegisterFile for PersonalFileRow {
    const FILE: &'static str = "personal_files.csv";
    const COLUMNS: &'static [&'static str] = &["supra_number", "region_code", "email"];
    type Record = PersonalFileRecord;
    type Key = NaturalPair;

    fn validate(r: PersonalFileRecord) -> Result<Self, String> {
        Ok(Self {
            supra_number: SupraNumber::parse(&r.supra_number)
                .map_err(reason)?
                .as_str()
                .to_owned(),
            region_code: code(&r.region_code, "region_code")?,
            email: Email::parse(&r.email, "email")
                .map_err(reason)?
                .into_inner(),
        })
    }

    fn key(&self) -> NaturalPair {
        NaturalPair(self.supra_number.clone(), self.region_code.clone())
    }
}

/// `campaigns.csv`: one contribution year in one region, keyed by (region, year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    /// The region.
    pub region_code: String,
    /// The contribution year.
    pub year: i32,
    /// Whether members can declare and pay ("Année 2017 disponible").
    pub is_open: bool,
}

/// A raw line of `campaigns.csv`.
#[derive(Debug, Deserialize)]
pub struct CampaignRecord {
    region_code: String,
    year: String,
    is_open: String,
}

impl RegisterFile for CampaignRow {
    const FILE: &'static str = "campaigns.csv";
    const COLUMNS: &'static [&'static str] = &["region_code", "year", "is_open"];
    type Record = CampaignRecord;
    type Key = NaturalPair;

    fn validate(r: CampaignRecord) -> Result<Self, String> {
        let is_open = match r.is_open.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return Err("is_open: true or false".to_owned()),
        };
        Ok(Self {
            region_code: code(&r.region_code, "region_code")?,
            year: integer(&r.year, "year", 2000..=this_year() + 1)?,
            is_open,
        })
    }

    fn key(&self) -> NaturalPair {
        NaturalPair(self.region_code.clone(), self.year.to_string())
    }
}

/// `firm_responsables.csv`: a member of the register who is a responsable of a firm (sees its
/// bureaux and grants them to RACs), keyed by (firm, SUPRA number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmResponsableRow {
    /// The firm's reference.
    pub firm_ref: String,
    /// The member's SUPRA number.
    pub supra_number: String,
}

/// A raw line of `firm_responsables.csv`.
#[derive(Debug, Deserialize)]
pub struct FirmResponsableRecord {
    firm_ref: String,
    supra_number: String,
}

impl RegisterFile for FirmResponsableRow {
    const FILE: &'static str = "firm_responsables.csv";
    const COLUMNS: &'static [&'static str] = &["firm_ref", "supra_number"];
    type Record = FirmResponsableRecord;
    type Key = NaturalPair;

    fn validate(r: FirmResponsableRecord) -> Result<Self, String> {
        let firm_ref = r.firm_ref.trim().to_owned();
        if firm_ref.is_empty() {
            return Err("firm_ref: required".to_owned());
        }
        let supra = SupraNumber::parse(&r.supra_number)
            .map_err(|e| format!("supra_number: {}", e.message.en))?;
        Ok(Self {
            firm_ref,
            supra_number: supra.as_str().to_owned(),
        })
    }

    fn key(&self) -> NaturalPair {
        NaturalPair(self.firm_ref.clone(), self.supra_number.clone())
    }
}

/// `bureau_managers.csv`: a bureau the regional council grants to an account (a RAC), keyed by
/// (bureau, identifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BureauManagerRow {
    /// "Ref établissement".
    pub bureau_ref: String,
    /// The ComptExpert identifier of the account.
    pub identifier: String,
}

/// A raw line of `bureau_managers.csv`.
#[derive(Debug, Deserialize)]
pub struct BureauManagerRecord {
    bureau_ref: String,
    identifier: String,
}

impl RegisterFile for BureauManagerRow {
    const FILE: &'static str = "bureau_managers.csv";
    const COLUMNS: &'static [&'static str] = &["bureau_ref", "identifier"];
    type Record = BureauManagerRecord;
    type Key = NaturalPair;

    fn validate(r: BureauManagerRecord) -> Result<Self, String> {
        let bureau_ref = r.bureau_ref.trim().to_owned();
        let identifier = r.identifier.trim().to_ascii_lowercase();
        if bureau_ref.is_empty() || identifier.is_empty() {
            return Err("bureau_ref and identifier are required".to_owned());
        }
        Ok(Self {
            bureau_ref,
            identifier,
        })
    }

    fn key(&self) -> NaturalPair {
        NaturalPair(self.bureau_ref.clone(), self.identifier.clone())
    }
}

/// A two-part natural key, shown as `first/second` in messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NaturalPair(pub String, pub String);

impl std::fmt::Display for NaturalPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.0, self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(overrides: &[(&str, &str)]) -> MemberRecord {
        let field = |name: &str, default: &str| {
            overrides
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(default, |(_, v)| v)
                .to_owned()
        };
        MemberRecord {
            supra_number: field("supra_number", "0750118"),
            civility: field("civility", "MME"),
            last_name: field("last_name", "D'Artagnan-Lefèvre"),
            first_name: field("first_name", "Hélène"),
            birth_date: field("birth_date", "1984-09-23"),
            registration_year: field("registration_year", "2012"),
            quality_code: field("quality_code", "expert_comptable_salarie"),
            region_code: field("region_code", "paris-ile-de-france"),
            email: field("email", "Helene.Dartagnan@Cabinet.example"),
        }
    }

    #[test]
    fn a_well_formed_member_row_is_normalised() {
        let row = MemberRow::validate(member(&[("civility", "Mme"), ("supra_number", "0750 118")]))
            .expect("valid row");
        assert_eq!(row.supra_number, "0750118");
        assert_eq!(row.civility, "MME");
        assert_eq!(row.last_name, "D'Artagnan-Lefèvre");
        assert_eq!(
            row.birth_date,
            NaiveDate::from_ymd_opt(1984, 9, 23).expect("date")
        );
        assert_eq!(row.email, "helene.dartagnan@cabinet.example");
    }

    #[test]
    fn each_malformed_member_field_is_named_in_the_reason() {
        for (field, value) in [
            ("supra_number", "12AB"),
            ("civility", "Dr"),
            ("last_name", ""),
            ("birth_date", "23/09/1984"),
            ("birth_date", "1984-02-30"),
            ("birth_date", "1850-01-01"),
            ("registration_year", "deux mille"),
            ("registration_year", "1900"),
            ("quality_code", "Expert Comptable"),
            ("email", "helene.at.cabinet"),
        ] {
            let reason = MemberRow::validate(member(&[(field, value)]))
                .expect_err(&format!("{field} = {value:?} must be refused"));
            assert!(reason.starts_with(field), "{reason} should name {field}");
        }
    }

    #[test]
    fn bureaux_need_a_known_inscription_type_and_a_french_postal_code() {
        let record = |inscription_type: &str, postal_code: &str| BureauRecord {
            bureau_ref: "B0000001".into(),
            firm_ref: "F000001".into(),
            region_code: "paris-ile-de-france".into(),
            inscription_type: inscription_type.into(),
            address_line: "18 rue de la Paix".into(),
            postal_code: postal_code.into(),
            city: "Paris".into(),
        };
        let row = BureauRow::validate(record("secondaire", "75002")).expect("valid row");
        assert_eq!(row.inscription_type, "SECONDAIRE");
        assert!(BureauRow::validate(record("ANNEXE", "75002"))
            .expect_err("unknown type")
            .starts_with("inscription_type"));
        assert!(BureauRow::validate(record("PRINCIPAL", "7502"))
            .expect_err("short postal code")
            .starts_with("postal_code"));
    }

    #[test]
    fn campaigns_read_is_open_as_true_or_false() {
        let record = |is_open: &str, year: &str| CampaignRecord {
            region_code: "bretagne".into(),
            year: year.into(),
            is_open: is_open.into(),
        };
        assert!(
            CampaignRow::validate(record("TRUE", "2025"))
                .expect("valid")
                .is_open
        );
        assert!(
            !CampaignRow::validate(record("false", "2025"))
                .expect("valid")
                .is_open
        );
        assert!(CampaignRow::validate(record("oui", "2025")).is_err());
        assert!(CampaignRow::validate(record("true", "1999")).is_err());
    }

    #[test]
    fn references_and_codes_refuse_spaces_and_capitals() {
        assert!(FirmRow::validate(FirmRecord {
            firm_ref: "F 1".into(),
            name: "Cabinet".into()
        })
        .is_err());
        assert!(RegionRow::validate(RegionRecord {
            code: "Mayotte".into(),
            name: "Mayotte".into(),
            position: "25".into()
        })
        .is_err());
        let region = RegionRow::validate(RegionRecord {
            code: "mayotte".into(),
            name: "Mayotte".into(),
            position: "25".into(),
        })
        .expect("valid");
        assert_eq!(region.position, 25);
    }
}
