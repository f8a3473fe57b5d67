//! `flows::registry`: the SUPRA number match.

use chrono::NaiveDate;
use comptexpert::flows::{
    registry::match_member::{match_member, MemberIdentity},
    Client,
};

use crate::{fixtures::MemberSpec, helpers::spawn_app};

fn identity(supra_number: &str, birth_date: &str) -> MemberIdentity {
    MemberIdentity {
        supra_number: supra_number.into(),
        birth_date: NaiveDate::parse_from_str(birth_date, "%Y-%m-%d").expect("date"),
    }
}

#[actix_web::test]
async fn the_number_and_birth_date_find_the_member_and_nothing_else_does() {
    let app = spawn_app().await;
    app.add_member(MemberSpec::default());
    let client = || Client::new("192.0.2.30", None);

    let member = match_member(&app.context, identity("12345678", "1978-04-12"), client())
        .await
        .expect("found");
    assert_eq!(member.last_name, "Durand");

    let wrong_date = match_member(&app.context, identity("12345678", "1978-04-13"), client())
        .await
        .expect_err("no match");
    assert_eq!(wrong_date.code().as_str(), "no_match");
    let malformed = match_member(&app.context, identity("12-34", "1978-04-12"), client())
        .await
        .expect_err("refused");
    assert_eq!(malformed.code().as_str(), "validation_failed");
}
