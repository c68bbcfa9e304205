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
    rehoming: "Chuyển địa bàn", rehomingHelp: "Hồ sơ chưa xác định được xã/phường mới sau khi chuyển sang bản đồ hành chính mới (xã bị chia tách, hoặc không có trong bảng chuyển đổi). Chọn xã/phường và nêu lý do.",
    record: "Hồ sơ", oldCommune: "Xã/phường cũ", rehomingReason: "Vì sao chờ", newCommune: "Xã/phường mới", reassign: "Chuyển", nothingWaiting: "Không có hồ sơ nào đang chờ.",
    PATIENT: "Người bệnh", CONTACT: "Người tiếp xúc", DECLARATION: "Khai báo", FACILITY: "Cơ sở", USER: "Tài khoản",
    SPLIT: "Xã bị chia tách", UNMAPPED: "Không có trong bảng chuyển đổi",
    admin: "Quản trị", accounts: "Tài khoản", newAccount: "Tạo tài khoản", displayName: "Tên hiển thị",
    role: "Vai trò", areaCode: "Mã địa bàn", facilityId: "Mã cơ sở", accountOn: "Đang dùng", accountOff: "Đã khoá",
    oneTimePassword: "Mật khẩu dùng một lần (chỉ hiện lần này, hãy trao tận tay)", deactivate: "Khoá tài khoản",
    reactivate: "Mở khoá", resetPassword: "Cấp lại mật khẩu", auditLog: "Nhật ký truy cập", actor: "Người thực hiện",
    action: "Hành động", entityId: "Mã hồ sơ", organisation: "Đơn vị", search2: "Tìm", changePassword: "Đổi mật khẩu",
    oldPassword: "Mật khẩu hiện tại", newPassword: "Mật khẩu mới (ít nhất 10 ký tự)", mustChange: "Bạn đăng nhập bằng mật khẩu dùng một lần: hãy đặt mật khẩu của mình.",
    all: "Tất cả", LOCAL_OFFICIAL: "Cán bộ xã", HEALTH_STAFF: "Nhân viên y tế", HOSPITAL_STAFF: "Bệnh viện",
    SCREENING_STAFF: "Cơ sở xét nghiệm", MANAGER: "Lãnh đạo", ANALYST: "Phân tích", ADMIN: "Quản trị viên",
    exportCsv: "Xuất danh sách (CSV)", exportXlsx: "Xuất danh sách (Excel)", exported: "Đã xuất",
    facilitiesAndBeds: "Cơ sở và giường bệnh", newFacility: "Thêm cơ sở", kind: "Loại", reportBeds: "Báo cáo giường",
    capacity: "Số giường", outside: "Giường do người bệnh khác sử dụng", f0care: "Người bệnh F0 đang điều trị",
    COMMUNE_HEALTH_STATION: "Trạm y tế", DISTRICT_HOSPITAL: "Bệnh viện huyện", FIELD_HOSPITAL: "Bệnh viện dã chiến",
    PROVINCIAL_HOSPITAL: "Bệnh viện tỉnh", SCREENING_HOSPITAL: "Cơ sở xét nghiệm",
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
    MISSED_REPORT: "Thiếu báo cáo", SYMPTOMATIC_CONTACT: "F1 có triệu chứng",
    from: "Từ ngày", to: "Đến ngày", apply: "Xem", myArea: "Về địa bàn của tôi", occupancy: "Công suất giường theo tầng",
    inFacility: "Đang điều trị", beds: "Số giường", funnel: "Khai báo trong kỳ", PENDING: "Chờ xác minh",
    VERIFIED: "Đã xác minh", REJECTED: "Từ chối", DUPLICATE: "Trùng", reviewHours: "Thời gian xác minh (giờ, trung vị)",
    responseMinutes: "Thời gian tiếp nhận cảnh báo (phút, trung vị)", releasesDue: "Đủ điều kiện kết thúc cách ly",
    search: "Tìm theo tên hoặc số điện thoại", releaseDue: "Đến hạn kết thúc cách ly", byUrgency: "Ưu tiên khẩn cấp",
    isolation: "Cách ly", day: "Ngày", of: "trên", releaseIsDue: "Đủ điều kiện kết thúc cách ly",
    releaseFrom: "Sớm nhất", needsTest: "cần test nhanh âm tính từ ngày 7", tests: "Xét nghiệm", kind: "Loại",
    result: "Kết quả", supervision: "Hình thức", medications: "Thuốc", drug: "Thuốc", dose: "Liều", frequency: "Số lần",
    days: "Số ngày", startOn: "Bắt đầu", vaccinations: "Tiêm chủng", comorbidities: "Bệnh nền", transfers: "Chuyển tầng",
    notes: "Ghi chú điều trị", openAlertsOf: "Cảnh báo đang mở", none: "Không có",
    recordReport: "Nhập báo cáo sức khỏe thay người bệnh", recordTest: "Nhập kết quả xét nghiệm", prescribe: "Kê đơn",
    requestTransfer: "Đề nghị chuyển tầng", addNote: "Thêm ghi chú", discharge: "Kết thúc điều trị", save: "Lưu",
    toTier: "Chuyển đến tầng", reason: "Lý do", outcome: "Kết quả điều trị", overrideReason: "Lý do kết thúc trước hạn (nếu có)",
    certificate: "Giấy xác nhận hoàn thành cách ly", print: "In giấy xác nhận", consent: "Đã có giấy đồng ý",
    package: "Gói", saved: "Đã lưu.", RAPID_ANTIGEN: "Test nhanh", PCR: "PCR", POSITIVE: "Dương tính", NEGATIVE: "Âm tính",
    INVALID: "Không hợp lệ", STAFF: "Nhân viên y tế", SELF_SUPERVISED: "Tự làm có giám sát", SELF: "Tự làm",
    ACTIVE: "Đang dùng", STOPPED: "Đã ngừng", REQUESTED: "Đã đề nghị", COMPLETED: "Hoàn tất", CANCELLED: "Đã hủy",
    temperature: "Nhiệt độ", pulse: "Mạch", respiratoryRate: "Nhịp thở", followUp: "Cần hỏi tác dụng phụ molnupiravir",
    contacts: "F1 (tiếp xúc gần)", dueForTest: "Đến ngày xét nghiệm", unchecked: "48 giờ chưa theo dõi",
    UNDER_FOLLOW_UP: "Đang theo dõi", LOST_TO_FOLLOW_UP: "Mất dấu", BECAME_CASE: "Đã thành F0",
    lastExposure: "Tiếp xúc lần cuối", quarantineUntil: "Cách ly đến", followUps: "Theo dõi hằng ngày",
    recordCheck: "Ghi nhận theo dõi hôm nay", symptoms: "Triệu chứng", addContact: "Thêm F1",
    relation: "Quan hệ", communeCode: "Mã xã/phường nơi ở", HOUSEHOLD: "Hộ gia đình", WORKPLACE: "Nơi làm việc",
    SCHOOL: "Trường học", SOCIAL: "Xã hội", TRAVEL: "Đi lại", OTHER: "Khác", sourceCase: "Ca nguồn",
    testDay: "ngày xét nghiệm", checked: "đã theo dõi", tested: "đã xét nghiệm", alreadyPatient: "Đã là F0",
    COUGH: "Ho", FATIGUE: "Mệt mỏi", SORE_THROAT: "Đau họng", LOSS_OF_TASTE_OR_SMELL: "Mất vị giác/khứu giác",
    SHORTNESS_OF_BREATH: "Khó thở", chain: "Chuỗi lây nhiễm", hiddenNodes: "ngoài phạm vi của bạn",
    symptomatic: "Có triệu chứng, chưa xét nghiệm", addContactOfContact: "Thêm người tiếp xúc của F1 này (F2)",
    sourceContact: "F1 nguồn", markLost: "Đánh dấu mất dấu (48 giờ không liên lạc được)", issueLinkCode: "Cấp mã liên kết ứng dụng",
    linkCodeHint: "Đọc mã này cho người tiếp xúc để liên kết ứng dụng; dùng một lần, hết hạn lúc",
    unconfirmed: "Người bệnh tự khai, chưa xác nhận", confirm: "Xác nhận",
  },
  en: {
    language: "Language", signIn: "Sign in", signOut: "Sign out", username: "Username", password: "Password",
    rehoming: "Rehoming", rehomingHelp: "Records whose new commune is not known for certain after the move to the new administrative map (their commune was split, or is not in the conversion table). Choose the commune and say why.",
    record: "Record", oldCommune: "Old commune", rehomingReason: "Why it waits", newCommune: "New commune", reassign: "Move", nothingWaiting: "Nothing is waiting.",
    PATIENT: "Patient", CONTACT: "Contact", DECLARATION: "Declaration", FACILITY: "Facility", USER: "Account",
    SPLIT: "Commune split", UNMAPPED: "Not in the conversion table",
    admin: "Administration", accounts: "Accounts", newAccount: "New account", displayName: "Display name",
    role: "Role", areaCode: "Area code", facilityId: "Facility id", accountOn: "Active", accountOff: "Switched off",
    oneTimePassword: "One-time password (shown only now: hand it over in person)", deactivate: "Switch off",
    reactivate: "Switch on", resetPassword: "Reset password", auditLog: "Audit log", actor: "Actor",
    action: "Action", entityId: "Record id", organisation: "Organisation", search2: "Search", changePassword: "Change password",
    oldPassword: "Current password", newPassword: "New password (10 characters or more)", mustChange: "You signed in with a one-time password: choose your own.",
    all: "All", LOCAL_OFFICIAL: "Local official", HEALTH_STAFF: "Health staff", HOSPITAL_STAFF: "Hospital staff",
    SCREENING_STAFF: "Screening staff", MANAGER: "Manager", ANALYST: "Analyst", ADMIN: "Administrator",
    exportCsv: "Export the list (CSV)", exportXlsx: "Export the list (Excel)", exported: "Exported",
    facilitiesAndBeds: "Facilities and beds", newFacility: "New facility", kind: "Kind", reportBeds: "Report beds",
    capacity: "Beds", outside: "Beds taken by other patients", f0care: "F0 patients in treatment",
    COMMUNE_HEALTH_STATION: "Commune health station", DISTRICT_HOSPITAL: "District hospital", FIELD_HOSPITAL: "Field hospital",
    PROVINCIAL_HOSPITAL: "Provincial hospital", SCREENING_HOSPITAL: "Screening hospital",
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
    MISSED_REPORT: "Missed report", SYMPTOMATIC_CONTACT: "Contact with symptoms",
    from: "From", to: "To", apply: "Show", myArea: "Back to my area", occupancy: "Bed occupancy by tier",
    inFacility: "In treatment", beds: "Beds", funnel: "Declarations in the window", PENDING: "Pending",
    VERIFIED: "Verified", REJECTED: "Rejected", DUPLICATE: "Duplicate", reviewHours: "Time to review (hours, median)",
    responseMinutes: "Time to acknowledge alerts (minutes, median)", releasesDue: "Release due",
    search: "Search by name or phone", releaseDue: "Release due", byUrgency: "Most urgent first",
    isolation: "Isolation", day: "Day", of: "of", releaseIsDue: "Release is due",
    releaseFrom: "Earliest", needsTest: "needs a negative rapid test from day 7", tests: "Tests", kind: "Kind",
    result: "Result", supervision: "Taken by", medications: "Medication", drug: "Drug", dose: "Dose", frequency: "Frequency",
    days: "Days", startOn: "Start", vaccinations: "Vaccination", comorbidities: "Comorbidities", transfers: "Transfers",
    notes: "Treatment notes", openAlertsOf: "Open alerts", none: "None",
    recordReport: "Record a health report for the patient", recordTest: "Record a test result", prescribe: "Prescribe",
    requestTransfer: "Request a transfer", addNote: "Add a note", discharge: "Discharge", save: "Save",
    toTier: "To tier", reason: "Reason", outcome: "Outcome", overrideReason: "Reason to discharge before release is due (if any)",
    certificate: "Recovery certificate", print: "Print the certificate", consent: "Signed consent on file",
    package: "Package", saved: "Saved.", RAPID_ANTIGEN: "Rapid test", PCR: "PCR", POSITIVE: "Positive", NEGATIVE: "Negative",
    INVALID: "Invalid", STAFF: "Health worker", SELF_SUPERVISED: "Self, supervised", SELF: "Self",
    ACTIVE: "Active", STOPPED: "Stopped", REQUESTED: "Requested", COMPLETED: "Completed", CANCELLED: "Cancelled",
    temperature: "Temperature", pulse: "Pulse", respiratoryRate: "Respiratory rate", followUp: "Ask about molnupiravir side effects",
    contacts: "Close contacts (F1)", dueForTest: "Test due", unchecked: "No check for 48 h",
    UNDER_FOLLOW_UP: "Under follow-up", LOST_TO_FOLLOW_UP: "Lost to follow-up", BECAME_CASE: "Became a case",
    lastExposure: "Last exposure", quarantineUntil: "Quarantine until", followUps: "Daily follow-up",
    recordCheck: "Record today's check", symptoms: "Symptoms", addContact: "Add a close contact",
    relation: "Relation", communeCode: "Commune code of residence", HOUSEHOLD: "Household", WORKPLACE: "Workplace",
    SCHOOL: "School", SOCIAL: "Social", TRAVEL: "Travel", OTHER: "Other", sourceCase: "Source case",
    testDay: "test day", checked: "checked", tested: "tested", alreadyPatient: "Already a case",
    COUGH: "Cough", FATIGUE: "Fatigue", SORE_THROAT: "Sore throat", LOSS_OF_TASTE_OR_SMELL: "Loss of taste or smell",
    SHORTNESS_OF_BREATH: "Shortness of breath", chain: "Transmission chain", hiddenNodes: "outside your scope",
    symptomatic: "Symptoms, not tested yet", addContactOfContact: "Add a contact of this contact (F2)",
    sourceContact: "Source contact", markLost: "Mark lost to follow-up (no contact for 48 h)", issueLinkCode: "Issue an app link code",
    linkCodeHint: "Read this code to the contact to link their app; it works once and expires at",
    unconfirmed: "Declared by the case, not confirmed yet", confirm: "Confirm",
  },
};

