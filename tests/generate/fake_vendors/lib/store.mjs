// The fake's whole state: tasks, the behaviours tests asked for, result-file tokens, counters,
// the request log and a test-controlled clock. Optionally persisted to a JSON file after every
// change, so a test can restart the fake and find its tasks again.
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hex } from "./http.mjs";

// What happens to a task, and around it, unless a test says otherwise.
export const DEFAULT_BEHAVIOUR = Object.freeze({
  polls_before_done: 2, // polls answered with a non-final status before the final one
  outcome: "succeed", // succeed | fail | stay_running | expire | cancel | unknown_status | rai_filtered | abort
  fail_kind: "internal", // moderation | invalid_parameter | internal: picks the vendor's default code
  fail_code: null, // overrides the vendor's code for fail_kind
  fail_message: null,
  status_value: "MYSTERY_STATE", // the status spelling for outcome unknown_status
  throttled: false, // Runway: show THROTTLED before RUNNING
  submit_429: 0, // refuse this many submits with 429 + Retry-After
  retry_after: 1, // seconds
  submit_5xx: 0, // answer this many submits with status_5xx
  poll_5xx: 0, // answer this many polls of the task with status_5xx
  download_5xx: 0, // answer this many downloads of the result with status_5xx
  status_5xx: 503,
  media: null, // file name in the media dir to serve as the result
  expired_url_first: false, // the first result URL is already expired
  truncate: false, // Content-Length larger than the bytes sent, then close
  not_video: null, // "html" | "text": serve that instead of the video
  result_url: null, // "private" | "metadata" | "ipv6-loopback" | "file" | any literal URL
  redirects: 0, // the download answers 302 this many times before the bytes
  huge_bytes: 0, // stream this many bytes instead of the clip
  huge_chunked: false, // ... without Content-Length
});

const BEHAVIOUR_KEYS = Object.keys(DEFAULT_BEHAVIOUR);
const OUTCOMES = ["succeed", "fail", "stay_running", "expire", "cancel", "unknown_status", "rai_filtered", "abort"];

export class BehaviourError extends Error {}

// Checks a behaviour request from a test; unknown keys are mistakes in the test, not ignored.
export function normaliseBehaviour(spec) {
  const b = { ...DEFAULT_BEHAVIOUR };
  for (const [k, v] of Object.entries(spec)) {
    if (["vendor", "model", "prompt_contains", "times"].includes(k)) continue;
    if (!BEHAVIOUR_KEYS.includes(k)) throw new BehaviourError(`unknown behaviour field "${k}"`);
    b[k] = v;
  }
  if (!OUTCOMES.includes(b.outcome)) throw new BehaviourError(`outcome must be one of ${OUTCOMES.join(", ")}`);
  if (!["moderation", "invalid_parameter", "internal"].includes(b.fail_kind)) throw new BehaviourError("fail_kind must be moderation, invalid_parameter or internal");
  for (const k of ["polls_before_done", "submit_429", "retry_after", "submit_5xx", "poll_5xx", "download_5xx", "redirects", "huge_bytes"]) {
    if (!Number.isInteger(b[k]) || b[k] < 0) throw new BehaviourError(`${k} must be a non-negative integer`);
  }
  if (!(b.status_5xx >= 500 && b.status_5xx <= 599)) throw new BehaviourError("status_5xx must be 500..599");
  if (b.not_video !== null && !["html", "text"].includes(b.not_video)) throw new BehaviourError('not_video must be "html" or "text"');
  if (b.media !== null && (typeof b.media !== "string" || b.media.includes("/") || b.media.startsWith("."))) throw new BehaviourError("media must be a plain file name in the media directory");
  return b;
}

export class Store {
  constructor({ statePath = null } = {}) {
    this.statePath = statePath;
    this.reset();
    if (statePath && existsSync(statePath)) this.load();
  }

  reset() {
    this.tasks = {}; // id -> task
    this.tokens = {}; // token -> {task, vendor, created, expires, dead}
    this.rules = []; // behaviours waiting for tasks
    // running: tasks accepted and not yet ended, over every vendor; most_running: its peak.
    this.submissions = { total: 0, by_vendor: {}, by_prompt: {}, by_model: {}, running: 0, most_running: 0 };
    this.requests = [];
    this.clockOffsetMs = 0;
    this.nextRuleId = 1;
    this.secret = this.secret ?? randomBytes(16).toString("hex");
  }

