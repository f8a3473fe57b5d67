//! `flows::recovery`: reading a password link.

use comptexpert::flows::recovery::inspect_link::inspect_link;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_malformed_or_unknown_link_is_link_invalid() {
    let app = spawn_app().await;
    for token in ["short", "A".repeat(43).as_str()] {
        let refused = inspect_link(&app.context, token.to_owned())
            .await
            .expect_err("refused");
        assert_eq!(refused.code().as_str(), "link_invalid", "{token}");
    }
}
