// Field checks for request bodies. Each check throws Invalid with a message naming the field;
// the vendor turns it into its own error shape. Deliberately strict: a value of the wrong JSON
// type is refused even where a lenient server might coerce it, so an adapter that sends "5"
// where 5 is documented fails here and not months later in production.

export class Invalid extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function require(cond, message, field) {
  if (!cond) throw new Invalid(message, field);
}

const at = (where, key) => (where ? `${where}.${key}` : key);

// Refuses any key not in `allowed`: a misspelt or foreign field is a bug in the adapter.
export function onlyKeys(obj, allowed, where = "") {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Invalid(`${at(where, k)} is not a supported field`, at(where, k));
  }
}

export function object(obj, key, where, { required = false } = {}) {
  const v = obj[key];
  if (v === undefined) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(isObject(v), `${at(where, key)} must be an object`, at(where, key));
  return v;
}

export function array(obj, key, where, { required = false, min = 0, max = Infinity } = {}) {
  const v = obj[key];
  if (v === undefined) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(Array.isArray(v), `${at(where, key)} must be an array`, at(where, key));
  require(v.length >= min && v.length <= max, `${at(where, key)} must have ${min}..${max} items`, at(where, key));
  return v;
}

export function string(obj, key, where, { required = false, nonEmpty = true, max = Infinity, values } = {}) {
  const v = obj[key];
  if (v === undefined || v === null) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(typeof v === "string", `${at(where, key)} must be a string`, at(where, key));
  require(!nonEmpty || v.trim().length > 0, `${at(where, key)} must not be empty`, at(where, key));
  require(v.length <= max, `${at(where, key)} is longer than ${max} characters`, at(where, key));
  if (values) require(values.includes(v), `${at(where, key)} must be one of ${values.join(", ")} (got "${v}")`, at(where, key));
  return v;
}

export function integer(obj, key, where, { required = false, min = -Infinity, max = Infinity, values } = {}) {
  const v = obj[key];
  if (v === undefined || v === null) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(typeof v === "number" && Number.isInteger(v), `${at(where, key)} must be an integer (got ${JSON.stringify(v)})`, at(where, key));
  if (values) require(values.includes(v), `${at(where, key)} must be one of ${values.join(", ")} (got ${v})`, at(where, key));
  require(v >= min && v <= max, `${at(where, key)} must be in [${min}, ${max}] (got ${v})`, at(where, key));
  return v;
}

export function number(obj, key, where, { required = false, min = -Infinity, max = Infinity } = {}) {
  const v = obj[key];
  if (v === undefined || v === null) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(typeof v === "number" && Number.isFinite(v), `${at(where, key)} must be a number`, at(where, key));
  require(v >= min && v <= max, `${at(where, key)} must be in [${min}, ${max}] (got ${v})`, at(where, key));
  return v;
}

export function boolean(obj, key, where, { required = false } = {}) {
  const v = obj[key];
  if (v === undefined || v === null) {
    require(!required, `${at(where, key)} is required`, at(where, key));
    return undefined;
  }
  require(typeof v === "boolean", `${at(where, key)} must be a boolean (got ${JSON.stringify(v)})`, at(where, key));
  return v;
}

// ---- media references ----

export function isHttpUrl(s, { httpsOnly = false } = {}) {
  try {
    const u = new URL(s);
    return httpsOnly ? u.protocol === "https:" : u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// {mime, bytes} for a `data:<mime>;base64,<payload>` URI, else null.
export function parseDataUri(s) {
  const m = /^data:([a-zA-Z0-9.+-]+\/[a-zA-Z0-9.+-]+);base64,(.*)$/s.exec(s);
  if (!m || m[2].length % 4 !== 0 || !BASE64.test(m[2])) return null;
  return { mime: m[1], bytes: Buffer.from(m[2], "base64") };
}

// Bytes of plain base64 (no data: prefix), else null.
export function parseRawBase64(s) {
  const t = s.replace(/\s+/g, "");
  if (t.length === 0 || t.length % 4 !== 0 || !BASE64.test(t)) return null;
  return Buffer.from(t, "base64");
}

// The image format the bytes start with, by magic number.
export function sniffImage(bytes) {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "webp";
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return "bmp";
  return null;
}

// An image given as an http(s) URL or a data URI whose declared type and bytes agree.
export function imageRef(value, field, { dataUri = true, url = true, httpsOnly = false, mimes = ["image/jpeg", "image/jpg", "image/png", "image/webp"] } = {}) {
  require(typeof value === "string" && value.length > 0, `${field} must be a non-empty string`, field);
  if (value.startsWith("data:")) {
    require(dataUri, `${field}: data URIs are not accepted here`, field);
    const d = parseDataUri(value);
    require(d !== null, `${field}: malformed data URI (expected data:<mime>;base64,<payload>)`, field);
    require(mimes.includes(d.mime), `${field}: unsupported image type ${d.mime}`, field);
    const kind = sniffImage(d.bytes);
    require(kind !== null, `${field}: the data URI does not hold an image`, field);
    return { kind: "data", mime: d.mime, bytes: d.bytes.length };
  }
  require(url, `${field}: URLs are not accepted here`, field);
  require(isHttpUrl(value, { httpsOnly }), `${field} must be an ${httpsOnly ? "https" : "http(s)"} URL or a data URI`, field);
  return { kind: "url" };
}
