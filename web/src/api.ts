// The client side of docs/http-api.md: typed calls, and every failure turned into an
// ApiError with a stable code the pages branch on (never on the message).

export interface Config {
  demo: boolean;
  unlock: "played_once" | "none";
  min_votes: number;
  version: string;
}

export interface Track {
  id: string;
  name: string;
  task: "text-to-video" | "image-to-video" | "video-edit";
  audio: boolean;
  duration_s: number;
  aspect: string;
  width: number;
  height: number;
  models: number;
  prompts: number;
  clips: number;
}

export interface Battle {
  ticket: string;
  track: string;
  expires_at: number;
  prompt: {
    text: string;
    language?: string;
    categories?: string[];
    source_image_url?: string;
    source_video_url?: string;
  };
  left: { url: string };
  right: { url: string };
}

export type Choice = "left" | "right" | "tie" | "both_bad";

export interface VoteRequest {
  ticket: string;
  choice: Choice;
  left_watch_ms: number;
  right_watch_ms: number;
  decision_ms: number;
}

export interface Revealed {
  model: string;
  organization: string;
}

export interface VoteReply {
  vote_id: number;
  left: Revealed;
  right: Revealed;
}

export interface BoardRow {
  model: string;
  organization: string;
  status?: string;
  rating: number;
  ci_low: number | null; // null when the board has no bootstrap intervals
  ci_high: number | null;
  rank: number;
  rank_best: number;
  rank_worst: number;
  votes: number;
  wins?: number;
  losses?: number;
  ties?: number;
  win_rate: number;
  elo?: number;
  raw_rating?: number | null; // with presentation control: the score of the same fit without it
  preliminary: boolean;
  // paddock generate's provenance of the model's clips in this track (null when none, and
  // for anonymous models): mean cost per clip and median generation time.
  generation?: { clips: number; mean_cost: number | null; currency: string | null; median_generation_s: number | null } | null;
  sampling_share?: number; // this model's share of the board's battles (docs/http-api.md)
}

// One organization's share of the board's battles ("(undisclosed)" for anonymous models).
export interface OrganizationShare {
  organization: string;
  models: number;
  votes: number;
  sampling_share: number;
}

// One pair of models: how often `a` beat `b`. Field names follow the rating engine's
// output (docs/output.md); see board/pairs.ts for how they are read.
export type BoardPair = Record<string, unknown>;

// With weights, the rating engine says what weighting did to each category.
export interface CategoryShare {
  category: string;
  votes: number;
  voted_share: number;
  target_share: number;
}

// Presentation control: one clip feature's effect, in points per standard deviation of the
// relative difference between the two clips, with its interval (docs/rating-method.md).
export interface Covariate {
  feature: string;
  effect: number;
  ci_low: number | null;
  ci_high: number | null;
}

// The clip features a board can hold equal (docs/http-api.md, control=).
export const PRESENTATION_FEATURES = ["duration", "width", "height", "fps", "audio", "motion", "luma", "saturation"] as const;

export interface Board {
  track: string;
  computed_at: number;
  last_vote_id: number;
  votes?: number; // votes used after filtering
  filter: { categories: string[]; weights: string; languages?: string[]; control?: string[] };
  control?: string[];
  covariates?: Covariate[];
  models: BoardRow[];
  pairs: BoardPair[];
  // Every category of the track's prompts (names); older servers put the shares here.
  categories: (string | CategoryShare)[];
  category_shares?: CategoryShare[];
  // When the models fall into groups that never met: each group's models (docs/rate.md).
  pieces?: string[][];
  languages?: string[]; // the track's prompt languages
  ties?: { model: string; tie_votes: number; both_bad_votes: number; both_bad_rate: number };
  organizations?: OrganizationShare[];
  matchmaking?: { mode: string; pairs: { model_a: string; model_b: string; probability: number }[] };
  // Votes cast without watching weigh `weight` (docs/voter-scoring.md); null: all weigh 1.
  watch_weighting?: { weight: number; min_share: number } | null;
  vote_weights?: { down_weighted_votes: number; weight_total: number };
  // How many votes hold each adjacent order of the top in place (docs/rating-method.md), on
  // the board's own fit; with pieces, piece by piece. Absent when not computed.
  robustness?: Robustness[];
}

export interface Robustness {
  rank: number; // the upper model's place (1: the #1 against the #2), within its piece
  piece?: number; // with pieces: the index into `pieces` of both models
  upper: string;
  lower: string;
  votes: number | null; // fewest votes whose removal puts `lower` above `upper`; null: none does
  share: number | null;
  approximate: number | null;
  confirmed: boolean;
}

export interface History {
  track: string;
  points: { t: number; last_vote_id: number; ratings: Record<string, number> }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0 when the server could not be reached
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T; retryAfterS: number | null }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached. Check your connection and try again.");
  }
  const retryAfterS = parseRetryAfter(response.headers.get("Retry-After"));
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
      retryAfterS,
    );
  }
  return { status: response.status, data: data as T, retryAfterS };
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

let configPromise: Promise<Config> | null = null;

// The configuration is asked for once per page load.
export function getConfig(): Promise<Config> {
  configPromise ??= request<Config>("GET", "/api/config").then((r) => r.data);
  configPromise.catch(() => (configPromise = null));
  return configPromise;
}

export async function getTracks(): Promise<Track[]> {
  return (await request<{ tracks: Track[] }>("GET", "/api/tracks")).data.tracks;
}

export async function newBattle(track: string): Promise<Battle> {
  return (await request<Battle>("POST", "/api/battles", { track })).data;
}

export async function castVote(vote: VoteRequest): Promise<VoteReply> {
  return (await request<VoteReply>("POST", "/api/votes", vote)).data;
}

export interface BoardQuery {
  track: string;
  categories: string[];
  weights: "as_voted" | "balanced";
  language?: string; // one prompt language, or all when absent
  control?: string[]; // presentation control: clip features held equal
}

export function boardUrl(query: BoardQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ track: query.track });
  for (const category of query.categories) params.append("category", category);
  if (query.weights === "balanced") params.set("weights", "balanced");
  if (query.language) params.set("language", query.language);
  if (query.control?.length) params.set("control", query.control.join(","));
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return `/api/leaderboard?${params}`;
}

const BOARD_POLL_LIMIT = 60;

// Waits while the server computes a board it has not computed yet (202 + Retry-After).
export async function getBoard(query: BoardQuery, signal?: AbortSignal): Promise<Board> {
  for (let attempt = 0; attempt < BOARD_POLL_LIMIT; attempt++) {
    const reply = await request<Board | { status: string }>("GET", boardUrl(query));
    if (reply.status !== 202) return reply.data as Board;
    await sleep((reply.retryAfterS ?? 1) * 1000, signal);
  }
  throw new ApiError(503, "computing", "The leaderboard is still being computed. Try again in a minute.");
}

export async function getHistory(track: string): Promise<History> {
  return (await request<History>("GET", `/api/leaderboard/history?track=${encodeURIComponent(track)}`)).data;
}

// The board's public change log (GET /api/changes); null when the arena does not publish it.
export interface ChangeLog {
  changes: { at: number; kind: string; model: string; organization: string; from: string | null; to: string; shown_before: string | null }[];
  voided_votes: number;
  voids: { reason: string; votes: number }[];
}

export async function getChanges(): Promise<ChangeLog | null> {
  try {
    return (await request<ChangeLog>("GET", "/api/changes")).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function votesExportUrl(track: string, format: "jsonl" | "csv"): string {
  return `/api/votes/export?${new URLSearchParams({ track, format })}`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    });
  });
}