const state = { token: null, expiresAt: null, me: null, lang: localStorage.getItem("f0care.lang") || "vi" };
const live = [];
window.__f0care = { live }; // the open subscriptions, for tests and debugging
let expiryTimer = null;
let audio = null;

const $ = (selector) => document.querySelector(selector);
const num = (n) => (n == null ? "—" : new Intl.NumberFormat(state.lang === "vi" ? "vi-VN" : "en-GB").format(n));
const STAFF = ["HEALTH_STAFF", "HOSPITAL_STAFF"];
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

async function post(query, variables) {
  const headers = { "Content-Type": "application/json", "Accept-Language": state.lang };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  if (response.status === 401) throw expire();
  const body = await response.json();
  if (body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED") && state.token) throw expire();
  return body;
}

// a read: the data, with the fields the role may not read left null
async function gql(query, variables = {}) {
  const body = await post(query, variables);
  if (body.errors && !body.data) throw new Error(body.errors[0].message);
  return body.data;
}

// an action: any error refuses it, with every message (the field and the rule)
async function must(query, variables) {
  const body = await post(query, variables);
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
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
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${state.token}`, acceptLanguage: state.lang } }));
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

const ME = "{ me { subject role area { code name level } facility { name } allowedOperations } }";

async function signIn(event) {
  event.preventDefault();
  audio ??= new AudioContext(); // made on a user gesture, so the alert cue may play later
  const form = new FormData(event.target);
  $("#signin-error").textContent = "";
  try {
    const data = await gql(
      "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken expiresAt mustChangePassword } }",
      { u: form.get("username"), p: form.get("password") },
    );
    remember(data.login.accessToken, data.login.expiresAt);
    if (data.login.mustChangePassword) { askNewPassword(form.get("password")); return; }
    await start();
  } catch (error) {
    $("#signin-error").textContent = /password|username|RATE/i.test(error.message) ? t("badLogin") : error.message;
  }
}

// a one-time password signs in only to choose one's own
function askNewPassword(oldPassword) {
  const problem = el("p", { class: "error", role: "alert" });
  const form = el("form", { id: "password-form", onsubmit: async (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    try {
      const data = await must("mutation($o: String!, $n: String!) { changePassword(old: $o, new: $n) { accessToken expiresAt } }",
        { o: oldPassword, n: f.get("new") });
      remember(data.changePassword.accessToken, data.changePassword.expiresAt);
      $("#signin-form").hidden = false;
      form.remove();
      await start();
    } catch (error) {
      if (!(error instanceof Expired)) problem.textContent = error.message;
    }
  } }, el("p", {}, t("mustChange")),
  field("newPassword", el("input", { name: "new", type: "password", autocomplete: "new-password", minlength: 10, required: true })),
  el("button", { type: "submit" }, t("changePassword")), problem);
  $("#signin-form").hidden = true;
  $("#signin").append(form);
  form.querySelector("input").focus();
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
  for (const id of ["#alerts", "#statistics", "#patients", "#contacts", "#rehoming", "#admin", "#tabs", "#signout"]) $(id).hidden = true;
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
    ["contacts", allowed.has("Query.contacts"), showContacts],
    ["rehoming", allowed.has("Query.rehomingQueue") && state.me.area?.level === "PROVINCE", showRehoming],
    ["admin", allowed.has("Query.users"), showAdmin],
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
  for (const section of ["alerts", "statistics", "patients", "contacts", "rehoming", "admin"]) $(`#${section}`).hidden = section !== id;
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
  // a click on the card (not on its buttons) opens the patient
  const openIt = (event) => { if (!event.target.closest("button") && can(["LOCAL_OFFICIAL", ...STAFF])) { show("patients"); openPatient(p.id); } };
  return el("li", { class: `card sev-${alert.severity}${fresh ? " new" : ""}`, id: `alert-${alert.id}`, "data-status": alert.status, onclick: openIt },
    el("div", {}, el("span", { class: `badge ${alert.severity}` }, t(alert.severity)), " ",
      el("strong", {}, `${t(alert.kind)} · ${p.caseCode}`), " ", el("span", { class: "muted" }, `${t(alert.status)} · ${when(alert.raisedAt)}`)),
    el("div", { class: "alert-message" }, alert.message), // in the console's language (Accept-Language)
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

const STATS_FIELDS = `area { code name level } activePatients openAlerts releasesDue reportCompliance byStatus { status count }
  byTier { tier count } daily { date newCases recovered } breakdown { area { code name level } activePatients newCases }
  occupancy { tier patients beds } alertResponse { acknowledged medianMinutes p90Minutes }
  declarationFunnel { pending verified rejected duplicate medianHoursToReview }`;
const stats = { area: null, from: null, to: null };

async function showStatistics() {
  $("#stats-range").onsubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    Object.assign(stats, { from: form.get("from") || null, to: form.get("to") || null });
    loadStatistics().catch(report);
  };
  $("#stats-home").onclick = () => { stats.area = null; loadStatistics().catch(report); };
  await loadStatistics();
  // live figures for the caller's own area and the default window
  live.push(new Live(`subscription { statisticsUpdates { ${STATS_FIELDS} } }`, () => ({}),
    (data) => { if (!stats.area && !stats.from && !stats.to) renderStatistics(data.statisticsUpdates); }));
}

async function loadStatistics() {
  const data = await gql(
    `query($a: ID, $from: Date, $to: Date) { statistics(areaCode: $a, from: $from, to: $to) { ${STATS_FIELDS} } }`,
    { a: stats.area, from: stats.from, to: stats.to },
  );
  renderStatistics(data.statistics);
}

function renderStatistics(s) {
  $("#stats-area").textContent = `· ${s.area.name}`;
  $("#stats-home").hidden = !stats.area;
  const share = s.reportCompliance == null ? "—" : `${Math.round(s.reportCompliance * 100)} %`;
  const minutes = s.alertResponse.medianMinutes == null ? "—" : num(Math.round(s.alertResponse.medianMinutes));
  $("#kpis").replaceChildren(
    ...[["active", num(s.activePatients)], ["openAlerts", num(s.openAlerts)], ["releasesDue", num(s.releasesDue)],
      ["compliance", share], ["responseMinutes", minutes]]
      .map(([key, value]) => el("div", { class: "kpi" }, el("b", {}, value), t(key))),
  );
  $("#chart").replaceChildren(chart(s.daily));
  const rows = (items, label) => items.map((item) => el("tr", {}, el("td", {}, label(item)), el("td", { class: "num" }, num(item.count))));
  $("#by-status tbody").replaceChildren(...rows(s.byStatus, (i) => t(i.status)));
  $("#by-tier tbody").replaceChildren(...rows(s.byTier, (i) => `${t("tier")} ${i.tier}`));
  // a district row drills down to its communes
  $("#breakdown tbody").replaceChildren(...s.breakdown.map((b) => {
    const drill = b.area.level === "COMMUNE" ? null : () => { stats.area = b.area.code; loadStatistics().catch(report); };
    return el("tr", drill ? { "data-area": b.area.code, tabindex: 0, onclick: drill, onkeydown: (e) => e.key === "Enter" && drill() } : {},
      el("td", {}, b.area.name), el("td", { class: "num" }, num(b.activePatients)), el("td", { class: "num" }, num(b.newCases)));
  }));
  $("#occupancy tbody").replaceChildren(...s.occupancy.map((o) => el("tr", {},
    el("td", {}, `${t("tier")} ${o.tier}`), el("td", { class: "num" }, num(o.patients)), el("td", { class: "num" }, num(o.beds)))));
  const f = s.declarationFunnel;
  const hours = f.medianHoursToReview == null ? "—" : num(Math.round(f.medianHoursToReview * 10) / 10);
  $("#funnel tbody").replaceChildren(...[["PENDING", num(f.pending)], ["VERIFIED", num(f.verified)],
    ["REJECTED", num(f.rejected)], ["DUPLICATE", num(f.duplicate)], ["reviewHours", hours]]
    .map(([key, value]) => el("tr", {}, el("td", {}, t(key)), el("td", { class: "num" }, value))));
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
  add("text", { x: 2, y: pad, "font-size": 11 }, num(top));
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
const URGENCY = { CRITICAL: 0, SEVERE: 1, MODERATE: 2, MILD: 3 };
let drugs = null;
let current = null; // the patient open in the detail pane

function showPatients() {
  const filters = $("#filters");
  const fill = (name, values) => filters.elements[name].replaceChildren(el("option", { value: "" }, "—"),
    ...values.map((v) => el("option", { value: v }, t(v))));
  fill("status", STATUSES);
  fill("severity", SEVERITIES);
  $("#search-box").hidden = !can(PERSONAL); // the search reads personal data
  $("#exports").hidden = !state.me.allowedOperations.includes("Mutation.exportPatients");
  $("#export-csv").onclick = () => exportPatients("CSV");
  $("#export-xlsx").onclick = () => exportPatients("XLSX");
  let typing = null;
  const reload = () => { Object.assign(pages, { cursors: [null], index: 0 }); loadPatients().catch(report); };
  filters.onchange = reload;
  filters.elements.search.oninput = () => { clearTimeout(typing); typing = setTimeout(reload, 300); };
  filters.onsubmit = (event) => { event.preventDefault(); reload(); };
  $("#next").onclick = () => { pages.index += 1; loadPatients().catch(report); };
  $("#prev").onclick = () => { pages.index = Math.max(0, pages.index - 1); loadPatients().catch(report); };
  loadPatients().catch(report);
}

function overdue(p) {
  return p.status === "HOME_TREATMENT" && (!p.lastReportAt || Date.now() - new Date(p.lastReportAt) > 24 * 3600e3);
}

// the patient list's filter as the form says it
function patientFilter() {
  const form = new FormData($("#filters"));
  const filter = {};
  if (form.get("status")) filter.status = [form.get("status")];
  if (form.get("severity")) filter.severity = [form.get("severity")];
  if (form.get("overdue")) filter.reportOverdue = true;
  if (form.get("releaseDue")) filter.releaseDue = true;
  const term = (form.get("search") || "").trim();
  if (term.length >= 2 && can(PERSONAL)) filter.search = term;
  return filter;
}

// the line list of the current filter, downloaded with this session's token
async function exportPatients(format) {
  $("#export-state").textContent = "";
  try {
    const data = await must("mutation($f: PatientFilter, $x: ExportFormat!) { exportPatients(filter: $f, format: $x) { url rows } }",
      { f: patientFilter(), x: format });
    const response = await fetch(data.exportPatients.url, { headers: { Authorization: `Bearer ${state.token}` } });
    if (!response.ok) throw new Error((await response.json()).errors?.[0]?.message ?? response.statusText);
    const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? `f0care.${format.toLowerCase()}`;
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    $("#export-state").textContent = `${t("exported")}: ${num(data.exportPatients.rows)}`;
  } catch (error) {
    if (!(error instanceof Expired)) $("#export-state").textContent = error.message;
  }
}

async function loadPatients() {
  const form = new FormData($("#filters"));
  const filter = patientFilter();
  const urgent = Boolean(form.get("urgent"));
  const personal = can(PERSONAL);
  const data = await gql(
    `query($f: PatientFilter, $after: String, $first: Int, $personal: Boolean!) { patients(filter: $f, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id caseCode fullName @include(if: $personal) status severity tier lastReportAt homeCommune { name } } } } }`,
    { f: filter, after: pages.cursors[pages.index], personal, first: urgent ? 100 : 20 },
  );
  const { edges, pageInfo, totalCount } = data.patients;
  pages.cursors[pages.index + 1] = pageInfo.endCursor;
  $("#patients-count").textContent = `${t("total")}: ${num(totalCount)}`;
  let rows = edges.map((e) => e.node);
  // most urgent first (on the page shown): severity, then an overdue report
  if (urgent) rows = rows.sort((a, b) => (URGENCY[a.severity] ?? 4) - (URGENCY[b.severity] ?? 4) || overdue(b) - overdue(a));
  const columns = ["caseCode", ...(personal ? ["name"] : []), "status", "severity", "tier", "lastReport", "commune"];
  $("#patient-table thead").replaceChildren(el("tr", {}, columns.map((c) => el("th", { class: c === "commune" ? "hide-narrow" : null }, t(c)))));
  $("#patient-table tbody").replaceChildren(...rows.map((p) => {
    const open = () => openPatient(p.id);
    return el("tr", { tabindex: 0, "data-id": p.id, onclick: open, onkeydown: (e) => e.key === "Enter" && open() },
      el("td", {}, p.caseCode), personal ? el("td", {}, p.fullName ?? "") : null, el("td", {}, t(p.status)),
      el("td", {}, p.severity ? el("span", { class: `badge ${p.severity}` }, t(p.severity)) : "—"),
      el("td", {}, p.tier), el("td", { class: overdue(p) ? "error" : null }, when(p.lastReportAt)),
      el("td", { class: "hide-narrow" }, p.homeCommune.name));
  }));
  $("#prev").disabled = pages.index === 0;
  $("#next").disabled = !pageInfo.hasNextPage;
}

const DETAIL = `id caseCode fullName @include(if: $personal) phone @include(if: $personal) address @include(if: $personal)
  status severity tier confirmedAt lastReportAt homeCommune { code name parent { name } } facility { name }
  openAlerts { id kind severity message raisedAt }
  transfers { id status fromTier toTier requestedAt toFacility { name } }
  clinicalNotes @include(if: $staff) { text author createdAt }
  isolation @include(if: $clinical) { dayNumber startedOn earliestReleaseOn releaseDue requiredTest }
  testResults @include(if: $clinical) { id kind result supervision takenAt confirmedBy }
  medications @include(if: $clinical) { id drug { name strength } package dose frequency days startOn endOn status selfStarted }
  vaccinations @include(if: $clinical) { vaccine doseNumber givenOn }
  comorbidities @include(if: $clinical) { name }
  adverseEventFollowUp @include(if: $clinical)
  certificate @include(if: $staff) { number verificationCode }
  transmissionChain(depth: 3) @include(if: $epi) { hidden nodes { key kind label status generation } edges { from to } }
  healthReports(first: 10) @include(if: $clinical) { edges { node { reportedAt spo2 temperature respiratoryRate severity } } }`;

async function openPatient(id) {
  const data = await gql(
    `query($id: ID!, $personal: Boolean!, $clinical: Boolean!, $staff: Boolean!, $epi: Boolean!) { patient(id: $id) { ${DETAIL} } }`,
    { id, personal: can(PERSONAL), clinical: can(CLINICAL), staff: can(STAFF), epi: can(["LOCAL_OFFICIAL", "HEALTH_STAFF"]) },
  );
  current = data.patient;
  renderPatient();
}

function table(caption, head, rows) {
  return el("table", {}, el("caption", {}, caption), el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: head.length, class: "muted" }, t("none")))));
}

