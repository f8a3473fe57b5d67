//! A regional council's work on the contributions of its region through the API
//! (`/v1/staff/regions/{code}/…`), role `council` for that region: campaigns and their dates,
//! the region's barème (also open to administrators), bureau grants to RACs, the bureaux with
//! their balances and declaration progress, transfers received, refunds and credits, the refused
//! payment notifications, exports and the campaign summary.
//!
//! Every write runs in one transaction with its audit record, and tells the portal's caches of
//! the region that its figures moved. A region the caller does not hold is 404, as if it did not
//! exist.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::{Actor, Need, Staff};
use crate::{
    context::ApiContext,
    contributions::scale::{self, ScaleImportError},
    db::{
        self,
        accounts::Account,
        council::{self as stored, CampaignDates, CouncilEntry, LedgerLine, RefusedEvent},
        payments::Payment,
        portal::{self, BureauFigures, Manager},
        registry::{Bureau, Campaign, Firm},
        scales::{ScaleRow, Upserted},
        versions::Touched,
        DbConnection, LockTarget,
    },
    domain::{
        money::MAX_PAYMENT_CENTS,
        states::{LedgerEntryKind, PaymentStatus},
    },
    error::{ApiError, ErrorCode, FieldIssue},
    i18n::Text,
    payments,
};

/// The `reference` of the entries a council books, by what they are.
pub mod references {
    pub const REFUND: &str = "council_refund";
    pub const CREDIT: &str = "council_credit";
    pub const TRANSFER_RECEIVED: &str = "transfer_received";
}

/// At most this many refused notifications per list.
pub const EVENTS_LIMIT: i64 = 200;

/// What a council books on a bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booking {
    /// Money given back to the payer: the balance grows by the amount.
    Refund,
    /// An amount the council forgives (an avoir): what is called shrinks by the amount.
    Credit,
    /// A bank transfer received that no payment of the portal announced.
    TransferReceived,
}

impl Booking {
    fn kind(self) -> LedgerEntryKind {
        match self {
            Booking::Refund => LedgerEntryKind::Refund,
            Booking::Credit => LedgerEntryKind::ChargeCancellation,
            Booking::TransferReceived => LedgerEntryKind::Payment,
        }
    }

    fn reference(self) -> &'static str {
        match self {
            Booking::Refund => references::REFUND,
            Booking::Credit => references::CREDIT,
            Booking::TransferReceived => references::TRANSFER_RECEIVED,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Booking::Refund => "ledger.refund_booked",
            Booking::Credit => "ledger.credit_booked",
            Booking::TransferReceived => "ledger.transfer_recorded",
        }
    }
}

/// A bureau of the region with its figures for the campaign.
#[derive(Debug, Clone)]
pub struct BureauLine {
    pub bureau: Bureau,
    pub firm: Firm,
    pub figures: BureauFigures,
    /// Persons attached for the campaign.
    pub persons: i64,
}

/// A bureau with its ledger.
#[derive(Debug, Clone)]
pub struct BureauAccount {
    pub line: BureauLine,
    pub campaign: Campaign,
    pub ledger: Vec<LedgerLine>,
    pub managers: Vec<Manager>,
}

/// The campaign summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignSummary {
    pub bureaux: i64,
    /// Bureaux with every attached person declared.
    pub declared: i64,
    /// Bureaux with something called and nothing left to pay.
    pub paid: i64,
    /// Bureaux that still owe something.
    pub outstanding: i64,
    pub called_cents: i64,
    /// Received less refunded.
    pub paid_cents: i64,
    /// What the bureaux that owe still owe (credits of others not netted).
    pub outstanding_cents: i64,
    /// Reserved by payments not confirmed yet.
    pub pending_cents: i64,
}

/// Runs `read` for a council of `region_code` (404 for anyone else).
async fn as_council<T, F>(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    read: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &str) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::CouncilOf(&region_code), now)?;
            read(conn, &region_code)
        })
        .await
}

