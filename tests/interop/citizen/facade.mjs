// tests/interop/citizen/facade.mjs - the citizen's independent fediverse server for
// test_citizen.sh: a Fedify federation server (not Herald's code, an independent
// ActivityPub implementation) with a small Mastodon client API in front, so that a real
// Mastodon client library (masto.js) reads Herald's posts the way a citizen on a Mastodon
// server would.
//
// Local users: "citizen" and "neighbour" (Person; bearer tokens TOKENS below) and
// "instance" (Application, Mastodon's instance actor: signs fetches made for anonymous API
// readers). Each has an RSA key (HTTP signatures) and an Ed25519 key (Object Integrity
// Proofs), generated at start and kept in memory. Fedify serves actors, WebFinger and the
// inboxes, verifies every inbound activity and signs every outbound request; remote
// documents are fetched with Fedify's authenticated document loader of the local user on
// whose behalf they are read (signed GET: Herald's authorized fetch), never cached, so a
// refetch shows current counts.
//
// What is turned into Mastodon entities, the way Mastodon reads ActivityPub
// (docs.joinmastodon.org/spec/activitypub/): actor icon -> avatar, image -> header,
// attachment PropertyValue -> fields; Note/Question contentMap key -> language, Hashtag ->
// tags, Mention -> mentions (and a "mention" notification for a mentioned local user),
// attachment Document/Image name -> description (+ blurhash, width/height -> meta),
// Question oneOf/anyOf/endTime/votersCount -> poll (option replies.totalItems ->
// votes_count), replies/likes/shares totalItems -> replies_count/favourites_count/
// reblogs_count; to/cc -> visibility, and Mastodon's rule for who may see a status
// (followers-only: the author's local followers and the mentioned only).
// Mastodon keeps a copy of remote media; this facade links the remote URLs instead.
//
// Mastodon client API (only what the test calls; Mastodon's status codes and error bodies):
//   GET  /api/v1/instance                      GET  /api/v1/accounts/verify_credentials
//   GET  /api/v1/accounts/lookup?acct=         GET  /api/v1/accounts/relationships?id[]=
//   GET  /api/v1/accounts/:id                  GET  /api/v1/accounts/:id/statuses
//   POST /api/v1/accounts/:id/follow|unfollow  GET  /api/v2/search?q=&resolve=true
//   GET  /api/v1/timelines/home                GET  /api/v1/notifications
//   GET  /api/v1/statuses/:id                  POST /api/v1/statuses/:id/favourite|
//                                                    unfavourite|reblog|unreblog
//   GET  /api/v1/polls/:id                     POST /api/v1/polls/:id/votes {choices}
//   POST /api/v1/statuses {status, in_reply_to_id, visibility, spoiler_text, language}
//   PUT  /api/v1/statuses/:id {status, spoiler_text, language}   DELETE /api/v1/statuses/:id
//   GET  /api/v1/statuses/:id/context          GET  /api/v1/conversations
// Writing (issue #12: citizens write to an agency's desk), as Mastodon does it
// (app/services/post_status_service.rb, process_mentions_service.rb, update_status_service.rb,
// remove_status_service.rb; docs.joinmastodon.org/spec/activitypub/): "@user@host" in the
// text is resolved by WebFinger into a Mention tag and linked in the HTML ("@user" alone is
// a local user; unresolvable ones stay text), "#tag" becomes a Hashtag tag; to/cc by
// visibility (ActivityPub::TagManager): public to Public, cc followers + mentioned;
// unlisted to followers, cc Public + mentioned; private to followers, cc mentioned; direct
// to mentioned only. The Create(Note) is signed and delivered (shared inbox preferred, as
// Mastodon's inboxes scope) to the mentioned actors, the replied-to status's author (public
// and unlisted only: StatusReachFinder) and the followers (not for direct); the API answers
// after the deliveries were tried (Mastodon queues them; here the test can poll the other
// side at once). Edit: Update(Note) with "updated"; delete: Delete(Tombstone) to the same
// inboxes, and the Note's URL answers 410 Gone. Local Notes are served at their id to
// anyone when public/unlisted, else only to a signed fetch by an addressee (or a follower,
// private). Reading: a remote status addressed to a local user without a Mention tag
// of them is Mastodon's "limited" (silent mention: process_audience), shown as "private"
// by the API and notifying nobody; /context walks in_reply_to both ways among what the
// facade knows; /conversations groups the direct statuses of the viewer by thread root.
// Test control (not Mastodon):
//   POST /_control/raw-vote {signer, attributedTo, question, name}
//        -> a Create(Note{name, inReplyTo: question}) sent by SIGNER (signed with its keys)
//           whose Note claims ATTRIBUTEDTO (a local user name): a forged or unchecked vote,
//           bypassing the API's own checks; answers {delivered, error}
//   GET  /_control/received -> the verified activities the inboxes got (diagnostics)
//   GET  /_control/sent -> the activities the API's writes sent and where (diagnostics)
//   GET  /_control/fetch?as=NAME&url=URL -> {status}: a GET of URL signed as local user
//        NAME (draft-cavage, as Mastodon signs), to see what a server shows to whom
//
// Usage: node facade.mjs --host 127.0.0.3 --port PORT   (prints "ready" on stdout)
//
// Fedify 2.3 declares Node >= 22; on Node 20 it needs a `navigator` global before it loads.
globalThis.navigator ??= { userAgent: "node" };

import http from "node:http";
import { AsyncLocalStorage } from "node:async_hooks";

const fedify = await import("@fedify/fedify");
const vocab = await import("@fedify/fedify/vocab");
const logtape = await import("@logtape/logtape");
const { createFederation, MemoryKvStore, generateCryptoKeyPair, signRequest } = fedify;
const {
  Accept, Announce, Application, Create, Delete, Document, Endpoints, Follow, Hashtag, Image,
  LanguageString, Like, Mention, Note, Person, PropertyValue, Question, Reject, Service, Tombstone,
  Undo, Update,
} = vocab;
// the Temporal Fedify's vocabulary checks its times against (its own dependency)
const { Temporal } = await import("@js-temporal/polyfill");

function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const HOST = argValue("host", "127.0.0.3");
const PORT = Number(argValue("port", "0"));
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  process.stderr.write("facade: --port PORT is required\n");
  process.exit(2);
}
const ORIGIN = `http://${HOST}:${PORT}`;
const DOMAIN = `${HOST}:${PORT}`;
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const USERS = {
  citizen: { token: "citizen-token", name: "A Citizen", kind: Person },
  neighbour: { token: "neighbour-token", name: "A Neighbour", kind: Person },
  instance: { token: null, name: DOMAIN, kind: Application },
};

await logtape.configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr: (rec) => {
      const msg = rec.message.map((p, i) => (i % 2 === 0 ? p : typeof p === "string" ? p : JSON.stringify(p))).join("");
      process.stderr.write(`${new Date(rec.timestamp).toISOString()} ${rec.level} ${rec.category.join(".")}: ${msg}\n`);
    },
  },
  loggers: [
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    { category: ["fedify"], lowestLevel: process.env.FACADE_LOG_LEVEL ?? "info", sinks: ["stderr"] },
    { category: ["facade"], lowestLevel: "debug", sinks: ["stderr"] },
  ],
});
const log = logtape.getLogger(["facade"]);

