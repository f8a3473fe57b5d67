DROP INDEX members_search_key;
CREATE INDEX members_search_key ON members (search_key);
DROP TABLE member_name_words;
