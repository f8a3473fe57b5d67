//! The mass of the demo register, generated from a fixed seed: the same size, year, regions and
//! qualités always give the same rows, ids included.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use rand::{
    distributions::{Distribution, WeightedIndex},
    rngs::StdRng,
    seq::SliceRandom,
    Rng, SeedableRng,
};

use super::{
    french::{
        self, EMAIL_DOMAINS, FEMALE_FIRST_NAMES, FILE_EMAIL_DOMAINS, LAST_NAMES, MALE_FIRST_NAMES,
    },
    people::{FixedMember, DEMO_FIRM, FIXED_MEMBERS},
    DemoError, DemoSpec,
};
use crate::{
    db::registry::{Bureau, Campaign, Firm, Member, PersonalFile},
    domain::names,
};

/// The seed of every demo register. `StdRng` is reproducible for a given `rand` version, which
/// `Cargo.lock` pins.
const SEED: u64 = 0x00C0_4D47_2026;

/// Generated SUPRA numbers start above every fixed one (`07…`), so they never collide.
const FIRST_SUPRA_NUMBER: u32 = 1_000_000;
/// Generated firms are `F100001`…; the fixed demo firm is `F000001`.
const FIRST_FIRM_NUMBER: u32 = 100_001;
/// Generated bureaux are `B1000001`…; the fixed demo bureaux are `B0000001` and `B0000002`.
const FIRST_BUREAU_NUMBER: u32 = 1_000_001;
/// One firm for this many members.
const MEMBERS_PER_FIRM: usize = 20;

/// Every row of the demo register, ready to insert.
pub struct DemoRegister {
    /// Members, the fixed demo people first.
    pub members: Vec<Member>,
    /// Personal files, one per registered member, in the member's region.
    pub personal_files: Vec<PersonalFile>,
    /// Firms, the fixed demo firm first.
    pub firms: Vec<Firm>,
    /// Bureaux: one PRINCIPAL per firm, some SECONDAIRE.
    pub bureaux: Vec<Bureau>,
    /// Per region: last year's campaign (closed) and this year's (open).
    pub campaigns: Vec<Campaign>,
}

/// The rows of a demo register of `spec.members` generated members plus the fixed demo people.
/// `regions` and `qualities` are the codes the database holds, in a stable order.
pub fn generate(
    spec: &DemoSpec,
    regions: &[String],
    qualities: &[String],
    now: NaiveDateTime,
) -> Result<DemoRegister, DemoError> {
    let mut generator = Generator::new(spec, regions, qualities, now)?;
    let mut register = DemoRegister {
        members: Vec::with_capacity(spec.members + FIXED_MEMBERS.len()),
        personal_files: Vec::with_capacity(spec.members + FIXED_MEMBERS.len()),
        firms: Vec::new(),
        bureaux: Vec::new(),
        campaigns: Vec::new(),
    };
    for fixed in FIXED_MEMBERS {
        generator.push_fixed_member(&mut register, fixed)?;
    }
    for index in 0..spec.members {
        generator.push_member(&mut register, index);
    }
    generator.push_demo_firm(&mut register);
    for index in 0..(spec.members / MEMBERS_PER_FIRM).max(1) {
        generator.push_firm(&mut register, index);
    }
    for region in regions {
        for (year, is_open) in [(spec.campaign_year - 1, false), (spec.campaign_year, true)] {
            let id = generator.id();
            register.campaigns.push(Campaign {
                id,
                region_code: region.clone(),
                year,
                is_open,
                created_at: now,
                updated_at: now,
            });
        }
    }
    Ok(register)
}

struct Generator<'a> {
    rng: StdRng,
    spec: &'a DemoSpec,
    regions: &'a [String],
    region_index: WeightedIndex<u32>,
    qualities: Vec<&'static str>,
    quality_index: WeightedIndex<u32>,
    /// Search keys of the fixed demo people: no generated member may share their name.
    reserved_names: HashSet<String>,
    /// How many times each address was handed out, to number the homonyms' addresses.
    emails: HashMap<String, u32>,
    next_supra_number: u32,
    now: NaiveDateTime,
}

impl<'a> Generator<'a> {
    fn new(
        spec: &'a DemoSpec,
        regions: &'a [String],
        qualities: &[String],
        now: NaiveDateTime,
    ) -> Result<Self, DemoError> {
        let region_index = WeightedIndex::new(regions.iter().map(|r| french::region_weight(r)))
            .map_err(|_| DemoError::MissingReference("no region in the database".into()))?;
        let weighted: Vec<(&'static str, u32)> = french::QUALITY_WEIGHTS
            .iter()
            .copied()
            .filter(|(code, _)| qualities.iter().any(|q| q == code))
            .collect();
        let quality_index = WeightedIndex::new(weighted.iter().map(|(_, w)| *w)).map_err(|_| {
            DemoError::MissingReference("no register qualité in the database".into())
        })?;
        Ok(Self {
            rng: StdRng::seed_from_u64(SEED),
            spec,
            regions,
            region_index,
            qualities: weighted.into_iter().map(|(code, _)| code).collect(),
            quality_index,
            reserved_names: FIXED_MEMBERS
                .iter()
                .map(|m| names::search_key(m.last_name, m.first_name))
                .collect(),
            emails: HashMap::new(),
            next_supra_number: FIRST_SUPRA_NUMBER,
            now,
        })
    }

    /// A UUID drawn from the seeded generator, so that ids are reproducible too.
    fn id(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.gen())
            .into_uuid()
            .to_string()
    }