// Fedify's WebFinger client always uses https: for acct: resources; Herald runs plain
// HTTP on loopback in the tests, so loopback WebFinger requests are rewritten to http:.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (!(input instanceof Request)) {
    const u = new URL(String(input));
    if (u.protocol === "https:" && u.pathname === "/.well-known/webfinger" && /^127\./.test(u.hostname)) {
      u.protocol = "http:";
      return realFetch(u, init);
    }
  }
  return realFetch(input, init);
};

// ---------------------------------------------------------------- federation

const keys = {};
for (const name of Object.keys(USERS)) {
  keys[name] = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), await generateCryptoKeyPair("Ed25519")];
}
const federation = createFederation({
  kv: new MemoryKvStore(),
  origin: ORIGIN,
  allowPrivateAddress: true, // loopback testing only
});
federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    const u = USERS[identifier];
    if (u == null) return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new u.kind({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: u.name,
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => (USERS[username] ? username : null))
  .setKeyPairsDispatcher(async (_ctx, identifier) => keys[identifier] ?? []);
federation.setOutboxDispatcher("/users/{identifier}/outbox", async () => ({ items: [] }));
federation.setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier) => ({
  items: [...(per[identifier]?.followers.keys() ?? [])].map((u) => new URL(u)),
}));
federation.setFollowingDispatcher("/users/{identifier}/following", async () => ({ items: [] }));

const ctxOf = () => federation.createContext(new URL(ORIGIN), {});
const userUri = (name) => ctxOf().getActorUri(name).href;
// the signed, uncached document loader of local user NAME (anonymous readers: "instance")
const loaderOf = (name) => ctxOf().getDocumentLoader({ identifier: name ?? "instance" });

// ---------------------------------------------------------------- state

let nextId = 100000;
const newId = () => String(++nextId);
const accounts = new Map(); // id -> {id, uri, local, actor, entity}
const accountByUri = new Map();
const statuses = new Map(); // id -> {id, uri, accountId, obj, raw, parsed}
const statusByUri = new Map();
const received = [];
const per = {}; // local user -> its follows, home, notifications, favourites, boosts, votes
for (const name of ["citizen", "neighbour"]) {
  per[name] = {
    follows: new Map(), home: [], notifications: [], favs: new Map(), boosts: new Map(), votes: new Map(),
    followers: new Map(), // actor URI -> actor (remote followers, for deliveries)
  };
}
const sent = []; // what the API's writes sent: {at, type, object, to: [inbox owners], error}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
const notFound = () => new ApiError(404, "Record not found");
const str = (v) => (v == null ? null : String(v));
const hrefOf = (u) => (u == null ? null : u instanceof URL ? u.href : u.href != null ? str(u.href) : str(u));

// ---------------------------------------------------------------- accounts

function localAccount(name) {
  const uri = userUri(name);
  let a = accountByUri.get(uri);
  if (a == null) {
    a = { id: newId(), uri, local: name };
    accounts.set(a.id, a);
    accountByUri.set(uri, a);
  }
  a.entity = {
    id: a.id, username: name, acct: name, display_name: USERS[name].name, locked: false, bot: false,
    group: false, discoverable: true, created_at: "2026-01-01T00:00:00.000Z", note: "", url: uri, uri,
    avatar: `${ORIGIN}/avatars/original/missing.png`, avatar_static: `${ORIGIN}/avatars/original/missing.png`,
    header: `${ORIGIN}/headers/original/missing.png`, header_static: `${ORIGIN}/headers/original/missing.png`,
    followers_count: 0, following_count: per[name]?.follows.size ?? 0, statuses_count: 0,
    last_status_at: null, emojis: [], fields: [],
  };
  return a;
}

// The Mastodon Account entity of a remote actor, as Mastodon stores it on fetching.
async function remoteEntity(id, actor, loader) {
  const uri = actor.id.href;
  const host = actor.id.host;
  const icon = await actor.getIcon({ documentLoader: loader }).catch(() => null);
  const image = await actor.getImage({ documentLoader: loader }).catch(() => null);
  const fields = [];
  for await (const p of actor.getAttachments({ documentLoader: loader })) {
    if (p instanceof PropertyValue) fields.push({ name: str(p.name), value: str(p.value), verified_at: null });
  }
  const avatar = hrefOf(icon?.url) ?? `${ORIGIN}/avatars/original/missing.png`;
  const header = hrefOf(image?.url) ?? `${ORIGIN}/headers/original/missing.png`;
  const username = str(actor.preferredUsername);
  return {
    id, username, acct: `${username}@${host}`, display_name: str(actor.name) ?? "",
    locked: actor.manuallyApprovesFollowers === true,
    bot: actor instanceof Service || actor instanceof Application, group: false, discoverable: true,
    created_at: str(actor.published) ?? "2026-01-01T00:00:00.000Z", note: str(actor.summary) ?? "",
    url: hrefOf(actor.url) ?? uri, uri, avatar, avatar_static: avatar, header, header_static: header,
    followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: null, emojis: [], fields,
  };
}

async function storeActor(actor, loader) {
  const uri = actor.id.href;
  let a = accountByUri.get(uri);
  if (a == null) {
    a = { id: newId(), uri, local: null };
    accounts.set(a.id, a);
    accountByUri.set(uri, a);
  }
  a.actor = actor;
  a.entity = await remoteEntity(a.id, actor, loader);
  return a;
}

function localNameOf(uri) {
  const m = uri != null && uri.startsWith(`${ORIGIN}/users/`) ? uri.slice(ORIGIN.length + 7) : null;
  return m != null && per[m] ? m : null;
}

// The account of actor URI: local, known, or fetched (signed by LOADER's user).
async function accountOf(uri, loader) {
  const local = localNameOf(uri);
  if (local) return localAccount(local);
  const known = accountByUri.get(uri);
  if (known?.actor) return known;
  const actor = await ctxOf().lookupObject(uri, { documentLoader: loader });
  if (actor == null || !vocab.isActor(actor)) throw notFound();
  return storeActor(actor, loader);
}

// ---------------------------------------------------------------- statuses

function visibilityOf(obj, author) {
  const to = obj.toIds.map((u) => u.href);
  const cc = obj.ccIds.map((u) => u.href);
  const followers = author.actor?.followersId?.href;
  if (to.includes(PUBLIC)) return "public";
  if (cc.includes(PUBLIC)) return "unlisted";
  if (followers != null && (to.includes(followers) || cc.includes(followers))) return "private";
  return "direct";
}

// The local users a status is addressed to (to/cc), whether or not it mentions them: in
// Mastodon each gets at least a silent mention (ActivityPub::Activity::Create
// #process_audience), which lets them see it.
function addresseesOf(obj) {
  return [...obj.toIds, ...obj.ccIds].map((u) => localNameOf(u.href)).filter((n) => n != null);
}

function languageOf(obj) {
  for (const c of obj.contents) if (c?.locale != null) return c.locale.baseName;
  return null;
}

