// The user guide, walked in order with the generated client, as a front end would:
// qualités → name search → account creation → the email → check and use the link → sign in with
// "Garder ma session active" → regions (→ the portal, once the document has it) → sign out →
// lost identifier/password. Every call is typed from openapi/openapi.json: when the contract
// changes under this script, `tsc --noEmit` fails before anything runs.

import { api, check, environment, expectProblem, expectStatus, step, type Api } from "./client.js";
import { type Email, Mailbox, passwordToken } from "./mailbox.js";
import { walkPortal } from "./portal.js";

const THIRTY_DAYS = 30 * 24 * 3600;

const { baseUrl, mailDir } = environment();
const anonymous = api(baseUrl);
const mailbox = new Mailbox(mailDir);
await mailbox.skipExisting();

console.log(`walking the guide against ${baseUrl}`);

step("qualités (GET /v1/qualities)");
const qualities = await anonymous.GET("/v1/qualities");
expectStatus(qualities.response, 200, "qualités", qualities.error);
const registryQualities = qualities.data!.items.filter((q) => q.registration_path === "registry").map((q) => q.code);
const externalQuality = qualities.data!.items.find((q) => q.registration_path === "external_form");
check(registryQualities.length > 0, "some qualités register through the register of members");
check(externalQuality?.code === "autre_profil", "« Autre profil » takes the external form");

step("name search (GET /v1/registry/members)");
const tooShort = await anonymous.GET("/v1/registry/members", { params: { query: { q: "a" } } });
const shortProblem = expectProblem(tooShort, 422, "validation_failed", "a one-letter search");
check(shortProblem.errors?.some((e) => e.field === "q"), "the problem names the field q");
const query = process.env.WALK_MEMBER_QUERY ?? "mar";
const search = await anonymous.GET("/v1/registry/members", { params: { query: { q: query, limit: 5 } } });
expectStatus(search.response, 200, "name search", search.error);
const proposals = search.data!.items;
for (const proposal of proposals) {
  check(!("birth_date" in proposal) && !("email" in proposal), "proposals hold no birth date or email");
}
console.log(`    ${proposals.length} proposal(s) for "${query}"`);

const password = "Walk-2026!start";
const { email: firstEmail } = proposals.length > 0 ? await createMemberAccount(proposals) : await createExternalAccount();

step("read the email (MAIL_DIR)");
const token = passwordToken(firstEmail);
console.log(`    "${firstEmail.subject}" to ${firstEmail.to}`);

step("check the link (GET /v1/password-tokens/{token})");
const link = await anonymous.GET("/v1/password-tokens/{token}", { params: { path: { token } } });
expectStatus(link.response, 200, "link check", link.error);
const identifier = link.data!.identifier;
check(["activation", "reset"].includes(link.data!.purpose), `purpose activation or reset, got ${link.data!.purpose}`);
check(firstEmail.text.includes(identifier), "the email gives the identifier");

step("use the link (POST /v1/password-tokens/{token})");
const weak = await anonymous.POST("/v1/password-tokens/{token}", {
  params: { path: { token } },
  body: { password: "abc", password_confirmation: "abc" },
});
const policy = expectProblem(weak, 422, "password_policy", "a weak password");
check((policy.errors?.length ?? 0) >= 2, "the problem lists every rule broken");
const used = await anonymous.POST("/v1/password-tokens/{token}", {
  params: { path: { token } },
  body: { password, password_confirmation: password },
});
expectStatus(used.response, 204, "set the password", used.error);
const reused = await anonymous.GET("/v1/password-tokens/{token}", { params: { path: { token } } });
expectProblem(reused, 410, "link_invalid", "the link after use");

step("sign in with « Garder ma session active » (POST /v1/sessions)");
const wrong = await anonymous.POST("/v1/sessions", {
  body: { identifier, password: "Not-the-password-1" },
  headers: { "Accept-Language": "en" },
});
const refused = expectProblem(wrong, 401, "invalid_credentials", "a wrong password");
check(wrong.response.headers.get("content-language") === "en", "English on request");
check(!/account|exist/i.test(refused.detail), "the refusal does not tell whether the account exists");
let session = await signIn(identifier, password, true);
check(session.refresh_expires_in >= THIRTY_DAYS, `a kept session lasts 30 days, got ${session.refresh_expires_in}s`);
check(session.token_type === "Bearer", "bearer tokens");
let me = api(baseUrl, session.access_token);

const profile = await me.GET("/v1/me");
expectStatus(profile.response, 200, "profile", profile.error);
check(profile.data!.identifier === identifier, "the profile is the signed-in account's");
const accountEmail = profile.data!.email;

step("regions (GET /v1/regions)");
const regions = await me.GET("/v1/regions");
expectStatus(regions.response, 200, "regions", regions.error);
check(
  regions.data!.items.some((r) => r.code === "paris-ile-de-france"),
  "Paris Île-de-France is a region",
);

