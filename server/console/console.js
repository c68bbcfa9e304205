// f0care console: a client of the GraphQL API (no build step, no third-party code).
// The token lives in sessionStorage, never in a URL; fields a role may not read are never asked for.

const TZ = "Asia/Ho_Chi_Minh";
const PERSONAL = ["LOCAL_OFFICIAL", "HEALTH_STAFF", "HOSPITAL_STAFF", "CITIZEN"]; // @personalData
const CLINICAL = ["HEALTH_STAFF", "HOSPITAL_STAFF", "CITIZEN"]; // @clinicalData
const STATUSES = ["HOME_TREATMENT", "IN_FACILITY", "RECOVERED", "DECEASED", "MOVED_AWAY"];
const SEVERITIES = ["MILD", "MODERATE", "SEVERE", "CRITICAL"];

const T = {
  vi: {
    language: "Ngôn ngữ", signIn: "Đăng nhập", signOut: "Đăng xuất", username: "Tên đăng nhập",
    password: "Mật khẩu", alerts: "Cảnh báo khẩn cấp", statistics: "Thống kê", patients: "Bệnh nhân F0",
    chartCaption: "Ca mới và khỏi bệnh theo ngày (30 ngày)", byStatus: "Theo tình trạng", byTier: "Theo tầng điều trị",
    breakdown: "Theo địa bàn", area: "Địa bàn", active: "Đang điều trị", newCases: "Ca mới", recovered: "Khỏi bệnh",
    status: "Tình trạng", severity: "Mức độ", overdue: "Quá hạn báo cáo", previous: "Trang trước", next: "Trang sau",
    acknowledge: "Tiếp nhận", resolve: "Hoàn tất", live: "Trực tuyến", reconnecting: "Mất kết nối, đang kết nối lại…",
    noAlerts: "Không có cảnh báo đang mở.", expired: "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
    badLogin: "Sai tên đăng nhập hoặc mật khẩu.", openAlerts: "Cảnh báo mở", compliance: "Tỷ lệ báo cáo 24 giờ",
    caseCode: "Mã ca", name: "Họ tên", tier: "Tầng", lastReport: "Báo cáo gần nhất", commune: "Xã/phường",
    total: "Tổng", phone: "Điện thoại", address: "Địa chỉ", confirmed: "Xác nhận", facility: "Cơ sở điều trị",
    reports: "Lịch sử báo cáo sức khỏe", time: "Thời gian", close: "Đóng", home: "Tại nhà",
    HOME_TREATMENT: "Điều trị tại nhà", IN_FACILITY: "Tại cơ sở", RECOVERED: "Khỏi bệnh", DECEASED: "Tử vong",
    MOVED_AWAY: "Chuyển đi", MILD: "Nhẹ", MODERATE: "Trung bình", SEVERE: "Nặng", CRITICAL: "Nguy kịch",
    OPEN: "Mới", ACKNOWLEDGED: "Đã tiếp nhận", RESOLVED: "Đã xử lý", SOS: "SOS", VITAL_SIGNS: "Chỉ số bất thường",
    MISSED_REPORT: "Thiếu báo cáo",
  },
  en: {
    language: "Language", signIn: "Sign in", signOut: "Sign out", username: "Username", password: "Password",
    alerts: "Emergency alerts", statistics: "Statistics", patients: "F0 patients",
    chartCaption: "New cases and recoveries per day (30 days)", byStatus: "By status", byTier: "By treatment tier",
    breakdown: "By area", area: "Area", active: "In treatment", newCases: "New cases", recovered: "Recovered",
    status: "Status", severity: "Severity", overdue: "Report overdue", previous: "Previous", next: "Next",
    acknowledge: "Acknowledge", resolve: "Resolve", live: "Live", reconnecting: "Connection lost, reconnecting…",
    noAlerts: "No open alerts.", expired: "Your session has expired, please sign in again.",
    badLogin: "Wrong username or password.", openAlerts: "Open alerts", compliance: "Reported in 24 h",
    caseCode: "Case", name: "Name", tier: "Tier", lastReport: "Last report", commune: "Commune", total: "Total",
    phone: "Phone", address: "Address", confirmed: "Confirmed", facility: "Facility",
    reports: "Health report history", time: "Time", close: "Close", home: "At home",
    HOME_TREATMENT: "Home treatment", IN_FACILITY: "In facility", RECOVERED: "Recovered", DECEASED: "Deceased",
    MOVED_AWAY: "Moved away", MILD: "Mild", MODERATE: "Moderate", SEVERE: "Severe", CRITICAL: "Critical",
    OPEN: "Open", ACKNOWLEDGED: "Acknowledged", RESOLVED: "Resolved", SOS: "SOS", VITAL_SIGNS: "Vital signs",
    MISSED_REPORT: "Missed report",
  },
};

