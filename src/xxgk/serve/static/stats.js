// The statistics page: charts drawn with ECharts from /api/stats, redrawn when the filters change.
// Each chart container gets data-drawn="1" once ECharts has finished rendering it (browser tests
// wait for that), and "0" while it is being reloaded.
(function () {
  "use strict";

  const form = document.getElementById("stats-filters");
  const errorBox = document.getElementById("stats-error");
  const table = document.querySelector("#stats-table tbody");
  const groupTitle = document.getElementById("chart-groups-title");
  const NAMES = { region: "地区", level: "层级", year: "年度" };
  const COLORS = { received: "#1a56a8", disclosure: "#1a7f37", correction: "#c62828", small: "#c89200" };
  const charts = {};

  function chart(id) {
    if (!charts[id]) {
      const element = document.getElementById(id);
      const instance = echarts.init(element, null, { renderer: "canvas" });
      instance.on("finished", function () {
        element.dataset.drawn = "1";
      });
      window.addEventListener("resize", function () {
        instance.resize();
      });
      charts[id] = instance;
    }
    return charts[id];
  }

  function filters() {
    const params = new URLSearchParams();
    for (const name of ["region", "level", "year_from", "year_to"]) {
      const value = form.elements[name].value;
      if (value) params.set(name, value);
    }
    return params;
  }

  async function fetchStats(by, params) {
    const query = new URLSearchParams(params);
    query.set("by", by);
    const response = await fetch("/api/stats?" + query.toString(), { headers: { Accept: "application/json" } });
    const body = await response.json();
    // the Chinese of the error, without the English the API gives beside it for programs
    if (!response.ok) throw new Error((body.error || response.statusText).replace(/\s*\([\x20-\x7e]*\)\s*$/, ""));
    return body;
  }

  function label(group) {
    return group === null || group === undefined ? "（未知）" : String(group);
  }

  function percent(rate) {
    return rate.value === null ? null : Math.round(rate.value * 1000) / 10;
  }

  // a rate point: its value, and a hollow amber marker with a star when its base is too thin
  function ratePoint(rate) {
    const point = { value: percent(rate), rate: rate };
    if (rate.small) {
      point.symbol = "emptyCircle";
      point.symbolSize = 10;
      point.itemStyle = { color: COLORS.small, borderColor: COLORS.small, opacity: 0.75 };
      point.label = { show: rate.value !== null, formatter: "{c}%＊", color: COLORS.small };
    }
    return point;
  }

  // the tooltip is HTML: every text from the data (a region's name) is escaped into it
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  function rateTooltip(params) {
    const lines = [escapeHtml(params[0].axisValueLabel)];
    for (const p of params) {
      const rate = p.data && p.data.rate;
      if (!rate) continue;
      const value = rate.value === null ? "—" : (rate.value * 100).toFixed(1) + "%";
      const star = rate.small ? "＊ 分母不足，比率不稳定" : "";
      const figures = escapeHtml(rate.numerator) + " / " + escapeHtml(rate.denominator);
      lines.push(p.marker + escapeHtml(p.seriesName) + "：" + value + "（" + figures + "）" + star);
    }
    return lines.join("<br>");
  }

  // every year of the selected range (the filter's, else the data's first to last), a year
  // without a report as a gap: no bar, the lines broken there, not drawn across it
  const MAX_YEARS = 60;
  function everyYear(data, params) {
    const years = data.rows.map((r) => r.group).filter((y) => Number.isInteger(y));
    if (!years.length) return data;
    let low = Number(params.get("year_from")) || Math.min(...years);
    let high = Number(params.get("year_to")) || Math.max(...years);
    if (high - low > MAX_YEARS) [low, high] = [Math.min(...years), Math.max(...years)];
    const byYear = new Map(data.rows.map((r) => [r.group, r]));
    const rows = [];
    for (let year = low; year <= high; year++) rows.push(byYear.get(year) || gap(year));
    return Object.assign({}, data, { rows: rows.concat(data.rows.filter((r) => !Number.isInteger(r.group))) });
  }

  function gap(year) {
    const none = { value: null, numerator: 0, denominator: 0, small: false };
    return { group: year, gap: true, reports: 0, bodies: 0, received: null, disclosure_rate: none, correction_rate: none };
  }

  function empty(title) {
    return { title: { text: title, left: "center", top: "middle", textStyle: { color: "#59636e", fontSize: 14 } } };
  }

  function drawReceived(data) {
    if (!data.rows.length) return chart("chart-received").setOption(empty("所选范围内没有报告"), true);
    chart("chart-received").setOption(
      {
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 20, top: 30, bottom: 40 },
        xAxis: { type: "category", data: data.rows.map((r) => label(r.group)) },
        yAxis: { type: "value", name: "件" },
        series: [
          {
            name: "收到申请",
            type: "bar",
            data: data.rows.map((r) => r.received),
            itemStyle: { color: COLORS.received },
            label: { show: true, position: "top" },
          },
        ],
      },
      true
    );
  }

  function smallNote(kind, minCases) {
    const marker = kind === "line" ? "空心点" : "浅色虚框";
    const text = "＊ " + marker + "：分母不足 " + minCases + " 件，比率不稳定";
    return { type: "text", right: 10, bottom: 5, style: { text: text, fill: COLORS.small, fontSize: 12 } };
  }

  function rateOption(rows, kind, small) {
    return {
      tooltip: { trigger: "axis", formatter: rateTooltip },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 50 },
      xAxis: { type: "category", data: rows.map((r) => label(r.group)), axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", name: "%", min: 0, max: 100 },
      graphic: small ? [smallNote(kind, small)] : [],
      series: [
        { name: "公开率", type: kind, data: rows.map((r) => ratePoint(r.disclosure_rate)), itemStyle: { color: COLORS.disclosure }, connectNulls: false },
        { name: "纠错率", type: kind, data: rows.map((r) => ratePoint(r.correction_rate)), itemStyle: { color: COLORS.correction }, connectNulls: false },
      ],
    };
  }

  function anySmall(rows) {
    return rows.some((r) => r.disclosure_rate.small || r.correction_rate.small);
  }

  function drawRates(data) {
    if (!data.rows.length) return chart("chart-rates").setOption(empty("所选范围内没有报告"), true);
    chart("chart-rates").setOption(rateOption(data.rows, "line", anySmall(data.rows) ? data.min_cases : 0), true);
  }

  function drawGroups(data) {
    groupTitle.textContent = "按" + NAMES[data.by] + "的公开率与纠错率";
    if (!data.rows.length) return chart("chart-groups").setOption(empty("所选范围内没有报告"), true);
    const option = rateOption(data.rows, "bar", anySmall(data.rows) ? data.min_cases : 0);
    for (const series of option.series) {
      for (const point of series.data) {
        if (!point.rate.small) continue;
        point.itemStyle = { opacity: 0.45, borderColor: COLORS.small, borderWidth: 2, borderType: "dashed" };
        point.label = { show: point.value !== null, position: "top", formatter: "＊", color: COLORS.small };
      }
    }
    chart("chart-groups").setOption(option, true);
  }

  function rateCell(rate) {
    const cell = document.createElement("td");
    cell.className = "rate" + (rate.small ? " small" : "");
    cell.textContent = rate.value === null ? "—" : (rate.value * 100).toFixed(1) + "%";
    if (rate.small && rate.value !== null) {
      const star = document.createElement("span");
      star.className = "small-rate";
      star.title = "分母不足";
      star.textContent = "＊";
      cell.appendChild(star);
    }
    return cell;
  }

  function textCell(text, css) {
    const cell = document.createElement("td");
    cell.textContent = text;
    if (css) cell.className = css;
    return cell;
  }

  function fillTable(data) {
    table.replaceChildren();
    if (!data.rows.length) {
      const row = table.insertRow();
      const cell = textCell("所选范围内没有报告。");
      cell.colSpan = 10;
      row.appendChild(cell);
      return;
    }
    for (const r of data.rows) {
      const row = table.insertRow();
      row.dataset.group = String(r.group);
      if (r.gap) {
        const cell = textCell("这一年没有报告", "meta");
        cell.colSpan = 9;
        row.className = "gap";
        row.append(textCell(label(r.group)), cell);
        continue;
      }
      row.append(
        textCell(label(r.group)),
        textCell(String(r.reports)),
        textCell(String(r.bodies)),
        textCell(r.received === null ? "—" : r.received.toLocaleString("en-US")),
        rateCell(r.disclosure_rate),
        textCell(r.disclosure_rate.denominator.toLocaleString("en-US"), "meta"),
        rateCell(r.correction_rate),
        textCell(r.correction_rate.denominator.toLocaleString("en-US"), "meta"),
        textCell(String(r.with_errors)),
        textCell(String(r.missing))
      );
    }
  }

  async function load() {
    const params = filters();
    const by = form.elements.by.value || "region";
    for (const id of ["chart-received", "chart-rates", "chart-groups"]) {
      document.getElementById(id).dataset.drawn = "0";
    }
    errorBox.hidden = true;
    try {
      const [found, groups] = await Promise.all([fetchStats("year", params), fetchStats(by, params)]);
      const years = everyYear(found, params);
      drawReceived(years);
      drawRates(years);
      drawGroups(groups);
      fillTable(years);
      const query = new URLSearchParams(params);
      query.set("by", by);
      history.replaceState(null, "", "/stats?" + query.toString());
      document.getElementById("stats-xlsx").href = "/stats/export?format=xlsx&" + query.toString();
    } catch (error) {
      errorBox.textContent = "统计数据读取失败：" + error.message;
      errorBox.hidden = false;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  form.addEventListener("change", load);
  load();
})();
