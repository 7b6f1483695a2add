// The feedsmith parser's view of each file given: one JSON list on stdout, per file its format
// and the (id, link) of each item, or the error it raised. Run by check-feeds.py.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// Installed in target/checks/node (CHECKS_NODE_MODULES), not beside this file.
const require = createRequire(join(process.env.CHECKS_NODE_MODULES, "index.js"));
const { parseFeed } = require("feedsmith");

const first = (v) => (Array.isArray(v) ? v[0] : v);
const text = (v) => (v && typeof v === "object" ? (v.value ?? v["#text"] ?? null) : (v ?? null));

const out = process.argv.slice(2).map((path) => {
  try {
    const { format, feed } = parseFeed(readFileSync(path, "utf8"));
    if (format === "atom") {
      return {
        format,
        items: (feed.entries ?? []).map((e) => ({
          id: text(e.id),
          link: (e.links ?? []).find((l) => (l.rel ?? "alternate") === "alternate")?.href ?? null,
        })),
      };
    }
    if (format === "json") {
      return { format, items: (feed.items ?? []).map((i) => ({ id: i.id ?? null, link: i.url ?? null })) };
    }
    return {
      format,
      items: (feed.items ?? []).map((i) => ({ id: text(first(i.guid)), link: text(first(i.link)) })),
    };
  } catch (e) {
    return { error: String(e) };
  }
});
process.stdout.write(JSON.stringify(out));
