// Kuaishou Kling API (V1): text2video and image2video tasks, JWT auth from an access/secret key.
// Sources for every rule are listed in ../README.md ("Kling").
import { createHmac, timingSafeEqual } from "node:crypto";
import { digits, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const V1_MODELS = ["kling-v1", "kling-v1-5", "kling-v1-6"];
const V2_MODELS = ["kling-v2-master", "kling-v2-1", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6"];
const V3_MODELS = ["kling-v3"];
const MODELS = [...V1_MODELS, ...V2_MODELS, ...V3_MODELS];
const URL_LIFETIME_SECONDS = 30 * 24 * 3600;

const FAIL_MESSAGES = {
  moderation: "Failure to pass the risk control system",
  invalid_parameter: "Invalid parameters",
  internal: "Internal error",
};

function envelope(ctx, status, code, message, data, headers = {}) {
  sendJson(ctx.res, status, { code, message, request_id: uuid(), ...(data !== undefined ? { data } : {}) }, headers);
}

const b64url = (s) => Buffer.from(s, "base64url");

// Verifies the HS256 JWT: signed with the secret key, iss = access key, nbf <= now < exp (real
// time, not the fake clock: the client signs with its own clock). Returns [code, message] or null.
function checkJwt(ctx) {
  const h = ctx.req.headers["authorization"];
  if (typeof h !== "string" || h.length === 0) return [1001, "Authorization is empty"];
  const m = /^Bearer (\S+)$/.exec(h);
  if (!m) return [1002, "Authorization is invalid: expected 'Bearer <jwt>'"];
  const parts = m[1].split(".");
  if (parts.length !== 3) return [1002, "Authorization is invalid: not a JWT"];
  let header;
  let payload;
  try {
    header = JSON.parse(b64url(parts[0]).toString("utf8"));
    payload = JSON.parse(b64url(parts[1]).toString("utf8"));
  } catch {
    return [1002, "Authorization is invalid: undecodable JWT"];
  }
  if (header.alg !== "HS256") return [1002, `Authorization is invalid: alg must be HS256 (got ${header.alg})`];
  const [ak, sk] = ctx.keys.kling.split(":");
  const expected = createHmac("sha256", sk).update(`${parts[0]}.${parts[1]}`).digest();
  const given = b64url(parts[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return [1002, "Authorization is invalid: bad signature"];
  if (payload.iss !== ak) return [1002, "Authorization is invalid: unknown access key (iss)"];
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== "number") return [1002, "Authorization is invalid: exp is missing"];
  if (typeof payload.nbf !== "number") return [1002, "Authorization is invalid: nbf is missing"];
  if (payload.nbf > now) return [1003, "Authorization is not active yet (nbf)"];
  if (payload.exp <= now) return [1004, "Authorization has expired (exp)"];
  ctx.log.jwt = { header, payload };
  return null;
}

function authorised(ctx) {
  const problem = checkJwt(ctx);
  ctx.log.auth = problem ? (problem[0] === 1001 ? "missing" : "invalid") : "ok";
  if (!problem) return true;
  envelope(ctx, 401, problem[0], problem[1]);
  return false;
}

// A Kling image: an http(s) URL or raw base64 of a JPG/PNG, never a data: URI.
function checkImage(value, field) {
  v.require(typeof value === "string" && value.length > 0, `${field} must be a non-empty string`, field);
  if (value.startsWith("http://") || value.startsWith("https://")) {
    v.require(v.isHttpUrl(value), `${field} is not a valid URL`, field);
    return;
  }
  v.require(!value.startsWith("data:"), `${field}: base64 must be sent without a data: prefix`, field);
  const bytes = v.parseRawBase64(value);
  v.require(bytes !== null, `${field} is neither a URL nor valid base64`, field);
  const kind = v.sniffImage(bytes);
  v.require(kind === "jpeg" || kind === "png", `${field} must be a JPG or PNG image`, field);
}

function checkBody(body, kind) {
  const model = v.string(body, "model_name", "", { values: MODELS }) ?? "kling-v1";
  const common = ["model_name", "prompt", "negative_prompt", "cfg_scale", "mode", "duration", "sound", "camera_control", "callback_url", "external_task_id"];
  const t2v = ["aspect_ratio"];
  const i2v = ["image", "image_tail", "static_mask", "dynamic_masks", "voice_list"];
  if (model === "kling-v3") common.push("multi_shot", "shot_type", "multi_prompt");
  v.onlyKeys(body, [...common, ...(kind === "t2v" ? t2v : i2v)]);
  v.string(body, "prompt", "", { required: kind === "t2v", max: 2500 });
  v.string(body, "negative_prompt", "", { max: 2500 });
  if (body.cfg_scale !== undefined) {
    v.require(!V2_MODELS.includes(model) && !V3_MODELS.includes(model), "cfg_scale is not supported by kling-v2.x models", "cfg_scale");
    v.number(body, "cfg_scale", "", { min: 0, max: 1 });
  }
  const mode = v.string(body, "mode", "", { values: ["std", "pro"] }) ?? "std";
  if (kind === "t2v") v.string(body, "aspect_ratio", "", { values: ["16:9", "9:16", "1:1"] });
  // duration is a STRING.
  const durations = model === "kling-v3" ? Array.from({ length: 13 }, (_, i) => String(i + 3)) : ["5", "10"];
  if (body.duration !== undefined) v.require(typeof body.duration === "string", `duration must be a string such as "5" (got ${JSON.stringify(body.duration)})`, "duration");
  const duration = v.string(body, "duration", "", { values: durations }) ?? "5";
  if (body.sound !== undefined) {
    v.require(["kling-v2-6", "kling-v3"].includes(model), "sound is supported by kling-v2-6 and kling-v3 only", "sound");
    v.string(body, "sound", "", { values: ["on", "off"] });
    v.require(model !== "kling-v2-6" || body.sound === "off" || mode === "pro", "sound on kling-v2-6 needs mode pro", "sound");
  }
  v.object(body, "camera_control", "");
  if (body.callback_url !== undefined) v.require(typeof body.callback_url === "string" && v.isHttpUrl(body.callback_url), "callback_url must be an http(s) URL", "callback_url");
  v.string(body, "external_task_id", "");
  if (kind === "i2v") {
    v.require(body.image !== undefined || body.image_tail !== undefined, "image or image_tail is required", "image");
    if (body.image !== undefined) checkImage(body.image, "image");
    if (body.image_tail !== undefined) {
      checkImage(body.image_tail, "image_tail");
      v.require(body.camera_control === undefined && body.static_mask === undefined && body.dynamic_masks === undefined, "image_tail cannot be combined with camera_control or masks", "image_tail");
    }
  }
  return { model, mode, duration };
}

const SPACES = { t2v: "text2video", i2v: "image2video" };

function taskData(ctx, task, phase) {
  const b = task.behaviour;
  const data = {
    task_id: task.id,
    task_status: null,
    task_status_msg: "",
    task_info: task.external_task_id ? { external_task_id: task.external_task_id } : {},
    created_at: task.created,
    updated_at: task.finished ?? ctx.store.now(),
  };
  switch (phase) {
    case "queued":
    case "throttled":
      data.task_status = "submitted";
      break;
    case "running":
      data.task_status = "processing";
      break;
    case "succeeded":
      data.task_status = "succeed";
      data.final_unit_deduction = task.units;
      data.task_result = {
        videos: [{ id: task.video_id, url: resultUrl(ctx, task, { refresh: false, expires: Math.floor(task.finished / 1000) + URL_LIFETIME_SECONDS }), duration: task.duration }],
      };
      break;
    case "failed":
    case "aborted":
    case "rai_filtered":
    case "expired":
    case "cancelled":
      data.task_status = "failed";
      data.task_status_msg = b.fail_message ?? FAIL_MESSAGES[phase === "rai_filtered" ? "moderation" : b.fail_kind];
      break;
    case "unknown_status":
      data.task_status = b.status_value;
      break;
  }
  return data;
}

async function create(ctx, kind) {
  if (!authorised(ctx)) return;
  const model = ctx.json?.model_name ?? "kling-v1";
  const faulted = submitFault(ctx, "kling", model, ctx.json?.prompt, {
    rateLimited: (s) => envelope(ctx, 429, 1302, "The API request is too fast, please slow down the request frequency", undefined, { "Retry-After": String(s) }),
    serverError: (st) => envelope(ctx, st, st === 503 ? 5001 : st === 504 ? 5002 : 5000, "Server internal error"),
  });
  if (faulted) return;
  let checked;
  try {
    requireJsonContentType(ctx);
    checked = checkBody(jsonObject(ctx), kind);
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return envelope(ctx, 400, 1201, `Invalid parameter: ${e.message}`);
  }
  const body = ctx.json;
  if (body.external_task_id !== undefined && Object.values(ctx.store.tasks).some((t) => t.vendor === "kling" && t.external_task_id === body.external_task_id)) {
    return envelope(ctx, 400, 1201, "Invalid parameter: external_task_id already exists");
  }
  // Units: 1 per 5 s in std mode, 2 in pro (a stand-in; real prices vary by model), as a string.
  const units = String(((Number(checked.duration) / 5) * (checked.mode === "pro" ? 2 : 1)).toFixed(1).replace(/\.0$/, ""));
  const task = ctx.store.createTask("kling", {
    id: digits(18),
    model: checked.model,
    prompt: body.prompt,
    kind,
    request: body,
    extra: { external_task_id: body.external_task_id, units, duration: `${checked.duration}.0`, video_id: uuid() },
  });
  envelope(ctx, 200, 0, "SUCCEED", {
    task_id: task.id,
    task_status: "submitted",
    task_info: task.external_task_id ? { external_task_id: task.external_task_id } : {},
    created_at: task.created,
    updated_at: task.created,
  });
}

function query(ctx, kind, id) {
  if (!authorised(ctx)) return;
  // Either our task id or the caller's external_task_id, within the same task kind.
  const task = Object.values(ctx.store.tasks).find((t) => t.vendor === "kling" && t.kind === kind && (t.id === id || (t.external_task_id !== undefined && t.external_task_id === id)));
  if (!task) return envelope(ctx, 404, 1203, "The requested resource does not exist: task not found");
  if (pollFault(ctx, task, (st) => envelope(ctx, st, 5000, "Server internal error"))) return;
  envelope(ctx, 200, 0, "SUCCEED", taskData(ctx, task, ctx.store.advance(task)));
}

export default {
  name: "kling",
  async handle(ctx) {
    const { method, path } = ctx;
    for (const [kind, space] of Object.entries(SPACES)) {
      if (method === "POST" && path === `/v1/videos/${space}`) return create(ctx, kind), true;
      const m = new RegExp(`^/v1/videos/${space}/([^/]+)$`).exec(path);
      if (method === "GET" && m) return query(ctx, kind, decodeURIComponent(m[1])), true;
    }
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "s3" }),
};
