import type { RenderedImage } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import type { Chart, Text } from "../../src/app/messages.js";
import {
  CHART_FONT_FAMILY,
  CHART_FONT_FILE,
  chartSvg,
  createChartRenderer,
  rasterize,
} from "../../src/charts/render.js";

const say = (text: Text) => (text.params?.label as string | undefined) ?? text.key;
const label = (words: string): Text => ({ key: "label", params: { label: words } });

const chart: Chart = {
  title: label("东风村2026年10月晾晒"),
  panels: [
    {
      title: label("三个率（%）"),
      percent: true,
      categories: [label("按时响应率"), label("办结率"), label("满意率")],
      series: [
        { name: label("上月"), values: [80, null, 90], color: "#b0b7c3" },
        { name: label("本月"), values: [90, 75, 100], color: "#3b6fd8" },
      ],
    },
    {
      title: label("月底红绿灯"),
      horizontal: true,
      categories: [label("绿灯"), label("黄灯"), label("红灯")],
      series: [{ name: label("件数"), values: [5, 2, 1], color: ["#2e9e4f", "#e6b000", "#d63b30"] }],
    },
  ],
};

/** Pixels that are not white: what was drawn. */
function ink(image: RenderedImage): number {
  const { pixels } = image;
  let count = 0;
  for (let at = 0; at < pixels.length; at += 4) {
    if ((pixels[at] ?? 255) < 200 || (pixels[at + 1] ?? 255) < 200 || (pixels[at + 2] ?? 255) < 200) count++;
  }
  return count;
}

/** One line of text alone in a small picture, in the chart's font family. */
function word(text: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><text x="10" y="44" font-size="40" font-family="${CHART_FONT_FAMILY}">${text}</text></svg>`;
}

describe("chart pictures", () => {
  it("draws the Chinese labels with the font the project ships, and none without it", async () => {
    const svg = chartSvg(chart, say);

    const withFont = await rasterize(svg, [CHART_FONT_FILE]);
    const withoutFont = await rasterize(svg, []);

    expect(svg).toContain("按时响应率");
    expect(ink(withFont) - ink(withoutFont)).toBeGreaterThan(2_000);
  });

  it("draws each Chinese character as its own glyph, not the same empty box", async () => {
    const [ban, jie, box] = await Promise.all(
      ["办", "结", "\u{10FFFD}"].map((text) => rasterize(word(text), [CHART_FONT_FILE])),
    );

    expect(ink(ban as RenderedImage)).toBeGreaterThan(100);
    expect(ink(jie as RenderedImage)).toBeGreaterThan(100);
    expect((ban as RenderedImage).pixels.equals((jie as RenderedImage).pixels)).toBe(false);
    expect((ban as RenderedImage).pixels.equals((box as RenderedImage).pixels)).toBe(false);
  });

  it("gives a PNG as tall as its panels, its words drawn, in the reader's language", async () => {
    const seen: string[] = [];
    const draw = createChartRenderer((text, language) => {
      seen.push(language);
      return say(text);
    });

    const png = await draw(chart, "en");
    const blank = (await rasterize(chartSvg(chart, say), [])).asPng();

    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.length).toBeGreaterThan(blank.length * 1.2);
    expect(png.readUInt32BE(16)).toBe(720);
    expect(png.readUInt32BE(20)).toBeGreaterThan(400);
    expect(new Set(seen)).toEqual(new Set(["en"]));
  });
});
