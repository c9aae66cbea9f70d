// ByteDance Seedance on BytePlus ModelArk (Volcengine Ark): content generation tasks.
// Sources for every rule are listed in ../README.md ("Ark").
import { credential, hex, sendJson } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { hoursSince, jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const V1 = { durations: range(2, 12), resolutions: ["480p", "720p", "1080p"], frames: true };
const V15 = { durations: [-1, ...range(4, 12)], resolutions: ["480p", "720p", "1080p"], audio: true, draft: true };
const V2 = { durations: [-1, ...range(4, 15)], resolutions: ["480p", "720p", "1080p"], audio: true, references: 9, media: true };
const V2FAST = { ...V2, resolutions: ["480p", "720p"] };

const MODELS = {
  "seedance-1-5-pro-251215": V15,
  "doubao-seedance-1-5-pro-251215": V15,
  "seedance-1-0-pro-250528": V1,
  "doubao-seedance-1-0-pro-250528": V1,
  "seedance-1-0-pro-fast-251015": V1,
  "doubao-seedance-1-0-pro-fast-251015": V1,
  "seedance-1-0-lite-t2v-250428": { ...V1, textOnly: true },
  "doubao-seedance-1-0-lite-t2v-250428": { ...V1, textOnly: true },
  "seedance-1-0-lite-i2v-250428": { ...V1, imageOnly: true, references: 4 },
  "doubao-seedance-1-0-lite-i2v-250428": { ...V1, imageOnly: true, references: 4 },
  "dreamina-seedance-2-0-260128": V2,
  "doubao-seedance-2-0-260128": V2,
  "dreamina-seedance-2-0-fast-260128": V2FAST,
  "doubao-seedance-2-0-fast-260128": V2FAST,
};
// An inference endpoint id ("ep-…") stands for a model chosen in the console; the fake treats it
// as Seedance 1.5 pro.
const specOf = (model) => MODELS[model] ?? (/^ep-[a-z0-9-]+$/.test(model) ? V15 : null);

const RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive", "keep_ratio"];
// Output sizes (width x height) by resolution and ratio; portrait ratios swap them.
const DIMS = {
  "480p": { "21:9": [992, 432], "16:9": [864, 496], "4:3": [752, 560], "1:1": [640, 640] },
  "720p": { "21:9": [1470, 630], "16:9": [1280, 720], "4:3": [1112, 834], "1:1": [960, 960] },
  "1080p": { "21:9": [2206, 946], "16:9": [1920, 1080], "4:3": [1664, 1248], "1:1": [1440, 1440] },
};
const FPS = 24;
const TASK_LIFETIME_HOURS = 7 * 24;
const URL_LIFETIME_SECONDS = 24 * 3600;

const FAIL_CODES = {
  moderation: ["OutputVideoSensitiveContentDetected", "The generated video may contain sensitive information."],
  invalid_parameter: ["InvalidParameter", "A parameter specified in the request is not valid."],
  internal: ["InternalServiceError", "The service encountered an unexpected internal error."],
};

function error(ctx, status, code, message, type, param, headers = {}) {
  sendJson(ctx.res, status, { error: { code, message, ...(param ? { param } : {}), type } }, headers);
}

function authorised(ctx) {
  const key = credential(ctx.req, "Bearer");
  ctx.log.auth = key === null ? "missing" : key === ctx.keys.ark ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  error(ctx, 401, "AuthenticationError", "The API key in the request is missing or invalid.", "Unauthorized");
  return false;
}

function dims(resolution, ratio) {
  const r = ratio === "adaptive" || ratio === "keep_ratio" ? "16:9" : ratio;
  const flip = { "9:16": "16:9", "3:4": "4:3" }[r];
  const [w, h] = DIMS[resolution][flip ?? r];
  return flip ? [h, w] : [w, h];
}

function checkContent(content, spec) {
  let text = null;
  const images = [];
  let others = 0;
  content.forEach((item, i) => {
    const where = `content[${i}]`;
    v.require(v.isObject(item), `${where} must be an object`, where);
    const type = v.string(item, "type", where, { required: true, values: ["text", "image_url", ...(spec.media ? ["video_url", "audio_url"] : [])] });
    if (type === "text") {
      v.onlyKeys(item, ["type", "text"], where);
      v.require(text === null, "content may hold at most one text item", where);
      text = v.string(item, "text", where, { required: true });
    } else if (type === "image_url") {
      v.onlyKeys(item, ["type", "image_url", "role"], where);
      const img = v.object(item, "image_url", where, { required: true });
      v.onlyKeys(img, ["url"], `${where}.image_url`);
      const url = v.string(img, "url", `${where}.image_url`, { required: true });
      if (url.startsWith("data:")) {
        // The format in a base64 image must be lower case: data:image/png;base64,...
        v.require(/^data:image\/(jpeg|png|webp|bmp|tiff|gif);base64,/.test(url), `${where}.image_url.url: base64 images must be data:image/<format in lower case>;base64,<data>`, `${where}.image_url.url`);
        v.imageRef(url, `${where}.image_url.url`, { mimes: ["image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif"] });
      } else v.imageRef(url, `${where}.image_url.url`);
      const role = v.string(item, "role", where, { values: ["first_frame", "last_frame", "reference_image"] });
      images.push(role ?? null);
    } else {
      const field = type; // video_url | audio_url
      v.onlyKeys(item, ["type", field, "role"], where);
      const obj = v.object(item, field, where, { required: true });
      v.require(typeof obj.url === "string" && v.isHttpUrl(obj.url), `${where}.${field}.url must be an http(s) URL`, `${where}.${field}.url`);
      v.string(item, "role", where, { required: true, values: [type === "video_url" ? "reference_video" : "reference_audio"] });
      others++;
    }
  });
  v.require(text !== null || images.length > 0, "content must hold a text prompt or an image", "content");
  if (spec.textOnly) v.require(images.length === 0 && others === 0, "this model generates from text only; remove the images", "content");
  if (spec.imageOnly) v.require(images.length > 0, "this model needs an image in content", "content");
  const refs = images.filter((r) => r === "reference_image").length;
  const frames = images.filter((r) => r !== "reference_image");
  if (refs > 0) {
    v.require(frames.length === 0, "reference images cannot be mixed with first_frame/last_frame", "content");
    v.require(refs <= (spec.references ?? 0), `at most ${spec.references ?? 0} reference images for this model`, "content");
  } else if (frames.length === 1) {
    v.require(frames[0] === null || frames[0] === "first_frame", "a single image must have role first_frame", "content");
  } else if (frames.length === 2) {
    v.require(frames.includes("first_frame") && frames.includes("last_frame"), "two images must be one first_frame and one last_frame", "content");
  } else v.require(frames.length === 0, "at most two frame images (first_frame, last_frame)", "content");
  return { text, kind: images.length > 0 ? "i2v" : "t2v" };
}

async function create(ctx) {
  if (!authorised(ctx)) return;
  const model = ctx.json?.model;
  const prompt = Array.isArray(ctx.json?.content) ? ctx.json.content.find((c) => c?.type === "text")?.text : undefined;
  const faulted = submitFault(ctx, "ark", model, prompt, {
    rateLimited: (s) => error(ctx, 429, "RateLimitExceeded", "Your account has exceeded the rate limit. Please try again later.", "TooManyRequests", null, { "Retry-After": String(s) }),
    serverError: (st) => error(ctx, st, "InternalServiceError", "The service encountered an unexpected internal error.", "InternalServerError"),
  });
  if (faulted) return;
  let checked;
  try {
    requireJsonContentType(ctx);
    const body = jsonObject(ctx);
    const spec = specOf(v.string(body, "model", "", { required: true }) ?? "");
    if (!spec) throw new v.Invalid(`The model or endpoint ${body.model} does not exist or you do not have access to it.`, "model");
    v.onlyKeys(body, ["model", "content", "resolution", "ratio", "duration", "frames", "seed", "camera_fixed", "watermark", "return_last_frame", "callback_url", "service_tier", "execution_expires_after", ...(spec.audio ? ["generate_audio"] : []), ...(spec.draft ? ["draft"] : [])]);
    const content = checkContent(v.array(body, "content", "", { required: true, min: 1 }), spec);
    const resolution = v.string(body, "resolution", "", { values: spec.resolutions }) ?? (spec === V1 ? "1080p" : "720p");
    const ratio = v.string(body, "ratio", "", { values: RATIOS }) ?? (content.kind === "i2v" ? "adaptive" : "16:9");
    v.require(body.duration === undefined || body.frames === undefined, "duration and frames cannot both be set", "duration");
    const duration = v.integer(body, "duration", "", { values: spec.durations }) ?? 5;
    if (body.frames !== undefined) {
      v.require(spec.frames === true, "frames is not supported by this model", "frames");
      const f = v.integer(body, "frames", "", { min: 29, max: 289 });
      v.require((f - 25) % 4 === 0, "frames must be 25 + 4n", "frames");
    }
    v.integer(body, "seed", "", { min: -1, max: 4294967295 });
    for (const k of ["camera_fixed", "watermark", "return_last_frame", "generate_audio", "draft"]) v.boolean(body, k, "");
    if (body.callback_url !== undefined) v.require(typeof body.callback_url === "string" && v.isHttpUrl(body.callback_url), "callback_url must be an http(s) URL", "callback_url");
    v.string(body, "service_tier", "", { values: ["default", "flex"] });
    v.integer(body, "execution_expires_after", "", { min: 3600, max: 259200 });
    checked = { prompt: content.text, kind: content.kind, resolution, ratio, duration: duration === -1 ? 5 : duration };
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return error(ctx, 400, "InvalidParameter", e.message, "BadRequest", e.field);
  }
  const body = ctx.json;
  const id = `cgt-${new Date(ctx.store.now()).toISOString().replace(/\D/g, "").slice(0, 14)}-${hex(2)}`;
  const [w, h] = dims(checked.resolution, checked.ratio);
  ctx.store.createTask("ark", {
    id,
    model: body.model,
    prompt: checked.prompt,
    kind: checked.kind,
    request: body,
    extra: {
      seed: body.seed === undefined || body.seed === -1 ? Number.parseInt(hex(3), 16) : body.seed,
      resolution: checked.resolution,
      ratio: checked.ratio,
      duration: checked.duration,
      tokens_used: Math.round((w * h * FPS * checked.duration) / 1024),
      service_tier: body.service_tier ?? "default",
      execution_expires_after: body.execution_expires_after ?? 172800,
      generate_audio: specOf(body.model).audio ? body.generate_audio ?? true : undefined,
      draft: body.draft ?? false,
    },
  });
  sendJson(ctx.res, 200, { id });
}

function taskBody(ctx, task, phase) {
  const b = task.behaviour;
  const body = {
    id: task.id,
    model: task.model,
    status: null,
    error: null,
    created_at: Math.floor(task.created / 1000),
    updated_at: Math.floor((task.finished ?? ctx.store.now()) / 1000),
  };
  const params = {
    seed: task.seed,
    resolution: task.resolution,
    ratio: task.ratio,
    duration: task.duration,
    framespersecond: FPS,
    service_tier: task.service_tier,
    execution_expires_after: task.execution_expires_after,
    ...(task.generate_audio !== undefined ? { generate_audio: task.generate_audio } : {}),
    draft: task.draft,
  };
  switch (phase) {
    case "queued":
    case "throttled":
      body.status = "queued";
      break;
    case "running":
      body.status = "running";
      break;
    case "succeeded": {
      body.status = "succeeded";
      // Result URLs are cleared 24 h after the task finished; until then each query signs anew.
      const expires = Math.floor(task.finished / 1000) + URL_LIFETIME_SECONDS;
      body.content = ctx.store.now() < expires * 1000 ? { video_url: resultUrl(ctx, task, { refresh: true, expires }) } : {};
      Object.assign(body, params, { usage: { completion_tokens: task.tokens_used, total_tokens: task.tokens_used } });
      break;
    }
    case "failed":
    case "aborted":
    case "rai_filtered": {
      const [code, message] = FAIL_CODES[phase === "rai_filtered" ? "moderation" : b.fail_kind];
      body.status = "failed";
      body.error = { code: b.fail_code ?? code, message: b.fail_message ?? message };
      break;
    }
    case "expired":
      body.status = "expired";
      break;
    case "cancelled":
      body.status = "cancelled";
      break;
    case "unknown_status":
      body.status = b.status_value;
      break;
  }
  return body;
}

function notFound(ctx, id) {
  error(ctx, 404, "ResourceNotFound", `The specified task ${id} is not found.`, "NotFound");
}

function get(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("ark", id);
  if (!task || task.deleted || hoursSince(ctx, task.created) >= TASK_LIFETIME_HOURS) return notFound(ctx, id);
  if (pollFault(ctx, task, (st) => error(ctx, st, "InternalServiceError", "The service encountered an unexpected internal error.", "InternalServerError"))) return;
  sendJson(ctx.res, 200, taskBody(ctx, task, ctx.store.advance(task)));
}

// DELETE cancels a queued task and deletes a finished one; a running task cannot be touched.
function remove(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("ark", id);
  if (!task || task.deleted) return notFound(ctx, id);
  const phase = ctx.store.peek(task);
  if (phase === "queued") ctx.store.cancel(task);
  else if (phase === "running") return error(ctx, 409, "OperationDenied.InvalidState", "A running task can be neither cancelled nor deleted.", "Conflict");
  else {
    task.deleted = true;
    ctx.store.save();
  }
  sendJson(ctx.res, 200, {});
}

export default {
  name: "ark",
  async handle(ctx) {
    const { method, path } = ctx;
    if (method === "POST" && path === "/api/v3/contents/generations/tasks") return create(ctx), true;
    const m = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/.exec(path);
    if (m && method === "GET") return get(ctx, decodeURIComponent(m[1])), true;
    if (m && method === "DELETE") return remove(ctx, decodeURIComponent(m[1])), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "s3" }),
};
