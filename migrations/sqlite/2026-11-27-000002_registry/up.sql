-- The register of members ("le tableau") and the places and campaigns of the contributions portal,
-- loaded by `comptexpert import` (upsert by the natural keys below).
CREATE TABLE members (
    -- Opaque reference handed to the front end; never the SUPRA number.
    id TEXT PRIMARY KEY NOT NULL,
    supra_number TEXT NOT NULL UNIQUE,
    civility TEXT NOT NULL CHECK (civility IN ('M', 'MME')),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    registration_year INTEGER NOT NULL,
    quality_code TEXT NOT NULL REFERENCES qualities (code),
    region_code TEXT NOT NULL REFERENCES regions (code),
    email TEXT NOT NULL,
    -- ASCII-folded, lowercase, letters and digits only, last name then first name: the prefix search key.
    search_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX members_search_key ON members (search_key);

CREATE TABLE firms (
    id TEXT PRIMARY KEY NOT NULL,
    firm_ref TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE bureaux (
    id TEXT PRIMARY KEY NOT NULL,
    bureau_ref TEXT NOT NULL UNIQUE,
    firm_id TEXT NOT NULL REFERENCES firms (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    inscription_type TEXT NOT NULL CHECK (inscription_type IN ('PRINCIPAL', 'SECONDAIRE')),
    address_line TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX bureaux_firm ON bureaux (firm_id);
CREATE INDEX bureaux_region ON bureaux (region_code);

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    year INTEGER NOT NULL,
    is_open BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (region_code, year)
);

CREATE TABLE personal_files (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- The address the regional council knows; may differ from the ComptExpert one (email conflict).
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (member_id, region_code)
);
