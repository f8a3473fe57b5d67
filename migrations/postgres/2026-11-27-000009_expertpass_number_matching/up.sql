-- Number matching and what the app shows before its owner approves (README, Expertpass).
-- The number the browser shows (10 to 99) and the three the app offers, in the order shown
-- ("17,42,85"). Stored rather than drawn at each read: the offer stays the same however often
-- the app asks.
ALTER TABLE expertpass_challenges ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE expertpass_challenges ADD COLUMN number_choices TEXT NOT NULL DEFAULT '';
-- The browser that asked, as the app shows it: its User-Agent (first 200 characters) and its
-- address cut to the IPv4 /24 or IPv6 /48 network (never the full address).
ALTER TABLE expertpass_challenges ADD COLUMN user_agent TEXT;
ALTER TABLE expertpass_challenges ADD COLUMN client_network TEXT;
-- A challenge created before this migration has no number, and only an approval with the number
-- is accepted now: it expires at once, so its browser shows a new QR code.
UPDATE expertpass_challenges SET expires_at = created_at WHERE status = 'pending';
