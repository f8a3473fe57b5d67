-- A challenge cancelled by a wrong number reads as denied to the code before number matching.
UPDATE expertpass_challenges SET status = 'denied' WHERE status = 'cancelled';
ALTER TABLE expertpass_challenges DROP COLUMN client_network;
ALTER TABLE expertpass_challenges DROP COLUMN user_agent;
ALTER TABLE expertpass_challenges DROP COLUMN number_choices;
ALTER TABLE expertpass_challenges DROP COLUMN number;
