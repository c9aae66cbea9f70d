// The leaderboard page: one board per track, with a category filter and weighting
// presets, confidence intervals drawn on a common axis, a head-to-head heatmap, the score
// history, and downloads. The charts' library is loaded after the table is on screen.
import { ApiError, boardUrl, getBoard, getChanges, getConfig, getHistory, getTracks, PRESENTATION_FEATURES, votesExportUrl, type Board, type BoardQuery, type CategoryShare, type ChangeLog, type Robustness, type Track } from "../api";
import { announce, h, uid } from "../dom";
import { pickTrack, rememberTrack, setQuery } from "../storage";
import { boardCsv } from "./csv";

type Weights = BoardQuery["weights"];

// What each clip feature of presentation control is called on the page.
const FEATURE_LABELS: Record<(typeof PRESENTATION_FEATURES)[number], string> = {
  duration: "Duration",
  width: "Width",
  height: "Height",
  fps: "Frame rate",
  audio: "Sound",
  motion: "Motion amount",
  luma: "Brightness",
  saturation: "Saturation",
};

class BoardPage {
  private tracks: Track[] = [];
  private minVotes = 0;
  private query: BoardQuery = { track: "", categories: [], weights: "as_voted" };
  private knownCategories: string[] = [];
  private request: AbortController | null = null;
  private csvUrl: string | null = null;
  private charts: { destroy(): void } | null = null;

  private readonly root = h("section", { class: "board-page", attrs: { "aria-labelledby": "board-heading" } });
  private readonly trackSelect = h("select", { attrs: { id: uid("track"), name: "track" } });
  private readonly weightRadios: HTMLInputElement[] = [];
  private readonly categoryGroup = h("fieldset", { class: "categories-filter" });
  private readonly categoryList = h("div", { class: "checks" });
  private readonly languageSelect = h("select", { attrs: { id: uid("language"), name: "language" } });
  private readonly languageField = h("div", { class: "field", attrs: { hidden: true } });
  private readonly controlGroup = h("fieldset", { class: "control-filter" });
  private readonly controlBoxes: HTMLInputElement[] = [];
  private readonly effects = h("div", { class: "covariates", attrs: { hidden: true } });
  private readonly status = h("p", { class: "board-status", attrs: { role: "status" } });
  private readonly meta = h("p", { class: "board-meta" });
  private readonly robustness = h("div", { class: "robustness" });
  private readonly changes = h("section", { class: "chart-section changes", attrs: { "aria-labelledby": "changes-heading", hidden: true } });
  private readonly tableHolder = h("div", { class: "table-scroll" });
  private readonly downloads = h("ul", { class: "downloads" });
  private readonly heatmapHolder = h("div", { class: "chart-holder heatmap" });
  private readonly historyHolder = h("div", { class: "chart-holder history" });
  private readonly priceHolder = h("div", { class: "chart-holder scatter price" });
  private readonly speedHolder = h("div", { class: "chart-holder scatter speed" });

