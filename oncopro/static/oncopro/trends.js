/* Symptom trends as charts (Chart.js). The table under each chart holds the
   same numbers for screen readers and for anyone who prefers it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!source || !canvas || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var colours = ["#0b4f8a", "#a4161a", "#1f6b36", "#8a4b00", "#5b2a86", "#006d77", "#4a4a4a"];
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.weeks,
        datasets: data.rows.map(function (row, index) {
          return {
            label: row.label,
            data: row.grades,
            borderColor: colours[index % colours.length],
            backgroundColor: colours[index % colours.length],
            spanGaps: false,  // a week not asked stays a gap, never a zero
            tension: 0,
            pointRadius: 4
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { min: 0, max: 3, ticks: { stepSize: 1 }, title: { display: true, text: "0 none to 3 severe" } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
