// Fetch wrapper for the playground's API: JSON in, JSON out, errors shown to the user.

export class ApiError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

function describe(detail) {
  if (!Array.isArray(detail)) return String(detail ?? "request failed");
  return detail
    .map((d) => {
      const where = (d.loc || []).filter((p) => p !== "body").join(".");
      return where ? `${where}: ${d.msg}` : d.msg;
    })
    .join("; ");
}

/** POST `body` as JSON to `path`; resolve to the parsed answer or throw an ApiError. */
export async function postJSON(path, body, { signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "The playground server cannot be reached. Is it still running?");
  }
  return parse(response);
}

/** POST a FormData (file uploads); same error handling as postJSON. */
export async function postForm(path, form, { signal } = {}) {
  let response;
  try {
    response = await fetch(path, { method: "POST", body: form, signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "The playground server cannot be reached. Is it still running?");
  }
  return parse(response);
}

async function parse(response) {
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const message = payload ? describe(payload.detail) : `HTTP ${response.status}`;
    throw new ApiError(response.status, message, payload?.detail);
  }
  return payload;
}

/**
 * Show an error that belongs to no control (e.g. a button's own request) in the page's banner;
 * `null` clears it. Errors of a lab's channels are shown in place by the scheduler (errors.js).
 */
export function showError(err) {
  const banner = document.getElementById("error-banner");
  if (!banner) return;
  delete banner.dataset.channel;
  if (!err) {
    banner.hidden = true;
    banner.textContent = "";
    return;
  }
  banner.hidden = false;
  banner.textContent = err instanceof ApiError && err.status === 422 ? `Cannot compute this: ${err.message}` : err.message;
}