function renderPatient() {
  const p = current;
  const pane = $("#patient-detail");
  if (!p) { pane.hidden = true; return; }
  const line = (key, value) => (value == null ? null : el("div", {}, el("span", { class: "muted" }, `${t(key)}: `), value));
  const iso = p.isolation;
  const release = iso == null ? null : el("div", { id: "isolation" },
    el("strong", {}, `${t("isolation")}: ${t("day")} ${iso.dayNumber} ${t("of")} 7`), " ",
    iso.releaseDue ? el("span", { class: "release" }, t("releaseIsDue"))
      : el("span", { class: "release pending" }, `${t("releaseFrom")} ${when(`${iso.earliestReleaseOn}T12:00:00+07:00`, false)}${iso.requiredTest ? ` · ${t("needsTest")}` : ""}`));
  const reports = p.healthReports?.edges ?? [];
  const active = ["HOME_TREATMENT", "IN_FACILITY"].includes(p.status);
  // absent parts (fields the role may not read) are left out: replaceChildren writes "null"
  pane.replaceChildren(...[
    el("h2", {}, `${p.caseCode}${p.fullName ? ` · ${p.fullName}` : ""}`),
    line("status", `${t(p.status)} · ${t("tier")} ${p.tier}`), line("severity", p.severity && t(p.severity)),
    line("phone", p.phone), line("address", p.address),
    line("commune", `${p.homeCommune.name}, ${p.homeCommune.parent?.name ?? ""}`),
    line("facility", p.facility?.name ?? t("home")), line("confirmed", when(p.confirmedAt)),
    release,
    p.adverseEventFollowUp ? el("div", { class: "error" }, t("followUp")) : null,
    p.certificate ? el("p", {}, el("a", { id: "certificate-link", target: "_blank", rel: "noopener",
      href: `/certificates/${encodeURIComponent(p.certificate.number)}?code=${encodeURIComponent(p.certificate.verificationCode)}` },
    `${t("print")} · ${p.certificate.number}`)) : null,
    p.transmissionChain && p.transmissionChain.nodes.length > 1 ? chainPicture(p.transmissionChain) : null,
    p.openAlerts.length ? table(t("openAlertsOf"), [t("time"), t("kind"), t("severity")],
      p.openAlerts.map((a) => el("tr", {}, el("td", {}, when(a.raisedAt)), el("td", {}, t(a.kind)), el("td", {}, t(a.severity))))) : null,
    p.testResults ? table(t("tests"), [t("time"), t("kind"), t("result"), t("supervision")],
      p.testResults.map((r) => el("tr", {}, el("td", {}, when(r.takenAt)), el("td", {}, t(r.kind)), el("td", {}, t(r.result)),
        el("td", {}, `${t(r.supervision)}${r.supervision === "SELF" && !r.confirmedBy ? " ?" : ""}`)))) : null,
    p.medications ? table(t("medications"), [t("drug"), t("dose"), t("startOn"), t("status")],
      p.medications.map((m) => el("tr", {}, el("td", {}, `${m.drug.name} ${m.drug.strength}${m.package ? ` (${t("package")} ${m.package})` : ""}`),
        el("td", {}, `${m.dose} · ${m.frequency} · ${m.days} ${t("days").toLowerCase()}`),
        el("td", {}, `${when(`${m.startOn}T12:00:00+07:00`, false)} – ${when(`${m.endOn}T12:00:00+07:00`, false)}`), el("td", {}, t(m.status))))) : null,
    p.vaccinations ? line("vaccinations", p.vaccinations.length
      ? p.vaccinations.map((v) => `${v.doseNumber}: ${v.vaccine}${v.givenOn ? ` (${when(`${v.givenOn}T12:00:00+07:00`, false)})` : ""}`).join("; ") : t("none")) : null,
    p.comorbidities ? line("comorbidities", p.comorbidities.length ? p.comorbidities.map((c) => c.name).join(", ") : t("none")) : null,
    table(t("transfers"), [t("time"), t("tier"), t("status")],
      p.transfers.map((x) => el("tr", {}, el("td", {}, when(x.requestedAt)), el("td", {}, `${x.fromTier} → ${x.toTier}${x.toFacility ? ` · ${x.toFacility.name}` : ""}`), el("td", {}, t(x.status))))),
    p.clinicalNotes ? table(t("notes"), [t("time"), t("notes")],
      p.clinicalNotes.map((n) => el("tr", {}, el("td", {}, when(n.createdAt)), el("td", {}, `${n.text} — ${n.author}`)))) : null,
    reports.length ? table(t("reports"), [t("time"), "SpO2", "°C", "RR", t("severity")],
      reports.map(({ node: r }) => el("tr", {}, el("td", {}, when(r.reportedAt)), el("td", {}, r.spo2 ?? "—"),
        el("td", {}, r.temperature ?? "—"), el("td", {}, r.respiratoryRate ?? "—"), el("td", {}, t(r.severity))))) : null,
    can(STAFF) && active ? actions(p) : null,
    can(["LOCAL_OFFICIAL", "HEALTH_STAFF"]) && active
      ? contactForm("contact-form", t("addContact"), p.homeCommune.code, "addContacts", p.id) : null,
    el("button", { type: "button", onclick: () => { pane.hidden = true; } }, t("close")),
  ].filter((part) => part != null));
  pane.hidden = false;
  pane.focus();
}

