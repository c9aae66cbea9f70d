// xAI Grok Imagine video: POST /v1/videos/generations, then GET /v1/videos/{request_id}.
// Sources for every rule are listed in ../README.md ("xAI").
import { credential, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const MODELS = ["grok-imagine-video", "grok-imagine-video-1.5"];
const URL_LIFETIME_SECONDS = 24 * 3600; // "temporary"; no figure is published
const FAIL = {
  moderation: ["content_moderation", "The generated video was rejected by content moderation."],
  invalid_parameter: ["invalid_argument", "Invalid request."],
  internal: ["internal_error", "Video generation failed due to an internal error."],
};

const error = (ctx, status, code, message, headers = {}) => sendJson(ctx.res, status, { code, error: message }, headers);

function authorised(ctx) {
  const key = credential(ctx.req, "Bearer");
  ctx.log.auth = key === null ? "missing" : key === ctx.keys.xai ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  error(ctx, key === null ? 401 : 400, "Client specified an invalid argument", key === null ? "No API key provided." : "Incorrect API key provided.");
  return false;
}

function checkBody(body) {
  v.onlyKeys(body, ["model", "prompt", "duration", "aspect_ratio", "resolution", "image", "reference_images", "output", "user"]);
  const model = v.string(body, "model", "", { values: MODELS }) ?? "grok-imagine-video";
  v.string(body, "prompt", "", { required: true });
  v.integer(body, "duration", "", { min: 1, max: 15 });
  v.string(body, "aspect_ratio", "", { values: ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"] });
  v.string(body, "resolution", "", { values: model === "grok-imagine-video" ? ["480p", "720p"] : ["480p", "720p", "1080p"] });
  const image = v.object(body, "image", "");
  if (image) {
    v.onlyKeys(image, ["url"], "image");
    v.imageRef(image.url, "image.url");
  }
  const refs = v.array(body, "reference_images", "", { min: 1, max: 7 });
  if (refs) {
    v.require(!image, "reference_images cannot be combined with image", "reference_images");
    refs.forEach((r, i) => {
      v.require(v.isObject(r), `reference_images[${i}] must be an object`, `reference_images[${i}]`);
      v.onlyKeys(r, ["url"], `reference_images[${i}]`);
      v.imageRef(r.url, `reference_images[${i}].url`);
    });
  }
  const output = v.object(body, "output", "");
  if (output) {
    v.onlyKeys(output, ["upload_url"], "output");
    v.require(typeof output.upload_url === "string" && v.isHttpUrl(output.upload_url), "output.upload_url must be an http(s) URL", "output.upload_url");
  }
  v.string(body, "user", "");
  return { model, kind: image ? "i2v" : "t2v", duration: body.duration ?? 8 };
}

async function create(ctx) {
  if (!authorised(ctx)) return;
  const faulted = submitFault(ctx, "xai", ctx.json?.model ?? "grok-imagine-video", ctx.json?.prompt, {
    rateLimited: (s) => error(ctx, 429, "Too many requests", "Rate limit exceeded. Please retry later.", { "Retry-After": String(s) }),
    serverError: (st) => error(ctx, st, "Internal error", "The service is temporarily unavailable."),
  });
  if (faulted) return;
  let checked;
  try {
    requireJsonContentType(ctx);
    checked = checkBody(jsonObject(ctx));
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return error(ctx, 400, "Client specified an invalid argument", e.message);
  }
  const task = ctx.store.createTask("xai", { id: uuid(), model: checked.model, prompt: ctx.json.prompt, kind: checked.kind, request: ctx.json, extra: { duration: checked.duration } });
  sendJson(ctx.res, 200, { request_id: task.id });
}

function get(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("xai", id);
  if (!task) return error(ctx, 404, "Some requested entity was not found", `No video generation request with id ${id}.`);
  if (pollFault(ctx, task, (st) => error(ctx, st, "Internal error", "The service is temporarily unavailable."))) return;
  const phase = ctx.store.advance(task);
  const b = task.behaviour;
  switch (phase) {
    case "queued":
    case "throttled":
    case "running":
      return sendJson(ctx.res, 200, { status: "pending" });
    case "succeeded":
      return sendJson(ctx.res, 200, {
        status: "done",
        video: { url: resultUrl(ctx, task, { refresh: false, expires: Math.floor(task.finished / 1000) + URL_LIFETIME_SECONDS }), duration: task.duration, respect_moderation: true },
        model: task.model,
      });
    case "expired":
    case "cancelled":
      return sendJson(ctx.res, 200, { status: "expired" });
    case "unknown_status":
      return sendJson(ctx.res, 200, { status: b.status_value });
    default: {
      // failed, aborted, rai_filtered: a failure inside HTTP 200.
      const [code, message] = FAIL[phase === "rai_filtered" ? "moderation" : b.fail_kind];
      return sendJson(ctx.res, 200, { status: "failed", video: { duration: 0, respect_moderation: phase !== "rai_filtered" }, model: "", error: { code: b.fail_code ?? code, message: b.fail_message ?? message } });
    }
  }
}

export default {
  name: "xai",
  async handle(ctx) {
    const { method, path } = ctx;
    if (method === "POST" && path === "/v1/videos/generations") return create(ctx), true;
    const m = /^\/v1\/videos\/([^/]+)$/.exec(path);
    if (method === "GET" && m && m[1] !== "generations") return get(ctx, decodeURIComponent(m[1])), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "s3" }),
};
