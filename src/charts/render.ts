import { createRequire } from "node:module";
import { type RenderedImage, renderAsync } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { Chart, ChartPanel, Text } from "../app/messages.js";
import type { Language } from "../domain/model.js";

/** Draws a message's chart as a PNG, with its words in the reader's language. */
export type ChartRenderer = (chart: Chart, language: Language) => Promise<Buffer>;

/** The CJK font shipped as a package, so Chinese draws on a machine with no fonts installed. */
export const CHART_FONT_FILE = createRequire(import.meta.url).resolve(
  "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
);
export const CHART_FONT_FAMILY = "Noto Sans SC";

const WIDTH = 720;
const TITLE_HEIGHT = 56;
const PANEL_GAP = 40;
const BAR_ROW = 30;
const INK = "#333333";

function panelHeight(panel: ChartPanel): number {
  return panel.horizontal === true ? Math.max(160, panel.categories.length * BAR_ROW + 70) : 260;
}

/** The ECharts option drawing the panels one under another: phones are held upright. */
export function chartOption(
  chart: Chart,
  say: (text: Text) => string,
): { option: Record<string, unknown>; height: number } {
  const titles: object[] = [{ text: say(chart.title), left: "center", top: 12, textStyle: { fontSize: 22 } }];
  const grids: object[] = [];
  const xAxes: object[] = [];
  const yAxes: object[] = [];
  const legends: object[] = [];
  const series: object[] = [];
  let top = TITLE_HEIGHT;
  chart.panels.forEach((panel, index) => {
    const height = panelHeight(panel);
    titles.push({ text: say(panel.title), left: 16, top, textStyle: { fontSize: 16 } });
    const many = panel.series.length > 1;
    if (many)
      legends.push({
        data: panel.series.map((one) => say(one.name)),
        right: 16,
        top,
        textStyle: { fontSize: 13 },
      });
    grids.push({ left: 16, right: 40, top: top + 52, height: height - 82, containLabel: true });
    const categories = {
      type: "category",
      gridIndex: index,
      data: panel.categories.map(say),
      axisLabel: { interval: 0, fontSize: 13, color: INK },
    };
    // The bars carry their values: axis numbers would only add text to draw.
    const values = {
      type: "value",
      gridIndex: index,
      minInterval: 1,
      ...(panel.percent === true ? { max: 100 } : {}),
      axisLabel: { show: false },
    };
    xAxes.push(panel.horizontal === true ? values : categories);
    yAxes.push(panel.horizontal === true ? { ...categories, inverse: true } : values);
    for (const one of panel.series) {
      series.push({
        type: "bar",
        name: say(one.name),
        xAxisIndex: index,
        yAxisIndex: index,
        barMaxWidth: 48,
        ...(Array.isArray(one.color) ? {} : { itemStyle: { color: one.color } }),
        data: one.values.map((value, at) => ({
          value,
          itemStyle: { color: Array.isArray(one.color) ? (one.color[at] ?? INK) : one.color },
        })),
        label: {
          show: true,
          position: panel.horizontal === true ? "right" : "top",
          fontSize: 13,
          color: INK,
          ...(panel.percent === true ? { formatter: "{c}%" } : {}),
        },
      });
    }
    top += height + PANEL_GAP;
  });
  const option = {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: titles,
    legend: legends,
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
  };
  return { option, height: top - PANEL_GAP + 24 };
}

/** The chart as SVG, drawn by ECharts on the server. */
export function chartSvg(chart: Chart, say: (text: Text) => string): string {
  const { option, height } = chartOption(chart, say);
  const drawing = echarts.init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height });
  try {
    drawing.setOption(option);
    return drawing.renderToSVGString();
  } finally {
    drawing.dispose();
  }
}

/** SVG to pixels off the event loop, with only the given fonts: none of the machine's are looked for. */
export function rasterize(svg: string, fontFiles: readonly string[]): Promise<RenderedImage> {
  return renderAsync(svg, {
    font: { loadSystemFonts: false, fontFiles: [...fontFiles], defaultFontFamily: CHART_FONT_FAMILY },
    background: "#ffffff",
  });
}

export function createChartRenderer(translate: (text: Text, language: Language) => string): ChartRenderer {
  return async (chart, language) => {
    const image = await rasterize(
      chartSvg(chart, (text) => translate(text, language)),
      [CHART_FONT_FILE],
    );
    return image.asPng();
  };
}