// the chain as columns of generations: cases as circles, contacts as squares
function chainPicture(chain) {
  const ns = "http://www.w3.org/2000/svg";
  const generations = [...new Set(chain.nodes.map((n) => n.generation))].sort((a, b) => a - b);
  const columns = generations.map((g) => chain.nodes.filter((n) => n.generation === g));
  const [colW, rowH, pad] = [230, 52, 24];
  const height = pad * 2 + rowH * Math.max(...columns.map((c) => c.length));
  const width = pad * 2 + colW * columns.length;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("chain"));
  svg.id = "chain";
  const at = {};
  columns.forEach((column, x) => column.forEach((n, y) => { at[n.key] = [pad + colW * x + 20, pad + rowH * y + 18]; }));
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    svg.append(node);
    return node;
  };
  chain.edges.forEach((e) => {
    const [[x1, y1], [x2, y2]] = [at[e.from], at[e.to]];
    add("line", { x1, y1, x2, y2, stroke: "#9aa5b1", "stroke-width": 1.5 });
  });
  chain.nodes.forEach((n) => {
    const [x, y] = at[n.key];
    const shape = n.kind === "CASE"
      ? add("circle", { cx: x, cy: y, r: 9, fill: "#c62828" })
      : add("rect", { x: x - 8, y: y - 8, width: 16, height: 16, fill: "#0b5cad" });
    shape.setAttribute("data-key", n.key);
    add("text", { x: x + 14, y: y, "font-size": 12 }, n.label);
    add("text", { x: x + 14, y: y + 14, "font-size": 10, fill: "#5b6573" }, t(n.status));
  });
  const caption = chain.hidden ? `${t("chain")} · ${t("hiddenNodes")}: ${num(chain.hidden)}` : t("chain");
  return el("figure", {}, svg, el("figcaption", {}, caption));
}

