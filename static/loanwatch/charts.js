// Draws each chart card of the dashboard from the JSON its data-url serves, and writes the
// same numbers into the card's table (the table is what a screen reader and a printout get).
(function () {
  "use strict";
  // Series without a colour of their own; each stands 3:1 against the white chart (WCAG 1.4.11,
  // tested in tests/core/test_contrast.py).
  var COLOURS = ["#0d6efd", "#d96c00", "#198754", "#dc3545", "#6f42c1", "#0f8a8a"];

  function cell(tag, text) {
    var element = document.createElement(tag);
    element.textContent = text === null || text === undefined ? "" : String(text);
    return element;
  }

  function fillTable(card, figures) {
    var head = card.querySelector(".chart-table thead");
    var body = card.querySelector(".chart-table tbody");
    head.replaceChildren();
    body.replaceChildren();
    var headRow = document.createElement("tr");
    headRow.appendChild(cell("th", ""));
    figures.labels.forEach(function (label) { headRow.appendChild(cell("th", label)); });
    head.appendChild(headRow);
    figures.series.forEach(function (series) {
      var row = document.createElement("tr");
      row.appendChild(cell("th", series.label));
      series.values.forEach(function (value) {
        var td = cell("td", typeof value === "number" ? value.toLocaleString() : value);
        td.className = "text-end";
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    var note = figures.note || "";
    if (tooLittle(card, figures)) { note = (note ? note + " " : "") + card.dataset.tooLittle; }
    card.querySelector(".chart-note").textContent = note;
  }

  // Nothing but zeros, or a line through fewer than two points, draws nothing a reader can use:
  // the card says so instead of showing an empty frame or a single dot.
  function tooLittle(card, figures) {
    var filled = figures.labels.filter(function (_label, index) {
      return figures.series.some(function (series) {
        var value = series.values[index];
        return value !== null && value !== undefined && value !== 0;
      });
    }).length;
    return filled === 0 || (card.dataset.kind === "line" && filled < 2);
  }

  function draw(card, figures) {
    var canvas = card.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") { return; }
    canvas.classList.toggle("d-none", tooLittle(card, figures));
    if (canvas.chart) { canvas.chart.destroy(); }
    // Two series are two measures (a count and an amount, a rate and a count): each gets its
    // own axis. More series are one measure split by category (warning levels): one axis.
    var dual = figures.series.length === 2;
    canvas.chart = new Chart(canvas, {
      type: card.dataset.kind === "line" ? "line" : "bar",
      data: {
        labels: figures.labels,
        datasets: figures.series.map(function (series, index) {
          var colour = series.colour || COLOURS[index % COLOURS.length];
          var fill = colour;
          // Labels with colours of their own (the five classifications, officers): each bar
          // in its label's colour; a second measure in the same colours, lighter inside, its
          // outline in the full colour (which gives the bar its 3:1 against the chart).
          if (figures.label_colours) {
            colour = figures.label_colours;
            fill = index === 0 ? colour : colour.map(function (c) { return c + "59"; });
          }
          return { label: series.label, data: series.values,
                   backgroundColor: fill, borderColor: colour,
                   borderWidth: figures.label_colours && index > 0 ? 2 : 1,
                   yAxisID: dual && index === 1 ? "y1" : "y" };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: dual ? {
          y: { beginAtZero: true, position: "left" },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
        } : { y: { beginAtZero: true } }
      }
    });
  }

  function load(card, query) {
    var url = card.dataset.url + (query ? "?" + query : "");
    var csv = card.querySelector(".chart-csv");
    csv.href = csv.href.split("?")[0] + (query ? "?" + query : "");
    var error = card.querySelector(".chart-error");
    var failed = error.dataset.failed || (error.dataset.failed = error.textContent);
    error.classList.add("d-none");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        // 400: a parameter could not be read; the answer says which, in the reader's language.
        if (response.status === 400) {
          return response.json().then(function (body) {
            throw { shown: (body.errors || []).join(" ") };
          });
        }
        if (!response.ok) { throw { shown: "" }; }
        return response.json();
      })
      .then(function (figures) {
        fillTable(card, figures);
        draw(card, figures);
        card.classList.add("chart-loaded");
      })
      .catch(function (problem) {
        error.textContent = (problem && problem.shown) || failed;
        error.classList.remove("d-none");
      });
  }

  document.querySelectorAll(".chart-card").forEach(function (card) {
    var form = card.querySelector(".chart-params");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        load(card, new URLSearchParams(new FormData(form)).toString());
      });
    }
    load(card, "");
  });
})();
