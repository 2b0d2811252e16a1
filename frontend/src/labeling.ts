/** dist/labeling.js: the labeling page app (label.html). */
import { LabelingApp } from "./host/app";

function boot(): void {
  const root = document.querySelector<HTMLElement>("[data-lw-labeling]");
  if (root) new LabelingApp(root).start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
else boot();
