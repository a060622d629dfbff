/* ecraudit HTML report: progressive enhancement only (the page is complete
   without it). Sortable tables, a findings filter, expand/collapse, open
   details before printing. Reads the DOM and builds nodes with
   createElement/textContent only: no string is ever parsed as markup or
   code (the page's Content-Security-Policy enforces this with Trusted
   Types, and tests/unit/test_render_html.c greps for the HTML sinks). */
(function () {
  "use strict";
  var doc = document;
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];

  function textOf(el) {
    return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  function sortKey(cell) {
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k !== null ? k : textOf(cell).toLowerCase();
  }

  function compareKeys(a, b) {
    var numeric = /^-?[0-9]+(\.[0-9]+)?$/;
    if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /* ---- sortable tables ---- */
  /* A findings group is split into several tables (chunks) that a browser
     lays out only when on screen; sorting one sorts the whole group and
     refills the chunks with as many findings as they held. */
  function groupTables(table) {
    var group = table.closest ? table.closest("section.group") : null;
    if (!group) return [table];
    return Array.prototype.slice.call(group.querySelectorAll("table.findings"));
  }

  function sortTable(table, col) {
    var tables = groupTables(table);
    var th = table.tHead.rows[0].cells[col];
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    for (var t = 0; t < tables.length; t++) {
      var heads = tables[t].tHead.rows[0].cells;
      for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
      if (heads[col]) heads[col].setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    }
    var units = [];
    var counts = [];
    var findings = table.tBodies.length > 0 && table.tBodies[0].classList.contains("finding");
    if (findings) {
      /* one tbody per finding (row + detail) */
      for (var k = 0; k < tables.length; k++) {
        var bodies = tables[k].tBodies;
        counts.push(bodies.length);
        for (var b = 0; b < bodies.length; b++) {
          var first = bodies[b].rows[0];
          units.push({ el: bodies[b], key: sortKey(first && first.cells[col]), idx: units.length });
        }
      }
    } else if (table.tBodies.length === 1) {
      var rows = table.tBodies[0].rows;
      for (var r = 0; r < rows.length; r++) {
        units.push({ el: rows[r], key: sortKey(rows[r].cells[col]), idx: r });
      }
    } else {
      return;
    }
    units.sort(function (x, y) { return dir * compareKeys(x.key, y.key) || x.idx - y.idx; });
    if (findings) {
      var u = 0;
      for (var c = 0; c < tables.length; c++) {
        var frag = doc.createDocumentFragment();
        for (var n = 0; n < counts[c]; n++) frag.appendChild(units[u++].el);
        tables[c].appendChild(frag);
      }
    } else {
      var body = doc.createDocumentFragment();
      for (var v = 0; v < units.length; v++) body.appendChild(units[v].el);
      table.tBodies[0].appendChild(body);
    }
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      (function (th, col) {
        var btn = doc.createElement("button");
        btn.type = "button";
        btn.className = "sort";
        btn.title = "Sort by this column";
        while (th.firstChild) btn.appendChild(th.firstChild);
        th.appendChild(btn);
        btn.addEventListener("click", function () { sortTable(table, col); });
      })(heads[i], i);
    }
  }

  /* ---- details ---- */
  function allDetails() { return doc.querySelectorAll("tbody.finding details"); }

  function setAllDetails(open) {
    var list = allDetails();
    for (var i = 0; i < list.length; i++) list[i].open = open;
  }

  var reopened = [];
  window.addEventListener("beforeprint", function () {
    var list = allDetails();
    reopened = [];
    for (var i = 0; i < list.length; i++) {
      if (!list[i].open) { list[i].open = true; reopened.push(list[i]); }
    }
  });
  window.addEventListener("afterprint", function () {
    for (var i = 0; i < reopened.length; i++) reopened[i].open = false;
    reopened = [];
  });

  function openTarget() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); }
    if (!id) return;
    var el = doc.getElementById(id);
    if (!el || !el.classList.contains("finding")) return;
    el.hidden = false;
    var chunk = el.closest ? el.closest(".chunk") : null;
    if (chunk) chunk.hidden = false;
    var d = el.querySelector("details");
    if (d) d.open = true;
  }

  /* ---- findings filter ---- */
  function buildTools() {
    var host = doc.getElementById("findings-tools");
    var findings = doc.querySelectorAll("tbody.finding");
    if (!host || !findings.length) return;
    var cache = typeof WeakMap === "function" ? new WeakMap() : null;
    var chunks = doc.querySelectorAll("#findings .chunk");

    function labelled(text, control) {
      var label = doc.createElement("label");
      label.appendChild(doc.createTextNode(text));
      label.appendChild(control);
      return label;
    }

    var input = doc.createElement("input");
    input.type = "search";
    input.placeholder = "Principal, repository, action, finding id";
    input.autocomplete = "off";
    var select = doc.createElement("select");
    var any = doc.createElement("option");
    any.value = "";
    any.textContent = "All severities";
    select.appendChild(any);
    for (var s = 0; s < SEVERITIES.length; s++) {
      var opt = doc.createElement("option");
      opt.value = SEVERITIES[s];
      opt.textContent = SEVERITIES[s].charAt(0).toUpperCase() + SEVERITIES[s].slice(1);
      select.appendChild(opt);
    }
    var expand = doc.createElement("button");
    expand.type = "button";
    expand.textContent = "Expand all details";
    var collapse = doc.createElement("button");
    collapse.type = "button";
    collapse.textContent = "Collapse all";
    var out = doc.createElement("output");
    out.setAttribute("aria-live", "polite");

    function haystack(tb) {
      var h = cache ? cache.get(tb) : undefined;
      if (h === undefined) {
        h = (tb.textContent || "").toLowerCase();
        if (cache) cache.set(tb, h);
      }
      return h;
    }

    function apply() {
      var q = input.value.trim().toLowerCase();
      var sev = select.value;
      var shown = 0;
      for (var i = 0; i < findings.length; i++) {
        var tb = findings[i];
        var ok = (!sev || tb.getAttribute("data-severity") === sev) &&
                 (!q || haystack(tb).indexOf(q) !== -1);
        tb.hidden = !ok;
        if (ok) shown++;
      }
      /* an empty chunk must not keep its placeholder height */
      for (var c = 0; c < chunks.length; c++) {
        chunks[c].hidden = !chunks[c].querySelector("tbody.finding:not([hidden])");
      }
      out.textContent = "Showing " + shown + " of " + findings.length + " findings";
    }

    var timer = 0;
    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
    select.addEventListener("change", apply);
    expand.addEventListener("click", function () { setAllDetails(true); });
    collapse.addEventListener("click", function () { setAllDetails(false); });

    host.appendChild(labelled("Filter findings", input));
    host.appendChild(labelled("Severity", select));
    host.appendChild(expand);
    host.appendChild(collapse);
    host.appendChild(out);
    apply();
  }

  function init() {
    var tables = doc.querySelectorAll("table.sortable");
    for (var i = 0; i < tables.length; i++) makeSortable(tables[i]);
    buildTools();
    openTarget();
    window.addEventListener("hashchange", openTarget);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
