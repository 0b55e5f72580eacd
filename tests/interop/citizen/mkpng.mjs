// tests/interop/citizen/mkpng.mjs - writes a small valid RGB PNG (a colour gradient) for
// test_citizen.sh, with Node's zlib only (no image library is needed by the tests).
//   node mkpng.mjs WIDTH HEIGHT OUT.png
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const [w, h, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(w, 0);
ihdr.writeUInt32BE(h, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 2; // colour type: RGB
const rows = [];
for (let y = 0; y < h; y++) {
  const row = Buffer.alloc(1 + 3 * w);
  for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, 128], 1 + 3 * x);
  rows.push(row);
}
writeFileSync(out, Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0)),
]));
