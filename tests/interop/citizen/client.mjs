// tests/interop/citizen/client.mjs - one Mastodon client call through masto.js (pinned in
// package-lock.json), as an app on the citizen's server would make it.
//   node client.mjs BASE_URL TOKEN|- OUT.json CALL [ARG...]
// Writes {"value": ENTITY} (masto.js's camelCase entities) or, when masto.js throws,
// {"error": {"statusCode", "message"}}; exits 0 either way (the test asserts), 2 on usage.
import { writeFileSync } from "node:fs";
import { createRestAPIClient } from "masto";

const [url, token, outFile, call, ...args] = process.argv.slice(2);
const masto = createRestAPIClient({ url, accessToken: token === "-" ? undefined : token });
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
};
if (calls[call] == null) {
  process.stderr.write(`client.mjs: unknown call ${call}\n`);
  process.exit(2);
}
let out;
try {
  out = { value: await calls[call](...args) };
} catch (e) {
  out = { error: { statusCode: e.statusCode ?? null, message: e.message } };
}
writeFileSync(outFile, JSON.stringify(out, null, 2));
