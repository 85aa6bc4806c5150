// The esb operators' console: Routes, Dead letters and Trace over the bus's JSON admin API.
// Everything shown is set as text (never parsed as HTML).

const API = new URL("../api/v1/", location.href);
const TOKEN_KEY = "esb-console-token";
const ACTOR_KEY = "esb-console-actor";
const ROUTES_REFRESH_MS = 10000;

// ---------------------------------------------------------------- DOM helpers

const $ = (selector) => document.querySelector(selector);
const given = (value) => value !== null && value !== undefined && value !== "";

/** An element with attributes (``on*`` are listeners) and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

/** A link inside the console: ``parts`` are path segments, ``params`` the query of the view. */
function viewLink(text, parts, params = {}, attrs = {}) {
  return h("a", { href: viewHref(parts, params), ...attrs }, text);
}

function viewHref(parts, params = {}) {
  const path = parts.map((p) => encodeURIComponent(p)).join("/");
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => given(v)));
  return `#/${path}${query.size ? `?${query}` : ""}`;
}

/** Navigate to ``hash``; the same view again is loaded afresh. */
function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function table(headings, rows, attrs = {}) {
  return h("table", attrs, h("thead", {}, h("tr", {}, headings.map((t) => h("th", {}, t)))), h("tbody", {}, rows));
}

function badge(text, kind = text) {
  return h("span", { class: `badge badge-${String(kind).replace(/[^a-z0-9-]/gi, "-")}` }, text);
}

function utc(iso) {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 23) : "–";
}

/** A table cell with a time, UTC to the millisecond. */
function when(iso) {
  return h("td", { class: "when" }, utc(iso));
}

function json(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function flash(text, kind = "ok") {
  const box = $("#flash");
  box.className = `flash flash-${kind}`;
  box.textContent = text;
  box.hidden = false;
}

function clearFlash() {
  $("#flash").hidden = true;
}

// ---------------------------------------------------------------- the API, with the token when the bus asks

class ApiError extends Error {
  constructor(status, body) {
    const detail = body && (body.detail || body.error);
    super(detail ? `${body.title || `HTTP ${status}`}: ${detail}` : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let tokenPrompt = null;

/** Shows the token dialog once for every caller waiting on it; resolves when a token was entered. */
function askToken(refused) {
  if (!tokenPrompt) {
    tokenPrompt = new Promise((resolve) => {
      const dialog = $("#token-dialog");
      const error = $("#token-error");
      error.hidden = !refused;
      error.textContent = refused ? "The bus refused this token. Enter it again." : "";
      $("#token-input").value = "";
      dialog.addEventListener("close", () => {
        sessionStorage.setItem(TOKEN_KEY, $("#token-input").value.trim());
        tokenPrompt = null;
        resolve();
      }, { once: true });
      dialog.showModal();
    });
  }
  return tokenPrompt;
}

/** ``path`` under ``/api/v1/``; JSON in and out; asks for the token on 401 and tries again. */
async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, API);
  for (const [name, value] of Object.entries(query || {})) {
    if (given(value)) url.searchParams.set(name, value);
  }
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      await askToken(Boolean(token));
      continue;
    }
    $("#forget-token").hidden = !token;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

// ---------------------------------------------------------------- the reason dialog (replay, discard)

/** Asks for a reason (and the operator's name); null when cancelled. */
function askReason({ title, hint, ok, required }) {
  const dialog = $("#reason-dialog");
  $("#reason-title").textContent = title;
  $("#reason-hint").textContent = hint;
  $("#reason-ok").textContent = ok;
  const reason = $("#reason-input");
  reason.required = required;
  reason.value = "";
  $("#actor-input").value = localStorage.getItem(ACTOR_KEY) || "";
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      const actor = $("#actor-input").value.trim();
      localStorage.setItem(ACTOR_KEY, actor);
      resolve({ reason: reason.value.trim() || undefined, actor: actor || undefined });
    }, { once: true });
    dialog.showModal();
  });
}

// ---------------------------------------------------------------- Routes

function count(value) {
  return value === null || value === undefined ? "?" : String(value);
}

