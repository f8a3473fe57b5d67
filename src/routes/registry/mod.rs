//! The register of members, as registration sees it: name pre-fill and SUPRA matching.

pub mod match_member;
pub mod search_members;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::registry::Member;

/// A register entry proposed to the person registering: never the birth date, number or email.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProposal {
    /// Opaque reference to send back as `member_ref` when creating the account.
    #[schema(example = "0193b7e2-5c1a-7d4e-9f00-1a2b3c4d5e6f")]
    pub member_ref: String,
    /// Last name as the register writes it.
    #[schema(example = "Durand")]
    pub last_name: String,
    /// First name as the register writes it.
    #[schema(example = "Marie")]
    pub first_name: String,
    /// Year of registration at the Ordre (helps tell namesakes apart).
    #[schema(example = 2009)]
    pub registration_year: i32,
}

impl From<Member> for MemberProposal {
    fn from(member: Member) -> Self {
        Self {
            member_ref: member.id,
            last_name: member.last_name,
            first_name: member.first_name,
            registration_year: member.registration_year,
        }
    }
}
