//! Every `code` a problem of this API can carry, with its HTTP status and its French and English
//! texts: one table, so that a code, its status and its texts cannot drift apart, and a new code
//! without its texts does not compile. The wire codes are the OpenAPI document's `code` enum.

use actix_web::http::StatusCode;

use crate::i18n::Text;

/// Builds [`ErrorCode`] and its catalogue from the table below.
macro_rules! error_codes {
    ($(
        $variant:ident {
            code: $code:literal,
            status: $status:ident,
            title: ($title_fr:literal, $title_en:literal $(,)?),
            detail: ($detail_fr:literal, $detail_en:literal $(,)?),
        }
    )*) => {
        /// The stable machine code of a problem (its `code` and the end of its `type`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "`: ", $detail_en)]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, sorted by its wire value.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),*];

            /// The wire value, in `snake_case`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The HTTP status of its answer.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)*
                }
            }

            /// The problem's `title`: the same for every occurrence (RFC 9457 § 3.1.3).
            pub const fn title(self) -> Text {
                match self {
                    $(Self::$variant => Text::new($title_fr, $title_en),)*
                }
            }

            /// The `detail` it carries unless the situation gives a more precise one
            /// ([`details`] or built with the values of the occurrence).
            pub const fn detail(self) -> Text {
                match self {
                    $(Self::$variant => Text::new($detail_fr, $detail_en),)*
                }
            }
        }
    };
}

