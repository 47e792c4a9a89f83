/* Symptom trends: one small chart per symptom (Chart.js), so every line is
   readable on a phone. The table under the charts holds the same numbers
   for screen readers and for anyone who prefers it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("trend-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-trend-row]").forEach(function (canvas) {
      var row = data.rows[Number(canvas.dataset.trendRow)];
      if (!row) return;
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.weeks,
          datasets: [{
            label: row.label,
            data: row.grades,
            borderColor: "#0b4f8a",
            backgroundColor: "#0b4f8a",
            borderWidth: 3,
            spanGaps: false,  // a week not asked stays a gap, never a zero
            tension: 0,
            pointRadius: 5,
            clip: false  // a point at 3, or in the newest week, is drawn whole
          }]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          layout: { padding: { top: 8, right: 10 } },
          scales: {
            y: { min: 0, max: 3, ticks: { stepSize: 1, font: { size: 14 } } },
            x: { ticks: { font: { size: 13 }, maxRotation: 0, autoSkip: true, maxTicksLimit: 4 } }
          },
          plugins: { legend: { display: false } }
        }
      });
    });
  });
})();
