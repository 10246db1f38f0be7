// The web app's build: a static bundle in web/dist with relative asset paths, so that it can be served
// from any path; the API's URL and the chains come at run time from ./config.json, not from the build.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2_000 },
  // The page imports the one redenomination rule from common/ (outside web/).
  server: { fs: { allow: [".."] } },
});
