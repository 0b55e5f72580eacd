// tests/interop/peer.mjs - a Fedify-based ActivityPub peer for Herald's interop tests.
//
// One actor, "citizen" (Person), with an RSA-2048 key (HTTP signatures) and an Ed25519
// key (FEP-521a assertionMethod, Object Integrity Proofs), both generated at start-up
// and kept in memory only.  Fedify serves the actor, WebFinger and the inboxes
// (/users/{identifier}/inbox and the shared /inbox); Fedify verifies every inbound
// activity (HTTP signature, or an Object Integrity Proof) before any inbox listener
// runs, and only what reaches a listener is recorded as "received".
//
// The bash test drives the peer through a small control API on the same server:
//   GET  /_control/health                  -> {"ok":true,"origin":...,"actor":...}
//   POST /_control/lookup   {"handle"}     -> WebFinger + actor as Fedify parsed them
//   POST /_control/follow   {"handle"}     -> looks the account up, sends Follow
//   POST /_control/unfollow {"handle"}     -> sends Undo(Follow) for the last Follow
//   GET  /_control/received                -> activities that passed Fedify's verified inbox
//   GET  /_control/unverified              -> inbox deliveries Fedify refused (diagnostics)
//   GET  /_control/requests                -> every non-control request and its answer
//   GET  /_control/outbound                -> every request the peer made (diagnostics)
//   POST /_control/verify   {"url"}        -> fetches URL, Fedify's verifyObject on it
//   POST /_control/post     {"handle","text"} -> Create(Note) to that account's inbox,
//                                             with Fedify's own Object Integrity Proof
// A Follow the peer receives is answered with Accept (so Herald can follow the peer).
//   POST /_control/refuse {"spec", "acceptSignature"}
//                                          -> from now on, inbox POSTs signed with SPEC
//                                             ("rfc9421" or "draft-cavage-http-signatures-12";
//                                             null: none) get 401 before Fedify sees them,
//                                             with an Accept-Signature header when given
//                                             (double-knocking tests); they are logged in
//                                             /_control/requests with "refused": true
//   POST /_control/note-content {"id"}    -> the received Note ID as Fedify's vocabulary
//                                             reads it: tags, contents with languages, to, cc
//   POST /_control/actor-fields {"handle"} -> the actor's PropertyValues (profile fields)
//   POST /_control/like|announce|undo|vote|reply: reactions to a post (see reactionControl)
//   POST /_control/signed-post {"url", "spec", "object"}
//                                          -> POSTs a Like of OBJECT by the actor to URL,
//                                             signed by Fedify's signRequest with SPEC;
//                                             answers {status, body, signatureInput}
//   POST /_control/fetch {"url", "spec"}  -> GETs URL as the actor would (Accept
//                                             activity+json), signed by Fedify's
//                                             signRequest with SPEC (null: unsigned);
//                                             answers {status, body, cacheControl}
// Control errors answer 4xx/5xx with {"error": TEXT, ...}.
//
// Usage: node peer.mjs --host 127.0.0.2 --port PORT   (prints "ready" on stdout)
// Env:   PEER_LOG_LEVEL   lowest LogTape level for Fedify (default "debug" for fedify.sig,
//                         "info" for the rest); PEER_FIRST_KNOCK = rfc9421 (Fedify's
//                         default) or draft-cavage-http-signatures-12.
//        PEER_LOOPBACK_WEBFINGER_HTTP = 0 disables the loopback https->http WebFinger
//                         rewrite (see below).
//
// Fedify 2.3 declares Node >= 22; on Node 20 it needs a `navigator` global before it
// loads, hence the dynamic imports after the shim.
globalThis.navigator ??= { userAgent: "node" };

import http from "node:http";
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { AsyncLocalStorage } from "node:async_hooks";

const fedify = await import("@fedify/fedify");
const vocab = await import("@fedify/fedify/vocab");
const logtape = await import("@logtape/logtape");

const {
  createFederation,
  MemoryKvStore,
  generateCryptoKeyPair,
  verifyRequestDetailed,
  verifyObject,
  signRequest,
  detachSignature,
} = fedify;
const {
  Accept,
  Activity,
  Create,
  Endpoints,
  Follow,
  Note,
  Organization,
  Person,
  Undo,
  CryptographicKey,
  Multikey,
} = vocab;

