//! `flows::declarations`: attaching and detaching persons, saving, submitting and correcting
//! their declarations, and the history of versions, in the world of the payment tests.

use comptexpert::{
    auth::extractor::Authenticated,
    contributions::persons::Person,
    domain::states::{DeclarationState, DeclarationStatus},
    error::{ApiError, ErrorCode},
    flows::{
        bureaux::detail::bureau_detail,
        declarations::{
            attach_person::attach_person, correct::correct_declaration,
            detach_person::detach_person, history::declaration_history, save::save_declaration,
            submit::submit_declaration, DeclarationInput, PersonAt,
        },
    },
};

use crate::payments_world::{world, World, BRETAGNE, PARIS};

fn rac(w: &World) -> Authenticated {
    Authenticated {
        account_id: w.rac.id.clone(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    }
}

fn at(bureau_ref: &str, person_id: &str) -> PersonAt {
    at_in(PARIS, bureau_ref, person_id)
}

fn at_in(region_code: &str, bureau_ref: &str, person_id: &str) -> PersonAt {
    PersonAt {
        region_code: region_code.into(),
        bureau_ref: bureau_ref.into(),
        person_id: person_id.into(),
    }
}

fn category(value: &str) -> DeclarationInput {
    DeclarationInput {
        category: Some(value.into()),
        ..DeclarationInput::default()
    }
}

/// The amount called on a Paris bureau, in cents.
async fn called(w: &World, bureau_ref: &str) -> i64 {
    bureau_detail(&w.app.context, &rac(w), PARIS.into(), bureau_ref.into())
        .await
        .expect("the bureau")
        .figures
        .total_cents
}

fn issue_codes(error: &ApiError) -> Vec<&'static str> {
    error.field_issues().iter().map(|i| i.code).collect()
}

