//! `flows::bureaux`: the dashboard of a region (bureaux by firm, their figures, pages of
//! firms), a bureau's detail, and the managers a firm's responsable grants and revokes.

use comptexpert::{
    auth::extractor::Authenticated,
    error::ErrorCode,
    flows::bureaux::{
        dashboard::{dashboard, page_size, Dashboard},
        detail::bureau_detail,
        managers::{grant_manager, list_managers, revoke_manager, Grant},
    },
};

use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::TestApp,
    portal_fixtures::{luc, Person, WorldBuilder, BRETAGNE, PARIS},
};

fn caller(account: &TestAccount) -> Authenticated {
    Authenticated {
        account_id: account.id.clone(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    }
}

/// Cabinet Durand (B-001, B-002) and Martin Audit (B-003) in Paris, granted to a RAC; Marie,
/// responsable of Cabinet Durand; Autre Cabinet's B-005, granted to nobody.
struct Bureaux {
    app: TestApp,
    rac: TestAccount,
    marie: TestAccount,
}

async fn bureaux() -> Bureaux {
    let mut w = WorldBuilder::new().await;
    let marie_id = w.member(MemberSpec::default());
    let luc_id = w.member(luc());
    let rac = w.account("rac.test", "rac@cabinet.fr");
    let marie = w.app.add_active_account_of(
        Some(&marie_id),
        "mdurand",
        "Cabinet-2026!",
        "marie.durand@cabinet-durand.fr",
    );
    let paris = (PARIS, 2026);
    w.campaign(PARIS, 2026, true);
    w.campaign(BRETAGNE, 2026, false);
    w.firm("F-001", "Cabinet Durand");
    w.bureau("B-001", "F-001", PARIS, true);
    w.bureau("B-002", "F-001", PARIS, false);
    w.firm("F-002", "Martin Audit");
    w.bureau("B-003", "F-002", PARIS, true);
    w.firm("F-003", "Autre Cabinet");
    w.bureau("B-005", "F-003", PARIS, true);
    w.grant(&["B-001", "B-002", "B-003"], &rac);
    let durand = w.firm_id("F-001");
    w.portal().responsable(&durand, &marie_id);

    let marie_b1 = w.attach(paris, "B-001", Person::Member(&marie_id), "submitted");
    w.ledger(paris, "B-001", Some(&marie_b1), "charge", 45_000);
    w.attach(paris, "B-001", Person::Member(&luc_id), "to_declare");
    w.attach(paris, "B-001", Person::Firm("F-001"), "draft");
    w.ledger(paris, "B-001", None, "charge", 30_000);
    w.ledger(paris, "B-001", None, "payment", 50_000);
    w.ledger(paris, "B-002", None, "charge", 30_000);
    w.ledger(paris, "B-002", None, "payment", 40_000);
    w.ledger(paris, "B-002", None, "refund", 4_000);
    w.ledger(paris, "B-003", None, "charge", 30_000);
    w.ledger(paris, "B-005", None, "charge", 77_700);
    Bureaux {
        app: w.build(),
        rac,
        marie,
    }
}

fn refs(board: &Dashboard) -> Vec<(String, Vec<String>)> {
    board
        .firms
        .iter()
        .map(|f| {
            (
                f.firm_ref.clone(),
                f.bureaux
                    .iter()
                    .map(|(b, _)| b.bureau_ref.clone())
                    .collect(),
            )
        })
        .collect()
}

fn pair(firm: &str, bureaux: &[&str]) -> (String, Vec<String>) {
    (
        firm.to_owned(),
        bureaux.iter().map(|b| (*b).to_owned()).collect(),
    )
}

#[actix_web::test]
async fn the_dashboard_groups_the_callers_bureaux_by_firm_with_their_figures() {
    let w = bureaux().await;

    let board = dashboard(&w.app.context, &caller(&w.rac), PARIS.into(), None, None)
        .await
        .expect("the dashboard");

    assert_eq!(
        refs(&board),
        vec![
            pair("F-001", &["B-001", "B-002"]),
            pair("F-002", &["B-003"])
        ],
        "B-005 is nobody's to see"
    );
    assert_eq!(board.campaign.as_ref().map(|c| c.year), Some(2026));
    let durand = &board.firms[0];
    let (_, b1) = &durand.bureaux[0];
    assert_eq!((b1.remaining_pp, b1.remaining_pm), (1, 1));
    assert_eq!((b1.total_cents, b1.balance_cents()), (75_000, 25_000));
    let (_, b2) = &durand.bureaux[1];
    assert_eq!(b2.balance_cents(), -6_000, "overpaid, refunded in part");
    assert_eq!(b2.payable_cents(), 0);
    assert_eq!(durand.totals.balance_cents(), 19_000);
    assert_eq!(board.overall.total_cents, 135_000);
    assert_eq!(board.overall.balance_cents(), 49_000);
    assert_eq!(board.payable_cents, 19_000 + 30_000);
    assert_eq!(board.next_cursor, None);
}

#[actix_web::test]
async fn the_dashboard_pages_by_firm_and_refuses_a_page_size_out_of_range() {
    let w = bureaux().await;
    let auth = caller(&w.rac);

    let first = dashboard(&w.app.context, &auth, PARIS.into(), Some(1), None)
        .await
        .expect("page 1");
    assert_eq!(refs(&first), vec![pair("F-001", &["B-001", "B-002"])]);
    assert_eq!(first.next_cursor.as_deref(), Some("F-001"));
    // The totals are the region's, whatever the page.
    assert_eq!(first.overall.total_cents, 135_000);
    let second = dashboard(
        &w.app.context,
        &auth,
        PARIS.into(),
        Some(1),
        first.next_cursor,
    )
    .await
    .expect("page 2");
    assert_eq!(refs(&second), vec![pair("F-002", &["B-003"])]);
    assert_eq!(second.next_cursor, None);

    assert_eq!(page_size(None).expect("the default"), 50);
    for limit in [0, 101] {
        let error = dashboard(&w.app.context, &auth, PARIS.into(), Some(limit), None)
            .await
            .expect_err("out of range");
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        assert_eq!(error.field_issues()[0].field, "limit");
    }
    let unknown = dashboard(&w.app.context, &auth, "atlantide".into(), None, None)
        .await
        .expect_err("no such region");
    assert_eq!(unknown.code(), ErrorCode::RegionNotFound);
}

#[actix_web::test]
async fn a_bureaus_detail_lists_its_persons_by_kind_and_hides_what_is_not_the_callers() {
    let w = bureaux().await;
    let auth = caller(&w.rac);

    let detail = bureau_detail(&w.app.context, &auth, PARIS.into(), "B-001".into())
        .await
        .expect("B-001");

    assert_eq!(detail.firm.firm_ref, "F-001");
    let natural: Vec<_> = detail
        .natural_persons
        .iter()
        .map(|(p, _)| (p.reference.as_str(), p.called_cents))
        .collect();
    assert_eq!(natural.len(), 2);
    assert!(natural.contains(&("12345678", 45_000)), "{natural:?}");
    assert_eq!(detail.legal_persons.len(), 1);
    assert_eq!(detail.legal_persons[0].0.reference, "F-001");
    assert_eq!(detail.figures.total_cents, 75_000);
    for (region, bureau) in [(PARIS, "B-005"), (BRETAGNE, "B-001"), (PARIS, "B-404")] {
        let error = bureau_detail(&w.app.context, &auth, region.into(), bureau.into())
            .await
            .expect_err("not the caller's");
        assert_eq!(error.code(), ErrorCode::BureauNotFound, "{region} {bureau}");
    }
}

#[actix_web::test]
async fn a_responsable_grants_a_bureau_once_and_revokes_it() {
    let w = bureaux().await;
    let ctx = &w.app.context;
    let newcomer = w
        .app
        .add_active_account("new.rac", "Rac-2026!", "new@cabinet.fr");
    let (marie, rac, fresh) = (caller(&w.marie), caller(&w.rac), caller(&newcomer));
    let sees_b2 = || async {
        bureau_detail(ctx, &fresh, PARIS.into(), "B-002".into())
            .await
            .is_ok()
    };
    assert!(!sees_b2().await);

    let by_rac = grant_manager(ctx, &rac, PARIS.into(), "B-002".into(), "new.rac".into())
        .await
        .expect_err("a RAC is not the firm's responsable");
    assert_eq!(by_rac.code(), ErrorCode::NotResponsable);
    let (grant, managers) =
        grant_manager(ctx, &marie, PARIS.into(), "B-002".into(), "new.rac".into())
            .await
            .expect("granted");
    assert_eq!(grant, Grant::Granted);
    assert!(managers.iter().any(|m| m.manager.identifier == "new.rac"
        && m.granted_by_identifier.as_deref() == Some("mdurand")));
    assert!(sees_b2().await);
    let (again, _) = grant_manager(ctx, &marie, PARIS.into(), "B-002".into(), "new.rac".into())
        .await
        .expect("already");
    assert_eq!(again, Grant::AlreadyGranted);
    let nobody = grant_manager(ctx, &marie, PARIS.into(), "B-002".into(), "nobody".into())
        .await
        .expect_err("no such account");
    assert_eq!(nobody.code(), ErrorCode::AccountNotFound);

    revoke_manager(ctx, &marie, PARIS.into(), "B-002".into(), "new.rac".into())
        .await
        .expect("revoked");
    assert!(!sees_b2().await);
    let listed = list_managers(ctx, &rac, PARIS.into(), "B-002".into())
        .await
        .expect("managers");
    assert!(listed.iter().all(|m| m.manager.identifier != "new.rac"));
    let twice = revoke_manager(ctx, &marie, PARIS.into(), "B-002".into(), "new.rac".into())
        .await
        .expect_err("not a manager any more");
    assert_eq!(twice.code(), ErrorCode::ManagerNotFound);
}
