//! "Virement en attente": the instructions of a transfer the bank has not confirmed yet, for the
//! payer to hand to whoever makes the transfer. Once the money arrives the receipt replaces it.

use std::time::Instant;

use chrono::NaiveDateTime;

use super::{
    allocation_table, format_eur, header, pdf::Align, LayoutTimeout, Letterhead, PdfWriter,
    ReceiptLine,
};

/// A pending transfer and where to send it.
#[derive(Debug, Clone)]
pub struct PendingTransfer {
    pub letterhead: Letterhead,
    pub payment_id: String,
    /// Grouped by four, as banks print it.
    pub iban: String,
    pub bic: String,
    pub beneficiary: String,
    /// The reference to quote in the transfer's label.
    pub reference: String,
    pub amount_cents: i64,
    pub created_at: NaiveDateTime,
    /// What the transfer will settle once received.
    pub lines: Vec<ReceiptLine>,
}

/// The PDF of a pending transfer's instructions.
pub fn pending_transfer(
    transfer: &PendingTransfer,
    deadline: Instant,
) -> Result<Vec<u8>, LayoutTimeout> {
    let title = format!(
        "Virement en attente — cotisations {}",
        transfer.letterhead.campaign_year
    );
    let mut doc = PdfWriter::new(&title, deadline);
    header(&mut doc, &transfer.letterhead, &title)?;
    doc.space(6.0)?;
    let amount = format_eur(transfer.amount_cents);
    for (label, value) in [
        ("Bénéficiaire", transfer.beneficiary.as_str()),
        ("IBAN", transfer.iban.as_str()),
        ("BIC", transfer.bic.as_str()),
        ("Montant", amount.as_str()),
        ("Référence à indiquer", transfer.reference.as_str()),
    ] {
        let bold = label == "Référence à indiquer";
        doc.row(
            &[
                (PdfWriter::LEFT, Align::Left, label),
                (180.0, Align::Left, value),
            ],
            10.0,
            bold,
        )?;
    }
    doc.space(10.0)?;
    doc.paragraph(
        &format!(
            "Indiquez la référence {} dans le libellé du virement, sans rien y ajouter : sans elle, le virement ne peut pas être rapproché de ce paiement.",
            transfer.reference
        ),
        9.5,
        false,
    )?;
    doc.paragraph(
        &format!(
            "Paiement n° {} créé le {}. Ce document n'est pas un reçu : le reçu sera disponible sur le portail dès la réception du virement.",
            transfer.payment_id,
            transfer.created_at.format("%d/%m/%Y")
        ),
        9.5,
        false,
    )?;
    allocation_table(
        &mut doc,
        "Imputation prévue",
        &transfer.lines,
        "Montant à virer",
        transfer.amount_cents,
    )?;
    doc.finish()
}
