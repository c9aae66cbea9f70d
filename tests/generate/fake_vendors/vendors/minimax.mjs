// MiniMax Hailuo video generation: create, query by task_id, then files/retrieve for the URL.
// Errors come back as HTTP 200 with base_resp.status_code != 0.
// Sources for every rule are listed in ../README.md ("MiniMax").
import { credential, digits, sendJson } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { jsonObject, pollFault, submitFault } from "../lib/vendor.mjs";

// kind: t2v / i2v / both; resolutions and durations allowed; which frame fields.
const MODELS = {
  "MiniMax-Hailuo-2.3": { kinds: ["t2v", "i2v"], resolutions: ["768P", "1080P"], durations: [6, 10], lastFrame: false },
  "MiniMax-Hailuo-2.3-Fast": { kinds: ["i2v"], resolutions: ["768P", "1080P"], durations: [6, 10], lastFrame: false },
  "MiniMax-Hailuo-02": { kinds: ["t2v", "i2v"], resolutions: ["512P", "768P", "1080P"], durations: [6, 10], lastFrame: true },
  "T2V-01": { kinds: ["t2v"], resolutions: ["720P"], durations: [6] },
  "T2V-01-Director": { kinds: ["t2v"], resolutions: ["720P"], durations: [6] },
  "I2V-01": { kinds: ["i2v"], resolutions: ["720P"], durations: [6] },
  "I2V-01-Director": { kinds: ["i2v"], resolutions: ["720P"], durations: [6] },
  "I2V-01-live": { kinds: ["i2v"], resolutions: ["720P"], durations: [6] },
};
const SIZE = { "512P": [912, 512], "720P": [1280, 720], "768P": [1366, 768], "1080P": [1920, 1080] };
const URL_LIFETIME_SECONDS = 9 * 3600;

const FAIL = {
  moderation: [1027, "output video contains sensitive content"],
  invalid_parameter: [2013, "invalid params"],
  internal: [1000, "unknown error"],
};

const ok = { status_code: 0, status_msg: "success" };
const reply = (ctx, body, status = 200, headers = {}) => sendJson(ctx.res, status, body, headers);
const failure = (ctx, code, msg, extra = {}, status = 200, headers = {}) => reply(ctx, { ...extra, base_resp: { status_code: code, status_msg: msg } }, status, headers);

function authorised(ctx) {
  const key = credential(ctx.req, "Bearer");
  ctx.log.auth = key === null ? "missing" : key === ctx.keys.minimax ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  if (key === null) failure(ctx, 1004, "login fail: Please carry the API secret key in the 'Authorization' field of the request header");
  else failure(ctx, 2049, "invalid api key");
  return false;
}

function checkBody(body) {
  v.onlyKeys(body, ["model", "prompt", "first_frame_image", "last_frame_image", "duration", "resolution", "prompt_optimizer", "fast_pretreatment", "aigc_watermark", "callback_url"]);
  const model = v.string(body, "model", "", { required: true, values: Object.keys(MODELS) });
  const spec = MODELS[model];
  const i2v = body.first_frame_image !== undefined;
  v.require(spec.kinds.includes(i2v ? "i2v" : "t2v"), i2v ? `${model} does not take first_frame_image` : `${model} needs first_frame_image`, "first_frame_image");
  v.string(body, "prompt", "", { required: !i2v, max: 2000 });
  if (i2v) v.imageRef(body.first_frame_image, "first_frame_image");
  if (body.last_frame_image !== undefined) {
    v.require(spec.lastFrame === true && i2v, "last_frame_image needs MiniMax-Hailuo-02 and a first_frame_image", "last_frame_image");
    v.imageRef(body.last_frame_image, "last_frame_image");
  }
  const duration = v.integer(body, "duration", "", { values: spec.durations }) ?? 6;
  const resolution = v.string(body, "resolution", "", { values: spec.resolutions }) ?? (spec.resolutions.includes("768P") ? "768P" : "720P");
  v.require(resolution !== "1080P" || duration === 6, "1080P supports 6 s only", "duration");
  v.require(resolution !== "512P" || i2v, "512P is for image-to-video only", "resolution");
  for (const k of ["prompt_optimizer", "fast_pretreatment", "aigc_watermark"]) v.boolean(body, k, "");
  if (body.callback_url !== undefined) v.require(typeof body.callback_url === "string" && v.isHttpUrl(body.callback_url), "callback_url must be an http(s) URL", "callback_url");
  return { model, prompt: body.prompt, kind: i2v ? "i2v" : "t2v", resolution, duration };
}

