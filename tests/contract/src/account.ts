// Creates an active "Autre profil" account through the API and its email, for the checks that
// need a signed-in user (schemathesis): `tsx src/account.ts <identifier> <email> <password>`.

import { api, environment, expectStatus } from "./client.js";
import { Mailbox, passwordToken } from "./mailbox.js";

const [identifier, email, password] = process.argv.slice(2);
if (!identifier || !email || !password) {
  console.error("usage: account.ts <identifier> <email> <password>");
  process.exit(2);
}

const { baseUrl, mailDir } = environment();
const client = api(baseUrl);
const mailbox = new Mailbox(mailDir);
await mailbox.skipExisting();

const created = await client.POST("/v1/accounts/external", {
  body: {
    identifier,
    email,
    civility: "MME",
    last_name: "Contrat",
    first_name: "Camille",
    address: "1 rue de l'Essai",
    city: "Paris",
    postal_code: "75001",
    birth_year: 1980,
    accepts_communications: false,
  },
});
expectStatus(created.response, 202, "create the account", created.error);

const token = passwordToken(await mailbox.nextTo(email));
const set = await client.POST("/v1/password-tokens/{token}", {
  params: { path: { token } },
  body: { password, password_confirmation: password },
});
expectStatus(set.response, 204, "set the password", set.error);
console.log(`account ${identifier} is active`);
