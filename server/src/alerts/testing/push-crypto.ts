/**
 * Test-only: the browser's half of Web Push, written from the RFCs with node:crypto and nothing
 * from web-push, so a test that decrypts what the channel sent proves the encryption is real.
 *
 * - `decryptAes128gcm`: RFC 8291 §3.3–3.4 key derivation, RFC 8188 §2 record format.
 * - `verifyVapid`: RFC 8292 §2–3, the `vapid t=<JWT>, k=<key>` scheme with an ES256 JWT.
 */
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  type ECDH,
  randomBytes,
  verify,
} from "node:crypto";

/** A browser subscription's key material: the P-256 key pair and the 16-byte auth secret. */
export interface UserAgentKeys {
  ecdh: ECDH;
  p256dh: string;
  auth: string;
}

export function userAgentKeys(): UserAgentKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    ecdh,
    p256dh: ecdh.getPublicKey().toString("base64url"),
    auth: randomBytes(16).toString("base64url"),
  };
}

const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();

export function decryptAes128gcm(body: Buffer, keys: UserAgentKeys): string {
  // RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen bytes).
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idLength); // RFC 8291 §4: keyid is the sender's public key
  const records = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`keyid is ${idLength} bytes, expected a 65-byte P-256 point`);
  if (records.length > recordSize) throw new Error("expected a single record");

  // RFC 8291 §3.3–3.4.
  const uaPublic = keys.ecdh.getPublicKey();
  const ecdhSecret = keys.ecdh.computeSecret(asPublic);
  const authSecret = Buffer.from(keys.auth, "base64url");
  const prkKey = hmac(authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), uaPublic, asPublic, Buffer.of(1)]);
  const ikm = hmac(prkKey, keyInfo);
  // RFC 8188 §2.2–2.3.
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "latin1")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "latin1")).subarray(0, 12);
  // Record 0: the nonce is XORed with the sequence number 0, i.e. used as is.
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // Padding: the content, a delimiter (2 for the last record), then zeros.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("last record must end with padding delimiter 0x02");
  return padded.subarray(0, end).toString("utf8");
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Checks the Authorization header's JWT against its own `k` key and returns the claims. */
export function verifyVapid(authorization: string | undefined): { claims: VapidClaims; publicKey: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a vapid Authorization header: ${authorization}`);
  const [, token, k] = match as unknown as [string, string, string];
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const jose = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  if (jose.alg !== "ES256") throw new Error(`alg ${jose.alg}, expected ES256`);
  const point = Buffer.from(k, "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const signed = Buffer.from(`${header}.${payload}`);
  const ok = verify(
    "sha256",
    signed,
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!ok) throw new Error("VAPID JWT signature does not verify");
  return { claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), publicKey: k };
}
