//! ComptExpert accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::accounts, DbConnection};

/// Account status: waiting for its owner to set a password, or usable.
pub mod status {
    /// Created; the activation link has not been used yet.
    pub const PENDING: &str = "pending";
    /// A password is set; the account can sign in.
    pub const ACTIVE: &str = "active";
}

/// A ComptExpert account.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: String,
    /// How the owner signs in; never changes, never the email.
    pub identifier: String,
    pub email: String,
    pub quality_code: String,
    /// The register entry of a member; `None` for "Autre profil" (RAC) accounts.
    pub member_id: Option<String>,
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub birth_year: Option<i32>,
    pub accepts_communications: bool,
    pub password_hash: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub activated_at: Option<NaiveDateTime>,
}

impl Account {
    /// "Madame Marie DURAND": how emails greet the owner.
    pub fn greeting_name(&self) -> String {
        let title = if self.civility == "MME" {
            "Madame"
        } else {
            "Monsieur"
        };
        format!(
            "{title} {} {}",
            self.first_name,
            self.last_name.to_uppercase()
        )
    }

    /// True once a password is set.
    pub fn is_active(&self) -> bool {
        self.status == status::ACTIVE
    }

    /// Inserts a new account.
    pub fn insert(conn: &mut DbConnection, account: &Account) -> QueryResult<()> {
        diesel::insert_into(accounts::table)
            .values(account)
            .execute(conn)
            .map(|_| ())
    }

    /// One account by id.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        accounts::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The account of the session a refresh token (its digest) belongs to.
    pub fn find_by_refresh_token(
        conn: &mut DbConnection,
        token_hash: &str,
    ) -> QueryResult<Option<Self>> {
        use super::schema::{refresh_tokens, sessions};
        refresh_tokens::table
            .inner_join(sessions::table.inner_join(accounts::table))
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One account by identifier (identifiers are stored lowercase).
    pub fn find_by_identifier(
        conn: &mut DbConnection,
        identifier: &str,
    ) -> QueryResult<Option<Self>> {
        accounts::table
            .filter(accounts::identifier.eq(identifier.trim().to_ascii_lowercase()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The account of a register member, if one was created.
    pub fn find_by_member(conn: &mut DbConnection, member_id: &str) -> QueryResult<Option<Self>> {
        accounts::table
            .filter(accounts::member_id.eq(member_id))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Every account using this (lowercase) email address, oldest first.
    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Vec<Self>> {
        accounts::table
            .filter(accounts::email.eq(email))
            .order(accounts::created_at)
            .select(Self::as_select())
            .load(conn)
    }

    /// Makes `email` the account's address (a confirmed email change).
    pub fn set_email(
        conn: &mut DbConnection,
        id: &str,
        email: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(accounts::table.find(id))
            .set((accounts::email.eq(email), accounts::updated_at.eq(now)))
            .execute(conn)
            .map(|_| ())
    }

    /// Writes the profile fields of `changed` (civility, names, contact details, birth year,
    /// consent) over the stored account, as of `now`. The identifier, email, password and status
    /// have their own writes.
    pub fn update_profile(
        conn: &mut DbConnection,
        changed: &Account,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(accounts::table.find(&changed.id))
            .set((
                accounts::civility.eq(&changed.civility),
                accounts::last_name.eq(&changed.last_name),
                accounts::first_name.eq(&changed.first_name),
                accounts::phone.eq(&changed.phone),
                accounts::address.eq(&changed.address),
                accounts::city.eq(&changed.city),
                accounts::postal_code.eq(&changed.postal_code),
                accounts::birth_year.eq(changed.birth_year),
                accounts::accepts_communications.eq(changed.accepts_communications),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// The identifiers already taken among `candidates`.
    pub fn taken_identifiers(
        conn: &mut DbConnection,
        candidates: &[String],
    ) -> QueryResult<Vec<String>> {
        accounts::table
            .filter(accounts::identifier.eq_any(candidates))
            .select(accounts::identifier)
            .load(conn)
    }

    /// Replaces the hash that a sign-in just verified by a stronger one of the same password, only
    /// while it is still the stored one: a reset or a change landing in between keeps its own hash.
    /// Returns whether the upgrade was written.
    pub fn upgrade_password_hash(
        conn: &mut DbConnection,
        id: &str,
        verified_hash: &str,
        new_hash: &str,
    ) -> QueryResult<bool> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::password_hash.eq(verified_hash)),
        )
        .set(accounts::password_hash.eq(new_hash))
        .execute(conn)
        .map(|updated| updated == 1)
    }

    /// Sets a new password hash; activates a pending account.
    pub fn set_password(
        conn: &mut DbConnection,
        id: &str,
        password_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        let account = accounts::table
            .find(id)
            .select(Self::as_select())
            .first(conn)?;
        let activated_at = account.activated_at.or(Some(now));
        diesel::update(accounts::table.find(id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::status.eq(status::ACTIVE),
                accounts::activated_at.eq(activated_at),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }
}
