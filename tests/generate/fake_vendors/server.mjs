#!/usr/bin/env node
// Fake video-generation vendors for paddock's tests: one loopback HTTP server that speaks the
// documented protocols of DashScope, Ark (Seedance), Kling, Gemini, Vertex AI, Runway, MiniMax,
// xAI, fal and Replicate, each under its own path prefix, plus a control API under /_control/.
// Node 18+ standard library only. See README.md beside this file.
//
//   node server.mjs --media DIR [--port 0] [--key vendor=secret]... [--state FILE] [--default-media NAME]
//
// Prints {"port": N} on stdout when listening; exits on SIGTERM/SIGINT or when stdin (a pipe)
// closes, so a test that dies does not leave it behind.
import { fstatSync, readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { MAX_BODY_BYTES, readBody, sendJson } from "./lib/http.mjs";
import { BehaviourError, Store } from "./lib/store.mjs";
import ark from "./vendors/ark.mjs";
import dashscope from "./vendors/dashscope.mjs";
import fal from "./vendors/fal.mjs";
import { gemini, vertex } from "./vendors/google.mjs";
import kling from "./vendors/kling.mjs";
import minimax from "./vendors/minimax.mjs";
import replicate from "./vendors/replicate.mjs";
import runway from "./vendors/runway.mjs";
import xai from "./vendors/xai.mjs";

const VENDORS = Object.fromEntries([dashscope, ark, kling, gemini, vertex, runway, minimax, xai, fal, replicate].map((m) => [m.name, m]));

// Test keys unless --key or FAKE_VENDOR_KEY_<VENDOR> says otherwise. Kling's is ACCESS:SECRET.
export const DEFAULT_KEYS = {
  dashscope: "sk-test-dashscope",
  ark: "ark-test-key",
  kling: "kling-test-ak:kling-test-sk",
  gemini: "gemini-test-key",
  vertex: "ya29.vertex-test-token",
  runway: "key_test_runway",
  minimax: "minimax-test-key",
  xai: "xai-test-key",
  fal: "fal-test-id:fal-test-secret",
  replicate: "r8_test_replicate",
};

function parseArgs(argv) {
  const opts = { port: 0, media: null, state: null, defaultMedia: null, keys: { ...DEFAULT_KEYS } };
  for (const [vendor] of Object.entries(DEFAULT_KEYS)) {
    const env = process.env[`FAKE_VENDOR_KEY_${vendor.toUpperCase()}`];
    if (env) opts.keys[vendor] = env;
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--port") opts.port = Number(value());
    else if (a === "--media") opts.media = value();
    else if (a === "--state") opts.state = value();
    else if (a === "--default-media") opts.defaultMedia = value();
    else if (a === "--key") {
      const [vendor, ...rest] = value().split("=");
      if (!(vendor in DEFAULT_KEYS) || rest.length === 0) throw new Error(`--key wants vendor=secret with vendor one of ${Object.keys(DEFAULT_KEYS).join(", ")}`);
      opts.keys[vendor] = rest.join("=");
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.media) throw new Error("--media DIR is required");
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error("--port must be 0..65535");
  if (!opts.keys.kling.includes(":")) throw new Error("the kling key must be ACCESS_KEY:SECRET_KEY");
  return opts;
}

// ---- request log: secrets masked, long strings (base64 images) shortened ----

const SECRET_HEADERS = ["authorization", "x-goog-api-key"];

function maskHeaders(headers) {
  const out = {};
  for (const [k, val] of Object.entries(headers)) {
    if (!SECRET_HEADERS.includes(k)) out[k] = val;
    else if (k === "authorization") {
      const m = /^(\S+) (.*)$/.exec(val);
      out[k] = m ? `${m[1]} <redacted ${m[2].length} chars>` : `<redacted ${val.length} chars>`;
    } else out[k] = `<redacted ${val.length} chars>`;
  }
  return out;
}

function shorten(value) {
  if (typeof value === "string") return value.length > 1024 ? `${value.slice(0, 64)}…[${value.length} chars]` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, shorten(x)]));
  return value;
}

function maskedPath(url) {
  return url.searchParams.has("key") ? `${url.pathname}?${[...url.searchParams].map(([k, x]) => `${k}=${k === "key" ? "<redacted>" : x}`).join("&")}` : `${url.pathname}${url.search}`;
}

// ---- control API ----

