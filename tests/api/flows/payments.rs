//! `flows::payments`: paying a bureau or a firm, reading a payment, and settling the provider's
//! signed notifications, once everyone in the payment tests' world is declared (B-001 owes
//! 1 372,25 €, B-002 727,50 €).

use comptexpert::{
    auth::extractor::Authenticated,
    domain::states::{PaymentStatus, WebhookOutcome},
    error::ErrorCode,
    flows::{
        bureaux::detail::bureau_detail,
        payments::{
            get_payment,
            pay::{pay, PaymentTarget},
            settle_event::settle_event,
            PaymentRecord,
        },
    },
    payments::{provider::PaymentMethod, webhook},
};
use serde_json::json;

use crate::{
    fixtures::TestAccount,
    helpers::WEBHOOK_SECRET,
    payments_world::{world, World, BRETAGNE, PARIS},
};

pub(super) fn caller(account: &TestAccount) -> Authenticated {
    Authenticated {
        account_id: account.id.clone(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    }
}

pub(super) async fn declared_world() -> World {
    let w = world().await;
    w.declare_everyone().await;
    w
}

pub(super) fn bureau(bureau_ref: &str) -> PaymentTarget {
    PaymentTarget::Bureau(bureau_ref.into())
}

pub(super) async fn pay_in_paris(
    w: &World,
    target: PaymentTarget,
    method: PaymentMethod,
    amount_cents: Option<i64>,
) -> Result<PaymentRecord, comptexpert::error::ApiError> {
    pay(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        target,
        method,
        amount_cents,
        None,
    )
    .await
}

/// (balance, pending) of a Paris bureau, in cents.
pub(super) async fn figures(w: &World, bureau_ref: &str) -> (i64, i64) {
    let detail = bureau_detail(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        bureau_ref.into(),
    )
    .await
    .expect("the bureau");
    (detail.figures.balance_cents(), detail.figures.pending_cents)
}

fn parts_sum(record: &PaymentRecord) -> i64 {
    record.parts.iter().map(|p| p.allocation.amount_cents).sum()
}

/// A notification from the test card provider about `record`, as its body.
pub(super) fn card_event(
    id: &str,
    kind: &str,
    record: &PaymentRecord,
    amount_cents: i64,
) -> Vec<u8> {
    let reference = record
        .payment
        .checkout_url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .expect("a checkout URL");
    json!({
        "id": id,
        "type": kind,
        "payment_reference": reference,
        "amount_cents": amount_cents,
        "currency": "EUR",
        "failure_reason": if kind == "payment.failed" { Some("card declined") } else { None },
    })
    .to_string()
    .into_bytes()
}

pub(super) fn signed_now(body: &[u8]) -> String {
    webhook::sign(
        WEBHOOK_SECRET.as_bytes(),
        chrono::Utc::now().timestamp(),
        body,
    )
}

#[actix_web::test]
async fn a_transfer_reserves_what_the_bureau_owes_until_nothing_is_left_to_pay() {
    let w = declared_world().await;

    let record = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Transfer, None)
        .await
        .expect("paid");

    assert_eq!(record.payment.status, PaymentStatus::Pending);
    assert_eq!(record.payment.amount_cents, 72_750);
    assert!(record.payment.transfer_reference.is_some());
    assert_eq!(record.bureau_ref.as_deref(), Some("B-002"));
    assert_eq!(parts_sum(&record), 72_750);
    assert!(record.parts.iter().all(|p| p.bureau_ref == "B-002"));
    assert_eq!(figures(&w, "B-002").await, (72_750, 72_750));
    let read = get_payment(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        record.payment.id.clone(),
    )
    .await
    .expect("readable by its payer");
    assert_eq!(read.payment.id, record.payment.id);
    assert_eq!(read.parts.len(), record.parts.len());

    let again = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, None)
        .await
        .expect_err("everything is reserved");
    assert_eq!(again.code(), ErrorCode::NothingToPay);
}

