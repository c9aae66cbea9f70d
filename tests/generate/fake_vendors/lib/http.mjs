// Small HTTP helpers shared by the fake vendors: JSON replies, ids, the request context.
import { randomBytes, randomUUID } from "node:crypto";

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res, status, text, contentType = "text/plain; charset=utf-8", headers = {}) {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

// Reads the whole request body, refusing more than MAX_BODY_BYTES.
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error("request body too large"), { tooLarge: true }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export const uuid = () => randomUUID();
export const hex = (bytes) => randomBytes(bytes).toString("hex");
// A decimal id like Kling's and MiniMax's ("866889456698785798").
export const digits = (n) => {
  let s = String(1 + (randomBytes(1)[0] % 9));
  while (s.length < n) s += String(randomBytes(1)[0] % 10);
  return s;
};

// The bearer credential of an Authorization header with the given scheme, or null.
export function credential(req, scheme = "Bearer") {
  const h = req.headers["authorization"];
  if (typeof h !== "string") return null;
  const m = /^(\S+) (.+)$/.exec(h);
  if (!m || m[1].toLowerCase() !== scheme.toLowerCase()) return null;
  return m[2];
}

// "http://host:port" as the client addressed us, so URLs we hand out point back at this server
// even after a restart on another port.
export function origin(req) {
  return `http://${req.headers.host ?? "127.0.0.1"}`;
}