async function create(ctx) {
  if (!authorised(ctx)) return;
  const faulted = submitFault(ctx, "minimax", ctx.json?.model, ctx.json?.prompt, {
    // MiniMax rate limits are reported in base_resp (1002); the 429 with Retry-After is the HTTP-level refusal in front of it.
    rateLimited: (s) => failure(ctx, 1002, "rate limit exceeded(RPM)", {}, 429, { "Retry-After": String(s) }),
    serverError: (st) => failure(ctx, 1000, "unknown error", {}, st),
  });
  if (faulted) return;
  let checked;
  try {
    checked = checkBody(jsonObject(ctx));
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return failure(ctx, 2013, `invalid params, ${e.message}`, { task_id: "" });
  }
  const [w, h] = SIZE[checked.resolution];
  const task = ctx.store.createTask("minimax", { id: digits(15), model: checked.model, prompt: checked.prompt, kind: checked.kind, request: ctx.json, extra: { width: w, height: h, file_id: digits(15) } });
  reply(ctx, { task_id: task.id, base_resp: ok });
}

const STATUS = { queued: "Queueing", throttled: "Preparing", running: "Processing" };

function query(ctx) {
  if (!authorised(ctx)) return;
  const id = ctx.query.get("task_id");
  const task = id ? ctx.store.task("minimax", id) : null;
  if (!task) return failure(ctx, 2013, "invalid params, task_id not found", { task_id: id ?? "", status: "" });
  if (pollFault(ctx, task, (st) => failure(ctx, 1000, "unknown error", {}, st))) return;
  const phase = ctx.store.advance(task);
  const b = task.behaviour;
  if (STATUS[phase]) return reply(ctx, { task_id: task.id, status: STATUS[phase], file_id: "", base_resp: ok });
  if (phase === "succeeded") return reply(ctx, { task_id: task.id, status: "Success", file_id: task.file_id, video_width: task.width, video_height: task.height, base_resp: ok });
  if (phase === "unknown_status") return reply(ctx, { task_id: task.id, status: b.status_value, file_id: "", base_resp: ok });
  const [code, msg] = phase === "rai_filtered" ? FAIL.moderation : FAIL[b.fail_kind];
  reply(ctx, { task_id: task.id, status: "Fail", file_id: "", base_resp: { status_code: b.fail_code ?? code, status_msg: b.fail_message ?? msg } });
}

// Each retrieve signs a fresh download URL, valid 9 h.
function retrieve(ctx) {
  if (!authorised(ctx)) return;
  const fileId = ctx.query.get("file_id");
  const task = Object.values(ctx.store.tasks).find((t) => t.vendor === "minimax" && t.file_id === fileId && t.final === "succeeded");
  if (!task) return failure(ctx, 2013, "invalid params, file_id not found");
  const url = resultUrl(ctx, task, { refresh: true, expires: Math.floor(ctx.store.now() / 1000) + URL_LIFETIME_SECONDS });
  reply(ctx, {
    file: { file_id: Number(task.file_id), bytes: ctx.config.mediaSize(task), created_at: Math.floor(task.finished / 1000), filename: "output_aigc.mp4", purpose: "video_generation", download_url: url },
    base_resp: ok,
  });
}

export default {
  name: "minimax",
  async handle(ctx) {
    const { method, path } = ctx;
    if (method === "POST" && path === "/v1/video_generation") return create(ctx), true;
    if (method === "GET" && path === "/v1/query/video_generation") return query(ctx), true;
    if (method === "GET" && path === "/v1/files/retrieve") return retrieve(ctx), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "oss" }),
};
