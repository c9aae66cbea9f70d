// The leaderboard's two charts, drawn with Chart.js (and its matrix plugin for the
// heatmap). Loaded on demand: the table shows before this module arrives. Each chart has
// a table of the same numbers beside it for screen readers and for copying.
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { MatrixController, MatrixElement } from "chartjs-chart-matrix";
import type { Board, History } from "../api";
import { h } from "../dom";
import { headToHead, type HeadToHead } from "./pairs";

Chart.register(CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend, MatrixController, MatrixElement);

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

interface Theme {
  text: string;
  muted: string;
  grid: string;
  low: string; // heatmap: the row model usually loses
  mid: string;
  high: string; // the row model usually wins
  empty: string;
}

function theme(): Theme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read("--text", "#1a1a1a"),
    muted: read("--muted", "#555"),
    grid: read("--grid", "rgba(0,0,0,0.1)"),
    low: read("--heat-low", "#b2182b"),
    mid: read("--heat-mid", "#f7f7f7"),
    high: read("--heat-high", "#2166ac"),
    empty: read("--heat-empty", "#ccc"),
  };
}

export function drawCharts(
  board: Board,
  history: History | null,
  heatmapHolder: HTMLElement,
  historyHolder: HTMLElement,
  priceHolder: HTMLElement,
  speedHolder: HTMLElement,
): { destroy(): void } {
  let charts: Chart[] = [];
  const draw = () => {
    for (const chart of charts) chart.destroy();
    const colors = theme();
    Chart.defaults.color = colors.text;
    Chart.defaults.borderColor = colors.grid;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    charts = [
      drawHeatmap(headToHead(board), heatmapHolder, colors),
      drawHistory(board, history, historyHolder),
      drawScatter(board, "price", priceHolder),
      drawScatter(board, "speed", speedHolder),
    ].filter((c): c is Chart => c !== null);
  };
  draw();
  // Follow the system's light/dark switch while the page is open.
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  scheme.addEventListener("change", draw);
  return {
    destroy() {
      scheme.removeEventListener("change", draw);
      for (const chart of charts) chart.destroy();
      charts = [];
    },
  };
}

type Rgb = [number, number, number];

function parseColor(text: string): Rgb {
  const hex = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (hex) return [1, 2, 3].map((i) => parseInt(hex[i]!, 16)) as Rgb;
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(text);
  if (rgb) return [1, 2, 3].map((i) => Number(rgb[i])) as Rgb;
  return [128, 128, 128];
}

function mix(a: string, b: string, t: number): string {
  const [x, y] = [parseColor(a), parseColor(b)];
  return `rgb(${x.map((v, i) => Math.round(v + (y[i]! - v) * t)).join(",")})`;
}

// WCAG 2 relative luminance and contrast ratio.
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(parseColor(a)), luminance(parseColor(b))];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

// Of black and white, the one that reads best on `background`.
function textOn(background: string): string {
  return contrast("#000000", background) >= contrast("#ffffff", background) ? "#000000" : "#ffffff";
}

function heatColor(rate: number | null, colors: Theme): string {
  if (rate === null) return colors.empty;
  return rate < 0.5 ? mix(colors.low, colors.mid, rate * 2) : mix(colors.mid, colors.high, (rate - 0.5) * 2);
}

function drawHeatmap(data: HeadToHead, holder: HTMLElement, colors: Theme): Chart | null {
  const n = data.models.length;
  if (n < 2) {
    holder.replaceChildren(h("p", { class: "note" }, "Head-to-head results appear once two models have votes."));
    return null;
  }
  const canvas = h("canvas", { attrs: { role: "img", "aria-label": heatmapSummary(data) } });
  const box = h("div", { class: "canvas-box" }, canvas);
  box.style.height = `${Math.min(640, 80 + n * 36)}px`;
  holder.replaceChildren(box, heatmapTable(data));
  const cells = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) cells.push({ x: data.models[j]!, y: data.models[i]!, v: data.rate[i]![j]!, n: data.battles[i]![j]! });
    }
  }
  type Cell = (typeof cells)[number];
  const config: ChartConfiguration<"matrix", Cell[], string> = {
    type: "matrix",
    data: {
      datasets: [
        {
          label: "Win rate",
          data: cells,
          backgroundColor: (ctx) => heatColor((ctx.raw as Cell | undefined)?.v ?? null, colors),
          borderWidth: 1,
          borderColor: colors.grid,
          width: ({ chart }) => (chart.chartArea?.width ?? 0) / n - 2,
          height: ({ chart }) => (chart.chartArea?.height ?? 0) / n - 2,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => "",
            label: (ctx) => {
              const cell = ctx.raw as Cell;
              return cell.v === null ? `${cell.y} vs ${cell.x}: no battles` : `${cell.y} beat ${cell.x} ${(cell.v * 100).toFixed(0)}% of ${cell.n} battles`;
            },
          },
        },
      },
      scales: {
        x: { type: "category", labels: data.models, offset: true, grid: { display: false }, ticks: { autoSkip: false, maxRotation: 60 }, title: { display: true, text: "opponent" } },
        y: { type: "category", labels: data.models, offset: true, reverse: false, grid: { display: false }, ticks: { autoSkip: false } },
      },
    },
  };
  config.plugins = [cellLabels(colors)];
  return new Chart(canvas, config as unknown as ChartConfiguration);
}

