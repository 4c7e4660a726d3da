// test/browser/report_test.mjs: failpoint-explore's HTML report in a real headless browser
// (Debian's chromium, driven by puppeteer-core). Explores test/explorer/planted.cpp's `markup`
// mode (a failpoint named with markup, a failure whose output holds markup, a crash, depth-2
// combinations) with --report and --html, loads the page from file:// and checks it against the
// report: no console or page error, no request but the page itself, the summary's numbers, every
// failure, each failure's reproducer and output once expanded, the filters, each combination
// under the schedule it extends, and the markup shown as text, never run.
//
// Usage: node report_test.mjs FAILPOINT_EXPLORE PLANTED [CHROMIUM]   (exit status 0 when every
// check passed)
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import url from "node:url";

const [exploreArg, plantedArg, chromium = "/usr/bin/chromium"] = process.argv.slice(2);
let puppeteer;
try {
  puppeteer = (await import("puppeteer-core")).default;
} catch (e) {
  console.error("report_test: cannot load puppeteer-core (" + e.message + "); scripts/deps.sh " +
                "installs it with `npm ci` in test/browser");
  process.exit(1);
}
if (!exploreArg || !plantedArg || !fs.existsSync(chromium)) {
  console.error("report_test: usage: node report_test.mjs FAILPOINT_EXPLORE PLANTED [CHROMIUM]; " +
                "chromium: " + chromium + (fs.existsSync(chromium) ? "" : " (missing: scripts/deps.sh installs it)"));
  process.exit(1);
}
// Both run in the test's temporary directory.
const explore = path.resolve(exploreArg);
const planted = path.resolve(plantedArg);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failpoint-report-"));
const failures = [];

function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// The same keys with the same values, in any order.
const sameMap = (a, b) => same(Object.entries(a).sort(), Object.entries(b).sort());

