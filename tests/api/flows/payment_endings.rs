//! `flows::payments::{cancel, expire}`: a pending payment that its payer gives up, or that no
//! money came for within its method's delay, stops reserving what it pays.

use comptexpert::{
    context::{ApiContext, Clock},
    domain::states::PaymentStatus,
    error::ErrorCode,
    flows::payments::{
        cancel::cancel_payment,
        expire::expire_overdue_payments,
        get_payment,
        pay::{pay, PaymentTarget},
        settle_event::settle_event,
        PaymentRecord,
    },
    payments::{provider::PaymentMethod, CANCELLED, EXPIRED},
};

use super::payments::{
    bureau, caller, card_event, declared_world, figures, pay_in_paris, signed_now,
};
use crate::payments_world::{World, PARIS};

/// The application's context with its clock moved `hours` ahead.
fn later(w: &World, hours: i64) -> ApiContext {
    let mut ctx = w.app.context.clone();
    ctx.clock = Clock::fixed(comptexpert::db::now() + chrono::Duration::hours(hours));
    ctx
}

async fn read(w: &World, record: &PaymentRecord) -> PaymentRecord {
    get_payment(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        record.payment.id.clone(),
    )
    .await
    .expect("readable")
}

#[actix_web::test]
async fn a_transfer_never_sent_expires_after_its_delay_and_frees_what_it_reserved() {
    let w = declared_world().await;
    let transfer = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Transfer, None)
        .await
        .expect("paid");
    let expires_at = transfer.payment.expires_at.expect("an expiry");
    let delay = expires_at - transfer.payment.created_at;
    assert_eq!(
        delay,
        chrono::Duration::days(30),
        "the default for a transfer"
    );

    // Within the delay nothing changes.
    let expired = expire_overdue_payments(&later(&w, 29 * 24))
        .await
        .expect("a pass");
    assert!(expired.is_empty());
    assert_eq!(figures(&w, "B-002").await, (72_750, 72_750));

    let expired = expire_overdue_payments(&later(&w, 30 * 24 + 1))
        .await
        .expect("a pass");
    assert_eq!(expired.len(), 1);
    let now = read(&w, &transfer).await.payment;
    assert_eq!(now.status, PaymentStatus::Failed);
    assert_eq!(now.failure_reason.as_deref(), Some(EXPIRED));
    assert_eq!(figures(&w, "B-002").await, (72_750, 0), "nothing reserved");
    // A second pass finds nothing more.
    let again = expire_overdue_payments(&later(&w, 30 * 24 + 2))
        .await
        .expect("a pass");
    assert!(again.is_empty());
    pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, None)
        .await
        .expect("payable by card");
}

#[actix_web::test]
async fn a_new_payment_does_not_wait_for_the_sweeper_to_free_an_expired_one() {
    let w = declared_world().await;
    let card = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, None)
        .await
        .expect("paid");
    assert_eq!(
        card.payment.expires_at.expect("an expiry") - card.payment.created_at,
        chrono::Duration::hours(2),
        "the default for a card"
    );

    let ctx = later(&w, 3);
    let transfer = pay(
        &ctx,
        &caller(&w.rac),
        PARIS.into(),
        PaymentTarget::Bureau("B-002".into()),
        PaymentMethod::Transfer,
        None,
        None,
    )
    .await
    .expect("the card checkout left unfinished no longer reserves");
    assert_eq!(transfer.payment.amount_cents, 72_750);
    let card = read(&w, &card).await.payment;
    assert_eq!(card.failure_reason.as_deref(), Some(EXPIRED));
}

#[actix_web::test]
async fn the_payer_cancels_a_pending_payment_once_and_may_pay_again_at_once() {
    let w = declared_world().await;
    let transfer = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Transfer, Some(50_000))
        .await
        .expect("paid");
    let id = transfer.payment.id.clone();
    let stranger = w
        .app
        .add_active_account("curieux", "Curieux-2026!", "curieux@ex.fr");
    let refused = cancel_payment(&w.app.context, &caller(&stranger), PARIS.into(), id.clone())
        .await
        .expect_err("not theirs");
    assert_eq!(refused.code(), ErrorCode::PaymentNotFound);
    assert_eq!(figures(&w, "B-001").await.1, 50_000, "still reserved");

    let cancelled = cancel_payment(&w.app.context, &caller(&w.rac), PARIS.into(), id.clone())
        .await
        .expect("cancelled");
    assert_eq!(cancelled.payment.status, PaymentStatus::Failed);
    assert_eq!(cancelled.payment.failure_reason.as_deref(), Some(CANCELLED));
    assert_eq!(figures(&w, "B-001").await.1, 0);
    let twice = cancel_payment(&w.app.context, &caller(&w.rac), PARIS.into(), id)
        .await
        .expect_err("already cancelled");
    assert_eq!(twice.code(), ErrorCode::PaymentNotPending);
    let everything = pay_in_paris(&w, bureau("B-001"), PaymentMethod::Card, None)
        .await
        .expect("everything payable again");
    assert_eq!(everything.payment.amount_cents, 137_225);
}

#[actix_web::test]
async fn a_confirmed_payment_can_be_neither_cancelled_nor_expired() {
    let w = declared_world().await;
    let record = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, None)
        .await
        .expect("paid");
    let event = card_event("evt_end_1", "payment.succeeded", &record, 72_750);
    settle_event(&w.app.context, "test", Some(&signed_now(&event)), &event)
        .await
        .expect("confirmed");

    let refused = cancel_payment(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        record.payment.id.clone(),
    )
    .await
    .expect_err("confirmed");
    assert_eq!(refused.code(), ErrorCode::PaymentNotPending);
    let expired = expire_overdue_payments(&later(&w, 24 * 400))
        .await
        .expect("a pass");
    assert!(expired.is_empty());
    assert_eq!(
        read(&w, &record).await.payment.status,
        PaymentStatus::Confirmed
    );
}