  constructor() {
    this.trackSelect.addEventListener("change", () => {
      this.query = { track: this.trackSelect.value, categories: [], weights: this.query.weights, control: this.query.control };
      void this.refresh();
    });
    const weightsGroup = h("fieldset", { class: "weights" }, h("legend", null, "Weighting"));
    const name = uid("weights");
    for (const [value, label] of [["as_voted", "As voted"], ["balanced", "Categories balanced"]] as const) {
      const radio = h("input", { attrs: { type: "radio", name, value, id: uid("w"), checked: value === "as_voted" } });
      radio.addEventListener("change", () => {
        this.query = { ...this.query, weights: value };
        void this.refresh();
      });
      this.weightRadios.push(radio);
      weightsGroup.append(h("label", { attrs: { for: radio.id } }, radio, label));
    }
    this.categoryGroup.append(h("legend", null, "Categories"), this.categoryList);
    this.languageSelect.addEventListener("change", () => {
      this.query = { ...this.query, language: this.languageSelect.value || undefined };
      void this.refresh();
    });
    this.languageField.append(h("label", { attrs: { for: this.languageSelect.id } }, "Prompt language"), this.languageSelect);
    // Presentation control: scores with the chosen clip features held equal, raw scores beside.
    const controlList = h("div", { class: "checks" });
    for (const feature of PRESENTATION_FEATURES) {
      const box = h("input", { attrs: { type: "checkbox", id: uid("ctl"), name: "control", value: feature } });
      box.addEventListener("change", () => {
        const chosen = this.controlBoxes.filter((b) => b.checked).map((b) => b.value);
        this.query = { ...this.query, control: chosen.length ? chosen : undefined };
        void this.refresh();
      });
      this.controlBoxes.push(box);
      controlList.append(h("label", { attrs: { for: box.id } }, box, FEATURE_LABELS[feature]));
    }
    this.controlGroup.append(h("legend", null, "Hold equal (presentation control)"), controlList);

    this.root.append(
      h("h1", { attrs: { id: "board-heading" } }, "Leaderboard"),
      h(
        "div",
        { class: "board-controls" },
        h("div", { class: "field" }, h("label", { attrs: { for: this.trackSelect.id } }, "Track"), this.trackSelect),
        weightsGroup,
        this.languageField,
        this.categoryGroup,
        this.controlGroup,
      ),
      this.status,
      this.meta,
      this.robustness,
      this.tableHolder,
      this.effects,
      h("h2", null, "Downloads"),
      this.downloads,
      h("section", { class: "chart-section", attrs: { "aria-labelledby": "heatmap-heading" } }, h("h2", { attrs: { id: "heatmap-heading" } }, "Head to head"), h("p", { class: "note" }, "How often the model of the row beat the model of the column (ties count half)."), this.heatmapHolder),
      h("section", { class: "chart-section", attrs: { "aria-labelledby": "history-heading" } }, h("h2", { attrs: { id: "history-heading" } }, "Score over time"), this.historyHolder),
      h(
        "section",
        { class: "chart-section", attrs: { "aria-labelledby": "price-heading" } },
        h("h2", { attrs: { id: "price-heading" } }, "Quality against price"),
        h("p", { class: "note" }, "Each model's score against its mean cost per clip, for the clips paddock generated through the model's own API."),
        this.priceHolder,
      ),
      h(
        "section",
        { class: "chart-section", attrs: { "aria-labelledby": "speed-heading" } },
        h("h2", { attrs: { id: "speed-heading" } }, "Quality against generation time"),
        h("p", { class: "note" }, "Each model's score against the median time from submitting a request to its result."),
        this.speedHolder,
      ),
      this.changes,
      h("p", { class: "method-link" }, h("a", { attrs: { href: "/methodology" } }, "How these scores are computed: the methodology")),
    );
  }

  mount(main: HTMLElement): void {
    main.append(this.root);
    void this.start();
  }

  private async start(): Promise<void> {
    this.setStatus("Loading…");
    try {
      const [config, tracks] = await Promise.all([getConfig(), getTracks()]);
      this.tracks = tracks;
      this.minVotes = config.min_votes;
    } catch (error) {
      this.fail(error, () => void this.start());
      return;
    }
    this.trackSelect.replaceChildren(...this.tracks.map((t) => h("option", { attrs: { value: t.id } }, t.name)));
    const track = pickTrack(this.tracks.map((t) => t.id));
    if (!track) {
      this.setStatus("There are no tracks yet.");
      return;
    }
    const params = new URLSearchParams(location.search);
    this.query = {
      track,
      categories: params.getAll("category"),
      weights: params.get("weights") === "balanced" ? "balanced" : "as_voted",
      language: params.get("language") ?? undefined,
    };
    const control = (params.get("control") ?? "")
      .split(",")
      .map((f) => f.trim().toLowerCase())
      .filter((f) => (PRESENTATION_FEATURES as readonly string[]).includes(f));
    if (control.length) this.query.control = control;
    this.trackSelect.value = track;
    for (const radio of this.weightRadios) radio.checked = radio.value === this.query.weights;
    for (const box of this.controlBoxes) box.checked = control.includes(box.value);
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    this.request?.abort();
    const request = new AbortController();
    this.request = request;
    const query = this.query;
    rememberTrack(query.track);
    setQuery({
      track: query.track,
      category: query.categories,
      weights: query.weights === "balanced" ? "balanced" : null,
      language: query.language ?? null,
      control: query.control?.length ? query.control.join(",") : null,
    });
    this.setStatus("Loading the board…");
    this.root.setAttribute("aria-busy", "true");
    let board: Board;
    let asVoted: Board | null = null;
    try {
      // With balanced weights, the as-voted board shows how much the weighting moved things.
      [board, asVoted] = await Promise.all([
        getBoard(query, request.signal),
        query.weights === "balanced" ? getBoard({ ...query, weights: "as_voted" }, request.signal) : Promise.resolve(null),
      ]);
    } catch (error) {
      if (request.signal.aborted) return;
      this.root.setAttribute("aria-busy", "false");
      this.fail(error, () => void this.refresh());
      return;
    }
    if (request.signal.aborted) return;
    this.root.setAttribute("aria-busy", "false");
    this.setStatus("");
    this.renderCategories(board);
    this.renderLanguages(board);
    this.renderMeta(board);
    this.renderRobustness(board);
    this.tableHolder.replaceChildren(renderTable(board, asVoted, this.minVotes));
    this.renderEffects(board);
    this.renderDownloads(board);
    announce(`Leaderboard loaded: ${board.models.length} models.`);
    void this.renderCharts(board, request.signal);
    void this.renderChanges();
  }

