// tests/interop/masto/client.mjs - what a Mastodon client sees: masto.js (pinned in
// package-lock.json) pointed at a Herald instance, reading only the public client API.
//   node client.mjs BASE_URL OUT.json
// Looks up each account of test_masto.sh by acct and by id, reads the official's posts and
// one of them, both instance documents and a missing account; writes what the library
// returned (its camelCase entities) as one JSON document. Exit 1 when a call that should
// succeed throws.
import { writeFileSync } from "node:fs";
import { createRestAPIClient } from "masto";

const [url, outFile] = process.argv.slice(2);
const masto = createRestAPIClient({ url });
const out = { accounts: {} };

out.instance = await masto.v1.instance.fetch();
out.instanceV2 = await masto.v2.instance.fetch();
for (const acct of ["health", "roads", "mayor", "alerts", "stray"]) {
  out.accounts[acct] = await masto.v1.accounts.lookup({ acct });
}
out.byId = await masto.v1.accounts.$select("mayor").fetch();
out.statuses = await masto.v1.accounts.$select("mayor").statuses.list();
out.status = await masto.v1.statuses.$select(out.statuses[0].id).fetch();
try {
  await masto.v1.accounts.lookup({ acct: "nobody" });
  out.missing = { found: true };
} catch (e) {
  out.missing = { statusCode: e.statusCode, message: e.message };
}
writeFileSync(outFile, JSON.stringify(out, null, 2));
