// The rates explorer: a form whose state lives in the URL, a chart drawn as
// SVG, and pages for ports and regions. Everything comes from the JSON API of
// the server that serves this file; nothing is loaded from elsewhere.

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const PARAMS = ["orig_code", "dest_code", "date_from", "date_to"];
const ALIASES = { origin: "orig_code", destination: "dest_code" };
const LOCATION_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MIN_PRICES = 3;

// ---------------------------------------------------------------- helpers

/** An element with attributes (`on*` functions become listeners) and children. */
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const priceFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fmtInt = (n) => numberFormat.format(n);
const fmtPrice = (n) => priceFormat.format(n);
const fmtUsd = (n, currency) => `${fmtPrice(n)} ${currency}`;

/** Days as UTC midnight milliseconds, so no time zone moves a date. */
const DAY_MS = 86400000;
const parseDay = (s) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
const shortDate = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const longDate = new Intl.DateTimeFormat("en-US", { weekday: "short", year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const fullDate = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const fmtShort = (day) => shortDate.format(parseDay(day));
const fmtLong = (day) => longDate.format(parseDay(day));
const fmtFull = (day) => fullDate.format(parseDay(day));

const plural = (n, one, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

/**
 * GET a JSON resource. Resolves to `{ ok, status, body }` for any HTTP answer
 * (body null when it is not JSON) and `{ network: true }` when the server
 * cannot be reached; rejects only with an AbortError.
 */
async function getJson(url, signal) {
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    return { network: true, error: e };
  }
  let body = null;
  if ((response.headers.get("content-type") || "").includes("application/json")) {
    try {
      body = await response.json();
    } catch (e) {
      if (e.name === "AbortError") throw e;
    }
  }
  return { ok: response.ok, status: response.status, statusText: response.statusText, body };
}

/** What went wrong, for people; `null` when the answer is fine. */
function describeFailure(answer) {
  if (answer.network) return "Could not reach the server. Check the connection, then retry.";
  if (answer.ok) return null;
  const detail = answer.body && typeof answer.body.error === "string" ? `: ${answer.body.error}` : "";
  if (answer.status >= 500) return `The server could not answer (${answer.status} ${answer.statusText || "error"}${detail}). Retry in a moment.`;
  return `The request was refused (${answer.status}${detail}).`;
}

const placeUrl = (loc) => `/ui/${loc.kind === "region" ? "regions" : "ports"}/${encodeURIComponent(loc.code)}`;
const kindLabel = (loc) => (loc.kind === "region" ? "region" : "port");
const explorerUrl = (q) => `/ui?${new URLSearchParams(PARAMS.map((p) => [p, q[p]]))}`;

/** Locations seen so far, by code, to name what the inputs hold. */
const known = new Map();
const remember = (loc) => { if (loc && loc.code) known.set(loc.code, { ...known.get(loc.code), ...loc }); };

/** One lane as a list item: a link to it in the explorer, its numbers, links to its ends. */
function laneItem(lane, window) {
  const query = { orig_code: lane.origin.code, dest_code: lane.destination.code, date_from: window.date_from, date_to: window.date_to };
  remember(lane.origin);
  remember(lane.destination);
  return el("li", {},
    el("a", { class: "lane", href: explorerUrl(query), "data-lane": `${lane.origin.code}-${lane.destination.code}` },
      `${lane.origin.name} → ${lane.destination.name}`),
    el("span", { class: "stats", text: `${lane.origin.code} → ${lane.destination.code} · ${plural(lane.prices, "price")} · an average on ${lane.days_with_average} of ${lane.days_with_prices} days` }),
    el("span", { class: "about" }, "About ", el("a", { href: placeUrl(lane.origin), text: lane.origin.name }), " · ", el("a", { href: placeUrl(lane.destination), text: lane.destination.name })),
  );
}

function windowText(window) {
  return window
    ? `Over the last ${plural(window.days_with_prices, "day")} with prices, ${fmtFull(window.date_from)} to ${fmtFull(window.date_to)}.`
    : "There are no prices in the data yet.";
}

// ---------------------------------------------------------------- location search

/**
 * An ARIA 1.2 combobox over `/locations?q=`: type a name, code or slug, pick
 * with the arrow keys and Enter (or the mouse); the input then holds the code.
 */
class LocationBox {
  constructor(input, onPick) {
    this.input = input;
    this.list = $(input.getAttribute("aria-controls"));
    this.caption = $(`${input.id}-place`);
    this.onPick = onPick;
    this.options = [];
    this.active = -1;
    this.controller = null;
    this.timer = 0;
    input.addEventListener("input", () => { this.describe(false); this.schedule(); });
    input.addEventListener("keydown", (e) => this.key(e));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 120));
    input.addEventListener("focus", () => { if (input.value && !known.has(input.value)) this.schedule(); });
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), 120);
  }

  async search() {
    const q = this.input.value.trim();
    this.controller?.abort();
    if (!q) return this.close();
    const controller = (this.controller = new AbortController());
    let answer;
    try {
      answer = await getJson(`/locations?${new URLSearchParams({ q, limit: 8 })}`, controller.signal);
    } catch {
      return; // superseded
    }
    if (controller !== this.controller || document.activeElement !== this.input) return;
    if (!answer.ok || !Array.isArray(answer.body)) return this.close();
    answer.body.forEach(remember);
    this.show(answer.body);
  }

  show(options) {
    this.options = options;
    this.active = -1;
    const id = (i) => `${this.list.id}-${i}`;
    const items = options.length
      ? options.map((loc, i) => el("li", { id: id(i), role: "option", "aria-selected": "false", onpointerdown: (e) => { e.preventDefault(); this.pick(i); } },
          el("span", { class: "name", text: loc.name }),
          el("span", { class: "code", text: loc.code }),
          el("span", { class: "meta", text: loc.parent ? `${kindLabel(loc)} in ${loc.parent.name}` : `top-level ${kindLabel(loc)}` })))
      : [el("li", { class: "empty", role: "option", "aria-disabled": "true", "aria-selected": "false", text: "No port or region matches" })];
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.input.removeAttribute("aria-activedescendant");
  }

  close() {
    clearTimeout(this.timer);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  }

  move(delta) {
    if (this.list.hidden || !this.options.length) return;
    const n = this.options.length;
    this.active = this.active < 0 ? (delta > 0 ? 0 : n - 1) : (this.active + delta + n) % n;
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === this.active)));
    const current = this.list.children[this.active];
    this.input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  key(e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (this.list.hidden) this.search().then(() => this.move(e.key === "ArrowDown" ? 1 : -1));
      else this.move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" && !this.list.hidden && this.active >= 0) {
      e.preventDefault();
      this.pick(this.active);
    } else if (e.key === "Escape" && !this.list.hidden) {
      e.preventDefault();
      this.close();
    }
  }

  pick(i) {
    const loc = this.options[i];
    if (!loc) return;
    this.set(loc.code);
    this.close();
    this.onPick?.(this.input);
  }

  set(code) {
    this.input.value = code;
    this.describe();
  }

  /** The caption under the input: what the code stands for, with a link. */
  describe(lookUp = true) {
    const code = this.input.value;
    const loc = known.get(code);
    if (lookUp && (!loc || !("parent" in loc))) this.lookUp(code);
    if (!loc) return this.caption.replaceChildren();
    const where = loc.parent ? `${kindLabel(loc)} in ${loc.parent.name}` : "parent" in loc ? `top-level ${kindLabel(loc)}` : kindLabel(loc);
    this.caption.replaceChildren(el("a", { href: placeUrl(loc), text: loc.name }), ` · ${where}`);
  }

  /** Learns where `code` is in the tree, for the caption. */
  async lookUp(code) {
    if (!LOCATION_RE.test(code) || this.looking === code) return;
    this.looking = code;
    const answer = await getJson(`/locations?${new URLSearchParams({ q: code, limit: 1 })}`);
    if (answer.ok && Array.isArray(answer.body) && answer.body[0]?.code === code) {
      remember(answer.body[0]);
      if (this.input.value === code) this.describe();
    }
  }

  /**
   * Turns what was typed into a code when it names one location exactly
   * ("shanghai", "cnsgh", "China Main"); leaves it alone otherwise, for the
   * server to judge (and suggest).
   */
  async resolve(signal) {
    const typed = this.input.value.trim();
    if (!typed || known.has(typed)) return;
    const answer = await getJson(`/locations?${new URLSearchParams({ q: typed, limit: 2 })}`, signal);
    if (!answer.ok || !Array.isArray(answer.body)) return;
    answer.body.forEach(remember);
    const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[_-]/g, " ");
    const exact = answer.body.filter((loc) => fold(loc.code) === fold(typed) || fold(loc.name) === fold(typed));
    if (exact.length >= 1) this.set(exact[0].code);
  }
}

