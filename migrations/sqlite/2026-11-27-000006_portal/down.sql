DROP TABLE ledger_entries;
DROP TABLE attachments;
DROP TABLE region_contacts;
DROP TABLE bureau_managers;
DROP TABLE firm_responsables;
