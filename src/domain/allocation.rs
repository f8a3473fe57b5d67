//! How a payment settles what is owed. Pure, so that the order is pinned by unit tests.
//!
//! The order, documented in the README: bureaux in the dashboard's order (principal first, then
//! by reference); within a bureau, its own fixed part first, then each person's charge from the
//! oldest booked to the newest. Each part takes what it still owes, until the payment runs out,
//! so a partial payment settles the oldest debts first (the rule of imputation of art. 1342-10
//! of the Code civil when nothing else is agreed).

/// What one item (a bureau's own part, or one attached person) still owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub bureau_id: String,
    /// `None` for the bureau's own part.
    pub attachment_id: Option<String>,
    /// Charges − cancellations − payments + refunds − parts reserved by pending payments; negative
    /// for a credit.
    pub due_cents: i64,
}

/// One part of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub bureau_id: String,
    pub attachment_id: Option<String>,
    pub amount_cents: i64,
}

/// What one payment over `dues` may settle at most: the net amount still owed, credits of one
/// item counted against debts of another (as "Montant regroupé" does), never below zero.
pub fn payable(dues: &[Due]) -> i64 {
    super::money::saturating_sum(dues.iter().map(|d| d.due_cents)).max(0)
}

/// Splits `amount_cents` over the items that owe something, in order. `None` when the amount
/// is not positive or exceeds what they owe together: the parts always add up to the amount.
pub fn allocate(amount_cents: i64, dues: &[Due]) -> Option<Vec<Part>> {
    if amount_cents <= 0 {
        return None;
    }
    let mut left = amount_cents;
    let mut parts = Vec::new();
    for due in dues.iter().filter(|d| d.due_cents > 0) {
        if left == 0 {
            break;
        }
        let take = due.due_cents.min(left);
        parts.push(Part {
            bureau_id: due.bureau_id.clone(),
            attachment_id: due.attachment_id.clone(),
            amount_cents: take,
        });
        left -= take;
    }
    (left == 0).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(bureau: &str, person: Option<&str>, cents: i64) -> Due {
        Due {
            bureau_id: bureau.into(),
            attachment_id: person.map(Into::into),
            due_cents: cents,
        }
    }

    fn dues() -> Vec<Due> {
        vec![
            due("B1", None, 30_000),
            due("B1", Some("marie"), 45_000),
            due("B1", Some("cabinet"), 0),
            due("B2", None, -6_000),
            due("B2", Some("luc"), 12_345),
        ]
    }

    #[test]
    fn the_payable_amount_nets_credits_against_debts() {
        assert_eq!(payable(&dues()), 81_345);
        assert_eq!(payable(&[due("B", None, -10)]), 0);
    }

    #[test]
    fn a_full_payment_settles_every_debt_in_order() {
        let parts = allocate(87_345, &dues()).expect("fits");
        let amounts: Vec<i64> = parts.iter().map(|p| p.amount_cents).collect();
        assert_eq!(amounts, vec![30_000, 45_000, 12_345]);
        assert_eq!(parts[2].attachment_id.as_deref(), Some("luc"));
    }

    #[test]
    fn a_partial_payment_settles_the_first_items_and_part_of_the_next() {
        let parts = allocate(50_001, &dues()).expect("fits");
        assert_eq!(
            parts,
            vec![
                due_part("B1", None, 30_000),
                due_part("B1", Some("marie"), 20_001)
            ]
        );
        assert_eq!(parts.iter().map(|p| p.amount_cents).sum::<i64>(), 50_001);
    }

    #[test]
    fn nothing_is_allocated_beyond_what_is_owed() {
        assert_eq!(allocate(87_346, &dues()), None);
        assert_eq!(allocate(0, &dues()), None);
        assert_eq!(allocate(-5, &dues()), None);
    }

    fn due_part(bureau: &str, person: Option<&str>, cents: i64) -> Part {
        Part {
            bureau_id: bureau.into(),
            attachment_id: person.map(Into::into),
            amount_cents: cents,
        }
    }
}