function mediaType(t) {
  if (t == null) return "unknown";
  if (t === "image/gif") return "gifv";
  return t.startsWith("image/") ? "image" : t.startsWith("video/") ? "video" : t.startsWith("audio/") ? "audio" : "unknown";
}

// Fedify has no blurhash (toot:blurhash) property: it is read from the JSON the object
// came in, matched by the attachment's URL.
function blurhashOf(raw, url) {
  const list = raw?.attachment == null ? [] : [].concat(raw.attachment);
  const hit = list.find((a) => a && (a.url === url || a.url?.href === url || (Array.isArray(a.url) && a.url.some((u) => (u?.href ?? u) === url))));
  return typeof hit?.blurhash === "string" ? hit.blurhash : null;
}

async function mediaOf(obj, raw, loader) {
  const out = [];
  for await (const a of obj.getAttachments({ documentLoader: loader })) {
    if (!(a instanceof Document || a instanceof Image)) continue;
    const url = hrefOf(a.url);
    const meta = a.width != null && a.height != null
      ? { original: { width: a.width, height: a.height, size: `${a.width}x${a.height}`, aspect: a.width / a.height } }
      : {};
    out.push({
      id: newId(), type: mediaType(a.mediaType), url, preview_url: url, remote_url: url, preview_remote_url: null,
      text_url: null, meta, description: str(a.name), blurhash: blurhashOf(raw, url),
    });
  }
  return out;
}

