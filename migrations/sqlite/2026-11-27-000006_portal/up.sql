-- The contributions portal: who manages which bureau, the regional councils' contact records
-- for RACs, the persons attached to each bureau for a campaign, and the append-only ledger
-- from which every amount of the dashboard is derived.

-- Members who are responsables of a firm (from the register import): they see its bureaux and
-- grant them to RACs.
CREATE TABLE firm_responsables (
    firm_id TEXT NOT NULL REFERENCES firms (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (firm_id, member_id)
);
CREATE INDEX firm_responsables_member ON firm_responsables (member_id);

-- Bureaux granted to an account (a RAC), by a responsable or by the import.
CREATE TABLE bureau_managers (
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The account that granted it; NULL when the import did.
    granted_by TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (bureau_id, account_id)
);
CREATE INDEX bureau_managers_account ON bureau_managers (account_id);

-- The address a regional council holds for an account that has no personal file (a RAC):
-- with personal_files, the "regional file" side of the email conflict (guide 4.3).
CREATE TABLE region_contacts (
    region_code TEXT NOT NULL REFERENCES regions (code),
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, account_id)
);

-- A natural person (PP, a member) or legal person (PM, a firm) attached to a bureau for a campaign.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    person_kind TEXT NOT NULL CHECK (person_kind IN ('PP', 'PM')),
    member_id TEXT REFERENCES members (id),
    firm_id TEXT REFERENCES firms (id),
    -- 'to_declare' until a declaration is submitted; 'draft' while one is saved but not submitted.
    declaration_state TEXT NOT NULL CHECK (declaration_state IN ('to_declare', 'draft', 'submitted')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((person_kind = 'PP' AND member_id IS NOT NULL AND firm_id IS NULL)
        OR (person_kind = 'PM' AND firm_id IS NOT NULL AND member_id IS NULL))
);
CREATE INDEX attachments_bureau ON attachments (bureau_id, campaign_id);
CREATE UNIQUE INDEX attachments_unique_pp ON attachments (campaign_id, bureau_id, member_id);
CREATE UNIQUE INDEX attachments_unique_pm ON attachments (campaign_id, bureau_id, firm_id);

-- Append-only: charges (amounts called), payments and refunds, in cents. Balances are sums of
-- this table, never stored.
CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    bureau_id TEXT NOT NULL REFERENCES bureaux (id),
    -- The person a charge or an allocated payment concerns; NULL for the bureau's own fixed part.
    attachment_id TEXT REFERENCES attachments (id),
    -- A corrected declaration cancels its earlier charge and books a new one: nothing is ever edited.
    entry_kind TEXT NOT NULL CHECK (entry_kind IN ('charge', 'charge_cancellation', 'payment', 'refund')),
    -- INTEGER (up to 21 million euros an entry) so that SUM has the same type on both backends.
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    reference TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_bureau ON ledger_entries (bureau_id, campaign_id);
CREATE INDEX ledger_entries_attachment ON ledger_entries (attachment_id);
