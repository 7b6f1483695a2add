// Opens each URL in the system Chromium as a person would (a normal navigation, so Chromium's
// own Accept header), at each width, and prints what a person sees as JSON for tests/browser.rs:
// the page's language, its visible text, whether it scrolls sideways, its headings, images
// without alt text; a screenshot of each goes to OUT_DIR.
// Usage: node check.mjs CHROMIUM OUT_DIR NAME=URL...
import puppeteer from "puppeteer-core";

const [chromium, outDir, ...pages] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  // Root in CI containers; no GPU there.
  args: ["--no-sandbox", "--disable-gpu", "--lang=vi-VN"],
});
const results = [];
try {
  for (const spec of pages) {
    const [name, url] = spec.split(/=(.*)/s);
    for (const width of [1280, 360]) {
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      // A Vietnamese reader's browser (headless Chromium sends en-US whatever --lang says).
      await page.setExtraHTTPHeaders({ "Accept-Language": "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7" });
      const response = await page.goto(url, { waitUntil: "load" });
      const seen = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        title: document.title,
        text: document.body.innerText,
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        headings: [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map((h) => Number(h.tagName[1])),
        imagesWithoutAlt: [...document.querySelectorAll("img:not([alt])")].length,
        copyButtons: document.querySelectorAll("button[data-copy]").length,
        externalAssets: [...document.querySelectorAll("link[rel=stylesheet],script[src]")].length,
      }));
      const file = `${outDir}/${name}-${width}.png`;
      await page.screenshot({ path: file, fullPage: true });
      results.push({ name, width, url, status: response.status(), contentType: response.headers()["content-type"], screenshot: file, ...seen });
      await page.close();
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
