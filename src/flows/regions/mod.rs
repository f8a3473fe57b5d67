//! The region choice, the regional email-conflict choice, and who manages which bureau.
