// Replicate predictions API: POST /v1/models/{owner}/{name}/predictions (or /v1/predictions with
// a version), GET /v1/predictions/{id}, POST /v1/predictions/{id}/cancel.
// Sources for every rule are listed in ../README.md ("Replicate").
import { hex, origin, sendJson } from "../lib/http.mjs";
import { resultUrl, serveFile } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { pollFault, submitFault } from "../lib/vendor.mjs";

const DATA_LIFETIME_SECONDS = 3600; // API predictions' files and inputs are removed after 1 h
const problemHeaders = { "Content-Type": "application/problem+json" };

function problem(ctx, status, title, detailText, extra = {}, headers = {}) {
  const body = JSON.stringify({ title, detail: detailText, status, ...extra });
  ctx.res.writeHead(status, { ...problemHeaders, "Content-Length": Buffer.byteLength(body), ...headers });
  ctx.res.end(body);
}

function authorised(ctx) {
  const h = ctx.req.headers["authorization"];
  const m = typeof h === "string" ? /^(Bearer|Token) (\S+)$/.exec(h) : null;
  ctx.log.auth = !h ? "missing" : m && m[2] === ctx.keys.replicate ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  problem(ctx, 401, "Unauthenticated", "You did not pass a valid authentication token");
  return false;
}

const shapes = (ctx) => ({
  rateLimited: (s) => problem(ctx, 429, "Request was throttled.", `Request was throttled. Expected available in ${s} second${s === 1 ? "" : "s"}.`, {}, { "Retry-After": String(s) }),
  serverError: (st) => problem(ctx, st, "Internal Server Error", "Something went wrong on our end."),
});

function checkBody(ctx, needVersion) {
  const invalid = (field, description) => ({ type: "invalid", field, description });
  if (ctx.jsonError || !v.isObject(ctx.json)) return [invalid("body", "the body must be a JSON object")];
  const body = ctx.json;
  const problems = [];
  const allowed = ["input", "webhook", "webhook_events_filter", "stream", ...(needVersion ? ["version"] : [])];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) problems.push(invalid(k, `Additional property ${k} is not allowed`));
  if (needVersion && !(typeof body.version === "string" && /^[0-9a-f]{64}$|^[\w.-]+\/[\w.-]+(:[0-9a-f]{64})?$/.test(body.version))) problems.push(invalid("version", "version must be a 64-character version id or owner/name[:version]"));
  if (!v.isObject(body.input)) problems.push(invalid("input", "input is required and must be an object"));
  else if (typeof body.input.prompt !== "string" || body.input.prompt.trim() === "") problems.push(invalid("input.prompt", "prompt is required"));
  if (body.webhook !== undefined && !(typeof body.webhook === "string" && v.isHttpUrl(body.webhook, { httpsOnly: true }))) problems.push(invalid("webhook", "webhook must be an HTTPS URL"));
  if (body.webhook_events_filter !== undefined && !(Array.isArray(body.webhook_events_filter) && body.webhook_events_filter.every((e) => ["start", "output", "logs", "completed"].includes(e)))) problems.push(invalid("webhook_events_filter", "events must be start, output, logs or completed"));
  return problems;
}

function create(ctx, model) {
  if (!authorised(ctx)) return;
  if (submitFault(ctx, "replicate", model, ctx.json?.input?.prompt, shapes(ctx))) return;
  const problems = checkBody(ctx, model === null);
  if (problems.length > 0) return problem(ctx, 422, "Input validation failed", problems.map((p) => `- ${p.field}: ${p.description}`).join("\n"), { invalid_fields: problems });
  const version = model === null ? ctx.json.version.split(":").pop() : hex(32);
  const modelName = model ?? (ctx.json.version.includes("/") ? ctx.json.version.split(":")[0] : "owner/model");
  ctx.log.prefer = ctx.req.headers["prefer"] ?? null;
  const task = ctx.store.createTask("replicate", { id: hex(13).slice(0, 26), model: modelName, prompt: ctx.json.input.prompt, kind: "t2v", request: ctx.json, extra: { version } });
  sendJson(ctx.res, 201, prediction(ctx, task, "queued"));
}

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function prediction(ctx, task, phase) {
  const b = task.behaviour;
  const base = `${origin(ctx.req)}/replicate/v1/predictions/${task.id}`;
  const p = {
    id: task.id,
    model: task.model,
    version: task.version,
    input: task.request.input,
    logs: "",
    output: null,
    data_removed: false,
    error: null,
    status: null,
    created_at: iso(task.created),
    started_at: phase === "queued" ? null : iso(task.created + 100),
    completed_at: task.final ? iso(task.finished) : null,
    source: "api",
    urls: { cancel: `${base}/cancel`, get: base, web: `https://replicate.com/p/${task.id}` },
  };
  const removed = task.final && ctx.store.now() > task.finished + DATA_LIFETIME_SECONDS * 1000;
  switch (phase) {
    case "queued":
    case "throttled":
      p.status = "starting";
      break;
    case "running":
      p.status = "processing";
      p.logs = "fake_vendors: generating\n";
      break;
    case "succeeded":
      p.status = "succeeded";
      p.metrics = { predict_time: 1.5, total_time: (task.finished - task.created) / 1000 };
      if (removed) {
        p.data_removed = true;
        p.input = {};
      } else p.output = resultUrl(ctx, task, { refresh: false, expires: Math.floor(task.finished / 1000) + DATA_LIFETIME_SECONDS });
      break;
    case "failed":
    case "rai_filtered":
      p.status = "failed";
      p.error =
        b.fail_message ??
        (phase === "rai_filtered" || b.fail_kind === "moderation" ? "The input or output was flagged as sensitive. Please try again with different inputs. (E005)" : b.fail_kind === "invalid_parameter" ? "Prediction input failed validation" : "Prediction failed.");
      break;
    case "cancelled":
      p.status = "canceled";
      break;
    case "expired":
    case "aborted":
      p.status = "aborted";
      break;
    case "unknown_status":
      p.status = b.status_value;
      break;
  }
  return p;
}

function get(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("replicate", id);
  if (!task) return problem(ctx, 404, "Not found", "The requested resource could not be found.");
  if (pollFault(ctx, task, shapes(ctx).serverError)) return;
  sendJson(ctx.res, 200, prediction(ctx, task, ctx.store.advance(task)));
}

function cancel(ctx, id) {
  if (!authorised(ctx)) return;
  const task = ctx.store.task("replicate", id);
  if (!task) return problem(ctx, 404, "Not found", "The requested resource could not be found.");
  if (!task.final) ctx.store.finish(task, "cancelled");
  sendJson(ctx.res, 200, prediction(ctx, task, task.final));
}

export default {
  name: "replicate",
  async handle(ctx) {
    const { method, path } = ctx;
    let m = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
    if (method === "POST" && m) return create(ctx, `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`), true;
    if (method === "POST" && path === "/v1/predictions") return create(ctx, null), true;
    m = /^\/v1\/predictions\/([^/]+)$/.exec(path);
    if (method === "GET" && m) return get(ctx, decodeURIComponent(m[1])), true;
    m = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(path);
    if (method === "POST" && m) return cancel(ctx, decodeURIComponent(m[1])), true;
    return false;
  },
  serveFile: (ctx, token) => serveFile(ctx, token, { style: "cdn" }),
};