#[actix_web::test]
async fn a_grouped_payment_is_split_in_order_and_never_exceeds_what_the_firm_owes() {
    let w = declared_world().await;
    let firm = || PaymentTarget::Firm("F-001".into());

    let part = pay_in_paris(&w, firm(), PaymentMethod::Card, Some(100_000))
        .await
        .expect("paid in part");

    assert_eq!(part.bureau_ref, None, "a grouped payment");
    assert_eq!(part.firm.firm_ref, "F-001");
    assert_eq!(parts_sum(&part), 100_000);
    let positions: Vec<i32> = part.parts.iter().map(|p| p.allocation.position).collect();
    assert_eq!(positions, (0..part.parts.len() as i32).collect::<Vec<_>>());
    let (b1_balance, b1_pending) = figures(&w, "B-001").await;
    let (b2_balance, b2_pending) = figures(&w, "B-002").await;
    assert_eq!((b1_balance, b2_balance), (137_225, 72_750));
    assert_eq!(b1_pending + b2_pending, 100_000);

    let over = pay_in_paris(&w, firm(), PaymentMethod::Card, Some(109_976))
        .await
        .expect_err("one cent too many");
    assert_eq!(over.code(), ErrorCode::Overpayment);
    let rest = pay_in_paris(&w, firm(), PaymentMethod::Transfer, Some(109_975))
        .await
        .expect("the rest");
    assert_eq!(parts_sum(&rest), 109_975);
    for refused in [Some(0), Some(-5)] {
        let error = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Card, refused)
            .await
            .expect_err("not a positive amount");
        assert_eq!(error.code(), ErrorCode::ValidationFailed, "{refused:?}");
    }
    let not_managed = pay_in_paris(
        &w,
        PaymentTarget::Firm("F-009".into()),
        PaymentMethod::Card,
        None,
    )
    .await
    .expect_err("another firm");
    assert_eq!(not_managed.code(), ErrorCode::FirmNotFound);
    let closed = pay(
        &w.app.context,
        &caller(&w.rac),
        BRETAGNE.into(),
        bureau("B-004"),
        PaymentMethod::Transfer,
        None,
        None,
    )
    .await
    .expect_err("Bretagne's campaign is closed");
    assert_eq!(closed.code(), ErrorCode::CampaignClosed);
}

#[actix_web::test]
async fn a_payment_is_visible_only_to_those_who_manage_what_it_pays() {
    let w = declared_world().await;
    let record = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Transfer, None)
        .await
        .expect("paid");
    let stranger = w
        .app
        .add_active_account("curieux", "Curieux-2026!", "curieux@ex.fr");

    for (who, id) in [
        (caller(&stranger), record.payment.id.clone()),
        (
            caller(&w.rac),
            "0190a1b2-0000-7000-8000-000000000000".into(),
        ),
    ] {
        let error = get_payment(&w.app.context, &who, PARIS.into(), id)
            .await
            .expect_err("not found");
        assert_eq!(error.code(), ErrorCode::PaymentNotFound);
    }
}

