/* copydesk html report: filters, tooltips, and links from claims and findings to the text.
   Report text reaches the page only through textContent: never innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("copydesk-data").textContent);
  var byId = {};
  data.findings.forEach(function (f) { byId[f.id] = f; });
  var SEVERITY_RANK = { high: 3, medium: 2, low: 1 };
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark.hl"));
  var cards = Array.prototype.slice.call(document.querySelectorAll(".finding[data-finding]"));
  var form = document.getElementById("filters");
  var range = document.getElementById("min-confidence");
  var rangeOut = document.getElementById("min-confidence-value");
  var tip = document.getElementById("tip");
  var shown = {};
  var sliderMoved = false;

  function ids(el, name) {
    var value = el.getAttribute(name);
    return value ? value.split(" ").map(Number) : [];
  }

  // The same order and style as html_report.py's display_order and mark_style.
  function displayOrder(a, b) {
    return (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0)
      || b.confidence - a.confidence || a.id - b.id;
  }
  function markStyle(visible) {
    var colours = [];
    visible.forEach(function (f) { if (colours.indexOf(f.colour) < 0) colours.push(f.colour); });
    var shadows = colours.map(function (c, k) {
      return "inset 0 -" + (0.16 * (k + 1)).toFixed(2) + "em 0 var(--c" + c + ")";
    });
    return "--bg: var(--c" + colours[0] + "-bg); box-shadow: " + shadows.join(", ");
  }

  function checked(name) {
    var values = {};
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
      if (input.checked) values[input.value] = true;
    });
    return values;
  }

  function visibleIn(el) {
    return ids(el, "data-findings").map(function (i) { return byId[i]; })
      .filter(function (f) { return f && shown[f.id]; }).sort(displayOrder);
  }

  function apply() {
    var categories = checked("category");
    var severities = checked("severity");
    // Until the slider is moved, use the exact --min-confidence (the slider rounds to 0.01).
    var min = sliderMoved ? parseFloat(range.value) : data.minConfidence;
    rangeOut.textContent = min.toFixed(2);
    var counts = { high: 0, medium: 0, low: 0 };
    var total = 0;
    shown = {};
    data.findings.forEach(function (f) {
      if (categories[f.category] && severities[f.severity] && f.confidence >= min) {
        shown[f.id] = true;
        counts[f.severity] = (counts[f.severity] || 0) + 1;
        total += 1;
      }
    });
    marks.forEach(function (mark) {
      var visible = visibleIn(mark);
      var closes = visible.filter(function (f) { return ids(mark, "data-closes").indexOf(f.id) >= 0; });
      mark.classList.toggle("off", visible.length === 0);
      if (visible.length) mark.setAttribute("style", markStyle(visible));
      else mark.removeAttribute("style");
      // One tab stop per shown finding, where it starts (as the server rendered it).
      if (ids(mark, "data-opens").some(function (i) { return shown[i]; })) mark.setAttribute("tabindex", "0");
      else mark.removeAttribute("tabindex");
      var label = closes.map(function (f) { return f.number; }).sort(function (a, b) { return a - b; }).join(",");
      if (label) mark.setAttribute("data-label", label);
      else mark.removeAttribute("data-label");
    });
    cards.forEach(function (card) { card.hidden = !shown[Number(card.dataset.finding)]; });
    var tally = document.getElementById("tally");
    tally.textContent = total + " of " + data.findings.length + " finding" + (data.findings.length === 1 ? "" : "s") + " shown";
    ["high", "medium", "low"].forEach(function (s) {
      tally.appendChild(document.createTextNode(" · "));
      var badge = document.createElement("span");
      badge.className = "sev sev-" + s + (counts[s] ? "" : " zero");
      badge.textContent = counts[s] + " " + s;
      tally.appendChild(badge);
    });
  }

  function line(parent, className, text) {
    var p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  function showTip(mark) {
    var visible = visibleIn(mark);
    if (!visible.length) return hideTip();
    tip.textContent = "";
    visible.forEach(function (f) {
      var item = document.createElement("div");
      item.className = "tip-item";
      var head = line(item, "finding-head", "");
      var num = document.createElement("span");
      num.className = "num";
      num.style.setProperty("--sw", "var(--c" + f.colour + ")");
      num.style.setProperty("--sw-bg", "var(--c" + f.colour + "-bg)");
      num.textContent = f.number;
      var cat = document.createElement("span");
      cat.className = "cat";
      cat.textContent = f.label;
      var sev = document.createElement("span");
      sev.className = "sev sev-" + f.severity;
      sev.textContent = f.severity;
      var conf = document.createElement("span");
      conf.className = "conf";
      conf.textContent = "confidence " + f.confidence.toFixed(2);
      [num, cat, sev, conf].forEach(function (el) { head.appendChild(el); });
      line(item, "", f.explanation);
      if (f.suggestion) line(item, "suggestion", "→ " + f.suggestion);
      line(item, "small", f.plugin + (f.detectors.length ? " · detectors: " + f.detectors.join(", ") : ""));
      tip.appendChild(item);
    });
    tip.hidden = false;
    var box = mark.getBoundingClientRect();
    var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = (box.bottom + window.scrollY + 6) + "px";
    mark.setAttribute("aria-describedby", "tip");
  }
  function hideTip() {
    tip.hidden = true;
    marks.forEach(function (m) { m.removeAttribute("aria-describedby"); });
  }

  function light(findingId, on) {
    marks.forEach(function (m) {
      if (ids(m, "data-findings").indexOf(findingId) >= 0) m.classList.toggle("lit", on);
    });
    cards.forEach(function (c) {
      if (Number(c.dataset.finding) === findingId) c.classList.toggle("lit", on);
    });
  }

  function showClaim(claimId) {
    document.querySelectorAll(".claim-on").forEach(function (el) { el.classList.remove("claim-on"); });
    document.querySelectorAll("[data-claims]").forEach(function (el) {
      if (ids(el, "data-claims").indexOf(claimId) >= 0) el.classList.add("claim-on");
    });
  }

  function followHash() {
    var match = /^#(claim-|f)(\d+)$/.exec(window.location.hash);
    if (!match) return;
    if (match[1] === "claim-") showClaim(Number(match[2]));
    else {
      marks.forEach(function (m) { m.classList.remove("lit"); });
      light(Number(match[2]), true);
    }
  }

  // The native tooltip (there for a page opened with scripts off) would compete with ours,
  // which screen readers reach through aria-describedby.
  marks.forEach(function (mark) { mark.removeAttribute("title"); });

  range.addEventListener("input", function () { sliderMoved = true; });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  marks.forEach(function (mark) {
    mark.addEventListener("mouseenter", function () { showTip(mark); });
    mark.addEventListener("mouseleave", hideTip);
    mark.addEventListener("focus", function () { showTip(mark); });
    mark.addEventListener("blur", hideTip);
  });
  cards.forEach(function (card) {
    var id = Number(card.dataset.finding);
    card.addEventListener("mouseenter", function () { light(id, true); });
    card.addEventListener("mouseleave", function () { light(id, false); });
    card.addEventListener("focusin", function () { light(id, true); });
    card.addEventListener("focusout", function () { light(id, false); });
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hideTip(); });
  window.addEventListener("hashchange", followHash);

  apply();
  followHash();
  document.documentElement.setAttribute("data-copydesk-ready", "");
})();