#[actix_web::test]
async fn a_draft_charges_nothing_and_its_submission_charges_the_bureau_once() {
    let w = world().await;
    let (ctx, auth) = (&w.app.context, rac(&w));
    assert_eq!(called(&w, "B-001").await, 30_000, "the fixed part only");

    let draft = save_declaration(ctx, &auth, at("B-001", &w.marie), category("independant"))
        .await
        .expect("saved");
    assert_eq!(draft.declaration.status, DeclarationStatus::Draft);
    assert_eq!(draft.declaration.amount_cents, 45_000);
    assert_eq!(draft.created_by.as_deref(), Some("rac.pay"));
    assert_eq!(called(&w, "B-001").await, 30_000);

    // A draft can change until it is submitted.
    let draft = save_declaration(ctx, &auth, at("B-001", &w.marie), category("salarie"))
        .await
        .expect("saved again");
    assert_eq!(draft.declaration.amount_cents, 38_000);

    let submitted = submit_declaration(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect("submitted");
    assert_eq!(submitted.declaration.status, DeclarationStatus::Submitted);
    assert_eq!(submitted.submitted_by.as_deref(), Some("rac.pay"));
    assert_eq!(called(&w, "B-001").await, 30_000 + 38_000);

    let locked = save_declaration(ctx, &auth, at("B-001", &w.marie), category("independant"))
        .await
        .expect_err("locked");
    assert_eq!(locked.code(), ErrorCode::DeclarationLocked);
    let twice = submit_declaration(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect_err("already submitted");
    assert_eq!(twice.code(), ErrorCode::DeclarationLocked);
    assert_eq!(called(&w, "B-001").await, 68_000, "charged once");
}

#[actix_web::test]
async fn a_form_that_does_not_fit_the_person_names_its_fields_and_saves_nothing() {
    let w = world().await;
    let (ctx, auth) = (&w.app.context, rac(&w));

    let wrong_kind = save_declaration(ctx, &auth, at("B-001", &w.firm_b1), category("salarie"))
        .await
        .expect_err("a firm has no category");
    assert_eq!(wrong_kind.code(), ErrorCode::ValidationFailed);
    assert!(issue_codes(&wrong_kind).contains(&"not_a_natural_person"));
    let reduction = DeclarationInput {
        new_member_year: Some(1),
        ..category("independant")
    };
    let not_new = save_declaration(ctx, &auth, at("B-001", &w.marie), reduction)
        .await
        .expect_err("Marie registered in 2009");
    assert_eq!(
        issue_codes(&not_new),
        vec!["new_member_year_not_applicable"]
    );
    let no_draft = submit_declaration(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect_err("nothing saved");
    assert_eq!(no_draft.code(), ErrorCode::NoDraft);
    let unknown = save_declaration(
        ctx,
        &auth,
        at("B-001", "no-such-person"),
        category("salarie"),
    )
    .await
    .expect_err("unknown");
    assert_eq!(unknown.code(), ErrorCode::PersonNotFound);
    // Another firm's bureau is not one the caller can reach.
    let elsewhere = save_declaration(ctx, &auth, at("B-009", &w.marie), category("salarie"))
        .await
        .expect_err("not managed");
    assert_eq!(elsewhere.code(), ErrorCode::BureauNotFound);
    let closed = save_declaration(
        ctx,
        &auth,
        at_in(BRETAGNE, "B-004", &w.marie_bretagne),
        category("salarie"),
    )
    .await
    .expect_err("Bretagne's campaign is closed");
    assert_eq!(closed.code(), ErrorCode::CampaignClosed);

    let history = declaration_history(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect("history");
    assert!(history.is_empty(), "nothing was saved: {history:?}");
    assert_eq!(called(&w, "B-001").await, 30_000);
}

#[actix_web::test]
async fn a_correction_supersedes_the_submitted_version_and_the_charge_follows() {
    let w = world().await;
    let (ctx, auth) = (&w.app.context, rac(&w));
    let early = correct_declaration(
        ctx,
        &auth,
        at("B-001", &w.marie),
        category("salarie"),
        "Erreur de saisie",
    )
    .await
    .expect_err("nothing submitted yet");
    assert_eq!(early.code(), ErrorCode::DeclarationNotSubmitted);
    save_declaration(ctx, &auth, at("B-001", &w.marie), category("independant"))
        .await
        .expect("saved");
    submit_declaration(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect("submitted");
    let no_reason =
        correct_declaration(ctx, &auth, at("B-001", &w.marie), category("salarie"), "  ")
            .await
            .expect_err("a correction says why");
    assert_eq!(no_reason.code(), ErrorCode::ValidationFailed);

    let corrected = correct_declaration(
        ctx,
        &auth,
        at("B-001", &w.marie),
        category("salarie"),
        "Salariée depuis mars",
    )
    .await
    .expect("corrected");

    assert_eq!(corrected.declaration.version, 2);
    assert_eq!(corrected.declaration.status, DeclarationStatus::Submitted);
    assert_eq!(
        corrected.declaration.correction_reason.as_deref(),
        Some("Salariée depuis mars")
    );
    assert_eq!(called(&w, "B-001").await, 30_000 + 38_000);
    let history = declaration_history(ctx, &auth, at("B-001", &w.marie))
        .await
        .expect("history");
    let versions: Vec<_> = history
        .iter()
        .map(|v| {
            (
                v.declaration.version,
                v.declaration.status,
                v.declaration.amount_cents,
            )
        })
        .collect();
    assert_eq!(
        versions,
        vec![
            (1, DeclarationStatus::Superseded, 45_000),
            (2, DeclarationStatus::Submitted, 38_000)
        ]
    );
}

#[actix_web::test]
async fn a_person_is_attached_once_and_detached_only_while_undeclared() {
    let w = world().await;
    let (ctx, auth) = (&w.app.context, rac(&w));
    let paul = || Person::Member {
        supra_number: "44444444".into(),
    };

    let attached = attach_person(ctx, &auth, PARIS.into(), "B-001".into(), paul())
        .await
        .expect("attached");
    assert_eq!(attached.person_kind, "PP");
    assert_eq!(attached.reference, "44444444");
    assert_eq!(attached.declaration_state, DeclarationState::ToDeclare);
    let again = attach_person(ctx, &auth, PARIS.into(), "B-001".into(), paul())
        .await
        .expect_err("already there");
    assert_eq!(again.code(), ErrorCode::AlreadyAttached);
    let unknown = attach_person(
        ctx,
        &auth,
        PARIS.into(),
        "B-001".into(),
        Person::Member {
            supra_number: "99999999".into(),
        },
    )
    .await
    .expect_err("not in the register");
    assert_eq!(unknown.code(), ErrorCode::MemberNotFound);
    let no_firm = attach_person(
        ctx,
        &auth,
        PARIS.into(),
        "B-002".into(),
        Person::Firm {
            firm_ref: "F-404".into(),
        },
    )
    .await
    .expect_err("no such firm");
    assert_eq!(no_firm.code(), ErrorCode::FirmNotFound);

    let persons = |detail: comptexpert::flows::bureaux::detail::BureauDetail| {
        detail
            .natural_persons
            .into_iter()
            .map(|(p, _)| p.attachment_id)
            .collect::<Vec<_>>()
    };
    let listed = persons(
        bureau_detail(ctx, &auth, PARIS.into(), "B-001".into())
            .await
            .expect("detail"),
    );
    assert!(listed.contains(&attached.attachment_id));

    detach_person(ctx, &auth, at("B-001", &attached.attachment_id))
        .await
        .expect("detached");
    let listed = persons(
        bureau_detail(ctx, &auth, PARIS.into(), "B-001".into())
            .await
            .expect("detail"),
    );
    assert!(!listed.contains(&attached.attachment_id));

    save_declaration(ctx, &auth, at("B-001", &w.luc), category("salarie"))
        .await
        .expect("saved");
    submit_declaration(ctx, &auth, at("B-001", &w.luc))
        .await
        .expect("submitted");
    let declared = detach_person(ctx, &auth, at("B-001", &w.luc))
        .await
        .expect_err("a declared person stays");
    assert_eq!(declared.code(), ErrorCode::PersonDeclared);
}
