//! Signexpert: the certificate challenge, the signed proof that signs in, and enrolling or removing a certificate.
