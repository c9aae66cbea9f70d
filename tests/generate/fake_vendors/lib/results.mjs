// Result files: the URLs handed out in task replies and the download endpoint behind them, with
// the faults a test can ask for (expired, 5xx, truncated, not a video, redirects, huge).
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { hex, origin, sendJson, sendText } from "./http.mjs";

const PRESET_URLS = {
  private: () => "http://10.255.255.1/x.mp4",
  metadata: () => "http://169.254.169.254/latest/meta-data/",
  file: () => "file:///etc/passwd",
  ftp: () => "ftp://127.0.0.1/x.mp4",
};

// The signed download URL of a task's result, unless the behaviour replaces it.
//   refresh: a fresh URL on every call (the vendor lets a client fetch the task again for one)
//   expires: unix seconds (fake clock) when the URL stops working
export function resultUrl(ctx, task, { refresh, expires, build = null }) {
  const preset = task.behaviour.result_url;
  if (preset && PRESET_URLS[preset]) return PRESET_URLS[preset]();
  if (preset && preset !== "ipv6-loopback") return preset;
  const entry = ctx.store.fileToken(task, { refresh, expires });
  let base = origin(ctx.req);
  if (preset === "ipv6-loopback") base = `http://[::1]:${ctx.req.socket.localPort}`;
  if (build) return build(base, entry);
  return `${base}/files/${entry.token}.mp4?Expires=${entry.expires}&Signature=${ctx.store.sign(entry.token, entry.expires)}`;
}

// ---- how each vendor's storage refuses a download ----
// oss: Alibaba OSS; s3: S3-compatible (CloudFront, TOS); google: Gemini Files API;
// gcs: Cloud Storage JSON API; cdn: a plain CDN 404.
export function storageError(res, style, reason, name = "object") {
  const xml = (status, code, message) =>
    sendText(
      res,
      status,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>${hex(12).toUpperCase()}</RequestId>\n</Error>\n`,
      "application/xml",
    );
  if (style === "oss" || style === "s3") {
    if (reason === "expired") return xml(403, "AccessDenied", "Request has expired.");
    if (reason === "signature") return xml(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    return xml(404, "NoSuchKey", "The specified key does not exist.");
  }
  if (style === "google") {
    if (reason === "signature") return sendJson(res, 403, { error: { code: 403, message: "The caller does not have permission", status: "PERMISSION_DENIED" } });
    return sendJson(res, 404, { error: { code: 404, message: `File ${name} not found.`, status: "NOT_FOUND" } });
  }
  if (style === "gcs") {
    return sendJson(res, 404, { error: { code: 404, message: `No such object: ${name}`, errors: [{ message: `No such object: ${name}`, domain: "global", reason: "notFound" }] } });
  }
  return sendText(res, 404, "Not Found");
}

// Serves the result file behind `token`. `checkSignature`: the URL carries Expires/Signature that
// must match what we handed out (a client that rewrites the query string gets a refusal).
export function serveFile(ctx, token, { style, checkSignature = true, extraDead = false }) {
  const { store, res, req, query } = ctx;
  const entry = store.tokens[token];
  if (!entry) return storageError(res, style, "missing", token);
  if (checkSignature) {
    const expires = query.get("Expires");
    if (expires !== String(entry.expires) || query.get("Signature") !== store.sign(entry.token, entry.expires)) return storageError(res, style, "signature", token);
  }
  const task = store.tasks[entry.task];
  if (entry.dead || extraDead || store.now() > entry.expires * 1000) return storageError(res, style, "expired", token);
  ctx.log.served_task = task.id;
  const b = task.behaviour;
  if (task.download_5xx_left > 0) {
    task.download_5xx_left--;
    store.save();
    return sendText(res, b.status_5xx, "Service Unavailable");
  }
  const hop = Number(query.get("hop") ?? 0);
  if (hop < b.redirects) {
    const next = new URL(req.url, origin(req));
    next.searchParams.set("hop", String(hop + 1));
    res.writeHead(302, { Location: next.toString(), "Content-Length": 0 });
    return res.end();
  }
  if (b.not_video === "html") return sendText(res, 200, "<!doctype html><html><body><h1>Access denied</h1></body></html>", "text/html; charset=utf-8");
  if (b.not_video === "text") return sendText(res, 200, "this is not a video\n", "text/plain; charset=utf-8");
  if (b.huge_bytes > 0) return streamHuge(req, res, b.huge_bytes, b.huge_chunked);

  const name = b.media ?? ctx.config.defaultMedia;
  const file = path.join(ctx.config.mediaDir, name);
  if (!existsSync(file)) return sendText(res, 500, `fake_vendors: media file ${name} is not in ${ctx.config.mediaDir}`);
  const size = statSync(file).size;
  res.writeHead(200, { "Content-Type": "video/mp4", "Content-Length": size });
  if (req.method === "HEAD") return res.end();
  if (b.truncate) {
    // Promise all the bytes, send half, then drop the connection.
    const half = Math.max(1, Math.floor(size / 2));
    const stream = createReadStream(file, { start: 0, end: half - 1 });
    stream.on("data", (chunk) => res.write(chunk));
    stream.on("end", () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  createReadStream(file).pipe(res);
}

// Streams `total` bytes (an MP4-looking header, then filler), stopping if the client goes away.
function streamHuge(req, res, total, chunked) {
  const headers = { "Content-Type": "video/mp4" };
  if (!chunked) headers["Content-Length"] = total;
  res.writeHead(200, headers);
  if (req.method === "HEAD") return res.end();
  const chunk = Buffer.alloc(64 * 1024, 0);
  chunk.write("\x00\x00\x00\x18ftypisom", 0, "latin1");
  let sent = 0;
  let closed = false;
  res.on("close", () => (closed = true));
  const pump = () => {
    while (!closed && sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once("drain", pump);
    }
    if (!closed) res.end();
  };
  pump();
}
