// Runway API: text_to_video and image_to_video tasks, polled at /v1/tasks/{id}.
// Sources for every rule are listed in ../README.md ("Runway").
import { credential, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const API_VERSION = "2024-11-06";
const URL_LIFETIME_SECONDS = 24 * 3600;
const MODERATION = { publicFigureThreshold: ["auto", "low"] };
const VEO_RATIOS = ["1280:720", "720:1280", "1080:1920", "1920:1080"];
const HH_RATIOS = ["1280:720", "720:1280", "960:960", "1108:832", "832:1108", "1920:1080", "1080:1920", "1440:1440", "1662:1248", "1248:1662"];

// Per model: fields, which are required, allowed values. `image`: which promptImage positions.
const T2V = {
  "gen4.5": { required: ["promptText", "ratio", "duration"], ratio: ["1280:720", "720:1280"], duration: { min: 2, max: 10 }, seed: true, moderation: true, textMax: 1000 },
  "veo3.1": { required: ["promptText", "ratio"], ratio: VEO_RATIOS, duration: { values: [4, 6, 8] }, audio: true, negative: true, textMax: 1000 },
  "veo3.1_fast": { required: ["promptText", "ratio"], ratio: VEO_RATIOS, duration: { values: [4, 6, 8] }, audio: true, negative: true, textMax: 1000 },
  veo3: { required: ["promptText", "ratio", "duration"], ratio: VEO_RATIOS, duration: { values: [8] }, negative: true, textMax: 1000 },
  happyhorse_1_0: { required: ["promptText"], ratio: HH_RATIOS, duration: { min: 3, max: 15 }, textMax: 2500 },
};
const I2V = {
  "gen4.5": { required: ["promptImage", "promptText", "ratio", "duration"], ratio: ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"], duration: { min: 2, max: 10 }, seed: true, moderation: true, image: ["first"], textMax: 1000 },
  gen4_turbo: { required: ["promptImage", "ratio"], ratio: ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"], duration: { min: 2, max: 10 }, seed: true, moderation: true, image: ["first"], textMax: 1000 },
  "veo3.1": { required: ["promptImage", "ratio"], ratio: VEO_RATIOS, duration: { values: [4, 6, 8] }, audio: true, negative: true, image: ["first", "last"], textMax: 1000 },
  "veo3.1_fast": { required: ["promptImage", "ratio"], ratio: VEO_RATIOS, duration: { values: [4, 6, 8] }, audio: true, negative: true, image: ["first", "last"], textMax: 1000 },
  veo3: { required: ["promptImage", "ratio", "duration"], ratio: VEO_RATIOS, duration: { values: [8] }, negative: true, image: ["first"], textMax: 1000 },
  happyhorse_1_0: { required: ["promptImage"], duration: { min: 3, max: 15 }, resolution: ["720P", "1080P"], image: ["first"], textMax: 2500 },
};

const FAILURES = {
  moderation: ["SAFETY.INPUT.TEXT", "The prompt was flagged by content moderation."],
  invalid_parameter: ["INPUT_PREPROCESSING.SAFETY.TEXT", "The input could not be processed."],
  internal: ["INTERNAL.BAD_OUTPUT.CODE01", "An unexpected error occurred."],
};

const error = (ctx, status, message, headers = {}) => sendJson(ctx.res, status, { error: message }, headers);

function authorised(ctx) {
  const key = credential(ctx.req, "Bearer");
  ctx.log.auth = key === null ? "missing" : key === ctx.keys.runway ? "ok" : "invalid";
  if (ctx.log.auth !== "ok") {
    error(ctx, 401, "Invalid API key. Keys start with key_; send them as Authorization: Bearer <key>.");
    return false;
  }
  const version = ctx.req.headers["x-runway-version"];
  if (version !== API_VERSION) {
    error(ctx, 400, version === undefined ? "The X-Runway-Version header is required." : `Unsupported X-Runway-Version: ${version}. Use ${API_VERSION}.`);
    return false;
  }
  return true;
}

// HTTPS on a domain name (no IP address), a data URI under 5 MB, or a runway:// upload URI.
function checkAsset(uri, field) {
  v.require(typeof uri === "string" && uri.length > 0, `${field}: must be a non-empty string`, field);
  if (uri.startsWith("runway://")) return;
  if (uri.startsWith("data:")) {
    v.require(uri.length < 5 * 1024 * 1024, `${field}: data URIs must be under 5MB`, field);
    v.imageRef(uri, field, { url: false });
    return;
  }
  v.require(v.isHttpUrl(uri, { httpsOnly: true }), `${field}: Only HTTPS URLs are allowed.`, field);
  const host = new URL(uri).hostname;
  v.require(!/^[\d.]+$/.test(host) && !host.startsWith("["), `${field}: URLs must be hosted on a domain.`, field);
  v.require(uri.length <= 2048, `${field}: URL longer than 2048 characters`, field);
}

function checkBody(body, kind) {
  const table = kind === "t2v" ? T2V : I2V;
  const model = v.string(body, "model", "", { required: true, values: Object.keys(table) });
  const spec = table[model];
  const fields = ["model", "promptText", "ratio", "duration", ...(kind === "i2v" ? ["promptImage"] : [])];
  if (spec.seed) fields.push("seed");
  if (spec.moderation) fields.push("contentModeration");
  if (spec.audio) fields.push("audio");
  if (spec.negative) fields.push("negativePrompt");
  if (spec.resolution) fields.push("resolution");
  if (!spec.ratio) fields.splice(fields.indexOf("ratio"), 1);
  v.onlyKeys(body, fields);
  for (const f of spec.required) v.require(body[f] !== undefined, `${f}: Required`, f);
  if (body.promptText !== undefined) {
    v.string(body, "promptText", "", { required: true });
    v.require(body.promptText.length <= spec.textMax, `promptText: must be at most ${spec.textMax} characters`, "promptText");
  }
  if (spec.ratio) v.string(body, "ratio", "", { values: spec.ratio });
  v.integer(body, "duration", "", spec.duration);
  v.integer(body, "seed", "", { min: 0, max: 4294967295 });
  v.boolean(body, "audio", "");
  v.string(body, "negativePrompt", "");
  v.string(body, "resolution", "", { values: spec.resolution });
  const mod = v.object(body, "contentModeration", "");
  if (mod) {
    v.onlyKeys(mod, ["publicFigureThreshold"], "contentModeration");
    v.string(mod, "publicFigureThreshold", "contentModeration", { values: MODERATION.publicFigureThreshold });
  }
  if (kind === "i2v") {
    const img = body.promptImage;
    if (typeof img === "string") checkAsset(img, "promptImage");
    else {
      v.require(Array.isArray(img) && img.length >= 1 && img.length <= spec.image.length, `promptImage: must be a string or an array of 1..${spec.image.length} {uri, position}`, "promptImage");
      const positions = new Set();
      img.forEach((p, i) => {
        const where = `promptImage[${i}]`;
        v.require(v.isObject(p), `${where}: must be an object`, where);
        v.onlyKeys(p, ["uri", "position"], where);
        v.string(p, "position", where, { required: true, values: spec.image });
        checkAsset(p.uri, `${where}.uri`);
        v.require(!positions.has(p.position), `${where}.position: duplicate`, where);
        positions.add(p.position);
      });
      v.require(positions.has("first"), "promptImage: a last frame alone is not supported", "promptImage");
    }
  }
  return { model, prompt: body.promptText };
}

async function create(ctx, kind) {
  if (!authorised(ctx)) return;
  const faulted = submitFault(ctx, "runway", ctx.json?.model, ctx.json?.promptText, {
    rateLimited: (s) => error(ctx, 429, "You have exceeded the rate limit or daily generation limit for your organization.", { "Retry-After": String(s) }),
    serverError: (st) => error(ctx, st, "Runway is temporarily unable to handle the request."),
  });
  if (faulted) return;
  let checked;
  try {
    requireJsonContentType(ctx);
    checked = checkBody(jsonObject(ctx), kind);
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return error(ctx, 400, e.message);
  }
  const task = ctx.store.createTask("runway", { id: uuid(), model: checked.model, prompt: checked.prompt, kind, request: ctx.json });
  sendJson(ctx.res, 200, { id: task.id });
}

function taskBody(ctx, task, phase) {
  const b = task.behaviour;
  const body = { id: task.id, createdAt: new Date(task.created).toISOString(), status: null };
  switch (phase) {
    case "queued":
      body.status = "PENDING";
      break;
    case "throttled":
      body.status = "THROTTLED";
      break;
    case "running":
      body.status = "RUNNING";
      body.progress = Math.min(0.9, 0.3 * (task.polls - 1));
      break;
    case "succeeded":
      body.status = "SUCCEEDED";
      // Output URLs expire; fetching the task again gives fresh ones.
      body.output = [resultUrl(ctx, task, { refresh: true, expires: Math.floor(ctx.store.now() / 1000) + URL_LIFETIME_SECONDS })];
      break;
    case "failed":
    case "aborted":
    case "expired":
    case "rai_filtered": {
      const [code, message] = FAILURES[phase === "rai_filtered" ? "moderation" : b.fail_kind];
      body.status = "FAILED";
      body.failure = b.fail_message ?? message;
      body.failureCode = b.fail_code ?? code;
      break;
    }
    case "cancelled":
      body.status = "CANCELLED";
      break;
    case "unknown_status":
      body.status = b.status_value;
      break;
  }
  return body;
}

function get(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("runway", id);
  if (!task) return error(ctx, 404, "Task not found.");
  if (pollFault(ctx, task, (st) => error(ctx, st, "Runway is temporarily unable to handle the request."))) return;
  sendJson(ctx.res, 200, taskBody(ctx, task, ctx.store.advance(task)));
}

// Cancels a running task or deletes a finished one; either way it then reads as CANCELLED.
function remove(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("runway", id);
  if (!task) return error(ctx, 404, "Task not found.");
  if (!task.final) ctx.store.cancel(task);
  else ctx.store.finish(task, "cancelled");
  ctx.res.writeHead(204);
  ctx.res.end();
}

export default {
  name: "runway",
  async handle(ctx) {
    const { method, path } = ctx;
    if (method === "POST" && path === "/v1/text_to_video") return create(ctx, "t2v"), true;
    if (method === "POST" && path === "/v1/image_to_video") return create(ctx, "i2v"), true;
    const m = /^\/v1\/tasks\/([^/]+)$/.exec(path);
    if (m && method === "GET") return get(ctx, decodeURIComponent(m[1])), true;
    if (m && method === "DELETE") return remove(ctx, decodeURIComponent(m[1])), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "s3" }),
};