// ---------------------------------------------------------------- arguments

function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const HOST = argValue("host", process.env.PEER_HOST ?? "127.0.0.2");
const PORT = Number(argValue("port", process.env.PEER_PORT ?? "0"));
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  process.stderr.write("peer: --port PORT is required\n");
  process.exit(2);
}
const ORIGIN = `http://${HOST}:${PORT}`;
const ACTOR = "citizen";
const MAX_BODY = 1 << 20;
const LOG_MAX = 6000;

// ---------------------------------------------------------------- logging

function renderMessage(rec) {
  return rec.message
    .map((part, i) => (i % 2 === 0 ? part : typeof part === "string" ? part : inspect(part, { depth: 4, compact: true, breakLength: Infinity })))
    .join("");
}
function stderrSink(rec) {
  // properties already shown through the message template are not repeated
  const used = new Set(typeof rec.rawMessage === "string" ? [...rec.rawMessage.matchAll(/\{([^{}\s]+)\}/g)].map((m) => m[1]) : []);
  const extra = Object.fromEntries(Object.entries(rec.properties ?? {}).filter(([k]) => !used.has(k)));
  const props = Object.keys(extra).length
    ? " " + inspect(extra, { depth: 5, compact: true, breakLength: Infinity, maxStringLength: 2000 })
    : "";
  let line = `${new Date(rec.timestamp).toISOString()} ${rec.level.toUpperCase()} ${rec.category.join(".")}: ${renderMessage(rec)}${props}`;
  if (line.length > LOG_MAX) line = line.slice(0, LOG_MAX) + " …(truncated)";
  process.stderr.write(line + "\n");
}
const baseLevel = process.env.PEER_LOG_LEVEL ?? "info";
const sigLevel = process.env.PEER_LOG_LEVEL ?? "debug";
await logtape.configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: stderrSink },
  loggers: [
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    { category: ["fedify"], lowestLevel: baseLevel, sinks: ["stderr"] },
    { category: ["fedify", "sig"], lowestLevel: sigLevel, sinks: ["stderr"], parentSinks: "override" },
    { category: ["fedify", "federation", "inbox"], lowestLevel: sigLevel, sinks: ["stderr"], parentSinks: "override" },
    { category: ["peer"], lowestLevel: "debug", sinks: ["stderr"] },
  ],
});
const log = logtape.getLogger(["peer"]);

function trunc(s, n) {
  return s.length > n ? s.slice(0, n) + `…(${s.length - n} more chars)` : s;
}

// ---------------------------------------------------------------- outbound fetch shim

// Herald runs plain HTTP on loopback in the tests (in production it sits behind a TLS
// proxy).  Fedify's WebFinger client always uses https: for acct: resources, so WebFinger
// requests to a loopback host are rewritten to http: here.  Nothing else is rewritten:
// actor documents and inboxes are fetched at the (http) URLs Herald publishes.
// Every outbound request is also logged for the report.
const outbound = [];
const realFetch = globalThis.fetch;
const rewriteWebFinger = process.env.PEER_LOOPBACK_WEBFINGER_HTTP !== "0";
function isLoopbackHost(hostname) {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === "localhost" || hostname === "[::1]";
}
globalThis.fetch = async function peerFetch(input, init) {
  let target = input;
  if (!(input instanceof Request)) {
    const u = new URL(String(input));
    if (rewriteWebFinger && u.protocol === "https:" && u.pathname === "/.well-known/webfinger" && isLoopbackHost(u.hostname)) {
      u.protocol = "http:";
      log.debug("loopback WebFinger: {url} fetched over http", { url: u.href });
      target = u;
    }
  }
  const req = new Request(target, init);
  const entry = {
    at: new Date().toISOString(),
    method: req.method,
    url: req.url,
    headers: Object.fromEntries(req.headers),
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    try {
      entry.body = trunc(await req.clone().text(), 65536);
    } catch { /* stream bodies are not captured */ }
  }
  outbound.push(entry);
  try {
    const res = await realFetch(req);
    entry.status = res.status;
    entry.responseHeaders = Object.fromEntries(res.headers);
    try {
      entry.responseBody = trunc(await res.clone().text(), 8192);
    } catch { /* ignore */ }
    log.info("-> {method} {url} => {status}", { method: entry.method, url: entry.url, status: res.status });
    return res;
  } catch (error) {
    entry.error = String(error?.cause ?? error);
    log.info("-> {method} {url} => network error {error}", { method: entry.method, url: entry.url, error: entry.error });
    throw error;
  }
};

