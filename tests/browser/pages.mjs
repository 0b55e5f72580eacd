// tests/browser/pages.mjs - the public pages in a real browser (issue #11 item 7), run by
// test_browser.sh with the seed it wrote (node pages.mjs SEED.json).
//
// Debian's Chromium (/usr/bin/chromium) is launched by playwright-core with the issue's
// flags and a fresh user-data directory (launchPersistentContext on a mkdtemp directory,
// removed at the end). For every page kind - home, the three profile kinds, post pages
// (image, poll, content warning, a thread with our reply and the citizens' replies, a
// deleted post's 410, a 404), the tag page, the embedded timeline (light and dark) and the
// embedded post - in English and in Chinese (Accept-Language en / zh-CN), it checks:
//   - the status; <html lang> per language, and a translated landmark string differing;
//   - no console error, no uncaught page error, no CSP violation (a securitypolicyviolation
//     listener added before the page loads, as well as Chromium's console messages);
//   - XSS (with the pages' own CSP in force): no dialog opens, the xssFired binding the
//     payloads call is never called, the DOM has no <script> at all, no on* attribute, no
//     style attribute or <style> element, no iframe/object/embed/form/base/meta refresh, no
//     javascript:/data:/vbscript: URL in any URL attribute (as written or as the URL parser
//     reads it), no raw bidi control in any text, the page did not navigate away, and no
//     request left Herald's origin;
//   - axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa): no serious or critical violation, also
//     with prefers-color-scheme: dark for the English pages;
//   - keyboard: the first Tab focuses the skip link, its focus is visible (a computed
//     outline), and following it moves to #main (pages with the site frame; embeds have none);
//   - a full-page screenshot, SHOTS/NAME-LANG.png.
// A negative control first proves the detectors see what they look for: the same payloads
// served raw, without a CSP, from 127.0.0.2 must trip the DOM scan and call xssFired.
// Then the embeds from another origin: a page served from 127.0.0.2 frames the timeline and
// a post (they load and show the posts) and frames a profile, which frame-ancestors 'none'
// refuses (the frame stays empty).
//
// Checks belong to a feature: "core" (the frame, languages, headers, XSS, axe, keyboard:
// the foundation), "pages" (what the pages show: images, polls, the favicon), "embed"
// (embeds), "replies" (citizens' replies on the post page). With
// HERALD_BROWSER_PENDING="pages embed replies" a failing check of those features prints
// PENDING and does not fail: for a branch that does not have them yet. Default: every
// check counts.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { NAME, REPLIES } from "./payloads.mjs";
import { createRequire } from "node:module";

// axe.min.js: the same code as axe.source, a third of the size to parse in every page
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const seed = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const BASE = seed.base;
const ORIGIN = new URL(BASE).origin;
const PENDING = new Set((process.env.HERALD_BROWSER_PENDING ?? "").split(/[\s,]+/).filter(Boolean));
const LANGS = [
  { tag: "en", header: "en", want: /^en\b/ },
  { tag: "zh", header: "zh-CN,zh;q=0.9", want: /^zh\b/ },
];
const DARK_SHOTS = new Set(["home", "profile-agency", "post-thread"]);
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let failures = 0, passes = 0, pending = 0;
function check(feature, what, ok, detail = "") {
  if (ok) {
    passes++;
    console.log(`ok: ${what}`);
  } else if (PENDING.has(feature)) {
    pending++;
    console.log(`PENDING (${feature}, not in this branch): ${what}${detail ? `: ${detail}` : ""}`);
  } else {
    failures++;
    console.log(`FAIL: ${what}${detail ? `: ${detail}` : ""}`);
  }
}

