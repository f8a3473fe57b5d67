// The contributions portal part of the walk (guide 4.2 and 4.3), typed like the rest: the demo
// RAC (`rac.demo`, see the README's demo data) signs in, chooses a region, meets the email
// conflict of the region where the council's file holds an older address, resolves it, lists the
// bureaux it may manage with their totals, opens one, and checks the figures add up.

import { api, check, expectProblem, expectStatus, step } from "./client.js";

const DEMO_RAC = { identifier: "rac.demo", password: "Demo-2026!" };

export async function walkPortal(baseUrl: string, ownAccessToken: string): Promise<void> {
  // The account created by the walk manages nothing yet: the portal answers, with no bureau.
  const newcomer = api(baseUrl, ownAccessToken);
  const own = await newcomer.GET("/v1/portal/regions");
  expectStatus(own.response, 200, "portal regions of a new account", own.error);
  check(own.data!.totals.bureaux_count === 0, "a new account manages no bureau");

  const anonymous = api(baseUrl);
  const signIn = await anonymous.POST("/v1/sessions", { body: { ...DEMO_RAC, keep_session_active: false } });
  if (signIn.response.status !== 201) {
    step("contributions portal: no demo data in this database, the RAC part is skipped");
    return;
  }
  const rac = api(baseUrl, signIn.data!.access_token);

  step("choix région as the demo RAC (GET /v1/portal/regions)");
  const listed = await rac.GET("/v1/portal/regions");
  expectStatus(listed.response, 200, "portal regions", listed.error);
  const managed = listed.data!.items.filter((r) => r.bureaux_count > 0);
  check(managed.length >= 2, `the demo RAC manages bureaux in two regions, got ${managed.length}`);
  check(
    listed.data!.totals.bureaux_count === managed.reduce((sum, r) => sum + r.bureaux_count, 0),
    "the totals row adds up the regions",
  );

  let conflicts = 0;
  for (const region of managed) {
    const code = { params: { path: { code: region.code } } };
    const conflict = await rac.GET("/v1/portal/regions/{code}/email-conflict", code);
    if (conflict.response.status === 200) {
      conflicts += 1;
      step(`email conflict in ${region.code}: ${conflict.data!.comptexpert_email_masked} / ${conflict.data!.file_email_masked}`);
      const blocked = await rac.GET("/v1/portal/regions/{code}/bureaux", code);
      expectProblem(blocked, 409, "email_conflict", "bureaux while the conflict is unresolved");
      const chosen = await rac.PUT("/v1/portal/regions/{code}/email-choice", { ...code, body: { choice: "comptexpert" } });
      expectStatus(chosen.response, 200, "email choice", chosen.error);
      check(chosen.data!.email_masked === conflict.data!.comptexpert_email_masked, "the kept address is confirmed");
      const after = await rac.GET("/v1/portal/regions/{code}/email-conflict", code);
      expectProblem(after, 404, "no_email_conflict", "the conflict once resolved");
    } else {
      expectProblem(conflict, 404, "no_email_conflict", `no conflict in ${region.code}`);
    }

    step(`bureaux of ${region.code} (GET …/bureaux)`);
    const dashboard = await rac.GET("/v1/portal/regions/{code}/bureaux", code);
    expectStatus(dashboard.response, 200, "regional dashboard", dashboard.error);
    const firms = dashboard.data!.items;
    const rows = firms.flatMap((f) => f.bureaux);
    check(rows.length === region.bureaux_count, `${region.bureaux_count} bureaux listed, got ${rows.length}`);
    const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0);
    check(sum((r) => r.total.amount_cents) === dashboard.data!.totals.total.amount_cents, "Total adds up");
    check(sum((r) => r.balance.amount_cents) === dashboard.data!.totals.balance.amount_cents, "Solde adds up");
    check(sum((r) => r.remaining_pp) === dashboard.data!.totals.remaining_pp, "Reste PP adds up");
    check(rows.every((r) => r.total.currency === "EUR"), "amounts in cents of euros");

    const first = rows[0]!;
    step(`bureau ${first.ref} (GET …/bureaux/{ref})`);
    const detail = await rac.GET("/v1/portal/regions/{code}/bureaux/{ref}", {
      params: { path: { code: region.code, ref: first.ref } },
    });
    expectStatus(detail.response, 200, "bureau detail", detail.error);
    check(detail.data!.balance.amount_cents === first.balance.amount_cents, "the bureau's balance matches the dashboard");
    check(detail.data!.remaining_pp === first.remaining_pp, "the bureau's Reste PP matches the dashboard");
  }
  check(conflicts === 1, `the demo RAC has one email conflict to resolve, got ${conflicts}`);

  const hidden = await rac.GET("/v1/portal/regions/{code}/bureaux/{ref}", {
    params: { path: { code: "paris-ile-de-france", ref: "B-NOT-MINE" } },
  });
  expectProblem(hidden, 404, "bureau_not_found", "a bureau the RAC may not see");
  await rac.DELETE("/v1/sessions/current");
}
