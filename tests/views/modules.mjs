// The test's npm packages are installed in views/ (views/package.json), which Node's module
// resolution does not search from here.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const viewsDir = join(dirname(fileURLToPath(import.meta.url)), "../../views");
export const viewsModules = join(viewsDir, "node_modules");
const requireFromViews = createRequire(join(viewsDir, "package.json"));

export async function load(specifier) {
  let path;
  try {
    path = requireFromViews.resolve(specifier);
  } catch {
    console.error(`views test: ${specifier} is not installed; run tests/views/run.sh (it runs npm ci in views/)`);
    process.exit(1);
  }
  return import(pathToFileURL(path).href);
}
