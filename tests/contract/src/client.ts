// The typed client every script uses: openapi-fetch over the types that openapi-typescript
// generates from the committed openapi/openapi.json (src/generated/api.d.ts).

import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./generated/api.js";

export type Api = Client<paths>;
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** The service under test, from the environment the driver (`tests/contract/run`) sets. */
export function environment(): { baseUrl: string; mailDir: string } {
  const baseUrl = process.env.API_URL;
  const mailDir = process.env.MAIL_DIR;
  if (!baseUrl || !mailDir) throw new Error("API_URL and MAIL_DIR must be set (tests/contract/run sets them)");
  return { baseUrl, mailDir };
}

/** A client, signed in when `accessToken` is given. */
export function api(baseUrl: string, accessToken?: string): Api {
  return createClient<paths>({
    baseUrl,
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Asserts the status of an answer, showing the body when it is not the expected one. */
export function expectStatus(response: Response, expected: number, what: string, body?: unknown): void {
  if (response.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${response.status} ${JSON.stringify(body ?? null)}`);
  }
}

/** Asserts that a refusal is a problem+json with the given status and code. */
export function expectProblem(
  result: { response: Response; error?: Problem | unknown },
  status: number,
  code: string,
  what: string,
): Problem {
  expectStatus(result.response, status, what, result.error);
  const type = result.response.headers.get("content-type") ?? "";
  check(type.startsWith("application/problem+json"), `${what}: problem+json, got ${type}`);
  const problem = result.error as Problem;
  check(problem.code === code, `${what}: code ${code}, got ${problem.code}`);
  return problem;
}

export function step(title: string): void {
  console.log(`  - ${title}`);
}