let browser;
try {
  const run = spawnSync(explore, ["--out", "out", "--report", "report.json", "--html", "html",
                                  "--progress", "lines", "--reproduce", "2", "-j", "2",
                                  "--depth", "2", "--", planted, "markup"],
                        {cwd: dir, encoding: "utf8", timeout: 120000});
  check(run.status === 1, "the exploration finds failures (exit status " + run.status + ")" +
        (run.status === 1 ? "" : ": " + run.stdout + run.stderr));
  const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
  const counterexamples = report.failures.map((f) =>
    JSON.parse(fs.readFileSync(path.resolve(dir, f.counterexample), "utf8")));
  const markupName = Object.keys(report.failpoints).find((n) => n.includes("<script>"));
  check(markupName !== undefined, "the report has the failpoint named with markup");
  check(report.failures.some((f) => f.key.includes("<script>") && f.key.includes('"both"')),
        "a failure's key line holds markup and quotes");

  browser = await puppeteer.launch({executablePath: chromium, args: ["--no-sandbox", "--headless=new"]});
  const page = await browser.newPage();
  const errors = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  const pageUrl = url.pathToFileURL(path.join(dir, "html", "index.html")).href;
  await page.goto(pageUrl, {waitUntil: "load"});

  check(same(requests, [pageUrl]), "the page requested nothing but itself" + (same(requests, [pageUrl]) ? "" : ": " + requests.join(" ")));

  // The summary.
  const summary = await page.$$eval("#summary tr", (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.key, {text: r.querySelector("td").textContent,
                                                         value: r.querySelector("td").dataset.value}])));
  check(Number(summary.runs.text) === report.runs.length, "the summary's runs: " + summary.runs.text);
  check(Number(summary.failures.text) === report.failures.length, "the summary's failures: " + summary.failures.text);
  check(Number(summary.depth.text) === report.depth, "the summary's depth");
  check(Number(summary.left.text) === report.left, "the summary's schedules left");
  check(Number(summary.time.value) === report.timing.wall_seconds, "the summary's time is the report's wall time");
  check(summary.stopped_by.value === "", "stopped by nothing (the report's null)");
  check(summary.command.text === report.command.argv.join(" "), "the summary's command");
  const counts = await page.$$eval("#summary .count", (spans) =>
    Object.fromEntries(spans.map((s) => [s.dataset.outcome, Number(s.querySelector(".n").textContent)])));
  const expected = {pass: 0, fail: 0, crash: 0, sanitizer: 0, hang: 0, "not realized": 0};
  for (const r of report.runs) expected[r.outcome] += 1;
  check(same(counts, expected), "the outcome counts equal the report's: " + JSON.stringify(counts));
  check(expected.pass > 0 && expected.fail > 0 && expected.crash > 0, "the report has passes, fails and crashes");
  const colours = await page.$$eval("#summary .count .outcome", (badges) =>
    Object.fromEntries(badges.map((b) => [b.dataset.outcome, getComputedStyle(b).backgroundColor])));
  check(new Set(Object.values(colours)).size === Object.keys(colours).length, "each outcome has its own colour");

  // Every failure, and what expanding it shows.
  const shown = await page.$$eval("details.failure", (ds) => ds.map((d) => d.dataset.failpoints));
  check(same(shown, report.failures.map((f) => f.failpoints)), "every failure of the report is shown, in order");
  for (let n = 0; n < report.failures.length; ++n) {
    const id = "#failure-" + (n + 1);
    const visible = () => page.$eval(id + " pre.reproducer", (p) => p.checkVisibility());
    check(!(await visible()), `failure ${n + 1}'s reproducer is hidden until it is expanded`);
    await page.click(id + " > summary");
    check(await visible(), `expanding failure ${n + 1} shows its reproducer`);
    const got = await page.$eval(id, (d) => ({
      reproducer: d.querySelector("pre.reproducer").textContent,
      stderr: d.querySelector("pre.stderr").textContent,
      key: d.querySelector("dl.fields .key").textContent,
      headline: d.querySelector("summary .key").textContent,
      rate: d.querySelector(".rate").textContent,
      schedule: [...d.querySelectorAll("table.schedule td.failpoint")].map((td) => td.textContent),
    }));
    const c = counterexamples[n];
    check(got.reproducer === c.reproducer, `failure ${n + 1}'s reproducer is the counterexample's`);
    check(got.stderr === c.stderr_tail, `failure ${n + 1}'s stderr tail is the counterexample's`);
    check(got.key === report.failures[n].key, `failure ${n + 1}'s key line is the report's`);
    check(got.headline === (c.outcome.key || "signal " + c.outcome.signal),
          `failure ${n + 1}'s headline is its key line, or its signal: ${got.headline}`);
    check(got.rate === `${c.reproduced.failed_again} of ${c.reproduced.runs} re-runs failed again`,
          `failure ${n + 1}'s reproduction rate: ${got.rate}`);
    check(same(got.schedule, c.schedule.map((f) => f.failpoint)), `failure ${n + 1}'s schedule`);
  }

  // The tree: every run once, each combination under the run whose schedule it extends.
  const tree = await page.$$eval("#tree li.node", (lis) => lis.map((li) => ({
    failpoints: li.dataset.failpoints,
    outcome: li.dataset.outcome,
    depth: Number(li.dataset.depth),
    parent: li.parentElement.closest("li.node") ? li.parentElement.closest("li.node").dataset.failpoints : null,
    visible: li.checkVisibility(),
  })));
  check(tree.length === report.runs.length, "the tree shows every run (" + tree.length + ")");
  const byFailpoints = new Map(tree.map((t) => [t.failpoints, t]));
  let deep = 0;
  for (const r of report.runs) {
    const t = byFailpoints.get(r.failpoints);
    if (!t) {
      check(false, "the tree shows " + r.failpoints);
      continue;
    }
    if (t.parent !== r.parent || t.depth !== r.schedule.length || t.outcome !== r.outcome)
      check(false, `${r.failpoints} is under ${t.parent} at depth ${t.depth}, expected under ${r.parent}`);
    if (r.schedule.length === 2) {
      deep += 1;
      if (!t.visible) check(false, r.failpoints + " is visible");
    }
  }
  check(deep > 0 && report.runs.every((r) => (r.schedule.length === 1) === (r.parent === null)),
        `the report gives each of its ${deep} depth-2 runs a parent, none to depth 1`);
  check(tree.every((t) => byFailpoints.get(t.failpoints) === t), "each run is in the tree once");

  // The filters.
  const children = new Map();
  for (const r of report.runs) {
    if (r.parent !== null) children.set(r.parent, [...(children.get(r.parent) || []), r]);
  }
  const expectedView = (match) => {
    const out = {};
    const visit = (r) => {
      const below = (children.get(r.failpoints) || []).map(visit).some((v) => v);
      const m = match(r);
      out[r.failpoints] = m ? "match" : below ? "context" : "hidden";
      return m || below;
    };
    report.runs.filter((r) => r.parent === null).forEach(visit);
    return out;
  };
  const view = () => page.$$eval("#tree li.node", (lis) => Object.fromEntries(lis.map((li) => [
    li.dataset.failpoints, !li.checkVisibility() ? "hidden" : li.classList.contains("match") ? "match" : "context"])));
  const failureView = () => page.$$eval("details.failure", (ds) => ds.map((d) => !d.hidden));
  const setName = (text) => page.$eval("#name-filter", (input, t) => {
    input.value = t;
    input.dispatchEvent(new Event("input"));
  }, text);
  const names = (r) => r.schedule.map((f) => f.failpoint.toLowerCase());

  check(sameMap(await view(), expectedView(() => true)), "without a filter every run is shown");
  await page.click('#outcome-filters label[data-outcome="pass"] input');
  const noPass = expectedView((r) => r.outcome !== "pass");
  check(sameMap(await view(), noPass), "unticking pass hides the passing runs except those leading to others");
  check(Object.values(noPass).includes("context") && Object.values(noPass).includes("hidden"),
        "(that filter both hides runs and keeps some as context)");
  check((await failureView()).every((v) => v), "unticking pass keeps every failure");
  await page.click('#outcome-filters label[data-outcome="pass"] input');
  await page.click('#outcome-filters label[data-outcome="crash"] input');
  check(sameMap(await view(), expectedView((r) => r.outcome !== "crash")), "unticking crash hides the crashes");
  check(same(await failureView(), report.failures.map((f) => f.outcome !== "crash")), "and the crash failures");
  await page.click('#outcome-filters label[data-outcome="crash"] input');
  await setName("CRASH");
  check(sameMap(await view(), expectedView((r) => names(r).some((n) => n.includes("crash")))),
        "the name filter (any case) shows the runs with a matching failpoint");
  check(same(await failureView(), report.failures.map((_, n) => counterexamples[n].schedule.some((f) => f.failpoint.includes("Crash")))),
        "the name filter applies to the failures");
  await setName("</script>");
  check(sameMap(await view(), expectedView((r) => names(r).some((n) => n.includes("</script>")))),
        "the name filter takes markup as text");
  await setName("");
  check(sameMap(await view(), expectedView(() => true)), "clearing the filters shows every run again");

  // Markup from the report is text.
  const markup = await page.evaluate((name) => ({
    scripts: document.scripts.length,
    injected: typeof window.injected,
    images: document.images.length,
    bold: document.querySelectorAll("#failures b").length,
    nameCell: [...document.querySelectorAll("#failpoints tr")].some((tr) => tr.dataset.name === name &&
                                                                             tr.querySelector("td").textContent === name),
    stderr: [...document.querySelectorAll("pre.stderr")].some((p) => p.textContent.includes('<img src=x onerror="injected()">')),
    title: document.title,
  }), markupName);
  check(markup.scripts === 2, "the page has only its own two scripts (" + markup.scripts + ")");
  check(markup.images === 0, "no element was made from the report's markup");
  check(markup.bold === report.failures.length, "no <b> came from the report (only the failures' numbers)");
  check(markup.nameCell, "the failpoint named with markup is listed as text");
  check(markup.stderr, "stderr's markup is shown as text");
  check(markup.title === "failpoint-explore: " + report.command.argv.join(" "), "the title names the command");

  // The `html` subcommand renders the same report file into the same page.
  const again = spawnSync(explore, ["html", "report.json", "--out", "html2"], {cwd: dir, encoding: "utf8"});
  check(again.status === 0, "failpoint-explore html renders the report file" + (again.status === 0 ? "" : ": " + again.stderr));
  check(fs.readFileSync(path.join(dir, "html2", "index.html"), "utf8") === fs.readFileSync(path.join(dir, "html", "index.html"), "utf8"),
        "into the same page as --html");

  // Fields this page does not know (a later report's) are shown as JSON text, and nothing breaks.
  const extended = {...report, stopped_by: "time budget", left: 42,
                    coverage: {only_under_faults: ["<b>planted.cpp:12</b>"]}, walks: 3,
                    runs: report.runs.map((r) => ({...r, walk: "<i>w</i>"}))};
  fs.writeFileSync(path.join(dir, "extended.json"), JSON.stringify(extended));
  const ext = spawnSync(explore, ["html", "extended.json", "--out", "extended"], {cwd: dir, encoding: "utf8"});
  check(ext.status === 0, "failpoint-explore html renders a report with fields it does not know" +
        (ext.status === 0 ? "" : ": " + ext.stderr));
  const extUrl = url.pathToFileURL(path.join(dir, "extended", "index.html")).href;
  check(same(requests, [pageUrl]), "clicking and filtering requested nothing either");
  requests.length = 0;
  await page.goto(extUrl, {waitUntil: "load"});
  const extra = await page.$$eval("#extra details.extra", (ds) => ds.map((d) => [d.dataset.field, d.querySelector("pre").textContent]));
  check(same(extra, [["coverage", JSON.stringify(extended.coverage, null, 2)], ["walks", "3"]]),
        "the unknown fields are listed as their JSON");
  check(await page.$$eval("#tree li.node", (lis) => lis.length) === report.runs.length, "the tree is still whole");
  check(same(await page.$$eval('#summary tr[data-key="stopped_by"] td, #summary tr[data-key="left"] td', (tds) => tds.map((td) => td.textContent)),
             ["time budget", "42"]),
        "the summary says what stopped the exploration and how many schedules were left");
  check(await page.$$eval("b, i", (es) => es.filter((e) => !e.closest("details.failure > summary")).length) === 0,
        "no markup came from the unknown fields");
  check(same(requests, [extUrl]), "that page too requested nothing but itself");

  // A report above the page's limit (1000 runs) starts collapsed below depth 1 and makes the rows
  // of a run's children when they are first shown: by a click, or by a filter that matches them.
  const big = {...report, failures: [], not_realized: [], runs: []};
  const fault = (name) => ({failpoint: name, hit: 1, fault: "return", mode: "once"});
  for (let i = 0; i < 100; ++i) {
    const root = {failpoints: `x.P${i}=1*return->off`, schedule: [fault(`x.P${i}`)], outcome: "pass", parent: null};
    big.runs.push(root);
    for (let j = 0; j < 12; ++j) {
      big.runs.push({failpoints: `${root.failpoints};y.Q${j}=1*return->off`, schedule: [fault(`x.P${i}`), fault(`y.Q${j}`)],
                     outcome: j === 7 ? "fail" : "pass", parent: root.failpoints});
    }
  }
  fs.writeFileSync(path.join(dir, "big.json"), JSON.stringify(big));
  const bigRun = spawnSync(explore, ["html", "big.json", "--out", "big"], {cwd: dir, encoding: "utf8"});
  check(bigRun.status === 0, "failpoint-explore html renders a report of 1300 runs");
  await page.goto(url.pathToFileURL(path.join(dir, "big", "index.html")).href, {waitUntil: "load"});
  const rows = () => page.$$eval("#tree li.node", (lis) => lis.filter((li) => li.checkVisibility()).map((li) => li.dataset.failpoints));
  check((await rows()).length === 100 && (await page.$$("#tree li.node")).length === 100,
        "1300 runs: the 100 depth-1 rows are shown and made, no other");
  await page.click("#tree > li.node:first-child > .row > button.toggle");
  check(same(await rows(), [big.runs[0].failpoints, ...big.runs.slice(1, 13).map((r) => r.failpoints),
                           ...big.runs.filter((r) => r.parent === null).slice(1).map((r) => r.failpoints)]),
        "expanding the first shows its 12 combinations under it");
  await setName("y.q7");
  const q7 = big.runs.filter((r) => r.schedule.some((f) => f.failpoint === "y.Q7"));
  check(same(await page.$$eval("#tree li.node.match", (lis) => lis.filter((li) => li.checkVisibility()).map((li) => li.dataset.failpoints)),
             q7.map((r) => r.failpoints)),
        "the name filter shows the 100 matching combinations, each under its dimmed parent");
  check(await page.$eval("#filter-count", (e) => e.textContent) === "100 of 1300 schedules shown", "and counts them");

  check(errors.length === 0, "no console or page errors" + (errors.length ? ": " + errors.join(" | ") : ""));
} catch (e) {
  check(false, "unexpected error: " + (e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  fs.rmSync(dir, {recursive: true, force: true});
}
console.log(failures.length === 0 ? "all checks passed" : failures.length + " checks failed");
process.exit(failures.length === 0 ? 0 : 1);
