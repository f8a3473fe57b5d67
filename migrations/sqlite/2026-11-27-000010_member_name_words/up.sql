-- The name pre-fill also finds a member by a later word of a compound last name: "lefevre" or
-- "artagnan" find "D'Artagnan-Lefèvre". One row per word after the first: the search key from
-- that word on (the rest of the last name, then the first name), folded like members.search_key.
-- Written with the member by the import and the demo data; filled for existing members at start.
CREATE TABLE member_name_words (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    -- 1 for the second word of the last name, 2 for the third…
    position INTEGER NOT NULL,
    search_key TEXT NOT NULL,
    PRIMARY KEY (member_id, position)
);
CREATE INDEX member_name_words_search_key ON member_name_words (search_key, member_id);

-- Pages of the search follow (search_key, id): the index gives them in that order.
DROP INDEX members_search_key;
CREATE INDEX members_search_key ON members (search_key, id);