const state = { token: null, expiresAt: null, me: null, lang: localStorage.getItem("f0care.lang") || "vi" };
const live = [];
window.__f0care = { live }; // the open subscriptions, for tests and debugging
let expiryTimer = null;
let audio = null;

const $ = (selector) => document.querySelector(selector);
const t = (key) => T[state.lang][key] ?? key;
const can = (roles) => roles.includes(state.me?.role);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value != null) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child != null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(iso, withTime = true) {
  if (!iso) return "—";
  const options = withTime ? { dateStyle: "short", timeStyle: "short" } : { dateStyle: "short" };
  return new Intl.DateTimeFormat(state.lang === "vi" ? "vi-VN" : "en-GB", { timeZone: TZ, ...options })
    .format(new Date(iso));
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
}

// --- API ------------------------------------------------------------------------------

class Expired extends Error {}

async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  if (response.status === 401) throw expire();
  const body = await response.json();
  if (body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED") && state.token) throw expire();
  if (body.errors && !body.data) throw new Error(body.errors[0].message);
  return body.data;
}

// graphql-transport-ws: subscribe, resume after a dropped connection, stop on sign-out
class Live {
  constructor(query, variables, onData) {
    Object.assign(this, { query, variables, onData, stopped: false, delay: 1000 });
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = (this.ws = new WebSocket(`${scheme}://${location.host}/graphql`, "graphql-transport-ws"));
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${state.token}` } }));
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        this.delay = 1000;
        setLiveState(true);
        ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: this.query, variables: this.variables() } }));
      } else if (message.type === "next" && message.payload.data) {
        this.onData(message.payload.data);
      } else if (message.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "error" || message.type === "complete") {
        ws.close(); // the subscription ended (e.g. the database is away): reconnect and resume
      }
    };
    ws.onclose = (event) => {
      if (this.stopped) return;
      if (event.code === 4401 || event.code === 4403) { expire(); return; }
      setLiveState(false);
      setTimeout(() => !this.stopped && this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    };
  }

  stop() {
    this.stopped = true;
    this.ws?.close(1000);
  }
}

function setLiveState(up) {
  $("#feed-state").textContent = up ? `● ${t("live")}` : t("reconnecting");
}

// --- session --------------------------------------------------------------------------

const ME = "{ me { subject role area { code name } facility { name } allowedOperations } }";

async function signIn(event) {
  event.preventDefault();
  audio ??= new AudioContext(); // made on a user gesture, so the alert cue may play later
  const form = new FormData(event.target);
  $("#signin-error").textContent = "";
  try {
    const data = await gql(
      "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken expiresAt } }",
      { u: form.get("username"), p: form.get("password") },
    );
    remember(data.login.accessToken, data.login.expiresAt);
    await start();
  } catch (error) {
    $("#signin-error").textContent = /password|username|RATE/i.test(error.message) ? t("badLogin") : error.message;
  }
}

function remember(token, expiresAt) {
  Object.assign(state, { token, expiresAt });
  sessionStorage.setItem("f0care.token", JSON.stringify({ token, expiresAt }));
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => expire(), Math.max(0, new Date(expiresAt) - Date.now()));
}

function signOut(message = "") {
  live.splice(0).forEach((subscription) => subscription.stop());
  clearTimeout(expiryTimer);
  Object.assign(state, { token: null, expiresAt: null, me: null });
  sessionStorage.removeItem("f0care.token");
  for (const id of ["#alerts", "#statistics", "#patients", "#tabs", "#signout"]) $(id).hidden = true;
  $("#who").textContent = "";
  $("#signin").hidden = false;
  $("#signin-error").textContent = message;
}

function expire() {
  signOut(t("expired"));
  return new Expired(t("expired"));
}

async function start() {
  state.me = (await gql(ME)).me;
  const allowed = new Set(state.me.allowedOperations);
  const sections = [
    ["alerts", allowed.has("Subscription.alertEvents"), showAlerts],
    ["statistics", allowed.has("Query.statistics"), showStatistics],
    ["patients", allowed.has("Query.patients"), showPatients],
  ].filter(([, ok]) => ok);
  $("#signin").hidden = true;
  $("#signout").hidden = false;
  $("#who").textContent = `${state.me.subject} · ${state.me.role} · ${state.me.area?.name ?? state.me.facility?.name ?? ""}`;
  const tabs = $("#tabs");
  tabs.replaceChildren(...sections.map(([id]) => el("button", { type: "button", "data-t": id, "data-section": id, onclick: () => show(id) })));
  tabs.hidden = false;
  applyLabels();
  for (const [id, , open] of sections) open();
  if (sections.length) show(sections[0][0]);
}

function show(id) {
  for (const section of ["alerts", "statistics", "patients"]) $(`#${section}`).hidden = section !== id;
  document.querySelectorAll("#tabs button").forEach((b) => b.setAttribute("aria-current", b.dataset.section === id ? "page" : "false"));
}

// --- alert feed -----------------------------------------------------------------------

const ALERT_FIELDS = `id kind status severity message raisedAt pressCount
  patient { id caseCode fullName @include(if: $personal) phone @include(if: $personal)
    latestReport @include(if: $clinical) { spo2 respiratoryRate reportedAt } }`;
let lastEventId = null;

async function showAlerts() {
  const vars = { personal: can(PERSONAL), clinical: can(CLINICAL) };
  const data = await gql(
    `query($personal: Boolean!, $clinical: Boolean!) { alerts(filter: {status: [OPEN, ACKNOWLEDGED]}, first: 50) { edges { node { ${ALERT_FIELDS} } } } }`,
    vars,
  );
  $("#feed").replaceChildren(...data.alerts.edges.map(({ node }) => alertCard(node)));
  emptyFeed();
  live.push(new Live(
    `subscription($afterId: ID, $personal: Boolean!, $clinical: Boolean!) { alertEvents(afterId: $afterId) { id type alert { ${ALERT_FIELDS} } } }`,
    () => ({ ...vars, afterId: lastEventId }),
    ({ alertEvents: event }) => {
      lastEventId = event.id;
      const fresh = event.type === "CREATED" || event.type === "REPEATED";
      placeAlert(event.alert, fresh);
    },
  ));
}

function emptyFeed() {
  if (!$("#feed").children.length) $("#feed").append(el("li", { class: "muted", id: "no-alerts" }, t("noAlerts")));
  else $("#no-alerts")?.remove();
}

function placeAlert(alert, fresh) {
  const old = document.getElementById(`alert-${alert.id}`);
  const card = alertCard(alert, fresh);
  if (alert.status === "RESOLVED") old?.remove();
  else if (old && !fresh) old.replaceWith(card);
  else { old?.remove(); $("#feed").prepend(card); }
  if (fresh) cue();
  emptyFeed();
}

function alertCard(alert, fresh = false) {
  const p = alert.patient;
  const vitals = p.latestReport ? `SpO2 ${p.latestReport.spo2 ?? "—"} % · RR ${p.latestReport.respiratoryRate ?? "—"}/min` : null;
  const act = (mutation) => async () => {
    const data = await gql(`mutation($id: ID!) { ${mutation}(id: $id) { id status } }`, { id: alert.id });
    placeAlert({ ...alert, status: data[mutation].status }, false);
  };
  return el("li", { class: `card sev-${alert.severity}${fresh ? " new" : ""}`, id: `alert-${alert.id}`, "data-status": alert.status },
    el("div", {}, el("span", { class: `badge ${alert.severity}` }, t(alert.severity)), " ",
      el("strong", {}, `${t(alert.kind)} · ${p.caseCode}`), " ", el("span", { class: "muted" }, `${t(alert.status)} · ${when(alert.raisedAt)}`)),
    el("div", {}, alert.message),
    p.fullName ? el("div", {}, `${p.fullName}${p.phone ? ` · ${p.phone}` : ""}`) : null,
    vitals ? el("div", { class: "muted" }, vitals) : null,
    el("div", { class: "actions" },
      alert.status === "OPEN" ? el("button", { type: "button", class: "ack", onclick: act("acknowledgeAlert") }, t("acknowledge")) : null,
      el("button", { type: "button", class: "resolve", onclick: act("resolveAlert") }, t("resolve"))),
  );
}

function cue() {
  document.title = `(!) f0care`;
  setTimeout(() => { document.title = "f0care"; }, 5000);
  if (!audio || audio.state !== "running") return;
  const tone = audio.createOscillator();
  tone.frequency.value = 880;
  tone.connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.25);
}

