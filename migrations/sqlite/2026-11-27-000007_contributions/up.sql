-- Declarations and payments: the barème of each region and campaign year, the versioned
-- declarations of the persons attached to a bureau, payments and how each one is allocated,
-- and the provider notifications already processed. Every amount owed or paid still lives in
-- ledger_entries; these tables say where each entry comes from.

-- The barème (règlement intérieur, art. 224) of one region for one campaign year, loaded by
-- import (`contributions::scale::load_csv`), never written by hand in code. Amounts in cents;
-- rates and reductions in basis points (hundredths of a percent: 7000 = 70 %).
CREATE TABLE contribution_scales (
    region_code TEXT NOT NULL REFERENCES regions (code),
    campaign_year INTEGER NOT NULL,
    pp_independant_cents INTEGER NOT NULL CHECK (pp_independant_cents >= 0),
    pp_salarie_cents INTEGER NOT NULL CHECK (pp_salarie_cents >= 0),
    -- Share of the salarié amount that 83 ter and 83 quater staff pay (7000 and 5000 by the rule).
    pp_83ter_rate_bp INTEGER NOT NULL CHECK (pp_83ter_rate_bp BETWEEN 0 AND 10000),
    pp_83quater_rate_bp INTEGER NOT NULL CHECK (pp_83quater_rate_bp BETWEEN 0 AND 10000),
    -- Reductions for a member in the first / second campaign year of registration.
    new_member_year1_reduction_bp INTEGER NOT NULL CHECK (new_member_year1_reduction_bp BETWEEN 0 AND 10000),
    new_member_year2_reduction_bp INTEGER NOT NULL CHECK (new_member_year2_reduction_bp BETWEEN 0 AND 10000),
    bureau_fixed_cents INTEGER NOT NULL CHECK (bureau_fixed_cents >= 0),
    pm_fixed_cents INTEGER NOT NULL CHECK (pm_fixed_cents >= 0),
    pm_per_head_cents INTEGER NOT NULL CHECK (pm_per_head_cents >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, campaign_year)
);

-- Every version of the declaration of one attached person. Nothing is edited once submitted:
-- a correction is a new submitted version and the one it replaces becomes 'superseded'.
CREATE TABLE declarations (
    id TEXT PRIMARY KEY NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'superseded')),
    -- PP: the category, and 1 or 2 for a member in the first or second year of registration.
    pp_category TEXT CHECK (pp_category IN ('independant', 'salarie', 'agc_83ter', 'agc_83quater', 'honoraire')),
    new_member_year INTEGER CHECK (new_member_year IN (1, 2)),
    -- PM: the firm's average headcount of the previous year, in hundredths (12.50 → 1250).
    headcount_hundredths INTEGER CHECK (headcount_hundredths >= 0),
    -- Computed from the barème when the version was saved.
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    -- Why this version corrects the previous one (corrections only).
    correction_reason TEXT,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    submitted_at TIMESTAMP,
    superseded_at TIMESTAMP,
    CHECK ((pp_category IS NOT NULL AND headcount_hundredths IS NULL)
        OR (pp_category IS NULL AND new_member_year IS NULL AND headcount_hundredths IS NOT NULL)),
    UNIQUE (attachment_id, version)
);
-- At most one current version (draft or submitted) per person.
CREATE UNIQUE INDEX declarations_current ON declarations (attachment_id) WHERE status <> 'superseded';

-- A payment for one bureau, or grouped across a firm's bureaux of a region.
CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    firm_id TEXT NOT NULL REFERENCES firms (id),
    -- The bureau paid for; NULL for a grouped payment.
    bureau_id TEXT REFERENCES bureaux (id),
    method TEXT NOT NULL CHECK (method IN ('transfer', 'card', 'direct_debit')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    -- Transfers: what the payer quotes on the transfer.
    transfer_reference TEXT UNIQUE,
    -- Who confirms it: 'bank' (statement reconciliation) for transfers, the provider otherwise,
    -- and the reference that provider knows it by.
    provider TEXT NOT NULL,
    provider_reference TEXT NOT NULL,
    -- Card and direct debit: where the payer completes the payment with the provider.
    checkout_url TEXT,
    failure_reason TEXT,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    UNIQUE (provider, provider_reference)
);
CREATE INDEX payments_firm ON payments (firm_id, campaign_id);

-- How a payment settles what is owed: one row per bureau part or person, fixed when the payment
-- is created (pending payments reserve their parts) and booked as ledger 'payment' entries, one
-- per row, when it is confirmed. The rows of a payment add up to its amount.
CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    position INTEGER NOT NULL,
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    -- NULL for the bureau's own part.
    attachment_id TEXT REFERENCES attachments (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (payment_id, position)
);
CREATE INDEX payment_allocations_bureau ON payment_allocations (bureau_id);
CREATE INDEX payment_allocations_attachment ON payment_allocations (attachment_id);

-- Provider notifications already processed: a replayed one is refused.
CREATE TABLE webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payment_id TEXT REFERENCES payments (id),
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Where a ledger entry comes from: the declaration version it charges or cancels, the payment
-- it books. Both NULL for the bureau's fixed part and for entries of earlier imports.
ALTER TABLE ledger_entries ADD COLUMN declaration_id TEXT REFERENCES declarations (id);
ALTER TABLE ledger_entries ADD COLUMN payment_id TEXT REFERENCES payments (id);
CREATE INDEX ledger_entries_declaration ON ledger_entries (declaration_id);
CREATE INDEX ledger_entries_payment ON ledger_entries (payment_id);
