// tests/interop/citizen/client.mjs - Mastodon client calls through masto.js (pinned in
// package-lock.json), as an app on the citizen's server would make them.
//   node client.mjs BASE_URL
// Reads one call a line on stdin, TOKEN|- CALL [ARG...] separated by tabs, and answers
// each with one line on stdout: {"value": ENTITY} (masto.js's camelCase entities) or, when
// masto.js throws, {"error": {"statusCode", "message"}} (the test asserts either). One
// process for the whole test: starting Node for each call would cost a second or more.
// A line "=<TAB>FILE<TAB>OUT<TAB>EXPR" evaluates EXPR on an answer saved in FILE (evaluate).
// Calls: see `calls` (reading for test_citizen.sh; post/edit/delete/context/conversations
// for test_desk.sh).
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createRestAPIClient } from "masto";

const url = process.argv[2];
const clients = new Map();
const clientOf = (token) => {
  if (!clients.has(token)) clients.set(token, createRestAPIClient({ url, accessToken: token === "-" ? undefined : token }));
  return clients.get(token);
};
let masto;
const calls = {
  instance: () => masto.v1.instance.fetch(),
  me: () => masto.v1.accounts.verifyCredentials(),
  lookup: (acct) => masto.v1.accounts.lookup({ acct }),
  account: (id) => masto.v1.accounts.$select(id).fetch(),
  statuses: (id) => masto.v1.accounts.$select(id).statuses.list(),
  follow: (id) => masto.v1.accounts.$select(id).follow(),
  unfollow: (id) => masto.v1.accounts.$select(id).unfollow(),
  relationship: (id) => masto.v1.accounts.relationships.fetch({ id: [id] }),
  search: (q) => masto.v2.search.list({ q, resolve: true }),
  home: () => masto.v1.timelines.home.list(),
  notifications: () => masto.v1.notifications.list(),
  status: (id) => masto.v1.statuses.$select(id).fetch(),
  favourite: (id) => masto.v1.statuses.$select(id).favourite(),
  unfavourite: (id) => masto.v1.statuses.$select(id).unfavourite(),
  reblog: (id) => masto.v1.statuses.$select(id).reblog(),
  unreblog: (id) => masto.v1.statuses.$select(id).unreblog(),
  poll: (id) => masto.v1.polls.$select(id).fetch(),
  vote: (id, ...choices) => masto.v1.polls.$select(id).votes.create({ choices: choices.map(Number) }),
  // writing (issue #12): post TEXT [KEY=VALUE...] with KEY one of masto.js's create params
  // (visibility, inReplyToId, language, spoilerText); edit ID TEXT; delete ID
  post: (status, ...opts) => masto.v1.statuses.create({ status, ...Object.fromEntries(opts.map((o) => o.split(/=(.*)/s).slice(0, 2))) }),
  edit: (id, status) => masto.v1.statuses.$select(id).update({ status }),
  delete: (id) => masto.v1.statuses.$select(id).remove(),
  context: (id) => masto.v1.statuses.$select(id).context.fetch(),
  conversations: () => masto.v1.conversations.list(),
};
// "=\tFILE\tOUT\tEXPR": the test's reading of an earlier answer: EXPR (JavaScript, `d`
// bound to FILE's JSON) evaluated here rather than in a new Node per assertion; the value
// goes to OUT (strings as they are, other values as JSON, null/undefined/errors as
// nothing) and "." is the line back.
function evaluate(file, expr) {
  let d;
  try {
    d = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    d = undefined;
  }
  let v;
  try {
    v = (0, eval)(`(d) => (${expr})`)(d);
  } catch {
    v = undefined;
  }
  return v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith("=\t")) {
    const [, file, out, ...expr] = line.split("\t");
    writeFileSync(out, evaluate(file, expr.join("\t")));
    process.stdout.write(".\n");
    continue;
  }
  let out;
  try {
    const [token, call, ...args] = line.split("\t");
    if (calls[call] == null) throw new Error(`unknown call ${call}`);
    masto = clientOf(token);
    out = { value: await calls[call](...args) };
  } catch (e) {
    out = { error: { statusCode: e.statusCode ?? null, message: e.message } };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
