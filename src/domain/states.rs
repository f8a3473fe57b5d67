//! The states and kinds the service stores: each a closed set of values, kept as text on both
//! backends (the same strings as before, so no migration) and matched exhaustively in the code.
//!
//! Reading a value outside the set is a decoding error, never a default: a stray `refund` row or
//! a status written by a newer release must stop the request (a 500, logged), not be summed as a
//! debt or taken for "consumed".

use std::fmt;

/// A stored value that none of a set's variants spells.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {set} value {value:?}")]
pub struct UnknownValue {
    /// Which set was read (`payment status`…).
    pub set: &'static str,
    /// The text found.
    pub value: String,
}

/// Declares a stored enum: its variants and their text, `as_str`, a strict `parse`, `Display`,
/// serde serialisation as that text, and diesel's `Text` conversions on every backend whose
/// `String`/`str` have them (PostgreSQL, SQLite and the `MultiConnection` backend over both).
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $set:literal {
            $( $(#[$variant_meta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored (and wire) text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }

            /// The variant `text` spells; any other text is an error.
            pub fn parse(text: &str) -> Result<Self, UnknownValue> {
                match text {
                    $( $text => Ok(Self::$variant), )+
                    _ => Err(UnknownValue { set: $set, value: text.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, UnknownValue> {
                Self::parse(text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(
                bytes: <DB as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                Ok(Self::parse(&text)?)
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }
    };
}

stored_enum! {
    /// Where a payment stands.
    PaymentStatus, "payment status" {
        /// Waiting for the money (a transfer to arrive, a card or debit to be confirmed).
        Pending => "pending",
        /// Received and booked in the ledger.
        Confirmed => "confirmed",
        /// Refused or abandoned; nothing booked, its parts no longer reserved.
        Failed => "failed",
    }
}

stored_enum! {
    /// What a ledger entry records.
    LedgerEntryKind, "ledger entry kind" {
        /// An amount called (a submitted declaration, a bureau's fixed part).
        Charge => "charge",
        /// Cancels an earlier charge (a corrected declaration, a changed fixed part).
        ChargeCancellation => "charge_cancellation",
        /// Money received.
        Payment => "payment",
        /// Money given back.
        Refund => "refund",
    }
}

stored_enum! {
    /// Where an Expertpass challenge (one QR code) stands.
    ExpertpassChallengeStatus, "Expertpass challenge status" {
        /// Waiting for the app.
        Pending => "pending",
        /// The app approved; the browser has not collected the tokens yet.
        Approved => "approved",
        /// The app refused.
        Denied => "denied",
        /// The app's owner chose a number the browser did not show: nobody may approve it any more.
        Cancelled => "cancelled",
        /// The browser collected the tokens: nothing more to hand out.
        Consumed => "consumed",
    }
}

stored_enum! {
    /// What happened to an account, in its security history (the text is part of the API).
    SecurityEventKind, "security event kind" {
        /// A successful sign-in.
        SignIn => "sign_in",
        /// A refused sign-in.
        SignInFailed => "sign_in_failed",
        /// Too many failures: the account is locked for a while.
        AccountLocked => "account_locked",
        /// The person signed out.
        SignOut => "sign_out",
        /// The person revoked one of their sessions.
        SessionRevoked => "session_revoked",
        /// A refresh token was used twice: its session was revoked.
        RefreshTokenReused => "refresh_token_reused",
        /// A first password was chosen.
        PasswordSet => "password_set",
        /// The password was changed while signed in.
        PasswordChanged => "password_changed",
        /// The password was reset from an emailed link.
        PasswordReset => "password_reset",
        /// A new email address awaits its confirmation.
        EmailChangeRequested => "email_change_requested",
        /// The email address changed.
        EmailChanged => "email_changed",
        /// The profile was updated.
        ProfileUpdated => "profile_updated",
        /// An Expertpass device was enrolled.
        DeviceEnrolled => "device_enrolled",
        /// An Expertpass device was removed.
        DeviceRemoved => "device_removed",
        /// A Signexpert certificate was enrolled.
        CertificateEnrolled => "certificate_enrolled",
        /// A Signexpert certificate was removed.
        CertificateRemoved => "certificate_removed",
        /// The Ordre's support looked the account up (`comptexpert account show`).
        ViewedBySupport => "viewed_by_support",
        /// The support lifted a sign-in lock (`comptexpert account unlock`).
        SignInUnlockedBySupport => "sign_in_unlocked_by_support",
        /// The support closed every session (`comptexpert account revoke-sessions`).
        SessionsRevokedBySupport => "sessions_revoked_by_support",
        /// The support sent a new activation link (`comptexpert account resend-activation`).
        ActivationLinkResent => "activation_link_resent",
        /// The support sent a password reset link (`comptexpert account send-reset`).
        ResetLinkSentBySupport => "reset_link_sent_by_support",
        /// The support replaced the account's email address (both addresses were told).
        EmailCorrectedBySupport => "email_corrected_by_support",
        /// The support removed an Expertpass device (a lost phone).
        DeviceRemovedBySupport => "device_removed_by_support",
        /// The support removed a Signexpert certificate (a lost or compromised key).
        CertificateRemovedBySupport => "certificate_removed_by_support",
    }
}

stored_enum! {
    /// What a verified payment notification did, as kept with it.
    WebhookOutcome, "webhook outcome" {
        /// It confirmed or failed its pending payment.
        Applied => "applied",
        /// Its payment was already in the state it reports: nothing changed.
        Unchanged => "unchanged",
        /// A success for another amount than the payment's: refused, the payment stays pending.
        AmountMismatch => "amount_mismatch",
        /// A success for a failed payment or a failure for a confirmed one: refused, for the
        /// regional council to handle.
        NotPending => "not_pending",
        /// No payment of this provider has its reference.
        UnknownPayment => "unknown_payment",
    }
}

stored_enum! {
    /// Where one version of a person's declaration stands.
    DeclarationStatus, "declaration status" {
        /// Saved, editable, not charged.
        Draft => "draft",
        /// Submitted: locked and charged.
        Submitted => "submitted",
        /// Replaced by a correction; its charge was cancelled.
        Superseded => "superseded",
    }
}

stored_enum! {
    /// Where an attached person's declaration stands, as the dashboard counts them.
    DeclarationState, "declaration state" {
        /// Nothing saved yet.
        ToDeclare => "to_declare",
        /// A draft is saved.
        Draft => "draft",
        /// A version is submitted (and charged).
        Submitted => "submitted",
    }
}

stored_enum! {
    /// What a member of the Ordre's staff may do.
    StaffRoleKind, "staff role" {
        /// The support desk, national: accounts (look-up, unlock, links, email, revocations).
        Support => "support",
        /// A regional council: the contributions of its region.
        Council => "council",
        /// Roles, the clients of single sign-on, the barèmes of every region, the audit log.
        Administrator => "administrator",
    }
}

stored_enum! {
    /// Where a login request of the OpenID Connect provider stands.
    LoginRequestStatus, "login request status" {
        /// Waiting for the front end to sign the user in.
        Pending => "pending",
        /// A signed-in user accepted it; the browser has not come back yet.
        Accepted => "accepted",
        /// The user refused (or the front end gave up): the relying party gets `access_denied`.
        Rejected => "rejected",
        /// The browser came back and the relying party got its code: nothing more to do.
        Completed => "completed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_parses_back_from_its_text() {
        fn check<T: Copy + PartialEq + fmt::Debug>(
            all: &[T],
            as_str: fn(T) -> &'static str,
            parse: fn(&str) -> Result<T, UnknownValue>,
        ) {
            for &variant in all {
                assert_eq!(parse(as_str(variant)), Ok(variant));
            }
        }
        check(
            PaymentStatus::ALL,
            PaymentStatus::as_str,
            PaymentStatus::parse,
        );
        check(
            LedgerEntryKind::ALL,
            LedgerEntryKind::as_str,
            LedgerEntryKind::parse,
        );
        check(
            ExpertpassChallengeStatus::ALL,
            ExpertpassChallengeStatus::as_str,
            ExpertpassChallengeStatus::parse,
        );
        check(
            SecurityEventKind::ALL,
            SecurityEventKind::as_str,
            SecurityEventKind::parse,
        );
        check(
            DeclarationStatus::ALL,
            DeclarationStatus::as_str,
            DeclarationStatus::parse,
        );
        check(
            DeclarationState::ALL,
            DeclarationState::as_str,
            DeclarationState::parse,
        );
        check(
            WebhookOutcome::ALL,
            WebhookOutcome::as_str,
            WebhookOutcome::parse,
        );
        check(
            LoginRequestStatus::ALL,
            LoginRequestStatus::as_str,
            LoginRequestStatus::parse,
        );
        check(
            StaffRoleKind::ALL,
            StaffRoleKind::as_str,
            StaffRoleKind::parse,
        );
    }

    #[test]
    fn an_unknown_or_differently_cased_text_is_an_error() {
        for text in ["", "Pending", "pending ", "paid"] {
            assert_eq!(
                PaymentStatus::parse(text),
                Err(UnknownValue {
                    set: "payment status",
                    value: text.to_owned()
                })
            );
        }
        assert!(LedgerEntryKind::parse("chargeback").is_err());
        assert!(ExpertpassChallengeStatus::parse("expired").is_err());
    }

    #[test]
    fn serialises_as_its_stored_text() {
        assert_eq!(
            serde_json::to_value(SecurityEventKind::RefreshTokenReused).ok(),
            Some(serde_json::json!("refresh_token_reused"))
        );
    }
}