async function tagsOf(obj, loader) {
  const tags = [];
  const mentions = [];
  for await (const t of obj.getTags({ documentLoader: loader })) {
    if (t instanceof Hashtag) {
      const name = str(t.name)?.replace(/^#/, "");
      if (name) tags.push({ name, url: hrefOf(t.href) });
    } else if (t instanceof Mention && t.href != null) {
      const acc = await accountOf(t.href.href, loader).catch(() => null);
      if (acc) mentions.push({ id: acc.id, username: acc.entity.username, url: acc.entity.url, acct: acc.entity.acct, uri: acc.uri });
    }
  }
  return { tags, mentions };
}

// totalItems of a replies/likes/shares collection as Mastodon reads it: embedded in the
// post (its "untrusted" counts), never fetched at the collection's id.
async function totalOf(getter, loader) {
  try {
    const c = await getter({ documentLoader: loader });
    return c?.totalItems ?? 0;
  } catch {
    return 0;
  }
}

async function pollOf(q, loader) {
  // anyOf: a multiple-choice poll; oneOf: one choice (Mastodon's reading)
  const inclusive = await collect(q.getInclusiveOptions({ documentLoader: loader }));
  const multiple = inclusive.length > 0;
  const items = multiple ? inclusive : await collect(q.getExclusiveOptions({ documentLoader: loader }));
  const options = [];
  for (const o of items) {
    options.push({ title: str(o.name), votes_count: await totalOf((opt) => o.getReplies(opt), loader) });
  }
  const end = q.endTime ?? (q.closed != null && typeof q.closed !== "boolean" ? q.closed : null);
  const expired = q.closed != null && q.closed !== false ? true : end != null && Date.parse(end.toString()) <= Date.now();
  const votes = options.reduce((n, o) => n + o.votes_count, 0);
  return {
    expires_at: end == null ? null : new Date(Date.parse(end.toString())).toISOString(),
    expired, multiple, votes_count: votes, voters_count: q.voters ?? (multiple ? null : votes),
    options, emojis: [],
  };
}

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

async function parse(obj, raw, author, loader) {
  const { tags, mentions } = await tagsOf(obj, loader);
  const addressees = addresseesOf(obj);
  let visibility = visibilityOf(obj, author);
  // a direct message that addresses a local user it does not tag is "limited" in Mastodon
  if (visibility === "direct" && addressees.some((n) => !mentions.some((m) => m.uri === userUri(n)))) {
    visibility = "limited";
  }
  return {
    content: str(obj.content) ?? "",
    language: languageOf(obj),
    visibility, addressees,
    created_at: obj.published ? new Date(Date.parse(obj.published.toString())).toISOString() : new Date().toISOString(),
    edited_at: obj.updated ? new Date(Date.parse(obj.updated.toString())).toISOString() : null,
    url: hrefOf(obj.url) ?? obj.id.href,
    sensitive: obj.sensitive === true,
    spoiler_text: str(obj.summary) ?? "",
    in_reply_to: obj.replyTargetId?.href ?? null,
    tags, mentions,
    media: await mediaOf(obj, raw, loader),
    poll: obj instanceof Question ? await pollOf(obj, loader) : null,
    replies_count: await totalOf((o) => obj.getReplies(o), loader),
    favourites_count: await totalOf((o) => obj.getLikes(o), loader),
    reblogs_count: await totalOf((o) => obj.getShares(o), loader),
  };
}

// Stores (or refreshes) a remote Note/Question; returns the status record.
async function storeStatus(obj, raw, loader) {
  const authorUri = obj.attributionId?.href;
  if (authorUri == null) throw notFound();
  const author = await accountOf(authorUri, loader);
  let s = statusByUri.get(obj.id.href);
  if (s == null) {
    s = { id: newId(), uri: obj.id.href };
    statuses.set(s.id, s);
    statusByUri.set(s.uri, s);
  }
  Object.assign(s, { accountId: author.id, obj, raw, parsed: await parse(obj, raw, author, loader) });
  return s;
}

// Mastodon's StatusPolicy#show?: who may see a status (a deleted one: nobody).
function mayShow(s, viewer) {
  const v = s.parsed.visibility;
  if (s.deleted) return false;
  if (v === "public" || v === "unlisted") return true;
  if (viewer == null) return false;
  if (s.local === viewer) return true; // owned
  if (s.parsed.mentions.some((m) => m.uri === userUri(viewer))) return true;
  if ((s.parsed.addressees ?? []).includes(viewer)) return true; // a silent mention
  if (v === "private") return per[viewer].follows.get(accounts.get(s.accountId).uri)?.state === "accepted";
  return false;
}

function statusEntity(s, viewer) {
  const p = s.parsed;
  const me = viewer ? per[viewer] : null;
  let poll = null;
  if (p.poll) {
    const own = me?.votes.get(s.id) ?? null;
    poll = { id: s.id, ...p.poll, voted: own != null, own_votes: own ?? [] };
  }
  return {
    id: s.id, uri: s.uri, url: p.url, created_at: p.created_at, edited_at: p.edited_at,
    account: accounts.get(s.accountId).entity, content: p.content, language: p.language,
    // "limited" is masked behind "private" (REST::StatusSerializer#visibility)
    visibility: p.visibility === "limited" ? "private" : p.visibility, sensitive: p.sensitive,
    spoiler_text: p.spoiler_text,
    in_reply_to_id: p.in_reply_to ? statusByUri.get(p.in_reply_to)?.id ?? null : null,
    in_reply_to_account_id: p.in_reply_to ? (a => a ? a.accountId : null)(statusByUri.get(p.in_reply_to)) : null,
    reblog: null, application: null,
    media_attachments: p.media, mentions: p.mentions.map(({ uri: _u, ...m }) => m), tags: p.tags, emojis: [],
    card: null, poll,
    replies_count: p.replies_count, favourites_count: p.favourites_count, reblogs_count: p.reblogs_count,
    favourited: me ? me.favs.has(s.id) : false, reblogged: me ? me.boosts.has(s.id) : false,
    muted: false, bookmarked: false, pinned: false, filtered: [],
  };
}

// A fresh copy of status S, fetched as VIEWER (counts and poll results current). A status
// its server no longer serves to VIEWER is shown as stored only when VIEWER may see it.
async function refetch(s, viewer) {
  if (s.local) return s; // ours: nothing to fetch
  const loader = await loaderOf(viewer);
  try {
    const { document } = await loader(s.uri);
    const obj = await vocab.Object.fromJsonLd(document, { documentLoader: loader, contextLoader: ctxOf().contextLoader });
    if ((obj instanceof Note || obj instanceof Question) && obj.id?.href === s.uri) await storeStatus(obj, document, loader);
  } catch (error) {
    log.info("refetch of {uri} failed: {error}", { uri: s.uri, error: String(error) });
  }
  return s;
}

async function visibleStatus(id, viewer) {
  const s = statuses.get(id);
  if (s == null || !mayShow(s, viewer)) throw notFound();
  await refetch(s, viewer);
  if (!mayShow(s, viewer)) throw notFound();
  return s;
}

// ---------------------------------------------------------------- inbox

function deliverLocally(s, recipients) {
  const author = accounts.get(s.accountId);
  for (const name of Object.keys(per)) {
    const me = per[name];
    const follows = me.follows.get(author.uri)?.state === "accepted";
    const mentioned = s.parsed.mentions.some((m) => m.uri === userUri(name));
    if (follows && mayShow(s, name) && !me.home.includes(s.id)) me.home.unshift(s.id);
    if (mentioned && (recipients.has(name) || recipients.has("*")) &&
        !me.notifications.some((n) => n.statusId === s.id && n.type === "mention")) {
      me.notifications.unshift({ id: newId(), type: "mention", created_at: new Date().toISOString(), accountId: s.accountId, statusId: s.id });
    }
  }
}

function record(ctx, activity) {
  received.push({ at: new Date().toISOString(), inbox: ctx.recipient ?? "shared", type: activity.constructor.name, id: activity.id?.href ?? null, actor: activity.actorId?.href ?? null });
}

async function onCreateOrUpdate(ctx, activity) {
  record(ctx, activity);
  const loader = await loaderOf(ctx.recipient ?? "instance");
  const obj = await activity.getObject({ documentLoader: loader });
  if (!(obj instanceof Note || obj instanceof Question)) return;
  // an object is accepted only from its own author (Mastodon: the activity's actor)
  if (obj.attributionId?.href !== activity.actorId?.href) return;
  const raw = ctx.data?.rawJson?.object && typeof ctx.data.rawJson.object === "object" ? ctx.data.rawJson.object : null;
  const s = await storeStatus(obj, raw, loader);
  deliverLocally(s, new Set([ctx.recipient ?? "*"]));
}

// A remote actor follows a local user: accepted at once (the users are not locked).
async function onFollow(ctx, f) {
  record(ctx, f);
  const name = localNameOf(f.objectId?.href);
  if (name == null || f.actorId == null) return;
  const follower = await f.getActor({ documentLoader: await loaderOf(name) });
  if (follower == null || !vocab.isActor(follower)) return;
  per[name].followers.set(follower.id.href, follower);
  await ctx.sendActivity({ identifier: name }, follower,
    new Accept({ id: activityId(name, "accepts"), actor: new URL(userUri(name)), object: f, to: follower.id }));
}

async function onAccept(ctx, accept) {
  record(ctx, accept);
  const followId = accept.objectId?.href;
  for (const me of Object.values(per)) {
    for (const [uri, f] of me.follows) {
      if (f.followId === followId && uri === accept.actorId?.href) f.state = "accepted";
    }
  }
}

async function onReject(ctx, reject) {
  record(ctx, reject);
  for (const me of Object.values(per)) {
    for (const [uri, f] of me.follows) if (f.followId === reject.objectId?.href) me.follows.delete(uri);
  }
}

async function onDelete(ctx, del) {
  record(ctx, del);
  const s = statusByUri.get(del.objectId?.href);
  if (s == null || accounts.get(s.accountId).uri !== del.actorId?.href) return;
  statuses.delete(s.id);
  statusByUri.delete(s.uri);
  for (const me of Object.values(per)) me.home = me.home.filter((id) => id !== s.id);
}

async function onUpdateActor(ctx, update) {
  const loader = await loaderOf(ctx.recipient ?? "instance");
  const obj = await update.getObject({ documentLoader: loader });
  if (vocab.isActor(obj) && obj.id?.href === update.actorId?.href) {
    record(ctx, update);
    await storeActor(obj, loader);
    return;
  }
  await onCreateOrUpdate(ctx, update);
}

// Activities are applied one at a time in the order they arrived: three quick Update(actor)
// must not finish out of order (the first one's older copy last).
let chain = Promise.resolve();
const inOrder = (fn) => (ctx, activity) => {
  const run = chain.then(() => fn(ctx, activity));
  chain = run.catch(() => {}); // a failed one (reported by Fedify) does not stop the rest
  return run;
};

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Create, inOrder(onCreateOrUpdate))
  .on(Update, inOrder(onUpdateActor))
  .on(Delete, inOrder(onDelete))
  .on(Accept, inOrder(onAccept))
  .on(Reject, inOrder(onReject))
  .on(Follow, inOrder(onFollow))
  .on(Announce, inOrder(async (ctx, a) => record(ctx, a)))
  .on(Undo, inOrder(async (ctx, a) => {
    record(ctx, a);
    // Undo(Follow): no longer a follower
    const name = localNameOf(a.objectId == null ? null : (await a.getObject().catch(() => null))?.objectId?.href);
    if (name != null && a.actorId != null) per[name].followers.delete(a.actorId.href);
  }))
  .onError((_ctx, error) => log.error("inbox listener error: {error}", { error: String(error?.stack ?? error) }));

// ---------------------------------------------------------------- outbound activities

async function send(name, recipientUri, activity) {
  const ctx = ctxOf();
  const recipient = await accountOf(recipientUri, await loaderOf(name));
  await ctx.sendActivity({ identifier: name }, recipient.actor, activity, { immediate: true });
}

let seq = 0;
const activityId = (name, what) => new URL(`${userUri(name)}#${what}/${++seq}`);

async function follow(name, acc) {
  if (acc.local) throw new ApiError(422, "Validation failed: this facade follows remote accounts only");
  const me = per[name];
  if (!me.follows.has(acc.uri)) {
    const f = new Follow({ id: activityId(name, "follows"), actor: new URL(userUri(name)), object: new URL(acc.uri), to: new URL(acc.uri) });
    me.follows.set(acc.uri, { followId: f.id.href, state: "requested", activity: f });
    try {
      await send(name, acc.uri, f);
    } catch (error) {
      me.follows.delete(acc.uri);
      throw new ApiError(503, `follow not delivered: ${error}`);
    }
  }
  return relationship(name, acc);
}

