//! "Documents à télécharger": the call for contributions of a bureau, the receipt of a
//! confirmed payment and the instructions of a pending transfer ([`transfer`]), generated as PDF
//! on request from the ledger (nothing is stored).

pub mod pdf;
pub mod transfer;

use chrono::{NaiveDate, NaiveDateTime};

use std::time::{Duration, Instant};

use pdf::{Align, PdfWriter};

pub use pdf::LayoutTimeout;

/// How long one document may take to lay out. The documents here take a few milliseconds;
/// the bound only exists so that a layout bug answers an error instead of pinning a core.
pub const TIME_BOUND: Duration = Duration::from_secs(2);

/// `1 234,56 €`, with non-breaking spaces, as French documents write amounts.
pub fn format_eur(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let euros = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", cents % 100)
}

/// Who the document is about.
#[derive(Debug, Clone)]
pub struct Letterhead {
    pub region_name: String,
    pub campaign_year: i32,
    pub firm_name: String,
    pub firm_ref: String,
}

/// One line of a call for contributions.
#[derive(Debug, Clone)]
pub struct CallLine {
    /// `PP` or `PM`.
    pub person_kind: String,
    pub name: String,
    /// SUPRA number or firm reference.
    pub reference: String,
    /// The category or headcount declared, or "À déclarer".
    pub detail: String,
    pub amount_cents: i64,
}

/// A bureau's call for contributions.
#[derive(Debug, Clone)]
pub struct CallForContributions {
    pub letterhead: Letterhead,
    pub bureau_ref: String,
    pub inscription_type: String,
    pub address: String,
    pub issued_on: NaiveDate,
    pub fixed_part_cents: i64,
    pub lines: Vec<CallLine>,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub balance_cents: i64,
    /// Persons still to declare.
    pub remaining: i64,
}

/// One part of a receipt.
#[derive(Debug, Clone)]
pub struct ReceiptLine {
    pub bureau_ref: String,
    /// The person the part settles, or the bureau's fixed part.
    pub label: String,
    pub amount_cents: i64,
}

/// The receipt of a confirmed payment.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub letterhead: Letterhead,
    pub payment_id: String,
    pub method_label: String,
    /// The transfer or provider reference.
    pub reference: String,
    pub confirmed_at: NaiveDateTime,
    pub amount_cents: i64,
    pub lines: Vec<ReceiptLine>,
}

const AMOUNT_X: f32 = PdfWriter::RIGHT;

fn header(doc: &mut PdfWriter, letterhead: &Letterhead, title: &str) -> Result<(), LayoutTimeout> {
    doc.paragraph("Ordre des experts-comptables", 10.0, true)?;
    doc.paragraph(
        &format!("Conseil régional {}", letterhead.region_name),
        10.0,
        false,
    )?;
    doc.space(18.0)?;
    doc.paragraph(title, 18.0, true)?;
    doc.space(8.0)?;
    doc.paragraph(
        &format!("{} — réf. {}", letterhead.firm_name, letterhead.firm_ref),
        11.0,
        true,
    )
}

/// What a payment settles, bureau by bureau, and its amount: the table of receipts and of
/// pending transfers.
fn allocation_table(
    doc: &mut PdfWriter,
    heading: &str,
    lines: &[ReceiptLine],
    total_label: &str,
    total_cents: i64,
) -> Result<(), LayoutTimeout> {
    doc.space(14.0)?;
    doc.row(
        &[
            (PdfWriter::LEFT, Align::Left, "Bureau"),
            (150.0, Align::Left, heading),
            (AMOUNT_X, Align::Right, "Montant"),
        ],
        9.5,
        true,
    )?;
    doc.rule()?;
    for line in lines {
        doc.row(
            &[
                (PdfWriter::LEFT, Align::Left, &line.bureau_ref),
                (150.0, Align::Left, &line.label),
                (AMOUNT_X, Align::Right, &format_eur(line.amount_cents)),
            ],
            9.5,
            false,
        )?;
    }
    doc.rule()?;
    doc.row(
        &[
            (150.0, Align::Left, total_label),
            (AMOUNT_X, Align::Right, &format_eur(total_cents)),
        ],
        11.0,
        true,
    )
}