function field(key, control) {
  return el("label", {}, el("span", {}, t(key)), control);
}

function choose(name, values, label = (v) => t(v)) {
  return el("select", { name }, values.map((v) => el("option", { value: v }, label(v))));
}

// one form per action: on success the record is read again (`done`, by default the open
// patient's, saying so); errors are shown in the form
async function patientSaved() {
  await openPatient(current.id);
  $("#patient-detail").prepend(el("p", { class: "muted", role: "status" }, t("saved")));
}

function action(id, title, controls, submit, done = patientSaved) {
  const problem = el("p", { class: "error", role: "alert" });
  const form = el("form", { id, onsubmit: async (event) => {
    event.preventDefault();
    problem.textContent = "";
    try {
      await submit(new FormData(event.target));
      await done();
    } catch (error) {
      if (!(error instanceof Expired)) problem.textContent = error.message;
    }
  } }, controls, el("button", { type: "submit" }, t("save")), problem);
  return el("details", {}, el("summary", {}, title), form);
}

function key() {
  // a retry of the same submission is not made by the console; a fresh key per submission
  return crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function actions(p) {
  const now = () => new Date().toISOString();
  const number = (name, min, max, step = 1) => el("input", { type: "number", name, min, max, step });
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());
  const int = (form, name) => (form.get(name) === "" || form.get(name) == null ? null : Number(form.get(name)));
  const drugOptions = el("select", { name: "drug" });
  if (drugs) drugOptions.replaceChildren(...drugs.map((d) => el("option", { value: d.code }, `${d.name} ${d.strength}`)));
  else gql("{ drugs { code name strength } }").then((data) => {
    drugs = data.drugs;
    drugOptions.replaceChildren(...drugs.map((d) => el("option", { value: d.code }, `${d.name} ${d.strength}`)));
  }).catch(report);
  const outcomes = can(["HEALTH_STAFF"]) ? [field("overrideReason", el("input", { name: "override" }))] : [];
  return el("div", { id: "actions" },
    action("report-form", t("recordReport"),
      [field("SpO2", number("spo2", 50, 100)), field("temperature", number("temperature", 34, 43, 0.1)),
        field("pulse", number("pulse", 30, 220)), field("respiratoryRate", number("respiratoryRate", 5, 80))],
      (f) => must(`mutation($i: HealthReportInput!) { submitHealthReport(input: $i) { id } }`, { i: {
        idempotencyKey: key(), patientId: p.id, spo2: int(f, "spo2"), temperature: int(f, "temperature"),
        pulse: int(f, "pulse"), respiratoryRate: int(f, "respiratoryRate") } })),
    action("test-form", t("recordTest"),
      [field("kind", choose("kind", ["RAPID_ANTIGEN", "PCR"])), field("result", choose("result", ["NEGATIVE", "POSITIVE", "INVALID"])),
        field("supervision", choose("supervision", ["STAFF", "SELF_SUPERVISED"]))],
      (f) => must(`mutation($i: TestResultInput!) { recordTestResult(input: $i) { id } }`, { i: {
        idempotencyKey: key(), patientId: p.id, kind: f.get("kind"), result: f.get("result"),
        supervision: f.get("supervision"), takenAt: now() } })),
    action("prescribe-form", t("prescribe"),
      [field("drug", drugOptions), field("package", choose("package", ["", "A", "B", "C"], (v) => v || "—")),
        field("dose", el("input", { name: "dose", required: true })), field("frequency", el("input", { name: "frequency", required: true })),
        field("days", number("days", 1, 30)), field("startOn", el("input", { type: "date", name: "startOn", value: today })),
        el("label", {}, el("input", { type: "checkbox", name: "consent" }), " ", t("consent"))],
      (f) => must(`mutation($i: MedicationInput!) { prescribeMedication(input: $i) { id } }`, { i: {
        idempotencyKey: key(), patientId: p.id, drugCode: f.get("drug"), package: f.get("package") || null,
        dose: f.get("dose"), frequency: f.get("frequency"), days: int(f, "days") ?? 1, startOn: f.get("startOn"),
        consentRecorded: Boolean(f.get("consent")) } })),
    action("transfer-form", t("requestTransfer"),
      [field("toTier", choose("toTier", ["2", "3", "1"], (v) => `${t("tier")} ${v}`)), field("reason", el("input", { name: "reason", required: true }))],
      (f) => must(`mutation($i: TransferRequestInput!) { requestTransfer(input: $i) { id } }`, { i: {
        patientId: p.id, toTier: Number(f.get("toTier")), reason: f.get("reason") } })),
    action("note-form", t("addNote"), [field("notes", el("textarea", { name: "text", required: true, rows: 2, cols: 40 }))],
      (f) => must(`mutation($id: ID!, $text: String!) { addClinicalNote(patientId: $id, text: $text) { id } }`, { id: p.id, text: f.get("text") })),
    action("discharge-form", t("discharge"),
      [field("outcome", choose("outcome", ["RECOVERED", "DECEASED", "MOVED_AWAY"])), ...outcomes],
      (f) => must(`mutation($id: ID!, $i: DischargeInput!) { dischargePatient(id: $id, input: $i) { id } }`, { id: p.id, i: {
        outcome: f.get("outcome"), ...(f.get("override") ? { override: { reason: f.get("override") } } : {}) } })),
  );
}