  // The board's change log, when the arena publishes it: newest first.
  private async renderChanges(): Promise<void> {
    const log = await getChanges().catch(() => null);
    this.changes.hidden = log === null;
    if (log === null) return;
    const describe = (c: ChangeLog["changes"][number]): string => {
      if (c.kind === "revealed") return `${c.shown_before ?? "?"} revealed as ${c.model} (${c.organization})`;
      if (c.kind === "added") return `${c.model} (${c.organization}) added${c.to === "anonymous" ? " under a codename" : ""}`;
      return `${c.model} ${c.kind}`;
    };
    const items = [...log.changes].reverse().map((c) => h("li", null, h("time", { attrs: { datetime: new Date(c.at).toISOString() } }, new Date(c.at).toLocaleString()), " ", describe(c)));
    const voids = log.voids.length
      ? h("p", { class: "note" }, `Voided votes: ${log.voids.map((v) => `${v.votes.toLocaleString()} (${v.reason})`).join("; ")}.`)
      : h("p", { class: "note" }, "No votes have been voided.");
    this.changes.replaceChildren(h("h2", { attrs: { id: "changes-heading" } }, "Changes to the board"), items.length ? h("ul", { class: "change-log" }, ...items) : h("p", null, "No changes yet."), voids);
  }

  private renderCategories(board: Board): void {
    const names = (board.categories ?? []).map((c) => (typeof c === "string" ? c : c.category));
    // The unfiltered board lists every category; keep that list while a filter is on.
    if (names.length >= this.knownCategories.length || this.query.categories.length === 0) {
      this.knownCategories = [...new Set([...names, ...this.query.categories])].sort();
    }
    this.categoryGroup.hidden = this.knownCategories.length === 0;
    this.categoryList.replaceChildren(
      ...this.knownCategories.map((category) => {
        const box = h("input", { attrs: { type: "checkbox", id: uid("cat"), value: category, checked: this.query.categories.includes(category) } });
        box.addEventListener("change", () => {
          const chosen = new Set(this.query.categories);
          if (box.checked) chosen.add(category);
          else chosen.delete(category);
          this.query = { ...this.query, categories: [...chosen] };
          // The list is drawn anew; keep the keyboard user's place in it.
          void this.refresh().then(() =>
            [...this.categoryList.querySelectorAll<HTMLInputElement>("input")].find((input) => input.value === category)?.focus(),
          );
        });
        return h("label", { attrs: { for: box.id } }, box, category);
      }),
    );
  }

  // A language choice only when the track's prompts have more than one language.
  private renderLanguages(board: Board): void {
    const languages = board.languages ?? [];
    this.languageField.hidden = languages.length < 2 && !this.query.language;
    this.languageSelect.replaceChildren(
      h("option", { attrs: { value: "" } }, "All languages"),
      ...languages.map((l) => h("option", { attrs: { value: l } }, l)),
    );
    this.languageSelect.value = this.query.language ?? "";
  }

