//! `flows::documents`: a bureau's documents list and its three PDFs (call for contributions,
//! receipt of a confirmed payment, instructions of a pending transfer).

use comptexpert::{
    error::ErrorCode,
    flows::{
        bureaux::detail::bureau_detail,
        documents::{
            call_for_contributions, list_documents, payment_receipt, transfer_instructions,
            Document,
        },
        payments::{settle_event::settle_event, PaymentRecord},
    },
    payments::provider::PaymentMethod,
};

use super::payments::{bureau, caller, card_event, declared_world, pay_in_paris, signed_now};
use crate::{
    payments_world::{World, PARIS},
    portal_fixtures::Portal,
};

/// B-002 paid in part by card (confirmed) and the rest by a transfer still on its way.
async fn paid_in_two_ways() -> (World, PaymentRecord, PaymentRecord) {
    let w = declared_world().await;
    let card = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Card, Some(50_000))
        .await
        .expect("card");
    let event = card_event("evt_doc_1", "payment.succeeded", &card, 50_000);
    settle_event(&w.app.context, "test", Some(&signed_now(&event)), &event)
        .await
        .expect("confirmed");
    let transfer = pay_in_paris(&w, bureau("B-002"), PaymentMethod::Transfer, None)
        .await
        .expect("transfer");
    (w, card, transfer)
}

fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-") && bytes.len() > 500
}

#[actix_web::test]
async fn the_list_holds_the_call_then_the_receipts_then_the_transfers_on_their_way() {
    let (w, card, transfer) = paid_in_two_ways().await;

    let documents = list_documents(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        "B-002".into(),
    )
    .await
    .expect("the documents");

    let listed: Vec<String> = documents
        .iter()
        .map(|d| match d {
            Document::CallForContributions { year, bureau_ref } => {
                format!("call {year} {bureau_ref}")
            }
            Document::Receipt(p) => format!("receipt {}", p.id),
            Document::PendingTransfer(p) => format!("transfer {}", p.id),
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            "call 2026 B-002".to_owned(),
            format!("receipt {}", card.payment.id),
            format!("transfer {}", transfer.payment.id),
        ]
    );
    let elsewhere = list_documents(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        "B-009".into(),
    )
    .await
    .expect_err("another firm's bureau");
    assert_eq!(elsewhere.code(), ErrorCode::BureauNotFound);
}

#[actix_web::test]
async fn each_pdf_exists_only_for_what_it_describes() {
    let (w, card, transfer) = paid_in_two_ways().await;
    let (ctx, auth) = (&w.app.context, caller(&w.rac));

    let call = call_for_contributions(ctx, &auth, PARIS.into(), "B-002".into())
        .await
        .expect("the call");
    assert!(is_pdf(&call.bytes));
    assert_eq!(call.filename, "appel-cotisations-2026-B-002.pdf");
    let receipt = payment_receipt(ctx, &auth, PARIS.into(), card.payment.id.clone())
        .await
        .expect("the receipt");
    assert!(is_pdf(&receipt.bytes));
    assert_eq!(
        receipt.filename,
        format!("recu-paiement-{}.pdf", card.payment.id)
    );
    let instructions = transfer_instructions(ctx, &auth, PARIS.into(), transfer.payment.id.clone())
        .await
        .expect("the instructions");
    assert!(is_pdf(&instructions.bytes));

    let no_receipt = payment_receipt(ctx, &auth, PARIS.into(), transfer.payment.id.clone())
        .await
        .expect_err("not received yet");
    assert_eq!(no_receipt.code(), ErrorCode::PaymentNotConfirmed);
    let not_a_transfer = transfer_instructions(ctx, &auth, PARIS.into(), card.payment.id.clone())
        .await
        .expect_err("a card payment");
    assert_eq!(not_a_transfer.code(), ErrorCode::TransferNotFound);
}

#[actix_web::test]
async fn a_grouped_payment_is_listed_only_to_those_who_see_every_bureau_it_settles() {
    let w = declared_world().await;
    let grouped = pay_in_paris(
        &w,
        comptexpert::flows::payments::pay::PaymentTarget::Firm("F-001".into()),
        PaymentMethod::Transfer,
        None,
    )
    .await
    .expect("paid");
    // A colleague who manages B-002 only.
    let colleague = w
        .app
        .add_active_account("collegue", "Collegue-2026!", "collegue@cabinet.fr");
    let b2 = bureau_detail(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        "B-002".into(),
    )
    .await
    .expect("B-002")
    .bureau
    .id;
    Portal::of(&w.app).grant(&b2, &colleague.id);

    let pending = |documents: Vec<Document>| {
        documents
            .into_iter()
            .filter_map(|d| match d {
                Document::PendingTransfer(p) => Some(p.id),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let for_the_payer = list_documents(
        &w.app.context,
        &caller(&w.rac),
        PARIS.into(),
        "B-002".into(),
    )
    .await
    .expect("documents");
    assert_eq!(pending(for_the_payer), vec![grouped.payment.id.clone()]);
    let for_the_colleague = list_documents(
        &w.app.context,
        &caller(&colleague),
        PARIS.into(),
        "B-002".into(),
    )
    .await
    .expect("documents");
    assert!(pending(for_the_colleague).is_empty());
    let instructions = transfer_instructions(
        &w.app.context,
        &caller(&colleague),
        PARIS.into(),
        grouped.payment.id,
    )
    .await
    .expect_err("not theirs to read");
    assert_eq!(instructions.code(), ErrorCode::PaymentNotFound);
}
