-- Money in 64-bit cents (issue #16). INTEGER held at most 21,474,836.47 €: each declaration was
-- capped below that, but a bureau's or a firm's balance is a sum, and paying it failed at the
-- insert of the payment. Every amount is now BIGINT; the largest amount the application accepts
-- (a payment, a declaration, a barème figure) is domain::money::MAX_PAYMENT_CENTS, well inside it.
-- SUM over BIGINT is NUMERIC here: the application casts its sums back to BIGINT
-- (db::sum_cents), as SQLite's are.
ALTER TABLE ledger_entries ALTER COLUMN amount_cents TYPE BIGINT;
ALTER TABLE contribution_scales
    ALTER COLUMN pp_independant_cents TYPE BIGINT,
    ALTER COLUMN pp_salarie_cents TYPE BIGINT,
    ALTER COLUMN bureau_fixed_cents TYPE BIGINT,
    ALTER COLUMN pm_fixed_cents TYPE BIGINT,
    ALTER COLUMN pm_per_head_cents TYPE BIGINT;
ALTER TABLE declarations ALTER COLUMN amount_cents TYPE BIGINT;
ALTER TABLE payments ALTER COLUMN amount_cents TYPE BIGINT;
ALTER TABLE payment_allocations ALTER COLUMN amount_cents TYPE BIGINT;
