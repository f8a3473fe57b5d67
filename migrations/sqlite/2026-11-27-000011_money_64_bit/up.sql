-- Money in 64-bit cents (issue #16), as in migrations/postgres. SQLite stores every INTEGER in up
-- to 8 bytes already, so no value changes: the amounts are declared BIGINT (INTEGER affinity,
-- the same storage) so that both backends describe one schema (tests/api/migrations.rs) and
-- `diesel print-schema` says BigInt on both. SQLite cannot change a column's declared type, so
-- the five tables are rebuilt, their rows kept.

-- Defer the foreign keys to the end of the migration's transaction: dropping payments and
-- declarations leaves the rows that reference them (webhook events, ledger entries, parts)
-- without a parent until the rebuilt table gets its rows back. None of those references has an
-- ON DELETE action, so the implicit DELETE of a DROP TABLE changes no other table.
PRAGMA defer_foreign_keys = ON;

-- The rows, kept aside. CREATE TABLE … AS gives each copy the affinity of its source column, so
-- every value comes back as it was stored.
CREATE TABLE money_64_ledger_entries AS SELECT * FROM ledger_entries;
CREATE TABLE money_64_payment_allocations AS SELECT * FROM payment_allocations;
CREATE TABLE money_64_declarations AS SELECT * FROM declarations;
CREATE TABLE money_64_payments AS SELECT * FROM payments;
CREATE TABLE money_64_contribution_scales AS SELECT * FROM contribution_scales;

-- Referencing tables first; their indexes go with them.
DROP TABLE ledger_entries;
DROP TABLE payment_allocations;
DROP TABLE declarations;
DROP TABLE payments;
DROP TABLE contribution_scales;

-- The same tables, columns (in the same order), constraints and indexes as migrations 000006 and
-- 000007 made, the amounts declared BIGINT.
CREATE TABLE contribution_scales (
    region_code TEXT NOT NULL REFERENCES regions (code),
    campaign_year INTEGER NOT NULL,
    pp_independant_cents BIGINT NOT NULL CHECK (pp_independant_cents >= 0),
    pp_salarie_cents BIGINT NOT NULL CHECK (pp_salarie_cents >= 0),
    pp_83ter_rate_bp INTEGER NOT NULL CHECK (pp_83ter_rate_bp BETWEEN 0 AND 10000),
    pp_83quater_rate_bp INTEGER NOT NULL CHECK (pp_83quater_rate_bp BETWEEN 0 AND 10000),
    new_member_year1_reduction_bp INTEGER NOT NULL CHECK (new_member_year1_reduction_bp BETWEEN 0 AND 10000),
    new_member_year2_reduction_bp INTEGER NOT NULL CHECK (new_member_year2_reduction_bp BETWEEN 0 AND 10000),
    bureau_fixed_cents BIGINT NOT NULL CHECK (bureau_fixed_cents >= 0),
    pm_fixed_cents BIGINT NOT NULL CHECK (pm_fixed_cents >= 0),
    pm_per_head_cents BIGINT NOT NULL CHECK (pm_per_head_cents >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, campaign_year)
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    firm_id TEXT NOT NULL REFERENCES firms (id),
    bureau_id TEXT REFERENCES bureaux (id),
    method TEXT NOT NULL CHECK (method IN ('transfer', 'card', 'direct_debit')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    transfer_reference TEXT UNIQUE,
    provider TEXT NOT NULL,
    provider_reference TEXT NOT NULL,
    checkout_url TEXT,
    failure_reason TEXT,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    UNIQUE (provider, provider_reference)
);
CREATE INDEX payments_firm ON payments (firm_id, campaign_id);

CREATE TABLE declarations (
    id TEXT PRIMARY KEY NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'superseded')),
    pp_category TEXT CHECK (pp_category IN ('independant', 'salarie', 'agc_83ter', 'agc_83quater', 'honoraire')),
    new_member_year INTEGER CHECK (new_member_year IN (1, 2)),
    headcount_hundredths INTEGER CHECK (headcount_hundredths >= 0),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
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
CREATE UNIQUE INDEX declarations_current ON declarations (attachment_id) WHERE status <> 'superseded';

CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    position INTEGER NOT NULL,
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    attachment_id TEXT REFERENCES attachments (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (payment_id, position)
);
CREATE INDEX payment_allocations_bureau ON payment_allocations (bureau_id);
CREATE INDEX payment_allocations_attachment ON payment_allocations (attachment_id);

CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    attachment_id TEXT REFERENCES attachments (id),
    entry_kind TEXT NOT NULL CHECK (entry_kind IN ('charge', 'charge_cancellation', 'payment', 'refund')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    reference TEXT,
    created_at TIMESTAMP NOT NULL,
    declaration_id TEXT REFERENCES declarations (id),
    payment_id TEXT REFERENCES payments (id)
);
CREATE INDEX ledger_entries_bureau ON ledger_entries (bureau_id, campaign_id);
CREATE INDEX ledger_entries_attachment ON ledger_entries (attachment_id);
CREATE INDEX ledger_entries_declaration ON ledger_entries (declaration_id);
CREATE INDEX ledger_entries_payment ON ledger_entries (payment_id);

-- The rows back, parents first; every reference finds its parent again before the commit.
INSERT INTO contribution_scales SELECT * FROM money_64_contribution_scales;
INSERT INTO payments SELECT * FROM money_64_payments;
INSERT INTO declarations SELECT * FROM money_64_declarations;
INSERT INTO payment_allocations SELECT * FROM money_64_payment_allocations;
INSERT INTO ledger_entries SELECT * FROM money_64_ledger_entries;

DROP TABLE money_64_ledger_entries;
DROP TABLE money_64_payment_allocations;
DROP TABLE money_64_declarations;
DROP TABLE money_64_payments;
DROP TABLE money_64_contribution_scales;
