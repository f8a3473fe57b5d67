//! What every credential an account enrols to sign in (an Expertpass device, a Signexpert
//! certificate) is asked the same way: its table has `id`, `account_id`, `created_at` and
//! `last_used_at`, is listed and counted per account, removed only by its owner and stamped when
//! used. One definition keeps the ownership rule of removal the same for both.

/// What enrolling a credential did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolment {
    Enrolled,
    /// Its account holds `MAX_PER_ACCOUNT` of them already.
    LimitReached,
    /// It is enrolled already, on this account or another.
    AlreadyEnrolled,
}

/// Implements `enrol`, `list`, `count`, `delete_owned` and `touch` on `$model` over `$table`.
macro_rules! enrolled_credential {
    ($model:ident, $table:ident, $noun:literal) => {
        impl $model {
            #[doc = concat!("Enrols a ", $noun, " unless its account holds `MAX_PER_ACCOUNT` already or it is enrolled anywhere.")]
            pub fn enrol(
                conn: &mut DbConnection,
                row: &$model,
            ) -> QueryResult<$crate::db::credentials::Enrolment> {
                use $crate::db::credentials::Enrolment;
                if Self::count(conn, &row.account_id)? >= Self::MAX_PER_ACCOUNT {
                    return Ok(Enrolment::LimitReached);
                }
                // In a savepoint: on PostgreSQL a failed statement would abort the transaction.
                let inserted = conn.transaction(|conn| {
                    diesel::insert_into($table::table).values(row).execute(conn)
                });
                match inserted {
                    Ok(_) => Ok(Enrolment::Enrolled),
                    Err(e) if $crate::db::is_unique_violation(&e) => Ok(Enrolment::AlreadyEnrolled),
                    Err(e) => Err(e),
                }
            }

            #[doc = concat!("The account's ", $noun, "s, oldest enrolment first.")]
            pub fn list(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<Self>> {
                $table::table
                    .filter($table::account_id.eq(account_id))
                    .order(($table::created_at, $table::id))
                    .select(Self::as_select())
                    .load(conn)
            }

            #[doc = concat!("How many ", $noun, "s the account has.")]
            pub fn count(conn: &mut DbConnection, account_id: &str) -> QueryResult<i64> {
                $table::table
                    .filter($table::account_id.eq(account_id))
                    .count()
                    .get_result(conn)
            }

            #[doc = concat!("Removes one of the account's ", $noun, "s and returns it; `None` when it is not one of them.")]
            pub fn delete_owned(
                conn: &mut DbConnection,
                account_id: &str,
                id: &str,
            ) -> QueryResult<Option<Self>> {
                let owned = $table::table
                    .find(id)
                    .filter($table::account_id.eq(account_id))
                    .select(Self::as_select())
                    .first(conn)
                    .optional()?;
                if owned.is_some() {
                    diesel::delete($table::table.find(id)).execute(conn)?;
                }
                Ok(owned)
            }

            #[doc = concat!("Records that the ", $noun, " was just used to sign in or to decide.")]
            pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
                diesel::update($table::table.find(id))
                    .set($table::last_used_at.eq(now))
                    .execute(conn)
                    .map(|_| ())
            }
        }
    };
}

pub(crate) use enrolled_credential;
