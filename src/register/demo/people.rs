//! The fixed people of the demo, whose values the README lists: a member with an account, a RAC
//! with an account, the Ordre's staff (support, a council of Paris Île-de-France, an
//! administrator), and a member without one for a newcomer to walk the registration.

use diesel::prelude::*;

use super::DemoError;
use crate::{
    auth::password,
    db::{registry::Member, schema::accounts, staff::StaffRole, DbConnection},
    domain::states::StaffRoleKind,
};

/// The password of every demo account (digit and special character: the guide's policy).
pub const DEMO_PASSWORD: &str = "Demo-2026!";
/// The identifier of the demo member's account (first initial + last name, as for every member).
pub const MEMBER_IDENTIFIER: &str = "mdurand";
/// The identifier the demo RAC chose on the "Autre profil" form.
pub const RAC_IDENTIFIER: &str = "rac.demo";

/// A staff member of the demo.
pub struct DemoStaff {
    pub identifier: &'static str,
    pub civility: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub role: StaffRoleKind,
    /// The region of a council role.
    pub region: Option<&'static str>,
}

/// The demo's staff of the Ordre (README, "Staff"): a support agent, a council member for Paris
/// Île-de-France and an administrator.
pub const STAFF: [DemoStaff; 3] = [
    DemoStaff {
        identifier: "support.demo",
        civility: "MME",
        first_name: "Sophie",
        last_name: "Garnier",
        email: "sophie.garnier@ordre-support.example",
        role: StaffRoleKind::Support,
        region: None,
    },
    DemoStaff {
        identifier: "conseil.paris.demo",
        civility: "M",
        first_name: "Thomas",
        last_name: "Lemaire",
        email: "thomas.lemaire@croec-paris.example",
        role: StaffRoleKind::Council,
        region: Some("paris-ile-de-france"),
    },
    DemoStaff {
        identifier: "admin.demo",
        civility: "MME",
        first_name: "Nadia",
        last_name: "Benali",
        email: "nadia.benali@ordre-admin.example",
        role: StaffRoleKind::Administrator,
        region: None,
    },
];

/// The region of the demo people and of the demo firm's main bureau.
pub const DEMO_REGION: &str = "paris-ile-de-france";

/// A member of the register whose every value is fixed and documented.
pub struct FixedMember {
    /// SUPRA number; below the generated ones, which start at 1000000.
    pub supra_number: &'static str,
    /// `M` or `MME`.
    pub civility: &'static str,
    /// Last name.
    pub last_name: &'static str,
    /// First name.
    pub first_name: &'static str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'static str,
    /// Year of inscription.
    pub registration_year: i32,
    /// Qualité code.
    pub quality_code: &'static str,
    /// Region code.
    pub region_code: &'static str,
    /// The register's address.
    pub email: &'static str,
    /// The address on the regional personal file.
    pub file_email: &'static str,
}

/// Marie Durand: expert-comptable with an active account `mdurand`. Her Paris file still holds
/// the firm's generic address, so her first visit to the portal shows the email-conflict choice.
pub const MARIE_DURAND: FixedMember = FixedMember {
    supra_number: "0750118",
    civility: "MME",
    last_name: "Durand",
    first_name: "Marie",
    birth_date: "1978-04-12",
    registration_year: 2006,
    quality_code: "expert_comptable_independant",
    region_code: DEMO_REGION,
    email: "marie.durand@cabinet-durand.example",
    file_email: "contact@cabinet-durand.example",
};

/// Hélène D'Artagnan-Lefèvre: on the register, no account yet, for the registration walk-through.
pub const NEWCOMER: FixedMember = FixedMember {
    supra_number: "0750342",
    civility: "MME",
    last_name: "D'Artagnan-Lefèvre",
    first_name: "Hélène",
    birth_date: "1984-09-23",
    registration_year: 2012,
    quality_code: "expert_comptable_salarie",
    region_code: DEMO_REGION,
    email: "helene.dartagnan-lefevre@cabinet-durand.example",
    file_email: "helene.dartagnan-lefevre@cabinet-durand.example",
};

/// The fixed members, in insertion order.
pub const FIXED_MEMBERS: &[FixedMember] = &[MARIE_DURAND, NEWCOMER];

/// A bureau of the demo firm.
pub struct FixedBureau {
    /// "Ref établissement".
    pub bureau_ref: &'static str,
    /// Region code.
    pub region_code: &'static str,
    /// `PRINCIPAL` or `SECONDAIRE`.
    pub inscription_type: &'static str,
    /// Street address.
    pub address_line: &'static str,
    /// Postal code.
    pub postal_code: &'static str,
    /// City.
    pub city: &'static str,
}

/// The demo firm and its bureaux.
pub struct FixedFirm {
    /// Firm reference; generated firms start at `F100001`.
    pub firm_ref: &'static str,
    /// Company name.
    pub name: &'static str,
    /// Its bureaux; generated ones start at `B1000001`.
    pub bureaux: &'static [FixedBureau],
}