  // ---- persistence ----
  load() {
    const s = JSON.parse(readFileSync(this.statePath, "utf8"));
    Object.assign(this, s);
    this.dirty = false;
  }
  // save() marks the state changed; flush() writes it (the server flushes after every request).
  // Accepting a task or a behaviour flushes at once, before the reply, so a fake killed right
  // after acknowledging a submit still knows the task when it comes back.
  save() {
    this.dirty = true;
  }
  flush() {
    if (!this.statePath || !this.dirty) return;
    const { statePath, dirty, ...state } = this;
    const tmp = `${statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, statePath);
    this.dirty = false;
  }

  // ---- clock: tests advance it to make URLs and task ids expire ----
  now() {
    return Date.now() + this.clockOffsetMs;
  }

  // ---- behaviours ----
  addRule(spec) {
    if (typeof spec.vendor !== "string") throw new BehaviourError("vendor is required");
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < -1 || times === 0) throw new BehaviourError("times must be a positive integer, or -1 for every matching task");
    const behaviour = normaliseBehaviour(spec);
    const rule = {
      id: this.nextRuleId++,
      vendor: spec.vendor,
      model: spec.model ?? null,
      prompt_contains: spec.prompt_contains ?? null,
      times,
      behaviour,
      submit_429_left: behaviour.submit_429,
      submit_5xx_left: behaviour.submit_5xx,
    };
    this.rules.push(rule);
    this.save();
    this.flush();
    return rule;
  }

  matchRule(vendor, model, prompt) {
    return this.rules.find(
      (r) =>
        r.vendor === vendor &&
        r.times !== 0 &&
        (r.model === null || r.model === model) &&
        (r.prompt_contains === null || (typeof prompt === "string" && prompt.includes(r.prompt_contains))),
    );
  }

  // Before a submit is looked at: should it be refused with 429 or a 5xx?
  submitFault(vendor, model, prompt) {
    const rule = this.matchRule(vendor, model, prompt);
    if (!rule) return null;
    if (rule.submit_429_left > 0) {
      rule.submit_429_left--;
      this.save();
      return { kind: "429", retryAfter: rule.behaviour.retry_after };
    }
    if (rule.submit_5xx_left > 0) {
      rule.submit_5xx_left--;
      this.save();
      return { kind: "5xx", status: rule.behaviour.status_5xx };
    }
    return null;
  }

  // ---- tasks ----
  createTask(vendor, { id, model, prompt, kind, request, extra = {} }) {
    const rule = this.matchRule(vendor, model, prompt);
    const behaviour = rule ? rule.behaviour : { ...DEFAULT_BEHAVIOUR };
    if (rule && rule.times > 0) rule.times--;
    this.rules = this.rules.filter((r) => r.times !== 0);
    const task = {
      id,
      vendor,
      model,
      prompt: prompt ?? null,
      kind,
      request,
      created: this.now(),
      polls: 0,
      final: null, // the final phase once reached
      finished: null, // when it was reached (fake clock, ms)
      cancelled: false,
      behaviour,
      poll_5xx_left: behaviour.poll_5xx,
      download_5xx_left: behaviour.download_5xx,
      tokens: [],
      rule: rule ? rule.id : null,
      ...extra,
    };
    this.tasks[id] = task;
    const s = this.submissions;
    s.total++;
    s.by_vendor[vendor] = (s.by_vendor[vendor] ?? 0) + 1;
    const byPrompt = (s.by_prompt[vendor] ??= {});
    byPrompt[prompt ?? ""] = (byPrompt[prompt ?? ""] ?? 0) + 1;
    const byModel = (s.by_model[vendor] ??= {});
    byModel[model] = (byModel[model] ?? 0) + 1;
    s.running++;
    s.most_running = Math.max(s.most_running, s.running);
    this.save();
    this.flush();
    return task;
  }

  task(vendor, id) {
    const t = this.tasks[id];
    return t && t.vendor === vendor ? t : null;
  }

  // A poll that the behaviour says to answer with a 5xx (consumes one).
  pollFault(task) {
    if (task.poll_5xx_left > 0) {
      task.poll_5xx_left--;
      this.save();
      return task.behaviour.status_5xx;
    }
    return null;
  }

  // Counts a poll and returns the task's phase: queued | running | throttled (before the end), or
  // the final one: succeeded | failed | expired | cancelled | unknown_status | rai_filtered | aborted.
  advance(task) {
    if (task.final) return task.final;
    if (task.cancelled) return this.finish(task, "cancelled");
    task.polls++;
    const b = task.behaviour;
    if (b.outcome === "stay_running" || task.polls <= b.polls_before_done) {
      this.save();
      if (task.polls === 1) return b.throttled ? "throttled" : "queued";
      return "running";
    }
    const final = {
      succeed: "succeeded",
      fail: "failed",
      expire: "expired",
      cancel: "cancelled",
      unknown_status: "unknown_status",
      rai_filtered: "rai_filtered",
      abort: "aborted",
    }[b.outcome];
    return this.finish(task, final);
  }

  // The phase without counting a poll (for list endpoints and result fetches).
  peek(task) {
    if (task.final) return task.final;
    if (task.cancelled) return "cancelled";
    if (task.polls === 0) return "queued";
    return task.polls === 1 && task.behaviour.throttled ? "throttled" : "running";
  }

  finish(task, phase) {
    if (!task.final) this.submissions.running--;
    task.final = phase;
    task.finished = this.now();
    this.save();
    return phase;
  }

  cancel(task) {
    task.cancelled = true;
    this.save();
  }

  // ---- result files ----
  // A token naming the task's result file. `refresh`: a new token (and so a new signed URL) on
  // every call, as vendors that let you fetch the task again for a fresh URL do; otherwise the
  // task keeps its first token. The first token is dead from birth if the behaviour says so.
  // `expires`: unix seconds on the fake clock after which the URL answers as expired.
  fileToken(task, { refresh, expires }) {
    if (!refresh && task.tokens.length > 0) return this.tokens[task.tokens[task.tokens.length - 1]];
    const token = hex(12);
    const created = this.now();
    const entry = {
      token,
      task: task.id,
      vendor: task.vendor,
      created,
      expires,
      dead: task.tokens.length === 0 && task.behaviour.expired_url_first,
    };
    this.tokens[token] = entry;
    task.tokens.push(token);
    this.save();
    return entry;
  }

  sign(token, expires) {
    return createHmac("sha256", this.secret).update(`${token}:${expires}`).digest("hex").slice(0, 32);
  }

  // ---- request log ----
  // Keeps `entry` itself, not a copy: what the vendor decides while answering (auth, jwt,
  // fault, served_task) is written into it after it was logged.
  logRequest(entry) {
    this.requests.push(Object.assign(entry, { seq: this.requests.length + 1, time: new Date().toISOString() }));
    this.save();
  }
}
