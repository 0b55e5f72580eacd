// tests/interop/attest_fedify.mjs - Fedify (an independent implementation) checks the
// FEP-8b32 proof of a Herald attestation: the key is fetched from the issuer actor's
// assertionMethod by Fedify's own loader, and a changed copy must fail.
//
// Usage: node attest_fedify.mjs ATTESTATION_URL   (loopback testing: private addresses allowed)
// Prints one JSON line {"verified":bool,"key":...,"tampered_verified":bool}; exit 0 only when
// the attestation verifies and the tampered copy does not.
globalThis.navigator ??= { userAgent: "node" };

const { verifyProof } = await import("@fedify/fedify");
const { DataIntegrityProof } = await import("@fedify/fedify/vocab");
const { getDocumentLoader } = await import("@fedify/vocab-runtime");

const url = process.argv[2];
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const opts = { documentLoader, contextLoader: documentLoader };

const res = await fetch(url, { headers: { Accept: "application/ld+json" } });
const doc = await res.json();
const proof = await DataIntegrityProof.fromJsonLd(
  { "@context": "https://w3id.org/security/data-integrity/v1", ...doc.proof },
  opts,
);
const key = await verifyProof(doc, proof, opts);
const tampered = structuredClone(doc);
tampered.credentialSubject.name += " (forged)";
const tkey = await verifyProof(tampered, proof, opts);
console.log(JSON.stringify({
  verified: key != null,
  key: key?.id?.href ?? null,
  tampered_verified: tkey != null,
}));
process.exit(key != null && tkey == null ? 0 : 1);
