// Two classic (IIFE) bundles, one per build: Rollup cannot put two entries in one IIFE build.
// `vite build --mode elements` → dist/elements.js (runs inside the sandboxed, opaque-origin task
// frame, where module scripts would need CORS); `vite build --mode labeling` → dist/labeling.js.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, "../src/labelworks/web/static/dist");

const entries: Record<string, { entry: string; name: string }> = {
  elements: { entry: "src/elements.ts", name: "LabelworksElements" },
  labeling: { entry: "src/labeling.ts", name: "LabelworksLabeling" },
  redteam: { entry: "src/redteam.ts", name: "LabelworksRedteam" },
};

export default defineConfig(({ mode }) => {
  const bundle = entries[mode];
  return {
    build: bundle
      ? {
          outDir,
          // The first build empties the folder, the second adds to it.
          emptyOutDir: mode === "elements",
          target: "es2022",
          sourcemap: true,
          lib: {
            entry: resolve(here, bundle.entry),
            name: bundle.name,
            formats: ["iife"],
            fileName: () => `${mode}.js`,
          },
        }
      : undefined,
    test: {
      include: ["tests/unit/**/*.test.ts"],
      environment: "node",
    },
  };
});
