DROP TABLE personal_files;
DROP TABLE campaigns;
DROP TABLE bureaux;
DROP TABLE firms;
DROP TABLE members;