const idOf = (url) => (url ?? "").split("/").pop();
const P = seed.posts;
const PAGES = [
  { name: "home", path: "/", status: 200 },
  { name: "profile-agency", path: "/@health", status: 200 },
  { name: "profile-official", path: "/@mayor", status: 200 },
  { name: "profile-service", path: "/@alerts", status: 200 },
  { name: "post-image", path: `/@health/${idOf(P.image)}`, status: 200,
    expect: [["pages", "the image with its alt text", (s) => s.alts.includes(seed.alt)]] },
  { name: "post-poll", path: `/@health/${idOf(P.poll)}`, status: 200,
    expect: [["pages", "the poll's options", (s) => s.text.includes("Mornings") && s.text.includes("Evenings")]] },
  { name: "post-cw", path: `/@health/${idOf(P.cw)}`, status: 200,
    expect: [["core", "the content warning", (s) => s.text.includes("Clinic closure")]] },
  { name: "post-thread", path: `/@health/${idOf(P.thread)}`, status: 200,
    expect: [
      ["core", "our own reply in the thread", (s) => s.text.includes("Both the north and the south centre")],
      ["replies", "the citizen's reply (replies shown)", (s) => s.text.includes("When does the clinic open on Sunday?")],
      ["replies", "the citizen's @handle next to the name", (s) => s.text.includes(seed.remoteHandle)],
      ["replies", "the citizen's display name shown as text, markup and all", (s) => s.text.includes("onerror=")],
    ] },
  { name: "post-deleted", path: `/@health/${idOf(P.gone)}`, status: 410 },
  { name: "post-official", path: `/@mayor/${idOf(P.mayor)}`, status: 200 },
  { name: "tag", path: "/tags/FluShots", status: 200,
    expect: [["core", "the tagged posts", (s) => s.text.includes("Which clinic hours suit you?")]] },
  { name: "not-found", path: "/@nobody", status: 404 },
  { name: "embed-timeline-light", path: "/@health/embed?theme=light&limit=5", status: 200, feature: "embed", embed: true,
    expect: [["embed", "the timeline's posts", (s) => s.text.includes("Vaccination centres are open")]] },
  { name: "embed-timeline-dark", path: "/@health/embed?theme=dark", status: 200, feature: "embed", embed: true, dark: true,
    expect: [["embed", "the timeline's posts", (s) => s.text.includes("Vaccination centres are open")]] },
  { name: "embed-post", path: `/@health/${idOf(P.image)}/embed`, status: 200, feature: "embed", embed: true,
    expect: [["embed", "the post with its image and alt text", (s) => s.alts.includes(seed.alt)]] },
];

// Runs in the page before its own content (Playwright injects it through the DevTools
// protocol, which the page's CSP does not govern): records CSP violations.
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
  });
}