/// Runs `write` for a council of `region_code` in one durable transaction, which `write` fills
/// with its audit record and the caches it empties.
async fn council_write<T, F>(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    write: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Touched, &Staff, &str, NaiveDateTime) -> Result<T, ApiError>
        + Send
        + 'static,
    T: Send + 'static,
{
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let staff = Staff::require(conn, &actor, Need::CouncilOf(&region_code), now)?;
                write(conn, touched, &staff, &region_code, now)
            })
        })
        .await
}

/// An amount and a reason of money a council books: 422 naming each field out of range.
fn check_booking(amount_cents: i64, reason: &str) -> Result<(), ApiError> {
    let issues: Vec<FieldIssue> = [amount_issue(amount_cents), reason_issue(reason)]
        .into_iter()
        .flatten()
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(issues))
    }
}

fn reason_issue(reason: &str) -> Option<FieldIssue> {
    let length = reason.trim().chars().count();
    (length == 0 || length > 500).then(|| {
        FieldIssue::new(
            "reason",
            "length",
            Text::new(
                "Indiquez un motif de 1 à 500 caractères.",
                "Give a reason of 1 to 500 characters.",
            ),
        )
    })
}

fn amount_issue(amount_cents: i64) -> Option<FieldIssue> {
    (amount_cents <= 0 || amount_cents > MAX_PAYMENT_CENTS).then(|| {
        FieldIssue::new(
            "amount_cents",
            "range",
            Text::owned(
                format!("Le montant va de 1 à {MAX_PAYMENT_CENTS} centimes."),
                format!("The amount is from 1 to {MAX_PAYMENT_CENTS} cents."),
            ),
        )
    })
}

/// The region's campaign of `year`, or its current one.
fn campaign(
    conn: &mut DbConnection,
    region_code: &str,
    year: Option<i32>,
) -> Result<Campaign, ApiError> {
    let found = match year {
        Some(year) => campaign_of_year(conn, region_code, year)?,
        None => portal::current_campaign(conn, region_code)?,
    };
    found.ok_or_else(|| ApiError::of(ErrorCode::CampaignNotFound))
}

fn campaign_of_year(
    conn: &mut DbConnection,
    region_code: &str,
    year: i32,
) -> diesel::QueryResult<Option<Campaign>> {
    use crate::db::schema::campaigns;
    use diesel::prelude::*;
    campaigns::table
        .filter(campaigns::region_code.eq(region_code))
        .filter(campaigns::year.eq(year))
        .select(Campaign::as_select())
        .first(conn)
        .optional()
}

fn lines(
    conn: &mut DbConnection,
    campaign_id: &str,
    found: Vec<(Bureau, Firm)>,
) -> Result<Vec<BureauLine>, ApiError> {
    let ids: Vec<String> = found.iter().map(|(b, _)| b.id.clone()).collect();
    let mut figures = portal::bureau_figures(conn, campaign_id, &ids)?;
    let mut persons = attached_counts(conn, campaign_id, &ids)?;
    Ok(found
        .into_iter()
        .map(|(bureau, firm)| BureauLine {
            figures: figures.remove(&bureau.id).unwrap_or_default(),
            persons: persons.remove(&bureau.id).unwrap_or(0),
            bureau,
            firm,
        })
        .collect())
}

fn attached_counts(
    conn: &mut DbConnection,
    campaign_id: &str,
    ids: &[String],
) -> diesel::QueryResult<std::collections::HashMap<String, i64>> {
    use crate::db::schema::attachments;
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    let rows: Vec<(String, i64)> = attachments::table
        .filter(attachments::campaign_id.eq(campaign_id))
        .filter(attachments::bureau_id.eq_any(ids))
        .group_by(attachments::bureau_id)
        .select((attachments::bureau_id, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn bureau(
    conn: &mut DbConnection,
    region_code: &str,
    bureau_ref: &str,
) -> Result<(Bureau, Firm), ApiError> {
    stored::bureau_of_region(conn, region_code, bureau_ref)?
        .ok_or_else(|| ApiError::of(ErrorCode::BureauNotFound))
}

fn campaign_json(c: &CampaignDates) -> serde_json::Value {
    json!({"year": c.year, "is_open": c.is_open, "opens_on": c.opens_on, "closes_on": c.closes_on})
}

/// The region's campaigns, newest first.
pub async fn campaigns(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
) -> Result<Vec<CampaignDates>, ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        Ok(CampaignDates::of_region(conn, region_code)?)
    })
    .await
}

