-- Back to 32-bit cents. Fails (and changes nothing) if an amount no longer fits in INTEGER:
-- nothing is truncated.
ALTER TABLE payment_allocations ALTER COLUMN amount_cents TYPE INTEGER;
ALTER TABLE payments ALTER COLUMN amount_cents TYPE INTEGER;
ALTER TABLE declarations ALTER COLUMN amount_cents TYPE INTEGER;
ALTER TABLE contribution_scales
    ALTER COLUMN pp_independant_cents TYPE INTEGER,
    ALTER COLUMN pp_salarie_cents TYPE INTEGER,
    ALTER COLUMN bureau_fixed_cents TYPE INTEGER,
    ALTER COLUMN pm_fixed_cents TYPE INTEGER,
    ALTER COLUMN pm_per_head_cents TYPE INTEGER;
ALTER TABLE ledger_entries ALTER COLUMN amount_cents TYPE INTEGER;