// Runs in the page: everything in the DOM that remote content must never produce.
function domScan() {
  const bad = [];
  const forbidden = new Set(["script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "textarea", "select", "template", "noscript", "xmp", "plaintext",
    "marquee", "portal", "math"]);
  const urlAttrs = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "cite", "srcset", "ping", "longdesc", "manifest", "codebase"]);
  const inHead = (el) => el.closest("head") !== null;
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    const where = `<${tag}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.split(" ").join(".")}` : ""}>`;
    if (forbidden.has(tag)) bad.push(`a ${where} element`);
    // <base target="_blank"> (the embeds': links leave the frame) moves no URL; any other may
    if (tag === "base" && [...el.attributes].some((a) => a.name !== "target")) bad.push(`a <base> with ${[...el.attributes].map((a) => a.name).join(" ")}`);
    if (tag === "meta" && el.hasAttribute("http-equiv")) bad.push(`<meta http-equiv="${el.getAttribute("http-equiv")}">`);
    if (tag === "link" && !inHead(el)) bad.push(`a <link> in the body`);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on")) bad.push(`${where} has ${a.name}="${a.value.slice(0, 60)}"`);
      if (name === "style") bad.push(`${where} has a style attribute`);
      if (name === "srcdoc") bad.push(`${where} has srcdoc`);
      if (urlAttrs.has(name)) {
        const squashed = a.value.replace(/[\u0000-\u0020\u007f-\u00a0]/g, "").toLowerCase();
        let proto = "";
        try { proto = new URL(a.value, document.baseURI).protocol; } catch { /* not a URL */ }
        if (/^(javascript|data|vbscript):/.test(squashed) || /^(javascript|data|vbscript):$/.test(proto)) {
          bad.push(`${where} ${a.name}="${a.value.slice(0, 60)}"`);
        }
      }
    }
  }
  if (document.scripts.length) bad.push(`${document.scripts.length} script element(s)`);
  if (document.baseURI !== location.href.split("#")[0]) bad.push(`the base URI moved to ${document.baseURI}`);
  const bidi = /[\u202a-\u202e\u2066-\u2069]/;
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (bidi.test(n.data)) bad.push(`a raw bidi control in the text "${n.data.slice(0, 40)}"`);
  }
  if (bidi.test(document.title)) bad.push("a raw bidi control in the title");
  return bad;
}

// Runs in the page: what the content checks read.
function pageSummary() {
  const skip = document.querySelector("a.skip, a[href='#main']");
  const langNav = document.querySelector("footer nav[aria-label]");
  return {
    lang: document.documentElement.getAttribute("lang") ?? "",
    title: document.title,
    text: document.body ? document.body.innerText : "",
    alts: [...document.images].map((i) => i.getAttribute("alt")),
    skip: skip ? skip.textContent.trim() : null,
    langNav: langNav ? langNav.getAttribute("aria-label") : null,
    csp: window.__cspViolations ?? ["the CSP listener did not run"],
  };
}

function formatAxe(violations) {
  return violations.map((v) => `\n    [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})` +
    v.nodes.slice(0, 5).map((n) => `\n      ${n.target.join(" ")}: ${n.html.slice(0, 160)}\n        ${(n.failureSummary ?? "").replace(/\n/g, "\n        ")}`).join("") +
    (v.nodes.length > 5 ? `\n      ... and ${v.nodes.length - 5} more` : "")).join("");
}

// The axe pass. axe.source is evaluated through the DevTools protocol (page.evaluate),
// which the page's CSP (no script at all) does not govern, so no bypassCSP is needed and
// the page is checked exactly as a reader gets it; a <script> tag would be refused.
async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations;
  }, AXE_TAGS);
}

// One page in one language, in a fresh tab of the persistent context.
async function visit(ctx, spec, lang, seen) {
  const feature = spec.feature ?? "core";
  const label = `${spec.name} [${lang.tag}]`;
  const page = await ctx.newPage();
  const errors = [], dialogs = [], foreign = [], navigations = [], favicon = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // Chromium asks for /favicon.ico where a page links no icon; its 404 is a console error
    // of its own check (below)
    if (new URL(m.location().url || "about:blank").pathname === "/favicon.ico") {
      favicon.push(`${m.text()} (${m.location().url})`);
      return;
    }
    // Chromium logs the document's own error status; that is the page under test, not a fault
    if (spec.status >= 400 && /Failed to load resource: the server responded with a status of \d+/.test(m.text()) &&
        m.location().url?.startsWith(BASE + spec.path.split("?")[0])) return;
    errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ""}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("dialog", (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.origin !== ORIGIN) foreign.push(r.url());
  });
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.setExtraHTTPHeaders({ "Accept-Language": lang.header });
  await page.emulateMedia({ colorScheme: "light" });
  let resp;
  try {
    resp = await page.goto(BASE + spec.path, { waitUntil: "load", timeout: 20000 });
  } catch (e) {
    check(feature, `${label}: opens`, false, e.message.split("\n")[0]);
    await page.close();
    return;
  }
  const status = resp ? resp.status() : 0;
  check(feature, `${label}: ${spec.path} answers ${spec.status}`, status === spec.status, `got ${status}`);
  const ct = resp ? (await resp.allHeaders())["content-type"] ?? "" : "";
  check(feature, `${label}: an HTML page`, ct.startsWith("text/html"), `content-type ${ct}`);
  if (status !== spec.status || !ct.startsWith("text/html")) {
    await page.screenshot({ path: path.join(seed.shots, `${spec.name}-${lang.tag}.png`), fullPage: true }).catch(() => {});
    await page.close();
    return;
  }
  // a meta refresh or anything else that would navigate has had its chance once load fired
  await page.waitForLoadState("networkidle", { timeout: 5000 }).catch(() => {});
  const s = await page.evaluate(pageSummary);
  seen[spec.name] ??= {};
  seen[spec.name][lang.tag] = s;
  check(feature, `${label}: <html lang="${s.lang}">`, lang.want.test(s.lang));
  check(feature, `${label}: a title`, s.title.trim().length > 0 && !/^https?:/.test(s.title.trim()), `title "${s.title}"`);
  for (const [f, what, pred] of spec.expect ?? []) check(f, `${label}: ${what}`, pred(s));

  // XSS, with the page's CSP in force
  const bad = await page.evaluate(domScan);
  check(feature, `${label}: no markup from remote content survives (scripts, handlers, URLs, frames, styles, bidi)`,
    bad.length === 0, bad.slice(0, 12).join("; "));
  check(feature, `${label}: no dialog opened`, dialogs.length === 0, dialogs.join("; "));
  check(feature, `${label}: the page did not navigate away`, navigations.length <= 1 && page.url() === BASE + spec.path,
    navigations.join(" -> "));
  check(feature, `${label}: no request left ${ORIGIN}`, foreign.length === 0, foreign.slice(0, 5).join(" "));

  // keyboard: the skip link first, its focus visible, and it leads to the content
  if (!spec.embed) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = el ? getComputedStyle(el) : null;
      const r = el ? el.getBoundingClientRect() : null;
      return {
        tag: el?.localName, href: el?.getAttribute("href"), cls: el?.className,
        outline: cs ? `${cs.outlineStyle} ${cs.outlineWidth}` : "",
        visible: !!r && r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
      };
    });
    check("core", `${label}: the first Tab reaches the skip link`, f.tag === "a" && f.href === "#main",
      `focus on <${f.tag} class="${f.cls}" href="${f.href}">`);
    check("core", `${label}: the skip link's focus is visible (outline ${f.outline}, on screen)`,
      f.visible && !/^none /.test(f.outline) && !/ 0px$/.test(f.outline));
    await page.keyboard.press("Enter");
    // the fragment navigation lands asynchronously: wait for it (up to 5 s), then check
    await page.waitForURL((u) => new URL(u).hash === "#main", { timeout: 5000 }).catch(() => {});
    check("core", `${label}: following the skip link goes to #main`, new URL(page.url()).hash === "#main", page.url());
  }

  await page.screenshot({ path: path.join(seed.shots, `${spec.name}-${lang.tag}.png`), fullPage: true });

  // axe, light (and dark for the English pages; the dark embed is dark whatever the scheme)
  const schemes = lang.tag === "en" && !spec.embed ? ["light", "dark"] : ["light"];
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    const v = (await runAxe(page)).filter((x) => x.impact === "serious" || x.impact === "critical");
    check(feature, `${label}: axe-core (${AXE_TAGS.join(", ")}, ${scheme}): no serious or critical violation`,
      v.length === 0, formatAxe(v));
    if (scheme === "dark" && DARK_SHOTS.has(spec.name)) {
      await page.screenshot({ path: path.join(seed.shots, `${spec.name}-${lang.tag}-dark.png`), fullPage: true });
    }
  }

  // after everything ran: errors, CSP violations, XSS bindings
  const csp = await page.evaluate(() => window.__cspViolations ?? []);
  check(feature, `${label}: no console error, page error or CSP violation`, errors.length === 0 && csp.length === 0,
    [...errors, ...csp.map((c) => `CSP: ${c}`)].slice(0, 8).join("; "));
  if (favicon.length) check("pages", `${label}: the browser's /favicon.ico request finds an icon`, false, favicon.join("; "));
  await page.close();
}

