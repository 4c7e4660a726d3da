// test/browser/page_test.mjs: the endpoint's page in a real headless browser (Debian's chromium,
// driven by puppeteer-core). Starts test/browser/answer.cpp with its endpoint on a free loopback
// port and a token, then checks that the page lists the failpoints, that setting `return(1)` from
// the page changes what the program prints and that clearing it changes it back, that a page of
// another origin cannot change anything even with the browser's credentials, nor can a page that
// reaches the endpoint through a re-pointed name (DNS rebinding), and that the page logs no
// console error and fetches nothing from anywhere else.
//
// Usage: node page_test.mjs PROGRAM [CHROMIUM]   (exit status 0 when every check passed)
import {spawn} from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const [program, chromium = "/usr/bin/chromium"] = process.argv.slice(2);
let puppeteer;
try {
  puppeteer = (await import("puppeteer-core")).default;
} catch (e) {
  console.error("page_test: cannot load puppeteer-core (" + e.message + "); scripts/deps.sh " +
                "installs it with `npm ci` in test/browser");
  process.exit(1);
}
if (!program || !fs.existsSync(chromium)) {
  console.error("page_test: usage: node page_test.mjs PROGRAM [CHROMIUM]; chromium: " + chromium +
                (fs.existsSync(chromium) ? "" : " (missing: scripts/deps.sh installs it)"));
  process.exit(1);
}
const token = "page-test-token";
const limitMs = 15000;  // for each wait below
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failpoint-page-"));
const log = path.join(dir, "answer.log");
const failures = [];

function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
}

async function until(what, fn) {
  const end = Date.now() + limitMs;
  for (;;) {
    try {
      if (await fn()) {
        console.log("ok   " + what);
        return true;
      }
    } catch (e) {
      // not there yet
    }
    if (Date.now() > end) {
      check(false, what + " (gave up after " + limitMs + " ms)");
      return false;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lastAnswer = () => {
  const lines = fs.readFileSync(log, "utf8").trim().split("\n");
  return lines[lines.length - 1];
};

const env = {...process.env, FAILPOINTS_HTTP: "127.0.0.1:0", FAILPOINTS_HTTP_TOKEN: token,
             FAILPOINTS_HTTP_ADDR_FILE: path.join(dir, "addr")};
delete env.FAILPOINTS;
const child = spawn(program, [], {env, stdio: ["ignore", fs.openSync(log, "w"), "inherit"]});
let browser;
let evil;
try {
  await until("the program's endpoint starts", () => fs.readFileSync(env.FAILPOINTS_HTTP_ADDR_FILE, "utf8").trim() !== "");
  const origin = "http://" + fs.readFileSync(env.FAILPOINTS_HTTP_ADDR_FILE, "utf8").trim();
  browser = await puppeteer.launch({executablePath: chromium, args: ["--no-sandbox", "--headless=new",
                                                                     "--host-resolver-rules=MAP rebound.test 127.0.0.1"]});

  const page = await browser.newPage();
  const errors = [];
  const elsewhere = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith(origin + "/") && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
  await page.authenticate({username: "failpoint", password: token});
  const response = await page.goto(origin + "/", {waitUntil: "load"});
  check(response.status() === 200, "GET / with the token serves the page");
  check((response.headers()["content-type"] || "").startsWith("text/html"), "the page is text/html");

  const row = (name) => `tr[data-name="${name}"]`;
  const text = (name, cell) => page.$eval(`${row(name)} td.${cell}`, (td) => td.textContent);
  await until("the page lists page/answer and page/slow", async () =>
    (await page.$(row("page/answer"))) !== null && (await page.$(row("page/slow"))) !== null);
  check(await text("page/answer", "type") === "int", "page/answer's type is int");
  check((await text("page/answer", "sites")).includes("answer.cpp:"), "page/answer's site is listed");
  check(lastAnswer() === "answer 0", "the program answers 0 before any fault");

  await page.type(`${row("page/answer")} input.terms`, "return(1)");
  await page.click(`${row("page/answer")} button.set`);
  await until("the page shows the terms return(1)", async () => await text("page/answer", "terms") === "return(1)");
  await until("the program answers 1 once return(1) is set from the page", () => lastAnswer() === "answer 1");
  await until("the count refreshes by itself", async () => Number(await text("page/answer", "count")) > 10);

  await page.click(`${row("page/answer")} button.clear`);
  await until("the page shows no terms after clear", async () => await text("page/answer", "terms") === "");
  await until("the program answers 0 again after clear", () => lastAnswer() === "answer 0");

  // A page of another origin, with the browser holding the endpoint's credentials, tries a PUT.
  evil = http.createServer((req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<script>
      fetch("${origin}/page/answer", {method: "PUT", body: "return(2)", credentials: "include"})
        .then((r) => { document.title = "answered " + r.status; },
              () => { document.title = "refused"; });
    </script>`);
  });
  await new Promise((r) => evil.listen(0, "127.0.0.1", r));
  const other = await browser.newPage();
  await other.authenticate({username: "failpoint", password: token});
  await other.goto(`http://127.0.0.1:${evil.address().port}/`);
  await until("another origin's PUT is refused", async () => (await other.title()) === "refused");

  // DNS rebinding: a name of the attacker's now resolves to the endpoint's address, so to the
  // browser the page and the endpoint are one origin (chromium maps rebound.test, see launch).
  const rebound = "http://rebound.test:" + new URL(origin).port + "/";
  const via = await other.goto(rebound);
  check(via.status() === 403, "the endpoint refuses a browser that reached it as rebound.test");
  check(!(await via.text()).includes("<title>"), "no page through rebound.test");
  const put = await other.evaluate(async (url) =>
    (await fetch(url + "page/answer", {method: "PUT", body: "return(3)"})).status, rebound);
  check(put === 403, "a PUT through rebound.test is refused (" + put + ")");

  await new Promise((r) => setTimeout(r, 300));
  check(await text("page/answer", "terms") === "", "neither changed anything");
  check(lastAnswer() === "answer 0", "the program still answers 0");

  check(errors.length === 0, "no console errors" + (errors.length ? ": " + errors.join(" | ") : ""));
  check(elsewhere.length === 0, "the page fetched nothing elsewhere" + (elsewhere.length ? ": " + elsewhere.join(" ") : ""));
} catch (e) {
  check(false, "unexpected error: " + (e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  if (evil) evil.close();
  child.kill("SIGKILL");
  fs.rmSync(dir, {recursive: true, force: true});
}
console.log(failures.length === 0 ? "all checks passed" : failures.length + " checks failed");
process.exit(failures.length === 0 ? 0 : 1);
