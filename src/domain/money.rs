//! Money: every amount is a whole number of euro cents in an `i64`, stored `BIGINT` on both
//! backends, and none is larger than [`MAX_PAYMENT_CENTS`].

use super::amount::MAX_HEADCOUNT_HUNDREDTHS;

/// The largest amount of one payment, in cents: 1 000 000 000,00 €. A payment above it is
/// refused with 422 `amount_too_large`, whether its amount was given or is "everything that
/// remains" (the balance is then paid in several payments). It also bounds each declaration and
/// each figure of a barème, so that any one of them can be paid in one payment, and so that no
/// amount comes near `i64::MAX` (about 9.2 × 10¹⁸) or JSON's exact integers (2⁵³, about
/// 9.0 × 10¹⁵): a balance would need ninety thousand maximal payments to pass the latter.
pub const MAX_PAYMENT_CENTS: i64 = 100_000_000_000;

// Checked when compiling.
const _: () = {
    assert!(
        MAX_PAYMENT_CENTS > i32::MAX as i64,
        "past the 32-bit cents of before"
    );
    assert!(MAX_PAYMENT_CENTS < 1 << 53, "an exact integer in JSON");
    // The largest per-head figure of a barème times the largest headcount: a declaration's
    // amount never overflows before it is compared with the maximum.
    assert!(MAX_PAYMENT_CENTS
        .checked_mul(MAX_HEADCOUNT_HUNDREDTHS / 100)
        .is_some());
};

/// Whether `cents` is an amount the portal handles: from 0 to [`MAX_PAYMENT_CENTS`].
pub fn within_maximum(cents: i64) -> bool {
    (0..=MAX_PAYMENT_CENTS).contains(&cents)
}

/// The sum of amounts of any number of items, saturated at the bounds of `i64` rather than
/// wrapped (or a panic in debug builds): far past anything the maximum lets the ledger hold.
pub fn saturating_sum(amounts: impl IntoIterator<Item = i64>) -> i64 {
    amounts.into_iter().fold(0, i64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_is_a_billion_euros_from_zero() {
        assert_eq!(MAX_PAYMENT_CENTS / 100, 1_000_000_000);
        assert!(within_maximum(0) && within_maximum(MAX_PAYMENT_CENTS));
        assert!(!within_maximum(-1) && !within_maximum(MAX_PAYMENT_CENTS + 1));
    }

    #[test]
    fn sums_saturate_instead_of_wrapping() {
        assert_eq!(saturating_sum([30_000, -6_000, 12_345]), 36_345);
        assert_eq!(saturating_sum([i64::MAX, 1]), i64::MAX);
        assert_eq!(saturating_sum([i64::MIN, -1]), i64::MIN);
        assert_eq!(saturating_sum([]), 0);
    }
}
