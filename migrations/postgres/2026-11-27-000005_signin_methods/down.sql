DROP TABLE signexpert_certificates;
DROP TABLE signexpert_challenges;
DROP TABLE expertpass_challenges;
DROP TABLE expertpass_devices;
