// Head-to-head results from a board's `pairs`, as a win-rate matrix. The rating engine
// names each pair's two models and counts; this reads the spellings it may use.
import type { Board, BoardPair } from "../api";

export interface HeadToHead {
  models: string[]; // in rank order
  // rate[i][j]: share of i's battles against j that i won, ties counting half; null if none.
  rate: (number | null)[][];
  battles: number[][];
}

function text(pair: BoardPair, ...keys: string[]): string | null {
  for (const key of keys) if (typeof pair[key] === "string") return pair[key] as string;
  return null;
}

function count(pair: BoardPair, ...keys: string[]): number {
  for (const key of keys) if (typeof pair[key] === "number") return pair[key] as number;
  return 0;
}

export function headToHead(board: Board): HeadToHead {
  const models = [...board.models].sort((a, b) => a.rank - b.rank).map((m) => m.model);
  const index = new Map(models.map((m, i) => [m, i]));
  const n = models.length;
  const wins = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const battles = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const pair of board.pairs ?? []) {
    const a = index.get(text(pair, "a", "model_a", "left") ?? "");
    const b = index.get(text(pair, "b", "model_b", "right") ?? "");
    if (a === undefined || b === undefined || a === b) continue;
    const aWins = count(pair, "a_wins", "wins_a", "wins");
    const bWins = count(pair, "b_wins", "wins_b", "losses");
    const ties = count(pair, "ties") + count(pair, "both_bad");
    const total = aWins + bWins + ties;
    wins[a]![b]! += aWins + ties / 2;
    wins[b]![a]! += bWins + ties / 2;
    battles[a]![b]! += total;
    battles[b]![a]! += total;
  }
  const rate = wins.map((row, i) => row.map((w, j) => (battles[i]![j]! > 0 ? w / battles[i]![j]! : null)));
  return { models, rate, battles };
}