/// Opens, closes or dates the campaign of `year` (created when the region has none for that
/// year). Opening a campaign whose barème is loaded calls the fixed part of every bureau.
pub async fn put_campaign(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: i32,
    is_open: bool,
    opens_on: Option<NaiveDate>,
    closes_on: Option<NaiveDate>,
) -> Result<CampaignDates, ApiError> {
    let mut issues = Vec::new();
    // The latest year is the portal's current campaign: a mistyped far year would take its place.
    let this_year = chrono::Datelike::year(&ctx.clock.now().date());
    let years = (this_year - 5)..=(this_year + 1);
    if !years.contains(&year) {
        issues.push(FieldIssue::new(
            "year",
            "range",
            Text::owned(
                format!(
                    "L'année de campagne va de {} à {}.",
                    years.start(),
                    years.end()
                ),
                format!(
                    "The campaign year is from {} to {}.",
                    years.start(),
                    years.end()
                ),
            ),
        ));
    }
    if let (Some(opens), Some(closes)) = (opens_on, closes_on) {
        if closes < opens {
            issues.push(FieldIssue::new(
                "closes_on",
                "order",
                Text::new(
                    "La date limite suit la date d'ouverture.",
                    "The closing date comes after the opening date.",
                ),
            ));
        }
    }
    // Refused after the scope check: outside it, the endpoint does not exist.
    let invalid = (!issues.is_empty()).then(|| ApiError::validation(issues));
    council_write(
        ctx,
        actor,
        region_code,
        move |conn, touched, staff, region_code, now| {
            if let Some(invalid) = invalid {
                return Err(invalid);
            }
            let before = CampaignDates::find(conn, region_code, year)?;
            let after =
                CampaignDates::put(conn, region_code, year, is_open, opens_on, closes_on, now)?;
            if is_open {
                scale::call_fixed_parts(conn, region_code, year, now)?;
            }
            touched.region(region_code);
            staff.audit(
                conn,
                "campaign.updated",
                ("campaign", &after.id),
                before.as_ref().map(campaign_json),
                Some(campaign_json(&after)),
                now,
            )?;
            Ok(after)
        },
    )
    .await
}

/// What a barème upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleUploaded {
    pub outcome: Upserted,
    pub fixed_parts_called: usize,
}

fn scale_json(row: &ScaleRow) -> serde_json::Value {
    json!({
        "pp_independant_cents": row.pp_independant_cents,
        "pp_salarie_cents": row.pp_salarie_cents,
        "pp_83ter_rate_bp": row.pp_83ter_rate_bp,
        "pp_83quater_rate_bp": row.pp_83quater_rate_bp,
        "new_member_year1_reduction_bp": row.new_member_year1_reduction_bp,
        "new_member_year2_reduction_bp": row.new_member_year2_reduction_bp,
        "bureau_fixed_cents": row.bureau_fixed_cents,
        "pm_fixed_cents": row.pm_fixed_cents,
        "pm_per_head_cents": row.pm_per_head_cents,
    })
}

fn scale_problem(line: Option<u64>, message: String) -> ApiError {
    let (fr, en) = match line {
        Some(line) => (
            format!("Ligne {line} : {message}. Rien n'a été enregistré."),
            format!("Line {line}: {message}. Nothing was saved."),
        ),
        None => (
            format!("{message}. Rien n'a été enregistré."),
            format!("{message}. Nothing was saved."),
        ),
    };
    ApiError::validation(vec![FieldIssue::new(
        "body",
        "scale_csv",
        Text::owned(fr, en),
    )])
}