function routeRow(route) {
  const t = route.traffic;
  return h("tr", { "data-route": route.name },
    h("td", {}, h("strong", {}, route.name), route.description && h("div", { class: "muted" }, route.description)),
    h("td", {}, route.interface),
    h("td", { class: "state" }, badge(route.state)),
    h("td", { class: "consuming" }, route.consuming ? "yes" : "no"),
    h("td", {}, route.types.join(", "), h("div", { class: "muted" }, `plants ${route.plants.join(", ")}`)),
    h("td", {}, route.target, h("div", { class: "muted" }, route.transform)),
    h("td", { class: "num delivered" }, count(t.delivered)),
    h("td", { class: "num failures" }, count(t.failures)),
    h("td", { class: "num retried" }, count(t.retried)),
    h("td", { class: "num dead-lettered" }, viewLink(count(t.dead_lettered), ["deadletters"], { route: route.name })),
    h("td", { class: "num in-flight" }, count(t.in_flight)),
    h("td", { class: "num queue-depth" }, count(route.queue.messages)),
    h("td", { class: "num consumers" }, count(route.queue.consumers)),
  );
}

async function routesView() {
  const { routes } = await api("admin/routes");
  return h("section", {},
    h("h2", {}, "Routes"),
    h("p", { class: "muted" },
      "Traffic counts what this bus process handled since it started; queue depth and consumers are the broker's ",
      "(every process). Refreshed every 10 s."),
    routes.length
      ? table(["Route", "Interface", "State", "Consuming", "Types", "Target", "Delivered", "Failures", "Retried",
        "Dead-lettered", "In flight", "Queue", "Consumers"], routes.map(routeRow), { id: "routes-table" })
      : h("p", {}, "No routes in the catalogue."),
  );
}

// ---------------------------------------------------------------- Dead letters: list and groups

const FILTERS = ["route", "type", "key", "fingerprint"];
const STATUSES = ["parked", "replayed", "discarded", "all"];

function filterForm(params) {
  const field = (name, label) => h("label", {}, label,
    h("input", { name, id: `filter-${name}`, value: params.get(name) || "", autocomplete: "off" }));
  const status = params.get("status") || "parked";
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const next = Object.fromEntries([...FILTERS, "status"].map((name) => [name, form.get(name).trim()]));
    next.group = form.get("group") ? "fingerprint" : "";
    go(viewHref(["deadletters"], next));
  };
  return h("form", { class: "filters", id: "deadletter-filters", onsubmit: submit },
    field("route", "Route"), field("type", "Type"), field("key", "Business key"), field("fingerprint", "Fingerprint"),
    h("label", {}, "Status", h("select", { name: "status", id: "filter-status" },
      STATUSES.map((s) => h("option", { value: s, selected: s === status }, s)))),
    h("label", { class: "inline" }, h("input", {
      type: "checkbox", name: "group", id: "filter-group", checked: params.get("group") === "fingerprint",
      onchange: (event) => event.target.form.requestSubmit(),
    }), "Group by failure"),
    h("button", { type: "submit", id: "filter-apply" }, "Apply"),
  );
}

function pager(page, params) {
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  const go = (n) => viewHref(["deadletters"], { ...Object.fromEntries(params), page: n });
  return h("p", { class: "pager" },
    page.page > 1 ? h("a", { href: go(page.page - 1) }, "← previous") : null,
    ` page ${page.page} of ${pages} · ${page.total} in all `,
    page.page < pages ? h("a", { href: go(page.page + 1) }, "next →") : null,
  );
}

function deadLetterRow(item) {
  const keys = Object.entries(item.business_keys).map(([k, v]) => `${k.replaceAll("_", " ")} ${v}`).join(", ");
  return h("tr", { "data-id": item.id, "data-message-id": item.message_id || "" },
    h("td", {}, viewLink(`#${item.id}`, ["deadletters", String(item.id)], {}, { class: "open" })),
    h("td", { class: "status" }, badge(item.edited && item.status === "parked" ? "parked*" : item.status, item.status)),
    when(item.failed_at),
    h("td", { class: "route" }, item.route || "–"),
    h("td", {}, item.type || "–"),
    h("td", {}, item.reason),
    h("td", { class: "error-text" }, h("strong", {}, item.error_class), " ", item.error_message),
    h("td", {}, keys || "–"),
    h("td", { class: "num" }, item.attempts),
  );
}

function groupRow(group, params) {
  const narrowed = { ...Object.fromEntries(params), group: "", page: "", fingerprint: group.fingerprint };
  return h("tr", { "data-fingerprint": group.fingerprint },
    h("td", { class: "num count" }, viewLink(String(group.count), ["deadletters"], narrowed)),
    h("td", { class: "route" }, group.route || "–"),
    h("td", {}, group.error_class),
    h("td", { class: "error-text" }, group.shape),
    when(group.first_failed_at),
    when(group.last_failed_at),
    h("td", {}, h("code", {}, group.fingerprint)),
  );
}