// Both languages of a page kind differ where the interface speaks.
function languagesDiffer(spec, seen) {
  const feature = spec.feature ?? "core";
  const en = seen[spec.name]?.en, zh = seen[spec.name]?.zh;
  if (!en || !zh) return;
  if (spec.embed) {
    check(feature, `${spec.name}: English and Chinese pages differ`, en.text !== zh.text);
    return;
  }
  check(feature, `${spec.name}: the skip link is translated ("${en.skip}" / "${zh.skip}")`,
    !!en.skip && !!zh.skip && en.skip !== zh.skip);
  check(feature, `${spec.name}: the language navigation's label is translated ("${en.langNav}" / "${zh.langNav}")`,
    !!en.langNav && !!zh.langNav && en.langNav !== zh.langNav);
}

// ---- the embeds from another origin: a page on 127.0.0.2 frames them
function startOtherOrigin() {
  const frame = (title, src) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><main><h1>${title}</h1><iframe title="${title}" src="${BASE}${src}" width="480" height="640"></iframe></main></body></html>`;
  const docs = {
    "/timeline.html": frame("Agency website: our posts", "/@health/embed"),
    "/post.html": frame("Agency website: one post", `/@health/${idOf(P.image)}/embed`),
    "/profile.html": frame("Agency website: a profile page framed", "/@health"),
    // the negative control: every payload as a careless page would insert it, no CSP
    "/raw.html": `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>raw</title></head><body>` +
      // (mutation last: its <plaintext> turns the rest of a document into text)
      `<p>${NAME}</p>${["benign", "markup", "urls", "frames", "mutation"].map((k) => REPLIES[k]).join("\n")}</body></html>`,
  };
  const server = http.createServer((req, res) => {
    if (req.url === "/favicon.ico") return res.writeHead(204).end(); // no console error of ours
    const body = docs[req.url];
    res.writeHead(body ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    res.end(body ?? "not found");
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.2", () => resolve(server));
  });
}

// The negative control: the raw payloads trip the DOM scan and fire (no CSP there).
async function negativeControl(ctx, other, xss) {
  const page = await ctx.newPage();
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  // the payloads' meta refresh and <base> point at 127.0.0.9: nothing leaves, and a 204
  // keeps the document where it is (a navigation answered 204 does not navigate)
  await page.route((u) => u.hostname !== "127.0.0.2", (r) => r.fulfill({ status: 204 }));
  await page.goto(other + "/raw.html", { waitUntil: "load" });
  await page.waitForLoadState("networkidle", { timeout: 5000 }).catch(() => {});
  const bad = page.url() === other + "/raw.html" ? await page.evaluate(domScan) : [];
  const kinds = ["script element", "onerror", "javascript:", "a <iframe", "style attribute", "meta http-equiv", "a <base> with href",
    "raw bidi"];
  const missed = kinds.filter((k) => !bad.some((b) => b.includes(k)));
  check("core", `negative control: the DOM scan sees the raw payloads (${bad.length} findings, each kind)`,
    bad.length >= 20 && missed.length === 0, `missed ${missed.join(", ")}; page at ${page.url()}`);
  const fired = xss.filter((x) => x.startsWith(other + "/raw.html ")).length;
  check("core", `negative control: the raw payloads call xssFired without a CSP (${fired} calls)`, fired > 0);
  await page.close();
}

async function crossOrigin(ctx, xss) {
  const server = await startOtherOrigin();
  const other = `http://127.0.0.2:${server.address().port}`;
  try {
    await negativeControl(ctx, other, xss);
    for (const [doc, what, probe] of [
      ["/timeline.html", "the embedded timeline shows the posts", "Vaccination centres are open"],
      ["/post.html", "the embedded post shows its text", "流感疫苗接种开始了"],
    ]) {
      const page = await ctx.newPage();
      const errors = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(other + doc, { waitUntil: "load" });
      const frame = page.frameLocator("iframe");
      let shown = false;
      try {
        await frame.getByText(probe).first().waitFor({ state: "visible", timeout: 10000 });
        shown = true;
      } catch { /* not shown */ }
      check("embed", `embed from another origin (${other}${doc}): ${what}`, shown);
      if (doc === "/post.html") {
        const alts = await frame.locator("img").evaluateAll((imgs) => imgs.map((i) => i.getAttribute("alt"))).catch(() => []);
        check("embed", `embed from another origin: the post's image with its alt text`, alts.includes(seed.alt));
      }
      check("embed", `embed from another origin (${doc}): no console error`, errors.length === 0, errors.slice(0, 4).join("; "));
      await page.screenshot({ path: path.join(seed.shots, `cross-origin-${doc.slice(1).replace(".html", "")}.png`), fullPage: true });
      await page.close();
    }
    // a page that is not an embed refuses to be framed (frame-ancestors 'none', X-Frame-Options)
    const page = await ctx.newPage();
    const refusals = [];
    page.on("console", (m) => { if (/frame-ancestors|X-Frame-Options|refused to (display|frame)/i.test(m.text())) refusals.push(m.text()); });
    await page.goto(other + "/profile.html", { waitUntil: "load" });
    await page.waitForLoadState("networkidle", { timeout: 5000 }).catch(() => {});
    const child = page.frames().find((f) => f !== page.mainFrame());
    const childUrl = child ? child.url() : "(no frame)";
    const shown = child ? await child.locator("#main").count().catch(() => 0) : 0;
    check("core", `a profile page framed by another origin stays empty (frame at ${childUrl})`, shown === 0 && !childUrl.startsWith(BASE));
    check("core", "  Chromium says the framing was refused by policy", refusals.length > 0, "no frame-ancestors/X-Frame-Options message");
    await page.screenshot({ path: path.join(seed.shots, "cross-origin-profile-refused.png"), fullPage: true });
    await page.close();
  } finally {
    server.close();
  }
}

