// The reports page's charts: each [data-chart] drawn with the vendored Apache ECharts from the options the
// server wrote, in the reader's words, into #chart-options. Without a script the tables beside them say it all.
(function () {
  "use strict";
  var drawn = [];

  function draw() {
    var source = document.getElementById("chart-options");
    if (!source || !window.echarts) return;
    var options = JSON.parse(source.textContent);
    var locale = (document.documentElement.lang || "zh").indexOf("zh") === 0 ? "ZH" : "EN";
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = options[el.dataset.chart];
      if (!option) return;
      el.dataset.drawn = "yes";
      var chart = window.echarts.init(el, null, { locale: locale });
      chart.setOption(option);
      drawn.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