#[actix_web::test]
async fn a_signed_success_confirms_once_and_an_untrusted_one_changes_nothing() {
    let w = declared_world().await;
    let ctx = &w.app.context;
    let record = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, None)
        .await
        .expect("paid");
    let event = card_event("evt_flow_1", "payment.succeeded", &record, 72_750);

    let unsigned = settle_event(ctx, "test", None, &event)
        .await
        .expect_err("unsigned");
    assert_eq!(unsigned.code(), ErrorCode::InvalidSignature);
    let forged = webhook::sign(b"not-the-secret", chrono::Utc::now().timestamp(), &event);
    let forged = settle_event(ctx, "test", Some(&forged), &event)
        .await
        .expect_err("forged");
    assert_eq!(forged.code(), ErrorCode::InvalidSignature);
    let stale = webhook::sign(
        WEBHOOK_SECRET.as_bytes(),
        chrono::Utc::now().timestamp() - 3600,
        &event,
    );
    let stale = settle_event(ctx, "test", Some(&stale), &event)
        .await
        .expect_err("an hour old");
    assert_eq!(stale.code(), ErrorCode::SignatureExpired);
    let elsewhere = settle_event(ctx, "stripe", Some(&signed_now(&event)), &event)
        .await
        .expect_err("no such provider");
    assert_eq!(elsewhere.code(), ErrorCode::ProviderNotFound);
    assert_eq!(
        figures(&w, "B-002").await,
        (72_750, 72_750),
        "nothing booked"
    );

    let signature = signed_now(&event);
    let settled = settle_event(ctx, "test", Some(&signature), &event)
        .await
        .expect("settled");
    assert_eq!(settled.payment_id.as_ref(), Some(&record.payment.id));
    assert_eq!(settled.status, Some(PaymentStatus::Confirmed));
    assert_eq!(settled.outcome, WebhookOutcome::Applied);
    assert_eq!(figures(&w, "B-002").await, (0, 0));
    let replayed = settle_event(ctx, "test", Some(&signature), &event)
        .await
        .expect_err("the same event");
    assert_eq!(replayed.code(), ErrorCode::WebhookReplayed);
    // Another notification of the same success books nothing more.
    let repeat = card_event("evt_flow_2", "payment.succeeded", &record, 72_750);
    let again = settle_event(ctx, "test", Some(&signed_now(&repeat)), &repeat)
        .await
        .expect("acknowledged");
    assert_eq!(again.status, Some(PaymentStatus::Confirmed));
    assert_eq!(again.outcome, WebhookOutcome::Unchanged);
    assert_eq!(figures(&w, "B-002").await, (0, 0));
}

#[actix_web::test]
async fn a_failure_frees_the_reservation_and_a_wrong_amount_or_a_late_success_is_kept_refused() {
    let w = declared_world().await;
    let ctx = &w.app.context;
    let card = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Card, None)
        .await
        .expect("paid");

    let wrong = card_event("evt_flow_3", "payment.succeeded", &card, 100);
    let mismatch = settle_event(ctx, "test", Some(&signed_now(&wrong)), &wrong)
        .await
        .expect("kept and answered");
    assert_eq!(mismatch.outcome, WebhookOutcome::AmountMismatch);
    assert_eq!(mismatch.status, Some(PaymentStatus::Pending));
    assert_eq!(figures(&w, "B-001").await, (137_225, 137_225));

    let failure = card_event("evt_flow_4", "payment.failed", &card, 137_225);
    let failed = settle_event(ctx, "test", Some(&signed_now(&failure)), &failure)
        .await
        .expect("settled as failed");
    assert_eq!(failed.status, Some(PaymentStatus::Failed));
    assert_eq!(figures(&w, "B-001").await, (137_225, 0));
    let late = card_event("evt_flow_5", "payment.succeeded", &card, 137_225);
    let late = settle_event(ctx, "test", Some(&signed_now(&late)), &late)
        .await
        .expect("kept and answered");
    assert_eq!(late.outcome, WebhookOutcome::NotPending);
    assert_eq!(late.status, Some(PaymentStatus::Failed));
    assert_eq!(figures(&w, "B-001").await, (137_225, 0));
}

#[actix_web::test]
async fn a_second_payment_under_the_same_key_is_the_first_one_not_another() {
    let w = declared_world().await;
    let payer = caller(&w.rac);
    let with_key = |method| {
        pay(
            &w.app.context,
            &payer,
            PARIS.into(),
            bureau("B-001"),
            method,
            Some(10_000),
            Some("retry-after-a-crash".into()),
        )
    };

    let first = with_key(PaymentMethod::Transfer).await.expect("paid");
    let again = with_key(PaymentMethod::Transfer).await.expect("the same");

    assert_eq!(again.payment.id, first.payment.id);
    assert_eq!(
        again.payment.transfer_reference,
        first.payment.transfer_reference
    );
    assert_eq!(figures(&w, "B-001").await.1, 10_000, "reserved once");
    // Another key is another payment.
    let other = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Transfer, Some(10_000))
        .await
        .expect("another");
    assert_ne!(other.payment.id, first.payment.id);
    assert_eq!(figures(&w, "B-001").await.1, 20_000);
}