  private renderMeta(board: Board): void {
    const votes = board.votes ?? board.models.reduce((sum, m) => sum + m.votes, 0) / 2;
    const languages = board.filter.languages?.length ? `; prompts in ${board.filter.languages.join(", ")}` : "";
    const filter = (board.filter.categories.length ? `categories: ${board.filter.categories.join(", ")}` : "all categories") + languages;
    const weights = (board.filter.weights === "balanced" ? "categories balanced" : "as voted") + (board.control?.length ? `; ${board.control.join(", ")} held equal` : "");
    this.meta.textContent =
      `${board.models.length} models, ${Math.round(votes)} votes (${filter}; ${weights}). ` +
      `Up to vote #${board.last_vote_id}, computed ${new Date(board.computed_at).toLocaleString()}.` +
      (this.minVotes ? ` Models with fewer than ${this.minVotes} votes are marked preliminary.` : "");
    if (board.ties && board.ties.both_bad_votes > 0) {
      this.meta.append(` ${Math.round(board.ties.both_bad_rate * 1000) / 10}% of the votes said both clips were bad.`);
    }
    if (board.watch_weighting) {
      const w = board.watch_weighting;
      const fewer = board.vote_weights ? ` (${board.vote_weights.down_weighted_votes} votes here)` : "";
      this.meta.append(
        h("br"),
        h(
          "span",
          { class: "watch-weighting" },
          `Watch-weighted: a vote cast sooner than the shorter clip lasts, or with a clip played less than ` +
            `${Math.round(w.min_share * 100)}% of its length, counts ${w.weight}${fewer}.`,
        ),
      );
    }
    if (board.pieces && board.pieces.length > 1) {
      this.meta.append(
        h("br"),
        h(
          "strong",
          { attrs: { class: "pieces-note" } },
          `These models fall into ${board.pieces.length} groups that never met: ` +
            board.pieces.map((p) => `{${p.join(", ")}}`).join(" | ") +
            ". Scores compare only within a group; how one group sits against another means nothing.",
        ),
      );
    }
    const organizations = [...(board.organizations ?? [])].sort((a, b) => b.sampling_share - a.sampling_share);
    if (organizations.length) {
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      this.meta.append(
        h("br"),
        h(
          "span",
          { class: "organization-shares" },
          "Share of battles by organization: " +
            organizations.map((o) => `${o.organization} ${pct(o.sampling_share)}`).join("; ") +
            (board.matchmaking ? ` (pairs drawn ${board.matchmaking.mode === "adaptive" ? "adaptively, towards open comparisons" : "uniformly"}).` : "."),
        ),
      );
    }
    const shares = board.category_shares ?? board.categories.filter((c): c is CategoryShare => typeof c !== "string");
    if (board.filter.weights !== "as_voted" && shares.length) {
      const pct = (x: number) => `${Math.round(x * 100)}%`;
      this.meta.append(
        h("br"),
        "Weighting: ",
        shares.map((s) => `${s.category} ${pct(s.voted_share)} of votes → ${pct(s.target_share)}`).join("; "),
        ".",
      );
    }
  }

