// Talks to pizza-order's /api (same origin) and turns its JSON errors into readable text.

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.problems = (body && body.problems) || [];
  }
}

// What this browser may do (from /api/session): its CSRF token goes with every change it asks for.
export const who = { staff: false, open: false, csrf: null };
// Each order this browser placed, with the token that lets it follow and cancel that order.
const TOKENS = "pizza.orderTokens";
const tokens = new Map(Object.entries(JSON.parse(localStorage.getItem(TOKENS) || "{}")));
export const tokenOf = (id) => tokens.get(id);
function remember(id, token) {
  tokens.set(id, token);
  localStorage.setItem(TOKENS, JSON.stringify(Object.fromEntries(tokens)));
}

export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (method !== "GET" && who.csrf) init.headers["X-CSRFToken"] = who.csrf;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { error: "the shop cannot be reached: check your connection and try again" });
  }
  const data = await resp.json().catch(() => ({ error: `HTTP ${resp.status} ${resp.statusText}` }));
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const api = {
  menu: () => call("GET", "/api/menu"),
  journey: () => call("GET", "/api/journey"),
  // One page of orders: {status: [...], cursor} narrow it; the answer's `next` is the following page.
  session: async () => Object.assign(who, await call("GET", "/api/session")),
  orders: ({ status = [], cursor = null } = {}) => {
    const query = new URLSearchParams(status.map((s) => ["status", s]));
    if (cursor) query.set("cursor", cursor);
    return call("GET", `/api/orders?${query}`);
  },
  history: (id) => call("GET", `/order/${encodeURIComponent(id)}`, undefined, orderHeader(id)),
  // The key makes a retry of the same order (a lost answer, "try again") the first order, never a second.
  place: async (order, key) => {
    const placed = await call("POST", "/api/orders", order, { "Idempotency-Key": key });
    remember(placed.order_id, placed.order_token);
    return placed;
  },
  act: (id, action, body = {}) =>
    call("POST", `/api/orders/${encodeURIComponent(id)}/${action}`, body, orderHeader(id)),
  // Shows the shop an order's token (in a header), so that this browser's session may stream it.
  follow: (id) => call("POST", `/api/orders/${encodeURIComponent(id)}/follow`, {}, orderHeader(id)),
  // The orders a customer's stream follows: those this browser holds tokens of, the newest MAX_FOLLOWED.
  held: (ids) => ids.filter((id) => tokens.has(id)).slice(-MAX_FOLLOWED),
  // The live stream: every order's for staff, else the held ones. No token in the URL: the session
  // cookie (HttpOnly) says which orders this browser showed the tokens of.
  eventsUrl: (ids) => {
    if (who.staff) return "/api/events";
    const held = api.held(ids);
    return held.length ? `/api/events?${new URLSearchParams(held.map((id) => ["order", id]))}` : null;
  },
};

// As pizza-order's staff.MAX_FOLLOWED: what one session cookie holds.
const MAX_FOLLOWED = 40;

// A new idempotency key: 128 random bits, in hex.
export function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function orderHeader(id) {
  return tokens.has(id) ? { "X-Order-Token": tokens.get(id) } : {};
}

// Builds an element: el("li", {class: "x", "data-id": 1}, "text", child, ...).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

// "cooking_making_dough" -> "Making dough": the status as a person reads it.
export function label(status) {
  const text = String(status || "").replace(/^(cooking|delivery)_/, "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function money(cents, currency) {
  return cents === undefined || cents === null ? "" : `${(cents / 100).toFixed(2)} ${currency || ""}`.trim();
}

let noticeTimer;
export function notify(text, kind = "info") {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.dataset.kind = kind;
  box.classList.add("shown");
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => box.classList.remove("shown"), 6000);
}
