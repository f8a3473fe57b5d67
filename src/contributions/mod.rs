//! Contributions (règlement intérieur, art. 224): the barème, declarations and how payments are
//! allocated. The computations (`domain::amount`, `domain::allocation`) are pure and live in the domain; the workflows take a
//! connection and run inside the caller's transaction, booking every amount in the ledger.

pub mod declarations;
pub mod persons;
pub mod scale;

/// Why a contributions operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ContributionError {
    /// The campaign is closed (or the region has none).
    #[error("the campaign is closed")]
    CampaignClosed,
    /// No barème was loaded for the region and year.
    #[error("no barème for this campaign")]
    ScaleMissing,
    /// The person's declaration is submitted: only a correction may change it.
    #[error("the declaration is submitted")]
    DeclarationLocked,
    /// There is no draft to submit.
    #[error("no draft to submit")]
    NoDraft,
    /// A correction needs a submitted declaration.
    #[error("no submitted declaration to correct")]
    NotSubmitted,
    /// The member or firm is already attached to the bureau for the campaign.
    #[error("already attached")]
    AlreadyAttached,
    /// The person's declaration was submitted, or something was charged, paid or reserved
    /// for them: they stay attached.
    #[error("the person is declared")]
    PersonDeclared,
    /// No member of the register has this SUPRA number.
    #[error("unknown member")]
    MemberNotFound,
    /// No firm has this reference.
    #[error("unknown firm")]
    FirmNotFound,
    /// A field does not fit the person or the register.
    #[error("invalid field {field}")]
    Invalid {
        field: &'static str,
        code: &'static str,
    },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}