// --- rehoming queue (after a move to the new map) --------------------------------------

function showRehoming() {
  loadRehoming().catch(report);
}

async function loadRehoming() {
  const personal = can(PERSONAL);
  const data = await gql(
    `query($p: ID!, $personal: Boolean!) { rehomingQueue(provinceCode: $p) { id kind entityId reason
      oldArea { name parent { name } } placedIn { code } candidates { code name }
      patient { caseCode fullName @include(if: $personal) } } }`,
    { p: state.me.area.code, personal },
  );
  const items = data.rehomingQueue;
  $("#rehoming-count").textContent = items.length ? `${t("total")}: ${num(items.length)}` : t("nothingWaiting");
  $("#rehoming-table thead").replaceChildren(el("tr", {}, ["record", "oldCommune", "rehomingReason", "newCommune"].map((c) => el("th", {}, t(c)))));
  $("#rehoming-table tbody").replaceChildren(...items.map((item) => {
    const who = item.patient ? [item.patient.caseCode, item.patient.fullName].filter(Boolean).join(" · ") : `#${item.entityId}`;
    const choice = el("select", { name: "commune", "aria-label": t("newCommune") },
      item.candidates.map((c) => el("option", { value: c.code, selected: c.code === item.placedIn?.code }, c.name)));
    const why = el("input", { name: "reason", required: true, maxlength: 500, placeholder: t("reason"), "aria-label": t("reason") });
    const problem = el("div", { class: "error", role: "alert" });
    const form = el("form", { class: "inline", onsubmit: async (event) => {
      event.preventDefault();
      problem.textContent = "";
      try {
        await must(`mutation($id: ID!, $c: ID!, $r: String!) { reassignHomeCommune(id: $id, communeCode: $c, reason: $r) { id } }`,
          { id: item.id, c: choice.value, r: why.value });
        await loadRehoming();
      } catch (error) {
        if (!(error instanceof Expired)) problem.textContent = error.message;
      }
    } }, choice, why, el("button", { type: "submit" }, t("reassign")), problem);
    return el("tr", { "data-id": item.id }, el("td", {}, `${t(item.kind)} ${who}`),
      el("td", {}, [item.oldArea?.name, item.oldArea?.parent?.name].filter(Boolean).join(", ")),
      el("td", {}, t(item.reason)), el("td", {}, form));
  }));
}

// --- close contacts -------------------------------------------------------------------

const RELATIONS = ["HOUSEHOLD", "WORKPLACE", "SCHOOL", "SOCIAL", "TRAVEL", "OTHER"];
const CHECK_SYMPTOMS = ["FATIGUE", "COUGH", "SORE_THROAT", "LOSS_OF_TASTE_OR_SMELL", "SHORTNESS_OF_BREATH"];
let currentContact = null;

// one close contact listed by a case (addContacts) or by a contact (addContactsOfContact)
function contactForm(id, title, communeCode, mutation, sourceId, done) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());
  return action(id, title,
    [field("name", el("input", { name: "fullName", required: true })), field("phone", el("input", { name: "phone" })),
      field("relation", choose("relation", RELATIONS)),
      field("lastExposure", el("input", { type: "date", name: "lastExposureOn", value: today, max: today })),
      field("communeCode", el("input", { name: "communeCode", value: communeCode, required: true, size: 6 }))],
    async (f) => {
      const source = mutation === "addContacts" ? "patientId" : "contactId";
      const data = await must(`mutation($id: ID!, $i: [ContactInput!]!) { batch: ${mutation}(${source}: $id, input: $i) {
        contacts { id } alreadyPatients { caseCode } } }`, { id: sourceId, i: [{
        idempotencyKey: key(), fullName: f.get("fullName"), phone: f.get("phone") || null, relation: f.get("relation"),
        lastExposureOn: f.get("lastExposureOn"), communeCode: f.get("communeCode") }] });
      const known = data.batch.alreadyPatients[0];
      if (known) throw new Error(`${t("alreadyPatient")}: ${known.caseCode}`);
    }, done);
}

// a one-time code that links the contact's own app, shown once where the button was
function linkCode(c) {
  const shown = el("p", { id: "link-code", role: "status" });
  const button = el("button", { type: "button", id: "issue-link-code", onclick: async () => {
    try {
      const { issueContactLinkCode: issued } = await must(
        "mutation($id: ID!) { issueContactLinkCode(id: $id) { code expiresAt } }", { id: c.id });
      shown.replaceChildren(`${t("linkCodeHint")} ${when(issued.expiresAt)}: `, el("strong", {}, issued.code));
    } catch (error) {
      if (!(error instanceof Expired)) shown.textContent = error.message;
    }
  } }, t("issueLinkCode"));
  return el("div", {}, button, shown);
}

