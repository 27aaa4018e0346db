// The browser notebook, built into the Python package so `pip install` needs no Node.
import { defineConfig } from "vite";

const out = decodeURIComponent(new URL("../src/waypost/web", import.meta.url).pathname);

export default defineConfig({
  base: "/",
  build: {
    outDir: out,
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    // inline nothing: the page's Content-Security-Policy-friendly, and every asset is a file
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 700,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        // name lazy chunks after their package (lang-python-[hash].js), not "dist-[hash].js"
        chunkFileNames: (chunk) =>
          `assets/${chunkName(chunk.facadeModuleId ?? chunk.moduleIds.at(-1) ?? chunk.name)}-[hash].js`,
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8877", ws: true },
    },
  },
});

function chunkName(id: string): string {
  const match = /node_modules\/(?:@[^/]+\/)?([^/]+)\/(?:.*\/)?([^/.]+)\.[jt]s$/.exec(id);
  if (!match) return id.replace(/^.*\//, "").replace(/\.[^.]*$/, "") || "chunk";
  const [, pkg, file] = match;
  return file === "index" ? pkg! : file!;
}