/// Marie Durand's firm, where the demo RAC works: a main bureau in Paris and one in Lyon.
pub const DEMO_FIRM: FixedFirm = FixedFirm {
    firm_ref: "F000001",
    name: "Cabinet Durand & Associés",
    bureaux: &[
        FixedBureau {
            bureau_ref: "B0000001",
            region_code: DEMO_REGION,
            inscription_type: "PRINCIPAL",
            address_line: "42 rue du Faubourg Saint-Honoré",
            postal_code: "75008",
            city: "Paris",
        },
        FixedBureau {
            bureau_ref: "B0000002",
            region_code: "rhone-alpes",
            inscription_type: "SECONDAIRE",
            address_line: "15 quai Saint-Antoine",
            postal_code: "69002",
            city: "Lyon",
        },
    ],
};

/// An account as the demo inserts it; `None` is stored as NULL (not as a column default).
#[derive(Insertable)]
#[diesel(table_name = accounts, treat_none_as_default_value = false)]
struct DemoAccount<'a> {
    id: String,
    identifier: &'a str,
    email: &'a str,
    quality_code: &'a str,
    member_id: Option<String>,
    civility: &'a str,
    last_name: &'a str,
    first_name: &'a str,
    phone: Option<&'a str>,
    address: Option<&'a str>,
    city: Option<&'a str>,
    postal_code: Option<&'a str>,
    birth_year: Option<i32>,
    accepts_communications: bool,
    password_hash: Option<String>,
    status: &'a str,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    activated_at: Option<chrono::NaiveDateTime>,
}

/// Inserts the active demo accounts: Marie Durand's (a member), the RAC's ("Autre profil") and
/// the three staff members' with their roles. Returns how many were inserted.
pub fn insert_accounts(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<usize, DemoError> {
    let marie =
        Member::find_by_supra_number(conn, MARIE_DURAND.supra_number)?.ok_or_else(|| {
            DemoError::MissingReference(format!("member {}", MARIE_DURAND.supra_number))
        })?;
    let hash = || password::hash(DEMO_PASSWORD).map_err(|e| DemoError::PasswordHash(e.to_string()));
    let member_account = DemoAccount {
        id: uuid::Uuid::now_v7().to_string(),
        identifier: MEMBER_IDENTIFIER,
        email: MARIE_DURAND.email,
        quality_code: MARIE_DURAND.quality_code,
        member_id: Some(marie.id),
        civility: MARIE_DURAND.civility,
        last_name: MARIE_DURAND.last_name,
        first_name: MARIE_DURAND.first_name,
        phone: None,
        address: None,
        city: None,
        postal_code: None,
        birth_year: None,
        accepts_communications: false,
        password_hash: Some(hash()?),
        status: "active",
        created_at: now,
        updated_at: now,
        activated_at: Some(now),
    };
    let rac_account = DemoAccount {
        id: uuid::Uuid::now_v7().to_string(),
        identifier: RAC_IDENTIFIER,
        email: "camille.rousseau@cabinet-durand.example",
        quality_code: "autre_profil",
        member_id: None,
        civility: "MME",
        last_name: "Rousseau",
        first_name: "Camille",
        phone: Some("0142681234"),
        address: Some("42 rue du Faubourg Saint-Honoré"),
        city: Some("Paris"),
        postal_code: Some("75008"),
        birth_year: Some(1985),
        accepts_communications: true,
        password_hash: Some(hash()?),
        status: "active",
        created_at: now,
        updated_at: now,
        activated_at: Some(now),
    };
    let mut inserted = 0;
    for account in [member_account, rac_account] {
        inserted += diesel::insert_into(accounts::table)
            .values(&account)
            .execute(conn)?;
    }
    // One hash for the three staff accounts: the same password, and the demo's start is not
    // slowed by three more Argon2id runs.
    let staff_hash = hash()?;
    for DemoStaff {
        identifier,
        civility,
        first_name,
        last_name,
        email,
        role,
        region,
    } in STAFF
    {
        let account = DemoAccount {
            id: uuid::Uuid::now_v7().to_string(),
            identifier,
            email,
            quality_code: "autre_profil",
            member_id: None,
            civility,
            last_name,
            first_name,
            phone: None,
            address: None,
            city: None,
            postal_code: None,
            birth_year: None,
            accepts_communications: false,
            password_hash: Some(staff_hash.clone()),
            status: "active",
            created_at: now,
            updated_at: now,
            activated_at: Some(now),
        };
        inserted += diesel::insert_into(accounts::table)
            .values(&account)
            .execute(conn)?;
        StaffRole::grant(conn, &account.id, role, region, "operator", now)?;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{identifier::Identifier, names};

    #[test]
    fn the_member_identifier_follows_the_rule_for_members() {
        assert_eq!(
            names::identifier_base(MARIE_DURAND.first_name, MARIE_DURAND.last_name),
            MEMBER_IDENTIFIER
        );
        assert!(Identifier::parse(RAC_IDENTIFIER).is_ok());
    }

    #[test]
    fn the_fixed_supra_numbers_sit_below_the_generated_ones() {
        for member in FIXED_MEMBERS {
            assert!(member
                .supra_number
                .parse::<u32>()
                .is_ok_and(|n| n < 1_000_000));
        }
    }
}
