//! Creating accounts: a member of the register, an « Autre profil » (RAC), and confirming an email address.