  // Each controlled feature's effect with its interval: how much one standard deviation of
  // the difference between two clips moves a vote, in points.
  private renderEffects(board: Board): void {
    const covariates = board.covariates ?? [];
    this.effects.hidden = covariates.length === 0;
    if (!covariates.length) {
      this.effects.replaceChildren();
      return;
    }
    const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(1)}`;
    this.effects.replaceChildren(
      h("h2", null, "Presentation effects"),
      h("p", { class: "note" }, "Scores above hold these clip features equal; the raw score column is the same fit without them. Each effect is the points one standard deviation of the difference between two clips is worth to the clip that has more of it."),
      h(
        "table",
        { class: "covariates-table" },
        h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "Feature"), h("th", { class: "num", attrs: { scope: "col" } }, "Effect"), h("th", { class: "num", attrs: { scope: "col" } }, "95% interval"))),
        h(
          "tbody",
          null,
          ...covariates.map((c) =>
            h(
              "tr",
              { attrs: { "data-feature": c.feature } },
              h("th", { attrs: { scope: "row" } }, c.feature),
              h("td", { class: "num effect" }, signed(c.effect)),
              h("td", { class: "num" }, c.ci_low === null || c.ci_high === null ? "" : `${signed(c.ci_low)} to ${signed(c.ci_high)}`),
            ),
          ),
        ),
      ),
    );
  }

  // Beside the top: how many removed votes would change the #1 (and each adjacent order).
  private renderRobustness(board: Board): void {
    const [top, ...rest] = board.robustness ?? [];
    this.robustness.hidden = top === undefined;
    if (top === undefined) {
      this.robustness.replaceChildren();
      return;
    }
    const pct = (share: number) => `${(share * 100).toFixed(share < 0.001 ? 3 : share < 0.01 ? 2 : 1)}%`;
    const sentence = (r: Robustness, subject: string) =>
      r.votes === null || r.share === null
        ? `${subject} would not change whichever of its supporting votes were removed.`
        : `${subject} would change if ${r.votes.toLocaleString()} vote${r.votes === 1 ? "" : "s"} (${pct(r.share)}) were removed.`;
    // With pieces (models that never met) each piece has its own orders: say which.
    const piece = (r: Robustness) => (r.piece === undefined ? "" : ` of group ${r.piece + 1}`);
    const details = h(
      "details",
      null,
      h("summary", null, "Each adjacent order of the top"),
      h("ul", null, ...rest.map((r) => h("li", null, sentence(r, `#${r.rank}${piece(r)} ${r.upper} over #${r.rank + 1} ${r.lower}`)))),
    );
    this.robustness.replaceChildren(
      h(
        "p",
        { class: "robustness-top" },
        h("strong", null, sentence(top, `The #1${piece(top)} (${top.upper} over ${top.lower})`)),
        " ",
        h("a", { attrs: { href: "/methodology" } }, "How this is found"),
      ),
    );
    if (rest.length) this.robustness.append(details);
  }

  private renderDownloads(board: Board): void {
    if (this.csvUrl) URL.revokeObjectURL(this.csvUrl);
    this.csvUrl = URL.createObjectURL(new Blob([boardCsv(board)], { type: "text/csv" }));
    const stem = `paddock-board-${board.track}${this.query.categories.length ? "-filtered" : ""}${this.query.weights === "balanced" ? "-balanced" : ""}`;
    const link = (href: string, text: string, file: string) => h("li", null, h("a", { attrs: { href, download: file } }, text));
    this.downloads.replaceChildren(
      link(this.csvUrl, "Board as CSV", `${stem}.csv`),
      link(boardUrl(this.query), "Board as JSON", `${stem}.json`),
      link(votesExportUrl(board.track, "jsonl"), "Votes (JSON Lines)", `paddock-votes-${board.track}.jsonl`),
      link(votesExportUrl(board.track, "csv"), "Votes (CSV)", `paddock-votes-${board.track}.csv`),
    );
  }

  private async renderCharts(board: Board, signal: AbortSignal): Promise<void> {
    try {
      const [charts, history] = await Promise.all([import("./charts"), getHistory(board.track).catch(() => null)]);
      if (signal.aborted) return;
      this.charts?.destroy();
      this.charts = charts.drawCharts(board, history, this.heatmapHolder, this.historyHolder, this.priceHolder, this.speedHolder);
    } catch (error) {
      if (signal.aborted) return;
      this.heatmapHolder.replaceChildren(h("p", { class: "note" }, `The charts could not be drawn: ${String(error)}`));
    }
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = text === "";
  }

  private fail(error: unknown, retry: () => void): void {
    let text = `Something went wrong: ${String(error)}`;
    if (error instanceof ApiError) {
      if (error.code === "unreachable") text = "The server cannot be reached. Check your connection.";
      else if (error.code === "rate_limited") text = `Too many requests; wait ${Math.ceil(error.retryAfterS ?? 5)} s.`;
      else if (error.code === "unknown_track") text = "This track does not exist.";
      else text = error.message;
    }
    const button = h("button", { class: "primary", attrs: { type: "button" } }, "Try again");
    button.addEventListener("click", retry);
    this.status.replaceChildren(h("span", { attrs: { role: "alert" } }, text), " ", button);
    this.status.hidden = false;
  }
}

// ---- the table ----

