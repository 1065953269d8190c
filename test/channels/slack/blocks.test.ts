import { describe, expect, it } from "vitest";
import { homeBlocks, MAX_HOME_BLOCKS } from "../../../src/channels/slack/blocks.js";

const section = (n: number) => ({
  text: `第${n}部分`,
  buttons: Array.from({ length: 30 }, (_, row) => [{ label: `诉求${row}`, data: `v:${n}-${row}` }]),
});

describe("the Home tab's blocks", () => {
  it("keeps within Slack's 100 blocks, ending with where to find the rest", () => {
    const blocks = homeBlocks([section(1), section(2), section(3), section(4)], "还有更多");

    expect(blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    expect(blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "plain_text", text: "还有更多", emoji: true }],
    });
  });

  it("puts a divider between sections that fit", () => {
    const blocks = homeBlocks(
      [
        { text: "菜单", buttons: [] },
        { text: "我的诉求", buttons: [] },
      ],
      "还有更多",
    );

    expect(blocks.map((block) => block.type)).toEqual(["section", "divider", "section"]);
  });
});
