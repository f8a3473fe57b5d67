// The contributions portal part of the walk (guide 4.2): region choice, the email conflict, the
// bureaux. It runs only for the paths the service documents, so the walk goes on before the portal
// exists and covers it as soon as it does. The portal's paths are not in the generated types
// yet, so these calls go through a small JSON helper and check the fields API.md promises;
// once `paths` has them, move these calls to the typed client like the rest of the walk.

import { check, step } from "./client.js";

interface Answer {
  status: number;
  body: unknown;
}

interface PortalRegion {
  code: string;
  name: string;
  campaign_year: number;
  campaign_open: boolean;
  bureaux_count: number;
  has_personal_file: boolean;
}

export async function walkPortal(baseUrl: string, accessToken: string): Promise<void> {
  const documented = await fetch(`${baseUrl}/api-docs/openapi.json`);
  const { paths } = (await documented.json()) as { paths: Record<string, unknown> };
  const has = (path: string) => path in paths;
  if (!has("/v1/portal/regions")) {
    step("contributions portal: not in the document yet, skipped");
    return;
  }
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const expect = (answer: Answer, status: number, what: string) =>
    check(answer.status === status, `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);

  step("choix région (GET /v1/portal/regions)");
  const listed = await call("GET", "/v1/portal/regions");
  expect(listed, 200, "portal regions");
  const regions = (Array.isArray(listed.body) ? listed.body : (listed.body as { items: unknown[] }).items) as PortalRegion[];
  check(regions.length > 0, "the portal lists regions");
  for (const region of regions) {
    for (const field of ["code", "name", "campaign_year", "campaign_open", "bureaux_count", "has_personal_file"]) {
      check(field in region, `a portal region has ${field}`);
    }
  }
  const region = regions.find((r) => r.has_personal_file || r.bureaux_count > 0) ?? regions[0]!;
  const base = `/v1/portal/regions/${encodeURIComponent(region.code)}`;

  if (has("/v1/portal/regions/{code}/email-conflict")) {
    step(`email conflict in ${region.code} (GET …/email-conflict)`);
    const conflict = await call("GET", `${base}/email-conflict`);
    check([200, 404].includes(conflict.status), `email conflict: 200 or 404, got ${conflict.status}`);
    if (conflict.status === 200) {
      if (has("/v1/portal/regions/{code}/bureaux")) {
        const blocked = await call("GET", `${base}/bureaux`);
        expect(blocked, 409, "bureaux while the email conflict is unresolved");
      }
      step("resolve the email conflict (PUT …/email-choice)");
      const chosen = await call("PUT", `${base}/email-choice`, { choice: "comptexpert" });
      expect(chosen, 200, "email choice");
      expect(await call("GET", `${base}/email-conflict`), 404, "email conflict once resolved");
    }
  }
  if (has("/v1/portal/regions/{code}/bureaux")) {
    step(`bureaux of ${region.code} (GET …/bureaux)`);
    expect(await call("GET", `${base}/bureaux`), 200, "regional dashboard");
  }
}