// Writes each cell's percentage inside it, in a colour readable on the cell.
function cellLabels(colors: Theme) {
  return {
    id: "cellLabels",
    afterDatasetsDraw(chart: Chart) {
      const meta = chart.getDatasetMeta(0);
      const { ctx } = chart;
      ctx.save();
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = `600 12px ${Chart.defaults.font.family}`;
      meta.data.forEach((element, index) => {
        const cell = chart.data.datasets[0]!.data[index] as unknown as { v: number | null };
        const box = element as unknown as { x: number; y: number; width: number; height: number };
        if (cell.v === null || box.width < 28 || box.height < 14) return;
        ctx.fillStyle = textOn(heatColor(cell.v, colors));
        ctx.fillText(`${Math.round(cell.v * 100)}%`, box.x + box.width / 2, box.y + box.height / 2);
      });
      ctx.restore();
    },
  };
}

// What the heatmap shows, in words: its size and its most lopsided pairing.
function heatmapSummary(data: HeadToHead): string {
  let best = { i: -1, j: -1, rate: -1 };
  for (let i = 0; i < data.models.length; i++) {
    for (let j = 0; j < data.models.length; j++) {
      const rate = data.rate[i]?.[j] ?? null;
      if (i !== j && rate !== null && rate > best.rate) best = { i, j, rate };
    }
  }
  const strongest =
    best.i >= 0
      ? ` The most one-sided: ${data.models[best.i]} beat ${data.models[best.j]} in ${Math.round(best.rate * 100)}% of ${data.battles[best.i]![best.j]} battles.`
      : "";
  return `Heatmap of head-to-head win rates between ${data.models.length} models, each row against each column.${strongest} The table "Head-to-head numbers" below has every pairing.`;
}

function heatmapTable(data: HeadToHead): HTMLElement {
  const head = h("tr", null, h("th", { attrs: { scope: "col" } }, "model \\ opponent"), ...data.models.map((m) => h("th", { attrs: { scope: "col" } }, m)));
  const rows = data.models.map((m, i) =>
    h(
      "tr",
      null,
      h("th", { attrs: { scope: "row" } }, m),
      ...data.models.map((_, j) => {
        const rate = data.rate[i]![j]!;
        return h("td", { class: "num" }, i === j ? "—" : rate === null ? "" : `${(rate * 100).toFixed(0)}% (${data.battles[i]![j]})`);
      }),
    ),
  );
  return h("details", { class: "chart-table" }, h("summary", null, "Head-to-head numbers (table)"), h("div", { class: "table-scroll" }, h("table", null, h("thead", null, head), h("tbody", null, ...rows))));
}

function drawHistory(board: Board, history: History | null, holder: HTMLElement): Chart | null {
  const points = history?.points ?? [];
  if (points.length < 2) {
    holder.replaceChildren(h("p", { class: "note" }, "The score history appears once the board has been recomputed a few times."));
    return null;
  }
  const models = [...board.models].sort((a, b) => a.rank - b.rank).map((m) => m.model);
  const box = h("div", { class: "canvas-box" });
  box.style.height = "320px";
  const datasets = models.map((model, i) => ({
    label: model,
    data: points.filter((p) => typeof p.ratings[model] === "number").map((p) => ({ x: p.t, y: p.ratings[model]! })),
    borderColor: PALETTE[i % PALETTE.length],
    backgroundColor: PALETTE[i % PALETTE.length],
    borderDash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
    pointRadius: 0,
    borderWidth: 2,
    tension: 0.2,
  }));
  // Tick labels as fine as the span of the history needs.
  const span = (points.at(-1)?.t ?? 0) - (points[0]?.t ?? 0);
  const HOUR = 3_600_000;
  const dateFormat = new Intl.DateTimeFormat(
    undefined,
    span < 2 * HOUR
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit" }
      : span < 48 * HOUR
        ? { weekday: "short", hour: "2-digit", minute: "2-digit" }
        : { month: "short", day: "numeric" },
  );
  const latest = models
    .map((m) => [m, [...points].reverse().find((p) => typeof p.ratings[m] === "number")?.ratings[m]] as const)
    .filter(([, v]) => v !== undefined)
    .map(([m, v]) => `${m} ${Math.round(v!)}`);
  const canvas = h("canvas", {
    attrs: {
      role: "img",
      "aria-label":
        `Line chart of the scores of ${models.length} models over ${points.length} recomputations, ` +
        `from ${dateFormat.format(new Date(points[0]!.t))} to ${dateFormat.format(new Date(points.at(-1)!.t))}. ` +
        `Latest scores: ${latest.join(", ")}. The table "Score history" below has each model's first and latest score.`,
    },
  });
  box.append(canvas);
  holder.replaceChildren(box, historyTable(models, points));
  return new Chart(canvas, {
    type: "line",
    data: { datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      interaction: { mode: "nearest", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 14 } },
        tooltip: { callbacks: { title: (items) => (items[0] ? dateFormat.format(new Date(items[0].parsed.x ?? 0)) : "") } },
      },
      scales: {
        x: { type: "linear", ticks: { maxTicksLimit: 6, callback: (value) => dateFormat.format(new Date(Number(value))) } },
        y: { type: "linear", title: { display: true, text: "score" } },
      },
    },
  });
}