async function unfollow(name, acc) {
  const me = per[name];
  const f = me.follows.get(acc.uri);
  if (f != null) {
    me.follows.delete(acc.uri);
    await send(name, acc.uri, new Undo({ id: activityId(name, "undo"), actor: new URL(userUri(name)), object: f.activity, to: new URL(acc.uri) }));
  }
  return relationship(name, acc);
}

function relationship(name, acc) {
  const f = per[name].follows.get(acc.uri);
  return {
    id: acc.id, following: f?.state === "accepted", requested: f?.state === "requested", showing_reblogs: true,
    notifying: false, languages: null, followed_by: false, blocking: false, blocked_by: false, muting: false,
    muting_notifications: false, domain_blocking: false, endorsed: false, note: "",
  };
}

// favourite/unfavourite/reblog/unreblog: Like, Announce and their Undo to the author.
async function react(name, s, what) {
  const me = per[name];
  const author = accounts.get(s.accountId).uri;
  const actor = new URL(userUri(name));
  const map = what.includes("favourite") ? me.favs : me.boosts;
  if (what === "favourite" || what === "reblog") {
    if (!map.has(s.id)) {
      const a = what === "favourite"
        ? new Like({ id: activityId(name, "likes"), actor, object: new URL(s.uri), to: new URL(author) })
        : new Announce({ id: activityId(name, "announces"), actor, object: new URL(s.uri), to: new URL(PUBLIC), ccs: [new URL(author), new URL(`${userUri(name)}/followers`)] });
      await send(name, author, a);
      map.set(s.id, a);
    }
  } else if (map.has(s.id)) {
    const a = map.get(s.id);
    map.delete(s.id);
    await send(name, author, new Undo({ id: activityId(name, "undo"), actor, object: a, to: new URL(author) }));
  }
  await refetch(s, name);
  const entity = statusEntity(s, name);
  if (what !== "reblog") return entity;
  // Mastodon answers a reblog with the new reblog status wrapping the original
  return { ...entity, id: newId(), uri: map.get(s.id).id.href, account: localAccount(name).entity, reblog: entity, content: "", media_attachments: [], mentions: [], tags: [], poll: null };
}

// A vote as Mastodon sends it: one Create(Note{name: option}) per choice, to the
// question's author only (app/services/vote_service.rb).
async function sendVote(signer, attributedTo, s, title) {
  const author = accounts.get(s.accountId).uri;
  const id = activityId(signer, "votes");
  const note = new Note({ id, attribution: new URL(userUri(attributedTo)), name: title, replyTarget: new URL(s.uri), to: new URL(author) });
  const create = new Create({ id: new URL(`${id.href}/activity`), actor: new URL(userUri(signer)), object: note, to: new URL(author) });
  await send(signer, author, create);
}

async function vote(name, s, body) {
  const poll = s.parsed.poll;
  if (poll == null) throw notFound();
  const raw = body.choices ?? body["choices[]"];
  const choices = [].concat(raw ?? []).map((c) => Number(c));
  if (poll.expired) throw new ApiError(422, "Validation failed: The poll has already ended");
  if (per[name].votes.has(s.id)) throw new ApiError(422, "Validation failed: You have already voted on this poll");
  if (choices.length === 0 || choices.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length)) {
    throw new ApiError(422, "Validation failed: Choices is invalid");
  }
  if (!poll.multiple && choices.length > 1) throw new ApiError(422, "Validation failed: Choices is invalid");
  for (const c of choices) await sendVote(name, name, s, poll.options[c].title);
  per[name].votes.set(s.id, choices);
  await refetch(s, name);
  return statusEntity(s, name).poll;
}

// ---------------------------------------------------------------- writing (issue #12)

const MAX_CHARS = 500; // the instance's configuration.statuses.max_characters
const VISIBILITIES = ["public", "unlisted", "private", "direct"];
const escapeHtml = (t) => t.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
// Account::MENTION_RE and Tag::HASHTAG_RE, roughly; the domain may carry a port (the tests'
// servers listen on loopback ports, which Mastodon's own regexp would not take)
const MENTION_RE = /(?<![=\/\p{L}\p{N}_])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*(?::\d{1,5})?))?/giu;
const HASHTAG_RE = /(?<![=\/\)\p{L}\p{N}_])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;

// The account "@user[@host]" names (a local user, or WebFinger through AUTHOR's signed
// loader), or null when it cannot be resolved (ProcessMentionsService leaves it as text).
async function mentionTarget(user, host, author) {
  if (host == null || host.toLowerCase() === DOMAIN) return per[user] ? localAccount(user) : null;
  const known = [...accounts.values()].find((a) => a.actor && a.entity?.acct?.toLowerCase() === `${user}@${host}`.toLowerCase());
  if (known) return known;
  try {
    const loader = await loaderOf(author);
    const actor = await ctxOf().lookupObject(`acct:${user}@${host}`, { documentLoader: loader });
    return actor != null && vocab.isActor(actor) ? await storeActor(actor, loader) : null;
  } catch (error) {
    log.info("mention @{user}@{host} not resolved: {error}", { user, host, error: String(error) });
    return null;
  }
}

// TEXT as Mastodon's TextFormatter renders it: escaped, paragraphs and line breaks,
// mentions and hashtags linked; with the accounts mentioned and the tags named.
async function format(text, author) {
  const mentioned = new Map(); // uri -> account
  const found = new Map();
  for (const m of text.matchAll(MENTION_RE)) {
    if (!found.has(m[0])) found.set(m[0], await mentionTarget(m[1], m[2] ?? null, author));
  }
  const tags = new Map();
  const html = text.split(/\n{2,}/).map((para) => {
    let out = "";
    let last = 0;
    const hits = [...para.matchAll(MENTION_RE)].map((m) => ({ m, kind: "mention" }))
      .concat([...para.matchAll(HASHTAG_RE)].map((m) => ({ m, kind: "tag" })))
      .sort((a, b) => a.m.index - b.m.index);
    for (const { m, kind } of hits) {
      if (m.index < last) continue;
      out += escapeHtml(para.slice(last, m.index)).replace(/\n/g, "<br />");
      if (kind === "mention" && found.get(m[0])) {
        const acc = found.get(m[0]);
        mentioned.set(acc.uri, acc);
        out += `<span class="h-card" translate="no"><a href="${escapeHtml(acc.entity.url)}" class="u-url mention">@<span>${escapeHtml(acc.entity.username)}</span></a></span>`;
      } else if (kind === "tag") {
        tags.set(m[1].toLowerCase(), m[1]);
        out += `<a href="${ORIGIN}/tags/${encodeURIComponent(m[1].toLowerCase())}" class="mention hashtag" rel="tag">#<span>${escapeHtml(m[1])}</span></a>`;
      } else {
        out += escapeHtml(m[0]);
      }
      last = m.index + m[0].length;
    }
    return `<p>${out}${escapeHtml(para.slice(last)).replace(/\n/g, "<br />")}</p>`;
  }).join("");
  return { html, mentioned: [...mentioned.values()], tags: [...tags.entries()] };
}