async function deadLettersList(params) {
  const grouped = params.get("group") === "fingerprint";
  const query = Object.fromEntries(params);
  delete query.group;
  if (grouped) query.group_by = "fingerprint";
  if ((query.status || "parked") === "parked") delete query.status;
  const page = await api("admin/deadletters", { query });
  const body = !page.items.length
    ? h("p", { id: "deadletters-empty" }, "No dead letters match.")
    : grouped
      ? table(["Count", "Route", "Error class", "Error (shape)", "First", "Last", "Fingerprint"],
        page.items.map((g) => groupRow(g, params)), { id: "groups-table" })
      : table(["", "Status", "Failed (UTC)", "Route", "Type", "Reason", "Error", "Business keys", "Attempts"],
        page.items.map(deadLetterRow), { id: "deadletters-table" });
  return h("section", {}, h("h2", {}, "Dead letters"), filterForm(params), body, pager(page, params));
}

// ---------------------------------------------------------------- Dead letters: one, with replay and discard

const ACTIONS = {
  replay: {
    title: "Replay this dead letter", ok: "Replay", required: false,
    hint: "It is published again to its route with the same message id. A reason is optional.",
  },
  discard: {
    title: "Discard this dead letter", ok: "Discard", required: true,
    hint: "It stays in the store, marked discarded. Say why.",
  },
};

function outcomeText(action, id, answer) {
  if (action === "discard") return `Dead letter #${id} discarded.`;
  if (answer.result === "parked again") return `Dead letter #${id} replayed, but it failed again and was parked anew.`;
  const where = answer.exchange ? `exchange ${answer.exchange} (${answer.routing_key})` : `queue ${answer.routing_key}`;
  return `Dead letter #${id} replayed to ${where}.`;
}

async function act(id, action) {
  const answers = await askReason(ACTIONS[action]);
  if (!answers) return;
  try {
    const result = await api(`admin/deadletters/${id}/${action}`, { method: "POST", body: answers });
    flash(outcomeText(action, id, result), "ok");
  } catch (error) {
    flash(`${ACTIONS[action].ok} failed: ${error.message}`, "error");
  }
  await render();
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, v]) => given(v))
    .map(([term, value, cls]) => [h("dt", {}, term), h("dd", { class: cls }, value)]));
}

function traceLink(value) {
  return value ? viewLink(value, ["trace", value]) : null;
}

function keyValueTable(object, id) {
  const rows = Object.entries(object || {})
    .map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, h("code", {}, json(v)))));
  return rows.length ? table(["Name", "Value"], rows, { id, class: "kv" }) : h("p", { class: "muted" }, "none");
}

async function deadLetterDetail(id) {
  const d = await api(`admin/deadletters/${encodeURIComponent(id)}`);
  const parked = d.status === "parked";
  const keys = Object.entries(d.business_keys).map(([k, v]) => `${k}: ${v}`).join(", ");
  return h("section", { id: "deadletter-detail", "data-id": d.id },
    h("p", {}, viewLink("← all dead letters", ["deadletters"], { route: d.route })),
    h("h2", {}, `Dead letter #${d.id} `,
      h("span", { id: "deadletter-status" }, badge(d.edited && parked ? "parked*" : d.status, d.status))),
    parked ? h("div", { class: "actions" },
      h("button", { type: "button", id: "replay", onclick: () => act(d.id, "replay") }, "Replay"),
      h("button", { type: "button", id: "discard", class: "danger", onclick: () => act(d.id, "discard") }, "Discard"),
    ) : null,
    facts([
      ["Route", d.route || "– (unroutable)"], ["Type", d.type], ["Plant", d.plant], ["Reason", d.reason],
      ["Error", `${d.error_class}: ${d.error_message}`, "error-text"],
      ["Fingerprint", viewLink(d.fingerprint, ["deadletters"], { fingerprint: d.fingerprint, status: "all" })],
      ["Message id", traceLink(d.message_id), "message-id"], ["Correlation id", traceLink(d.correlation_id)],
      ["Business keys", keys], ["Attempts", String(d.attempts)], ["Replays", String(d.replays)],
      ["Failed (UTC)", utc(d.failed_at)], ["Parked (UTC)", utc(d.parked_at)], ["Status since (UTC)", utc(d.status_at)],
      ["Routing key", d.routing_key], ["Schema version", d.schema_version == null ? null : String(d.schema_version)],
    ]),
    h("h3", {}, d.original_payload == null ? "Payload" : "Payload (edited: replays send this)"),
    h("pre", { id: "payload" }, json(d.payload)),
    d.original_payload == null ? null
      : [h("h3", {}, "Original payload"), h("pre", { id: "original-payload" }, json(d.original_payload))],
    h("h3", {}, "Delivery attempts"),
    table(["Attempt", "Failed (UTC)", "Error class", "Error"], d.attempt_history.map((a) => h("tr", {},
      h("td", { class: "num" }, a.attempt), when(a.failed_at), h("td", {}, a.error_class),
      h("td", { class: "error-text" }, a.error_message))), { id: "attempts-table" }),
    h("h3", {}, "Audit trail"),
    d.audit.length
      ? table(["At (UTC)", "Who", "Action", "Reason", "Details"], d.audit.map((a) => h("tr", {},
        when(a.at), h("td", {}, a.actor), h("td", { class: "action" }, a.action), h("td", {}, a.reason || "–"),
        h("td", {}, a.details ? h("code", {}, JSON.stringify(a.details)) : "–"))), { id: "audit-table" })
      : h("p", { class: "muted", id: "audit-empty" }, "No replay, edit or discard yet."),
    h("h3", {}, "Headers"), keyValueTable(d.headers, "headers-table"),
    h("h3", {}, "AMQP properties"), keyValueTable(d.properties, "properties-table"),
  );
}