/// The one row of a barème file for `region_code` and `year`, or the problem naming what is wrong.
fn parse_scale(
    body: &[u8],
    region_code: &str,
    year: i32,
    now: NaiveDateTime,
) -> Result<ScaleRow, ApiError> {
    let rows = scale::parse(body, now).map_err(|e| match e {
        ScaleImportError::Format(message) => scale_problem(None, message),
        ScaleImportError::Row { line, message } => scale_problem(Some(line), message),
        ScaleImportError::Database(e) => e.into(),
    })?;
    let [row] = rows.as_slice() else {
        return Err(scale_problem(
            None,
            format!("the file holds {} rows, one is expected", rows.len()),
        ));
    };
    if row.region_code != region_code || row.campaign_year != year {
        return Err(scale_problem(
            Some(2),
            format!(
                "the row is for {} {}, not for {region_code} {year}",
                row.region_code, row.campaign_year
            ),
        ));
    }
    Ok(row.clone())
}

/// Loads the barème of the region for `year` from the CSV of `comptexpert import`'s
/// `scales.csv` (one row, for this region and year), with the same validation; nothing is
/// written unless all of it is valid. A council of the region or an administrator.
pub async fn upload_scale(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: i32,
    body: Vec<u8>,
) -> Result<ScaleUploaded, ApiError> {
    let now = ctx.clock.now();
    // Read before, refused only after the scope check: outside it, the endpoint does not exist.
    let parsed = parse_scale(&body, &region_code, year, now);
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let staff = Staff::require(conn, &actor, Need::ScalesOf(&region_code), now)?;
                let row = parsed?;
                if crate::db::reference::Region::find(conn, &region_code)?.is_none() {
                    return Err(ApiError::of(ErrorCode::RegionNotFound));
                }
                let before = ScaleRow::find(conn, &region_code, year)?;
                let outcome = row.upsert(conn)?;
                let fixed_parts_called = scale::call_fixed_parts(conn, &region_code, year, now)?;
                touched.region(&region_code);
                staff.audit(
                    conn,
                    "scale.uploaded",
                    ("scale", &format!("{region_code}/{year}")),
                    before.as_ref().map(scale_json),
                    Some(scale_json(&row)),
                    now,
                )?;
                Ok(ScaleUploaded {
                    outcome,
                    fixed_parts_called,
                })
            })
        })
        .await
}

/// The region's bureaux (of `firm_ref` when given) with their figures for the campaign of
/// `year` (the current one by default).
pub async fn bureaux(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: Option<i32>,
    firm_ref: Option<String>,
) -> Result<(Campaign, Vec<BureauLine>), ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        let campaign = campaign(conn, region_code, year)?;
        let found = stored::bureaux_of_region(conn, region_code, firm_ref.as_deref())?;
        let lines = lines(conn, &campaign.id, found)?;
        Ok((campaign, lines))
    })
    .await
}

/// One bureau with its ledger and its managers.
pub async fn bureau_account(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    bureau_ref: String,
    year: Option<i32>,
) -> Result<BureauAccount, ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        let campaign = campaign(conn, region_code, year)?;
        let found = bureau(conn, region_code, &bureau_ref)?;
        let bureau_id = found.0.id.clone();
        let line = lines(conn, &campaign.id, vec![found])?
            .pop()
            .ok_or_else(|| ApiError::of(ErrorCode::BureauNotFound))?;
        Ok(BureauAccount {
            ledger: stored::ledger_of(conn, &campaign.id, &bureau_id)?,
            managers: portal::managers(conn, &bureau_id)?,
            line,
            campaign,
        })
    })
    .await
}

/// The accounts a bureau of the region is granted to.
pub async fn managers(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    bureau_ref: String,
) -> Result<Vec<Manager>, ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        let (bureau, _) = bureau(conn, region_code, &bureau_ref)?;
        Ok(portal::managers(conn, &bureau.id)?)
    })
    .await
}

