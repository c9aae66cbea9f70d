// Alibaba Cloud Model Studio (DashScope) async video tasks: HappyHorse-1.0 and Wan 2.x.
// Sources for every rule are listed in ../README.md ("DashScope").
import { credential, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { hoursSince, jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const HAPPYHORSE = {
  "happyhorse-1.0-t2v": "t2v",
  "happyhorse-1.0-i2v": "i2v",
  "happyhorse-1.0-r2v": "r2v",
  "happyhorse-1.0-video-edit": "edit",
};

const SIZES = {
  "480P": ["832*480", "480*832", "624*624"],
  "720P": ["1280*720", "720*1280", "960*960", "1088*832", "832*1088"],
  "1080P": ["1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"],
};
const sizesOf = (...tiers) => tiers.flatMap((t) => SIZES[t]);

// Wan models served on the video-generation path; kf2v models on the image2video path.
const WAN = {
  "wan2.6-t2v": { kind: "t2v", durations: [5, 10, 15], sizes: sizesOf("720P", "1080P"), audio: true, shot: true },
  "wan2.5-t2v-preview": { kind: "t2v", durations: [5, 10], sizes: sizesOf("480P", "720P", "1080P"), audio: true },
  "wan2.2-t2v-plus": { kind: "t2v", durations: [5], sizes: sizesOf("480P", "1080P") },
  "wanx2.1-t2v-turbo": { kind: "t2v", durations: [5], sizes: sizesOf("480P", "720P") },
  "wanx2.1-t2v-plus": { kind: "t2v", durations: [5], sizes: sizesOf("720P") },
  "wan2.6-i2v": { kind: "i2v", durations: [5, 10, 15], resolutions: ["720P", "1080P"], audio: true, shot: true },
  "wan2.6-i2v-flash": { kind: "i2v", durations: [5, 10, 15], resolutions: ["720P", "1080P"], audio: true, shot: true },
  "wan2.5-i2v-preview": { kind: "i2v", durations: [5, 10], resolutions: ["480P", "720P", "1080P"], audio: true },
  "wan2.2-i2v-plus": { kind: "i2v", durations: [5], resolutions: ["480P", "1080P"] },
  "wan2.2-i2v-flash": { kind: "i2v", durations: [5], resolutions: ["480P", "720P", "1080P"] },
  "wanx2.1-i2v-turbo": { kind: "i2v", durations: [5], resolutions: ["480P", "720P"] },
  "wanx2.1-i2v-plus": { kind: "i2v", durations: [5], resolutions: ["720P"] },
  "wan2.2-kf2v-flash": { kind: "kf2v", durations: [5], resolutions: ["480P", "720P", "1080P"] },
  "wanx2.1-kf2v-plus": { kind: "kf2v", durations: [5], resolutions: ["720P"] },
};

const SEED_MAX = 2147483647;
const TASK_LIFETIME_HOURS = 24;
const URL_LIFETIME_SECONDS = 24 * 3600;
const requestId = () => uuid();

const FAIL_CODES = {
  moderation: ["DataInspectionFailed", "Input data may contain inappropriate content."],
  invalid_parameter: ["InvalidParameter", "The parameter is invalid."],
  internal: ["InternalError", "An internal error has occurred, please try again later."],
};

function error(ctx, status, code, message, headers = {}) {
  sendJson(ctx.res, status, { request_id: requestId(), code, message }, headers);
}

// ---- request bodies ----

function checkHappyHorse(body, kind) {
  const input = v.object(body, "input", "", { required: true });
  // extend_prompt: the official Python SDK still sends this legacy input field on every call.
  v.onlyKeys(input, kind === "t2v" ? ["prompt", "extend_prompt"] : ["prompt", "media", "extend_prompt"], "input");
  v.string(input, "prompt", "input", { required: kind === "t2v" || kind === "r2v" || kind === "edit" });
  if (kind === "i2v") {
    const media = v.array(input, "media", "input", { required: true, min: 1, max: 1 });
    checkMedia(media, { first_frame: [1, 1] });
  } else if (kind === "r2v") {
    checkMedia(v.array(input, "media", "input", { required: true, min: 1, max: 9 }), { reference_image: [1, 9] });
  } else if (kind === "edit") {
    checkMedia(v.array(input, "media", "input", { required: true, min: 1, max: 6 }), { video: [1, 1], reference_image: [0, 5] });
  }
  const p = v.object(body, "parameters", "") ?? {};
  const allowed = { t2v: ["resolution", "ratio", "duration", "watermark", "seed"], i2v: ["resolution", "duration", "watermark", "seed"], r2v: ["resolution", "ratio", "duration", "watermark", "seed"], edit: ["resolution", "watermark", "seed", "audio_setting"] }[kind];
  v.onlyKeys(p, allowed, "parameters");
  const resolution = v.string(p, "resolution", "parameters", { values: ["720P", "1080P"] }) ?? "1080P";
  const ratio = v.string(p, "ratio", "parameters", { values: ["16:9", "9:16", "1:1", "4:3", "3:4"] });
  const duration = v.integer(p, "duration", "parameters", { min: 3, max: 15 }) ?? 5;
  v.boolean(p, "watermark", "parameters");
  v.integer(p, "seed", "parameters", { min: 0, max: SEED_MAX });
  v.string(p, "audio_setting", "parameters", { values: ["auto", "origin"] });
  return { prompt: input.prompt, resolution, ratio: kind === "t2v" || kind === "r2v" ? ratio ?? "16:9" : undefined, duration };
}

function checkMedia(media, counts) {
  const seen = {};
  media.forEach((m, i) => {
    const where = `input.media[${i}]`;
    v.require(v.isObject(m), `${where} must be an object`, where);
    v.onlyKeys(m, ["type", "url"], where);
    const type = v.string(m, "type", where, { required: true, values: Object.keys(counts) });
    if (type === "video") v.require(typeof m.url === "string" && v.isHttpUrl(m.url), `${where}.url must be an http(s) URL`, `${where}.url`);
    else v.imageRef(m.url, `${where}.url`, { mimes: ["image/jpeg", "image/jpg", "image/png", "image/webp"] });
    seen[type] = (seen[type] ?? 0) + 1;
  });
  for (const [type, [min, max]] of Object.entries(counts)) {
    const n = seen[type] ?? 0;
    v.require(n >= min && n <= max, `input.media must hold ${min}..${max} items of type ${type} (got ${n})`, "input.media");
  }
}

function checkWan(body, spec) {
  const input = v.object(body, "input", "", { required: true });
  const inputKeys = { t2v: ["prompt", "negative_prompt"], i2v: ["prompt", "negative_prompt", "img_url"], kf2v: ["prompt", "negative_prompt", "first_frame_url", "last_frame_url"] }[spec.kind];
  // extend_prompt: the official Python SDK still sends this legacy input field on every call.
  v.onlyKeys(input, [...inputKeys, ...(spec.audio ? ["audio_url"] : []), "extend_prompt"], "input");
  v.string(input, "prompt", "input", { required: spec.kind === "t2v" });
  v.string(input, "negative_prompt", "input", { max: 500 });
  if (input.audio_url !== undefined) v.require(typeof input.audio_url === "string" && v.isHttpUrl(input.audio_url), "input.audio_url must be an http(s) URL", "input.audio_url");
  if (spec.kind === "i2v") v.imageRef(input.img_url, "input.img_url", { mimes: ["image/jpeg", "image/jpg", "image/png", "image/bmp", "image/webp"] });
  if (spec.kind === "kf2v") {
    v.imageRef(input.first_frame_url, "input.first_frame_url");
    v.imageRef(input.last_frame_url, "input.last_frame_url");
  }
  const p = v.object(body, "parameters", "") ?? {};
  const keys = ["duration", "prompt_extend", "watermark", "seed", spec.kind === "t2v" ? "size" : "resolution"];
  if (spec.audio) keys.push("audio");
  if (spec.shot) keys.push("shot_type");
  v.onlyKeys(p, keys, "parameters");
  const duration = v.integer(p, "duration", "parameters", { values: spec.durations }) ?? 5;
  const extend = v.boolean(p, "prompt_extend", "parameters") ?? true;
  v.boolean(p, "watermark", "parameters");
  v.boolean(p, "audio", "parameters");
  v.integer(p, "seed", "parameters", { min: 0, max: SEED_MAX });
  if (p.shot_type !== undefined) {
    v.string(p, "shot_type", "parameters", { values: ["single", "multi"] });
    v.require(p.shot_type !== "multi" || extend, "parameters.shot_type multi needs prompt_extend true", "parameters.shot_type");
  }
  let sr;
  if (spec.kind === "t2v") {
    const size = v.string(p, "size", "parameters", { values: spec.sizes });
    sr = size ? Math.min(...size.split("*").map(Number)) : 1080;
    sr = sr >= 1080 ? 1080 : sr >= 720 ? 720 : 480;
  } else {
    const res = v.string(p, "resolution", "parameters", { values: spec.resolutions }) ?? spec.resolutions[spec.resolutions.length - 1];
    sr = Number(res.slice(0, -1));
  }
  return { prompt: input.prompt, duration, sr };
}

// ---- routes ----

async function create(ctx, family) {
  const key = credential(ctx.req, "Bearer");
  if (key === null || key !== ctx.keys.dashscope) {
    ctx.log.auth = key === null ? "missing" : "invalid";
    return error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.");
  }
  ctx.log.auth = "ok";
  if (ctx.req.headers["x-dashscope-async"] !== "enable") return error(ctx, 403, "AccessDenied", "current user api does not support synchronous calls");
  const model = ctx.json?.model;
  const prompt = ctx.json?.input?.prompt;
  const fault = submitFault(ctx, "dashscope", model, prompt, {
    rateLimited: (s) => error(ctx, 429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later.", { "Retry-After": String(s) }),
    serverError: (st) => error(ctx, st, "InternalError", "An internal error has occurred, please try again later."),
  });
  if (fault) return;
  let checked;
  let kind;
  try {
    requireJsonContentType(ctx);
    const body = jsonObject(ctx);
    v.onlyKeys(body, ["model", "input", "parameters"]);
    v.string(body, "model", "", { required: true });
    if (HAPPYHORSE[body.model] && family === "video-generation") {
      kind = HAPPYHORSE[body.model];
      checked = checkHappyHorse(body, kind);
      checked.usage = { duration: checked.duration, input_video_duration: 0, output_video_duration: checked.duration, video_count: 1, SR: Number(checked.resolution.slice(0, -1)), ...(checked.ratio ? { ratio: checked.ratio } : {}) };
    } else if (WAN[body.model] && (WAN[body.model].kind === "kf2v") === (family === "image2video")) {
      kind = WAN[body.model].kind;
      checked = checkWan(body, WAN[body.model]);
      checked.usage = { video_duration: checked.duration, video_count: 1, SR: checked.sr };
    } else {
      throw new v.Invalid(`Model not exist.`, "model");
    }
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return error(ctx, 400, "InvalidParameter", e.message);
  }
  const task = ctx.store.createTask("dashscope", { id: uuid(), model: ctx.json.model, prompt: checked.prompt, kind, request: ctx.json, extra: { usage: checked.usage } });
  sendJson(ctx.res, 200, { request_id: requestId(), output: { task_id: task.id, task_status: "PENDING" } });
}

const fmtTime = (ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

function poll(ctx, id) {
  const key = credential(ctx.req, "Bearer");
  if (key === null || key !== ctx.keys.dashscope) {
    ctx.log.auth = key === null ? "missing" : "invalid";
    return error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.");
  }
  ctx.log.auth = "ok";
  const task = ctx.store.task("dashscope", id);
  // Unknown or older than 24 h: UNKNOWN inside an HTTP 200.
  if (!task || hoursSince(ctx, task.created) >= TASK_LIFETIME_HOURS) return sendJson(ctx.res, 200, { request_id: requestId(), output: { task_id: id, task_status: "UNKNOWN" } });
  if (pollFault(ctx, task, (st) => error(ctx, st, "InternalError", "An internal error has occurred, please try again later."))) return;
  const phase = ctx.store.advance(task);
  const output = { task_id: task.id, task_status: null, submit_time: fmtTime(task.created) };
  let usage;
  const b = task.behaviour;
  switch (phase) {
    case "queued":
    case "throttled":
      output.task_status = "PENDING";
      break;
    case "running":
      output.task_status = "RUNNING";
      output.scheduled_time = fmtTime(task.created + 50);
      break;
    case "succeeded":
      Object.assign(output, { task_status: "SUCCEEDED", scheduled_time: fmtTime(task.created + 50), end_time: fmtTime(task.finished) });
      if (task.prompt) output.orig_prompt = task.prompt;
      // Each query signs a new URL, valid until 24 h after the task finished.
      output.video_url = resultUrl(ctx, task, { refresh: true, expires: Math.floor(task.finished / 1000) + URL_LIFETIME_SECONDS });
      usage = task.usage;
      break;
    case "failed":
    case "rai_filtered":
    case "aborted": {
      const [code, message] = FAIL_CODES[phase === "rai_filtered" ? "moderation" : b.fail_kind];
      Object.assign(output, { task_status: "FAILED", end_time: fmtTime(task.finished), code: b.fail_code ?? code, message: b.fail_message ?? message });
      break;
    }
    case "expired":
      output.task_status = "UNKNOWN";
      break;
    case "cancelled":
      output.task_status = "CANCELED";
      break;
    case "unknown_status":
      output.task_status = b.status_value;
      break;
  }
  sendJson(ctx.res, 200, { request_id: requestId(), output, ...(usage ? { usage } : {}) });
}

function cancel(ctx, id) {
  const key = credential(ctx.req, "Bearer");
  if (key !== ctx.keys.dashscope) return error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.");
  const task = ctx.store.task("dashscope", id);
  if (!task) return error(ctx, 404, "NotFound", "task not found");
  if (ctx.store.peek(task) !== "queued") return error(ctx, 400, "UnsupportedOperation", "Only PENDING tasks can be canceled.");
  ctx.store.cancel(task);
  sendJson(ctx.res, 200, { request_id: requestId() });
}

export default {
  name: "dashscope",
  async handle(ctx) {
    const { method, path } = ctx;
    if (method === "POST" && path === "/api/v1/services/aigc/video-generation/video-synthesis") return create(ctx, "video-generation"), true;
    if (method === "POST" && path === "/api/v1/services/aigc/image2video/video-synthesis") return create(ctx, "image2video"), true;
    let m = /^\/api\/v1\/tasks\/([^/]+)$/.exec(path);
    if (method === "GET" && m) return poll(ctx, decodeURIComponent(m[1])), true;
    m = /^\/api\/v1\/tasks\/([^/]+)\/cancel$/.exec(path);
    if (method === "POST" && m) return cancel(ctx, decodeURIComponent(m[1])), true;
    return false;
  },
  // Result files live on "OSS": signed, expiring URLs.
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "oss" }),
};
