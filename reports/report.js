// Draws every chart from its inline spec with the inlined vega-embed, then sorts tables on a
// heading click. body[data-charts] says "done" once every chart has been drawn or has failed.
(function () {
  var options = JSON.parse(document.getElementById("chart-options").textContent);
  var failed = document.body.getAttribute("data-chart-failed");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  Promise.all(boxes.map(function (box) {
    var spec = JSON.parse(document.getElementById(box.getAttribute("data-chart")).textContent);
    return vegaEmbed(box, spec, options).then(function () {
      box.setAttribute("data-drawn", "yes");
    }).catch(function (error) {
      box.textContent = failed + ": " + (error && error.message ? error.message : error);
      box.classList.add("chart-error");
      console.error(error);
    });
  })).then(function () { document.body.setAttribute("data-charts", "done"); });

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var headings = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headings, function (th, column) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headings, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "number";
        var key = function (row) {
          var value = row.cells[column].getAttribute("data-sort");
          return numeric ? parseFloat(value) : value;
        };
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = numeric ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
