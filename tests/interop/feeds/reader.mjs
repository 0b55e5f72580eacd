// tests/interop/feeds/reader.mjs - reads Herald's feeds the way a feed reader does, with an
// independent parser (@rowanmanning/feed-parser, pinned in package-lock.json), and checks
// what it understood against what test_feeds.sh published.
//
//   node reader.mjs EXPECT.json
//
// EXPECT: {"base", "handle", "feeds": [{"path", "format": "rss"|"atom", "title", "url",
// "items": [{"id", "url", "title", "tags": [...], "image": {"alt"} | null, "author"}]}]}
// (items newest first). Prints one "ok: ..." or "FAIL: ..." line per check; exit 1 on a
// failure. Nothing but the Herald under test (loopback) is fetched.
import { readFileSync } from 'node:fs';
import { parseFeed } from '@rowanmanning/feed-parser';

const expect = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let failed = 0;
const check = (what, ok, detail = '') => {
    if (ok) console.log(`ok: ${what}`);
    else {
        failed++;
        console.log(`FAIL: ${what}${detail ? `: ${detail}` : ''}`);
    }
};
const eq = (what, want, got) =>
    check(what, JSON.stringify(want) === JSON.stringify(got),
        `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);

async function readFeed(f) {
    const res = await fetch(expect.base + f.path);
    eq(`${f.path}: 200`, 200, res.status);
    let feed;
    try {
        feed = parseFeed(await res.text());
    } catch (e) {
        check(`${f.path}: the parser reads it`, false, String(e));
        return;
    }
    eq(`${f.path}: read as ${f.format}`, f.format, feed.meta.type);
    eq(`${f.path}: title`, f.title, feed.title);
    eq(`${f.path}: link to the page`, f.url, feed.url);
    eq(`${f.path}: self link`, expect.base + f.path, feed.self);
    check(`${f.path}: an update date`, feed.updated instanceof Date && !isNaN(feed.updated),
        String(feed.updated));
    if (f.image) check(`${f.path}: the avatar as image`, feed.image?.url?.startsWith(`${expect.base}/media/`),
        JSON.stringify(feed.image));
    eq(`${f.path}: item count`, f.items.length, feed.items.length);
    eq(`${f.path}: ids (the ActivityPub ids), newest first`, f.items.map((i) => i.id),
        feed.items.map((i) => i.id));
    eq(`${f.path}: links to the post pages`, f.items.map((i) => i.url), feed.items.map((i) => i.url));
    eq(`${f.path}: titles`, f.items.map((i) => i.title), feed.items.map((i) => i.title));
    const dates = feed.items.map((i) => i.published?.getTime());
    check(`${f.path}: every item has a publication date`, dates.every((d) => Number.isFinite(d)),
        JSON.stringify(dates));
    check(`${f.path}: dates newest first`, dates.every((d, k) => k === 0 || d <= dates[k - 1]),
        JSON.stringify(dates));
    check(`${f.path}: dates are recent`, dates.every((d) => Math.abs(Date.now() - d) < 86400e3),
        JSON.stringify(dates));
    f.items.forEach((want, k) => readItem(f.path, want, feed.items[k]));
}

function readItem(path, want, got) {
    if (got === undefined) return;
    const what = `${path} ${want.title}`;
    eq(`${what}: categories`, want.tags, got.categories.map((c) => c.term));
    // "Display Name (@name@domain)": RSS readers take the part in parentheses for a contact
    check(`${what}: author names the account by its handle`,
        got.authors.some((a) => `${a.name} ${a.email}`.includes(want.author)), JSON.stringify(got.authors));
    check(`${what}: content`, typeof (got.content ?? got.description) === 'string' &&
        (got.content ?? got.description).length > 0);
    if (want.image) {
        const m = got.media.find((x) => x.url?.startsWith(`${expect.base}/media/`));
        check(`${what}: the image as enclosure`, m !== undefined, JSON.stringify(got.media));
        check(`${what}: the enclosure's type`, m?.mimeType?.startsWith('image/'), m?.mimeType);
        check(`${what}: the enclosure's length`, m?.length > 0, String(m?.length));
    } else {
        eq(`${what}: no enclosure`, 0, got.media.length);
    }
}

for (const f of expect.feeds) await readFeed(f);
process.exit(failed ? 1 : 0);