/// Grants a bureau of the region to the account `identifier` ("le conseil régional vous
/// attribue vos bureaux"); true when it was not granted yet.
pub async fn grant_bureau(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    bureau_ref: String,
    identifier: String,
) -> Result<(bool, Vec<Manager>), ApiError> {
    council_write(
        ctx,
        actor,
        region_code,
        move |conn, touched, staff, region_code, now| {
            let (bureau, _) = bureau(conn, region_code, &bureau_ref)?;
            let account = Account::find_by_identifier(conn, identifier.trim())?
                .ok_or_else(|| ApiError::of(ErrorCode::AccountNotFound))?;
            let granted =
                portal::grant(conn, &bureau.id, &account.id, Some(&staff.account_id), now)?;
            if granted {
                touched.account(&account.id);
                touched.region(region_code);
                staff.audit(
                    conn,
                    "bureau.granted",
                    ("bureau", &bureau.id),
                    None,
                    Some(
                        json!({"bureau_ref": bureau.bureau_ref, "identifier": account.identifier}),
                    ),
                    now,
                )?;
            }
            Ok((granted, portal::managers(conn, &bureau.id)?))
        },
    )
    .await
}

/// Revokes the grant of a bureau of the region to the account `identifier`.
pub async fn revoke_bureau(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    bureau_ref: String,
    identifier: String,
) -> Result<(), ApiError> {
    council_write(
        ctx,
        actor,
        region_code,
        move |conn, touched, staff, region_code, now| {
            let (bureau, _) = bureau(conn, region_code, &bureau_ref)?;
            let account = Account::find_by_identifier(conn, identifier.trim())?
                .ok_or_else(|| ApiError::of(ErrorCode::ManagerNotFound))?;
            if !portal::revoke(conn, &bureau.id, &account.id)? {
                return Err(ApiError::of(ErrorCode::ManagerNotFound));
            }
            touched.account(&account.id);
            touched.region(region_code);
            staff.audit(
                conn,
                "bureau.grant_revoked",
                ("bureau", &bureau.id),
                Some(json!({"bureau_ref": bureau.bureau_ref, "identifier": account.identifier})),
                None,
                now,
            )?;
            Ok(())
        },
    )
    .await
}

/// Books a refund, a credit or a transfer received on a bureau of the region, for the campaign
/// of `year` (the current one by default), with its reason. A refund never exceeds what the
/// bureau was paid less what was already refunded (`refund_exceeds_received`).
#[allow(clippy::too_many_arguments)]
pub async fn book(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    bureau_ref: String,
    year: Option<i32>,
    booking: Booking,
    amount_cents: i64,
    reason: String,
) -> Result<(LedgerLine, BureauFigures), ApiError> {
    let invalid = check_booking(amount_cents, &reason).err();
    council_write(
        ctx,
        actor,
        region_code,
        move |conn, touched, staff, region_code, now| {
            if let Some(invalid) = invalid {
                return Err(invalid);
            }
            let campaign = campaign(conn, region_code, year)?;
            let (bureau, _) = bureau(conn, region_code, &bureau_ref)?;
            db::lock_for_update(conn, LockTarget::Bureau, &bureau.id)?;
            let before = figures_of(conn, &campaign.id, &bureau.id)?;
            if booking == Booking::Refund
                && amount_cents > before.paid_cents.saturating_sub(before.refunded_cents)
            {
                return Err(ApiError::of(ErrorCode::RefundExceedsReceived));
            }
            // An avoir forgives what is owed, never more: a credit balance is money received.
            if booking == Booking::Credit && amount_cents > before.balance_cents() {
                return Err(ApiError::of(ErrorCode::CreditExceedsBalance));
            }
            let id = stored::book(
                conn,
                &CouncilEntry {
                    campaign_id: &campaign.id,
                    bureau_id: &bureau.id,
                    kind: booking.kind(),
                    amount_cents,
                    reference: booking.reference(),
                    reason: reason.trim(),
                    booked_by: &staff.account_id,
                    payment_id: None,
                },
                now,
            )?;
            let after = figures_of(conn, &campaign.id, &bureau.id)?;
            touched.region(region_code);
            staff.audit(
                conn,
                booking.action(),
                ("bureau", &bureau.id),
                Some(figures_json(&before)),
                Some(json!({
                    "entry_id": id,
                    "amount_cents": amount_cents,
                    "reason": reason.trim(),
                    "figures": figures_json(&after),
                })),
                now,
            )?;
            let line = stored::ledger_of(conn, &campaign.id, &bureau.id)?
                .into_iter()
                .find(|l| l.id == id)
                .ok_or_else(|| ApiError::from(diesel::result::Error::NotFound))?;
            Ok((line, after))
        },
    )
    .await
}