function renderTable(board: Board, asVoted: Board | null, minVotes: number): HTMLTableElement {
  const rows = [...board.models].sort((a, b) => a.rank - b.rank || b.rating - a.rating);
  const low = Math.min(...rows.map((r) => r.ci_low ?? r.rating));
  const high = Math.max(...rows.map((r) => r.ci_high ?? r.rating));
  const pad = Math.max(5, (high - low) * 0.05);
  const axis = { min: Math.floor((low - pad) / 10) * 10, max: Math.ceil((high + pad) / 10) * 10 };
  const position = (value: number) => `${(((value - axis.min) / (axis.max - axis.min)) * 100).toFixed(2)}%`;
  const previousRank = new Map(asVoted?.models.map((m) => [m.model, m.rank]) ?? []);
  const controlled = (board.control ?? []).length > 0;

  const head = h(
    "tr",
    null,
    h("th", { attrs: { scope: "col" } }, "Rank"),
    h("th", { attrs: { scope: "col" } }, "Model"),
    h("th", { class: "organization", attrs: { scope: "col" } }, "Organization"),
    h("th", { class: "num", attrs: { scope: "col" } }, controlled ? "Controlled score" : "Score"),
    controlled ? h("th", { class: "num raw", attrs: { scope: "col" } }, "Raw score") : null,
    h(
      "th",
      { class: "ci-head", attrs: { scope: "col" } },
      h("span", { class: "visually-hidden" }, "95% confidence interval, "),
      h("span", { class: "axis-label" }, h("span", null, String(axis.min)), h("span", null, "95% interval"), h("span", null, String(axis.max))),
    ),
    h("th", { class: "num", attrs: { scope: "col" } }, "Votes"),
    h("th", { class: "num share", attrs: { scope: "col", title: "Share of the board's battles this model was in" } }, "Share"),
    h("th", { class: "num", attrs: { scope: "col" } }, "Win rate"),
    asVoted ? h("th", { class: "num", attrs: { scope: "col" } }, "vs as voted") : null,
  );

  const body = h("tbody");
  for (const row of rows) {
    const ciLow = row.ci_low ?? row.rating;
    const ciHigh = row.ci_high ?? row.rating;
    const bar = h("div", { class: "ci-bar" });
    bar.style.left = position(ciLow);
    bar.style.width = `calc(${position(ciHigh)} - ${position(ciLow)})`;
    const point = h("div", { class: "ci-point" });
    point.style.left = position(row.rating);
    const range = row.rank_best === row.rank_worst ? "" : `${row.rank_best}–${row.rank_worst}`;
    const before = previousRank.get(row.model);
    const moved = before === undefined ? null : before - row.rank;
    body.append(
      h(
        "tr",
        { class: row.preliminary ? "preliminary" : "" },
        h("td", { class: "rank" }, h("span", { class: "rank-number" }, String(row.rank)), range ? h("span", { class: "rank-range", attrs: { title: "Possible ranks given the intervals" } }, ` (${range})`) : null),
        h(
          "th",
          { class: "model", attrs: { scope: "row" } },
          h("span", { class: "model-name" }, row.model),
          row.status === "anonymous" ? h("span", { class: "badge anonymous" }, "codename") : null,
          row.status === "retired" ? h("span", { class: "badge retired", attrs: { title: "No longer in new battles; its score stays" } }, "retired") : null,
          row.preliminary ? h("span", { class: "badge preliminary", attrs: { title: `Fewer than ${minVotes} votes` } }, "preliminary") : null,
        ),
        h("td", { class: "organization" }, row.organization),
        h("td", { class: "num score" }, Math.round(row.rating).toString(), row.ci_low === null ? null : h("span", { class: "ci-text" }, ` +${Math.round(ciHigh - row.rating)}/−${Math.round(row.rating - ciLow)}`)),
        controlled ? h("td", { class: "num raw" }, row.raw_rating == null ? "" : Math.round(row.raw_rating).toString()) : null,
        h(
          "td",
          { class: "ci" },
          h("div", { class: "ci-axis", attrs: { role: "img", "aria-label": row.ci_low === null ? "no interval" : `interval ${Math.round(ciLow)} to ${Math.round(ciHigh)}` } }, bar, point),
        ),
        h("td", { class: "num" }, row.votes.toLocaleString()),
        h("td", { class: "num share" }, row.sampling_share === undefined ? "" : `${(row.sampling_share * 100).toFixed(1)}%`),
        h("td", { class: "num" }, `${(row.win_rate * 100).toFixed(1)}%`),
        asVoted ? h("td", { class: "num moved" }, moved === null ? "new" : moved > 0 ? `▲ ${moved}` : moved < 0 ? `▼ ${-moved}` : "=") : null,
      ),
    );
  }
  if (rows.length === 0) {
    body.append(h("tr", null, h("td", { attrs: { colspan: 8 + (asVoted ? 1 : 0) + (controlled ? 1 : 0) } }, "No votes match this filter yet.")));
  }
  return h(
    "table",
    { class: "board" },
    h("caption", { class: "visually-hidden" }, "Models ranked by score, with 95% confidence intervals"),
    h("thead", null, head),
    body,
  );
}

export function mount(main: HTMLElement): void {
  new BoardPage().mount(main);
}

export type { Weights };
