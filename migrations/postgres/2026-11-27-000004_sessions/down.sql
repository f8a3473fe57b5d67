DROP TABLE email_verifications;
DROP TABLE login_throttles;
DROP TABLE security_events;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