/// The PDF of a call for contributions.
pub fn call_for_contributions(
    call: &CallForContributions,
    deadline: Instant,
) -> Result<Vec<u8>, LayoutTimeout> {
    let title = format!("Appel de cotisations {}", call.letterhead.campaign_year);
    let mut doc = PdfWriter::new(&title, deadline);
    header(&mut doc, &call.letterhead, &title)?;
    doc.paragraph(
        &format!(
            "Bureau {} ({}) — {}",
            call.bureau_ref,
            call.inscription_type.to_lowercase(),
            call.address
        ),
        10.0,
        false,
    )?;
    doc.paragraph(
        &format!("Émis le {}", call.issued_on.format("%d/%m/%Y")),
        10.0,
        false,
    )?;
    doc.space(14.0)?;
    let columns = |name: &str, reference: &str, detail: &str, amount: &str| {
        [
            (PdfWriter::LEFT, Align::Left, name.to_owned()),
            (220.0, Align::Left, reference.to_owned()),
            (310.0, Align::Left, detail.to_owned()),
            (AMOUNT_X, Align::Right, amount.to_owned()),
        ]
    };
    let row = |doc: &mut PdfWriter,
               cells: [(f32, Align, String); 4],
               bold: bool|
     -> Result<(), LayoutTimeout> {
        let cells: Vec<(f32, Align, &str)> =
            cells.iter().map(|(x, a, t)| (*x, *a, t.as_str())).collect();
        doc.row(&cells, 9.5, bold)
    };
    row(
        &mut doc,
        columns("Personne", "Référence", "Déclaration", "Montant appelé"),
        true,
    )?;
    doc.rule()?;
    row(
        &mut doc,
        columns(
            "Part fixe du bureau",
            &call.bureau_ref,
            "Art. 224",
            &format_eur(call.fixed_part_cents),
        ),
        false,
    )?;
    for line in &call.lines {
        let name = format!("{} ({})", line.name, line.person_kind);
        row(
            &mut doc,
            columns(
                &name,
                &line.reference,
                &line.detail,
                &format_eur(line.amount_cents),
            ),
            false,
        )?;
    }
    doc.rule()?;
    for (label, cents, bold) in [
        ("Total appelé", call.total_cents, false),
        ("Déjà réglé", call.paid_cents, false),
        ("Solde à régler", call.balance_cents, true),
    ] {
        doc.row(
            &[
                (310.0, Align::Left, label),
                (AMOUNT_X, Align::Right, &format_eur(cents)),
            ],
            10.0,
            bold,
        )?;
    }
    doc.space(16.0)?;
    if call.remaining > 0 {
        doc.paragraph(
            &format!(
                "{} personne(s) rattachée(s) reste(nt) à déclarer : le montant appelé augmentera à leur déclaration.",
                call.remaining
            ),
            9.5,
            false,
        )?;
    }
    doc.paragraph(
        "Réglez en ligne sur le portail des cotisations (carte bancaire, prélèvement) ou par virement : créez le paiement sur le portail et indiquez dans le libellé du virement la référence qui vous est donnée.",
        9.5,
        false,
    )?;
    doc.finish()
}

