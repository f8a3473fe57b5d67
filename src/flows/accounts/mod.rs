//! Creating accounts: a member of the register, an « Autre profil » (RAC), and confirming an email address.

pub mod confirm_email_change;
pub mod register_member;
pub mod register_rac;
