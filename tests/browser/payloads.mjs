// tests/browser/payloads.mjs - the remote citizen's documents for test_browser.sh: an actor
// whose display name, summary and avatar URL carry XSS payloads, and Create(Note) replies
// whose content carries the usual ones. Every script payload calls xssFired(ID) (a binding
// pages.mjs exposes; it fails the test when called) or alert() (a dialog fails it too); with
// the pages' CSP nothing inline may run anyway, so pages.mjs also checks the DOM: none of
// this markup may survive, and any CSP violation it causes is a console error.
//
//   node payloads.mjs actor FILE BASE                       rewrites the fakepeer actor FILE
//   node payloads.mjs reply FILE ACTOR INREPLYTO KIND N     writes a signed-to-be Create
// KIND: benign | markup | urls | mutation | frames.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const RLO = "\u202e", LRO = "\u202d", LRI = "\u2066", RLI = "\u2067", PDI = "\u2069", PDF = "\u202c";

// The name is plain text: shown escaped, bidi controls neutralised, never parsed as HTML.
export const NAME = `Eve "><img src=x onerror="xssFired('name-img')"><script>xssFired('name-script')</script>` +
  `<svg onload=xssFired('name-svg')>${RLO}gnp.exe${PDF} ${LRI}x${PDI}`;
const SUMMARY = `<p>Citizen</p><script>xssFired('summary-script')</script>` +
  `<a href="javascript:xssFired('summary-link')">me</a><img src=x onerror=alert('summary-img')>`;

export const REPLIES = {
  // what must survive: a paragraph, a link, a hashtag (shown only where citizens' replies are)
  benign: `<p>Thank you! When does the clinic open on Sunday? <a href="https://example.org/clinics" rel="nofollow">the list</a></p>`,
  markup: [
    `<p>markup</p><script>xssFired('script')</script><script src="/static/x.js"></script>`,
    `<img src=x onerror="xssFired('img-onerror')"><img src="x" onerror=alert('img-alert')>`,
    `<svg onload="xssFired('svg-onload')"><circle r="1"/></svg><svg><script>xssFired('svg-script')</script></svg>`,
    `<style>body{display:none}*{background:url(/x)}</style><p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>`,
    `<details open ontoggle="xssFired('ontoggle')"><summary>s</summary></details>`,
    `<input autofocus onfocus="xssFired('onfocus')"><video><source onerror="xssFired('source')"></video>`,
    `<body onload="xssFired('body-onload')"><marquee onstart="xssFired('marquee')">m</marquee>`,
    `<a title='"><img src=x onerror=xssFired("breakout")>'>breakout</a><p title="&quot;><script>xssFired('entity-breakout')</script>">t</p>`,
    `<form action="javascript:xssFired('form')"><button formaction="javascript:xssFired('formaction')">b</button></form>`,
    `<link rel="stylesheet" href="/x.css"><link rel="import" href="/x.html">`,
  ].join(""),
  urls: [
    `<a href="javascript:xssFired('js1')">1</a>`,
    `<a href="JaVaScRiPt:xssFired('js2')">2</a>`,
    `<a href="&#106;avascript:xssFired('js3')">3</a>`,
    `<a href="&#x6A;&#x61;&#x76;&#x61;script&colon;xssFired('js4')">4</a>`,
    `<a href="java&#x09;script:xssFired('js5')">5</a>`,
    `<a href="jav&#x0A;ascript:xssFired('js6')">6</a>`,
    `<a href=" &#14; javascript:xssFired('js7')">7</a>`,
    `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">8</a>`,
    `<a href="DATA:text/html,<script>alert('data')</script>">9</a>`,
    `<a href="vbscript:msgbox('vb')">10</a><a href="VBScript:msgbox('vb2')">11</a>`,
    `<img src="javascript:xssFired('img-js')"><img src="data:image/svg+xml,<svg onload=alert(1)>">`,
    `<svg><a xlink:href="javascript:xssFired('xlink')"><text x="0" y="10">12</text></a></svg>`,
    `<math href="javascript:xssFired('math-href')"><mi>13</mi></math>`,
    `<a href="http://127.0.0.9/exfiltrate">14 (a plain http link: may stay, never fetched)</a>`,
  ].join(" "),
  mutation: [
    `<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=xssFired('mxss1')&gt;">`,
    `<svg></p><style><a id="</style><img src=1 onerror=xssFired('mxss2')>">`,
    `<math><mi><style><img src=x onerror=xssFired('mxss3')></style></mi></math>`,
    `<form><math><mtext></form><form><mglyph><style></math><img src onerror=xssFired('mxss4')>`,
    `<noscript><p title="</noscript><img src=x onerror=xssFired('mxss5')>">`,
    `<svg><style><img src=x onerror=xssFired('mxss6')></style></svg>`,
    `<template><img src=x onerror=xssFired('template')></template>`,
    `<xmp><img src=x onerror=xssFired('xmp')></xmp><plaintext><img src=x onerror=xssFired('plaintext')>`,
  ].join(""),
  frames: [
    `<p>frames ${RLO}gnp.exe${PDF} ${LRO}x${PDF} ${RLI}y${PDI}</p>`,
    `<iframe srcdoc="<script>parent.xssFired('srcdoc')</script>"></iframe>`,
    `<iframe src="javascript:parent.xssFired('iframe-js')"></iframe>`,
    `<object data="javascript:xssFired('object')"></object><embed src="javascript:xssFired('embed')">`,
    `<meta http-equiv="refresh" content="0;url=javascript:xssFired('meta')">`,
    `<meta http-equiv="refresh" content="0;url=http://127.0.0.9/">`,
    `<base href="http://127.0.0.9/"><a href="relative">relative</a>`,
  ].join(""),
};

function actor(file, base) {
  const a = JSON.parse(fs.readFileSync(file, "utf8"));
  a.name = NAME;
  a.summary = SUMMARY;
  a.url = `javascript:xssFired('actor-url')`;
  a.icon = { type: "Image", mediaType: "image/png", url: `${base}/avatar.png?"><img src=x onerror=xssFired('icon')>` };
  a.attachment = [{ type: "PropertyValue", name: `<script>xssFired('field-name')</script>`,
                    value: `<a href="javascript:xssFired('field-value')">site</a>` }];
  fs.writeFileSync(file, JSON.stringify(a));
}

function reply(file, actorId, inReplyTo, kind, n) {
  if (!(kind in REPLIES)) throw new Error(`unknown payload kind ${kind}`);
  const id = `${actorId}/notes/${n}`;
  const note = {
    id, type: "Note", attributedTo: actorId, inReplyTo, to: [PUBLIC], cc: [`${actorId}/followers`],
    published: new Date(Date.now() - (10 - n) * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
    content: REPLIES[kind],
    // a link to the reply itself that must not become a javascript: link
    url: n % 2 ? `javascript:xssFired('note-url-${n}')` : id,
  };
  if (kind === "frames") note.summary = `<script>xssFired('cw')</script>${RLO}cw`; // a CW is plain text
  const create = { "@context": AS, id: `${id}/activity`, type: "Create", actor: actorId, to: [PUBLIC],
                   cc: [`${actorId}/followers`], object: note };
  fs.writeFileSync(file, JSON.stringify(create));
}

// pages.mjs imports REPLIES and NAME (its negative control); run as a script, it writes files
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === "actor") actor(args[0], args[1]);
  else if (cmd === "reply") reply(args[0], args[1], args[2], args[3], Number(args[4]));
  else {
    process.stderr.write("usage: payloads.mjs actor FILE BASE | reply FILE ACTOR INREPLYTO KIND N\n");
    process.exit(2);
  }
}