/// The PDF of a payment receipt.
pub fn receipt(receipt: &Receipt, deadline: Instant) -> Result<Vec<u8>, LayoutTimeout> {
    let title = format!(
        "Reçu de paiement — cotisations {}",
        receipt.letterhead.campaign_year
    );
    let mut doc = PdfWriter::new(&title, deadline);
    header(&mut doc, &receipt.letterhead, &title)?;
    doc.space(6.0)?;
    for (label, value) in [
        ("Paiement n°", receipt.payment_id.clone()),
        ("Moyen de paiement", receipt.method_label.clone()),
        ("Référence", receipt.reference.clone()),
        (
            "Reçu le",
            receipt
                .confirmed_at
                .format("%d/%m/%Y à %H:%M UTC")
                .to_string(),
        ),
    ] {
        doc.row(
            &[
                (PdfWriter::LEFT, Align::Left, label),
                (180.0, Align::Left, &value),
            ],
            10.0,
            false,
        )?;
    }
    allocation_table(
        &mut doc,
        "Imputation",
        &receipt.lines,
        "Montant reçu",
        receipt.amount_cents,
    )?;
    doc.space(16.0)?;
    doc.paragraph(
        "Le conseil régional accuse réception de ce paiement, imputé comme indiqué ci-dessus sur les cotisations ordinales de l'année.",
        9.5,
        false,
    )?;
    doc.finish()
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;

    /// Pieces of the names and labels real documents hold, and of what they should survive:
    /// accents, apostrophes of both kinds, particles, hyphens, non-breaking spaces, characters
    /// the standard fonts cannot print, combining accents.
    const PIECES: &[&str] = &[
        "D'ARTAGNAN",
        "Lefèvre",
        "Hélène",
        "N’Diaye",
        "Le Bihan",
        "de La Tour d'Auvergne",
        "Œ",
        "œuvre",
        "-",
        " ",
        "'",
        "’",
        "\u{a0}",
        "ÉÈÊËÀÂÄÎÏÔÖÙÛÜÇ",
        "ß",
        "Ø",
        "€",
        "…",
        "«",
        "»",
        "—",
        "(PP)",
        "(PM)",
        "&",
        "Ąę",
        "漢字",
        "😀",
        "e\u{301}",
        "\t",
        "W",
        "i",
        "0750342",
    ];

    fn random_text(rng: &mut StdRng) -> String {
        match rng.gen_range(0..10) {
            0 => String::new(),
            // Very long, without a space to break at.
            1 => PIECES[rng.gen_range(0..PIECES.len())].repeat(rng.gen_range(50..400)),
            _ => (0..rng.gen_range(1..40))
                .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
                .collect(),
        }
    }

    fn random_cents(rng: &mut StdRng) -> i64 {
        match rng.gen_range(0..4) {
            0 => i64::MAX,
            1 => i64::MIN,
            _ => rng.gen_range(-1_000_000_000..1_000_000_000_000),
        }
    }

    fn random_letterhead(rng: &mut StdRng) -> Letterhead {
        Letterhead {
            region_name: random_text(rng),
            campaign_year: rng.gen(),
            firm_name: random_text(rng),
            firm_ref: random_text(rng),
        }
    }

    fn random_receipt_lines(rng: &mut StdRng) -> Vec<ReceiptLine> {
        (0..rng.gen_range(0..4))
            .map(|_| ReceiptLine {
                bureau_ref: random_text(rng),
                label: random_text(rng),
                amount_cents: random_cents(rng),
            })
            .collect()
    }

    fn confirmed_at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 15)
            .and_then(|d| d.and_hms_opt(10, 30, 0))
            .expect("an instant")
    }

    fn deadline() -> Instant {
        Instant::now() + TIME_BOUND
    }

    /// 10,000 random calls for contributions: every one is a PDF, laid out within the bound.
    #[test]
    fn every_call_for_contributions_is_laid_out_whatever_the_names() {
        let mut rng = StdRng::seed_from_u64(14);
        for case in 0..10_000 {
            let call = CallForContributions {
                letterhead: random_letterhead(&mut rng),
                bureau_ref: random_text(&mut rng),
                inscription_type: random_text(&mut rng),
                address: random_text(&mut rng),
                issued_on: NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date"),
                fixed_part_cents: random_cents(&mut rng),
                lines: (0..rng.gen_range(0..4))
                    .map(|_| CallLine {
                        person_kind: random_text(&mut rng),
                        name: random_text(&mut rng),
                        reference: random_text(&mut rng),
                        detail: random_text(&mut rng),
                        amount_cents: random_cents(&mut rng),
                    })
                    .collect(),
                total_cents: random_cents(&mut rng),
                paid_cents: random_cents(&mut rng),
                balance_cents: random_cents(&mut rng),
                remaining: rng.gen_range(-2..5),
            };
            let pdf = call_for_contributions(&call, deadline())
                .unwrap_or_else(|e| panic!("case {case}: {e} for {call:?}"));
            assert!(pdf.starts_with(b"%PDF-"), "case {case}");
        }
    }

    /// 10,000 random pending transfers: every one is a PDF, laid out within the bound.
    #[test]
    fn every_pending_transfer_is_laid_out_whatever_the_names() {
        let mut rng = StdRng::seed_from_u64(16);
        for case in 0..10_000 {
            let pending = transfer::PendingTransfer {
                letterhead: random_letterhead(&mut rng),
                payment_id: random_text(&mut rng),
                iban: random_text(&mut rng),
                bic: random_text(&mut rng),
                beneficiary: random_text(&mut rng),
                reference: random_text(&mut rng),
                amount_cents: random_cents(&mut rng),
                created_at: confirmed_at(),
                lines: random_receipt_lines(&mut rng),
            };
            let pdf = transfer::pending_transfer(&pending, deadline())
                .unwrap_or_else(|e| panic!("case {case}: {e} for {pending:?}"));
            assert!(pdf.starts_with(b"%PDF-"), "case {case}");
        }
    }

    /// 10,000 random receipts: every one is a PDF, laid out within the bound.
    #[test]
    fn every_receipt_is_laid_out_whatever_the_names() {
        let mut rng = StdRng::seed_from_u64(15);
        for case in 0..10_000 {
            let receipt = Receipt {
                letterhead: random_letterhead(&mut rng),
                payment_id: random_text(&mut rng),
                method_label: random_text(&mut rng),
                reference: random_text(&mut rng),
                confirmed_at: confirmed_at(),
                amount_cents: random_cents(&mut rng),
                lines: random_receipt_lines(&mut rng),
            };
            let pdf = super::receipt(&receipt, deadline())
                .unwrap_or_else(|e| panic!("case {case}: {e} for {receipt:?}"));
            assert!(pdf.starts_with(b"%PDF-"), "case {case}");
        }
    }

    #[test]
    fn amounts_are_written_the_french_way() {
        assert_eq!(format_eur(0), "0,00\u{a0}€");
        assert_eq!(format_eur(5), "0,05\u{a0}€");
        assert_eq!(format_eur(123_456_789), "1\u{a0}234\u{a0}567,89\u{a0}€");
        assert_eq!(format_eur(-600_000), "-6\u{a0}000,00\u{a0}€");
    }
}
