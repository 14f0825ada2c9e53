// Browser end-to-end suite for `nextstep serve`, driven by playwright-core in Debian's
// chromium (no browser download). The Rust test `crates/nextstep/tests/e2e.rs` starts a
// server on a demo team and runs this with:
//   NEXTSTEP_E2E_BASE      http://127.0.0.1:PORT
//   NEXTSTEP_E2E_EMAIL     a rep's login, NEXTSTEP_E2E_PASSWORD its password
//   NEXTSTEP_E2E_DEAL      a deal id that rep owns
//   NEXTSTEP_E2E_TRANSCRIPT a transcript with a bail-out
//   NEXTSTEP_E2E_ARTIFACTS  where screenshots go
// Each step prints one line; any failure exits 1 with the step named.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`e2e: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const base = env("NEXTSTEP_E2E_BASE");
const email = env("NEXTSTEP_E2E_EMAIL");
const password = env("NEXTSTEP_E2E_PASSWORD");
const deal = env("NEXTSTEP_E2E_DEAL");
const transcript = env("NEXTSTEP_E2E_TRANSCRIPT");
const artifacts = env("NEXTSTEP_E2E_ARTIFACTS");
mkdirSync(artifacts, { recursive: true });

// The flags the machine notes require: no sandbox as root, and no background
// networking (the machine's closed network refuses it).
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

let page;
const shot = async (p, name) => p.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const step = async (name, fn) => {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    console.error(`FAIL ${name}: ${e.message}`);
    if (page) await shot(page, `failed-${name.replace(/\W+/g, "-")}`).catch(() => {});
    await browser.close();
    process.exit(1);
  }
};
const expect = (cond, message) => {
  if (!cond) throw new Error(message);
};

// Any script the page runs that the test did not write (an XSS) would set this.
const rep = await browser.newContext();
await rep.addInitScript(() => {
  window.alert = () => { document.documentElement.dataset.xss = "alert"; };
});
page = await rep.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));

await step("an anonymous visit is sent to the login page", async () => {
  await page.goto(`${base}/`);
  expect(page.url().includes("/login"), `expected /login, got ${page.url()}`);
});

await step("log in", async () => {
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("#login-submit")]);
  await page.waitForSelector(".board");
  await shot(page, "01-pipeline-board");
});

await step("the board shows next-step badges and filters by flag", async () => {
  const badges = await page.locator(".deal-card .badge").count();
  expect(badges > 0, "no badges on the board");
  await page.goto(`${base}/?flag=NO_NEXT_STEP`);
  const cards = page.locator(".deal-card");
  const n = await cards.count();
  for (let i = 0; i < n; i++) {
    const cls = (await cards.nth(i).locator(".badge").first().getAttribute("class")) || "";
    expect(cls.includes("badge-none"), `card ${i} under NO_NEXT_STEP has badge ${cls}`);
  }
});

let callUrl;
await step("upload a transcript by drag-and-drop input and wait for the analysis", async () => {
  await page.goto(`${base}/deals/${deal}`);
  await page.waitForSelector("#dropzone");
  await page.setInputFiles("#upload-input", transcript);
  const done = page.locator("#upload-status a[href^='/calls/']");
  await done.first().waitFor({ timeout: 30000 });
  callUrl = await done.first().getAttribute("href");
  await shot(page, "02-upload-done");
});

await step("the call page highlights the bail-out with its coaching line", async () => {
  await page.goto(`${base}${callUrl}`);
  const bail = page.locator(".moment-bail-out");
  await bail.first().waitFor();
  expect((await bail.count()) > 0, "no .moment-bail-out on the call page");
  await shot(page, "03-call-bail-out");
});

let badgeBefore;
let linkUrl;
await step("create a confirmation link on the deal", async () => {
  await page.goto(`${base}/deals/${deal}`);
  badgeBefore = (await page.locator("#next-step-badge").getAttribute("class")) || "";
  await page.click("#create-confirm-link");
  const link = page.locator("#confirm-link-url");
  await link.waitFor();
  linkUrl = ((await link.inputValue().catch(() => null)) || (await link.textContent()) || "").trim();
  expect(/\/confirm\/[0-9a-f]{32}$/.test(linkUrl), `unexpected link ${linkUrl}`);
  await shot(page, "04-confirm-link");
});

await step("the prospect opens the link in a fresh browser and confirms", async () => {
  const prospect = await browser.newContext();
  const p = await prospect.newPage();
  await p.goto(linkUrl);
  const text = await p.textContent("body");
  expect(text.includes("Is this our agreed next step?"), "the question is missing");
  expect(!text.includes(email), "the public page shows the rep's login");
  await shot(p, "05-prospect-page");
  await p.click("#confirm-yes");
  await p.waitForSelector("#confirm-thanks");
  await shot(p, "06-prospect-thanks");
  await prospect.close();
});

await step("the rep sees the badge change and the answer on the deal", async () => {
  await page.goto(`${base}/deals/${deal}`);
  const after = (await page.locator("#next-step-badge").getAttribute("class")) || "";
  expect(after !== badgeBefore, `badge unchanged: ${after}`);
  expect(after.includes("badge-confirmed") || after.includes("badge-prospect"), `badge after: ${after}`);
  const body = await page.textContent("body");
  expect(/confirmed/i.test(body), "no confirmation shown on the deal");
  await shot(page, "07-deal-confirmed");
});

await step("flip a speaker's side on the call page; the call is judged again", async () => {
  await page.goto(`${base}${callUrl}`);
  const speakers = page.locator("#speakers li.speaker-side");
  await speakers.first().waitFor();
  expect((await speakers.count()) >= 2, "fewer than two speakers listed");
  const prospect = page.locator("#speakers li.speaker-side[data-side='prospect']").first();
  const name = await prospect.getAttribute("data-speaker");
  const reasonBefore = (await prospect.locator(".side-reason").textContent()) || "";
  expect(reasonBefore.trim().length > 0, `no reason shown for ${name}`);
  await shot(page, "08-call-sides");
  await Promise.all([
    page.waitForURL((u) => u.pathname === callUrl),
    prospect.locator("button[type=submit]").click(),
  ]);
  const flipped = page.locator(`#speakers li.speaker-side[data-speaker="${name}"]`);
  await flipped.waitFor();
  expect((await flipped.getAttribute("data-side")) === "seller", `${name} is not on the seller's side`);
  const reason = (await flipped.locator(".side-reason").textContent()) || "";
  expect(reason.includes("set by hand"), `reason after the flip: ${reason}`);
  // The stored analysis says the same: the call was judged again with the new side.
  const id = callUrl.split("/").pop();
  const res = await page.request.get(`${base}/api/v1/calls/${id}`);
  expect(res.ok(), `GET the call: ${res.status()}`);
  const call = await res.json();
  const sp = call.analysis.speakers.find((s) => s.name === name);
  expect(sp && sp.role === "seller" && sp.basis === "user", `stored side: ${JSON.stringify(sp)}`);
  await shot(page, "09-call-flipped");
  // And back: the button now offers the prospect's side.
  await Promise.all([
    page.waitForURL((u) => u.pathname === callUrl),
    flipped.locator("button[type=submit]").click(),
  ]);
  const back = page.locator(`#speakers li.speaker-side[data-speaker="${name}"]`);
  await back.waitFor();
  expect((await back.getAttribute("data-side")) === "prospect", `${name} did not move back`);
});

await step("no script from the data ran", async () => {
  const xss = await page.evaluate(() => document.documentElement.dataset.xss || "");
  expect(xss === "", "an alert() ran");
  expect(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
});

await browser.close();
console.log("e2e: all steps passed");
