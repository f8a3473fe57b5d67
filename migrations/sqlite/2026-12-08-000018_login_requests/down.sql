DROP TABLE login_requests;