function showContacts() {
  const filters = $("#contact-filters");
  filters.elements.status.replaceChildren(el("option", { value: "" }, "—"),
    ...["UNDER_FOLLOW_UP", "COMPLETED", "LOST_TO_FOLLOW_UP", "BECAME_CASE"].map((v) => el("option", { value: v }, t(v))));
  filters.onchange = () => loadContacts().catch(report);
  loadContacts().catch(report);
}

async function loadContacts() {
  const form = new FormData($("#contact-filters"));
  const filter = {};
  if (form.get("status")) filter.status = [form.get("status")];
  if (form.get("due")) filter.dueForTest = true;
  if (form.get("unchecked")) filter.unchecked = true;
  if (form.get("symptomatic")) filter.symptomatic = true;
  const personal = can(PERSONAL);
  const data = await gql(
    `query($f: ContactFilter, $personal: Boolean!) { contacts(filter: $f, first: 100) { totalCount
      edges { node { id fullName @include(if: $personal) status lastExposureOn commune { name }
        quarantine { until } } } } }`,
    { f: filter, personal },
  );
  const { edges, totalCount } = data.contacts;
  $("#contacts-count").textContent = `${t("total")}: ${num(totalCount)}`;
  const day = (d) => when(`${d}T12:00:00+07:00`, false);
  const columns = [...(personal ? ["name"] : []), "status", "lastExposure", "quarantineUntil", "commune"];
  $("#contact-table thead").replaceChildren(el("tr", {}, columns.map((c) => el("th", {}, t(c)))));
  $("#contact-table tbody").replaceChildren(...edges.map(({ node: c }) => {
    const open = () => openContact(c.id);
    return el("tr", { tabindex: 0, "data-id": c.id, onclick: open, onkeydown: (e) => e.key === "Enter" && open() },
      personal ? el("td", {}, c.fullName ?? "") : null, el("td", {}, t(c.status)), el("td", {}, day(c.lastExposureOn)),
      el("td", {}, day(c.quarantine.until)), el("td", {}, c.commune.name));
  }));
}

async function openContact(id) {
  const health = can(["LOCAL_OFFICIAL", "HEALTH_STAFF"]);
  const data = await gql(
    `query($id: ID!, $personal: Boolean!, $health: Boolean!) { contact(id: $id) { id fullName @include(if: $personal)
      phone @include(if: $personal) status relation lastExposureOn confirmedAt commune { code name } sourcePatient { caseCode }
      sourceContact { id fullName @include(if: $personal) }
      quarantine { startedOn until place }
      followUps @include(if: $health) { dayNumber on testDue checked tested symptoms }
      testResults @include(if: $health) { kind result takenAt } } }`,
    { id, personal: can(PERSONAL), health },
  );
  currentContact = data.contact;
  renderContact();
}

function renderContact() {
  const c = currentContact;
  const pane = $("#contact-detail");
  if (!c) { pane.hidden = true; return; }
  const day = (d) => when(`${d}T12:00:00+07:00`, false);
  const line = (k, v) => (v == null ? null : el("div", {}, el("span", { class: "muted" }, `${t(k)}: `), v));
  const open = c.status === "UNDER_FOLLOW_UP" || c.status === "LOST_TO_FOLLOW_UP";
  const staff = can(["LOCAL_OFFICIAL", "HEALTH_STAFF"]);
  const check = async (f) => {
    await must(`mutation($id: ID!, $i: ContactFollowUpInput!) { submitContactFollowUp(contactId: $id, input: $i) { id } }`,
      { id: c.id, i: { symptoms: f.getAll("symptoms"), note: f.get("note") || null } });
  };
  const test = async (f) => {
    await must(`mutation($i: TestResultInput!) { recordTestResult(input: $i) { id } }`, { i: {
      idempotencyKey: key(), contactId: c.id, kind: f.get("kind"), result: f.get("result"), takenAt: new Date().toISOString() } });
  };
  const contactAction = (id, title, controls, submit) => action(id, title, controls, submit, () => openContact(c.id));
  pane.replaceChildren(...[
    el("h2", {}, c.fullName ?? `#${c.id}`),
    line("status", t(c.status)), line("phone", c.phone), line("relation", t(c.relation)),
    c.confirmedAt ? null : el("p", {}, el("span", { class: "release pending" }, t("unconfirmed")), " ",
      el("button", { type: "button", id: "confirm-contact", onclick: async () => {
        await must("mutation($id: ID!) { confirmContact(id: $id) { id } }", { id: c.id });
        await openContact(c.id);
      } }, t("confirm"))),
    line("sourceCase", c.sourcePatient?.caseCode),
    c.sourceContact ? line("sourceContact", el("button", { type: "button", class: "link", id: "open-source-contact",
      onclick: () => openContact(c.sourceContact.id) }, c.sourceContact.fullName ?? `#${c.sourceContact.id}`)) : null,
    line("commune", c.commune.name),
    line("quarantineUntil", `${day(c.quarantine.until)}${c.quarantine.place ? ` · ${c.quarantine.place}` : ""}`),
    c.followUps ? table(t("followUps"), [t("day"), t("time"), ""], c.followUps.map((d) => el("tr", { "data-day": d.dayNumber },
      el("td", {}, d.dayNumber), el("td", {}, day(d.on)),
      el("td", {}, [d.testDue ? t("testDay") : null, d.checked ? t("checked") : null, d.tested ? t("tested") : null,
        ...d.symptoms.map((s) => t(s))].filter(Boolean).join(" · "))))) : null,
    c.testResults ? table(t("tests"), [t("time"), t("kind"), t("result")],
      c.testResults.map((r) => el("tr", {}, el("td", {}, when(r.takenAt)), el("td", {}, t(r.kind)), el("td", {}, t(r.result))))) : null,
    open && c.followUps ? contactAction("check-form", t("recordCheck"),
      [el("fieldset", {}, el("legend", {}, t("symptoms")), CHECK_SYMPTOMS.map((s) =>
        el("label", {}, el("input", { type: "checkbox", name: "symptoms", value: s }), " ", t(s)))),
      field("notes", el("input", { name: "note" }))], check) : null,
    open && can(["HEALTH_STAFF"]) ? contactAction("contact-test-form", t("recordTest"),
      [field("kind", choose("kind", ["RAPID_ANTIGEN", "PCR"])), field("result", choose("result", ["NEGATIVE", "POSITIVE", "INVALID"]))], test) : null,
    open && staff ? contactForm("contact-of-contact-form", t("addContactOfContact"), c.commune.code,
      "addContactsOfContact", c.id, () => openContact(c.id)) : null,
    c.status === "UNDER_FOLLOW_UP" && staff ? contactAction("lost-form", t("markLost"),
      [field("reason", el("input", { name: "reason", required: true }))],
      (f) => must(`mutation($id: ID!, $r: String!) { markContactLostToFollowUp(id: $id, reason: $r) { id } }`,
        { id: c.id, r: f.get("reason") })) : null,
    open && staff ? linkCode(c) : null,
    el("button", { type: "button", onclick: () => { pane.hidden = true; } }, t("close")),
  ].filter((part) => part != null));
  pane.hidden = false;
  pane.focus();
}

// --- administration -------------------------------------------------------------------

const STAFF_ROLES = ["HEALTH_STAFF", "LOCAL_OFFICIAL", "HOSPITAL_STAFF", "SCREENING_STAFF", "MANAGER", "ANALYST", "ADMIN"];
const USER_FIELDS = "id username displayName role active phone area { name } facility { name }";

