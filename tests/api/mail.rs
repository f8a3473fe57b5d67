//! The outbox and its dispatcher: an email queued in the database reaches the recipient, as an
//! `.eml` file or through SMTP, survives a mail-server outage, and is delivered exactly once.

use std::time::{Duration, Instant};

use comptexpert::{
    db::{outbox::OutboxEmail, schema::outbox_emails, Pool},
    mail::{outbox::enqueue, Template},
};
use diesel::prelude::*;

use crate::{
    helpers::{spawn_app, spawn_app_with, TestApp},
    mailbox::{all_emails, emails_to, wait_for_email, ReceivedEmail},
    metrics::{scrape, value},
    smtp_sink::SmtpSink,
};

/// How long a test waits for the dispatcher to reach a state; several poll intervals and retry
/// delays (rounded up to the second) on a loaded machine.
const STATE_TIMEOUT: Duration = Duration::from_secs(20);

fn pool_of(app: &TestApp) -> Pool {
    comptexpert::db::build_pool(&app.database_url).expect("a pool on the test database")
}

fn activation(identifier: &str) -> Template {
    Template::AccountActivation {
        greeting_name: "Marie Durand".into(),
        identifier: identifier.into(),
        link: format!("https://comptexpert.test/mot-de-passe/jeton-{identifier}"),
        valid_hours: 48,
    }
}

/// Queues `template` for `recipient`, in a transaction of its own, like a handler would.
async fn queue(pool: &Pool, recipient: &str, template: Template) {
    let pool = pool.clone();
    let recipient = recipient.to_owned();
    actix_web::web::block(move || {
        let mut conn = pool.get().expect("a connection");
        conn.transaction(|conn| enqueue(conn, &recipient, &template))
    })
    .await
    .expect("the blocking task runs")
    .expect("the email is queued");
}

/// Every row of the outbox, oldest first.
async fn outbox(pool: &Pool) -> Vec<OutboxEmail> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().expect("a connection");
        outbox_emails::table
            .order((outbox_emails::created_at, outbox_emails::id))
            .select(OutboxEmail::as_select())
            .load(&mut *conn)
    })
    .await
    .expect("the blocking task runs")
    .expect("the outbox is readable")
}

