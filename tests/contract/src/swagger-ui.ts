// Swagger UI in a real browser (Debian's Chromium, driven by playwright-core): the page loads the
// document, shows the operations grouped by tag, and "Try it out" on GET /v1/regions gets an
// answer from the service. Leaves a screenshot for CI.

import { mkdir } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

import { check, environment, step } from "./client.js";

const EXPECTED_TAGS = ["reference", "registration", "sessions", "account"];

const { baseUrl } = environment();
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const artefacts = process.env.ARTEFACTS_DIR ?? path.resolve("artefacts");
await mkdir(artefacts, { recursive: true });
const screenshot = path.join(artefacts, "swagger-ui.png");
const operationScreenshot = path.join(artefacts, "swagger-ui-get-regions.png");
const profile = mkdtempSync(path.join(os.tmpdir(), "contract-chromium-"));

console.log(`Swagger UI at ${baseUrl}/swagger-ui/ in ${executablePath}`);
// The machines' network is closed: without these switches Chromium keeps trying to reach Google.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 1400 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  step("open /swagger-ui/");
  const opened = await page.goto(`${baseUrl}/swagger-ui/`, { waitUntil: "load" });
  check(opened?.status() === 200, `Swagger UI answers 200, got ${opened?.status()}`);
  await page.locator(".information-container .title").filter({ hasText: "ComptExpert API" }).waitFor();

  step("operations grouped by tag");
  const tags = await page.locator(".opblock-tag-section h3.opblock-tag").evaluateAll((nodes) =>
    nodes.map((n) => n.getAttribute("data-tag") ?? ""),
  );
  console.log(`    tags: ${tags.join(", ")}`);
  for (const tag of EXPECTED_TAGS) {
    const heading = page.locator(`h3.opblock-tag[data-tag="${tag}"]`);
    check(tags.includes(tag) && (await heading.isVisible()), `a visible "${tag}" section`);
    const operations = await page
      .locator(".opblock-tag-section")
      .filter({ has: heading })
      .locator(".opblock")
      .count();
    check(operations > 0, `operations listed under "${tag}"`);
    console.log(`    ${tag}: ${operations} operation(s)`);
  }
  const referenceSection = page.locator(".opblock-tag-section").filter({
    has: page.locator('h3.opblock-tag[data-tag="reference"]'),
  });
  const regionsOperation = referenceSection.locator(".opblock-get").filter({
    has: page.locator('.opblock-summary-path[data-path="/v1/regions"]'),
  });
  await regionsOperation.waitFor();

  step("expand GET /v1/regions, Try it out, Execute");
  await regionsOperation.locator(".opblock-summary").first().click();
  await regionsOperation.getByRole("button", { name: "Try it out" }).click();
  await regionsOperation.getByRole("button", { name: "Execute" }).click();
  const live = regionsOperation.locator(".live-responses-table");
  const status = live.locator(".response .response-col_status").first();
  await status.waitFor({ timeout: 15_000 });
  const body = live.locator(".response-col_description pre.microlight, .response-col_description .highlight-code").first();
  await body.waitFor();
  const shownStatus = (await status.innerText()).trim();
  const shownBody = await body.innerText();
  check(shownStatus === "200", `the answer shown is 200, got ${shownStatus}`);
  check(shownBody.includes("paris-ile-de-france"), "the answer shown lists paris-ile-de-france");
  console.log(`    shown: ${shownStatus}, ${shownBody.length} characters of JSON`);

  // The whole page (the tag sections), and GET /v1/regions with the answer it got.
  await page.screenshot({ path: screenshot, fullPage: true });
  await regionsOperation.screenshot({ path: operationScreenshot });
  console.log(`    screenshots: ${screenshot}, ${operationScreenshot}`);
  check(pageErrors.length === 0, `no script errors on the page: ${pageErrors.join("; ")}`);
  console.log("Swagger UI works in Chromium: OK");
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