    fn region(&mut self) -> String {
        self.regions[self.region_index.sample(&mut self.rng)].clone()
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list.choose(&mut self.rng).copied().unwrap_or_default()
    }

    fn push_fixed_member(
        &mut self,
        register: &mut DemoRegister,
        fixed: &FixedMember,
    ) -> Result<(), DemoError> {
        if !self.regions.iter().any(|r| r == fixed.region_code) {
            return Err(DemoError::MissingReference(format!(
                "region {}",
                fixed.region_code
            )));
        }
        let birth_date = NaiveDate::parse_from_str(fixed.birth_date, "%Y-%m-%d").map_err(|e| {
            DemoError::MissingReference(format!("birth date {}: {e}", fixed.birth_date))
        })?;
        let member = Member {
            id: self.id(),
            supra_number: fixed.supra_number.to_owned(),
            civility: fixed.civility.to_owned(),
            last_name: fixed.last_name.to_owned(),
            first_name: fixed.first_name.to_owned(),
            birth_date,
            registration_year: fixed.registration_year,
            quality_code: fixed.quality_code.to_owned(),
            region_code: fixed.region_code.to_owned(),
            email: fixed.email.to_owned(),
            search_key: names::search_key(fixed.last_name, fixed.first_name),
            created_at: self.now,
            updated_at: self.now,
        };
        let file = PersonalFile {
            id: self.id(),
            member_id: member.id.clone(),
            region_code: member.region_code.clone(),
            email: fixed.file_email.to_owned(),
            created_at: self.now,
            updated_at: self.now,
        };
        register.members.push(member);
        register.personal_files.push(file);
        Ok(())
    }

    /// A last name, now and then a double one (`Martin-Lefèvre`).
    fn last_name(&mut self) -> String {
        let first = self.pick(LAST_NAMES);
        if self.rng.gen_ratio(1, 20) {
            let second = self.pick(LAST_NAMES);
            if second != first {
                return format!("{first}-{second}");
            }
        }
        first.to_owned()
    }

    fn push_member(&mut self, register: &mut DemoRegister, index: usize) {
        let female = self.rng.gen_bool(0.5);
        let (civility, first_names) = if female {
            ("MME", FEMALE_FIRST_NAMES)
        } else {
            ("M", MALE_FIRST_NAMES)
        };
        let (first_name, last_name, search_key) = loop {
            let first_name = self.pick(first_names);
            let last_name = self.last_name();
            let key = names::search_key(&last_name, first_name);
            if !self.reserved_names.contains(&key) {
                break (first_name.to_owned(), last_name, key);
            }
        };
        let quality_code = self.qualities[self.quality_index.sample(&mut self.rng)];
        let region_code = self.region();
        let (birth_date, registration_year) = self.life_dates(quality_code);
        // Register numbers grow with irregular gaps, as numbers freed over the years leave holes.
        self.next_supra_number += self.rng.gen_range(1..=9);
        let domain = self.pick(EMAIL_DOMAINS);
        let email = self.email(&first_name, &last_name, domain);
        let member = Member {
            id: self.id(),
            supra_number: format!("{:07}", self.next_supra_number),
            civility: civility.to_owned(),
            last_name,
            first_name,
            birth_date,
            registration_year,
            quality_code: quality_code.to_owned(),
            region_code,
            email,
            search_key,
            created_at: self.now,
            updated_at: self.now,
        };
        // Graduates not on the register and the Ordre's staff pay no personal contribution.
        if !matches!(quality_code, "diplome_non_inscrit" | "permanent") {
            // One file in fifteen still holds another address: the portal's email-conflict case.
            let file_email = if index % 15 == 7 {
                let domain = self.pick(FILE_EMAIL_DOMAINS);
                self.email(&member.first_name, &member.last_name, domain)
            } else {
                member.email.clone()
            };
            register.personal_files.push(PersonalFile {
                id: self.id(),
                member_id: member.id.clone(),
                region_code: member.region_code.clone(),
                email: file_email,
                created_at: self.now,
                updated_at: self.now,
            });
        }
        register.members.push(member);
    }