function showAdmin() {
  const filters = $("#user-filters");
  filters.elements.role.replaceChildren(el("option", { value: "" }, t("all")), ...STAFF_ROLES.map((r) => el("option", { value: r }, t(r))));
  filters.onsubmit = (event) => { event.preventDefault(); loadUsers().catch(report); };
  filters.onchange = () => loadUsers().catch(report);
  const create = $("#user-form");
  create.elements.role.replaceChildren(...STAFF_ROLES.map((r) => el("option", { value: r }, t(r))));
  create.elements.areaCode.value = state.me.area?.code ?? "";
  create.onsubmit = async (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    const problem = $("#user-form .error");
    problem.textContent = "";
    try {
      const data = await must(`mutation($i: UserInput!) { createUser(input: $i) { oneTimePassword user { id } } }`, { i: {
        username: f.get("username"), displayName: f.get("displayName"), role: f.get("role"),
        areaCode: f.get("areaCode") || null, facilityId: f.get("facilityId") || null, phone: f.get("phone") || null } });
      issued(data.createUser.oneTimePassword);
      event.target.reset();
      await loadUsers();
    } catch (error) {
      if (!(error instanceof Expired)) problem.textContent = error.message;
    }
  };
  $("#audit-filters").onsubmit = (event) => { event.preventDefault(); loadAudit().catch(report); };
  const facility = $("#facility-form");
  facility.elements.kind.replaceChildren(...FACILITY_KINDS.map((k) => el("option", { value: k }, t(k))));
  facility.onsubmit = async (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    const problem = $("#facility-form .error");
    problem.textContent = "";
    try {
      await must("mutation($i: FacilityInput!) { createFacility(input: $i) { id } }", { i: {
        name: f.get("name"), kind: f.get("kind"), tier: Number(f.get("tier")), areaCode: f.get("areaCode") } });
      event.target.reset();
      await loadFacilities();
    } catch (error) {
      if (!(error instanceof Expired)) problem.textContent = error.message;
    }
  };
  loadUsers().catch(report);
  loadAudit().catch(report);
  loadFacilities().catch(report);
}

const FACILITY_KINDS = ["FIELD_HOSPITAL", "DISTRICT_HOSPITAL", "PROVINCIAL_HOSPITAL", "COMMUNE_HEALTH_STATION", "SCREENING_HOSPITAL"];

async function loadFacilities() {
  const data = await gql(`query($a: ID) { facilities(areaCode: $a) { id name kind tier active bedCapacity
    bedsOccupiedOutsideF0care occupancy area { name } } }`, { a: state.me.area?.code ?? null });
  $("#facility-table thead").replaceChildren(el("tr", {}, ["name", "kind", "tier", "commune", "capacity", "outside", "f0care", ""].map((c) => el("th", {}, c ? t(c) : ""))));
  $("#facility-table tbody").replaceChildren(...data.facilities.map((f) => {
    const capacity = el("input", { name: "capacity", type: "number", min: 0, size: 5, "aria-label": t("capacity"), value: f.bedCapacity ?? "" });
    const outside = el("input", { name: "outside", type: "number", min: 0, size: 5, "aria-label": t("outside"), value: f.bedsOccupiedOutsideF0care ?? 0 });
    const problem = el("span", { class: "error", role: "alert" });
    const send = el("button", { type: "button", class: "report-beds", onclick: async () => {
      problem.textContent = "";
      try {
        await must("mutation($id: ID!, $c: Int!, $o: Int!) { reportBeds(facilityId: $id, input: {capacity: $c, occupiedOutsideF0care: $o}) { id } }",
          { id: f.id, c: Number(capacity.value), o: Number(outside.value) });
        await loadFacilities();
      } catch (error) {
        if (!(error instanceof Expired)) problem.textContent = error.message;
      }
    } }, t("reportBeds"));
    return el("tr", { "data-id": f.id }, el("td", {}, f.name), el("td", {}, t(f.kind)), el("td", {}, f.tier),
      el("td", {}, f.area.name), el("td", {}, num(f.bedCapacity)), el("td", {}, num(f.bedsOccupiedOutsideF0care)),
      el("td", {}, num(f.occupancy)), el("td", {}, capacity, outside, send, problem));
  }));
}

function issued(password) {
  $("#issued-password").replaceChildren(`${t("oneTimePassword")}: `, el("strong", {}, password));
}

async function loadUsers() {
  const form = new FormData($("#user-filters"));
  const filter = {};
  if (form.get("search")) filter.search = form.get("search");
  if (form.get("role")) filter.role = form.get("role");
  if (form.get("active")) filter.active = form.get("active") === "true";
  const data = await gql(`query($f: UserFilter) { users(filter: $f, first: 100) { totalCount edges { node { ${USER_FIELDS} } } } }`, { f: filter });
  const { edges, totalCount } = data.users;
  $("#users-count").textContent = `${t("total")}: ${num(totalCount)}`;
  $("#user-table thead").replaceChildren(el("tr", {}, ["username", "displayName", "role", "area", "status", ""].map((c) => el("th", {}, c ? t(c) : ""))));
  $("#user-table tbody").replaceChildren(...edges.map(({ node: u }) => el("tr", { "data-id": u.id },
    el("td", {}, u.username), el("td", {}, u.displayName), el("td", {}, t(u.role)),
    el("td", {}, u.area?.name ?? u.facility?.name ?? ""), el("td", {}, t(u.active ? "accountOn" : "accountOff")),
    el("td", {}, u.username === state.me.subject ? "" : userActions(u)))));
}

function userActions(u) {
  const act = async (query, variables, after) => {
    try {
      const data = await must(query, variables);
      after?.(data);
      await loadUsers();
    } catch (error) {
      if (!(error instanceof Expired)) $("#issued-password").textContent = error.message;
    }
  };
  const reason = el("input", { name: "reason", "aria-label": t("reason"), placeholder: t("reason"), size: 14 });
  return [
    u.active
      ? el("span", {}, reason, el("button", { type: "button", class: "deactivate", onclick: () => act(
        "mutation($id: ID!, $r: String!) { deactivateUser(id: $id, reason: $r) { id } }", { id: u.id, r: reason.value }) }, t("deactivate")))
      : el("button", { type: "button", class: "reactivate", onclick: () => act(
        "mutation($id: ID!) { reactivateUser(id: $id) { id } }", { id: u.id }) }, t("reactivate")),
    el("button", { type: "button", class: "reset", onclick: () => act(
      "mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword } }", { id: u.id }, (d) => issued(d.resetPassword.oneTimePassword)) }, t("resetPassword")),
  ];
}

async function loadAudit() {
  const form = new FormData($("#audit-filters"));
  const filter = {};
  for (const name of ["actor", "action", "entityId"]) if (form.get(name)) filter[name] = form.get(name);
  const data = await gql(`query($f: AuditFilter) { auditLog(filter: $f, first: 50) { totalCount
    edges { node { id at actor role action entity entityIds organisation detail } } } }`, { f: filter });
  $("#audit-table thead").replaceChildren(el("tr", {}, ["time", "actor", "role", "organisation", "action", "entityId"].map((c) => el("th", {}, t(c)))));
  $("#audit-table tbody").replaceChildren(...data.auditLog.edges.map(({ node: a }) => el("tr", {},
    el("td", {}, when(a.at)), el("td", {}, a.actor), el("td", {}, a.role ? t(a.role) : ""), el("td", {}, a.organisation ?? ""),
    el("td", {}, a.detail ? `${a.action} (${a.detail})` : a.action), el("td", {}, `${a.entity} ${a.entityIds.join(", ")}`))));
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
