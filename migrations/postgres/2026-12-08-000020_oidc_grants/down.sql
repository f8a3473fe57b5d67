DROP TABLE outbox_logouts;
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_grants;
DROP TABLE sso_cookies;