// --- statistics -----------------------------------------------------------------------

const STATS_FIELDS = `area { code name } activePatients openAlerts reportCompliance byStatus { status count }
  byTier { tier count } daily { date newCases recovered } breakdown { area { code name } activePatients newCases }`;

async function showStatistics() {
  renderStatistics((await gql(`{ statistics { ${STATS_FIELDS} } }`)).statistics);
  live.push(new Live(`subscription { statisticsUpdates { ${STATS_FIELDS} } }`, () => ({}),
    (data) => renderStatistics(data.statisticsUpdates)));
}

function renderStatistics(s) {
  $("#stats-area").textContent = `· ${s.area.name}`;
  const share = s.reportCompliance == null ? "—" : `${Math.round(s.reportCompliance * 100)} %`;
  $("#kpis").replaceChildren(
    ...[["active", s.activePatients], ["openAlerts", s.openAlerts], ["compliance", share]]
      .map(([key, value]) => el("div", { class: "kpi" }, el("b", {}, value ?? "—"), t(key))),
  );
  $("#chart").replaceChildren(chart(s.daily));
  const rows = (items, label) => items.map((item) => el("tr", {}, el("td", {}, label(item)), el("td", { class: "num" }, item.count ?? "—")));
  $("#by-status tbody").replaceChildren(...rows(s.byStatus, (i) => t(i.status)));
  $("#by-tier tbody").replaceChildren(...rows(s.byTier, (i) => `${t("tier")} ${i.tier}`));
  $("#breakdown tbody").replaceChildren(...s.breakdown.map((b) => el("tr", {},
    el("td", {}, b.area.name), el("td", { class: "num" }, b.activePatients ?? "—"), el("td", { class: "num" }, b.newCases ?? "—"))));
  applyLabels();
}

