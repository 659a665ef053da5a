// The shop page: menu and order form, live trackers, staff views, all fed by one event stream.
import { api, el, label, money, newKey, notify, who } from "./api.js";
import { Trackers, describe } from "./tracker.js";
import { Views } from "./views.js";

const form = document.getElementById("order-form");
const connection = document.getElementById("connection");

function renderMenu(menu) {
  const head = document.querySelector("#menu thead tr");
  head.append(...menu.sizes.map((s) => el("th", { scope: "col" }, label(s))));
  document.querySelector("#menu tbody").replaceChildren(...menu.pizzas.map((p) => el("tr", {},
    el("th", { scope: "row" }, p.name), el("td", {}, p.ingredients.map(label).join(", ")),
    ...menu.sizes.map((s) => el("td", { class: "num" }, p.prices[s])))));
  form.elements.pizza_type.replaceChildren(...menu.pizzas.map((p) => el("option", { value: p.type }, p.name)));
  form.elements.size.replaceChildren(...menu.sizes.map((s) => el("option", { value: s }, label(s))));
  const price = () => {
    const pizza = menu.pizzas.find((p) => p.type === form.elements.pizza_type.value);
    const quantity = Number(form.elements.quantity.value);
    const ok = pizza && Number.isInteger(quantity) && quantity > 0;
    document.getElementById("price").textContent =
      ok ? `Total: ${money(pizza.prices_cents[form.elements.size.value] * quantity, menu.currency)}` : "";
  };
  form.addEventListener("input", price);
  price();
}

function orderFromForm() {
  const f = form.elements;
  const order = {
    pizza_type: f.pizza_type.value,
    size: f.size.value,
    customer: { name: f["customer.name"].value, address: f["customer.address"].value, phone: f["customer.phone"].value },
  };
  // An empty or unreadable quantity is sent as typed, so that the shop names the field.
  const quantity = f.quantity.value.trim();
  if (quantity !== "") order.quantity = /^\d+$/.test(quantity) ? Number(quantity) : quantity;
  return order;
}

function showErrors(err) {
  const box = document.getElementById("form-errors");
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  if (!err) { box.hidden = true; return; }
  const items = err.problems.map((p) => {
    const input = form.elements.namedItem(p.field);
    const name = input ? form.querySelector(`label[for="${input.id}"]`).textContent : p.field;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      document.getElementById(`e-${p.field}`).textContent = p.problem;
    }
    return el("li", {}, input ? el("a", { href: `#${input.id}` }, `${name} (${p.field})`) : p.field, `: ${p.problem}`);
  });
  box.replaceChildren(el("p", {}, `Your order was not placed: ${err.message}`), ...(items.length ? [el("ul", {}, ...items)] : []));
  box.hidden = false;
  box.focus();
}

// The order being placed and its idempotency key: sending the same order again (a retry after a lost
// answer) reuses the key, so the shop answers with the first order instead of taking a second.
let pending = null;

async function placeOrder(event, trackers, views) {
  event.preventDefault();
  const button = document.getElementById("place");
  button.disabled = true;
  const order = orderFromForm();
  const sent = JSON.stringify(order);
  if (!pending || pending.sent !== sent) pending = { sent, key: newKey() };
  try {
    const placed = await api.place(order, pending.key);
    pending = null;
    showErrors(null);
    followed.add(placed.order_id);  // placing it let this browser's session follow it
    trackers.track(placed.order_id, describe(order));
    if (!who.staff) connect(trackers, views);  // a customer's stream follows the orders they hold
    notify(`Order ${placed.order_id} placed: follow it under “Your orders”.`);
  } catch (err) {
    showErrors(err);
  } finally {
    button.disabled = false;
  }
}

let source = null;
// The orders this page has shown the shop the tokens of, in this session.
const followed = new Set();

async function follow(ids) {
  await Promise.all(api.held(ids).filter((id) => !followed.has(id)).map(async (id) => {
    try {
      await api.follow(id);
      followed.add(id);
    } catch (err) {
      console.warn(`order ${id}: cannot follow it live:`, err.message);
    }
  }));
}

async function connect(trackers, views) {
  if (source) source.close();
  const ids = [...trackers.orders.keys()];
  if (!who.staff) await follow(ids);
  const url = api.eventsUrl(ids.filter((id) => who.staff || followed.has(id)));
  if (!url) {
    connection.textContent = "Live updates start with your first order.";
    connection.dataset.state = "idle";
    return;
  }
  let refreshing;
  const refreshSoon = () => { clearTimeout(refreshing); refreshing = setTimeout(() => views.refresh(), 200); };
  source = new EventSource(url);
  source.addEventListener("open", () => {
    connection.textContent = "Live updates on.";
    connection.dataset.state = "open";
    trackers.resyncAll();
    views.refresh();
  });
  source.addEventListener("status", (message) => {
    const event = JSON.parse(message.data);
    trackers.add(event);
    refreshSoon();
    // An order's last status is published just before its workflow completes: look again then.
    if (trackers.ends.has(event.status)) setTimeout(() => views.refresh(), 1500);
  });
  source.addEventListener("error", () => {
    connection.dataset.state = "closed";
    connection.textContent = "Live updates interrupted: reconnecting…";
    // The browser retries a dropped stream by itself, but not one refused (say, too many streams, or a
    // session that lost an order): follow them all again, then reconnect.
    if (source.readyState === EventSource.CLOSED) {
      followed.clear();
      setTimeout(() => connect(trackers, views), 5000);
    }
  });
}

async function main() {
  let menu, journey;
  try {
    [menu, journey] = await Promise.all([api.menu(), api.journey(), api.session()]);
  } catch (err) {
    document.querySelector("#menu tbody").replaceChildren(el("tr", {}, el("td", { colspan: 2 }, `The menu is unavailable: ${err.message}`)));
    notify(`The shop is unavailable: ${err.message}`, "error");
    return;
  }
  renderMenu(menu);
  // Staff see the kitchen, the manager and every order; a customer sees their own orders only.
  document.body.dataset.staff = String(who.staff);
  document.getElementById("open-banner").hidden = !who.open;
  const trackers = new Trackers(document.getElementById("tracker-list"), document.getElementById("no-trackers"), journey);
  const views = new Views(trackers, menu, journey);
  form.addEventListener("submit", (event) => placeOrder(event, trackers, views));
  trackers.restore();
  connect(trackers, views);
  document.body.dataset.ready = "true";
}

main();
