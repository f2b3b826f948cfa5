import { existsSync } from "node:fs";
import { chromium, type BrowserServer } from "playwright-core";
import type { TestProject } from "vitest/node";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's Chromium (playwright's websocket endpoint), or "" when there is none to share. */
    chromiumEndpoint: string;
  }
}

/**
 * One Chromium for the whole node project instead of one per page-test file: startPageHarness
 * connects to it, and each connection has its own contexts, closed when the file disposes of
 * its harness. Without Chromium (a local run that skips the page tests) nothing is started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: BrowserServer | undefined;
  if (existsSync(CHROMIUM)) server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  project.provide("chromiumEndpoint", server?.wsEndpoint() ?? "");
  return async () => {
    await server?.close();
  };
}
