// fal.ai queue API: POST {model_id}[/{subpath}], then status and result at
// {owner}/{alias}/requests/{id}[/status] — without the subpath.
// Sources for every rule are listed in ../README.md ("fal").
import { credential, origin, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { pollFault, submitFault } from "../lib/vendor.mjs";

const NAMESPACES = ["workflows", "comfy"];
const URL_LIFETIME_SECONDS = 7 * 24 * 3600;

// `[ns/]owner/alias` and the rest of a path split on the segments.
function splitApp(segments) {
  const n = NAMESPACES.includes(segments[0]) ? 3 : 2;
  return { app: segments.slice(0, n).join("/"), rest: segments.slice(n) };
}

const detail = (ctx, status, body, headers = {}) => sendJson(ctx.res, status, body, headers);

function authorised(ctx) {
  const key = credential(ctx.req, "Key");
  ctx.log.auth = key === null ? "missing" : key === ctx.keys.fal ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  detail(ctx, 401, { detail: key === null ? "Missing authorization header; expected 'Authorization: Key <FAL_KEY>'." : "Invalid key." });
  return false;
}

const shapes = (ctx) => ({
  rateLimited: (s) => detail(ctx, 429, { detail: "Too many requests.", error_type: "rate_limited" }, { "Retry-After": String(s), "X-Fal-Error-Type": "rate_limited" }),
  serverError: (st) => detail(ctx, st, { detail: "Service temporarily unavailable.", error_type: "internal_error" }, { "X-Fal-Error-Type": "internal_error" }),
});

// fal checks input against each model's own schema; the fake checks what every video model
// here has: a prompt, and for image-to-video endpoints an image_url.
function inputErrors(body, endpoint) {
  const errors = [];
  if (!v.isObject(body)) return [{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }];
  if (typeof body.prompt !== "string" || body.prompt.trim() === "") errors.push({ loc: ["body", "prompt"], msg: "Field required", type: "missing" });
  if (/image-to-video/.test(endpoint)) {
    const u = body.image_url;
    if (u === undefined) errors.push({ loc: ["body", "image_url"], msg: "Field required", type: "missing" });
    else {
      try {
        v.imageRef(u, "image_url");
      } catch (e) {
        errors.push({ loc: ["body", "image_url"], msg: e.message, type: "value_error" });
      }
    }
  }
  return errors;
}

async function submit(ctx, endpoint) {
  if (!authorised(ctx)) return;
  const { app } = splitApp(endpoint.split("/"));
  if (submitFault(ctx, "fal", endpoint, ctx.json?.prompt, shapes(ctx))) return;
  if (ctx.jsonError) return detail(ctx, 422, { detail: [{ loc: ["body"], msg: `Invalid JSON: ${ctx.jsonError}`, type: "json_invalid" }] });
  const errors = inputErrors(ctx.json, endpoint);
  if (errors.length > 0) return detail(ctx, 422, { detail: errors });
  const task = ctx.store.createTask("fal", { id: uuid(), model: endpoint, prompt: ctx.json.prompt, kind: /image-to-video/.test(endpoint) ? "i2v" : "t2v", request: ctx.json, extra: { app } });
  const base = `${origin(ctx.req)}/fal/${app}/requests/${task.id}`;
  sendJson(ctx.res, 200, { request_id: task.id, response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel`, queue_position: 0 });
}

function find(ctx, app, id) {
  const task = ctx.store.task("fal", id);
  return task && task.app === app ? task : null;
}

function status(ctx, app, id) {
  if (!authorised(ctx)) return;
  const task = find(ctx, app, id);
  if (!task) return detail(ctx, 404, { detail: "Request not found" });
  if (pollFault(ctx, task, shapes(ctx).serverError)) return;
  const phase = ctx.store.advance(task);
  const withLogs = ["1", "true"].includes(ctx.query.get("logs") ?? "");
  const logs = withLogs ? [{ message: "fake_vendors: generating", level: "INFO", source: "user", timestamp: new Date(task.created).toISOString() }] : null;
  const response_url = `${origin(ctx.req)}/fal/${app}/requests/${task.id}`;
  const b = task.behaviour;
  if (phase === "queued" || phase === "throttled") return sendJson(ctx.res, 202, { status: "IN_QUEUE", queue_position: 0, response_url });
  if (phase === "running") return sendJson(ctx.res, 202, { status: "IN_PROGRESS", logs, response_url });
  if (phase === "unknown_status") return sendJson(ctx.res, 200, { status: b.status_value, response_url });
  const body = { status: "COMPLETED", logs, metrics: { inference_time: 1.5 }, response_url };
  const err = failureOf(task, phase);
  if (err) Object.assign(body, { error: err.message, error_type: err.type });
  sendJson(ctx.res, 200, body);
}

// The failure a finished request carries, or null.
function failureOf(task, phase) {
  const b = task.behaviour;
  if (phase === "succeeded") return null;
  if (phase === "rai_filtered" || (phase === "failed" && b.fail_kind === "moderation"))
    return { status: 422, type: b.fail_code ?? "content_policy_violation", message: b.fail_message ?? "The content could not be processed because it contained material flagged by a content checker.", validation: true };
  if (phase === "failed" && b.fail_kind === "invalid_parameter") return { status: 422, type: b.fail_code ?? "value_error", message: b.fail_message ?? "Input is invalid for this model.", validation: true };
  if (phase === "cancelled") return { status: 400, type: "request_cancelled", message: "The request was cancelled." };
  if (phase === "expired" || phase === "aborted") return { status: 504, type: "request_timeout", message: "The request timed out." };
  return { status: 500, type: b.fail_code ?? "runner_disconnected", message: b.fail_message ?? "The runner disconnected while processing the request." };
}

function result(ctx, app, id) {
  if (!authorised(ctx)) return;
  const task = find(ctx, app, id);
  if (!task) return detail(ctx, 404, { detail: "Request not found" });
  const phase = ctx.store.peek(task);
  if (!task.final) return detail(ctx, 400, { detail: "Request is still in progress" });
  const err = failureOf(task, phase);
  if (err && err.validation) return detail(ctx, err.status, { detail: [{ loc: ["body", "prompt"], msg: err.message, type: err.type }] }, { "X-Fal-Error-Type": err.type });
  if (err) return detail(ctx, err.status, { detail: err.message, error_type: err.type }, { "X-Fal-Error-Type": err.type });
  const url = resultUrl(ctx, task, { refresh: false, expires: Math.floor(task.finished / 1000) + URL_LIFETIME_SECONDS });
  sendJson(ctx.res, 200, { video: { url, content_type: "video/mp4", file_name: "output.mp4", file_size: ctx.config.mediaSize(task) }, seed: 42 });
}

function cancel(ctx, app, id) {
  if (!authorised(ctx)) return;
  const task = find(ctx, app, id);
  if (!task) return detail(ctx, 404, { detail: "Request not found" });
  if (ctx.store.peek(task) !== "queued") return sendJson(ctx.res, 400, { status: "ALREADY_COMPLETED" });
  ctx.store.cancel(task);
  sendJson(ctx.res, 202, { status: "CANCELLATION_REQUESTED" });
}

export default {
  name: "fal",
  async handle(ctx) {
    const { method } = ctx;
    const segments = ctx.path.split("/").filter(Boolean);
    const r = segments.indexOf("requests");
    if (r >= 0 && r < segments.length - 1) {
      const { app, rest } = splitApp(segments.slice(0, r));
      // Status and result URLs name the app only: a subpath there is not a fal route.
      if (rest.length > 0 || segments.slice(0, r).length < 2) return detail(ctx, 404, { detail: "Not Found" }), true;
      const id = segments[r + 1];
      const tail = segments.slice(r + 2).join("/");
      if (method === "GET" && tail === "status") return status(ctx, app, id), true;
      if (method === "GET" && tail === "") return result(ctx, app, id), true;
      if (method === "PUT" && tail === "cancel") return cancel(ctx, app, id), true;
      return false;
    }
    if (method === "POST" && segments.length >= 2) return submit(ctx, segments.join("/")), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "cdn" }),
};
