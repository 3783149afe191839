// Tables become cards on narrow screens (liaison.css, .table--cards): each cell is
// labelled with its column's heading. Runs on load and after every htmx swap; a table
// that sets its own data-label attributes keeps them. Without JavaScript a table scrolls
// inside itself instead, and the page still never scrolls sideways.
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var heads = table.querySelectorAll("thead tr:first-child > th");
      if (!heads.length || table.classList.contains("table--plain")) return;
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (names[i] && !cell.hasAttribute("data-label") && cell.tagName === "TD") {
            cell.setAttribute("data-label", names[i]);
          }
        });
      });
      table.classList.add("table--cards");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSettle", function (event) { label(event.target); });
})();
