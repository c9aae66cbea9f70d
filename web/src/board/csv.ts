// The board as CSV, one row per model, in rank order.
import type { Board } from "../api";

const COLUMNS = ["rank", "rank_best", "rank_worst", "model", "organization", "status", "rating", "ci_low", "ci_high", "votes", "wins", "losses", "ties", "win_rate", "elo", "preliminary"] as const;

export function boardCsv(board: Board): string {
  const lines = [COLUMNS.join(",")];
  for (const row of [...board.models].sort((a, b) => a.rank - b.rank)) {
    lines.push(COLUMNS.map((column) => cell(row[column])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = String(value);
  // A spreadsheet would run a name starting with one of these as a formula.
  if (/^[=+@\t\r-]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