function historyTable(models: string[], points: History["points"]): HTMLElement {
  const first = (m: string) => points.find((p) => typeof p.ratings[m] === "number")?.ratings[m];
  const last = (m: string) => [...points].reverse().find((p) => typeof p.ratings[m] === "number")?.ratings[m];
  const fmt = (v: number | undefined) => (v === undefined ? "" : Math.round(v).toString());
  return h(
    "details",
    { class: "chart-table" },
    h("summary", null, "Score history (table)"),
    h(
      "table",
      null,
      h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "Model"), h("th", { class: "num", attrs: { scope: "col" } }, "First score"), h("th", { class: "num", attrs: { scope: "col" } }, "Latest score"))),
      h("tbody", null, ...models.map((m) => h("tr", null, h("th", { attrs: { scope: "row" } }, m), h("td", { class: "num" }, fmt(first(m))), h("td", { class: "num" }, fmt(last(m)))))),
    ),
  );
}

// Quality against price or against generation time: one point per model whose clips
// paddock generated (anonymous models carry no such numbers), with the same numbers in a
// table for screen readers.
function drawScatter(board: Board, kind: "price" | "speed", holder: HTMLElement): Chart | null {
  const currencies = new Set(board.models.map((m) => m.generation?.currency).filter((c): c is string => !!c));
  const currency = currencies.size === 1 ? [...currencies][0]! : null;
  const rows = [...board.models]
    .sort((a, b) => a.rank - b.rank)
    .map((m) => ({ model: m.model, rating: m.rating, x: kind === "price" ? (currency && m.generation?.currency === currency ? m.generation.mean_cost : null) : (m.generation?.median_generation_s ?? null) }))
    .filter((r): r is { model: string; rating: number; x: number } => typeof r.x === "number" && Number.isFinite(r.rating));
  if (rows.length === 0) {
    holder.replaceChildren(
      h("p", { class: "note" }, kind === "price" ? "No model of this track has generated clips with a known price (paddock generate records them)." : "No model of this track has generated clips (paddock generate records their generation time)."),
    );
    return null;
  }
  const xTitle = kind === "price" ? `mean cost per clip (${currency})` : "median generation time (s)";
  const fmtX = (v: number) => (kind === "price" ? `${v.toFixed(2)} ${currency}` : `${v.toFixed(1)} s`);
  const box = h("div", { class: "canvas-box" });
  box.style.height = "300px";
  const canvas = h("canvas", {
    attrs: {
      role: "img",
      "aria-label": `Scatter chart of score against ${xTitle} for ${rows.length} models: ${rows.map((r) => `${r.model} ${Math.round(r.rating)} at ${fmtX(r.x)}`).join(", ")}.`,
    },
  });
  box.append(canvas);
  const table = h(
    "details",
    { class: "chart-table" },
    h("summary", null, kind === "price" ? "Quality against price (table)" : "Quality against generation time (table)"),
    h(
      "table",
      null,
      h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "Model"), h("th", { class: "num", attrs: { scope: "col" } }, "Score"), h("th", { class: "num", attrs: { scope: "col" } }, xTitle))),
      h("tbody", null, ...rows.map((r) => h("tr", null, h("th", { attrs: { scope: "row" } }, r.model), h("td", { class: "num" }, Math.round(r.rating).toString()), h("td", { class: "num" }, fmtX(r.x))))),
    ),
  );
  holder.replaceChildren(box, table);
  return new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: rows.map((r, i) => ({
        label: r.model,
        data: [{ x: r.x, y: r.rating }],
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        pointRadius: 6,
        pointHoverRadius: 8,
      })),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 14 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ""}: ${Math.round(item.parsed.y ?? 0)} at ${fmtX(item.parsed.x ?? 0)}` } },
      },
      scales: {
        x: { type: "linear", title: { display: true, text: xTitle }, beginAtZero: true },
        y: { type: "linear", title: { display: true, text: "score" } },
      },
    },
  });
}