// `request_refused` answers with the status the framework refused with; the table's is its
// usual one. A detail that names values of the occurrence (a wait, an origin, an amount) is
// built where they are known and given with `ApiError::with_detail`; the table holds its
// generic form.
error_codes! {
    AccountAlreadyActive {
        code: "account_already_active",
        status: CONFLICT,
        title: ("Compte déjà activé", "Account already active"),
        detail: (
            "Ce compte a déjà un mot de passe : envoyez-lui plutôt un lien de réinitialisation.",
            "This account already has a password: send it a reset link instead.",
        ),
    }
    AccountNotActive {
        code: "account_not_active",
        status: CONFLICT,
        title: ("Compte non activé", "Account not active"),
        detail: (
            "Ce compte n'a pas encore de mot de passe : envoyez-lui plutôt un lien d'activation.",
            "This account has no password yet: send it an activation link instead.",
        ),
    }
    AccountNotFound {
        code: "account_not_found",
        status: NOT_FOUND,
        title: ("Compte introuvable", "Account not found"),
        detail: (
            "Aucun compte actif ne porte cet identifiant.",
            "No active account has this identifier.",
        ),
    }
    AlreadyAttached {
        code: "already_attached",
        status: CONFLICT,
        title: ("Déjà rattachée", "Already attached"),
        detail: (
            "Cette personne est déjà rattachée à ce bureau pour la campagne.",
            "This person is already attached to this bureau for the campaign.",
        ),
    }
    AmountTooLarge {
        code: "amount_too_large",
        status: UNPROCESSABLE_ENTITY,
        title: ("Montant trop élevé", "Amount too large"),
        detail: (
            "Le montant dépasse le maximum d'un paiement : réglez-le en plusieurs paiements.",
            "The amount exceeds the maximum of one payment: pay it in several payments.",
        ),
    }
    BureauNotFound {
        code: "bureau_not_found",
        status: NOT_FOUND,
        title: ("Bureau introuvable", "Bureau not found"),
        detail: (
            "Aucun bureau que vous pouvez gérer ne porte cette référence dans cette région.",
            "No bureau you may manage has this reference in this region.",
        ),
    }
    CampaignClosed {
        code: "campaign_closed",
        status: CONFLICT,
        title: ("Campagne fermée", "Campaign closed"),
        detail: (
            "La campagne de cotisations de cette région est fermée : déclarations et paiements en ligne ne sont plus acceptés.",
            "This region's contribution campaign is closed: online declarations and payments are no longer accepted.",
        ),
    }
    CampaignNotFound {
        code: "campaign_not_found",
        status: NOT_FOUND,
        title: ("Aucune campagne", "No campaign"),
        detail: (
            "Cette région n'a pas de campagne de cotisations.",
            "This region has no contribution campaign.",
        ),
    }
    CasServiceUnknown {
        code: "cas_service_unknown",
        status: BAD_REQUEST,
        title: ("Site inconnu", "Unknown site"),
        detail: (
            "Aucun site de l'Ordre connecté par CAS n'est enregistré pour cette adresse (service) : le lien qui vous a mené ici est erroné.",
            "No site of the Ordre connected through CAS is registered for this address (service): the link that brought you here is wrong.",
        ),
    }
    CertificateAlreadyEnrolled {
        code: "certificate_already_enrolled",
        status: CONFLICT,
        title: ("Certificat déjà associé", "Certificate already enrolled"),
        detail: (
            "Ce certificat est déjà associé à un compte ComptExpert.",
            "This certificate is already enrolled on a ComptExpert account.",
        ),
    }
    CertificateExpired {
        code: "certificate_expired",
        status: UNAUTHORIZED,
        title: ("Certificat expiré", "Certificate expired"),
        detail: (
            "Ce certificat (ou un certificat de sa chaîne) a expiré.",
            "This certificate (or one of its chain) has expired.",
        ),
    }
    CertificateLimitReached {
        code: "certificate_limit_reached",
        status: CONFLICT,
        title: ("Trop de certificats", "Too many certificates"),
        detail: (
            "Votre compte a atteint le nombre maximal de certificats (10). Retirez-en un d'abord.",
            "Your account has reached the maximum number of certificates (10). Remove one first.",
        ),
    }
    CertificateNotLinked {
        code: "certificate_not_linked",
        status: UNAUTHORIZED,
        title: ("Certificat non associé", "Certificate not linked"),
        detail: (
            "Ce certificat est valide mais n'est associé à aucun compte ComptExpert actif. Connectez-vous avec votre identifiant et votre mot de passe, puis associez-le depuis votre espace.",
            "This certificate is valid but is not linked to any active ComptExpert account. Sign in with your identifier and password, then link it from your account.",
        ),
    }
    CertificateNotYetValid {
        code: "certificate_not_yet_valid",
        status: UNAUTHORIZED,
        title: ("Certificat pas encore valide", "Certificate not yet valid"),
        detail: (
            "Ce certificat (ou un certificat de sa chaîne) n'est pas encore valide.",
            "This certificate (or one of its chain) is not valid yet.",
        ),
    }
    CertificateRevoked {
        code: "certificate_revoked",
        status: UNAUTHORIZED,
        title: ("Certificat révoqué", "Certificate revoked"),
        detail: (
            "Ce certificat a été révoqué par son autorité.",
            "This certificate has been revoked by its authority.",
        ),
    }
    CertificateUntrusted {
        code: "certificate_untrusted",
        status: UNAUTHORIZED,
        title: ("Certificat non reconnu", "Certificate not trusted"),
        detail: (
            "Ce certificat n'a pas été délivré par une autorité reconnue par ComptExpert.",
            "This certificate was not issued by an authority that ComptExpert trusts.",
        ),
    }
    CertificateUsage {
        code: "certificate_usage",
        status: UNAUTHORIZED,
        title: ("Usage du certificat", "Certificate usage"),
        detail: (
            "Ce certificat n'est pas destiné à l'authentification (usage de clé « signature numérique » et usage étendu « authentification client » requis).",
            "This certificate is not meant for authentication (key usage digitalSignature and extended key usage clientAuth are required).",
        ),
    }
    ChallengeAlreadyDecided {
        code: "challenge_already_decided",
        status: CONFLICT,
        title: ("Déjà traité", "Already decided"),
        detail: (
            "Cette demande de connexion a déjà été acceptée, refusée ou annulée.",
            "This sign-in request was already approved, denied or cancelled.",
        ),
    }
    ChallengeConsumed {
        code: "challenge_consumed",
        status: GONE,
        title: ("Connexion déjà effectuée", "Sign-in already completed"),
        detail: (
            "Les jetons de cette connexion Expertpass ont déjà été remis.",
            "The tokens of this Expertpass sign-in were already handed out.",
        ),
    }
    ChallengeExpired {
        code: "challenge_expired",
        status: GONE,
        title: ("QR code expiré", "QR code expired"),
        detail: (
            "Ce QR code a expiré. Affichez-en un nouveau sur la page de connexion.",
            "This QR code has expired. Show a new one on the sign-in page.",
        ),
    }
    ClientIdTaken {
        code: "client_id_taken",
        status: CONFLICT,
        title: ("Identifiant de site déjà pris", "Client id taken"),
        detail: (
            "Un site (client OpenID Connect ou service CAS) porte déjà cet identifiant.",
            "A site (OpenID Connect client or CAS service) already has this id.",
        ),
    }
    ClientUnknown {
        code: "client_unknown",
        status: BAD_REQUEST,
        title: ("Site inconnu", "Unknown site"),
        detail: (
            "Aucun site de l'Ordre n'est enregistré sous cet identifiant de client (client_id) : le lien qui vous a mené ici est erroné.",
            "No site of the Ordre is registered under this client identifier (client_id): the link that brought you here is wrong.",
        ),
    }
    CorsHeadersNotAllowed {
        code: "cors_headers_not_allowed",
        status: BAD_REQUEST,
        title: ("Requête cross-origin refusée", "Cross-origin request refused"),
        detail: (
            "Un en-tête demandé dans Access-Control-Request-Headers n'est pas accepté : l'API accepte Authorization, Content-Type, Accept, Accept-Language, Idempotency-Key et Expertpass-Poll-Token.",
            "A header asked for in Access-Control-Request-Headers is not accepted: the API accepts Authorization, Content-Type, Accept, Accept-Language, Idempotency-Key and Expertpass-Poll-Token.",
        ),
    }
    CorsMethodNotAllowed {
        code: "cors_method_not_allowed",
        status: BAD_REQUEST,
        title: ("Requête cross-origin refusée", "Cross-origin request refused"),
        detail: (
            "La méthode demandée dans Access-Control-Request-Method n'est pas acceptée : l'API accepte GET, POST, PUT, PATCH et DELETE.",
            "The method asked for in Access-Control-Request-Method is not accepted: the API accepts GET, POST, PUT, PATCH and DELETE.",
        ),
    }
    CorsOriginNotAllowed {
        code: "cors_origin_not_allowed",
        status: BAD_REQUEST,
        title: ("Requête cross-origin refusée", "Cross-origin request refused"),
        detail: (
            "L'origine n'est pas autorisée à appeler l'API depuis un navigateur. Ajoutez-la à CORS_ALLOWED_ORIGINS et redémarrez le service.",
            "The origin may not call the API from a browser. Add it to CORS_ALLOWED_ORIGINS and restart the service.",
        ),
    }
    CorsRefused {
        code: "cors_refused",
        status: BAD_REQUEST,
        title: ("Requête cross-origin refusée", "Cross-origin request refused"),
        detail: (
            "La requête cross-origin a été refusée. Les origines autorisées se règlent avec CORS_ALLOWED_ORIGINS.",
            "The cross-origin request was refused. Allowed origins are set with CORS_ALLOWED_ORIGINS.",
        ),
    }
    CreditExceedsBalance {
        code: "credit_exceeds_balance",
        status: CONFLICT,
        title: ("Avoir supérieur au solde", "Credit larger than the balance"),
        detail: (
            "Un avoir ne dépasse pas ce que le bureau doit encore pour cette campagne.",
            "A credit cannot exceed what the bureau still owes for this campaign.",
        ),
    }
    CurrentPasswordIncorrect {
        code: "current_password_incorrect",
        status: FORBIDDEN,
        title: ("Mot de passe actuel incorrect", "Current password incorrect"),
        detail: (
            "Le mot de passe actuel saisi est incorrect.",
            "The current password entered is incorrect.",
        ),
    }
    DeclarationLocked {
        code: "declaration_locked",
        status: CONFLICT,
        title: ("Déclaration verrouillée", "Declaration locked"),
        detail: (
            "Cette déclaration est soumise : elle ne peut plus être modifiée que par une correction.",
            "This declaration is submitted: it can only be changed by a correction.",
        ),
    }
    DeclarationNotSubmitted {
        code: "declaration_not_submitted",
        status: CONFLICT,
        title: ("Déclaration non soumise", "Declaration not submitted"),
        detail: (
            "Seule une déclaration soumise se corrige ; un brouillon se modifie directement.",
            "Only a submitted declaration is corrected; a draft is simply saved again.",
        ),
    }
    DeviceAlreadyEnrolled {
        code: "device_already_enrolled",
        status: CONFLICT,
        title: ("Appareil déjà associé", "Device already enrolled"),
        detail: (
            "Cette clé d'appareil est déjà associée à un compte.",
            "This device key is already enrolled on an account.",
        ),
    }
    DeviceLimitReached {
        code: "device_limit_reached",
        status: CONFLICT,
        title: ("Trop d'appareils", "Too many devices"),
        detail: (
            "Votre compte a atteint le nombre maximal d'appareils Expertpass (10). Retirez-en un d'abord.",
            "Your account has reached the maximum number of Expertpass devices (10). Remove one first.",
        ),
    }
    DocumentUnavailable {
        code: "document_unavailable",
        status: SERVICE_UNAVAILABLE,
        title: ("Document indisponible", "Document unavailable"),
        detail: (
            "Le document n'a pas pu être produit à temps. Réessayez plus tard ou contactez votre conseil régional.",
            "The document could not be produced in time. Try again later or contact your regional council.",
        ),
    }
    EmailConflict {
        code: "email_conflict",
        status: CONFLICT,
        title: ("Adresses email différentes", "Different email addresses"),
        detail: (
            "L'adresse email de votre compte ComptExpert diffère de celle de votre dossier régional.",
            "Your ComptExpert email address differs from the one on your regional file.",
        ),
    }
    EventAlreadyResolved {
        code: "event_already_resolved",
        status: CONFLICT,
        title: ("Notification déjà traitée", "Notification already resolved"),
        detail: (
            "Cette notification refusée a déjà été traitée.",
            "This refused notification has already been resolved.",
        ),
    }
    FirmNotFound {
        code: "firm_not_found",
        status: NOT_FOUND,
        title: ("Société introuvable", "Firm not found"),
        detail: ("Aucune société ne porte cette référence.", "No firm has this reference."),
    }
    FreshSignInRequired {
        code: "fresh_sign_in_required",
        status: FORBIDDEN,
        title: ("Nouvelle connexion requise", "New sign-in required"),
        detail: (
            "Ce site demande que vous vous connectiez à nouveau : reconnectez-vous, puis acceptez la demande avec la nouvelle session.",
            "This site asks you to sign in again: sign in, then accept the request with the new session.",
        ),
    }
    FrontEndPage {
        code: "front_end_page",
        status: NOT_FOUND,
        title: ("Page du front end", "Front-end page"),
        detail: (
            "Cette page appartient au front end, pas à l'API : les liens des emails mènent à FRONTEND_URL, qui désigne par défaut l'API elle-même. Réglez FRONTEND_URL sur l'adresse du front end (README, « Pages the front end provides »).",
            "This page belongs to the front end, not to the API: emailed links lead to FRONTEND_URL, which defaults to the API itself. Set FRONTEND_URL to the front end's address (README, \"Pages the front end provides\").",
        ),
    }
    IdempotencyInProgress {
        code: "idempotency_in_progress",
        status: CONFLICT,
        title: ("Requête déjà en cours", "Request already in progress"),
        detail: (
            "Une requête avec la même clé d'idempotence est en cours. Réessayez dans un instant.",
            "A request with the same idempotency key is in progress. Retry in a moment.",
        ),
    }
    IdempotencyKeyRequired {
        code: "idempotency_key_required",
        status: PRECONDITION_REQUIRED,
        title: ("Clé d'idempotence requise", "Idempotency key required"),
        detail: (
            "Un paiement exige l'en-tête Idempotency-Key : réutilisez la même clé pour réessayer sans payer deux fois.",
            "A payment requires the Idempotency-Key header: reuse the same key to retry without paying twice.",
        ),
    }
    IdempotencyKeyReused {
        code: "idempotency_key_reused",
        status: UNPROCESSABLE_ENTITY,
        title: ("Clé d'idempotence réutilisée", "Idempotency key reused"),
        detail: (
            "Cette clé d'idempotence a déjà servi pour une autre requête.",
            "This idempotency key was already used for a different request.",
        ),
    }
    IdentifierTaken {
        code: "identifier_taken",
        status: CONFLICT,
        title: ("Identifiant déjà utilisé", "Identifier taken"),
        detail: (
            "Cet identifiant est déjà utilisé. Choisissez-en un autre.",
            "This identifier is already taken. Choose another one.",
        ),
    }
    InternalError {
        code: "internal_error",
        status: INTERNAL_SERVER_ERROR,
        title: ("Erreur interne", "Internal error"),
        detail: (
            "Une erreur inattendue est survenue. Elle a été enregistrée.",
            "An unexpected error occurred. It has been logged.",
        ),
    }
    InvalidBody {
        code: "invalid_body",
        status: UNPROCESSABLE_ENTITY,
        title: ("Corps de requête invalide", "Invalid request body"),
        detail: (
            "Le corps de la requête ne correspond pas au schéma de l'opération.",
            "The request body does not match the operation's schema.",
        ),
    }
    InvalidCertificateChain {
        code: "invalid_certificate_chain",
        status: UNPROCESSABLE_ENTITY,
        title: ("Certificat illisible", "Unreadable certificate"),
        detail: (
            "Le certificat présenté n'est pas un certificat X.509 valide.",
            "The certificate presented is not a valid X.509 certificate.",
        ),
    }
    InvalidChallenge {
        code: "invalid_challenge",
        status: UNAUTHORIZED,
        title: ("Défi invalide", "Invalid challenge"),
        detail: (
            "Ce défi Signexpert est inconnu, expiré ou déjà utilisé. Demandez-en un nouveau.",
            "This Signexpert challenge is unknown, expired or already used. Request a new one.",
        ),
    }
    InvalidCredentials {
        code: "invalid_credentials",
        status: UNAUTHORIZED,
        title: ("Identifiant ou mot de passe incorrect", "Incorrect identifier or password"),
        detail: (
            "L'identifiant ou le mot de passe est incorrect.",
            "The identifier or the password is incorrect.",
        ),
    }
    InvalidEvent {
        code: "invalid_event",
        status: UNPROCESSABLE_ENTITY,
        title: ("Notification invalide", "Invalid notification"),
        detail: ("La notification n'est pas comprise.", "The notification is not understood."),
    }
    InvalidIdTokenHint {
        code: "invalid_id_token_hint",
        status: BAD_REQUEST,
        title: ("Jeton d'identité invalide", "Invalid ID token"),
        detail: (
            "Le jeton d'identité (id_token_hint) n'a pas été émis par ce service.",
            "The ID token (id_token_hint) was not issued by this service.",
        ),
    }
    InvalidParameter {
        code: "invalid_parameter",
        status: BAD_REQUEST,
        title: ("Paramètre invalide", "Invalid parameter"),
        detail: (
            "Un paramètre de la requête est absent ou invalide.",
            "A parameter of the request is missing or invalid.",
        ),
    }
    InvalidPollToken {
        code: "invalid_poll_token",
        status: FORBIDDEN,
        title: ("Jeton de suivi invalide", "Invalid poll token"),
        detail: (
            "L'en-tête Expertpass-Poll-Token est absent ou ne correspond pas à ce QR code.",
            "The Expertpass-Poll-Token header is missing or does not belong to this QR code.",
        ),
    }
    InvalidRefreshToken {
        code: "invalid_refresh_token",
        status: UNAUTHORIZED,
        title: ("Session expirée", "Session expired"),
        detail: (
            "Ce jeton de rafraîchissement n'est plus valide. Reconnectez-vous.",
            "This refresh token is no longer valid. Please sign in again.",
        ),
    }
    InvalidSignature {
        code: "invalid_signature",
        status: UNAUTHORIZED,
        title: ("Signature invalide", "Invalid signature"),
        detail: (
            "La signature ne correspond pas à ce QR code et à la clé de cet appareil.",
            "The signature does not match this QR code and this device's key.",
        ),
    }
    LinkInvalid {
        code: "link_invalid",
        status: GONE,
        title: ("Lien expiré ou déjà utilisé", "Link expired or already used"),
        detail: (
            "Ce lien n'est plus valide. Demandez-en un nouveau depuis « Identifiant ou mot de passe oublié ».",
            "This link is no longer valid. Request a new one from \"Forgot identifier or password\".",
        ),
    }
    LoginRequestDecided {
        code: "login_request_decided",
        status: CONFLICT,
        title: ("Demande déjà traitée", "Request already decided"),
        detail: (
            "Cette demande de connexion a déjà été acceptée ou refusée : retournez sur le site pour en faire une nouvelle.",
            "This sign-in request was already accepted or rejected: go back to the site to make a new one.",
        ),
    }
    LoginRequestNotFound {
        code: "login_request_not_found",
        status: NOT_FOUND,
        title: ("Demande de connexion introuvable", "Sign-in request not found"),
        detail: (
            "Cette demande de connexion n'existe pas ou a expiré (10 minutes) : retournez sur le site pour en faire une nouvelle.",
            "This sign-in request does not exist or has expired (10 minutes): go back to the site to make a new one.",
        ),
    }
    MalformedJson {
        code: "malformed_json",
        status: BAD_REQUEST,
        title: ("JSON mal formé", "Malformed JSON"),
        detail: (
            "Le corps de la requête n'est pas un document JSON valide.",
            "The request body is not a valid JSON document.",
        ),
    }
    ManagerNotFound {
        code: "manager_not_found",
        status: NOT_FOUND,
        title: ("Gestionnaire introuvable", "Manager not found"),
        detail: ("Ce compte ne gère pas ce bureau.", "This account does not manage this bureau."),
    }
    MemberNotFound {
        code: "member_not_found",
        status: NOT_FOUND,
        title: ("Membre introuvable", "Member not found"),
        detail: (
            "Aucun membre du tableau ne correspond à cette référence.",
            "No member of the register matches this reference.",
        ),
    }
    MethodNotAllowed {
        code: "method_not_allowed",
        status: METHOD_NOT_ALLOWED,
        title: ("Méthode non autorisée", "Method not allowed"),
        detail: (
            "Cette ressource n'accepte pas cette méthode.",
            "This resource does not accept this method.",
        ),
    }
    NoDraft {
        code: "no_draft",
        status: CONFLICT,
        title: ("Aucun brouillon", "No draft"),
        detail: (
            "Enregistrez d'abord la déclaration en brouillon.",
            "Save the declaration as a draft first.",
        ),
    }
    NoEmailConflict {
        code: "no_email_conflict",
        status: NOT_FOUND,
        title: ("Aucun conflit d'adresse", "No email conflict"),
        detail: (
            "Votre compte et votre dossier régional utilisent la même adresse.",
            "Your account and your regional file use the same address.",
        ),
    }
    NoMatch {
        code: "no_match",
        status: NOT_FOUND,
        title: ("Aucune correspondance", "No match"),
        detail: (
            "Aucun membre ne correspond à ce numéro SUPRA et à cette date de naissance.",
            "No member matches this SUPRA number and birth date.",
        ),
    }
    NotFound {
        code: "not_found",
        status: NOT_FOUND,
        title: ("Ressource introuvable", "Resource not found"),
        detail: ("La ressource demandée n'existe pas.", "The requested resource does not exist."),
    }
    NotReady {
        code: "not_ready",
        status: SERVICE_UNAVAILABLE,
        title: ("Service pas encore prêt", "Service not ready"),
        detail: (
            "La base de données est injoignable ou des migrations restent à appliquer.",
            "The database is unreachable or migrations are pending.",
        ),
    }
    NotResponsable {
        code: "not_responsable",
        status: FORBIDDEN,
        title: ("Action réservée aux responsables", "Reserved to the firm's responsables"),
        detail: (
            "Seul un responsable de la société peut attribuer ou retirer la gestion d'un bureau.",
            "Only a responsable of the firm can grant or revoke the management of a bureau.",
        ),
    }
    NothingToPay {
        code: "nothing_to_pay",
        status: UNPROCESSABLE_ENTITY,
        title: ("Rien à régler", "Nothing to pay"),
        detail: (
            "Il ne reste rien à régler (les paiements en attente couvrent déjà le solde).",
            "Nothing remains to be paid (pending payments already cover the balance).",
        ),
    }
    NumberMismatch {
        code: "number_mismatch",
        status: FORBIDDEN,
        title: ("Mauvais nombre", "Wrong number"),
        detail: (
            "Ce n'est pas le nombre affiché par le navigateur : la connexion est annulée. Si vous n'êtes pas à l'origine de cette demande, ne scannez plus ce QR code.",
            "That is not the number the browser shows: the sign-in is cancelled. If you did not ask for it, do not scan that QR code again.",
        ),
    }
    OutdatedApp {
        code: "outdated_app",
        status: UNPROCESSABLE_ENTITY,
        title: ("Application à mettre à jour", "App update needed"),
        detail: (
            "Cette version de l'application ComptExpert n'est plus acceptée : mettez-la à jour pour confirmer la connexion avec le nombre affiché (signature comptexpert-expertpass-v2).",
            "This version of the ComptExpert app is no longer accepted: update it to confirm sign-ins with the number shown (signature comptexpert-expertpass-v2).",
        ),
    }
    Overpayment {
        code: "overpayment",
        status: UNPROCESSABLE_ENTITY,
        title: ("Montant supérieur au solde", "Amount above the balance"),
        detail: (
            "Le montant dépasse ce qui reste à régler (paiements en attente déduits).",
            "The amount exceeds what remains to be paid (pending payments deducted).",
        ),
    }
    PasswordPolicy {
        code: "password_policy",
        status: UNPROCESSABLE_ENTITY,
        title: ("Mot de passe refusé", "Password rejected"),
        detail: (
            "Le mot de passe ne respecte pas la politique de sécurité.",
            "The password does not meet the security policy.",
        ),
    }
    PayloadTooLarge {
        code: "payload_too_large",
        status: PAYLOAD_TOO_LARGE,
        title: ("Requête trop volumineuse", "Payload too large"),
        detail: ("Le corps de la requête est trop volumineux.", "The request body is too large."),
    }
    PaymentMethodUnavailable {
        code: "payment_method_unavailable",
        status: UNPROCESSABLE_ENTITY,
        title: ("Moyen de paiement indisponible", "Payment method unavailable"),
        detail: (
            "Ce moyen de paiement n'est pas proposé pour le moment ; payez par virement.",
            "This payment method is not offered at the moment; pay by transfer.",
        ),
    }
    PaymentNotATransfer {
        code: "payment_not_a_transfer",
        status: CONFLICT,
        title: ("Ce paiement n'est pas un virement", "This payment is not a transfer"),
        detail: (
            "Seul un paiement par virement se confirme à réception du virement ; une carte ou un prélèvement attend son prestataire.",
            "Only a payment by transfer is confirmed when the transfer arrives; a card or a direct debit waits for its provider.",
        ),
    }
    PaymentNotConfirmed {
        code: "payment_not_confirmed",
        status: CONFLICT,
        title: ("Paiement non confirmé", "Payment not confirmed"),
        detail: (
            "Le reçu est disponible une fois le paiement confirmé.",
            "The receipt is available once the payment is confirmed.",
        ),
    }
    PaymentNotFound {
        code: "payment_not_found",
        status: NOT_FOUND,
        title: ("Paiement introuvable", "Payment not found"),
        detail: (
            "Aucun paiement que vous pouvez consulter ne porte cet identifiant dans cette région.",
            "No payment you may see has this id in this region.",
        ),
    }
    PaymentNotPending {
        code: "payment_not_pending",
        status: CONFLICT,
        title: ("Paiement plus en attente", "Payment no longer pending"),
        detail: (
            "Ce paiement n'est plus en attente ; le conseil régional traite ce cas.",
            "This payment is no longer pending; the regional council handles this case.",
        ),
    }
    PaymentProviderUnavailable {
        code: "payment_provider_unavailable",
        status: BAD_GATEWAY,
        title: ("Prestataire de paiement indisponible", "Payment provider unavailable"),
        detail: (
            "Le prestataire de paiement ne répond pas. Rien n'a été débité ; réessayez plus tard ou payez par virement.",
            "The payment provider does not answer. Nothing was charged; try again later or pay by transfer.",
        ),
    }
    PersonDeclared {
        code: "person_declared",
        status: CONFLICT,
        title: ("Personne déclarée", "Person declared"),
        detail: (
            "Cette personne est déclarée (ou a des montants appelés ou réglés) : elle reste rattachée. Corrigez sa déclaration si besoin.",
            "This person is declared (or has amounts called or paid): they stay attached. Correct the declaration if needed.",
        ),
    }
    PersonNotFound {
        code: "person_not_found",
        status: NOT_FOUND,
        title: ("Personne introuvable", "Person not found"),
        detail: (
            "Aucune personne rattachée à ce bureau pour la campagne ne porte cet identifiant.",
            "No person attached to this bureau for the campaign has this id.",
        ),
    }
    ProviderNotFound {
        code: "provider_not_found",
        status: NOT_FOUND,
        title: ("Prestataire inconnu", "Unknown provider"),
        detail: (
            "Aucun prestataire de paiement ne porte ce nom ici.",
            "No payment provider has this name here.",
        ),
    }
    QualityMismatch {
        code: "quality_mismatch",
        status: UNPROCESSABLE_ENTITY,
        title: ("Qualité incompatible", "Quality mismatch"),
        detail: (
            "La qualité choisie ne correspond pas à votre inscription au tableau. Choisissez la qualité sous laquelle vous êtes inscrit.",
            "The chosen quality does not match your entry in the register. Choose the quality you are registered under.",
        ),
    }
    RateLimited {
        code: "rate_limited",
        status: TOO_MANY_REQUESTS,
        title: ("Trop de requêtes", "Too many requests"),
        detail: ("Trop de tentatives. Réessayez plus tard.", "Too many attempts. Try again later."),
    }
    RedirectUriMismatch {
        code: "redirect_uri_mismatch",
        status: BAD_REQUEST,
        title: ("Adresse de retour non enregistrée", "Redirect URI not registered"),
        detail: (
            "L'adresse de retour demandée n'est pas l'une de celles enregistrées pour ce site : aucune redirection n'est faite.",
            "The requested redirect URI is not one of those registered for this site: no redirection is made.",
        ),
    }
    RefundExceedsReceived {
        code: "refund_exceeds_received",
        status: CONFLICT,
        title: ("Remboursement supérieur aux sommes reçues", "Refund larger than what was received"),
        detail: (
            "On ne rembourse pas plus que ce que le bureau a versé pour cette campagne.",
            "A refund cannot exceed what the bureau paid for this campaign.",
        ),
    }
    RegionNotFound {
        code: "region_not_found",
        status: NOT_FOUND,
        title: ("Région inconnue", "Unknown region"),
        detail: ("Aucun conseil régional ne porte ce code.", "No regional council has this code."),
    }
    RequestRefused {
        code: "request_refused",
        status: BAD_REQUEST,
        title: ("Requête refusée", "Request refused"),
        detail: ("La requête a été refusée.", "The request was refused."),
    }
    RouteNotFound {
        code: "route_not_found",
        status: NOT_FOUND,
        title: ("Route inconnue", "Unknown route"),
        detail: (
            "Aucune opération de l'API ne correspond à cette adresse. La documentation est sous /swagger-ui/.",
            "No API operation matches this address. The documentation is at /swagger-ui/.",
        ),
    }
    ScaleMissing {
        code: "scale_missing",
        status: CONFLICT,
        title: ("Barème non chargé", "No barème loaded"),
        detail: (
            "Le barème de cette campagne n'est pas encore chargé par le conseil régional.",
            "The regional council has not loaded this campaign's barème yet.",
        ),
    }
    ServiceUnavailable {
        code: "service_unavailable",
        status: SERVICE_UNAVAILABLE,
        title: ("Service indisponible", "Service unavailable"),
        detail: (
            "Le service est momentanément indisponible. Réessayez dans quelques instants.",
            "The service is temporarily unavailable. Please try again shortly.",
        ),
    }
    SignatureExpired {
        code: "signature_expired",
        status: UNAUTHORIZED,
        title: ("Signature expirée", "Signature expired"),
        detail: (
            "La notification a été signée il y a plus de cinq minutes.",
            "The notification was signed more than five minutes ago.",
        ),
    }
    SignexpertUnavailable {
        code: "signexpert_unavailable",
        status: SERVICE_UNAVAILABLE,
        title: ("Connexion par certificat indisponible", "Certificate sign-in unavailable"),
        detail: (
            "La connexion par certificat (Signexpert) n'est pas disponible sur ce service. Connectez-vous avec votre identifiant et votre mot de passe.",
            "Certificate sign-in (Signexpert) is not available on this service. Sign in with your identifier and password.",
        ),
    }
    StaleTimestamp {
        code: "stale_timestamp",
        status: UNAUTHORIZED,
        title: ("Horloge décalée", "Clock out of sync"),
        detail: (
            "L'horodatage signé est trop éloigné de l'heure du serveur (plus de 2 minutes). Vérifiez l'heure de l'appareil.",
            "The signed timestamp is too far from the server's time (more than 2 minutes). Check the device's clock.",
        ),
    }
    StepUpRequired {
        code: "step_up_required",
        status: FORBIDDEN,
        title: ("Confirmation requise", "Confirmation required"),
        detail: (
            "Cette action du personnel de l'Ordre demande une connexion de moins de 15 minutes : confirmez votre mot de passe (POST /v1/staff/step-up), puis recommencez.",
            "This staff action needs a sign-in less than 15 minutes old: confirm your password (POST /v1/staff/step-up), then try again.",
        ),
    }
    TokenExpired {
        code: "token_expired",
        status: UNAUTHORIZED,
        title: ("Authentification requise", "Authentication required"),
        detail: (
            "Le jeton d'accès a expiré. Obtenez-en un nouveau avec le jeton de rafraîchissement.",
            "The access token has expired. Get a new one with the refresh token.",
        ),
    }
    TokenInvalid {
        code: "token_invalid",
        status: UNAUTHORIZED,
        title: ("Authentification requise", "Authentication required"),
        detail: (
            "Le jeton d'accès n'est pas valide. Reconnectez-vous.",
            "The access token is not valid. Please sign in again.",
        ),
    }
    TokenMissing {
        code: "token_missing",
        status: UNAUTHORIZED,
        title: ("Authentification requise", "Authentication required"),
        detail: (
            "Cette opération demande un jeton d'accès (Authorization: Bearer …). Connectez-vous.",
            "This operation needs an access token (Authorization: Bearer …). Please sign in.",
        ),
    }
    TokenRevoked {
        code: "token_revoked",
        status: UNAUTHORIZED,
        title: ("Authentification requise", "Authentication required"),
        detail: (
            "La session de ce jeton d'accès est fermée. Reconnectez-vous.",
            "The session of this access token is closed. Please sign in again.",
        ),
    }
    TransferAmountMismatch {
        code: "transfer_amount_mismatch",
        status: UNPROCESSABLE_ENTITY,
        title: ("Montant du virement différent", "Transfer amount differs"),
        detail: (
            "Le virement reçu n'a pas le montant du paiement attendu : enregistrez-le sur le bureau.",
            "The transfer received does not have the amount of the expected payment: record it against the bureau.",
        ),
    }
    TransferNotFound {
        code: "transfer_not_found",
        status: NOT_FOUND,
        title: ("Virement introuvable", "Transfer not found"),
        detail: (
            "Ce paiement n'est pas un virement : il n'a pas d'instructions de virement.",
            "This payment is not a transfer: it has no transfer instructions.",
        ),
    }
    UnknownDevice {
        code: "unknown_device",
        status: UNAUTHORIZED,
        title: ("Appareil inconnu", "Unknown device"),
        detail: (
            "Cet appareil n'est pas (ou plus) associé à un compte ComptExpert actif. Associez-le à nouveau depuis votre espace.",
            "This device is not (or no longer) enrolled on an active ComptExpert account. Enrol it again from your account.",
        ),
    }
    UnsupportedMediaType {
        code: "unsupported_media_type",
        status: UNSUPPORTED_MEDIA_TYPE,
        title: ("Type de contenu non pris en charge", "Unsupported media type"),
        detail: (
            "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            "The request body must be JSON (Content-Type: application/json).",
        ),
    }
    ValidationFailed {
        code: "validation_failed",
        status: UNPROCESSABLE_ENTITY,
        title: ("Requête invalide", "Invalid request"),
        detail: ("Un ou plusieurs champs sont invalides.", "One or more fields are invalid."),
    }
    WebhookReplayed {
        code: "webhook_replayed",
        status: CONFLICT,
        title: ("Notification déjà traitée", "Notification already processed"),
        detail: (
            "Cette notification a déjà été traitée ; elle ne l'est pas une seconde fois.",
            "This notification was already processed; it is not processed twice.",
        ),
    }
    WebhooksDisabled {
        code: "webhooks_disabled",
        status: SERVICE_UNAVAILABLE,
        title: ("Notifications désactivées", "Webhooks disabled"),
        detail: (
            "Les notifications de paiement ne sont pas configurées sur ce serveur.",
            "Payment notifications are not configured on this server.",
        ),
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The details of codes that more than one situation answers, each naming its own situation
/// (the table's detail is the code's first situation).
pub mod details {
    use crate::i18n::Text;

    /// `invalid_signature` of a Signexpert sign-in: the certificate's key did not sign the challenge.
    pub const CERTIFICATE_SIGNATURE: Text = Text::new(
        "La signature ne correspond pas au défi et à la clé du certificat.",
        "The signature does not match the challenge and the certificate's key.",
    );

    /// `invalid_signature` of a payment notification.
    pub const WEBHOOK_SIGNATURE: Text = Text::new(
        "La signature de la notification est absente ou ne correspond pas.",
        "The notification's signature is missing or does not match.",
    );

    /// `link_invalid` of an email-change confirmation link.
    pub const EMAIL_CHANGE_LINK: Text = Text::new(
        "Ce lien n'est plus valide. Refaites la demande de changement d'email.",
        "This link is no longer valid. Request the email change again.",
    );

    /// `member_not_found` of a person attached to a bureau by SUPRA number.
    pub const NO_MEMBER_WITH_SUPRA_NUMBER: Text = Text::new(
        "Aucun membre du tableau ne porte ce numéro SUPRA.",
        "No member of the register has this SUPRA number.",
    );

    /// `firm_not_found` of a payment for a firm of which the caller manages no bureau.
    pub const NO_MANAGED_BUREAU_OF_FIRM: Text = Text::new(
        "Vous ne gérez aucun bureau de cette société dans cette région.",
        "You manage no bureau of this firm in this region.",
    );

    /// `payment_not_pending` of the instructions of a transfer received or failed.
    pub const TRANSFER_NOT_PENDING: Text = Text::new(
        "Ce virement a été reçu ou a échoué : ses instructions ne valent plus. Une fois le virement reçu, son reçu est disponible.",
        "This transfer was received or failed: its instructions no longer apply. Once the transfer is received, its receipt is available.",
    );
}
