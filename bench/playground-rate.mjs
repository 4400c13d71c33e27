// What the page benches (playground-threads.mjs, playground-views.mjs) share: the playground's
// training rate in a fresh page, measured over a window of its steps (document.body.dataset.step)
// after the first `from` steps, so that start-up and the first compiles stay outside it.

/**
 * Opens `url` in a new 1300×1100 page of `browser` and times its steps from `from` to `to`.
 * Returns the steps per second and the page, still open (the caller reads its dataset, then closes it).
 */
export async function stepsPerSecond(browser, url, from, to) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
  await page.goto(url);
  const step = async () => Number(await page.evaluate('document.body.dataset.step')) || 0;
  while (await step() < from) await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now(), s0 = await step();
  while (await step() < to) await new Promise((r) => setTimeout(r, 20));
  return { rate: (await step() - s0) / ((Date.now() - t0) / 1000), page };
}