await walkPortal(baseUrl, session.access_token);

step("sign out (DELETE /v1/sessions/current)");
await signOut(me);

step("lost identifier or password (POST /v1/recovery)");
const unknown = await anonymous.POST("/v1/recovery", { body: { email: "personne@exemple.invalid" } });
expectStatus(unknown.response, 202, "recovery for an unknown address", unknown.error);
const recovery = await anonymous.POST("/v1/recovery", { body: { email: accountEmail } });
expectStatus(recovery.response, 202, "recovery", recovery.error);
check(
  JSON.stringify(recovery.data) === JSON.stringify(unknown.data),
  "known and unknown addresses get the same answer",
);
const recoveryEmail = await mailbox.nextTo(accountEmail);
check(recoveryEmail.text.includes(identifier), "the recovery email gives the identifier");
const resetToken = passwordToken(recoveryEmail);
const reset = await anonymous.GET("/v1/password-tokens/{token}", { params: { path: { token: resetToken } } });
expectStatus(reset.response, 200, "reset link check", reset.error);
check(reset.data!.purpose === "reset" && reset.data!.identifier === identifier, "a reset link for this identifier");
const newPassword = "Walk-2026!reset";
const resetDone = await anonymous.POST("/v1/password-tokens/{token}", {
  params: { path: { token: resetToken } },
  body: { password: newPassword, password_confirmation: newPassword },
});
expectStatus(resetDone.response, 204, "reset the password", resetDone.error);
const oldPassword = await anonymous.POST("/v1/sessions", { body: { identifier, password } });
expectProblem(oldPassword, 401, "invalid_credentials", "the old password after the reset");
session = await signIn(identifier, newPassword, false);
check(session.refresh_expires_in < THIRTY_DAYS, "without « Garder ma session active » the session is short");
me = api(baseUrl, session.access_token);
await signOut(me);

console.log("the guide walks through: OK");

async function createMemberAccount(candidates: typeof proposals): Promise<{ email: Email }> {
  step("account creation for a member of the register (POST /v1/accounts)");
  const proposal = candidates[0]!;
  // Proposals do not say the member's qualité: try the register's qualités in the guide's order,
  // as a person would pick theirs on the first screen.
  for (const quality of registryQualities) {
    const created = await anonymous.POST("/v1/accounts", { body: { quality, member_ref: proposal.member_ref } });
    if (created.response.status === 422 && created.error?.code === "quality_mismatch") continue;
    expectStatus(created.response, 202, "member account creation", created.error);
    const masked = created.data!.email_masked;
    const domain = masked.slice(masked.indexOf("@")).toLowerCase();
    console.log(`    ${proposal.first_name} ${proposal.last_name} as ${quality}: email sent to ${masked}`);
    const email = await mailbox.next((e) => e.to.toLowerCase().includes(domain), `to ${masked}`);
    return { email };
  }
  throw new Error(`no qualité of the register matches ${proposal.member_ref}`);
}

async function createExternalAccount(): Promise<{ email: Email }> {
  step("account creation with the « Autre profil » form (POST /v1/accounts/external)");
  const chosen = `walk.${Date.now().toString(36)}`;
  const address = `${chosen}@cabinet-exemple.fr`;
  const form = {
    identifier: chosen,
    email: address,
    civility: "MME" as const,
    last_name: "Lefèvre-d'Arc",
    first_name: "Hélène",
    phone: "01 23 45 67 89",
    address: "12 rue de la Paix",
    city: "Paris",
    postal_code: "75002",
    birth_year: 1985,
    accepts_communications: true,
  };
  const created = await anonymous.POST("/v1/accounts/external", { body: form });
  expectStatus(created.response, 202, "external account creation", created.error);
  check(created.data!.email_masked.endsWith("@cabinet-exemple.fr"), "the masked address keeps the domain");
  const taken = await anonymous.POST("/v1/accounts/external", {
    body: { ...form, email: `autre.${address}` },
  });
  expectProblem(taken, 409, "identifier_taken", "the same identifier twice");
  return { email: await mailbox.nextTo(address) };
}

async function signIn(who: string, secret: string, keepSessionActive: boolean) {
  const signedIn = await anonymous.POST("/v1/sessions", {
    body: { identifier: who, password: secret, keep_session_active: keepSessionActive },
  });
  expectStatus(signedIn.response, 201, "sign-in", signedIn.error);
  return signedIn.data!;
}

async function signOut(client: Api): Promise<void> {
  const out = await client.DELETE("/v1/sessions/current");
  expectStatus(out.response, 204, "sign-out", out.error);
  const after = await client.GET("/v1/me");
  expectProblem(after, 401, "token_revoked", "the token after sign-out");
}