fn figures_of(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_id: &str,
) -> diesel::QueryResult<BureauFigures> {
    Ok(
        portal::bureau_figures(conn, campaign_id, &[bureau_id.to_owned()])?
            .remove(bureau_id)
            .unwrap_or_default(),
    )
}

fn figures_json(f: &BureauFigures) -> serde_json::Value {
    json!({
        "called_cents": f.total_cents,
        "paid_cents": f.paid_cents,
        "refunded_cents": f.refunded_cents,
        "balance_cents": f.balance_cents(),
    })
}

/// Records the bank transfer announced by a pending payment of the region as received: the
/// payment is confirmed and its parts booked, as a bank notification would. The amount must be
/// the payment's (`transfer_amount_mismatch`: record a different amount against the bureau).
pub async fn transfer_received(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    payment_id: String,
    amount_cents: i64,
    reason: String,
) -> Result<Payment, ApiError> {
    let invalid = check_booking(amount_cents, &reason).err();
    council_write(ctx, actor, region_code, move |conn, touched, staff, region_code, now| {
                if let Some(invalid) = invalid {
                    return Err(invalid);
                }
                let not_found = || ApiError::of(ErrorCode::PaymentNotFound);
                let found = Payment::find_in_region(conn, &payment_id, region_code)?
                    .ok_or_else(not_found)?;
                db::lock_for_update(conn, LockTarget::Payment, &found.id)?;
                // Read again under the lock: a notification may have settled it meanwhile.
                let payment = Payment::find_in_region(conn, &found.id, region_code)?
                    .ok_or_else(not_found)?;
                if payment.status != PaymentStatus::Pending {
                    return Err(ApiError::of(ErrorCode::PaymentNotPending));
                }
                // A card or a direct debit is settled by its provider, never by a bank statement.
                if payment.method != "transfer" {
                    return Err(ApiError::of(ErrorCode::PaymentNotATransfer));
                }
                if payment.amount_cents != amount_cents {
                    return Err(ApiError::of(ErrorCode::TransferAmountMismatch).with_detail(
                        Text::owned(
                            format!(
                                "Le paiement attend {} centimes, le virement en apporte {amount_cents} : enregistrez-le sur le bureau.",
                                payment.amount_cents
                            ),
                            format!(
                                "The payment expects {} cents, the transfer brings {amount_cents}: record it against the bureau.",
                                payment.amount_cents
                            ),
                        ),
                    ));
                }
                payments::confirm(conn, &payment, now)?;
                touched.region(region_code);
                let after = Payment::find(conn, &payment.id)?.ok_or_else(not_found)?;
                staff.audit(
                    conn,
                    "payment.transfer_received",
                    ("payment", &payment.id),
                    Some(json!({"status": payment.status, "amount_cents": payment.amount_cents})),
                    Some(json!({"status": after.status, "reason": reason.trim()})),
                    now,
                )?;
                Ok(after)
    })
    .await
}

/// The refused payment notifications of the region and those naming no known payment,
/// newest first; unresolved ones only unless `resolved`.
pub async fn refused_events(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    resolved: bool,
) -> Result<Vec<RefusedEvent>, ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        Ok(RefusedEvent::of_region(
            conn,
            region_code,
            resolved,
            EVENTS_LIMIT,
        )?)
    })
    .await
}

