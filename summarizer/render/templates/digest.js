(function () {
  "use strict";
  // One filter over stories, conflicts and table rows: rows whose text lacks every typed word are hidden.
  var input = document.getElementById("filter");
  var count = document.getElementById("filter-count");
  var rows = document.querySelectorAll("[data-row]");
  var texts = [];
  for (var i = 0; i < rows.length; i++) texts.push(rows[i].textContent.toLowerCase());

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var match = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      rows[i].hidden = !match;
      if (match) shown++;
    }
    count.textContent = words.length ? shown + " of " + rows.length + " shown" : "";
  }
  input.addEventListener("input", apply);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    }
    if (event.key === "Escape" && document.activeElement === input) {
      input.value = "";
      apply();
    }
  });
})();