// ---------------------------------------------------------------- the chart

/** Round tick steps (1, 2, 2.5, 5 x 10^n) for about `count` ticks from 0 to `max`. */
function ticks(max, count) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const top = Math.ceil(max / step) * step;
  const values = [];
  for (let v = 0; v <= top + step / 2; v += step) values.push(+v.toFixed(10));
  return values;
}

/**
 * Draws `rates` (newest first, as the API answers) into `box`: average prices
 * as a line over a zero-based axis (so a small move looks small), hatched
 * bands where a day has no average, and the daily count of prices as bars
 * below. Returns the days in drawing order, for the tooltip.
 */
function drawChart(box, rates, currency, onHover) {
  const days = rates.slice().reverse();
  const width = Math.max(300, Math.round(box.clientWidth || 600));
  const narrow = width < 520;
  const m = { left: narrow ? 52 : 64, right: 12, top: 26, bottom: 26 };
  const priceH = narrow ? 190 : 240, gapH = 34, countH = narrow ? 60 : 72;
  const height = m.top + priceH + gapH + countH + m.bottom;
  const plotW = width - m.left - m.right;
  const n = days.length;
  const step = plotW / n;
  const x = (i) => m.left + (i + 0.5) * step;

  const prices = days.map((d) => d.price).filter((p) => p !== null);
  const priceTicks = ticks(prices.length ? Math.max(...prices) * 1.05 : 1, narrow ? 4 : 5);
  const priceTop = priceTicks[priceTicks.length - 1];
  const yPrice = (p) => m.top + priceH - (p / priceTop) * priceH;
  const counts = days.map((d) => d.count);
  const countTicks = ticks(Math.max(...counts, MIN_PRICES), 2);
  const countTop = countTicks[countTicks.length - 1];
  const countBase = m.top + priceH + gapH + countH;
  const yCount = (c) => countBase - (c / countTop) * countH;

  const svg = el("svg:svg", { viewBox: `0 0 ${width} ${height}`, width, height, "aria-hidden": "true", focusable: "false" });
  svg.append(el("svg:defs", {},
    el("svg:pattern", { id: "gap-hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      el("svg:line", { class: "hatch", x1: 0, y1: 0, x2: 0, y2: 6 }))));

  // Price axis: grid lines with labelled ticks, the currency in the title.
  svg.append(el("svg:text", { class: "title", x: m.left, y: 14, text: `Average price (${currency})` }));
  for (const t of priceTicks) {
    svg.append(el("svg:line", { class: t === 0 ? "axis" : "grid", x1: m.left, x2: width - m.right, y1: yPrice(t), y2: yPrice(t) }));
    svg.append(el("svg:text", { x: m.left - 8, y: yPrice(t) + 4, "text-anchor": "end", text: fmtInt(t) }));
  }

  // Days without an average: hatched bands, one per run of such days.
  for (let i = 0; i < n; ) {
    if (days[i].price !== null) { i++; continue; }
    let j = i;
    while (j < n && days[j].price === null) j++;
    svg.append(el("svg:rect", { class: "gap", x: m.left + i * step, y: m.top, width: (j - i) * step, height: priceH }));
    i = j;
  }

  // The line, broken at every day without an average; lone days as dots.
  let path = "";
  days.forEach((d, i) => {
    if (d.price === null) return;
    const joined = i > 0 && days[i - 1].price !== null;
    path += `${joined ? "L" : "M"}${x(i).toFixed(1)},${yPrice(d.price).toFixed(1)}`;
  });
  if (path) svg.append(el("svg:path", { class: "line", d: path }));
  days.forEach((d, i) => {
    const alone = d.price !== null && (i === 0 || days[i - 1].price === null) && (i === n - 1 || days[i + 1].price === null);
    if (alone || (d.price !== null && n <= 45)) svg.append(el("svg:circle", { class: "dot", cx: x(i), cy: yPrice(d.price), r: alone ? 3.5 : 2.25 }));
  });
  if (!prices.length) {
    svg.append(el("svg:text", { class: "empty-note", x: m.left + plotW / 2, y: m.top + priceH / 2, "text-anchor": "middle", text: "No day in this range has an average (3 prices or more)" }));
  }

  // Prices per day, as bars; days with fewer than 3 prices are outlined.
  svg.append(el("svg:text", { class: "title", x: m.left, y: m.top + priceH + gapH - 8, text: "Prices per day" }));
  for (const t of countTicks) {
    svg.append(el("svg:line", { class: t === 0 ? "axis" : "grid", x1: m.left, x2: width - m.right, y1: yCount(t), y2: yCount(t) }));
    svg.append(el("svg:text", { x: m.left - 8, y: yCount(t) + 4, "text-anchor": "end", text: fmtInt(t) }));
  }
  const barW = Math.max(1, Math.min(step * 0.7, 24));
  days.forEach((d, i) => {
    if (!d.count) return;
    const top = yCount(d.count);
    svg.append(el("svg:rect", { class: d.count < MIN_PRICES ? "bar thin" : "bar", x: x(i) - barW / 2, y: top, width: barW, height: countBase - top }));
  });

  // Dates along the bottom, from the last day back, on evenly spaced days,
  // skipping any that would overlap; the year where it changes.
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(plotW / (narrow ? 64 : 80)))));
  let leftEdge = Infinity, year = null;
  for (let i = n - 1; i >= 0; i -= every) {
    const day = days[i].day;
    const text = year === null || day.slice(0, 4) !== year ? fmtFull(day) : fmtShort(day);
    const w = text.length * 6.6;
    const anchor = i === n - 1 ? "end" : x(i) - w / 2 < 2 ? "start" : "middle";
    const tx = anchor === "end" ? Math.min(x(i) + step / 2, width - 2) : x(i);
    const left = anchor === "end" ? tx - w : anchor === "start" ? tx : tx - w / 2;
    const right = anchor === "end" ? tx : anchor === "start" ? tx + w : tx + w / 2;
    if (right > leftEdge - 10) continue;
    leftEdge = left;
    year = day.slice(0, 4);
    svg.append(el("svg:line", { class: "axis", x1: x(i), x2: x(i), y1: countBase, y2: countBase + 4 }));
    svg.append(el("svg:text", { x: tx, y: countBase + 18, "text-anchor": anchor, text }));
  }

  // The cursor: a rule and a ring on the hovered or focused day.
  const cursor = el("svg:line", { class: "cursor", y1: m.top, y2: countBase, visibility: "hidden" });
  const ring = el("svg:circle", { class: "cursor-dot", r: 5, visibility: "hidden" });
  svg.append(cursor, ring);
  const overlay = el("svg:rect", { x: m.left, y: m.top, width: plotW, height: countBase - m.top, fill: "transparent" });
  svg.append(overlay);
  box.replaceChildren(svg);

  const at = (clientX) => {
    const rect = svg.getBoundingClientRect();
    const local = ((clientX - rect.left) / rect.width) * width;
    return Math.min(n - 1, Math.max(0, Math.floor((local - m.left) / step)));
  };
  const mark = (i) => {
    if (i === null) {
      cursor.setAttribute("visibility", "hidden");
      ring.setAttribute("visibility", "hidden");
      return;
    }
    cursor.setAttribute("x1", x(i));
    cursor.setAttribute("x2", x(i));
    cursor.setAttribute("visibility", "visible");
    if (days[i].price === null) ring.setAttribute("visibility", "hidden");
    else {
      ring.setAttribute("cx", x(i));
      ring.setAttribute("cy", yPrice(days[i].price));
      ring.setAttribute("visibility", "visible");
    }
  };
  overlay.addEventListener("pointermove", (e) => onHover(at(e.clientX), "pointer"));
  overlay.addEventListener("pointerleave", () => onHover(null, "pointer"));
  return {
    days,
    mark,
    /** Where to put the tooltip for day `i`, relative to the box. */
    anchor(i) {
      const scale = svg.getBoundingClientRect().width / width;
      const y = days[i].price === null ? m.top + priceH / 2 : yPrice(days[i].price);
      return { x: x(i) * scale, y: y * scale, width: width * scale };
    },
  };
}

/** One sentence or two on what the chart shows: its screen-reader summary too. */
function summarize(rates, currency) {
  const days = rates.slice().reverse();
  const priced = days.filter((d) => d.price !== null);
  const total = days.reduce((s, d) => s + d.count, 0);
  const missing = days.length - priced.length;
  const span = `From ${fmtFull(days[0].day)} to ${fmtFull(days[days.length - 1].day)}`;
  const counts = `${plural(total, "price")} in all; ${missing === 0 ? "every day has an average" : `${plural(missing, "day")} of ${days.length} without an average (fewer than 3 prices)`}.`;
  if (!priced.length) return `${span}, no day has an average: ${counts}`;
  const lo = Math.min(...priced.map((d) => d.price));
  const hi = Math.max(...priced.map((d) => d.price));
  const first = priced[0], last = priced[priced.length - 1];
  const change = first.price ? ((last.price - first.price) / first.price) * 100 : 0;
  const trend = priced.length < 2 ? "" : Math.abs(change) < 0.05
    ? `, about the same as on ${fmtShort(first.day)}`
    : `, ${Math.abs(change).toFixed(1)}% ${change > 0 ? "above" : "below"} ${fmtShort(first.day)}`;
  const range = lo === hi ? `was ${fmtUsd(lo, currency)} on every day with an average` : `ranged from ${fmtUsd(lo, currency)} to ${fmtUsd(hi, currency)}`;
  return `${span}, the average price ${range}; on ${fmtShort(last.day)} it was ${fmtUsd(last.price, currency)}${trend}. ${counts}`;
}

// ---------------------------------------------------------------- the explorer

function explorer() {
  const form = $("query");
  const inputs = Object.fromEntries(PARAMS.map((p) => [p, $(p)]));
  const boxes = { orig_code: new LocationBox(inputs.orig_code), dest_code: new LocationBox(inputs.dest_code) };
  const results = $("results");
  let currency = "USD";
  let coverage = null;
  let run = null; // the request in flight: { controller, id }
  let runs = 0;
  let chart = null;

  const readForm = () => Object.fromEntries(PARAMS.map((p) => [p, inputs[p].value.trim()]));
  const fillForm = (q) => {
    for (const p of PARAMS) inputs[p].value = q[p] || "";
    boxes.orig_code.describe();
    boxes.dest_code.describe();
  };
  const fromUrl = () => {
    const q = {};
    for (const [key, value] of new URLSearchParams(location.search)) q[ALIASES[key] || key] = value;
    return q;
  };
  const complete = (q) => PARAMS.every((p) => q[p]);
  const sameAsUrl = (q) => PARAMS.every((p) => (fromUrl()[p] || "") === (q[p] || ""));

  function clearErrors() {
    for (const p of PARAMS) {
      inputs[p].removeAttribute("aria-invalid");
      $(`${p}-error`).replaceChildren();
    }
    $("alert").replaceChildren();
  }

  function fieldError(param, message, suggestions = []) {
    const input = inputs[param];
    input.setAttribute("aria-invalid", "true");
    const sentence = message.charAt(0).toUpperCase() + message.slice(1) + (/[.?!]$/.test(message) ? "" : ".");
    const parts = [el("span", { text: sentence })];
    if (suggestions.length) {
      parts.push(el("span", { class: "did-you-mean" }, el("span", { text: "Did you mean:" }),
        ...suggestions.map((s) => el("button", { type: "button", "data-code": s.code, onclick: () => { remember(s); boxes[param].set(s.code); submit(); } },
          `${s.name} (${s.code})`))));
      suggestions.forEach(remember);
    }
    $(`${param}-error`).replaceChildren(...parts);
  }

  function alertError(message, retry = true) {
    $("alert").replaceChildren(el("span", { text: message }), retry ? el("button", { type: "button", onclick: () => submit({ push: false }) }, "Retry") : null);
  }

  function clearResults() {
    results.hidden = true;
    results.classList.remove("loading");
    $("chart").replaceChildren();
    $("table").tBodies[0].replaceChildren();
    $("tooltip").hidden = true;
    chart = null;
  }

  /** Runs the form's query: aborts the one before, so only the latest answer is ever shown. */
  async function submit({ push = true } = {}) {
    run?.controller.abort();
    const controller = new AbortController();
    const id = ++runs;
    run = { controller, id };
    const current = () => run && run.id === id;
    clearErrors();
    for (const box of Object.values(boxes)) box.close();

    let q = readForm();
    const missing = { orig_code: "Choose an origin.", dest_code: "Choose a destination.", date_from: "Choose the first day.", date_to: "Choose the last day." };
    const empty = PARAMS.filter((p) => !q[p]);
    if (empty.length) {
      empty.forEach((p) => fieldError(p, missing[p]));
      inputs[empty[0]].focus();
      clearResults();
      $("status").textContent = "";
      return;
    }
    results.classList.add("loading");
    results.setAttribute("aria-busy", "true");
    $("status").classList.add("busy");
    $("status").textContent = `Loading ${q.orig_code} → ${q.dest_code}…`;
    let answer;
    try {
      await Promise.all([boxes.orig_code.resolve(controller.signal), boxes.dest_code.resolve(controller.signal)]);
      q = readForm();
      if (push && !sameAsUrl(q)) history.pushState(null, "", explorerUrl(q));
      else if (!sameAsUrl(q)) history.replaceState(null, "", explorerUrl(q));
      answer = await getJson(`/rates?${new URLSearchParams(PARAMS.map((p) => [p, q[p]]))}`, controller.signal);
    } catch (e) {
      if (e.name === "AbortError") return; // a newer query took over
      throw e;
    }
    if (!current()) return;
    run = null;
    results.removeAttribute("aria-busy");
    results.classList.remove("loading");
    $("status").classList.remove("busy");
    $("status").textContent = "";
    const failure = describeFailure(answer);
    if (failure) {
      clearResults();
      const body = answer.body || {};
      if (answer.status === 400 && inputs[body.param]) {
        fieldError(body.param, body.error.replace(new RegExp(`^${body.param}: `), "").replace(/; did you mean .*$/, ""), body.suggestions || []);
        inputs[body.param].focus();
      } else {
        alertError(failure, answer.network || answer.status >= 500);
      }
      return;
    }
    if (!answer.body || !Array.isArray(answer.body.rates)) {
      clearResults();
      alertError("The server answered with something that is not a list of rates.");
      return;
    }
    show(q, answer.body.rates);
  }

  function show(q, rates) {
    const name = (code) => known.get(code)?.name;
    const part = (code) => {
      const loc = known.get(code);
      return loc ? el("a", { href: placeUrl(loc), text: `${loc.name}` }) : el("span", { text: code });
    };
    $("results-title").replaceChildren(part(q.orig_code), el("span", { class: "arrow", "aria-label": "to", text: "→" }), part(q.dest_code));
    document.title = `${name(q.orig_code) || q.orig_code} → ${name(q.dest_code) || q.dest_code} · rates explorer`;
    $("summary").textContent = rates.length ? summarize(rates, currency) : "";
    results.hidden = false;

    const tbody = $("table").tBodies[0];
    tbody.replaceChildren(...rates.map((r) => el("tr", {},
      el("td", { text: r.day }),
      el("td", { class: "num", text: fmtInt(r.count) }),
      el("td", { class: r.price === null ? "num none" : "num", text: r.price === null ? "no average" : fmtPrice(r.price) }))));

    const query = new URLSearchParams(PARAMS.map((p) => [p, q[p]]));
    const api = `/rates?${query}`;
    $("csv").href = `${api}&format=csv`;
    $("csv").setAttribute("download", `rates_${q.orig_code}_${q.dest_code}_${q.date_from}_${q.date_to}.csv`);
    $("json").href = api;
    $("curl").textContent = `curl '${location.origin}${api}'`;
    drawNow(rates);
  }

  let lastRates = null;
  let selected = null;
  function drawNow(rates) {
    lastRates = rates;
    selected = null;
    chart = rates.length ? drawChart($("chart"), rates, currency, (i, how) => hover(i, how)) : null;
    $("tooltip").hidden = true;
  }

  function hover(i, how) {
    const tip = $("tooltip");
    if (!chart || i === null) {
      chart?.mark(null);
      tip.hidden = true;
      return;
    }
    const d = chart.days[i];
    chart.mark(i);
    const text = d.price === null
      ? `No average: ${plural(d.count, "price")}`
      : `Average ${fmtUsd(d.price, currency)} · ${plural(d.count, "price")}`;
    tip.replaceChildren(el("strong", { text: fmtLong(d.day) }), text);
    tip.hidden = false;
    const a = chart.anchor(i);
    const box = $("chart");
    const w = tip.offsetWidth;
    tip.style.left = `${Math.min(Math.max(0, box.offsetLeft + a.x - w / 2), box.offsetLeft + a.width - w)}px`;
    tip.style.top = `${Math.max(0, box.offsetTop + a.y - tip.offsetHeight - 12)}px`;
    if (how === "key") $("chart-readout").textContent = `${fmtLong(d.day)}: ${text}`;
  }

  // The chart by keyboard: arrows move a day, Page keys a week, Home/End the ends.
  $("chart").addEventListener("keydown", (e) => {
    if (!chart) return;
    const n = chart.days.length;
    const moves = { ArrowLeft: -1, ArrowRight: 1, PageUp: -7, PageDown: 7 };
    let next = selected;
    if (e.key in moves) next = Math.min(n - 1, Math.max(0, (selected ?? n - 1) + (selected === null ? 0 : moves[e.key])));
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = n - 1;
    else if (e.key === "Escape") next = null;
    else return;
    e.preventDefault();
    selected = next;
    hover(next, "key");
  });
  $("chart").addEventListener("focus", () => { if (chart) { selected = selected ?? chart.days.length - 1; hover(selected, "key"); } });
  $("chart").addEventListener("blur", () => hover(null));
  new ResizeObserver(() => { if (lastRates && !results.hidden) drawNow(lastRates); }).observe($("chart"));

  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  $("swap").addEventListener("click", () => {
    const o = inputs.orig_code.value;
    boxes.orig_code.set(inputs.dest_code.value);
    boxes.dest_code.set(o);
    submit();
  });
  window.addEventListener("popstate", () => {
    const q = fromUrl();
    if (complete(q)) { fillForm(q); submit({ push: false }); }
  });
  $("copy-curl").addEventListener("click", async () => {
    const text = $("curl").textContent;
    try {
      await navigator.clipboard.writeText(text);
      $("status").textContent = "Copied the curl command.";
    } catch {
      // No clipboard (plain http on another host): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents($("curl"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      $("status").textContent = "Selected the curl command: press Ctrl+C (⌘C) to copy it.";
    }
  });
  document.addEventListener("click", (e) => {
    // Lanes open in place (and in a new tab with a modifier key).
    const link = e.target.closest("a[data-lane]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    fillForm(Object.fromEntries(new URL(link.href).searchParams));
    submit();
    inputs.orig_code.scrollIntoView({ block: "nearest" });
  });

  /** Coverage: the data's span, the busiest lanes, and the first query when the URL has none. */
  async function loadCoverage() {
    const answer = await getJson("/coverage");
    const failure = describeFailure(answer);
    if (failure || !answer.body) {
      $("coverage").textContent = "";
      $("lanes-window").textContent = "Could not load what the data covers.";
      $("alert").replaceChildren(el("span", { text: failure || "The server's answer about the data was not understood." }),
        el("button", { type: "button", onclick: () => location.reload() }, "Retry"));
      return null;
    }
    coverage = answer.body;
    currency = coverage.currency || currency;
    const w = coverage.window;
    if (coverage.first_day) {
      $("coverage").replaceChildren(`Prices from ${fmtFull(coverage.first_day)} to ${fmtFull(coverage.last_day)}.`,
        w ? el("button", { type: "button", onclick: () => { inputs.date_from.value = w.date_from; inputs.date_to.value = w.date_to; submit(); } }, `Last ${w.days_with_prices} days with prices`) : null);
    } else {
      $("coverage").textContent = "There are no prices in the data yet.";
    }
    $("lanes-window").textContent = windowText(w);
    $("lanes").replaceChildren(...coverage.lanes.map((lane) => laneItem(lane, w)));
    return coverage;
  }

  (async () => {
    const q = fromUrl();
    const covered = loadCoverage();
    if (complete(q)) {
      fillForm(q);
      submit({ push: false });
      // Names for the inputs' captions, once the lanes are known.
      covered.then(() => { boxes.orig_code.describe(); boxes.dest_code.describe(); });
      return;
    }
    $("status").classList.add("busy");
    $("status").textContent = "Finding a busy lane in the data…";
    const c = await covered;
    $("status").classList.remove("busy");
    $("status").textContent = "";
    const start = { ...(c && c.suggested), ...q };
    if (complete(start)) {
      fillForm(start);
      history.replaceState(null, "", explorerUrl(start));
      submit({ push: false });
    } else if (c && !c.suggested) {
      $("status").textContent = "There are no prices yet: load some (rates import or rates demo), then reload.";
    }
  })();
}

// ---------------------------------------------------------------- port and region pages

async function placePage() {
  const match = location.pathname.match(/^\/ui\/(ports|regions)\/([^/]+)$/);
  const code = match ? decodeURIComponent(match[2]) : "";
  const wanted = match && match[1] === "regions" ? "region" : "port";
  const notFound = (message, suggestions = []) => {
    $("title").textContent = `No ${wanted} ${code}`;
    document.title = `Not found · rates explorer`;
    $("subtitle").textContent = message;
    if (suggestions.length) {
      $("alert").replaceChildren(el("span", {}, "Did you mean ", ...suggestions.flatMap((s, i) => [i ? ", " : "", el("a", { href: placeUrl(s), text: `${s.name} (${s.code})` })]), "?"));
    }
  };
  if (!LOCATION_RE.test(code)) return notFound("That is not a port code or region slug.");
  $("status").textContent = "Loading…";
  const answer = await getJson(`/locations/${encodeURIComponent(code)}`);
  $("status").textContent = "";
  if (answer.status === 404) return notFound("It is not in the data.", (answer.body && answer.body.suggestions) || []);
  const failure = describeFailure(answer);
  if (failure) {
    $("title").textContent = code;
    $("alert").replaceChildren(el("span", { text: failure }), el("button", { type: "button", onclick: () => location.reload() }, "Retry"));
    return;
  }
  const loc = answer.body;
  if (loc.kind !== wanted) {
    return notFound(`${code} is a ${loc.kind}.`, [loc]);
  }
  document.title = `${loc.name} · rates explorer`;
  $("title").textContent = loc.name;
  const parent = loc.path[loc.path.length - 1];
  $("subtitle").replaceChildren(
    loc.kind === "port" ? `Port ${loc.code}` : `Region ${loc.code}, ${plural(loc.port_count, "port")} in all`,
    parent ? " in " : "", parent ? el("a", { href: placeUrl(parent), text: parent.name }) : "",
    loc.kind === "region" && !parent ? ", at the top of the tree" : "", ".");
  $("crumbs").replaceChildren(
    el("li", {}, el("a", { href: "/ui", text: "Explorer" })),
    ...loc.path.map((r) => el("li", {}, el("a", { href: placeUrl(r), text: r.name }))),
    el("li", {}, el("span", { "aria-current": "page", text: loc.name })));

  const w = loc.window;
  const lanes = loc.lanes;
  $("lanes-window").textContent = lanes.length ? windowText(w) : "No lane from or to it has prices in the last days with data.";
  $("lanes").replaceChildren(...lanes.map((lane) => laneItem(lane, w)));
  const explore = [];
  const outbound = lanes.find((l) => l.outbound);
  const inbound = lanes.find((l) => l.outbound === false);
  const range = w ? { date_from: w.date_from, date_to: w.date_to } : {};
  if (w && outbound) {
    explore.push(el("a", { class: "button primary", href: explorerUrl({ orig_code: loc.code, dest_code: outbound.destination.code, ...range }) }, `Rates from ${loc.name} to ${outbound.destination.name}`));
  }
  if (w && inbound) {
    explore.push(el("a", { class: "button", href: explorerUrl({ orig_code: inbound.origin.code, dest_code: loc.code, ...range }) }, `Rates to ${loc.name} from ${inbound.origin.name}`));
  }
  $("explore").replaceChildren(...explore);
  if (loc.kind === "region") {
    $("inside").hidden = false;
    const chips = (list) => list.map((l) => el("li", {}, el("a", { href: placeUrl(l), text: l.kind === "port" ? `${l.name} (${l.code})` : l.name })));
    $("child-regions").replaceChildren(...chips(loc.regions));
    $("child-ports").replaceChildren(...chips(loc.ports));
    $("child-regions-box").hidden = !loc.regions.length;
    $("child-ports-box").hidden = !loc.ports.length;
  }
  $("place").hidden = false;
}

if (document.body.dataset.page === "place") placePage();
else explorer();