// ---------------------------------------------------------------- keys and federation

const rsaPair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const edPair = await generateCryptoKeyPair("Ed25519");

const federation = createFederation({
  kv: new MemoryKvStore(),
  // no queue: deliveries and inbox listeners run inline, so a failed delivery is an
  // error the control API can report, and a listener has run before the inbox answers.
  origin: ORIGIN,
  allowPrivateAddress: true, // loopback testing only; never in production
  firstKnock: process.env.PEER_FIRST_KNOCK ?? "rfc9421",
  // signature verification stays on (skipSignatureVerification defaults to false).
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ACTOR) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Interop Citizen",
      summary: "A Fedify peer used by Herald's interop tests.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => (username === ACTOR ? ACTOR : null))
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === ACTOR ? [rsaPair, edPair] : []));

federation.setOutboxDispatcher("/users/{identifier}/outbox", async () => ({ items: [] }));
federation.setFollowersDispatcher("/users/{identifier}/followers", async () => ({ items: [] }));
federation.setFollowingDispatcher("/users/{identifier}/following", async () => ({ items: [] }));

// ---------------------------------------------------------------- inbox

const received = [];
const unverified = [];
let seq = 0;

function typeName(obj) {
  if (obj == null) return null;
  try {
    const t = obj.constructor?.typeId?.href ?? "";
    const name = t.split(/[#/]/).pop();
    return name || obj.constructor?.name || null;
  } catch {
    return obj.constructor?.name ?? null;
  }
}

function textOf(v) {
  return v == null ? null : String(v);
}

async function describeObject(activity) {
  const out = { id: activity.objectId?.href ?? null };
  let obj = null;
  try {
    // Do not fetch anything for Accept/Undo (their objects are ours); for Create the Note
    // is normally embedded and same-origin, in which case Fedify uses it as is.
    if (activity instanceof Create) obj = await activity.getObject();
  } catch (error) {
    out.error = String(error);
  }
  if (obj != null) {
    out.type = typeName(obj);
    out.id = obj.id?.href ?? out.id;
    if (obj instanceof Note || "content" in obj) {
      out.content = textOf(obj.content);
      out.attributedTo = obj.attributionId?.href ?? null;
      out.to = (obj.toIds ?? []).map((u) => u.href);
      out.cc = (obj.ccIds ?? []).map((u) => u.href);
      out.url = obj.url?.href ?? textOf(obj.url);
      out.published = textOf(obj.published);
    }
  }
  return out;
}

async function recordActivity(ctx, activity) {
  const data = ctx.data ?? {};
  const rec = {
    seq: ++seq,
    at: new Date().toISOString(),
    inbox: ctx.recipient == null ? "shared" : ctx.recipient,
    type: typeName(activity),
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: await describeObject(activity),
    httpSignature: data.httpSignature ?? null,
    proof: data.proof ?? null,
    raw: data.rawJson ?? null,
    headers: data.headers ?? null,
  };
  received.push(rec);
  log.info("inbox ({inbox}) received verified {type} {id} from {actor}", {
    inbox: rec.inbox, type: rec.type, id: rec.id, actor: rec.actor, httpSignature: rec.httpSignature, proof: rec.proof,
  });
}

// Accepts every Follow at once (after recording it), as a Mastodon account without
// manual approval does, so that a Herald account can follow the peer.
async function acceptFollow(ctx, follow) {
  await recordActivity(ctx, follow);
  if (follow.actorId == null || follow.objectId?.href !== ctx.getActorUri(ACTOR).href) return;
  const follower = await follow.getActor(ctx);
  if (follower == null) return;
  const accept = new Accept({
    id: new URL(`/accepts/${randomUUID()}`, ORIGIN),
    actor: ctx.getActorUri(ACTOR),
    object: follow,
    to: follower.id,
  });
  await ctx.sendActivity({ identifier: ACTOR }, follower, accept, { immediate: true });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, acceptFollow)
  .on(Activity, recordActivity)
  .onError((_ctx, error) => {
    log.error("inbox listener error: {error}", { error });
  })
  .onUnverifiedActivity((ctx, activity, reason) => {
    const data = ctx.data ?? {};
    unverified.push({
      at: new Date().toISOString(),
      type: typeName(activity),
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      reason: summarizeReason(reason),
      raw: data.rawJson ?? null,
      headers: data.headers ?? null,
    });
    log.error("inbox refused an unverified {type} {id}: {reason}", {
      type: typeName(activity),
      id: activity.id?.href,
      reason: summarizeReason(reason),
    });
    // returning nothing keeps Fedify's default 401
  });

function summarizeReason(reason) {
  if (reason == null) return null;
  const out = { type: reason.type };
  if (reason.keyId) out.keyId = reason.keyId.href;
  if (reason.result) {
    if ("status" in reason.result) out.keyFetchStatus = reason.result.status;
    if (reason.result.error) out.keyFetchError = String(reason.result.error);
  }
  return out;
}

// Parses a draft-cavage Signature header into its parameters (diagnostics only).
function parseCavage(value) {
  const out = {};
  if (!value) return out;
  for (const m of value.matchAll(/([a-zA-Z]+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

// Runs Fedify's own HTTP-signature verification on an inbox POST so that the record of a
// received activity says how it was authenticated (Fedify itself verifies again; its
// verdict alone decides whether a listener runs).
async function preVerify(request, rawText) {
  const info = {};
  const h = request.headers;
  info.spec = h.has("signature-input") ? "rfc9421" : h.has("signature") ? "draft-cavage-http-signatures-12" : null;
  if (h.has("signature")) {
    const p = parseCavage(h.get("signature"));
    info.keyId = p.keyId ?? null;
    info.algorithm = p.algorithm ?? null;
    info.headers = p.headers ?? null;
  }
  if (h.has("signature-input")) info.signatureInput = h.get("signature-input");
  const ctx = federation.createContext(new URL(ORIGIN), {});
  try {
    const r = await verifyRequestDetailed(request.clone(), {
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    });
    info.verified = r.verified;
    if (r.verified) {
      info.keyId = r.key.id?.href ?? info.keyId;
      info.keyOwner = r.key.ownerId?.href ?? null;
    } else info.reason = summarizeReason(r.reason);
  } catch (error) {
    info.verified = false;
    info.reason = { type: "exception", error: String(error) };
  }
  let proof = null;
  try {
    const json = JSON.parse(rawText);
    if (json && typeof json === "object" && "proof" in json) {
      proof = { present: true };
      try {
        // Fedify checks proofs on the document without its Linked Data signature.
        const v = await verifyObject(Activity, detachSignature(json), {
          documentLoader: ctx.documentLoader,
          contextLoader: ctx.contextLoader,
        });
        proof.verified = v != null;
      } catch (error) {
        proof.verified = false;
        proof.error = String(error);
      }
    } else proof = { present: false };
  } catch { /* not JSON: Fedify answers 400 itself */ }
  return { info, proof };
}

// ---------------------------------------------------------------- control API

let lastFollow = null; // { follow: Follow, actor: Actor, handle }
let refuse = { spec: null, acceptSignature: null }; // /_control/refuse

// POST /_control/signed-post: a Like signed with the chosen spec, sent with plain fetch.
async function signedPost(ctx, { url, spec, object }) {
  const pairs = await ctx.getActorKeyPairs(ACTOR);
  const activity = {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${ORIGIN}/likes/${randomUUID()}`,
    type: "Like",
    actor: ctx.getActorUri(ACTOR).href,
    object,
  };
  const unsigned = new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
    body: JSON.stringify(activity),
  });
  const signed = await signRequest(unsigned, pairs[0].privateKey, pairs[0].keyId, { spec });
  const res = await fetch(signed);
  return {
    status: res.status,
    body: trunc(await res.text(), 2000),
    id: activity.id,
    signatureInput: signed.headers.get("signature-input"),
    signature: signed.headers.has("signature"),
  };
}

function json(res, status, body) {
  const text = JSON.stringify(body, null, 2) + "\n";
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function describeActor(actor) {
  return {
    id: actor.id?.href ?? null,
    type: typeName(actor),
    isOrganization: actor instanceof Organization,
    preferredUsername: textOf(actor.preferredUsername),
    name: textOf(actor.name),
    inbox: actor.inboxId?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
    followers: actor.followersId?.href ?? null,
    following: actor.followingId?.href ?? null,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
  };
}

async function lookupAccount(ctx, handle) {
  const acct = handle.startsWith("acct:") ? handle : `acct:${handle.replace(/^@/, "")}`;
  const out = { handle: acct };
  const jrd = await ctx.lookupWebFinger(acct);
  out.webfinger = jrd;
  if (jrd == null) throw Object.assign(new Error(`WebFinger lookup of ${acct} failed (see peer log)`), { details: out });
  const actor = await ctx.lookupObject(acct);
  if (actor == null) throw Object.assign(new Error(`Fedify could not resolve ${acct} to an object (see peer log)`), { details: out });
  if (!vocab.isActor(actor)) {
    throw Object.assign(new Error(`${acct} resolved to a ${typeName(actor)}, not an actor`), { details: out });
  }
  out.actor = describeActor(actor);
  // publicKey (RSA, HTTP signatures)
  try {
    const key = await actor.getPublicKey();
    out.actor.publicKey = key == null ? null : {
      id: key.id?.href ?? null,
      owner: key.ownerId?.href ?? null,
      isCryptographicKey: key instanceof CryptographicKey,
      algorithm: key.publicKey?.algorithm?.name ?? null,
      modulusLength: key.publicKey?.algorithm?.modulusLength ?? null,
    };
  } catch (error) {
    out.actor.publicKey = { error: String(error) };
  }
  // assertionMethod (FEP-521a Multikey)
  out.actor.assertionMethods = [];
  try {
    for await (const m of actor.getAssertionMethods()) {
      out.actor.assertionMethods.push({
        id: m.id?.href ?? null,
        type: typeName(m),
        isMultikey: m instanceof Multikey,
        controller: m.controllerId?.href ?? null,
        algorithm: m.publicKey?.algorithm?.name ?? null,
      });
    }
  } catch (error) {
    out.actor.assertionMethodsError = String(error);
  }
  return { actor, details: out };
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function sendError(error) {
  const out = { error: String(error?.message ?? error) };
  if (error?.details) out.details = error.details;
  if (error?.statusCode) out.status = error.statusCode;
  if (error?.responseBody) out.responseBody = trunc(String(error.responseBody), 4000);
  if (error?.inbox) out.inbox = String(error.inbox);
  return out;
}

async function handleControl(req, res, path) {
  const ctx = federation.createContext(new URL(ORIGIN), {});
  if (req.method === "GET" && path === "/_control/health") {
    return json(res, 200, { ok: true, origin: ORIGIN, actor: ctx.getActorUri(ACTOR).href });
  }
  if (req.method === "GET" && path === "/_control/received") return json(res, 200, received);
  if (req.method === "GET" && path === "/_control/unverified") return json(res, 200, unverified);
  if (req.method === "GET" && path === "/_control/requests") return json(res, 200, requests);
  if (req.method === "GET" && path === "/_control/outbound") return json(res, 200, outbound);
  if (req.method !== "POST") return json(res, 404, { error: "unknown control endpoint" });

  let body;
  try {
    body = JSON.parse((await readBody(req)).toString("utf8") || "{}");
  } catch (error) {
    return json(res, 400, { error: `bad control request: ${error}` });
  }
  const handle = typeof body.handle === "string" ? body.handle : null;

  if (path === "/_control/refuse") {
    refuse = { spec: body.spec ?? null, acceptSignature: body.acceptSignature ?? null };
    log.info("control: refusing inbox POSTs signed with {spec}", { spec: refuse.spec });
    return json(res, 200, refuse);
  }
  if (path === "/_control/signed-post") {
    try {
      return json(res, 200, await signedPost(ctx, body));
    } catch (error) {
      return json(res, 500, { error: String(error) });
    }
  }
  if (path === "/_control/lookup") {
    if (!handle) return json(res, 400, { error: "handle required" });
    try {
      const { details } = await lookupAccount(ctx, handle);
      return json(res, 200, details);
    } catch (error) {
      return json(res, 502, sendError(error));
    }
  }
  if (path === "/_control/follow") {
    if (!handle) return json(res, 400, { error: "handle required" });
    let actor, details;
    try {
      ({ actor, details } = await lookupAccount(ctx, handle));
    } catch (error) {
      return json(res, 502, sendError(error));
    }
    const follow = new Follow({
      id: new URL(`/follows/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: actor.id,
      to: actor.id,
    });
    try {
      await ctx.sendActivity({ identifier: ACTOR }, actor, follow, { immediate: true });
    } catch (error) {
      log.error("sending Follow failed: {error}", { error });
      return json(res, 502, { ...sendError(error), follow: follow.id.href, lookup: details });
    }
    lastFollow = { follow, actor, handle };
    return json(res, 200, { follow: follow.id.href, actor: actor.id.href, inbox: actor.inboxId?.href ?? null, lookup: details });
  }
  if (path === "/_control/verify") {
    // Fedify's verifyObject on a document as fetched (FEP-8b32 eddsa-jcs-2022).
    if (typeof body.url !== "string") return json(res, 400, { error: "url required" });
    try {
      const { document } = await ctx.documentLoader(body.url);
      const v = await verifyObject(vocab.Object, detachSignature(document), {
        documentLoader: ctx.documentLoader,
        contextLoader: ctx.contextLoader,
      });
      return json(res, 200, { verified: v != null, type: typeName(v), proof: document?.proof ?? null });
    } catch (error) {
      return json(res, 200, { verified: false, error: String(error) });
    }
  }
  if (path === "/_control/post") {
    // A Create(Note) to the account HANDLE; Fedify adds its Object Integrity Proof
    // (the actor has an Ed25519 key in its assertionMethod).
    if (!handle || typeof body.text !== "string") return json(res, 400, { error: "handle and text required" });
    let actor;
    try {
      ({ actor } = await lookupAccount(ctx, handle));
    } catch (error) {
      return json(res, 502, sendError(error));
    }
    const noteId = new URL(`/notes/${randomUUID()}`, ORIGIN);
    const create = new Create({
      id: new URL(`${noteId.pathname}/activity`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      to: actor.id,
      object: new Note({ id: noteId, attribution: ctx.getActorUri(ACTOR), content: body.text, to: actor.id }),
    });
    try {
      await ctx.sendActivity({ identifier: ACTOR }, actor, create, { immediate: true });
    } catch (error) {
      return json(res, 502, { ...sendError(error), create: create.id.href });
    }
    return json(res, 200, { create: create.id.href, note: noteId.href });
  }
  if (path === "/_control/unfollow") {
    if (lastFollow == null) return json(res, 409, { error: "no Follow sent yet" });
    const { follow, actor } = lastFollow;
    const undo = new Undo({
      id: new URL(`/follows/${randomUUID()}/undo`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: follow,
      to: actor.id,
    });
    try {
      await ctx.sendActivity({ identifier: ACTOR }, actor, undo, { immediate: true });
    } catch (error) {
      log.error("sending Undo(Follow) failed: {error}", { error });
      return json(res, 502, { ...sendError(error), undo: undo.id.href });
    }
    lastFollow = null;
    return json(res, 200, { undo: undo.id.href, follow: follow.id.href, actor: actor.id.href });
  }
  if (path === "/_control/note-content") return json(res, 200, await noteContent(ctx, body));
  if (path === "/_control/actor-fields") return json(res, 200, await actorFields(ctx, handle));
  if (path === "/_control/fetch") {
    // authorized fetch (Herald issue #10): a GET signed the way Fedify signs its own
    if (typeof body.url !== "string") return json(res, 400, { error: "url required" });
    try {
      return json(res, 200, await signedGet(ctx, body));
    } catch (error) {
      return json(res, 500, { error: String(error) });
    }
  }
  // issue #10 reactions: like/announce/reply/vote on a post (its author gets the activity),
  // undo of a like or announce sent before
  const reaction = await reactionControl(ctx, path, body);
  if (reaction != null) return json(res, reaction.status, reaction.body);
  return json(res, 404, { error: "unknown control endpoint" });
}

// POST /_control/note-content {"id"}: the Note of every verified Create of note ID, parsed
// again from the raw JSON with Fedify's vocabulary as a Mastodon-shaped reader reads it:
// its tags (Hashtag / Mention: name, href), its contents with their languages, to and cc.
function langOf(v) {
  const locale = v != null && typeof v === "object" ? (v.locale ?? v.language) : null;
  return locale == null ? null : (locale.baseName ?? String(locale));
}

async function noteContent(ctx, body) {
  const opts = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  const out = [];
  for (const rec of received.filter((r) => r.type === "Create" && r.object?.id === body.id)) {
    const one = { inbox: rec.inbox };
    try {
      const create = await Create.fromJsonLd(rec.raw, opts);
      const note = await create.getObject(opts);
      one.tags = [];
      for await (const t of note.getTags(opts)) {
        one.tags.push({ type: typeName(t), name: textOf(t.name), href: t.href?.href ?? null });
      }
      one.contents = note.contents.map((c) => ({ value: String(c), language: langOf(c) }));
      one.to = (note.toIds ?? []).map((u) => u.href);
      one.cc = (note.ccIds ?? []).map((u) => u.href);
    } catch (error) {
      one.error = String(error);
    }
    out.push(one);
  }
  return out;
}

// POST /_control/actor-fields {"handle"}: the actor's PropertyValue attachments as Fedify
// reads them (what Mastodon shows as profile fields).
async function actorFields(ctx, handle) {
  try {
    const actor = await ctx.lookupObject(handle.startsWith("acct:") ? handle : `acct:${handle}`);
    const fields = [];
    for await (const a of actor.getAttachments()) {
      if (a instanceof vocab.PropertyValue) fields.push({ name: textOf(a.name), value: textOf(a.value) });
    }
    return { fields };
  } catch (error) {
    return { error: String(error) };
  }
}

// POST /_control/fetch: URL fetched with plain fetch, signed with SPEC unless it is null.
async function signedGet(ctx, { url, spec }) {
  let req = new Request(url, { headers: { Accept: "application/activity+json" } });
  if (spec) {
    const pairs = await ctx.getActorKeyPairs(ACTOR);
    req = await signRequest(req, pairs[0].privateKey, pairs[0].keyId, { spec });
  }
  const res = await fetch(req);
  return { status: res.status, body: trunc(await res.text(), 20000), cacheControl: res.headers.get("cache-control") };
}

// ---------------------------------------------------------------- reactions (issue #10)
//   POST /_control/like     {"url"}             -> Like of URL to its author
//   POST /_control/announce {"url"}             -> Announce of URL to its author
//   POST /_control/undo     {"id"}              -> Undo of a Like/Announce sent before
//   POST /_control/vote     {"question","option"} -> a vote as Mastodon sends it: Create of
//                                                  a Note with name = option, inReplyTo
//                                                  the Question, no content
//   POST /_control/reply    {"url","text"}      -> Create(Note) in reply to URL
const sentReactions = new Map(); // activity id -> { activity, author }

async function authorOf(ctx, url) {
  const obj = await ctx.lookupObject(url);
  if (obj == null) throw new Error(`could not fetch ${url}`);
  const author = await ctx.lookupObject(obj.attributionId?.href ?? "");
  if (author == null || !vocab.isActor(author)) throw new Error(`no author for ${url}`);
  return { obj, author };
}

async function sendTo(ctx, author, activity) {
  await ctx.sendActivity({ identifier: ACTOR }, author, activity, { immediate: true });
  return activity.id.href;
}

async function reactionControl(ctx, path, body) {
  const me = ctx.getActorUri(ACTOR);
  const id = (kind) => new URL(`/${kind}/${randomUUID()}`, ORIGIN);
  try {
    if (path === "/_control/like" || path === "/_control/announce") {
      if (typeof body.url !== "string") return { status: 400, body: { error: "url required" } };
      const { author } = await authorOf(ctx, body.url);
      const Kind = path === "/_control/like" ? vocab.Like : vocab.Announce;
      const activity = new Kind({ id: id(path.slice(10)), actor: me, object: new URL(body.url),
                                  to: author.id });
      sentReactions.set(activity.id.href, { activity, author });
      return { status: 200, body: { id: await sendTo(ctx, author, activity) } };
    }
    if (path === "/_control/undo") {
      const sent = sentReactions.get(body.id);
      if (sent == null) return { status: 404, body: { error: "no such activity sent" } };
      const undo = new Undo({ id: id("undo"), actor: me, object: sent.activity, to: sent.author.id });
      sentReactions.delete(body.id);
      return { status: 200, body: { id: await sendTo(ctx, sent.author, undo) } };
    }
    if (path === "/_control/vote" || path === "/_control/reply") {
      const target = path === "/_control/vote" ? body.question : body.url;
      if (typeof target !== "string") return { status: 400, body: { error: "question/url required" } };
      const { author } = await authorOf(ctx, target);
      const noteId = id("notes");
      const note = path === "/_control/vote"
        ? new Note({ id: noteId, attribution: me, name: String(body.option), replyTarget: new URL(target),
                     to: author.id })
        : new Note({ id: noteId, attribution: me, content: String(body.text ?? ""),
                     replyTarget: new URL(target), to: author.id });
      const create = new Create({ id: new URL(`${noteId.pathname}/activity`, ORIGIN), actor: me,
                                  to: author.id, object: note });
      return { status: 200, body: { id: await sendTo(ctx, author, create), note: noteId.href } };
    }
  } catch (error) {
    return { status: 502, body: sendError(error) };
  }
  return null;
}

// ---------------------------------------------------------------- HTTP server

const requests = [];

function toRequest(req, url, body) {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const init = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD" && body.length > 0) init.body = body;
  return new Request(url, init);
}

async function handle(req, res) {
  const path = (req.url ?? "/").split("?")[0];
  if (path.startsWith("/_control/")) return handleControl(req, res, path);

  const body = await readBody(req);
  let url;
  try {
    url = new URL(req.url ?? "/", `http://${req.headers.host ?? `${HOST}:${PORT}`}`);
  } catch {
    url = new URL(req.url ?? "/", ORIGIN);
  }
  const request = toRequest(req, url, body);
  const rawText = body.toString("utf8");
  const entry = {
    at: new Date().toISOString(),
    method: req.method,
    url: req.url,
    headers: Object.fromEntries(request.headers),
  };
  if (body.length) entry.body = trunc(rawText, 65536);
  requests.push(entry);

  const contextData = {};
  const isInboxPost = req.method === "POST" && (path === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(path));
  const spec = request.headers.has("signature-input") ? "rfc9421"
    : request.headers.has("signature") ? "draft-cavage-http-signatures-12" : null;
  if (isInboxPost && refuse.spec != null && spec === refuse.spec) {
    entry.refused = true;
    entry.status = 401;
    const headers = { "Content-Type": "application/json" };
    if (refuse.acceptSignature) headers["Accept-Signature"] = refuse.acceptSignature;
    log.info("<- {method} {url} => 401 (control: {spec} refused)", { method: req.method, url: req.url, spec });
    res.writeHead(401, headers);
    res.end(JSON.stringify({ error: `${spec} refused by the test` }));
    return;
  }
  if (isInboxPost) {
    const { info, proof } = await preVerify(request, rawText);
    contextData.httpSignature = info;
    contextData.proof = proof;
    contextData.headers = entry.headers;
    try {
      contextData.rawJson = JSON.parse(rawText);
    } catch {
      contextData.rawJson = rawText;
    }
    entry.httpSignature = info;
  }

  const response = await federation.fetch(request, {
    contextData,
    onNotFound: () => new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain" } }),
    onNotAcceptable: () => new Response("Not acceptable\n", { status: 406, headers: { "Content-Type": "text/plain" } }),
  });
  const out = Buffer.from(await response.arrayBuffer());
  entry.status = response.status;
  entry.responseBody = trunc(out.toString("utf8"), 4096);
  log.info("<- {method} {url} => {status}{detail}", {
    method: req.method,
    url: req.url,
    status: response.status,
    detail: response.status >= 400 ? ` ${trunc(out.toString("utf8"), 300)}` : "",
  });
  const headers = {};
  response.headers.forEach((v, k) => {
    if (k !== "content-length" && k !== "transfer-encoding" && k !== "content-encoding") headers[k] = v;
  });
  headers["content-length"] = String(out.length);
  res.writeHead(response.status, headers);
  res.end(out);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    log.error("request {method} {url} failed: {error}", { method: req.method, url: req.url, error });
    if (!res.headersSent) json(res, error?.status ?? 500, { error: String(error) });
    else res.end();
  });
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

server.listen(PORT, HOST, () => {
  log.info("peer listening on {origin}, actor {actor}", { origin: ORIGIN, actor: `${ORIGIN}/users/${ACTOR}` });
  process.stdout.write("ready\n");
});