// to/cc of a status of NAME (ActivityPub::TagManager#to and #cc).
function audienceOf(name, visibility, mentioned) {
  const followers = ctxOf().getFollowersUri(name);
  const m = mentioned.map((a) => new URL(a.uri));
  switch (visibility) {
  case "public": return { tos: [new URL(PUBLIC)], ccs: [followers, ...m] };
  case "unlisted": return { tos: [followers], ccs: [new URL(PUBLIC), ...m] };
  case "private": return { tos: [followers], ccs: m };
  default: return { tos: m, ccs: [] };
  }
}

// The Note of local status S (as NoteSerializer writes it).
function noteOf(s) {
  const w = s.write;
  return new Note({
    id: new URL(s.uri), attribution: new URL(userUri(s.local)), url: new URL(s.uri),
    contents: [w.html, new LanguageString(w.html, w.language)], // content and contentMap
    summary: w.spoiler || null, sensitive: w.spoiler !== "",
    published: Temporal.Instant.from(w.published), updated: w.updated ? Temporal.Instant.from(w.updated) : null,
    replyTarget: w.inReplyTo ? new URL(w.inReplyTo) : null,
    ...audienceOf(s.local, w.visibility, w.mentioned),
    tags: [
      ...w.mentioned.map((a) => new Mention({ href: new URL(a.uri), name: `@${a.entity.acct.includes("@") ? a.entity.acct : `${a.entity.acct}@${DOMAIN}`}` })),
      ...w.tags.map(([lower, name]) => new Hashtag({ href: new URL(`${ORIGIN}/tags/${encodeURIComponent(lower)}`), name: `#${name}` })),
    ],
  });
}

// Who gets the activities about local status S: the mentioned, the replied-to author
// (public and unlisted), the followers (all but direct); remote actors only.
function recipientsOf(s) {
  const w = s.write;
  const out = new Map();
  for (const a of w.mentioned) if (a.actor) out.set(a.uri, a.actor);
  const parent = w.inReplyTo ? statusByUri.get(w.inReplyTo) : null;
  const parentAuthor = parent ? accounts.get(parent.accountId) : null;
  if (parentAuthor?.actor && (w.visibility === "public" || w.visibility === "unlisted")) out.set(parentAuthor.uri, parentAuthor.actor);
  if (w.visibility !== "direct") for (const [uri, actor] of per[s.local].followers) out.set(uri, actor);
  return [...out.values()];
}

// Sends ACTIVITY about S to its recipients, signed as its author; a failure is recorded
// (/_control/sent) and logged, never the API's error (Mastodon retries in the background).
async function distribute(s, activity) {
  const recipients = recipientsOf(s);
  const entry = { at: new Date().toISOString(), type: activity.constructor.name, object: s.uri, to: recipients.map((a) => a.id.href), error: null };
  sent.push(entry);
  if (recipients.length === 0) return;
  try {
    await ctxOf().sendActivity({ identifier: s.local }, recipients, activity, { preferSharedInbox: true, immediate: true });
  } catch (error) {
    entry.error = String(error?.message ?? error);
    log.warn("{type} of {uri} not delivered: {error}", { type: entry.type, uri: s.uri, error: entry.error });
  }
}

// Local status S's parsed form (what statusEntity shows), from its Note.
async function reparse(s) {
  const author = localAccount(s.local);
  s.obj = noteOf(s);
  s.raw = await s.obj.toJsonLd({ format: "compact", contextLoader: ctxOf().contextLoader });
  s.parsed = await parse(s.obj, s.raw, author, await loaderOf(s.local));
  s.parsed.visibility = s.write.visibility; // as chosen, not as read back
}

function checkText(text) {
  if (text.trim() === "") throw new ApiError(422, "Validation failed: Text can't be blank");
  if ([...text].length > MAX_CHARS) throw new ApiError(422, `Validation failed: Text character limit of ${MAX_CHARS} exceeded`);
}

// POST /api/v1/statuses (PostStatusService).
async function postStatus(name, body) {
  const text = String(body.status ?? "");
  const visibility = body.visibility == null || body.visibility === "" ? "public" : String(body.visibility);
  checkText(text);
  if (!VISIBILITIES.includes(visibility)) throw new ApiError(422, "Validation failed: Visibility is not included in the list");
  let parent = null;
  if (body.in_reply_to_id != null && body.in_reply_to_id !== "") {
    parent = statuses.get(String(body.in_reply_to_id));
    if (parent == null || !mayShow(parent, name)) throw new ApiError(404, "The post you are trying to reply to does not appear to exist.");
  }
  const { html, mentioned, tags } = await format(text, name);
  const id = newId();
  const s = {
    id, uri: `${userUri(name)}/statuses/${id}`, accountId: localAccount(name).id, local: name, source: text,
    write: {
      html, mentioned, tags, visibility, inReplyTo: parent?.uri ?? null, language: String(body.language || "en"),
      spoiler: String(body.spoiler_text ?? ""), published: new Date().toISOString(), updated: null,
    },
  };
  await reparse(s);
  statuses.set(s.id, s);
  statusByUri.set(s.uri, s);
  per[name].home.unshift(s.id);
  deliverLocally(s, new Set(["*"]));
  await distribute(s, new Create({
    id: new URL(`${s.uri}/activity`), actor: new URL(userUri(name)), object: s.obj,
    published: s.obj.published, tos: s.obj.toIds, ccs: s.obj.ccIds,
  }));
  return statusEntity(s, name);
}

// The viewer's own status ID, or Mastodon's 404 (Status.where(account: current_account)).
function ownStatus(name, id) {
  const s = statuses.get(id);
  if (s == null || s.local !== name || s.deleted) throw notFound();
  return s;
}

// PUT /api/v1/statuses/:id (UpdateStatusService): new text (and mentions), same audience.
async function editStatus(name, id, body) {
  const s = ownStatus(name, id);
  const text = String(body.status ?? s.source);
  checkText(text);
  const { html, mentioned, tags } = await format(text, name);
  const known = new Set(s.write.mentioned.map((a) => a.uri)); // mentions are only ever added
  Object.assign(s.write, {
    html, tags, mentioned: s.write.mentioned.concat(mentioned.filter((a) => !known.has(a.uri))),
    spoiler: body.spoiler_text == null ? s.write.spoiler : String(body.spoiler_text),
    language: body.language ? String(body.language) : s.write.language, updated: new Date().toISOString(),
  });
  s.source = text;
  await reparse(s);
  await distribute(s, new Update({
    id: new URL(`${s.uri}#updates/${Date.parse(s.write.updated)}`), actor: new URL(userUri(name)), object: s.obj,
    published: s.obj.updated, tos: s.obj.toIds, ccs: s.obj.ccIds,
  }));
  return statusEntity(s, name);
}

// DELETE /api/v1/statuses/:id (RemoveStatusService): the status with its source text (for
// "delete and redraft"), then gone; Delete(Tombstone) to whom the Create went.
async function deleteStatus(name, id) {
  const s = ownStatus(name, id);
  const entity = { ...statusEntity(s, name), text: s.source };
  s.deleted = true;
  for (const me of Object.values(per)) {
    me.home = me.home.filter((x) => x !== s.id);
    me.notifications = me.notifications.filter((n) => n.statusId !== s.id);
  }
  await distribute(s, new Delete({
    id: new URL(`${s.uri}#delete`), actor: new URL(userUri(name)),
    object: new Tombstone({ id: new URL(s.uri) }), to: new URL(PUBLIC),
  }));
  return entity;
}

