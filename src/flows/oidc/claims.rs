//! What a relying party learns about the user, by the scopes it was granted (OpenID Connect
//! Core §5.4): `profile` (names and the identifier), `email`, and the Ordre's own `ordre`
//! (SUPRA number, qualité, regions). The same claims go in the ID token and `/oauth2/userinfo`.

use diesel::QueryResult;
use serde_json::{json, Map, Value};

use crate::db::{
    accounts::Account,
    portal::{self, Viewer},
    reference::Quality,
    registry::Member,
    DbConnection,
};

/// The user's claims for `scopes`, without `sub` (the caller sets it).
pub fn user_claims(
    conn: &mut DbConnection,
    account: &Account,
    scopes: &[&str],
) -> QueryResult<Map<String, Value>> {
    let mut claims = Map::new();
    if scopes.contains(&"profile") {
        claims.insert(
            "name".into(),
            json!(format!("{} {}", account.first_name, account.last_name)),
        );
        claims.insert("given_name".into(), json!(account.first_name));
        claims.insert("family_name".into(), json!(account.last_name));
        // The identifier a person signs in with: theirs to see, never the subject.
        claims.insert("preferred_username".into(), json!(account.identifier));
    }
    if scopes.contains(&"email") {
        claims.insert("email".into(), json!(account.email));
        // An account is activated from the link sent to its address, and an address changes
        // only through a link sent to the new one.
        claims.insert(
            "email_verified".into(),
            json!(account.activated_at.is_some()),
        );
    }
    if scopes.contains(&"ordre") {
        claims.insert("ordre".into(), ordre_claim(conn, account)?);
    }
    Ok(claims)
}

/// What the Ordre knows of a user, for the `ordre` claim and the CAS attributes.
pub struct OrdreFacts {
    /// From the register of members (none for an "Autre profil" account).
    pub supra_number: Option<String>,
    pub quality_code: String,
    pub quality_label: Option<String>,
    /// Where the user has a file or bureaux to manage, by code.
    pub regions: Vec<String>,
}

/// `{supra_number, qualite: {code, label}, regions}`.
fn ordre_claim(conn: &mut DbConnection, account: &Account) -> QueryResult<Value> {
    let facts = ordre_facts(conn, account)?;
    Ok(json!({
        "supra_number": facts.supra_number,
        "qualite": {
            "code": facts.quality_code,
            "label": facts.quality_label,
        },
        "regions": facts.regions,
    }))
}

/// The member's register entry and the regions where the user has a file or bureaux.
pub fn ordre_facts(conn: &mut DbConnection, account: &Account) -> QueryResult<OrdreFacts> {
    let member = match &account.member_id {
        Some(id) => Member::find(conn, id)?,
        None => None,
    };
    let quality = Quality::find(conn, &account.quality_code)?;
    let viewer = Viewer {
        account_id: account.id.clone(),
        member_id: account.member_id.clone(),
    };
    let visible = portal::visible_bureau_ids(conn, &viewer)?;
    let mut regions: Vec<String> = portal::bureau_counts_by_region(conn, &visible)?
        .into_keys()
        .collect();
    if let Some(member) = &member {
        regions.push(member.region_code.clone());
        regions.extend(portal::personal_file_regions(conn, &member.id)?);
    }
    regions.sort();
    regions.dedup();
    Ok(OrdreFacts {
        supra_number: member.map(|m| m.supra_number),
        quality_code: account.quality_code.clone(),
        quality_label: quality.map(|q| q.label_fr),
        regions,
    })
}