// ---- main
const userData = fs.mkdtempSync(path.join(seed.tmp ?? os.tmpdir(), "chromium-profile-"));
const started = Date.now();
const ctx = await chromium.launchPersistentContext(userData, {
  executablePath: seed.chromium,
  headless: true,
  args: FLAGS,
  viewport: { width: 1024, height: 768 },
  // no `locale`: it would fix Accept-Language for the whole context; each tab sends its
  // own (setExtraHTTPHeaders), English or Chinese
  timezoneId: "UTC", // the pages show the instance's zone (Asia/Shanghai), not the reader's
});
try {
  const xss = [];
  // the payloads call xssFired(ID): if any runs, the test fails and says which
  await ctx.exposeBinding("xssFired", (source, id) => {
    xss.push(`${source.page?.url()} (frame ${source.frame?.url()}): ${id}`);
  });
  await ctx.addInitScript(recordViolations);
  console.log(`chromium ${ctx.browser()?.version() ?? "?"} (${seed.chromium}), profile ${userData}`);
  const seen = {};
  for (const spec of PAGES) {
    for (const lang of LANGS) await visit(ctx, spec, lang, seen);
    languagesDiffer(spec, seen);
  }
  await crossOrigin(ctx, xss);
  const ours = xss.filter((x) => !x.includes("/raw.html "));
  check("core", "no XSS payload ran on Herald's pages (xssFired never called)", ours.length === 0, ours.join("; "));
} finally {
  await ctx.close();
  fs.rmSync(userData, { recursive: true, force: true });
}
console.log(`pages.mjs: ${passes} passed, ${failures} failed, ${pending} pending; ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${seed.shots}`);
process.exit(failures ? 1 : 0);