async function control(ctx, store, opts) {
  const { method, path: p, res } = ctx;
  const vendorFilter = ctx.query.get("vendor");
  if (method === "POST" && p === "/behaviour") {
    try {
      if (!ctx.json || typeof ctx.json !== "object") throw new BehaviourError("body must be a JSON object");
      const specs = Array.isArray(ctx.json) ? ctx.json : [ctx.json];
      for (const s of specs) if (!(s.vendor in VENDORS)) throw new BehaviourError(`vendor must be one of ${Object.keys(VENDORS).join(", ")}`);
      const rules = specs.map((s) => store.addRule(s));
      return sendJson(res, 201, { ids: rules.map((r) => r.id) });
    } catch (e) {
      if (e instanceof BehaviourError) return sendJson(res, 400, { error: e.message });
      throw e;
    }
  }
  if (method === "GET" && p === "/behaviour") return sendJson(res, 200, store.rules);
  if (method === "DELETE" && p === "/behaviour") {
    store.rules = [];
    store.save();
    return sendJson(res, 200, {});
  }
  if (method === "POST" && p === "/reset") {
    store.reset();
    store.save();
    store.flush();
    return sendJson(res, 200, {});
  }
  if (method === "GET" && p === "/requests") {
    const since = Number(ctx.query.get("since") ?? 0);
    return sendJson(res, 200, store.requests.filter((r) => r.seq > since && (!vendorFilter || r.vendor === vendorFilter)));
  }
  if (method === "GET" && p === "/submissions") return sendJson(res, 200, store.submissions);
  if (method === "GET" && p === "/tasks") {
    return sendJson(
      res,
      200,
      Object.values(store.tasks)
        .filter((t) => !vendorFilter || t.vendor === vendorFilter)
        .map(({ request, ...t }) => t),
    );
  }
  if (method === "POST" && p === "/clock") {
    const s = ctx.json?.advance_seconds;
    if (!Number.isFinite(s) || s < 0) return sendJson(res, 400, { error: "advance_seconds must be a non-negative number" });
    store.clockOffsetMs += s * 1000;
    store.save();
    return sendJson(res, 200, { now: new Date(store.now()).toISOString() });
  }
  if (method === "GET" && p === "/keys") return sendJson(res, 200, opts.keys);
  return sendJson(res, 404, { error: `no control route ${method} /_control${p}` });
}

// ---- server ----

export function startServer(opts) {
  const store = new Store({ statePath: opts.state });
  const mediaDir = path.resolve(opts.media);
  const config = {
    mediaDir,
    get defaultMedia() {
      if (opts.defaultMedia) return opts.defaultMedia;
      const files = readdirSync(mediaDir).filter((f) => f.endsWith(".mp4")).sort();
      return files[0] ?? "missing.mp4";
    },
    mediaSize(task) {
      try {
        return statSync(path.join(mediaDir, task.behaviour.media ?? this.defaultMedia)).size;
      } catch {
        return 0;
      }
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const segments = url.pathname.split("/");
    const prefix = segments[1] ?? "";
    const rest = `/${segments.slice(2).join("/")}`;
    let body;
    try {
      body = await readBody(req);
    } catch (e) {
      return sendJson(res, e.tooLarge ? 413 : 400, { error: e.tooLarge ? `request body over ${MAX_BODY_BYTES} bytes` : String(e) });
    }
    const ctx = { req, res, method: req.method, path: rest, query: url.searchParams, body, json: undefined, jsonError: null, store, keys: opts.keys, config, log: {} };
    if (body.length > 0) {
      try {
        ctx.json = JSON.parse(body.toString("utf8"));
      } catch (e) {
        ctx.jsonError = e.message;
      }
    }
    try {
      if (prefix === "_control") return await control(ctx, store, opts);

      let vendor = VENDORS[prefix];
      let fileToken = null;
      if (prefix === "files") {
        fileToken = /^\/([0-9a-f]+)\.mp4$/.exec(rest)?.[1] ?? null;
        vendor = fileToken && store.tokens[fileToken] ? VENDORS[store.tokens[fileToken].vendor] : null;
      }
      ctx.log = {
        vendor: prefix === "files" ? `files:${vendor?.name ?? "unknown"}` : vendor ? vendor.name : prefix,
        method: req.method,
        path: maskedPath(url),
        headers: maskHeaders(req.headers),
        body: ctx.json !== undefined ? shorten(ctx.json) : body.length > 0 ? shorten(body.toString("utf8")) : null,
      };
      store.logRequest(ctx.log);
      if (prefix === "files") {
        if (!vendor) return sendJson(res, 404, { error: "no such file" });
        return vendor.serveFile(ctx, fileToken);
      }
      if (!vendor || !(await vendor.handle(ctx))) {
        ctx.log.unrouted = true;
        return sendJson(res, 404, { error: `fake_vendors: no route ${req.method} ${url.pathname}` });
      }
    } catch (e) {
      process.stderr.write(`fake_vendors: ${req.method} ${url.pathname}: ${e.stack}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: `fake_vendors internal error: ${e.message}` });
      else res.destroy();
    } finally {
      store.flush();
    }
  });
  return { server, store };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fake_vendors: ${e.message}\n`);
    process.exit(2);
  }
  const { server } = startServer(opts);
  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Exit when the parent's end of a stdin pipe closes; a terminal or /dev/null is not watched.
  try {
    const st = fstatSync(0);
    if (st.isFIFO() || st.isSocket()) {
      process.stdin.on("end", stop);
      process.stdin.on("close", stop);
      process.stdin.resume();
    }
  } catch {
    // no stdin at all
  }
  server.listen(opts.port, "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
}

main();