// The statuses above and below S that VIEWER may see (StatusesController#context).
function contextOf(s, viewer) {
  const ancestors = [];
  const seen = new Set([s.id]);
  for (let p = statusByUri.get(s.parsed.in_reply_to); p && !seen.has(p.id); p = statusByUri.get(p.parsed.in_reply_to)) {
    seen.add(p.id);
    ancestors.unshift(p);
  }
  const descendants = [];
  const walk = (parent) => {
    for (const c of statuses.values()) {
      if (c.parsed?.in_reply_to === parent.uri && !seen.has(c.id)) {
        seen.add(c.id);
        descendants.push(c);
        walk(c);
      }
    }
  };
  walk(s);
  const show = (list) => list.filter((x) => mayShow(x, viewer)).map((x) => statusEntity(x, viewer));
  return { ancestors: show(ancestors), descendants: show(descendants) };
}

// GET /api/v1/conversations: the direct statuses VIEWER wrote or was mentioned in, one
// conversation per thread root, newest last status first.
function conversationsOf(viewer) {
  const byRoot = new Map();
  for (const s of statuses.values()) {
    if (s.parsed?.visibility !== "direct" || !mayShow(s, viewer)) continue;
    let root = s;
    for (let p = statusByUri.get(root.parsed.in_reply_to); p && p !== s; p = statusByUri.get(p.parsed.in_reply_to)) root = p;
    const c = byRoot.get(root.id) ?? { id: root.id, statuses: [] };
    c.statuses.push(s);
    byRoot.set(root.id, c);
  }
  return [...byRoot.values()].map((c) => {
    const last = c.statuses.reduce((a, b) => (Date.parse(b.parsed.created_at) >= Date.parse(a.parsed.created_at) ? b : a));
    const people = new Map();
    for (const s of c.statuses) {
      people.set(accounts.get(s.accountId).uri, accounts.get(s.accountId));
      for (const m of s.parsed.mentions) if (accounts.has(m.id)) people.set(m.uri, accounts.get(m.id));
    }
    people.delete(userUri(viewer));
    return { id: c.id, unread: last.local !== viewer, accounts: [...people.values()].map((a) => a.entity), last_status: statusEntity(last, viewer) };
  }).sort((a, b) => Date.parse(b.last_status.created_at) - Date.parse(a.last_status.created_at));
}

// A local Note at its id, as Mastodon serves it: public and unlisted to anyone, others to
// a signed fetch by an addressee (or, private, a follower); a deleted one is 410 Gone.
federation
  .setObjectDispatcher(Note, "/users/{identifier}/statuses/{id}", (_ctx, v) => {
    const s = statuses.get(v.id);
    return s && s.local === v.identifier && !s.deleted ? s.obj : null;
  })
  .authorize(async (ctx, v) => {
    const s = statuses.get(v.id);
    if (s == null || s.deleted || s.local !== v.identifier) return true; // 404 follows
    if (s.write.visibility === "public" || s.write.visibility === "unlisted") return true;
    const owner = await ctx.getSignedKeyOwner({ documentLoader: await loaderOf(s.local) }).catch(() => null);
    const who = owner?.id?.href;
    if (who == null) return false;
    if (s.write.mentioned.some((a) => a.uri === who)) return true;
    return s.write.visibility === "private" && per[s.local].followers.has(who);
  });

// ---------------------------------------------------------------- search

async function resolve(q, viewer) {
  const out = { accounts: [], statuses: [], hashtags: [] };
  if (viewer == null) return out; // Mastodon resolves remote URLs for signed-in users only
  const loader = await loaderOf(viewer);
  const handle = /^@?[^@\s/]+@[^@\s/]+$/.test(q) ? `acct:${q.replace(/^@/, "")}` : q;
  let obj = null;
  let raw = null;
  try {
    if (handle.startsWith("acct:")) obj = await ctxOf().lookupObject(handle, { documentLoader: loader });
    else {
      ({ document: raw } = await loader(q));
      obj = await vocab.Object.fromJsonLd(raw, { documentLoader: loader, contextLoader: ctxOf().contextLoader });
    }
  } catch (error) {
    log.info("search: {q} not resolved: {error}", { q, error: String(error) });
    return out;
  }
  if (obj != null && vocab.isActor(obj)) out.accounts.push((await storeActor(obj, loader)).entity);
  else if (obj instanceof Note || obj instanceof Question) {
    const s = await storeStatus(obj, raw, loader);
    if (mayShow(s, viewer)) out.statuses.push(statusEntity(s, viewer));
  }
  return out;
}

// ---------------------------------------------------------------- Mastodon client API

function viewerOf(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  if (m == null) return null;
  const name = Object.keys(per).find((n) => USERS[n].token === m[1]);
  if (name == null) throw new ApiError(401, "The access token is invalid");
  return name;
}
function needUser(viewer) {
  if (viewer == null) throw new ApiError(401, "The access token is invalid");
  return viewer;
}
function accountById(id) {
  const a = accounts.get(id);
  if (a == null) throw notFound();
  return a;
}
function listOf(ids, viewer) {
  return ids.map((id) => statuses.get(id)).filter((s) => s && mayShow(s, viewer)).map((s) => statusEntity(s, viewer));
}