function chart(days) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const [w, h, pad] = [600, 200, 24];
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("chartCaption"));
  const top = Math.max(1, ...days.flatMap((d) => [d.newCases ?? 0, d.recovered ?? 0]));
  const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, days.length - 1);
  const y = (v) => h - pad - ((v ?? 0) * (h - 2 * pad)) / top;
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    svg.append(node);
  };
  add("line", { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: "#999" });
  add("text", { x: 2, y: pad, "font-size": 11 }, String(top));
  [["newCases", "#c62828"], ["recovered", "#2e7d32"]].forEach(([key, colour], n) => {
    add("polyline", { fill: "none", stroke: colour, "stroke-width": 2, points: days.map((d, i) => `${x(i)},${y(d[key])}`).join(" ") });
    add("text", { x: w - pad - 150 + n * 80, y: 14, fill: colour, "font-size": 12 }, t(key));
  });
  if (days.length) {
    add("text", { x: pad, y: h - 6, "font-size": 11 }, when(`${days[0].date}T12:00:00+07:00`, false));
    add("text", { x: w - pad - 60, y: h - 6, "font-size": 11 }, when(`${days.at(-1).date}T12:00:00+07:00`, false));
  }
  return svg;
}

// --- patients -------------------------------------------------------------------------

const pages = { cursors: [null], index: 0 };

function showPatients() {
  const filters = $("#filters");
  const fill = (name, values) => filters.elements[name].replaceChildren(el("option", { value: "" }, "—"),
    ...values.map((v) => el("option", { value: v }, t(v))));
  fill("status", STATUSES);
  fill("severity", SEVERITIES);
  filters.onchange = () => { Object.assign(pages, { cursors: [null], index: 0 }); loadPatients(); };
  $("#next").onclick = () => { pages.index += 1; loadPatients(); };
  $("#prev").onclick = () => { pages.index = Math.max(0, pages.index - 1); loadPatients(); };
  loadPatients();
}