/// Polls the outbox until `done` holds for its rows, and returns them.
async fn wait_for_outbox(
    pool: &Pool,
    what: &str,
    done: impl Fn(&[OutboxEmail]) -> bool,
) -> Vec<OutboxEmail> {
    let deadline = Instant::now() + STATE_TIMEOUT;
    loop {
        let rows = outbox(pool).await;
        if done(&rows) {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not reach \"{what}\" within {STATE_TIMEOUT:?}: {rows:#?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

fn all_sent(rows: &[OutboxEmail]) -> bool {
    !rows.is_empty() && rows.iter().all(|r| r.sent_at.is_some())
}

/// A port on which nothing listens (for now).
fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

#[actix_web::test]
async fn a_queued_email_is_written_as_a_readable_eml_file_and_marked_sent() {
    // Arrange
    let app = spawn_app().await;
    let pool = pool_of(&app);

    // Act
    queue(&pool, "Marie.Durand@exemple.fr", activation("mdurand")).await;

    // Assert
    let email = wait_for_email(&app, "marie.durand@exemple.fr").await;
    assert_eq!(email.subject, "Votre compte ComptExpert a été créé");
    assert!(
        email.text.contains("Bonjour Marie Durand,"),
        "{}",
        email.text
    );
    assert!(
        email.text.contains("Votre identifiant : mdurand"),
        "{}",
        email.text
    );
    assert!(email.text.contains("valable 48 heures"), "{}", email.text);
    assert_eq!(
        email.links,
        vec!["https://comptexpert.test/mot-de-passe/jeton-mdurand"]
    );
    assert_eq!(
        email.link(),
        "https://comptexpert.test/mot-de-passe/jeton-mdurand"
    );
    assert!(
        email.html.contains("<strong>mdurand</strong>"),
        "{}",
        email.html
    );
    assert!(email
        .html
        .contains(r#"href="https://comptexpert.test/mot-de-passe/jeton-mdurand""#));
    // Readable on disk: the French text is there as is, not encoded.
    assert!(email.raw.contains("Votre identifiant : mdurand"));
    assert!(
        email
            .raw
            .contains("From: ComptExpert <no-reply@comptexpert.localhost>"),
        "{}",
        email.raw
    );

    let rows = wait_for_outbox(&pool, "sent", all_sent).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "account_activation");
    assert_eq!(
        (rows[0].text_body.as_str(), rows[0].html_body.as_str()),
        ("", ""),
        "a sent email keeps no link"
    );
    assert_eq!(rows[0].attempts, 0);
}

#[actix_web::test]
async fn an_email_queued_in_a_transaction_that_rolls_back_is_never_sent() {
    let app = spawn_app().await;
    let pool = pool_of(&app);

    let rolled_back = pool.clone();
    actix_web::web::block(move || {
        let mut conn = rolled_back.get().expect("a connection");
        conn.transaction::<(), diesel::result::Error, _>(|conn| {
            enqueue(conn, "annule@exemple.fr", &activation("annule"))?;
            Err(diesel::result::Error::RollbackTransaction)
        })
    })
    .await
    .expect("the blocking task runs")
    .expect_err("the transaction rolls back");
    queue(&pool, "garde@exemple.fr", activation("garde")).await;

    wait_for_email(&app, "garde@exemple.fr").await;
    assert!(emails_to(&app, "annule@exemple.fr").is_empty());
    assert_eq!(outbox(&pool).await.len(), 1);
}

#[actix_web::test]
async fn an_email_is_delivered_through_smtp_when_smtp_url_is_set() {
    // Arrange
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let pool = pool_of(&app);

    // Act
    queue(&pool, "marie.durand@exemple.fr", activation("mdurand")).await;

    // Assert
    let messages = sink.wait_for(1, STATE_TIMEOUT).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].recipients, vec!["marie.durand@exemple.fr"]);
    assert_eq!(messages[0].mail_from, "no-reply@comptexpert.localhost");
    let email = ReceivedEmail::parse(&messages[0].data);
    assert_eq!(email.to, "marie.durand@exemple.fr");
    assert_eq!(email.subject, "Votre compte ComptExpert a été créé");
    assert!(
        email.text.contains("Votre identifiant : mdurand"),
        "{}",
        email.text
    );
    assert_eq!(
        email.links,
        vec!["https://comptexpert.test/mot-de-passe/jeton-mdurand"]
    );
    assert!(email.html.contains("<strong>mdurand</strong>"));

    wait_for_outbox(&pool, "sent", all_sent).await;
    assert!(
        all_emails(&app).is_empty(),
        "with SMTP, no .eml file is written"
    );
}

#[actix_web::test]
async fn emails_wait_out_an_smtp_outage_and_are_then_delivered_exactly_once() {
    // Arrange: the SMTP server is down.
    let port = unused_port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let pool = pool_of(&app);
    let recipients = ["un@exemple.fr", "deux@exemple.fr", "trois@exemple.fr"];
    for (i, recipient) in recipients.iter().enumerate() {
        queue(&pool, recipient, activation(&format!("compte{i}"))).await;
    }

    // Act 1: the dispatcher tries and fails, more than once.
    let rows = wait_for_outbox(&pool, "every email tried twice", |rows| {
        rows.len() == 3 && rows.iter().all(|r| r.attempts >= 2)
    })
    .await;

    // Assert 1: nothing is lost, nothing is marked sent, and the failure is recorded.
    assert!(rows.iter().all(|r| r.sent_at.is_none()));
    assert!(rows
        .iter()
        .all(|r| r.last_error.as_deref().is_some_and(|e| !e.is_empty())));
    assert!(
        rows.iter().all(|r| !r.text_body.is_empty()),
        "an unsent email keeps its content"
    );

    // Act 2: the SMTP server comes back on the same port.
    let sink = SmtpSink::start_on(port).await;
    let rows = wait_for_outbox(&pool, "every email sent", all_sent).await;

    // Assert 2: each email arrived once.
    assert_eq!(rows.len(), 3);
    let messages = sink.messages();
    let mut delivered: Vec<_> = messages.iter().flat_map(|m| m.recipients.clone()).collect();
    delivered.sort();
    let mut expected: Vec<_> = recipients.iter().map(|r| (*r).to_owned()).collect();
    expected.sort();
    assert_eq!(delivered, expected, "each email is delivered exactly once");
}

#[actix_web::test]
async fn an_address_refused_for_good_is_given_up_at_once_and_counted_while_others_go_out() {
    // Arrange: a server that refuses one mailbox with a 550.
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.metrics_addr = Some("127.0.0.1:0".parse().expect("an address"));
    })
    .await;
    let pool = pool_of(&app);

    // Act
    queue(&pool, "inconnu@exemple.fr", activation("perdu")).await;
    queue(&pool, "marie.durand@exemple.fr", activation("mdurand")).await;

    // Assert: one attempt for the refused address, then never again; the other one is sent.
    let rows = wait_for_outbox(&pool, "one sent, one dead", |rows| {
        rows.len() == 2
            && rows
                .iter()
                .all(|r| r.sent_at.is_some() || r.dead_at.is_some())
    })
    .await;
    let dead = rows
        .iter()
        .find(|r| r.recipient == "inconnu@exemple.fr")
        .expect("the refused email");
    assert!(dead.dead_at.is_some() && dead.sent_at.is_none());
    assert_eq!(dead.attempts, 1, "a 5xx is not retried");
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{:?}",
        dead.last_error
    );
    assert!(
        !dead.text_body.is_empty(),
        "kept, so that it can be retried"
    );
    let metrics = scrape(&app).await;
    assert_eq!(
        value(&metrics, r#"comptexpert_outbox_emails{state="dead"}"#),
        Some(1.0),
        "{metrics}"
    );
    assert!(value(
        &metrics,
        r#"comptexpert_outbox_deliveries_total{outcome="dead"}"#
    )
    .is_some_and(|n| n >= 1.0));
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let again = outbox(&pool).await;
    let still = again
        .iter()
        .find(|r| r.recipient == "inconnu@exemple.fr")
        .expect("still there");
    assert_eq!(still.attempts, 1, "a dead email is not tried again");
    assert_eq!(sink.messages().len(), 1);
}