    /// A birth date and a year of inscription that fit the qualité.
    fn life_dates(&mut self, quality_code: &str) -> (NaiveDate, i32) {
        let year = self.spec.campaign_year;
        let (oldest, youngest) = match quality_code {
            "stagiaire" => (32, 23),
            "memorialiste" => (36, 25),
            "expert_comptable_honoraire" => (88, 67),
            "diplome_non_inscrit" => (50, 25),
            _ => (66, 28),
        };
        let birth_year = self.rng.gen_range(year - oldest..=year - youngest);
        let day = self.rng.gen_range(1..=365);
        let birth_date = NaiveDate::from_yo_opt(birth_year, day).unwrap_or_default();
        let registration_year = match quality_code {
            "stagiaire" => year - self.rng.gen_range(1..=3),
            "memorialiste" => year - self.rng.gen_range(3..=6),
            _ => (birth_year + self.rng.gen_range(24..=33)).clamp(1945, year - 1),
        };
        (birth_date, registration_year)
    }

    /// `prenom.nom@domain`, numbered from the second homonym on (`marie.martin2@…`).
    fn email(&mut self, first_name: &str, last_name: &str, domain: &str) -> String {
        let local = format!("{}.{}", email_word(first_name), email_word(last_name));
        let count = self.emails.entry(format!("{local}@{domain}")).or_insert(0);
        *count += 1;
        if *count == 1 {
            format!("{local}@{domain}")
        } else {
            format!("{local}{count}@{domain}")
        }
    }

    fn push_demo_firm(&mut self, register: &mut DemoRegister) {
        let firm_id = self.id();
        register.firms.push(Firm {
            id: firm_id.clone(),
            firm_ref: DEMO_FIRM.firm_ref.to_owned(),
            name: DEMO_FIRM.name.to_owned(),
            created_at: self.now,
            updated_at: self.now,
        });
        for bureau in DEMO_FIRM.bureaux {
            let id = self.id();
            register.bureaux.push(Bureau {
                id,
                bureau_ref: bureau.bureau_ref.to_owned(),
                firm_id: firm_id.clone(),
                region_code: bureau.region_code.to_owned(),
                inscription_type: bureau.inscription_type.to_owned(),
                address_line: bureau.address_line.to_owned(),
                postal_code: bureau.postal_code.to_owned(),
                city: bureau.city.to_owned(),
                created_at: self.now,
                updated_at: self.now,
            });
        }
    }

    fn push_firm(&mut self, register: &mut DemoRegister, index: usize) {
        let home_region = self.region();
        let (_, home_city) = self.pick_place(&home_region);
        let pattern = self.pick(french::FIRM_NAME_PATTERNS);
        let name = pattern
            .replace("{L}", self.pick(LAST_NAMES))
            .replace("{M}", self.pick(LAST_NAMES))
            .replace("{C}", home_city);
        let firm_id = self.id();
        register.firms.push(Firm {
            id: firm_id.clone(),
            firm_ref: format!("F{:06}", FIRST_FIRM_NUMBER as usize + index),
            name,
            created_at: self.now,
            updated_at: self.now,
        });
        let secondaries = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3]
            .choose(&mut self.rng)
            .copied()
            .unwrap_or(0);
        for position in 0..=secondaries {
            let (region_code, inscription_type) = if position == 0 {
                (home_region.clone(), "PRINCIPAL")
            } else if self.rng.gen_ratio(7, 10) {
                (home_region.clone(), "SECONDAIRE")
            } else {
                (self.region(), "SECONDAIRE")
            };
            let (postal_code, city) = self.pick_place(&region_code);
            let number = self.rng.gen_range(1..=180);
            let bis = if self.rng.gen_ratio(1, 20) {
                " bis"
            } else {
                ""
            };
            let street = self.pick(french::STREETS);
            let generated = register.bureaux.len() - DEMO_FIRM.bureaux.len();
            let bureau_number = FIRST_BUREAU_NUMBER as usize + generated;
            let id = self.id();
            register.bureaux.push(Bureau {
                id,
                bureau_ref: format!("B{bureau_number:07}"),
                firm_id: firm_id.clone(),
                region_code,
                inscription_type: inscription_type.to_owned(),
                address_line: format!("{number}{bis} {street}"),
                postal_code: postal_code.to_owned(),
                city: city.to_owned(),
                created_at: self.now,
                updated_at: self.now,
            });
        }
    }

    fn pick_place(&mut self, region_code: &str) -> (&'static str, &'static str) {
        french::places(region_code)
            .choose(&mut self.rng)
            .copied()
            .unwrap_or(("75001", "Paris"))
    }
}

/// A name as it appears in an address: folded, spaces and hyphens as `-`, apostrophes dropped
/// (`Le Bihan` → `le-bihan`, `N'Diaye` → `ndiaye`).
fn email_word(name: &str) -> String {
    let mut word = String::with_capacity(name.len());
    for c in names::fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if matches!(c, ' ' | '-') && !word.ends_with('-') {
            word.push('-');
        }
    }
    word.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_words_fold_accents_and_drop_apostrophes() {
        assert_eq!(email_word("Le Bihan"), "le-bihan");
        assert_eq!(email_word("N'Diaye"), "ndiaye");
        assert_eq!(email_word("Jean-Baptiste"), "jean-baptiste");
        assert_eq!(email_word("Œuvrard"), "oeuvrard");
    }
}
