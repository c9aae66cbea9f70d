// Remembers the last chosen track across pages and visits. Storage may be unavailable
// (private modes, blocked cookies); the pages then simply start from the first track.
const KEY = "paddock.track";

export function rememberedTrack(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function rememberTrack(id: string): void {
  try {
    localStorage.setItem(KEY, id);
  } catch {
    // not remembered; nothing else depends on it
  }
}

// The track named in ?track=, else the remembered one, else the first, among `ids`.
export function pickTrack(ids: string[]): string | null {
  const fromUrl = new URLSearchParams(location.search).get("track");
  if (fromUrl && ids.includes(fromUrl)) return fromUrl;
  const remembered = rememberedTrack();
  if (remembered && ids.includes(remembered)) return remembered;
  return ids[0] ?? null;
}

export function setQuery(params: Record<string, string | string[] | null>): void {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.delete(key);
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  history.replaceState(null, "", url);
}
