//! « Identifiant ou mot de passe oublié » and the password links: asking for one, reading one, setting the password.
