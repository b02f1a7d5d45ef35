// dayone report: the offline search and the diagram's zoom. No library, no network: the index is a
// script file (assets/search-index.js), loaded the first time the search box is used, since a page
// opened from disk may not fetch() a local file.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var loading = false;

  function load(then) {
    if (window.DAYONE_SEARCH) { then(); return; }
    if (loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = root + "assets/search-index.js";
    script.onload = then;
    document.head.appendChild(script);
  }

  function show() {
    var query = input.value.trim().toLowerCase();
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!query || !window.DAYONE_SEARCH) { list.hidden = true; return; }
    var words = query.split(/\s+/), found = 0, index = window.DAYONE_SEARCH;
    for (var i = 0; i < index.length && found < 50; i++) {
      var label = index[i][1].toLowerCase(), all = true;
      for (var w = 0; w < words.length; w++) { if (label.indexOf(words[w]) < 0) { all = false; break; } }
      if (!all) continue;
      var item = document.createElement("li"), link = document.createElement("a"), kind = document.createElement("span");
      kind.className = "kind"; kind.textContent = index[i][0];
      link.href = root + index[i][2];
      link.appendChild(kind);
      link.appendChild(document.createTextNode(index[i][1]));  // text, never HTML: names are untrusted
      item.appendChild(link); list.appendChild(item); found++;
    }
    if (!found) { var none = document.createElement("li"); none.textContent = "nothing found"; none.className = "muted"; list.appendChild(none); }
    list.hidden = false;
  }

  if (input && list) {
    input.addEventListener("focus", function () { load(show); });
    input.addEventListener("input", function () { load(show); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { var first = list.querySelector("a"); if (first) { window.location.href = first.href; } }
      if (e.key === "Escape") { input.value = ""; list.hidden = true; }
    });
    document.addEventListener("click", function (e) { if (!e.target.closest(".search")) list.hidden = true; });
  }

  var zoom = document.getElementById("zoom");
  var picture = document.querySelector("#diagram svg.er");
  if (zoom && picture) {
    var width = picture.getAttribute("width"), height = picture.getAttribute("height");
    zoom.addEventListener("input", function () {
      var k = zoom.value / 100;
      picture.setAttribute("width", String(width * k));
      picture.setAttribute("height", String(height * k));
    });
  }
})();
