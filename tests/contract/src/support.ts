// The support desk's case, walked with the generated client: a RAC's mailbox dies, the reset email
// she asks for bounces; the support agent of the demo (support.demo) finds her account, sees the
// dead email, corrects the address, sends a new reset link; she resets her password from the new
// address and signs in; both her history and the audit log (read by admin.demo) show what the
// support did. The bounce is real: the contract run's SMTP server refuses the address for good.

import { appendFile } from "node:fs/promises";

import { api, check, environment, expectStatus, step, type Api } from "./client.js";
import { Mailbox, passwordToken } from "./mailbox.js";

const DEMO_PASSWORD = "Demo-2026!";

const { baseUrl, mailDir } = environment();
const bounceFile = process.env.CONTRACT_BOUNCE_FILE;
if (!bounceFile) throw new Error("CONTRACT_BOUNCE_FILE must be set (tests/contract/run sets it)");
const anonymous = api(baseUrl);
const mailbox = new Mailbox(mailDir);
await mailbox.skipExisting();

console.log(`walking the support desk's case against ${baseUrl}`);

const stamp = Date.now().toString(36);
const identifier = `rac.support.${stamp}`;
const oldAddress = `rac.${stamp}@ancien-cabinet.example`;
const newAddress = `rac.${stamp}@nouveau-cabinet.example`;

step("a RAC registers and activates her account (POST /v1/accounts/external)");
const created = await anonymous.POST("/v1/accounts/external", {
  body: {
    identifier,
    email: oldAddress,
    civility: "MME",
    last_name: "Lefèvre-Dubois",
    first_name: "Élise",
    address: "3 place Bellecour",
    city: "Lyon",
    postal_code: "69002",
    birth_year: 1990,
    accepts_communications: false,
  },
});
expectStatus(created.response, 202, "external account creation", created.error);
const activation = passwordToken(await mailbox.nextTo(oldAddress));
const firstPassword = "Support-2026!first";
const activated = await anonymous.POST("/v1/password-tokens/{token}", {
  params: { path: { token: activation } },
  body: { password: firstPassword, password_confirmation: firstPassword },
});
expectStatus(activated.response, 204, "activation", activated.error);

step("her mailbox dies; the reset email she asks for bounces (POST /v1/recovery)");
await appendFile(bounceFile, `${oldAddress}\n`);
const recovery = await anonymous.POST("/v1/recovery", { body: { email: oldAddress } });
expectStatus(recovery.response, 202, "recovery", recovery.error);

step("the support agent signs in and finds her (GET /v1/staff/accounts)");
const agent = api(baseUrl, await signIn("support.demo", DEMO_PASSWORD));
const roles = await agent.GET("/v1/staff/me");
expectStatus(roles.response, 200, "staff roles", roles.error);
check(roles.data!.items.some((r) => r.role === "support"), "support.demo holds the support role");
const found = await agent.GET("/v1/staff/accounts", { params: { query: { q: "lefevre-dubois" } } });
expectStatus(found.response, 200, "account search", found.error);
const account = found.data!.items.find((a) => a.identifier === identifier);
check(account, `the search by name finds ${identifier}`);
const accountId = account.id;

step("she sees the dead email (GET /v1/staff/accounts/{id}/emails)");
const dead = await waitFor(async () => {
  const emails = await agent.GET("/v1/staff/accounts/{id}/emails", { params: { path: { id: accountId } } });
  expectStatus(emails.response, 200, "emails", emails.error);
  return emails.data!.items.find((e) => e.recipient === oldAddress && e.status === "dead");
}, "the reset email to the dead address to be given up");
check(dead.last_error !== null && dead.last_error !== undefined, "the dead email says why");
check(!("text_body" in dead) && !("html_body" in dead), "never the email's body or links");
console.log(`    ${dead.kind} to ${dead.recipient}: ${dead.status} (${dead.last_error})`);

step("she corrects the address (PUT /v1/staff/accounts/{id}/email)");
const corrected = await agent.PUT("/v1/staff/accounts/{id}/email", {
  params: { path: { id: accountId } },
  body: { email: newAddress },
});
expectStatus(corrected.response, 200, "email correction", corrected.error);
check(corrected.data!.email === newAddress, "the account holds the new address");

step("she sends a new reset link (POST /v1/staff/accounts/{id}/reset-link)");
const sent = await agent.POST("/v1/staff/accounts/{id}/reset-link", { params: { path: { id: accountId } } });
expectStatus(sent.response, 204, "reset link", sent.error);

step("the RAC resets her password from the new address and signs in");
const resetEmail = await mailbox.next(
  (e) => e.to.toLowerCase().includes(newAddress) && /[#?&]token=/.test(e.text),
  `with a reset link to ${newAddress}`,
);
check(resetEmail.text.includes(identifier), "the reset email gives the identifier");
const newPassword = "Support-2026!reset";
const reset = await anonymous.POST("/v1/password-tokens/{token}", {
  params: { path: { token: passwordToken(resetEmail) } },
  body: { password: newPassword, password_confirmation: newPassword },
});
expectStatus(reset.response, 204, "reset", reset.error);
const member = api(baseUrl, await signIn(identifier, newPassword));

step("her history shows what the support did (GET /v1/me/security-events)");
const history = await member.GET("/v1/me/security-events");
expectStatus(history.response, 200, "security history", history.error);
const kinds: string[] = history.data!.items.map((e) => e.kind);
console.log(`    ${kinds.join(", ")}`);
for (const kind of ["email_corrected_by_support", "reset_link_sent_by_support", "password_reset"]) {
  check(kinds.includes(kind), `her history holds ${kind}`);
}

step("the audit log holds each action once (GET /v1/staff/audit-log, admin.demo)");
const admin = api(baseUrl, await signIn("admin.demo", DEMO_PASSWORD));
const audit = await admin.GET("/v1/staff/audit-log", {
  params: { query: { target_kind: "account", target_id: accountId } },
});
expectStatus(audit.response, 200, "audit log", audit.error);
const actions = audit.data!.items.map((r) => r.action);
for (const action of ["account.email_corrected", "account.reset_link_sent"]) {
  check(actions.filter((a) => a === action).length >= 1, `the audit log holds ${action}`);
}
check(actions.filter((a) => a === "account.email_corrected").length === 1, "one record for the one correction");
check(
  audit.data!.items.every((r) => r.actor_identifier === "support.demo" && r.actor_role === "support"),
  "every record names the agent and her role",
);
await signOut(agent);

console.log("the support desk's case walks through: OK");

async function signIn(who: string, secret: string): Promise<string> {
  const signedIn = await anonymous.POST("/v1/sessions", { body: { identifier: who, password: secret } });
  expectStatus(signedIn.response, 201, `sign-in of ${who}`, signedIn.error);
  return signedIn.data!.access_token;
}

async function signOut(client: Api): Promise<void> {
  const out = await client.DELETE("/v1/sessions/current");
  expectStatus(out.response, 204, "sign-out", out.error);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