#[actix_web::test]
async fn an_email_is_given_up_after_mail_max_attempts_while_the_server_stays_down() {
    // Arrange: no server at all, and three attempts allowed.
    let port = unused_port();
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_max_attempts = 3;
    })
    .await;
    let pool = pool_of(&app);

    // Act
    queue(&pool, "marie.durand@exemple.fr", activation("mdurand")).await;

    // Assert: temporary failures, retried, until the third.
    let rows = wait_for_outbox(&pool, "the email dead", |rows| {
        rows.iter().all(|r| r.dead_at.is_some())
    })
    .await;
    assert_eq!(rows[0].attempts, 3);
    assert!(rows[0].sent_at.is_none());

    // Act 2: the server is back, and the operator queues the dead email again.
    let sink = SmtpSink::start_on(port).await;
    let id = rows[0].id.clone();
    let revived = actix_web::web::block({
        let pool = pool.clone();
        move || OutboxEmail::revive(&mut pool.get().expect("a connection"), &id)
    })
    .await
    .expect("the blocking task runs")
    .expect("revived");

    // Assert 2: sent once.
    assert!(revived);
    wait_for_outbox(&pool, "sent", all_sent).await;
    assert_eq!(sink.wait_for(1, STATE_TIMEOUT).await.len(), 1);
}

#[actix_web::test]
async fn two_instances_on_one_database_never_send_the_same_email_twice() {
    // Arrange: two dispatchers polling the same outbox.
    let first = spawn_app().await;
    let database_url = first.database_url.clone();
    let second = spawn_app_with(|s| s.database_url = database_url).await;
    let pool = pool_of(&first);
    let recipients: Vec<String> = (0..12).map(|i| format!("membre{i}@exemple.fr")).collect();

    // Act
    for (i, recipient) in recipients.iter().enumerate() {
        queue(&pool, recipient, activation(&format!("membre{i}"))).await;
    }
    wait_for_outbox(&pool, "every email sent", |rows| {
        rows.len() == recipients.len() && all_sent(rows)
    })
    .await;

    // Assert
    let mut delivered: Vec<_> = all_emails(&first)
        .into_iter()
        .chain(all_emails(&second))
        .map(|e| e.to)
        .collect();
    delivered.sort();
    let mut expected = recipients.clone();
    expected.sort();
    assert_eq!(
        delivered, expected,
        "each email is written once, by one instance"
    );
}
