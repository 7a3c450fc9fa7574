// Opens a report written by chosa (analysis/include/chosa/report.h) in Debian's headless
// Chromium, as a reader would, and checks what a reader would see:
//   node check_report.js REPORT.html SCREENSHOT.png EXPECTED_TEXT...
// - nothing logged to the console as an error, no page error, nothing loaded but the file;
// - one <svg> chart in every question's section;
// - every EXPECTED_TEXT in the page's text (the figures: 76.3, 67.0, 55.6, ...);
// - every chart's text inside its chart, measured with the real fonts (labels are wrapped by
//   an estimate of their width), and no page wider than the window.
// Saves SCREENSHOT.png (the whole page) and SCREENSHOT-top.png, SCREENSHOT-cross.png.
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (error) {
  console.error('playwright-core is not installed: run npm ci --prefix tests/browser');
  process.exit(1);
}

async function main() {
  const [reportPath, screenshotPath, ...expected] = process.argv.slice(2);
  if (!reportPath || !screenshotPath) {
    console.error('usage: node check_report.js REPORT.html SCREENSHOT.png EXPECTED_TEXT...');
    process.exit(2);
  }
  const url = pathToFileURL(path.resolve(reportPath)).href;
  const faults = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    page.on('console', (message) => {
      if (message.type() === 'error') faults.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => faults.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url() !== url) faults.push(`loads something else: ${request.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });

    const seen = await page.evaluate(() => {
      const sections = [...document.querySelectorAll('section.question')];
      const outside = [];
      for (const svg of document.querySelectorAll('svg')) {
        const width = svg.viewBox.baseVal.width;
        for (const text of svg.querySelectorAll('text')) {
          const box = text.getBBox();
          if (box.x < -0.5 || box.x + box.width > width + 0.5) {
            outside.push(`${svg.getAttribute('aria-label')}: "${text.textContent}" spans ${box.x.toFixed(1)}..${(box.x + box.width).toFixed(1)} of ${width}`);
          }
        }
      }
      return {
        sections: sections.length,
        chartsPerSection: sections.map((section) => section.querySelectorAll('svg').length),
        svgs: document.querySelectorAll('svg').length,
        scripts: document.querySelectorAll('script').length,
        text: document.body.innerText,
        pageWidth: document.documentElement.scrollWidth,
        windowWidth: window.innerWidth,
        outside,
        lang: document.documentElement.lang,
        title: document.title,
      };
    });

    if (seen.sections === 0) faults.push('no question sections');
    seen.chartsPerSection.forEach((count, index) => {
      if (count !== 1) faults.push(`section ${index + 1} has ${count} charts, not 1`);
    });
    if (seen.svgs !== seen.sections) faults.push(`${seen.svgs} <svg> for ${seen.sections} sections`);
    if (seen.scripts !== 0) faults.push(`${seen.scripts} scripts in a page that needs none`);
    for (const text of expected) {
      if (!seen.text.includes(text)) faults.push(`the page does not show "${text}"`);
    }
    if (seen.pageWidth > seen.windowWidth) faults.push(`the page is ${seen.pageWidth}px wide in a ${seen.windowWidth}px window`);
    for (const line of seen.outside.slice(0, 20)) faults.push(`text outside its chart: ${line}`);

    await page.screenshot({ path: screenshotPath, fullPage: true });
    await page.screenshot({ path: screenshotPath.replace(/\.png$/, '-top.png') });
    const cross = page.locator('section.question').last();
    await cross.screenshot({ path: screenshotPath.replace(/\.png$/, '-cross.png') });
    console.log(`${reportPath}: "${seen.title}" (lang ${seen.lang}), ${seen.sections} sections, ${seen.svgs} charts; screenshot ${screenshotPath}`);
  } finally {
    await browser.close();
  }
  for (const fault of faults) console.error(fault);
  console.log(faults.length === 0 ? 'report checked in Chromium: ok' : `${faults.length} faults`);
  process.exit(faults.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
