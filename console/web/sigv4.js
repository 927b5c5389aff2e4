// AWS Signature Version 4 in the browser, for the console's requests to
// Basalt (the DynamoDB API, GET /metrics, GET /basalt/report, the report
// page). The secret stays in this tab's sessionStorage and in memory; it is
// never put in a URL. HMAC-SHA256 comes from WebCrypto where the page is a
// secure context (https:, or http://127.0.0.1 and localhost); elsewhere,
// from the SHA-256 below (FIPS 180-4), so the console also signs over plain
// HTTP to another host.

const encoder = new TextEncoder();

function bytes(data) {
  return typeof data === "string" ? encoder.encode(data) : new Uint8Array(data);
}

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// SHA-256 of bytes, in JavaScript.
export function sha256Js(data) {
  const msg = bytes(data);
  const padded = new Uint8Array(Math.ceil((msg.length + 9) / 64) * 64);
  padded.set(msg);
  padded[msg.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(msg.length / 0x20000000));
  view.setUint32(padded.length - 4, (msg.length * 8) >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  const out = new DataView(new ArrayBuffer(32));
  h.forEach((v, i) => out.setUint32(4 * i, v));
  return new Uint8Array(out.buffer);
}

// HMAC-SHA256 (RFC 2104) over sha256Js.
export function hmacJs(key, data) {
  let k = bytes(key);
  if (k.length > 64) k = sha256Js(k);
  const inner = new Uint8Array(64 + bytes(data).length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = (k[i] || 0) ^ 0x36;
    outer[i] = (k[i] || 0) ^ 0x5c;
  }
  inner.set(bytes(data), 64);
  outer.set(sha256Js(inner), 64);
  return sha256Js(outer);
}

const subtle = globalThis.crypto && globalThis.crypto.subtle;

async function sha256(data) {
  return subtle ? new Uint8Array(await subtle.digest("SHA-256", bytes(data))) : sha256Js(data);
}

async function hmac(key, data) {
  if (!subtle) return hmacJs(key, data);
  const k = await subtle.importKey("raw", bytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, bytes(data)));
}

// RFC 3986 unreserved characters kept, everything else %XX (SigV4's UriEncode).
function uriEncode(s) {
  return Array.from(encoder.encode(s), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-._~]/.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }).join("");
}

function canonicalQuery(query) {
  return query
    .split("&")
    .filter((p) => p)
    .map((p) => {
      const eq = p.indexOf("=");
      const dec = (s) => decodeURIComponent(s.replace(/\+/g, " "));
      return eq < 0 ? [uriEncode(dec(p)), ""] : [uriEncode(dec(p.slice(0, eq))), uriEncode(dec(p.slice(eq + 1)))];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

// The headers that sign a request: {Authorization, X-Amz-Date} plus those
// given. `target` is the path and query as sent; `host` the Host header the
// browser will send (location.host). `now` is a Date.
export async function sign({ method, target, host, headers = {}, body = "", accessKeyId, secretAccessKey, region,
                             now = new Date() }) {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host, "x-amz-date": amzDate };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const value = (n) => String(Object.entries(all).find(([k]) => k.toLowerCase() === n)[1]).trim().replace(/\s+/g, " ");
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q + 1);
  const canonical = [
    method,
    path.split("/").map(uriEncode).join("/") || "/",  // as Basalt encodes the path as sent
    canonicalQuery(query),
    names.map((n) => `${n}:${value(n)}\n`).join(""),
    names.join(";"),
    hex(await sha256(body)),
  ].join("\n");
  const scope = `${day}/${region}/dynamodb/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(await sha256(canonical))].join("\n");
  let key = await hmac("AWS4" + secretAccessKey, day);
  for (const part of [region, "dynamodb", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    ...headers,
    "X-Amz-Date": amzDate,
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, ` +
      `Signature=${signature}`,
  };
}