async function loadPatients() {
  const form = new FormData($("#filters"));
  const filter = {};
  if (form.get("status")) filter.status = [form.get("status")];
  if (form.get("severity")) filter.severity = [form.get("severity")];
  if (form.get("overdue")) filter.reportOverdue = true;
  const personal = can(PERSONAL);
  const data = await gql(
    `query($f: PatientFilter, $after: String, $personal: Boolean!) { patients(filter: $f, first: 20, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id caseCode fullName @include(if: $personal) status severity tier lastReportAt homeCommune { name } } } } }`,
    { f: filter, after: pages.cursors[pages.index], personal },
  );
  const { edges, pageInfo, totalCount } = data.patients;
  pages.cursors[pages.index + 1] = pageInfo.endCursor;
  $("#patients-count").textContent = `${t("total")}: ${totalCount}`;
  const columns = ["caseCode", ...(personal ? ["name"] : []), "status", "severity", "tier", "lastReport", "commune"];
  $("#patient-table thead").replaceChildren(el("tr", {}, columns.map((c) => el("th", { class: c === "commune" ? "hide-narrow" : null }, t(c)))));
  $("#patient-table tbody").replaceChildren(...edges.map(({ node: p }) => {
    const open = () => openPatient(p.id);
    return el("tr", { tabindex: 0, onclick: open, onkeydown: (e) => e.key === "Enter" && open() },
      el("td", {}, p.caseCode), personal ? el("td", {}, p.fullName ?? "") : null, el("td", {}, t(p.status)),
      el("td", {}, p.severity ? el("span", { class: `badge ${p.severity}` }, t(p.severity)) : "—"),
      el("td", {}, p.tier), el("td", {}, when(p.lastReportAt)), el("td", { class: "hide-narrow" }, p.homeCommune.name));
  }));
  $("#prev").disabled = pages.index === 0;
  $("#next").disabled = !pageInfo.hasNextPage;
}

async function openPatient(id) {
  const data = await gql(
    `query($id: ID!, $personal: Boolean!, $clinical: Boolean!) { patient(id: $id) {
      caseCode fullName @include(if: $personal) phone @include(if: $personal) address @include(if: $personal)
      status severity tier confirmedAt lastReportAt homeCommune { name parent { name } } facility { name }
      healthReports(first: 20) @include(if: $clinical) { edges { node { reportedAt spo2 temperature respiratoryRate severity } } } } }`,
    { id, personal: can(PERSONAL), clinical: can(CLINICAL) },
  );
  const p = data.patient;
  const pane = $("#patient-detail");
  if (!p) { pane.hidden = true; return; }
  const line = (key, value) => (value == null ? null : el("div", {}, el("span", { class: "muted" }, `${t(key)}: `), value));
  const reports = p.healthReports?.edges ?? [];
  // absent parts (fields the role may not read) are left out: replaceChildren writes "null"
  pane.replaceChildren(...[
    el("h2", {}, `${p.caseCode}${p.fullName ? ` · ${p.fullName}` : ""}`),
    line("status", `${t(p.status)} · ${t("tier")} ${p.tier}`), line("severity", p.severity && t(p.severity)),
    line("phone", p.phone), line("address", p.address),
    line("commune", `${p.homeCommune.name}, ${p.homeCommune.parent?.name ?? ""}`),
    line("facility", p.facility?.name ?? t("home")), line("confirmed", when(p.confirmedAt)),
    reports.length ? el("table", {}, el("caption", {}, t("reports")),
      el("thead", {}, el("tr", {}, el("th", {}, t("time")), el("th", {}, "SpO2"), el("th", {}, "°C"), el("th", {}, "RR"), el("th", {}, t("severity")))),
      el("tbody", {}, reports.map(({ node: r }) => el("tr", {}, el("td", {}, when(r.reportedAt)), el("td", {}, r.spo2 ?? "—"),
        el("td", {}, r.temperature ?? "—"), el("td", {}, r.respiratoryRate ?? "—"), el("td", {}, t(r.severity)))))) : null,
    el("button", { type: "button", onclick: () => { pane.hidden = true; } }, t("close")),
  ].filter((part) => part != null));
  pane.hidden = false;
  pane.focus();
}

// --- boot -----------------------------------------------------------------------------

function report(error) {
  if (error instanceof Expired) return;
  console.warn(error);
}

window.addEventListener("unhandledrejection", (event) => { event.preventDefault(); report(event.reason); });

document.addEventListener("DOMContentLoaded", () => {
  $("#lang").value = state.lang;
  $("#lang").onchange = (event) => {
    state.lang = event.target.value;
    localStorage.setItem("f0care.lang", state.lang);
    applyLabels();
    if (state.me) { live.splice(0).forEach((s) => s.stop()); start().catch(report); }
  };
  $("#signin-form").onsubmit = signIn;
  $("#signout").onclick = () => signOut();
  applyLabels();
  const saved = JSON.parse(sessionStorage.getItem("f0care.token") || "null");
  if (saved && new Date(saved.expiresAt) > new Date()) {
    remember(saved.token, saved.expiresAt);
    start().catch(report);
  } else if (saved) {
    expire();
  }
});