/// Marks a refused notification resolved, with what the council did about it.
pub async fn resolve_event(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    provider: String,
    event_id: String,
    resolution: String,
) -> Result<RefusedEvent, ApiError> {
    let invalid = reason_issue(&resolution).map(|mut issue| {
        issue.field = "resolution".into();
        ApiError::validation(vec![issue])
    });
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::CouncilOf(&region_code), now)?;
                if let Some(invalid) = invalid {
                    return Err(invalid);
                }
                let event = RefusedEvent::find_in_region(conn, &region_code, &provider, &event_id)?
                    .ok_or_else(ApiError::not_found)?;
                if !event.resolve(conn, &staff.account_id, resolution.trim(), now)? {
                    return Err(ApiError::of(ErrorCode::EventAlreadyResolved));
                }
                staff.audit(
                    conn,
                    "webhook_event.resolved",
                    ("webhook_event", &format!("{provider}/{event_id}")),
                    Some(json!({"outcome": event.outcome, "resolved": false})),
                    Some(json!({"resolved": true, "resolution": resolution.trim()})),
                    now,
                )?;
                RefusedEvent::find_in_region(conn, &region_code, &provider, &event_id)?
                    .ok_or_else(ApiError::not_found)
            })
        })
        .await
}

pub use crate::db::council::PaymentLine;

/// The declarations of the campaign of `year` (the current one by default), for the export.
/// Audited: the data leaves the service.
pub async fn export_declarations(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: Option<i32>,
) -> Result<(Campaign, Vec<stored::DeclarationLine>), ApiError> {
    export(
        ctx,
        actor,
        region_code,
        year,
        "declarations.exported",
        stored::declaration_lines,
    )
    .await
}

/// The payments of the campaign of `year` (the current one by default), for the export.
/// Audited: the data leaves the service.
pub async fn export_payments(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: Option<i32>,
) -> Result<(Campaign, Vec<PaymentLine>), ApiError> {
    export(
        ctx,
        actor,
        region_code,
        year,
        "payments.exported",
        stored::payments_of_campaign,
    )
    .await
}

async fn export<T, F>(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: Option<i32>,
    action: &'static str,
    load: F,
) -> Result<(Campaign, Vec<T>), ApiError>
where
    F: FnOnce(&mut DbConnection, &str) -> diesel::QueryResult<Vec<T>> + Send + 'static,
    T: Send + 'static,
{
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::CouncilOf(&region_code), now)?;
                let campaign = campaign(conn, &region_code, year)?;
                let rows = load(conn, &campaign.id)?;
                staff.audit(
                    conn,
                    action,
                    ("campaign", &campaign.id),
                    None,
                    Some(json!({"rows": rows.len()})),
                    now,
                )?;
                Ok((campaign, rows))
            })
        })
        .await
}

/// The campaign summary of the region: bureaux declared, paid and outstanding, amounts called,
/// paid and outstanding.
pub async fn summary(
    ctx: &ApiContext,
    actor: &Actor,
    region_code: String,
    year: Option<i32>,
) -> Result<(Campaign, CampaignSummary), ApiError> {
    as_council(ctx, actor, region_code, move |conn, region_code| {
        let campaign = campaign(conn, region_code, year)?;
        let found = stored::bureaux_of_region(conn, region_code, None)?;
        let lines = lines(conn, &campaign.id, found)?;
        Ok((campaign, summarise(&lines)))
    })
    .await
}

/// Adds up the figures of `lines`.
pub fn summarise(lines: &[BureauLine]) -> CampaignSummary {
    let mut s = CampaignSummary::default();
    for line in lines {
        let f = &line.figures;
        s.bureaux += 1;
        if line.persons > 0 && f.remaining_pp == 0 && f.remaining_pm == 0 {
            s.declared += 1;
        }
        let balance = f.balance_cents();
        if balance > 0 {
            s.outstanding += 1;
            s.outstanding_cents = s.outstanding_cents.saturating_add(balance);
        } else if f.total_cents > 0 {
            s.paid += 1;
        }
        s.called_cents = s.called_cents.saturating_add(f.total_cents);
        s.paid_cents = s
            .paid_cents
            .saturating_add(f.paid_cents.saturating_sub(f.refunded_cents));
        s.pending_cents = s.pending_cents.saturating_add(f.pending_cents);
    }
    s
}

/// A timestamp for an export, in UTC.
pub fn export_time(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}