async function api(method, path, query, body, viewer) {
  let m;
  if (method === "GET" && path === "/api/v1/instance") {
    return {
      uri: DOMAIN, title: "The citizen's server", short_description: "", description: "", email: "",
      version: "4.3.0 (compatible; Herald citizen facade)", urls: {}, stats: { user_count: 2, status_count: 0, domain_count: 1 },
      thumbnail: null, languages: ["en"], registrations: false, approval_required: false, invites_enabled: false,
      configuration: { statuses: { max_characters: 500, max_media_attachments: 4 }, polls: { max_options: 4 } }, contact_account: null, rules: [],
    };
  }
  if (method === "GET" && path === "/api/v1/accounts/verify_credentials") return { ...localAccount(needUser(viewer)).entity, source: { privacy: "public", sensitive: false, language: null, note: "", fields: [] } };
  if (method === "GET" && path === "/api/v1/accounts/lookup") {
    const acct = String(query.get("acct") ?? "").replace(/^@/, "");
    const local = acct.endsWith(`@${DOMAIN}`) ? acct.slice(0, -DOMAIN.length - 1) : acct;
    if (per[local]) return localAccount(local).entity;
    const hit = [...accounts.values()].find((a) => a.entity?.acct === acct);
    if (hit == null) throw notFound();
    return hit.entity;
  }
  if (method === "GET" && path === "/api/v1/accounts/relationships") {
    const me = needUser(viewer);
    return query.getAll("id[]").concat(query.getAll("id")).filter((id) => accounts.has(id)).map((id) => relationship(me, accounts.get(id)));
  }
  if ((m = /^\/api\/v1\/accounts\/(\d+)(\/statuses|\/follow|\/unfollow)?$/.exec(path))) {
    const acc = accountById(m[1]);
    if (method === "GET" && m[2] == null) return acc.entity;
    if (method === "GET" && m[2] === "/statuses") return listOf([...statuses.values()].filter((s) => s.accountId === acc.id).map((s) => s.id).reverse(), viewer);
    if (method === "POST" && m[2] === "/follow") return follow(needUser(viewer), acc);
    if (method === "POST" && m[2] === "/unfollow") return unfollow(needUser(viewer), acc);
  }
  if (method === "GET" && path === "/api/v2/search") {
    const q = String(query.get("q") ?? "").trim();
    if (q === "") return { accounts: [], statuses: [], hashtags: [] };
    return query.get("resolve") === "true" ? resolve(q, viewer) : { accounts: [], statuses: [], hashtags: [] };
  }
  if (method === "GET" && path === "/api/v1/timelines/home") return listOf(per[needUser(viewer)].home, viewer);
  if (method === "GET" && path === "/api/v1/notifications") {
    return per[needUser(viewer)].notifications.filter((n) => statuses.has(n.statusId)).map((n) => ({
      id: n.id, type: n.type, created_at: n.created_at, account: accounts.get(n.accountId).entity,
      status: statusEntity(statuses.get(n.statusId), viewer),
    }));
  }
  if (method === "POST" && path === "/api/v1/statuses") return postStatus(needUser(viewer), body);
  if (method === "GET" && path === "/api/v1/conversations") return conversationsOf(needUser(viewer));
  if ((m = /^\/api\/v1\/statuses\/(\d+)\/context$/.exec(path)) && method === "GET") {
    return contextOf(await visibleStatus(m[1], viewer), viewer);
  }
  if ((m = /^\/api\/v1\/statuses\/(\d+)(\/favourite|\/unfavourite|\/reblog|\/unreblog)?$/.exec(path))) {
    if (method === "GET" && m[2] == null) return statusEntity(await visibleStatus(m[1], viewer), viewer);
    if (method === "PUT" && m[2] == null) return editStatus(needUser(viewer), m[1], body);
    if (method === "DELETE" && m[2] == null) return deleteStatus(needUser(viewer), m[1]);
    if (method === "POST" && m[2] != null) {
      const me = needUser(viewer);
      return react(me, await visibleStatus(m[1], me), m[2].slice(1));
    }
  }
  if ((m = /^\/api\/v1\/polls\/(\d+)(\/votes)?$/.exec(path))) {
    const s = await visibleStatus(m[1], viewer);
    if (s.parsed.poll == null) throw notFound();
    if (method === "GET" && m[2] == null) return statusEntity(s, viewer).poll;
    if (method === "POST" && m[2] != null) return vote(needUser(viewer), s, body);
  }
  throw notFound();
}

// ---------------------------------------------------------------- HTTP server

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 1 << 20) throw new ApiError(413, "body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseBody(req, buf) {
  if (buf.length === 0) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("application/json")) return JSON.parse(buf.toString("utf8"));
  const out = {};
  for (const [k, v] of new URLSearchParams(buf.toString("utf8"))) {
    const key = k.replace(/\[\]$/, "");
    out[key] = k.endsWith("[]") ? [].concat(out[key] ?? [], v) : v;
  }
  return out;
}

async function control(req, res, path, buf) {
  if (req.method === "GET" && path === "/_control/received") return json(res, 200, received);
  if (req.method === "GET" && path === "/_control/sent") return json(res, 200, sent);
  if (req.method === "GET" && path === "/_control/fetch") {
    const q = new URL(req.url, ORIGIN).searchParams;
    const name = q.get("as");
    if (!per[name] || !q.get("url")) return json(res, 400, { error: "as (a local user) and url required" });
    const pair = (await ctxOf().getActorKeyPairs(name))[0];
    const signed = await signRequest(new Request(q.get("url"), { headers: { Accept: "application/activity+json" } }),
      pair.privateKey, pair.keyId, { spec: "draft-cavage-http-signatures-12" });
    const r = await fetch(signed);
    await r.arrayBuffer();
    return json(res, 200, { status: r.status });
  }
  if (req.method === "POST" && path === "/_control/raw-vote") {
    const b = JSON.parse(buf.toString("utf8") || "{}");
    const s = statusByUri.get(b.question);
    if (s == null || !per[b.signer] || !per[b.attributedTo]) return json(res, 400, { error: "signer, attributedTo (local users) and a known question required" });
    try {
      await sendVote(b.signer, b.attributedTo, s, String(b.name));
      return json(res, 200, { delivered: true });
    } catch (error) {
      return json(res, 200, { delivered: false, error: String(error?.message ?? error) });
    }
  }
  return json(res, 404, { error: "unknown control endpoint" });
}

async function handle(req, res) {
  const url = new URL(req.url ?? "/", ORIGIN);
  const buf = await readBody(req);
  if (url.pathname.startsWith("/_control/")) return control(req, res, url.pathname, buf);
  const gone = /^\/users\/([^/]+)\/statuses\/(\d+)$/.exec(url.pathname);
  if (gone && statuses.get(gone[2])?.deleted && statuses.get(gone[2]).local === gone[1]) {
    // a deleted status: 410 with its Tombstone, as Mastodon answers
    return json(res, 410, { "@context": "https://www.w3.org/ns/activitystreams", id: statuses.get(gone[2]).uri, type: "Tombstone" });
  }
  if (url.pathname.startsWith("/api/")) {
    try {
      const viewer = viewerOf(req);
      let body;
      try {
        body = parseBody(req, buf);
      } catch {
        throw new ApiError(400, "Error while parsing request body");
      }
      const out = await api(req.method, url.pathname, url.searchParams, body, viewer);
      log.info("{method} {path} {viewer} -> 200", { method: req.method, path: url.pathname, viewer: viewer ?? "anonymous" });
      return json(res, 200, out);
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500;
      log.info("{method} {path} -> {status} {error}", { method: req.method, path: url.pathname, status, error: String(error?.stack ?? error) });
      return json(res, status, { error: error instanceof ApiError ? error.message : String(error) });
    }
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const init = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD" && buf.length > 0) init.body = buf;
  const contextData = {};
  if (req.method === "POST") {
    try {
      contextData.rawJson = JSON.parse(buf.toString("utf8"));
    } catch { /* Fedify answers 400 itself */ }
  }
  const response = await federation.fetch(new Request(url, init), { contextData });
  const out = Buffer.from(await response.arrayBuffer());
  const h = {};
  response.headers.forEach((v, k) => {
    if (k !== "content-length" && k !== "transfer-encoding" && k !== "content-encoding") h[k] = v;
  });
  h["content-length"] = String(out.length);
  log.info("<- {method} {url} => {status}", { method: req.method, url: req.url, status: response.status });
  res.writeHead(response.status, h);
  res.end(out);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    log.error("request {method} {url} failed: {error}", { method: req.method, url: req.url, error: String(error?.stack ?? error) });
    if (!res.headersSent) json(res, 500, { error: String(error) });
    else res.end();
  });
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
server.listen(PORT, HOST, () => {
  for (const name of Object.keys(per)) localAccount(name);
  log.info("citizen's server on {origin}", { origin: ORIGIN });
  process.stdout.write("ready\n");
});
