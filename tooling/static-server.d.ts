/** Serves the files under `root` on 127.0.0.1 at a free port; any path that is not a file is the page itself. */
export function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }>