// ---------------------------------------------------------------- Trace

function traceForm(key) {
  const submit = (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get("key").trim();
    if (value) go(viewHref(["trace", value]));
  };
  return h("form", { class: "filters", id: "trace-form", onsubmit: submit },
    h("label", {}, "Correlation id or message id",
      h("input", { name: "key", id: "trace-key", value: key || "", required: true, autocomplete: "off", size: 40 })),
    h("button", { type: "submit", id: "trace-show" }, "Show"),
  );
}

function timeline(entries) {
  const start = new Date(entries[0].at).getTime();
  const rows = entries.map((e) => h("tr", { "data-event": e.event },
    when(e.at),
    h("td", { class: "num" }, ((new Date(e.at).getTime() - start) / 1000).toFixed(3)),
    h("td", { class: "event" }, badge(e.event)),
    h("td", { class: "route" }, e.route || "–"),
    h("td", {}, e.type),
    h("td", {}, viewLink(e.message_id, ["trace", e.message_id], {}, { class: "mono" })),
    h("td", {}, e.system || "–"),
    h("td", { class: "error-text" }, e.detail || ""),
  ));
  const messages = new Set(entries.map((e) => e.message_id)).size;
  const routes = new Set(entries.filter((e) => e.route).map((e) => e.route)).size;
  return [
    table(["Time (UTC)", "+seconds", "Event", "Route", "Type", "Message", "System", "Detail"], rows,
      { id: "trace-table" }),
    h("p", { class: "muted", id: "trace-summary" },
      `${entries.length} event(s), ${messages} message(s), ${routes} route(s)`),
  ];
}

async function traceView(key) {
  let body = h("p", { class: "muted" }, "Enter the correlation id of a business transaction, or a message id.");
  if (key) {
    try {
      body = timeline(await api(`admin/trace/${encodeURIComponent(key)}`));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      body = h("p", { id: "trace-empty" }, `The journal has nothing for ${key}.`);
    }
  }
  return h("section", {}, h("h2", {}, "Trace"), traceForm(key), body,
    key ? h("button", { type: "button", id: "trace-refresh", onclick: () => render() }, "Refresh") : null);
}

// ---------------------------------------------------------------- navigation

const VIEWS = {
  routes: () => routesView(),
  deadletters: (arg, params) => (arg ? deadLetterDetail(arg) : deadLettersList(params)),
  trace: (arg) => traceView(arg),
};

let rendering = 0;
let refreshTimer = null;

function currentView() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  const view = name in VIEWS ? name : "routes";
  return { view, arg: rest.length ? decodeURIComponent(rest.join("/")) : null, params: new URLSearchParams(query) };
}

async function render() {
  const ticket = ++rendering;
  clearTimeout(refreshTimer);
  const { view, arg, params } = currentView();
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.dataset.view === view);
  }
  let content;
  try {
    content = await VIEWS[view](arg, params);
  } catch (error) {
    content = h("p", { class: "error", id: "view-error" }, `Could not load this view: ${error.message}`);
  }
  if (ticket !== rendering) return; // a newer navigation won
  $("#view").replaceChildren(content);
  document.body.dataset.view = view;
  if (view === "routes") refreshTimer = setTimeout(render, ROUTES_REFRESH_MS);
}

$("#token-dialog").addEventListener("cancel", (event) => event.preventDefault()); // no way around the token
$("#forget-token").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  render();
});
window.addEventListener("hashchange", () => {
  clearFlash();
  render();
});
render();
